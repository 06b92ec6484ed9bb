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
using dynomite::detail::same_executor;

TEST(ClientStrand, OverAnIoContextItIsTheIoContextsOwnStrandAndSeenThrough)
{
    asio::io_context io;
    const auto strand = make_client_strand(io.get_executor());
    EXPECT_NE(strand.target<asio::strand<asio::io_context::executor_type>>(), nullptr);
    EXPECT_TRUE(same_executor(beneath_strand(strand), io.get_executor()));
}

TEST(ClientStrand, OverAThreadPoolItIsThePoolsOwnStrandAndSeenThrough)
{
    asio::thread_pool pool(1);
    const auto strand = make_client_strand(pool.get_executor());
    EXPECT_NE(strand.target<asio::strand<asio::thread_pool::executor_type>>(), nullptr);
    EXPECT_TRUE(same_executor(beneath_strand(strand), pool.get_executor()));
    pool.join();
}

TEST(ClientStrand, OverAnyOtherExecutorItWrapsItAndIsSeenThrough)
{
    asio::io_context io;
    const auto user_strand = asio::make_strand(io);
    const auto strand = make_client_strand(user_strand);
    EXPECT_NE(strand.target<asio::strand<asio::any_io_executor>>(), nullptr);
    EXPECT_TRUE(same_executor(beneath_strand(strand), user_strand));
}

TEST(ClientStrand, AnExecutorTheClientDidNotMakeIsItsOwnBeneath)
{
    asio::io_context io;
    EXPECT_TRUE(same_executor(beneath_strand(io.get_executor()), io.get_executor()));
    // A strand of a strand is no type the client makes: its timer stays on it.
    const asio::strand<asio::strand<asio::io_context::executor_type>> nested(
        asio::make_strand(io));
    EXPECT_TRUE(same_executor(beneath_strand(nested), nested));
}

// The library keeps its own copy of Asio's type-erasure tables, so an any_io_executor it made
// never compares equal with `==` to one made here around the same executor.
TEST(ClientStrand, TheSameExecutorIsRecognizedWhereverItWasWrapped)
{
    asio::io_context io;
    const auto strand = make_client_strand(io.get_executor());
    const asio::any_io_executor wrapped_here =
        *strand.target<asio::strand<asio::io_context::executor_type>>();
    EXPECT_TRUE(same_executor(strand, wrapped_here));
    EXPECT_TRUE(same_executor(wrapped_here, strand));
    EXPECT_FALSE(same_executor(strand, make_client_strand(io.get_executor())));
    EXPECT_FALSE(same_executor(strand, io.get_executor()));

    asio::thread_pool pool(1);
    const auto pool_strand = make_client_strand(pool.get_executor());
    const asio::any_io_executor pool_here = pool.get_executor();
    EXPECT_TRUE(same_executor(beneath_strand(pool_strand), pool_here));
    EXPECT_FALSE(same_executor(pool_strand, pool_here));
    EXPECT_FALSE(same_executor(pool_here, io.get_executor()));
    pool.join();
}

}  // namespace
