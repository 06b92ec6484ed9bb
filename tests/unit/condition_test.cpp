// Conditions: building, inspecting and rendering with placeholders.
#include <dynomite/expr/condition.hpp>
#include <dynomite/core/diagnostics.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace dynomite {
namespace {

using entries = std::vector<std::pair<std::string, attribute_value>>;

// The values in allocation order, which attribute_map's equality does not look at.
entries in_order(const attribute_map& values)
{
    return entries(values.begin(), values.end());
}

struct rendered {
    std::string text;
    expression_names names;
    entries values;
};

rendered render_alone(const condition& c)
{
    expression_context ctx;
    rendered r;
    r.text = render(c, ctx);
    r.names = ctx.names();
    r.values = in_order(ctx.values());
    return r;
}

std::string text_of(const condition& c)
{
    return render_alone(c).text;
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

TEST(condition, renders_each_comparison)
{
    const std::vector<std::pair<condition, std::string>> cases{
        {eq("price", 10), "#n0 = :v0"}, {ne("price", 10), "#n0 <> :v0"},
        {lt("price", 10), "#n0 < :v0"}, {le("price", 10), "#n0 <= :v0"},
        {gt("price", 10), "#n0 > :v0"}, {ge("price", 10), "#n0 >= :v0"},
    };
    for (const auto& [c, text] : cases) {
        const rendered r = render_alone(c);
        EXPECT_EQ(r.text, text);
        EXPECT_EQ(r.names, (expression_names{{"#n0", "price"}}));
        EXPECT_EQ(r.values, (entries{{":v0", 10}}));
    }
}

TEST(condition, sends_every_name_through_a_placeholder)
{
    for (const char* name : {"size", "name", "year", "my-field", "a b", "#n0", ":v0"}) {
        const rendered r = render_alone(eq(name, "x"));
        EXPECT_EQ(r.text, "#n0 = :v0") << name;
        EXPECT_EQ(r.names, (expression_names{{"#n0", name}}));
        EXPECT_EQ(r.values, (entries{{":v0", "x"}}));
    }
}

TEST(condition, renders_nested_paths)
{
    const rendered r = render_alone(eq("pictures.slide_view[2].name", "a.png"));
    EXPECT_EQ(r.text, "#n0.#n1[2].#n2 = :v0");
    EXPECT_EQ(r.names,
              (expression_names{{"#n0", "pictures"}, {"#n1", "slide_view"}, {"#n2", "name"}}));
    EXPECT_EQ(render_alone(eq(document_path::attribute("a.b"), 1)).names,
              (expression_names{{"#n0", "a.b"}}));
}

TEST(condition, reuses_name_placeholders_but_never_value_ones)
{
    const rendered r = render_alone(eq("price", 1) || eq("price", 1) || eq("cost.price", 1));
    EXPECT_EQ(r.text, "#n0 = :v0 OR #n0 = :v1 OR #n1.#n0 = :v2");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "price"}, {"#n1", "cost"}}));
    EXPECT_EQ(r.values, (entries{{":v0", 1}, {":v1", 1}, {":v2", 1}}));
}

TEST(condition, renders_between_and_in)
{
    rendered r = render_alone(between("price", 10, 20));
    EXPECT_EQ(r.text, "#n0 BETWEEN :v0 AND :v1");
    EXPECT_EQ(r.values, (entries{{":v0", 10}, {":v1", 20}}));

    r = render_alone(in("category", {"Books", "Games", "Books"}));
    EXPECT_EQ(r.text, "#n0 IN (:v0, :v1, :v2)");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "category"}}));
    EXPECT_EQ(r.values, (entries{{":v0", "Books"}, {":v1", "Games"}, {":v2", "Books"}}));

    EXPECT_EQ(text_of(in("id", {7})), "#n0 IN (:v0)");
}

TEST(condition, limits_in_to_100_values)
{
    std::vector<attribute_value> values;
    for (int k = 0; k < 100; ++k) values.emplace_back(k);
    const rendered r = render_alone(in("id", values));
    EXPECT_EQ(r.values.size(), 100u);
    EXPECT_TRUE(r.text.ends_with(", :v99)"));

    values.emplace_back(100);
    EXPECT_EQ(thrown_message([&] { in("id", values); }),
              "\"id\": IN takes 1 to 100 values, got 101");
    EXPECT_EQ(thrown_message([] { in("id", {}); }), "\"id\": IN takes 1 to 100 values, got 0");
    EXPECT_EQ(thrown_message([] { in(size_of("tags"), {}); }),
              "\"size(tags)\": IN takes 1 to 100 values, got 0");
}

