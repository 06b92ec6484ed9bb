// The lease coordinator as pure logic: what it takes, steals, renews and gives up for given
// lease rows, shards and times; and workers sharing a simulated lease table with conditional
// writes, checked against the rule that no shard has two valid holders at any time.
#include "query/lease_coordinator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
using detail::lease_claim;
using detail::lease_clock;
using detail::lease_coordinator;
using detail::lineage_shard;
using std::chrono::milliseconds;

const lease_clock::time_point start_time = lease_clock::time_point() + std::chrono::hours(1);
const lease_settings short_leases{.duration = milliseconds(1000), .renew_interval = milliseconds(300)};

std::vector<lineage_shard> flat_shards(int count)
{
    std::vector<lineage_shard> out;
    for (int i = 0; i < count; ++i) out.push_back({"shard-" + std::to_string(i), std::nullopt});
    return out;
}

std::vector<std::string> taken_ids(const lease_coordinator::plan& plan)
{
    std::vector<std::string> out;
    for (const lease_claim& claim : plan.take) out.push_back(claim.shard_id);
    return out;
}

TEST(lease_coordinator, a_lone_worker_takes_every_free_shard)
{
    lease_coordinator me("a", short_leases);
    const auto plan = me.on_leases({}, flat_shards(3), start_time);
    EXPECT_EQ(taken_ids(plan), (std::vector<std::string>{"shard-0", "shard-1", "shard-2"}));
    for (const lease_claim& claim : plan.take) {
        EXPECT_EQ(claim.counter, 0);
        EXPECT_FALSE(claim.stolen);
    }
}

TEST(lease_coordinator, takes_a_fair_share_beside_live_workers)
{
    lease_coordinator me("c", short_leases);
    // b holds two of five shards, a one: three workers, a share of two.
    const std::vector<shard_lease> rows{{"shard-0", "a", 3, false, ""},
                                        {"shard-1", "b", 1, false, "100"},
                                        {"shard-2", "b", 1, false, ""}};
    const auto plan = me.on_leases(rows, flat_shards(5), start_time);
    EXPECT_EQ(taken_ids(plan), (std::vector<std::string>{"shard-3", "shard-4"}));
}

TEST(lease_coordinator, a_lease_expires_when_its_counter_stands_still_for_the_duration)
{
    lease_coordinator me("b", short_leases);
    std::vector<shard_lease> rows{{"shard-0", "a", 5, false, "42"}};
    EXPECT_TRUE(me.on_leases(rows, flat_shards(1), start_time).take.empty());
    EXPECT_TRUE(me.on_leases(rows, flat_shards(1), start_time + milliseconds(999)).take.empty());
    const auto plan = me.on_leases(rows, flat_shards(1), start_time + milliseconds(1000));
    ASSERT_EQ(plan.take.size(), 1u);
    EXPECT_EQ(plan.take[0].counter, 5);
    EXPECT_EQ(plan.take[0].checkpoint, "42");
}

TEST(lease_coordinator, a_renewal_seen_restarts_the_expiry)
{
    lease_coordinator me("b", short_leases);
    std::vector<shard_lease> rows{{"shard-0", "a", 5, false, ""}};
    me.on_leases(rows, flat_shards(1), start_time);
    rows[0].counter = 6;
    EXPECT_TRUE(me.on_leases(rows, flat_shards(1), start_time + milliseconds(600)).take.empty());
    EXPECT_TRUE(me.on_leases(rows, flat_shards(1), start_time + milliseconds(1500)).take.empty());
    EXPECT_EQ(me.on_leases(rows, flat_shards(1), start_time + milliseconds(1600)).take.size(), 1u);
}

TEST(lease_coordinator, a_child_waits_for_its_parent_to_be_finished_by_any_worker)
{
    lease_coordinator me("b", short_leases);
    const std::vector<lineage_shard> shards{{"parent", std::nullopt}, {"child", "parent"}};
    std::vector<shard_lease> rows{{"parent", "a", 2, false, "10"}};
    EXPECT_TRUE(me.on_leases(rows, shards, start_time).take.empty());
    rows[0] = {"parent", "", 3, true, "20"};
    const auto plan = me.on_leases(rows, shards, start_time + milliseconds(10));
    ASSERT_EQ(taken_ids(plan), std::vector<std::string>{"child"});
    EXPECT_TRUE(plan.take[0].after_parent);
    EXPECT_EQ(plan.finished, std::vector<std::string>{"parent"});
}

