// Relations over tables of many pages against a real endpoint: exact limits, resuming from a
// cursor string, parallel scans, counts, aggregates, delete_all, cancellation mid-stream, and
// memory that stays flat while 100,000 items stream by.
#include "integration/relation_fixture.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

constexpr int big_count = 10000;

std::string padded(std::size_t i)
{
    char text[16];
    std::snprintf(text, sizeof text, "%06zu", i);
    return text;
}

/// Item i of the big partition: n = i, grp = i % 10; the global index groups by i % 4.
attribute_map big_item(std::size_t i)
{
    const std::string sk = padded(i);
    return {{"pk", "big"},
            {"sk", attribute_value(sk)},
            {"n", i},
            {"grp", i % 10},
            {"gpk", attribute_value("g" + std::to_string(i % 4))},
            {"gsk", attribute_value(sk)}};
}

std::int64_t n_of(const attribute_map& item)
{
    return item.at("n").as_n().as_int64();
}

/// The resident set size of this process, from /proc/self/status, in bytes.
std::size_t resident_bytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
    }
    throw std::runtime_error("no VmRSS in /proc/self/status");
}

class RelationStream : public relation_test {
protected:
    /// The table of big_count items shared by the suite: written once, deleted after it.
    const std::string& big_table()
    {
        if (shared_table.empty()) {
            table_spec spec;
            spec.global_index = true;
            const auto name = create_untracked_table("dyn-rel-big", spec);
            shared_table = name;
            write_concurrently(name, big_count, big_item);
        }
        return shared_table;
    }

    relation big() { return store.table(big_table()).where("pk", "big"); }

    static void TearDownTestSuite()
    {
        if (shared_table.empty()) return;
        asio::io_context context;
        client cleaner(context.get_executor(), base_config());
        delete_table_request request{shared_table};
        cleaner.async_delete_table(
            std::move(request),
            [](error_code ec, const delete_table_response&) { EXPECT_FALSE(ec) << ec.message(); });
        context.run();
        shared_table.clear();
    }

    /// Runs `reader` until it finishes, failing the test past `limit`.
    template <class Done>
    void run_while_not(Done&& done, std::chrono::seconds limit = std::chrono::seconds(30))
    {
        const auto give_up = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < give_up) {
            if (io.stopped()) io.restart();
            io.run_one_for(std::chrono::milliseconds(20));
        }
        ASSERT_TRUE(done()) << "not done within " << limit.count() << " s";
    }

    static inline std::string shared_table;
};

TEST_F(RelationStream, a_limit_yields_exactly_that_many_across_pages)
{
    const relation paged = big().page_size(100);
    auto c = paged.limit(1234).cursor();
    std::int64_t expected = 0;
    while (auto item = run(c.next())) EXPECT_EQ(n_of(*item), expected++);
    EXPECT_EQ(expected, 1234);
    EXPECT_EQ(run(paged.limit(1234).all()).size(), 1234u);

    // With a filter DynamoDB's Limit counts items before it; the result is still exact.
    const auto threes = run(paged.where("grp", 3).limit(250).all());
    ASSERT_EQ(threes.size(), 250u);
    EXPECT_EQ(n_of(threes.front()), 3);
    EXPECT_EQ(n_of(threes.back()), 2493);
}

TEST_F(RelationStream, resumes_from_a_cursor_string)
{
    const relation paged = big().page_size(400);
    auto c = paged.limit(1500).cursor();
    while (run(c.next())) {
    }
    const std::string position = c.cursor_string();
    ASSERT_FALSE(position.empty());
    const auto rest = run(paged.start_from(position).all());
    ASSERT_EQ(rest.size(), static_cast<std::size_t>(big_count - 1500));
    for (std::size_t i = 0; i < rest.size(); ++i) ASSERT_EQ(n_of(rest[i]), 1500 + std::int64_t(i));

    // From the middle of a page, item by item.
    std::string middle;
    {
        auto reader = paged.cursor();
        for (int i = 0; i < 777; ++i) ASSERT_TRUE(run(reader.next()).has_value());
        middle = reader.cursor_string();
    }
    EXPECT_EQ(n_of(*run(paged.start_from(middle).first())), 777);

    // Page by page.
    auto pages = paged.cursor();
    ASSERT_EQ(run(pages.next_page())->size(), 400u);
    ASSERT_EQ(run(pages.next_page())->size(), 400u);
    EXPECT_EQ(n_of(*run(paged.start_from(pages.cursor_string()).first())), 800);

    auto tail = big().where("sk.gte", padded(big_count - 5)).cursor();
    int seen = 0;
    while (run(tail.next())) ++seen;
    EXPECT_EQ(seen, 5);
    EXPECT_TRUE(tail.done());
    EXPECT_EQ(tail.cursor_string(), "") << "nothing remains";
}