TEST(condition, renders_functions)
{
    rendered r = render_alone(attribute_exists("pictures.slide_view"));
    EXPECT_EQ(r.text, "attribute_exists(#n0.#n1)");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "pictures"}, {"#n1", "slide_view"}}));
    EXPECT_TRUE(r.values.empty());

    EXPECT_EQ(text_of(attribute_not_exists("id")), "attribute_not_exists(#n0)");

    r = render_alone(begins_with("category", "Elect"));
    EXPECT_EQ(r.text, "begins_with(#n0, :v0)");
    EXPECT_EQ(r.values, (entries{{":v0", "Elect"}}));

    r = render_alone(contains("tags", "sale"));
    EXPECT_EQ(r.text, "contains(#n0, :v0)");
    EXPECT_EQ(r.values, (entries{{":v0", "sale"}}));

    r = render_alone(attribute_type("tags", attribute_value::kind::ss));
    EXPECT_EQ(r.text, "attribute_type(#n0, :v0)");
    EXPECT_EQ(r.values, (entries{{":v0", "SS"}}));
}

TEST(condition, names_every_attribute_type)
{
    using k = attribute_value::kind;
    const std::vector<std::pair<k, std::string>> types{
        {k::s, "S"},   {k::ss, "SS"},        {k::n, "N"},       {k::ns, "NS"}, {k::b, "B"},
        {k::bs, "BS"}, {k::boolean, "BOOL"}, {k::null, "NULL"}, {k::l, "L"},   {k::m, "M"},
    };
    for (const auto& [type, name] : types) {
        const condition c = attribute_type("a", type);
        EXPECT_EQ(c.arguments()[0].value(), attribute_value(name));
        EXPECT_EQ(render_alone(c).values, (entries{{":v0", name}}));
    }
    EXPECT_EQ(thrown_message([] { attribute_type("a", static_cast<k>(42)); }),
              "\"a\": attribute_type with an unknown type (42)");
}

TEST(condition, begins_with_takes_a_string_or_binary_prefix)
{
    EXPECT_EQ(render_alone(begins_with("blob", to_bytes("ab"))).values,
              (entries{{":v0", to_bytes("ab")}}));
    EXPECT_EQ(thrown_message([] { begins_with("code", 12); }),
              "\"code\": begins_with needs a string or binary prefix, got N");
    EXPECT_EQ(thrown_message([] { begins_with("code", string_set{{"a"}}); }),
              "\"code\": begins_with needs a string or binary prefix, got SS");
}

TEST(condition, compares_sizes)
{
    rendered r = render_alone(size_of("tags") > 3);
    EXPECT_EQ(r.text, "size(#n0) > :v0");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "tags"}}));
    EXPECT_EQ(r.values, (entries{{":v0", 3}}));

    EXPECT_EQ(text_of(size_of("tags") < 3), "size(#n0) < :v0");
    EXPECT_EQ(text_of(size_of("tags") <= 3), "size(#n0) <= :v0");
    EXPECT_EQ(text_of(size_of("tags") >= 3), "size(#n0) >= :v0");
    EXPECT_EQ(text_of(eq(size_of("tags"), 3)), "size(#n0) = :v0");
    EXPECT_EQ(text_of(ne(size_of("tags"), 3)), "size(#n0) <> :v0");
    EXPECT_EQ(text_of(lt(size_of("tags"), 3)), "size(#n0) < :v0");
    EXPECT_EQ(text_of(le(size_of("tags"), 3)), "size(#n0) <= :v0");
    EXPECT_EQ(text_of(gt(size_of("tags"), 3)), "size(#n0) > :v0");
    EXPECT_EQ(text_of(ge(size_of("a.size"), 3)), "size(#n0.#n1) >= :v0");
    EXPECT_EQ(text_of(between(size_of("tags"), 1, 5)), "size(#n0) BETWEEN :v0 AND :v1");
    EXPECT_EQ(text_of(in(size_of("tags"), {1, 2})), "size(#n0) IN (:v0, :v1)");
    EXPECT_EQ(size_of("tags") > 3, gt(size_of("tags"), 3));
}