TEST(lease_coordinator, a_child_of_a_parent_finished_without_a_checkpoint_is_read_from_its_start)
{
    // The parent may have been read to its end with nothing in it: the child's changes since
    // it opened are all new.
    lease_coordinator me("b", short_leases);
    const std::vector<lineage_shard> shards{{"parent", std::nullopt}, {"child", "parent"}};
    const std::vector<shard_lease> rows{{"parent", "", 2, true, ""}};
    const auto plan = me.on_leases(rows, shards, start_time);
    ASSERT_EQ(taken_ids(plan), std::vector<std::string>{"child"});
    EXPECT_TRUE(plan.take[0].after_parent);
}

TEST(lease_coordinator, a_child_of_a_parent_passed_over_starts_where_the_feed_does)
{
    lease_coordinator me("b", short_leases);
    const std::vector<lineage_shard> shards{{"parent", std::nullopt}, {"child", "parent"}};
    const std::vector<shard_lease> rows{{"parent", "", 2, true, "", true}};
    const auto plan = me.on_leases(rows, shards, start_time);
    ASSERT_EQ(taken_ids(plan), std::vector<std::string>{"child"});
    EXPECT_FALSE(plan.take[0].after_parent);
}

TEST(lease_coordinator, a_child_of_a_trimmed_parent_is_read_at_once)
{
    lease_coordinator me("a", short_leases);
    const std::vector<lineage_shard> shards{{"child", "gone"}};
    const auto plan = me.on_leases({}, shards, start_time);
    ASSERT_EQ(taken_ids(plan), std::vector<std::string>{"child"});
    EXPECT_FALSE(plan.take[0].after_parent);
}

TEST(lease_coordinator, a_held_lease_taken_by_another_worker_is_lost)
{
    lease_coordinator me("a", short_leases);
    me.taken({.shard_id = "shard-0"}, 1, start_time);
    const std::vector<shard_lease> rows{{"shard-0", "b", 2, false, ""}};
    const auto plan = me.on_leases(rows, flat_shards(1), start_time + milliseconds(100));
    EXPECT_EQ(plan.lost, std::vector<std::string>{"shard-0"});
    EXPECT_FALSE(me.holds("shard-0", start_time + milliseconds(100)));
}

TEST(lease_coordinator, renews_at_the_interval_and_lapses_without_renewal)
{
    lease_coordinator me("a", short_leases);
    me.taken({.shard_id = "shard-0"}, 1, start_time);
    EXPECT_TRUE(me.renewals_due(start_time + milliseconds(299)).empty());
    const auto due = me.renewals_due(start_time + milliseconds(300));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].counter, 1);
    me.renewed("shard-0", 2, start_time + milliseconds(300));
    EXPECT_TRUE(me.lapse(start_time + milliseconds(1299)).empty());
    EXPECT_TRUE(me.holds("shard-0", start_time + milliseconds(1299)));
    EXPECT_EQ(me.lapse(start_time + milliseconds(1300)), std::vector<std::string>{"shard-0"});
    EXPECT_FALSE(me.holds("shard-0", start_time + milliseconds(1300)));
}

TEST(lease_coordinator, steals_from_a_worker_over_its_share_and_reads_after_a_lease_duration)
{
    lease_coordinator me("b", short_leases);
    std::vector<shard_lease> rows;
    for (int i = 0; i < 4; ++i) rows.push_back({"shard-" + std::to_string(i), "a", 1, false, "7"});
    const auto plan = me.on_leases(rows, flat_shards(4), start_time);
    ASSERT_EQ(plan.take.size(), 1u);
    const lease_claim stolen = plan.take[0];
    EXPECT_TRUE(stolen.stolen);
    EXPECT_EQ(stolen.counter, 1);
    EXPECT_EQ(stolen.checkpoint, "7");
    me.taken(stolen, 2, start_time);
    // a may read until its lease lapses: b waits a lease duration, renewing meanwhile.
    EXPECT_FALSE(me.holds(stolen.shard_id, start_time + milliseconds(999)));
    EXPECT_TRUE(me.usable(start_time + milliseconds(999)).empty());
    EXPECT_EQ(me.renewals_due(start_time + milliseconds(300)).size(), 1u);
    me.renewed(stolen.shard_id, 3, start_time + milliseconds(300));
    const auto ready = me.usable(start_time + milliseconds(1000));
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].shard_id, stolen.shard_id);
    EXPECT_TRUE(me.holds(stolen.shard_id, start_time + milliseconds(1000)));
    EXPECT_TRUE(me.usable(start_time + milliseconds(1001)).empty());
}

