// The shard tracker as a state machine, driven by scripted DescribeStream, GetShardIterator
// and GetRecords answers.
#include "query/stream_shards.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
using detail::shard_tracker;
using detail::stream_clock;
using kind = shard_tracker::action::kind;
using std::chrono::milliseconds;

const stream_clock::time_point t0 = stream_clock::time_point() + std::chrono::hours(1);

shard make_shard(std::string id, std::optional<std::string> parent, std::string start,
                 std::optional<std::string> end = std::nullopt)
{
    return shard{.shard_id = std::move(id),
                 .sequence_number_range = sequence_number_range{std::move(start), std::move(end)},
                 .parent_shard_id = std::move(parent)};
}

describe_stream_response described(std::vector<shard> shards,
                                   std::optional<std::string> more = std::nullopt,
                                   stream_status status = stream_status::enabled)
{
    describe_stream_response out;
    out.stream_description.stream_arn = "arn:stream";
    out.stream_description.stream_status = status;
    out.stream_description.shards = std::move(shards);
    out.stream_description.last_evaluated_shard_id = std::move(more);
    return out;
}

get_records_response records(std::vector<std::string> sequence_numbers,
                             std::optional<std::string> next)
{
    get_records_response out;
    for (auto& sequence : sequence_numbers) {
        change_record record;
        record.event_name = stream_event_type::insert;
        record.dynamodb.sequence_number = std::move(sequence);
        out.records.push_back(std::move(record));
    }
    out.next_shard_iterator = std::move(next);
    return out;
}

change_feed_options settings(shard_iterator_type start = shard_iterator_type::trim_horizon,
                             std::string sequence = {})
{
    return {.start = start,
            .sequence_number = std::move(sequence),
            .describe_interval = milliseconds(10000),
            .min_idle_wait = milliseconds(50),
            .max_idle_wait = milliseconds(400)};
}

/// The next action must be GetShardIterator for `shard`; answers it with iterator "it-<shard>".
void expect_iterator_request(shard_tracker& tracker, const std::string& shard,
                             shard_iterator_type type, std::optional<std::string> sequence = {},
                             stream_clock::time_point now = t0)
{
    const auto a = tracker.next(now);
    ASSERT_EQ(a.what, kind::get_iterator) << "for " << shard;
    EXPECT_EQ(a.iterator.shard_id, shard);
    EXPECT_EQ(a.iterator.stream_arn, "arn:stream");
    EXPECT_EQ(a.iterator.shard_iterator_type, type) << shard;
    EXPECT_EQ(a.iterator.sequence_number, sequence) << shard;
    tracker.on_iterator(shard, "it-" + shard, now);
}

/// The next action must be GetRecords for `shard` with `iterator`.
void expect_read(shard_tracker& tracker, const std::string& shard, const std::string& iterator,
                 stream_clock::time_point now = t0)
{
    const auto a = tracker.next(now);
    ASSERT_EQ(a.what, kind::get_records) << "for " << shard;
    EXPECT_EQ(a.shard_id, shard);
    EXPECT_EQ(a.records.shard_iterator, iterator);
}

std::vector<std::string> take_all(shard_tracker& tracker)
{
    std::vector<std::string> out;
    while (tracker.has_record()) out.push_back(tracker.take().record.dynamodb.sequence_number);
    return out;
}

TEST(SequenceNumbers, CompareAsNumbers)
{
    EXPECT_TRUE(detail::sequence_less("9", "10"));
    EXPECT_TRUE(detail::sequence_less("000000000000000000001", "2"));
    EXPECT_FALSE(detail::sequence_less("0010", "10"));
    EXPECT_FALSE(detail::sequence_less("11", "10"));
}

