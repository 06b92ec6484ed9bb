// The batching mechanism: its decisions without I/O (chunks, what is sent again, when to
// stop, the backoff bound), then its loops against a scripted server.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/query/batch.hpp>
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dynomite {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::fake_action;
using test::fake_server;

batch_get_key key_in(std::string table, std::string id)
{
    return {std::move(table), {{"id", attribute_value(std::move(id))}}};
}

table_write put_in(std::string table, std::string id, int n = 0)
{
    return {std::move(table), put_request{{{"id", attribute_value(std::move(id))}, {"n", n}}}};
}

table_write delete_in(std::string table, std::string id)
{
    return {std::move(table), delete_request{{{"id", attribute_value(std::move(id))}}}};
}

// --- Decisions -------------------------------------------------------------------------------

TEST(BatchDecisions, chunks_cover_every_position_once_in_order)
{
    using ranges = std::vector<std::pair<std::size_t, std::size_t>>;
    EXPECT_EQ(detail::chunk_ranges(0, 25), ranges{});
    EXPECT_EQ(detail::chunk_ranges(25, 25), (ranges{{0, 25}}));
    EXPECT_EQ(detail::chunk_ranges(26, 25), (ranges{{0, 25}, {25, 26}}));
    EXPECT_EQ(detail::chunk_ranges(250, 100), (ranges{{0, 100}, {100, 200}, {200, 250}}));
    EXPECT_EQ(detail::chunk_ranges(3, 0), ranges{});
}

TEST(BatchDecisions, duplicate_keys_are_read_once_and_mapped_back)
{
    const std::vector<batch_get_key> keys{key_in("a", "1"), key_in("b", "1"), key_in("a", "1"),
                                          key_in("a", "2")};
    const auto distinct = detail::deduplicate(keys);
    ASSERT_EQ(distinct.keys.size(), 3u);
    EXPECT_EQ(distinct.slot, (std::vector<std::size_t>{0, 1, 0, 2}));
}

TEST(BatchDecisions, a_get_request_groups_keys_by_table)
{
    const std::vector<batch_get_key> keys{key_in("a", "1"), key_in("b", "1"), key_in("a", "2")};
    batch_get_options options;
    options.consistent_read = true;
    const auto request = detail::make_get_request(keys, {0, 1, 2}, options);
    ASSERT_EQ(request.request_items.size(), 2u);
    EXPECT_EQ(request.request_items[0].first, "a");
    EXPECT_EQ(request.request_items[0].second.keys.size(), 2u);
    EXPECT_EQ(request.request_items[0].second.consistent_read, true);
    EXPECT_EQ(request.request_items[1].first, "b");
    const auto some = detail::make_get_request(keys, {2}, {});
    ASSERT_EQ(some.request_items.size(), 1u);
    EXPECT_EQ(some.request_items[0].second.keys.front(), keys[2].key);
    EXPECT_FALSE(some.request_items[0].second.consistent_read.has_value());
}

TEST(BatchDecisions, an_item_is_matched_to_the_pending_key_it_carries)
{
    const std::vector<batch_get_key> keys{key_in("a", "1"), key_in("b", "1"), key_in("a", "2")};
    const attribute_map item{{"id", "2"}, {"title", "x"}};
    EXPECT_EQ(detail::match_item(keys, {0, 1, 2}, "a", item), 2u);
    EXPECT_EQ(detail::match_item(keys, {0, 1}, "a", item), std::nullopt) << "not pending";
    EXPECT_EQ(detail::match_item(keys, {0, 1, 2}, "c", item), std::nullopt) << "other table";
    const attribute_map one{{"id", "1"}};
    EXPECT_EQ(detail::match_item(keys, {0, 1, 2}, "b", one), 1u);
}

TEST(BatchDecisions, only_the_keys_left_unprocessed_are_sent_again)
{
    const std::vector<batch_get_key> keys{key_in("a", "1"), key_in("b", "1"), key_in("a", "2")};
    per_table<keys_and_attributes> left;
    left.emplace_back("a", keys_and_attributes{{keys[2].key}});
    left.emplace_back("b", keys_and_attributes{{key_in("b", "9").key}});  // not asked
    EXPECT_EQ(detail::unprocessed_keys(keys, {0, 1, 2}, left), (std::vector<std::size_t>{2}));
    EXPECT_EQ(detail::unprocessed_keys(keys, {0, 1}, left), std::vector<std::size_t>{})
        << "no longer pending";
    EXPECT_TRUE(detail::unprocessed_keys(keys, {0, 1, 2}, {}).empty());
}

TEST(BatchDecisions, a_write_request_groups_by_table_and_unprocessed_writes_map_back)
{
    const std::vector<table_write> writes{put_in("a", "1"), delete_in("b", "1"), put_in("a", "2"),
                                          delete_in("a", "1")};
    const auto request = detail::make_write_request(writes, {0, 1, 2, 3});
    ASSERT_EQ(request.request_items.size(), 2u);
    EXPECT_EQ(request.request_items[0].second.size(), 3u);
    EXPECT_EQ(request.request_items[1].second.size(), 1u);

    per_table<std::vector<write_request>> left;
    left.emplace_back("a", std::vector<write_request>{writes[3].write, writes[0].write});
    EXPECT_EQ(detail::unprocessed_writes(writes, {0, 1, 2, 3}, left),
              (std::vector<std::size_t>{0, 3}));
    // A put and a delete of one key are different writes; so are puts of other items.
    per_table<std::vector<write_request>> other;
    other.emplace_back("a", std::vector<write_request>{put_in("a", "1", 5).write});
    EXPECT_TRUE(detail::unprocessed_writes(writes, {0, 1, 2, 3}, other).empty());
}

TEST(BatchDecisions, rounds_stop_when_nothing_is_pending_or_at_the_limit)
{
    EXPECT_TRUE(detail::another_round(1, 3, true));
    EXPECT_TRUE(detail::another_round(2, 3, true));
    EXPECT_FALSE(detail::another_round(3, 3, true));
    EXPECT_FALSE(detail::another_round(1, 3, false));
    EXPECT_FALSE(detail::another_round(1, 1, true));
}

TEST(BatchDecisions, the_backoff_doubles_up_to_its_maximum_with_full_jitter)
{
    database_options options;
    options.batch_write_base_delay = 50ms;
    options.batch_write_max_delay = 300ms;
    EXPECT_EQ(detail::backoff_bound(options, 1), 50ms);
    EXPECT_EQ(detail::backoff_bound(options, 2), 100ms);
    EXPECT_EQ(detail::backoff_bound(options, 3), 200ms);
    EXPECT_EQ(detail::backoff_bound(options, 4), 300ms);
    EXPECT_EQ(detail::backoff_bound(options, 60), 300ms) << "no overflow";
    EXPECT_EQ(detail::backoff_wait(options, 2, 0.0), 0ms);
    EXPECT_EQ(detail::backoff_wait(options, 2, 0.5), 50ms);
    EXPECT_LE(detail::backoff_wait(options, 4, 0.9999), 300ms);
    EXPECT_EQ(detail::backoff_wait(options, 4, 7.0), 300ms) << "clamped";
}

// --- Against a scripted server -----------------------------------------------------------------

std::string items_body(const std::string& table, const std::vector<attribute_map>& items,
                       const std::vector<attribute_map>& unprocessed = {})
{
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.key("Responses");
    w.begin_object();
    w.key(table);
    w.begin_array();
    for (const auto& item : items) detail::write_item(w, item);
    w.end_array();
    w.end_object();
    w.key("UnprocessedKeys");
    w.begin_object();
    if (!unprocessed.empty()) {
        w.key(table);
        w.begin_object();
        w.key("Keys");
        w.begin_array();
        for (const auto& key : unprocessed) detail::write_item(w, key);
        w.end_array();
        w.end_object();
    }
    w.end_object();
    w.end_object();
    return body;
}

std::string unprocessed_puts(const std::string& table, const std::vector<attribute_map>& items)
{
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.key("UnprocessedItems");
    w.begin_object();
    if (!items.empty()) {
        w.key(table);
        w.begin_array();
        for (const auto& item : items) {
            w.begin_object();
            w.key("PutRequest");
            w.begin_object();
            w.key("Item");
            detail::write_item(w, item);
            w.end_object();
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
    w.end_object();
    return body;
}

class BatchRun : public ::testing::Test {
protected:
    BatchRun() : db(make_client(), fast_options()) {}

    client make_client()
    {
        client_config config = dynomite::test::fake_client_config(server);
        config.retry.max_attempts = 1;
        return client(io.get_executor(), config);
    }
    static database_options fast_options()
    {
        database_options options;
        options.max_batch_write_rounds = 3;
        options.batch_write_base_delay = 1ms;
        options.batch_write_max_delay = 2ms;
        return options;
    }

    template <class T>
    T run(asio::awaitable<T> op)
    {
        std::optional<T> result;
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T value) {
            failure = e;
            if (!e) result.emplace(std::move(value));
            done = true;
        });
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!done && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            if (io.run_one_for(20ms) == 0) std::this_thread::sleep_for(1ms);
        }
        if (!done) throw std::runtime_error("the operation did not complete in time");
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

    std::vector<test::recorded_request> requests() const { return server.requests(); }

    fake_server server;
    asio::io_context io;
    database db;
};

TEST_F(BatchRun, batch_get_resends_unprocessed_keys_and_answers_in_the_order_asked)
{
    const attribute_map one{{"id", "1"}, {"v", "one"}};
    const attribute_map two{{"id", "2"}, {"v", "two"}};
    server.enqueue(fake_action::ok(items_body("t", {two}, {{{"id", "1"}}})));
    server.enqueue(fake_action::ok(items_body("t", {one})));
    const std::vector<batch_get_key> keys{key_in("t", "1"), key_in("t", "3"), key_in("t", "2"),
                                          key_in("t", "1")};
    const auto result = run(batch_get(db, keys));
    ASSERT_EQ(result.items.size(), 4u);
    EXPECT_EQ(result.items[0], one);
    EXPECT_FALSE(result.items[1].has_value());
    EXPECT_EQ(result.items[2], two);
    EXPECT_EQ(result.items[3], one);
    EXPECT_TRUE(result.unprocessed.empty());
    const auto sent = requests();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_NE(sent[1].body.find(R"({"id":{"S":"1"}})"), std::string::npos);
    EXPECT_EQ(sent[1].body.find(R"({"id":{"S":"2"}})"), std::string::npos) << "only the rest";
}

TEST_F(BatchRun, batch_get_reports_keys_still_unprocessed_after_the_last_round)
{
    server.enqueue(fake_action::ok(items_body("t", {}, {{{"id", "1"}}})), 4);
    batch_get_options four;
    four.max_rounds = 4;
    const auto result = run(batch_get(db, {key_in("t", "1")}, four));
    EXPECT_EQ(requests().size(), 4u) << "max_rounds";
    ASSERT_EQ(result.unprocessed.size(), 1u);
    EXPECT_EQ(result.unprocessed[0], key_in("t", "1"));
    EXPECT_FALSE(result.items[0].has_value());
}

TEST_F(BatchRun, batch_get_sends_at_most_100_keys_per_request)
{
    std::vector<batch_get_key> keys;
    for (int i = 0; i < 150; ++i) keys.push_back(key_in("t", std::to_string(i)));
    server.enqueue(fake_action::ok(items_body("t", {})), 2);
    const auto result = run(batch_get(db, keys));
    EXPECT_EQ(result.items.size(), 150u);
    const auto sent = requests();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_NE(sent[0].body.find(R"({"id":{"S":"99"}})"), std::string::npos);
    EXPECT_EQ(sent[0].body.find(R"({"id":{"S":"100"}})"), std::string::npos);
    EXPECT_NE(sent[1].body.find(R"({"id":{"S":"149"}})"), std::string::npos);
}

TEST_F(BatchRun, batch_get_failure_comes_with_the_diagnostics)
{
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "no table t"));
    diagnostics diag;
    auto [ec, result] = run(batch_get(db, {key_in("t", "1")}, diag));
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_NE(diag.message.find("no table t"), std::string::npos);
    EXPECT_EQ(result.items.size(), 1u);
}

