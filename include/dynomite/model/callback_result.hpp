// What callbacks return and what around callbacks call: callback_result, halt and proceed.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>

namespace dynomite {

/// What an around callback calls to run the operation it wraps; not calling it halts the
/// operation.
using proceed = std::function<boost::asio::awaitable<void>()>;

/// What a before callback may return besides void and bool: halt stops the operation, as
/// false does.
enum class callback_result { proceed, halt };
inline constexpr callback_result halt = callback_result::halt;

}  // namespace dynomite