TEST(ShardTracker, ReadsAChildOnlyAfterItsParentEnds)
{
    shard_tracker tracker("arn:stream", settings());
    ASSERT_EQ(tracker.next(t0).what, kind::describe);
    // The child comes first in the answer; the parent is still read first.
    tracker.on_described(described({make_shard("child", "parent", "300"),
                                     make_shard("parent", std::nullopt, "100", "200")}),
                         t0);
    expect_iterator_request(tracker, "parent", shard_iterator_type::trim_horizon);
    expect_read(tracker, "parent", "it-parent");
    EXPECT_EQ(tracker.next(t0).what, kind::await_records);
    tracker.on_records("parent", records({"100", "150"}, "it-parent-2"), t0);
    // Read ahead: the next batch is asked for before the records are handed out.
    expect_read(tracker, "parent", "it-parent-2");
    EXPECT_EQ(tracker.next(t0).what, kind::deliver);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"100", "150"}));
    // The child waits while the parent is open.
    EXPECT_EQ(tracker.next(t0).what, kind::await_records);
    tracker.on_records("parent", records({"200"}, std::nullopt), t0);  // closed, read to its end
    EXPECT_EQ(tracker.next(t0).what, kind::deliver);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"200"}));
    expect_iterator_request(tracker, "child", shard_iterator_type::trim_horizon);
    expect_read(tracker, "child", "it-child");
    EXPECT_EQ(tracker.finished_count(), 1u);
}

TEST(ShardTracker, ReadsBothHalvesOfASplitShard)
{
    shard_tracker tracker("arn:stream", settings());
    tracker.next(t0);
    tracker.on_described(described({make_shard("parent", std::nullopt, "100", "200"),
                                     make_shard("left", "parent", "300"),
                                     make_shard("right", "parent", "310")}),
                         t0);
    expect_iterator_request(tracker, "parent", shard_iterator_type::trim_horizon);
    expect_read(tracker, "parent", "it-parent");
    tracker.on_records("parent", records({"100"}, std::nullopt), t0);
    EXPECT_EQ(tracker.next(t0).what, kind::deliver);
    take_all(tracker);
    expect_iterator_request(tracker, "left", shard_iterator_type::trim_horizon);
    expect_read(tracker, "left", "it-left");  // at once, while the other one gets its iterator
    expect_iterator_request(tracker, "right", shard_iterator_type::trim_horizon);
    EXPECT_EQ(tracker.next(t0).what, kind::await_records);
    // One read in flight at a time, taking the shards in turn.
    tracker.on_records("left", records({"1"}, "again-left"), t0);
    expect_read(tracker, "right", "it-right");
    tracker.on_records("right", records({"2"}, "again-right"), t0);
    expect_read(tracker, "left", "again-left");
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"1", "2"}));
}

TEST(ShardTracker, AParentGoneFromTheStreamDoesNotHoldItsChild)
{
    shard_tracker tracker("arn:stream", settings());
    tracker.next(t0);
    // First page: the child, whose parent may be on the next page.
    tracker.on_described(described({make_shard("child", "trimmed", "300")}, "child"), t0);
    const auto page = tracker.next(t0);
    ASSERT_EQ(page.what, kind::describe);
    EXPECT_EQ(page.describe.exclusive_start_shard_id, "child");
    tracker.on_described(described({}), t0);
    // The whole pass never named the parent: it was trimmed.
    expect_iterator_request(tracker, "child", shard_iterator_type::trim_horizon);
}

TEST(ShardTracker, ReacquiresAnExpiredIteratorAfterTheLastRecord)
{
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest));
    tracker.next(t0);
    tracker.on_described(described({make_shard("s", std::nullopt, "1")}), t0);
    expect_iterator_request(tracker, "s", shard_iterator_type::latest);
    expect_read(tracker, "s", "it-s");
    // Expired before any record: the original position again.
    tracker.on_expired("s");
    expect_iterator_request(tracker, "s", shard_iterator_type::latest);
    expect_read(tracker, "s", "it-s");
    tracker.on_records("s", records({"41", "42"}, "it-s-2"), t0);
    expect_read(tracker, "s", "it-s-2");
    tracker.on_expired("s");
    EXPECT_EQ(tracker.next(t0).what, kind::deliver);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"41", "42"}));
    expect_iterator_request(tracker, "s", shard_iterator_type::after_sequence_number, "42");
    expect_read(tracker, "s", "it-s");
}

