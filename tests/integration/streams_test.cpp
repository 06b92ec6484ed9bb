// DynamoDB Streams against a real endpoint: the four operations, and a change feed that sees
// every write of every kind (puts, updates, deletes, transactions, batches) exactly once, in
// order for each item, compared with what the writers did; a feed restarted after a sequence
// number misses nothing.
#include "integration/integration_fixture.hpp"
#include "query/stream_shards.hpp"

#include "cli.hpp"

#include <dynomite/model.hpp>
#include <dynomite/query/changes.hpp>
#include <dynomite/query/memory_checkpoint_store.hpp>
#include <dynomite/query/table_checkpoint_store.hpp>

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

/// A change as the oracle expects it.
struct expected_change {
    stream_event_type event;
    attribute_map old_image;
    attribute_map new_image;

    friend bool operator==(const expected_change&, const expected_change&) = default;
};

std::ostream& operator<<(std::ostream& out, const expected_change& c)
{
    return out << to_string(c.event) << " old " << c.old_image.size() << " attributes, new "
               << c.new_image.size() << " attributes";
}

/// The writers' record of what each item went through: each write's change, in the order the
/// writes to that item were made (they are made one after the other for one item).
class oracle {
public:
    void put(const attribute_map& item)
    {
        const std::string pk = item.at("pk").as_s();
        std::optional<attribute_map>& current = items_[pk];
        changes_[pk].push_back({current ? stream_event_type::modify : stream_event_type::insert,
                                current.value_or(attribute_map{}), item});
        current = item;
        ++count_;
    }

    void update(const std::string& pk, const attribute_map& values)
    {
        std::optional<attribute_map>& current = items_[pk];
        attribute_map next = current.value_or(attribute_map{{"pk", pk}, {"sk", "0"}});
        for (const auto& [name, value] : values) next.set(name, value);
        changes_[pk].push_back({current ? stream_event_type::modify : stream_event_type::insert,
                                current.value_or(attribute_map{}), next});
        current = std::move(next);
        ++count_;
    }

    void remove(const std::string& pk)
    {
        std::optional<attribute_map>& current = items_[pk];
        changes_[pk].push_back({stream_event_type::remove, *current, {}});
        current.reset();
        ++count_;
    }

    std::size_t count() const { return count_; }
    const std::map<std::string, std::vector<expected_change>>& changes() const { return changes_; }

private:
    std::map<std::string, std::optional<attribute_map>> items_;
    std::map<std::string, std::vector<expected_change>> changes_;
    std::size_t count_ = 0;
};

attribute_map item(const std::string& pk, int version)
{
    return {{"pk", pk}, {"sk", "0"}, {"version", version}, {"text", "v" + std::to_string(version)}};
}

attribute_map key(const std::string& pk) { return {{"pk", pk}, {"sk", "0"}}; }

// A model hierarchy in one table, for the model feed.
struct Notice : model<Notice> {
    std::string id;
    std::string title;
    static void define(model_definition<Notice>& s)
    {
        s.field("title", &Notice::title);
        s.inheritance_field("kind");
        s.partition_key("id");
        s.timestamps(false);
    }
};

struct Alert : inherits<Alert, Notice> {
    bool urgent = false;
    static void define(model_definition<Alert>& s) { s.field("urgent", &Alert::urgent); }
};

/// A model whose after_find runs `during_find` when set, while a feed makes its record.
struct Reminder : model<Reminder> {
    std::string id;
    static inline std::function<boost::asio::awaitable<void>()> during_find;
    static void define(model_definition<Reminder>& s)
    {
        s.partition_key("id");
        s.timestamps(false);
        s.after_find([](Reminder&) -> boost::asio::awaitable<void> {
            if (during_find) co_await during_find();
        });
    }
};

class streams_test : public integration_test {
protected:
    void TearDown() override
    {
        clear_default_database();
        integration_test::TearDown();
    }

    /// A table with a stream for Notice, whose records use this test's database. The default
    /// database, not the model's own: the model's would outlive this test's io_context, and
    /// its connections would be closed after the context is gone.
    std::string create_notice_table()
    {
        const std::string table = create_model_table("dyn-notices");
        Notice::set_table_name(table);
        return table;
    }