TEST_F(BatchRun, batch_get_failure_lists_every_key_it_did_not_read)
{
    // 250 keys, 3 requests: the first reads key 0, the second fails after its retries; the
    // keys of the second and third are unknown, not "no item".
    std::vector<batch_get_key> keys;
    for (int i = 0; i < 250; ++i) keys.push_back(key_in("t", std::to_string(i)));
    const attribute_map zero{{"id", "0"}};
    server.enqueue(fake_action::ok(items_body("t", {zero}, {{{"id", "7"}}})));
    server.enqueue(fake_action::ok(items_body("t", {})));
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "no table t"));
    diagnostics diag;
    auto [ec, result] = run(batch_get(db, keys, diag));
    EXPECT_EQ(ec, errc::resource_not_found);
    ASSERT_EQ(result.items.size(), 250u);
    EXPECT_EQ(result.items[0], zero);
    ASSERT_EQ(result.unprocessed.size(), 150u) << "the 100 of the failed request, 50 unsent";
    EXPECT_EQ(result.unprocessed.front(), key_in("t", "100"));
    EXPECT_EQ(result.unprocessed.back(), key_in("t", "249"));
}

TEST_F(BatchRun, batch_write_returns_what_stays_unprocessed_and_never_drops_it)
{
    std::vector<table_write> writes;
    for (int i = 0; i < 30; ++i) writes.push_back(put_in("t", std::to_string(i)));
    const auto& stuck = std::get<put_request>(writes[27].write).item;
    const auto& late = std::get<put_request>(writes[3].write).item;
    server.enqueue(fake_action::ok(unprocessed_puts("t", {late})));
    server.enqueue(fake_action::ok(unprocessed_puts("t", {})));
    server.enqueue(fake_action::ok(unprocessed_puts("t", {stuck})), 3);
    const auto result = run(batch_write(db, writes));
    EXPECT_EQ(result.written, 29u);
    EXPECT_EQ(result.unprocessed, (std::vector<std::size_t>{27}));
    EXPECT_EQ(result.settled, 30u);
    const auto sent = requests();
    ASSERT_EQ(sent.size(), 5u) << "2 rounds for the first group, 3 for the second";
    EXPECT_EQ(sent[0].body.find(R"({"S":"25"})"), std::string::npos) << "25 per request";
}

