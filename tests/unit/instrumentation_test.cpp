// The client's events against what the fake DynamoDB served: one per attempt, one per operation.
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/client/instrumentation.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <new>
#include <string>
#include <thread>
#include <vector>

namespace {

// Allocations of the thread that counts them, to show what an observer costs in memory.
thread_local bool counting_allocations = false;
thread_local std::size_t allocations = 0;

}  // namespace

// AddressSanitizer keeps its own operator new, which the shared library binds to: memory it
// allocates must not reach a replacement that frees with free(). The sanitized build does
// without the count.
#if defined(__SANITIZE_ADDRESS__)
#define DYNOMITE_TEST_COUNTS_ALLOCATIONS 0
#else
#define DYNOMITE_TEST_COUNTS_ALLOCATIONS 1
// Not inlined: GCC would otherwise see free() meet a new-expression and warn
// (-Wmismatched-new-delete), although both sides are these replacements.
[[gnu::noinline]] void* operator new(std::size_t size)
{
    if (counting_allocations) ++allocations;
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::attempt_event;
using dynomite::client;
using dynomite::client_config;
using dynomite::diagnostics;
using dynomite::errc;
using dynomite::error_code;
using dynomite::operation_event;
using dynomite::retry_reason;
using dynomite::test::fake_action;
using dynomite::test::fake_server;
using dynomite::test::recorded_request;

constexpr std::string_view item_body = R"({"Item":{"Artist":{"S":"No One You Know"}},)"
                                       R"("ConsumedCapacity":{"TableName":"Music","CapacityUnits":0.5}})";

/// An attempt event with its strings copied out of the client's buffers.
struct attempt_copy {
    std::string operation, table, index, aws_type, request_id;
    int attempt = 0;
    error_code error;
    retry_reason reason = retry_reason::none;
    bool retried = false;
    unsigned http_status = 0;
    bool reused_connection = false;
    bool new_connection = false;
    dynomite::attempt_latency latency;
    std::size_t bytes_sent = 0, bytes_received = 0;
};

struct operation_copy {
    std::string operation, table, index, aws_type, request_id;
    error_code error;
    int attempts = 0;
    unsigned http_status = 0;
    std::chrono::nanoseconds latency{0};
    std::size_t bytes_sent = 0, bytes_received = 0;
    std::optional<double> consumed;
};

class recording_observer final : public dynomite::observer {
public:
    std::vector<attempt_copy> attempts;
    std::vector<operation_copy> operations;

    void on_attempt(const attempt_event& e) override
    {
        attempts.push_back({std::string(e.operation), std::string(e.table), std::string(e.index),
                            std::string(e.aws_type), std::string(e.request_id), e.attempt, e.error,
                            e.reason, e.retried, e.http_status, e.reused_connection, e.new_connection, e.latency,
                            e.bytes_sent, e.bytes_received});
    }
    void on_operation(const operation_event& e) override
    {
        operations.push_back({std::string(e.operation), std::string(e.table), std::string(e.index),
                              std::string(e.aws_type), std::string(e.request_id), e.error,
                              e.attempts, e.http_status, e.latency, e.bytes_sent,
                              e.bytes_received, e.consumed_capacity_units});
    }
};

/// Counts and keeps nothing: what an exporter that only increments costs at least.
class counting_observer final : public dynomite::observer {
public:
    std::size_t attempts = 0, operations = 0;
    void on_attempt(const attempt_event&) override { ++attempts; }
    void on_operation(const operation_event&) override { ++operations; }
};

client_config config_for(const fake_server& server, std::shared_ptr<dynomite::observer> observer)
{
    client_config config;
    config.endpoint = server.url();
    config.region = "us-east-1";
    config.credentials = dynomite::credentials{"AKIDTEST", "SECRETKEYVALUE", ""};
    config.env = dynomite::environment::from_map({});
    config.retry.base_delay = 1ms;
    config.retry.throttling_base_delay = 1ms;
    config.retry.max_delay = 2ms;
    config.retry.quota_capacity = 0;
    config.retry.max_attempts = 3;
    config.observer = std::move(observer);
    return config;
}

dynomite::get_item_request music_get()
{
    dynomite::get_item_request request;
    request.table_name = "Music";
    request.key = {{"Artist", "No One You Know"}};
    return request;
}

struct result {
    bool completed = false;
    error_code ec;
    diagnostics diag;
};

template <class Request>
result run(asio::io_context& io, client& c, Request request)
{
    result out;
    c.async_execute(std::move(request), out.diag, [&out](error_code ec, auto) {
        out.ec = ec;
        out.completed = true;
    });
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (!out.completed && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        io.run_one_for(20ms);
    }
    EXPECT_TRUE(out.completed);
    return out;
}

/// Checks each attempt against the request the server recorded for it: the bytes both ways,
/// the request id it answered with, and whether the connection had carried an earlier one.
void expect_matches_server(const std::vector<attempt_copy>& attempts,
                           const std::vector<recorded_request>& served, std::size_t first)
{
    ASSERT_LE(first + attempts.size(), served.size());
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        const auto& event = attempts[i];
        const auto& request = served[first + i];
        SCOPED_TRACE("attempt event " + std::to_string(i));
        EXPECT_EQ(event.bytes_sent, request.bytes);
        EXPECT_EQ(event.bytes_received, request.response_bytes);
        EXPECT_EQ(event.request_id, request.response_request_id);
        bool connection_seen = false;
        for (std::size_t j = 0; j < first + i; ++j)
            connection_seen = connection_seen || served[j].connection == request.connection;
        EXPECT_EQ(event.reused_connection, connection_seen);
        EXPECT_EQ(event.new_connection, !connection_seen);
        // A new connection's time is in connect, a kept-alive one's is not.
        EXPECT_EQ(event.latency.connect.count() > 0, !connection_seen);
        EXPECT_EQ(event.latency.queued.count(), 0);  // one request at a time: never queued
        EXPECT_EQ(event.operation, "GetItem");
        EXPECT_EQ(event.table, "Music");
        EXPECT_EQ(event.index, "");
    }
}