    /// A table keyed by "id", with a stream of both images; this test's database becomes the
    /// default one.
    std::string create_model_table(const std::string& prefix)
    {
        const std::string table = unique_table_name(prefix);
        track_table(table);
        create_table_request request{
            .table_name = table,
            .attribute_definitions = {{"id", scalar_attribute_type::s}},
            .key_schema = {{"id", key_type::hash}},
            .billing_mode = billing_mode::pay_per_request,
            .stream_specification =
                stream_specification{true, stream_view_type::new_and_old_images}};
        run(db.create_table(std::move(request)));
        run(wait_until_active(table));
        set_default_database(database(db));
        return table;
    }

    // 10,002 writes in all.
    static constexpr int single_keys = 750;        // 5 writes each: put, update, put, delete, put
    static constexpr int batch_keys = 2500;        // a put and a delete each, 25 to a batch
    static constexpr int transaction_pairs = 313;  // two transactions of two writes each
    static constexpr int writers = 8;

    std::string create_stream_table()
    {
        auto name = unique_table_name("dyn-streams");
        track_table(name);
        create_table_request request = table_request(name, {});
        request.stream_specification =
            stream_specification{true, stream_view_type::new_and_old_images};
        run(db.create_table(std::move(request)));
        run(wait_until_active(name));
        return name;
    }

    /// Writer `w` of `writers`: items one at a time, each through put, update, put, delete
    /// and put again.
    asio::awaitable<void> write_singles(std::string table, int w, oracle& expected)
    {
        for (int k = w; k < single_keys; k += writers) {
            const std::string pk = "single-" + std::to_string(k);
            put_item_request put{.table_name = table, .item = item(pk, 1)};
            co_await db.put_item(put);
            expected.put(put.item);
            update_item_request update{.table_name = table,
                                       .key = key(pk),
                                       .update_expression = "SET version = :v, extra = :e",
                                       .expression_attribute_values = {{":v", 2}, {":e", true}}};
            co_await db.update_item(update);
            expected.update(pk, {{"version", 2}, {"extra", true}});
            put.item = item(pk, 3);
            co_await db.put_item(put);
            expected.put(put.item);
            delete_item_request remove{.table_name = table, .key = key(pk)};
            co_await db.delete_item(remove);
            expected.remove(pk);
            put.item = item(pk, 5);
            co_await db.put_item(put);
            expected.put(put.item);
        }
    }

    asio::awaitable<void> write_batches(std::string table, int w, oracle& expected)
    {
        const int per_batch = static_cast<int>(batch_write_max_requests);
        for (int first = w * per_batch; first < batch_keys; first += writers * per_batch) {
            for (const bool deleting : {false, true}) {
                std::vector<write_request> writes;
                for (int k = first; k < first + per_batch; ++k) {
                    const std::string pk = "batch-" + std::to_string(k);
                    if (deleting) {
                        writes.push_back(delete_request{key(pk)});
                    } else {
                        writes.push_back(put_request{item(pk, 1)});
                    }
                }
                batch_write_item_request request;
                request.request_items.emplace_back(table, std::move(writes));
                auto response = co_await db.batch_write_item(request);
                if (!response.unprocessed_items.empty()) {
                    throw std::runtime_error("DynamoDB left writes of a batch unprocessed");
                }
                for (int k = first; k < first + per_batch; ++k) {
                    const std::string pk = "batch-" + std::to_string(k);
                    if (deleting) {
                        expected.remove(pk);
                    } else {
                        expected.put(item(pk, 1));
                    }
                }
            }
        }
    }

    asio::awaitable<void> write_transactions(std::string table, oracle& expected)
    {
        for (int i = 0; i < transaction_pairs; ++i) {
            const std::string a = "tx-a-" + std::to_string(i);
            const std::string b = "tx-b-" + std::to_string(i);
            transact_write_items_request puts;
            puts.transact_items = {transact_put{.table_name = table, .item = item(a, 1)},
                                   transact_put{.table_name = table, .item = item(b, 1)}};
            co_await db.transact_write_items(puts);
            expected.put(item(a, 1));
            expected.put(item(b, 1));
            transact_write_items_request change;
            change.transact_items = {
                transact_update{.table_name = table,
                                .key = key(a),
                                .update_expression = "SET version = :v",
                                .expression_attribute_values = {{":v", 2}}},
                transact_delete{.table_name = table, .key = key(b)}};
            co_await db.transact_write_items(change);
            expected.update(a, {{"version", 2}});
            expected.remove(b);
        }
    }

