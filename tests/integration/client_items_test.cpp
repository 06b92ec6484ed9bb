// Single items, queries and scans against a real endpoint, through every completion-token form.
#include "integration/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace dynomite::test {
namespace {

// 38 significant digits: the most DynamoDB keeps.
constexpr std::string_view digits_38 = "12345678901234567890123456789012345678";

bytes every_byte()
{
    bytes out;
    for (int i = 0; i < 256; ++i) out.push_back(static_cast<std::byte>(i));
    return out;
}

attribute_map item_of_every_type(const std::string& pk)
{
    attribute_map nested{{"level", 2},
                         {"deeper", attribute_map{{"flag", false}, {"none", null_value{}}}}};
    attribute_list list{"text",
                        7,
                        true,
                        null_value{},
                        attribute_list{},
                        attribute_map{},
                        bytes{std::byte{0}, std::byte{0xff}}};
    return attribute_map{
        {"pk", attribute_value(pk)},
        {"sk", "every-type"},
        {"s", "h\xc3\xa9llo, \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x9a\x80 \"quoted\" \\ \n\t\x01"},
        {"s_empty", ""},
        {"n", number(digits_38)},
        {"n_negative_fraction",
         number("-0.00000000000000000000000000000000000012345678901234567890")},
        {"n_large", number("9.9999999999999999999999999999999999999E+125")},
        {"n_small", number("1E-130")},
        {"n_zero", 0},
        {"b", every_byte()},
        {"b_empty", bytes{}},
        {"bool_true", true},
        {"bool_false", false},
        {"null", null_value{}},
        {"m", nested},
        {"m_empty", attribute_map{}},
        {"l", list},
        {"ss", string_set{{"a", "b", "\xc3\xa9", ""}}},
        {"ns", number_set{{number(digits_38), number("-1.5"), number("0"), number("1E+100")}}},
        {"bs", binary_set{{bytes{std::byte{1}}, bytes{std::byte{2}, std::byte{3}}, every_byte()}}},
    };
}

class items_test : public integration_test {
protected:
    get_item_request get_request(attribute_map key) const
    {
        get_item_request request;
        request.table_name = table;
        request.key = std::move(key);
        request.consistent_read = true;
        return request;
    }

    std::optional<attribute_map> get(attribute_map key)
    {
        return run(db.get_item(get_request(std::move(key)))).item;
    }

    void SetUp() override { table = create_table("dyn-items"); }

    std::string table;
};

TEST_F(items_test, every_type_round_trips_exactly)
{
    const auto original = item_of_every_type("types");
    run(db.put_item({.table_name = table, .item = original}));
    const auto read = get(key_of("types", "every-type"));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, original);
    // Equal numerically is not enough for the 38 digits: no digit may change.
    EXPECT_EQ(read->at("n").as_n().text(), digits_38);
    EXPECT_EQ(read->at("b").as_b(), every_byte());
    EXPECT_EQ(read->at("s").as_s(), original.at("s").as_s());
    EXPECT_EQ(read->at("l").as_l().size(), 7u);
    EXPECT_EQ(read->at("m").as_m().at("deeper").as_m().at("none").type(),
              attribute_value::kind::null);
}

TEST_F(items_test, get_missing_key_has_no_item)
{
    run(db.put_item({.table_name = table, .item = {{"pk", "present"}, {"sk", "1"}}}));
    auto response = run(db.get_item(get_request(key_of("present", "2"))));
    EXPECT_FALSE(response.item.has_value());
    response = run(db.get_item(get_request(key_of("absent", "1"))));
    EXPECT_FALSE(response.item.has_value());
}

TEST_F(items_test, consistent_read_sees_the_latest_write)
{
    for (int version = 1; version <= 3; ++version) {
        run(db.put_item(
            {.table_name = table, .item = {{"pk", "cr"}, {"sk", "1"}, {"version", version}}}));
        const auto read = get(key_of("cr", "1"));
        ASSERT_TRUE(read.has_value());
        EXPECT_EQ(read->at("version").as_n().as_int64(), version);
    }
}