TEST(condition, compares_attributes_with_each_other)
{
    rendered r = render_alone(
        compare(operand::of_path("price"), condition_op::lt, operand::of_path("list.price")));
    EXPECT_EQ(r.text, "#n0 < #n1.#n0");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "price"}, {"#n1", "list"}}));
    EXPECT_TRUE(r.values.empty());

    EXPECT_EQ(text_of(compare(size_of("a"), condition_op::ge, operand::of_size("b"))),
              "size(#n0) >= size(#n1)");
    EXPECT_EQ(text_of(compare(operand::of_path("a"), condition_op::ne, operand::of_value(1))),
              "#n0 <> :v0");
    EXPECT_EQ(thrown_message([] {
                  compare(operand::of_path("a"), condition_op::between, operand::of_value(1));
              }),
              "compare() takes =, <>, <, <=, > or >=, not BETWEEN");
    EXPECT_EQ(thrown_message(
                  [] { compare(operand::of_value(1), condition_op::eq, operand::of_value(1)); }),
              "the subject of a condition is a path or size(path), not a value");
    EXPECT_EQ(thrown_message([] { eq(operand::of_value(1), 2); }),
              "the subject of a condition is a path or size(path), not a value");
    EXPECT_EQ(thrown_message([] { between(operand::of_value(1), 2, 3); }),
              "the subject of a condition is a path or size(path), not a value");
    EXPECT_EQ(thrown_message([] { in(operand::of_value(1), {2}); }),
              "the subject of a condition is a path or size(path), not a value");
}

TEST(condition, refuses_empty_paths)
{
    const std::string message = "empty document path in a condition";
    EXPECT_EQ(thrown_message([] { eq(document_path(), 1); }), message);
    EXPECT_EQ(thrown_message([] { between(document_path(), 1, 2); }), message);
    EXPECT_EQ(thrown_message([] { in(document_path(), {1}); }), message);
    EXPECT_EQ(thrown_message([] { attribute_exists(document_path()); }), message);
    EXPECT_EQ(thrown_message([] { attribute_not_exists(document_path()); }), message);
    EXPECT_EQ(thrown_message([] { attribute_type(document_path(), attribute_value::kind::s); }),
              message);
    EXPECT_EQ(thrown_message([] { begins_with(document_path(), "a"); }), message);
    EXPECT_EQ(thrown_message([] { contains(document_path(), "a"); }), message);
    EXPECT_EQ(thrown_message([] { size_of(document_path()); }),
              "size() of the empty document path");
}

TEST(condition, refuses_between_bounds_in_reverse_order)
{
    const std::string message =
        "\"price\": BETWEEN bounds in reverse order (the low bound is above the high one)";
    EXPECT_EQ(thrown_message([] { between("price", 20, 10); }), message);
    EXPECT_EQ(thrown_message([] { between("price", number("1e3"), number("999.5")); }), message);
    EXPECT_EQ(thrown_message([] { between("price", "b", "a"); }), message);
    EXPECT_EQ(thrown_message([] { between("price", "ab", "a"); }), message);
    EXPECT_EQ(thrown_message([] { between("price", to_bytes("\x80"), to_bytes("\x7f")); }),
              message);
    EXPECT_EQ(thrown_message([] { between(size_of("tags"), 5, 1); }),
              "\"size(tags)\": BETWEEN bounds in reverse order (the low bound is above the "
              "high one)");
    // Equal bounds, ordered bounds and bounds of different types are DynamoDB's to judge.
    EXPECT_NO_THROW(between("price", 10, 10));
    EXPECT_NO_THROW(between("price", number("-5"), number("1e-3")));
    EXPECT_NO_THROW(between("name", "a", "b"));
    EXPECT_NO_THROW(between("name", "Z", "a"));
    EXPECT_NO_THROW(between("blob", to_bytes("\x7f"), to_bytes("\x80")));
    EXPECT_NO_THROW(between("mixed", "z", 1));
    EXPECT_NO_THROW(between("flags", true, false));
}

TEST(condition, groups_or_inside_and)
{
    const condition a = eq("a", 1), b = eq("b", 2), c = eq("c", 3);
    EXPECT_EQ(text_of(a && b), "#n0 = :v0 AND #n1 = :v1");
    EXPECT_EQ(text_of(a || b), "#n0 = :v0 OR #n1 = :v1");
    EXPECT_EQ(text_of((a || b) && c), "(#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2");
    EXPECT_EQ(text_of(c && (a || b)), "#n0 = :v0 AND (#n1 = :v1 OR #n2 = :v2)");
    EXPECT_EQ(text_of((a && b) || c), "#n0 = :v0 AND #n1 = :v1 OR #n2 = :v2");
    EXPECT_EQ(text_of(a || (b && c)), "#n0 = :v0 OR #n1 = :v1 AND #n2 = :v2");
    EXPECT_EQ(text_of((a || b) && (c || a)),
              "(#n0 = :v0 OR #n1 = :v1) AND (#n2 = :v2 OR #n0 = :v3)");
    EXPECT_EQ(text_of((a && b) || (c && a)), "#n0 = :v0 AND #n1 = :v1 OR #n2 = :v2 AND #n0 = :v3");
}

