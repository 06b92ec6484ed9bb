// One client, one database and the model layer shared by 64 coroutines on an io_context run by
// 4 threads, against DynamoDB: built with ThreadSanitizer (scripts/test), a data race in the
// library fails the run. Every result is checked against what was written and against a Scan,
// so the run cannot pass without doing the work.
#include "integration/integration_fixture.hpp"

#include <dynomite/model.hpp>
#include <dynomite/query/database.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

constexpr int thread_count = 4;
constexpr int coroutine_count = 64;
constexpr int rounds = 4;
constexpr int group_count = 8;
// Each coroutine writes one raw item and one model record per round, all in its group.
constexpr std::int64_t items_per_group =
    std::int64_t{coroutine_count / group_count} * rounds * 2;

// Key pk, sk; index by_group on gpk. The model's keys are discovered from DescribeTable,
// through the database's schema cache.
struct StressItem : model<StressItem> {
    std::string pk;
    std::string sk;
    std::string gpk;
    std::string gsk;
    std::string payload;
    int n = 0;

    static void define(model_definition<StressItem>& s)
    {
        s.field("pk", &StressItem::pk);
        s.field("sk", &StressItem::sk);
        s.field("gpk", &StressItem::gpk);
        s.field("gsk", &StressItem::gsk);
        s.field("payload", &StressItem::payload);
        s.field("n", &StressItem::n);
        s.timestamps(false);
    }
};

std::string group_of(int coroutine) { return "group-" + std::to_string(coroutine % group_count); }
std::string round_key(int round) { return "round-" + std::to_string(round); }
std::string raw_pk(int coroutine) { return "raw-" + std::to_string(coroutine); }
std::string model_pk(int coroutine) { return "model-" + std::to_string(coroutine); }
// The model record's final value of n: update() sets the base, increment() adds one.
int updated_n(int coroutine, int round) { return coroutine * 10 + round; }

// The item PutItem writes for one coroutine and round, with a value of each kind.
attribute_map raw_item(int coroutine, int round)
{
    const std::string tag = std::to_string(coroutine) + "/" + std::to_string(round);
    return attribute_map{
        {"pk", attribute_value(raw_pk(coroutine))},
        {"sk", attribute_value(round_key(round))},
        {"gpk", attribute_value(group_of(coroutine))},
        {"gsk", attribute_value("raw " + tag)},
        {"payload", attribute_value(std::string(64 + coroutine, 'a' + coroutine % 26))},
        {"n", attribute_value(coroutine * 1000 + round)},
        {"flag", attribute_value(coroutine % 2 == 0)},
        {"tags", attribute_value(string_set{{"t" + tag, "shared"}})},
        {"nested", attribute_value(attribute_map{
                       {"list", attribute_value(attribute_list{attribute_value(tag),
                                                               attribute_value(round)})}})},
    };
}

// The model record as it is in the table after its coroutine's round.
attribute_map final_model_item(int coroutine, int round)
{
    return attribute_map{
        {"pk", attribute_value(model_pk(coroutine))},
        {"sk", attribute_value(round_key(round))},
        {"gpk", attribute_value(group_of(coroutine))},
        {"gsk", attribute_value("model " + std::to_string(coroutine) + "/" +
                                std::to_string(round))},
        {"payload", attribute_value("updated " + std::to_string(coroutine))},
        {"n", attribute_value(updated_n(coroutine, round) + 1)},
    };
}

