// What the library's coroutines share: awaiting an operation's results as a tuple, and the
// error an operation run with co_spawn reports when its coroutine ended with an exception.
#pragma once

#include "core/spawn_failure.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dynomite::detail {

/// `auto [ec, result] = co_await op(..., use_tuple);`: errors come back as values, not thrown.
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace dynomite::detail