TEST_F(RelationStream, a_parallel_scan_returns_every_item_exactly_once)
{
    const relation parallel = store.table(big_table()).segments(4).page_size(500);
    const auto items = run(parallel.all());
    ASSERT_EQ(items.size(), static_cast<std::size_t>(big_count));
    std::set<std::int64_t> seen;
    for (const auto& item : items) seen.insert(n_of(item));
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(big_count));
    EXPECT_EQ(*seen.begin(), 0);
    EXPECT_EQ(*seen.rbegin(), big_count - 1);

    auto c = store.table(big_table()).segments(3).page_size(700).where("grp", 7).cursor();
    std::set<std::int64_t> sevens;
    while (auto item = run(c.next())) EXPECT_TRUE(sevens.insert(n_of(*item)).second);
    EXPECT_EQ(sevens.size(), static_cast<std::size_t>(big_count / 10));
    EXPECT_EQ(run(store.table(big_table()).segments(4).limit(1000).all()).size(), 1000u);
    EXPECT_TRUE(warnings.empty());
}

TEST_F(RelationStream, counts_without_loading)
{
    EXPECT_EQ(run(big().page_size(700).count()), big_count);
    EXPECT_EQ(run(big().where("grp", 3).count()), big_count / 10);
    EXPECT_EQ(run(big().limit(2500).count()), 2500);
    EXPECT_EQ(run(store.table(big_table()).force_scan().page_size(900).count()), big_count);
    EXPECT_EQ(run(store.table(big_table()).segments(4).count()), big_count);
    EXPECT_TRUE(run(big().where("n", big_count - 1).exists()));
    EXPECT_FALSE(run(big().where("n", big_count).exists()));
}

TEST_F(RelationStream, first_last_and_aggregates)
{
    EXPECT_EQ(n_of(*run(big().first())), 0);
    EXPECT_EQ(n_of(*run(big().last())), big_count - 1);
    const relation range = big().where("sk.between", {padded(100), padded(199)});
    EXPECT_EQ(n_of(*run(range.first())), 100);
    EXPECT_EQ(n_of(*run(range.last())), 199);
    // by_group holds the items with a gsk: asking for it lets the index serve.
    const relation group = store.table(big_table()).where("gpk", "g1").attribute_exists("gsk");
    EXPECT_EQ(run(group.explain()).index_name, global_index_name);
    EXPECT_EQ(n_of(*run(group.last())), big_count - 3);

    EXPECT_EQ(run(big().sum("n")).text(), "49995000");
    EXPECT_EQ(run(big().min("n")), number(0));
    EXPECT_EQ(run(big().max("n")), number(big_count - 1));
    EXPECT_EQ(run(big().average("n"))->text(), "4999.5");
    EXPECT_EQ(run(big().where("grp", 3).sum("n")).text(), "4998000");
    EXPECT_EQ(run(big().limit(3).pluck("n")), (std::vector<attribute_value>{0, 1, 2}));
    EXPECT_EQ(run(big().limit(2).ids()),
              (std::vector<attribute_map>{key_of("big", padded(0)), key_of("big", padded(1))}));
}