TEST(condition, groups_the_operand_of_not)
{
    const condition a = eq("a", 1), b = eq("b", 2), c = eq("c", 3);
    EXPECT_EQ(text_of(!a), "NOT (#n0 = :v0)");
    EXPECT_EQ(text_of(!attribute_exists("a")), "NOT attribute_exists(#n0)");
    EXPECT_EQ(text_of(!begins_with("a", "x")), "NOT begins_with(#n0, :v0)");
    EXPECT_EQ(text_of(!between("a", 1, 2)), "NOT (#n0 BETWEEN :v0 AND :v1)");
    EXPECT_EQ(text_of(!in("a", {1})), "NOT (#n0 IN (:v0))");
    EXPECT_EQ(text_of(!(a && b)), "NOT (#n0 = :v0 AND #n1 = :v1)");
    EXPECT_EQ(text_of(!(a || b)), "NOT (#n0 = :v0 OR #n1 = :v1)");
    EXPECT_EQ(text_of(!!a), "NOT (NOT (#n0 = :v0))");
    EXPECT_EQ(text_of(!(a || b) && c), "NOT (#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2");
    EXPECT_EQ(text_of((!a || b) && c), "(NOT (#n0 = :v0) OR #n1 = :v1) AND #n2 = :v2");
    EXPECT_EQ(text_of(!a || !attribute_exists("b")),
              "NOT (#n0 = :v0) OR NOT attribute_exists(#n1)");
}

TEST(condition, keeps_and_and_or_flat)
{
    const condition a = eq("a", 1), b = eq("b", 2), c = eq("c", 3), d = eq("d", 4);
    const condition all = (a && b) && (c && d);
    EXPECT_EQ(all.op(), condition_op::and_);
    EXPECT_EQ(all.children().size(), 4u);
    EXPECT_EQ(all.depth(), 2u);
    EXPECT_EQ(all, a && (b && (c && d)));
    EXPECT_EQ(text_of(all), "#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2 AND #n3 = :v3");

    const condition any = a || (b || c);
    EXPECT_EQ(any.op(), condition_op::or_);
    EXPECT_EQ(any.children().size(), 3u);

    const condition mixed = (a || b) && c && (d || a);
    EXPECT_EQ(mixed.children().size(), 3u);
    EXPECT_EQ(mixed.depth(), 3u);
}

TEST(condition, empty_condition_vanishes_in_and_and_or)
{
    const condition none;
    const condition a = eq("a", 1);
    EXPECT_TRUE(none.empty());
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(none && a, a);
    EXPECT_EQ(a && none, a);
    EXPECT_EQ(none || a, a);
    EXPECT_EQ(a || none, a);
    EXPECT_TRUE((none && none).empty());
    EXPECT_TRUE((none || none).empty());

    condition built;
    for (const char* field : {"x", "y"}) built = built && eq(field, 1);
    EXPECT_EQ(built, eq("x", 1) && eq("y", 1));
}

TEST(condition, empty_condition_has_nothing_to_show)
{
    const condition none;
    EXPECT_EQ(thrown_message([&] { (void)!none; }), "NOT of the empty condition");
    EXPECT_EQ(thrown_message([&] { none.op(); }), "the empty condition has no operator");
    EXPECT_EQ(thrown_message([&] { none.subject(); }), "the empty condition has no subject");
    EXPECT_FALSE(none.is_logical());
    EXPECT_TRUE(none.arguments().empty());
    EXPECT_TRUE(none.children().empty());
    EXPECT_TRUE(none.conjuncts().empty());
    EXPECT_EQ(none.depth(), 0u);
    EXPECT_EQ(none, condition());
    EXPECT_NE(none, eq("a", 1));
    EXPECT_NE(eq("a", 1), none);
}

