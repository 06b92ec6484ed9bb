// PartiQL against a real endpoint: ExecuteStatement and BatchExecuteStatement.
#include "integration/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

class partiql_test : public integration_test {
protected:
    void SetUp() override
    {
        table = create_table("dyn-partiql");
        quoted = "\"" + table + "\"";  // the names hold '-', so they need quotes
    }

    static execute_statement_request statement(std::string text,
                                               std::vector<attribute_value> parameters = {})
    {
        execute_statement_request request;
        request.statement = std::move(text);
        request.parameters = std::move(parameters);
        return request;
    }

    std::optional<attribute_map> get(attribute_map key)
    {
        return run(db.get_item(
                       {.table_name = table, .key = std::move(key), .consistent_read = true}))
            .item;
    }

    std::string insert_statement() const
    {
        return "INSERT INTO " + quoted + " VALUE {'pk': ?, 'sk': ?, 'n': ?}";
    }

    std::string table;
    std::string quoted;
};

TEST_F(partiql_test, insert_select_update_delete_with_parameters)
{
    auto inserted = run(db.execute_statement(
        statement("INSERT INTO " + quoted + " VALUE {'pk': ?, 'sk': ?, 'n': ?, 'tags': ?}",
                  {"crud", "1", 5, string_set{{"red", "blue"}}})));
    EXPECT_TRUE(inserted.items.empty());
    const attribute_map stored{
        {"pk", "crud"}, {"sk", "1"}, {"n", 5}, {"tags", string_set{{"red", "blue"}}}};
    EXPECT_EQ(get(key_of("crud", "1")), stored);

    auto selected = run(db.execute_statement(
        statement("SELECT * FROM " + quoted + " WHERE pk = ? AND sk = ?", {"crud", "1"})));
    ASSERT_EQ(selected.items.size(), 1u);
    EXPECT_EQ(selected.items[0], stored);
    EXPECT_FALSE(selected.next_token.has_value());

    auto updated = run(db.execute_statement(
        statement("UPDATE " + quoted +
                      " SET n = n + ? SET note = ? WHERE pk = ? AND sk = ? RETURNING ALL NEW *",
                  {3, "changed", "crud", "1"})));
    const attribute_map after_update{{"pk", "crud"},
                                     {"sk", "1"},
                                     {"n", 8},
                                     {"tags", string_set{{"red", "blue"}}},
                                     {"note", "changed"}};
    ASSERT_EQ(updated.items.size(), 1u);
    EXPECT_EQ(updated.items[0], after_update);
    EXPECT_EQ(get(key_of("crud", "1")), after_update);

    auto deleted = run(db.execute_statement(
        statement("DELETE FROM " + quoted + " WHERE pk = ? AND sk = ?", {"crud", "1"})));
    EXPECT_TRUE(deleted.items.empty());
    EXPECT_FALSE(get(key_of("crud", "1")).has_value());
}

TEST_F(partiql_test, select_pages_through_next_token)
{
    constexpr int count = 12;
    for (int i = 0; i < count; ++i) {
        char sk[8];
        std::snprintf(sk, sizeof sk, "%02d", i);
        run(db.execute_statement(statement(insert_statement(), {"paged", sk, i})));
    }
    auto request = statement("SELECT * FROM " + quoted + " WHERE pk = ?", {"paged"});
    request.limit = 5;
    request.consistent_read = true;
    std::vector<std::int64_t> seen;
    int pages = 0;
    constexpr int max_pages = 20;
    do {
        auto page = run(db.execute_statement(request));
        ++pages;
        EXPECT_LE(page.items.size(), 5u);
        for (const auto& item : page.items) seen.push_back(item.at("n").as_n().as_int64());
        request.next_token = std::move(page.next_token);
    } while (request.next_token && pages < max_pages);
    EXPECT_FALSE(request.next_token.has_value());
    std::vector<std::int64_t> expected;
    for (int i = 0; i < count; ++i) expected.push_back(i);
    EXPECT_EQ(seen, expected);  // each once, in sort-key order
    EXPECT_GE(pages, 3);
}

TEST_F(partiql_test, malformed_statement_is_a_validation_error)
{
    diagnostics diag;
    auto [ec, response] = run_with_diag(statement("SELEC * FROM " + quoted), diag);
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(diag.aws_type, "ValidationException");
    EXPECT_NE(diag.message.find("SELEC"), std::string::npos) << diag.message;
    EXPECT_FALSE(diag.request_id.empty());
    EXPECT_TRUE(response.items.empty());
}

TEST_F(partiql_test, parameter_count_mismatch_is_a_validation_error)
{
    diagnostics diag;
    auto [ec, response] = run_with_diag(
        statement("SELECT * FROM " + quoted + " WHERE pk = ? AND sk = ?", {"x"}), diag);
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(diag.aws_type, "ValidationException");
    EXPECT_FALSE(diag.message.empty());
}

