// The client against a misbehaving server: retries, timeouts, limits, the pool, cancellation,
// completion tokens and the headers every request carries.
#include "support/sample_requests.hpp"
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"
#include "support/fault_proxy.hpp"

#include <dynomite/client/client.hpp>
#include "transport/connection_pool.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using dynomite::test::sample_get;

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::client;
using dynomite::client_config;
using dynomite::diagnostics;
using dynomite::errc;
using dynomite::error_code;
using dynomite::get_item_request;
using dynomite::get_item_response;
using dynomite::put_item_request;
using dynomite::put_item_response;
using dynomite::response_t;
using dynomite::test::fake_action;
using dynomite::test::fake_server;
using dynomite::test::recorded_request;

constexpr std::string_view item_body =
    R"({"Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}})";
constexpr auto hang_limit = 20s;

put_item_request sample_put()
{
    put_item_request request;
    request.table_name = "Music";
    request.item = {{"Artist", "No One You Know"}, {"SongTitle", "Call Me Today"}, {"Year", 2021}};
    request.condition_expression = "attribute_not_exists(Artist)";
    return request;
}


fake_action status_only(unsigned status, std::string body)
{
    fake_action action;
    action.status = status;
    action.body = std::move(body);
    return action;
}

template <class Response>
struct outcome {
    bool completed = false;
    error_code ec;
    Response response;
    diagnostics diag;
};

template <class Request>
void start(client& c, Request request, outcome<response_t<Request>>& out)
{
    c.async_execute(std::move(request), out.diag,
                    [&out](error_code ec, response_t<Request> response) {
                        out.ec = ec;
                        out.response = std::move(response);
                        out.completed = true;
                    });
}

// Runs the io_context until `done`, giving up after a generous limit so that a hang fails
// the test instead of blocking it.
void run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::steady_clock::duration limit = hang_limit)
{
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        if (io.run_one_for(50ms) == 0 && io.stopped()) std::this_thread::sleep_for(1ms);
    }
}

void run_for(asio::io_context& io, std::chrono::steady_clock::duration period)
{
    const auto until = std::chrono::steady_clock::now() + period;
    run_until(
        io, [until] { return std::chrono::steady_clock::now() >= until; }, period + 1s);
}

std::size_t count_with_detail(const diagnostics& diag, std::string_view text)
{
    std::size_t found = 0;
    for (const auto& attempt : diag.attempts)
        if (attempt.detail.find(text) != std::string::npos) ++found;
    return found;
}

class FaultTest : public ::testing::Test {
protected:
    client_config config() const
    {
        auto cfg = fake_client_config(server);
        cfg.retry.base_delay = 1ms;
        cfg.retry.throttling_base_delay = 1ms;
        cfg.retry.max_delay = 5ms;
        return cfg;
    }

    client make_client() { return client(io.get_executor(), config()); }
    client make_client(client_config cfg) { return client(io.get_executor(), std::move(cfg)); }

    template <class Request>
    outcome<response_t<Request>> run(client& c, Request request)
    {
        outcome<response_t<Request>> out;
        start(c, std::move(request), out);
        run_until(io, [&out] { return out.completed; });
        EXPECT_TRUE(out.completed) << "the operation did not complete within the limit";
        return out;
    }

    fake_server server;
    asio::io_context io;
};

void expect_item(const get_item_response& response)
{
    ASSERT_TRUE(response.item.has_value());
    ASSERT_TRUE(response.item->contains("Artist"));
    EXPECT_EQ(response.item->at("Artist").as_s(), "No One You Know");
}

// --- Retryable failures, once then success, and always ------------------------------------

struct retryable_case {
    const char* name;
    std::function<fake_action()> failure;
    errc expected;
    bool request_reaches_server;  // whether the server reads the failed request
};

std::string case_name(const ::testing::TestParamInfo<retryable_case>& info)
{
    return info.param.name;
}

class RetryableFault : public FaultTest, public ::testing::WithParamInterface<retryable_case> {};

TEST_P(RetryableFault, OneFailureIsRetriedAndSucceeds)
{
    const auto& param = GetParam();
    server.enqueue(param.failure());
    server.set_default(fake_action::ok(std::string(item_body)));
    auto c = make_client();

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.ec.message() << ": " << result.diag.to_string();
    expect_item(result.response);
    ASSERT_EQ(result.diag.attempts.size(), 1u);
    EXPECT_EQ(result.diag.attempts[0].error, param.expected) << result.diag.to_string();
    EXPECT_FALSE(result.diag.attempts[0].detail.empty());

    EXPECT_EQ(server.queued(), 0u);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), param.request_reaches_server ? 2u : 1u);
    // A retry resends the same request.
    if (requests.size() == 2) {
        EXPECT_EQ(requests[0].body, requests[1].body);
        EXPECT_EQ(requests[0].header("x-amz-target"), requests[1].header("x-amz-target"));
    }
    const auto stats = c.stats();
    EXPECT_EQ(stats.requests, 1u);
    EXPECT_EQ(stats.attempts, 2u);
    EXPECT_EQ(stats.retries, 1u);
    EXPECT_EQ(stats.stale_connections, 0u);
}

