// The query planner: index choice, key conditions, filters and the exact requests.
#include <dynomite/query/query_plan.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace dynomite {
namespace {

using entries = std::vector<std::pair<std::string, attribute_value>>;

entries in_order(const attribute_map& values)
{
    return entries(values.begin(), values.end());
}

key_attribute s_key(std::string name)
{
    return {std::move(name), scalar_attribute_type::s};
}
key_attribute n_key(std::string name)
{
    return {std::move(name), scalar_attribute_type::n};
}
key_attribute b_key(std::string name)
{
    return {std::move(name), scalar_attribute_type::b};
}

index_schema make_index(std::string name, index_schema::kind type, key_attribute partition,
                        std::optional<key_attribute> sort, projection_type projection,
                        std::vector<std::string> non_key = {})
{
    index_schema index;
    index.name = std::move(name);
    index.type = type;
    index.key = primary_key{std::move(partition), std::move(sort)};
    index.projection = projection;
    index.non_key_attributes = std::move(non_key);
    return index;
}

constexpr auto global = index_schema::kind::global;
constexpr auto local = index_schema::kind::local;

// Indexes listed out of order: the planner must not depend on it.
table_schema products()
{
    table_schema s;
    s.table_name = "Products";
    s.key = primary_key{s_key("shop"), s_key("sku")};
    s.indexes.push_back(
        make_index("by_price", global, s_key("category"), n_key("price"), projection_type::all));
    s.indexes.push_back(
        make_index("by_email", global, s_key("email"), std::nullopt, projection_type::keys_only));
    s.indexes.push_back(
        make_index("by_stock", local, s_key("shop"), n_key("stock"), projection_type::keys_only));
    s.indexes.push_back(
        make_index("by_category", global, s_key("category"), s_key("title"), projection_type::all));
    s.indexes.push_back(
        make_index("by_name", local, s_key("shop"), s_key("name"), projection_type::all));
    s.indexes.push_back(make_index("by_status", global, s_key("status"), n_key("updated"),
                                   projection_type::include, {"title", "body"}));
    s.indexes.push_back(
        make_index("by_digest", global, b_key("digest"), std::nullopt, projection_type::all));
    index_schema vendor =
        make_index("by_vendor", global, s_key("vendor"), std::nullopt, projection_type::all);
    vendor.active = false;
    s.indexes.push_back(vendor);
    return s;
}

// A table alone, with a composite key.
table_schema events()
{
    table_schema s;
    s.table_name = "Events";
    s.key = primary_key{s_key("stream"), n_key("seq")};
    return s;
}

relation_spec where(condition c)
{
    relation_spec spec;
    spec.where = std::move(c);
    return spec;
}

query_plan plan(const relation_spec& spec, const table_schema& schema = products())
{
    query_plan p;
    std::string why;
    const error_code ec = plan_relation(schema, spec, p, &why);
    EXPECT_FALSE(ec) << why;
    return p;
}

std::string plan_error(const relation_spec& spec, const table_schema& schema = products())
{
    query_plan p;
    p.reason = "untouched";
    std::string why;
    const error_code ec = plan_relation(schema, spec, p, &why);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_EQ(p.reason, "untouched");
    return why;
}

query_request query_of(const query_plan& p)
{
    EXPECT_EQ(p.op, query_plan::operation::query);
    const auto* q = std::get_if<query_request>(&p.request);
    if (!q) {
        ADD_FAILURE() << "not a Query: " << p.to_string();
        return {};
    }
    return *q;
}

scan_request scan_of(const query_plan& p)
{
    EXPECT_EQ(p.op, query_plan::operation::scan);
    const auto* s = std::get_if<scan_request>(&p.request);
    if (!s) {
        ADD_FAILURE() << "not a Scan: " << p.to_string();
        return {};
    }
    return *s;
}

bytes bytes_of(std::initializer_list<unsigned char> values)
{
    bytes out;
    for (unsigned char v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

// by_stock holds only keys, so it cannot serve a relation that reads all attributes.
const std::string stock_passed_over =
    "passed over: index by_stock: projects KEYS_ONLY and the relation reads all attributes "
    "(project() what it needs)";

// The rejection of an index lacking items the relation may match.
std::string sparse(const std::string& index, const std::string& attribute)
{
    return "passed over: index " + index + ": does not hold items without " + attribute +
           ", which no condition requires";
}

// Choosing the table or an index.

TEST(query_planner, table_key_equality_queries_the_table)
{
    const query_plan p = plan(where(eq("shop", "north")));
    EXPECT_EQ(p.index_name, "");
    EXPECT_EQ(p.key_conditions, 1);
    const query_request q = query_of(p);
    EXPECT_EQ(q.table_name, "Products");
    EXPECT_FALSE(q.index_name);
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0");
    EXPECT_EQ(q.expression_attribute_names, (expression_names{{"#n0", "shop"}}));
    EXPECT_EQ(in_order(q.expression_attribute_values), (entries{{":v0", "north"}}));
    EXPECT_FALSE(q.filter_expression);
    EXPECT_FALSE(q.projection_expression);
    EXPECT_FALSE(q.select);
    EXPECT_FALSE(q.limit);
    EXPECT_FALSE(q.consistent_read);
    EXPECT_FALSE(q.scan_index_forward);
    EXPECT_FALSE(q.exclusive_start_key);
    // The local indexes have the same partition key, but lack the items without their sort
    // keys.
    EXPECT_EQ(p.reason, "key condition on shop; " + sparse("by_name", "name") + "; " +
                            sparse("by_stock", "stock"));
}

struct sort_case {
    condition (*make)(const std::string& attribute);
    std::string key_condition;
    entries values;  // after the partition key's
};

std::vector<sort_case> sort_cases()
{
    return {
        {[](const std::string& a) { return eq(a, "m"); },
         "#n0 = :v0 AND #n1 = :v1",
         {{":v1", "m"}}},
        {[](const std::string& a) { return lt(a, "m"); },
         "#n0 = :v0 AND #n1 < :v1",
         {{":v1", "m"}}},
        {[](const std::string& a) { return le(a, "m"); },
         "#n0 = :v0 AND #n1 <= :v1",
         {{":v1", "m"}}},
        {[](const std::string& a) { return gt(a, "m"); },
         "#n0 = :v0 AND #n1 > :v1",
         {{":v1", "m"}}},
        {[](const std::string& a) { return ge(a, "m"); },
         "#n0 = :v0 AND #n1 >= :v1",
         {{":v1", "m"}}},
        {[](const std::string& a) { return between(a, "b", "m"); },
         "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",
         {{":v1", "b"}, {":v2", "m"}}},
        {[](const std::string& a) { return begins_with(a, "ab"); },
         "#n0 = :v0 AND begins_with(#n1, :v1)",
         {{":v1", "ab"}}},
    };
}

void expect_sort_key_queries(const std::string& partition, const std::string& sort,
                             const std::optional<std::string>& index)
{
    for (const sort_case& c : sort_cases()) {
        // The sort key's condition first: the order of the conjuncts does not matter.
        const query_plan p = plan(where(c.make(sort) && eq(partition, "p")));
        const query_request q = query_of(p);
        EXPECT_EQ(q.index_name, index);
        EXPECT_EQ(p.key_conditions, 2);
        EXPECT_EQ(q.key_condition_expression, c.key_condition);
        EXPECT_FALSE(q.filter_expression) << *q.filter_expression;
        EXPECT_EQ(q.expression_attribute_names,
                  (expression_names{{"#n0", partition}, {"#n1", sort}}));
        entries values{{":v0", "p"}};
        values.insert(values.end(), c.values.begin(), c.values.end());
        EXPECT_EQ(in_order(q.expression_attribute_values), values);
    }
}

TEST(query_planner, sort_key_conditions_join_the_table_key_condition)
{
    expect_sort_key_queries("shop", "sku", std::nullopt);
}

TEST(query_planner, sort_key_conditions_join_a_local_index_key_condition)
{
    expect_sort_key_queries("shop", "name", "by_name");
}

TEST(query_planner, sort_key_conditions_join_a_global_index_key_condition)
{
    expect_sort_key_queries("category", "title", "by_category");
}

TEST(query_planner, number_sort_key_ranges_are_key_conditions)
{
    const query_plan p = plan(where(eq("category", "Electronics") && lt("price", 1000)));
    const query_request q = query_of(p);
    EXPECT_EQ(q.index_name, "by_price");
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0 AND #n1 < :v1");
    EXPECT_EQ(in_order(q.expression_attribute_values),
              (entries{{":v0", "Electronics"}, {":v1", 1000}}));
    EXPECT_FALSE(q.filter_expression);
}

TEST(query_planner, the_most_key_conditions_win)
{
    // The table has one (shop), by_name two (shop, name).
    query_plan p = plan(where(eq("shop", "north") && eq("name", "lamp")));
    EXPECT_EQ(query_of(p).index_name, "by_name");
    EXPECT_EQ(p.key_conditions, 2);
    EXPECT_EQ(p.reason,
              "key condition on shop and name; also usable: table key with 1 key "
              "condition; " +
                  sparse("by_stock", "stock"));

    // A global index with two beats the table with one.
    p = plan(where(eq("shop", "north") && eq("category", "toys") && eq("title", "kite")));
    EXPECT_EQ(query_of(p).index_name, "by_category");
    const query_request q = query_of(p);
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0 AND #n1 = :v1");
    EXPECT_EQ(q.filter_expression, "#n2 = :v2");
    EXPECT_EQ(q.expression_attribute_names,
              (expression_names{{"#n0", "category"}, {"#n1", "title"}, {"#n2", "shop"}}));
}

TEST(query_planner, ties_prefer_the_table_then_local_then_global_then_by_name)
{
    // Table and global index: one key condition each.
    query_plan p = plan(where(eq("category", "toys") && eq("shop", "north")));
    EXPECT_FALSE(query_of(p).index_name);
    EXPECT_EQ(query_of(p).filter_expression, "#n1 = :v1");

    // Local and global index: two each.
    p = plan(where(eq("shop", "north") && eq("name", "kite") && eq("category", "toys") &&
                   eq("title", "kite")));
    EXPECT_EQ(query_of(p).index_name, "by_name");

    // Two global indexes, one each: by name.
    p = plan(
        where(eq("category", "toys") && attribute_exists("price") && attribute_exists("title")));
    EXPECT_EQ(query_of(p).index_name, "by_category");
    EXPECT_EQ(p.reason,
              "key condition on category; also usable: index by_price with 1 key condition");
}

TEST(query_planner, partition_key_only_on_a_composite_table_queries_the_table)
{
    const query_plan p = plan(where(eq("stream", "s1") && gt("payload", 3)), events());
    const query_request q = query_of(p);
    EXPECT_EQ(q.table_name, "Events");
    EXPECT_FALSE(q.index_name);
    EXPECT_EQ(p.key_conditions, 1);
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0");
    EXPECT_EQ(q.filter_expression, "#n1 > :v1");
}

TEST(query_planner, scans_without_an_equality_on_a_partition_key)
{
    const query_plan p = plan(where(gt("price", 10)));
    const scan_request s = scan_of(p);
    EXPECT_EQ(s.table_name, "Products");
    EXPECT_FALSE(s.index_name);
    EXPECT_EQ(s.filter_expression, "#n0 > :v0");
    EXPECT_EQ(p.index_name, "");
    EXPECT_EQ(p.key_conditions, 0);
    EXPECT_EQ(p.reason,
              "no equality condition on a partition key: table key shop, index by_name (shop), "
              "index by_stock (shop), index by_category (category), index by_digest (digest), "
              "index by_email (email), index by_price (category), index by_status (status), "
              "index by_vendor (vendor)");

    // No condition at all: a Scan without filter.
    const query_plan all = plan(relation_spec{}, events());
    const scan_request everything = scan_of(all);
    EXPECT_FALSE(everything.filter_expression);
    EXPECT_TRUE(everything.expression_attribute_names.empty());
    EXPECT_TRUE(everything.expression_attribute_values.empty());
    EXPECT_EQ(all.reason, "no equality condition on a partition key: table key stream");
}

TEST(query_planner, inactive_global_indexes_are_not_read)
{
    const query_plan p = plan(where(eq("vendor", "acme")));
    scan_of(p);
    EXPECT_NE(p.reason.find("no key fits: table key: no equality condition on partition key "
                            "shop; "),
              std::string::npos)
        << p.reason;
    EXPECT_NE(p.reason.find("; index by_vendor: not ACTIVE"), std::string::npos) << p.reason;
}

// Consistent reads.

TEST(query_planner, consistent_read_passes_over_global_indexes)
{
    relation_spec spec = where(eq("category", "toys") && eq("title", "kite"));
    spec.consistent_read = true;
    query_plan p = plan(spec);
    EXPECT_EQ(scan_of(p).consistent_read, true);
    EXPECT_NE(p.reason.find("index by_category: a global index, which consistent_read cannot read"),
              std::string::npos)
        << p.reason;

    // The table, with fewer key conditions, rather than the global index.
    spec.where = eq("shop", "north") && eq("category", "toys") && eq("title", "kite");
    p = plan(spec);
    const query_request q = query_of(p);
    EXPECT_FALSE(q.index_name);
    EXPECT_EQ(q.consistent_read, true);
    EXPECT_EQ(p.reason,
              "key condition on shop; " + sparse("by_name", "name") + "; " +
                  sparse("by_stock", "stock") +
                  "; passed over: index by_category: a global index, which consistent_read "
                  "cannot read; " +
                  sparse("by_price", "price"));

    // A local index is fine.
    spec.where = eq("shop", "north") && eq("name", "kite");
    p = plan(spec);
    EXPECT_EQ(query_of(p).index_name, "by_name");
    EXPECT_EQ(query_of(p).consistent_read, true);
}

// Projections.

TEST(query_planner, keys_only_indexes_need_a_projection_they_carry)
{
    relation_spec spec = where(eq("email", "a@example.com"));
    query_plan p = plan(spec);
    scan_of(p);
    EXPECT_NE(p.reason.find("index by_email: projects KEYS_ONLY and the relation reads all "
                            "attributes (project() what it needs)"),
              std::string::npos)
        << p.reason;

    // The table's key and the index's key are in every index.
    spec.projection = {"shop", "sku", "email"};
    p = plan(spec);
    const query_request q = query_of(p);
    EXPECT_EQ(q.index_name, "by_email");
    EXPECT_EQ(q.projection_expression, "#n1, #n2, #n0");

    spec.projection = {"sku", "title"};
    p = plan(spec);
    scan_of(p);
    EXPECT_NE(p.reason.find("index by_email: projects KEYS_ONLY, without attribute \"title\""),
              std::string::npos)
        << p.reason;
}

TEST(query_planner, a_keys_only_local_index_is_passed_over_for_the_table)
{
    relation_spec spec = where(eq("shop", "north") && gt("stock", 5));
    query_plan p = plan(spec);
    query_request q = query_of(p);
    EXPECT_FALSE(q.index_name);
    EXPECT_EQ(q.filter_expression, "#n1 > :v1");

    spec.projection = {"sku", "stock"};
    p = plan(spec);
    q = query_of(p);
    EXPECT_EQ(q.index_name, "by_stock");
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0 AND #n1 > :v1");
    EXPECT_FALSE(q.filter_expression);
}

TEST(query_planner, include_indexes_carry_their_non_key_attributes)
{
    relation_spec spec = where(eq("status", "open") && gt("updated", 100));
    query_plan p = plan(spec);
    scan_of(p);
    EXPECT_NE(p.reason.find("index by_status: projects INCLUDE and the relation reads all "
                            "attributes"),
              std::string::npos)
        << p.reason;

    spec.projection = {"title", "body", "status", "shop"};
    p = plan(spec);
    EXPECT_EQ(query_of(p).index_name, "by_status");

    spec.projection = {"title", "color"};
    p = plan(spec);
    scan_of(p);
    EXPECT_NE(p.reason.find("index by_status: projects INCLUDE, without attribute \"color\""),
              std::string::npos)
        << p.reason;

    // Nested paths need their top-level attribute.
    spec.projection = {"body.sections[0]"};
    EXPECT_EQ(query_of(plan(spec)).index_name, "by_status");
}

TEST(query_planner, the_filter_must_be_carried_too)
{
    relation_spec spec = where(eq("status", "open") && eq("color", "red") && gt("updated", 0));
    spec.projection = {"title"};
    query_plan p = plan(spec);
    scan_of(p);
    EXPECT_NE(p.reason.find("index by_status: projects INCLUDE, without attribute \"color\""),
              std::string::npos)
        << p.reason;

    spec.where = eq("status", "open") && contains("body", "news") && gt("updated", 0);
    EXPECT_EQ(query_of(plan(spec)).index_name, "by_status");
}

TEST(query_planner, counting_needs_only_the_filter_attributes)
{
    relation_spec spec = where(eq("email", "a@example.com"));
    spec.count_only = true;
    query_plan p = plan(spec);
    query_request q = query_of(p);
    EXPECT_EQ(q.index_name, "by_email");
    EXPECT_EQ(q.select, select_attributes::count);

    spec.where = eq("email", "a@example.com") && eq("color", "red");
    p = plan(spec);
    EXPECT_EQ(scan_of(p).select, select_attributes::count);
}

// Conditions that cannot be key conditions.

TEST(query_planner, exclusive_bounds_narrow_the_read_and_are_evaluated_on_the_client)
{
    // DynamoDB refuses the key attribute in the FilterExpression, and exclusive bounds have no
    // key condition: BETWEEN reads the range, the client drops the bounds themselves.
    relation_spec spec = where(eq("stream", "s1") && gt("seq", 1) && lt("seq", 9));
    spec.limit = 5;
    query_plan p = plan(spec, events());
    query_request q = query_of(p);
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2");
    EXPECT_FALSE(q.filter_expression);
    EXPECT_EQ(p.residual, gt("seq", 1) && lt("seq", 9));
    EXPECT_TRUE(p.residual_only_attributes.empty());
    EXPECT_EQ(p.key_conditions, 2);
    // DynamoDB's Limit counts items before the client drops some: not lowered to the limit.
    EXPECT_FALSE(q.limit);

    // On Products, the local index by_name lacks the items without a name: the table, whose
    // sort key is sku, serves it.
    p = plan(where(eq("shop", "north") && gt("sku", "a") && lt("sku", "z")));
    q = query_of(p);
    EXPECT_FALSE(q.index_name);
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2");
    EXPECT_FALSE(q.filter_expression);
    EXPECT_EQ(p.residual, gt("sku", "a") && lt("sku", "z"));
    EXPECT_NE(p.reason.find(sparse("by_name", "name")), std::string::npos) << p.reason;
}

TEST(query_planner, inclusive_bounds_merge_into_between)
{
    const query_plan p = plan(
        where(le("seq", 9) && eq("stream", "s1") && ge("seq", 1) && eq("kind", "x")), events());
    const query_request q = query_of(p);
    EXPECT_EQ(p.key_conditions, 3);
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2");
    EXPECT_EQ(q.filter_expression, "#n2 = :v3");
    EXPECT_EQ(in_order(q.expression_attribute_values),
              (entries{{":v0", "s1"}, {":v1", 1}, {":v2", 9}, {":v3", "x"}}));
}

struct residual_case {
    condition extra;
    std::string key_condition;
    condition residual;
    int key_conditions;
};

void expect_residuals(const std::vector<residual_case>& cases)
{
    for (const residual_case& c : cases) {
        const query_plan p = plan(where(eq("stream", "s1") && c.extra), events());
        const query_request q = query_of(p);
        EXPECT_EQ(q.key_condition_expression, c.key_condition) << p.to_string();
        EXPECT_FALSE(q.filter_expression) << p.to_string();
        EXPECT_EQ(p.residual, c.residual) << p.to_string();
        EXPECT_EQ(p.key_conditions, c.key_conditions) << p.to_string();
    }
}

TEST(query_planner, bounds_that_cannot_merge_keep_one_and_leave_the_rest_to_the_client)
{
    const std::string one = "#n0 = :v0 AND #n1 >= :v1";
    const std::string range = "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2";
    expect_residuals({
        {ge("seq", 9) && le("seq", 1), one, le("seq", 1), 2},      // reversed: no BETWEEN
        {ge("seq", 1) && le("seq", "9"), one, le("seq", "9"), 2},  // two types
        {ge("seq", 1) && ge("seq", 2), one, ge("seq", 2), 2},      // two lower bounds
        {ge("seq", 1) && lt("seq", 9), range, lt("seq", 9), 2},    // one exclusive bound
        {gt("seq", 1) && le("seq", 9), range, gt("seq", 1), 2},
        {ge("seq", 1) && le("seq", 5) && le("seq", 9), range, le("seq", 9), 3},
    });
}

TEST(query_planner, other_conditions_on_key_attributes_are_evaluated_on_the_client)
{
    const std::string partition = "#n0 = :v0";
    expect_residuals({
        {ne("seq", 3), partition, ne("seq", 3), 1},
        {in("seq", {1, 2}), partition, in("seq", {1, 2}), 1},
        {attribute_exists("seq"), partition, attribute_exists("seq"), 1},
        {in("stream", {"s1", "s2"}), partition, in("stream", {"s1", "s2"}), 1},
        {eq("stream", "s1"), partition, eq("stream", "s1"), 1},
        {eq("seq", 1) || eq("seq", 2), partition, eq("seq", 1) || eq("seq", 2), 1},
        {!eq("seq", 1), partition, !eq("seq", 1), 1},
        {eq("seq", 1) || eq("kind", "a"), partition, eq("seq", 1) || eq("kind", "a"), 1},
    });
    // With a key condition on the sort key too.
    expect_residuals({{eq("seq", 4) && ne("seq", 3), "#n0 = :v0 AND #n1 = :v1", ne("seq", 3), 2}});
}

TEST(query_planner, conditions_the_client_cannot_evaluate_leave_the_candidate_unusable)
{
    const std::string prefix =
        "no key fits: table key: its key attribute seq would be in the filter, which DynamoDB "
        "refuses in a Query, and the client cannot evaluate ";
    const std::vector<std::pair<condition, std::string>> cases{
        {size_of("seq") > 3, "a > condition on seq with size() or a second attribute"},
        {compare(operand::of_path("seq"), condition_op::lt, operand::of_path("limit")),
         "a < condition on seq with size() or a second attribute"},
        {compare(operand::of_path("limit"), condition_op::gt, operand::of_path("seq")),
         "a > condition on limit with size() or a second attribute"},
    };
    for (const auto& [extra, reason] : cases) {
        const query_plan p = plan(where(eq("stream", "s1") && extra), events());
        scan_of(p);
        EXPECT_EQ(p.reason, prefix + reason);
    }
}

TEST(query_planner, or_and_not_never_become_key_conditions)
{
    const std::string no_equality = "no equality condition on a partition key: table key stream";
    const std::vector<condition> no_key{
        eq("stream", "s1") || eq("stream", "s2"),
        !ne("stream", "s1"),
        !!eq("stream", "s1"),
    };
    for (const condition& c : no_key) {
        const query_plan p = plan(where(c), events());
        scan_of(p);
        EXPECT_EQ(p.reason, no_equality);
    }
    // Other attributes may be under OR in the filter.
    const query_plan p =
        plan(where(eq("stream", "s1") && (eq("kind", "a") || eq("kind", "b"))), events());
    EXPECT_EQ(query_of(p).filter_expression, "#n1 = :v1 OR #n1 = :v2");
    EXPECT_TRUE(p.residual.empty());
}

TEST(query_planner, only_plain_top_level_attributes_are_keys)
{
    // A nested path or a comparison with another attribute is no key condition.
    for (const condition& c :
         {eq(document_path::from_segments(
                 {path_segment::of_name("stream"), path_segment::of_name("id")}),
             "s1"),
          eq(document_path("stream[0]"), "s1"),
          compare(operand::of_path("stream"), condition_op::eq, operand::of_path("other")),
          eq(size_of("stream"), 2)}) {
        const query_plan p = plan(where(c), events());
        scan_of(p);
        EXPECT_EQ(p.reason, "no equality condition on a partition key: table key stream");
    }
    // An attribute whose name contains a dot is not the key attribute either.
    const query_plan p = plan(where(eq(document_path::attribute("stream.x"), "s1")), events());
    scan_of(p);
}

// Key attribute types.

TEST(query_planner, key_condition_values_must_fit_the_key_type)
{
    EXPECT_EQ(plan_error(where(eq("shop", 5))),
              "key attribute \"shop\" of table \"Products\" is of type S, but its = condition "
              "has a value of type N");
    EXPECT_EQ(plan_error(where(eq("shop", true))),
              "key attribute \"shop\" of table \"Products\" is of type S, but its = condition "
              "has a value of type BOOL");
    EXPECT_EQ(plan_error(where(eq("stream", "s1") && ge("seq", "1") && le("seq", "9")), events()),
              "key attribute \"seq\" of table \"Events\" is of type N, but its BETWEEN condition "
              "has a value of type S");
}

TEST(query_planner, an_index_whose_key_type_does_not_fit_is_no_candidate)
{
    // The index is passed over, the relation runs with a filter instead.
    relation_spec spec = where(eq("shop", "north") && lt("stock", "9"));
    spec.projection = {"stock"};
    query_plan p = plan(spec);
    EXPECT_FALSE(query_of(p).index_name);
    EXPECT_EQ(query_of(p).filter_expression, "#n1 < :v1");
    EXPECT_NE(p.reason.find("passed over: index by_stock: key attribute \"stock\" of index "
                            "\"by_stock\" is of type N, but its < condition has a value of "
                            "type S"),
              std::string::npos)
        << p.reason;

    p = plan(where(eq("category", "toys") && between("title", "a", 5)));
    EXPECT_EQ(scan_of(p).filter_expression, "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2");
    EXPECT_NE(p.reason.find("index by_category: key attribute \"title\" of index "
                            "\"by_category\" is of type S, but its BETWEEN condition has a "
                            "value of type N"),
              std::string::npos)
        << p.reason;

    p = plan(where(eq("digest", "abc")));
    EXPECT_NE(p.reason.find("index by_digest: key attribute \"digest\" of index \"by_digest\" "
                            "is of type B, but its = condition has a value of type S"),
              std::string::npos)
        << p.reason;
    scan_of(p);

    spec.where = eq("shop", "north") && begins_with("stock", "1");
    p = plan(spec);
    EXPECT_FALSE(query_of(p).index_name);
    EXPECT_NE(p.reason.find("index by_stock: key attribute \"stock\" of index \"by_stock\" is "
                            "of type N; begins_with needs a key of type S or B"),
              std::string::npos)
        << p.reason;
}

TEST(query_planner, a_forced_index_whose_key_type_does_not_fit_is_an_error)
{
    relation_spec spec = where(eq("shop", "north") && lt("stock", "9"));
    spec.index_name = "by_stock";
    EXPECT_EQ(plan_error(spec),
              "key attribute \"stock\" of index \"by_stock\" is of type N, but its < condition "
              "has a value of type S");
    spec.where = eq("shop", "north") && begins_with("stock", "1");
    EXPECT_EQ(plan_error(spec),
              "key attribute \"stock\" of index \"by_stock\" is of type N; begins_with needs a "
              "key of type S or B");
}

TEST(query_planner, begins_with_needs_a_string_or_binary_key)
{
    EXPECT_EQ(plan_error(where(eq("shop", "north") && begins_with("sku", bytes_of({1})))),
              "key attribute \"sku\" of table \"Products\" is of type S, but its begins_with "
              "condition has a value of type B");
}

TEST(query_planner, binary_keys_take_binary_values)
{
    const query_plan p = plan(where(eq("digest", bytes_of({1, 2, 3}))));
    const query_request q = query_of(p);
    EXPECT_EQ(q.index_name, "by_digest");
    EXPECT_EQ(in_order(q.expression_attribute_values), (entries{{":v0", bytes_of({1, 2, 3})}}));
}

TEST(query_planner, inactive_indexes_are_not_type_checked)
{
    scan_of(plan(where(eq("vendor", 5))));
}

// Forcing an index or a Scan.

TEST(query_planner, a_forced_index_is_queried_with_partition_key_equality)
{
    relation_spec spec = where(eq("shop", "north") && eq("category", "toys"));
    spec.index_name = "by_category";
    const query_plan p = plan(spec);
    const query_request q = query_of(p);
    EXPECT_EQ(q.index_name, "by_category");
    EXPECT_EQ(p.index_name, "by_category");
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0");
    EXPECT_EQ(q.filter_expression, "#n1 = :v1");
    EXPECT_EQ(q.expression_attribute_names,
              (expression_names{{"#n0", "category"}, {"#n1", "shop"}}));
    EXPECT_EQ(p.reason, "index_name(\"by_category\"): key condition on category");
}

TEST(query_planner, a_forced_index_is_scanned_without_partition_key_equality)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.index_name = "by_category";
    const query_plan p = plan(spec);
    const scan_request s = scan_of(p);
    EXPECT_EQ(s.index_name, "by_category");
    EXPECT_EQ(p.index_name, "by_category");
    EXPECT_EQ(s.filter_expression, "#n0 = :v0");
    EXPECT_EQ(p.reason,
              "index_name(\"by_category\"): no equality condition on partition key category");

    // Or when the filter would hold one of its key attributes the client cannot evaluate.
    spec.where = eq("category", "toys") && size_of("title") > 3;
    const query_plan q = plan(spec);
    EXPECT_EQ(scan_of(q).index_name, "by_category");
    EXPECT_EQ(q.reason,
              "index_name(\"by_category\"): its key attribute title would be in the filter, "
              "which DynamoDB refuses in a Query, and the client cannot evaluate a > condition "
              "on title with size() or a second attribute");

    // A forced sparse index is read as asked, with its residual.
    spec.where = eq("category", "toys") && gt("title", "a") && lt("title", "m");
    const query_plan r = plan(spec);
    EXPECT_EQ(query_of(r).index_name, "by_category");
    EXPECT_EQ(r.residual, gt("title", "a") && lt("title", "m"));
}

TEST(query_planner, an_empty_index_name_forces_the_table)
{
    relation_spec spec = where(eq("category", "toys"));
    spec.index_name = "";
    query_plan p = plan(spec);
    EXPECT_FALSE(scan_of(p).index_name);
    EXPECT_EQ(p.reason, "index_name(\"\"): no equality condition on partition key shop");

    spec.where = eq("shop", "north") && eq("name", "kite");
    p = plan(spec);
    EXPECT_FALSE(query_of(p).index_name);
    EXPECT_EQ(p.key_conditions, 1);
}

TEST(query_planner, an_unknown_index_is_an_error_listing_the_known_ones)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.index_name = "by_colour";
    EXPECT_EQ(plan_error(spec),
              "table \"Products\" has no index \"by_colour\"; its indexes: by_category, "
              "by_digest, by_email, by_name, by_price, by_status, by_stock, by_vendor");
    EXPECT_EQ(plan_error(spec, events()),
              "table \"Events\" has no index \"by_colour\"; it has no indexes");
}

TEST(query_planner, a_forced_index_must_be_active)
{
    relation_spec spec = where(eq("vendor", "acme"));
    spec.index_name = "by_vendor";
    EXPECT_EQ(plan_error(spec), "index \"by_vendor\" of table \"Products\" is not ACTIVE yet");
}

TEST(query_planner, a_forced_global_index_refuses_consistent_read)
{
    relation_spec spec = where(eq("category", "toys"));
    spec.index_name = "by_category";
    spec.consistent_read = true;
    const std::string message =
        "consistent_read on index \"by_category\", a global index: DynamoDB reads global "
        "indexes eventually consistently only";
    EXPECT_EQ(plan_error(spec), message);
    spec.force_scan = true;
    EXPECT_EQ(plan_error(spec), message);

    // A forced local index reads consistently.
    spec = where(eq("shop", "north"));
    spec.index_name = "by_name";
    spec.consistent_read = true;
    EXPECT_EQ(query_of(plan(spec)).consistent_read, true);
}

TEST(query_planner, a_forced_index_must_carry_what_the_relation_reads)
{
    relation_spec spec = where(eq("email", "a@example.com"));
    spec.index_name = "by_email";
    EXPECT_EQ(plan_error(spec),
              "index \"by_email\" projects KEYS_ONLY and the relation reads all attributes "
              "(project() what it needs)");

    spec = where(eq("status", "open") && eq("color", "red"));
    spec.index_name = "by_status";
    spec.projection = {"title"};
    EXPECT_EQ(plan_error(spec),
              "index \"by_status\" projects INCLUDE, without attribute \"color\"");

    // Scanned, the whole condition is the filter.
    spec = where(eq("color", "red"));
    spec.index_name = "by_status";
    spec.projection = {"title"};
    EXPECT_EQ(plan_error(spec),
              "index \"by_status\" projects INCLUDE, without attribute \"color\"");
    spec.force_scan = true;
    EXPECT_EQ(plan_error(spec),
              "index \"by_status\" projects INCLUDE, without attribute \"color\"");

    spec.where = eq("body", "x");
    const query_plan p = plan(spec);
    EXPECT_EQ(scan_of(p).index_name, "by_status");
    EXPECT_EQ(p.reason, "index_name(\"by_status\") with force_scan");
}

TEST(query_planner, an_unknown_projection_type_carries_only_keys)
{
    table_schema schema = events();
    index_schema odd = make_index("odd", global, s_key("kind"), std::nullopt,
                                  projection_type::unknown, {"payload"});
    schema.indexes.push_back(odd);
    relation_spec spec = where(eq("kind", "x"));
    spec.index_name = "odd";
    spec.projection = {"payload"};
    EXPECT_EQ(plan_error(spec, schema),
              "index \"odd\" projects an unknown projection, without attribute \"payload\"");
    spec.projection = {"kind", "seq"};
    EXPECT_EQ(query_of(plan(spec, schema)).index_name, "odd");
}

TEST(query_planner, a_forced_index_checks_key_types)
{
    relation_spec spec = where(eq("category", 7));
    spec.index_name = "by_price";
    EXPECT_EQ(plan_error(spec),
              "key attribute \"category\" of index \"by_price\" is of type S, but its = "
              "condition has a value of type N");
}

TEST(query_planner, force_scan_scans_the_table_or_the_forced_index)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.force_scan = true;
    query_plan p = plan(spec);
    scan_request s = scan_of(p);
    EXPECT_FALSE(s.index_name);
    EXPECT_EQ(s.filter_expression, "#n0 = :v0");
    EXPECT_EQ(s.expression_attribute_names, (expression_names{{"#n0", "shop"}}));
    EXPECT_EQ(in_order(s.expression_attribute_values), (entries{{":v0", "north"}}));
    EXPECT_EQ(p.reason, "force_scan");