TEST_F(items_test, projection_with_expression_attribute_names)
{
    run(db.put_item({.table_name = table,
                     .item = {{"pk", "proj"},
                              {"sk", "1"},
                              {"name", "widget"},
                              {"data", attribute_map{{"size", 3}, {"weight", 9}}},
                              {"tags", attribute_list{"first", "second", "third"}},
                              {"hidden", "not projected"}}}));
    auto request = get_request(key_of("proj", "1"));
    // "name" and "data" are reserved words: only placeholders can name them.
    request.projection_expression = "#n, #d.#w, tags[1]";
    request.expression_attribute_names = {{"#n", "name"}, {"#d", "data"}, {"#w", "weight"}};
    const auto read = run(db.get_item(request)).item;
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, (attribute_map{{"name", "widget"},
                                    {"data", attribute_map{{"weight", 9}}},
                                    {"tags", attribute_list{"second"}}}));
}

TEST_F(items_test, conditional_put_fails_when_the_item_exists)
{
    const attribute_map existing{{"pk", "cond"}, {"sk", "1"}, {"owner", "first"}};
    run(db.put_item({.table_name = table, .item = existing}));

    put_item_request request;
    request.table_name = table;
    request.item = {{"pk", "cond"}, {"sk", "1"}, {"owner", "second"}};
    request.condition_expression = "attribute_not_exists(pk)";
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    EXPECT_EQ(diag.aws_type, "ConditionalCheckFailedException");
    EXPECT_FALSE(diag.message.empty());
    EXPECT_FALSE(diag.request_id.empty());
    EXPECT_FALSE(diag.item.has_value());

    request.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;
    std::tie(ec, response) = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    ASSERT_TRUE(diag.item.has_value());
    EXPECT_EQ(*diag.item, existing);

    EXPECT_EQ(get(key_of("cond", "1")), existing);

    // The same condition succeeds on a new key.
    request.item = {{"pk", "cond"}, {"sk", "2"}, {"owner", "second"}};
    std::tie(ec, response) = run_with_diag(request, diag);
    EXPECT_FALSE(ec) << diag.to_string();
    EXPECT_EQ(get(key_of("cond", "2")), request.item);
}

TEST_F(items_test, put_returns_all_old)
{
    const attribute_map first{{"pk", "old"}, {"sk", "1"}, {"value", "first"}};
    auto response = run(
        db.put_item({.table_name = table, .item = first, .return_values = return_values::all_old}));
    EXPECT_FALSE(response.attributes.has_value());  // nothing was there

    const attribute_map second{{"pk", "old"}, {"sk", "1"}, {"value", "second"}};
    response = run(db.put_item(
        {.table_name = table, .item = second, .return_values = return_values::all_old}));
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(*response.attributes, first);
}

TEST_F(items_test, conditional_update_with_set_and_add)
{
    run(db.put_item({.table_name = table,
                     .item = {{"pk", "upd"}, {"sk", "1"}, {"name", "before"}, {"count", 1}}}));

    update_item_request request;
    request.table_name = table;
    request.key = key_of("upd", "1");
    request.update_expression = "SET #n = :name ADD #c :inc";
    request.condition_expression = "attribute_exists(pk) AND #c < :max";
    request.expression_attribute_names = {{"#n", "name"}, {"#c", "count"}};
    request.expression_attribute_values = {{":name", "after"}, {":inc", 5}, {":max", 10}};
    request.return_values = return_values::all_new;
    auto response = run(db.update_item(request));
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(*response.attributes,
              (attribute_map{{"pk", "upd"}, {"sk", "1"}, {"name", "after"}, {"count", 6}}));

    request.expression_attribute_values = {{":name", "again"}, {":inc", 3}, {":max", 10}};
    request.return_values = return_values::updated_old;
    response = run(db.update_item(request));
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(*response.attributes, (attribute_map{{"name", "after"}, {"count", 6}}));

    // count is 9 now; the condition fails and nothing changes.
    request.expression_attribute_values = {{":name", "never"}, {":inc", 1}, {":max", 9}};
    request.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;
    diagnostics diag;
    auto [ec, failed] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    const attribute_map expected{{"pk", "upd"}, {"sk", "1"}, {"name", "again"}, {"count", 9}};
    ASSERT_TRUE(diag.item.has_value());
    EXPECT_EQ(*diag.item, expected);
    EXPECT_EQ(get(key_of("upd", "1")), expected);
}

