// Checkpoints kept in a DynamoDB table, moved forward with conditional writes.
#pragma once

#include <dynomite/client/client.hpp>
#include <dynomite/protocol/tables.hpp>
#include <dynomite/query/checkpoint_store.hpp>

#include <string>
#include <vector>

namespace dynomite {

/// One item per feed and shard: partition key "feed", sort key "shard", the sequence number
/// in "sequence_number", and in "position" the same zero-padded to 40 digits, which the
/// condition of each write compares (a checkpoint only moves forward, also when several
/// processes write it).
class table_checkpoint_store : public checkpoint_store {
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

    const std::string& table_name() const noexcept { return table_; }

private:
    client client_;
    std::string table_;
};

}  // namespace dynomite