TEST_F(RelationStream, delete_all_deletes_every_item_by_key)
{
    const auto table = create_table("dyn-rel-delete");
    write_concurrently(table, big_count, big_item);
    const relation all_items = store.table(table).where("pk", "big");
    const auto threes = run(all_items.where("grp", 3).delete_all());
    EXPECT_EQ(threes.deleted, big_count / 10);
    EXPECT_TRUE(threes.unprocessed_keys.empty());
    EXPECT_EQ(run(all_items.count()), big_count - big_count / 10);

    const auto rest = run(all_items.delete_all());
    EXPECT_EQ(rest.deleted, big_count - big_count / 10);
    EXPECT_TRUE(rest.unprocessed_keys.empty());
    EXPECT_EQ(run(all_items.count()), 0);
    EXPECT_EQ(run(all_items.delete_all()).deleted, 0);
}

TEST_F(RelationStream, destroying_the_cursor_with_a_page_in_flight)
{
    const relation paged = big().page_size(200);
    const auto started = std::chrono::steady_clock::now();
    {
        auto c = paged.cursor();
        ASSERT_TRUE(run(c.next()).has_value());
        // The request for the second page left when the first arrived.
    }
    EXPECT_EQ(run(paged.limit(10).all()).size(), 10u) << "the client stays usable";
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST_F(RelationStream, cancelling_the_reader_mid_stream)
{
    const relation paged = big().page_size(200);
    auto c = paged.cursor();
    int read = 0;
    bool finished = false;
    std::exception_ptr failure;
    asio::cancellation_signal cancel;
    auto reader = [&]() -> asio::awaitable<void> {
        while (auto item = co_await c.next()) ++read;
    };
    asio::co_spawn(io, reader(),
                   asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
                       failure = e;
                       finished = true;
                   }));
    run_while_not([&] { return read >= 500; });
    ASSERT_FALSE(finished);
    const auto cancelled_at = std::chrono::steady_clock::now();
    cancel.emit(asio::cancellation_type::terminal);
    run_while_not([&] { return finished; });
    EXPECT_LT(std::chrono::steady_clock::now() - cancelled_at, std::chrono::seconds(2));
    EXPECT_LT(read, big_count);
    ASSERT_TRUE(failure) << "the reader was cancelled, not finished";
    try {
        std::rethrow_exception(failure);
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), asio::error::operation_aborted);
    }
    diagnostics diag;
    auto [ec, item] = run(c.next(diag));
    EXPECT_EQ(ec, asio::error::operation_aborted) << "the cursor stays cancelled";
    EXPECT_EQ(run(paged.count()), big_count) << "the client stays usable";
}

TEST_F(RelationStream, memory_stays_flat_while_streaming_100000_items)
{
    constexpr std::size_t count = 100000;
    const std::string pad(400, 'x');
    const auto table = create_table("dyn-rel-memory");
    write_concurrently(table, count, [&pad](std::size_t i) {
        return attribute_map{{"pk", "m"}, {"sk", attribute_value(padded(i))}, {"pad", pad}};
    });
    // Streaming grows the resident set by a few MB (the page read and the one read ahead);
    // keeping the items instead grows it by about 70 MB.
    constexpr std::size_t bound = 32 * 1024 * 1024;
    const std::size_t before = resident_bytes();
    auto c = store.table(table).where("pk", "m").cursor();
    std::size_t items = 0;
    std::size_t bytes = 0;
    std::size_t peak = before;
    while (auto item = run(c.next())) {
        ++items;
        bytes += item->at("pad").as_s().size();
        if (items % 10000 == 0) peak = std::max(peak, resident_bytes());
    }
    const std::size_t after = resident_bytes();
    EXPECT_EQ(items, count);
    EXPECT_EQ(bytes, count * pad.size());
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed blocks in quarantine, so the resident set says nothing about
    // what the cursor retains; the other builds check it.
    (void)bound;
    RecordProperty("resident_set_growth_unchecked_under_asan",
                   std::to_string(std::max(peak, after) - before));
#else
    EXPECT_LT(std::max(peak, after) - before, bound)
        << "resident set grew from " << before << " to " << std::max(peak, after) << " bytes";
#endif
}

}  // namespace
}  // namespace dynomite::test
