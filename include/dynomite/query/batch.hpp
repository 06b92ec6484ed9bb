// Batches over any tables: BatchGetItem in chunks of 100 keys and BatchWriteItem in groups of
// 25 writes, unprocessed keys and writes sent again with jittered exponential backoff, and
// whatever stays unprocessed handed back to the caller, never dropped.
//
//     std::vector<dynomite::batch_get_key> keys{{"posts", {{"id", "p1"}}}, {"users", {{"id",
//     "u1"}}}}; auto found = co_await dynomite::batch_get(db, keys);     // found.items[i] for
//     keys[i]
//
// The backoff comes from database_options (batch_write_base_delay, batch_write_max_delay), for
// reads and writes alike; the rounds of writes from max_batch_write_rounds, those of reads from
// batch_get_options::max_rounds.
#pragma once

#include <dynomite/core/async_operation.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/protocol/batch.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

/// One key to read: its table and its full primary key.
struct batch_get_key {
    std::string table;
    attribute_map key;

    friend bool operator==(const batch_get_key&, const batch_get_key&) = default;
};

struct batch_get_options {
    /// Strongly consistent reads.
    bool consistent_read = false;
    /// BatchGetItem rounds for one chunk of 100 keys, the first included, before the keys
    /// still unprocessed are reported instead of read.
    int max_rounds = 10;
};

struct batch_get_result {
    /// One entry per key asked, in the order asked (a key asked twice is read once and
    /// repeated); none where there is no item, or where the key stayed unprocessed.
    std::vector<std::optional<attribute_map>> items;
    /// Keys DynamoDB still left unprocessed after the last round, or not read because of a
    /// failure; their items are unknown.
    std::vector<batch_get_key> unprocessed;
};

/// One write of a batch: a put or a delete on `table`. A batch must not write one key twice.
struct table_write {
    std::string table;
    write_request write;
};

struct batch_write_result {
    /// Writes DynamoDB applied.
    std::size_t written = 0;
    /// The writes before this position were sent: each was written, or is listed in
    /// `unprocessed` or `in_doubt`. After a failure, the writes from here on were not sent.
    std::size_t settled = 0;
    /// The positions (in the order given) of the writes DynamoDB still left unprocessed after
    /// the last round: these were not applied.
    std::vector<std::size_t> unprocessed;
    /// After a failure: the positions the failed request carried. Whether they were applied
    /// is not known (an answer lost after the last retry leaves it open); the other writes
    /// of their group were applied by its earlier rounds.
    std::vector<std::size_t> in_doubt;
};

/// BatchGetItem over any tables. On failure the error comes with the items read so far, and
/// every key not read (those of the request that failed, and those never sent) is listed
/// `unprocessed`.
boost::asio::awaitable<std::pair<error_code, batch_get_result>> batch_get(
    database db, std::vector<batch_get_key> keys, diagnostics& diag,
    batch_get_options options = {});
/// Throws dynomite::error.
boost::asio::awaitable<batch_get_result> batch_get(database db, std::vector<batch_get_key> keys,
                                                   batch_get_options options = {});

/// BatchWriteItem over any tables, group by group (each group retried until done or out of
/// rounds before the next is sent). On failure the error comes with what was written so far:
/// the writes of the failed request are listed `in_doubt`, and those after its group were not
/// sent.
boost::asio::awaitable<std::pair<error_code, batch_write_result>> batch_write(
    database db, std::vector<table_write> writes, diagnostics& diag);
/// Throws dynomite::error.
boost::asio::awaitable<batch_write_result> batch_write(database db,
                                                       std::vector<table_write> writes);