/// Records made at the given epoch seconds, numbered from `first`.
get_records_response made_at(int first, std::vector<double> seconds, std::string next)
{
    get_records_response out;
    for (const double at : seconds) {
        change_record record;
        record.dynamodb.sequence_number = std::to_string(first++);
        record.dynamodb.approximate_creation_date_time = at;
        out.records.push_back(std::move(record));
    }
    out.next_shard_iterator = std::move(next);
    return out;
}

const std::chrono::system_clock::time_point wall0{std::chrono::seconds(1'700'000'000)};

TEST(ShardTracker, AnExpiredLatestPositionIsReadAgainFromWhenItWasTaken)
{
    // Expired before any record (a long handler on another shard), LATEST would now be later:
    // what was written in between would be passed over.
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest));
    tracker.next(t0);
    tracker.on_described(described({make_shard("s", std::nullopt, "1")}), t0);
    ASSERT_EQ(tracker.next(t0).what, kind::get_iterator);
    tracker.on_iterator("s", "it-s", t0, wall0);
    expect_read(tracker, "s", "it-s");
    tracker.on_expired("s");
    ASSERT_EQ(tracker.next(t0).what, kind::get_iterator);
    tracker.on_iterator("s", "it-s-old", t0, wall0 + std::chrono::minutes(20));
    expect_read(tracker, "s", "it-s-old");
    // From the oldest record: those made before the position was first taken (with the
    // clocks' allowance) are passed over, none after.
    tracker.on_records("s", made_at(10, {1'699'990'000, 1'699'999'994, 1'699'999'996}, "it-2"),
                       t0);
    tracker.on_records("s", made_at(20, {1'699'999'000, 1'700'000'100}, "it-3"), t0);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"12", "20", "21"}));
}