    static change_feed_options quick(shard_iterator_type start, std::string sequence = {})
    {
        return {.start = start,
                .sequence_number = std::move(sequence),
                .describe_interval = std::chrono::milliseconds(1000),
                .min_idle_wait = std::chrono::milliseconds(20),
                .max_idle_wait = std::chrono::milliseconds(200)};
    }

    /// From the stream's start, with checkpoints kept in `store` and written only by
    /// checkpoint().
    static change_feed_options checkpointed_by_hand(std::shared_ptr<memory_checkpoint_store> store)
    {
        change_feed_options options = quick(shard_iterator_type::trim_horizon);
        options.checkpoints = std::move(store);
        options.checkpoint_every = 0;
        return options;
    }

    /// Takes `count` changes from `feed`.
    asio::awaitable<std::vector<change>> take(change_feed& feed, std::size_t count)
    {
        std::vector<change> out;
        while (out.size() < count) {
            auto next = co_await feed.next();
            if (!next) throw std::runtime_error("the feed ended");
            out.push_back(std::move(*next));
        }
        co_return out;
    }

    /// The next change, or operation_aborted when none comes within `wait`: the feed is then
    /// cancelled.
    error_code next_within(change_feed& feed, std::chrono::milliseconds wait)
    {
        asio::cancellation_signal stop;
        asio::steady_timer timer(io, wait);
        timer.async_wait([&](error_code ec) {
            if (!ec) stop.emit(asio::cancellation_type::terminal);
        });
        diagnostics diag;
        error_code result;
        bool done = false;
        feed.async_next(diag, asio::bind_cancellation_slot(
                                  stop.slot(), [&](error_code ec, std::optional<change>) {
                                      result = ec;
                                      done = true;
                                  }));
        run_until(done);
        // Its handler may be queued already: run it while `stop` lives.
        timer.cancel();
        io.restart();
        io.poll();
        return result;
    }
};

TEST_F(streams_test, operations_describe_the_stream_and_read_its_records)
{
    const std::string table = create_stream_table();
    put_item_request put{.table_name = table, .item = item("one", 1)};
    run(db.put_item(put));

    list_streams_request list{.table_name = table};
    const auto listed = run(db.list_streams(list));
    ASSERT_EQ(listed.streams.size(), 1u);
    EXPECT_EQ(listed.streams[0].table_name, table);
    describe_stream_request describe{.stream_arn = listed.streams[0].stream_arn};
    const auto described = run(db.describe_stream(describe));
    const stream_description& stream = described.stream_description;
    EXPECT_EQ(stream.stream_status, stream_status::enabled);
    EXPECT_EQ(stream.stream_view_type, stream_view_type::new_and_old_images);
    ASSERT_FALSE(stream.shards.empty());
    get_shard_iterator_request at_start{.stream_arn = stream.stream_arn,
                                        .shard_id = stream.shards[0].shard_id,
                                        .shard_iterator_type = shard_iterator_type::trim_horizon};
    const auto iterator = run(db.get_shard_iterator(at_start));
    ASSERT_TRUE(iterator.shard_iterator);
    get_records_request read{.shard_iterator = *iterator.shard_iterator};
    const auto records = run(db.get_records(read));
    ASSERT_EQ(records.records.size(), 1u);
    EXPECT_EQ(records.records[0].event_name, stream_event_type::insert);
    EXPECT_EQ(records.records[0].dynamodb.new_image, put.item);
    EXPECT_TRUE(records.next_shard_iterator);

    // A shard iterator DynamoDB cannot read is its error, not a retry.
    diagnostics diag;
    const auto bad = run_with_diag(get_records_request{.shard_iterator = "not-an-iterator"}, diag);
    EXPECT_TRUE(bad.first) << "GetRecords accepted an invalid iterator";
    EXPECT_FALSE(is_retryable(bad.first)) << diag.to_string();
}