// A client's completion is dispatched to the coroutine's strand from within the client's own
// strand, so the code after an await runs nested in the client's strand, serialized with every
// other coroutine's. Posting to the coroutine's strand first lets the model layer's code that
// follows (planning, the schema cache, building records) run on another thread at the same time
// as the client's strand: what ThreadSanitizer needs to see to find a race between the two.
asio::awaitable<void> leave_client_strand()
{
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

class ConcurrentStressTest : public test::integration_test {
protected:
    ConcurrentStressTest() : database_(db) { set_default_database(database_); }
    ~ConcurrentStressTest() override { clear_default_database(); }

    // Failures of the coroutines, reported on the test's thread at the end.
    void fail(std::string what)
    {
        std::lock_guard lock(mutex_);
        failures_.push_back(std::move(what));
    }
    void note_thread()
    {
        std::lock_guard lock(mutex_);
        threads_seen_.insert(std::this_thread::get_id());
    }

    // Raw PutItem and a consistent GetItem of the same item through the shared client.
    asio::awaitable<void> put_and_get(int coroutine, int round)
    {
        put_item_request put;
        put.table_name = table_;
        put.item = raw_item(coroutine, round);
        co_await leave_client_strand();
        co_await db.put_item(put);
        note_thread();
        get_item_request get;
        get.table_name = table_;
        get.key = test::key_of(raw_pk(coroutine), attribute_value(round_key(round)));
        get.consistent_read = true;
        co_await leave_client_strand();
        const auto got = co_await db.get_item(get);
        note_thread();
        if (!got.item || !(*got.item == put.item)) {
            fail("GetItem of " + raw_pk(coroutine) + "/" + round_key(round) +
                 " does not give back the item written");
        }
    }

    // A model record saved, found, updated, incremented and found again.
    asio::awaitable<void> save_and_update(int coroutine, int round)
    {
        const std::string where = model_pk(coroutine) + "/" + round_key(round);
        StressItem record;
        record.pk = model_pk(coroutine);
        record.sk = round_key(round);
        record.gpk = group_of(coroutine);
        record.gsk = "model " + std::to_string(coroutine) + "/" + std::to_string(round);
        record.payload = "created " + std::to_string(coroutine);
        co_await leave_client_strand();
        if (!co_await record.save()) {
            fail("save of " + where + ": " + record.errors().to_string());
            co_return;
        }
        note_thread();
        const attribute_value partition(record.pk);
        const attribute_value sort(record.sk);
        co_await leave_client_strand();
        auto found = co_await StressItem::find(partition, sort, consistent);
        note_thread();
        if (!found || found->payload != record.payload || found->gpk != record.gpk ||
            found->n != 0) {
            fail("find after save of " + where + " does not give back the record saved");
            co_return;
        }
        const attribute_map changes{{"payload", attribute_value("updated " +
                                                                std::to_string(coroutine))},
                                    {"n", attribute_value(updated_n(coroutine, round))}};
        co_await leave_client_strand();
        if (!co_await record.update(changes)) {
            fail("update of " + where + ": " + record.errors().to_string());
            co_return;
        }
        co_await leave_client_strand();
        const number incremented = co_await record.increment("n");
        note_thread();
        if (incremented != number(std::to_string(updated_n(coroutine, round) + 1))) {
            fail("increment of " + where + " gives " + incremented.text());
        }
        co_await leave_client_strand();
        found = co_await StressItem::find(partition, sort, consistent);
        if (!found || found->payload != "updated " + std::to_string(coroutine) ||
            found->n != updated_n(coroutine, round) + 1) {
            fail("find after update of " + where + " does not give back the update");
        }
    }

    // A count of the group through the by_group index, while others write to it.
    asio::awaitable<void> count_group(int coroutine)
    {
        co_await leave_client_strand();
        const auto relation = StressItem::where("gpk", group_of(coroutine));
        const std::int64_t counted = co_await relation.count();
        note_thread();
        if (counted < 1 || counted > items_per_group) {
            fail("count of " + group_of(coroutine) + " during the writes is " +
                 std::to_string(counted) + ", outside 1.." + std::to_string(items_per_group));
        }
    }

    asio::awaitable<void> worker(int coroutine)
    {
        for (int round = 0; round < rounds; ++round) {
            co_await put_and_get(coroutine, round);
            co_await save_and_update(coroutine, round);
            co_await count_group(coroutine);
        }
    }

    // Every item of the table, with consistent Scan pages.
    asio::awaitable<std::vector<attribute_map>> scan_all()
    {
        std::vector<attribute_map> items;
        scan_request request;
        request.table_name = table_;
        request.consistent_read = true;
        for (;;) {
            auto page = co_await db.scan(request);
            for (auto& item : page.items) items.push_back(std::move(item));
            if (!page.last_evaluated_key) break;
            request.exclusive_start_key = std::move(page.last_evaluated_key);
        }
        co_return items;
    }

    database database_;
    std::string table_;
    std::mutex mutex_;
    std::vector<std::string> failures_;
    std::set<std::thread::id> threads_seen_;
};

TEST_F(ConcurrentStressTest, OneClientAndTheModelLayerOnFourThreads)
{
    // The fixture's table with by_group keyed on gpk alone, so that a relation on gpk queries it.
    test::table_spec spec;
    spec.global_index = true;
    auto request = table_request(test::unique_table_name("tsan-stress"), spec);
    std::erase_if(request.attribute_definitions,
                  [](const attribute_definition& d) { return d.attribute_name == "gsk"; });
    request.global_secondary_indexes.at(0).key_schema.pop_back();
    table_ = request.table_name;
    track_table(table_);
    run(db.create_table(request));
    run(wait_until_active(table_));
    StressItem::set_table_name(table_);

    // The 64 coroutines, each on a strand of its own, then 4 threads that run the io_context;
    // the last coroutine to finish stops it (the client's idle connections would keep it busy).
    std::atomic<int> unfinished{coroutine_count};
    for (int c = 0; c < coroutine_count; ++c) {
        asio::co_spawn(asio::make_strand(io), worker(c), [this, c, &unfinished](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    fail("coroutine " + std::to_string(c) + " threw: " + ex.what());
                }
            }
            if (unfinished.fetch_sub(1) == 1) io.stop();
        });
    }
    if (io.stopped()) io.restart();
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; ++t) threads.emplace_back([this] { io.run(); });
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(unfinished.load(), 0) << "the io_context stopped before every coroutine finished";
    for (const auto& failure : failures_) ADD_FAILURE() << failure;
    EXPECT_GT(threads_seen_.size(), 1u) << "every step ran on one thread: nothing ran concurrently";

    // The table holds exactly what was written, and each group's count through the index
    // (the model layer's Query with Select COUNT) matches the Scan's.
    io.restart();
    const auto items = run(scan_all());
    std::map<std::string, std::int64_t> scanned_per_group;
    std::map<std::pair<std::string, std::string>, const attribute_map*> by_key;
    for (const auto& item : items) {
        scanned_per_group[item.at("gpk").as_s()] += 1;
        by_key[{item.at("pk").as_s(), item.at("sk").as_s()}] = &item;
    }
    EXPECT_EQ(items.size(), std::size_t{coroutine_count} * rounds * 2);
    for (int c = 0; c < coroutine_count; ++c) {
        for (int r = 0; r < rounds; ++r) {
            for (const auto& expected : {raw_item(c, r), final_model_item(c, r)}) {
                const auto key = std::pair{expected.at("pk").as_s(), expected.at("sk").as_s()};
                const auto it = by_key.find(key);
                if (it == by_key.end()) {
                    ADD_FAILURE() << "the Scan misses " << key.first << "/" << key.second;
                } else {
                    EXPECT_TRUE(*it->second == expected)
                        << key.first << "/" << key.second << " differs from what was written";
                }
            }
        }
    }
    ASSERT_EQ(scanned_per_group.size(), std::size_t{group_count});
    for (const auto& [group, scanned] : scanned_per_group) {
        EXPECT_EQ(scanned, items_per_group) << group;
        const auto relation = StressItem::where("gpk", group);
        EXPECT_EQ(run(relation.count()), scanned) << group;
        const auto plan = run(relation.explain());
        EXPECT_EQ(plan.op, query_plan::operation::query) << plan.to_string();
        EXPECT_EQ(plan.index_name, test::global_index_name) << plan.to_string();
    }
}

}  // namespace
