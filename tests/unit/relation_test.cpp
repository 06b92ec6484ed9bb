// Relations: building them (the relation_spec each call produces), and running them against a
// scripted server: cursors, read-ahead, limits, failures, cancellation, the schema cache, the
// scan policy and the terminal operations.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/query/database.hpp>
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"
#include <dynomite/expr/expressions.hpp>

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dynomite {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::fake_action;
using test::fake_server;
using test::recorded_request;

constexpr auto hang_limit = 20s;

// --- Responses of the scripted server --------------------------------------------------------

std::string describe_body(std::string_view table = "t")
{
    return R"({"Table":{"TableName":")" + std::string(table) +
           R"(","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)"
           R"({"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[)"
           R"({"AttributeName":"pk","AttributeType":"S"},)"
           R"({"AttributeName":"sk","AttributeType":"S"}]}})";
}

attribute_map row(int i)
{
    return {{"pk", "p"}, {"sk", attribute_value("s" + std::to_string(1000 + i))}, {"n", i}};
}

attribute_map key_of_row(int i)
{
    return {{"pk", "p"}, {"sk", attribute_value("s" + std::to_string(1000 + i))}};
}

std::vector<attribute_map> rows(int first, int count)
{
    std::vector<attribute_map> out;
    for (int i = first; i < first + count; ++i) out.push_back(row(i));
    return out;
}

std::string page_body(const std::vector<attribute_map>& items,
                      const std::optional<attribute_map>& last_key = std::nullopt)
{
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.key("Items");
    w.begin_array();
    for (const auto& item : items) detail::write_item(w, item);
    w.end_array();
    w.member("Count", static_cast<std::int64_t>(items.size()));
    w.member("ScannedCount", static_cast<std::int64_t>(items.size()));
    if (last_key) {
        w.key("LastEvaluatedKey");
        detail::write_item(w, *last_key);
    }
    w.end_object();
    return body;
}

std::string count_body(int count, const std::optional<attribute_map>& last_key = std::nullopt)
{
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.member("Count", count);
    w.member("ScannedCount", count);
    if (last_key) {
        w.key("LastEvaluatedKey");
        detail::write_item(w, *last_key);
    }
    w.end_object();
    return body;
}

std::string unprocessed_body(const std::vector<attribute_map>& keys)
{
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.key("UnprocessedItems");
    w.begin_object();
    if (!keys.empty()) {
        w.key("t");
        w.begin_array();
        for (const auto& key : keys) {
            w.begin_object();
            w.key("DeleteRequest");
            w.begin_object();
            w.key("Key");
            detail::write_item(w, key);
            w.end_object();
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
    w.end_object();
    return body;
}

std::string operation_of(const recorded_request& r)
{
    auto target = r.header("x-amz-target").value_or("");
    return target.substr(target.find('.') + 1);
}

// --- The fixture -------------------------------------------------------------------------------

class RelationTest : public ::testing::Test {
protected:
    struct log_lines {
        void add(std::string_view line)
        {
            std::lock_guard lock(mutex);
            all.emplace_back(line);
        }
        bool any_with(std::string_view a, std::string_view b)
        {
            std::lock_guard lock(mutex);
            return std::any_of(all.begin(), all.end(), [&](const std::string& l) {
                return l.find(a) != std::string::npos && l.find(b) != std::string::npos;
            });
        }
        std::mutex mutex;
        std::vector<std::string> all;
    };

    RelationTest() : cl(io.get_executor(), client_config_for(server, lines)), db(make_db()) {}

    static client_config client_config_for(const fake_server& s,
                                           std::shared_ptr<log_lines> captured)
    {
        client_config config = dynomite::test::fake_client_config(s);
        config.retry.max_attempts = 1;
        config.min_log_level = log_level::debug;
        config.logger = [captured](log_level, std::string_view line) { captured->add(line); };
        return config;
    }

    database make_db(database_options options = {})
    {
        options.logger = [this](log_level level, std::string_view line) {
            if (level == log_level::warning) warnings.push_back(std::string(line));
        };
        return database(cl, std::move(options));
    }

    template <class T>
    T run(asio::awaitable<T> op)
    {
        std::optional<T> result;
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T value) {
            failure = e;
            if (!e) result.emplace(std::move(value));
            done = true;
        });
        run_until([&] { return done; });
        if (!done) throw std::runtime_error("the operation did not complete in time");
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

    void run(asio::awaitable<void> op)
    {
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e) {
            failure = e;
            done = true;
        });
        run_until([&] { return done; });
        if (!done) throw std::runtime_error("the operation did not complete in time");
        if (failure) std::rethrow_exception(failure);
    }

    void run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = hang_limit)
    {
        const auto give_up = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            if (io.run_one_for(20ms) == 0) std::this_thread::sleep_for(1ms);
        }
    }

    void run_for(std::chrono::milliseconds period)
    {
        const auto until = std::chrono::steady_clock::now() + period;
        run_until([until] { return std::chrono::steady_clock::now() >= until; }, period + 1s);
    }

    std::vector<recorded_request> requests_of(std::string_view operation) const
    {
        std::vector<recorded_request> out;
        for (auto& r : server.requests())
            if (operation_of(r) == operation) out.push_back(r);
        return out;
    }

    /// The error code and diagnostics a throwing operation threw.
    template <class T>
    std::pair<error_code, std::string> failure_of(asio::awaitable<T> op)
    {
        try {
            run(std::move(op));
        } catch (const error& e) {
            return {e.code(), e.diag().message};
        }
        ADD_FAILURE() << "no dynomite::error thrown";
        return {};
    }

    fake_server server;
    asio::io_context io;
    std::shared_ptr<log_lines> lines = std::make_shared<log_lines>();
    client cl;
    std::vector<std::string> warnings;
    database db;
};

// --- Building relations ----------------------------------------------------------------------

using RelationBuild = RelationTest;

TEST_F(RelationBuild, each_call_returns_a_new_relation_and_leaves_this_one)
{
    const relation all = db.table("posts");
    const relation titled = all.where("title", "title 1");
    const relation first_one = titled.limit(1);
    EXPECT_EQ(all.table_name(), "posts");
    EXPECT_TRUE(all.spec().where.empty());
    EXPECT_FALSE(all.spec().limit.has_value());
    EXPECT_EQ(titled.spec().where, eq("title", "title 1"));
    EXPECT_FALSE(titled.spec().limit.has_value());
    EXPECT_EQ(first_one.spec().where, eq("title", "title 1"));
    EXPECT_EQ(first_one.spec().limit, 1);
    const relation copy = first_one;
    EXPECT_EQ(&copy.spec(), &first_one.spec()) << "copies share the description";
}

