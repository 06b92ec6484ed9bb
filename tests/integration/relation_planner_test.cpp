// The planner never loses items: sparse indexes, indexes that hold only keys, key types that
// do not fit an index, and conditions on a sort key that DynamoDB takes in no key condition.
// Each relation is checked against a consistent Scan of the whole table filtered here.
#include "integration/relation_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

std::string text_of(const attribute_value& v)
{
    return v.type() == attribute_value::kind::n ? v.as_n().text() : v.as_s();
}

/// The values of `attribute` in `items`, sorted.
std::vector<std::string> values_of(const std::vector<attribute_map>& items,
                                   const std::string& attribute)
{
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(text_of(item.at(attribute)));
    std::sort(out.begin(), out.end());
    return out;
}

key_schema_element hash(std::string name)
{
    return {std::move(name), key_type::hash};
}
key_schema_element range(std::string name)
{
    return {std::move(name), key_type::range};
}

class RelationPlanner : public relation_test {
protected:
    /// Creates the table `request` describes (its name made unique), deleted in TearDown.
    std::string create(create_table_request request)
    {
        request.table_name = unique_table_name("dyn-rel-plan");
        request.billing_mode = billing_mode::pay_per_request;
        track_table(request.table_name);
        run(db.create_table(request));
        run(wait_until_active(request.table_name));
        return request.table_name;
    }

    /// The oracle: every item of the table, read with a consistent Scan, that `keep` accepts.
    std::vector<attribute_map> scan_where(const std::string& table,
                                          const std::function<bool(const attribute_map&)>& keep)
    {
        std::vector<attribute_map> out;
        scan_request request;
        request.table_name = table;
        request.consistent_read = true;
        for (;;) {
            auto page = run(db.scan(request));
            for (auto& item : page.items) {
                if (keep(item)) out.push_back(std::move(item));
            }
            if (!page.last_evaluated_key) break;
            request.exclusive_start_key = std::move(page.last_evaluated_key);
        }
        return out;
    }

    /// all(), count(), ids() and exists() of `r` agree with the oracle's items.
    void expect_matches(const relation& r, const std::vector<attribute_map>& expected,
                        const std::string& key)
    {
        const query_plan plan = run(r.explain());
        SCOPED_TRACE(plan.to_string());
        EXPECT_EQ(values_of(run(r.all()), key), values_of(expected, key));
        EXPECT_EQ(run(r.count()), static_cast<std::int64_t>(expected.size()));
        EXPECT_EQ(values_of(run(r.ids()), key), values_of(expected, key));
        EXPECT_EQ(run(r.exists()), !expected.empty());
        if (expected.size() > 1) {
            EXPECT_EQ(run(r.limit(1).count()), 1);
            EXPECT_EQ(run(r.limit(1).all()).size(), 1u);
            EXPECT_TRUE(run(r.first()).has_value());
        }
    }
};

const attribute_value* find(const attribute_map& item, const std::string& name)
{
    return item.find(name);
}

bool is(const attribute_map& item, const std::string& name, const attribute_value& value)
{
    const attribute_value* v = find(item, name);
    return v && *v == value;
}

TEST_F(RelationPlanner, a_sparse_global_index_is_not_chosen)
{
    create_table_request request;
    request.attribute_definitions = {{"id", scalar_attribute_type::s},
                                     {"category", scalar_attribute_type::s},
                                     {"price", scalar_attribute_type::n}};
    request.key_schema = {hash("id")};
    global_secondary_index by_price;
    by_price.index_name = "a-cat-price";
    by_price.key_schema = {hash("category"), range("price")};
    by_price.projection.projection_type = projection_type::all;
    global_secondary_index by_category;
    by_category.index_name = "b-cat";
    by_category.key_schema = {hash("category")};
    by_category.projection.projection_type = projection_type::all;
    request.global_secondary_indexes = {by_price, by_category};
    const std::string table = create(request);
    write_all(table, {{{"id", "1"}, {"category", "X"}, {"price", 10}},
                      {{"id", "2"}, {"category", "X"}, {"price", 20}},
                      {{"id", "3"}, {"category", "X"}},
                      {{"id", "4"}, {"category", "Y"}, {"price", 5}}});

    const auto expected =
        scan_where(table, [](const attribute_map& item) { return is(item, "category", "X"); });
    ASSERT_EQ(expected.size(), 3u);
    const relation r = store.table(table).where("category", "X");
    expect_matches(r, expected, "id");
    const query_plan plan = run(r.explain());
    EXPECT_EQ(plan.index_name, "b-cat");
    EXPECT_NE(plan.reason.find("index a-cat-price: does not hold items without price"),
              std::string::npos)
        << plan.reason;
}