    spec.index_name = "by_name";
    p = plan(spec);
    s = scan_of(p);
    EXPECT_EQ(s.index_name, "by_name");
    EXPECT_EQ(p.index_name, "by_name");
    EXPECT_EQ(p.reason, "index_name(\"by_name\") with force_scan");

    // Key types are not checked: nothing becomes a key condition.
    spec = where(eq("shop", 5));
    spec.force_scan = true;
    scan_of(plan(spec));
}

// Request fields.

TEST(query_planner, renders_the_exact_request)
{
    relation_spec spec =
        where(eq("category", "Electronics") && lt("price", 1000) && contains("tags", "sale") &&
              (eq("color", "red") || eq("color", "blue")));
    spec.projection = {"title", "price", "tags"};
    spec.scan_forward = false;
    spec.page_size = 50;
    spec.exclusive_start_key = attribute_map{{"category", "Electronics"}, {"price", 999}};
    const query_plan p = plan(spec);
    const query_request q = query_of(p);
    EXPECT_EQ(q.table_name, "Products");
    EXPECT_EQ(q.index_name, "by_price");
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0 AND #n1 < :v1");
    EXPECT_EQ(q.filter_expression, "contains(#n2, :v2) AND (#n3 = :v3 OR #n3 = :v4)");
    EXPECT_EQ(q.projection_expression, "#n4, #n1, #n2");
    EXPECT_EQ(q.expression_attribute_names, (expression_names{{"#n0", "category"},
                                                              {"#n1", "price"},
                                                              {"#n2", "tags"},
                                                              {"#n3", "color"},
                                                              {"#n4", "title"}}));
    EXPECT_EQ(in_order(q.expression_attribute_values), (entries{{":v0", "Electronics"},
                                                                {":v1", 1000},
                                                                {":v2", "sale"},
                                                                {":v3", "red"},
                                                                {":v4", "blue"}}));
    EXPECT_EQ(q.scan_index_forward, false);
    EXPECT_EQ(q.limit, 50);
    EXPECT_FALSE(q.select);
    EXPECT_FALSE(q.consistent_read);
    EXPECT_EQ(q.exclusive_start_key, spec.exclusive_start_key);
    EXPECT_FALSE(q.return_consumed_capacity);
}

