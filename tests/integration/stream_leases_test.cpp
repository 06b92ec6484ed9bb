// Change feeds sharing a stream through leases, against a real endpoint: three workers read
// one table's stream, the one reading is killed (stopped without giving up its leases)
// mid-way, and the others take over: every write is seen, and no shard is read by two
// workers at once.
#include "integration/integration_fixture.hpp"

#include <dynomite/query/changes.hpp>
#include <dynomite/query/memory_checkpoint_store.hpp>
#include <dynomite/query/table_checkpoint_store.hpp>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dynomite::test::leases {

using lease_time = std::chrono::steady_clock::time_point;

/// One change as a worker's reader got it.
struct delivery {
    std::string worker;
    std::string shard;
    std::string pk;
    lease_time at;
};

class stream_leases_test : public integration_test {
protected:
    std::string create_stream_table()
    {
        auto name = unique_table_name("dyn-leases");
        track_table(name);
        create_table_request request = table_request(name, {});
        request.stream_specification = stream_specification{true, stream_view_type::keys_only};
        run(db.create_table(std::move(request)));
        run(wait_until_active(name));
        return name;
    }

    std::shared_ptr<table_checkpoint_store> create_checkpoint_table()
    {
        const std::string name = unique_table_name("dyn-lease-rows");
        track_table(name);
        run(db.create_table(table_checkpoint_store::table_definition(name)));
        run(wait_until_active(name));
        return std::make_shared<table_checkpoint_store>(db, name);
    }

    static change_feed_options worker(std::string id, std::shared_ptr<checkpoint_store> store)
    {
        return {.start = shard_iterator_type::trim_horizon,
                .describe_interval = std::chrono::milliseconds(500),
                .min_idle_wait = std::chrono::milliseconds(20),
                .max_idle_wait = std::chrono::milliseconds(100),
                .checkpoints = std::move(store),
                .feed_name = "shared",
                .worker_id = std::move(id),
                .leases = {.duration = std::chrono::milliseconds(1500),
                           .renew_interval = std::chrono::milliseconds(300)}};
    }

    /// Reads `feed` until it stops, recording each change.
    asio::awaitable<void> read_all(change_feed& feed, std::string id,
                                   std::vector<delivery>& out, error_code& ended)
    {
        for (;;) {
            diagnostics diag;
            auto [ec, next] = co_await feed.async_next(diag, asio::as_tuple(asio::use_awaitable));
            if (ec || !next) {
                ended = ec;
                co_return;
            }
            out.push_back({id, next->shard_id, next->keys.at("pk").as_s(),
                           std::chrono::steady_clock::now()});
        }
    }

    asio::awaitable<void> write_items(std::string table, int first, int last)
    {
        for (int i = first; i < last; ++i) {
            put_item_request put{.table_name = table,
                                 .item = {{"pk", "item-" + std::to_string(i)}, {"sk", "0"}}};
            co_await db.put_item(put);
        }
    }

    /// Waits until `done` holds (polled), failing after `limit`.
    asio::awaitable<void> wait_until(std::function<bool()> done, std::chrono::seconds limit)
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) {
                throw std::runtime_error("the workers did not get there in time");
            }
            co_await sleep_for(std::chrono::milliseconds(20));
        }
    }
};

std::set<std::string> keys_seen(const std::vector<delivery>& deliveries)
{
    std::set<std::string> out;
    for (const delivery& each : deliveries) out.insert(each.pk);
    return out;
}