TEST(Instrumentation, ThrottledTwiceThenSucceeds)
{
    fake_server server;
    server.enqueue(fake_action::throughput_exceeded(), 2);
    server.enqueue(fake_action::ok(std::string(item_body)));
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));

    auto out = run(io, c, music_get());
    ASSERT_FALSE(out.ec) << out.diag.to_string();

    const auto served = server.requests();
    ASSERT_EQ(served.size(), 3u);
    ASSERT_EQ(observer->attempts.size(), 3u);
    expect_matches_server(observer->attempts, served, 0);
    for (int i = 0; i < 2; ++i) {
        const auto& event = observer->attempts[i];
        EXPECT_EQ(event.attempt, i + 1);
        EXPECT_EQ(event.error, errc::provisioned_throughput_exceeded);
        EXPECT_EQ(event.reason, retry_reason::throttling);
        EXPECT_TRUE(event.retried);
        EXPECT_EQ(event.http_status, 400u);
        EXPECT_EQ(event.aws_type, "ProvisionedThroughputExceededException");
    }
    const auto& last = observer->attempts[2];
    EXPECT_EQ(last.attempt, 3);
    EXPECT_FALSE(last.error);
    EXPECT_EQ(last.reason, retry_reason::none);
    EXPECT_FALSE(last.retried);
    EXPECT_EQ(last.http_status, 200u);
    EXPECT_EQ(last.aws_type, "");

    ASSERT_EQ(observer->operations.size(), 1u);
    const auto& op = observer->operations[0];
    EXPECT_EQ(op.operation, "GetItem");
    EXPECT_EQ(op.table, "Music");
    EXPECT_FALSE(op.error);
    EXPECT_EQ(op.attempts, 3);
    EXPECT_EQ(op.http_status, 200u);
    EXPECT_EQ(op.request_id, served[2].response_request_id);
    EXPECT_EQ(op.bytes_sent, served[0].bytes + served[1].bytes + served[2].bytes);
    EXPECT_EQ(op.bytes_received,
              served[0].response_bytes + served[1].response_bytes + served[2].response_bytes);
    EXPECT_EQ(op.consumed, 0.5);
}

/// What matching attempts to operations and reading the pool needs of an attempt event.
struct attempt_seen {
    std::uint64_t operation_id = 0;
    std::string endpoint;
    dynomite::pool_snapshot pool;
    std::chrono::nanoseconds queued{0};
};

