// Which shard leases a worker takes, renews, steals and gives up, decided without I/O from the
// lease rows it reads, the stream's shards and its clock. A coroutine (feed_leases.cpp) reads
// the rows, sends the conditional writes and reports their outcome back.
//
// Expiry follows the observer's clock only: a lease held by another worker is expired once its
// counter (or holder) has not changed for the lease duration since this worker first saw it so.
// The holder counts its own lease valid for the lease duration from sending its last successful
// renewal, which was written before any other worker could see that counter: the holder stops
// before another worker may take the lease, whatever the clocks say of the time of day.
#pragma once

#include <dynomite/query/shard_leases.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::detail {

using lease_clock = std::chrono::steady_clock;

/// A shard of the stream and its parent, as DescribeStream lists them.
struct lineage_shard {
    std::string id;
    std::optional<std::string> parent;
};

/// A lease to take: conditional on `counter` (0: no row yet), reading after `checkpoint`, or
/// from the shard's start when `after_parent` (its parent was read by this feed, not passed
/// over by its start position).
struct lease_claim {
    std::string shard_id;
    std::int64_t counter = 0;
    std::string checkpoint;
    bool after_parent = false;
    /// Taken from a live worker to even out the shares. That worker's next renewal fails,
    /// but until then it may still read: a stolen lease is read only once the lease duration
    /// has passed since it was taken, when the former holder's lease has lapsed.
    bool stolen = false;
};

struct lease_renewal {
    std::string shard_id;
    std::int64_t counter = 0;
};

class lease_coordinator {
public:
    lease_coordinator(std::string worker_id, lease_settings settings);

    struct plan {
        std::vector<lease_claim> take;
        /// Held leases that the rows show taken by another worker: stop reading them.
        std::vector<std::string> lost;
        /// Shards the rows mark finished (read to their end by some worker).
        std::vector<std::string> finished;
    };

    /// The lease rows were read at `now`: what to take, and what is lost.
    plan on_leases(const std::vector<shard_lease>& rows, const std::vector<lineage_shard>& shards,
                   lease_clock::time_point now);

    /// Held leases whose renewal is due at `now`.
    std::vector<lease_renewal> renewals_due(lease_clock::time_point now) const;

    /// The take of `claim` sent at `sent_at` succeeded with the new `counter`.
    void taken(const lease_claim& claim, std::int64_t counter, lease_clock::time_point sent_at);
    /// Taken leases that may be read from `now` on, each once: start reading them.
    std::vector<lease_claim> usable(lease_clock::time_point now);
    /// A renewal sent at `sent_at` succeeded with the new `counter`.
    void renewed(std::string_view shard_id, std::int64_t counter,
                 lease_clock::time_point sent_at);
    /// The lease is gone (a conditional write failed, or it was released).
    void dropped(std::string_view shard_id);

    /// Held leases no longer valid at `now` (no renewal succeeded in time): forgotten here;
    /// stop reading them.
    std::vector<std::string> lapse(lease_clock::time_point now);

    bool holds(std::string_view shard_id, lease_clock::time_point now) const;
    std::vector<std::string> held() const;
    bool scan_due(lease_clock::time_point now) const noexcept { return now >= next_scan_; }
    /// The next scan is due at once (new shards were found).
    void rescan() noexcept { next_scan_ = {}; }
    /// When the next renewal or scan is due.
    lease_clock::time_point next_due() const;

    const std::string& worker_id() const noexcept { return worker_; }
    const lease_settings& settings() const noexcept { return settings_; }

private:
    struct held_lease {
        std::int64_t counter = 0;
        lease_clock::time_point renewed_at{};  // when the last successful write was sent
        lease_clock::time_point usable_from{};
        std::optional<lease_claim> unannounced;  // taken, not yet handed to usable()
    };
    struct observation {
        std::string owner;
        std::int64_t counter = 0;
        lease_clock::time_point since{};
    };

    bool expired(const shard_lease& row, lease_clock::time_point now) const;

    std::string worker_;
    lease_settings settings_;
    std::map<std::string, held_lease, std::less<>> held_;
    std::map<std::string, observation, std::less<>> observed_;
    lease_clock::time_point next_scan_{};
};

}  // namespace dynomite::detail
