// Change feeds sharing a stream through leases, against a real endpoint: three workers read
// one table's stream, the one reading is killed (stopped without giving up its leases)
// mid-way, and the others take over: every write is seen, and no shard is read by two
// workers at once.
#include "integration/integration_fixture.hpp"
#include "support/fault_proxy.hpp"

#include <dynomite/query/changes.hpp>
#include <dynomite/query/memory_checkpoint_store.hpp>
#include <dynomite/query/table_checkpoint_store.hpp>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
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

    void share_and_take_over(const std::shared_ptr<checkpoint_store>& store);

    /// Workers reading one table, each recording the changes it gets.
    struct worker_group {
        std::vector<change_feed> feeds;
        std::vector<std::vector<delivery>> deliveries;
        std::vector<error_code> ended;

        /// The keys seen by any of them.
        std::set<std::string> seen() const;
    };

    /// Starts `count` workers ("worker-0", ...) on `table` through `store`. They write into
    /// `group`, which must stay in place while they read.
    void start_workers(worker_group& group, const std::string& table,
                       const std::shared_ptr<checkpoint_store>& store, int count)
    {
        group.deliveries.resize(count);
        group.ended.resize(count);
        for (int w = 0; w < count; ++w) {
            group.feeds.emplace_back(db, table, worker("worker-" + std::to_string(w), store));
        }
        for (int w = 0; w < count; ++w) {
            asio::co_spawn(io,
                           read_all(group.feeds[w], "worker-" + std::to_string(w),
                                    group.deliveries[w], group.ended[w]),
                           asio::detached);
        }
    }

    /// Writes items `first` to `last` - 1 and waits until the group has seen `last` keys.
    void write_and_wait(const worker_group& group, const std::string& table, int first, int last)
    {
        run(write_items(table, first, last));
        const auto want = static_cast<std::size_t>(last);
        run(wait_until([&] { return group.seen().size() >= want; }, std::chrono::seconds(30)));
    }

    /// Stops every worker and waits until each has ended.
    void stop_workers(worker_group& group)
    {
        for (auto& feed : group.feeds) feed.cancel();
        run(wait_until(
            [&] { return std::count(group.ended.begin(), group.ended.end(), error_code{}) == 0; },
            std::chrono::seconds(10)));
    }

    /// What `store` answers to a fixed script of lease operations: per step, whether it
    /// succeeded, the counter after it, and the leases and checkpoints stored then.
    static asio::awaitable<std::vector<std::string>> lease_script(lease_store& store)
    {
        const std::string feed = "script";
        std::vector<std::string> steps;
        diagnostics diag;
        std::int64_t counter = 0;
        const auto step = [&](error_code ec) -> asio::awaitable<void> {
            std::vector<shard_lease> leases;
            std::vector<shard_checkpoint> checkpoints;
            std::string line = (ec ? ec == errc::conditional_check_failed ? "refused" : ec.message()
                                   : "done") +
                               " counter=" + std::to_string(counter) + " leases:";
            if (error_code load_ec = co_await store.load_leases(feed, leases, diag)) {
                line += " load_leases failed: " + diag.message;
            }
            std::sort(leases.begin(), leases.end(),
                      [](const shard_lease& a, const shard_lease& b) { return a.shard_id < b.shard_id; });
            for (const shard_lease& l : leases) {
                line += " " + l.shard_id + "/" + l.owner + "/" + std::to_string(l.counter) + "/" +
                        (l.finished ? "finished" : "open") + "/" + l.sequence_number +
                        (l.passed_over ? "/passed over" : "");
            }
            line += " checkpoints:";
            if (error_code load_ec = co_await store.load(feed, checkpoints, diag)) {
                line += " load failed: " + diag.message;
            }
            std::sort(checkpoints.begin(), checkpoints.end(),
                      [](const shard_checkpoint& a, const shard_checkpoint& b) {
                          return a.shard_id < b.shard_id;
                      });
            for (const shard_checkpoint& c : checkpoints) {
                line += " " + c.shard_id + "=" + c.sequence_number;
            }
            steps.push_back(std::move(line));
        };
        // Named, not temporaries: GCC 12 destroys some temporaries of a co_await twice.
        const std::string shard_1 = "shard-1", shard_2 = "shard-2", shard_3 = "shard-3";
        const std::string a = "a", b = "b";
        error_code ec = co_await store.take_lease(feed, shard_1, a, counter, diag);
        co_await step(ec);
        std::int64_t stale = 0;
        ec = co_await store.take_lease(feed, shard_1, b, stale, diag);  // taken already
        co_await step(ec);
        std::int64_t not_mine = counter;
        ec = co_await store.renew_lease(feed, shard_1, b, not_mine, diag);
        co_await step(ec);
        const std::int64_t before_renewal = counter;
        ec = co_await store.renew_lease(feed, shard_1, a, counter, diag);
        co_await step(ec);
        std::int64_t old_counter = before_renewal;
        ec = co_await store.renew_lease(feed, shard_1, a, old_counter, diag);
        co_await step(ec);
        const shard_checkpoint at_200{"shard-1", "200"};
        ec = co_await store.save_leased(feed, at_200, a, diag);
        co_await step(ec);
        const shard_checkpoint back_to_100{"shard-1", "100"};
        ec = co_await store.save_leased(feed, back_to_100, a, diag);
        co_await step(ec);
        const shard_checkpoint by_other{"shard-1", "300"};
        ec = co_await store.save_leased(feed, by_other, b, diag);
        co_await step(ec);
        const std::vector<shard_checkpoint> unleased{{"shard-2", "50"}};
        ec = co_await store.save(feed, unleased, diag);
        co_await step(ec);
        std::int64_t fresh = 0;
        ec = co_await store.take_lease(feed, shard_2, b, fresh, diag);
        co_await step(ec);
        std::int64_t expired = counter;  // as after the lease's duration without a renewal
        ec = co_await store.take_lease(feed, shard_1, b, expired, diag);
        counter = expired;
        co_await step(ec);
        ec = co_await store.release_lease(feed, shard_1, a, false, diag);
        co_await step(ec);
        ec = co_await store.release_lease(feed, shard_1, b, true, diag);
        co_await step(ec);
        ec = co_await store.release_lease(feed, shard_3, a, false, diag);
        co_await step(ec);
        const shard_checkpoint same_again{"shard-2", "50"};
        ec = co_await store.save_leased(feed, same_again, b, diag);
        co_await step(ec);
        ec = co_await store.release_passed_over(feed, shard_2, a, diag);  // not a's
        co_await step(ec);
        ec = co_await store.release_passed_over(feed, shard_2, b, diag);
        co_await step(ec);
        co_return steps;
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

/// A checkpoint store that keeps no leases.
class checkpoints_only : public checkpoint_store {
public:
    asio::awaitable<error_code> load(const std::string& feed, std::vector<shard_checkpoint>& out,
                                     diagnostics& diag) override
    {
        co_return co_await kept_.load(feed, out, diag);
    }
    asio::awaitable<error_code> save(const std::string& feed,
                                     const std::vector<shard_checkpoint>& positions,
                                     diagnostics& diag) override
    {
        co_return co_await kept_.save(feed, positions, diag);
    }

private:
    memory_checkpoint_store kept_;
};

/// Leases in memory, except that once armed, the answer to one successful renewal is lost:
/// the renewal is stored, and the worker hears what its retried conditional write would, that
/// the condition failed.
class losing_one_renewal : public memory_checkpoint_store {
public:
    asio::awaitable<error_code> renew_lease(const std::string& feed, const std::string& shard,
                                            const std::string& owner, std::int64_t& counter,
                                            diagnostics& diag) override
    {
        const std::int64_t sent = counter;
        // Before the write, so that no worker can have seen it earlier.
        const lease_time sent_at = std::chrono::steady_clock::now();
        error_code ec =
            co_await memory_checkpoint_store::renew_lease(feed, shard, owner, counter, diag);
        if (ec || !armed || lost) co_return ec;
        lost = true;
        lost_by = owner;
        lost_shard = shard;
        lost_at = sent_at;
        counter = sent;
        diag.message = "The conditional request failed";
        co_return make_error_code(errc::conditional_check_failed);
    }

    bool armed = false;
    bool lost = false;
    std::string lost_by;
    std::string lost_shard;
    lease_time lost_at{};
};

std::set<std::string> keys_seen(const std::vector<delivery>& deliveries)
{
    std::set<std::string> out;
    for (const delivery& each : deliveries) out.insert(each.pk);
    return out;
}

std::set<std::string> stream_leases_test::worker_group::seen() const
{
    std::set<std::string> out;
    for (const auto& each : deliveries) out.merge(keys_seen(each));
    return out;
}

/// Each worker's time reading a shard, from its first change of it to its last: no two
/// workers' times overlap on one shard.
void expect_no_shard_read_by_two_at_once(const std::vector<std::vector<delivery>>& deliveries)
{
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

/// Three workers share one table's stream through `store`; the one that read last is killed
/// mid-way. Every write is seen, and no shard is read by two workers at once.
void stream_leases_test::share_and_take_over(const std::shared_ptr<checkpoint_store>& store)
{
    constexpr int first_half = 30;
    constexpr int all_items = 60;
    const std::string table = create_stream_table();
    worker_group group;
    start_workers(group, table, store, 3);
    auto& feeds = group.feeds;
    const auto& deliveries = group.deliveries;
    write_and_wait(group, table, 0, first_half);
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
    const lease_time killed_at = std::chrono::steady_clock::now();
    write_and_wait(group, table, first_half, all_items);
    stop_workers(group);

    // At least once: every write was seen; the killed worker's last changes may come again.
    EXPECT_EQ(group.seen().size(), static_cast<std::size_t>(all_items));
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
    lease_time taken_over = lease_time::max();
    for (const auto& each : deliveries) {
        for (const delivery& d : each) {
            if (std::stoi(d.pk.substr(5)) >= first_half) taken_over = std::min(taken_over, d.at);
        }
    }
    std::cout << "take-over: the first change after the kill came "
              << std::chrono::duration_cast<std::chrono::milliseconds>(taken_over - killed_at).count()
              << " ms after it (lease duration 1500 ms); " << total << " deliveries of "
              << all_items << " changes\n";

    expect_no_shard_read_by_two_at_once(deliveries);
}

TEST_F(stream_leases_test, workers_share_a_stream_and_take_over_from_a_killed_one)
{
    share_and_take_over(create_checkpoint_table());
}

// The workers of one process may share a stream through the store in memory alike.
TEST_F(stream_leases_test, workers_of_one_process_share_a_stream_through_memory)
{
    share_and_take_over(std::make_shared<memory_checkpoint_store>());
}

// The store in memory answers every lease operation as the table does.
// A renewal stored but whose answer was lost reads to its worker as a lost lease: the worker
// stops reading the shard, and a worker (another, or the same) takes it once it has expired.
// Nothing is missed, and no shard is read by two workers at once.
TEST_F(stream_leases_test, a_renewal_whose_answer_is_lost_costs_a_lease_time_and_no_change)
{
    constexpr int first_half = 20;
    constexpr int all_items = 40;
    const std::string table = create_stream_table();
    const auto store = std::make_shared<losing_one_renewal>();
    worker_group group;
    start_workers(group, table, store, 2);
    const auto& deliveries = group.deliveries;
    write_and_wait(group, table, 0, first_half);
    store->armed = true;
    run(wait_until([&] { return store->lost; }, std::chrono::seconds(10)));
    write_and_wait(group, table, first_half, all_items);
    stop_workers(group);

    EXPECT_EQ(group.seen().size(), static_cast<std::size_t>(all_items));
    expect_no_shard_read_by_two_at_once(deliveries);
    // The shard of the lost lease was read again only once that lease had expired.
    lease_time resumed = lease_time::max();
    std::string resumed_by;
    for (const auto& each : deliveries) {
        for (const delivery& d : each) {
            if (d.shard == store->lost_shard && std::stoi(d.pk.substr(5)) >= first_half &&
                d.at < resumed) {
                resumed = d.at;
                resumed_by = d.worker;
            }
        }
    }
    ASSERT_NE(resumed, lease_time::max())
        << "no change of " << store->lost_shard << " was read after the loss";
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(resumed - store->lost_at);
    EXPECT_GE(waited, std::chrono::milliseconds(1500)) << resumed_by;
    std::cout << "lost renewal answer of " << store->lost_by << ": reading resumed by "
              << resumed_by << " " << waited.count() << " ms later (lease duration 1500 ms)\n";
}

TEST_F(stream_leases_test, the_memory_store_keeps_leases_as_the_table_does)
{
    const auto table = create_checkpoint_table();
    memory_checkpoint_store memory;
    const std::vector<std::string> in_table = run(lease_script(*table));
    const std::vector<std::string> in_memory = run(lease_script(memory));
    EXPECT_EQ(in_memory, in_table);
    // The script's own expectations, so that the two cannot agree on a wrong answer.
    const std::vector<std::string> outcomes{"done", "refused", "refused", "done", "refused",
                                            "done", "refused", "refused", "done", "done",
                                            "done", "refused", "done", "refused", "done",
                                            "refused", "done"};
    ASSERT_EQ(in_table.size(), outcomes.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        EXPECT_EQ(in_table[i].substr(0, in_table[i].find(' ')), outcomes[i]) << in_table[i];
    }
    EXPECT_EQ(in_table.back(),
              "done counter=3 leases: shard-1//4/finished/200 shard-2//2/finished/50/passed over "
              "checkpoints: shard-1=200 shard-2=50");

    // A refusal names the lease as it stands.
    diagnostics diag;
    std::int64_t stale = 0;
    const std::string feed = "script", shard = "shard-1", owner = "c";
    EXPECT_EQ(run(memory.take_lease(feed, shard, owner, stale, diag)),
              errc::conditional_check_failed);
    EXPECT_EQ(diag.message,
              "the lease of shard \"shard-1\" of feed \"script\" is held by no one with counter 4");
    EXPECT_EQ(stale, 0);
}

// Through a proxy that forwards lease writes and then drops half their answers: the client
// retries each, and the retry meets the write already applied. The store takes that for the
// write's success, not for a lease lost, and the row read straight from the table agrees.
TEST_F(stream_leases_test, lease_writes_whose_answers_are_lost_keep_the_lease)
{
    const auto direct = create_checkpoint_table();
    fault_proxy_options options;
    options.upstream = db.endpoint_url();
    options.fault_rate = 0.5;
    options.seed = 7;  // the same faults on every run
    options.weights = only(fault_kind::reset_after_forward);
    fault_proxy proxy(options);
    auto config = base_config();
    config.endpoint = proxy.url();
    config.retry.max_attempts = 10;
    table_checkpoint_store store(client(io.get_executor(), config), direct->table_name());

    constexpr int renewals = 20;
    std::int64_t counter = 0;
    diagnostics diag;
    ASSERT_FALSE(run(store.take_lease("lossy", "shard-1", "worker-a", counter, diag)))
        << diag.to_string();
    for (int i = 0; i < renewals; ++i) {
        ASSERT_FALSE(run(store.renew_lease("lossy", "shard-1", "worker-a", counter, diag)))
            << "renewal " << i << ": " << diag.to_string();
    }
    EXPECT_EQ(counter, renewals + 1);
    EXPECT_GT(proxy.faults(fault_kind::reset_after_forward), 0u);

    std::vector<shard_lease> rows;
    ASSERT_FALSE(run(direct->load_leases("lossy", rows, diag))) << diag.to_string();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].owner, "worker-a");
    EXPECT_EQ(rows[0].counter, renewals + 1);
    std::cout << "lease writes: " << renewals + 1 << " through "
              << proxy.faults(fault_kind::reset_after_forward)
              << " answers lost after the write\n";
}

TEST_F(stream_leases_test, a_worker_needs_a_lease_store_and_lease_times_that_allow_renewal)
{
    const std::string table = create_stream_table();
    diagnostics diag;
    auto options = worker("w", std::make_shared<checkpoints_only>());
    change_feed without_leases(db, table, options);
    auto [ec, next] = run(without_leases.async_next(diag, asio::as_tuple(asio::use_awaitable)));
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
