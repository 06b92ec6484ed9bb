// Checkpoints and leases kept in memory: for tests, for a feed restarted within one process,
// and for workers of one process sharing a stream.
#pragma once

#include <dynomite/query/shard_leases.hpp>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace dynomite {

/// Thread-safe; lives as long as the process. Its leases obey the same conditions as
/// table_checkpoint_store's, so several feeds of one process may share a stream through it.
class memory_checkpoint_store : public lease_store {
public:
    boost::asio::awaitable<error_code> load(const std::string& feed,
                                            std::vector<shard_checkpoint>& out,
                                            diagnostics& diag) override;
    boost::asio::awaitable<error_code> save(const std::string& feed,
                                            const std::vector<shard_checkpoint>& positions,
                                            diagnostics& diag) override;

    boost::asio::awaitable<error_code> load_leases(const std::string& feed,
                                                   std::vector<shard_lease>& out,
                                                   diagnostics& diag) override;
    boost::asio::awaitable<error_code> take_lease(const std::string& feed,
                                                  const std::string& shard,
                                                  const std::string& owner,
                                                  std::int64_t& counter,
                                                  diagnostics& diag) override;
    boost::asio::awaitable<error_code> renew_lease(const std::string& feed,
                                                   const std::string& shard,
                                                   const std::string& owner,
                                                   std::int64_t& counter,
                                                   diagnostics& diag) override;
    boost::asio::awaitable<error_code> release_lease(const std::string& feed,
                                                     const std::string& shard,
                                                     const std::string& owner, bool finished,
                                                     diagnostics& diag) override;
    boost::asio::awaitable<error_code> save_leased(const std::string& feed,
                                                   const shard_checkpoint& position,
                                                   const std::string& owner,
                                                   diagnostics& diag) override;
    boost::asio::awaitable<error_code> release_passed_over(const std::string& feed,
                                                           const std::string& shard,
                                                           const std::string& owner,
                                                           diagnostics& diag) override;

    /// The checkpoints of `feed` now, by shard.
    std::map<std::string, std::string> positions(const std::string& feed) const;

private:
    /// Applies `change` to the row of (feed, shard), created empty when missing, if `allowed`
    /// holds for it; otherwise errc::conditional_check_failed, as a table's conditional write.
    template <class Allowed, class Change>
    error_code update_row(const std::string& feed, const std::string& shard, Allowed allowed,
                          Change change, diagnostics& diag);

    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, shard_lease> rows_;
};

}  // namespace dynomite