class SparseLocalIndex : public RelationPlanner {
protected:
    void SetUp() override
    {
        create_table_request request;
        request.attribute_definitions = {{"category", scalar_attribute_type::s},
                                         {"sku", scalar_attribute_type::s},
                                         {"price", scalar_attribute_type::n}};
        request.key_schema = {hash("category"), range("sku")};
        local_secondary_index by_price;
        by_price.index_name = "by_price";
        by_price.key_schema = {hash("category"), range("price")};
        by_price.projection.projection_type = projection_type::all;
        request.local_secondary_indexes = {by_price};
        table = create(request);
        write_all(table, {{{"category", "Electronics"}, {"sku", "E-001"}, {"price", 1}},
                          {{"category", "Electronics"}, {"sku", "E-010"}, {"price", 2}},
                          {{"category", "Electronics"}, {"sku", "E-011"}},
                          {{"category", "Electronics"}, {"sku", "E-020"}, {"price", 3}},
                          {{"category", "Books"}, {"sku", "E-011"}, {"price", 4}}});
    }

    std::vector<attribute_map> electronics_where(const std::function<bool(const std::string&)>& sku)
    {
        return scan_where(table, [&](const attribute_map& item) {
            return is(item, "category", "Electronics") && sku(item.at("sku").as_s());
        });
    }

    relation electronics() const { return store.table(table).where("category", "Electronics"); }

    std::string table;
};

TEST_F(SparseLocalIndex, exclusive_bounds_on_the_sort_key_keep_items_without_the_index_key)
{
    const auto expected =
        electronics_where([](const std::string& sku) { return sku > "E-009" && sku < "E-012"; });
    ASSERT_EQ(expected.size(), 2u);
    const relation r = electronics().where("sku.gt", "E-009").where("sku.lt", "E-012");
    expect_matches(r, expected, "sku");
    EXPECT_EQ(run(r.explain()).index_name, "");
    // The sort-key order holds with the client's conditions, both ways.
    const auto last = run(r.last());
    ASSERT_TRUE(last);
    EXPECT_EQ(last->at("sku"), attribute_value("E-011"));
    EXPECT_EQ(run(r.first())->at("sku"), attribute_value("E-010"));
}

TEST_F(SparseLocalIndex, in_on_the_sort_key_keeps_items_without_the_index_key)
{
    const auto expected =
        electronics_where([](const std::string& sku) { return sku == "E-001" || sku == "E-011"; });
    ASSERT_EQ(expected.size(), 2u);
    expect_matches(electronics().where("sku.in", {"E-001", "E-011"}), expected, "sku");
}

TEST_F(SparseLocalIndex, not_on_the_sort_key_keeps_items_without_the_index_key)
{
    const auto expected = electronics_where([](const std::string& sku) { return sku != "E-001"; });
    ASSERT_EQ(expected.size(), 3u);
    const relation r = electronics().not_("sku", "E-001");
    expect_matches(r, expected, "sku");
    // A page of one item at a time: the client's conditions drop some pages whole.
    EXPECT_EQ(values_of(run(r.page_size(1).all()), "sku"), values_of(expected, "sku"));
    EXPECT_EQ(run(r.page_size(1).limit(2).count()), 2);
    // A projection without the sort key: the client reads it, then drops it.
    const auto projected = run(r.project({"price"}).all());
    ASSERT_EQ(projected.size(), 3u);
    for (const auto& item : projected) EXPECT_FALSE(item.contains("sku"));
}