TEST_F(RelationBuild, field_operator_keys_become_conditions)
{
    const relation products = db.table("products");
    EXPECT_EQ(products.where("price.lt", 1000).spec().where, lt("price", 1000));
    EXPECT_EQ(products.where("price.gte", 5).spec().where, ge("price", 5));
    EXPECT_EQ(products.where("price.between", {10, 20}).spec().where, between("price", 10, 20));
    EXPECT_EQ(products.where("tag.in", {"a", "b"}).spec().where, in("tag", {"a", "b"}));
    EXPECT_EQ(products.where("tag.not_in", {"a"}).spec().where, !in("tag", {"a"}));
    EXPECT_EQ(products.where("name.begins_with", "Ph").spec().where, begins_with("name", "Ph"));
    EXPECT_EQ(products.where("pictures.slide_view", "x").spec().where,
              eq("pictures.slide_view", "x"));
    EXPECT_EQ(products.where("price", "lte", 9).spec().where, le("price", 9));
    EXPECT_EQ(products.where("price", "not_between", {1, 2}).spec().where, !between("price", 1, 2));
    const std::vector<attribute_value> ids{1, 2, 3};
    EXPECT_EQ(products.where("id.in", ids).spec().where, in("id", {1, 2, 3}));
}

TEST_F(RelationBuild, conditions_chain_with_and_or_and_not)
{
    const relation products = db.table("products");
    const condition electronics = eq("category", "Electronics");
    const condition cheap = lt("price", 1000);
    EXPECT_EQ(products.where({{"category", "Electronics"}, {"price.lt", 1000}}).spec().where,
              electronics && cheap);
    EXPECT_EQ(products.where("category", "Electronics").and_("price.lt", 1000).spec().where,
              electronics && cheap);
    EXPECT_EQ(products.where("category", "Electronics").or_("price.lt", 1000).spec().where,
              electronics || cheap);
    EXPECT_EQ(products.where("category", "Electronics")
                  .and_("price.lt", 1000)
                  .or_("featured", true)
                  .spec()
                  .where,
              (electronics && cheap) || eq("featured", true));
    EXPECT_EQ(products.where("category", "Electronics").not_("price.lt", 1000).spec().where,
              electronics && !cheap);
    EXPECT_EQ(products.where("category", "Electronics").excluding("price.lt", 1000).spec().where,
              electronics && !cheap);
    EXPECT_EQ(products.excluding({{"a", 1}, {"b", 2}}).spec().where, !(eq("a", 1) && eq("b", 2)));
    EXPECT_EQ(products.where(cheap).spec().where, cheap);
    EXPECT_EQ(products.or_(cheap).spec().where, cheap) << "OR with nothing is the condition";
}

TEST_F(RelationBuild, functions_become_conditions)
{
    const relation products = db.table("products");
    EXPECT_EQ(products.attribute_exists("pictures.slide_view").spec().where,
              attribute_exists("pictures.slide_view"));
    EXPECT_EQ(products.attribute_not_exists("gone").spec().where, attribute_not_exists("gone"));
    EXPECT_EQ(products.attribute_type("tags", attribute_value::kind::ss).spec().where,
              attribute_type("tags", attribute_value::kind::ss));
    EXPECT_EQ(products.begins_with("category", "Elect").spec().where,
              begins_with("category", "Elect"));
    EXPECT_EQ(products.contains("tags", "new").spec().where, contains("tags", "new"));
    EXPECT_EQ(products.size_fn("category.gt", 100).spec().where, size_of("category") > 100);
    EXPECT_EQ(products.size_fn("tags.between", {1, 3}).spec().where,
              between(size_of("tags"), 1, 3));
    EXPECT_EQ(products.size_fn("tags", 2).spec().where, eq(size_of("tags"), 2));
}

TEST_F(RelationBuild, reading_options_land_in_the_spec)
{
    const relation r = db.table("t")
                           .limit(7)
                           .scan_index_backward()
                           .project({"a", "b.c"})
                           .consistent_read()
                           .index_name("by_x")
                           .force_scan()
                           .page_size(50);
    EXPECT_EQ(r.spec().limit, 7);
    EXPECT_FALSE(r.spec().scan_forward);
    EXPECT_EQ(r.spec().projection, (std::vector<document_path>{"a", "b.c"}));
    EXPECT_TRUE(r.spec().consistent_read);
    EXPECT_EQ(r.spec().index_name, "by_x");
    EXPECT_TRUE(r.spec().force_scan);
    EXPECT_EQ(r.spec().page_size, 50);
    EXPECT_TRUE(r.scan_index_forward().spec().scan_forward);
    EXPECT_FALSE(r.force_scan(false).spec().force_scan);
    EXPECT_FALSE(r.consistent_read(false).spec().consistent_read);

    const relation o = db.table("t").read_ahead(3).segments(4).warn_on_scan();
    EXPECT_EQ(o.options().read_ahead, 3u);
    EXPECT_EQ(o.options().segments, 4);
    EXPECT_EQ(o.options().scan_policy, scan_policy::warn);
    EXPECT_EQ(o.with_scan_policy(scan_policy::error).options().scan_policy, scan_policy::error);
    EXPECT_FALSE(db.table("t").options().scan_policy.has_value());
}

TEST_F(RelationBuild, start_from_takes_a_key_or_a_cursor_string)
{
    const attribute_map key = key_of_row(5);
    EXPECT_EQ(db.table("t").start_from(key).spec().exclusive_start_key, key);
    EXPECT_EQ(db.table("t").start_from(encode_cursor(key)).spec().exclusive_start_key, key);
    EXPECT_FALSE(db.table("t")
                     .start_from(key)
                     .start_from(attribute_map{})
                     .spec()
                     .exclusive_start_key.has_value());
    EXPECT_FALSE(
        db.table("t").start_from(std::string_view("e30")).spec().exclusive_start_key.has_value());
    try {
        (void)db.table("t").start_from(std::string_view("%%%"));
        ADD_FAILURE() << "no exception";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(e.diag().message.find("invalid cursor string"), std::string::npos);
    }
}

template <class F>
std::string invalid_argument_of(F&& f)
{
    try {
        f();
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        return e.diag().message;
    }
    ADD_FAILURE() << "no dynomite::error thrown";
    return {};
}

