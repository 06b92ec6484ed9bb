// A client reuses the buffers of its finished requests (request body, head, signature and
// response). Nothing of an earlier request may show in a later one: each request the fake
// DynamoDB receives is compared with the JSON written for it alone, and each result with the
// answer sent for it.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/client/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::client;
using dynomite::diagnostics;
using dynomite::error_code;
using dynomite::get_item_request;
using dynomite::get_item_response;
using dynomite::test::fake_action;
using dynomite::test::fake_server;

get_item_request get(std::string table, std::string key)
{
    get_item_request request;
    request.table_name = std::move(table);
    request.key = {{"k", std::move(key)}};
    return request;
}

/// The body a GetItem of `key` must carry, written without the library.
boost::json::value expected_body(const std::string& table, const std::string& key)
{
    boost::json::object body;
    body["TableName"] = table;
    body["Key"] = {{"k", {{"S", key}}}};
    return body;
}

std::string item_body(const std::string& key, const std::string& title)
{
    boost::json::object item;
    item["k"] = {{"S", key}};
    item["title"] = {{"S", title}};
    boost::json::object body;
    body["Item"] = item;
    return boost::json::serialize(body);
}

struct outcome {
    error_code ec;
    get_item_response response;
    diagnostics diag;
    bool done = false;
};

/// Sends `requests` one after the other on one client.
std::vector<outcome> send_in_turn(fake_server& server, const std::vector<get_item_request>& requests)
{
    asio::io_context io;
    client c(io.get_executor(), dynomite::test::fake_client_config(server));
    std::vector<outcome> out(requests.size());
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (std::size_t i = 0; i < requests.size(); ++i) {
                auto [ec, response] = co_await c.async_get_item(
                    requests[i], out[i].diag, asio::as_tuple(asio::use_awaitable));
                out[i].ec = ec;
                out[i].response = std::move(response);
                out[i].done = true;
            }
        },
        asio::detached);
    io.run_for(20s);
    return out;
}

TEST(RequestBuffers, ASmallRequestAfterALargeOneCarriesOnlyItsOwnBytes)
{
    fake_server server;
    const std::string long_key(100'000, 'x');
    const std::string long_title(300'000, 'y');
    server.enqueue(fake_action::ok(item_body(long_key, long_title))
                       .with_header("x-amzn-RequestId", std::string(80, 'R')));
    server.enqueue(fake_action::ok(item_body("b", "short")));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "bad key"));
    server.enqueue(fake_action::ok("{}"));

    const std::vector<get_item_request> requests{get("Long", long_key), get("t", "b"),
                                                 get("t", "c"), get("t", "d")};
    const auto results = send_in_turn(server, requests);

    const auto received = server.requests();
    ASSERT_EQ(received.size(), 4u);
    const std::vector<std::pair<std::string, std::string>> sent{
        {"Long", long_key}, {"t", "b"}, {"t", "c"}, {"t", "d"}};
    for (std::size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(boost::json::parse(received[i].body), expected_body(sent[i].first, sent[i].second))
            << "request " << i;
        EXPECT_EQ(received[i].header("content-length"), std::to_string(received[i].body.size()));
        EXPECT_EQ(received[i].header("x-amz-target"), "DynamoDB_20120810.GetItem");
        ASSERT_TRUE(results[i].done) << "request " << i;
        EXPECT_EQ(results[i].diag.request_id, received[i].response_request_id) << "request " << i;
    }

    ASSERT_FALSE(results[0].ec) << results[0].diag.message;
    ASSERT_TRUE(results[0].response.item);
    EXPECT_EQ(results[0].response.item->at("title").as_s(), long_title);

    ASSERT_FALSE(results[1].ec) << results[1].diag.message;
    ASSERT_TRUE(results[1].response.item);
    EXPECT_EQ(results[1].response.item->size(), 2u);
    EXPECT_EQ(results[1].response.item->at("title").as_s(), "short");
    EXPECT_EQ(results[1].diag.request_id.size(), received[1].response_request_id.size());

    EXPECT_TRUE(results[2].ec);
    EXPECT_EQ(results[2].diag.aws_type, "ValidationException");
    EXPECT_EQ(results[2].diag.message, "bad key");

    // The error's answer left nothing behind: no item, no message.
    ASSERT_FALSE(results[3].ec) << results[3].diag.message;
    EXPECT_FALSE(results[3].response.item);
    EXPECT_TRUE(results[3].diag.message.empty());
    EXPECT_TRUE(results[3].diag.aws_type.empty());
}

TEST(RequestBuffers, ARequestRefusedBeforeSendingLeavesNothingForTheNext)
{
    fake_server server;
    server.set_default(fake_action::ok(item_body("a", "kept")));
    // An empty table name is refused by the limit checks, with part of nothing written.
    const std::vector<get_item_request> requests{get("", "refused"), get("t", "a")};
    const auto results = send_in_turn(server, requests);

    ASSERT_TRUE(results[0].done);
    EXPECT_EQ(results[0].ec, dynomite::errc::invalid_argument);
    const auto received = server.requests();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(boost::json::parse(received[0].body), expected_body("t", "a"));
    ASSERT_FALSE(results[1].ec) << results[1].diag.message;
    EXPECT_EQ(results[1].response.item->at("title").as_s(), "kept");
}

TEST(RequestBuffers, ConcurrentRequestsEachSendTheirOwnBody)
{
    fake_server server;
    server.set_default(fake_action::ok("{}").with_delay(2ms));
    asio::io_context io;
    client c(io.get_executor(), dynomite::test::fake_client_config(server));
    // Two waves of 32 at once: the second reuses the first's buffers, whose keys are longer,
    // so that a body left from one of them would show.
    constexpr int wave = 32;
    int finished = 0;
    int failed = 0;
    std::set<std::string> sent;
    for (const std::size_t length : {std::size_t{400}, std::size_t{3}}) {
        for (int i = 0; i < wave; ++i) {
            std::string key = std::string(length, static_cast<char>('a' + i % 26)) +
                              std::to_string(i);
            sent.insert(key);
            c.async_get_item(get("t", key), [&](error_code ec, get_item_response) {
                ++finished;
                failed += ec ? 1 : 0;
            });
        }
        io.restart();
        io.run_for(20s);
    }
    ASSERT_EQ(finished, 2 * wave);
    EXPECT_EQ(failed, 0);

    std::set<std::string> received;
    for (const auto& r : server.requests()) {
        const auto body = boost::json::parse(r.body);
        const std::string key(body.at("Key").at("k").at("S").as_string());
        EXPECT_EQ(body, expected_body("t", key));
        received.insert(key);
    }
    EXPECT_EQ(received, sent);
}

}  // namespace
