// What the library's coroutines share: awaiting an operation's results as a tuple, and running
// a coroutine as an asynchronous operation that completes a handler.
#pragma once

#include "core/spawn_failure.hpp"

#include <dynomite/core/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <utility>

namespace dynomite::detail {

/// `auto [ec, result] = co_await op(..., use_tuple);`: errors come back as values, not thrown.
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

/// Runs `operation` on `executor` and completes `handler` with its error code and result, on
/// the handler's associated executor (`executor` when it has none). The handler's cancellation
/// slot reaches the coroutine, and a coroutine that ends with an exception carrying an error
/// code (a cancelled one throws operation_aborted at its next co_await) completes the handler
/// with that code and an empty result.
template <class Result>
void spawn_operation(boost::asio::any_io_executor executor,
                     boost::asio::awaitable<std::pair<error_code, Result>> operation,
                     boost::asio::any_completion_handler<void(error_code, Result)> handler)
{
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    auto handler_executor = boost::asio::get_associated_executor(handler, executor);
    boost::asio::co_spawn(
        executor, std::move(operation),
        boost::asio::bind_cancellation_slot(
            slot, boost::asio::bind_executor(
                      handler_executor,
                      [handler = std::move(handler)](
                          std::exception_ptr failure,
                          std::pair<error_code, Result> result) mutable {
                          if (failure) {
                              std::move(handler)(spawn_failure_code(failure), Result{});
                              return;
                          }
                          std::move(handler)(result.first, std::move(result.second));
                      })));
}

}  // namespace dynomite::detail