TEST_F(streams_test, feed_sees_every_write_once_in_order_per_item)
{
    const auto started = std::chrono::steady_clock::now();
    const std::string table = create_stream_table();
    change_feed feed(db, table, quick(shard_iterator_type::trim_horizon));

    oracle expected;
    int writing = 0;
    std::exception_ptr failure;
    const auto finished = [&](std::exception_ptr e) {
        if (e) failure = e;
        --writing;
    };
    for (int w = 0; w < writers; ++w) {
        writing += 2;
        asio::co_spawn(io, write_singles(table, w, expected), finished);
        asio::co_spawn(io, write_batches(table, w, expected), finished);
    }
    ++writing;
    asio::co_spawn(io, write_transactions(table, expected), finished);

    // The feed reads while the writers write.
    constexpr std::size_t total =
        single_keys * 5 + batch_keys * 2 + transaction_pairs * 4;
    std::vector<change> seen = run(take(feed, total));
    while (writing > 0) io.run_one();
    if (failure) std::rethrow_exception(failure);
    ASSERT_EQ(expected.count(), total);

    // Nothing more comes: the next change is cancelled, and the feed stops.
    EXPECT_EQ(next_within(feed, std::chrono::milliseconds(500)), asio::error::operation_aborted);
    EXPECT_EQ(next_within(feed, std::chrono::milliseconds(500)), asio::error::operation_aborted);

    std::map<std::string, std::vector<expected_change>> by_item;
    std::string previous_sequence;
    for (const change& c : seen) {
        EXPECT_EQ(c.keys, key(c.keys.at("pk").as_s()));
        EXPECT_TRUE(c.approximate_creation_time);
        EXPECT_TRUE(dynomite::detail::sequence_less(previous_sequence, c.sequence_number))
            << previous_sequence << " then " << c.sequence_number;
        previous_sequence = c.sequence_number;
        by_item[c.keys.at("pk").as_s()].push_back({c.event, c.old_image, c.new_image});
    }
    EXPECT_EQ(by_item.size(), expected.changes().size());
    for (const auto& [pk, changes] : expected.changes()) {
        EXPECT_EQ(by_item[pk], changes) << "item " << pk;
    }

    // Restarted after the change in the middle, a feed sees the rest, and only the rest.
    const std::size_t middle = total / 2;
    change_feed resumed(db, table,
                          quick(shard_iterator_type::after_sequence_number,
                                seen[middle].sequence_number));
    const std::vector<change> rest = run(take(resumed, total - middle - 1));
    for (std::size_t i = 0; i < rest.size(); ++i) {
        ASSERT_EQ(rest[i].sequence_number, seen[middle + 1 + i].sequence_number) << i;
        EXPECT_EQ(rest[i].new_image, seen[middle + 1 + i].new_image);
    }
    EXPECT_EQ(next_within(resumed, std::chrono::milliseconds(300)),
              asio::error::operation_aborted);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    std::printf("streams: %zu changes written, read and read again from the middle in %.1f s\n",
                total, seconds.count());
}

TEST_F(streams_test, feed_from_latest_sees_only_later_writes)
{
    const std::string table = create_stream_table();
    put_item_request before{.table_name = table, .item = item("before", 1)};
    run(db.put_item(before));
    change_feed feed(db, table, quick(shard_iterator_type::latest));
    diagnostics diag;
    error_code result;
    std::optional<change> got;
    bool done = false;
    feed.async_next(diag, [&](error_code ec, std::optional<change> c) {
        result = ec;
        got = std::move(c);
        done = true;
    });
    // The feed takes its position at its first call; no change is there yet.
    run(sleep_for(std::chrono::milliseconds(500)));
    ASSERT_FALSE(done) << (got ? got->keys.at("pk").as_s() : result.message());
    put_item_request after{.table_name = table, .item = item("after", 1)};
    run(db.put_item(after));
    run_until(done);
    ASSERT_FALSE(result) << diag.to_string();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->event, stream_event_type::insert);
    EXPECT_EQ(got->new_image, after.item);
    EXPECT_TRUE(got->old_image.empty());
    EXPECT_EQ(feed.last_sequence_number(), got->sequence_number);
}

TEST_F(streams_test, feed_of_a_table_without_a_stream_says_so)
{
    const std::string table = create_table("dyn-nostream");
    change_feed feed(db, table);
    diagnostics diag;
    bool done = false;
    error_code result;
    feed.async_next(diag, [&](error_code ec, std::optional<change>) {
        result = ec;
        done = true;
    });
    run_until(done);
    EXPECT_EQ(result, errc::invalid_argument);
    EXPECT_NE(diag.message.find("has no stream"), std::string::npos) << diag.message;
}