TEST_F(items_test, update_creates_a_missing_item_and_returns_updated_new)
{
    update_item_request request;
    request.table_name = table;
    request.key = key_of("upsert", "1");
    request.update_expression = "ADD visits :one";
    request.expression_attribute_values = {{":one", 1}};
    request.return_values = return_values::updated_new;
    auto response = run(db.update_item(request));
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(*response.attributes, (attribute_map{{"visits", 1}}));
    EXPECT_EQ(get(key_of("upsert", "1")),
              (attribute_map{{"pk", "upsert"}, {"sk", "1"}, {"visits", 1}}));
}

TEST_F(items_test, conditional_delete)
{
    const attribute_map item{{"pk", "del"}, {"sk", "1"}, {"state", "open"}};
    run(db.put_item({.table_name = table, .item = item}));

    delete_item_request request;
    request.table_name = table;
    request.key = key_of("del", "1");
    request.condition_expression = "#s = :closed";
    request.expression_attribute_names = {{"#s", "state"}};
    request.expression_attribute_values = {{":closed", "closed"}};
    request.return_values = return_values::all_old;
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    EXPECT_EQ(diag.aws_type, "ConditionalCheckFailedException");
    EXPECT_EQ(get(key_of("del", "1")), item);

    request.expression_attribute_values = {{":closed", "open"}};
    std::tie(ec, response) = run_with_diag(request, diag);
    ASSERT_FALSE(ec) << diag.to_string();
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(*response.attributes, item);
    EXPECT_FALSE(get(key_of("del", "1")).has_value());

    // Deleting what is not there succeeds and returns nothing.
    auto again = run(db.delete_item(
        {.table_name = table, .key = key_of("del", "1"), .return_values = return_values::all_old}));
    EXPECT_FALSE(again.attributes.has_value());
}

TEST_F(items_test, put_on_missing_table_is_resource_not_found)
{
    diagnostics diag;
    auto [ec, response] = run_with_diag(
        put_item_request{.table_name = unique_table_name("dyn-missing"), .item = key_of("a", "b")},
        diag);
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
}

TEST_F(items_test, key_of_wrong_type_is_a_validation_error)
{
    diagnostics diag;
    auto [ec, response] = run_with_diag(get_request(key_of("a", 5)), diag);
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(diag.aws_type, "ValidationException");
    EXPECT_FALSE(diag.message.empty());
}

// Completion tokens.

TEST_F(items_test, callback_completion)
{
    run(db.put_item({.table_name = table, .item = {{"pk", "cb"}, {"sk", "1"}, {"v", "x"}}}));
    bool done = false;
    error_code result_ec = make_error_code(errc::unknown_service_error);
    std::optional<attribute_map> item;
    diagnostics diag;
    db.async_get_item(get_request(key_of("cb", "1")), diag,
                      [&](error_code ec, get_item_response response) {
                          result_ec = ec;
                          item = std::move(response.item);
                          done = true;
                      });
    run_until(done);
    EXPECT_FALSE(result_ec) << diag.to_string();
    EXPECT_EQ(item, (attribute_map{{"pk", "cb"}, {"sk", "1"}, {"v", "x"}}));
    EXPECT_EQ(diag.http_status, 200u);

    // The form without diagnostics, failing.
    done = false;
    db.async_describe_table(describe_table_request{unique_table_name("dyn-missing")},
                            [&](error_code ec, describe_table_response) {
                                result_ec = ec;
                                done = true;
                            });
    run_until(done);
    EXPECT_EQ(result_ec, errc::resource_not_found);
}

