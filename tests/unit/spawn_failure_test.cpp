#include <dynomite/core/async_operation.hpp>

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using dynomite::detail::spawn_failure_code;

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

}  // namespace