TEST_P(RetryableFault, PersistentFailureStopsAfterMaxAttempts)
{
    const auto& param = GetParam();
    server.set_default(param.failure());
    auto cfg = config();
    cfg.retry.max_attempts = 4;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, param.expected) << result.ec.message();
    ASSERT_EQ(result.diag.attempts.size(), 4u);
    for (const auto& attempt : result.diag.attempts) EXPECT_EQ(attempt.error, param.expected);
    EXPECT_FALSE(result.diag.message.empty());
    EXPECT_NE(result.diag.to_string().find("4 attempts"), std::string::npos)
        << result.diag.to_string();
    EXPECT_EQ(server.request_count(), param.request_reaches_server ? 4u : 0u);
    EXPECT_GE(server.connections_accepted(), 1u);
    const auto stats = c.stats();
    EXPECT_EQ(stats.attempts, 4u);
    EXPECT_EQ(stats.retries, 3u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, RetryableFault,
    ::testing::Values(
        retryable_case{"ProvisionedThroughputExceeded", fake_action::throughput_exceeded,
                       errc::provisioned_throughput_exceeded, true},
        retryable_case{"ThrottlingException", fake_action::throttling, errc::throttling, true},
        retryable_case{"InternalServerError", fake_action::internal_error,
                       errc::internal_server_error, true},
        retryable_case{"ServiceUnavailable", fake_action::service_unavailable,
                       errc::service_unavailable, true},
        retryable_case{"Plain500", [] { return status_only(500, "upstream"); },
                       errc::internal_server_error, true},
        retryable_case{"Plain503", [] { return status_only(503, ""); }, errc::service_unavailable,
                       true},
        retryable_case{"WrongCrc32",
                       [] { return fake_action::ok(std::string(item_body)).with_wrong_crc32(); },
                       errc::crc32_mismatch, true},
        retryable_case{"UnparsableCrc32",
                       [] { return fake_action::ok(std::string(item_body)).with_crc32("12ab"); },
                       errc::crc32_mismatch, true},
        retryable_case{"TruncatedBody",
                       [] { return fake_action::truncated(R"({"Item":{"Ar)", 40); },
                       errc::connection_closed, true},
        retryable_case{"ResetBeforeRequest", fake_action::reset_before_request,
                       errc::connection_closed, false},
        retryable_case{"ResetAfterRequest", fake_action::reset_after_request,
                       errc::connection_closed, true}),
    case_name);

TEST_F(FaultTest, ThrottlingIsCountedInStatsAndDiagnostics)
{
    server.enqueue(fake_action::throughput_exceeded());
    server.set_default(fake_action::ok(std::string(item_body)));
    auto c = make_client();

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.diag.to_string();
    ASSERT_EQ(result.diag.attempts.size(), 1u);
    EXPECT_NE(result.diag.attempts[0].detail.find("ProvisionedThroughputExceededException"),
              std::string::npos)
        << result.diag.attempts[0].detail;
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_EQ(c.stats().retries, 1u);
}

TEST_F(FaultTest, ResponseWithoutCrc32IsAccepted)
{
    auto action = fake_action::ok(std::string(item_body));
    action.omit_crc32 = true;
    server.enqueue(std::move(action));
    auto c = make_client();

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.diag.to_string();
    expect_item(result.response);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(FaultTest, ConnectionRefusedIsRetriedThenReported)
{
    std::uint16_t closed_port = 0;
    {
        asio::ip::tcp::acceptor probe(io, {asio::ip::address_v4::loopback(), 0});
        closed_port = probe.local_endpoint().port();
    }
    auto cfg = config();
    cfg.endpoint = "http://127.0.0.1:" + std::to_string(closed_port);
    cfg.retry.max_attempts = 3;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, boost::system::errc::connection_refused) << result.ec.message();
    EXPECT_EQ(result.diag.attempts.size(), 3u);
    EXPECT_NE(result.diag.message.find("connecting to http://127.0.0.1:"), std::string::npos)
        << result.diag.message;
}

TEST_F(FaultTest, DiagnosticsDescribeTheLastAttempt)
{
    // An HTTP error first, then a dropped connection: the final diagnostics must not present
    // the first attempt's status and request id as if they belonged to the final error.
    server.enqueue(fake_action::internal_error().with_header("x-amzn-RequestId", "REQ-500-1"));
    server.set_default(fake_action::reset_after_request());
    auto cfg = config();
    cfg.retry.max_attempts = 2;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::connection_closed) << result.ec.message();
    // The second attempt went out on the kept-alive connection, was read and dropped, and was
    // sent again on a new one: recorded, though only two attempts count against the limit.
    ASSERT_EQ(result.diag.attempts.size(), 3u);
    EXPECT_EQ(result.diag.attempts[0].error, errc::internal_server_error);
    EXPECT_NE(result.diag.attempts[0].detail.find("HTTP 500"), std::string::npos);
    EXPECT_EQ(result.diag.attempts[1].error, errc::connection_closed);
    EXPECT_EQ(result.diag.attempts[2].error, errc::connection_closed);
    EXPECT_TRUE(result.diag.aws_type.empty()) << result.diag.aws_type;
    EXPECT_EQ(result.diag.http_status, 0u) << result.diag.to_string();
    EXPECT_EQ(result.diag.request_id, "") << result.diag.to_string();
}

// --- Timeouts -------------------------------------------------------------------------------

TEST_F(FaultTest, SlowAnswerTimesOutWithoutRetries)
{
    server.set_default(fake_action::ok().with_delay(30s));
    auto cfg = config();
    cfg.pool.request_timeout = 200ms;
    cfg.retry.max_attempts = 1;
    auto c = make_client(cfg);

    const auto began = std::chrono::steady_clock::now();
    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::request_timeout) << result.ec.message();
    EXPECT_LT(std::chrono::steady_clock::now() - began, 10s);
    ASSERT_EQ(result.diag.attempts.size(), 1u);
    EXPECT_EQ(result.diag.attempts[0].error, errc::request_timeout);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(FaultTest, EachRetryOfASlowAnswerTimesOut)
{
    server.set_default(fake_action::ok().with_delay(30s));
    auto cfg = config();
    cfg.pool.request_timeout = 200ms;
    cfg.retry.max_attempts = 3;
    auto c = make_client(cfg);

    const auto began = std::chrono::steady_clock::now();
    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::request_timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - began, 15s);
    ASSERT_EQ(result.diag.attempts.size(), 3u);
    for (const auto& attempt : result.diag.attempts)
        EXPECT_EQ(attempt.error, errc::request_timeout);
    EXPECT_TRUE(server.wait_for_requests(3, 5s));
    EXPECT_EQ(server.request_count(), 3u);
    // A timed-out connection is in an unknown state: each retry needs a new one.
    EXPECT_EQ(server.connections_accepted(), 3u);
    EXPECT_EQ(c.stats().retries, 2u);
}

TEST_F(FaultTest, SlowAnswerWithinTheTimeoutSucceeds)
{
    server.set_default(fake_action::ok(std::string(item_body)).with_delay(50ms));
    auto cfg = config();
    cfg.pool.request_timeout = 5s;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.diag.to_string();
    expect_item(result.response);
    EXPECT_TRUE(result.diag.attempts.empty());
}

// --- Limits ---------------------------------------------------------------------------------

TEST_F(FaultTest, BodyOverTheLimitIsNotRetried)
{
    server.set_default(fake_action::large_body(4096));
    auto cfg = config();
    cfg.pool.max_response_body = 1024;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::response_too_large) << result.ec.message();
    EXPECT_EQ(result.diag.attempts.size(), 1u);
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(c.stats().retries, 0u);
}

TEST_F(FaultTest, BodyUnderTheLimitIsAccepted)
{
    server.set_default(fake_action::large_body(4096));
    auto cfg = config();
    cfg.pool.max_response_body = 8192;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.diag.to_string();
    ASSERT_TRUE(result.response.item.has_value());
    EXPECT_EQ(result.response.item->at("pad").as_s().size(),
              4096u - std::string_view(R"({"Item":{"pad":{"S":""}}})").size());
}

