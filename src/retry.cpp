#include <dynomite/detail/retry.hpp>

#include <boost/system/errc.hpp>

#include <algorithm>
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

std::chrono::nanoseconds backoff_delay(const retry_params& params, int attempt, bool throttled,
                                       double unit_random) noexcept
{
    using std::chrono::nanoseconds;
    const auto base = nanoseconds(throttled ? params.throttling_base_delay : params.base_delay);
    const auto cap = nanoseconds(params.max_delay);
    // 2^62 ns is far beyond any sane cap; clamping the exponent keeps the shift defined.
    const int exponent = std::clamp(attempt - 1, 0, 62);
    const double ceiling =
        std::min(static_cast<double>(cap.count()), std::ldexp(static_cast<double>(base.count()), exponent));
    const double fraction = std::clamp(unit_random, 0.0, 1.0);
    return nanoseconds(static_cast<nanoseconds::rep>(ceiling * fraction));
}

}  // namespace dynomite::detail
