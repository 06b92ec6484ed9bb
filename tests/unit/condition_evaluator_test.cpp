// Conditions evaluated on the client: DynamoDB's semantics, item by item.
#include "expr/condition_evaluator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dynomite::detail {
namespace {

bytes bytes_of(std::initializer_list<unsigned char> values)
{
    bytes out;
    for (unsigned char v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

const attribute_map item{
    {"s", "abc"},
    {"n", number("10.50")},
    {"b", bytes_of({0x01, 0xff})},
    {"flag", true},
    {"nothing", null_value{}},
    {"ss", string_set{{"x", "y"}}},
    {"ns", number_set{{number("1"), number("2.0")}}},
    {"bs", binary_set{{bytes_of({7})}}},
    {"l", attribute_list{"x", 3}},
    {"m", attribute_map{{"k", 1}}},
    {"utf8", "\xc3\xa9"},  // é: its first byte is above every ASCII byte
};

TEST(condition_evaluator, numbers_compare_as_decimals)
{
    EXPECT_TRUE(evaluate(eq("n", number("10.5")), item));
    EXPECT_TRUE(evaluate(eq("n", number("1.05E1")), item));
    EXPECT_TRUE(evaluate(lt("n", 11), item));
    EXPECT_TRUE(evaluate(gt("n", number("10.4999999999999999999999999999999999")), item));
    EXPECT_FALSE(evaluate(gt("n", number("10.5")), item));
    EXPECT_TRUE(evaluate(ge("n", number("10.5")), item));
    EXPECT_TRUE(evaluate(between("n", 10, 11), item));
    EXPECT_FALSE(evaluate(between("n", 11, 12), item));
    EXPECT_TRUE(evaluate(in("n", {1, number("10.50000")}), item));
    EXPECT_TRUE(evaluate(gt("n", -100), item));
}

TEST(condition_evaluator, strings_and_binaries_compare_by_bytes)
{
    EXPECT_TRUE(evaluate(lt("s", "abd"), item));
    EXPECT_TRUE(evaluate(gt("s", "ab"), item));
    EXPECT_TRUE(evaluate(gt("utf8", "z"), item));  // 0xc3 > 'z' as an unsigned byte
    EXPECT_TRUE(evaluate(le("utf8", "\xc3\xa9"), item));
    EXPECT_TRUE(evaluate(gt("b", bytes_of({0x01, 0x7f})), item));  // 0xff > 0x7f unsigned
    EXPECT_TRUE(evaluate(lt("b", bytes_of({0x02})), item));
    EXPECT_TRUE(evaluate(begins_with("s", "ab"), item));
    EXPECT_FALSE(evaluate(begins_with("s", "b"), item));
    EXPECT_TRUE(evaluate(begins_with("b", bytes_of({0x01})), item));
    EXPECT_FALSE(evaluate(begins_with("b", "a"), item));
}

TEST(condition_evaluator, type_mismatches_are_false)
{
    EXPECT_FALSE(evaluate(eq("n", "10.5"), item));
    EXPECT_FALSE(evaluate(lt("s", 5), item));
    EXPECT_FALSE(evaluate(gt("s", 5), item));
    EXPECT_FALSE(evaluate(between("s", "a", 5), item));
    EXPECT_FALSE(evaluate(lt("flag", true), item));
    EXPECT_FALSE(evaluate(begins_with("n", "1"), item));
    // `<>` of two types: they are not equal.
    EXPECT_TRUE(evaluate(ne("n", "10.5"), item));
    EXPECT_FALSE(evaluate(ne("n", number("10.5")), item));
}

TEST(condition_evaluator, a_missing_attribute_fails_all_but_ne_and_not_exists)
{
    EXPECT_FALSE(evaluate(eq("gone", 1), item));
    EXPECT_FALSE(evaluate(lt("gone", 1), item));
    EXPECT_FALSE(evaluate(gt("gone", 1), item));
    EXPECT_FALSE(evaluate(between("gone", 1, 2), item));
    EXPECT_FALSE(evaluate(in("gone", {1, 2}), item));
    EXPECT_FALSE(evaluate(begins_with("gone", "a"), item));
    EXPECT_FALSE(evaluate(contains("gone", "a"), item));
    EXPECT_FALSE(evaluate(attribute_exists("gone"), item));
    EXPECT_FALSE(evaluate(attribute_type("gone", attribute_value::kind::s), item));
    EXPECT_TRUE(evaluate(ne("gone", 1), item));
    EXPECT_TRUE(evaluate(attribute_not_exists("gone"), item));
    EXPECT_TRUE(evaluate(!eq("gone", 1), item));
}

TEST(condition_evaluator, functions)
{
    EXPECT_TRUE(evaluate(attribute_exists("nothing"), item));
    EXPECT_TRUE(evaluate(attribute_type("nothing", attribute_value::kind::null), item));
    EXPECT_TRUE(evaluate(attribute_type("ns", attribute_value::kind::ns), item));
    EXPECT_FALSE(evaluate(attribute_type("ns", attribute_value::kind::n), item));
    EXPECT_TRUE(evaluate(contains("s", "bc"), item));
    EXPECT_FALSE(evaluate(contains("s", "cb"), item));
    EXPECT_TRUE(evaluate(contains("ss", "y"), item));
    EXPECT_FALSE(evaluate(contains("ss", "z"), item));
    EXPECT_TRUE(evaluate(contains("ns", 2), item));  // 2 == 2.0
    EXPECT_FALSE(evaluate(contains("ns", "2"), item));
    EXPECT_TRUE(evaluate(contains("bs", bytes_of({7})), item));
    EXPECT_TRUE(evaluate(contains("l", 3), item));
    EXPECT_TRUE(evaluate(contains("l", "x"), item));
    EXPECT_FALSE(evaluate(contains("l", "3"), item));
    EXPECT_FALSE(evaluate(contains("n", 1), item));
    EXPECT_TRUE(evaluate(contains("b", bytes_of({0xff})), item));
    EXPECT_TRUE(evaluate(contains("b", bytes_of({0x01, 0xff})), item));
    EXPECT_FALSE(evaluate(contains("b", bytes_of({0xff, 0x01})), item));
    EXPECT_FALSE(evaluate(contains("b", "a"), item));
    // DynamoDB finds an empty binary in every binary, the empty one included.
    EXPECT_TRUE(evaluate(contains("b", bytes{}), item));
    EXPECT_TRUE(evaluate(contains("eb", bytes{}), attribute_map{{"eb", bytes{}}}));
    EXPECT_FALSE(evaluate(contains("eb", bytes_of({1})), attribute_map{{"eb", bytes{}}}));
}

TEST(condition_evaluator, equality_of_documents_and_sets)
{
    EXPECT_TRUE(evaluate(eq("ss", string_set{{"y", "x"}}), item));
    EXPECT_TRUE(evaluate(eq("m", attribute_map{{"k", number("1.0")}}), item));
    EXPECT_FALSE(evaluate(eq("l", attribute_list{3, "x"}), item));
    EXPECT_TRUE(evaluate(eq("nothing", null_value{}), item));
    EXPECT_TRUE(evaluate(eq("flag", true), item));
}

TEST(condition_evaluator, nested_paths)
{
    const document_path in_map =
        document_path::from_segments({path_segment::of_name("m"), path_segment::of_name("k")});
    const document_path in_list =
        document_path::from_segments({path_segment::of_name("l"), path_segment::of_index(1)});
    const document_path past_list =
        document_path::from_segments({path_segment::of_name("l"), path_segment::of_index(2)});
    EXPECT_TRUE(evaluate(eq(in_map, 1), item));
    EXPECT_TRUE(evaluate(eq(in_list, 3), item));
    EXPECT_FALSE(evaluate(attribute_exists(past_list), item));
    EXPECT_FALSE(evaluate(eq(document_path::attribute("m.k"), 1), item));
}

TEST(condition_evaluator, logic)
{
    EXPECT_TRUE(evaluate(condition{}, item));
    EXPECT_TRUE(evaluate(eq("s", "abc") && lt("n", 11), item));
    EXPECT_FALSE(evaluate(eq("s", "abc") && gt("n", 11), item));
    EXPECT_TRUE(evaluate(eq("s", "x") || lt("n", 11), item));
    EXPECT_FALSE(evaluate(eq("s", "x") || gt("n", 11), item));
    EXPECT_TRUE(evaluate(!(eq("s", "x") || gt("n", 11)), item));
}

TEST(condition_evaluator, size_and_two_attributes_are_not_evaluable)
{
    std::string why;
    EXPECT_TRUE(client_evaluable(eq("s", "a") || !in("n", {1, 2}), &why));
    EXPECT_FALSE(client_evaluable(eq("s", "a") && size_of("s") > 1, &why));
    EXPECT_EQ(why, "a > condition on s with size() or a second attribute");
    EXPECT_FALSE(client_evaluable(
        compare(operand::of_path("n"), condition_op::lt, operand::of_path("s")), &why));
    EXPECT_EQ(why, "a < condition on n with size() or a second attribute");
}

TEST(condition_evaluator, keep_matching_and_remove_attributes)
{
    std::vector<attribute_map> items{{{"k", 1}, {"v", "a"}}, {{"k", 2}}, {{"k", 3}, {"v", "c"}}};
    keep_matching(ne("k", 2), items);
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].at("k"), attribute_value(1));
    EXPECT_EQ(items[1].at("k"), attribute_value(3));
    remove_attributes({"k"}, items);
    EXPECT_EQ(items[0], (attribute_map{{"v", "a"}}));
    EXPECT_EQ(items[1], (attribute_map{{"v", "c"}}));
}

}  // namespace
}  // namespace dynomite::detail
