// The async_x(diag, token) form of an operation that a function begins without a coroutine,
// such as a credentials provider's fetch or a change feed's next change.
#pragma once

#include <dynomite/core/diagnostics.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <utility>

namespace dynomite {

/// Calls `start(diag, handler)` once, with the handler type-erased as
/// any_completion_handler<Signature>; `start` completes it later, never before returning.
template <class Signature, class Start, class CompletionToken>
auto async_start(diagnostics& diag, Start start, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, Signature>(
        [](auto handler, diagnostics* d, Start s) {
            std::move(s)(*d, boost::asio::any_completion_handler<Signature>(std::move(handler)));
        },
        token, &diag, std::move(start));
}

}  // namespace dynomite