TEST_F(streams_test, command_tail_prints_a_json_line_per_change)
{
    const std::string table = create_stream_table();
    put_item_request put{.table_name = table, .item = item("cli", 1)};
    run(db.put_item(put));
    update_item_request update{.table_name = table,
                               .key = key("cli"),
                               .update_expression = "SET version = :v",
                               .expression_attribute_values = {{":v", 2}}};
    run(db.update_item(update));
    delete_item_request remove{.table_name = table, .key = key("cli")};
    run(db.delete_item(remove));

    std::ostringstream out;
    std::ostringstream err;
    const int status = cli::run_command_line({"--endpoint", integration_endpoint(), "streams",
                                              "tail", table, "--from", "trim-horizon",
                                              "--count", "3"},
                                             out, err);
    ASSERT_EQ(status, cli::exit_ok) << err.str();
    std::istringstream lines(out.str());
    std::vector<boost::json::object> changes;
    for (std::string line; std::getline(lines, line);) {
        changes.push_back(boost::json::parse(line).as_object());
    }
    ASSERT_EQ(changes.size(), 3u) << out.str();
    const auto expected_keys = boost::json::parse(R"({"pk":{"S":"cli"},"sk":{"S":"0"}})");
    const char* events[] = {"INSERT", "MODIFY", "REMOVE"};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(changes[i].at("event").as_string(), events[i]);
        EXPECT_EQ(changes[i].at("keys"), expected_keys);
        EXPECT_TRUE(changes[i].at("sequence_number").is_string());
        EXPECT_TRUE(changes[i].at("time").is_int64());
        EXPECT_EQ(changes[i].contains("old_image"), i > 0);
        EXPECT_EQ(changes[i].contains("new_image"), i < 2);
    }
    EXPECT_EQ(changes[1].at("new_image").at("version"), boost::json::parse(R"({"N":"2"})"));
}

TEST_F(streams_test, feed_stopped_mid_way_resumes_after_its_last_checkpoint)
{
    const std::string table = create_stream_table();
    const std::string checkpoint_table = unique_table_name("dyn-checkpoints");
    track_table(checkpoint_table);
    run(db.create_table(table_checkpoint_store::table_definition(checkpoint_table)));
    run(wait_until_active(checkpoint_table));
    auto store = std::make_shared<table_checkpoint_store>(db, checkpoint_table);

    oracle expected;
    int writing = 2;
    std::exception_ptr failure;
    const auto finished = [&](std::exception_ptr e) {
        if (e) failure = e;
        --writing;
    };
    asio::co_spawn(io, write_singles(table, 0, expected), finished);
    asio::co_spawn(io, write_transactions(table, expected), finished);
    while (writing > 0) io.run_one();
    if (failure) std::rethrow_exception(failure);
    const std::size_t total = expected.count();

    change_feed_options options = quick(shard_iterator_type::trim_horizon);
    options.checkpoints = store;
    options.feed_name = "resumed-feed";
    options.checkpoint_every = 25;
    constexpr std::size_t read_first = 130;
    std::vector<change> first;
    {
        change_feed feed(db, table, options);
        first = run(take(feed, read_first));
        // Changes 1..129 are processed (the reader asked for the next), the first 125 of
        // them written. Stopped, the feed reads and writes nothing more.
        feed.cancel();
        EXPECT_EQ(next_within(feed, std::chrono::milliseconds(300)),
                  asio::error::operation_aborted);
    }
    std::vector<shard_checkpoint> stored;
    diagnostics diag;
    ASSERT_FALSE(run(store->load("resumed-feed", stored, diag))) << diag.to_string();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].shard_id, first[124].shard_id);
    EXPECT_EQ(stored[0].sequence_number, first[124].sequence_number);

    // Restarted, the feed resumes right after the checkpoint: the five changes processed
    // since come again, and then all the rest.
    change_feed resumed(db, table, options);
    const std::vector<change> rest = run(take(resumed, total - 125));
    EXPECT_EQ(next_within(resumed, std::chrono::milliseconds(300)),
              asio::error::operation_aborted);
    for (std::size_t i = 125; i < read_first; ++i) {
        EXPECT_EQ(rest[i - 125].sequence_number, first[i].sequence_number) << i;
    }
    std::map<std::string, std::vector<expected_change>> by_item;
    for (std::size_t i = 0; i < 125; ++i) {
        const change& c = first[i];
        by_item[c.keys.at("pk").as_s()].push_back({c.event, c.old_image, c.new_image});
    }
    for (const change& c : rest) {
        by_item[c.keys.at("pk").as_s()].push_back({c.event, c.old_image, c.new_image});
    }
    EXPECT_EQ(by_item.size(), expected.changes().size());
    for (const auto& [pk, changes] : expected.changes()) {
        EXPECT_EQ(by_item[pk], changes) << "item " << pk;
    }

    // The cancelled next() counted the last change processed, and wrote it when that made
    // 25 since the last write; checkpoint() writes it otherwise. An older position never
    // moves it back.
    EXPECT_EQ(run(resumed.checkpoint()), rest.size() % 25 == 0 ? 0u : 1u);
    ASSERT_FALSE(run(store->load("resumed-feed", stored, diag))) << diag.to_string();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].sequence_number, rest.back().sequence_number);
    const std::vector<shard_checkpoint> older{{stored[0].shard_id, first[0].sequence_number}};
    ASSERT_FALSE(run(store->save("resumed-feed", older, diag))) << diag.to_string();
    ASSERT_FALSE(run(store->load("resumed-feed", stored, diag))) << diag.to_string();
    EXPECT_EQ(stored[0].sequence_number, rest.back().sequence_number);

    const std::vector<shard_checkpoint> bad{{"shard", "12x"}};
    EXPECT_EQ(run(store->save("resumed-feed", bad, diag)), errc::invalid_argument);
    EXPECT_NE(diag.message.find("not a decimal number"), std::string::npos) << diag.message;
}

