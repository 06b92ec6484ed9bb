// Checkpoints kept in a DynamoDB table, moved forward with conditional writes.
#pragma once

#include <dynomite/client/client.hpp>
#include <dynomite/protocol/tables.hpp>
#include <dynomite/query/shard_leases.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dynomite {

/// One item per feed and shard: partition key "feed", sort key "shard", the sequence number
/// in "sequence_number", and in "position" the same zero-padded to 40 digits, which the
/// condition of each write compares (a checkpoint only moves forward, also when several
/// processes write it). The same items hold the shards' leases when feeds share the shards
/// (change_feed_options::worker_id): the holder in "owner", a number "lease_counter", and
/// "finished" once the shard is read to its end; items without "sequence_number" are leases
/// of shards without a checkpoint yet.
class table_checkpoint_store : public lease_store {
public:
    table_checkpoint_store(client cl, std::string table_name);

    /// The CreateTable request of such a table (on-demand billing).
    static create_table_request table_definition(std::string table_name);

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
                                                  const std::string& owner, std::int64_t& counter,
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

    const std::string& table_name() const noexcept { return table_; }

private:
    boost::asio::awaitable<error_code> update_lease(update_item_request request,
                                                    diagnostics& diag);

    client client_;
    std::string table_;
};

}  // namespace dynomite
