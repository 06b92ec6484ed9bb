// A change feed against a server that throttles GetRecords, drops its answer, or says its
// shard iterator expired, in DynamoDB Streams' wire format: each change comes exactly once.
// And the lease table's writes when an answer is lost and the retry meets the write applied.
#include "support/fake_client_config.hpp"
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/query/changes.hpp>
#include <dynomite/query/memory_checkpoint_store.hpp>
#include <dynomite/query/table_checkpoint_store.hpp>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace dynomite::test::stream_faults {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::string_view stream_arn =
    "arn:aws:dynamodb:us-east-1:123456789012:table/posts/stream/2026-01-01T00:00:00.000";

std::string described_stream()
{
    return R"({"StreamDescription":{"StreamArn":")" + std::string(stream_arn) +
           R"(","StreamStatus":"ENABLED","StreamViewType":"KEYS_ONLY","TableName":"posts",)"
           R"("Shards":[{"ShardId":"shardId-1","SequenceNumberRange":)"
           R"({"StartingSequenceNumber":"100"}}]}})";
}

std::string iterator(std::string_view name)
{
    return R"({"ShardIterator":")" + std::string(name) + R"("})";
}

/// A GetRecords answer with inserts of the given sequence numbers.
std::string records(const std::vector<int>& sequence_numbers, std::string_view next)
{
    std::string out = R"({"Records":[)";
    for (std::size_t i = 0; i < sequence_numbers.size(); ++i) {
        const std::string sequence = std::to_string(sequence_numbers[i]);
        if (i > 0) out += ',';
        out += R"({"eventID":"e)" + sequence +
               R"(","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",)"
               R"("awsRegion":"us-east-1","dynamodb":{"Keys":{"pk":{"S":"item-)" +
               sequence + R"("}},"SequenceNumber":")" + sequence +
               R"(","SizeBytes":20,"StreamViewType":"KEYS_ONLY"}})";
    }
    return out + R"(],"NextShardIterator":")" + std::string(next) + R"("})";
}

fake_action streams_error(std::string_view type, std::string_view message)
{
    return fake_action::aws_error(400, type, message);
}

class stream_faults_test : public ::testing::Test {
protected:
    client_config config() const { return fake_client_config(server); }

    change_feed_options options() const
    {
        return {.start = shard_iterator_type::trim_horizon,
                .stream_arn = std::string(stream_arn),
                .describe_interval = std::chrono::hours(1),
                .min_idle_wait = 1ms,
                .max_idle_wait = 1ms};
    }

    /// The sequence numbers of the first `count` changes the feed hands out.
    std::vector<std::string> take(std::size_t count)
    {
        client cl(io.get_executor(), config());
        change_feed feed(cl, "posts", options());
        auto reading = asio::co_spawn(
            io,
            [&]() -> asio::awaitable<std::vector<std::string>> {
                std::vector<std::string> out;
                while (out.size() < count) {
                    auto next = co_await feed.next();
                    if (!next) break;
                    out.push_back(next->sequence_number);
                }
                co_return out;
            },
            asio::use_future);
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (reading.wait_for(0s) != std::future_status::ready &&
               std::chrono::steady_clock::now() < deadline) {
            io.run_one_for(100ms);
        }
        if (reading.wait_for(0s) != std::future_status::ready) {
            ADD_FAILURE() << "the feed did not hand out " << count << " changes within 10 s";
            return {};
        }
        return reading.get();
    }

    /// Runs `body` on a feed of "posts" that keeps its checkpoints in `checkpoints`.
    template <class Body>
    void with_feed(const std::shared_ptr<memory_checkpoint_store>& checkpoints, Body body,
                   std::string worker_id = {})
    {
        client cl(io.get_executor(), config());
        change_feed_options with_store = options();
        with_store.checkpoints = checkpoints;
        with_store.feed_name = "posts";
        with_store.checkpoint_every = 0;  // only checkpoint() writes
        with_store.worker_id = std::move(worker_id);
        // Long enough for any one request on a loaded machine, short enough to lapse in a test.
        with_store.leases.duration = 2000ms;
        with_store.leases.renew_interval = 400ms;
        change_feed feed(cl, "posts", with_store);
        auto done = asio::co_spawn(io, body(feed), asio::use_future);
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (done.wait_for(0s) != std::future_status::ready &&
               std::chrono::steady_clock::now() < deadline) {
            io.run_one_for(100ms);
        }
        ASSERT_EQ(done.wait_for(0s), std::future_status::ready) << "the feed took over 10 s";
        done.get();
    }

    /// The GetRecords and GetShardIterator requests, by target, in order.
    std::vector<std::string> targets() const
    {
        std::vector<std::string> out;
        for (const recorded_request& request : server.requests()) {
            out.push_back(request.header("x-amz-target").value_or(""));
        }
        return out;
    }

