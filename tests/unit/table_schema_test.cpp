// Table schemas from DescribeTable results.
#include <dynomite/query/table_schema.hpp>

#include <gtest/gtest.h>

#include <string>

namespace dynomite {
namespace {

table_description products()
{
    table_description d;
    d.table_name = "Products";
    d.attribute_definitions = {
        {"id", scalar_attribute_type::s},       {"sku", scalar_attribute_type::n},
        {"category", scalar_attribute_type::s}, {"price", scalar_attribute_type::n},
        {"added", scalar_attribute_type::b},
    };
    d.key_schema = {{"id", key_type::hash}, {"sku", key_type::range}};
    global_secondary_index_description by_category;
    by_category.index_name = "by_category";
    by_category.key_schema = {{"price", key_type::range}, {"category", key_type::hash}};
    by_category.projection = {projection_type::include, {"name", "tags"}};
    by_category.index_status = index_status::active;
    d.global_secondary_indexes.push_back(by_category);
    local_secondary_index_description by_added;
    by_added.index_name = "by_added";
    by_added.key_schema = {{"id", key_type::hash}, {"added", key_type::range}};
    by_added.projection = {projection_type::keys_only, {}};
    d.local_secondary_indexes.push_back(by_added);
    return d;
}

struct failure {
    error_code ec;
    std::string why;
};

failure read_failure(const table_description& d)
{
    table_schema out;
    out.table_name = "untouched";
    failure f;
    f.ec = table_schema::from_description(d, out, &f.why);
    EXPECT_EQ(out.table_name, "untouched");
    return f;
}

TEST(table_schema, reads_keys_types_and_indexes)
{
    table_schema s;
    ASSERT_FALSE(table_schema::from_description(products(), s));
    EXPECT_EQ(s.table_name, "Products");
    EXPECT_EQ(s.key.partition.name, "id");
    EXPECT_EQ(s.key.partition.type, scalar_attribute_type::s);
    ASSERT_TRUE(s.key.sort);
    EXPECT_EQ(s.key.sort->name, "sku");
    EXPECT_EQ(s.key.sort->type, scalar_attribute_type::n);
    ASSERT_EQ(s.indexes.size(), 2u);

    const index_schema& lsi = s.indexes[0];
    EXPECT_EQ(lsi.name, "by_added");
    EXPECT_EQ(lsi.type, index_schema::kind::local);
    EXPECT_EQ(lsi.key.partition.name, "id");
    ASSERT_TRUE(lsi.key.sort);
    EXPECT_EQ(lsi.key.sort->name, "added");
    EXPECT_EQ(lsi.key.sort->type, scalar_attribute_type::b);
    EXPECT_EQ(lsi.projection, projection_type::keys_only);
    EXPECT_TRUE(lsi.active);

    const index_schema& gsi = s.indexes[1];
    EXPECT_EQ(gsi.name, "by_category");
    EXPECT_EQ(gsi.type, index_schema::kind::global);
    EXPECT_EQ(gsi.key.partition.name, "category");
    EXPECT_EQ(gsi.key.partition.type, scalar_attribute_type::s);
    ASSERT_TRUE(gsi.key.sort);
    EXPECT_EQ(gsi.key.sort->name, "price");
    EXPECT_EQ(gsi.key.sort->type, scalar_attribute_type::n);
    EXPECT_EQ(gsi.projection, projection_type::include);
    EXPECT_EQ(gsi.non_key_attributes, (std::vector<std::string>{"name", "tags"}));
    EXPECT_TRUE(gsi.active);
}

TEST(table_schema, reads_a_partition_key_only_table)
{
    table_description d;
    d.table_name = "Sessions";
    d.attribute_definitions = {{"token", scalar_attribute_type::b}};
    d.key_schema = {{"token", key_type::hash}};
    table_schema s;
    ASSERT_FALSE(table_schema::from_description(d, s));
    EXPECT_EQ(s.key.partition.name, "token");
    EXPECT_EQ(s.key.partition.type, scalar_attribute_type::b);
    EXPECT_FALSE(s.key.sort);
    EXPECT_TRUE(s.indexes.empty());
}

TEST(table_schema, marks_global_indexes_that_are_not_active)
{
    for (index_status status : {index_status::creating, index_status::updating,
                                index_status::deleting, index_status::unknown}) {
        table_description d = products();
        d.global_secondary_indexes[0].index_status = status;
        table_schema s;
        ASSERT_FALSE(table_schema::from_description(d, s));
        EXPECT_FALSE(s.indexes[1].active) << to_string(status);
    }
    table_description d = products();
    d.global_secondary_indexes[0].index_status.reset();
    table_schema s;
    ASSERT_FALSE(table_schema::from_description(d, s));
    EXPECT_TRUE(s.indexes[1].active);
}

TEST(table_schema, finds_indexes_by_name)
{
    table_schema s;
    ASSERT_FALSE(table_schema::from_description(products(), s));
    ASSERT_NE(s.find_index("by_category"), nullptr);
    EXPECT_EQ(s.find_index("by_category")->name, "by_category");
    EXPECT_EQ(s.find_index("by_added"), &s.indexes[0]);
    EXPECT_EQ(s.find_index("by_name"), nullptr);
    EXPECT_EQ(s.find_index(""), nullptr);
}

TEST(table_schema, lists_what_an_index_projects)
{
    table_schema s;
    ASSERT_FALSE(table_schema::from_description(products(), s));
    EXPECT_EQ(s.projected_attributes(*s.find_index("by_added")),
              (std::vector<std::string>{"id", "sku", "added"}))
        << "KEYS_ONLY: the table's keys and the index's, once each";
    EXPECT_EQ(s.projected_attributes(*s.find_index("by_category")),
              (std::vector<std::string>{"id", "sku", "category", "price", "name", "tags"}));
    index_schema all = s.indexes[1];
    all.projection = projection_type::all;
    EXPECT_FALSE(s.projected_attributes(all)) << "ALL: whole items";
}

TEST(table_schema, refuses_a_description_without_table_name)
{
    table_description d = products();
    d.table_name.clear();
    const failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "DescribeTable result: TableName is missing");
}

TEST(table_schema, refuses_key_schemas_without_a_hash_key)
{
    table_description d = products();
    d.key_schema = {{"sku", key_type::range}};
    const failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "table \"Products\": KeySchema has no HASH key");

