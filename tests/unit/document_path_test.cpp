// Document paths, placeholder allocation and projections.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/protocol/query_scan.hpp>
#include "core/quoting.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

namespace dynomite {
namespace {

std::vector<path_segment> segments(std::string_view text)
{
    document_path p;
    const error_code ec = document_path::parse(text, p);
    EXPECT_FALSE(ec) << text;
    return p.segments();
}

path_segment n(std::string name)
{
    return path_segment::of_name(std::move(name));
}
path_segment i(std::size_t index)
{
    return path_segment::of_index(index);
}

std::string parse_failure(std::string_view text)
{
    document_path p = document_path::attribute("untouched");
    std::string why;
    EXPECT_EQ(document_path::parse(text, p, &why), errc::invalid_argument) << text;
    EXPECT_EQ(p, document_path::attribute("untouched")) << "changed on failure: " << text;
    return why;
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

TEST(document_path, parses_a_single_name)
{
    EXPECT_EQ(segments("price"), (std::vector{n("price")}));
}

TEST(document_path, parses_nested_names_and_indexes)
{
    EXPECT_EQ(segments("pictures.slide_view"), (std::vector{n("pictures"), n("slide_view")}));
    EXPECT_EQ(segments("tags[2]"), (std::vector{n("tags"), i(2)}));
    EXPECT_EQ(segments("a.b[0][1].c"), (std::vector{n("a"), n("b"), i(0), i(1), n("c")}));
    EXPECT_EQ(segments("a[10].b[3]"), (std::vector{n("a"), i(10), n("b"), i(3)}));
}

TEST(document_path, takes_reserved_words_and_odd_characters_as_names)
{
    for (const char* name :
         {"size", "name", "year", "my-field", "a b", "#x", ":y", "prix€", " ", "a,b", "(", "\t"}) {
        EXPECT_EQ(segments(name), (std::vector{n(name)})) << name;
    }
    EXPECT_EQ(segments("my-field.a b[1]"), (std::vector{n("my-field"), n("a b"), i(1)}));
}

TEST(document_path, reads_indexes_in_decimal)
{
    EXPECT_EQ(segments("a[007]"), (std::vector{n("a"), i(7)}));
    const std::size_t max = std::numeric_limits<std::size_t>::max();
    EXPECT_EQ(segments("a[" + std::to_string(max) + "]"), (std::vector{n("a"), i(max)}));
}

TEST(document_path, refuses_malformed_paths_naming_path_and_position)
{
    EXPECT_EQ(parse_failure(""), "invalid document path \"\": the path is empty");
    EXPECT_EQ(parse_failure(".a"),
              "invalid document path \".a\" at position 0: a path starts with an attribute "
              "name, not '.'");
    EXPECT_EQ(parse_failure("[0]"),
              "invalid document path \"[0]\" at position 0: a path starts with an attribute "
              "name, not a list index");
    EXPECT_EQ(parse_failure("]a"),
              "invalid document path \"]a\" at position 0: ']' without a matching '['");
    EXPECT_EQ(parse_failure("a..b"),
              "invalid document path \"a..b\" at position 2: empty name after '.'");
    EXPECT_EQ(parse_failure("a."),
              "invalid document path \"a.\" at position 2: empty name after '.'");
    EXPECT_EQ(parse_failure("a.[0]"),
              "invalid document path \"a.[0]\" at position 2: empty name after '.'");
    EXPECT_EQ(parse_failure("a.]"),
              "invalid document path \"a.]\" at position 2: ']' without a matching '['");
    EXPECT_EQ(parse_failure("a["), "invalid document path \"a[\" at position 1: unclosed '['");
    EXPECT_EQ(parse_failure("a.b[12"),
              "invalid document path \"a.b[12\" at position 3: unclosed '['");
    EXPECT_EQ(parse_failure("a[]"),
              "invalid document path \"a[]\" at position 1: empty list index");
    EXPECT_EQ(parse_failure("a[x]"),
              "invalid document path \"a[x]\" at position 2: a list index is a decimal number");
    EXPECT_EQ(parse_failure("a[-1]"),
              "invalid document path \"a[-1]\" at position 2: a list index is a decimal number");
    EXPECT_EQ(parse_failure("a[1 ]"),
              "invalid document path \"a[1 ]\" at position 3: a list index is a decimal number");
    EXPECT_EQ(parse_failure("a[[1]]"),
              "invalid document path \"a[[1]]\" at position 2: a list index is a decimal number");
    EXPECT_EQ(parse_failure("a[99999999999999999999]"),
              "invalid document path \"a[99999999999999999999]\" at position 2: list index too "
              "large");
    EXPECT_EQ(parse_failure("a[1]b"),
              "invalid document path \"a[1]b\" at position 4: expected '.' or '[' after ']'");
    EXPECT_EQ(parse_failure("a]"),
              "invalid document path \"a]\" at position 1: ']' without a matching '['");
    EXPECT_EQ(parse_failure("a[0]]"),
              "invalid document path \"a[0]]\" at position 4: ']' without a matching '['");
}

TEST(document_path, limits_name_length)
{
    const std::string longest(max_attribute_name_length, 'x');
    EXPECT_EQ(segments(longest + ".b"), (std::vector{n(longest), n("b")}));
    const std::string too_long(max_attribute_name_length + 1, 'x');
    EXPECT_EQ(parse_failure("a." + too_long),
              "invalid document path \"a." + std::string(62, 'x') +
                  "...\" at position 2: name of 65536 bytes, longer than 65535");
}

TEST(document_path, parse_accepts_no_why)
{
    document_path p;
    EXPECT_EQ(document_path::parse("a..b", p), errc::invalid_argument);
    EXPECT_EQ(document_path::parse("", p), errc::invalid_argument);
    EXPECT_TRUE(p.empty());
}

TEST(document_path, converting_constructors_parse_or_throw)
{
    const document_path from_literal = "a.b[1]";
    const document_path from_string = std::string("a.b[1]");
    const document_path from_view = std::string_view("a.b[1]");
    EXPECT_EQ(from_literal.segments(), (std::vector{n("a"), n("b"), i(1)}));
    EXPECT_EQ(from_string, from_literal);
    EXPECT_EQ(from_view, from_literal);
    EXPECT_EQ(thrown_message([] { document_path p("a..b"); }),
              "invalid document path \"a..b\" at position 2: empty name after '.'");
    EXPECT_EQ(thrown_message([] { document_path p(std::string("")); }),
              "invalid document path \"\": the path is empty");
    EXPECT_EQ(thrown_message([] { document_path p(static_cast<const char*>(nullptr)); }),
              "document path from a null pointer");
}

TEST(document_path, builds_literal_names)
{
    const document_path dotted = document_path::attribute("a.b");
    EXPECT_EQ(dotted.segments(), (std::vector{n("a.b")}));
    EXPECT_NE(dotted, document_path("a.b"));
    EXPECT_EQ(document_path::attribute("x[0]").segments(), (std::vector{n("x[0]")}));

    const document_path built = document_path::from_segments({n("a.b"), i(3), n("c]")});
    EXPECT_EQ(built.segments(), (std::vector{n("a.b"), i(3), n("c]")}));
    EXPECT_EQ(built.to_string(), "a.b[3].c]");
}

TEST(document_path, refuses_invalid_segments)
{
    EXPECT_EQ(thrown_message([] { document_path::attribute(""); }),
              "document path with an empty name");
    EXPECT_EQ(thrown_message([] {
                  document_path::attribute(std::string(max_attribute_name_length + 1, 'y'));
              }),
              "document path \"" + std::string(64, 'y') +
                  "...\": name of 65536 bytes, longer than 65535");
    EXPECT_EQ(thrown_message([] { document_path::from_segments({}); }),
              "document path without segments");
    EXPECT_EQ(thrown_message([] {
                  document_path::from_segments({i(0), n("a")});
              }),
              "document path starting with index [0]; a path starts with an attribute name");
    EXPECT_EQ(thrown_message([] {
                  document_path::from_segments({n("a"), n("")});
              }),
              "document path with an empty name");
    EXPECT_EQ(document_path::attribute(std::string(max_attribute_name_length, 'y'))
                  .attribute_name()
                  .size(),
              max_attribute_name_length);
}

TEST(document_path, extends_paths)
{
    const document_path a = "a";
    EXPECT_EQ(a.member("b.c").element(2).segments(), (std::vector{n("a"), n("b.c"), i(2)}));
    EXPECT_EQ(a[4], document_path("a[4]"));
    EXPECT_EQ(a, document_path("a")) << "extending copies";
    EXPECT_EQ(document_path().member("top"), document_path::attribute("top"));
    EXPECT_EQ(thrown_message([] { document_path().element(1); }),
              "list index [1] on the empty path");
    EXPECT_EQ(thrown_message([&] { a.member(""); }), "document path with an empty name");
}

TEST(document_path, names_its_attribute)
{
    EXPECT_EQ(document_path("pictures.slide_view").attribute_name(), "pictures");
    EXPECT_EQ(document_path("tags[2]").attribute_name(), "tags");
    EXPECT_EQ(thrown_message([] { document_path().attribute_name(); }),
              "the empty document path has no attribute name");
}

TEST(document_path, segment_accessors_check_the_kind)
{
    EXPECT_TRUE(n("a").is_name());
    EXPECT_FALSE(n("a").is_index());
    EXPECT_TRUE(i(1).is_index());
    EXPECT_FALSE(i(1).is_name());
    EXPECT_EQ(n("a").name(), "a");
    EXPECT_EQ(i(5).index(), 5u);
    EXPECT_EQ(thrown_message([] { i(5).name(); }), "path segment [5] is an index");
    EXPECT_EQ(thrown_message([] { n("a").index(); }), "path segment \"a\" is a name");
    EXPECT_NE(n("1"), i(1));
}

TEST(document_path, detects_overlaps)
{
    const auto overlap = [](const char* a, const char* b) {
        const bool ab = document_path(a).overlaps(document_path(b));
        EXPECT_EQ(ab, document_path(b).overlaps(document_path(a))) << "symmetric";
        return ab;
    };
    EXPECT_TRUE(overlap("a", "a"));
    EXPECT_TRUE(overlap("a", "a.b"));
    EXPECT_TRUE(overlap("a", "a[0]"));
    EXPECT_TRUE(overlap("a[0]", "a[0].b"));
    EXPECT_TRUE(overlap("a.b.c", "a.b"));
    EXPECT_FALSE(overlap("a", "ab"));
    EXPECT_FALSE(overlap("a", "b"));
    EXPECT_FALSE(overlap("a.b", "a.c"));
    EXPECT_FALSE(overlap("a[0]", "a[1]"));
    EXPECT_FALSE(overlap("a.b", "b"));
    EXPECT_TRUE(document_path("a.b").starts_with(document_path("a")));
    EXPECT_FALSE(document_path("a").starts_with(document_path("a.b")));
    EXPECT_FALSE(document_path::attribute("a.b").overlaps(document_path("a")));
}

TEST(document_path, prints_the_dotted_form)
{
    EXPECT_EQ(document_path("a.b[0][1].c").to_string(), "a.b[0][1].c");
    EXPECT_EQ(document_path("x").to_string(), "x");
    EXPECT_EQ(document_path().to_string(), "");
}

TEST(document_path, quoted_text_is_bounded)
{
    EXPECT_EQ(detail::quoted("abc"), "\"abc\"");
    EXPECT_EQ(detail::quoted(std::string(64, 'a')), "\"" + std::string(64, 'a') + "\"");
    EXPECT_EQ(detail::quoted(std::string(65, 'a')), "\"" + std::string(64, 'a') + "...\"");
    // A two-byte character straddling the cut is dropped whole.
    const std::string text = std::string(63, 'a') + "\xC3\xA9" + "zz";
    EXPECT_EQ(detail::quoted(text), "\"" + std::string(63, 'a') + "...\"");
}

TEST(document_path, quoting_whole_bounded_or_printable)
{
    const std::string long_text(100, 'x');
    EXPECT_EQ(detail::in_quotes(long_text), "\"" + long_text + "\"");
    EXPECT_EQ(detail::in_quotes(""), "\"\"");
    EXPECT_EQ(detail::quoted("abcdef", 4), "\"abcd...\"");
    EXPECT_EQ(detail::quoted("ab\xC3\xA9", 3), "\"ab...\"");
    // Outside printable ASCII each byte is '?', and the bound counts bytes, not characters.
    EXPECT_EQ(detail::quoted_printable("a\nb\xC3\xA9"), "\"a?b??\"");
    EXPECT_EQ(detail::quoted_printable("abc\xC3\xA9", 4), "\"abc?...\"");
    // A quote or backslash inside is escaped, so the message shows where the text ends.
    EXPECT_EQ(detail::quoted_printable("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(detail::quoted_printable(std::string(64, 'a')), "\"" + std::string(64, 'a') + "\"");
    EXPECT_EQ(detail::quoted_printable(std::string(65, 'a')),
              "\"" + std::string(64, 'a') + "...\"");
}

// Whatever the input, parsing ends with a result or an error, and a parsed path prints back
// to text that parses to the same path.
TEST(document_path, survives_random_input)
{
    std::mt19937 rng(20240601);
    const std::string alphabet = "ab.[]0123456789-x \xC3";
    for (int round = 0; round < 20000; ++round) {
        std::string text(rng() % 24, ' ');
        for (char& c : text) c = alphabet[rng() % alphabet.size()];
        document_path p;
        std::string why;
        if (document_path::parse(text, p, &why)) {
            EXPECT_FALSE(why.empty());
            continue;
        }
        EXPECT_EQ(document_path(p.to_string()), p) << text;
    }
}

// Placeholders.

TEST(expression_context, allocates_names_once_each)
{
    expression_context ctx;
    EXPECT_TRUE(ctx.empty());
    EXPECT_EQ(ctx.name("price"), "#n0");
    EXPECT_EQ(ctx.name("size"), "#n1");
    EXPECT_EQ(ctx.name("price"), "#n0");
    EXPECT_EQ(ctx.name("a b"), "#n2");
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "price"}, {"#n1", "size"}, {"#n2", "a b"}}));
    EXPECT_TRUE(ctx.values().empty());
    EXPECT_FALSE(ctx.empty());
}