TEST_F(RelationBuild, refuses_bad_keys_and_values_at_once)
{
    const relation r = db.table("t");
    EXPECT_NE(invalid_argument_of([&] {
                  (void)r.where("price", "like", 3);
              }).find("unknown operator \"like\""),
              std::string::npos);
    EXPECT_NE(invalid_argument_of([&] { (void)r.where("price", "", 3); }).find("unknown operator"),
              std::string::npos);
    EXPECT_NE(
        invalid_argument_of([&] { (void)r.where("price", "lt.gt", 3); }).find("unknown operator"),
        std::string::npos);
    EXPECT_NE(invalid_argument_of([&] {
                  (void)r.where("price.between", {1, 2, 3});
              }).find("exactly 2 values, got 3"),
              std::string::npos);
    EXPECT_NE(invalid_argument_of([&] {
                  (void)r.where("id.in", std::vector<attribute_value>{});
              }).find("got 0"),
              std::string::npos);
    EXPECT_NE(invalid_argument_of([&] { (void)r.where(".lt", 3); }).find("no path"),
              std::string::npos);
    EXPECT_FALSE(invalid_argument_of([&] { (void)r.where("", 3); }).empty());
    EXPECT_FALSE(invalid_argument_of([&] { (void)r.where("a[", "lt", 3); }).empty());
    EXPECT_FALSE(invalid_argument_of([&] { (void)r.size_fn("tags.begins_with", "x"); }).empty());
    EXPECT_FALSE(invalid_argument_of([&] { (void)r.size_fn("", 1); }).empty());
    EXPECT_FALSE(invalid_argument_of([&] { (void)r.begins_with("name", 3); }).empty());
    EXPECT_NE(invalid_argument_of([&] { (void)r.limit(-1); }).find("-1"), std::string::npos);
    EXPECT_NE(invalid_argument_of([&] { (void)r.page_size(0); }).find("page_size"),
              std::string::npos);
    EXPECT_NE(invalid_argument_of([&] { (void)r.segments(0); }).find("segments"),
              std::string::npos);
    EXPECT_NE(invalid_argument_of([&] { (void)r.segments(1000001); }).find("segments"),
              std::string::npos);
}

TEST_F(RelationBuild, or_groups_the_conditions_after_it_as_ruby_dynomite_does)
{
    const relation products = db.table("products");
    const condition a = eq("category", "Books");
    const condition b = eq("category", "Music");
    const condition c = lt("price", 10);
    const condition d = eq("featured", true);
    // where(a).or_(b).where(c) is a OR (b AND c), not (a OR b) AND c.
    EXPECT_EQ(products.where("category", "Books")
                  .or_("category", "Music")
                  .where("price.lt", 10)
                  .spec()
                  .where,
              a || (b && c));
    EXPECT_EQ(products.where(a).or_(b).not_(c).spec().where, a || (b && !c));
    EXPECT_EQ(products.where(a).or_(b).where(c).or_(d).spec().where, a || (b && c) || d);
    EXPECT_EQ(products.where(a).where(c).or_(b).spec().where, (a && c) || b);
    EXPECT_EQ(products.where(a).or_({{"category", "Music"}, {"price.lt", 10}}).where(d).spec().where,
              a || (b && c && d));
    EXPECT_EQ(products.where(a).or_(b).attribute_exists("stock").spec().where,
              a || (b && attribute_exists("stock")));
}

TEST_F(RelationBuild, operators_match_in_any_case_and_near_misses_are_refused)
{
    const relation products = db.table("products");
    EXPECT_EQ(products.where("price.LT", 5).spec().where, lt("price", 5));
    EXPECT_EQ(products.where("price", "GTE", 5).spec().where, ge("price", 5));
    EXPECT_EQ(products.where("tag.Not_In", {"a", "b"}).spec().where, !in("tag", {"a", "b"}));
    for (const char* key : {"price.like", "price.lessthan", "price.neq", "price.not_like"}) {
        EXPECT_NE(invalid_argument_of([&] { (void)products.where(key, 5); })
                      .find("unknown operator"),
                  std::string::npos)
            << key;
    }
    // Nested paths still work, and a path whose last name resembles an operator is reached by
    // naming the operator apart.
    EXPECT_EQ(products.where("pictures.slide_view", "x").spec().where,
              eq(document_path("pictures.slide_view"), "x"));
    EXPECT_EQ(products.where("price.like", "eq", 5).spec().where,
              eq(document_path("price.like"), 5));
}

TEST_F(RelationBuild, scan_policies_have_names)
{
    EXPECT_EQ(to_string(scan_policy::allow), "allow");
    EXPECT_EQ(to_string(scan_policy::warn), "warn");
    EXPECT_EQ(to_string(scan_policy::error), "error");
}

TEST_F(RelationBuild, the_database_refuses_bad_options)
{
    const auto refused = [&](database_options options) {
        try {
            database bad(cl, std::move(options));
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_configuration);
            return e.diag().message;
        }
        ADD_FAILURE() << "no exception";
        return std::string();
    };
    database_options zero_page;
    zero_page.page_size = 0;
    EXPECT_NE(refused(zero_page).find("page_size"), std::string::npos);
    database_options negative_ttl;
    negative_ttl.schema_ttl = -1s;
    EXPECT_NE(refused(negative_ttl).find("schema_ttl"), std::string::npos);
    database_options no_rounds;
    no_rounds.max_batch_write_rounds = 0;
    EXPECT_NE(refused(no_rounds).find("max_batch_write_rounds"), std::string::npos);
    database_options backwards;
    backwards.batch_write_max_delay = 1ms;
    EXPECT_NE(refused(backwards).find("batch_write_base_delay"), std::string::npos);
    EXPECT_EQ(db.options().schema_ttl, std::chrono::steady_clock::duration(5min));
    EXPECT_EQ(db.get_client().endpoint_url(), server.url());
}

TEST_F(RelationBuild, a_fresh_cursor_stands_at_the_start)
{
    auto from_beginning = db.table("t").cursor();
    EXPECT_FALSE(from_beginning.done());
    EXPECT_FALSE(from_beginning.last_evaluated_key().has_value());
    EXPECT_EQ(from_beginning.cursor_string(), "e30");

    auto resumed = db.table("t").start_from(key_of_row(3)).cursor();
    EXPECT_EQ(resumed.last_evaluated_key(), key_of_row(3));
    EXPECT_EQ(decode_cursor(resumed.cursor_string()), key_of_row(3));

    auto parallel = db.table("t").segments(2).cursor();
    std::string out;
    std::string why;
    EXPECT_EQ(parallel.cursor_string(out, &why), errc::invalid_argument);
    EXPECT_NE(why.find("parallel scan"), std::string::npos) << why;
    EXPECT_THROW((void)parallel.last_evaluated_key(), error);
    EXPECT_EQ(server.request_count(), 0u) << "nothing is sent before next()";
}

// --- Cursors against the scripted server -----------------------------------------------------

using RelationCursor = RelationTest;

