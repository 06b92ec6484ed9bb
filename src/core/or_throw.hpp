// The throwing form of a function that reports failure as an error_code and its reason:
// `T f(args)` beside `error_code f(args, T& out, std::string* why)`.
#pragma once

#include <dynomite/core/diagnostics.hpp>

#include <string>
#include <utility>

namespace dynomite::detail {

/// Throws dynomite::error with errc::invalid_argument and `message`.
[[noreturn]] inline void throw_invalid(std::string message)
{
    throw error(make_error_code(errc::invalid_argument), std::move(message));
}

/// Calls `call(out, &why)` and returns `out`, or throws dynomite::error with the code and `why`.
template <class T, class Call>
T value_or_throw(Call&& call)
{
    T out;
    std::string why;
    const error_code ec = std::forward<Call>(call)(out, &why);
    throw_on_error(ec, why);
    return out;
}

}  // namespace dynomite::detail
