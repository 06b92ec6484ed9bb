// Records beyond their declared fields, without a server or against a scripted one: undeclared
// attributes assigned and written, consistent finds, records read with a projection, and
// replace_declared().
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

struct Post : model<Post> {
    std::string id;
    std::string title;
    std::string body;
    std::optional<int> stars;
    std::chrono::sys_seconds created_at{};
    std::chrono::sys_seconds updated_at{};

    static void define(model_definition<Post>& s)
    {
        s.field("title", &Post::title);
        s.field("body", &Post::body);
        s.field("stars", &Post::stars);
        s.partition_key("id");
        s.table_name("posts");
    }
};

struct Entry : model<Entry> {
    std::string feed;
    std::string at;
    static void define(model_definition<Entry>& s)
    {
        s.field("feed", &Entry::feed);
        s.field("at", &Entry::at);
        s.partition_key("feed");
        s.sort_key("at");
        s.no_generated_id();
        s.timestamps(false);
        s.table_name("entries");
    }
};

struct Shape : model<Shape> {
    std::string id;
    static void define(model_definition<Shape>& s)
    {
        s.inheritance_field("kind");
        s.partition_key("id");
    }
};

struct Locked : model<Locked> {
    std::string id;
    std::string title;
    int lock_version = 0;
    static void define(model_definition<Locked>& s)
    {
        s.field("title", &Locked::title);
        s.field("lock_version", &Locked::lock_version);
        s.locking();
        s.partition_key("id");
        s.table_name("locked");
    }
};

// find(id, true) reads true as a sort key: it must not compile, and the tag must.
template <class M, class... Args>
concept finds_with = requires(Args... args) { M::find(args...); };
template <class M, class... Args>
concept finds_or_throws_with = requires(Args... args) { M::find_or_throw(args...); };
template <class M, class... Args>
concept scope_finds_with = requires(const model_scope<M>& scope, Args... args) {
    scope.find(args...);
};

static_assert(!finds_with<Post, const char*, bool>);
static_assert(!finds_with<Post, std::string, bool>);
static_assert(!finds_with<Post, attribute_value, const bool&>);
static_assert(!finds_or_throws_with<Post, const char*, bool>);
static_assert(!scope_finds_with<Post, const char*, bool>);
static_assert(finds_with<Post, const char*, consistent_read_tag>);
static_assert(finds_with<Entry, const char*, const char*, consistent_read_tag>);
static_assert(finds_or_throws_with<Post, const char*, consistent_read_tag>);
static_assert(finds_with<Entry, const char*, int>, "a number sort key still works");
static_assert(finds_with<Post, const char*>);

std::vector<std::string> names_of(const std::vector<attribute_change>& changes)
{
    std::vector<std::string> out;
    for (const auto& c : changes) out.push_back(c.attribute);
    return out;
}

TEST(ModelUndeclaredAttributes, AssignedReadAndDirtyTracked)
{
    Post p = Post::from_item({{"id", "p1"}, {"title", "T"}, {"legacy", 4}});
    p["mood"] = "happy";
    EXPECT_EQ(p.read_attribute("mood"), attribute_value("happy"));
    EXPECT_TRUE(p["mood"] == "happy");
    const Post& view = p;
    EXPECT_EQ(view["mood"], attribute_value("happy"));
    EXPECT_TRUE(p.changed());
    EXPECT_TRUE(p.attribute_changed("mood"));
    EXPECT_FALSE(p.attribute_changed("legacy"));
    EXPECT_EQ(p.changed_attributes(), (std::vector<std::string>{"mood"}));
    ASSERT_EQ(p.changes().size(), 1u);
    EXPECT_FALSE(p.changes()[0].old_value.has_value());
    EXPECT_EQ(p.changes()[0].new_value, attribute_value("happy"));
    EXPECT_EQ(p.attributes().at("mood"), attribute_value("happy"));
    EXPECT_EQ(p.undeclared_attributes(),
              (attribute_map{{"legacy", 4}, {"mood", "happy"}}));

    p.write_attribute("legacy", null_value{});
    EXPECT_FALSE(p.read_attribute("legacy").has_value());
    EXPECT_FALSE(p.attributes().contains("legacy"));
    EXPECT_EQ(p.attribute_was("legacy"), attribute_value(4));
    EXPECT_EQ(names_of(p.changes()), (std::vector<std::string>{"mood", "legacy"}))
        << "after the fields, in the order first assigned";

    p.restore_attribute("legacy");
    EXPECT_EQ(p.read_attribute("legacy"), attribute_value(4));
    p["legacy"] = 4;
    EXPECT_FALSE(p.attribute_changed("legacy")) << "the stored value is no change";
    p["legacy"] = "";
    EXPECT_TRUE(p.attribute_changed("legacy")) << "an empty string is a removal";
    p.restore_attributes();
    EXPECT_FALSE(p.changed());
    EXPECT_EQ(p.undeclared_attributes(), (attribute_map{{"legacy", 4}}));
}