TEST(query_planner, scans_backward_only_in_a_query)
{
    relation_spec spec = where(gt("price", 10));
    spec.scan_forward = false;
    EXPECT_EQ(plan_error(spec).rfind("scan_index_backward needs a Query, but this relation "
                                     "scans table \"Products\" (no equality condition on a "
                                     "partition key: table key shop, ",
                                     0),
              0u);
    spec.force_scan = true;
    spec.index_name = "by_name";
    EXPECT_EQ(plan_error(spec),
              "scan_index_backward needs a Query, but this relation scans index \"by_name\" "
              "(index_name(\"by_name\") with force_scan)");
}

TEST(query_planner, count_only_selects_count)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.count_only = true;
    EXPECT_EQ(query_of(plan(spec)).select, select_attributes::count);
    spec.force_scan = true;
    EXPECT_EQ(scan_of(plan(spec)).select, select_attributes::count);

    spec.projection = {"title"};
    EXPECT_EQ(plan_error(spec),
              "count_only and a projection exclude each other: Select=COUNT returns no "
              "attributes");
}

TEST(query_planner, parallel_scans_carry_their_segment)
{
    relation_spec spec = where(gt("price", 10));
    spec.segment = 2;
    spec.total_segments = 4;
    scan_request s = scan_of(plan(spec));
    EXPECT_EQ(s.segment, 2);
    EXPECT_EQ(s.total_segments, 4);

    spec = where(eq("shop", "north"));
    spec.force_scan = true;
    spec.segment = 0;
    spec.total_segments = 1;
    s = scan_of(plan(spec));
    EXPECT_EQ(s.segment, 0);
    EXPECT_EQ(s.total_segments, 1);

    spec.segment = 999999;
    spec.total_segments = 1000000;
    EXPECT_EQ(scan_of(plan(spec)).total_segments, 1000000);

    spec.segment.reset();
    spec.total_segments.reset();
    s = scan_of(plan(spec));
    EXPECT_FALSE(s.segment);
    EXPECT_FALSE(s.total_segments);
}

