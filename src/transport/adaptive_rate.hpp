// Adaptive retry mode's client-side rate limit, sans-io: a token bucket whose fill rate a
// CUBIC calculator lowers on throttling and raises again on success, bounded by twice the
// measured send rate. The AWS SDKs' design (botocore retries/adaptive.py, bucket.py,
// throttling.py; aws-sdk-go-v2 retry/adaptive_*.go). Times are seconds on any monotonic clock.
#pragma once

#include <dynomite/core/error.hpp>

#include <string_view>

namespace dynomite::detail {

/// Whether a response lowers the adaptive rate: is_throttling(ec), or a short __type botocore's
/// standard.ThrottledRetryableChecker counts as throttling (TransactionInProgressException,
/// TooManyRequestsException, SlowDown, ...).
bool is_rate_throttle(error_code ec, std::string_view aws_type) noexcept;

/// CUBIC congestion control applied to a request rate: after a throttle the rate drops to
/// beta times the rate then, and grows back along a cubic curve through that rate.
class cubic_calculator {
public:
    static constexpr double scale_constant = 0.4;
    static constexpr double beta = 0.7;

    cubic_calculator(double starting_max_rate, double start_time);

    /// The rate the curve allows at `timestamp` after the last throttle.
    double success_received(double timestamp) const;
    /// Records a throttle at `current_rate` and returns the reduced rate.
    double error_received(double current_rate, double timestamp);

    double w_max() const noexcept { return w_max_; }
    double k() const noexcept { return k_; }
    double last_fail() const noexcept { return last_fail_; }

private:
    void compute_k();

    double w_max_;
    double k_ = 0;
    double last_fail_;
};

/// The send rate, measured over half-second buckets and smoothed exponentially.
class rate_clocker {
public:
    static constexpr double smoothing = 0.8;
    static constexpr double bucket_seconds = 0.5;

    explicit rate_clocker(double now);

    /// Counts one response at `now` and returns the measured rate.
    double record(double now);
    double measured_rate() const noexcept { return measured_rate_; }

private:
    double measured_rate_ = 0;
    double last_bucket_;
    double count_ = 0;
};

/// Tokens that fill at max_rate per second up to max(1, max_rate); never slower than
/// min_rate.
class token_bucket {
public:
    static constexpr double min_rate = 0.5;

    token_bucket(double max_rate, double now);

    /// Takes one token and returns 0 when one is there; otherwise the seconds until there
    /// will be one (take it then by calling again).
    double try_acquire(double now);
    void set_max_rate(double rate, double now);
    double max_rate() const noexcept { return fill_rate_; }
    double available() const noexcept { return capacity_; }

private:
    void refill(double now);

    double fill_rate_ = 0;
    double max_capacity_ = 1;
    double capacity_ = 0;
    double last_refill_;
};

/// One client's limiter. Disabled until the first throttle; from then on every attempt waits
/// for a token.
class client_rate_limiter {
public:
    static constexpr double max_rate_adjust_scale = 2.0;

    explicit client_rate_limiter(double now);

    /// Before an attempt: 0 to send now (a token was taken), or the seconds to wait before
    /// asking again.
    double before_attempt(double now);
    /// After every response, or failure to get one: adjusts the rate.
    void on_response(double now, bool throttled);

    bool enabled() const noexcept { return enabled_; }
    double send_rate() const noexcept { return bucket_.max_rate(); }
    double measured_rate() const noexcept { return clocker_.measured_rate(); }
    const cubic_calculator& cubic() const noexcept { return cubic_; }
    const token_bucket& bucket() const noexcept { return bucket_; }

private:
    cubic_calculator cubic_;
    rate_clocker clocker_;
    token_bucket bucket_;
    bool enabled_ = false;
};

}  // namespace dynomite::detail
