// Batches and transactions against a real endpoint.
#include "integration/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

class batch_test : public integration_test {
protected:
    void SetUp() override { table = create_table("dyn-batch"); }

    static attribute_map numbered_item(const std::string& pk, int i)
    {
        return {{"pk", attribute_value(pk)},
                {"sk", attribute_value(std::to_string(1000 + i))},
                {"i", i},
                {"text", attribute_value("item " + std::to_string(i))}};
    }

    /// Reads `keys` with BatchGetItem in chunks of 100, sending unprocessed keys again.
    std::vector<attribute_map> get_all(const std::vector<attribute_map>& keys)
    {
        constexpr int max_rounds = 20;
        std::vector<attribute_map> found;
        for (std::size_t first = 0; first < keys.size(); first += batch_get_max_keys) {
            const auto last = std::min(keys.size(), first + batch_get_max_keys);
            batch_get_item_request request;
            keys_and_attributes chunk;
            chunk.keys.assign(keys.begin() + first, keys.begin() + last);
            chunk.consistent_read = true;
            request.request_items.emplace_back(table, std::move(chunk));
            int round = 0;
            for (;; ++round) {
                if (round == max_rounds) {
                    ADD_FAILURE() << "BatchGetItem left unprocessed keys after " << max_rounds
                                  << " rounds";
                    break;
                }
                auto response = run(db.batch_get_item(request));
                for (auto& [name, items] : response.responses) {
                    EXPECT_EQ(name, table);
                    for (auto& item : items) found.push_back(std::move(item));
                }
                if (response.unprocessed_keys.empty()) break;
                request.request_items = std::move(response.unprocessed_keys);
                run(sleep_for(std::chrono::milliseconds(50) * (round + 1)));
            }
        }
        return found;
    }

    std::optional<attribute_map> get(const std::string& table_name, attribute_map key)
    {
        return run(db.get_item(
                       {.table_name = table_name, .key = std::move(key), .consistent_read = true}))
            .item;
    }

    std::string table;
};

TEST_F(batch_test, write_and_get_more_than_one_batch)
{
    constexpr int count = 130;  // 6 write batches, 2 get batches
    std::vector<attribute_map> items;
    std::vector<attribute_map> keys;
    for (int i = 0; i < count; ++i) {
        items.push_back(numbered_item("bulk", i));
        keys.push_back(key_of("bulk", items.back().at("sk")));
    }
    write_all(table, items);

    const auto found = get_all(keys);
    ASSERT_EQ(found.size(), static_cast<std::size_t>(count));
    std::map<std::int64_t, int> times;
    for (const auto& item : found) {
        const auto i = item.at("i").as_n().as_int64();
        ++times[i];
        ASSERT_GE(i, 0);
        ASSERT_LT(i, count);
        EXPECT_EQ(item, items[static_cast<std::size_t>(i)]);
    }
    EXPECT_EQ(times.size(), static_cast<std::size_t>(count));
    for (const auto& [i, n] : times) EXPECT_EQ(n, 1) << "item " << i;
}

TEST_F(batch_test, get_reports_only_the_items_that_exist)
{
    write_all(table, {numbered_item("some", 1), numbered_item("some", 3)});
    batch_get_item_request request;
    keys_and_attributes wanted;
    for (int i = 0; i < 4; ++i) wanted.keys.push_back(key_of("some", std::to_string(1000 + i)));
    wanted.projection_expression = "#i";
    wanted.expression_attribute_names = {{"#i", "i"}};
    wanted.consistent_read = true;
    request.request_items.emplace_back(table, wanted);
    auto response = run(db.batch_get_item(request));
    ASSERT_EQ(response.responses.size(), 1u);
    std::vector<std::int64_t> indexes;
    for (const auto& item : response.responses[0].second) {
        EXPECT_EQ(item.size(), 1u);  // projected
        indexes.push_back(item.at("i").as_n().as_int64());
    }
    std::sort(indexes.begin(), indexes.end());
    EXPECT_EQ(indexes, (std::vector<std::int64_t>{1, 3}));
    EXPECT_TRUE(response.unprocessed_keys.empty());
}

TEST_F(batch_test, write_deletes_and_puts_together)
{
    std::vector<attribute_map> items;
    for (int i = 0; i < 30; ++i) items.push_back(numbered_item("del", i));
    write_all(table, items);

    // Deletes 20 items and puts 5 new ones in one batch.
    std::vector<write_request> writes;
    for (int i = 0; i < 20; ++i) writes.push_back(delete_request{key_of("del", items[i].at("sk"))});
    for (int i = 30; i < 35; ++i) writes.push_back(put_request{numbered_item("del", i)});
    write_batch_until_done(table, std::move(writes));

    std::vector<attribute_map> keys;
    for (int i = 0; i < 35; ++i) keys.push_back(key_of("del", std::to_string(1000 + i)));
    std::vector<std::int64_t> left;
    for (const auto& item : get_all(keys)) left.push_back(item.at("i").as_n().as_int64());
    std::sort(left.begin(), left.end());
    std::vector<std::int64_t> expected;
    for (int i = 20; i < 35; ++i) expected.push_back(i);
    EXPECT_EQ(left, expected);
}