TEST_F(RelationCursor, streams_every_page_and_reads_one_ahead)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 3), key_of_row(2))));
    server.enqueue(fake_action::ok(page_body(rows(3, 3), key_of_row(5))));
    server.enqueue(fake_action::ok(page_body(rows(6, 2))));
    auto c = db.table("t").where("pk", "p").cursor();

    auto first = run(c.next());
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, row(0));
    // Taking page 1 started the request for page 2; page 2 waits, and nothing more is asked.
    run_until([&] { return server.request_count() >= 3; }, 5s);
    run_for(200ms);
    EXPECT_EQ(server.request_count(), 3u);
    EXPECT_EQ(c.last_evaluated_key(), key_of_row(0));

    std::vector<attribute_map> seen{*first};
    while (auto item = run(c.next())) seen.push_back(std::move(*item));
    EXPECT_EQ(seen, rows(0, 8));
    EXPECT_TRUE(c.done());
    EXPECT_EQ(c.items_taken(), 8);
    EXPECT_FALSE(c.last_evaluated_key().has_value());
    EXPECT_EQ(c.cursor_string(), "");
    EXPECT_FALSE(run(c.next()).has_value()) << "done stays done";

    const auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 3u);
    EXPECT_EQ(queries[0].body.find("ExclusiveStartKey"), std::string::npos);
    EXPECT_NE(queries[1].body.find(R"("ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"S":"s1002"}})"),
              std::string::npos)
        << queries[1].body;
    EXPECT_NE(queries[2].body.find(R"("sk":{"S":"s1005"})"), std::string::npos);
}

TEST_F(RelationCursor, without_read_ahead_requests_wait_for_the_reader)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 2), key_of_row(1))));
    server.enqueue(fake_action::ok(page_body(rows(2, 2))));
    auto c = db.table("t").where("pk", "p").read_ahead(0).cursor();
    ASSERT_TRUE(run(c.next()).has_value());
    run_for(200ms);
    EXPECT_EQ(server.request_count(), 2u);
    ASSERT_TRUE(run(c.next()).has_value());
    run_for(100ms);
    EXPECT_EQ(server.request_count(), 2u);
    ASSERT_TRUE(run(c.next()).has_value());
    EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(RelationCursor, reads_ahead_as_many_pages_as_asked)
{
    server.enqueue(fake_action::ok(describe_body()));
    for (int page = 0; page < 4; ++page)
        server.enqueue(fake_action::ok(page_body(rows(page * 2, 2), key_of_row(page * 2 + 1))));
    server.enqueue(fake_action::ok(page_body({})));
    auto c = db.table("t").where("pk", "p").read_ahead(2).cursor();
    ASSERT_TRUE(run(c.next()).has_value());
    run_until([&] { return server.request_count() >= 4; }, 5s);
    run_for(200ms);
    EXPECT_EQ(server.request_count(), 4u) << "the table, the page read and 2 ahead";
}

TEST_F(RelationCursor, next_page_hands_over_what_is_left_of_a_page)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 3), key_of_row(2))));
    server.enqueue(fake_action::ok(page_body({}, key_of_row(4))));
    server.enqueue(fake_action::ok(page_body(rows(5, 1))));
    auto c = db.table("t").where("pk", "p").cursor();
    ASSERT_EQ(run(c.next()), row(0));
    auto rest = run(c.next_page());
    ASSERT_TRUE(rest.has_value());
    EXPECT_EQ(*rest, rows(1, 2));
    EXPECT_EQ(c.last_evaluated_key(), key_of_row(2));
    auto last = run(c.next_page());
    ASSERT_TRUE(last.has_value()) << "the empty page is skipped";
    EXPECT_EQ(*last, rows(5, 1));
    EXPECT_TRUE(c.done());
    EXPECT_FALSE(run(c.next_page()).has_value());
    EXPECT_EQ(c.items_taken(), 4);
}

TEST_F(RelationCursor, a_limit_yields_exactly_that_many_and_resumes_after_the_last)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 3), key_of_row(2))));
    server.enqueue(fake_action::ok(page_body(rows(3, 3), key_of_row(5))));
    auto c = db.table("t").where("pk", "p").limit(4).cursor();
    std::vector<attribute_map> seen;
    while (auto item = run(c.next())) seen.push_back(std::move(*item));
    EXPECT_EQ(seen, rows(0, 4));
    EXPECT_TRUE(c.done());
    EXPECT_EQ(c.last_evaluated_key(), key_of_row(3));
    EXPECT_EQ(decode_cursor(c.cursor_string()), key_of_row(3));
    const auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 2u);
    EXPECT_NE(queries[0].body.find(R"("Limit":4)"), std::string::npos) << queries[0].body;
    EXPECT_NE(queries[1].body.find(R"("Limit":1)"), std::string::npos) << queries[1].body;
}

TEST_F(RelationCursor, a_limit_of_zero_sends_no_query)
{
    server.enqueue(fake_action::ok(describe_body()));
    auto c = db.table("t").where("pk", "p").limit(0).cursor();
    EXPECT_FALSE(run(c.next()).has_value());
    EXPECT_TRUE(c.done());
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(c.cursor_string(), "e30") << "nothing was read: still at the beginning";
}

TEST_F(RelationCursor, pages_fetched_before_a_failure_are_read_then_the_failure)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 2), key_of_row(1))));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "page two is refused"));
    auto c = db.table("t").where("pk", "p").cursor();
    ASSERT_EQ(run(c.next()), row(0));
    run_until([&] { return server.request_count() >= 3; }, 5s);
    run_for(100ms);
    ASSERT_EQ(run(c.next()), row(1));
    diagnostics diag;
    auto [ec, item] = run(c.next(diag));
    EXPECT_EQ(ec, errc::validation);
    EXPECT_FALSE(item.has_value());
    EXPECT_NE(diag.message.find("page two is refused"), std::string::npos) << diag.message;
    const auto [again, message] = failure_of(c.next());
    EXPECT_EQ(again, errc::validation) << "the failure stays";
    EXPECT_NE(message.find("page two is refused"), std::string::npos);
}

TEST_F(RelationCursor, a_describe_table_failure_is_the_cursor_failure)
{
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "no table t"));
    auto c = db.table("t").where("pk", "p").cursor();
    diagnostics diag;
    auto [ec, page] = run(c.next_page(diag));
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_FALSE(page.has_value());
    EXPECT_NE(diag.message.find("no table t"), std::string::npos) << diag.message;
}

