// Update expressions: actions, their checks and rendering.
#include <dynomite/expr/condition.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/expr/update_expression.hpp>

#include <gtest/gtest.h>

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

struct rendered {
    std::string text;
    expression_names names;
    entries values;
};

rendered render_alone(const update_expression& u)
{
    expression_context ctx;
    rendered r;
    r.text = render(u, ctx);
    r.names = ctx.names();
    r.values = in_order(ctx.values());
    return r;
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

TEST(update_expression, renders_all_four_clauses)
{
    const rendered r = render_alone(update_expression()
                                        .set("a", 1)
                                        .set_if_not_exists("b", "x")
                                        .remove("c")
                                        .add("d", 5)
                                        .delete_from_set("e", string_set{{"old"}}));
    EXPECT_EQ(r.text,
              "SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1) REMOVE #n2 ADD #n3 :v2 DELETE #n4 :v3");
    EXPECT_EQ(r.names, (expression_names{
                           {"#n0", "a"}, {"#n1", "b"}, {"#n2", "c"}, {"#n3", "d"}, {"#n4", "e"}}));
    EXPECT_EQ(r.values,
              (entries{{":v0", 1}, {":v1", "x"}, {":v2", 5}, {":v3", string_set{{"old"}}}}));
}

TEST(update_expression, orders_clauses_whatever_the_order_of_actions)
{
    const rendered r = render_alone(update_expression()
                                        .delete_from_set("e", number_set{{number(1)}})
                                        .add("d", 2)
                                        .remove("c")
                                        .set("a", 3)
                                        .remove("f")
                                        .set("b", 4));
    EXPECT_EQ(r.text, "SET #n0 = :v0, #n1 = :v1 REMOVE #n2, #n3 ADD #n4 :v2 DELETE #n5 :v3");
    EXPECT_EQ(
        r.names,
        (expression_names{
            {"#n0", "a"}, {"#n1", "b"}, {"#n2", "c"}, {"#n3", "f"}, {"#n4", "d"}, {"#n5", "e"}}));
    EXPECT_EQ(r.values,
              (entries{{":v0", 3}, {":v1", 4}, {":v2", 2}, {":v3", number_set{{number(1)}}}}));
}

TEST(update_expression, renders_single_clauses)
{
    EXPECT_EQ(render_alone(update_expression().set("a", 1)).text, "SET #n0 = :v0");
    EXPECT_EQ(render_alone(update_expression().remove("a")).text, "REMOVE #n0");
    EXPECT_EQ(render_alone(update_expression().add("a", 1)).text, "ADD #n0 :v0");
    EXPECT_EQ(render_alone(update_expression().delete_from_set("a", string_set{{"x"}})).text,
              "DELETE #n0 :v0");
    EXPECT_EQ(render_alone(update_expression().add("a", 1).add("b", string_set{{"x"}})).text,
              "ADD #n0 :v0, #n1 :v1");
}

TEST(update_expression, renders_list_functions)
{
    rendered r = render_alone(update_expression().list_append("tags", {"new", 2}));
    EXPECT_EQ(r.text, "SET #n0 = list_append(#n0, :v0)");
    EXPECT_EQ(r.values, (entries{{":v0", attribute_list{"new", 2}}}));

    r = render_alone(update_expression().list_prepend("log.entries", {"first"}));
    EXPECT_EQ(r.text, "SET #n0.#n1 = list_append(:v0, #n0.#n1)");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "log"}, {"#n1", "entries"}}));
    EXPECT_EQ(r.values, (entries{{":v0", attribute_list{"first"}}}));
}

TEST(update_expression, renders_arithmetic)
{
    rendered r = render_alone(update_expression().increment("views"));
    EXPECT_EQ(r.text, "SET #n0 = #n0 + :v0");
    EXPECT_EQ(r.values, (entries{{":v0", 1}}));

    r = render_alone(
        update_expression().increment("stats.views", 10).decrement("stock", number("2.5")));
    EXPECT_EQ(r.text, "SET #n0.#n1 = #n0.#n1 + :v0, #n2 = #n2 - :v1");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "stats"}, {"#n1", "views"}, {"#n2", "stock"}}));
    EXPECT_EQ(r.values, (entries{{":v0", 10}, {":v1", number("2.5")}}));

    EXPECT_EQ(render_alone(update_expression().decrement("stock")).values, (entries{{":v0", 1}}));
}

TEST(update_expression, removes_list_elements_and_map_keys)
{
    const rendered r =
        render_alone(update_expression().remove("tags[1]").remove("tags[3]").remove("meta.draft"));
    EXPECT_EQ(r.text, "REMOVE #n0[1], #n0[3], #n1.#n2");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "tags"}, {"#n1", "meta"}, {"#n2", "draft"}}));
    EXPECT_TRUE(r.values.empty());
}

