// The single-item operations of `dynomite bench`'s mix (GetItem, PutItem, Query, Scan) as the
// client layer sends them and as the model layer does.
#pragma once

#include "bench/bench.hpp"
#include "bench/ycsb_operations.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/model.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

namespace dynomite::cli::bench {

/// `op` on item `key_index` (or its partition) through the client; transact_write and
/// batch_write are run_multi_item_write's.
boost::asio::awaitable<operation_outcome> run_client_operation(dynomite::client& db,
                                                               const bench_options& options,
                                                               operation op,
                                                               std::uint32_t key_index,
                                                               const std::string& payload);

/// `op` through bench_item's model on `db`. A put creates a record of its own, keyed by
/// `thread_index` and `serial`, as create() refuses to overwrite; transact_write and
/// batch_write fail with errc::invalid_argument, as they run on the client layer only.
boost::asio::awaitable<operation_outcome> run_model_operation(
    dynomite::database& db, const bench_options& options, operation op, std::uint32_t key_index,
    const std::string& payload, std::uint32_t thread_index, std::uint64_t serial);

}  // namespace dynomite::cli::bench