    fake_server server;
    asio::io_context io;
};

const std::string describe = "DynamoDBStreams_20120810.DescribeStream";
const std::string get_iterator = "DynamoDBStreams_20120810.GetShardIterator";
const std::string get_records = "DynamoDBStreams_20120810.GetRecords";

TEST_F(stream_faults_test, throttled_get_records_is_retried_without_loss_or_repetition)
{
    server.enqueue(fake_action::ok(described_stream()));
    server.enqueue(fake_action::ok(iterator("it-1")));
    server.enqueue(streams_error("LimitExceededException", "Rate exceeded for shard"));
    server.enqueue(streams_error("ThrottlingException", "Rate exceeded"));
    server.enqueue(fake_action::ok(records({101, 102}, "it-2")));
    server.enqueue(fake_action::ok(records({103}, "it-3")));
    server.set_default(fake_action::ok(records({}, "it-3")));

    EXPECT_EQ(take(3), (std::vector<std::string>{"101", "102", "103"}));
    const auto sent = targets();
    ASSERT_GE(sent.size(), 6u);
    EXPECT_EQ(sent[0], describe);
    EXPECT_EQ(sent[1], get_iterator);
    for (std::size_t i = 2; i < 6; ++i) EXPECT_EQ(sent[i], get_records) << i;
    // The throttled request is sent again with the same iterator.
    const auto requests = server.requests();
    for (std::size_t i = 2; i < 5; ++i) {
        EXPECT_NE(requests[i].body.find("\"it-1\""), std::string::npos) << requests[i].body;
    }
    EXPECT_NE(requests[5].body.find("\"it-2\""), std::string::npos) << requests[5].body;
}

TEST_F(stream_faults_test, a_lost_get_records_answer_is_asked_again)
{
    server.enqueue(fake_action::ok(described_stream()));
    server.enqueue(fake_action::ok(iterator("it-1")));
    server.enqueue(fake_action::ok(records({101}, "it-2")));
    server.enqueue(fake_action::reset_after_request());
    server.enqueue(fake_action::ok(records({102, 103}, "it-3")));
    server.set_default(fake_action::ok(records({}, "it-3")));

    EXPECT_EQ(take(3), (std::vector<std::string>{"101", "102", "103"}));
    const auto requests = server.requests();
    ASSERT_GE(requests.size(), 5u);
    EXPECT_EQ(requests[3].header("x-amz-target").value_or(""), get_records);
    EXPECT_NE(requests[3].body.find("\"it-2\""), std::string::npos) << requests[3].body;
    EXPECT_NE(requests[4].body.find("\"it-2\""), std::string::npos) << requests[4].body;
}

TEST_F(stream_faults_test, an_expired_iterator_is_acquired_again_after_the_last_change)
{
    server.enqueue(fake_action::ok(described_stream()));
    server.enqueue(fake_action::ok(iterator("it-1")));
    server.enqueue(fake_action::ok(records({101, 102}, "it-2")));
    server.enqueue(streams_error("ExpiredIteratorException", "Iterator expired"));
    server.enqueue(fake_action::ok(iterator("it-3")));
    server.enqueue(fake_action::ok(records({103}, "it-4")));
    server.set_default(fake_action::ok(records({}, "it-4")));

    EXPECT_EQ(take(3), (std::vector<std::string>{"101", "102", "103"}));
    const auto requests = server.requests();
    ASSERT_GE(requests.size(), 6u);
    EXPECT_EQ(requests[3].header("x-amz-target").value_or(""), get_records);
    // One try only: an expired iterator is no retry, but a new iterator after sequence 102.
    EXPECT_EQ(requests[4].header("x-amz-target").value_or(""), get_iterator);
    EXPECT_NE(requests[4].body.find("\"AFTER_SEQUENCE_NUMBER\""), std::string::npos)
        << requests[4].body;
    EXPECT_NE(requests[4].body.find("\"SequenceNumber\":\"102\""), std::string::npos)
        << requests[4].body;
    EXPECT_NE(requests[5].body.find("\"it-3\""), std::string::npos) << requests[5].body;
}

/// The sequence number of the next change, "none" at the end.
asio::awaitable<std::string> next_sequence(change_feed& feed)
{
    auto next = co_await feed.next();
    co_return next ? next->sequence_number : "none";
}