TEST_F(batch_test, write_of_26_requests_is_refused_before_sending)
{
    batch_write_item_request request;
    std::vector<write_request> writes;
    for (int i = 0; i < 26; ++i) writes.push_back(put_request{numbered_item("limit", i)});
    request.request_items.emplace_back(table, std::move(writes));
    const auto attempts_before = db.stats().attempts;
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("25"), std::string::npos) << diag.message;
    EXPECT_NE(diag.message.find("26"), std::string::npos) << diag.message;
    EXPECT_EQ(db.stats().attempts, attempts_before);
    EXPECT_TRUE(diag.request_id.empty());
    EXPECT_FALSE(get(table, key_of("limit", "1000")).has_value());
}

TEST_F(batch_test, get_of_101_keys_is_refused_before_sending)
{
    batch_get_item_request request;
    keys_and_attributes keys;
    for (int i = 0; i < 101; ++i) keys.keys.push_back(key_of("limit", std::to_string(i)));
    request.request_items.emplace_back(table, std::move(keys));
    const auto attempts_before = db.stats().attempts;
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("100"), std::string::npos) << diag.message;
    EXPECT_NE(diag.message.find("101"), std::string::npos) << diag.message;
    EXPECT_EQ(db.stats().attempts, attempts_before);
}

TEST_F(batch_test, write_to_missing_table_is_resource_not_found)
{
    batch_write_item_request request;
    request.request_items.emplace_back(unique_table_name("dyn-missing"),
                                       std::vector<write_request>{put_request{key_of("a", "b")}});
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
}

// Transactions span two tables.

class transaction_test : public batch_test {
protected:
    void SetUp() override
    {
        batch_test::SetUp();
        other = create_table("dyn-batch-other");
    }

    static transact_update add_to_counter(const std::string& table_name, int amount)
    {
        transact_update update;
        update.table_name = table_name;
        update.key = key_of("account", "1");
        update.update_expression = "ADD #c :amount";
        update.expression_attribute_names = {{"#c", "counter"}};
        update.expression_attribute_values = {{":amount", amount}};
        return update;
    }

    std::int64_t counter()
    {
        auto item = get(table, key_of("account", "1"));
        if (!item || !item->contains("counter")) return 0;
        return item->at("counter").as_n().as_int64();
    }

    std::string other;
};

TEST_F(transaction_test, write_applies_every_action_across_two_tables)
{
    run(db.put_item(
        {.table_name = table, .item = {{"pk", "account"}, {"sk", "1"}, {"counter", 10}}}));
    run(db.put_item({.table_name = other, .item = {{"pk", "guard"}, {"sk", "1"}, {"open", true}}}));
    run(db.put_item({.table_name = other, .item = {{"pk", "stale"}, {"sk", "1"}}}));

    transact_condition_check check;
    check.table_name = other;
    check.key = key_of("guard", "1");
    check.condition_expression = "#o = :yes";
    check.expression_attribute_names = {{"#o", "open"}};
    check.expression_attribute_values = {{":yes", true}};
    transact_put put;
    put.table_name = table;
    put.item = {{"pk", "order"}, {"sk", "1"}, {"amount", 5}};
    put.condition_expression = "attribute_not_exists(pk)";
    transact_delete remove;
    remove.table_name = other;
    remove.key = key_of("stale", "1");

    transact_write_items_request request;
    request.transact_items = {put, add_to_counter(table, 5), check, remove};
    run(db.transact_write_items(request));

    EXPECT_EQ(get(table, key_of("order", "1")),
              (attribute_map{{"pk", "order"}, {"sk", "1"}, {"amount", 5}}));
    EXPECT_EQ(counter(), 15);
    EXPECT_FALSE(get(other, key_of("stale", "1")).has_value());
    EXPECT_TRUE(get(other, key_of("guard", "1")).has_value());
}

TEST_F(transaction_test, cancelled_transaction_reports_reasons_in_order)
{
    const attribute_map guard{{"pk", "guard"}, {"sk", "1"}, {"open", false}};
    run(db.put_item({.table_name = other, .item = guard}));

    transact_put put;
    put.table_name = table;
    put.item = {{"pk", "order"}, {"sk", "2"}};
    transact_condition_check check;
    check.table_name = other;
    check.key = key_of("guard", "1");
    check.condition_expression = "#o = :yes";
    check.expression_attribute_names = {{"#o", "open"}};
    check.expression_attribute_values = {{":yes", true}};
    check.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;

    transact_write_items_request request;
    request.transact_items = {put, check};
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::transaction_canceled);
    EXPECT_EQ(diag.aws_type, "TransactionCanceledException");
    ASSERT_EQ(diag.cancellation_reasons.size(), 2u);
    EXPECT_EQ(diag.cancellation_reasons[0].code, "None");
    EXPECT_FALSE(diag.cancellation_reasons[0].item.has_value());
    EXPECT_EQ(diag.cancellation_reasons[1].code, "ConditionalCheckFailed");
    EXPECT_FALSE(diag.cancellation_reasons[1].message.empty());
    ASSERT_TRUE(diag.cancellation_reasons[1].item.has_value());
    EXPECT_EQ(*diag.cancellation_reasons[1].item, guard);

    EXPECT_FALSE(get(table, key_of("order", "2")).has_value());
    EXPECT_EQ(get(other, key_of("guard", "1")), guard);
}