TEST(ShardTracker, WithLeasesALatestShardTakenBackWithoutACheckpointIsReadAgain)
{
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest));
    tracker.use_leases();
    tracker.next(t0);
    tracker.on_described(described({make_shard("s", std::nullopt, "1")}), t0);
    tracker.lease("s", "", false, true);
    ASSERT_EQ(tracker.next(t0).what, kind::get_iterator);
    tracker.on_iterator("s", "it-s", t0, wall0);
    expect_read(tracker, "s", "it-s");
    tracker.on_records("s", made_at(200, {1'700'000'001, 1'700'000'002}, "it-2"), t0);
    // The lease lapsed while the first record was handled, before any checkpoint.
    tracker.unlease("s");
    tracker.lease("s", "", false, false);
    const auto a = tracker.next(t0);
    ASSERT_EQ(a.what, kind::get_iterator);
    EXPECT_EQ(a.iterator.shard_iterator_type, shard_iterator_type::trim_horizon);
    tracker.on_iterator("s", "it-again", t0, wall0 + std::chrono::minutes(1));
    expect_read(tracker, "s", "it-again");
    tracker.on_records("s", made_at(100, {1'699'000'000, 1'700'000'001, 1'700'000'002}, "it-3"),
                       t0);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"101", "102"}));

    // Lapsed again before a checkpoint: read again from the oldest record, with the filter
    // again; and after a checkpoint, with no filter.
    tracker.unlease("s");
    tracker.lease("s", "", false, false);
    ASSERT_EQ(tracker.next(t0).what, kind::get_iterator);
    tracker.on_iterator("s", "it-third", t0, wall0 + std::chrono::minutes(2));
    expect_read(tracker, "s", "it-third");
    tracker.on_records("s", made_at(100, {1'699'000'000, 1'700'000'001}, "it-4"), t0);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"101"}));
    tracker.unlease("s");
    tracker.lease("s", "90", false, false);
    expect_iterator_request(tracker, "s", shard_iterator_type::after_sequence_number, "90");
    expect_read(tracker, "s", "it-s");
    tracker.on_records("s", made_at(100, {1'699'000'000}, "it-5"), t0);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"100"}));

    // The checkpoint replaced LATEST: expired before a record, the shard goes on after it.
    tracker.unlease("s");
    tracker.lease("s", "95", false, false);
    expect_iterator_request(tracker, "s", shard_iterator_type::after_sequence_number, "95");
    expect_read(tracker, "s", "it-s");
    tracker.on_expired("s");
    expect_iterator_request(tracker, "s", shard_iterator_type::after_sequence_number, "95");
    expect_read(tracker, "s", "it-s");
    tracker.on_records("s", made_at(96, {1'699'000'000}, "it-6"), t0);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"96"}));
}

TEST(ShardTracker, RetriesTheSameIteratorAfterAFailedRead)
{
    shard_tracker tracker("arn:stream", settings());
    tracker.next(t0);
    tracker.on_described(described({make_shard("s", std::nullopt, "1")}), t0);
    expect_iterator_request(tracker, "s", shard_iterator_type::trim_horizon);
    expect_read(tracker, "s", "it-s");
    tracker.on_records_failed("s");
    expect_read(tracker, "s", "it-s");
}

TEST(ShardTracker, BacksOffAnEmptyShardUpToTheBound)
{
    shard_tracker tracker("arn:stream", settings());
    tracker.next(t0);
    tracker.on_described(described({make_shard("s", std::nullopt, "1")}), t0);
    expect_iterator_request(tracker, "s", shard_iterator_type::trim_horizon);
    stream_clock::time_point now = t0;
    std::vector<long> waits;
    for (int i = 0; i < 6; ++i) {
        expect_read(tracker, "s", i == 0 ? "it-s" : "empty", now);
        tracker.on_records("s", records({}, "empty"), now);
        const auto a = tracker.next(now);
        ASSERT_EQ(a.what, kind::wait);
        waits.push_back(std::chrono::duration_cast<milliseconds>(a.until - now).count());
        now = a.until;
    }
    EXPECT_EQ(waits, (std::vector<long>{50, 100, 200, 400, 400, 400}));
    // Records reset the wait.
    expect_read(tracker, "s", "empty", now);
    tracker.on_records("s", records({"5"}, "more"), now);
    expect_read(tracker, "s", "more", now);
}

TEST(ShardTracker, DiscoversNewShardsByDescribingAgain)
{
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest));
    tracker.next(t0);
    tracker.on_described(described({make_shard("old", std::nullopt, "1")}), t0);
    expect_iterator_request(tracker, "old", shard_iterator_type::latest);
    expect_read(tracker, "old", "it-old");
    tracker.on_records("old", records({"7"}, std::nullopt), t0);  // closed
    take_all(tracker);
    // Nothing to read until the next DescribeStream is due.
    const auto idle = tracker.next(t0);
    ASSERT_EQ(idle.what, kind::wait);
    EXPECT_EQ(idle.until, t0 + milliseconds(10000));
    const auto later = t0 + milliseconds(10000);
    const auto again = tracker.next(later);
    ASSERT_EQ(again.what, kind::describe);
    EXPECT_FALSE(again.describe.exclusive_start_shard_id);
    tracker.on_described(described({make_shard("old", std::nullopt, "1", "7"),
                                     make_shard("new", "old", "8")}),
                         later);
    // A shard that appeared after the start is read from its beginning, even for LATEST.
    expect_iterator_request(tracker, "new", shard_iterator_type::trim_horizon, {}, later);
    EXPECT_EQ(tracker.shard_count(), 2u);
}

TEST(ShardTracker, LatestSkipsClosedShards)
{
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest));
    tracker.next(t0);
    tracker.on_described(described({make_shard("closed", std::nullopt, "1", "9"),
                                     make_shard("open", "closed", "10")}),
                         t0);
    expect_iterator_request(tracker, "open", shard_iterator_type::latest);
    EXPECT_EQ(tracker.finished_count(), 1u);
}

TEST(ShardTracker, StartsAfterASequenceNumberInTheShardHoldingIt)
{
    shard_tracker tracker("arn:stream",
                          settings(shard_iterator_type::after_sequence_number, "150"));
    tracker.next(t0);
    tracker.on_described(described({make_shard("before", std::nullopt, "1", "99"),
                                     make_shard("holding", "before", "100", "199"),
                                     make_shard("ends-at", std::nullopt, "120", "150"),
                                     make_shard("after", "holding", "200")}),
                         t0);
    EXPECT_EQ(tracker.finished_count(), 2u);  // "before", and "ends-at" whose last record it is
    expect_iterator_request(tracker, "holding", shard_iterator_type::after_sequence_number, "150");
    expect_read(tracker, "holding", "it-holding");
    tracker.on_records("holding", records({"160"}, std::nullopt), t0);
    take_all(tracker);
    expect_iterator_request(tracker, "after", shard_iterator_type::trim_horizon);

    shard_tracker at("arn:stream", settings(shard_iterator_type::at_sequence_number, "150"));
    at.next(t0);
    at.on_described(described({make_shard("ends-at", std::nullopt, "120", "150")}), t0);
    expect_iterator_request(at, "ends-at", shard_iterator_type::at_sequence_number, "150");
}

TEST(ShardTracker, EndsOnceADisabledStreamIsReadToItsEnd)
{
    shard_tracker tracker("arn:stream", settings());
    tracker.next(t0);
    tracker.on_described(
        described({make_shard("s", std::nullopt, "1", "5")}, std::nullopt, stream_status::disabled),
        t0);
    expect_iterator_request(tracker, "s", shard_iterator_type::trim_horizon);
    expect_read(tracker, "s", "it-s");
    EXPECT_EQ(tracker.next(t0).what, kind::await_records);
    tracker.on_records("s", records({"5"}, std::nullopt), t0);
    EXPECT_EQ(tracker.next(t0).what, kind::deliver);
    take_all(tracker);
    EXPECT_EQ(tracker.next(t0).what, kind::end);
}

TEST(ShardTracker, AShardWithoutAnIteratorIsFinished)
{
    shard_tracker tracker("arn:stream", settings());
    tracker.next(t0);
    tracker.on_described(described({make_shard("s", std::nullopt, "1")}), t0);
    const auto a = tracker.next(t0);
    ASSERT_EQ(a.what, kind::get_iterator);
    tracker.on_iterator("s", std::nullopt, t0);
    EXPECT_EQ(tracker.finished_count(), 1u);
    EXPECT_EQ(tracker.next(t0).what, kind::wait);
}

TEST(ShardTracker, ResumesAfterCheckpointsAndReadsTheirDescendantsWhole)
{
    // From LATEST, but with checkpoints: "a" resumes after its own, "b" (a's child, listed
    // first, closed) and "c" (b's child) hold only changes made after it and are read whole;
    // "other" has no checkpointed ancestor and starts at LATEST.
    const std::vector<shard_checkpoint> checkpoints{{"a", "150"}};
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest), checkpoints);
    ASSERT_EQ(tracker.next(t0).what, kind::describe);
    tracker.on_described(described({make_shard("b", "a", "300", "350"),
                                     make_shard("a", std::nullopt, "100", "200"),
                                     make_shard("c", "b", "400"),
                                     make_shard("other", std::nullopt, "500")}),
                         t0);
    expect_iterator_request(tracker, "a", shard_iterator_type::after_sequence_number, "150");
    expect_read(tracker, "a", "it-a");
    expect_iterator_request(tracker, "other", shard_iterator_type::latest);
    tracker.on_records("a", records({"160"}, std::nullopt), t0);
    expect_read(tracker, "other", "it-other");
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"160"}));
    tracker.on_records("other", records({}, "it-other-2"), t0);
    expect_iterator_request(tracker, "b", shard_iterator_type::trim_horizon);
    expect_read(tracker, "b", "it-b");
    tracker.on_records("b", records({"300"}, std::nullopt), t0);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"300"}));
    expect_iterator_request(tracker, "c", shard_iterator_type::trim_horizon);
}