TEST_F(items_test, future_completion_with_io_context_on_another_thread)
{
    auto guard = asio::make_work_guard(io);
    std::thread runner([this] { io.run(); });
    struct joiner {
        asio::io_context& io;
        std::thread& thread;
        ~joiner()
        {
            io.stop();
            thread.join();
        }
    } join{io, runner};

    auto put = db.async_put_item(
        {.table_name = table, .item = {{"pk", "fut"}, {"sk", "1"}, {"n", 42}}}, asio::use_future);
    ASSERT_EQ(put.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    EXPECT_NO_THROW(put.get());

    auto got = db.async_get_item(get_request(key_of("fut", "1")), asio::use_future);
    ASSERT_EQ(got.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    EXPECT_EQ(got.get().item, (attribute_map{{"pk", "fut"}, {"sk", "1"}, {"n", 42}}));

    // A failure reaches the future as an exception carrying the error code.
    diagnostics diag;
    auto missing = db.async_describe_table(describe_table_request{unique_table_name("dyn-missing")},
                                           diag, asio::use_future);
    ASSERT_EQ(missing.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    try {
        missing.get();
        ADD_FAILURE() << "DescribeTable of a missing table succeeded";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), errc::resource_not_found);
    }
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
}

TEST_F(items_test, as_tuple_use_awaitable_completion)
{
    // Requests are built outside the co_await expressions: GCC 12 mishandles braced
    // temporaries there.
    const attribute_map item{{"pk", "tuple"}, {"sk", "1"}};
    put_item_request put_request{.table_name = table, .item = item};
    const auto read_request = get_request(key_of("tuple", "1"));
    get_item_request missing_request{.table_name = unique_table_name("dyn-missing"),
                                     .key = key_of("a", "b")};
    run([&]() -> asio::awaitable<void> {
        auto [put_ec, put] =
            co_await db.async_put_item(put_request, asio::as_tuple(asio::use_awaitable));
        EXPECT_FALSE(put_ec);
        auto [get_ec, got] =
            co_await db.async_get_item(read_request, asio::as_tuple(asio::use_awaitable));
        EXPECT_FALSE(get_ec);
        EXPECT_EQ(got.item, item);

        diagnostics diag;
        auto [missing_ec, missing] =
            co_await db.async_get_item(missing_request, diag, asio::as_tuple(asio::use_awaitable));
        EXPECT_EQ(missing_ec, errc::resource_not_found);
        EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
        EXPECT_FALSE(missing.item.has_value());
    }());
}

TEST_F(items_test, throwing_form_throws_error_with_diagnostics)
{
    const attribute_map existing{{"pk", "throw"}, {"sk", "1"}};
    run(db.put_item({.table_name = table, .item = existing}));
    put_item_request request;
    request.table_name = table;
    request.item = existing;
    request.condition_expression = "attribute_not_exists(pk)";
    request.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;
    try {
        run(db.put_item(request));
        ADD_FAILURE() << "the conditional put succeeded";
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), errc::conditional_check_failed);
        EXPECT_EQ(e.diag().aws_type, "ConditionalCheckFailedException");
        EXPECT_FALSE(e.diag().request_id.empty());
        EXPECT_EQ(e.diag().http_status, 400u);
        ASSERT_TRUE(e.diag().item.has_value());
        EXPECT_EQ(*e.diag().item, existing);
        EXPECT_NE(std::string(e.what()).find("ConditionalCheckFailed"), std::string::npos)
            << e.what();
    }
}