TEST(expression_context, allocates_a_value_per_use)
{
    expression_context ctx;
    EXPECT_EQ(ctx.value(1), ":v0");
    EXPECT_EQ(ctx.value(1), ":v1");
    EXPECT_EQ(ctx.value(":v0"), ":v2");
    EXPECT_EQ(ctx.values(), (attribute_map{{":v0", 1}, {":v1", 1}, {":v2", ":v0"}}));
    std::vector<std::string> order;
    for (const auto& [placeholder, value] : ctx.values()) order.push_back(placeholder);
    EXPECT_EQ(order, (std::vector<std::string>{":v0", ":v1", ":v2"}));
    EXPECT_TRUE(ctx.names().empty());
}

TEST(expression_context, renders_paths)
{
    expression_context ctx;
    EXPECT_EQ(ctx.path("a.b[0][1].a"), "#n0.#n1[0][1].#n0");
    EXPECT_EQ(ctx.path(document_path::attribute("a.b")), "#n2");
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "a"}, {"#n1", "b"}, {"#n2", "a.b"}}));
    EXPECT_EQ(thrown_message([&] { ctx.path(document_path()); }),
              "empty document path in an expression");
}

TEST(expression_context, refuses_bad_names)
{
    expression_context ctx;
    EXPECT_EQ(thrown_message([&] { ctx.name(""); }), "empty attribute name in an expression");
    const std::string too_long(max_attribute_name_length + 1, 'z');
    EXPECT_EQ(thrown_message([&] { ctx.name(too_long); }),
              "attribute name \"" + std::string(64, 'z') +
                  "...\" is 65536 bytes long; DynamoDB allows at most 65535");
    EXPECT_TRUE(ctx.empty());
    EXPECT_EQ(ctx.name(std::string(max_attribute_name_length, 'z')), "#n0");
}

