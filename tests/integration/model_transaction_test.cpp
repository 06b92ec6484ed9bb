// Transactions of models against DynamoDB: committed across two tables, cancelled (the report
// names the failed action, the records are unchanged), retried with the same token (applied
// once), and a transactional read.
#include "integration/integration_fixture.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace dynomite;

struct Account : model<Account> {
    std::string pk;
    std::string sk;
    int balance = 0;
    int visits = 0;

    static void define(model_definition<Account>& s)
    {
        s.field("pk", &Account::pk);
        s.field("sk", &Account::sk);
        s.field("balance", &Account::balance);
        s.field("visits", &Account::visits);
        s.partition_key("pk");
        s.sort_key("sk");
        s.timestamps(false);
    }
};

struct Purchase : model<Purchase> {
    std::string pk;
    std::string sk;
    int amount = 0;

    static void define(model_definition<Purchase>& s)
    {
        s.field("pk", &Purchase::pk);
        s.field("sk", &Purchase::sk);
        s.field("amount", &Purchase::amount);
        s.partition_key("pk");
        s.sort_key("sk");
        s.timestamps(false);
    }
};

class ModelTransaction : public test::integration_test {
protected:
    ModelTransaction() : database_(db) { set_default_database(database_); }
    ~ModelTransaction() override { clear_default_database(); }

    void SetUp() override
    {
        Account::set_table_name(create_table("model-tx-accounts"));
        Purchase::set_table_name(create_table("model-tx-purchases"));
        account.pk = "a";
        account.sk = "1";
        account.balance = 100;
        ASSERT_TRUE(run(account.save()));
    }

    Account stored_account() { return run(Account::find_or_throw("a", "1")); }

    dynomite::database database_;
    Account account;
};

TEST_F(ModelTransaction, a_commit_across_two_tables_applies_every_action)
{
    Purchase purchase;
    purchase.pk = "a";
    purchase.sk = "p1";
    purchase.amount = 30;
    account.balance -= 30;
    transaction t;
    t.create(purchase).update(account);
    EXPECT_TRUE(run(t.commit()));
    EXPECT_TRUE(purchase.persisted());
    EXPECT_FALSE(account.changed());
    EXPECT_EQ(stored_account().balance, 70);
    EXPECT_EQ(run(Purchase::find_or_throw("a", "p1")).amount, 30);
}

TEST_F(ModelTransaction, a_cancelled_commit_names_the_action_and_changes_nothing)
{
    Purchase taken;
    taken.pk = "a";
    taken.sk = "p1";
    ASSERT_TRUE(run(taken.save()));
    Purchase again;
    again.pk = "a";
    again.sk = "p1";
    again.amount = 5;
    account.balance = 95;
    transaction t;
    t.update(account).create(again);
    try {
        run(t.commit());
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::transaction_canceled);
        EXPECT_NE(std::string(e.what()).find("action 1 (create of Purchase"), std::string::npos)
            << e.what();
    }
    ASSERT_EQ(t.failures().size(), 1u);
    EXPECT_EQ(t.failures()[0].record, &again);
    EXPECT_EQ(t.failures()[0].code, "ConditionalCheckFailed");
    EXPECT_TRUE(again.new_record());
    EXPECT_TRUE(account.changed()) << "still dirty, as before the attempt";
    EXPECT_EQ(account.attribute_was("balance"), attribute_value(100));
    EXPECT_EQ(stored_account().balance, 100);
}

TEST_F(ModelTransaction, a_commit_retried_with_the_same_token_is_applied_once)
{
    // DynamoDB remembers a token for ten minutes across tables: each run needs its own.
    std::random_device entropy;
    const std::string token =
        "visit-" + std::to_string(entropy()) + "-" + std::to_string(entropy());
    transaction first;
    first.set_client_request_token(token);
    first.increment(account, "visits", number(1));
    EXPECT_TRUE(run(first.commit()));
    // As a retry after a lost response would: the same request, the same token.
    transaction retry;
    retry.set_client_request_token(token);
    retry.increment(account, "visits", number(1));
    EXPECT_TRUE(run(retry.commit()));
    EXPECT_EQ(stored_account().visits, 1);

    transaction other;
    other.increment(account, "visits", number(1));
    EXPECT_TRUE(run(other.commit()));
    EXPECT_EQ(stored_account().visits, 2) << "a new token is a new transaction";
}

