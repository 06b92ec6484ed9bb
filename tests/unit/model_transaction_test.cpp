// Transactions, batch saves and PartiQL of models against a scripted server: the requests
// built, the limits, the records' state after a cancellation or a success, the mapping of
// cancellation reasons, the idempotency token on a retried commit, and a create whose lost
// response makes its retry meet its own item.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include "core/json_codec.hpp"
#include "core/json_writer.hpp"
#include "model/record_engine.hpp"
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;
using test::fake_action;

struct Memo : model<Memo> {
    std::string id;
    std::string title;
    int rank = 0;
    std::chrono::sys_seconds created_at{};
    std::chrono::sys_seconds updated_at{};

    static void define(model_definition<Memo>& s)
    {
        s.field("title", &Memo::title).validates(presence());
        s.field("rank", &Memo::rank);
        s.partition_key("id");
        s.table_name("memos");
        s.after_save([](Memo& m) { ++m.saves_seen; });
    }
    int saves_seen = 0;
};

struct Ledger : model<Ledger> {
    std::string id;
    int balance = 0;
    int lock_version = 0;

    static void define(model_definition<Ledger>& s)
    {
        s.field("balance", &Ledger::balance);
        s.field("lock_version", &Ledger::lock_version);
        s.locking("lock_version");
        s.partition_key("id");
        s.table_name("ledgers");
        s.timestamps(false);
    }
};

struct Stamp : model<Stamp> {
    std::string id;
    int lock_version = 0;
    std::chrono::sys_time<std::chrono::milliseconds> created_at{};
    std::chrono::sys_time<std::chrono::milliseconds> updated_at{};

    static void define(model_definition<Stamp>& s)
    {
        s.field("lock_version", &Stamp::lock_version);
        s.locking("lock_version");
        s.partition_key("id");
        s.table_name("stamps");
    }
};

struct Slot : model<Slot> {
    std::string id;
    std::string title;
    static void define(model_definition<Slot>& s)
    {
        s.field("title", &Slot::title);
        s.partition_key("id");
        s.table_name("slots");
        s.timestamps(false);
    }
};

struct Wrapped : model<Wrapped> {
    std::string id;
    static void define(model_definition<Wrapped>& s)
    {
        s.partition_key("id");
        s.table_name("wrapped");
        s.around_save([](Wrapped&, proceed next) -> asio::awaitable<void> { co_await next(); });
    }
};

/// A 400 error of `type` whose body carries `extra` members.
fake_action error_answer(std::string_view type, std::string_view extra)
{
    fake_action a;
    a.status = 400;
    a.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + std::string(type) +
             R"(","message":"refused")" + std::string(extra) + "}";
    return a;
}

std::string item_json(const attribute_map& item)
{
    std::string out;
    detail::json_writer w(out);
    detail::write_item(w, item);
    return out;
}

class ModelWrites : public ::testing::Test {
protected:
    ModelWrites() : db_(make_client(1)) {}