TEST(ShardTracker, ReadsAChildWholeWhenItsCheckpointedParentIsTrimmed)
{
    // "a" was checkpointed, then trimmed from the stream (24 hours) while the feed was stopped:
    // its child "b" holds only changes made after that checkpoint, and starting it at LATEST
    // would pass over every one of them.
    const std::vector<shard_checkpoint> checkpoints{{"a", "150"}};
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest), checkpoints);
    ASSERT_EQ(tracker.next(t0).what, kind::describe);
    tracker.on_described(described({make_shard("b", "a", "300", "350"),
                                     make_shard("c", "b", "400"),
                                     make_shard("other", std::nullopt, "500")}),
                         t0);
    expect_iterator_request(tracker, "b", shard_iterator_type::trim_horizon);
    expect_read(tracker, "b", "it-b");
    expect_iterator_request(tracker, "other", shard_iterator_type::latest);
    tracker.on_records("b", records({"300"}, std::nullopt), t0);
    EXPECT_EQ(take_all(tracker), (std::vector<std::string>{"300"}));
    expect_read(tracker, "other", "it-other");
    tracker.on_records("other", records({}, "it-other-2"), t0);
    expect_iterator_request(tracker, "c", shard_iterator_type::trim_horizon);
}

TEST(ShardTracker, ReadsFromTheOldestRecordWhenTheCheckpointIsTrimmed)
{
    const std::vector<shard_checkpoint> checkpoints{{"a", "150"}};
    shard_tracker tracker("arn:stream", settings(), checkpoints);
    ASSERT_EQ(tracker.next(t0).what, kind::describe);
    tracker.on_described(described({make_shard("a", std::nullopt, "100")}), t0);
    auto a = tracker.next(t0);
    ASSERT_EQ(a.what, kind::get_iterator);
    EXPECT_EQ(a.iterator.sequence_number, "150");
    tracker.on_trimmed("a");
    expect_iterator_request(tracker, "a", shard_iterator_type::trim_horizon);
}

