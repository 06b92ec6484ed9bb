#include "query/lease_coordinator.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace dynomite::detail {

lease_coordinator::lease_coordinator(std::string worker_id, lease_settings settings)
    : worker_(std::move(worker_id)), settings_(settings)
{
    if (settings_.scan_interval.count() <= 0) settings_.scan_interval = settings_.renew_interval;
}

bool lease_coordinator::expired(const shard_lease& row, lease_clock::time_point now) const
{
    if (row.owner.empty()) return true;
    const auto seen = observed_.find(row.shard_id);
    return seen != observed_.end() && now - seen->second.since >= settings_.duration;
}

lease_coordinator::plan lease_coordinator::on_leases(const std::vector<shard_lease>& rows,
                                                     const std::vector<lineage_shard>& shards,
                                                     lease_clock::time_point now)
{
    plan out;
    next_scan_ = now + settings_.scan_interval;
    std::map<std::string_view, const shard_lease*> by_shard;
    for (const shard_lease& row : rows) {
        by_shard[row.shard_id] = &row;
        observation& seen = observed_[row.shard_id];
        if (seen.since == lease_clock::time_point{} || seen.owner != row.owner ||
            seen.counter != row.counter) {
            seen = {row.owner, row.counter, now};
        }
        if (row.finished) out.finished.push_back(row.shard_id);
    }
    for (auto it = held_.begin(); it != held_.end();) {
        const auto row = by_shard.find(it->first);
        const bool still_ours = row != by_shard.end() && row->second->owner == worker_ &&
                                row->second->counter == it->second.counter;
        if (still_ours) {
            ++it;
            continue;
        }
        out.lost.push_back(it->first);
        it = held_.erase(it);
    }

    const auto row_of = [&by_shard](const std::string& id) -> const shard_lease* {
        const auto row = by_shard.find(id);
        return row == by_shard.end() ? nullptr : row->second;
    };
    std::set<std::string_view> known;
    for (const lineage_shard& shard : shards) known.insert(shard.id);
    const auto finished = [&row_of](const std::string& id) {
        const shard_lease* row = row_of(id);
        return row && row->finished;
    };
    // A child is read from its start after a parent some worker read (all of the child came
    // later), not after one the start position passed over (the child may hold older changes).
    const auto after_read_parent = [&row_of](const lineage_shard& shard) {
        const shard_lease* parent = shard.parent ? row_of(*shard.parent) : nullptr;
        return parent != nullptr && !parent->passed_over;
    };
    // A child waits for its parent to be finished by whichever worker read it; a parent gone
    // from the stream (trimmed) holds nothing back.
    std::vector<const lineage_shard*> eligible;
    for (const lineage_shard& shard : shards) {
        if (finished(shard.id)) continue;
        if (shard.parent && known.count(*shard.parent) && !finished(*shard.parent)) continue;
        eligible.push_back(&shard);
    }

    std::map<std::string, std::vector<const lineage_shard*>> live;  // other workers' shares
    std::size_t mine = 0;
    for (const lineage_shard* shard : eligible) {
        if (held_.count(shard->id)) {
            ++mine;
            continue;
        }
        const shard_lease* row = row_of(shard->id);
        if (row && !expired(*row, now)) live[row->owner].push_back(shard);
    }
    const std::size_t workers = live.size() + 1;
    const std::size_t target = (eligible.size() + workers - 1) / workers;

    for (const lineage_shard* shard : eligible) {
        if (mine >= target) break;
        if (held_.count(shard->id)) continue;
        const shard_lease* row = row_of(shard->id);
        if (row && !expired(*row, now)) continue;
        out.take.push_back({.shard_id = shard->id,
                            .counter = row ? row->counter : 0,
                            .checkpoint = row ? row->sequence_number : std::string(),
                            .after_parent = after_read_parent(*shard)});
        ++mine;
    }
    // Nothing free and less than a fair share: one lease from the worker with the most, if it
    // has more than its share; one a scan, so that shares settle without leases changing hands
    // back and forth.
    if (mine < target && out.take.empty()) {
        const auto richest = std::max_element(
            live.begin(), live.end(),
            [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
        if (richest != live.end() && richest->second.size() > target) {
            const lineage_shard& shard = *richest->second.back();
            const shard_lease* row = row_of(shard.id);
            out.take.push_back({.shard_id = shard.id,
                                .counter = row->counter,
                                .checkpoint = row->sequence_number,
                                .after_parent = after_read_parent(shard),
                                .stolen = true});
        }
    }
    return out;
}

std::vector<lease_renewal> lease_coordinator::renewals_due(lease_clock::time_point now) const
{
    std::vector<lease_renewal> out;
    for (const auto& [shard, lease] : held_) {
        if (now >= lease.renewed_at + settings_.renew_interval) {
            out.push_back({shard, lease.counter});
        }
    }
    return out;
}

void lease_coordinator::taken(const lease_claim& claim, std::int64_t counter,
                              lease_clock::time_point sent_at)
{
    const auto usable_from = claim.stolen ? sent_at + settings_.duration : sent_at;
    held_[claim.shard_id] = {counter, sent_at, usable_from, claim};
}

std::vector<lease_claim> lease_coordinator::usable(lease_clock::time_point now)
{
    std::vector<lease_claim> out;
    for (auto& [shard, lease] : held_) {
        if (!lease.unannounced || now < lease.usable_from) continue;
        out.push_back(std::move(*lease.unannounced));
        lease.unannounced.reset();
    }
    return out;
}

void lease_coordinator::renewed(std::string_view shard_id, std::int64_t counter,
                                lease_clock::time_point sent_at)
{
    const auto it = held_.find(shard_id);
    if (it == held_.end()) return;
    it->second.counter = counter;
    it->second.renewed_at = sent_at;
}

void lease_coordinator::dropped(std::string_view shard_id)
{
    const auto it = held_.find(shard_id);
    if (it != held_.end()) held_.erase(it);
}

std::vector<std::string> lease_coordinator::lapse(lease_clock::time_point now)
{
    std::vector<std::string> out;
    for (auto it = held_.begin(); it != held_.end();) {
        if (now < it->second.renewed_at + settings_.duration) {
            ++it;
            continue;
        }
        out.push_back(it->first);
        it = held_.erase(it);
    }
    return out;
}

bool lease_coordinator::holds(std::string_view shard_id, lease_clock::time_point now) const
{
    const auto it = held_.find(shard_id);
    return it != held_.end() && now >= it->second.usable_from &&
           now < it->second.renewed_at + settings_.duration;
}

std::vector<std::string> lease_coordinator::held() const
{
    std::vector<std::string> out;
    for (const auto& each : held_) out.push_back(each.first);
    return out;
}

lease_clock::time_point lease_coordinator::next_due() const
{
    lease_clock::time_point due = next_scan_;
    for (const auto& [shard, lease] : held_) {
        due = std::min(due, lease.renewed_at + settings_.renew_interval);
        if (lease.unannounced) due = std::min(due, lease.usable_from);
    }
    return due;
}

}  // namespace dynomite::detail