TEST(query_planner, refuses_invalid_segments)
{
    relation_spec spec = where(gt("price", 10));
    spec.segment = 0;
    EXPECT_EQ(plan_error(spec), "segment is set without total_segments");
    spec.segment.reset();
    spec.total_segments = 2;
    EXPECT_EQ(plan_error(spec), "total_segments is set without segment");
    spec.segment = 0;
    spec.total_segments = 0;
    EXPECT_EQ(plan_error(spec), "total_segments must be 1 to 1000000, got 0");
    spec.total_segments = 1000001;
    EXPECT_EQ(plan_error(spec), "total_segments must be 1 to 1000000, got 1000001");
    spec.total_segments = 4;
    spec.segment = 4;
    EXPECT_EQ(plan_error(spec), "segment must be 0 to 3 (total_segments - 1), got 4");
    spec.segment = -1;
    EXPECT_EQ(plan_error(spec), "segment must be 0 to 3 (total_segments - 1), got -1");
}

TEST(query_planner, segments_need_a_scan)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.segment = 0;
    spec.total_segments = 2;
    EXPECT_EQ(plan_error(spec),
              "segment and total_segments need a Scan, but this relation queries table "
              "\"Products\" (key condition on shop; " +
                  sparse("by_name", "name") + "; " + sparse("by_stock", "stock") +
                  "); use force_scan to scan it");
}

