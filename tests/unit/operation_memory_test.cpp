// The blocks a connection's deadline waits reuse: taken and given back one operation at a
// time, the heap's memory for whatever does not fit, and Asio allocating through them.
#include "transport/operation_memory.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace {

namespace asio = boost::asio;
using dynomite::detail::operation_allocator;
using dynomite::detail::operation_memory;
using namespace std::chrono_literals;

TEST(OperationMemory, EachBlockServesOneOperationAtATimeAndTheRestGoToTheHeap)
{
    operation_memory<128, 2> memory;
    void* first = memory.allocate(100);
    void* second = memory.allocate(128);
    EXPECT_NE(first, second);
    EXPECT_EQ(memory.blocks_in_use(), 2u);

    void* third = memory.allocate(8);  // both blocks taken
    EXPECT_NE(third, first);
    EXPECT_NE(third, second);
    memory.deallocate(third);
    EXPECT_EQ(memory.blocks_in_use(), 2u);

    memory.deallocate(first);
    EXPECT_EQ(memory.blocks_in_use(), 1u);
    void* too_large = memory.allocate(129);  // a free block, but too small for it
    EXPECT_NE(too_large, first);
    EXPECT_EQ(memory.blocks_in_use(), 1u);
    memory.deallocate(too_large);

    EXPECT_EQ(memory.allocate(64), first);  // the freed block again
    memory.deallocate(first);
    memory.deallocate(second);
    EXPECT_EQ(memory.blocks_in_use(), 0u);
}

/// A timer wait bound to `memory`; true once its handler has run with operation_aborted.
template <std::size_t Size>
void wait_until_cancelled(asio::steady_timer& timer, operation_memory<Size>& memory, bool& ran)
{
    timer.expires_after(1h);
    timer.async_wait(asio::bind_allocator(operation_allocator<void, Size>(memory),
                                          [&ran](boost::system::error_code ec) {
                                              ran = ec == asio::error::operation_aborted;
                                          }));
}

TEST(OperationMemory, AsioTakesATimerWaitFromItAndGivesItBackBeforeTheHandlerRuns)
{
    asio::io_context io;
    asio::steady_timer timer(io);
    operation_memory<256> memory;
    bool ran = false;
    wait_until_cancelled(timer, memory, ran);
    EXPECT_EQ(memory.blocks_in_use(), 1u);
    timer.cancel();
    io.run();
    EXPECT_TRUE(ran);
    EXPECT_EQ(memory.blocks_in_use(), 0u);

    // A wait larger than the block comes from the heap and still completes.
    operation_memory<16> small;
    bool small_ran = false;
    wait_until_cancelled(timer, small, small_ran);
    EXPECT_EQ(small.blocks_in_use(), 0u);
    timer.cancel();
    io.restart();
    io.run();
    EXPECT_TRUE(small_ran);
}

}  // namespace
