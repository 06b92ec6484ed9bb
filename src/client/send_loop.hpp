// One request's way through the client, sans-io: when to wait for the adaptive rate limit,
// sign, take a connection and send, and what an answer or a failure means (retry after a
// backoff, resend on a new connection, correct the clock, or finish). The machine does no I/O:
// a coroutine performs each action it asks for and reports what happened as an event.
#pragma once

#include "transport/adaptive_rate.hpp"
#include "transport/http_connection.hpp"
#include "transport/proxy_route.hpp"
#include "transport/retry.hpp"
#include "transport/retry_settings.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/client/instrumentation.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/logging.hpp>

#include <cstdint>

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>

namespace dynomite::detail {

/// What stays fixed for every request of a client.
struct send_policy {
    retry_settings retry;
    /// Standard and adaptive mode's delays and quota figures.
    retry_options backoff;
    /// The endpoint as "http(s)://host[:port][/path]", for messages.
    std::string url;
    /// The forward proxy that plain-HTTP requests go through, or null.
    const proxy_route* plain_http_proxy = nullptr;
    /// The signing clock.
    std::function<std::chrono::system_clock::time_point()> clock;
    /// The adaptive limiter's time, in seconds on a monotonic clock.
    std::function<double()> rate_clock;
    log_sink logger;
    log_level min_log_level = log_level::warning;
    /// Receives the attempt events; null when nobody listens (then nothing is measured).
    dynomite::observer* observer = nullptr;
};

/// How the retry policy classifies an attempt's failure, for the events: the same predicates
/// that decide on a retry (is_rate_throttle, is_timeout, is_retryable, is_legacy_retryable).
retry_reason classify_retry(error_code ec, unsigned http_status,
                            std::string_view aws_type) noexcept;

/// What the requests of a client share and change.
struct send_shared_state {
    send_shared_state(const send_policy& policy, std::uint64_t seed);

    retry_quota quota;
    /// Adaptive mode's rate limit; empty in the other modes.
    std::optional<client_rate_limiter> limiter;
    /// Added to the signing clock: the service's time minus the local clock, once a response
    /// showed them apart.
    std::chrono::seconds clock_offset{0};
    std::mt19937_64 rng;
    client_stats counters;
};

/// What the driver does next.
struct send_action {
    enum class kind {
        /// Wait `delay` (the rate limit or a backoff), then report timer_fired.
        wait,
        /// Get credentials and sign the request for `signing_time`, then report request_signed
        /// (or credentials_failed).
        sign,
        /// Take a connection from the pool (`fresh`: a new one, not an idle one), then report
        /// connection_acquired or connection_failed. A request's time limit runs from the
        /// attempt's first acquire (fresh is false) and covers its resends.
        acquire_connection,
        /// Send the signed request on the connection, give the connection back, then report
        /// response_received or transport_failed.
        send,
        /// Finish with `result`.
        done,
    };
    kind what = kind::done;
    std::chrono::nanoseconds delay{0};
    std::chrono::system_clock::time_point signing_time{};
    bool fresh = false;
    error_code result{};
};

namespace send_event {
struct timer_fired {
    error_code ec;
};
struct request_signed {};
struct credentials_failed {
    error_code ec;
};
struct connection_acquired {
    /// The connection was kept alive from an earlier request.
    bool reused = false;
    /// Filled when the policy has an observer.
    acquire_measures measures{};
};
struct connection_failed {
    error_code ec;
    /// The underlying reason (e.g. why TLS refused the certificate), may be empty.
    std::string connect_detail;
    acquire_measures measures{};
};
struct response_received {
    /// Status, headers (request id, Date, x-amz-crc32 and the body's own CRC-32) and body.
    const http_response* response = nullptr;
    exchange_measures measures{};
};
struct transport_failed {
    error_code ec;
    /// Any byte of an answer arrived before the failure.
    bool received_any = false;
    std::string detail;
    exchange_measures measures{};
};
}  // namespace send_event

using send_loop_event =
    std::variant<send_event::timer_fired, send_event::request_signed,
                 send_event::credentials_failed, send_event::connection_acquired,
                 send_event::connection_failed, send_event::response_received,
                 send_event::transport_failed>;

/// One request. `start()` gives the first action; `resume(event)` reports how the last one
/// went and gives the next, until an action of kind done. Fills `diag` as the attempts go.
class send_loop {
public:
    /// `table`, `index` (may be empty) and `operation_id` label the attempt events.
    send_loop(const send_policy& policy, send_shared_state& shared, std::string_view operation,
              diagnostics& diag, std::string_view table = {}, std::string_view index = {},
              std::uint64_t operation_id = 0);

    send_action start();
    send_action resume(send_loop_event event);

    /// The pool as it is now, for the next attempt event; the driver tells it.
    void note_pool(pool_snapshot pool) noexcept { pool_ = pool; }

    /// The attempt under way, from 1.
    int attempt() const noexcept { return attempt_; }
    /// The attempts that reached the connection pool, and the bytes their exchanges moved
    /// (counted only with an observer).
    int attempts_made() const noexcept { return attempts_made_; }
    std::size_t bytes_sent() const noexcept { return bytes_sent_; }
    std::size_t bytes_received() const noexcept { return bytes_received_; }

private:
    enum class state { rate_wait, signing, acquiring, sending, backoff, finished };

    send_action begin_attempt();
    send_action ask_rate_limiter();
    send_action after_timer(error_code ec);
    send_action after_transport_failure(send_event::transport_failed failure);
    send_action after_response(const http_response& response);
    send_action finish_exchange(error_code ec, std::string detail, const http_response* response);
    send_action done(error_code ec);
    /// Gives the observer, when there is one, the attempt that just ended.
    void notify_attempt(error_code ec, const http_response* response, retry_reason reason,
                        bool retried) noexcept;

    bool logs(log_level level) const noexcept;
    void log(log_level level, std::string_view line) const;

    const send_policy& policy_;
    send_shared_state& shared_;
    std::string_view operation_;
    diagnostics& diag_;
    std::string_view table_;
    std::string_view index_;
    std::uint64_t operation_id_ = 0;
    pool_snapshot pool_{};
    state state_ = state::finished;
    int attempt_ = 1;
    /// What this request's retries took from the quota.
    int quota_spent_ = 0;
    /// This attempt already waited for the rate limit.
    bool rate_waited_ = false;
    /// The connection in use is a new one taken after a stale kept-alive one.
    bool fresh_ = false;
    bool reused_ = false;
    bool opened_ = false;
    std::chrono::steady_clock::time_point exchange_started_{};
    /// The exchange under way, measured for the observer.
    acquire_measures acquired_{};
    exchange_measures exchanged_{};
    int attempts_made_ = 0;
    std::size_t bytes_sent_ = 0;
    std::size_t bytes_received_ = 0;
};

}  // namespace dynomite::detail