class id_observer final : public dynomite::observer {
public:
    std::vector<attempt_seen> attempts;
    std::vector<std::pair<std::uint64_t, int>> operations;  // id and attempts

    void on_attempt(const attempt_event& e) override
    {
        attempts.push_back({e.operation_id, std::string(e.endpoint), e.pool, e.latency.queued});
    }
    void on_operation(const operation_event& e) override
    {
        operations.emplace_back(e.operation_id, e.attempts);
    }
};

TEST(Instrumentation, AttemptsCarryTheirOperationsIdAndThePool)
{
    fake_server server;
    // The first GetItem is throttled once, slowly, while the second waits for the one
    // connection the pool may open.
    server.enqueue(fake_action::throughput_exceeded().with_delay(30ms));
    server.set_default(fake_action::ok(std::string(item_body)));
    auto observer = std::make_shared<id_observer>();
    asio::io_context io;
    auto config = config_for(server, observer);
    config.pool.max_connections = 1;
    client c(io.get_executor(), config);

    int completed = 0;
    diagnostics first_diag, second_diag;
    error_code first_ec, second_ec;
    c.async_execute(music_get(), first_diag, [&](error_code ec, auto) {
        first_ec = ec;
        ++completed;
    });
    c.async_execute(music_get(), second_diag, [&](error_code ec, auto) {
        second_ec = ec;
        ++completed;
    });
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (completed < 2 && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        io.run_one_for(20ms);
    }
    ASSERT_EQ(completed, 2);
    EXPECT_FALSE(first_ec) << first_diag.to_string();
    EXPECT_FALSE(second_ec) << second_diag.to_string();

    // Operations are numbered 1 and 2; each operation's attempts carry its number, however
    // they interleave with the other's. Whichever sent first was throttled.
    ASSERT_EQ(observer->operations.size(), 2u);
    std::map<std::uint64_t, int> attempts_by_id;
    for (const auto& a : observer->attempts) ++attempts_by_id[a.operation_id];
    std::map<std::uint64_t, int> attempts_reported;
    for (const auto& [id, attempts] : observer->operations) attempts_reported[id] = attempts;
    ASSERT_EQ(attempts_reported.size(), 2u);
    EXPECT_EQ(attempts_reported.begin()->first, 1u);
    EXPECT_EQ(attempts_reported.rbegin()->first, 2u);
    EXPECT_EQ(attempts_reported.begin()->second + attempts_reported.rbegin()->second, 3);
    EXPECT_EQ(attempts_by_id, attempts_reported);
    ASSERT_EQ(server.request_count(), 3u);

    for (const auto& a : observer->attempts) {
        EXPECT_EQ(a.endpoint, c.endpoint_url());
        EXPECT_EQ(a.pool.open, 1u);
        EXPECT_LE(a.pool.idle, 1u);
        EXPECT_LE(a.pool.waiting, 1u);
    }
    // The operation that did not get the connection first waited for it; the last attempt
    // left it idle.
    bool queued = false;
    for (const auto& a : observer->attempts) queued = queued || a.queued.count() > 0;
    EXPECT_TRUE(queued);
    EXPECT_EQ(observer->attempts.back().pool.idle, 1u);
    EXPECT_EQ(observer->attempts.back().pool.waiting, 0u);
}

TEST(Instrumentation, FailsForGood)
{
    fake_server server;
    server.set_default(fake_action::internal_error());
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));

    auto out = run(io, c, music_get());
    EXPECT_EQ(out.ec, errc::internal_server_error);

    const auto served = server.requests();
    ASSERT_EQ(served.size(), 3u);
    ASSERT_EQ(observer->attempts.size(), 3u);
    expect_matches_server(observer->attempts, served, 0);
    for (int i = 0; i < 3; ++i) {
        const auto& event = observer->attempts[i];
        EXPECT_EQ(event.attempt, i + 1);
        EXPECT_EQ(event.error, errc::internal_server_error);
        EXPECT_EQ(event.reason, retry_reason::server_error);
        EXPECT_EQ(event.retried, i < 2);  // max_attempts is 3
        EXPECT_EQ(event.http_status, 500u);
        EXPECT_EQ(event.aws_type, "InternalServerError");
    }
    ASSERT_EQ(observer->operations.size(), 1u);
    const auto& op = observer->operations[0];
    EXPECT_EQ(op.error, errc::internal_server_error);
    EXPECT_EQ(op.attempts, 3);
    EXPECT_EQ(op.http_status, 500u);
    EXPECT_EQ(op.aws_type, "InternalServerError");
    EXPECT_EQ(op.request_id, served[2].response_request_id);
    EXPECT_FALSE(op.consumed);
}

