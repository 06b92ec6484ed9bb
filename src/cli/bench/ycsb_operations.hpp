// What `dynomite bench` sends beyond single-item operations: YCSB's core workloads on
// DynamoDB items, TransactWriteItems and BatchWriteItem operations, and --prepare (the table,
// and the records loaded with BatchWriteItem, resumably).
#pragma once

#include "bench/bench.hpp"

#include <dynomite/client/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <random>
#include <string>

namespace dynomite::cli::bench {

/// What one operation did.
struct operation_outcome {
    error_code ec;
    std::uint64_t items = 0;
    /// With an error: its code's message and the diagnostics.
    std::string message;
};

/// The sort key of every YCSB record; the partition key is the record's name (ycsb_key(n)), so
/// that the records spread over the table's partitions as YCSB's hashed keys intend.
inline constexpr std::string_view ycsb_sort_key = "record";

/// Record `n`: pk, sk and field0 to field<field_count - 1>, each `field_length` bytes.
attribute_map make_ycsb_record(std::int64_t n, const bench_options& options);

/// The inserts of a run, shared by its workers: the next record number to insert and how many
/// inserts were acknowledged (YCSB's transactioninsertkeysequence).
struct ycsb_inserts {
    std::atomic<std::int64_t> next{0};
    std::atomic<std::int64_t> acknowledged{0};
};

/// One operation of the workload: read (GetItem), update (UpdateItem of one field, as YCSB's
/// writeallfields=false), insert (PutItem of the next record), scan (a Scan page of
/// scan_length() items from the chosen record's key as ExclusiveStartKey) or read-modify-write
/// (GetItem, then UpdateItem, measured together). `op` is set to the operation chosen.
boost::asio::awaitable<operation_outcome> run_ycsb_operation(dynomite::client& db,
                                                             const bench_options& options,
                                                             key_chooser& keys,
                                                             ycsb_inserts& inserts,
                                                             std::mt19937_64& random,
                                                             ycsb_operation& op);

/// transact_write: a TransactWriteItems of two puts (items key_index and the next);
/// batch_write: a BatchWriteItem of 25 puts from key_index (unprocessed items are not sent
/// again; `items` counts those written).
boost::asio::awaitable<operation_outcome> run_multi_item_write(dynomite::client& db,
                                                               const bench_options& options,
                                                               operation op,
                                                               std::uint32_t key_index,
                                                               const std::string& payload);

/// Creates the table (pk and sk, on-demand) when it is missing and waits until it is ACTIVE.
boost::asio::awaitable<void> ensure_table(dynomite::client& db, const std::string& table,
                                          std::ostream& err);

/// Writes records 0 to record_count - 1 with BatchWriteItem, resumably: an item of the table
/// (the load marker) keeps how many records were written, every 1000 records and at the end,
/// with the record shape; a later --prepare of the same shape continues after them. Progress
/// goes to `err`: a bar redrawn in place when `terminal`, else a line a second.
boost::asio::awaitable<void> load_ycsb_records(dynomite::client& db, const bench_options& options,
                                               std::ostream& err, bool terminal);

/// The load marker's key.
attribute_map load_marker_key();

/// The progress of a load: "\rbench: loading [#####-----]  50% 500/1000 records" as a bar,
/// "bench: loaded 500 of 1000 records (50%)\n" as a line.
std::string format_load_progress(std::int64_t done, std::int64_t total, bool bar);

}  // namespace dynomite::cli::bench
