#include <dynomite/core/async_operation.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

namespace {

namespace asio = boost::asio;
using dynomite::detail::is_fallback_executor;
using dynomite::detail::spawn_failure_code;
using dynomite::detail::spawn_operation;
using dynomite::error_code;

asio::awaitable<std::pair<error_code, int>> answer() { co_return std::pair{error_code{}, 42}; }

TEST(SpawnFailure, ACancelledCoroutinesExceptionIsItsErrorCode)
{
    const auto failure = std::make_exception_ptr(
        boost::system::system_error(boost::asio::error::operation_aborted, "co_await"));
    EXPECT_EQ(spawn_failure_code(failure), boost::asio::error::operation_aborted);
}

TEST(SpawnFailure, ExceptionsWithoutACodeAreRethrown)
{
    const auto failure = std::make_exception_ptr(std::logic_error("a bug"));
    EXPECT_THROW(spawn_failure_code(failure), std::logic_error);
}

// What a client's async_x sees: a type-erased handler, with or without an executor of its own.
using erased_handler = asio::any_completion_handler<void(error_code, int)>;

TEST(SpawnOperation, AHandlerWithoutAnExecutorReportsTheOneItWasGiven)
{
    asio::io_context io;
    const asio::any_io_executor plain = io.get_executor();
    const asio::any_io_executor strand = asio::make_strand(io.get_executor());
    const erased_handler handler([](error_code, int) {});
    EXPECT_TRUE(is_fallback_executor(asio::get_associated_executor(handler, plain), plain));
    EXPECT_TRUE(is_fallback_executor(asio::get_associated_executor(handler, strand), strand));
    EXPECT_FALSE(is_fallback_executor(asio::get_associated_executor(handler, strand), plain));
    EXPECT_FALSE(is_fallback_executor(asio::get_associated_executor(handler, plain), strand));
}

TEST(SpawnOperation, AHandlerWithoutAnExecutorCompletesOnTheOperationsExecutor)
{
    asio::io_context io;
    const auto strand = asio::make_strand(io.get_executor());
    bool on_strand = false;
    int value = 0;
    spawn_operation(asio::any_io_executor(strand), answer(),
                    erased_handler([&](error_code ec, int v) {
                        EXPECT_FALSE(ec);
                        value = v;
                        on_strand = strand.running_in_this_thread();
                    }));
    io.run();
    EXPECT_EQ(value, 42);
    EXPECT_TRUE(on_strand);
}

TEST(SpawnOperation, AHandlerBoundToAnotherExecutorCompletesThere)
{
    asio::io_context io;
    const auto operation_strand = asio::make_strand(io.get_executor());
    const auto handler_strand = asio::make_strand(io.get_executor());
    bool on_handler_strand = false;
    spawn_operation(asio::any_io_executor(operation_strand), answer(),
                    erased_handler(asio::bind_executor(handler_strand, [&](error_code, int) {
                        on_handler_strand = handler_strand.running_in_this_thread();
                    })));
    io.run();
    EXPECT_TRUE(on_handler_strand);
}

}  // namespace