TEST_F(streams_test, memory_checkpoints_resume_a_feed_and_only_move_forward)
{
    const std::string table = create_stream_table();
    for (int version = 1; version <= 4; ++version) {
        put_item_request put{.table_name = table, .item = item("memory", version)};
        run(db.put_item(put));
    }
    auto store = std::make_shared<memory_checkpoint_store>();
    const change_feed_options options = checkpointed_by_hand(store);
    std::vector<change> first;
    {
        change_feed feed(db, table, options);
        first = run(take(feed, 2));
        EXPECT_TRUE(store->positions(table).empty()) << "written before checkpoint()";
        EXPECT_EQ(run(feed.checkpoint()), 1u);
        EXPECT_EQ(run(feed.checkpoint()), 0u) << "nothing new to write";
    }
    EXPECT_EQ(store->positions(table),
              (std::map<std::string, std::string>{{first[1].shard_id, first[1].sequence_number}}));
    change_feed resumed(db, table, options);
    const std::vector<change> rest = run(take(resumed, 2));
    EXPECT_EQ(rest[0].new_image, item("memory", 3));
    EXPECT_EQ(rest[1].new_image, item("memory", 4));

    diagnostics diag;
    const std::vector<shard_checkpoint> older{{first[1].shard_id, first[0].sequence_number}};
    ASSERT_FALSE(run(store->save(table, older, diag)));
    EXPECT_EQ(store->positions(table).at(first[1].shard_id), first[1].sequence_number);
    const std::vector<shard_checkpoint> nameless{{"", "1"}};
    EXPECT_EQ(run(store->save(table, nameless, diag)), errc::invalid_argument);
    EXPECT_NE(diag.message.find("no shard id"), std::string::npos) << diag.message;
}

TEST_F(streams_test, model_feed_yields_records_of_the_class_each_item_names)
{
    create_notice_table();
    Notice plain;
    plain.id = "n1";
    plain.title = "first";
    run(plain.save_or_throw());
    Alert alert;
    alert.id = "a1";
    alert.title = "fire";
    alert.urgent = true;
    run(alert.save_or_throw());
    plain.title = "second";
    run(plain.save_or_throw());
    run(alert.destroy_or_throw());
    Alert later;
    later.id = "a2";
    later.title = "flood";
    run(later.save_or_throw());

    const change_feed_options options = quick(shard_iterator_type::trim_horizon);
    auto notices = Notice::changes(options);
    std::vector<model_change<Notice>> all;
    for (int i = 0; i < 5; ++i) {
        auto next = run(notices.next());
        ASSERT_TRUE(next);
        all.push_back(std::move(*next));
    }
    EXPECT_EQ(all[0].event, stream_event_type::insert);
    EXPECT_FALSE(all[0].old_record);
    ASSERT_TRUE(all[0].new_record);
    EXPECT_EQ(all[0].new_record->model_name(), "Notice");
    EXPECT_EQ(all[0].new_record->title, "first");
    EXPECT_TRUE(all[0].new_record->persisted());
    ASSERT_TRUE(all[1].new_record);
    const auto* fire = dynamic_cast<const Alert*>(all[1].new_record.get());
    ASSERT_NE(fire, nullptr) << all[1].new_record->model_name();
    EXPECT_TRUE(fire->urgent);
    EXPECT_EQ(all[2].event, stream_event_type::modify);
    ASSERT_TRUE(all[2].old_record && all[2].new_record);
    EXPECT_EQ(all[2].old_record->title, "first");
    EXPECT_EQ(all[2].new_record->title, "second");
    EXPECT_EQ(all[3].event, stream_event_type::remove);
    EXPECT_FALSE(all[3].new_record);
    ASSERT_TRUE(all[3].old_record);
    EXPECT_NE(dynamic_cast<const Alert*>(all[3].old_record.get()), nullptr);
    EXPECT_EQ(all[3].keys, (attribute_map{{"id", "a1"}}));
    EXPECT_TRUE(all[4].approximate_creation_time);

    // A subclass's feed skips the other classes' changes.
    auto alerts = Alert::changes(options);
    std::vector<std::string> seen;
    for (int i = 0; i < 3; ++i) {
        auto next = run(alerts.next());
        ASSERT_TRUE(next);
        const Alert* record = next->new_record ? next->new_record.get() : next->old_record.get();
        ASSERT_NE(record, nullptr);
        seen.push_back(std::string(to_string(next->event)) + " " + record->id);
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"INSERT a1", "REMOVE a1", "INSERT a2"}));
}