TEST(query_planner, limit_without_filter_caps_dynamodb_limit)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.limit = 5;
    EXPECT_EQ(query_of(plan(spec)).limit, 5);
    spec.page_size = 3;
    EXPECT_EQ(query_of(plan(spec)).limit, 3);
    spec.page_size = 10;
    EXPECT_EQ(query_of(plan(spec)).limit, 5);
    spec.page_size.reset();
    spec.limit = std::int64_t{1} << 40;
    EXPECT_EQ(query_of(plan(spec)).limit, std::numeric_limits<std::int32_t>::max());

    // A Scan follows the same rules.
    spec = relation_spec{};
    spec.limit = 7;
    EXPECT_EQ(scan_of(plan(spec)).limit, 7);
}

TEST(query_planner, limit_with_filter_leaves_dynamodb_limit_to_page_size)
{
    relation_spec spec = where(eq("shop", "north") && eq("color", "red"));
    spec.limit = 5;
    EXPECT_FALSE(query_of(plan(spec)).limit);
    spec.page_size = 100;
    EXPECT_EQ(query_of(plan(spec)).limit, 100);
    spec.force_scan = true;
    EXPECT_EQ(scan_of(plan(spec)).limit, 100);
}

TEST(query_planner, page_size_alone_is_dynamodb_limit)
{
    relation_spec spec = where(eq("shop", "north"));
    EXPECT_FALSE(query_of(plan(spec)).limit);
    spec.page_size = 7;
    EXPECT_EQ(query_of(plan(spec)).limit, 7);
}

