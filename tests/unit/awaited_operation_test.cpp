// `co_await client.x(request)`: awaited on the executor the client runs on (a client without a
// strand, awaited from its io_context, or a coroutine on the client's strand), the operation
// runs in the caller's coroutine; awaited
// from any other executor, it is spawned onto the client's. Both give the same results, the
// same errors with their diagnostics, and the same cancellation.
#include "support/sample_requests.hpp"
#include "support/fake_client_config.hpp"
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>
#include <string>

namespace {

using dynomite::test::sample_get;

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::client;
using dynomite::errc;
using dynomite::error_code;
using dynomite::get_item_request;
using dynomite::test::fake_action;
using dynomite::test::fake_server;

/// What one awaited GetItem gave: the item's title, or the error it threw.
struct awaited {
    bool completed = false;
    std::string title;
    std::optional<dynomite::error> failure;
};

/// How the awaiting coroutine and the client are placed.
struct placement {
    const char* name;
    bool thread_safe;        // the client's strand
    bool caller_on_strand;   // the awaiting coroutine on a strand of its own
    bool caller_on_client = false;  // the awaiting coroutine on the client's own executor
};

class AwaitedOperation : public ::testing::TestWithParam<placement> {
protected:
    client make_client()
    {
        auto cfg = dynomite::test::fake_client_config(server);
        cfg.thread_safe = GetParam().thread_safe;
        cfg.retry.max_attempts = 1;
        return client(io.get_executor(), cfg);
    }

    asio::any_io_executor caller_executor(client& c)
    {
        if (GetParam().caller_on_client) return c.get_executor();
        if (GetParam().caller_on_strand) return asio::make_strand(io.get_executor());
        return io.get_executor();
    }

    /// Awaits one GetItem in a coroutine on the placement's executor; `slot` reaches it.
    void start(client& c, awaited& out, asio::cancellation_slot slot = {})
    {
        asio::co_spawn(
            caller_executor(c),
            [&c, &out]() -> asio::awaitable<void> {
                try {
                    auto response = co_await c.get_item(sample_get());
                    if (response.item) out.title = response.item->at("title").as_s();
                } catch (const dynomite::error& e) {
                    out.failure = e;
                }
                out.completed = true;
            },
            asio::bind_cancellation_slot(slot, [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            }));
    }

    void run_until_completed(const awaited& out)
    {
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!out.completed && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            io.run_one_for(50ms);
        }
        ASSERT_TRUE(out.completed) << "the operation did not complete within the limit";
    }

    fake_server server;
    asio::io_context io;
};

TEST_P(AwaitedOperation, ReturnsTheItem)
{
    server.set_default(fake_action::ok(R"({"Item":{"title":{"S":"Blue"}}})"));
    auto c = make_client();
    for (int i = 0; i < 3; ++i) {  // the connection and the request's buffers are reused
        awaited out;
        start(c, out);
        run_until_completed(out);
        EXPECT_FALSE(out.failure) << out.failure->what();
        EXPECT_EQ(out.title, "Blue");
    }
    EXPECT_EQ(server.request_count(), 3u);
}

TEST_P(AwaitedOperation, ThrowsTheServersErrorWithItsDiagnostics)
{
    server.set_default(fake_action::aws_error(400, "ValidationException", "The key is invalid")
                           .with_header("x-amzn-RequestId", "REQ-AWAITED"));
    auto c = make_client();
    awaited out;
    start(c, out);
    run_until_completed(out);
    ASSERT_TRUE(out.failure);
    EXPECT_EQ(out.failure->code(), errc::validation);
    EXPECT_EQ(out.failure->diag().aws_type, "ValidationException");
    EXPECT_EQ(out.failure->diag().message, "The key is invalid");
    EXPECT_EQ(out.failure->diag().request_id, "REQ-AWAITED");
}

// The diagnostics of a failure are its own: nothing of an earlier failure or success on the
// same client shows in them.
TEST_P(AwaitedOperation, EachFailureThrowsOnlyItsOwnDiagnostics)
{
    server.enqueue(fake_action::aws_error(400, "ValidationException", "first")
                       .with_header("x-amzn-RequestId", "REQ-FIRST"));
    server.enqueue(fake_action::ok(R"({"Item":{"title":{"S":"Blue"}}})")
                       .with_header("x-amzn-RequestId", "REQ-SUCCESS"));
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "second")
                       .with_header("x-amzn-RequestId", "REQ-SECOND"));
    auto c = make_client();
    awaited first, success, second;
    for (awaited* out : {&first, &success, &second}) {
        start(c, *out);
        run_until_completed(*out);
    }
    ASSERT_TRUE(first.failure);
    EXPECT_EQ(first.failure->diag().request_id, "REQ-FIRST");
    EXPECT_FALSE(success.failure) << success.failure->what();
    EXPECT_EQ(success.title, "Blue");
    ASSERT_TRUE(second.failure);
    EXPECT_EQ(second.failure->code(), errc::resource_not_found);
    EXPECT_EQ(second.failure->diag().aws_type, "ResourceNotFoundException");
    EXPECT_EQ(second.failure->diag().message, "second");
    EXPECT_EQ(second.failure->diag().request_id, "REQ-SECOND");
    ASSERT_EQ(second.failure->diag().attempts.size(), 1u);
    EXPECT_EQ(second.failure->diag().attempts[0].error, errc::resource_not_found);
}

TEST_P(AwaitedOperation, ABadRequestThrowsWithoutBeingSent)
{
    auto c = make_client();
    awaited out;
    asio::co_spawn(
        caller_executor(c),
        [&c, &out]() -> asio::awaitable<void> {
            get_item_request request = sample_get();
            request.projection_expression = "";  // refused before it is sent
            try {
                co_await c.get_item(std::move(request));
            } catch (const dynomite::error& e) {
                out.failure = e;
            }
            out.completed = true;
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    run_until_completed(out);
    ASSERT_TRUE(out.failure);
    EXPECT_EQ(out.failure->code(), errc::invalid_argument) << out.failure->what();
    EXPECT_NE(out.failure->diag().message.find("the expression is empty"), std::string::npos)
        << out.failure->diag().message;
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_P(AwaitedOperation, CancellingTheCallerAbortsTheRequestInFlight)
{
    server.set_default(fake_action::ok().with_delay(30s));
    auto c = make_client();
    asio::cancellation_signal signal;
    awaited out;
    start(c, out, signal.slot());
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (server.request_count() == 0 && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        io.run_one_for(50ms);
    }
    ASSERT_EQ(server.request_count(), 1u);
    ASSERT_FALSE(out.completed);

    const auto began = std::chrono::steady_clock::now();
    signal.emit(asio::cancellation_type::terminal);
    run_until_completed(out);
    EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
    ASSERT_TRUE(out.failure);
    EXPECT_EQ(out.failure->code(), asio::error::operation_aborted) << out.failure->what();
    EXPECT_EQ(c.stats().retries, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Placements, AwaitedOperation,
    ::testing::Values(placement{"InPlaceOnTheClientsExecutor", false, false},
                      placement{"SpawnedFromAnotherStrand", false, true},
                      placement{"SpawnedOntoTheClientsStrand", true, false},
                      placement{"InPlaceOnTheClientsStrand", true, false, true}),
    [](const ::testing::TestParamInfo<placement>& info) { return std::string(info.param.name); });

}  // namespace