TEST_F(items_test, concurrent_puts_share_a_bounded_pool)
{
    constexpr int item_count = 200;
    auto config = base_config();
    config.pool.max_connections = 8;
    dynomite::client pooled(io.get_executor(), config);

    auto numbered_put = [this](int i) {
        char sk[16];
        std::snprintf(sk, sizeof sk, "%04d", i);
        return put_item_request{.table_name = table,
                                .item = {{"pk", "many"}, {"sk", attribute_value(sk)}, {"i", i}}};
    };
    int finished = 0;
    int failures = 0;
    std::size_t most_open = 0;
    bool all_done = false;
    for (int i = 0; i < item_count; ++i) {
        asio::co_spawn(
            io,
            [&pooled, &most_open, request = numbered_put(i)]() -> asio::awaitable<void> {
                co_await pooled.put_item(request);
                most_open = std::max(most_open, pooled.stats().open_connections);
            },
            [&](std::exception_ptr failure) {
                if (failure) ++failures;
                most_open = std::max(most_open, pooled.stats().open_connections);
                all_done = ++finished == item_count;
            });
    }
    // Samples the pool while the puts run, not only as each one ends.
    asio::steady_timer sampler(io);
    std::function<void()> sample = [&] {
        most_open = std::max(most_open, pooled.stats().open_connections);
        if (all_done) return;
        sampler.expires_after(std::chrono::milliseconds(1));
        sampler.async_wait([&](error_code ec) {
            if (!ec) sample();
        });
    };
    sample();
    run_until(all_done);
    // The last wait may still be queued: run it now, while `sample` lives, not in TearDown's
    // run of the io_context after it is gone.
    sampler.cancel();
    io.restart();
    io.poll();
    EXPECT_EQ(failures, 0);
    EXPECT_GE(most_open, 2u);  // the puts did run side by side
    EXPECT_LE(most_open, config.pool.max_connections);
    const auto stats = pooled.stats();
    EXPECT_LE(stats.open_connections, config.pool.max_connections);
    EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(item_count));

    query_request query;
    query.table_name = table;
    query.key_condition_expression = "pk = :pk";
    query.expression_attribute_values = {{":pk", "many"}};
    query.consistent_read = true;
    std::set<std::int64_t> seen;
    std::int64_t total = 0;
    do {
        auto page = run(db.query(query));
        for (const auto& item : page.items) seen.insert(item.at("i").as_n().as_int64());
        total += page.count;
        query.exclusive_start_key = std::move(page.last_evaluated_key);
    } while (query.exclusive_start_key);
    EXPECT_EQ(total, item_count);
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(item_count));
}

// Queries and scans over a table with both kinds of index.

class reads_test : public integration_test {
protected:
    static constexpr int item_count = 300;
    static constexpr int groups = 3;
    static constexpr int ranks = 7;

    static std::string sort_key(int i)
    {
        char text[16];
        std::snprintf(text, sizeof text, "item#%04d", i);
        return text;
    }

    static int index_of(const attribute_map& item) { return item.at("i").as_n().as_int64(); }

    void SetUp() override
    {
        table = create_table("dyn-reads", {.global_index = true, .local_index = true});
        // About 1 KB each, so pages are bounded by Limit rather than by size.
        const std::string payload(1000, 'x');
        std::vector<attribute_map> items;
        for (int i = 0; i < item_count; ++i) {
            items.push_back({{"pk", "q"},
                             {"sk", attribute_value(sort_key(i))},
                             {"i", i},
                             {"gpk", attribute_value("g" + std::to_string(i % groups))},
                             {"gsk", attribute_value(sort_key(i))},
                             {"lsk", i % ranks},
                             {"title", attribute_value("title " + std::to_string(i))},
                             {"payload", attribute_value(payload)}});
        }
        // Another partition, which queries on "q" must not return.
        for (int i = 0; i < 5; ++i)
            items.push_back({{"pk", "other"}, {"sk", attribute_value(sort_key(i))}, {"i", i}});
        write_all(table, items);
    }

    struct pages {
        std::vector<attribute_map> items;
        int page_count = 0;
        std::int64_t counted = 0;
        std::int64_t scanned = 0;
    };

    template <class Request>
    pages read_all(Request request)
    {
        pages out;
        constexpr int max_pages = 1000;
        do {
            auto page = run(db.execute(request));
            ++out.page_count;
            out.counted += page.count;
            out.scanned += page.scanned_count;
            if (request.limit) {
                EXPECT_LE(page.scanned_count, *request.limit);
            }
            if (request.select != select_attributes::count) {
                EXPECT_EQ(page.count, static_cast<std::int64_t>(page.items.size()));
            }
            for (auto& item : page.items) out.items.push_back(std::move(item));
            request.exclusive_start_key = std::move(page.last_evaluated_key);
        } while (request.exclusive_start_key && out.page_count < max_pages);
        EXPECT_FALSE(request.exclusive_start_key.has_value()) << "more than " << max_pages;
        return out;
    }

