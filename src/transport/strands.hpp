// The strand a thread-safe client serializes its work on, and the executor beneath it. Both
// know the same three strand types, so they live together: a strand type added to one and not
// the other would keep connections' timers on the strand (correct, but 2 allocations more a
// request).
#pragma once

#include <boost/asio/any_io_executor.hpp>

namespace dynomite::detail {

/// A strand over `executor`. Over the executor of an io_context or a thread_pool itself, it is
/// small enough for any_io_executor to hold inline, so that the work tracking of each
/// operation does not copy it to the heap (40 allocations per request otherwise).
boost::asio::any_io_executor make_client_strand(const boost::asio::any_io_executor& executor);

/// The executor a strand made by make_client_strand runs its handlers on; any other executor
/// itself.
boost::asio::any_io_executor beneath_strand(const boost::asio::any_io_executor& executor);

/// Whether `a` and `b` wrap the same executor, where each is a client's executor or one a
/// strand made by make_client_strand runs on. Unlike `==`, also true when one was wrapped
/// inside the library and the other outside it: each side has its own copy of Asio's
/// type-erasure tables, and `==` compares those first.
bool same_executor(const boost::asio::any_io_executor& a, const boost::asio::any_io_executor& b);

}  // namespace dynomite::detail
