// Operations generated from the service model (generated_operations.hpp) against a real
// endpoint: ExecuteTransaction's reads and writes, compared with GetItem, and DescribeLimits.
#include "integration/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

class execute_transaction_test : public integration_test {
protected:
    void SetUp() override
    {
        table = create_table("dyn-exec-tx");
        quoted = "\"" + table + "\"";  // the names hold '-', so they need quotes
    }

    static parameterized_statement statement(std::string text,
                                             std::vector<attribute_value> parameters)
    {
        parameterized_statement s;
        s.statement = std::move(text);
        s.parameters = std::move(parameters);
        return s;
    }

    std::optional<attribute_map> get(attribute_map key)
    {
        return run(db.get_item(
                       {.table_name = table, .key = std::move(key), .consistent_read = true}))
            .item;
    }

    std::string table;
    std::string quoted;
};

TEST_F(execute_transaction_test, writes_then_reads_what_get_item_returns)
{
    execute_transaction_request writes;
    writes.transact_statements = {
        statement("INSERT INTO " + quoted + " VALUE {'pk': ?, 'sk': ?, 'n': ?}", {"tx", "1", 7}),
        statement("INSERT INTO " + quoted + " VALUE {'pk': ?, 'sk': ?, 'tags': ?}",
                  {"tx", "2", string_set{{"red", "blue"}}}),
    };
    run(db.execute_transaction(writes));

    const attribute_map first{{"pk", "tx"}, {"sk", "1"}, {"n", 7}};
    const attribute_map second{{"pk", "tx"}, {"sk", "2"}, {"tags", string_set{{"red", "blue"}}}};
    EXPECT_EQ(get(key_of("tx", "1")), first);
    EXPECT_EQ(get(key_of("tx", "2")), second);

    execute_transaction_request reads;
    reads.transact_statements = {
        statement("SELECT * FROM " + quoted + " WHERE pk = ? AND sk = ?", {"tx", "2"}),
        statement("SELECT * FROM " + quoted + " WHERE pk = ? AND sk = ?", {"tx", "1"}),
    };
    reads.return_consumed_capacity = return_consumed_capacity::total;
    const auto read = run(db.execute_transaction(reads));
    ASSERT_EQ(read.responses.size(), 2u);
    EXPECT_EQ(read.responses[0].item, get(key_of("tx", "2")));
    EXPECT_EQ(read.responses[1].item, get(key_of("tx", "1")));
}

TEST_F(execute_transaction_test, failed_condition_cancels_with_reasons)
{
    run(db.put_item({.table_name = table, .item = {{"pk", "guard"}, {"sk", "1"}, {"n", 1}}}));

    execute_transaction_request request;
    request.transact_statements = {
        statement("INSERT INTO " + quoted + " VALUE {'pk': ?, 'sk': ?}", {"fresh", "1"}),
        statement("UPDATE " + quoted + " SET n = ? WHERE pk = ? AND sk = ? AND n = ?",
                  {2, "guard", "1", 5}),
    };
    diagnostics diag;
    auto [ec, response] = run_with_diag(request, diag);
    EXPECT_EQ(ec, errc::transaction_canceled);
    EXPECT_EQ(diag.aws_type, "TransactionCanceledException");
    ASSERT_EQ(diag.cancellation_reasons.size(), 2u);
    EXPECT_EQ(diag.cancellation_reasons[0].code, "None");
    EXPECT_EQ(diag.cancellation_reasons[1].code, "ConditionalCheckFailed");

    EXPECT_FALSE(get(key_of("fresh", "1")).has_value());
    EXPECT_EQ(get(key_of("guard", "1")),
              (attribute_map{{"pk", "guard"}, {"sk", "1"}, {"n", 1}}));
}

TEST_F(execute_transaction_test, empty_transaction_is_refused_before_sending)
{
    diagnostics diag;
    auto [ec, response] = run_with_diag(execute_transaction_request{}, diag);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("TransactStatements is required"), std::string::npos)
        << diag.message;
}

class describe_limits_test : public integration_test {};

TEST_F(describe_limits_test, the_four_limits_are_positive)
{
    const auto limits = run(db.describe_limits({}));
    ASSERT_TRUE(limits.account_max_read_capacity_units.has_value());
    ASSERT_TRUE(limits.account_max_write_capacity_units.has_value());
    ASSERT_TRUE(limits.table_max_read_capacity_units.has_value());
    ASSERT_TRUE(limits.table_max_write_capacity_units.has_value());
    EXPECT_GT(*limits.account_max_read_capacity_units, 0);
    EXPECT_GT(*limits.account_max_write_capacity_units, 0);
    EXPECT_GT(*limits.table_max_read_capacity_units, 0);
    EXPECT_GT(*limits.table_max_write_capacity_units, 0);
    EXPECT_LE(*limits.table_max_read_capacity_units, *limits.account_max_read_capacity_units);
}

}  // namespace
}  // namespace dynomite::test