using detail::checkpoint_book;

TEST(CheckpointBook, CountsAChangeProcessedWhenTheNextIsAskedFor)
{
    checkpoint_book book(2, milliseconds(0), t0);
    book.acknowledge();  // nothing handed out yet
    EXPECT_FALSE(book.has_pending());
    book.delivered("a", "1");
    EXPECT_FALSE(book.has_pending()) << "not processed before the next call";
    book.acknowledge();
    EXPECT_TRUE(book.has_pending());
    EXPECT_FALSE(book.due(t0)) << "one of two";
    book.delivered("b", "5");
    book.acknowledge();
    EXPECT_TRUE(book.due(t0));
    EXPECT_EQ(book.pending(), (std::vector<shard_checkpoint>{{"a", "1"}, {"b", "5"}}));
    EXPECT_EQ(book.due_at(), stream_clock::time_point::max()) << "no interval";
}

TEST(CheckpointBook, KeepsAShardPendingThatMovedOnDuringTheWrite)
{
    checkpoint_book book(1, milliseconds(0), t0);
    book.delivered("a", "1");
    book.acknowledge();
    const auto writing = book.pending();
    book.delivered("a", "2");
    book.acknowledge();
    book.written(writing, t0);
    ASSERT_TRUE(book.has_pending());
    EXPECT_EQ(book.pending(), (std::vector<shard_checkpoint>{{"a", "2"}}));
    book.written(book.pending(), t0);
    EXPECT_FALSE(book.has_pending());
    EXPECT_FALSE(book.due(t0));
}