TEST(Instrumentation, RefusalNoRetryCuresIsOneAttempt)
{
    fake_server server;
    server.enqueue(fake_action::aws_error(400, "ConditionalCheckFailedException", "no"));
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));

    EXPECT_EQ(run(io, c, music_get()).ec, errc::conditional_check_failed);
    ASSERT_EQ(observer->attempts.size(), 1u);
    expect_matches_server(observer->attempts, server.requests(), 0);
    EXPECT_EQ(observer->attempts[0].reason, retry_reason::none);
    EXPECT_FALSE(observer->attempts[0].retried);
    EXPECT_EQ(observer->attempts[0].aws_type, "ConditionalCheckFailedException");
}

TEST(Instrumentation, DroppedConnection)
{
    // The server reads the request and resets the connection; the retry goes on a new one.
    fake_server server;
    server.enqueue(fake_action::reset_after_request());
    server.enqueue(fake_action::ok(std::string(item_body)));
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));

    auto out = run(io, c, music_get());
    ASSERT_FALSE(out.ec) << out.diag.to_string();

    const auto served = server.requests();
    ASSERT_EQ(served.size(), 2u);
    ASSERT_EQ(observer->attempts.size(), 2u);
    expect_matches_server(observer->attempts, served, 0);
    const auto& dropped = observer->attempts[0];
    EXPECT_TRUE(dropped.error);
    EXPECT_EQ(dropped.reason, retry_reason::network) << dropped.error.message();
    EXPECT_TRUE(dropped.retried);
    EXPECT_EQ(dropped.http_status, 0u);
    EXPECT_EQ(dropped.bytes_received, 0u);
    EXPECT_EQ(observer->attempts[1].attempt, 2);
    EXPECT_FALSE(observer->attempts[1].error);
    ASSERT_EQ(observer->operations.size(), 1u);
    EXPECT_EQ(observer->operations[0].attempts, 2);
}

TEST(Instrumentation, AFailedConnectOpensNoConnection)
{
    // A port nothing listens on: bound, then closed.
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    fake_server unused;
    auto config = config_for(unused, std::make_shared<recording_observer>());
    auto observer = std::static_pointer_cast<recording_observer>(config.observer);
    config.endpoint = "http://127.0.0.1:" + std::to_string(port);
    client c(io.get_executor(), config);

    auto out = run(io, c, music_get());
    ASSERT_TRUE(out.ec);
    ASSERT_FALSE(observer->attempts.empty());
    for (const auto& attempt : observer->attempts) {
        EXPECT_FALSE(attempt.new_connection);
        EXPECT_FALSE(attempt.reused_connection);
        EXPECT_EQ(attempt.http_status, 0u);
    }
}

TEST(Instrumentation, StaleKeptAliveConnectionIsResentUnderTheSameAttempt)
{
    fake_server server;
    server.enqueue(fake_action::ok(std::string(item_body)));
    server.enqueue(fake_action::reset_before_request());
    server.set_default(fake_action::ok(std::string(item_body)));
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));

    ASSERT_FALSE(run(io, c, music_get()).ec);
    ASSERT_FALSE(run(io, c, music_get()).ec);

    // The server never read the stale request: it recorded the first and the resent one.
    ASSERT_EQ(server.request_count(), 2u);
    ASSERT_EQ(observer->attempts.size(), 3u);
    const auto& stale = observer->attempts[1];
    EXPECT_EQ(stale.attempt, 1);
    EXPECT_TRUE(stale.reused_connection);
    EXPECT_EQ(stale.error, errc::connection_closed);
    EXPECT_EQ(stale.reason, retry_reason::stale_connection);
    EXPECT_TRUE(stale.retried);
    const auto& resent = observer->attempts[2];
    EXPECT_EQ(resent.attempt, 1);
    EXPECT_FALSE(resent.reused_connection);
    EXPECT_TRUE(resent.new_connection);
    EXPECT_FALSE(stale.new_connection);
    EXPECT_FALSE(resent.error);
    ASSERT_EQ(observer->operations.size(), 2u);
    EXPECT_EQ(observer->operations[1].attempts, 2);  // two exchanges, one counted attempt
}