TEST_F(RelationCursor, a_plan_the_planner_refuses_fails_before_any_query)
{
    server.enqueue(fake_action::ok(describe_body()));
    auto c = db.table("t").where("pk", 12).cursor();
    diagnostics diag;
    auto [ec, item] = run(c.next(diag));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("\"pk\""), std::string::npos) << diag.message;
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(RelationCursor, cancelling_the_reader_stops_the_request_in_flight)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 2))).with_delay(10s));
    auto c = db.table("t").where("pk", "p").cursor();

    asio::cancellation_signal cancel;
    bool completed = false;
    error_code result;
    diagnostics diag;
    asio::co_spawn(
        io, c.next(diag),
        asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, auto answer) {
            EXPECT_FALSE(e);
            result = answer.first;
            completed = true;
        }));
    run_until([&] { return server.request_count() == 2; });
    ASSERT_EQ(server.request_count(), 2u);
    run_for(50ms);
    ASSERT_FALSE(completed);

    const auto started = std::chrono::steady_clock::now();
    cancel.emit(asio::cancellation_type::terminal);
    run_until([&] { return completed; });
    ASSERT_TRUE(completed);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(result, asio::error::operation_aborted);
    // The request itself was cancelled, not left to finish.
    run_until([&] { return lines->any_with("Query attempt 1", "anceled"); }, 5s);
    EXPECT_TRUE(lines->any_with("Query attempt 1", "anceled"));

    const auto [after, message] = failure_of(c.next());
    EXPECT_EQ(after, asio::error::operation_aborted);

    // The client is still fine.
    server.enqueue(fake_action::ok(describe_body("u")));
    describe_table_request request{"u"};
    EXPECT_EQ(run(cl.describe_table(request)).table.table_name, "u");
}

TEST_F(RelationCursor, destroying_the_cursor_cancels_its_read_ahead)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 2), key_of_row(1))));
    server.enqueue(fake_action::ok(page_body(rows(2, 2))).with_delay(10s));
    {
        auto c = db.table("t").where("pk", "p").cursor();
        ASSERT_TRUE(run(c.next()).has_value());
        run_until([&] { return server.request_count() == 3; });
        ASSERT_EQ(server.request_count(), 3u);
    }
    // The request in flight is abandoned: its connection, which would carry its late answer,
    // is closed long before that answer is due. (Whether the attempt is logged depends on the
    // step of the exchange the cancellation lands in.)
    run_until([&] { return cl.stats().open_connections == 0; }, 5s);
    EXPECT_EQ(cl.stats().open_connections, 0u);
}

TEST_F(RelationCursor, cancel_fails_later_calls)
{
    auto c = db.table("t").cursor();
    c.cancel();
    const auto [ec, message] = failure_of(c.next());
    EXPECT_EQ(ec, asio::error::operation_aborted);
    EXPECT_NE(message.find("cancelled"), std::string::npos);
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(RelationCursor, serves_one_reader_at_a_time)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 1))).with_delay(300ms));
    auto c = db.table("t").where("pk", "p").cursor();
    bool first_done = false;
    asio::co_spawn(io, c.next(), [&](std::exception_ptr e, std::optional<attribute_map> item) {
        EXPECT_FALSE(e);
        EXPECT_TRUE(item.has_value());
        first_done = true;
    });
    run_until([&] { return server.request_count() == 2; });
    diagnostics diag;
    auto [ec, item] = run(c.next(diag));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("one reader"), std::string::npos);
    run_until([&] { return first_done; });
    EXPECT_TRUE(first_done);
}

TEST_F(RelationCursor, a_moved_from_cursor_fails_and_the_moved_to_one_works)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 1))));
    auto a = db.table("t").where("pk", "p").cursor();
    auto b = std::move(a);
    const auto [ec, message] = failure_of(a.next());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(message.find("moved"), std::string::npos);
    EXPECT_EQ(run(b.next()), row(0));
    auto c = db.table("t").cursor();
    c = std::move(b);
    EXPECT_FALSE(run(c.next()).has_value());
    EXPECT_TRUE(c.done());
}

TEST_F(RelationCursor, a_parallel_scan_merges_its_segments)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 2))));
    server.enqueue(fake_action::ok(page_body(rows(2, 2))));
    auto items = run(db.table("t").segments(2).all());
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.at("n").as_n() < b.at("n").as_n(); });
    EXPECT_EQ(items, rows(0, 4));
    const auto scans = requests_of("Scan");
    ASSERT_EQ(scans.size(), 2u);
    bool segment0 = false;
    bool segment1 = false;
    for (const auto& s : scans) {
        EXPECT_NE(s.body.find(R"("TotalSegments":2)"), std::string::npos) << s.body;
        segment0 = segment0 || s.body.find(R"("Segment":0)") != std::string::npos;
        segment1 = segment1 || s.body.find(R"("Segment":1)") != std::string::npos;
    }
    EXPECT_TRUE(segment0 && segment1);
    EXPECT_TRUE(warnings.empty()) << "asking for segments is asking for a Scan";
}

TEST_F(RelationCursor, a_parallel_scan_applies_one_limit_to_all_segments)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 3))));
    server.enqueue(fake_action::ok(page_body(rows(3, 3))));
    auto items = run(db.table("t").segments(2).limit(4).all());
    EXPECT_EQ(items.size(), 4u);
}

TEST_F(RelationCursor, a_parallel_scan_cannot_start_from_a_key)
{
    server.enqueue(fake_action::ok(describe_body()));
    const relation r = db.table("t").segments(2).start_from(key_of_row(1));
    const auto [ec, message] = failure_of(r.all());
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(message.find("segments"), std::string::npos);
}

TEST_F(RelationCursor, a_projection_without_the_key_has_no_position_inside_a_page)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body({{{"n", 1}}, {{"n", 2}}})));
    auto c = db.table("t").where("pk", "p").project({"n"}).cursor();
    ASSERT_TRUE(run(c.next()).has_value());
    std::string out;
    std::string why;
    EXPECT_EQ(c.cursor_string(out, &why), errc::invalid_argument);
    EXPECT_NE(why.find("\"pk\""), std::string::npos) << why;
    ASSERT_TRUE(run(c.next()).has_value());
    EXPECT_EQ(c.cursor_string(), "") << "at the end the page's position applies again";
}

// --- The schema cache --------------------------------------------------------------------------

using RelationSchema = RelationTest;