TEST(CheckpointBook, WritesAtTheIntervalWhenChangesArePending)
{
    checkpoint_book book(0, milliseconds(500), t0);
    EXPECT_EQ(book.due_at(), stream_clock::time_point::max()) << "nothing pending";
    book.delivered("a", "7");
    book.acknowledge();
    EXPECT_EQ(book.due_at(), t0 + milliseconds(500));
    EXPECT_FALSE(book.due(t0 + milliseconds(499)));
    EXPECT_TRUE(book.due(t0 + milliseconds(500)));
    book.written(book.pending(), t0 + milliseconds(600));
    book.delivered("a", "8");
    book.acknowledge();
    EXPECT_FALSE(book.due(t0 + milliseconds(1000)));
    EXPECT_TRUE(book.due(t0 + milliseconds(1100)));
}

TEST(CheckpointBook, WithoutCountOrIntervalNeverDue)
{
    checkpoint_book book(0, milliseconds(0), t0);
    book.delivered("a", "7");
    book.acknowledge();
    EXPECT_TRUE(book.has_pending());
    EXPECT_FALSE(book.due(t0 + std::chrono::hours(1000)));
}

TEST(ShardTracker, WithLeasesReadsOnlyLeasedShardsAndDropsALostOnesRecords)
{
    shard_tracker tracker("arn:stream", settings());
    tracker.use_leases();
    ASSERT_EQ(tracker.next(t0).what, kind::describe);
    tracker.on_described(described({make_shard("parent", std::nullopt, "100", "200"),
                                    make_shard("child", "parent", "300")}),
                         t0);
    EXPECT_EQ(tracker.next(t0).what, kind::wait);  // nothing leased
    // Leased after a checkpoint: read after it.
    tracker.lease("parent", "150", false, false);
    expect_iterator_request(tracker, "parent", shard_iterator_type::after_sequence_number,
                            "150");
    expect_read(tracker, "parent", "it-parent");
    tracker.on_records("parent", records({"160", "170"}, "it-parent-2"), t0);
    // Lost: its records not handed out are dropped, and so is the answer in flight.
    expect_read(tracker, "parent", "it-parent-2");
    tracker.unlease("parent");
    EXPECT_FALSE(tracker.has_record());
    tracker.on_records("parent", records({"180"}, std::nullopt), t0);
    EXPECT_FALSE(tracker.has_record());
    EXPECT_FALSE(tracker.drained("parent"));
    // The child waits for its parent, until another worker marks the parent finished.
    tracker.lease("child", "", true, false);
    EXPECT_EQ(tracker.next(t0).what, kind::wait);
    tracker.mark_finished("parent");
    expect_iterator_request(tracker, "child", shard_iterator_type::trim_horizon);
    expect_read(tracker, "child", "it-child");
    tracker.on_records("child", records({"300"}, std::nullopt), t0);
    EXPECT_FALSE(tracker.drained("child"));  // its record is not handed out yet
    EXPECT_EQ(take_all(tracker), std::vector<std::string>{"300"});
    EXPECT_TRUE(tracker.drained("child"));
    const auto lineage = tracker.lineage();
    ASSERT_EQ(lineage.size(), 2u);
    EXPECT_EQ(lineage[1].parent, std::optional<std::string>("parent"));
}

