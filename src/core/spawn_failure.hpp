// What an operation run with co_spawn reports when its coroutine ended with an exception.
#pragma once

#include <dynomite/core/error.hpp>

#include <boost/system/system_error.hpp>

#include <exception>

namespace dynomite::detail {

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

}  // namespace dynomite::detail