TEST_F(FaultTest, HeaderOverTheLimitIsNotRetried)
{
    server.set_default(fake_action::ok().with_header("x-padding", std::string(4096, 'p')));
    auto cfg = config();
    cfg.pool.max_response_header = 1024;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::response_too_large) << result.ec.message();
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(FaultTest, MalformedSuccessBodyIsNotRetried)
{
    server.set_default(fake_action::ok("{\"Item\":"));
    auto c = make_client();

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::malformed_response) << result.ec.message();
    EXPECT_NE(result.diag.message.find("GetItem"), std::string::npos) << result.diag.message;
    EXPECT_EQ(server.request_count(), 1u);
}

// --- Errors a retry cannot cure ---------------------------------------------------------------

TEST_F(FaultTest, ConditionalCheckFailedIsReportedOnce)
{
    server.set_default(
        status_only(
            400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                 R"("message":"The conditional request failed",)"
                 R"("Item":{"Artist":{"S":"No One You Know"}}})")
            .with_header("x-amzn-RequestId", "REQ-CCF-1"));
    auto c = make_client();

    auto result = run(c, sample_put());

    EXPECT_EQ(result.ec, errc::conditional_check_failed) << result.ec.message();
    EXPECT_EQ(result.diag.aws_type, "ConditionalCheckFailedException");
    EXPECT_EQ(result.diag.message, "The conditional request failed");
    EXPECT_EQ(result.diag.request_id, "REQ-CCF-1");
    EXPECT_EQ(result.diag.http_status, 400u);
    ASSERT_TRUE(result.diag.item.has_value());
    EXPECT_EQ(result.diag.item->at("Artist").as_s(), "No One You Know");
    EXPECT_EQ(result.diag.attempts.size(), 1u);
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(c.stats().retries, 0u);
}

TEST_F(FaultTest, ValidationErrorIsReportedOnce)
{
    server.set_default(fake_action::aws_error(400, "ValidationException",
                                              "One or more parameter values were invalid")
                           .with_header("x-amzn-RequestId", "REQ-VAL-7"));
    auto c = make_client();

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::validation) << result.ec.message();
    EXPECT_EQ(result.diag.aws_type, "ValidationException");
    EXPECT_EQ(result.diag.message, "One or more parameter values were invalid");
    EXPECT_EQ(result.diag.request_id, "REQ-VAL-7");
    EXPECT_EQ(result.diag.http_status, 400u);
    EXPECT_EQ(server.request_count(), 1u);
    const auto text = result.diag.to_string();
    EXPECT_NE(text.find("ValidationException"), std::string::npos) << text;
    EXPECT_NE(text.find("REQ-VAL-7"), std::string::npos) << text;
}

// --- Keep-alive connections -------------------------------------------------------------------

TEST_F(FaultTest, ConnectionIsReusedAcrossRequests)
{
    server.set_default(fake_action::ok(std::string(item_body)));
    auto c = make_client();

    for (int i = 0; i < 3; ++i) {
        auto result = run(c, sample_get());
        ASSERT_FALSE(result.ec) << result.diag.to_string();
    }
    EXPECT_EQ(server.connections_accepted(), 1u);
    const auto stats = c.stats();
    EXPECT_EQ(stats.open_connections, 1u);
    EXPECT_EQ(stats.idle_connections, 1u);
}

TEST_F(FaultTest, ConnectionCloseIsHonoured)
{
    server.set_default(fake_action::ok(std::string(item_body)).closing());
    auto c = make_client();

    for (int i = 0; i < 2; ++i) {
        auto result = run(c, sample_get());
        ASSERT_FALSE(result.ec) << result.diag.to_string();
    }
    EXPECT_EQ(server.connections_accepted(), 2u);
    EXPECT_EQ(c.stats().stale_connections, 0u);
    EXPECT_EQ(c.stats().idle_connections, 0u);
}

TEST_F(FaultTest, StaleKeepAliveConnectionIsRetriedTransparently)
{
    // The server drops the kept-alive connection as the second request arrives, as when its
    // idle timeout races the client.
    server.enqueue(fake_action::ok(std::string(item_body)));
    server.enqueue(fake_action::reset_before_request());
    server.set_default(fake_action::ok(std::string(item_body)));
    auto c = make_client();

    auto first = run(c, sample_get());
    ASSERT_FALSE(first.ec) << first.diag.to_string();
    auto second = run(c, sample_get());

    ASSERT_FALSE(second.ec) << second.diag.to_string();
    expect_item(second.response);
    // Not an attempt against the limit, but recorded: the server may have read the request.
    ASSERT_EQ(second.diag.attempts.size(), 1u);
    EXPECT_EQ(second.diag.attempts[0].error, errc::connection_closed);
    const auto stats = c.stats();
    EXPECT_EQ(stats.stale_connections, 1u);
    EXPECT_EQ(stats.attempts, 2u);
    EXPECT_EQ(stats.retries, 0u);
    EXPECT_EQ(server.connections_accepted(), 2u);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].connection, 1u);
    EXPECT_EQ(requests[1].connection, 2u);
}