TEST(expression_context, hands_over_and_restarts)
{
    expression_context ctx;
    ctx.name("a");
    ctx.value(true);
    const expression_names names = ctx.take_names();
    const attribute_map values = ctx.take_values();
    EXPECT_EQ(names, (expression_names{{"#n0", "a"}}));
    EXPECT_EQ(values, (attribute_map{{":v0", true}}));
    EXPECT_TRUE(ctx.empty());
    EXPECT_EQ(ctx.name("b"), "#n0");
    EXPECT_EQ(ctx.name("a"), "#n1");
    EXPECT_EQ(ctx.value(2), ":v0");
}

TEST(expression_context, rewinds_to_a_mark)
{
    expression_context ctx;
    ctx.name("kept");
    ctx.value("kept");
    const expression_context::mark_type m = ctx.mark();
    EXPECT_EQ(m.names, 1u);
    EXPECT_EQ(m.values, 1u);
    ctx.name("dropped");
    ctx.name("kept");
    ctx.value(1);
    ctx.value(2);
    ctx.rewind(m);
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "kept"}}));
    EXPECT_EQ(ctx.values(), (attribute_map{{":v0", "kept"}}));
    EXPECT_EQ(ctx.name("other"), "#n1");
    EXPECT_EQ(ctx.name("dropped"), "#n2") << "a forgotten name gets a new placeholder";
    EXPECT_EQ(ctx.value(3), ":v1");
}

