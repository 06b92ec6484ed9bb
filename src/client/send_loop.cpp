#include "client/send_loop.hpp"

#include "transport/clock_skew.hpp"
#include "transport/retry.hpp"

#include <dynomite/protocol/detail/protocol.hpp>

namespace dynomite::detail {

send_shared_state::send_shared_state(const send_policy& policy, std::uint64_t seed)
    : quota(policy.backoff), rng(seed)
{
    if (policy.retry.mode == retry_mode::adaptive) limiter.emplace(policy.rate_clock());
}

send_loop::send_loop(const send_policy& policy, send_shared_state& shared,
                     std::string_view operation, diagnostics& diag, std::string_view table,
                     std::string_view index, std::uint64_t operation_id)
    : policy_(policy), shared_(shared), operation_(operation), diag_(diag), table_(table),
      index_(index), operation_id_(operation_id)
{
}

retry_reason classify_retry(error_code ec, unsigned http_status, std::string_view aws_type) noexcept
{
    if (!ec) return retry_reason::none;
    if (is_rate_throttle(ec, aws_type) || http_status == 429) return retry_reason::throttling;
    if (ec == errc::crc32_mismatch) return retry_reason::crc32_mismatch;
    if (ec == errc::transaction_conflict) return retry_reason::transaction_conflict;
    if (is_timeout(ec)) return retry_reason::timeout;
    if (http_status >= 500) return retry_reason::server_error;
    if (http_status == 0 && (is_retryable(ec) || is_legacy_retryable(ec, 0, {})))
        return retry_reason::network;
    return retry_reason::none;
}

void send_loop::notify_attempt(error_code ec, const http_response* response,
                               retry_reason reason, bool retried) noexcept
{
    if (!policy_.observer) return;
    ++attempts_made_;
    bytes_sent_ += exchanged_.bytes_sent;
    bytes_received_ += exchanged_.bytes_received;
    attempt_event event;
    event.operation_id = operation_id_;
    event.operation = operation_;
    event.table = table_;
    event.index = index_;
    event.attempt = attempt_;
    event.error = ec;
    event.reason = reason;
    event.retried = retried;
    if (response) {
        event.http_status = response->status;
        event.request_id = response->request_id;
        event.aws_type = diag_.aws_type;
    }
    event.reused_connection = reused_;
    event.new_connection = opened_;
    event.latency = {.queued = acquired_.queued,
                     .connect = acquired_.connect,
                     .send = exchanged_.send,
                     .receive = exchanged_.receive};
    event.bytes_sent = exchanged_.bytes_sent;
    event.bytes_received = exchanged_.bytes_received;
    event.endpoint = policy_.url;
    event.pool = pool_;
    acquired_ = {};
    exchanged_ = {};
    policy_.observer->on_attempt(event);
}

bool send_loop::logs(log_level level) const noexcept
{
    return policy_.logger && level >= policy_.min_log_level && level != log_level::off;
}

void send_loop::log(log_level level, std::string_view line) const
{
    if (logs(level)) policy_.logger(level, line);
}

send_action send_loop::done(error_code ec)
{
    state_ = state::finished;
    return {.what = send_action::kind::done, .result = ec};
}

send_action send_loop::start()
{
    ++shared_.counters.requests;
    return begin_attempt();
}

send_action send_loop::begin_attempt()
{
    rate_waited_ = false;
    return ask_rate_limiter();
}

send_action send_loop::ask_rate_limiter()
{
    if (shared_.limiter) {
        const double seconds = shared_.limiter->before_attempt(policy_.rate_clock());
        if (seconds > 0) {
            if (!rate_waited_) ++shared_.counters.rate_limited_attempts;
            rate_waited_ = true;
            state_ = state::rate_wait;
            return {.what = send_action::kind::wait,
                    .delay = std::chrono::ceil<std::chrono::nanoseconds>(
                        std::chrono::duration<double>(seconds))};
        }
    }
    ++shared_.counters.attempts;
    state_ = state::signing;
    // Signed anew each attempt: the signature carries the time, which a backoff moves.
    return {.what = send_action::kind::sign,
            .signing_time = policy_.clock() + shared_.clock_offset};
}

send_action send_loop::resume(send_loop_event event)
{
    using namespace send_event;
    if (auto* fired = std::get_if<timer_fired>(&event)) return after_timer(fired->ec);
    if (auto* failed = std::get_if<credentials_failed>(&event)) return done(failed->ec);
    if (std::holds_alternative<request_signed>(event)) {
        diag_.aws_type.clear();
        diag_.message.clear();
        diag_.request_id.clear();
        diag_.http_status = 0;
        diag_.item.reset();
        diag_.cancellation_reasons.clear();
        exchange_started_ = std::chrono::steady_clock::now();
        fresh_ = false;
        reused_ = false;
        opened_ = false;
        state_ = state::acquiring;
        return {.what = send_action::kind::acquire_connection, .fresh = false};
    }
    if (auto* acquired = std::get_if<connection_acquired>(&event)) {
        reused_ = acquired->reused;
        opened_ = !acquired->reused;
        acquired_ = acquired->measures;
        state_ = state::sending;
        return {.what = send_action::kind::send};
    }
    if (auto* failed = std::get_if<connection_failed>(&event)) {
        acquired_ = failed->measures;
        std::string detail = (failed->ec == errc::request_timeout ? "waiting for a connection to "
                                                                   : "connecting to ") +
                             policy_.url;
        if (!failed->connect_detail.empty() && failed->connect_detail != failed->ec.message())
            detail += " (" + failed->connect_detail + ")";
        return finish_exchange(failed->ec, std::move(detail), nullptr);
    }
    if (auto* failed = std::get_if<transport_failed>(&event)) {
        exchanged_ = failed->measures;
        return after_transport_failure(std::move(*failed));
    }
    const auto& received = std::get<response_received>(event);
    exchanged_ = received.measures;
    return after_response(*received.response);
}

send_action send_loop::after_timer(error_code ec)
{
    if (ec) return done(ec);  // cancelled by the caller
    if (state_ == state::rate_wait) return ask_rate_limiter();
    ++attempt_;
    return begin_attempt();
}

send_action send_loop::after_transport_failure(send_event::transport_failed failure)
{
    // A keep-alive connection the server closed while it sat idle: another connection may
    // carry the same request without counting as an attempt. A server that read the request
    // before closing looks the same, so the resend is recorded: the first send may have been
    // applied.
    if (reused_ && !failure.received_any && !fresh_ && failure.ec == errc::connection_closed) {
        ++shared_.counters.stale_connections;
        diag_.attempts.push_back({failure.ec, "a kept-alive connection to " + policy_.url +
                                                  " closed without answering; sent again on a "
                                                  "new one"});
        log(log_level::info, "a kept-alive connection to " + policy_.url +
                                 " was closed by the server; sending again on a new one");
        notify_attempt(failure.ec, nullptr, retry_reason::stale_connection, true);
        fresh_ = true;
        state_ = state::acquiring;
        return {.what = send_action::kind::acquire_connection, .fresh = true};
    }
    return finish_exchange(failure.ec, std::move(failure.detail), nullptr);
}

send_action send_loop::after_response(const http_response& response)
{
    const auto* proxy = policy_.plain_http_proxy;
    if (proxy && is_proxy_refusal(response.status, !response.request_id.empty())) {
        return finish_exchange(make_error_code(errc::http_status),
                               "the proxy " + proxy->display + " (" + proxy->origin +
                                   ") answered " + std::to_string(response.status) +
                                   " instead of forwarding to " + policy_.url,
                               &response);
    }
    return finish_exchange(error_code{}, std::string{}, &response);
}

send_action send_loop::finish_exchange(error_code ec, std::string detail,
                                       const http_response* response)
{
    const std::string operation(operation_);
    const int attempt = attempt_;
    const auto& retry = policy_.retry;
    if (logs(log_level::debug)) {
        const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - exchange_started_);
        const bool has_id = response && !response->request_id.empty();
        log(log_level::debug,
            operation + " attempt " + std::to_string(attempt) + ": " +
                (ec ? ec.message() + (detail.empty() ? "" : " (" + detail + ")")
                    : "HTTP " + std::to_string(response->status)) +
                " in " + std::to_string(micros.count()) + " us" +
                (has_id ? ", request id " + response->request_id : ""));
    }
    if (!ec) {
        diag_.request_id = response->request_id;
        diag_.http_status = response->status;
        if (response->status == 200) {
            if (response->crc32 && response->body_crc32 != *response->crc32) {
                ec = make_error_code(errc::crc32_mismatch);
                detail = "x-amz-crc32 says " + std::to_string(*response->crc32) + ", body has " +
                         std::to_string(response->body_crc32);
            } else {
                if (shared_.limiter) shared_.limiter->on_response(policy_.rate_clock(), false);
                shared_.quota.release(quota_spent_);
                notify_attempt(error_code{}, response, retry_reason::none, false);
                return done(error_code{});
            }
        } else {
            ec = parse_error_response(response->status, response->body, response->request_id,
                                      diag_);
            detail = "HTTP " + std::to_string(response->status);
            if (!diag_.aws_type.empty()) detail += " " + diag_.aws_type;
        }
    }
    diag_.attempts.push_back({ec, detail});
    // Every answer or failure adjusts the adaptive rate; only throttling lowers it.
    if (shared_.limiter)
        shared_.limiter->on_response(policy_.rate_clock(), is_rate_throttle(ec, diag_.aws_type));
    if (diag_.message.empty())
        diag_.message = detail.empty() ? ec.message() : detail + ": " + ec.message();