TEST(ModelUndeclaredAttributes, UpdateAssignsThemOnANewRecord)
{
    Post p;
    const attribute_map values{{"title", "T"}, {"mood", "calm"}};
    p.assign_attributes(values);
    EXPECT_EQ(p.title, "T");
    EXPECT_EQ(p.read_attribute("mood"), attribute_value("calm"));
    p["nothing"] = null_value{};
    EXPECT_FALSE(p.attribute_changed("nothing")) << "removing an absent attribute changes nothing";
    EXPECT_EQ(p.changed_attributes(), (std::vector<std::string>{"title", "mood"}));
}

TEST(ModelUndeclaredAttributes, RefusedNames)
{
    Post p;
    EXPECT_THROW(p.write_attribute("", 1), error);
    Shape s;
    try {
        s["kind"] = "Circle";
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("inheritance field"), std::string::npos) << e.what();
    }
}

// --- Against a scripted server ------------------------------------------------------------------

class ModelRecordRequests : public ::testing::Test {
protected:
    ModelRecordRequests() : db_(client(io_.get_executor(), config())) {}

    client_config config() const
    {
        client_config cfg = dynomite::test::fake_client_config(server_);
        cfg.retry.max_attempts = 1;
        return cfg;
    }

    template <class T>
    T run_here(asio::awaitable<T> op)
    {
        std::optional<T> result;
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io_, std::move(op), [&](std::exception_ptr e, T value) {
            failure = e;
            if (!e) result.emplace(std::move(value));
            done = true;
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!done && std::chrono::steady_clock::now() < deadline) {
            io_.restart();
            io_.run_one_for(std::chrono::milliseconds(20));
        }
        if (!done) throw std::runtime_error("the operation did not complete");
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

    void run_here(asio::awaitable<void> op)
    {
        auto wrapped = [](asio::awaitable<void> inner) -> asio::awaitable<bool> {
            co_await std::move(inner);
            co_return true;
        };
        (void)run_here(wrapped(std::move(op)));
    }

    /// The operation (from X-Amz-Target) and the JSON body of request `i`.
    std::pair<std::string, boost::json::value> request(std::size_t i) const
    {
        const auto all = server_.requests();
        const auto& r = all.at(i);
        const std::string target = r.header("x-amz-target").value_or("");
        return {target.substr(target.find('.') + 1), boost::json::parse(r.body)};
    }

    /// The attribute names of an expression, by placeholder, as a name -> placeholder map.
    static std::map<std::string, std::string> placeholders(const boost::json::object& body)
    {
        std::map<std::string, std::string> out;
        for (const auto& [key, value] : body.at("ExpressionAttributeNames").as_object())
            out[std::string(value.as_string())] = std::string(key);
        return out;
    }

    template <class F>
    static void expect_refused(F f, std::string_view fragment)
    {
        try {
            f();
            ADD_FAILURE() << "expected an error containing: " << fragment;
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_argument);
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    }

    test::fake_server server_;
    asio::io_context io_;
    database db_;
};

TEST_F(ModelRecordRequests, UndeclaredChangesAreSetAndRemovedByUpdate)
{
    Post p = Post::from_item({{"id", "p1"}, {"title", "T"}, {"legacy", 4}, {"other", "o"}});
    p.use_database(db_);
    p["mood"] = "happy";
    p["legacy"] = null_value{};
    const save_options no_touch{.validate = true, .touch = false};
    EXPECT_TRUE(run_here(p.save(no_touch)));
    ASSERT_EQ(server_.request_count(), 1u);
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "UpdateItem");
    const auto& object = body.as_object();
    const auto names = placeholders(object);
    ASSERT_TRUE(names.contains("mood"));
    ASSERT_TRUE(names.contains("legacy"));
    EXPECT_FALSE(names.contains("other")) << "attributes not assigned are not sent";
    EXPECT_FALSE(names.contains("title"));
    const std::string expression(object.at("UpdateExpression").as_string());
    EXPECT_NE(expression.find("SET " + names.at("mood") + " = "), std::string::npos) << expression;
    EXPECT_NE(expression.find("REMOVE " + names.at("legacy")), std::string::npos) << expression;
    EXPECT_FALSE(p.changed());
    EXPECT_EQ(p.undeclared_attributes(), (attribute_map{{"other", "o"}, {"mood", "happy"}}));
    EXPECT_TRUE(p.saved_change_to("mood"));
}