TEST(condition, lists_conjuncts_for_the_query_planner)
{
    const condition c = eq("pk", "user#1") && begins_with("sk", "order#") &&
                        (gt("total", 100) || attribute_exists("vip")) && !eq("status", "void");
    const std::vector<condition> terms = c.conjuncts();
    ASSERT_EQ(terms.size(), 4u);

    EXPECT_EQ(terms[0].op(), condition_op::eq);
    EXPECT_FALSE(terms[0].is_logical());
    EXPECT_EQ(terms[0].path(), document_path("pk"));
    EXPECT_EQ(terms[0].subject().type(), operand::kind::path);
    ASSERT_EQ(terms[0].arguments().size(), 1u);
    EXPECT_EQ(terms[0].arguments()[0].value(), attribute_value("user#1"));
    EXPECT_TRUE(terms[0].children().empty());

    EXPECT_EQ(terms[1].op(), condition_op::begins_with);
    EXPECT_EQ(terms[1].path(), document_path("sk"));
    EXPECT_EQ(terms[1].arguments()[0].value(), attribute_value("order#"));

    EXPECT_EQ(terms[2].op(), condition_op::or_);
    EXPECT_TRUE(terms[2].is_logical());
    EXPECT_EQ(terms[2].children().size(), 2u);
    EXPECT_TRUE(terms[2].arguments().empty());
    EXPECT_EQ(thrown_message([&] { terms[2].path(); }), "a logical condition (OR) has no subject");

    EXPECT_EQ(terms[3].op(), condition_op::not_);
    EXPECT_EQ(terms[3].children()[0], eq("status", "void"));

    EXPECT_EQ(eq("a", 1).conjuncts(), std::vector<condition>{eq("a", 1)});
    EXPECT_EQ((eq("a", 1) || eq("b", 2)).conjuncts().size(), 1u);
}

TEST(condition, exposes_operands_of_every_leaf)
{
    const condition range = between("sk", 1, 9);
    EXPECT_EQ(range.op(), condition_op::between);
    ASSERT_EQ(range.arguments().size(), 2u);
    EXPECT_EQ(range.arguments()[0].value(), attribute_value(1));
    EXPECT_EQ(range.arguments()[1].value(), attribute_value(9));

    const condition set = in("id", {1, 2, 3});
    EXPECT_EQ(set.arguments().size(), 3u);
    EXPECT_EQ(set.arguments()[2].value(), attribute_value(3));

    EXPECT_TRUE(attribute_exists("a").arguments().empty());
    EXPECT_EQ(attribute_exists("a").path(), document_path("a"));

    const condition sized = size_of("tags") > 2;
    EXPECT_EQ(sized.subject().type(), operand::kind::size);
    EXPECT_EQ(sized.path(), document_path("tags"));
    EXPECT_EQ(sized.op(), condition_op::gt);
}

TEST(condition, operands_know_their_kind)
{
    const operand p = operand::of_path("a.b");
    const operand s = operand::of_size("a");
    const operand v = operand::of_value("x");
    EXPECT_EQ(p.type(), operand::kind::path);
    EXPECT_EQ(s.type(), operand::kind::size);
    EXPECT_EQ(v.type(), operand::kind::value);
    EXPECT_EQ(p.path(), document_path("a.b"));
    EXPECT_EQ(s.path(), document_path("a"));
    EXPECT_EQ(v.value(), attribute_value("x"));
    EXPECT_EQ(thrown_message([&] { p.value(); }), "a path operand has no value");
    EXPECT_EQ(thrown_message([&] { s.value(); }), "a path operand has no value");
    EXPECT_EQ(thrown_message([&] { v.path(); }), "a value operand has no path");
    EXPECT_EQ(thrown_message([] { operand::of_path(document_path()); }),
              "empty document path in a condition");
    EXPECT_NE(operand::of_path("a"), operand::of_size("a"));
    EXPECT_EQ(size_of("a"), operand::of_size("a"));
}

TEST(condition, compares_structurally)
{
    EXPECT_EQ(eq("a.b", 1) && in("c", {1, 2}), eq("a.b", 1) && in("c", {1, 2}));
    EXPECT_NE(eq("a", 1), eq("a", 2));
    EXPECT_NE(eq("a", 1), ne("a", 1));
    EXPECT_NE(eq("a", 1), eq("b", 1));
    EXPECT_NE(eq("a", 1) && eq("b", 1), eq("a", 1) || eq("b", 1));
    EXPECT_NE(eq("a", 1) && eq("b", 1), eq("b", 1) && eq("a", 1));
    EXPECT_NE(!eq("a", 1), eq("a", 1));
    const condition original = eq("a", 1);
    const condition copy = original;
    EXPECT_EQ(copy, original);
}