TEST(expression_context, fills_a_request)
{
    expression_context ctx;
    query_request request;
    request.key_condition_expression = ctx.path("pk") + " = " + ctx.value("u1");
    request.projection_expression = render_projection({"pk", "total"}, ctx);
    request.expression_attribute_names = ctx.take_names();
    request.expression_attribute_values = ctx.take_values();
    EXPECT_EQ(request.key_condition_expression, "#n0 = :v0");
    EXPECT_EQ(request.projection_expression, "#n0, #n1");
    EXPECT_EQ(request.expression_attribute_names,
              (expression_names{{"#n0", "pk"}, {"#n1", "total"}}));
    EXPECT_EQ(request.expression_attribute_values, (attribute_map{{":v0", "u1"}}));
}

TEST(expression_context, checks_expression_length)
{
    std::string why;
    EXPECT_FALSE(check_expression_length(expression_kind::filter,
                                         std::string(max_expression_length, 'x'), &why));
    EXPECT_EQ(check_expression_length(expression_kind::filter,
                                      std::string(max_expression_length + 1, 'x'), &why),
              errc::invalid_argument);
    EXPECT_EQ(why, "FilterExpression is 4097 bytes long; DynamoDB allows at most 4096");
    EXPECT_EQ(check_expression_length(expression_kind::update, std::string(5000, 'x')),
              errc::invalid_argument);
}