/// One worker of a feed starting at `start`, over a parent closed at 200 before the feed began
/// and its open child, releasing each shard as the feed does. `parent_held_before`: another
/// worker held the parent's lease first. Returns the child's GetShardIterator request.
get_shard_iterator_request leased_child_after_a_closed_parent(shard_iterator_type start,
                                                              std::string position = {},
                                                              bool parent_held_before = false)
{
    shard_tracker tracker("arn:stream", settings(start, std::move(position)));
    tracker.use_leases();
    EXPECT_EQ(tracker.next(t0).what, kind::describe);
    tracker.on_described(described({make_shard("parent", std::nullopt, "100", "200"),
                                    make_shard("child", "parent", "300")}),
                         t0);
    detail::lease_coordinator worker("w", lease_settings{});
    std::vector<shard_lease> rows;
    if (parent_held_before) rows.push_back({"parent", "", 3, false, ""});
    for (int pass = 0; pass < 3; ++pass) {
        const auto plan = worker.on_leases(rows, tracker.lineage(), t0 + std::chrono::hours(pass));
        for (const detail::lease_claim& claim : plan.take) {
            tracker.lease(claim.shard_id, claim.checkpoint, claim.after_parent, claim.counter == 0);
            std::string checkpoint;
            if (!tracker.drained(claim.shard_id)) {
                const auto a = tracker.next(t0);
                EXPECT_EQ(a.what, kind::get_iterator);
                if (a.shard_id == "child") return a.iterator;
                // The parent is read to its end, and its last change processed.
                tracker.on_iterator(a.shard_id, std::string("it"), t0);
                EXPECT_EQ(tracker.next(t0).what, kind::get_records);
                tracker.on_records(a.shard_id, records({"150", "200"}, std::nullopt), t0);
                while (tracker.has_record()) {
                    checkpoint = tracker.take().record.dynamodb.sequence_number;
                }
            }
            std::erase_if(rows, [&](const shard_lease& r) { return r.shard_id == claim.shard_id; });
            rows.push_back({claim.shard_id, "", claim.counter + 2, true, checkpoint,
                            tracker.passed_over(claim.shard_id)});
        }
    }
    ADD_FAILURE() << "the child was never read";
    return {};
}

TEST(ShardTracker, WithLeasesOnlyALeasedShardIsDrainedOrPassedOver)
{
    shard_tracker tracker("arn:stream", settings(shard_iterator_type::latest));
    tracker.use_leases();
    ASSERT_EQ(tracker.next(t0).what, kind::describe);
    tracker.on_described(described({make_shard("parent", std::nullopt, "100", "200")}), t0);
    // Finished by the start position, but not this worker's to release (a lease stolen and
    // not yet usable, say).
    EXPECT_FALSE(tracker.drained("parent"));
    EXPECT_FALSE(tracker.passed_over("parent"));
    tracker.lease("parent", "", false, true);
    EXPECT_TRUE(tracker.drained("parent"));
    EXPECT_TRUE(tracker.passed_over("parent"));
}

TEST(ShardTracker, WithLeasesAChildOfAParentPassedOverByTheStartStartsThere)
{
    // The parent holds only changes from before the feed began; the child's older changes are
    // not delivered either, as without leases.
    const auto latest = leased_child_after_a_closed_parent(shard_iterator_type::latest);
    EXPECT_EQ(latest.shard_iterator_type, shard_iterator_type::latest);
    const auto after =
        leased_child_after_a_closed_parent(shard_iterator_type::after_sequence_number, "350");
    EXPECT_EQ(after.shard_iterator_type, shard_iterator_type::after_sequence_number);
    EXPECT_EQ(after.sequence_number, std::optional<std::string>("350"));
    // A parent read to its end: the child is read from its start.
    const auto horizon = leased_child_after_a_closed_parent(shard_iterator_type::trim_horizon);
    EXPECT_EQ(horizon.shard_iterator_type, shard_iterator_type::trim_horizon);
    // A worker before this one held the parent, and may have read it: from the start too.
    const auto taken_over =
        leased_child_after_a_closed_parent(shard_iterator_type::latest, {}, true);
    EXPECT_EQ(taken_over.shard_iterator_type, shard_iterator_type::trim_horizon);
}

TEST(CheckpointBook, ForgetsWhatIsOwedOfALostShard)
{
    detail::checkpoint_book book(0, milliseconds(0), t0);
    book.delivered("a", "10");
    book.delivered("b", "20");
    EXPECT_TRUE(book.owes("a"));
    EXPECT_TRUE(book.owes("b"));  // handed out, not yet processed
    book.forget("b");
    book.acknowledge();
    EXPECT_FALSE(book.owes("b"));
    book.forget("a");
    EXPECT_FALSE(book.has_pending());
}

}  // namespace