TEST(condition, limits_nesting_depth)
{
    condition c = attribute_exists("a");
    for (std::size_t k = 1; k < max_condition_depth; ++k) c = !c;
    EXPECT_EQ(c.depth(), max_condition_depth);
    EXPECT_EQ(thrown_message([&] { (void)!c; }), "condition nested deeper than 1000 levels");
    EXPECT_EQ(thrown_message([&] { (void)(c && eq("b", 1)); }),
              "condition nested deeper than 1000 levels");
    expression_context ctx;
    std::string out;
    EXPECT_EQ(render(c, ctx, expression_kind::filter, out), errc::invalid_argument)
        << "too long to send anyway";
}

TEST(condition, shares_a_context_between_expressions)
{
    expression_context ctx;
    EXPECT_EQ(
        render(eq("pk", "u1") && begins_with("sk", "o#"), ctx, expression_kind::key_condition),
        "#n0 = :v0 AND begins_with(#n1, :v1)");
    EXPECT_EQ(render(gt("total", 5) && ne("pk", "u2"), ctx, expression_kind::filter),
              "#n2 > :v2 AND #n0 <> :v3");
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "pk"}, {"#n1", "sk"}, {"#n2", "total"}}));
    EXPECT_EQ(in_order(ctx.values()),
              (entries{{":v0", "u1"}, {":v1", "o#"}, {":v2", 5}, {":v3", "u2"}}));
}

TEST(condition, refuses_to_render_the_empty_condition)
{
    expression_context ctx;
    std::string out = "untouched";
    std::string why;
    EXPECT_EQ(render(condition(), ctx, expression_kind::filter, out, &why), errc::invalid_argument);
    EXPECT_EQ(why, "FilterExpression: the condition is empty");
    EXPECT_EQ(out, "untouched");
    EXPECT_EQ(render(condition(), ctx, expression_kind::filter, out), errc::invalid_argument);
    EXPECT_EQ(thrown_message([&] { render(condition(), ctx); }),
              "ConditionExpression: the condition is empty");
    EXPECT_TRUE(ctx.empty());
}

TEST(condition, refuses_expressions_over_4_kb_and_keeps_the_context)
{
    // An IN of 100 values takes about 700 bytes: seven of them do not fit, five do.
    std::vector<attribute_value> values;
    for (int k = 0; k < 100; ++k) values.emplace_back(k);
    condition big;
    for (int k = 0; k < 7; ++k) big = big || in("f" + std::to_string(k), values);

    expression_context ctx;
    EXPECT_EQ(render(eq("pk", 1), ctx, expression_kind::key_condition), "#n0 = :v0");
    std::string out;
    std::string why;
    EXPECT_EQ(render(big, ctx, expression_kind::filter, out, &why), errc::invalid_argument);
    EXPECT_TRUE(why.starts_with("FilterExpression is ")) << why;
    EXPECT_TRUE(why.ends_with(" bytes long; DynamoDB allows at most 4096")) << why;
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "pk"}}));
    EXPECT_EQ(in_order(ctx.values()), (entries{{":v0", 1}}));
    EXPECT_EQ(thrown_message([&] { render(big, ctx, expression_kind::condition); }).substr(0, 23),
              "ConditionExpression is ");

    condition fits;
    for (int k = 0; k < 5; ++k) fits = fits || in("f" + std::to_string(k), values);
    const std::string text = render(fits, ctx, expression_kind::filter);
    EXPECT_LE(text.size(), max_expression_length);
    EXPECT_EQ(ctx.values().size(), 501u);
}

TEST(condition, names_operators)
{
    const std::vector<std::pair<condition_op, std::string>> names{
        {condition_op::eq, "="},
        {condition_op::ne, "<>"},
        {condition_op::lt, "<"},
        {condition_op::le, "<="},
        {condition_op::gt, ">"},
        {condition_op::ge, ">="},
        {condition_op::between, "BETWEEN"},
        {condition_op::in, "IN"},
        {condition_op::attribute_exists, "attribute_exists"},
        {condition_op::attribute_not_exists, "attribute_not_exists"},
        {condition_op::attribute_type, "attribute_type"},
        {condition_op::begins_with, "begins_with"},
        {condition_op::contains, "contains"},
        {condition_op::and_, "AND"},
        {condition_op::or_, "OR"},
        {condition_op::not_, "NOT"},
    };
    for (const auto& [op, name] : names) EXPECT_EQ(to_string(op), name);
}

}  // namespace
}  // namespace dynomite