    client make_client(int attempts)
    {
        client_config cfg = dynomite::test::fake_client_config(server_);
        cfg.retry.max_attempts = attempts;
        cfg.retry.base_delay = std::chrono::milliseconds(1);
        return client(io_.get_executor(), cfg);
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

    std::pair<std::string, boost::json::value> request(std::size_t i) const
    {
        const auto all = server_.requests();
        const auto& r = all.at(i);
        const std::string target = r.header("x-amz-target").value_or("");
        return {target.substr(target.find('.') + 1), boost::json::parse(r.body)};
    }

    /// The first attempt's answer lost (a 500, after the write was or was not applied), then
    /// the retry's condition refused on `held` (none: no item).
    void lose_answer_then_refuse(const std::optional<attribute_map>& held)
    {
        server_.enqueue(fake_action::internal_error());
        refuse_condition(held);
    }

    void refuse_condition(const std::optional<attribute_map>& held)
    {
        server_.enqueue(error_answer("ConditionalCheckFailedException",
                                     held ? R"(,"Item":)" + item_json(*held) : std::string()));
    }

    /// The GetItem that tells a conflict's kind: `held`, or no item.
    void then_read(const std::optional<attribute_map>& held)
    {
        server_.enqueue(fake_action::ok(held ? R"({"Item":)" + item_json(*held) + "}" : "{}"));
    }

    /// What `op` throws; fails the test when it throws nothing.
    template <class T>
    error_code thrown_by(asio::awaitable<T> op)
    {
        try {
            run_here(std::move(op));
        } catch (const error& e) {
            return e.code();
        }
        ADD_FAILURE() << "no error";
        return {};
    }

    /// `requests` went out, the second the retry of `operation`, asking for the item on a
    /// failed condition.
    void expect_retry_asked_for_item(std::string_view operation, std::size_t requests = 2)
    {
        ASSERT_EQ(server_.request_count(), requests);
        const auto [sent, body] = request(1);
        EXPECT_EQ(sent, operation);
        EXPECT_EQ(body.at("ReturnValuesOnConditionCheckFailure").as_string(), "ALL_OLD");
    }

    /// A ledger at lock 3 on a database whose client retries.
    Ledger locked_ledger()
    {
        retrying_ = database(make_client(3));
        Ledger l = Ledger::from_item({{"id", "l1"}, {"balance", 10}, {"lock_version", 3}});
        l.use_database(*retrying_);
        return l;
    }

    Memo persisted_memo(std::string id, std::string title)
    {
        Memo m = Memo::from_item({{"id", attribute_value(std::move(id))},
                                  {"title", attribute_value(std::move(title))},
                                  {"rank", 1}});
        m.use_database(db_);
        return m;
    }

    test::fake_server server_;
    asio::io_context io_;
    database db_;
    std::optional<database> retrying_;
};

// --- Transactions ------------------------------------------------------------------------------

TEST_F(ModelWrites, a_transaction_sends_each_action_with_its_condition_and_a_token)
{
    Memo fresh;
    fresh.use_database(db_);
    fresh.title = "new";
    Memo edited = persisted_memo("m2", "old");
    edited.title = "edited";
    Memo gone = persisted_memo("m3", "bye");
    Memo counted = persisted_memo("m4", "count");
    Memo unchanged = persisted_memo("m5", "same");

    transaction t(db_);
    t.create(fresh).update(edited).destroy(gone).increment(counted, "rank", number(2));
    t.save(unchanged);  // nothing changed: no action
    t.check("memos", {{"id", "m9"}}, attribute_exists(document_path::attribute("id")));
    EXPECT_EQ(t.size(), 6u);
    EXPECT_EQ(t.client_request_token().size(), 36u);
    EXPECT_TRUE(run_here(t.commit()));

    ASSERT_EQ(server_.request_count(), 1u);
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "TransactWriteItems");
    const auto& object = body.as_object();
    EXPECT_EQ(object.at("ClientRequestToken").as_string(), t.client_request_token());
    const auto& items = object.at("TransactItems").as_array();
    ASSERT_EQ(items.size(), 5u);
    const auto& put = items[0].as_object().at("Put").as_object();
    EXPECT_EQ(put.at("TableName").as_string(), "memos");
    EXPECT_EQ(put.at("ConditionExpression").as_string(), "attribute_not_exists(#n0)");
    EXPECT_TRUE(put.at("Item").as_object().contains("created_at"));
    const auto& update = items[1].as_object().at("Update").as_object();
    EXPECT_EQ(update.at("UpdateExpression").as_string(), "SET #n0 = :v0, #n1 = :v1");
    EXPECT_EQ(update.at("ConditionExpression").as_string(), "attribute_exists(#n2)");
    EXPECT_TRUE(items[2].as_object().contains("Delete"));
    const auto& add = items[3].as_object().at("Update").as_object();
    EXPECT_EQ(add.at("UpdateExpression").as_string(), "ADD #n0 :v0");
    EXPECT_TRUE(items[4].as_object().contains("ConditionCheck"));

    EXPECT_TRUE(fresh.persisted());
    EXPECT_FALSE(fresh.changed());
    EXPECT_FALSE(fresh.id.empty());
    EXPECT_EQ(fresh.saves_seen, 1) << "after_save ran";
    EXPECT_FALSE(edited.changed());
    EXPECT_EQ(edited.attribute_was("title"), attribute_value("edited"));
    EXPECT_TRUE(gone.destroyed());
    EXPECT_EQ(counted.rank, 1) << "an increment changes the item, not the record";
    EXPECT_THROW(run_here(t.commit()), error) << "committed once";
}