TEST_F(RelationSchema, concurrent_first_uses_share_one_describe_table)
{
    server.enqueue(fake_action::ok(describe_body()).with_delay(100ms));
    int answered = 0;
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(io, db.schema("t"), [&](std::exception_ptr e, table_schema schema) {
            EXPECT_FALSE(e);
            EXPECT_EQ(schema.key.partition.name, "pk");
            ++answered;
        });
    }
    run_until([&] { return answered == 3; });
    EXPECT_EQ(answered, 3);
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(run(db.schema("t")).key.sort->name, "sk");
    EXPECT_EQ(server.request_count(), 1u) << "cached";

    server.enqueue(fake_action::ok(describe_body()));
    EXPECT_EQ(run(db.refresh("t")).table_name, "t");
    EXPECT_EQ(server.request_count(), 2u);

    db.forget("t");
    db.forget("never described");
    server.enqueue(fake_action::ok(describe_body()));
    (void)run(db.schema("t"));
    EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(RelationSchema, the_schema_expires_after_its_time_to_live)
{
    database_options options;
    options.schema_ttl = 50ms;
    database short_lived = make_db(options);
    server.set_default(fake_action::ok(describe_body()));
    (void)run(short_lived.schema("t"));
    (void)run(short_lived.schema("t"));
    EXPECT_EQ(server.request_count(), 1u);
    std::this_thread::sleep_for(80ms);
    (void)run(short_lived.schema("t"));
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(RelationSchema, a_failure_reaches_every_waiter_and_is_not_cached)
{
    server.enqueue(
        fake_action::aws_error(400, "ResourceNotFoundException", "Requested resource not found")
            .with_delay(50ms));
    std::vector<error_code> failures;
    for (int i = 0; i < 2; ++i) {
        auto diag = std::make_shared<diagnostics>();
        db.async_schema("t", *diag, [&, diag](error_code ec, table_schema) {
            EXPECT_NE(diag->message.find("not found"), std::string::npos);
            failures.push_back(ec);
        });
    }
    run_until([&] { return failures.size() == 2; });
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0], errc::resource_not_found);
    EXPECT_EQ(failures[1], errc::resource_not_found);
    EXPECT_EQ(server.request_count(), 1u);

    server.enqueue(fake_action::ok(describe_body()));
    diagnostics diag;
    bool done = false;
    db.async_refresh("t", diag, [&](error_code ec, table_schema schema) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(schema.table_name, "t");
        done = true;
    });
    run_until([&] { return done; });
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(RelationSchema, a_description_without_a_key_is_malformed)
{
    server.enqueue(fake_action::ok(R"({"Table":{"TableName":"t"}})"));
    const auto [ec, message] = failure_of(db.schema("t"));
    EXPECT_EQ(ec, errc::malformed_response);
    EXPECT_NE(message.find("DescribeTable of \"t\""), std::string::npos) << message;
}

// --- The scan policy, explain() and the terminal operations ----------------------------------

using RelationRun = RelationTest;

TEST_F(RelationRun, explain_shows_the_plan_without_querying)
{
    server.enqueue(fake_action::ok(describe_body()));
    const auto plan = run(db.table("t").where("pk", "p").and_("sk.gt", "s1").explain());
    EXPECT_EQ(plan.op, query_plan::operation::query);
    EXPECT_EQ(plan.key_conditions, 2);
    const auto scan = run(db.table("t").where("n", 3).explain());
    EXPECT_EQ(scan.op, query_plan::operation::scan);
    EXPECT_EQ(server.request_count(), 1u);
    diagnostics diag;
    auto [ec, refused] = run(db.table("t").index_name("nope").explain(diag));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("nope"), std::string::npos) << diag.message;
}

TEST_F(RelationRun, the_error_policy_refuses_a_scan_before_sending_it)
{
    database_options options;
    options.scan_policy = scan_policy::error;
    database strict = make_db(options);
    server.enqueue(fake_action::ok(describe_body()));
    const relation unkeyed = strict.table("t").where("n", 3);
    const auto [ec, message] = failure_of(unkeyed.all());
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(message.find("would Scan"), std::string::npos) << message;
    EXPECT_NE(message.find("force_scan"), std::string::npos) << message;
    EXPECT_EQ(server.request_count(), 1u);

    server.enqueue(fake_action::ok(page_body(rows(0, 1))));
    EXPECT_EQ(run(unkeyed.force_scan().all()).size(), 1u);
    server.enqueue(fake_action::ok(page_body(rows(0, 1))));
    EXPECT_EQ(run(unkeyed.with_scan_policy(scan_policy::allow).all()).size(), 1u);
    server.enqueue(fake_action::ok(page_body(rows(0, 1))));
    EXPECT_EQ(run(strict.table("t").where("pk", "p").all()).size(), 1u) << "a Query is fine";
}

TEST_F(RelationRun, the_warn_policy_logs_why_it_scans)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 1))));
    EXPECT_EQ(run(db.table("t").where("n", 0).all()).size(), 1u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("would Scan"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("\"t\""), std::string::npos) << warnings[0];
    server.enqueue(fake_action::ok(page_body(rows(0, 1))));
    (void)run(db.table("t").where("n", 0).with_scan_policy(scan_policy::allow).all());
    EXPECT_EQ(warnings.size(), 1u);
}

TEST_F(RelationRun, first_and_last_read_one_item)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 1), key_of_row(0))));
    server.enqueue(fake_action::ok(page_body(rows(9, 1), key_of_row(9))));
    server.enqueue(fake_action::ok(page_body({})));
    const relation r = db.table("t").where("pk", "p");
    EXPECT_EQ(run(r.first()), row(0));
    EXPECT_EQ(run(r.last()), row(9));
    EXPECT_FALSE(run(r.first()).has_value());
    const auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 3u);
    EXPECT_NE(queries[0].body.find(R"("Limit":1)"), std::string::npos);
    EXPECT_EQ(queries[0].body.find(R"("ScanIndexForward":false)"), std::string::npos);
    EXPECT_NE(queries[1].body.find(R"("ScanIndexForward":false)"), std::string::npos)
        << queries[1].body;
    EXPECT_NE(queries[1].body.find(R"("Limit":1)"), std::string::npos);
}

TEST_F(RelationRun, last_needs_a_query)
{
    server.enqueue(fake_action::ok(describe_body()));
    diagnostics diag;
    auto [ec, item] = run(db.table("t").where("n", 1).last(diag));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("needs a Query"), std::string::npos) << diag.message;
    const relation resumed = db.table("t").where("pk", "p").start_from(key_of_row(1));
    const auto [resumed_ec, message] = failure_of(resumed.last());
    EXPECT_EQ(resumed_ec, errc::invalid_argument);
    EXPECT_NE(message.find("start_from"), std::string::npos);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(RelationRun, count_adds_select_count_pages)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(count_body(40, key_of_row(39))));
    server.enqueue(fake_action::ok(count_body(2)));
    EXPECT_EQ(run(db.table("t").where("pk", "p").project({"n"}).count()), 42);
    const auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 2u);
    EXPECT_NE(queries[0].body.find(R"("Select":"COUNT")"), std::string::npos);
    EXPECT_EQ(queries[0].body.find("ProjectionExpression"), std::string::npos);

    server.enqueue(fake_action::ok(count_body(30, key_of_row(29))));
    server.enqueue(fake_action::ok(count_body(30, key_of_row(59))));
    EXPECT_EQ(run(db.table("t").where("pk", "p").limit(50).count()), 50);
    EXPECT_EQ(requests_of("Query").size(), 4u);

    server.enqueue(fake_action::aws_error(400, "ValidationException", "count refused"));
    diagnostics diag;
    auto [ec, partial] = run(db.table("t").where("pk", "p").count(diag));
    EXPECT_EQ(ec, errc::validation);
    EXPECT_NE(diag.message.find("count refused"), std::string::npos);
}