TEST_F(ModelTransaction, a_transactional_read_returns_the_records_in_order)
{
    Account second;
    second.pk = "b";
    second.sk = "1";
    second.balance = 7;
    ASSERT_TRUE(run(second.save()));
    std::vector<attribute_map> keys{
        {{"pk", "b"}, {"sk", "1"}}, {{"pk", "none"}, {"sk", "1"}}, {{"pk", "a"}, {"sk", "1"}}};
    const auto found = run(transact_find<Account>(keys));
    ASSERT_EQ(found.size(), 3u);
    ASSERT_TRUE(found[0].has_value());
    EXPECT_EQ(found[0]->balance, 7);
    EXPECT_FALSE(found[1].has_value());
    ASSERT_TRUE(found[2].has_value());
    EXPECT_EQ(found[2]->balance, 100);
    EXPECT_TRUE(found[2]->persisted());
}

TEST_F(ModelTransaction, an_update_and_an_increment_of_one_record_are_one_write)
{
    // As the example of docs/batches-and-transactions.md: create, update and increment.
    Purchase purchase;
    purchase.pk = "a";
    purchase.sk = "p2";
    purchase.amount = 25;
    account.balance -= 25;
    transaction t;
    t.create(purchase).update(account).increment(account, "visits");
    EXPECT_TRUE(run(t.commit()));
    EXPECT_FALSE(account.changed());
    const attribute_map key{{"pk", "a"}, {"sk", "1"}};
    get_item_request get{Account::table_name(), key};
    get.consistent_read = true;
    const auto stored = run(db.get_item(std::move(get))).item;
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(*stored->find("balance"), attribute_value(75));
    EXPECT_EQ(*stored->find("visits"), attribute_value(1));
    EXPECT_EQ(run(Purchase::find_or_throw("a", "p2")).amount, 25);

    // The record did not see the increment: a full write would put visits back to 0.
    EXPECT_TRUE(account.is_partial());
    try {
        (void)run(account.replace());
        ADD_FAILURE() << "a replace() after an increment it did not see was sent";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    }
    account.balance = 70;
    ASSERT_TRUE(run(account.save()));
    EXPECT_EQ(stored_account().visits, 1);
    EXPECT_EQ(stored_account().balance, 70);
    run(account.reload());
    EXPECT_FALSE(account.is_partial());
    EXPECT_EQ(account.visits, 1);
}

TEST_F(ModelTransaction, a_check_and_an_update_of_one_item_are_one_conditional_write)
{
    account.balance = 60;
    transaction passing;
    passing.check(account, eq(document_path::attribute("balance"), 100)).update(account);
    EXPECT_TRUE(run(passing.commit()));
    EXPECT_EQ(stored_account().balance, 60);

    account.balance = 10;
    transaction failing;
    failing.check(account, eq(document_path::attribute("balance"), 100)).update(account);
    try {
        run(failing.commit());
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::transaction_canceled) << e.what();
        EXPECT_NE(std::string(e.what()).find("action 0 (condition check and update of Account"),
                  std::string::npos)
            << e.what();
    }
    ASSERT_EQ(failing.failures().size(), 1u);
    EXPECT_EQ(failing.failures()[0].record, &account);
    EXPECT_EQ(stored_account().balance, 60);
    EXPECT_TRUE(account.changed()) << "as before the attempt";
}

TEST_F(ModelTransaction, actions_on_one_item_that_do_not_compose_are_refused_before_sending)
{
    account.balance = 5;
    transaction t;
    t.update(account).destroy(account);
    try {
        run(t.commit());
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
        const std::string message = e.what();
        EXPECT_NE(message.find("action 0 (update of Account {pk: \"a\", sk: \"1\"}"),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("action 1 (destroy of Account"), std::string::npos) << message;
    }
    EXPECT_FALSE(account.destroyed());
    EXPECT_EQ(stored_account().balance, 100);
    account.balance = 100;

    account.visits = 4;
    transaction same_attribute;
    same_attribute.update(account).increment(account, "visits");
    try {
        run(same_attribute.commit());
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
        EXPECT_NE(std::string(e.what()).find("visits"), std::string::npos) << e.what();
    }
    EXPECT_EQ(stored_account().visits, 0);
    EXPECT_TRUE(account.changed());
}

}  // namespace
