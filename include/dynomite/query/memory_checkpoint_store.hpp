// Checkpoints kept in memory: for tests, and for a feed restarted within one process.
#pragma once

#include <dynomite/query/checkpoint_store.hpp>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace dynomite {

/// Thread-safe; lives as long as the process.
class memory_checkpoint_store : public checkpoint_store {
public:
    boost::asio::awaitable<error_code> load(const std::string& feed,
                                            std::vector<shard_checkpoint>& out,
                                            diagnostics& diag) override;
    boost::asio::awaitable<error_code> save(const std::string& feed,
                                            const std::vector<shard_checkpoint>& positions,
                                            diagnostics& diag) override;

    /// The checkpoints of `feed` now, by shard.
    std::map<std::string, std::string> positions(const std::string& feed) const;

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, std::string> stored_;
};

}  // namespace dynomite
