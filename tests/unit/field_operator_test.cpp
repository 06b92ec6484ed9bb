// "field.op" keys: parsing, and the conditions built from them.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/expr/expressions.hpp>

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

namespace dynomite {
namespace {

field_operator parsed(std::string_view key)
{
    field_operator out;
    std::string why;
    EXPECT_FALSE(parse_field_operator(key, out, &why)) << key << ": " << why;
    return out;
}

std::string parse_failure(std::string_view key)
{
    field_operator out = parsed("untouched.lt");
    const field_operator before = out;
    std::string why;
    EXPECT_EQ(parse_field_operator(key, out, &why), errc::invalid_argument) << key;
    EXPECT_EQ(out, before) << "changed on failure";
    return why;
}

std::string text_of(const condition& c)
{
    expression_context ctx;
    return render(c, ctx, expression_kind::filter);
}

template <class F>
std::string thrown_message(F&& f)
{
    try {
        f();
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        return e.diag().message;
    }
    ADD_FAILURE() << "no dynomite::error thrown";
    return {};
}

// The error of the non-throwing form, checked against the throwing one.
std::string make_failure(std::string_view key, const std::vector<attribute_value>& values,
                         bool on_size = false)
{
    const field_operator field = parsed(key);
    condition out = eq("untouched", 1);
    std::string why;
    const error_code ec = on_size ? make_size_condition(field, values, out, &why)
                                  : make_condition(field, values, out, &why);
    EXPECT_EQ(ec, errc::invalid_argument) << key;
    EXPECT_EQ(out, eq("untouched", 1)) << "changed on failure";
    EXPECT_EQ(thrown_message([&] {
                  if (on_size)
                      make_size_condition(field, values);
                  else
                      make_condition(field, values);
              }),
              why);
    return why;
}

TEST(field_operator, parses_each_operator)
{
    const std::vector<std::pair<std::string, field_op>> ops{
        {"eq", field_op::eq},
        {"ne", field_op::ne},
        {"gt", field_op::gt},
        {"gte", field_op::ge},
        {"lt", field_op::lt},
        {"lte", field_op::le},
        {"in", field_op::in},
        {"between", field_op::between},
        {"begins_with", field_op::begins_with},
    };
    for (const auto& [suffix, op] : ops) {
        const field_operator f = parsed("price." + suffix);
        EXPECT_EQ(f.key, "price." + suffix);
        EXPECT_EQ(f.path, document_path("price"));
        EXPECT_EQ(f.op, op) << suffix;
        EXPECT_FALSE(f.negated);
        EXPECT_EQ(to_string(op), suffix);

        const field_operator negated = parsed("price.not_" + suffix);
        EXPECT_EQ(negated.path, document_path("price"));
        EXPECT_EQ(negated.op, op) << suffix;
        EXPECT_TRUE(negated.negated);
    }
}

TEST(field_operator, defaults_to_eq)
{
    const field_operator f = parsed("price");
    EXPECT_EQ(f, (field_operator{"price", "price", field_op::eq, false}));
    EXPECT_EQ(parsed("tags[2]").path, document_path("tags[2]"));
}

TEST(field_operator, keeps_nested_paths)
{
    EXPECT_EQ(parsed("pictures.slide_view"),
              (field_operator{"pictures.slide_view", "pictures.slide_view", field_op::eq, false}));
    EXPECT_EQ(
        parsed("pictures.slide_view.eq"),
        (field_operator{"pictures.slide_view.eq", "pictures.slide_view", field_op::eq, false}));
    EXPECT_EQ(parsed("a.b[0].not_in"),
              (field_operator{"a.b[0].not_in", "a.b[0]", field_op::in, true}));
    EXPECT_EQ(parsed("price.between.lt").path, document_path("price.between"));
}

TEST(field_operator, matches_operators_in_any_case)
{
    EXPECT_EQ(parsed("price.LT"), (field_operator{"price.LT", "price", field_op::lt, false}));
    EXPECT_EQ(parsed("price.Lte").op, field_op::le);
    EXPECT_EQ(parsed("price.Begins_With").op, field_op::begins_with);
    EXPECT_EQ(parsed("tag.NOT_IN"), (field_operator{"tag.NOT_IN", "tag", field_op::in, true}));
    EXPECT_EQ(parsed("tag.Not_Between"),
              (field_operator{"tag.Not_Between", "tag", field_op::between, true}));
}

TEST(field_operator, refuses_last_names_that_resemble_an_operator)
{
    for (const char* key :
         {"price.like", "price.LIKE", "price.lessthan", "price.less_than", "price.neq",
          "price.le", "price.GE", "price.not_like", "price.not_", "price.not", "price.not_not_eq",
          "price.notin", "price.contains", "price.exists", "price.btween", "price.betwen",
          "name.begin_with", "name.beginswith", "name.begins-with", "name.startswith",
          "price. lt", "price.equals", "a.b.like"}) {
        const std::string why = parse_failure(key);
        EXPECT_NE(why.find("unknown operator"), std::string::npos) << key << ": " << why;
        EXPECT_NE(why.find("eq, ne, lt, lte, gt, gte, in, between and begins_with"),
                  std::string::npos)
            << why;
    }
    EXPECT_EQ(parse_failure("price.like"),
              "field key \"price.like\": unknown operator \"like\"; the operators are eq, ne, lt, "
              "lte, gt, gte, in, between and begins_with, in any case, each also after \"not_\". "
              "For the nested path itself, name the operator apart: where(\"price.like\", \"eq\", "
              "value)");
}

TEST(field_operator, keeps_other_last_names_as_nested_paths)
{
    for (const char* key : {"pictures.slide_view", "address.city", "price.lt[0]", "price.gte2",
                            "delivery.late", "fence.gate", "a.inline", "a.b.lite", "x.id", "user.notes", "a.nothing"}) {
        const field_operator f = parsed(key);
        EXPECT_EQ(f.path, document_path(key)) << key;
        EXPECT_EQ(f.op, field_op::eq) << key;
        EXPECT_FALSE(f.negated) << key;
    }
}

TEST(field_operator, takes_operator_words_alone_as_field_names)
{
    for (const char* key : {"lt", "in", "between", "not_eq", "size", "name"}) {
        const field_operator f = parsed(key);
        EXPECT_EQ(f.path, document_path::attribute(key)) << key;
        EXPECT_EQ(f.op, field_op::eq);
        EXPECT_FALSE(f.negated);
    }
}

TEST(field_operator, refuses_bad_keys)
{
    EXPECT_EQ(parse_failure(""), "empty field key");
    EXPECT_EQ(parse_failure(".lt"), "field key \".lt\" has an operator but no path");
    EXPECT_EQ(parse_failure(".not_in"), "field key \".not_in\" has an operator but no path");
    EXPECT_EQ(parse_failure(".price"),
              "field key \".price\": invalid document path \".price\" at position 0: a path "
              "starts with an attribute name, not '.'");
    EXPECT_EQ(parse_failure("a..lt"),
              "field key \"a..lt\": invalid document path \"a.\" at position 2: empty name "
              "after '.'");
    EXPECT_EQ(parse_failure("price."),
              "field key \"price.\": invalid document path \"price.\" at position 6: empty name "
              "after '.'");
    EXPECT_EQ(parse_failure("a[x].gt"),
              "field key \"a[x].gt\": invalid document path \"a[x]\" at position 2: a list index "
              "is a decimal number");
    EXPECT_EQ(parse_failure("tags[1"),
              "field key \"tags[1\": invalid document path \"tags[1\" at position 4: unclosed "
              "'['");

    field_operator out;
    EXPECT_EQ(parse_field_operator("", out), errc::invalid_argument);
    EXPECT_EQ(parse_field_operator(".lt", out), errc::invalid_argument);
    EXPECT_EQ(parse_field_operator("a..b", out), errc::invalid_argument);
    EXPECT_EQ(thrown_message([] { parse_field_operator("a..b"); }),
              "field key \"a..b\": invalid document path \"a..b\" at position 2: empty name "
              "after '.'");
    EXPECT_EQ(parse_field_operator("price.gte").op, field_op::ge);
}

TEST(field_operator, bounds_messages_for_huge_keys)
{
    const std::string key = std::string(100000, '.') + "lt";
    const std::string why = parse_failure(key);
    EXPECT_LT(why.size(), 300u) << why;
    const std::string long_name(max_attribute_name_length + 1, 'n');
    EXPECT_LT(parse_failure(long_name + ".gt").size(), 300u);
}

// Keys built from the pieces the parser cares about: it returns a result or an error,
// never anything else, and a result keeps the key and a non-empty path.
TEST(field_operator, survives_random_keys)
{
    const std::array<std::string_view, 14> pieces{".",       "[",  "]",  "0", "12",  "not_", "lt",
                                                  "between", "in", "eq", "a", "b c", "\xFF", ""};
    std::mt19937 rng(7);
    for (int round = 0; round < 20000; ++round) {
        std::string key;
        const int count = static_cast<int>(rng() % 8);
        for (int k = 0; k < count; ++k) key += pieces[rng() % pieces.size()];
        field_operator f;
        std::string why;
        if (parse_field_operator(key, f, &why)) {
            EXPECT_FALSE(why.empty()) << key;
            continue;
        }
        EXPECT_EQ(f.key, key);
        EXPECT_FALSE(f.path.empty()) << key;
    }
}

// Conditions.

TEST(field_operator, builds_comparisons)
{
    EXPECT_EQ(make_condition(parsed("price.lt"), 1000), lt("price", 1000));
    EXPECT_EQ(make_condition(parsed("price"), 5), eq("price", 5));
    EXPECT_EQ(make_condition(parsed("price.eq"), 5), eq("price", 5));
    EXPECT_EQ(make_condition(parsed("price.ne"), 5), ne("price", 5));
    EXPECT_EQ(make_condition(parsed("price.lte"), 5), le("price", 5));
    EXPECT_EQ(make_condition(parsed("price.gt"), 5), gt("price", 5));
    EXPECT_EQ(make_condition(parsed("price.gte"), 5), ge("price", 5));
    EXPECT_EQ(text_of(make_condition(parsed("pictures.slide_view.gte"), 5)), "#n0.#n1 >= :v0");
    // One list value compared with eq stays one value; a vector is the list of values.
    EXPECT_EQ(make_condition(parsed("tags"), attribute_value(attribute_list{"a", "b"})),
              eq("tags", attribute_list{"a", "b"}));
    EXPECT_EQ(make_condition(parsed("tags"), {attribute_value(attribute_list{"a"})}),
              eq("tags", attribute_list{"a"}));
    EXPECT_EQ(make_condition(parsed("tags"), attribute_list{"a"}), eq("tags", "a"));
}

TEST(field_operator, builds_in_from_values_or_one_list)
{
    const condition expected = in("id", {1, 2, 3});
    EXPECT_EQ(make_condition(parsed("id.in"), {1, 2, 3}), expected);
    EXPECT_EQ(make_condition(parsed("id.in"), attribute_value(attribute_list{1, 2, 3})), expected);
    EXPECT_EQ(make_condition(parsed("id.in"), {attribute_value(attribute_list{1, 2, 3})}),
              expected);
    const std::vector<attribute_value> values{1, 2, 3};
    EXPECT_EQ(make_condition(parsed("id.in"), values), expected);
    EXPECT_EQ(make_condition(parsed("id.in"), std::span<const attribute_value>(values)), expected);
    EXPECT_EQ(make_condition(parsed("id.in"), 7), in("id", {7}));
    EXPECT_EQ(text_of(expected), "#n0 IN (:v0, :v1, :v2)");
}

TEST(field_operator, builds_between_from_two_values_or_one_list)
{
    const condition expected = between("price", 10, 20);
    EXPECT_EQ(make_condition(parsed("price.between"), {10, 20}), expected);
    EXPECT_EQ(make_condition(parsed("price.between"), attribute_value(attribute_list{10, 20})),
              expected);
    EXPECT_EQ(text_of(expected), "#n0 BETWEEN :v0 AND :v1");
}

TEST(field_operator, builds_begins_with)
{
    EXPECT_EQ(make_condition(parsed("category.begins_with"), "Elect"),
              begins_with("category", "Elect"));
    EXPECT_EQ(make_condition(parsed("blob.begins_with"), to_bytes("ab")),
              begins_with("blob", to_bytes("ab")));
}

TEST(field_operator, negates_with_not)
{
    EXPECT_EQ(make_condition(parsed("price.not_eq"), 5), !eq("price", 5));
    EXPECT_EQ(text_of(make_condition(parsed("price.not_eq"), 5)), "NOT (#n0 = :v0)");
    EXPECT_EQ(text_of(make_condition(parsed("price.not_gt"), 5)), "NOT (#n0 > :v0)");
    EXPECT_EQ(text_of(make_condition(parsed("id.not_in"), {1, 2})), "NOT (#n0 IN (:v0, :v1))");
    EXPECT_EQ(text_of(make_condition(parsed("price.not_between"), {1, 2})),
              "NOT (#n0 BETWEEN :v0 AND :v1)");
    EXPECT_EQ(text_of(make_condition(parsed("name.not_begins_with"), "x")),
              "NOT begins_with(#n0, :v0)");
}

TEST(field_operator, builds_size_conditions)
{
    EXPECT_EQ(make_size_condition(parsed("category.gt"), 100), size_of("category") > 100);
    EXPECT_EQ(text_of(make_size_condition(parsed("category.gt"), 100)), "size(#n0) > :v0");
    EXPECT_EQ(text_of(make_size_condition(parsed("tags"), 2)), "size(#n0) = :v0");
    EXPECT_EQ(text_of(make_size_condition(parsed("tags.between"), {1, 3})),
              "size(#n0) BETWEEN :v0 AND :v1");
    EXPECT_EQ(
        text_of(make_size_condition(parsed("tags.in"), attribute_value(attribute_list{1, 3}))),
        "size(#n0) IN (:v0, :v1)");
    EXPECT_EQ(text_of(make_size_condition(parsed("tags.not_lt"), 2)), "NOT (size(#n0) < :v0)");
    const std::vector<attribute_value> values{4};
    EXPECT_EQ(make_size_condition(parsed("tags.lte"), values), size_of("tags") <= 4);
    EXPECT_EQ(make_size_condition(parsed("tags.lte"), std::span<const attribute_value>(values)),
              size_of("tags") <= 4);
}

TEST(field_operator, refuses_wrong_value_counts)
{
    EXPECT_EQ(make_failure("price.between", {1, 2, 3}),
              "\"price.between\" needs exactly 2 values, got 3");
    EXPECT_EQ(make_failure("price.between", {1}),
              "\"price.between\" needs exactly 2 values, got 1");
    EXPECT_EQ(make_failure("price.between", {attribute_value(attribute_list{1, 2, 3})}),
              "\"price.between\" needs exactly 2 values, got 3");
    EXPECT_EQ(make_failure("price.not_between", {}),
              "\"price.not_between\" needs exactly 2 values, got 0");
    EXPECT_EQ(make_failure("price.lt", {}), "\"price.lt\" needs exactly 1 value, got 0");
    EXPECT_EQ(make_failure("price", {1, 2}), "\"price\" needs exactly 1 value, got 2");
    EXPECT_EQ(make_failure("name.begins_with", {"a", "b"}),
              "\"name.begins_with\" needs exactly 1 value, got 2");
    EXPECT_EQ(make_failure("id.in", {}), "\"id.in\" needs 1 to 100 values, got 0");
    EXPECT_EQ(make_failure("id.in", {attribute_value(attribute_list{})}),
              "\"id.in\" needs 1 to 100 values, got 0");
    std::vector<attribute_value> many;
    for (int k = 0; k < 101; ++k) many.emplace_back(k);
    EXPECT_EQ(make_failure("id.in", many), "\"id.in\" needs 1 to 100 values, got 101");
    EXPECT_EQ(make_failure("id.in", {attribute_value(many)}),
              "\"id.in\" needs 1 to 100 values, got 101");
    many.pop_back();
    EXPECT_EQ(make_condition(parsed("id.in"), many).arguments().size(), 100u);
}

TEST(field_operator, refuses_wrong_value_types)
{
    EXPECT_EQ(make_failure("name.begins_with", {12}),
              "\"name.begins_with\" needs a string or binary value, got N");
    EXPECT_EQ(make_failure("name.begins_with", {attribute_value(attribute_list{"a"})}),
              "\"name.begins_with\" needs a string or binary value, got L");
    EXPECT_EQ(make_failure("tags.begins_with", {"a"}, true),
              "\"tags.begins_with\" does not apply to size()");
    EXPECT_EQ(make_failure("price.between", {20, 10}),
              "\"price.between\": \"price\": BETWEEN bounds in reverse order (the low bound is "
              "above the high one)");
    EXPECT_EQ(make_failure("tags.between", {5, 1}, true),
              "\"tags.between\": \"size(tags)\": BETWEEN bounds in reverse order (the low bound "
              "is above the high one)");
}

TEST(field_operator, refuses_a_field_without_path)
{
    const field_operator none;
    const std::vector<attribute_value> one{1};
    condition out;
    std::string why;
    EXPECT_EQ(make_condition(none, one, out, &why), errc::invalid_argument);
    EXPECT_EQ(why, "\"\" has no path");
    EXPECT_EQ(make_size_condition(none, one, out), errc::invalid_argument);
    EXPECT_EQ(thrown_message([&] { make_condition(none, 1); }), "\"\" has no path");
    EXPECT_EQ(thrown_message([&] { make_size_condition(none, {1}); }), "\"\" has no path");
    EXPECT_TRUE(out.empty());
}

TEST(field_operator, non_throwing_forms_report_without_why)
{
    condition out;
    const std::vector<attribute_value> three{1, 2, 3};
    EXPECT_EQ(make_condition(parsed("a.between"), three, out), errc::invalid_argument);
    const std::vector<attribute_value> reversed{3, 1};
    EXPECT_EQ(make_condition(parsed("a.between"), reversed, out), errc::invalid_argument);
    const std::vector<attribute_value> two{1, 3};
    EXPECT_FALSE(make_condition(parsed("a.between"), two, out));
    EXPECT_EQ(out, between("a", 1, 3));
    EXPECT_FALSE(make_size_condition(parsed("a.between"), two, out));
    EXPECT_EQ(out, between(size_of("a"), 1, 3));
}

}  // namespace
}  // namespace dynomite
