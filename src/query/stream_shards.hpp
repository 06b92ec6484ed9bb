// The shards of a DynamoDB stream, tracked without I/O: which request to send next
// (DescribeStream, GetShardIterator, GetRecords), what the answers change, and the records
// ready to hand out. A coroutine (changes.cpp) sends the requests and feeds the answers back.
//
// A shard is read only once its parent is finished (read to its end, skipped because the
// start position lies past it, or gone from the stream), so that the changes of one item come
// in order. DescribeStream is repeated to discover new shards. One GetRecords is in flight at
// a time, and it is started before the records of the previous one are handed out: a batch is
// read ahead. A shard that answers with no records waits, longer each time up to a bound,
// before it is read again.
#pragma once

#include "query/lease_coordinator.hpp"

#include <dynomite/protocol/streams.hpp>
#include <dynomite/query/changes.hpp>
#include <dynomite/query/checkpoint_store.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::detail {

using stream_clock = std::chrono::steady_clock;

/// A record ready to hand out, with the shard it came from.
struct tracked_record {
    std::string shard_id;
    change_record record;
};

/// Numeric order of two sequence numbers (decimal strings of any length).
bool sequence_less(std::string_view a, std::string_view b) noexcept;

class shard_tracker {
public:
    struct action {
        enum class kind {
            describe,       // send `describe`, then on_described()
            get_iterator,   // send `iterator`, then on_iterator() (or fail)
            get_records,    // send `records` for `shard_id`, then on_records() or on_expired()
            deliver,        // take() has a record
            await_records,  // the GetRecords in flight must answer first
            wait,           // nothing to do before `until`
            end,            // the stream is disabled and every shard read to its end
        } what = kind::wait;
        describe_stream_request describe;
        get_shard_iterator_request iterator;
        get_records_request records;
        std::string shard_id;
        stream_clock::time_point until{};
    };

    /// `options` say where to start and how to pace: their start position applies to the
    /// shards of the first DescribeStream pass; shards found later start at TRIM_HORIZON.
    shard_tracker(std::string stream_arn, change_feed_options options);
    /// As above, resuming after `checkpoints`: a shard with one is read after it, a shard
    /// without one that descends from such a shard from its start (all of it came later);
    /// other shards from the options' start position.
    shard_tracker(std::string stream_arn, change_feed_options options,
                  const std::vector<shard_checkpoint>& checkpoints);

    /// What to do at `now`. A get_records action marks its shard in flight: at most one is.
    action next(stream_clock::time_point now);

    void on_described(const describe_stream_response& response, stream_clock::time_point now);
    /// GetShardIterator's answer for `shard_id`, at `now` and at the wall clock's `wall` (the
    /// epoch when unknown). A LATEST position moves on: should the shard's iterator expire, or
    /// its lease be retaken, before a record is read, it is read again from its oldest record,
    /// passing over only records made more than clock_allowance before `wall`.
    void on_iterator(std::string_view shard_id, const std::optional<std::string>& iterator,
                     stream_clock::time_point now,
                     std::chrono::system_clock::time_point wall = {});
    void on_records(std::string_view shard_id, get_records_response&& response,
                    stream_clock::time_point now);
    /// GetRecords said ExpiredIteratorException: the shard gets a new iterator after the last
    /// record taken from it (or at its start position when none was, but for a LATEST one,
    /// which on_iterator() explains).
    void on_expired(std::string_view shard_id);
    /// GetShardIterator said TrimmedDataAccessException: the position asked for is older
    /// than the stream keeps; the shard is read from its oldest record instead.
    void on_trimmed(std::string_view shard_id);
    /// GetRecords failed otherwise: the same iterator is tried again at the next call.
    void on_records_failed(std::string_view shard_id);
    /// The GetRecords in flight was for a shard whose lease has been lost since: its answer,
    /// which no lease held now may use, is dropped.
    void on_fetch_abandoned() noexcept { in_flight_ = false; }

    /// From now on only shards leased with lease() are read.
    void use_leases() noexcept { leased_only_ = true; }
    /// `shard_id`'s lease is taken: it is read after `checkpoint`, or from its start when
    /// `after_parent`, or else from where the options start it. `first_holder`: no worker held
    /// it before (its lease row is new).
    void lease(std::string_view shard_id, const std::string& checkpoint, bool after_parent,
               bool first_holder);
    /// `shard_id`'s lease is lost: its records not handed out yet are dropped, and the answer
    /// of a GetRecords in flight for it will be.
    void unlease(std::string_view shard_id);
    /// Another worker read `shard_id` to its end: its children may be read.
    void mark_finished(std::string_view shard_id);
    /// Read to its end (or skipped), with none of its records left to hand out; with leases,
    /// only while leased.
    bool drained(std::string_view shard_id) const;
    /// Finished unread because the start position lay past all of it, by this worker as the
    /// first to hold its lease (a worker before it may have read some of it).
    bool passed_over(std::string_view shard_id) const;
    std::vector<lineage_shard> lineage() const;