TEST_F(FaultTest, StaleConnectionIsRetriedOnlyOnce)
{
    // Also the new connection fails: that is a real failure, counted as an attempt.
    server.enqueue(fake_action::ok(std::string(item_body)));
    server.enqueue(fake_action::reset_before_request(), 2);
    server.set_default(fake_action::ok(std::string(item_body)));
    auto cfg = config();
    cfg.retry.max_attempts = 1;
    auto c = make_client(cfg);

    ASSERT_FALSE(run(c, sample_get()).ec);
    auto second = run(c, sample_get());

    EXPECT_EQ(second.ec, errc::connection_closed) << second.diag.to_string();
    // The resend on the stale connection, then the one attempt allowed.
    EXPECT_EQ(second.diag.attempts.size(), 2u);
    EXPECT_EQ(c.stats().stale_connections, 1u);
    EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(FaultTest, AnswerLostOnAKeptAliveConnectionIsReportedWhenResent)
{
    // The server reads the whole request (it may have applied it), then drops the kept-alive
    // connection: the client sees what an idle close looks like, and resends at once. The
    // resend must show in the diagnostics, or a non-idempotent write applied twice (or a
    // create failing its own condition) could not be told apart from a clean one.
    server.enqueue(fake_action::ok());
    server.enqueue(fake_action::reset_after_request());
    server.set_default(fake_action::ok());
    auto c = make_client();

    ASSERT_FALSE(run(c, sample_put()).ec);
    auto second = run(c, sample_put());

    ASSERT_FALSE(second.ec) << second.diag.to_string();
    ASSERT_EQ(second.diag.attempts.size(), 1u);
    EXPECT_EQ(second.diag.attempts[0].error, errc::connection_closed);
    EXPECT_NE(second.diag.attempts[0].detail.find("sent again"), std::string::npos)
        << second.diag.attempts[0].detail;
    EXPECT_EQ(server.request_count(), 3u);
    const auto stats = c.stats();
    EXPECT_EQ(stats.stale_connections, 1u);
    EXPECT_EQ(stats.retries, 0u);
}

TEST(FaultIdleClose, ConnectionClosedByTheServerWhileIdleIsReplaced)
{
    dynomite::test::fake_server_options options;
    options.idle_close = 100ms;
    fake_server server(options);
    server.set_default(fake_action::ok(std::string(item_body)));
    asio::io_context io;
    client c(io.get_executor(), fake_client_config(server));

    outcome<get_item_response> first;
    start(c, sample_get(), first);
    run_until(io, [&] { return first.completed; });
    ASSERT_FALSE(first.ec) << first.diag.to_string();
    // Wait until the server has closed the idle connection.
    run_until(
        io, [&] { return server.open_connections() == 0; }, 10s);
    ASSERT_EQ(server.open_connections(), 0u);

    outcome<get_item_response> second;
    start(c, sample_get(), second);
    run_until(io, [&] { return second.completed; });

    ASSERT_FALSE(second.ec) << second.diag.to_string();
    EXPECT_TRUE(second.diag.attempts.empty());
    EXPECT_EQ(server.connections_accepted(), 2u);
    EXPECT_EQ(server.request_count(), 2u);
    const auto stats = c.stats();
    EXPECT_EQ(stats.attempts, 2u);
    EXPECT_EQ(stats.retries, 0u);
    EXPECT_EQ(stats.open_connections, 1u);
}

// --- The retry quota --------------------------------------------------------------------------

TEST_F(FaultTest, RetryQuotaStopsARetryStorm)
{
    server.set_default(fake_action::internal_error());
    auto cfg = config();
    cfg.retry.max_attempts = 4;
    cfg.retry.quota_capacity = 10;
    cfg.retry.retry_cost = 5;
    auto c = make_client(cfg);

    // Two retries drain the quota; the third is refused.
    auto first = run(c, sample_get());
    EXPECT_EQ(first.ec, errc::internal_server_error);
    EXPECT_EQ(first.diag.attempts.size(), 3u);
    EXPECT_NE(first.diag.message.find("retry quota"), std::string::npos) << first.diag.message;
    EXPECT_EQ(server.request_count(), 3u);
    EXPECT_EQ(c.stats().retry_quota_available, 0);

    // Later failures are not retried at all.
    auto second = run(c, sample_get());
    EXPECT_EQ(second.ec, errc::internal_server_error);
    EXPECT_EQ(second.diag.attempts.size(), 1u);
    EXPECT_NE(second.diag.to_string().find("retry quota"), std::string::npos)
        << second.diag.to_string();
    EXPECT_EQ(server.request_count(), 4u);

    // A success refills the quota by one token.
    server.set_default(fake_action::ok(std::string(item_body)));
    auto third = run(c, sample_get());
    ASSERT_FALSE(third.ec) << third.diag.to_string();
    EXPECT_EQ(c.stats().retry_quota_available, 1);
    EXPECT_EQ(c.stats().retries, 2u);
}

TEST_F(FaultTest, SuccessAfterRetriesGivesTheirTokensBack)
{
    server.enqueue(fake_action::internal_error());
    server.set_default(fake_action::ok(std::string(item_body)));
    auto cfg = config();
    cfg.retry.quota_capacity = 100;
    cfg.retry.retry_cost = 5;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.diag.to_string();
    EXPECT_EQ(c.stats().retry_quota_available, 100);
}

TEST_F(FaultTest, DefiniteRefusalAfterRetriesGivesTheirTokensBack)
{
    // A write whose answer was lost is sent again and refused by its own condition: the
    // service answered, so the quota, which guards against an unavailable service, is whole.
    server.enqueue(fake_action::reset_after_request());
    server.enqueue(fake_action::internal_error());
    server.set_default(fake_action::aws_error(400, "ConditionalCheckFailedException",
                                              "The conditional request failed"));
    auto cfg = config();
    cfg.retry.quota_capacity = 100;
    cfg.retry.retry_cost = 5;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::conditional_check_failed);
    EXPECT_EQ(result.diag.attempts.size(), 3u);
    EXPECT_EQ(c.stats().retry_quota_available, 100);
}

TEST_F(FaultTest, FailureOnTheLastAttemptKeepsTheQuotaSpent)
{
    server.set_default(fake_action::internal_error());
    auto cfg = config();
    cfg.retry.max_attempts = 3;
    cfg.retry.quota_capacity = 100;
    cfg.retry.retry_cost = 5;
    auto c = make_client(cfg);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::internal_server_error);
    EXPECT_EQ(c.stats().retry_quota_available, 90);
}

TEST_F(FaultTest, TransactionInProgressIsRetriedAsThrottling)
{
    server.enqueue(fake_action::aws_error(400, "TransactionInProgressException",
                                          "Transaction is ongoing for the idempotency token"));
    server.set_default(fake_action::ok(std::string(item_body)));
    auto c = make_client(config());

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.diag.to_string();
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_TRUE(dynomite::is_throttling(make_error_code(errc::transaction_in_progress)));
}

// --- The pool at its limit --------------------------------------------------------------------

TEST_F(FaultTest, PoolLimitQueuesConcurrentRequests)
{
    server.set_default(fake_action::ok(std::string(item_body)).with_delay(20ms));
    auto cfg = config();
    cfg.pool.max_connections = 2;
    auto c = make_client(cfg);

    std::vector<outcome<get_item_response>> results(20);
    for (auto& result : results) start(c, sample_get(), result);
    run_until(io, [&] {
        return std::all_of(results.begin(), results.end(), [](auto& r) { return r.completed; });
    });

    for (const auto& result : results) {
        ASSERT_TRUE(result.completed);
        EXPECT_FALSE(result.ec) << result.diag.to_string();
        EXPECT_TRUE(result.diag.attempts.empty());
    }
    EXPECT_EQ(server.request_count(), 20u);
    EXPECT_LE(server.peak_connections(), 2u);
    EXPECT_LE(server.connections_accepted(), 2u);
    const auto stats = c.stats();
    EXPECT_EQ(stats.attempts, 20u);
    EXPECT_LE(stats.open_connections, 2u);
}