TEST_F(RelationRun, the_client_evaluates_what_no_key_condition_takes)
{
    // `sk <> "s1001"` cannot be a key condition nor a filter: DynamoDB returns rows 0 to 3
    // and the client drops row 1 before counting, yielding or limiting.
    server.enqueue(fake_action::ok(describe_body()));
    const relation r = db.table("t").where("pk", "p").where("sk.ne", "s1001");
    server.enqueue(fake_action::ok(page_body(rows(0, 2), key_of_row(1))));
    server.enqueue(fake_action::ok(page_body(rows(2, 2))));
    EXPECT_EQ(run(r.count()), 3);
    auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 2u);
    EXPECT_EQ(queries[0].body.find("Select"), std::string::npos) << queries[0].body;
    EXPECT_NE(queries[0].body.find("ProjectionExpression"), std::string::npos);

    // The sort key is read for the client's condition, then dropped from the items (the
    // scripted server ignores the projection and sends whole rows).
    server.enqueue(fake_action::ok(page_body(rows(0, 4))));
    const auto values = run(r.project({"n"}).all());
    ASSERT_EQ(values.size(), 3u);
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_FALSE(values[i].contains("sk"));
        EXPECT_EQ(values[i].at("n"), attribute_value(i == 0 ? 0 : static_cast<int>(i) + 1));
    }
    EXPECT_NE(requests_of("Query").back().body.find(R"("ProjectionExpression":"#n1, #n2")"),
              std::string::npos)
        << requests_of("Query").back().body;

    // The limit counts the items kept; DynamoDB's Limit is not lowered to it.
    server.enqueue(fake_action::ok(page_body(rows(0, 2), key_of_row(1))));
    server.enqueue(fake_action::ok(page_body(rows(2, 2))));
    EXPECT_EQ(run(r.limit(2).all()), (std::vector<attribute_map>{row(0), row(2)}));
    server.enqueue(fake_action::ok(page_body(rows(1, 1), key_of_row(1))));
    server.enqueue(fake_action::ok(page_body(rows(2, 1), key_of_row(2))));
    EXPECT_EQ(run(r.limit(1).count()), 1);
    queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 7u);
    for (const auto& q : queries) EXPECT_EQ(q.body.find("\"Limit\""), std::string::npos) << q.body;
}

TEST_F(RelationRun, exists_counts_up_to_one)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(count_body(1, key_of_row(0))));
    server.enqueue(fake_action::ok(count_body(0)));
    EXPECT_TRUE(run(db.table("t").where("pk", "p").exists()));
    EXPECT_FALSE(run(db.table("t").where("pk", "q").exists()));
    const auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 2u);
    EXPECT_NE(queries[0].body.find(R"("Limit":1)"), std::string::npos) << queries[0].body;
    EXPECT_NE(queries[0].body.find(R"("Select":"COUNT")"), std::string::npos);
    diagnostics diag;
    server.enqueue(fake_action::aws_error(400, "ValidationException", "no"));
    auto [ec, found] = run(db.table("t").where("pk", "p").exists(diag));
    EXPECT_EQ(ec, errc::validation);
}

TEST_F(RelationRun, pluck_ids_and_aggregates)
{
    std::vector<attribute_map> items = rows(0, 4);
    items[1].set("price", number("10.25"));
    items[2].set("price", number("-0.25"));
    items[3].set("price", number("1e3"));
    items[0].set("nested", attribute_map{{"list", attribute_list{1, 2}}});
    server.enqueue(fake_action::ok(describe_body()));
    server.set_default(fake_action::ok(page_body(items)));
    const relation r = db.table("t").where("pk", "p");

    EXPECT_EQ(run(r.pluck("price")),
              (std::vector<attribute_value>{null_value{}, number("10.25"), number("-0.25"),
                                            number("1e3")}));
    EXPECT_EQ(run(r.pluck("nested.list[1]")),
              (std::vector<attribute_value>{2, null_value{}, null_value{}, null_value{}}));
    std::vector<attribute_map> keys;
    for (int i = 0; i < 4; ++i) keys.push_back(key_of_row(i));
    EXPECT_EQ(run(r.ids()), keys);
    EXPECT_EQ(run(r.sum("price")).text(), "1010");
    EXPECT_EQ(run(r.min("price")), number("-0.25"));
    EXPECT_EQ(run(r.max("price")), number("1000"));
    EXPECT_EQ(run(r.average("price"))->text(), "336.66666666666666666666666666666666667");
    EXPECT_FALSE(run(r.min("missing")).has_value());
    EXPECT_FALSE(run(r.average("missing")).has_value());
    EXPECT_EQ(run(r.sum("missing")).text(), "0");

    const auto [ec, message] = failure_of(r.sum("pk"));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(message.find("a S there, not a number"), std::string::npos) << message;
    const auto queries = requests_of("Query");
    ASSERT_FALSE(queries.empty());
    EXPECT_NE(queries[0].body.find("ProjectionExpression"), std::string::npos);
}

TEST_F(RelationRun, narrowed_reads_use_the_index_all_uses)
{
    // A KEYS_ONLY local index on score: all() cannot read it, and ids(), pluck() and sum()
    // must not either, though it carries what they read: in score order, their limit(1)
    // would be another item than all()'s.
    const std::string described =
        R"({"Table":{"TableName":"t","TableStatus":"ACTIVE","KeySchema":[)"
        R"({"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)"
        R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)"
        R"({"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"score","AttributeType":"N"}],)"
        R"("LocalSecondaryIndexes":[{"IndexName":"by_score","KeySchema":[)"
        R"({"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"score","KeyType":"RANGE"}],)"
        R"("Projection":{"ProjectionType":"KEYS_ONLY"}}]}})";
    server.enqueue(fake_action::ok(described));
    server.set_default(fake_action::ok(page_body(rows(0, 1))));
    const relation r = db.table("t").where("pk", "p").where("score.gt", 0).limit(1);
    EXPECT_EQ(run(r.explain()).index_name, "") << "all() reads the table";
    EXPECT_EQ(run(r.ids()).size(), 1u);
    EXPECT_EQ(run(r.pluck("sk")).size(), 1u);
    EXPECT_EQ(run(r.sum("n")).text(), "0");
    EXPECT_EQ(run(r.project({"sk"}).explain()).index_name, "by_score")
        << "left to the planner, the narrower read takes the index";
    const auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 3u);
    for (const auto& query : queries) {
        EXPECT_EQ(query.body.find("IndexName"), std::string::npos) << query.body;
        EXPECT_NE(query.body.find("ProjectionExpression"), std::string::npos) << query.body;
    }
    // A relation that names its index keeps it.
    EXPECT_EQ(run(r.index_name("by_score").ids()).size(), 1u);
    EXPECT_NE(requests_of("Query").back().body.find(R"("IndexName":"by_score")"),
              std::string::npos);
}