TEST(Instrumentation, CrcMismatchIsRetried)
{
    fake_server server;
    server.enqueue(fake_action::ok(std::string(item_body)).with_wrong_crc32());
    server.enqueue(fake_action::ok(std::string(item_body)));
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));

    auto out = run(io, c, music_get());
    ASSERT_FALSE(out.ec) << out.diag.to_string();
    const auto served = server.requests();
    ASSERT_EQ(served.size(), 2u);
    ASSERT_EQ(observer->attempts.size(), 2u);
    expect_matches_server(observer->attempts, served, 0);
    const auto& bad = observer->attempts[0];
    EXPECT_EQ(bad.error, errc::crc32_mismatch);
    EXPECT_EQ(bad.reason, retry_reason::crc32_mismatch);
    EXPECT_TRUE(bad.retried);
    EXPECT_EQ(bad.http_status, 200u);
    EXPECT_FALSE(observer->attempts[1].error);
    ASSERT_EQ(observer->operations.size(), 1u);
    EXPECT_EQ(observer->operations[0].consumed, 0.5);
}

TEST(Instrumentation, RefusedBeforeSendingIsAnOperationWithoutAttempts)
{
    fake_server server;
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));
    dynomite::query_request query;
    query.table_name = "Music";
    query.index_name = "ByYear";
    // No key condition: refused by the encoder, nothing sent.
    EXPECT_TRUE(run(io, c, query).ec);
    EXPECT_EQ(server.request_count(), 0u);
    EXPECT_TRUE(observer->attempts.empty());
    ASSERT_EQ(observer->operations.size(), 1u);
    EXPECT_EQ(observer->operations[0].operation, "Query");
    EXPECT_EQ(observer->operations[0].index, "ByYear");
    EXPECT_EQ(observer->operations[0].attempts, 0);
}

TEST(Instrumentation, EventsHoldNoSecret)
{
    fake_server server;
    server.enqueue(fake_action::throttling());
    auto observer = std::make_shared<recording_observer>();
    asio::io_context io;
    client c(io.get_executor(), config_for(server, observer));
    ASSERT_FALSE(run(io, c, music_get()).ec);
    const auto authorization = server.requests().at(0).header("authorization");
    ASSERT_TRUE(authorization);
    const auto signature = authorization->substr(authorization->rfind('=') + 1);
    for (const auto& e : observer->attempts)
        for (const auto* text : {&e.operation, &e.table, &e.index, &e.aws_type, &e.request_id})
            for (std::string_view secret : {std::string_view("AKIDTEST"),
                                            std::string_view("SECRETKEYVALUE"),
                                            std::string_view(signature)})
                EXPECT_EQ(text->find(secret), std::string::npos) << *text;
}

TEST(Instrumentation, AnObserverAddsNoAllocation)
{
    if (!DYNOMITE_TEST_COUNTS_ALLOCATIONS)
        GTEST_SKIP() << "allocations are counted without AddressSanitizer only";
    // The same requests with and without an observer allocate as often: the events are built
    // on the stack from views of what the client holds anyway.
    fake_server server;
    const auto allocations_for = [&](std::shared_ptr<dynomite::observer> observer) {
        asio::io_context io;
        client c(io.get_executor(), config_for(server, observer));
        for (int i = 0; i < 3; ++i) run(io, c, music_get());  // connection and caches warm
        allocations = 0;
        counting_allocations = true;
        for (int i = 0; i < 20; ++i) run(io, c, music_get());
        counting_allocations = false;
        return allocations;
    };
    const auto counting = std::make_shared<counting_observer>();
    const std::size_t without = allocations_for(nullptr);
    const std::size_t with = allocations_for(counting);
    EXPECT_EQ(counting->operations, 23u);
    EXPECT_GT(without, 0u);  // the counter sees the client's allocations
    EXPECT_EQ(with, without);
}

}  // namespace
