// The strand a thread-safe client makes, and the executor beneath it that its connections'
// timers run on: each strand the client can make is seen through, and nothing else is.
#include "transport/strands.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

namespace {

namespace asio = boost::asio;
using dynomite::detail::beneath_strand;
using dynomite::detail::make_client_strand;

/// Whether `wrapped` holds an executor of type Executor equal to `expected`. The library keeps
/// its own copy of Asio's type-erasure tables, so an any_io_executor it returns never compares
/// equal to one made here; the executors inside do.
template <typename Executor>
bool holds(const asio::any_io_executor& wrapped, const Executor& expected)
{
    const auto* inner = wrapped.target<Executor>();
    return inner != nullptr && *inner == expected;
}

TEST(ClientStrand, OverAnIoContextItIsTheIoContextsOwnStrandAndSeenThrough)
{
    asio::io_context io;
    const auto strand = make_client_strand(io.get_executor());
    EXPECT_NE(strand.target<asio::strand<asio::io_context::executor_type>>(), nullptr);
    EXPECT_TRUE(holds(beneath_strand(strand), io.get_executor()));
}

TEST(ClientStrand, OverAThreadPoolItIsThePoolsOwnStrandAndSeenThrough)
{
    asio::thread_pool pool(1);
    const auto strand = make_client_strand(pool.get_executor());
    EXPECT_NE(strand.target<asio::strand<asio::thread_pool::executor_type>>(), nullptr);
    EXPECT_TRUE(holds(beneath_strand(strand), pool.get_executor()));
    pool.join();
}

TEST(ClientStrand, OverAnyOtherExecutorItWrapsItAndIsSeenThrough)
{
    asio::io_context io;
    const auto user_strand = asio::make_strand(io);
    const auto strand = make_client_strand(user_strand);
    EXPECT_NE(strand.target<asio::strand<asio::any_io_executor>>(), nullptr);
    EXPECT_TRUE(holds(beneath_strand(strand), user_strand));
}

TEST(ClientStrand, AnExecutorTheClientDidNotMakeIsItsOwnBeneath)
{
    asio::io_context io;
    EXPECT_TRUE(holds(beneath_strand(io.get_executor()), io.get_executor()));
    // A strand of a strand is no type the client makes: its timer stays on it.
    const asio::strand<asio::strand<asio::io_context::executor_type>> nested(
        asio::make_strand(io));
    EXPECT_TRUE(holds(beneath_strand(nested), nested));
}

}  // namespace