TEST_F(ModelWrites, more_than_100_actions_fail_before_anything_is_sent)
{
    std::vector<Memo> memos(101, persisted_memo("m", "t"));
    transaction t(db_);
    for (auto& m : memos) t.check(m, attribute_exists(document_path::attribute("id")));
    try {
        run_here(t.commit());
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("101 actions"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(ModelWrites, a_cancelled_transaction_names_the_failed_action_and_restores_the_records)
{
    Memo fresh;
    fresh.use_database(db_);
    fresh.title = "new";
    Memo edited = persisted_memo("m2", "old");
    edited.title = "edited";
    const auto changes_before = edited.changes();
    server_.enqueue(error_answer("TransactionCanceledException",
                                 R"(,"CancellationReasons":[{"Code":"None"},)"
                                 R"({"Code":"ConditionalCheckFailed","Message":)"
                                 R"("The conditional request failed","Item":)" +
                                     item_json({{"id", "m2"}, {"title", "theirs"}}) + "}]"));
    transaction t(db_);
    t.save(fresh).save(edited);
    try {
        run_here(t.commit());
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::transaction_canceled);
        const std::string what = e.what();
        EXPECT_NE(what.find("action 1 (update of Memo {id: \"m2\"} in table memos) failed: "
                            "ConditionalCheckFailed"),
                  std::string::npos)
            << what;
        EXPECT_EQ(e.diag().cancellation_reasons.size(), 2u);
    }
    ASSERT_EQ(t.failures().size(), 1u);
    EXPECT_EQ(t.failures()[0].action, 1u);
    EXPECT_EQ(t.failures()[0].record, &edited);
    EXPECT_EQ(t.failures()[0].code, "ConditionalCheckFailed");
    ASSERT_TRUE(t.failures()[0].item.has_value());
    EXPECT_EQ(t.failures()[0].item->at("title"), attribute_value("theirs"));

    EXPECT_TRUE(fresh.new_record());
    EXPECT_TRUE(fresh.id.empty()) << "the generated id is taken back";
    EXPECT_EQ(fresh.created_at, std::chrono::sys_seconds{});
    EXPECT_EQ(fresh.saves_seen, 0);
    EXPECT_TRUE(edited.persisted());
    EXPECT_EQ(edited.changes(), changes_before);
    EXPECT_EQ(edited.updated_at, std::chrono::sys_seconds{});
}

TEST_F(ModelWrites, a_commit_retried_after_an_unknown_outcome_sends_the_same_request)
{
    Memo fresh;
    fresh.use_database(db_);
    fresh.title = "new";
    server_.enqueue(fake_action::internal_error());
    transaction t(db_);
    t.create(fresh);
    EXPECT_THROW(run_here(t.commit()), error);
    EXPECT_TRUE(fresh.new_record());
    EXPECT_TRUE(run_here(t.commit()));
    ASSERT_EQ(server_.request_count(), 2u);
    EXPECT_EQ(server_.requests()[0].body, server_.requests()[1].body)
        << "same items, timestamps and ClientRequestToken";
    EXPECT_TRUE(fresh.persisted());
    EXPECT_FALSE(fresh.id.empty());
    EXPECT_EQ(boost::json::parse(server_.requests()[1].body)
                  .at("TransactItems")
                  .at(0)
                  .at("Put")
                  .at("Item")
                  .at("id")
                  .at("S")
                  .as_string(),
              fresh.id);
}

TEST_F(ModelWrites, a_refused_validation_sends_nothing_and_keeps_the_errors)
{
    Memo blank;
    blank.use_database(db_);
    Memo edited = persisted_memo("m2", "old");
    edited.rank = 5;
    transaction t(db_);
    t.update(edited).create(blank);
    EXPECT_FALSE(run_here(t.commit()));
    EXPECT_EQ(server_.request_count(), 0u);
    EXPECT_TRUE(blank.errors().contains("title"));
    EXPECT_TRUE(blank.id.empty());
    EXPECT_TRUE(edited.changed());
    try {
        run_here(t.commit_or_throw());
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::record_invalid);
    }
}

TEST_F(ModelWrites, locking_models_carry_their_lock_in_a_transaction)
{
    Ledger l = Ledger::from_item({{"id", "l1"}, {"balance", 10}, {"lock_version", 3}});
    l.use_database(db_);
    l.balance = 20;
    transaction t(db_);
    t.update(l);
    EXPECT_TRUE(run_here(t.commit()));
    const auto [operation, body] = request(0);
    const auto& update = body.at("TransactItems").at(0).at("Update").as_object();
    EXPECT_NE(update.at("ConditionExpression").as_string().find(" = :v"), std::string::npos);
    EXPECT_EQ(l.lock_version, 4);
    EXPECT_FALSE(l.changed());
}

TEST(TransactionDecisions, reasons_map_to_the_actions_sent)
{
    Memo a;
    std::vector<cancellation_reason> reasons{{"None", "", std::nullopt},
                                             {"TransactionConflict", "busy", std::nullopt}};
    const auto failures =
        detail::map_cancellation(reasons, {0, 3}, {nullptr, &a}, {"check of x", "update of y"});
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].action, 3u) << "the position among the actions added";
    EXPECT_EQ(failures[0].record, &a);
    EXPECT_EQ(detail::cancellation_message(failures),
              "transaction cancelled: action 3 (update of y) failed: TransactionConflict: busy");
    EXPECT_EQ(detail::cancellation_message({}),
              "transaction cancelled (DynamoDB named no failed action)");
    EXPECT_NO_THROW(detail::check_transaction_size(100));
    EXPECT_THROW(detail::check_transaction_size(101), error);
    EXPECT_NE(detail::make_request_token(), detail::make_request_token());
    transaction t;
    EXPECT_THROW(t.set_client_request_token(""), error);
    EXPECT_THROW(t.set_client_request_token(std::string(37, 'x')), error);
    t.set_client_request_token("order-42");
    EXPECT_EQ(t.client_request_token(), "order-42");
}

