// Retry decisions of AWS standard mode, sans-io: what to retry, how long to wait, and
// the quota that stops a retry storm when the service is down.
#pragma once

#include <dynomite/transport/params.hpp>
#include <dynomite/core/error.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace dynomite::detail {

/// Tokens shared by all requests of a client. A retry spends tokens; a success gives
/// back what its retries spent (or one token when it needed none), so a long outage
/// drains the quota and further requests fail fast instead of multiplying load.
class retry_quota {
public:
    explicit retry_quota(const retry_options& params)
        : capacity_(params.quota_capacity),
          available_(params.quota_capacity),
          retry_cost_(params.retry_cost),
          timeout_retry_cost_(params.timeout_retry_cost)
    {
    }

    /// Spends the cost of retrying after `ec`. Returns the tokens spent, or -1 when the
    /// quota cannot pay for it. Always succeeds (spending 0) when the quota is disabled.
    int try_acquire(error_code ec) noexcept;
    /// After a successful request: `spent` is what its retries took.
    void release(int spent) noexcept;
    int available() const noexcept { return available_; }

private:
    int capacity_;
    int available_;
    int retry_cost_;
    int timeout_retry_cost_;
};

/// Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^(attempt-1))], where
/// attempt counts the failures so far (1 after the first). `unit_random` is in [0, 1).
std::chrono::nanoseconds backoff_delay(std::chrono::nanoseconds base, std::chrono::nanoseconds cap,
                                       int attempt, double unit_random) noexcept;
/// The above with the parameters' base (throttling_base_delay after throttling) and max_delay.
std::chrono::nanoseconds backoff_delay(const retry_options& params, int attempt, bool throttled,
                                       double unit_random) noexcept;

/// Legacy mode's wait before attempt `attempt` + 1: botocore's DynamoDB policy in _retry.json,
/// 50 ms x 2^(attempt-1) with neither jitter nor cap (50 ms, 100 ms, ... 12.8 s after the 9th).
std::chrono::nanoseconds legacy_backoff_delay(int attempt) noexcept;

/// What legacy mode retries, as botocore's _retry.json lists it for DynamoDB: connection
/// errors and timeouts, HTTP 429, 500, 502, 503, 504 and 509, a CRC32 mismatch, and 400s whose
/// `aws_type` (the short __type) is ProvisionedThroughputExceededException, ThrottlingException,
/// Throttling, ThrottledException, RequestThrottledException or TransactionInProgressException.
bool is_legacy_retryable(error_code ec, unsigned http_status, std::string_view aws_type) noexcept;

/// True when the error says the request timed out, which costs the quota more.
bool is_timeout(error_code ec) noexcept;

}  // namespace dynomite::detail
