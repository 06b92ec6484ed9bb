// The low-level DynamoDB client: every operation as an Asio asynchronous operation.
#pragma once

#include <dynomite/client/client_config.hpp>
#include <dynomite/core/async_operation.hpp>

#include <cstdint>
#include <dynomite/protocol/detail/operation_list.hpp>
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/protocol/operations.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace dynomite {

namespace detail {
class client_impl;

/// An operation as an awaitable, and where it must run: in the caller's coroutine when that
/// runs on the client's executor (`spawn_on` empty), else spawned on `*spawn_on`.
template <class Response>
struct awaitable_operation {
    std::optional<boost::asio::any_io_executor> spawn_on;
    boost::asio::awaitable<std::pair<error_code, Response>> operation;
};

#define DYNOMITE_DECLARE_START(name, aws_name)                                                 \
    void start_operation(const std::shared_ptr<client_impl>& impl, name##_request request,   \
                         diagnostics* diag,                                                    \
                         boost::asio::any_completion_handler<void(error_code, name##_response)> \
                             handler);                                                         \
    awaitable_operation<name##_response> operation_for(                                       \
        const std::shared_ptr<client_impl>& impl, name##_request request,                     \
        diagnostics& failure_diag, const boost::asio::any_io_executor& caller);
DYNOMITE_OPERATIONS(DYNOMITE_DECLARE_START)
#undef DYNOMITE_DECLARE_START
}  // namespace detail

/// The response type of a request type, e.g. response_t<get_item_request> is get_item_response.
template <class Request>
using response_t = typename detail::operation_traits<Request>::response;

template <class T>
concept operation_request = requires { typename detail::operation_traits<T>::response; };

/// Statistics of a client since it was created.
struct client_stats {
    std::uint64_t requests = 0;   // operations started
    std::uint64_t attempts = 0;   // HTTP exchanges tried, retries included
    std::uint64_t retries = 0;
    std::uint64_t stale_connections = 0;  // reused connections found closed, retried at once
    std::size_t open_connections = 0;
    std::size_t idle_connections = 0;
    int retry_quota_available = 0;
    /// Adaptive retry mode: times an attempt waited for the rate limit, the limit (requests per
    /// second; 0 until a throttle turns it on) and the measured send rate.
    std::uint64_t rate_limited_attempts = 0;
    double send_rate_limit = 0;
    double measured_send_rate = 0;
    /// Seconds the client's clock is taken to be off from the service's (clock-skew correction).
    std::int64_t clock_skew_seconds = 0;
};

/// A handle to a DynamoDB client. Copies share the same connections and state. It runs on the
/// executor given (through a strand of it, so it may be used from several threads, unless
/// client_config::thread_safe is false), signs
/// each request with SigV4, retries per the AWS retry modes and checks every response's CRC32.
///
/// Every operation comes in three forms, e.g. for GetItem:
///   client.async_get_item(request, diag, token)  -- any completion token, void(error_code, get_item_response);
///                                                   `diag` receives what the server said
///   client.async_get_item(request, token)        -- the same without diagnostics
///   co_await client.get_item(request)            -- throws dynomite::error carrying the diagnostics
class client {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Resolves credentials, region and endpoint (client_config says where from); throws
    /// dynomite::error naming what is missing or invalid.
    explicit client(executor_type executor, client_config config = {});

    /// The non-throwing form of the constructor.
    static error_code create(executor_type executor, client_config config,
                             std::unique_ptr<client>& out, diagnostics& diag);

    executor_type get_executor() const noexcept;
    /// The region requests are signed for: us-east-1 for region "local", else the region.
    const std::string& region() const noexcept;
    /// The endpoint as "http(s)://host[:port][/path]".
    const std::string& endpoint_url() const noexcept;
    /// The retry mode and the attempts in force, from the config, the environment or the profile.
    dynomite::retry_mode retry_mode() const noexcept;
    int max_attempts() const noexcept;
    client_stats stats() const;
    /// client_config::observer, or null.
    dynomite::observer* get_observer() const noexcept;

    /// Any operation by its request type.
    template <operation_request Request, class CompletionToken>
    auto async_execute(Request request, diagnostics& diag, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(error_code, response_t<Request>)>(
            initiation{impl_}, token, std::move(request), &diag);
    }

    template <operation_request Request, class CompletionToken>
        requires(!std::is_same_v<std::decay_t<CompletionToken>, diagnostics>)
    auto async_execute(Request request, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(error_code, response_t<Request>)>(
            initiation{impl_}, token, std::move(request), no_diagnostics);
    }

    /// Throws dynomite::error, with the diagnostics, on failure.
    template <operation_request Request>
    boost::asio::awaitable<response_t<Request>> execute(Request request)
    {
        diagnostics diag;
        // On the client's executor the operation runs in this coroutine; elsewhere as a
        // coroutine of its own on the client's executor, awaited without a type-erased handler
        // (whose executor would cost three allocations). Either way `diag` is filled only on
        // failure, so that a success does not copy the request id into it.
        const boost::asio::any_io_executor caller = co_await boost::asio::this_coro::executor;
        auto prepared = detail::operation_for(impl_, std::move(request), diag, caller);
        std::pair<error_code, response_t<Request>> outcome;
        if (!prepared.spawn_on) {
            try {
                outcome = co_await std::move(prepared.operation);
            } catch (...) {
                // As the spawned form reports it.
                outcome.first = detail::spawn_failure_code(std::current_exception());
            }
        } else {
            auto [failure, result] = co_await detail::awaitable_spawn(
                std::move(*prepared.spawn_on), std::move(prepared.operation));
            if (failure)
                outcome.first = detail::spawn_failure_code(failure);
            else
                outcome = std::move(result);
        }
        throw_on_error(outcome.first, diag);
        co_return std::move(outcome.second);
    }

    // The awaitable form is a template only so that its coroutine is compiled where it is
    // called: GCC emits every coroutine a function body names, used or not, and these 61 made
    // each file that included this header spend most of its compile time on them.
#define DYNOMITE_CLIENT_OPERATION(name, aws_name)                                              \
    template <class CompletionToken>                                                           \
    auto async_##name(name##_request request, diagnostics& diag, CompletionToken&& token)      \
    {                                                                                          \
        return async_execute(std::move(request), diag, std::forward<CompletionToken>(token));  \
    }                                                                                          \
    template <class CompletionToken>                                                           \
        requires(!std::is_same_v<std::decay_t<CompletionToken>, diagnostics>)                  \
    auto async_##name(name##_request request, CompletionToken&& token)                         \
    {                                                                                          \
        return async_execute(std::move(request), std::forward<CompletionToken>(token));        \
    }                                                                                          \
    template <int = 0>                                                                         \
    boost::asio::awaitable<name##_response> name(name##_request request)                       \
    {                                                                                          \
        return execute(std::move(request));                                                   \
    }
    DYNOMITE_OPERATIONS(DYNOMITE_CLIENT_OPERATION)
#undef DYNOMITE_CLIENT_OPERATION

private:
    struct initiation {
        std::shared_ptr<detail::client_impl> impl;

        /// `diag`, when given, is filled as the operation runs.
        template <class Handler, class Request>
        void operator()(Handler&& handler, Request request, diagnostics* diag) const
        {
            detail::start_operation(
                impl, std::move(request), diag,
                boost::asio::any_completion_handler<void(error_code, response_t<Request>)>(
                    std::forward<Handler>(handler)));
        }
    };

    static constexpr diagnostics* no_diagnostics = nullptr;

    explicit client(std::shared_ptr<detail::client_impl> impl) : impl_(std::move(impl)) {}

    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace dynomite