TEST_F(RelationPlanner, count_and_ids_agree_with_all_over_a_keys_only_global_index)
{
    create_table_request request;
    request.attribute_definitions = {{"id", scalar_attribute_type::s},
                                     {"c", scalar_attribute_type::s},
                                     {"b", scalar_attribute_type::n}};
    request.key_schema = {hash("id")};
    global_secondary_index by_cb;
    by_cb.index_name = "by_cb";
    by_cb.key_schema = {hash("c"), range("b")};
    by_cb.projection.projection_type = projection_type::keys_only;
    request.global_secondary_indexes = {by_cb};
    const std::string table = create(request);
    write_all(table, {{{"id", "1"}, {"c", "x"}, {"b", 1}}, {{"id", "2"}, {"c", "x"}}});

    const auto expected =
        scan_where(table, [](const attribute_map& item) { return is(item, "c", "x"); });
    ASSERT_EQ(expected.size(), 2u);
    expect_matches(store.table(table).where("c", "x"), expected, "id");
}

TEST_F(RelationPlanner, count_and_ids_agree_with_all_over_a_keys_only_local_index)
{
    create_table_request request;
    request.attribute_definitions = {{"pk", scalar_attribute_type::s},
                                     {"sk", scalar_attribute_type::n},
                                     {"b", scalar_attribute_type::n}};
    request.key_schema = {hash("pk"), range("sk")};
    local_secondary_index by_b;
    by_b.index_name = "by_b";
    by_b.key_schema = {hash("pk"), range("b")};
    by_b.projection.projection_type = projection_type::keys_only;
    request.local_secondary_indexes = {by_b};
    const std::string table = create(request);
    write_all(table, {{{"pk", "p"}, {"sk", 1}, {"b", 1}},
                      {{"pk", "p"}, {"sk", 5}, {"b", 2}},
                      {{"pk", "p"}, {"sk", 7}},
                      {{"pk", "p"}, {"sk", 9}},
                      {{"pk", "q"}, {"sk", 1}}});

    const auto expected = scan_where(
        table, [](const attribute_map& item) { return is(item, "pk", "p") && !is(item, "sk", 5); });
    ASSERT_EQ(expected.size(), 3u);
    expect_matches(store.table(table).where("pk", "p").where("sk.ne", 5), expected, "sk");
}

TEST_F(RelationPlanner, an_index_whose_key_type_does_not_fit_is_passed_over)
{
    create_table_request request;
    request.attribute_definitions = {{"pk", scalar_attribute_type::s},
                                     {"sk", scalar_attribute_type::s},
                                     {"b", scalar_attribute_type::s}};
    request.key_schema = {hash("pk"), range("sk")};
    local_secondary_index by_b;
    by_b.index_name = "by_b";
    by_b.key_schema = {hash("pk"), range("b")};
    by_b.projection.projection_type = projection_type::all;
    request.local_secondary_indexes = {by_b};
    const std::string table = create(request);
    write_all(table, {{{"pk", "p"}, {"sk", "1"}, {"b", "5"}},
                      {{"pk", "p"}, {"sk", "2"}, {"n", 3}},
                      {{"pk", "p"}, {"sk", "3"}}});

    // No item can hold a number under b, so none matches; the relation still runs.
    const relation r = store.table(table).where("pk", "p").where("b.lte", 10);
    const auto expected = scan_where(table, [](const attribute_map& item) {
        const attribute_value* b = find(item, "b");
        return is(item, "pk", "p") && b && b->type() == attribute_value::kind::n &&
               !(number(10) < b->as_n());
    });
    expect_matches(r, expected, "sk");
    const query_plan plan = run(r.explain());
    EXPECT_EQ(plan.index_name, "");
    EXPECT_NE(plan.reason.find("passed over: index by_b: key attribute \"b\" of index \"by_b\" "
                               "is of type S"),
              std::string::npos)
        << plan.reason;

    // And a condition that fits reads the index.
    const relation fits = store.table(table).where("pk", "p").where("b.lte", "9");
    EXPECT_EQ(run(fits.explain()).index_name, "by_b");
    EXPECT_EQ(values_of(run(fits.all()), "sk"), (std::vector<std::string>{"1"}));
}

}  // namespace
}  // namespace dynomite::test