TEST_F(streams_test, a_model_feed_does_not_checkpoint_a_change_whose_record_it_is_making)
{
    const std::string table = create_model_table("dyn-reminders");
    Reminder::set_table_name(table);
    Reminder first;
    first.id = "r1";
    run(first.save_or_throw());

    auto store = std::make_shared<memory_checkpoint_store>();
    const change_feed_options options = checkpointed_by_hand(store);
    auto reminders = Reminder::changes(options);
    std::optional<error_code> refused;
    Reminder::during_find = [&]() -> boost::asio::awaitable<void> {
        try {
            co_await reminders.checkpoint();
        } catch (const error& e) {
            refused = e.code();
        }
    };
    struct forget_hook {
        ~forget_hook() { Reminder::during_find = nullptr; }
    } forget;
    const auto change = run(reminders.next());
    ASSERT_TRUE(change && change->new_record);
    EXPECT_EQ(refused, std::optional<error_code>(make_error_code(errc::invalid_argument)));
    EXPECT_TRUE(store->positions(table).empty()) << "checkpointed while its record was made";
    Reminder::during_find = nullptr;
    EXPECT_EQ(run(reminders.checkpoint()), 1u);
    EXPECT_EQ(store->positions(table).at(change->shard_id), change->sequence_number);
}

TEST_F(streams_test, a_change_a_model_feed_cannot_make_records_of_stays_unprocessed)
{
    const std::string table = create_notice_table();
    Notice before;
    before.id = "n1";
    run(before.save_or_throw());
    put_item_request ghost{.table_name = table,
                           .item = {{"id", "g1"}, {"kind", "Ghost"}, {"title", "boo"}}};
    run(db.put_item(ghost));
    Notice after;
    after.id = "n2";
    run(after.save_or_throw());

    auto store = std::make_shared<memory_checkpoint_store>();
    const change_feed_options options = checkpointed_by_hand(store);
    auto notices = Notice::changes(options);
    const auto first = run(notices.next());
    ASSERT_TRUE(first && first->new_record);
    EXPECT_EQ(first->new_record->id, "n1");
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            run(notices.next());
            ADD_FAILURE() << "a change naming an unknown class made a record";
        } catch (const error& e) {
            EXPECT_NE(std::string(e.what()).find("Ghost"), std::string::npos) << e.what();
        }
    }
    // The checkpoint stops before the change that failed.
    EXPECT_EQ(run(notices.checkpoint()), 1u);
    EXPECT_EQ(store->positions(table).at(first->shard_id), first->sequence_number);
    // Taken as a plain change, it is passed by.
    const auto raw = run(notices.raw().next());
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->keys, (attribute_map{{"id", "g1"}}));
    const auto last = run(notices.next());
    ASSERT_TRUE(last && last->new_record);
    EXPECT_EQ(last->new_record->id, "n2");
    EXPECT_EQ(run(notices.checkpoint()), 1u);
    EXPECT_EQ(store->positions(table).at(last->shard_id), last->sequence_number);
}

}  // namespace
}  // namespace dynomite::test
