// What the library's coroutines share: awaiting an operation's results as a tuple; the bridge
// from coroutines to handlers is in <dynomite/core/async_operation.hpp>.
#pragma once

#include <dynomite/core/async_operation.hpp>
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
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <utility>

namespace dynomite::detail {

/// `auto [ec, result] = co_await op(..., use_tuple);`: errors come back as values, not thrown.
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

/// The same without a coroutine frame: use_tuple runs each operation in a coroutine of its
/// own, whose frame is allocated per operation, while a deferred operation is awaited as it
/// is. For the paths every request takes. Beast's initiating functions that name
/// async_result<Token, Signature>::return_type do not accept it.
inline constexpr auto frameless_tuple = boost::asio::as_tuple(boost::asio::deferred);

}  // namespace dynomite::detail