    d.key_schema.clear();
    EXPECT_EQ(read_failure(d).why, "table \"Products\": KeySchema has no HASH key");
}

TEST(table_schema, refuses_two_keys_of_one_kind)
{
    table_description d = products();
    d.key_schema = {{"id", key_type::hash}, {"category", key_type::hash}};
    failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "table \"Products\": KeySchema has two HASH keys, \"id\" and \"category\"");

    d.key_schema = {{"id", key_type::hash}, {"sku", key_type::range}, {"price", key_type::range}};
    f = read_failure(d);
    EXPECT_EQ(f.why, "table \"Products\": KeySchema has two RANGE keys, \"sku\" and \"price\"");
}

TEST(table_schema, refuses_unknown_key_types_and_unnamed_elements)
{
    table_description d = products();
    d.key_schema = {{"id", key_type::hash}, {"sku", key_type::unknown}};
    failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "table \"Products\": KeySchema element \"sku\" has an unknown KeyType");

    d.key_schema = {{"", key_type::hash}};
    f = read_failure(d);
    EXPECT_EQ(f.why, "table \"Products\": a KeySchema element has no name");
}

TEST(table_schema, refuses_key_attributes_without_definition)
{
    table_description d = products();
    d.attribute_definitions.erase(d.attribute_definitions.begin() + 1);  // sku
    failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "table \"Products\": no AttributeDefinition for key attribute \"sku\"");

    d = products();
    d.attribute_definitions.erase(d.attribute_definitions.begin() + 2);  // category
    f = read_failure(d);
    EXPECT_EQ(f.why,
              "table \"Products\", index \"by_category\": no AttributeDefinition for key "
              "attribute \"category\"");
}

TEST(table_schema, refuses_unknown_attribute_types)
{
    table_description d = products();
    d.attribute_definitions[0].type = scalar_attribute_type::unknown;
    const failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why,
              "table \"Products\": the AttributeDefinition of key attribute \"id\" has an "
              "unknown AttributeType");
}

TEST(table_schema, refuses_indexes_without_name)
{
    table_description d = products();
    d.global_secondary_indexes[0].index_name.clear();
    failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "table \"Products\": an entry of GlobalSecondaryIndexes has no IndexName");

    d = products();
    d.local_secondary_indexes[0].index_name.clear();
    f = read_failure(d);
    EXPECT_EQ(f.why, "table \"Products\": an entry of LocalSecondaryIndexes has no IndexName");
}

TEST(table_schema, refuses_index_key_schema_errors)
{
    table_description d = products();
    d.local_secondary_indexes[0].key_schema = {{"added", key_type::range}};
    const failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "table \"Products\", index \"by_added\": KeySchema has no HASH key");
}

TEST(table_schema, refuses_indexes_without_projection_type)
{
    table_description d = products();
    d.global_secondary_indexes[0].projection.projection_type.reset();
    const failure f = read_failure(d);
    EXPECT_EQ(f.ec, errc::malformed_response);
    EXPECT_EQ(f.why, "table \"Products\", index \"by_category\": Projection has no ProjectionType");
}

TEST(table_schema, leaves_why_alone_on_success_and_accepts_no_why)
{
    table_schema s;
    std::string why = "before";
    EXPECT_FALSE(table_schema::from_description(products(), s, &why));
    EXPECT_EQ(why, "before");
    table_description d = products();
    d.key_schema.clear();
    EXPECT_EQ(table_schema::from_description(d, s), errc::malformed_response);
}

}  // namespace
}  // namespace dynomite