TEST(query_planner, refuses_limits_below_one)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.limit = 0;
    EXPECT_EQ(plan_error(spec), "limit must be at least 1, got 0");
    spec.limit = 1;
    spec.page_size = -3;
    EXPECT_EQ(plan_error(spec), "page_size must be at least 1, got -3");
}

TEST(query_planner, expressions_over_the_length_limit_fail)
{
    condition many;
    for (int i = 0; i < 8; ++i) {
        std::vector<attribute_value> values;
        for (int v = 0; v < 100; ++v) values.emplace_back(v);
        many = many && in("attr" + std::to_string(i), std::move(values));
    }
    const std::string filter_error = plan_error(where(eq("shop", "north") && many));
    EXPECT_EQ(filter_error.rfind("FilterExpression is ", 0), 0u) << filter_error;
    EXPECT_NE(filter_error.find(" bytes long; DynamoDB allows at most 4096"), std::string::npos);

    relation_spec spec = where(eq("shop", "north"));
    for (int i = 0; i < 800; ++i) spec.projection.push_back("p" + std::to_string(i));
    const std::string projection_error = plan_error(spec);
    EXPECT_EQ(projection_error.rfind("ProjectionExpression is ", 0), 0u) << projection_error;
}

TEST(query_planner, projection_errors_come_from_the_renderer)
{
    relation_spec spec = where(eq("shop", "north"));
    spec.projection = {"a", "a.b"};
    EXPECT_EQ(plan_error(spec),
              "ProjectionExpression paths \"a\" and \"a.b\" overlap; DynamoDB refuses "
              "overlapping paths");
}