TEST_F(partiql_test, select_from_missing_table_is_resource_not_found)
{
    diagnostics diag;
    auto [ec, response] = run_with_diag(
        statement("SELECT * FROM \"" + unique_table_name("dyn-missing") + "\""), diag);
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
}

TEST_F(partiql_test, insert_of_existing_key_is_duplicate_item)
{
    run(db.execute_statement(statement(insert_statement(), {"dup", "1", 1})));
    diagnostics diag;
    auto [ec, response] = run_with_diag(statement(insert_statement(), {"dup", "1", 2}), diag);
    // AWS names it DuplicateItemException, DynamoDB Local DuplicateItem.
    EXPECT_EQ(diag.aws_type.rfind("DuplicateItem", 0), 0u) << diag.aws_type;
    EXPECT_EQ(ec, errc::duplicate_item) << ec.message() << " (" << diag.to_string() << ")";
    EXPECT_EQ(get(key_of("dup", "1")), (attribute_map{{"pk", "dup"}, {"sk", "1"}, {"n", 1}}));
}

TEST_F(partiql_test, update_of_missing_item_fails_its_implicit_condition)
{
    diagnostics diag;
    auto [ec, response] = run_with_diag(
        statement("UPDATE " + quoted + " SET n = ? WHERE pk = ? AND sk = ?", {1, "nobody", "1"}),
        diag);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    EXPECT_EQ(diag.aws_type, "ConditionalCheckFailedException");
    EXPECT_FALSE(get(key_of("nobody", "1")).has_value());
}

TEST_F(partiql_test, batch_reports_each_statement_in_order)
{
    run(db.execute_statement(statement(insert_statement(), {"batch", "taken", 1})));
    run(db.execute_statement(statement(insert_statement(), {"batch", "gone", 2})));
    run(db.execute_statement(statement(insert_statement(), {"batch", "kept", 3})));

    batch_execute_statement_request request;
    request.statements = {
        {.statement = insert_statement(), .parameters = {"batch", "new", 4}},
        {.statement = insert_statement(), .parameters = {"batch", "taken", 5}},
        {.statement = "UPDATE " + quoted + " SET n = ? WHERE pk = ? AND sk = ? AND n = ?",
         .parameters = {6, "batch", "kept", 99}},
        {.statement = "DELETE FROM " + quoted + " WHERE pk = ? AND sk = ?",
         .parameters = {"batch", "gone"}},
    };
    auto response = run(db.batch_execute_statement(request));
    ASSERT_EQ(response.responses.size(), 4u);
    EXPECT_FALSE(response.responses[0].error.has_value());
    ASSERT_TRUE(response.responses[1].error.has_value());
    EXPECT_EQ(response.responses[1].error->code, "DuplicateItem");
    EXPECT_FALSE(response.responses[1].error->message.empty());
    ASSERT_TRUE(response.responses[2].error.has_value());
    EXPECT_EQ(response.responses[2].error->code, "ConditionalCheckFailed");
    EXPECT_FALSE(response.responses[3].error.has_value());
    for (const auto& result : response.responses) EXPECT_EQ(result.table_name, table);

    EXPECT_EQ(get(key_of("batch", "new")),
              (attribute_map{{"pk", "batch"}, {"sk", "new"}, {"n", 4}}));
    EXPECT_EQ(get(key_of("batch", "taken")),
              (attribute_map{{"pk", "batch"}, {"sk", "taken"}, {"n", 1}}));
    EXPECT_EQ(get(key_of("batch", "kept")),
              (attribute_map{{"pk", "batch"}, {"sk", "kept"}, {"n", 3}}));
    EXPECT_FALSE(get(key_of("batch", "gone")).has_value());
}

TEST_F(partiql_test, batch_of_reads_returns_items_and_misses)
{
    run(db.execute_statement(statement(insert_statement(), {"reads", "1", 10})));
    batch_execute_statement_request request;
    const auto select = "SELECT * FROM " + quoted + " WHERE pk = ? AND sk = ?";
    request.statements = {
        {.statement = select, .parameters = {"reads", "1"}, .consistent_read = true},
        {.statement = select, .parameters = {"reads", "2"}, .consistent_read = true},
    };
    auto response = run(db.batch_execute_statement(request));
    ASSERT_EQ(response.responses.size(), 2u);
    EXPECT_FALSE(response.responses[0].error.has_value());
    EXPECT_EQ(response.responses[0].item, (attribute_map{{"pk", "reads"}, {"sk", "1"}, {"n", 10}}));
    EXPECT_FALSE(response.responses[1].error.has_value());
    EXPECT_FALSE(response.responses[1].item.has_value());
}

TEST_F(partiql_test, batch_of_26_statements_is_refused_before_sending)
{
    batch_execute_statement_request request;
    for (int i = 0; i < 26; ++i)
        request.statements.push_back(
            {.statement = insert_statement(), .parameters = {"limit", std::to_string(i), i}});
    const auto attempts_before = db.stats().attempts;
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("25"), std::string::npos) << diag.message;
    EXPECT_EQ(db.stats().attempts, attempts_before);
}

}  // namespace
}  // namespace dynomite::test