TEST_F(ModelRecordRequests, UndeclaredAttributesOfANewRecordArePut)
{
    Post p;
    p.id = "p2";
    p.title = "T";
    p.use_database(db_);
    p["mood"] = "calm";
    EXPECT_TRUE(run_here(p.save()));
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "PutItem");
    const auto& item = body.as_object().at("Item").as_object();
    EXPECT_EQ(item.at("mood").as_object().at("S").as_string(), "calm");
    EXPECT_EQ(item.at("title").as_object().at("S").as_string(), "T");
}

TEST_F(ModelRecordRequests, UpdateWithAnUndeclaredAttribute)
{
    Post p = Post::from_item({{"id", "p3"}, {"title", "T"}});
    p.use_database(db_);
    const attribute_map values{{"mood", "sad"}};
    EXPECT_TRUE(run_here(p.update(values)));
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "UpdateItem");
    EXPECT_TRUE(placeholders(body.as_object()).contains("mood"));
}

TEST_F(ModelRecordRequests, ConsistentFindAsksForAConsistentRead)
{
    server_.enqueue(test::fake_action::ok(R"({"Item":{"id":{"S":"p1"},"title":{"S":"T"}}})"));
    server_.enqueue(test::fake_action::ok(R"({"Item":{"id":{"S":"p1"},"title":{"S":"T"}}})"));
    server_.enqueue(test::fake_action::ok(R"({"Item":{"feed":{"S":"f"},"at":{"S":"1"}}})"));
    server_.enqueue(test::fake_action::ok(R"({"Item":{"id":{"S":"p1"},"title":{"S":"T"}}})"));
    auto plain = run_here(Post::on(db_).find("p1"));
    auto consistent = run_here(Post::on(db_).find("p1", dynomite::consistent));
    auto entry = run_here(Entry::on(db_).find("f", "1", dynomite::consistent));
    auto thrown = run_here(Post::on(db_).find_or_throw("p1", dynomite::consistent));
    ASSERT_TRUE(plain && consistent && entry);
    EXPECT_EQ(consistent->title, "T");
    EXPECT_EQ(thrown.title, "T");
    const auto consistent_read = [&](std::size_t i) {
        const auto [operation, body] = request(i);
        EXPECT_EQ(operation, "GetItem");
        const auto* flag = body.as_object().if_contains("ConsistentRead");
        return flag != nullptr && flag->as_bool();
    };
    EXPECT_FALSE(consistent_read(0));
    EXPECT_TRUE(consistent_read(1));
    EXPECT_TRUE(consistent_read(2));
    EXPECT_TRUE(consistent_read(3));
    const auto [operation, body] = request(2);
    const auto& key = body.as_object().at("Key").as_object();
    EXPECT_EQ(key.at("at").as_object().at("S").as_string(), "1");
}

TEST_F(ModelRecordRequests, ProjectionNamesTheAttributesReadWhole)
{
    const auto loaded = detail::loaded_attributes_of(
        db_.table("posts").project({"id", "title", "meta.author"}));
    ASSERT_NE(loaded, nullptr);
    EXPECT_EQ(*loaded, (std::vector<std::string>{"id", "title"}))
        << "a nested path reads part of its attribute";
    EXPECT_EQ(detail::loaded_attributes_of(db_.table("posts")), nullptr);
}

Post partial_post(const database& db)
{
    Post p = Post::from_item({{"id", "p1"}, {"title", "T"}});
    p.use_database(db);
    detail::mark_partial(p, std::make_shared<const std::vector<std::string>>(
                                std::vector<std::string>{"id", "title"}));
    return p;
}