    // A refusal for the signing time, with the service's time in Date: correct the clock and
    // send again at once. Only a changed correction is retried, so a service that keeps
    // refusing does not loop.
    if (diag_.http_status != 0 && is_clock_skew_error(diag_.aws_type, diag_.message)) {
        const auto server_time = response ? parse_http_date(response->date) : std::nullopt;
        const auto offset = server_time ? clock_offset(*server_time, policy_.clock())
                                        : shared_.clock_offset;
        if (offset != shared_.clock_offset && attempt < retry.max_attempts) {
            log(log_level::warning,
                operation + ": the service says the clock is off (" + diag_.message +
                    "); signing with its time, " + std::to_string(offset.count()) +
                    " s from the local clock, from now on");
            shared_.clock_offset = offset;
            ++shared_.counters.retries;
            notify_attempt(ec, response, retry_reason::clock_skew, true);
            ++attempt_;
            return begin_attempt();
        }
    }
    const bool retryable = retry.mode == retry_mode::legacy
                               ? is_legacy_retryable(ec, diag_.http_status, diag_.aws_type)
                               : is_retryable(ec);
    if (!retryable || attempt >= retry.max_attempts) {
        // The quota guards against an unreachable or failing service. A definite refusal (a
        // 4xx such as a failed condition after a lost answer) shows it up and serving, so what
        // the retries spent is given back as after a success.
        if (!retryable && quota_spent_ > 0 && diag_.http_status >= 400 && diag_.http_status < 500)
            shared_.quota.release(quota_spent_);
        if (attempt > 1 || retryable)
            log(log_level::warning, operation + " failed after " + std::to_string(attempt) +
                                        " attempts: " + diag_.message);
        notify_attempt(ec, response, classify_retry(ec, diag_.http_status, diag_.aws_type), false);
        return done(ec);
    }
    // Legacy mode has no quota.
    const int cost = retry.mode == retry_mode::legacy ? 0 : shared_.quota.try_acquire(ec);
    if (cost < 0) {
        diag_.message += " (not retried: the retry quota is exhausted)";
        log(log_level::warning, operation + ": " + diag_.message);
        notify_attempt(ec, response, classify_retry(ec, diag_.http_status, diag_.aws_type), false);
        return done(ec);
    }
    quota_spent_ += cost;
    ++shared_.counters.retries;
    notify_attempt(ec, response, classify_retry(ec, diag_.http_status, diag_.aws_type), true);

    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto delay = retry.mode == retry_mode::legacy
                           ? legacy_backoff_delay(attempt)
                           : backoff_delay(policy_.backoff, attempt, is_throttling(ec),
                                           unit(shared_.rng));
    if (logs(log_level::info))
        log(log_level::info,
            operation + " attempt " + std::to_string(attempt) + " failed: " + diag_.message +
                "; retrying in " +
                std::to_string(
                    std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()) +
                " ms (attempt " + std::to_string(attempt + 1) + " of " +
                std::to_string(retry.max_attempts) + ")");
    state_ = state::backoff;
    return {.what = send_action::kind::wait, .delay = delay};
}

}  // namespace dynomite::detail