    bool has_record() const noexcept { return !ready_.empty(); }
    tracked_record take();

    const std::string& stream_arn() const noexcept { return stream_arn_; }
    std::size_t shard_count() const noexcept { return shards_.size(); }
    /// Shards read to their end (or skipped).
    std::size_t finished_count() const noexcept;

private:
    enum class shard_state { needs_iterator, readable, in_flight, finished };

    struct tracked_shard {
        std::string id;
        std::optional<std::string> parent;
        shard_state state = shard_state::needs_iterator;
        shard_iterator_type start = shard_iterator_type::trim_horizon;
        std::string start_sequence;
        /// The last record taken from this shard into the ready queue.
        std::string last_sequence;
        std::string iterator;
        stream_clock::time_point ready_at{};
        std::chrono::milliseconds idle_wait{0};
        /// Read after a checkpoint (or descends from a shard that is).
        bool resumed = false;
        bool leased = false;
        /// Finished by the start position, never read.
        bool passed_over = false;
        /// Epoch seconds when the shard was first read from LATEST, if known.
        std::optional<double> latest_since;
        /// Records made before these epoch seconds are passed over, until one made after.
        std::optional<double> made_since;
    };

    tracked_shard* find(std::string_view id);
    bool parent_done(const tracked_shard& shard) const;
    bool may_read(const tracked_shard& shard) const { return !leased_only_ || shard.leased; }
    void add_shard(const shard& described);
    /// Shards without a checkpoint that descend from one with one start at TRIM_HORIZON.
    void propagate_resumption();
    action read_action(tracked_shard& shard);
    /// A shard whose LATEST position was lost (an expired iterator, a lease taken back)
    /// before this worker took a record of it.
    static void reread_since_latest(tracked_shard& shard);

    std::string stream_arn_;
    change_feed_options options_;
    std::map<std::string, std::string, std::less<>> checkpoints_;
    std::vector<tracked_shard> shards_;
    std::deque<tracked_record> ready_;
    std::size_t next_shard_ = 0;  // where the round robin over readable shards resumes
    bool in_flight_ = false;
    bool described_ = false;  // a whole DescribeStream pass has been seen
    bool leased_only_ = false;
    std::optional<std::string> page_token_;
    stream_clock::time_point next_describe_{};
    std::optional<stream_status> status_;
};

/// The changes handed out and processed, per shard, and when to write their checkpoints. A
/// change counts as processed once the reader asks for the next one (or checkpoints).
class checkpoint_book {
public:
    checkpoint_book(std::size_t every, std::chrono::milliseconds interval,
                    stream_clock::time_point now);

    /// `change` was handed out.
    void delivered(const std::string& shard_id, const std::string& sequence_number);
    /// The change handed out last is processed.
    void acknowledge();
    /// Whether the change handed out last is this one, and not yet processed.
    bool awaits_acknowledgement(std::string_view shard_id, std::string_view sequence_number) const
    {
        return unacknowledged_ && unacknowledged_->shard_id == shard_id &&
               unacknowledged_->sequence_number == sequence_number;
    }
    /// Positions processed and not yet written.
    bool has_pending() const noexcept { return !pending_.empty(); }
    /// Whether to write now: `every` changes processed since the last write, or `interval`
    /// passed with changes pending.
    bool due(stream_clock::time_point now) const noexcept;
    /// When the interval makes a write due; max() when nothing is pending or no interval.
    stream_clock::time_point due_at() const noexcept;
    std::vector<shard_checkpoint> pending() const;
    /// Whether a change of `shard_id` is handed out and not yet written.
    bool owes(std::string_view shard_id) const;
    /// Drops what is owed of `shard_id` (its lease is lost: another worker reads it again).
    void forget(std::string_view shard_id);
    /// `written` (as pending() gave them) is stored.
    void written(const std::vector<shard_checkpoint>& written, stream_clock::time_point now);

private:
    std::size_t every_;
    std::chrono::milliseconds interval_;
    stream_clock::time_point last_write_;
    std::optional<shard_checkpoint> unacknowledged_;
    std::map<std::string, std::string, std::less<>> pending_;  // shard -> sequence number
    std::size_t processed_since_write_ = 0;
};

}  // namespace dynomite::detail