    /// Reads an index until it holds `expected` items: global indexes are eventually
    /// consistent on AWS.
    pages read_index_until(const query_request& request, std::size_t expected)
    {
        pages result = read_all(request);
        for (int attempt = 0; attempt < 30 && result.items.size() < expected; ++attempt) {
            run(sleep_for(std::chrono::milliseconds(500)));
            result = read_all(request);
        }
        return result;
    }

    query_request partition_query() const
    {
        query_request request;
        request.table_name = table;
        request.key_condition_expression = "pk = :pk AND sk BETWEEN :lo AND :hi";
        request.expression_attribute_values = {{":pk", "q"},
                                               {":lo", attribute_value(sort_key(50))},
                                               {":hi", attribute_value(sort_key(249))}};
        request.limit = 50;
        request.consistent_read = true;
        return request;
    }

    static std::vector<int> indexes_of(const std::vector<attribute_map>& items)
    {
        std::vector<int> out;
        for (const auto& item : items) out.push_back(index_of(item));
        return out;
    }

    static std::vector<int> range(int first, int last)  // inclusive
    {
        std::vector<int> out;
        for (int i = first; i <= last; ++i) out.push_back(i);
        return out;
    }

    std::string table;
};

TEST_F(reads_test, query_between_follows_pages_in_sort_order)
{
    const auto result = read_all(partition_query());
    EXPECT_EQ(indexes_of(result.items), range(50, 249));
    EXPECT_GE(result.page_count, 4);  // 200 items, 50 a page
    EXPECT_EQ(result.counted, 200);
    ASSERT_FALSE(result.items.empty());
    EXPECT_EQ(result.items.front().at("payload").as_s().size(), 1000u);
}

TEST_F(reads_test, query_backwards_reverses_the_order)
{
    auto request = partition_query();
    request.scan_index_forward = false;
    const auto result = read_all(request);
    auto expected = range(50, 249);
    std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(indexes_of(result.items), expected);
}

TEST_F(reads_test, query_begins_with_and_filter)
{
    query_request request;
    request.table_name = table;
    request.key_condition_expression = "pk = :pk AND begins_with(sk, :prefix)";
    request.filter_expression = "#g = :g";
    request.expression_attribute_names = {{"#g", "gpk"}};
    request.expression_attribute_values = {{":pk", "q"}, {":prefix", "item#01"}, {":g", "g1"}};
    request.projection_expression = "i, title";
    request.limit = 25;
    const auto result = read_all(request);
    std::vector<int> expected;
    for (int i = 100; i < 200; ++i)
        if (i % groups == 1) expected.push_back(i);
    EXPECT_EQ(indexes_of(result.items), expected);
    EXPECT_EQ(result.scanned, 100);  // the filter runs after the key condition
    for (const auto& item : result.items) {
        EXPECT_EQ(item.size(), 2u);
        EXPECT_EQ(item.at("title").as_s(), "title " + std::to_string(index_of(item)));
    }
}

TEST_F(reads_test, query_global_index)
{
    query_request request;
    request.table_name = table;
    request.index_name = global_index_name;
    request.key_condition_expression = "gpk = :g AND gsk >= :from";
    request.expression_attribute_values = {{":g", "g2"}, {":from", attribute_value(sort_key(150))}};
    request.limit = 20;
    std::vector<int> expected;
    for (int i = 150; i < item_count; ++i)
        if (i % groups == 2) expected.push_back(i);
    const auto result = read_index_until(request, expected.size());
    EXPECT_EQ(indexes_of(result.items), expected);
    ASSERT_FALSE(result.items.empty());
    EXPECT_TRUE(result.items.front().contains("payload"));  // projection ALL
}