TEST(update_expression, sends_every_name_through_a_placeholder)
{
    const rendered r = render_alone(
        update_expression().set("size", 1).set("name", "n").set("my-field", 2).set("a b", 3));
    EXPECT_EQ(r.text, "SET #n0 = :v0, #n1 = :v1, #n2 = :v2, #n3 = :v3");
    EXPECT_EQ(r.names, (expression_names{
                           {"#n0", "size"}, {"#n1", "name"}, {"#n2", "my-field"}, {"#n3", "a b"}}));
}

TEST(update_expression, reuses_names_along_paths)
{
    const rendered r =
        render_alone(update_expression().set("a.b", 1).set("b.a", 2).set("a.c.a", 3));
    EXPECT_EQ(r.text, "SET #n0.#n1 = :v0, #n1.#n0 = :v1, #n0.#n2.#n0 = :v2");
    EXPECT_EQ(r.names, (expression_names{{"#n0", "a"}, {"#n1", "b"}, {"#n2", "c"}}));
    EXPECT_EQ(r.values, (entries{{":v0", 1}, {":v1", 2}, {":v2", 3}}));
}

TEST(update_expression, add_takes_numbers_and_sets)
{
    EXPECT_NO_THROW(update_expression().add("a", 1));
    EXPECT_NO_THROW(update_expression().add("a", string_set{{"x"}}));
    EXPECT_NO_THROW(update_expression().add("a", number_set{{number(1)}}));
    EXPECT_NO_THROW(update_expression().add("a", binary_set{{to_bytes("x")}}));
    EXPECT_EQ(thrown_message([] { update_expression().add("count", "1"); }),
              "ADD on \"count\" needs a number or a set (SS, NS, BS), got S");
    EXPECT_EQ(thrown_message([] { update_expression().add("count", attribute_list{1}); }),
              "ADD on \"count\" needs a number or a set (SS, NS, BS), got L");
    EXPECT_EQ(thrown_message([] { update_expression().add("count", true); }),
              "ADD on \"count\" needs a number or a set (SS, NS, BS), got BOOL");
    EXPECT_EQ(thrown_message([] { update_expression().add("count", attribute_value()); }),
              "ADD on \"count\" needs a number or a set (SS, NS, BS), got NULL");
}

TEST(update_expression, delete_takes_sets)
{
    EXPECT_NO_THROW(update_expression().delete_from_set("a", number_set{{number(1)}}));
    EXPECT_NO_THROW(update_expression().delete_from_set("a", binary_set{{to_bytes("x")}}));
    EXPECT_EQ(thrown_message([] { update_expression().delete_from_set("tags", 1); }),
              "DELETE on \"tags\" needs a set (SS, NS, BS), got N");
    EXPECT_EQ(thrown_message([] { update_expression().delete_from_set("tags", attribute_list{}); }),
              "DELETE on \"tags\" needs a set (SS, NS, BS), got L");
}

TEST(update_expression, refuses_a_path_twice)
{
    update_expression u;
    u.set("a", 1);
    EXPECT_EQ(thrown_message([&] { u.remove("a"); }),
              "update expression changes \"a\" twice; DynamoDB allows one action per path");
    EXPECT_EQ(thrown_message([&] { u.set("a", 2); }),
              "update expression changes \"a\" twice; DynamoDB allows one action per path");
    EXPECT_EQ(u, update_expression().set("a", 1)) << "unchanged after a refused action";
}

TEST(update_expression, refuses_overlapping_paths)
{
    update_expression u;
    u.set("a.b", 1).remove("list[0]");
    EXPECT_EQ(thrown_message([&] { u.set("a", 2); }),
              "update expression paths \"a.b\" and \"a\" overlap; DynamoDB refuses overlapping "
              "paths");
    EXPECT_EQ(thrown_message([&] { u.add("a.b.c", 2); }),
              "update expression paths \"a.b\" and \"a.b.c\" overlap; DynamoDB refuses "
              "overlapping paths");
    EXPECT_EQ(thrown_message([&] { u.list_append("list", {1}); }),
              "update expression paths \"list[0]\" and \"list\" overlap; DynamoDB refuses "
              "overlapping paths");
    EXPECT_NO_THROW(u.remove("list[1]"));
    EXPECT_NO_THROW(u.set("a.c", 3));
    EXPECT_NO_THROW(u.set("ab", 3));
    EXPECT_EQ(u.actions().size(), 5u);
}