TEST_F(stream_leases_test, workers_share_a_stream_and_take_over_from_a_killed_one)
{
    constexpr int first_half = 30;
    constexpr int all_items = 60;
    const std::string table = create_stream_table();
    const auto store = create_checkpoint_table();
    std::vector<change_feed> feeds;
    std::vector<std::vector<delivery>> deliveries(3);
    std::vector<error_code> ended(3);
    for (int w = 0; w < 3; ++w) {
        feeds.emplace_back(db, table, worker("worker-" + std::to_string(w), store));
    }
    for (int w = 0; w < 3; ++w) {
        asio::co_spawn(io, read_all(feeds[w], "worker-" + std::to_string(w), deliveries[w], ended[w]),
                       asio::detached);
    }
    const auto seen_by_all = [&] {
        std::set<std::string> out;
        for (const auto& each : deliveries) out.merge(keys_seen(each));
        return out;
    };

    run(write_items(table, 0, first_half));
    run(wait_until([&] { return seen_by_all().size() >= first_half; }, std::chrono::seconds(30)));
    // The worker that read last is killed: stopped, its leases left to expire.
    int killed = 0;
    lease_time last{};
    for (int w = 0; w < 3; ++w) {
        if (!deliveries[w].empty() && deliveries[w].back().at > last) {
            last = deliveries[w].back().at;
            killed = w;
        }
    }
    feeds[killed].cancel();
    run(write_items(table, first_half, all_items));
    run(wait_until([&] { return seen_by_all().size() >= all_items; }, std::chrono::seconds(30)));
    for (auto& feed : feeds) feed.cancel();
    run(wait_until([&] { return std::count(ended.begin(), ended.end(), error_code{}) == 0; },
                   std::chrono::seconds(10)));

    // At least once: every write was seen; the killed worker's last changes may come again.
    EXPECT_EQ(seen_by_all().size(), static_cast<std::size_t>(all_items));
    std::size_t total = 0;
    for (const auto& each : deliveries) total += each.size();
    EXPECT_GE(total, static_cast<std::size_t>(all_items));
    // Another worker carried on after the killed one.
    std::set<std::string> second_half_readers;
    for (int w = 0; w < 3; ++w) {
        for (const delivery& each : deliveries[w]) {
            if (std::stoi(each.pk.substr(5)) >= first_half) second_half_readers.insert(each.worker);
        }
    }
    EXPECT_FALSE(second_half_readers.empty());
    EXPECT_FALSE(second_half_readers.count("worker-" + std::to_string(killed)));

    // Each worker's time reading a shard, from its first change of it to its last: no two
    // workers' times overlap on one shard.
    struct holding {
        lease_time from;
        lease_time to;
    };
    std::map<std::string, std::map<std::string, holding>> by_shard;  // shard -> worker -> time
    for (const auto& each : deliveries) {
        for (const delivery& d : each) {
            auto [it, fresh] = by_shard[d.shard].try_emplace(d.worker, holding{d.at, d.at});
            if (!fresh) it->second.to = d.at;
        }
    }
    for (const auto& [shard, workers] : by_shard) {
        for (auto a = workers.begin(); a != workers.end(); ++a) {
            for (auto b = std::next(a); b != workers.end(); ++b) {
                const bool apart = a->second.to < b->second.from || b->second.to < a->second.from;
                EXPECT_TRUE(apart) << shard << " read by " << a->first << " and " << b->first
                                   << " at once";
            }
        }
    }
}

TEST_F(stream_leases_test, a_worker_needs_a_lease_store_and_lease_times_that_allow_renewal)
{
    const std::string table = create_stream_table();
    diagnostics diag;
    auto options = worker("w", std::make_shared<memory_checkpoint_store>());
    change_feed in_memory(db, table, options);
    auto [ec, next] = run(in_memory.async_next(diag, asio::as_tuple(asio::use_awaitable)));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("keeps leases"), std::string::npos) << diag.message;

    options = worker("w", create_checkpoint_table());
    options.leases.renew_interval = options.leases.duration;
    change_feed too_slow(db, table, options);
    auto [slow_ec, slow_next] = run(too_slow.async_next(diag, asio::as_tuple(asio::use_awaitable)));
    EXPECT_EQ(slow_ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("must exceed the renew interval"), std::string::npos)
        << diag.message;
}

}  // namespace dynomite::test::leases
