// Leases: several processes share the shards of one stream, each shard read by one of them at
// a time, coordinated through the rows of a checkpoint table.
#pragma once

#include <dynomite/core/diagnostics.hpp>
#include <dynomite/query/checkpoint_store.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dynomite {

/// How long a lease lasts and how often its holder renews it.
struct lease_settings {
    /// A lease whose counter has not moved for this long (as the observer's clock measures)
    /// is expired and may be taken; its holder stops reading the shard once this long has
    /// passed since it sent its last successful renewal.
    std::chrono::milliseconds duration{std::chrono::seconds(10)};
    /// How often a holder renews its leases (well under `duration`).
    std::chrono::milliseconds renew_interval{std::chrono::seconds(3)};
    /// How often the lease rows are read to find shards to take; renew_interval when 0.
    std::chrono::milliseconds scan_interval{0};
};

/// One shard's lease as stored: its holder (empty: none), a counter that every change of
/// holder and every renewal increments, whether the shard has been read to its end and
/// processed, its checkpoint (empty: none), and whether it was finished unread because the
/// feed's start position lay past all of it.
struct shard_lease {
    std::string shard_id;
    std::string owner;
    std::int64_t counter = 0;
    bool finished = false;
    std::string sequence_number;
    bool passed_over = false;

    friend bool operator==(const shard_lease&, const shard_lease&) = default;
};

/// A checkpoint store that also keeps leases. Every write is conditional: taking a lease on
/// the counter seen, renewing, finishing and checkpointing on still holding it. An operation
/// whose condition fails completes with errc::conditional_check_failed: the lease is lost
/// (or was taken first by another worker).
class lease_store : public checkpoint_store {
public:
    /// The leases of `feed`, in any order.
    virtual boost::asio::awaitable<error_code> load_leases(const std::string& feed,
                                                           std::vector<shard_lease>& out,
                                                           diagnostics& diag) = 0;

    /// Makes `owner` the holder of `shard`'s lease if its counter is still `counter` (0: no
    /// lease row yet); on success, `counter` is the new one.
    virtual boost::asio::awaitable<error_code> take_lease(const std::string& feed,
                                                          const std::string& shard,
                                                          const std::string& owner,
                                                          std::int64_t& counter,
                                                          diagnostics& diag) = 0;

    /// Renews `owner`'s lease of `shard` whose counter is `counter`; on success, `counter`
    /// is the new one.
    virtual boost::asio::awaitable<error_code> renew_lease(const std::string& feed,
                                                           const std::string& shard,
                                                           const std::string& owner,
                                                           std::int64_t& counter,
                                                           diagnostics& diag) = 0;

    /// Gives up `owner`'s lease of `shard`; with `finished`, marks the shard read to its end
    /// and processed, so that its children may be read (from their start).
    virtual boost::asio::awaitable<error_code> release_lease(const std::string& feed,
                                                             const std::string& shard,
                                                             const std::string& owner,
                                                             bool finished,
                                                             diagnostics& diag) = 0;

    /// Moves the checkpoint of `position.shard_id` forward while `owner` holds its lease.
    virtual boost::asio::awaitable<error_code> save_leased(const std::string& feed,
                                                           const shard_checkpoint& position,
                                                           const std::string& owner,
                                                           diagnostics& diag) = 0;

    /// Gives up `owner`'s lease of `shard`, which the feed's start position passed over (it
    /// ended before the start), marking it finished and passed over: its children start where
    /// the start position puts them rather than at their start. A store that keeps no such
    /// mark releases it as finished.
    virtual boost::asio::awaitable<error_code> release_passed_over(const std::string& feed,
                                                                   const std::string& shard,
                                                                   const std::string& owner,
                                                                   diagnostics& diag)
    {
        return release_lease(feed, shard, owner, true, diag);
    }
};

}  // namespace dynomite