TEST_F(BatchRun, batch_write_stops_at_a_failure_and_says_how_far_it_got)
{
    std::vector<table_write> writes;
    for (int i = 0; i < 30; ++i) writes.push_back(delete_in("t", std::to_string(i)));
    server.enqueue(fake_action::ok(unprocessed_puts("t", {})));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "refused"));
    diagnostics diag;
    auto [ec, result] = run(batch_write(db, writes, diag));
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(result.written, 25u);
    EXPECT_EQ(result.settled, 30u);
    EXPECT_EQ(result.in_doubt, (std::vector<std::size_t>{25, 26, 27, 28, 29}));
    EXPECT_TRUE(result.unprocessed.empty());
    EXPECT_NE(diag.message.find("refused"), std::string::npos);
    server.enqueue(fake_action::aws_error(400, "ValidationException", "refused again"));
    EXPECT_THROW(run(batch_write(db, {delete_in("t", "x")})), error);
}

TEST_F(BatchRun, a_group_failing_after_a_partial_round_reports_what_that_round_wrote)
{
    std::vector<table_write> writes;
    for (int i = 0; i < 30; ++i) writes.push_back(put_in("t", std::to_string(i)));
    std::vector<attribute_map> left;
    for (int i = 20; i < 25; ++i) left.push_back(std::get<put_request>(writes[i].write).item);
    // Round 1 writes 20 of the first 25 and leaves 5; round 2 fails.
    server.enqueue(fake_action::ok(unprocessed_puts("t", left)));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "refused"));
    diagnostics diag;
    auto [ec, result] = run(batch_write(db, writes, diag));
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(result.written, 20u);
    EXPECT_EQ(result.in_doubt, (std::vector<std::size_t>{20, 21, 22, 23, 24}));
    EXPECT_EQ(result.settled, 25u) << "the second group was not sent";
    EXPECT_TRUE(result.unprocessed.empty());
    EXPECT_EQ(requests().size(), 2u);
}

}  // namespace
}  // namespace dynomite
