// A table's change feed: the records of its DynamoDB stream, one change at a time.
#pragma once

#include <dynomite/client/client.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/async_start.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/protocol/streams.hpp>
#include <dynomite/query/checkpoint_store.hpp>
#include <dynomite/query/shard_leases.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace dynomite {

/// One change of one item.
struct change {
    stream_event_type event = stream_event_type::unknown;
    attribute_map keys{};
    /// As the stream's view type provides them: empty when it leaves them out, and the old
    /// image of an insert and the new image of a removal are always empty.
    attribute_map old_image{};
    attribute_map new_image{};
    std::string sequence_number{};
    std::string shard_id{};
    /// When DynamoDB recorded the change (to the second).
    std::optional<std::chrono::system_clock::time_point> approximate_creation_time{};
};

struct change_feed_options {
    /// TRIM_HORIZON: every change the stream still holds (24 hours); LATEST: changes from
    /// now on; AT/AFTER_SEQUENCE_NUMBER: from `sequence_number` on (a feed's
    /// last_sequence_number() resumes it exactly for a stream with one shard at a time, as
    /// DynamoDB Local has; with parallel shards, shards that started before it are read
    /// from it or skipped as their sequence number ranges say).
    shard_iterator_type start = shard_iterator_type::latest;
    std::string sequence_number{};
    /// The stream to read; by default the table's latest stream (DescribeTable).
    std::string stream_arn{};
    /// How often DescribeStream looks for new shards.
    std::chrono::milliseconds describe_interval{std::chrono::seconds(10)};
    /// The wait before reading a shard again that had no records, doubled each time it still
    /// has none, up to max_idle_wait.
    std::chrono::milliseconds min_idle_wait{50};
    std::chrono::milliseconds max_idle_wait{2000};
    /// GetRecords' Limit (1 to 1000); DynamoDB's default when unset.
    std::optional<std::int32_t> batch_limit{};

    /// Where the feed keeps its place. With a store, a feed resumes after the checkpoints it
    /// finds under `feed_name` (`start` applies only to shards that have none and descend
    /// from none that has), and writes checkpoints as its reader processes changes: a change
    /// counts as processed when the reader asks for the next one, or calls checkpoint().
    /// After a stop, the changes since the last checkpoint come again (at least once).
    std::shared_ptr<checkpoint_store> checkpoints{};
    /// The name the checkpoints are kept under; the table's name when empty.
    std::string feed_name{};
    /// Write the checkpoints after this many changes processed (0: not by count)...
    std::size_t checkpoint_every = 1;
    /// ...or once this long has passed with changes processed since the last write (0: not
    /// by time). With neither, only checkpoint() writes them.
    std::chrono::milliseconds checkpoint_interval{0};

    /// Several feeds (in one process or many) share the stream's shards when each has its own
    /// `worker_id` and the same checkpoint store and feed name: each shard is read by one of
    /// them at a time, which holds its lease (the store must keep leases: a lease_store such
    /// as table_checkpoint_store). A feed takes free and expired leases up to a fair share
    /// (the shards that may be read, divided among the live workers), takes one from a worker
    /// with more than its share, renews its leases while its reader calls next(), and stops
    /// reading a shard at once when its lease is lost or lapses. A child shard is read once
    /// its parent is finished, by whichever worker. Checkpoints are written only while the
    /// lease is held. A feed that stops keeps its leases until they expire, so another
    /// worker resumes after its checkpoints. Empty: the feed reads every shard itself.
    std::string worker_id{};
    lease_settings leases{};
};

namespace detail {
class change_feed_state;
void start_next_change(
    const std::shared_ptr<change_feed_state>& state, diagnostics* diag,
    boost::asio::any_completion_handler<void(error_code, std::optional<change>)> handler);
void start_checkpoint(const std::shared_ptr<change_feed_state>& state, diagnostics* diag,
                      boost::asio::any_completion_handler<void(error_code, std::size_t)> handler);
}  // namespace detail

/// The changes of a table, in order for each item, read from its stream:
///
///     dynomite::change_feed feed(client, "posts", {.start = shard_iterator_type::trim_horizon});
///     while (auto change = co_await feed.next()) use(*change);
///
/// Nothing is sent before the first next(). A stream does not end while it is enabled: next()
/// waits for the next change, and returns none only once the stream is disabled and read to
/// its end. One coroutine at a time may call next(). Cancelling a pending next() (Asio
/// per-operation cancellation), cancel() or destroying the feed stops its requests; later
/// calls fail with boost::asio::error::operation_aborted; the checkpoints written stay as
/// they are (a checkpoint write in flight either lands or not), and checkpoint() can still
/// write those of the changes processed. Movable, not copyable.
class change_feed {
public:
    change_feed(client cl, std::string table_name, change_feed_options options = {});
    change_feed(change_feed&&) noexcept;
    change_feed& operator=(change_feed&&) noexcept;
    change_feed(const change_feed&) = delete;
    change_feed& operator=(const change_feed&) = delete;
    ~change_feed();

    /// The next change; none once a disabled stream is read to its end. Completes with
    /// void(error_code, std::optional<change>); `diag` receives what the server said.
    template <class CompletionToken>
    auto async_next(diagnostics& diag, CompletionToken&& token)
    {
        return async_start<void(error_code, std::optional<change>)>(
            diag, [state = state_](diagnostics& d, auto h) {
                detail::start_next_change(state, &d, std::move(h));
            },
            std::forward<CompletionToken>(token));
    }

    /// As above; throws dynomite::error on failure.
    boost::asio::awaitable<std::optional<change>> next();

    /// Counts every change next() returned as processed and writes their checkpoints now
    /// (without a checkpoint store: nothing to do). Completes with void(error_code,
    /// std::size_t), the number of shards whose checkpoint was written; not while a next()
    /// is pending. Works on a stopped feed too.
    template <class CompletionToken>
    auto async_checkpoint(diagnostics& diag, CompletionToken&& token)
    {
        return async_start<void(error_code, std::size_t)>(
            diag, [state = state_](diagnostics& d, auto h) {
                detail::start_checkpoint(state, &d, std::move(h));
            },
            std::forward<CompletionToken>(token));
    }

    /// As above; throws dynomite::error on failure.
    boost::asio::awaitable<std::size_t> checkpoint();

    /// Gives back `c`, the change next() returned last, as not processed (its reader could
    /// not handle it): the next call to next() returns it again, and checkpoint() does not
    /// count it until then. Throws dynomite::error(errc::invalid_argument) when `c` is not
    /// that change, or it already counts as processed (next() or checkpoint() came since).
    void give_back(change c);

    /// The sequence number of the last change next() returned; empty before the first.
    const std::string& last_sequence_number() const noexcept;

    /// Stops the requests in flight; pending and later calls fail with operation_aborted.
    void cancel();

private:
    std::shared_ptr<detail::change_feed_state> state_;
};

}  // namespace dynomite
