// The differential test's condition evaluator, on hand-written cases whose answers were
// checked with Scans and FilterExpressions against DynamoDB Local.
#include "support/condition_oracle.hpp"

#include <gtest/gtest.h>

namespace dynomite::test::oracle {
namespace {

attribute_map sample_item()
{
    return attribute_map{
        {"s", "x"},
        {"n", number("5")},
        {"e", std::string()},
        {"emoji", "\xF0\x9F\x98\x80"},
        {"accent", "\xC3\xA9"},
        {"b", to_bytes(std::string_view("\x01\x02\x03", 3))},
        {"flag", true},
        {"nul", null_value{}},
        {"l", attribute_list{"x", number("1"), attribute_map{{"k", "v"}}}},
        {"m", attribute_map{{"x", number("1")}, {"y", "q"}}},
        {"ss", string_set{{"x", "y"}}},
        {"ns", number_set{{number("1.0"), number("2")}}},
    };
}

bool holds(const expr& e)
{
    return evaluate(e, sample_item());
}

TEST(ConditionOracle, numbers_compare_exactly_as_decimals)
{
    EXPECT_EQ(compare_numbers("1", "1.0"), 0);
    EXPECT_EQ(compare_numbers("-0", "0.000"), 0);
    EXPECT_EQ(compare_numbers("1E+2", "100"), 0);
    EXPECT_EQ(compare_numbers("-7.25", "-7.3"), 1);
    EXPECT_EQ(compare_numbers("1.0000000000000000000000000000000000001", "1"), 1);
    EXPECT_EQ(compare_numbers("12345678901234567890123456789012345678",
                              "12345678901234567890123456789012345679"),
              -1);
    EXPECT_EQ(compare_numbers("-1E-130", "0"), -1);
    EXPECT_EQ(compare_numbers("1E-100", "-1E+100"), 1);
    EXPECT_EQ(compare_numbers("0.5", "5E-1"), 0);
    EXPECT_EQ(compare_numbers("99999999999999999999", "1E+20"), -1);
}

TEST(ConditionOracle, a_missing_attribute_makes_comparisons_false_and_ne_true)
{
    for (auto op : {compare_op::eq, compare_op::lt, compare_op::le, compare_op::gt, compare_op::ge})
        EXPECT_FALSE(holds(make_compare("gone", op, number("5"))));
    EXPECT_TRUE(holds(make_compare("gone", compare_op::ne, number("5"))));
    EXPECT_FALSE(holds(make_between("gone", number("1"), number("9"))));
    EXPECT_FALSE(holds(make_in("gone", {number("5")})));
    EXPECT_TRUE(holds(make_not(make_compare("gone", compare_op::lt, number("5")))));
    EXPECT_FALSE(holds(make_function(expr::kind::contains, "gone", "x")));
    EXPECT_TRUE(holds(make_compare("l[7]", compare_op::ne, "x")));
    EXPECT_FALSE(holds(make_compare("m.zz", compare_op::eq, "x")));
}

TEST(ConditionOracle, another_type_makes_comparisons_false_and_ne_true)
{
    EXPECT_FALSE(holds(make_compare("s", compare_op::lt, number("6"))));
    EXPECT_FALSE(holds(make_compare("n", compare_op::eq, "5")));
    EXPECT_TRUE(holds(make_compare("n", compare_op::ne, "5")));
    EXPECT_FALSE(holds(make_between("n", "a", "z")));
    EXPECT_TRUE(holds(make_in("n", {"5", number("5.0")})));
    EXPECT_FALSE(holds(make_function(expr::kind::begins_with, "n", "5")));
}

TEST(ConditionOracle, strings_compare_by_utf8_bytes)
{
    EXPECT_TRUE(holds(make_compare("accent", compare_op::gt, "z")));
    // U+1F600 is above U+FF61 in UTF-8 (and code points), below it in UTF-16.
    EXPECT_TRUE(holds(make_compare("emoji", compare_op::gt, "\xEF\xBD\xA1")));
    EXPECT_TRUE(holds(make_compare("s", compare_op::gt, "w")));
    EXPECT_TRUE(holds(make_compare("e", compare_op::lt, "a")));
}

TEST(ConditionOracle, binary_compares_by_bytes)
{
    EXPECT_TRUE(
        holds(make_compare("b", compare_op::gt, to_bytes(std::string_view("\x01\x02", 2)))));
    EXPECT_TRUE(holds(make_compare("b", compare_op::lt, to_bytes("\x02"))));
    EXPECT_TRUE(holds(make_function(expr::kind::begins_with, "b", to_bytes("\x01"))));
    EXPECT_TRUE(
        holds(make_function(expr::kind::contains, "b", to_bytes(std::string_view("\x02\x03", 2)))));
}

TEST(ConditionOracle, equality_of_documents_and_sets)
{
    EXPECT_TRUE(
        holds(make_compare("m", compare_op::eq, attribute_map{{"y", "q"}, {"x", number("1.0")}})));
    EXPECT_FALSE(holds(make_compare("m", compare_op::eq, attribute_map{{"x", number("1")}})));
    EXPECT_TRUE(holds(make_compare("ns", compare_op::eq, number_set{{number("2"), number("1")}})));
    EXPECT_TRUE(holds(make_compare("ss", compare_op::eq, string_set{{"y", "x"}})));
    EXPECT_FALSE(holds(make_compare("l", compare_op::eq, attribute_list{number("1"), "x"})));
    EXPECT_TRUE(holds(make_compare("nul", compare_op::eq, null_value{})));
    EXPECT_TRUE(holds(make_compare("flag", compare_op::eq, true)));
}

TEST(ConditionOracle, contains_and_begins_with)
{
    EXPECT_TRUE(holds(make_function(expr::kind::contains, "ss", "x")));
    EXPECT_TRUE(holds(make_function(expr::kind::contains, "ns", number("1"))));
    EXPECT_TRUE(holds(make_function(expr::kind::contains, "l", number("1.0"))));
    EXPECT_TRUE(holds(make_function(expr::kind::contains, "l", attribute_map{{"k", "v"}})));
    EXPECT_FALSE(holds(make_function(expr::kind::contains, "l", attribute_list{"x"})));
    EXPECT_TRUE(holds(make_function(expr::kind::contains, "e", "")));
    // DynamoDB Local: an empty binary is in every binary, the empty one too.
    const attribute_map empty_binary{{"eb", bytes{}}};
    EXPECT_TRUE(evaluate(make_function(expr::kind::contains, "eb", bytes{}), empty_binary));
    EXPECT_FALSE(evaluate(make_function(expr::kind::contains, "eb", bytes(1, std::byte{1})),
                          empty_binary));
    EXPECT_FALSE(holds(make_function(expr::kind::contains, "m", "x")));
    EXPECT_TRUE(holds(make_function(expr::kind::begins_with, "s", "")));
    EXPECT_FALSE(holds(make_function(expr::kind::begins_with, "s", "xy")));
    EXPECT_FALSE(holds(make_function(expr::kind::begins_with, "ss", "x")));
}

TEST(ConditionOracle, size_counts_utf16_units_bytes_and_elements)
{
    EXPECT_TRUE(holds(make_compare("emoji", compare_op::eq, number("2"), true)));
    EXPECT_TRUE(holds(make_compare("accent", compare_op::eq, number("1"), true)));
    EXPECT_TRUE(holds(make_compare("e", compare_op::eq, number("0"), true)));
    EXPECT_TRUE(holds(make_compare("b", compare_op::eq, number("3"), true)));
    EXPECT_TRUE(holds(make_compare("l", compare_op::eq, number("3"), true)));
    EXPECT_TRUE(holds(make_compare("m", compare_op::eq, number("2"), true)));
    EXPECT_TRUE(holds(make_between("ns", number("1"), number("2"), true)));
    // N, BOOL and NULL have no size: comparisons are false, <> true.
    EXPECT_FALSE(holds(make_compare("n", compare_op::ge, number("0"), true)));
    EXPECT_TRUE(holds(make_compare("flag", compare_op::ne, number("1"), true)));
    EXPECT_FALSE(holds(make_compare("s", compare_op::eq, "1", true)));
}

TEST(ConditionOracle, functions_on_paths)
{
    EXPECT_TRUE(holds(make_function(expr::kind::exists, "l[2].k")));
    EXPECT_TRUE(holds(make_function(expr::kind::not_exists, "m.x.y")));
    EXPECT_TRUE(holds(make_type("nul", attribute_value::kind::null)));
    EXPECT_TRUE(holds(make_type("ns", attribute_value::kind::ns)));
    EXPECT_FALSE(holds(make_type("gone", attribute_value::kind::s)));
    EXPECT_TRUE(holds(make_compare("m.x", compare_op::eq, number("1"))));
    EXPECT_TRUE(holds(make_compare("l[0]", compare_op::eq, "x")));
}

TEST(ConditionOracle, logic)
{
    const auto yes = make_compare("s", compare_op::eq, "x");
    const auto no = make_compare("s", compare_op::eq, "y");
    EXPECT_TRUE(holds(make_or({no, yes})));
    EXPECT_FALSE(holds(make_and({yes, no})));
    EXPECT_TRUE(holds(make_not(make_and({yes, no}))));
}

TEST(ConditionOracle, renders_filter_expressions_with_shared_name_placeholders)
{
    const auto e =
        make_and({make_compare("m.x", compare_op::lt, number("3"), true),
                  make_function(expr::kind::exists, "m"), make_in("l[1]", {number("1"), "a"})});
    const auto f = render_filter(e);
    EXPECT_EQ(f.text,
              "(size(#p0.#p1) < :c0) AND (attribute_exists(#p0)) AND (#p2[1] IN (:c1, :c2))");
    EXPECT_EQ(f.names.size(), 3u);
    EXPECT_EQ(f.values.size(), 3u);
    EXPECT_EQ(describe(e), "(size(m.x) < 3) AND (attribute_exists(m)) AND (l[1] IN (1, \"a\"))");
}

}  // namespace
}  // namespace dynomite::test::oracle