TEST(query_planner, works_without_why)
{
    relation_spec spec = where(eq("shop", 5));
    query_plan p;
    EXPECT_EQ(plan_relation(products(), spec, p), errc::invalid_argument);
    spec.where = eq("shop", "north");
    EXPECT_FALSE(plan_relation(products(), spec, p));
    EXPECT_EQ(p.op, query_plan::operation::query);
}

// explain().

TEST(query_planner, to_string_describes_a_query)
{
    relation_spec spec =
        where(eq("category", "Electronics") && lt("price", 1000) && contains("tags", "sale"));
    spec.projection = {"title", "price"};
    spec.page_size = 25;
    EXPECT_EQ(plan(spec).to_string(),
              "Query on index by_price (key condition: category = \"Electronics\" AND price < "
              "1000; filter: contains(tags, \"sale\"); projection: title, price; Limit 25; "
              "reason: key condition on category and price; passed over: index by_category: "
              "does not hold items without title, which no condition requires) "
              "[KeyConditionExpression: #n0 = :v0 AND #n1 < :v1; "
              "FilterExpression: contains(#n2, :v2); ProjectionExpression: #n3, #n1]");

    spec = where(eq("stream", "s1"));
    spec.scan_forward = false;
    spec.consistent_read = true;
    spec.count_only = true;
    spec.exclusive_start_key = attribute_map{{"stream", "s1"}, {"seq", 4}};
    EXPECT_EQ(plan(spec, events()).to_string(),
              "Query on table Events (key condition: stream = \"s1\"; count only; consistent "
              "read; after an exclusive start key; descending; reason: key condition on stream) "
              "[KeyConditionExpression: #n0 = :v0]");
}

TEST(query_planner, to_string_describes_a_scan)
{
    relation_spec spec = where(eq("color", "red"));
    spec.force_scan = true;
    spec.consistent_read = true;
    spec.segment = 0;
    spec.total_segments = 2;
    spec.limit = 3;
    EXPECT_EQ(plan(spec).to_string(),
              "Scan on table Products (filter: color = \"red\"; consistent read; segment 0 of 2; "
              "reason: force_scan) [FilterExpression: #n0 = :v0]");

    spec = relation_spec{};
    spec.force_scan = true;
    EXPECT_EQ(plan(spec, events()).to_string(), "Scan on table Events (reason: force_scan)");

    spec.index_name = "by_name";
    spec.projection = {"sku"};
    spec.limit = 4;
    EXPECT_EQ(plan(spec).to_string(),
              "Scan on index by_name (projection: sku; Limit 4; reason: index_name(\"by_name\") "
              "with force_scan) [ProjectionExpression: #n0]");
}

TEST(query_planner, to_string_shows_every_value_type)
{
    relation_spec spec =
        where(eq("a", bytes_of({1, 2, 3})) && eq("b", true) && eq("c", null_value{}) &&
              eq("d", attribute_list{1, "x"}) && eq("e", attribute_map{{"k", 1}}) &&
              eq("f", string_set{{"x", "y"}}) && eq("g", number_set{{number(1), number(2)}}) &&
              eq("h", binary_set{{bytes_of({1})}}) && eq("#n1", "literal"));
    spec.force_scan = true;
    EXPECT_EQ(plan(spec, events()).to_string(),
              "Scan on table Events (filter: a = b\"AQID\" AND b = true AND c = null AND d = [1, "
              "\"x\"] AND e = {\"k\": 1} AND f = <<\"x\", \"y\">> AND g = <<1, 2>> AND h = "
              "<<b\"AQ==\">> AND #n1 = \"literal\"; reason: force_scan) [FilterExpression: #n0 = "
              ":v0 AND #n1 = :v1 AND #n2 = :v2 AND #n3 = :v3 AND #n4 = :v4 AND #n5 = :v5 AND #n6 "
              "= :v6 AND #n7 = :v7 AND #n8 = :v8]");
}

TEST(query_planner, to_string_cuts_long_strings)
{
    relation_spec spec = where(eq("stream", std::string(100, 'x')));
    const std::string text = plan(spec, events()).to_string();
    EXPECT_NE(text.find("stream = \"" + std::string(64, 'x') + "...\""), std::string::npos) << text;
}

// Sparse indexes: an index lacks the items without its key attributes, so it serves only a
// relation whose conditions require them.

table_schema catalog()
{
    table_schema s;
    s.table_name = "Catalog";
    s.key = primary_key{s_key("id"), std::nullopt};
    s.indexes.push_back(
        make_index("a-cat-price", global, s_key("category"), n_key("price"), projection_type::all));
    s.indexes.push_back(
        make_index("b-cat", global, s_key("category"), std::nullopt, projection_type::all));
    return s;
}

TEST(query_planner, a_sparse_global_index_serves_only_relations_requiring_its_keys)
{
    // Items without a price are missing from a-cat-price: b-cat holds them all.
    relation_spec spec = where(eq("category", "X"));
    query_plan p = plan(spec, catalog());
    EXPECT_EQ(query_of(p).index_name, "b-cat");
    EXPECT_EQ(p.reason, "key condition on category; " + sparse("a-cat-price", "price"));
    spec.count_only = true;
    EXPECT_EQ(query_of(plan(spec, catalog())).index_name, "b-cat");

    const std::vector<std::pair<condition, std::string>> cases{
        {gt("price", 0), "a-cat-price"},
        {attribute_exists("price"), "a-cat-price"},
        {eq("price", 1) || between("price", 5, 9), "a-cat-price"},
        {ne("price", 5), "b-cat"},
        {!eq("price", 5), "b-cat"},
        {attribute_not_exists("price"), "b-cat"},
        {eq("price", 1) || eq("kind", "a"), "b-cat"},
    };
    for (const auto& [extra, index] : cases) {
        p = plan(where(eq("category", "X") && extra), catalog());
        EXPECT_EQ(query_of(p).index_name, index) << p.to_string();
    }
}