TEST_F(FaultTest, PoolWaitersTimeOutWhenTheServerNeverAnswers)
{
    server.set_default(fake_action::ok().with_delay(30s));
    auto cfg = config();
    cfg.pool.max_connections = 2;
    cfg.pool.request_timeout = 500ms;
    cfg.retry.max_attempts = 1;
    auto c = make_client(cfg);

    std::vector<outcome<get_item_response>> busy(2);
    for (auto& result : busy) start(c, sample_get(), result);
    run_until(io, [&] { return server.request_count() == 2; });
    ASSERT_EQ(server.request_count(), 2u);
    // The waiters start well after the busy ones, so their deadlines come later.
    run_for(io, 100ms);
    std::vector<outcome<get_item_response>> waiting(6);
    for (auto& result : waiting) start(c, sample_get(), result);
    run_until(io, [&] {
        return std::all_of(busy.begin(), busy.end(), [](auto& r) { return r.completed; }) &&
               std::all_of(waiting.begin(), waiting.end(), [](auto& r) { return r.completed; });
    });

    for (const auto& result : busy) {
        ASSERT_TRUE(result.completed);
        EXPECT_EQ(result.ec, errc::request_timeout) << result.diag.to_string();
    }
    std::size_t never_got_a_connection = 0;
    for (const auto& result : waiting) {
        ASSERT_TRUE(result.completed);
        EXPECT_EQ(result.ec, errc::request_timeout) << result.diag.to_string();
        never_got_a_connection += count_with_detail(result.diag, "waiting for a connection");
    }
    // The two connections freed by the timed-out requests went to two waiters; the other four
    // waited until their deadline.
    EXPECT_EQ(never_got_a_connection, 4u);
    EXPECT_EQ(server.connections_accepted(), 4u);
}

TEST_F(FaultTest, PoolHandsOutAtMostItsLimit)
{
    dynomite::pool_options params;
    params.max_connections = 2;
    params.request_timeout = 300ms;
    dynomite::connection_pool pool(io.get_executor(), dynomite::parse_endpoint(server.url()),
                                   params, nullptr);

    std::vector<dynomite::pooled_connection> held;
    for (int i = 0; i < 2; ++i) {
        std::optional<std::pair<error_code, dynomite::pooled_connection>> got;
        pool.async_acquire([&](error_code ec, dynomite::pooled_connection connection) {
            got.emplace(ec, std::move(connection));
        });
        run_until(io, [&] { return got.has_value(); });
        ASSERT_TRUE(got.has_value());
        ASSERT_FALSE(got->first) << got->first.message();
        EXPECT_FALSE(got->second.reused());
        held.push_back(std::move(got->second));
    }
    EXPECT_EQ(pool.open_connections(), 2u);

    std::optional<error_code> third;
    pool.async_acquire([&](error_code ec, dynomite::pooled_connection) { third = ec; });
    run_until(io, [&] { return pool.waiting() == 1u; });
    EXPECT_EQ(pool.waiting(), 1u);
    run_until(io, [&] { return third.has_value(); });
    ASSERT_TRUE(third.has_value());
    EXPECT_EQ(*third, errc::request_timeout);
    EXPECT_EQ(pool.waiting(), 0u);

    // A connection given back goes to the next waiter, reused.
    std::optional<std::pair<error_code, dynomite::pooled_connection>> fourth;
    pool.async_acquire([&](error_code ec, dynomite::pooled_connection connection) {
        fourth.emplace(ec, std::move(connection));
    });
    run_until(io, [&] { return pool.waiting() == 1u; });
    held.pop_back();
    run_until(io, [&] { return fourth.has_value(); });
    ASSERT_TRUE(fourth.has_value());
    ASSERT_FALSE(fourth->first) << fourth->first.message();
    EXPECT_TRUE(fourth->second.reused());
    EXPECT_EQ(pool.open_connections(), 2u);
    EXPECT_EQ(server.connections_accepted(), 2u);

    // A discarded connection frees its place.
    fourth->second.discard();
    fourth.reset();
    EXPECT_EQ(pool.open_connections(), 1u);
    EXPECT_EQ(pool.idle_connections(), 0u);
}

// --- Cancellation -----------------------------------------------------------------------------

TEST_F(FaultTest, CancellationAbortsARequestInFlight)
{
    server.set_default(fake_action::ok().with_delay(30s));
    auto c = make_client();

    asio::cancellation_signal signal;
    outcome<get_item_response> result;
    c.async_get_item(
        sample_get(), result.diag,
        asio::bind_cancellation_slot(signal.slot(), [&result](error_code ec, get_item_response) {
            result.ec = ec;
            result.completed = true;
        }));
    run_until(io, [&] { return server.request_count() == 1; });
    ASSERT_EQ(server.request_count(), 1u);
    ASSERT_FALSE(result.completed);

    const auto began = std::chrono::steady_clock::now();
    signal.emit(asio::cancellation_type::terminal);
    run_until(io, [&] { return result.completed; });

    ASSERT_TRUE(result.completed);
    EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
    EXPECT_EQ(result.ec, asio::error::operation_aborted) << result.ec.message();
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(c.stats().retries, 0u);
}

TEST_F(FaultTest, CancellationAbortsARequestWaitingForAConnection)
{
    server.set_default(fake_action::ok().with_delay(30s));
    auto cfg = config();
    cfg.pool.max_connections = 1;
    auto c = make_client(cfg);

    outcome<get_item_response> busy;
    start(c, sample_get(), busy);
    run_until(io, [&] { return server.request_count() == 1; });
    ASSERT_EQ(server.request_count(), 1u);

    asio::cancellation_signal signal;
    outcome<get_item_response> waiting;
    c.async_get_item(
        sample_get(), waiting.diag,
        asio::bind_cancellation_slot(signal.slot(), [&waiting](error_code ec, get_item_response) {
            waiting.ec = ec;
            waiting.completed = true;
        }));
    run_for(io, 50ms);
    ASSERT_FALSE(waiting.completed);
    signal.emit(asio::cancellation_type::terminal);
    run_until(
        io, [&] { return waiting.completed; }, 5s);

    ASSERT_TRUE(waiting.completed);
    EXPECT_EQ(waiting.ec, asio::error::operation_aborted) << waiting.ec.message();
    EXPECT_FALSE(busy.completed);
    EXPECT_EQ(server.request_count(), 1u);
}

// --- Completion tokens ------------------------------------------------------------------------