TEST(expression_context, names_expression_kinds)
{
    EXPECT_EQ(to_string(expression_kind::key_condition), "KeyConditionExpression");
    EXPECT_EQ(to_string(expression_kind::filter), "FilterExpression");
    EXPECT_EQ(to_string(expression_kind::condition), "ConditionExpression");
    EXPECT_EQ(to_string(expression_kind::projection), "ProjectionExpression");
    EXPECT_EQ(to_string(expression_kind::update), "UpdateExpression");
}

// Projections.

TEST(projection, renders_paths_with_shared_placeholders)
{
    expression_context ctx;
    EXPECT_EQ(
        render_projection({"id", "pictures.slide_view", "tags[2]", "size", "pictures.name"}, ctx),
        "#n0, #n1.#n2, #n3[2], #n4, #n1.#n5");
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "id"},
                                             {"#n1", "pictures"},
                                             {"#n2", "slide_view"},
                                             {"#n3", "tags"},
                                             {"#n4", "size"},
                                             {"#n5", "name"}}));
    EXPECT_TRUE(ctx.values().empty());
}

TEST(projection, reuses_names_of_other_expressions)
{
    expression_context ctx;
    EXPECT_EQ(ctx.name("year"), "#n0");
    EXPECT_EQ(render_projection({"title", "year"}, ctx), "#n1, #n0");
}

std::string projection_failure(const std::vector<document_path>& paths)
{
    expression_context ctx;
    ctx.name("before");
    std::string out = "untouched";
    std::string why;
    EXPECT_EQ(render_projection(paths, ctx, out, &why), errc::invalid_argument);
    EXPECT_EQ(out, "untouched");
    EXPECT_EQ(ctx.names(), (expression_names{{"#n0", "before"}})) << "context changed";
    EXPECT_EQ(thrown_message([&] { render_projection(paths, ctx); }), why);
    return why;
}

TEST(projection, refuses_bad_path_lists)
{
    EXPECT_EQ(projection_failure({}), "ProjectionExpression without paths");
    EXPECT_EQ(projection_failure({"a", document_path()}),
              "empty document path in a ProjectionExpression");
    EXPECT_EQ(projection_failure({"a", "b", "a.c"}),
              "ProjectionExpression paths \"a\" and \"a.c\" overlap; DynamoDB refuses "
              "overlapping paths");
    EXPECT_EQ(projection_failure({"a[1]", "a[1]"}),
              "ProjectionExpression paths \"a[1]\" and \"a[1]\" overlap; DynamoDB refuses "
              "overlapping paths");
}

TEST(projection, refuses_more_than_4_kb)
{
    // After #n0, 700 names take "#n1" to "#n700" and separators: 4790 bytes. In a fresh
    // context, 500 names take 3388.
    std::vector<document_path> paths;
    for (int k = 0; k < 700; ++k) paths.push_back("a" + std::to_string(k));
    const std::string why = projection_failure(paths);
    EXPECT_EQ(why, "ProjectionExpression is 4790 bytes long; DynamoDB allows at most 4096");

    expression_context ctx;
    paths.resize(500);
    EXPECT_EQ(render_projection(paths, ctx).size(), 3388u);
    EXPECT_EQ(ctx.names().size(), 500u);
}

}  // namespace
}  // namespace dynomite
