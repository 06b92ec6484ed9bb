// What a client does, as events: one per attempt (an HTTP exchange) and one per operation.
// An application registers an observer in client_config::observer; docs/observability.md
// describes the fields, the threading and the cost.
#pragma once

#include <dynomite/core/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dynomite {

/// Why an attempt failed in the terms the retry policy decides on (is_throttling,
/// is_retryable and the legacy mode's list); none for a success or an error no retry cures.
enum class retry_reason {
    none,
    /// Throttling: ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded,
    /// LimitExceeded, TransactionInProgress, or an HTTP 429.
    throttling,
    /// A 5xx answer: InternalServerError, ServiceUnavailable or an HTTP 5xx status.
    server_error,
    /// TransactionConflictException.
    transaction_conflict,
    /// The connection failed, was reset or closed before a complete answer.
    network,
    /// Connecting, or waiting for the answer, took longer than the pool's limits allow.
    timeout,
    /// The body does not match its x-amz-crc32 header.
    crc32_mismatch,
    /// The service refused the signing time; the request is signed again with its clock.
    clock_skew,
    /// A kept-alive connection turned out closed before any answer; the same attempt is sent
    /// again on a new connection.
    stale_connection,
};

/// "throttling", "server_error", ... ("none" for none): stable names for metrics labels.
constexpr std::string_view to_string(retry_reason reason) noexcept
{
    switch (reason) {
        case retry_reason::none: return "none";
        case retry_reason::throttling: return "throttling";
        case retry_reason::server_error: return "server_error";
        case retry_reason::transaction_conflict: return "transaction_conflict";
        case retry_reason::network: return "network";
        case retry_reason::timeout: return "timeout";
        case retry_reason::crc32_mismatch: return "crc32_mismatch";
        case retry_reason::clock_skew: return "clock_skew";
        case retry_reason::stale_connection: return "stale_connection";
    }
    return "none";
}

/// Where an attempt's time went. Each part is zero when the attempt did not reach it.
struct attempt_latency {
    /// Waiting for a connection of the pool while all were in use.
    std::chrono::nanoseconds queued{0};
    /// Name resolution, TCP connect, proxy tunnel and TLS handshake of a new connection; zero
    /// on a kept-alive one.
    std::chrono::nanoseconds connect{0};
    /// Writing the request.
    std::chrono::nanoseconds send{0};
    /// From the request written to the answer read whole.
    std::chrono::nanoseconds receive{0};
};

/// The client's connection pool as an attempt ended.
struct pool_snapshot {
    std::size_t open = 0;     // connections open, in use or idle
    std::size_t idle = 0;     // kept alive, waiting for a request
    std::size_t waiting = 0;  // requests waiting for a connection, all being in use
};

/// One HTTP exchange of an operation. The string views point into the client's buffers and
/// are valid during the call only.
struct attempt_event {
    /// The operation this attempt belongs to: operation_event::operation_id.
    std::uint64_t operation_id = 0;
    std::string_view operation;  // "GetItem"
    std::string_view table;      // the request's table, empty when it names none
    std::string_view index;      // the request's index (Query, Scan), empty otherwise
    /// From 1; a resend after a stale connection keeps its attempt's number.
    int attempt = 1;
    /// What the attempt ended with: empty for an HTTP 200 with a matching CRC.
    error_code error{};
    /// How the retry policy classifies `error`.
    retry_reason reason = retry_reason::none;
    /// The client sends the request again after this attempt (after a backoff, or at once for
    /// a stale connection or a clock correction).
    bool retried = false;
    /// 0 when no answer arrived.
    unsigned http_status = 0;
    /// The short __type of an error answer ("ProvisionedThroughputExceededException").
    std::string_view aws_type;
    /// x-amzn-RequestId, when an answer arrived.
    std::string_view request_id;
    /// The attempt ran on a kept-alive connection.
    bool reused_connection = false;
    /// The attempt opened the connection it ran on (over HTTPS: made a TLS handshake). False
    /// for a kept-alive one, and when connecting failed.
    bool new_connection = false;
    attempt_latency latency{};
    /// The request as written (head and body) and the answer as read (head and body); a
    /// failed exchange counts what went through before it failed, as far as it is known.
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
    /// The endpoint as "http(s)://host[:port]", as client::endpoint_url() gives it.
    std::string_view endpoint;
    pool_snapshot pool{};
};

/// One operation, from the call to its completion, attempts included.
struct operation_event {
    /// Numbers a client's operations from 1, so that an observer can match attempts to their
    /// operation while several are under way.
    std::uint64_t operation_id = 0;
    std::string_view operation;
    std::string_view table;
    std::string_view index;
    /// The operation's result: empty on success.
    error_code error{};
    /// The HTTP exchanges tried (0 when the request was refused before sending).
    int attempts = 0;
    /// The last answer's status, __type and request id, when one arrived.
    unsigned http_status = 0;
    std::string_view aws_type;
    std::string_view request_id;
    /// From the call to the completion, backoffs and rate-limit waits included.
    std::chrono::nanoseconds latency{0};
    /// Summed over the attempts.
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
    /// The capacity units the response reports (ReturnConsumedCapacity TOTAL or INDEXES),
    /// summed over its tables.
    std::optional<double> consumed_capacity_units;
};

/// A relation's plan, each time the relation runs (each(), to_vector(), count(), pages(), a
/// cursor, and a model's queries), before its first request. explain() reports none.
struct plan_event {
    /// The model's class name ("Post"), empty for a relation over a table.
    std::string_view model;
    std::string_view table;
    /// "Query" or "Scan".
    std::string_view operation;
    /// The index read, empty for the table.
    std::string_view index;
    /// Conditions that became key conditions (0 for a Scan).
    int key_conditions = 0;
    /// The relation asked for a Scan (force_scan(), segments()) rather than the planner
    /// falling back to one.
    bool forced_scan = false;
    /// A parallel scan's segments; 1 otherwise.
    int segments = 1;
    /// Why the planner chose this table or index, or a Scan, as explain() says it.
    std::string_view reason;
};

/// Receives a client's events. The client calls it on its executor (its strand when
/// client_config::thread_safe), synchronously, from the operation under way: the attempt
/// events first, then the operation event, before the operation's completion handler runs.
/// A function that blocks delays the client; one that throws ends the program
/// (std::terminate). The events hold no credentials and no request header.
class observer {
public:
    virtual ~observer() = default;
    virtual void on_attempt(const attempt_event& event) = 0;
    virtual void on_operation(const operation_event& event) = 0;
    /// Called by the relations of a database over this client, from the coroutine that runs
    /// the relation (which may be on another thread than the client's strand). Does nothing
    /// unless overridden.
    virtual void on_plan(const plan_event& event) { (void)event; }
};

}  // namespace dynomite