TEST_F(reads_test, query_local_index_projects_included_attributes)
{
    query_request request;
    request.table_name = table;
    request.index_name = local_index_name;
    request.key_condition_expression = "pk = :pk AND lsk = :rank";
    request.expression_attribute_values = {{":pk", "q"}, {":rank", 3}};
    request.limit = 10;
    request.consistent_read = true;
    const auto result = read_all(request);
    ASSERT_EQ(result.items.size(), 43u);  // 3, 10, ..., 297
    std::set<std::string> sort_keys;
    for (const auto& item : result.items) {
        // The LSI holds the keys and `title` only.
        EXPECT_EQ(item.size(), 4u);
        EXPECT_TRUE(item.contains("title"));
        EXPECT_FALSE(item.contains("payload"));
        EXPECT_FALSE(item.contains("i"));
        EXPECT_EQ(item.at("lsk").as_n().as_int64(), 3);
        sort_keys.insert(item.at("sk").as_s());
    }
    EXPECT_EQ(sort_keys.size(), 43u);
    EXPECT_TRUE(sort_keys.contains(sort_key(3)));
    EXPECT_TRUE(sort_keys.contains(sort_key(297)));
}

TEST_F(reads_test, query_select_count)
{
    query_request request;
    request.table_name = table;
    request.key_condition_expression = "pk = :pk";
    request.expression_attribute_values = {{":pk", "q"}};
    request.select = select_attributes::count;
    request.consistent_read = true;
    const auto result = read_all(request);
    EXPECT_TRUE(result.items.empty());
    EXPECT_EQ(result.counted, item_count);
    EXPECT_EQ(result.scanned, item_count);
}

TEST_F(reads_test, query_missing_partition_is_empty)
{
    query_request request;
    request.table_name = table;
    request.key_condition_expression = "pk = :pk";
    request.expression_attribute_values = {{":pk", "nobody"}};
    const auto response = run(db.query(request));
    EXPECT_TRUE(response.items.empty());
    EXPECT_EQ(response.count, 0);
    EXPECT_FALSE(response.last_evaluated_key.has_value());
}

TEST_F(reads_test, scan_with_filter_across_pages)
{
    scan_request request;
    request.table_name = table;
    request.filter_expression = "#g = :g";
    request.expression_attribute_names = {{"#g", "gpk"}};
    request.expression_attribute_values = {{":g", "g0"}};
    request.limit = 40;
    request.consistent_read = true;
    const auto result = read_all(request);
    EXPECT_EQ(result.scanned, item_count + 5);
    EXPECT_GE(result.page_count, 8);  // 305 items, 40 a page
    auto indexes = indexes_of(result.items);
    std::sort(indexes.begin(), indexes.end());
    std::vector<int> expected;
    for (int i = 0; i < item_count; i += groups) expected.push_back(i);
    EXPECT_EQ(indexes, expected);
}

TEST_F(reads_test, parallel_scan_covers_every_item_once)
{
    // Segments split the partition-key space: spread items over many partitions.
    constexpr int spread = 60;
    std::vector<attribute_map> spread_items;
    for (int i = 0; i < spread; ++i)
        spread_items.push_back({{"pk", attribute_value("p" + std::to_string(i))}, {"sk", "x"}});
    write_all(table, spread_items);

    constexpr int segments = 4;
    std::map<std::string, int> seen;  // "pk/sk" -> times
    int non_empty_segments = 0;
    for (int segment = 0; segment < segments; ++segment) {
        scan_request request;
        request.table_name = table;
        request.segment = segment;
        request.total_segments = segments;
        request.limit = 60;
        request.projection_expression = "pk, sk";
        const auto result = read_all(request);
        if (!result.items.empty()) ++non_empty_segments;
        for (const auto& item : result.items)
            ++seen[item.at("pk").as_s() + "/" + item.at("sk").as_s()];
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(item_count + 5 + spread));
    for (const auto& [key, times] : seen) EXPECT_EQ(times, 1) << key;
    EXPECT_GE(non_empty_segments, 2);
}

TEST_F(reads_test, scan_segment_without_total_is_refused_before_sending)
{
    scan_request request;
    request.table_name = table;
    request.segment = 1;
    const auto attempts_before = db.stats().attempts;
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("TotalSegments"), std::string::npos) << diag.message;
    EXPECT_EQ(db.stats().attempts, attempts_before);
}

}  // namespace
}  // namespace dynomite::test