TEST_F(transaction_test, cancelled_update_applies_neither_write)
{
    run(db.put_item(
        {.table_name = table, .item = {{"pk", "account"}, {"sk", "1"}, {"counter", 1}}}));
    transact_update update = add_to_counter(table, 100);
    transact_put put;
    put.table_name = other;
    put.item = {{"pk", "fresh"}, {"sk", "1"}};
    transact_condition_check check;
    check.table_name = other;
    check.key = key_of("nobody", "1");
    check.condition_expression = "attribute_exists(pk)";
    transact_write_items_request request;
    request.transact_items = {update, put, check};
    try {
        run(db.transact_write_items(request));
        ADD_FAILURE() << "the transaction succeeded";
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), errc::transaction_canceled);
        ASSERT_EQ(e.diag().cancellation_reasons.size(), 3u);
        EXPECT_EQ(e.diag().cancellation_reasons[0].code, "None");
        EXPECT_EQ(e.diag().cancellation_reasons[1].code, "None");
        EXPECT_EQ(e.diag().cancellation_reasons[2].code, "ConditionalCheckFailed");
    }
    EXPECT_EQ(counter(), 1);
    EXPECT_FALSE(get(other, key_of("fresh", "1")).has_value());
}

TEST_F(transaction_test, client_request_token_makes_a_retry_idempotent)
{
    const auto token = unique_table_name("tok").substr(0, 36);
    transact_write_items_request request;
    request.transact_items = {add_to_counter(table, 1)};
    request.client_request_token = token;
    run(db.transact_write_items(request));
    run(db.transact_write_items(request));
    EXPECT_EQ(counter(), 1);

    // The same token with other parameters is refused.
    request.transact_items = {add_to_counter(table, 2)};
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::idempotent_parameter_mismatch);
    EXPECT_EQ(diag.aws_type, "IdempotentParameterMismatchException");
    EXPECT_EQ(counter(), 1);

    // Without a token, every call applies.
    request.client_request_token.reset();
    run(db.transact_write_items(request));
    run(db.transact_write_items(request));
    EXPECT_EQ(counter(), 5);
}

TEST_F(transaction_test, get_items_in_request_order)
{
    const attribute_map first{{"pk", "a"}, {"sk", "1"}, {"name", "first"}, {"extra", 1}};
    const attribute_map second{{"pk", "b"}, {"sk", "1"}, {"name", "second"}};
    const attribute_map third{{"pk", "c"}, {"sk", "1"}, {"name", "third"}, {"extra", 3}};
    run(db.put_item({.table_name = table, .item = first}));
    run(db.put_item({.table_name = other, .item = second}));
    run(db.put_item({.table_name = table, .item = third}));

    // One action per item: DynamoDB refuses two reads of the same item in one transaction.
    transact_get_item projected{.table_name = table,
                                .key = key_of("a", "1"),
                                .projection_expression = "#n",
                                .expression_attribute_names = {{"#n", "name"}}};
    transact_get_items_request request;
    request.transact_items = {{.table_name = other, .key = key_of("b", "1")},
                              {.table_name = table, .key = key_of("missing", "1")},
                              projected,
                              {.table_name = table, .key = key_of("c", "1")}};
    auto response = run(db.transact_get_items(request));
    ASSERT_EQ(response.responses.size(), 4u);
    EXPECT_EQ(response.responses[0].item, second);
    EXPECT_FALSE(response.responses[1].item.has_value());
    EXPECT_EQ(response.responses[2].item, (attribute_map{{"name", "first"}}));
    EXPECT_EQ(response.responses[3].item, third);
}

TEST_F(transaction_test, two_actions_on_one_item_are_a_validation_error)
{
    transact_get_items_request request;
    request.transact_items = {{.table_name = table, .key = key_of("a", "1")},
                              {.table_name = table, .key = key_of("a", "1")}};
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(diag.aws_type, "ValidationException");
    EXPECT_FALSE(diag.message.empty());
}

TEST_F(transaction_test, get_items_on_missing_table_is_resource_not_found)
{
    transact_get_items_request request;
    request.transact_items = {
        {.table_name = table, .key = key_of("a", "1")},
        {.table_name = unique_table_name("dyn-missing"), .key = key_of("a", "1")}};
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::resource_not_found) << diag.to_string();
    EXPECT_TRUE(response.responses.empty());
}

}  // namespace
}  // namespace dynomite::test