TEST(update_expression, refuses_empty_paths)
{
    const std::string message = "empty document path in an update expression";
    EXPECT_EQ(thrown_message([] { update_expression().set(document_path(), 1); }), message);
    EXPECT_EQ(thrown_message([] { update_expression().set_if_not_exists(document_path(), 1); }),
              message);
    EXPECT_EQ(thrown_message([] { update_expression().list_append(document_path(), {}); }),
              message);
    EXPECT_EQ(thrown_message([] { update_expression().list_prepend(document_path(), {}); }),
              message);
    EXPECT_EQ(thrown_message([] { update_expression().increment(document_path()); }), message);
    EXPECT_EQ(thrown_message([] { update_expression().decrement(document_path()); }), message);
    EXPECT_EQ(thrown_message([] { update_expression().remove(document_path()); }), message);
    EXPECT_EQ(thrown_message([] { update_expression().add(document_path(), 1); }), message);
    EXPECT_EQ(thrown_message(
                  [] { update_expression().delete_from_set(document_path(), string_set{{"x"}}); }),
              message);
}

TEST(update_expression, exposes_its_actions)
{
    update_expression u;
    EXPECT_TRUE(u.empty());
    u.set("a", 1).remove("b[2]").increment("c", 3).list_prepend("d", {4});
    EXPECT_FALSE(u.empty());
    EXPECT_EQ(u.actions(), (std::vector<update_action>{
                               {update_op::set, "a", 1},
                               {update_op::remove, "b[2]", attribute_value()},
                               {update_op::increment, "c", 3},
                               {update_op::list_prepend, "d", attribute_list{4}},
                           }));
}

TEST(update_expression, refuses_to_render_without_actions)
{
    expression_context ctx;
    std::string out = "untouched";
    std::string why;
    EXPECT_EQ(render(update_expression(), ctx, out, &why), errc::invalid_argument);
    EXPECT_EQ(why, "UpdateExpression without actions");
    EXPECT_EQ(out, "untouched");
    EXPECT_EQ(render(update_expression(), ctx, out), errc::invalid_argument);
    EXPECT_EQ(thrown_message([&] { render(update_expression(), ctx); }),
              "UpdateExpression without actions");
    EXPECT_TRUE(ctx.empty());
}

TEST(update_expression, refuses_more_than_4_kb_and_keeps_the_context)
{
    // An action "#nK = :vK" and its ", " take 11 to 15 bytes: 400 of them pass 4096 bytes,
    // 200 do not.
    update_expression big;
    for (int k = 0; k < 400; ++k) big.set("f" + std::to_string(k), k);
    expression_context ctx;
    ctx.name("kept");
    ctx.value("kept");
    std::string out;
    std::string why;
    EXPECT_EQ(render(big, ctx, out, &why), errc::invalid_argument);
    EXPECT_TRUE(why.starts_with("UpdateExpression is ")) << why;
    EXPECT_TRUE(why.ends_with(" bytes long; DynamoDB allows at most 4096")) << why;
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "kept"}}));
    EXPECT_EQ(in_order(ctx.values()), (entries{{":v0", "kept"}}));
    EXPECT_EQ(thrown_message([&] { render(big, ctx); }), why);

    update_expression fits;
    for (int k = 0; k < 200; ++k) fits.set("f" + std::to_string(k), k);
    EXPECT_LE(render(fits, ctx).size(), max_expression_length);
}

TEST(update_expression, shares_a_context_with_its_condition)
{
    expression_context ctx;
    EXPECT_EQ(render(update_expression().set("status", "shipped").increment("version"), ctx),
              "SET #n0 = :v0, #n1 = #n1 + :v1");
    EXPECT_EQ(render(eq("version", 7) && attribute_exists("status"), ctx),
              "#n1 = :v2 AND attribute_exists(#n0)");
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "status"}, {"#n1", "version"}}));
    EXPECT_EQ(in_order(ctx.values()), (entries{{":v0", "shipped"}, {":v1", 1}, {":v2", 7}}));
}

TEST(update_expression, names_operations)
{
    const std::vector<std::pair<update_op, std::string>> names{
        {update_op::set, "set"},
        {update_op::set_if_not_exists, "set_if_not_exists"},
        {update_op::list_append, "list_append"},
        {update_op::list_prepend, "list_prepend"},
        {update_op::increment, "increment"},
        {update_op::decrement, "decrement"},
        {update_op::remove, "remove"},
        {update_op::add, "add"},
        {update_op::delete_from_set, "delete_from_set"},
    };
    for (const auto& [op, name] : names) EXPECT_EQ(to_string(op), name);
}

}  // namespace
}  // namespace dynomite