TEST_F(stream_faults_test, a_change_given_back_comes_again_and_is_not_checkpointed_until_then)
{
    server.enqueue(fake_action::ok(described_stream()));
    server.enqueue(fake_action::ok(iterator("it-1")));
    server.enqueue(fake_action::ok(records({101, 102, 103}, "it-2")));
    server.set_default(fake_action::ok(records({}, "it-2")));
    auto store = std::make_shared<memory_checkpoint_store>();
    with_feed(store, [&](change_feed& feed) -> asio::awaitable<void> {
        EXPECT_EQ(co_await next_sequence(feed), "101");
        auto second = co_await feed.next();
        EXPECT_EQ(second->sequence_number, "102");
        feed.give_back(std::move(*second));
        // 101 counts as processed, 102 does not.
        EXPECT_EQ(co_await feed.checkpoint(), 1u);
        EXPECT_EQ(store->positions("posts"), (std::map<std::string, std::string>{
                                                  {"shardId-1", "101"}}));
        EXPECT_EQ(co_await next_sequence(feed), "102");
        EXPECT_EQ(co_await next_sequence(feed), "103");
        EXPECT_EQ(co_await feed.checkpoint(), 1u);
        EXPECT_EQ(store->positions("posts"), (std::map<std::string, std::string>{
                                                  {"shardId-1", "103"}}));
    });
}

TEST_F(stream_faults_test, a_change_given_back_after_its_lease_lapsed_comes_from_a_new_lease)
{
    server.enqueue(fake_action::ok(described_stream()));
    server.enqueue(fake_action::ok(iterator("it-1")));
    server.enqueue(fake_action::ok(records({101, 102}, "it-2")));
    server.enqueue(fake_action::ok(records({}, "it-2")));  // read ahead
    server.enqueue(fake_action::ok(iterator("it-3")));
    server.enqueue(fake_action::ok(records({101, 102}, "it-4")));
    server.set_default(fake_action::ok(records({}, "it-4")));
    with_feed(
        std::make_shared<memory_checkpoint_store>(),
        [&](change_feed& feed) -> asio::awaitable<void> {
            auto first = co_await feed.next();
            EXPECT_EQ(first->sequence_number, "101");
            // Within the lease, retried: a scan of the lease rows sees this worker's row.
            std::this_thread::sleep_for(600ms);
            feed.give_back(std::move(*first));
            first = co_await feed.next();
            EXPECT_EQ(first->sequence_number, "101");
            // No next() for longer than the lease: it lapses, unrenewed, and the row, seen
            // unchanged for that long, is expired: the same call takes the lease again.
            std::this_thread::sleep_for(2500ms);
            feed.give_back(std::move(*first));
            EXPECT_EQ(co_await next_sequence(feed), "101");
            EXPECT_EQ(co_await next_sequence(feed), "102") << "101 came twice";
        },
        "worker-a");
    // Not handed out again from memory: read again under a new lease, from the start.
    const auto requests = server.requests();
    ASSERT_GE(requests.size(), 6u);
    EXPECT_EQ(requests[4].header("x-amz-target").value_or(""), get_iterator);
    EXPECT_NE(requests[4].body.find("\"TRIM_HORIZON\""), std::string::npos) << requests[4].body;
}

TEST_F(stream_faults_test, a_reader_retrying_a_change_keeps_its_lease)
{
    server.enqueue(fake_action::ok(described_stream()));
    server.enqueue(fake_action::ok(iterator("it-1")));
    server.enqueue(fake_action::ok(records({101, 102}, "it-2")));
    server.set_default(fake_action::ok(records({}, "it-2")));
    auto store = std::make_shared<memory_checkpoint_store>();
    std::int64_t counter_before = 0;
    std::int64_t counter_after = 0;
    with_feed(
        store,
        [&](change_feed& feed) -> asio::awaitable<void> {
            auto change = co_await feed.next();
            diagnostics diag;
            std::vector<shard_lease> rows;
            co_await store->load_leases("posts", rows, diag);
            counter_before = rows.at(0).counter;
            // Retried for longer than the lease lasts, each try within a renewal interval.
            for (int attempt = 0; attempt < 6; ++attempt) {
                std::this_thread::sleep_for(500ms);
                feed.give_back(std::move(*change));
                change = co_await feed.next();
                EXPECT_EQ(change->sequence_number, "101") << attempt;
            }
            rows.clear();
            co_await store->load_leases("posts", rows, diag);
            counter_after = rows.at(0).counter;
            EXPECT_EQ(rows.at(0).owner, "worker-a");
        },
        "worker-a");
    EXPECT_GT(counter_after, counter_before) << "renewed while retrying";
    const auto sent = targets();
    EXPECT_EQ(std::count(sent.begin(), sent.end(), get_iterator), 1) << "the shard was read once";
}