TEST(lease_coordinator, takes_nothing_at_its_share)
{
    lease_coordinator me("b", short_leases);
    std::vector<shard_lease> rows;
    for (int i = 0; i < 4; ++i) rows.push_back({"shard-" + std::to_string(i), "a", 1, false, ""});
    // At its share already (two of four): nothing more.
    rows[3] = {"shard-3", "b", 2, false, ""};
    me.taken({.shard_id = "shard-3"}, 2, start_time);
    rows[2] = {"shard-2", "b", 2, false, ""};
    me.taken({.shard_id = "shard-2"}, 2, start_time);
    EXPECT_TRUE(me.on_leases(rows, flat_shards(4), start_time + milliseconds(10)).take.empty());
}

TEST(lease_coordinator, finished_shards_are_not_taken)
{
    lease_coordinator me("a", short_leases);
    const std::vector<shard_lease> rows{{"shard-0", "", 4, true, "9"}};
    EXPECT_TRUE(me.on_leases(rows, flat_shards(1), start_time).take.empty());
}

/// A lease table with DynamoDB's conditional writes, shared by simulated workers.
struct simulated_table {
    std::map<std::string, shard_lease> rows;

    std::vector<shard_lease> all() const
    {
        std::vector<shard_lease> out;
        for (const auto& [id, row] : rows) out.push_back(row);
        return out;
    }
    bool take(const std::string& shard, const std::string& owner, std::int64_t& counter)
    {
        shard_lease& row = rows[shard];
        if (row.counter != counter) return false;
        row = {shard, owner, counter + 1, false, row.sequence_number};
        ++counter;
        return true;
    }
    bool renew(const std::string& shard, const std::string& owner, std::int64_t& counter)
    {
        shard_lease& row = rows[shard];
        if (row.counter != counter || row.owner != owner) return false;
        row.counter = ++counter;
        return true;
    }
};

TEST(lease_coordinator, simulated_workers_never_both_hold_a_shard)
{
    const std::vector<lineage_shard> shards = flat_shards(5);
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937 random(seed);
        simulated_table table;
        std::vector<lease_coordinator> workers;
        std::vector<bool> alive;
        for (int i = 0; i < 3; ++i) {
            workers.emplace_back("w" + std::to_string(i), short_leases);
            alive.push_back(true);
        }
        lease_clock::time_point now = start_time;
        std::size_t handovers = 0;
        for (int step = 0; step < 600; ++step) {
            now += milliseconds(std::uniform_int_distribution<int>(1, 120)(random));
            const std::size_t w = std::uniform_int_distribution<std::size_t>(0, 2)(random);
            if (step == 200) alive[0] = false;  // dies holding its leases
            if (!alive[w]) continue;
            lease_coordinator& worker = workers[w];
            worker.lapse(now);
            for (const auto& due : worker.renewals_due(now)) {
                std::int64_t counter = due.counter;
                if (table.renew(due.shard_id, worker.worker_id(), counter)) {
                    worker.renewed(due.shard_id, counter, now);
                } else {
                    worker.dropped(due.shard_id);
                }
            }
            if (worker.scan_due(now)) {
                for (const lease_claim& claim : worker.on_leases(table.all(), shards, now).take) {
                    std::int64_t counter = claim.counter;
                    if (table.take(claim.shard_id, worker.worker_id(), counter)) {
                        worker.taken(claim, counter, now);
                        ++handovers;
                    }
                }
            }
            for (const lineage_shard& shard : shards) {
                int holders = 0;
                for (const lease_coordinator& each : workers) holders += each.holds(shard.id, now);
                ASSERT_LE(holders, 1) << "seed " << seed << " step " << step << " " << shard.id;
            }
        }
        // The dead worker's shards went to the living ones, shared fairly.
        std::size_t held_by_living = workers[1].held().size() + workers[2].held().size();
        EXPECT_EQ(held_by_living, shards.size()) << "seed " << seed;
        EXPECT_LE(std::max(workers[1].held().size(), workers[2].held().size()), 3u);
        EXPECT_GT(handovers, shards.size());
    }
}

}  // namespace
