#include "transport/adaptive_rate.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace dynomite::detail {

bool is_rate_throttle(error_code ec, std::string_view aws_type) noexcept
{
    if (is_throttling(ec)) return true;
    constexpr std::array<std::string_view, 14> throttling_types{
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException"};
    return !aws_type.empty() &&
           std::find(throttling_types.begin(), throttling_types.end(), aws_type) !=
               throttling_types.end();
}

cubic_calculator::cubic_calculator(double starting_max_rate, double start_time)
    : w_max_(starting_max_rate), last_fail_(start_time)
{
    compute_k();
}

void cubic_calculator::compute_k()
{
    // The time the curve takes to climb from beta * w_max back to w_max.
    k_ = std::cbrt(w_max_ * (1 - beta) / scale_constant);
}

double cubic_calculator::success_received(double timestamp) const
{
    const double dt = timestamp - last_fail_;
    return scale_constant * std::pow(dt - k_, 3.0) + w_max_;
}

double cubic_calculator::error_received(double current_rate, double timestamp)
{
    w_max_ = current_rate;
    compute_k();
    last_fail_ = timestamp;
    return current_rate * beta;
}

rate_clocker::rate_clocker(double now) : last_bucket_(std::floor(now)) {}

double rate_clocker::record(double now)
{
    const double scale = 1 / bucket_seconds;
    const double bucket = std::floor(now * scale) / scale;
    count_ += 1;
    if (bucket > last_bucket_) {
        const double current_rate = count_ / (bucket - last_bucket_);
        measured_rate_ = current_rate * smoothing + measured_rate_ * (1 - smoothing);
        count_ = 0;
        last_bucket_ = bucket;
    }
    return measured_rate_;
}

token_bucket::token_bucket(double max_rate, double now) : last_refill_(now)
{
    set_max_rate(max_rate, now);
}

void token_bucket::refill(double now)
{
    // A clock that steps back adds nothing rather than draining the bucket.
    const double elapsed = std::max(0.0, now - last_refill_);
    capacity_ = std::min(max_capacity_, capacity_ + elapsed * fill_rate_);
    last_refill_ = now;
}

void token_bucket::set_max_rate(double rate, double now)
{
    refill(now);
    fill_rate_ = std::max(rate, min_rate);
    max_capacity_ = rate >= 1 ? rate : 1;
    capacity_ = std::min(capacity_, max_capacity_);
}

double token_bucket::try_acquire(double now)
{
    refill(now);
    if (capacity_ >= 1) {
        capacity_ -= 1;
        return 0;
    }
    return (1 - capacity_) / fill_rate_;
}

client_rate_limiter::client_rate_limiter(double now)
    : cubic_(0, now), clocker_(now), bucket_(1, now)
{
}

double client_rate_limiter::before_attempt(double now)
{
    return enabled_ ? bucket_.try_acquire(now) : 0;
}

void client_rate_limiter::on_response(double now, bool throttled)
{
    const double measured = clocker_.record(now);
    double new_rate = 0;
    if (!throttled) {
        new_rate = cubic_.success_received(now);
    } else {
        const double rate_then = enabled_ ? std::min(measured, bucket_.max_rate()) : measured;
        new_rate = cubic_.error_received(rate_then, now);
        enabled_ = true;
    }
    bucket_.set_max_rate(std::min(new_rate, max_rate_adjust_scale * measured), now);
}

}  // namespace dynomite::detail
