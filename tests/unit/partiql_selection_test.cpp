// What a PartiQL statement's items hold whole: records are partial unless they hold every
// attribute, and a statement that cannot be read gives partial records, never whole ones.
#include <dynomite/model.hpp>
#include <dynomite/model/partiql.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using dynomite::detail::pql_selected_attributes;

std::vector<std::string> selected(std::string_view statement)
{
    const auto names = pql_selected_attributes(statement);
    EXPECT_TRUE(names) << statement << ": read as a whole item";
    return names ? *names : std::vector<std::string>{};
}

TEST(PartiqlSelection, EveryAttributeIsAWholeItem)
{
    EXPECT_FALSE(pql_selected_attributes("SELECT * FROM \"orders\" WHERE id = ?"));
    EXPECT_FALSE(pql_selected_attributes("  select *\nfrom orders"));
    EXPECT_FALSE(pql_selected_attributes("-- it's all\nSELECT/* every */* FROM orders"));
    EXPECT_FALSE(pql_selected_attributes("UPDATE orders SET a = ? WHERE id = ? RETURNING ALL NEW *"));
    EXPECT_FALSE(pql_selected_attributes("DELETE FROM orders WHERE id = ? returning all old *"));
}

TEST(PartiqlSelection, WhatCannotBeReadIsNotWhole)
{
    EXPECT_EQ(selected("UPDATE orders SET a = ? WHERE id = ? RETURNING MODIFIED NEW *"),
              std::vector<std::string>{});
    EXPECT_EQ(selected("INSERT INTO orders VALUE {'id': ?}"), std::vector<std::string>{});
    EXPECT_EQ(selected("SELECTED * FROM orders"), std::vector<std::string>{});
    EXPECT_EQ(selected("SELECT *"), std::vector<std::string>{}) << "no FROM";
    EXPECT_EQ(selected("SELECT * FROM \"orders"), std::vector<std::string>{}) << "open quote";
    EXPECT_EQ(selected("SELECT * /* FROM orders"), std::vector<std::string>{}) << "open comment";
    EXPECT_EQ(selected("SELECT id, * FROM orders"), std::vector<std::string>{"id"});
    EXPECT_EQ(selected("SELECT DISTINCT id FROM orders"), std::vector<std::string>{});
    EXPECT_EQ(selected("SELECT id AS key FROM orders"), std::vector<std::string>{});
}

TEST(PartiqlSelection, NamedAttributesAreReadWholeAndPathsInPart)
{
    EXPECT_EQ(selected("SELECT id, account_id FROM \"orders\" WHERE account_id = ?"),
              (std::vector<std::string>{"id", "account_id"}));
    EXPECT_EQ(selected("select \"id\",\"from\" , \"say \"\"hi\"\"\" from orders"),
              (std::vector<std::string>{"id", "from", "say \"hi\""}));
    EXPECT_EQ(selected("SELECT id, address.city, tags[1], \"a\".\"b\" FROM orders"),
              (std::vector<std::string>{"id"}))
        << "nested paths read their attribute in part";
    EXPECT_EQ(selected("SELECT fromage, afrom FROM \"t\".\"by_x\""),
              (std::vector<std::string>{"fromage", "afrom"}));
    EXPECT_EQ(selected("SELECT \"a, b\" FROM t WHERE x = 'SELECT c FROM'"),
              (std::vector<std::string>{"a, b"}));
    EXPECT_EQ(selected("SELECT id -- don't\n, total /* it's */ FROM orders"),
              (std::vector<std::string>{"id", "total"}));
}

TEST(PartiqlSelection, AnIndexIsReadFromTheNameAfterTheTables)
{
    using dynomite::detail::pql_index_of;
    const auto read = pql_index_of("SELECT * FROM \"orders\".\"by account\" WHERE a = ?");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->table, "orders");
    EXPECT_EQ(read->index, "by account");
    const auto bare = pql_index_of("select * /* from x.y */ from orders . by_day");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->table, "orders");
    EXPECT_EQ(bare->index, "by_day");
    EXPECT_FALSE(pql_index_of("SELECT * FROM \"orders.by_day\""));
    EXPECT_FALSE(pql_index_of("SELECT * FROM orders WHERE a.b = ?"));
    EXPECT_FALSE(pql_index_of("SELECT * FROM orders."));
    EXPECT_FALSE(pql_index_of("DELETE FROM orders.by_day WHERE id = ?"));
    EXPECT_FALSE(pql_index_of("SELECT a.b"));
}

}  // namespace