TEST_F(stream_faults_test, only_the_last_change_not_yet_processed_can_be_given_back)
{
    server.enqueue(fake_action::ok(described_stream()));
    server.enqueue(fake_action::ok(iterator("it-1")));
    server.enqueue(fake_action::ok(records({101, 102}, "it-2")));
    server.set_default(fake_action::ok(records({}, "it-2")));
    const auto refused = [](change_feed& feed, const change& c) {
        try {
            feed.give_back(c);
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_argument);
            EXPECT_NE(std::string(e.what()).find("is not the change next() returned last"),
                      std::string::npos)
                << e.what();
            return true;
        }
        return false;
    };
    with_feed(std::make_shared<memory_checkpoint_store>(),
              [&](change_feed& feed) -> asio::awaitable<void> {
                  const auto first = co_await feed.next();
                  const auto second = co_await feed.next();
                  EXPECT_TRUE(refused(feed, *first)) << "an earlier change";
                  feed.give_back(*second);
                  EXPECT_TRUE(refused(feed, *second)) << "given back twice";
                  EXPECT_EQ(co_await next_sequence(feed), "102");
                  co_await feed.checkpoint();
                  EXPECT_TRUE(refused(feed, *second)) << "already checkpointed";
              });
}

// --- The lease table: a lease write whose answer was lost, met again on its retry ----------

/// 400 ConditionalCheckFailedException carrying the item as stored (ALL_OLD).
fake_action condition_failed_holding(std::string_view owner, int counter)
{
    fake_action action;
    action.status = 400;
    action.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                  R"("message":"The conditional request failed","Item":{"feed":{"S":"posts"},)"
                  R"("shard":{"S":"shardId-1"},"owner":{"S":")" +
                  std::string(owner) + R"("},"lease_counter":{"N":")" + std::to_string(counter) +
                  R"("}}})";
    return action;
}

class lease_table_test : public ::testing::Test {
protected:
    /// take_lease (renew = false) or renew_lease by "worker-a" from `counter`: its error, and
    /// the counter after it.
    std::pair<error_code, std::int64_t> lease_write(bool renew, std::int64_t counter)
    {
        auto config = fake_client_config(server);
        config.retry.base_delay = 1ms;
        config.retry.max_delay = 2ms;
        client cl(io.get_executor(), config);
        table_checkpoint_store store(cl, "leases");
        auto done = asio::co_spawn(
            io,
            [&]() -> asio::awaitable<error_code> {
                diagnostics diag;
                // Not a conditional expression: GCC 12 evaluates a co_await in each of its arms.
                if (renew)
                    co_return co_await store.renew_lease("posts", "shardId-1", "worker-a", counter,
                                                         diag);
                co_return co_await store.take_lease("posts", "shardId-1", "worker-a", counter,
                                                    diag);
            },
            asio::use_future);
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (done.wait_for(0s) != std::future_status::ready &&
               std::chrono::steady_clock::now() < deadline) {
            io.run_one_for(100ms);
        }
        if (done.wait_for(0s) != std::future_status::ready) {
            ADD_FAILURE() << "the lease write did not complete within 10 s";
            return {};
        }
        return {done.get(), counter};
    }

    fake_server server;
    asio::io_context io;
};

TEST_F(lease_table_test, a_renewal_applied_before_its_answer_was_lost_is_a_renewal)
{
    server.enqueue(fake_action::reset_after_request());
    server.enqueue(condition_failed_holding("worker-a", 8));

    const auto [ec, counter] = lease_write(true, 7);
    for (auto& r : server.requests()) std::cerr << "REQ " << r.body << "\n";
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(counter, 8);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_NE(requests[1].body.find(R"("ReturnValuesOnConditionCheckFailure":"ALL_OLD")"),
              std::string::npos)
        << requests[1].body;
}

TEST_F(lease_table_test, a_take_applied_before_its_answer_was_lost_is_a_take)
{
    server.enqueue(fake_action::reset_after_request());
    server.enqueue(condition_failed_holding("worker-a", 1));

    const auto [ec, counter] = lease_write(false, 0);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(counter, 1);
}

TEST_F(lease_table_test, a_lease_another_worker_moved_stays_lost_after_a_retry)
{
    server.enqueue(fake_action::reset_after_request());
    server.enqueue(condition_failed_holding("worker-b", 8));

    const auto [ec, counter] = lease_write(true, 7);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    EXPECT_EQ(counter, 7);
}

TEST_F(lease_table_test, a_lease_moved_further_than_this_write_stays_lost)
{
    server.enqueue(fake_action::reset_after_request());
    server.enqueue(condition_failed_holding("worker-a", 9));

    const auto [ec, counter] = lease_write(true, 7);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    EXPECT_EQ(counter, 7);
}

TEST_F(lease_table_test, a_failed_condition_without_a_retry_is_a_lost_lease)
{
    // The item reads as this write's result, but no earlier attempt of it was sent: the write
    // that set it was another, such as one of this worker's before a restart.
    server.enqueue(condition_failed_holding("worker-a", 8));

    const auto [ec, counter] = lease_write(true, 7);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    EXPECT_EQ(counter, 7);
    EXPECT_EQ(server.request_count(), 1u);
}

}  // namespace
}  // namespace dynomite::test::stream_faults
