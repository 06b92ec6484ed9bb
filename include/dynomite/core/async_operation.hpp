// The one bridge from coroutines to completion handlers, and the async_x form built on it:
// every async_x(..., diagnostics&, token) of relations, cursors, batches, models and migrations
// runs its coroutine through async_run.
#pragma once

#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

namespace dynomite {
namespace detail {

/// The error code the exception stands for. A cancelled coroutine throws operation_aborted at
/// its next co_await (Asio's throw_if_cancelled), wherever the cancellation found it: the caller
/// gets that as the operation's error code, never as an exception out of io_context::run.
/// Exceptions that carry no error code are rethrown.
inline error_code spawn_failure_code(std::exception_ptr failure)
{
    try {
        std::rethrow_exception(failure);
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
}

/// std::monostate stands for "no result": such an operation completes with void(error_code).
template <class Handler, class Result>
void complete(Handler& handler, error_code ec, Result&& result)
{
    if constexpr (std::is_same_v<std::decay_t<Result>, std::monostate>)
        std::move(handler)(ec);
    else
        std::move(handler)(ec, std::forward<Result>(result));
}

/// Whether the type-erased `candidate` holds the same executor of type T as `fallback`.
template <class T, class Executor>
bool holds_same_executor(const Executor& candidate, const boost::asio::any_io_executor& fallback)
{
    const T* held = candidate.template target<T>();
    const T* expected = fallback.target<T>();
    return held != nullptr && expected != nullptr && *held == *expected;
}

/// Whether `candidate`, a handler's associated executor, is `fallback` itself: what a
/// type-erased handler without an executor of its own reports. Recognizes the executors a
/// client runs on (an io_context's, or a strand of it); any other is taken as different.
template <class Executor>
bool is_fallback_executor(const Executor& candidate, const boost::asio::any_io_executor& fallback)
{
    using io_executor = boost::asio::io_context::executor_type;
    if constexpr (std::is_same_v<Executor, boost::asio::any_io_executor>) {
        return candidate == fallback;
    } else if constexpr (requires { candidate.template target<io_executor>(); }) {
        return holds_same_executor<io_executor>(candidate, fallback) ||
               holds_same_executor<boost::asio::strand<io_executor>>(candidate, fallback);
    } else {
        return false;
    }
}

/// Runs `operation` on `executor` and completes `handler` with its error code and result, on
/// the handler's associated executor (`executor` when it has none). The handler's cancellation
/// slot reaches the coroutine, and a coroutine that ends with an exception carrying an error
/// code completes the handler with that code and an empty result.
template <class Result, class Handler>
void spawn_operation(boost::asio::any_io_executor executor,
                     boost::asio::awaitable<std::pair<error_code, Result>> operation,
                     Handler handler)
{
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    auto handler_executor = boost::asio::get_associated_executor(handler, executor);
    auto completion = [handler = std::move(handler)](std::exception_ptr failure,
                                                     std::pair<error_code, Result> result) mutable {
        if (failure)
            complete(handler, spawn_failure_code(failure), Result{});
        else
            complete(handler, result.first, std::move(result.second));
    };
    // A type-erased handler without an executor of its own reports `executor` wrapped in an
    // any_completion_executor, held on the heap; binding `executor` itself saves the heap
    // copies that co_spawn's work tracking would make of the wrapper.
    if (is_fallback_executor(handler_executor, executor)) {
        boost::asio::co_spawn(executor, std::move(operation),
                              boost::asio::bind_cancellation_slot(
                                  slot, boost::asio::bind_executor(executor, std::move(completion))));
        return;
    }
    boost::asio::co_spawn(executor, std::move(operation),
                          boost::asio::bind_cancellation_slot(
                              slot, boost::asio::bind_executor(handler_executor,
                                                               std::move(completion))));
}

/// `operation` spawned on `executor`, for a coroutine on another executor to await: completes
/// with the exception the operation ended with (spawn_failure_code gives its error code) and
/// its result. The handler keeps its concrete type, so that asking for its executor takes no
/// heap copy of it, as a type-erased handler's does.
template <class Result>
auto awaitable_spawn(boost::asio::any_io_executor executor,
                     boost::asio::awaitable<std::pair<error_code, Result>> operation)
{
    return boost::asio::co_spawn(std::move(executor), std::move(operation),
                                 boost::asio::as_tuple(boost::asio::use_awaitable));
}

template <class Result>
using async_value_t = std::conditional_t<std::is_void_v<Result>, std::monostate, Result>;

template <class Result>
struct async_signature {
    using type = void(error_code, Result);
};
template <>
struct async_signature<void> {
    using type = void(error_code);
};
template <class Result>
using async_signature_t = typename async_signature<Result>::type;

// The coroutines below take their work as a std::function: a lambda type (which has no
// linkage) stored in a coroutine frame defined in a header draws -Wsubobject-linkage in users'
// code.

/// Awaits `make()`, whose awaitable throws dynomite::error, and returns the error as a value,
/// its diagnostics copied to `diag`.
template <class Result>
boost::asio::awaitable<std::pair<error_code, async_value_t<Result>>> run_catching(
    std::function<boost::asio::awaitable<Result>()> make, diagnostics* diag)
{
    std::pair<error_code, async_value_t<Result>> outcome;
    try {
        if constexpr (std::is_void_v<Result>)
            co_await make();
        else
            outcome.second = co_await make();
    } catch (const dynomite::error& e) {
        outcome.first = e.code();
        *diag = e.diag();
        outcome.second = async_value_t<Result>{};
    }
    co_return outcome;
}

/// Awaits `make(*diag)`, which returns its error as a value beside what it did before failing.
template <class Result>
boost::asio::awaitable<std::pair<error_code, Result>> run_reporting(
    std::function<boost::asio::awaitable<std::pair<error_code, Result>>(diagnostics&)> make,
    diagnostics* diag)
{
    co_return co_await make(*diag);
}

}  // namespace detail

/// Runs the coroutine `make()` returns (an awaitable<Result> that throws dynomite::error) as an
/// asynchronous operation on `executor`, for any completion token. It completes with
/// void(error_code, Result), or void(error_code) when Result is void; on failure `diag` holds
/// what the server said. `make` owns what the coroutine needs; the objects a member coroutine
/// works on (a record, a cursor) must outlive the operation, as a socket must outlive a read.
template <class Result, class Make, class CompletionToken>
auto async_run(boost::asio::any_io_executor executor, diagnostics& diag, Make make,
               CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, detail::async_signature_t<Result>>(
        [executor](auto handler, diagnostics* d, Make m) {
            d->clear();
            detail::spawn_operation<detail::async_value_t<Result>>(
                executor, detail::run_catching<Result>(std::move(m), d), std::move(handler));
        },
        token, &diag, std::move(make));
}

/// As async_run for a coroutine that returns its error as a value with a partial result (a
/// batch's items read before it failed): `make(diag)` returns an
/// awaitable<std::pair<error_code, Result>>, and the handler gets both.
template <class Result, class Make, class CompletionToken>
auto async_run_reporting(boost::asio::any_io_executor executor, diagnostics& diag, Make make,
                         CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(error_code, Result)>(
        [executor](auto handler, diagnostics* d, Make m) {
            d->clear();
            detail::spawn_operation<Result>(
                executor, detail::run_reporting<Result>(std::move(m), d), std::move(handler));
        },
        token, &diag, std::move(make));
}
}  // namespace dynomite

/// Inside a class with get_executor(): declares async_NAME(diag, token), NAME() run by
/// async_run. A copyable handle (a relation) runs on a copy of itself; an object with state (a
/// cursor, a record) passes `this` and must outlive the operation.
#define DYNOMITE_ASYNC_FORM(name, Result, self_capture, qualifier)                             \
    template <class CompletionToken>                                                           \
    auto async_##name(::dynomite::diagnostics& diag, CompletionToken&& token) qualifier        \
    {                                                                                          \
        return ::dynomite::async_run<Result>(                                                  \
            get_executor(), diag, [self_capture] { return self->name(); },                    \
            std::forward<CompletionToken>(token));                                             \
    }

/// As DYNOMITE_ASYNC_FORM for NAME(arg): declares async_NAME(arg, diag, token).
#define DYNOMITE_ASYNC_FORM_WITH(name, Result, Param, self_capture, qualifier)                 \
    template <class CompletionToken>                                                           \
    auto async_##name(Param arg, ::dynomite::diagnostics& diag, CompletionToken&& token)       \
        qualifier                                                                              \
    {                                                                                          \
        return ::dynomite::async_run<Result>(                                                  \
            get_executor(), diag,                                                              \
            [self_capture, arg = std::move(arg)]() mutable { return self->name(std::move(arg)); }, \
            std::forward<CompletionToken>(token));                                             \
    }

/// The captures for the two kinds: a copy of the handle, or the object itself.
#define DYNOMITE_ASYNC_ON_COPY self = std::make_shared<const std::decay_t<decltype(*this)>>(*this)
#define DYNOMITE_ASYNC_ON_THIS self = this
