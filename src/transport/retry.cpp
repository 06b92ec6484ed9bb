#include "transport/retry.hpp"

#include <boost/system/errc.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace dynomite::detail {

bool is_timeout(error_code ec) noexcept
{
    return ec == errc::request_timeout || ec == errc::connect_timeout ||
           ec == boost::system::errc::timed_out;
}

int retry_quota::try_acquire(error_code ec) noexcept
{
    if (capacity_ <= 0) return 0;
    const int cost = is_timeout(ec) ? timeout_retry_cost_ : retry_cost_;
    if (cost > available_) return -1;
    available_ -= cost;
    return cost;
}

void retry_quota::release(int spent) noexcept
{
    if (capacity_ <= 0) return;
    available_ = std::min(capacity_, available_ + (spent > 0 ? spent : 1));
}

std::chrono::nanoseconds backoff_delay(std::chrono::nanoseconds base, std::chrono::nanoseconds cap,
                                       int attempt, double unit_random) noexcept
{
    using std::chrono::nanoseconds;
    // 2^62 ns is far beyond any sane cap; clamping the exponent keeps the shift defined.
    const int exponent = std::clamp(attempt - 1, 0, 62);
    const double ceiling =
        std::min(static_cast<double>(cap.count()), std::ldexp(static_cast<double>(base.count()), exponent));
    const double fraction = std::clamp(unit_random, 0.0, 1.0);
    return nanoseconds(static_cast<nanoseconds::rep>(ceiling * fraction));
}

std::chrono::nanoseconds backoff_delay(const retry_options& params, int attempt, bool throttled,
                                       double unit_random) noexcept
{
    return backoff_delay(throttled ? params.throttling_base_delay : params.base_delay,
                         params.max_delay, attempt, unit_random);
}

std::chrono::nanoseconds legacy_backoff_delay(int attempt) noexcept
{
    // botocore: base 0.05 s, growth factor 2. The exponent is clamped only to keep the
    // arithmetic defined; max_attempts bounds it in practice.
    const int exponent = std::clamp(attempt - 1, 0, 40);
    return std::chrono::nanoseconds(50'000'000LL << exponent);
}

bool is_legacy_retryable(error_code ec, unsigned http_status, std::string_view aws_type) noexcept
{
    if (!ec) return false;
    if (ec == errc::crc32_mismatch) return true;
    if (http_status == 0) {
        // No HTTP answer: botocore's GENERAL_CONNECTION_ERROR (connection errors, read
        // timeouts, closed connections).
        return is_timeout(ec) || ec == errc::connection_closed ||
               (ec.category() != dynomite_category() && is_retryable(ec));
    }
    switch (http_status) {
        case 429: case 500: case 502: case 503: case 504: case 509:
            return true;
        case 400: {
            constexpr std::array<std::string_view, 6> retried{
                "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling",
                "ThrottledException", "RequestThrottledException",
                "TransactionInProgressException"};
            return std::find(retried.begin(), retried.end(), aws_type) != retried.end();
        }
        default:
            return false;
    }
}

}  // namespace dynomite::detail
