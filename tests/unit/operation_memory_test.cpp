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

/// Waits on `timer` with a handler bound to `memory`, cancels the wait and runs it to its end.
/// Returns how many blocks the wait held while pending; `ran` is whether its handler ran with
/// operation_aborted, and `held_after` how many blocks were still held afterwards.
template <std::size_t Size>
std::size_t cancel_a_wait(asio::io_context& io, operation_memory<Size>& memory, bool& ran,
                          std::size_t& held_after)
{
    asio::steady_timer timer(io);
    timer.expires_after(1h);
    ran = false;
    timer.async_wait(asio::bind_allocator(operation_allocator<void, Size>(memory),
                                          [&ran](boost::system::error_code ec) {
                                              ran = ec == asio::error::operation_aborted;
                                          }));
    const std::size_t held = memory.blocks_in_use();
    timer.cancel();
    io.restart();
    io.run();
    held_after = memory.blocks_in_use();
    return held;
}

TEST(OperationMemory, AsioTakesATimerWaitFromItAndGivesItBackBeforeTheHandlerRuns)
{
    asio::io_context io;
    bool ran = false;
    std::size_t held_after = 0;
    operation_memory<256> memory;
    EXPECT_EQ(cancel_a_wait(io, memory, ran, held_after), 1u);
    EXPECT_TRUE(ran);
    EXPECT_EQ(held_after, 0u);

    // A wait larger than the block comes from the heap and still completes.
    operation_memory<16> small;
    EXPECT_EQ(cancel_a_wait(io, small, ran, held_after), 0u);
    EXPECT_TRUE(ran);
}

}  // namespace