/// batch_get() for any completion token: void(error_code, batch_get_result), with the items
/// read so far on failure.
template <class CompletionToken>
auto async_batch_get(database db, std::vector<batch_get_key> keys, batch_get_options options,
                     diagnostics& diag, CompletionToken&& token)
{
    auto executor = db.get_client().get_executor();
    return async_run_reporting<batch_get_result>(
        std::move(executor), diag,
        [db = std::move(db), keys = std::move(keys), options = std::move(options)](
            diagnostics& d) mutable { return batch_get(db, std::move(keys), d, options); },
        std::forward<CompletionToken>(token));
}
template <class CompletionToken>
auto async_batch_get(database db, std::vector<batch_get_key> keys, diagnostics& diag,
                     CompletionToken&& token)
{
    return async_batch_get(std::move(db), std::move(keys), batch_get_options{}, diag,
                           std::forward<CompletionToken>(token));
}

/// batch_write() for any completion token: void(error_code, batch_write_result), with what
/// was written so far on failure.
template <class CompletionToken>
auto async_batch_write(database db, std::vector<table_write> writes, diagnostics& diag,
                       CompletionToken&& token)
{
    auto executor = db.get_client().get_executor();
    return async_run_reporting<batch_write_result>(
        std::move(executor), diag,
        [db = std::move(db), writes = std::move(writes)](diagnostics& d) mutable {
            return batch_write(db, std::move(writes), d);
        },
        std::forward<CompletionToken>(token));
}

namespace detail {

// The decisions of the batch loops, without I/O.

/// [first, last) ranges of at most `size` positions covering `count` positions.
std::vector<std::pair<std::size_t, std::size_t>> chunk_ranges(std::size_t count, std::size_t size);

/// Each distinct key once, and for each key asked its index among the distinct ones.
struct distinct_keys {
    std::vector<batch_get_key> keys;
    std::vector<std::size_t> slot;
};
distinct_keys deduplicate(const std::vector<batch_get_key>& keys);

/// The BatchGetItem request for keys[positions...], grouped by table in first-seen order.
batch_get_item_request make_get_request(const std::vector<batch_get_key>& keys,
                                        const std::vector<std::size_t>& positions,
                                        const batch_get_options& options);
/// The position (among `pending`, indexes into `keys`) of the key of `table` that `item`
/// carries: every attribute of the key is in the item with the same value.
std::optional<std::size_t> match_item(const std::vector<batch_get_key>& keys,
                                      const std::vector<std::size_t>& pending,
                                      std::string_view table, const attribute_map& item);
/// The positions (among `pending`) of the keys a response left unprocessed.
std::vector<std::size_t> unprocessed_keys(const std::vector<batch_get_key>& keys,
                                          const std::vector<std::size_t>& pending,
                                          const per_table<keys_and_attributes>& unprocessed);

/// The BatchWriteItem request for writes[positions...], grouped by table.
batch_write_item_request make_write_request(const std::vector<table_write>& writes,
                                            const std::vector<std::size_t>& positions);
/// The positions (among `pending`) of the writes a response left unprocessed.
std::vector<std::size_t> unprocessed_writes(
    const std::vector<table_write>& writes, const std::vector<std::size_t>& pending,
    const per_table<std::vector<write_request>>& unprocessed);

/// Whether another round goes out after `rounds_done` rounds with something still pending.
bool another_round(int rounds_done, int max_rounds, bool pending) noexcept;
/// The bound of the wait after `rounds_done` rounds: base * 2^(rounds_done - 1), capped at
/// the maximum.
std::chrono::milliseconds backoff_bound(const database_options& options, int rounds_done) noexcept;
/// Full jitter: `unit_random` in [0, 1) scaled to [0, backoff_bound].
std::chrono::milliseconds backoff_wait(const database_options& options, int rounds_done,
                                       double unit_random) noexcept;

/// batch_write() over a client and options directly (for relations, which hold those).
boost::asio::awaitable<std::pair<error_code, batch_write_result>> batch_write_with(
    dynomite::client client, database_options options, std::vector<table_write> writes,
    diagnostics& diag);

}  // namespace detail
}  // namespace dynomite