TEST_F(FaultTest, AwaitableWithAsTuple)
{
    server.enqueue(fake_action::ok(std::string(item_body)));
    server.enqueue(
        fake_action::aws_error(400, "ResourceNotFoundException", "Requested resource not found"));
    auto c = make_client();

    auto future = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<std::pair<get_item_response, error_code>> {
            auto [ok_ec, found] =
                co_await c.async_get_item(sample_get(), asio::as_tuple(asio::use_awaitable));
            EXPECT_FALSE(ok_ec);
            diagnostics diag;
            auto [missing_ec, nothing] =
                co_await c.async_get_item(sample_get(), diag, asio::as_tuple(asio::use_awaitable));
            EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
            EXPECT_FALSE(nothing.item.has_value());
            co_return std::pair{std::move(found), missing_ec};
        },
        asio::use_future);
    run_until(io, [&] { return future.wait_for(0s) == std::future_status::ready; });

    ASSERT_EQ(future.wait_for(0s), std::future_status::ready);
    auto [found, missing_ec] = future.get();
    expect_item(found);
    EXPECT_EQ(missing_ec, errc::resource_not_found);
}

TEST_F(FaultTest, PlainCallbackWithoutDiagnostics)
{
    server.enqueue(fake_action::ok(std::string(item_body)));
    auto c = make_client();

    std::optional<std::pair<error_code, get_item_response>> got;
    c.async_get_item(sample_get(), [&got](error_code ec, get_item_response response) {
        got.emplace(ec, std::move(response));
    });
    run_until(io, [&] { return got.has_value(); });

    ASSERT_TRUE(got.has_value());
    EXPECT_FALSE(got->first);
    expect_item(got->second);
}

TEST_F(FaultTest, UseFuture)
{
    server.enqueue(fake_action::ok(std::string(item_body)));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "bad key"));
    auto c = make_client();

    auto found = c.async_get_item(sample_get(), asio::use_future);
    run_until(io, [&] { return found.wait_for(0s) == std::future_status::ready; });
    ASSERT_EQ(found.wait_for(0s), std::future_status::ready);
    expect_item(found.get());

    // An error code becomes the future's exception.
    auto rejected = c.async_get_item(sample_get(), asio::use_future);
    run_until(io, [&] { return rejected.wait_for(0s) == std::future_status::ready; });
    ASSERT_EQ(rejected.wait_for(0s), std::future_status::ready);
    try {
        rejected.get();
        ADD_FAILURE() << "the future holds no error";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), errc::validation);
    }
}

TEST_F(FaultTest, DeferredStartsOnlyWhenInvoked)
{
    server.set_default(fake_action::ok(std::string(item_body)));
    auto c = make_client();

    auto operation = c.async_get_item(sample_get(), asio::deferred);
    run_for(io, 50ms);
    EXPECT_EQ(server.request_count(), 0u);
    EXPECT_EQ(c.stats().requests, 0u);

    std::optional<std::pair<error_code, get_item_response>> got;
    std::move(operation)([&got](error_code ec, get_item_response response) {
        got.emplace(ec, std::move(response));
    });
    run_until(io, [&] { return got.has_value(); });

    ASSERT_TRUE(got.has_value());
    EXPECT_FALSE(got->first);
    expect_item(got->second);

    // Also awaited in a coroutine.
    auto future = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<get_item_response> {
            co_return co_await c.async_get_item(sample_get(), asio::deferred);
        },
        asio::use_future);
    run_until(io, [&] { return future.wait_for(0s) == std::future_status::ready; });
    ASSERT_EQ(future.wait_for(0s), std::future_status::ready);
    expect_item(future.get());
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(FaultTest, ThrowingCoroutineFormCarriesDiagnostics)
{
    server.enqueue(fake_action::ok(std::string(item_body)));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "The key is invalid")
                       .with_header("x-amzn-RequestId", "REQ-THROW-3"));
    auto c = make_client();

    auto future = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<std::string> {
            auto found = co_await c.get_item(sample_get());
            expect_item(found);
            try {
                co_await c.get_item(sample_get());
            } catch (const dynomite::error& e) {
                EXPECT_EQ(e.code(), errc::validation);
                EXPECT_EQ(e.diag().aws_type, "ValidationException");
                EXPECT_EQ(e.diag().request_id, "REQ-THROW-3");
                co_return e.diag().message;
            }
            co_return std::string("no exception");
        },
        asio::use_future);
    run_until(io, [&] { return future.wait_for(0s) == std::future_status::ready; });

    ASSERT_EQ(future.wait_for(0s), std::future_status::ready);
    EXPECT_EQ(future.get(), "The key is invalid");
}

// --- What every request carries ---------------------------------------------------------------

std::vector<std::string> signed_headers_of(const std::string& authorization)
{
    constexpr std::string_view key = "SignedHeaders=";
    auto begin = authorization.find(key);
    if (begin == std::string::npos) return {};
    begin += key.size();
    const auto end = authorization.find(',', begin);
    std::vector<std::string> names;
    std::string list = authorization.substr(begin, end - begin);
    for (std::size_t start = 0; start <= list.size();) {
        auto semicolon = list.find(';', start);
        if (semicolon == std::string::npos) semicolon = list.size();
        names.push_back(list.substr(start, semicolon - start));
        start = semicolon + 1;
    }
    return names;
}