TEST(query_planner, what_requires_an_attribute_to_exist)
{
    table_schema schema;
    schema.table_name = "T";
    schema.key = primary_key{s_key("id"), std::nullopt};
    schema.indexes.push_back(make_index("g", global, s_key("c"), s_key("b"), projection_type::all));
    const document_path nested =
        document_path::from_segments({path_segment::of_name("b"), path_segment::of_name("x")});
    const std::vector<std::pair<condition, bool>> cases{
        {eq("b", "v"), true},
        {lt("b", "v"), true},
        {le("b", "v"), true},
        {gt("b", "v"), true},
        {ge("b", "v"), true},
        {between("b", "a", "v"), true},
        {in("b", {"a", "v"}), true},
        {begins_with("b", "v"), true},
        {contains("b", "v"), true},
        {attribute_exists("b"), true},
        {attribute_type("b", attribute_value::kind::s), true},
        {eq(nested, 1), true},
        {size_of("b") > 2, true},
        {compare(operand::of_path("a"), condition_op::lt, operand::of_path("b")), true},
        {eq("b", "v") || gt("b", "x"), true},
        {(eq("b", "v") && eq("k", 1)) || (eq("k", 2) && lt("b", "c")), true},
        {ne("b", "v"), false},
        {!eq("b", "v"), false},
        {!attribute_not_exists("b"), false},
        {attribute_not_exists("b"), false},
        {ne(size_of("b"), 2), false},
        {eq("b", "v") || eq("k", 1), false},
        {eq("k", 1), false},
        {eq(document_path::attribute("b.x"), 1), false},
    };
    for (const auto& [c, requires_b] : cases) {
        // (size() and a second attribute require b, but the client cannot evaluate them.)
        const query_plan p = plan(where(eq("c", "x") && c), schema);
        const bool sparse_rejection =
            p.reason.find("index g: does not hold items without b") != std::string::npos;
        EXPECT_EQ(sparse_rejection, !requires_b) << p.to_string();
        if (!requires_b) {
            EXPECT_EQ(p.op, query_plan::operation::scan) << p.to_string();
        }
    }
}

table_schema inventory()
{
    table_schema s;
    s.table_name = "Inventory";
    s.key = primary_key{s_key("category"), s_key("sku")};
    s.indexes.push_back(
        make_index("by_price", local, s_key("category"), n_key("price"), projection_type::all));
    return s;
}

TEST(query_planner, a_sparse_local_index_gives_way_to_the_table_with_a_residual)
{
    const condition electronics = eq("category", "Electronics");
    const std::vector<std::pair<condition, std::string>> cases{
        {gt("sku", "E-009") && lt("sku", "E-012"), "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"},
        {in("sku", {"E-001", "E-011"}), "#n0 = :v0"},
        {!eq("sku", "E-001"), "#n0 = :v0"},
    };
    for (const auto& [extra, key_condition] : cases) {
        relation_spec spec = where(electronics && extra);
        query_plan p = plan(spec, inventory());
        query_request q = query_of(p);
        EXPECT_FALSE(q.index_name) << p.to_string();
        EXPECT_EQ(q.key_condition_expression, key_condition);
        EXPECT_FALSE(q.filter_expression);
        EXPECT_EQ(p.residual, extra);
        EXPECT_NE(p.reason.find(sparse("by_price", "price")), std::string::npos) << p.reason;

        // Counting reads the sort key to evaluate the residual, instead of Select=COUNT.
        spec.count_only = true;
        p = plan(spec, inventory());
        q = query_of(p);
        EXPECT_FALSE(q.select);
        ASSERT_TRUE(q.projection_expression);
        EXPECT_EQ(p.residual, extra);
        EXPECT_EQ(p.residual_only_attributes, std::vector<std::string>{"sku"});
        EXPECT_EQ(q.expression_attribute_names.back().second, "sku");
    }
}

TEST(query_planner, a_keys_only_index_without_its_sort_key_required_serves_no_count)
{
    table_schema schema;
    schema.table_name = "T";
    schema.key = primary_key{s_key("id"), std::nullopt};
    schema.indexes.push_back(
        make_index("by_c", global, s_key("c"), n_key("b"), projection_type::keys_only));
    relation_spec spec = where(eq("c", "x"));
    spec.count_only = true;  // count()
    query_plan p = plan(spec, schema);
    EXPECT_EQ(scan_of(p).select, select_attributes::count);
    EXPECT_NE(p.reason.find("index by_c: does not hold items without b"), std::string::npos)
        << p.reason;
    spec.count_only = false;
    spec.projection = {"id"};  // ids()
    scan_of(plan(spec, schema));

    // The local form: the table, with `sk <> 5` on the client.
    table_schema local_schema;
    local_schema.table_name = "L";
    local_schema.key = primary_key{s_key("pk"), n_key("sk")};
    local_schema.indexes.push_back(
        make_index("by_b", local, s_key("pk"), n_key("b"), projection_type::keys_only));
    spec = where(eq("pk", "p") && ne("sk", 5));
    spec.count_only = true;
    p = plan(spec, local_schema);
    const query_request q = query_of(p);
    EXPECT_FALSE(q.index_name);
    EXPECT_FALSE(q.select);
    EXPECT_EQ(p.residual, ne("sk", 5));
    spec.count_only = false;
    spec.projection = {"pk", "sk"};
    p = plan(spec, local_schema);
    EXPECT_FALSE(query_of(p).index_name);
    EXPECT_TRUE(p.residual_only_attributes.empty());
}

TEST(query_planner, a_residual_reads_its_attributes_and_strips_them)
{
    relation_spec spec = where(eq("stream", "s1") && ne("seq", 3));
    spec.projection = {"name"};
    query_plan p = plan(spec, events());
    query_request q = query_of(p);
    EXPECT_EQ(q.projection_expression, "#n1, #n2");
    EXPECT_EQ(q.expression_attribute_names,
              (expression_names{{"#n0", "stream"}, {"#n1", "name"}, {"#n2", "seq"}}));
    EXPECT_EQ(p.residual_only_attributes, std::vector<std::string>{"seq"});

    spec.projection = {"seq", "name"};
    p = plan(spec, events());
    EXPECT_TRUE(p.residual_only_attributes.empty());

    // Part of an attribute the residual reads whole: refused rather than evaluated wrongly.
    spec.where = eq("stream", "s1") && (eq("seq", 3) || eq("m", 1));
    spec.projection = {
        document_path::from_segments({path_segment::of_name("m"), path_segment::of_name("x")})};
    EXPECT_EQ(plan_error(spec, events()),
              "the client evaluates a condition on attribute \"m\" on each item, but the "
              "projection reads only part of it: project \"m\" whole");
}

TEST(query_planner, to_string_shows_what_the_client_evaluates)
{
    const query_plan p = plan(where(eq("stream", "s1") && gt("seq", 1) && lt("seq", 9)), events());
    EXPECT_EQ(p.to_string(),
              "Query on table Events (key condition: stream = \"s1\" AND seq BETWEEN 1 AND 9; "
              "evaluated on the client: seq > 1 AND seq < 9; reason: key condition on stream "
              "and seq) [KeyConditionExpression: #n0 = :v0 AND #n1 BETWEEN :v1 AND :v2]");
}

TEST(query_planner, empty_strings_and_binaries_are_no_key_condition_values)
{
    // DynamoDB refuses them in a key condition: the client evaluates `begins_with(sku, "")`.
    const query_plan p = plan(where(eq("shop", "north") && begins_with("sku", "")));
    const query_request q = query_of(p);
    EXPECT_FALSE(q.index_name);
    EXPECT_EQ(q.key_condition_expression, "#n0 = :v0");
    EXPECT_EQ(p.residual, begins_with("sku", ""));
    EXPECT_EQ(scan_of(plan(where(eq("shop", "")))).filter_expression, "#n0 = :v0");
}

}  // namespace
}  // namespace dynomite
