// Where a change feed keeps its place: the last change processed of each shard, so that a
// feed started again resumes after it.
#pragma once

#include <dynomite/core/diagnostics.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace dynomite {

/// The last change of one shard that a feed's reader has processed.
struct shard_checkpoint {
    std::string shard_id;
    std::string sequence_number;

    friend bool operator==(const shard_checkpoint&, const shard_checkpoint&) = default;
};

/// A store of checkpoints, per feed name and shard. Implement it to keep them elsewhere;
/// memory_checkpoint_store and table_checkpoint_store are provided.
///
/// save() must never move a shard's checkpoint back: a sequence number lower than (or equal
/// to) the one stored leaves it as it is and succeeds. Sequence numbers are decimal strings;
/// compare them as numbers.
class checkpoint_store {
public:
    virtual ~checkpoint_store() = default;

    /// The checkpoints of `feed`, one per shard, in any order; none for a new feed.
    virtual boost::asio::awaitable<error_code> load(const std::string& feed,
                                                    std::vector<shard_checkpoint>& out,
                                                    diagnostics& diag) = 0;

    /// Moves the checkpoints of `feed` forward to `positions` (one per shard).
    virtual boost::asio::awaitable<error_code> save(const std::string& feed,
                                                    const std::vector<shard_checkpoint>& positions,
                                                    diagnostics& diag) = 0;
};

}  // namespace dynomite