void expect_signed_request(const recorded_request& request, const fake_server& server,
                           std::vector<std::string> required)
{
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/");
    EXPECT_EQ(request.header("x-amz-target"), "DynamoDB_20120810.GetItem");
    EXPECT_EQ(request.header("content-type"), "application/x-amz-json-1.0");
    EXPECT_EQ(request.header("host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(request.header("x-amz-date"), "20240229T120000Z");
    const auto authorization = request.header("authorization").value_or("");
    EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/", 0), 0u) << authorization;
    EXPECT_NE(authorization.find("Credential=AKIDTEST/20240229/us-east-1/dynamodb/aws4_request"),
              std::string::npos)
        << authorization;
    const auto signed_headers = signed_headers_of(authorization);
    for (const auto& name : required)
        EXPECT_NE(std::find(signed_headers.begin(), signed_headers.end(), name),
                  signed_headers.end())
            << name << " is not signed: " << authorization;
    for (const auto& [name, value] : request.headers)
        EXPECT_EQ(value.find("secret"), std::string::npos) << name << " leaks the secret key";
}

TEST_F(FaultTest, RequestCarriesTheHeadersDynamoDbNeeds)
{
    auto cfg = config();
    cfg.clock = [] {
        return std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + std::chrono::hours{12};
    };
    auto c = make_client(cfg);

    ASSERT_FALSE(run(c, sample_get()).ec);

    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    expect_signed_request(requests[0], server,
                          {"content-type", "host", "x-amz-date", "x-amz-target"});
    EXPECT_FALSE(requests[0].header("x-amz-security-token").has_value());
    EXPECT_NE(requests[0].body.find("\"TableName\":\"Music\""), std::string::npos)
        << requests[0].body;
}

TEST_F(FaultTest, SessionTokenIsSentAndSigned)
{
    auto cfg = config();
    cfg.credentials = dynomite::credentials{"AKIDTEST", "secret", "SESSION-TOKEN-VALUE"};
    cfg.clock = [] {
        return std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + std::chrono::hours{12};
    };
    auto c = make_client(cfg);

    ASSERT_FALSE(run(c, sample_get()).ec);

    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    expect_signed_request(
        requests[0], server,
        {"content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target"});
    EXPECT_EQ(requests[0].header("x-amz-security-token"), "SESSION-TOKEN-VALUE");
}

TEST_F(FaultTest, EachRetryIsSignedAgain)
{
    server.enqueue(fake_action::internal_error());
    int calls = 0;
    auto cfg = config();
    cfg.clock = [&calls] {
        return std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + std::chrono::hours{12} +
               std::chrono::seconds{calls++};
    };
    auto c = make_client(cfg);

    ASSERT_FALSE(run(c, sample_get()).ec);

    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    ASSERT_TRUE(requests[0].header("x-amz-date") && requests[1].header("x-amz-date"));
    EXPECT_LT(*requests[0].header("x-amz-date"), *requests[1].header("x-amz-date"));
    EXPECT_NE(requests[0].header("authorization"), requests[1].header("authorization"));
    EXPECT_EQ(requests[0].body, requests[1].body);
}

}  // namespace

// --- The fault-injecting proxy ------------------------------------------------------------------

namespace {

using dynomite::test::fault_kind;
using dynomite::test::fault_kind_count;
using dynomite::test::fault_plan;
using dynomite::test::fault_proxy;
using dynomite::test::fault_proxy_options;
using dynomite::test::fault_weights;
using dynomite::test::only;

std::vector<fault_kind> draw(fault_plan& plan, std::size_t count)
{
    std::vector<fault_kind> out;
    for (std::size_t i = 0; i < count; ++i) out.push_back(plan.next());
    return out;
}

TEST(FaultPlan, SameSeedGivesTheSameFaults)
{
    fault_plan first(0.3, 42);
    fault_plan second(0.3, 42);
    fault_plan other(0.3, 43);

    const auto a = draw(first, 500);
    EXPECT_EQ(a, draw(second, 500));
    EXPECT_NE(a, draw(other, 500));
}

TEST(FaultPlan, RateAndWeightsShapeTheFaults)
{
    fault_plan plan(0.3, 7);
    std::array<std::size_t, fault_kind_count> counts{};
    constexpr std::size_t draws = 20000;
    for (const auto kind : draw(plan, draws)) ++counts[static_cast<std::size_t>(kind)];

    const double faulted = 1.0 - static_cast<double>(counts[0]) / draws;
    EXPECT_NEAR(faulted, 0.3, 0.02);
    // Equal weights: each of the nine kinds near a ninth of the faults.
    for (std::size_t i = 1; i < fault_kind_count; ++i)
        EXPECT_NEAR(static_cast<double>(counts[i]) / draws, 0.3 / 9, 0.01)
            << to_string(static_cast<fault_kind>(i));
}

TEST(FaultPlan, ZeroWeightsAndRatesAreHonoured)
{
    fault_plan never(0.0, 1);
    for (const auto kind : draw(never, 1000)) EXPECT_EQ(kind, fault_kind::none);

    fault_plan always_crc(1.0, 1, only(fault_kind::corrupt_crc32));
    for (const auto kind : draw(always_crc, 1000)) EXPECT_EQ(kind, fault_kind::corrupt_crc32);

    fault_plan switched(1.0, 1, only(fault_kind::delay));
    switched.set_rate(0.0);
    EXPECT_EQ(switched.next(), fault_kind::none);
}

TEST(FaultPlan, RefusesImpossiblePlans)
{
    EXPECT_THROW(fault_plan(1.5, 1), std::invalid_argument);
    EXPECT_THROW(fault_plan(-0.1, 1), std::invalid_argument);
    EXPECT_THROW(fault_plan(0.5, 1, fault_weights{0, 0, 0, 0, 0, 0, 0, 0, 0}),
                 std::invalid_argument);
    fault_plan plan(0.5, 1);
    EXPECT_THROW(plan.set_rate(2.0), std::invalid_argument);
    EXPECT_NO_THROW(fault_plan(0.0, 1, fault_weights{0, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(FaultPlan, LostAnswersAreTheFaultsAfterForwarding)
{
    EXPECT_TRUE(loses_applied_answer(fault_kind::reset_after_forward));
    EXPECT_TRUE(loses_applied_answer(fault_kind::truncated_body));
    EXPECT_TRUE(loses_applied_answer(fault_kind::corrupt_crc32));
    EXPECT_FALSE(loses_applied_answer(fault_kind::reset_before_forward));
    EXPECT_FALSE(loses_applied_answer(fault_kind::throttling));
    EXPECT_FALSE(loses_applied_answer(fault_kind::delay));
    EXPECT_FALSE(loses_applied_answer(fault_kind::none));
}

// The proxy in front of the fake server: what each fault does to a client.
class FaultProxyTest : public ::testing::Test {
protected:
    std::unique_ptr<fault_proxy> make_proxy(double rate, fault_weights weights = {},
                                            std::chrono::milliseconds idle_close = 0ms)
    {
        fault_proxy_options options;
        options.upstream = upstream.url();
        options.fault_rate = rate;
        options.seed = 3;
        options.weights = weights;
        options.delay = 20ms;
        options.idle_close = idle_close;
        return std::make_unique<fault_proxy>(options);
    }

    client make_client(const fault_proxy& proxy, int max_attempts = 2)
    {
        auto cfg = fake_client_config(upstream);
        cfg.endpoint = proxy.url();
        cfg.retry.max_attempts = max_attempts;
        cfg.retry.base_delay = 1ms;
        cfg.retry.throttling_base_delay = 1ms;
        cfg.retry.max_delay = 2ms;
        return client(io.get_executor(), cfg);
    }

    template <class Request>
    outcome<response_t<Request>> run(client& c, Request request)
    {
        outcome<response_t<Request>> out;
        start(c, std::move(request), out);
        run_until(io, [&out] { return out.completed; });
        EXPECT_TRUE(out.completed) << "the operation did not complete within the limit";
        return out;
    }

    fake_server upstream;
    asio::io_context io;
};

TEST_F(FaultProxyTest, ForwardsRequestsAsSignedOverKeepAlive)
{
    upstream.set_default(fake_action::ok(std::string(item_body)));
    auto proxy = make_proxy(0.0);
    auto c = make_client(*proxy);

    for (int i = 0; i < 3; ++i) {
        auto result = run(c, sample_get());
        ASSERT_FALSE(result.ec) << result.diag.to_string();
        expect_item(result.response);
    }
    auto put = run(c, sample_put());
    ASSERT_FALSE(put.ec) << put.diag.to_string();

    const auto requests = upstream.requests();
    ASSERT_EQ(requests.size(), 4u);
    // The Host the client signed is the proxy's, and it arrives unchanged.
    EXPECT_EQ(requests[0].header("host"), "127.0.0.1:" + std::to_string(proxy->port()));
    EXPECT_TRUE(requests[0].header("authorization").has_value());
    EXPECT_EQ(upstream.connections_accepted(), 1u);
    EXPECT_EQ(proxy->connections_accepted(), 1u);
    EXPECT_EQ(proxy->upstream_connections(), 1u);
    EXPECT_EQ(proxy->faults(fault_kind::none), 4u);
    const auto by_target = proxy->requests_by_target();
    EXPECT_EQ(by_target.at("DynamoDB_20120810.GetItem"), 3u);
    EXPECT_EQ(by_target.at("DynamoDB_20120810.PutItem"), 1u);
    const auto exchanges = proxy->exchanges();
    ASSERT_EQ(exchanges.size(), 4u);
    EXPECT_EQ(exchanges[3].request_body, requests[3].body);
    EXPECT_EQ(exchanges[3].upstream_status, 200u);
}

struct proxy_fault_case {
    const char* name;
    fault_kind kind;
    errc expected;
    bool forwarded;
};

std::string proxy_case_name(const ::testing::TestParamInfo<proxy_fault_case>& info)
{
    return info.param.name;
}

class ProxyFault : public FaultProxyTest, public ::testing::WithParamInterface<proxy_fault_case> {};

TEST_P(ProxyFault, EveryAttemptFailsAsTheFaultSays)
{
    const auto& param = GetParam();
    upstream.set_default(fake_action::ok(std::string(item_body)));
    auto proxy = make_proxy(1.0, only(param.kind));
    auto c = make_client(*proxy, 2);

    auto result = run(c, sample_put());

    EXPECT_EQ(result.ec, param.expected) << result.diag.to_string();
    ASSERT_EQ(result.diag.attempts.size(), 2u) << result.diag.to_string();
    EXPECT_EQ(proxy->faults(param.kind), 2u);
    EXPECT_EQ(upstream.request_count(), param.forwarded ? 2u : 0u);
    for (const auto& exchange : proxy->exchanges()) {
        EXPECT_EQ(exchange.fault, param.kind);
        EXPECT_EQ(exchange.upstream_status, param.forwarded ? 200u : 0u);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, ProxyFault,
    ::testing::Values(
        proxy_fault_case{"Throughput", fault_kind::throughput_exceeded,
                         errc::provisioned_throughput_exceeded, false},
        proxy_fault_case{"Throttling", fault_kind::throttling, errc::throttling, false},
        proxy_fault_case{"InternalError", fault_kind::internal_error, errc::internal_server_error,
                         false},
        proxy_fault_case{"Unavailable", fault_kind::service_unavailable, errc::service_unavailable,
                         false},
        proxy_fault_case{"ResetBeforeForward", fault_kind::reset_before_forward,
                         errc::connection_closed, false},
        proxy_fault_case{"ResetAfterForward", fault_kind::reset_after_forward,
                         errc::connection_closed, true},
        proxy_fault_case{"Truncated", fault_kind::truncated_body, errc::connection_closed, true},
        proxy_fault_case{"CorruptCrc32", fault_kind::corrupt_crc32, errc::crc32_mismatch, true}),
    proxy_case_name);

TEST_F(FaultProxyTest, DelayedAnswersArrive)
{
    upstream.set_default(fake_action::ok(std::string(item_body)));
    auto proxy = make_proxy(1.0, only(fault_kind::delay));
    auto c = make_client(*proxy);

    auto result = run(c, sample_get());

    ASSERT_FALSE(result.ec) << result.diag.to_string();
    expect_item(result.response);
    EXPECT_TRUE(result.diag.attempts.empty());
    EXPECT_EQ(proxy->faults(fault_kind::delay), 1u);
}

TEST_F(FaultProxyTest, FaultRateCanBeChangedWhileRunning)
{
    upstream.set_default(fake_action::ok(std::string(item_body)));
    auto proxy = make_proxy(1.0, only(fault_kind::throttling));
    auto c = make_client(*proxy, 1);

    EXPECT_EQ(run(c, sample_get()).ec, errc::throttling);
    proxy->set_fault_rate(0.0);
    EXPECT_FALSE(run(c, sample_get()).ec);
    EXPECT_THROW(proxy->set_fault_rate(1.1), std::invalid_argument);
    EXPECT_EQ(proxy->faults(fault_kind::throttling), 1u);
    EXPECT_EQ(proxy->faults(fault_kind::none), 1u);
}

TEST_F(FaultProxyTest, IdleClientConnectionsAreClosedAndReplaced)
{
    upstream.set_default(fake_action::ok(std::string(item_body)));
    auto proxy = make_proxy(0.0, {}, 50ms);
    auto c = make_client(*proxy);

    ASSERT_FALSE(run(c, sample_get()).ec);
    run_until(
        io, [&] { return proxy->idle_closed() == 1; }, 10s);
    ASSERT_EQ(proxy->idle_closed(), 1u);
    auto second = run(c, sample_get());

    ASSERT_FALSE(second.ec) << second.diag.to_string();
    EXPECT_EQ(proxy->connections_accepted(), 2u);
    EXPECT_EQ(upstream.request_count(), 2u);
}

TEST(FaultProxyConfig, RefusesUpstreamsItCannotReach)
{
    fault_proxy_options options;
    options.upstream = "https://127.0.0.1:8000";
    EXPECT_THROW(fault_proxy{options}, std::invalid_argument);
    options.upstream = "ftp://127.0.0.1";
    EXPECT_THROW(fault_proxy{options}, std::invalid_argument);
    options.upstream = "http://127.0.0.1:8000";
    options.fault_rate = 2.0;
    EXPECT_THROW(fault_proxy{options}, std::invalid_argument);
}

TEST_F(FaultProxyTest, UnreachableUpstreamResetsTheClient)
{
    fault_proxy_options options;
    {
        // A port that was free a moment ago: nothing listens there now.
        asio::ip::tcp::acceptor probe(io, {asio::ip::address_v4::loopback(), 0});
        options.upstream = "http://127.0.0.1:" + std::to_string(probe.local_endpoint().port());
    }
    fault_proxy proxy(options);
    auto c = make_client(proxy, 1);

    auto result = run(c, sample_get());

    EXPECT_EQ(result.ec, errc::connection_closed) << result.diag.to_string();
    EXPECT_EQ(proxy.exchanges().at(0).upstream_status, 0u);
}

}  // namespace