// --- Several actions on one item -------------------------------------------------------------

detail::transaction_write write_of(detail::transaction_write::operation op, std::size_t position,
                                   std::string verb, std::string id = "a1")
{
    detail::transaction_write w;
    w.op = op;
    w.table = "accounts";
    w.key = {{"id", attribute_value(std::move(id))}};
    w.positions = {position};
    w.verbs = {std::move(verb)};
    w.model = "Account ";
    return w;
}

TEST(TransactionMerge, an_update_and_an_increment_become_one_update_on_both_conditions)
{
    using op = detail::transaction_write::operation;
    const auto exists = attribute_exists(document_path::attribute("id"));
    auto update = write_of(op::update, 0, "update");
    update.update.set(document_path::attribute("balance"), 70);
    update.cond = exists && eq(document_path::attribute("lock_version"), 3);
    auto increment = write_of(op::update, 1, "increment");
    increment.update.add(document_path::attribute("visits"), number(1));
    increment.cond = exists;
    auto other = write_of(op::update, 2, "increment", "a2");
    other.update.add(document_path::attribute("visits"), number(1));

    std::vector<detail::transaction_write> writes;
    detail::add_transaction_write(writes, update);
    detail::add_transaction_write(writes, increment);
    detail::add_transaction_write(writes, other);
    ASSERT_EQ(writes.size(), 2u) << "another key is another item";
    EXPECT_EQ(writes[0].positions, (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(writes[0].description(),
              "update and increment of Account {id: \"a1\"} in table accounts");
    const auto item = detail::to_transact_item(writes[0]);
    const auto& sent = std::get<transact_update>(item);
    EXPECT_EQ(sent.update_expression, "SET #n0 = :v0 ADD #n1 :v1");
    EXPECT_EQ(sent.condition_expression, "attribute_exists(#n2) AND #n3 = :v2")
        << "the condition both share appears once";
}

TEST(TransactionMerge, a_check_joins_its_condition_to_the_write_of_its_item)
{
    using op = detail::transaction_write::operation;
    auto check = write_of(op::check, 0, "condition check");
    check.cond = gt(document_path::attribute("balance"), 10);
    auto destroy = write_of(op::remove, 1, "destroy");
    destroy.cond = attribute_exists(document_path::attribute("id"));
    auto second_check = write_of(op::check, 2, "condition check");
    second_check.cond = lt(document_path::attribute("balance"), 90);

    std::vector<detail::transaction_write> writes;
    detail::add_transaction_write(writes, check);
    detail::add_transaction_write(writes, destroy);
    detail::add_transaction_write(writes, second_check);
    ASSERT_EQ(writes.size(), 1u);
    EXPECT_EQ(writes[0].op, op::remove);
    EXPECT_EQ(writes[0].description(),
              "condition check, destroy and condition check of Account {id: \"a1\"} in table "
              "accounts");
    const auto item = detail::to_transact_item(writes[0]);
    const auto& sent = std::get<transact_delete>(item);
    EXPECT_EQ(sent.condition_expression, "#n0 > :v0 AND attribute_exists(#n1) AND #n0 < :v1");
}

TEST(TransactionMerge, writes_that_do_not_compose_are_refused_naming_both_and_the_key)
{
    using op = detail::transaction_write::operation;
    const auto refused = [](detail::transaction_write first, detail::transaction_write second) {
        std::vector<detail::transaction_write> writes;
        detail::add_transaction_write(writes, std::move(first));
        try {
            detail::add_transaction_write(writes, std::move(second));
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_argument);
            EXPECT_EQ(writes.size(), 1u);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string put_and_update =
        refused(write_of(op::put, 0, "create"), write_of(op::update, 2, "increment"));
    EXPECT_NE(put_and_update.find("action 0 (create of Account {id: \"a1\"} in table accounts) "
                                  "and action 2 (increment of Account {id: \"a1\"} in table "
                                  "accounts) are on the same item"),
              std::string::npos)
        << put_and_update;
    EXPECT_NE(refused(write_of(op::remove, 0, "destroy"), write_of(op::update, 1, "update"))
                  .find("a Delete and an Update do not combine"),
              std::string::npos);

    auto update = write_of(op::update, 0, "update");
    update.update.set(document_path::attribute("visits"), 4);
    auto increment = write_of(op::update, 1, "increment");
    increment.update.add(document_path::attribute("visits"), number(1));
    const std::string same_path = refused(update, increment);
    EXPECT_NE(same_path.find("visits"), std::string::npos) << same_path;
}

// --- A create whose response was lost -----------------------------------------------------------

/// A conditional write's diagnostics after a 500 and a retry refused on `held`.
diagnostics retried_onto(std::optional<attribute_map> held)
{
    diagnostics diag;
    diag.attempts = {{make_error_code(errc::internal_server_error), "HTTP 500"},
                     {make_error_code(errc::conditional_check_failed), "HTTP 400"}};
    diag.item = std::move(held);
    return diag;
}

TEST(WriteRetry, only_a_retried_put_that_meets_its_own_item_succeeded)
{
    const attribute_map written{{"id", "m1"}, {"title", "t"}};
    const detail::write_effect put{.set = written};
    EXPECT_TRUE(detail::already_applied(retried_onto(written), put));
    diagnostics first_time = retried_onto(written);
    first_time.attempts.erase(first_time.attempts.begin());
    EXPECT_FALSE(detail::already_applied(first_time, put)) << "not retried";
    const attribute_map theirs{{"id", "m1"}, {"title", "someone else's"}};
    EXPECT_FALSE(detail::already_applied(retried_onto(theirs), put));
    attribute_map more = written;
    more.set("note", "n");
    EXPECT_FALSE(detail::already_applied(retried_onto(more), put)) << "a put leaves no more";
    EXPECT_FALSE(detail::already_applied(retried_onto(std::nullopt), put));
}

TEST(WriteRetry, an_update_of_some_attributes_is_applied_when_they_hold_its_values)
{
    const detail::write_effect update{.kind = detail::write_effect::shape::attributes,
                                      .set = {{"balance", 20}, {"lock_version", 4}},
                                      .removed = {"memo"}};
    const attribute_map left{{"id", "l1"}, {"balance", 20}, {"lock_version", 4}, {"note", "n"}};
    EXPECT_TRUE(detail::already_applied(retried_onto(left), update)) << "others' stay";
    attribute_map kept_memo = left;
    kept_memo.set("memo", "m");
    EXPECT_FALSE(detail::already_applied(retried_onto(kept_memo), update));
    attribute_map other_balance = left;
    other_balance.set("balance", 99);
    EXPECT_FALSE(detail::already_applied(retried_onto(other_balance), update));
    attribute_map no_lock = left;
    no_lock.erase("lock_version");
    EXPECT_FALSE(detail::already_applied(retried_onto(no_lock), update));
    EXPECT_FALSE(detail::already_applied(retried_onto(std::nullopt), update));
}

TEST(WriteRetry, a_retried_delete_that_meets_no_item_succeeded)
{
    const detail::write_effect deleted{.kind = detail::write_effect::shape::deleted};
    EXPECT_TRUE(detail::already_applied(retried_onto(std::nullopt), deleted));
    EXPECT_FALSE(detail::already_applied(retried_onto(attribute_map{{"id", "l1"}}), deleted));
    diagnostics first_time = retried_onto(std::nullopt);
    first_time.attempts.pop_back();
    EXPECT_FALSE(detail::already_applied(first_time, deleted)) << "not retried";
}

TEST_F(ModelWrites, a_create_applied_before_its_response_was_lost_is_a_success)
{
    database retrying(make_client(3));
    Slot s;
    s.use_database(retrying);
    s.id = "s1";
    s.title = "t";
    const attribute_map written{{"id", "s1"}, {"title", "t"}};
    // The first attempt is applied but answered with a 500; the retry meets the item.
    lose_answer_then_refuse(written);
    EXPECT_TRUE(run_here(s.save()));
    EXPECT_TRUE(s.persisted());
    EXPECT_FALSE(s.changed());
    expect_retry_asked_for_item("PutItem");
}

TEST_F(ModelWrites, a_retried_create_that_meets_another_item_is_not_unique)
{
    database retrying(make_client(3));
    Slot s;
    s.use_database(retrying);
    s.id = "s1";
    s.title = "mine";
    lose_answer_then_refuse(attribute_map{{"id", "s1"}, {"title", "theirs"}});
    EXPECT_EQ(thrown_by(s.save()), model_errc::record_not_unique);
    EXPECT_TRUE(s.new_record());
}

// --- A locked write whose response was lost ---------------------------------------------------

TEST_F(ModelWrites, a_locked_update_applied_before_its_response_was_lost_is_a_success)
{
    Ledger l = locked_ledger();
    l.balance = 20;
    // The first attempt is applied but its answer lost; the retry's lock condition fails on
    // the item the first attempt left.
    lose_answer_then_refuse(attribute_map{{"id", "l1"}, {"balance", 20}, {"lock_version", 4}});
    EXPECT_TRUE(run_here(l.save()));
    EXPECT_EQ(l.lock_version, 4);
    EXPECT_FALSE(l.changed());
    expect_retry_asked_for_item("UpdateItem");
}

TEST_F(ModelWrites, a_retried_locked_update_that_meets_another_write_is_stale)
{
    Ledger l = locked_ledger();
    l.balance = 20;
    const attribute_map theirs{{"id", "l1"}, {"balance", 99}, {"lock_version", 4}};
    lose_answer_then_refuse(theirs);
    then_read(theirs);
    EXPECT_EQ(thrown_by(l.save()), model_errc::stale_object);
    EXPECT_EQ(l.lock_version, 3);
}

TEST_F(ModelWrites, a_locked_update_refused_at_its_first_attempt_is_stale)
{
    Ledger l = locked_ledger();
    l.balance = 20;
    // The item holds what this write would leave, but no attempt of it came before: another
    // writer made the same change.
    const attribute_map same{{"id", "l1"}, {"balance", 20}, {"lock_version", 4}};
    refuse_condition(same);
    then_read(same);
    EXPECT_EQ(thrown_by(l.save()), model_errc::stale_object);
}

TEST_F(ModelWrites, a_locked_destroy_applied_before_its_response_was_lost_is_a_success)
{
    Ledger l = locked_ledger();
    // The first attempt deleted the item but its answer was lost; the retry's lock condition
    // fails on no item at all.
    lose_answer_then_refuse(std::nullopt);
    EXPECT_TRUE(run_here(l.destroy()));
    EXPECT_TRUE(l.destroyed());
    expect_retry_asked_for_item("DeleteItem");
}

TEST_F(ModelWrites, a_retried_locked_destroy_that_meets_another_write_is_stale)
{
    Ledger l = locked_ledger();
    const attribute_map theirs{{"id", "l1"}, {"balance", 99}, {"lock_version", 4}};
    lose_answer_then_refuse(theirs);
    then_read(theirs);
    EXPECT_EQ(thrown_by(l.destroy()), model_errc::stale_object);
    EXPECT_FALSE(l.destroyed());
}

TEST_F(ModelWrites, a_locked_destroy_that_finds_no_item_at_its_first_attempt_is_not_found)
{
    Ledger l = locked_ledger();
    // No attempt of this destroy came before: another writer deleted the item.
    refuse_condition(std::nullopt);
    then_read(std::nullopt);
    EXPECT_EQ(thrown_by(l.destroy()), model_errc::record_not_found);
    EXPECT_FALSE(l.destroyed());
}

TEST_F(ModelWrites, a_locked_replace_declared_applied_before_its_response_was_lost_is_a_success)
{
    Ledger l = locked_ledger();
    l.balance = 20;
    // The first attempt is applied but its answer lost; the retry's lock condition fails on
    // the item it left, which holds an attribute the record never read.
    const attribute_map left{{"id", "l1"}, {"balance", 20}, {"lock_version", 4}, {"note", "n"}};
    lose_answer_then_refuse(left);
    EXPECT_TRUE(run_here(l.replace_declared()));
    EXPECT_EQ(l.lock_version, 4);
    EXPECT_FALSE(l.changed());
    EXPECT_EQ(l.attributes(), left) << "the record holds the item as stored";
    expect_retry_asked_for_item("UpdateItem");
}

TEST_F(ModelWrites, a_retried_locked_replace_declared_that_meets_another_write_is_stale)
{
    Ledger l = locked_ledger();
    l.balance = 20;
    const attribute_map theirs{{"id", "l1"}, {"balance", 99}, {"lock_version", 4}};
    lose_answer_then_refuse(theirs);
    then_read(theirs);
    EXPECT_EQ(thrown_by(l.replace_declared()), model_errc::stale_object);
    EXPECT_EQ(l.lock_version, 3);
    EXPECT_EQ(l.balance, 20);
}

TEST_F(ModelWrites, a_locked_touch_asks_for_the_item_and_is_stale_when_another_write_moved_it)
{
    // The touch applied before a lost answer is recovered against DynamoDB Local through the
    // fault proxy (ModelLostAnswers): its item holds a time only known once it is sent.
    database retrying(make_client(3));
    Stamp st = Stamp::from_item({{"id", "t1"}, {"lock_version", 3}});
    st.use_database(retrying);
    const attribute_map theirs{{"id", "t1"}, {"lock_version", 4}};
    lose_answer_then_refuse(theirs);
    then_read(theirs);
    EXPECT_EQ(thrown_by(st.touch()), model_errc::stale_object);
    EXPECT_EQ(st.lock_version, 3);
    expect_retry_asked_for_item("UpdateItem", 3);  // then the GetItem
}

// --- Batches -----------------------------------------------------------------------------------

std::string unprocessed_put(const std::string& table, const attribute_map& item)
{
    return R"({"UnprocessedItems":{")" + table + R"(":[{"PutRequest":{"Item":)" + item_json(item) +
           "}}]}}";
}

TEST_F(ModelWrites, a_batch_save_puts_every_record_and_returns_the_unprocessed_ones)
{
    std::vector<Slot> slots(3);
    for (std::size_t i = 0; i < slots.size(); ++i) {
        slots[i].use_database(db_);
        slots[i].id = "s" + std::to_string(i);
        slots[i].title = "t";
    }
    database_options fast;
    fast.max_batch_write_rounds = 2;
    fast.batch_write_base_delay = std::chrono::milliseconds(1);
    database quick(db_.get_client(), fast);
    for (auto& s : slots) s.use_database(quick);
    const attribute_map stuck{{"id", "s1"}, {"title", "t"}};
    server_.enqueue(fake_action::ok(unprocessed_put("slots", stuck)), 2);
    const auto result = run_here(batch_save(slots));
    EXPECT_EQ(result.written, (std::vector<std::size_t>{0, 2}));
    EXPECT_EQ(result.unprocessed, (std::vector<std::size_t>{1}));
    EXPECT_FALSE(result.complete());
    EXPECT_TRUE(slots[0].persisted());
    EXPECT_FALSE(slots[0].changed());
    EXPECT_TRUE(slots[1].new_record()) << "not written, as before";
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "BatchWriteItem");
    EXPECT_EQ(body.at("RequestItems").at("slots").as_array().size(), 3u);
    EXPECT_FALSE(body.at("RequestItems")
                     .at("slots")
                     .at(0)
                     .at("PutRequest")
                     .as_object()
                     .contains("ConditionExpression"));
}

TEST_F(ModelWrites, a_batch_save_failing_in_a_later_round_keeps_what_earlier_rounds_wrote)
{
    std::vector<Slot> slots(3);
    for (std::size_t i = 0; i < slots.size(); ++i) {
        slots[i].use_database(db_);
        slots[i].id = "s" + std::to_string(i);
        slots[i].title = "t";
    }
    // The first round writes s0 and s2 and leaves s1; the second round is refused.
    server_.enqueue(fake_action::ok(unprocessed_put("slots", {{"id", "s1"}, {"title", "t"}})));
    server_.enqueue(error_answer("ValidationException", ""));
    EXPECT_EQ(thrown_by(batch_save(slots)), errc::validation);
    EXPECT_TRUE(slots[0].persisted()) << "written by the first round";
    EXPECT_TRUE(slots[2].persisted());
    EXPECT_TRUE(slots[1].new_record()) << "its request failed: as before";
}

TEST_F(ModelWrites, a_batch_refuses_what_it_cannot_write_before_sending)
{
    std::vector<Ledger> ledgers(1);
    ledgers[0].use_database(db_);
    EXPECT_THROW(run_here(batch_save(ledgers)), error) << "locking";
    std::vector<Wrapped> wrapped(1);
    wrapped[0].use_database(db_);
    EXPECT_THROW(run_here(batch_save(wrapped)), error) << "around callbacks";
    batch_save_options no_callbacks;
    no_callbacks.callbacks = false;
    EXPECT_TRUE(run_here(batch_save(wrapped, no_callbacks)).complete());
    std::vector<Slot> twins(2);
    for (auto& s : twins) {
        s.use_database(db_);
        s.id = "same";
        s.title = "t";
    }
    try {
        run_here(batch_save(twins));
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("same key {id: \"same\"}"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(twins[0].new_record());
    std::vector<Memo> invalid(1);
    invalid[0].use_database(db_);
    const auto refused = run_here(batch_save(invalid));
    EXPECT_EQ(refused.not_saved, (std::vector<std::size_t>{0}));
    EXPECT_EQ(server_.request_count(), 1u) << "only the batch without callbacks";
}

TEST_F(ModelWrites, a_batch_destroy_deletes_by_key)
{
    std::vector<Memo> memos{persisted_memo("a", "t"), persisted_memo("b", "t")};
    const auto result = run_here(batch_destroy(memos));
    EXPECT_TRUE(result.complete());
    EXPECT_TRUE(memos[0].destroyed());
    EXPECT_TRUE(memos[1].destroyed());
    const auto [operation, body] = request(0);
    EXPECT_EQ(
        body.at("RequestItems").at("memos").at(1).at("DeleteRequest").at("Key").at("id").at("S"),
        "b");
    std::vector<Memo> fresh(1);
    EXPECT_THROW(run_here(batch_destroy(fresh)), error) << "not persisted";
}

TEST_F(ModelWrites, a_batch_takes_its_records_as_a_braced_list_of_pointers)
{
    Memo first = persisted_memo("a", "t");
    Memo second = persisted_memo("b", "t");
    const auto result = run_here(batch_destroy({&second, &first}));
    EXPECT_EQ(result.written, (std::vector<std::size_t>{0, 1}));
    EXPECT_TRUE(first.destroyed());
    EXPECT_TRUE(second.destroyed());
    const auto [operation, body] = request(0);
    EXPECT_EQ(
        body.at("RequestItems").at("memos").at(0).at("DeleteRequest").at("Key").at("id").at("S"),
        "b");
}

// --- PartiQL -----------------------------------------------------------------------------------

TEST_F(ModelWrites, find_by_pql_binds_parameters_and_follows_next_token)
{
    server_.enqueue(fake_action::ok(R"({"Items":[{"id":{"S":"a"},"title":{"S":"x"}}],)"
                                    R"("NextToken":"page2"})"));
    server_.enqueue(fake_action::ok(R"({"Items":[{"id":{"S":"b"},"title":{"S":"y"}}]})"));
    pql_options options;
    options.limit = 1;
    const auto memos = run_here(find_by_pql<Memo>(db_, R"(SELECT * FROM "memos" WHERE rank = ?)",
                                                  {attribute_value(1)}, options));
    ASSERT_EQ(memos.size(), 2u);
    EXPECT_EQ(memos[1].id, "b");
    EXPECT_TRUE(memos[1].persisted());
    const auto [operation, first] = request(0);
    EXPECT_EQ(operation, "ExecuteStatement");
    EXPECT_EQ(first.at("Parameters").at(0).at("N").as_string(), "1");
    EXPECT_EQ(first.at("Limit").as_int64(), 1);
    const auto [again, second] = request(1);
    EXPECT_EQ(second.at("NextToken").as_string(), "page2");
    EXPECT_THROW(run_here(execute_pql(db_, "  ")), error);
}

}  // namespace