TEST_F(ModelRecordRequests, PartialRecordSavesOnlyWhatItRead)
{
    Post p = partial_post(db_);
    EXPECT_TRUE(p.is_partial());
    EXPECT_EQ(p.loaded_attributes(), (std::vector<std::string>{"id", "title"}));
    p.title = "New";
    EXPECT_TRUE(run_here(p.save()));
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "UpdateItem");
    const auto names = placeholders(body.as_object());
    EXPECT_TRUE(names.contains("title"));
    EXPECT_TRUE(names.contains("updated_at")) << "the maintained timestamp is written";
    EXPECT_FALSE(names.contains("body"));
    EXPECT_FALSE(names.contains("stars"));
    EXPECT_TRUE(p.is_partial()) << "a save does not read the rest";
}

TEST_F(ModelRecordRequests, PartialRecordRefusesWritesOfWhatItDidNotRead)
{
    Post changed_unread = partial_post(db_);
    changed_unread.stars = 5;
    expect_refused([&] { (void)run_here(changed_unread.save()); }, "\"stars\"");
    Post undeclared = partial_post(db_);
    undeclared["mood"] = "x";
    expect_refused([&] { (void)run_here(undeclared.save()); }, "\"mood\"");
    Post replaced = partial_post(db_);
    expect_refused([&] { (void)run_here(replaced.replace()); }, "full write");
    expect_refused([&] { (void)run_here(replaced.replace_declared()); }, "full write");
    Locked locked = Locked::from_item({{"id", "l1"}, {"title", "T"}, {"lock_version", 2}});
    locked.use_database(db_);
    detail::mark_partial(locked, std::make_shared<const std::vector<std::string>>(
                                     std::vector<std::string>{"id", "title"}));
    locked.title = "New";
    expect_refused([&] { (void)run_here(locked.save()); }, "lock field");
    EXPECT_EQ(server_.request_count(), 0u) << "nothing is sent";
}

TEST_F(ModelRecordRequests, ReloadMakesAPartialRecordWhole)
{
    Post p = partial_post(db_);
    server_.enqueue(
        test::fake_action::ok(R"({"Item":{"id":{"S":"p1"},"title":{"S":"T"},"stars":{"N":"3"}}})"));
    run_here(p.reload());
    EXPECT_FALSE(p.is_partial());
    EXPECT_TRUE(p.loaded_attributes().empty());
    EXPECT_EQ(p.stars, 3);
    p.stars = 4;
    EXPECT_TRUE(run_here(p.save()));
}

TEST_F(ModelRecordRequests, ReplaceDeclaredSetsEveryFieldWithOneUpdate)
{
    Post p = Post::from_item({{"id", "p1"}, {"title", "T"}, {"body", ""}, {"legacy", 4}});
    p.use_database(db_);
    p["mood"] = "new";
    server_.enqueue(test::fake_action::ok(
        R"({"Attributes":{"id":{"S":"p1"},"title":{"S":"T"},"legacy":{"N":"4"},)"
        R"("mood":{"S":"new"},"later":{"S":"kept"}}})"));
    const save_options no_touch{.validate = true, .touch = false};
    EXPECT_TRUE(run_here(p.replace_declared(no_touch)));
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "UpdateItem");
    const auto& object = body.as_object();
    EXPECT_EQ(object.at("ReturnValues").as_string(), "ALL_NEW");
    EXPECT_FALSE(object.contains("ConditionExpression")) << "no condition but the lock's";
    const auto names = placeholders(object);
    const std::string expression(object.at("UpdateExpression").as_string());
    EXPECT_FALSE(names.contains("id")) << "key attributes cannot be SET";
    EXPECT_FALSE(names.contains("legacy")) << "undeclared attributes not assigned stay";
    EXPECT_NE(expression.find(names.at("title") + " = "), std::string::npos) << expression;
    EXPECT_NE(expression.find(names.at("mood") + " = "), std::string::npos) << expression;
    const std::string removed = expression.substr(expression.find("REMOVE"));
    for (const char* empty : {"body", "stars"}) {
        EXPECT_NE(removed.find(names.at(empty)), std::string::npos) << empty << ": " << expression;
    }
    EXPECT_EQ(p.read_attribute("later"), attribute_value("kept"))
        << "the record holds the item returned";
    EXPECT_FALSE(p.changed());
}

}  // namespace