TEST_F(RelationRun, a_limit_of_zero_has_no_first_item_and_nothing_exists)
{
    server.enqueue(fake_action::ok(describe_body()));
    const relation none = db.table("t").where("pk", "p").limit(0);
    EXPECT_FALSE(run(none.first()).has_value());
    EXPECT_FALSE(run(none.exists()));
    EXPECT_EQ(run(none.count()), 0);
    EXPECT_TRUE(requests_of("Query").empty());
}

TEST_F(RelationRun, sums_refuse_what_does_not_fit_a_number)
{
    std::vector<attribute_map> items = rows(0, 2);
    items[0].set("price", number("1e20"));
    items[1].set("price", number("1e-20"));
    server.enqueue(fake_action::ok(describe_body()));
    server.set_default(fake_action::ok(page_body(items)));
    const auto [ec, message] = failure_of(db.table("t").where("pk", "p").sum("price"));
    EXPECT_EQ(ec, errc::number_precision_loss);
    EXPECT_NE(message.find("38"), std::string::npos);
}

TEST_F(RelationRun, ids_need_the_key_attributes)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body({{{"pk", "p"}}})));
    const auto [ec, message] = failure_of(db.table("t").where("pk", "p").ids());
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(message.find("\"sk\""), std::string::npos) << message;
}

TEST_F(RelationRun, each_and_pages_see_every_item)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body(rows(0, 2), key_of_row(1))));
    server.enqueue(fake_action::ok(page_body(rows(2, 1))));
    server.enqueue(fake_action::ok(page_body(rows(0, 2), key_of_row(1))));
    server.enqueue(fake_action::ok(page_body(rows(2, 1))));
    std::vector<attribute_map> seen;
    run(db.table("t").where("pk", "p").each(
        [&](attribute_map& item) { seen.push_back(std::move(item)); }));
    EXPECT_EQ(seen, rows(0, 3));
    std::vector<std::size_t> sizes;
    run(db.table("t").where("pk", "p").pages(
        [&](std::vector<attribute_map>& page) { sizes.push_back(page.size()); }));
    EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 1}));

    server.enqueue(fake_action::aws_error(400, "ValidationException", "each refused"));
    const auto [ec, message] =
        failure_of(db.table("t").where("pk", "p").each([](attribute_map&) {}));
    EXPECT_EQ(ec, errc::validation);
    server.enqueue(fake_action::aws_error(400, "ValidationException", "pages refused"));
    const auto [pages_ec, pages_message] =
        failure_of(db.table("t").where("pk", "p").pages([](std::vector<attribute_map>&) {}));
    EXPECT_EQ(pages_ec, errc::validation);
}

TEST_F(RelationRun, all_reports_a_failure_with_its_diagnostics)
{
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "all refused"));
    diagnostics diag;
    auto [ec, items] = run(db.table("t").where("pk", "p").all(diag));
    EXPECT_EQ(ec, errc::validation);
    EXPECT_NE(diag.message.find("all refused"), std::string::npos);
    server.enqueue(fake_action::aws_error(400, "ValidationException", "first refused"));
    diagnostics first_diag;
    auto [first_ec, first] = run(db.table("t").where("pk", "p").first(first_diag));
    EXPECT_EQ(first_ec, errc::validation);
}

TEST_F(RelationRun, delete_all_sends_unprocessed_keys_again)
{
    database_options options;
    options.batch_write_base_delay = 1ms;
    options.batch_write_max_delay = 2ms;
    database fast = make_db(options);
    server.enqueue(fake_action::ok(describe_body()));
    std::vector<attribute_map> keys;
    for (int i = 0; i < 30; ++i) keys.push_back(key_of_row(i));
    server.enqueue(fake_action::ok(page_body(keys)));
    server.enqueue(fake_action::ok(unprocessed_body({key_of_row(3), key_of_row(4)})));
    server.enqueue(fake_action::ok(unprocessed_body({})));
    server.enqueue(fake_action::ok(unprocessed_body({})));
    const auto result = run(fast.table("t").where("pk", "p").delete_all());
    EXPECT_EQ(result.deleted, 30);
    EXPECT_TRUE(result.unprocessed_keys.empty());
    const auto writes = requests_of("BatchWriteItem");
    ASSERT_EQ(writes.size(), 3u);
    EXPECT_NE(writes[0].body.find(R"("sk":{"S":"s1024"})"), std::string::npos);
    EXPECT_EQ(writes[0].body.find(R"("sk":{"S":"s1025"})"), std::string::npos) << "25 per batch";
    EXPECT_NE(writes[1].body.find(R"("sk":{"S":"s1003"})"), std::string::npos) << "sent again";
    EXPECT_EQ(writes[1].body.find(R"("sk":{"S":"s1000"})"), std::string::npos);
    EXPECT_NE(writes[2].body.find(R"("sk":{"S":"s1029"})"), std::string::npos);
    const auto queries = requests_of("Query");
    ASSERT_EQ(queries.size(), 1u);
    EXPECT_NE(queries[0].body.find("ProjectionExpression"), std::string::npos)
        << "only the keys are read";
}

TEST_F(RelationRun, delete_all_reports_what_stays_unprocessed)
{
    database_options options;
    options.max_batch_write_rounds = 3;
    options.batch_write_base_delay = 1ms;
    options.batch_write_max_delay = 2ms;
    database fast = make_db(options);
    server.enqueue(fake_action::ok(describe_body()));
    server.enqueue(fake_action::ok(page_body({key_of_row(0), key_of_row(1), key_of_row(2)})));
    server.enqueue(fake_action::ok(unprocessed_body({key_of_row(1), key_of_row(2)})));
    server.enqueue(fake_action::ok(unprocessed_body({key_of_row(2)})), 2);
    const auto result = run(fast.table("t").where("pk", "p").delete_all());
    EXPECT_EQ(result.deleted, 2);
    EXPECT_EQ(result.unprocessed_keys, (std::vector<attribute_map>{key_of_row(2)}));
    EXPECT_EQ(requests_of("BatchWriteItem").size(), 3u);
}

TEST_F(RelationRun, delete_all_stops_at_a_failure_and_says_how_far_it_got)
{
    server.enqueue(fake_action::ok(describe_body()));
    std::vector<attribute_map> keys;
    for (int i = 0; i < 30; ++i) keys.push_back(key_of_row(i));
    server.enqueue(fake_action::ok(page_body(keys)));
    server.enqueue(fake_action::ok(unprocessed_body({})));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "write refused"));
    diagnostics diag;
    auto [ec, result] = run(db.table("t").where("pk", "p").delete_all(diag));
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(result.deleted, 25);
    EXPECT_NE(diag.message.find("write refused"), std::string::npos);

    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "gone"));
    database other = make_db();
    const auto [describe_ec, message] = failure_of(other.table("t").delete_all());
    EXPECT_EQ(describe_ec, errc::resource_not_found);
}

}  // namespace
}  // namespace dynomite
