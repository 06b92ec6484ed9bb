// Attribute values and items: construction, access, set semantics, validation, size, base64.
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/diagnostics.hpp>

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>

namespace dynomite {
namespace {

using kind = attribute_value::kind;

template <class F>
error thrown(F&& f)
{
    try {
        f();
    } catch (const error& e) {
        return e;
    }
    ADD_FAILURE() << "nothing was thrown";
    return error(error_code());
}

bytes make_bytes(std::initializer_list<unsigned> values)
{
    bytes out;
    for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

TEST(attribute_value, constructors_choose_the_type)
{
    EXPECT_EQ(attribute_value().type(), kind::null);
    EXPECT_EQ(attribute_value("x").type(), kind::s);
    EXPECT_EQ(attribute_value(std::string("x")).type(), kind::s);
    EXPECT_EQ(attribute_value(std::string_view("x")).type(), kind::s);
    EXPECT_EQ(attribute_value(42).type(), kind::n);
    EXPECT_EQ(attribute_value(42).as_n().text(), "42");
    EXPECT_EQ(attribute_value(-3L).as_n().text(), "-3");
    EXPECT_EQ(attribute_value(5u).as_n().text(), "5");
    EXPECT_EQ(attribute_value(std::numeric_limits<std::uint64_t>::max()).as_n().text(),
              "18446744073709551615");
    EXPECT_EQ(attribute_value(number("1.5")).type(), kind::n);
    EXPECT_EQ(attribute_value(true).type(), kind::boolean);
    EXPECT_EQ(attribute_value(false).as_bool(), false);
    EXPECT_EQ(attribute_value(null_value{}).type(), kind::null);
    EXPECT_EQ(attribute_value(to_bytes("ab")).type(), kind::b);
    EXPECT_EQ(attribute_value(attribute_map{}).type(), kind::m);
    EXPECT_EQ(attribute_value(attribute_list{}).type(), kind::l);
    EXPECT_EQ(attribute_value(string_set{{"a"}}).type(), kind::ss);
    EXPECT_EQ(attribute_value(number_set{{number(1)}}).type(), kind::ns);
    EXPECT_EQ(attribute_value(binary_set{{to_bytes("a")}}).type(), kind::bs);
    EXPECT_TRUE(attribute_value("x").is_s());
    EXPECT_TRUE(attribute_value(1).is_n());
    EXPECT_TRUE(attribute_value().is_null());
    EXPECT_FALSE(attribute_value("x").is_null());
}

TEST(attribute_value, type_names)
{
    const std::pair<kind, const char*> names[] = {
        {kind::s, "S"},       {kind::n, "N"},   {kind::b, "B"}, {kind::boolean, "BOOL"},
        {kind::null, "NULL"}, {kind::m, "M"},   {kind::l, "L"}, {kind::ss, "SS"},
        {kind::ns, "NS"},     {kind::bs, "BS"},
    };
    for (const auto& [k, name] : names) EXPECT_EQ(attribute_value::type_name(k), name);
    EXPECT_EQ(attribute_value(true).type_name(), "BOOL");
    EXPECT_EQ(attribute_value(string_set{}).type_name(), "SS");
}

TEST(attribute_value, typed_access)
{
    EXPECT_EQ(attribute_value("x").as_s(), "x");
    EXPECT_EQ(attribute_value(7).as_n(), number("7.0"));
    EXPECT_EQ(attribute_value(to_bytes("ab")).as_b(), to_bytes("ab"));
    EXPECT_TRUE(attribute_value(true).as_bool());
    EXPECT_EQ(attribute_value(attribute_map{{"a", 1}}).as_m().size(), 1u);
    EXPECT_EQ(attribute_value(attribute_list{1, 2}).as_l().size(), 2u);
    EXPECT_EQ(attribute_value(string_set{{"a", "b"}}).as_ss().values.size(), 2u);
    EXPECT_EQ(attribute_value(number_set{{number(1)}}).as_ns().values.size(), 1u);
    EXPECT_EQ(attribute_value(binary_set{{to_bytes("a")}}).as_bs().values.size(), 1u);

    attribute_value m = attribute_map{};
    m.as_m().set("k", "v");
    EXPECT_EQ(m.as_m().at("k").as_s(), "v");
    attribute_value l = attribute_list{};
    l.as_l().push_back(3);
    EXPECT_EQ(l.as_l().at(0).as_n().as_int64(), 3);
}

TEST(attribute_value, typed_access_mismatch_names_both_types)
{
    const error e = thrown([] { (void)attribute_value(1).as_s(); });
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_EQ(e.diag().message, "expected an attribute value of type S, got N");
    EXPECT_EQ(thrown([] { (void)attribute_value("1").as_n(); }).diag().message,
              "expected an attribute value of type N, got S");
    EXPECT_EQ(thrown([] { (void)attribute_value().as_b(); }).code(), errc::invalid_argument);
    EXPECT_EQ(thrown([] { (void)attribute_value(1).as_bool(); }).diag().message,
              "expected an attribute value of type BOOL, got N");
    EXPECT_EQ(thrown([] { (void)attribute_value(attribute_list{}).as_m(); }).diag().message,
              "expected an attribute value of type M, got L");
    EXPECT_EQ(thrown([] {
                  attribute_value v;
                  (void)v.as_m();
              })
                  .diag()
                  .message,
              "expected an attribute value of type M, got NULL");
    EXPECT_EQ(thrown([] { (void)attribute_value(attribute_map{}).as_l(); }).diag().message,
              "expected an attribute value of type L, got M");
    EXPECT_EQ(thrown([] {
                  attribute_value v = "x";
                  (void)v.as_l();
              }).code(),
              errc::invalid_argument);
    EXPECT_EQ(thrown([] { (void)attribute_value(number_set{}).as_ss(); }).diag().message,
              "expected an attribute value of type SS, got NS");
    EXPECT_EQ(thrown([] { (void)attribute_value(string_set{}).as_ns(); }).diag().message,
              "expected an attribute value of type NS, got SS");
    EXPECT_EQ(thrown([] { (void)attribute_value(string_set{}).as_bs(); }).diag().message,
              "expected an attribute value of type BS, got SS");
}

TEST(attribute_value, from_double)
{
    EXPECT_EQ(attribute_value::from_double(0.5).as_n().text(), "0.5");
    EXPECT_EQ(attribute_value::from_double(-1e20).as_n(), number("-100000000000000000000"));
    const error nan = thrown([] { attribute_value::from_double(std::nan("")); });
    EXPECT_EQ(nan.code(), errc::invalid_number);
    EXPECT_EQ(nan.diag().message, "NaN is not a DynamoDB number");
    EXPECT_EQ(thrown([] { attribute_value::from_double(-HUGE_VAL); }).diag().message,
              "infinity is not a DynamoDB number");
    const error big = thrown([] { attribute_value::from_double(1e200); });
    EXPECT_EQ(big.code(), errc::invalid_number);
    EXPECT_EQ(big.diag().message,
              "1e+200 is outside DynamoDB's number range (1e-130 to below 1e126)");
}

TEST(attribute_value, a_float_is_the_shortest_text_that_reads_back_as_that_float)
{
    EXPECT_EQ(attribute_value(0.1f).as_n().text(), "0.1") << "not the double 0.10000000149011612";
    EXPECT_EQ(attribute_value(-2.5e-7f).as_n().text(), "-2.5e-07");
    EXPECT_EQ(attribute_value(-0.0f).as_n().text(), "0");
    EXPECT_EQ(attribute_value(0.1).as_n().text(), "0.1");
    EXPECT_EQ(attribute_value(0.1L).as_n().text(), "0.1");
    // A long double keeps what a double would round away, and its range is checked as it is.
    EXPECT_EQ(attribute_value(9007199254740993.0L).as_n().text(), "9007199254740993");
    EXPECT_EQ(attribute_value(-1.25e-100L).as_n().text(), "-1.25e-100");
    EXPECT_EQ(thrown([] { (void)attribute_value(1e-400L); }).code(), errc::invalid_number);
    EXPECT_EQ(thrown([] { (void)attribute_value(1e200L); }).code(), errc::invalid_number);
    std::mt19937 random(7);
    std::uniform_int_distribution<std::uint32_t> bits;
    for (int i = 0; i < 10000; ++i) {
        const std::uint32_t b = bits(random);
        float f = 0;
        std::memcpy(&f, &b, sizeof f);
        if (!std::isfinite(f)) continue;
        const std::string text = attribute_value(f).as_n().text();
        float back = 0;
        const auto parsed = std::from_chars(text.data(), text.data() + text.size(), back);
        ASSERT_EQ(parsed.ec, std::errc{}) << text;
        EXPECT_EQ(back, f) << text;
    }
    EXPECT_EQ(thrown([] { (void)attribute_value(std::numeric_limits<float>::quiet_NaN()); })
                  .diag()
                  .message,
              "NaN is not a DynamoDB number");
    EXPECT_EQ(thrown([] { (void)attribute_value(-std::numeric_limits<float>::infinity()); })
                  .diag()
                  .message,
              "infinity is not a DynamoDB number");
}

// A character would silently become its code as a number.
static_assert(!std::is_constructible_v<attribute_value, char>);
static_assert(!std::is_constructible_v<attribute_value, char8_t>);
static_assert(!std::is_constructible_v<attribute_value, char16_t>);
static_assert(!std::is_constructible_v<attribute_value, char32_t>);
static_assert(!std::is_constructible_v<attribute_value, wchar_t>);
static_assert(!std::is_constructible_v<number, char>);
static_assert(std::is_constructible_v<attribute_value, signed char>, "int8_t stays a number");
static_assert(std::is_constructible_v<attribute_value, unsigned char>, "uint8_t too");
// Nor would a pointer, an unscoped enum or a literal of wide or UTF-8 characters become a BOOL.
enum unscoped_colour { red, green };
static_assert(!std::is_constructible_v<attribute_value, unscoped_colour>);
static_assert(!std::is_constructible_v<attribute_value, const char8_t*>);
static_assert(!std::is_constructible_v<attribute_value, decltype(u8"text")>);
static_assert(!std::is_constructible_v<attribute_value, const wchar_t*>);
static_assert(!std::is_constructible_v<attribute_value, const char16_t*>);
static_assert(!std::is_constructible_v<attribute_value, int*>);
static_assert(std::is_constructible_v<attribute_value, bool>);
static_assert(std::is_constructible_v<attribute_value, std::vector<bool>::reference>);
static_assert(std::is_convertible_v<bool, attribute_value>, "item{{\"flag\", true}}");
static_assert(std::is_convertible_v<const char*, attribute_value>);

TEST(attribute_value, equality)
{
    EXPECT_EQ(attribute_value("1"), attribute_value("1"));
    EXPECT_NE(attribute_value("1"), attribute_value(1));
    EXPECT_EQ(attribute_value(number("1.0")), attribute_value(1));
    std::vector<bool> flags{false, true};
    EXPECT_EQ(attribute_value(flags[1]), attribute_value(true)) << "a vector<bool>'s reference";
    EXPECT_NE(attribute_value(true), attribute_value(false));
    EXPECT_EQ(attribute_value(), attribute_value(null_value{}));
    EXPECT_EQ(attribute_value(attribute_list{1, "a"}), attribute_value(attribute_list{1, "a"}));
    EXPECT_NE(attribute_value(attribute_list{1, "a"}), attribute_value(attribute_list{"a", 1}));
    EXPECT_EQ(attribute_value(attribute_map{{"a", 1}, {"b", 2}}),
              attribute_value(attribute_map{{"b", 2}, {"a", 1}}));
}

TEST(attribute_map, keeps_insertion_order_and_unique_names)
{
    attribute_map m{{"b", 1}, {"a", 2}, {"c", 3}};
    std::vector<std::string> names;
    for (const auto& [name, value] : m) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"b", "a", "c"}));

    m.set("a", "replaced");
    EXPECT_EQ(m.size(), 3u);
    EXPECT_EQ((m.begin() + 1)->first, "a");
    EXPECT_EQ((m.begin() + 1)->second.as_s(), "replaced");

    attribute_value& added = m.set("d", 4);
    EXPECT_EQ(added.as_n().as_int64(), 4);
    EXPECT_EQ((m.end() - 1)->first, "d");

    const attribute_map duplicated{{"x", 1}, {"x", 2}};
    EXPECT_EQ(duplicated.size(), 1u);
    EXPECT_EQ(duplicated.at("x").as_n().as_int64(), 2);
}

TEST(attribute_map, lookup_insert_and_erase)
{
    attribute_map m;
    EXPECT_TRUE(m.empty());
    EXPECT_EQ(m.find("a"), nullptr);
    EXPECT_FALSE(m.contains("a"));

    m["a"];  // inserts NULL
    EXPECT_TRUE(m.contains("a"));
    EXPECT_TRUE(m.at("a").is_null());
    m["a"] = "x";
    EXPECT_EQ(m.size(), 1u);
    EXPECT_EQ(m.at("a").as_s(), "x");
    m["b"] = 2;
    m["c"] = 3;

    const attribute_map& cm = m;
    ASSERT_NE(cm.find("b"), nullptr);
    EXPECT_EQ(cm.find("b")->as_n().as_int64(), 2);
    ASSERT_NE(m.find("c"), nullptr);
    *m.find("c") = "three";
    EXPECT_EQ(m.at("c").as_s(), "three");

    EXPECT_TRUE(m.erase("b"));
    EXPECT_FALSE(m.erase("b"));
    EXPECT_EQ(m.size(), 2u);
    EXPECT_EQ(m.begin()->first, "a");
    EXPECT_EQ((m.begin() + 1)->first, "c");

    m.reserve(10);
    m.clear();
    EXPECT_TRUE(m.empty());
}

TEST(attribute_map, at_names_the_missing_attribute)
{
    const attribute_map m{{"a", 1}};
    const error e = thrown([&] { (void)m.at("price"); });
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_EQ(e.diag().message, "attribute \"price\" is not in the item");
    const error long_name = thrown([&] { (void)m.at(std::string(1000, 'n')); });
    EXPECT_EQ(long_name.diag().message,
              "attribute \"" + std::string(64, 'n') + "...\" is not in the item");
}

TEST(attribute_map, equality_ignores_order)
{
    const attribute_map a{{"x", 1}, {"y", "s"}, {"z", true}};
    EXPECT_EQ(a, (attribute_map{{"z", true}, {"x", 1}, {"y", "s"}}));
    EXPECT_EQ(a, (attribute_map{{"x", number("1.0")}, {"y", "s"}, {"z", true}}));
    EXPECT_NE(a, (attribute_map{{"x", 1}, {"y", "s"}}));
    EXPECT_NE(a, (attribute_map{{"x", 1}, {"y", "s"}, {"w", true}}));
    EXPECT_NE(a, (attribute_map{{"x", 2}, {"y", "s"}, {"z", true}}));
    EXPECT_NE(a, (attribute_map{{"z", false}, {"x", 1}, {"y", "s"}}));
    EXPECT_EQ(attribute_map{}, attribute_map{});
}

TEST(sets, compare_as_sets)
{
    EXPECT_EQ((string_set{{"a", "b"}}), (string_set{{"b", "a"}}));
    EXPECT_EQ((string_set{{"a", "a"}}), (string_set{{"a"}}));
    EXPECT_NE((string_set{{"a"}}), (string_set{{"b"}}));
    EXPECT_NE((string_set{{"a", "b"}}), (string_set{{"a"}}));
    EXPECT_NE((string_set{{"a", "a"}}), (string_set{{"a", "b"}}));
    EXPECT_EQ(string_set{}, string_set{});

    EXPECT_EQ((number_set{{number("1"), number("2")}}),
              (number_set{{number("2.0"), number("1e0")}}));
    EXPECT_EQ((number_set{{number("1"), number("1.0")}}), (number_set{{number("1")}}));
    EXPECT_NE((number_set{{number("1"), number("2")}}), (number_set{{number("1"), number("3")}}));

    EXPECT_EQ((binary_set{{to_bytes("x"), to_bytes("yz")}}),
              (binary_set{{to_bytes("yz"), to_bytes("x")}}));
    EXPECT_NE((binary_set{{to_bytes("x")}}), (binary_set{{to_bytes("X")}}));

    EXPECT_EQ(attribute_value(string_set{{"a", "b"}}), attribute_value(string_set{{"b", "a"}}));
    EXPECT_NE(attribute_value(string_set{{"1"}}), attribute_value(number_set{{number(1)}}));
}

error_code check(const attribute_map& item, std::string& why)
{
    return validate(item, &why);
}

TEST(validate, accepts_a_well_formed_item)
{
    const attribute_map item{
        {"id", "é€😀 and ascii beyond eight bytes"},
        {"n", 1},
        {"b", to_bytes("")},
        {"empty", ""},
        {"flag", true},
        {"nothing", null_value{}},
        {"m", attribute_map{{"inner", attribute_list{1, "x", string_set{{"a", "b"}}}}}},
        {"ss", string_set{{"a", "b", ""}}},
        {"ns", number_set{{number("1"), number("1.5")}}},
        {"bs", binary_set{{to_bytes("a"), to_bytes("b")}}},
        {std::string(65535, 'n'), 1},
    };
    std::string why;
    EXPECT_FALSE(check(item, why)) << why;
    EXPECT_FALSE(validate(item));
    EXPECT_FALSE(validate(attribute_value("x")));
}

TEST(validate, refuses_empty_sets)
{
    std::string why;
    EXPECT_EQ(check({{"tags", string_set{}}}, why), errc::invalid_argument);
    EXPECT_EQ(why, "tags: the string set is empty, DynamoDB refuses empty sets");
    EXPECT_EQ(check({{"a", attribute_map{{"b", number_set{}}}}}, why), errc::invalid_argument);
    EXPECT_EQ(why, "a.b: the number set is empty, DynamoDB refuses empty sets");
    EXPECT_EQ(check({{"a", attribute_list{1, binary_set{}}}}, why), errc::invalid_argument);
    EXPECT_EQ(why, "a[1]: the binary set is empty, DynamoDB refuses empty sets");
    EXPECT_EQ(validate(attribute_value(string_set{}), &why), errc::invalid_argument);
    EXPECT_EQ(why, "value: the string set is empty, DynamoDB refuses empty sets");
}

TEST(validate, refuses_duplicate_set_members)
{
    std::string why;
    EXPECT_EQ(check({{"tags", string_set{{"a", "b", "c", "b"}}}}, why), errc::invalid_argument);
    EXPECT_EQ(why, "tags: the string set has duplicate members at indices 1 and 3");
    EXPECT_EQ(check({{"ns", number_set{{number("1"), number("2"), number("1.0")}}}}, why),
              errc::invalid_argument);
    EXPECT_EQ(why, "ns: the number set has duplicate members at indices 0 and 2");
    EXPECT_EQ(check({{"bs", binary_set{{to_bytes("x"), to_bytes("x")}}}}, why),
              errc::invalid_argument);
    EXPECT_EQ(why, "bs: the binary set has duplicate members at indices 0 and 1");
    EXPECT_FALSE(check({{"ns", number_set{{number("1"), number("10"), number("0.1")}}}}, why));
}

// A lone UTF-16 surrogate, as read from a "\ud800" escape, is sent back as that escape.
TEST(validate, accepts_lone_surrogates)
{
    for (const char* text : {"\xED\xA0\x80", "a\xED\xAF\xBFz", "\xED\xB0\x80", "\xED\xB0\x80\xED\xA0\x80",
                             "\xED\xA0\x80" "abc\xED\xB0\x80"}) {
        std::string why;
        EXPECT_FALSE(check({{"a", text}, {text, 1}}, why)) << why;
    }
}

TEST(validate, refuses_invalid_utf8)
{
    const char* invalid[] = {
        "\x80",              // continuation without a lead byte
        "\xC0\xAF",          // overlong '/'
        "\xE0\x80\xAF",      // overlong, three bytes
        "\xED\xA0\xBD\xED\xB8\x80",  // a surrogate pair as two surrogates (CESU-8)
        "\xF4\x90\x80\x80",  // above U+10FFFF
        "\xE2\x82",          // truncated
        "\xF8\x88\x80\x80\x80",
        "\xFF",
        "abcdefgh\xC3(",  // bad continuation after an ASCII run
    };
    for (const char* text : invalid) {
        std::string why;
        EXPECT_EQ(check({{"a", attribute_map{{"b", attribute_list{"ok", text}}}}}, why),
                  errc::invalid_utf8)
            << text;
        EXPECT_EQ(why.rfind("a.b[1]: the string is not valid UTF-8 (byte ", 0), 0u) << why;
    }
    std::string why;
    EXPECT_EQ(check({{"s", "abcdefghij\xFF"}}, why), errc::invalid_utf8);
    EXPECT_EQ(why, "s: the string is not valid UTF-8 (byte 10)");
    EXPECT_EQ(check({{"ss", string_set{{"ok", "\xC3"}}}}, why), errc::invalid_utf8);
    EXPECT_EQ(why, "ss: string set member 1 is not valid UTF-8 (byte 0)");
    EXPECT_EQ(check({{"m", attribute_map{{"na\xFFme", 1}}}}, why), errc::invalid_utf8);
    EXPECT_EQ(why, "m: an attribute name is not valid UTF-8 (byte 2)");
    EXPECT_EQ(check({{"\xC3", 1}}, why), errc::invalid_utf8);
    EXPECT_EQ(why, "an attribute name is not valid UTF-8 (byte 0)");
    for (const char* valid : {"\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xEF\xBF\xBF",
                              "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
        EXPECT_FALSE(check({{"s", valid}}, why)) << why;
    }
}

TEST(validate, refuses_bad_names)
{
    std::string why;
    EXPECT_EQ(check({{"", 1}}, why), errc::invalid_argument);
    EXPECT_EQ(why, "an attribute name is empty");
    EXPECT_EQ(check({{"a", attribute_list{attribute_map{{"", 1}}}}}, why), errc::invalid_argument);
    EXPECT_EQ(why, "a[0]: an attribute name is empty");
    EXPECT_EQ(check({{std::string(65536, 'n'), 1}}, why), errc::invalid_argument);
    EXPECT_EQ(why, std::string(64, 'n') +
                       "...: attribute name is 65536 bytes long, at most 65535 are allowed");
    EXPECT_EQ(check({{"m", attribute_map{{std::string(70000, 'n'), 1}}}}, why),
              errc::invalid_argument);
    EXPECT_EQ(why, "m." + std::string(64, 'n') +
                       "...: attribute name is 70000 bytes long, at most 65535 are allowed");
    // Encoding is checked before length.
    EXPECT_EQ(check({{std::string(70000, '\xE9'), 1}}, why), errc::invalid_utf8);
    // A long name is cut at a character boundary in the message.
    std::string two_byte_name = std::string(63, 'n');
    while (two_byte_name.size() <= 65535) two_byte_name += "\xC3\xA9";
    EXPECT_EQ(check({{two_byte_name, 1}}, why), errc::invalid_argument);
    EXPECT_EQ(why.rfind(std::string(63, 'n') + "...:", 0), 0u) << why.substr(0, 80);
}

attribute_value nested_lists(int levels)
{
    attribute_value v = "leaf";
    for (int i = 0; i < levels; ++i) v = attribute_list{std::move(v)};
    return v;
}

attribute_value nested_maps(int levels)
{
    attribute_value v = 1;
    for (int i = 0; i < levels; ++i) v = attribute_map{{"m", std::move(v)}};
    return v;
}

TEST(validate, limits_nesting_to_32_levels)
{
    std::string why;
    EXPECT_FALSE(check({{"deep", nested_lists(32)}}, why)) << why;
    EXPECT_FALSE(check({{"deep", nested_maps(32)}}, why)) << why;
    EXPECT_FALSE(validate(nested_lists(32), &why)) << why;

    EXPECT_EQ(check({{"deep", nested_lists(33)}}, why), errc::invalid_argument);
    std::string path = "deep";
    for (int i = 0; i < 32; ++i) path += "[0]";
    EXPECT_EQ(why, path + ": maps and lists are nested deeper than 32 levels, DynamoDB's limit");

    EXPECT_EQ(check({{"deep", nested_maps(33)}}, why), errc::invalid_argument);
    path = "deep";
    for (int i = 0; i < 32; ++i) path += ".m";
    EXPECT_EQ(why, path + ": maps and lists are nested deeper than 32 levels, DynamoDB's limit");

    EXPECT_EQ(validate(nested_maps(33), &why), errc::invalid_argument);
    EXPECT_EQ(why.rfind("value.m.m", 0), 0u) << why;
}

TEST(item_size, follows_the_documented_rules)
{
    EXPECT_EQ(item_size({}), 0u);
    EXPECT_EQ(item_size({{"a", "xyz"}}), 1u + 3);
    EXPECT_EQ(item_size({{"é", "€"}}), 2u + 3);  // UTF-8 bytes, not characters
    EXPECT_EQ(item_size({{"n", 0}}), 1u + 1);
    EXPECT_EQ(item_size({{"n", 7}}), 1u + 2);
    EXPECT_EQ(item_size({{"n", 12}}), 1u + 2);
    EXPECT_EQ(item_size({{"n", 123}}), 1u + 3);
    EXPECT_EQ(item_size({{"n", number("-0.00012300")}}), 1u + 3);  // zeros are not digits
    EXPECT_EQ(item_size({{"n", number("12345678901234567890123456789012345678")}}), 1u + 20);
    EXPECT_EQ(item_size({{"b", make_bytes({1, 2, 3, 4, 5})}}), 1u + 5);
    EXPECT_EQ(item_size({{"t", true}}), 1u + 1);
    EXPECT_EQ(item_size({{"z", null_value{}}}), 1u + 1);
    EXPECT_EQ(item_size({{"m", attribute_map{}}}), 1u + 3);
    EXPECT_EQ(item_size({{"l", attribute_list{}}}), 1u + 3);
    EXPECT_EQ(item_size({{"m", attribute_map{{"k", "v"}}}}), 1u + 3 + (1 + 1 + 1));
    EXPECT_EQ(item_size({{"l", attribute_list{1, "ab"}}}), 1u + 3 + (1 + 2) + (1 + 2));
    EXPECT_EQ(item_size({{"ss", string_set{{"ab", "c"}}}}), 2u + 3);
    EXPECT_EQ(item_size({{"ns", number_set{{number("1"), number("22"), number("333")}}}}),
              2u + 2 + 2 + 3);
    EXPECT_EQ(item_size({{"bs", binary_set{{make_bytes({1}), make_bytes({1, 2})}}}}), 2u + 3);
    EXPECT_EQ(item_size({{"a", "xyz"}, {"n", 12}, {"m", attribute_map{{"k", "v"}}}}), 4u + 3 + 7);
    EXPECT_EQ(item_size({{"big", std::string(max_item_size, 'x')}}), max_item_size + 3);
}

TEST(base64, encodes_the_rfc_4648_vectors)
{
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(std::string_view(plain)), encoded);
        EXPECT_EQ(base64_encode(to_bytes(plain)), encoded);
        bytes decoded = make_bytes({9});
        EXPECT_FALSE(base64_decode(encoded, decoded)) << encoded;
        EXPECT_EQ(decoded, to_bytes(plain));
    }
    EXPECT_EQ(base64_encode(make_bytes({0xfb, 0xff, 0xbf})), "+/+/");
}

TEST(base64, round_trips_every_byte)
{
    bytes all;
    for (unsigned i = 0; i < 256; ++i) all.push_back(static_cast<std::byte>(i));
    for (std::size_t length = 0; length <= all.size(); length += 37) {
        const bytes data(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(length));
        bytes back;
        ASSERT_FALSE(base64_decode(base64_encode(data), back));
        EXPECT_EQ(back, data);
    }
    bytes back;
    ASSERT_FALSE(base64_decode(base64_encode(all), back));
    EXPECT_EQ(back, all);
}

TEST(base64, refuses_bad_characters_and_padding)
{
    for (const char* text :
         {"Zg=", "Zg", "Z", "Z===", "====", "=Zg=", "Zm9v Zg==", "Zm9v\n", "Zg=a",
          "Z-==", "Z_==", "Zm9=Zm9v", "Zm8*", "Zm9vYg=\n", "Zm9v====", "\xC3\xA9Zg="}) {
        bytes out = make_bytes({1, 2});
        EXPECT_EQ(base64_decode(text, out), errc::invalid_base64) << text;
        EXPECT_EQ(out, make_bytes({1, 2})) << text;
    }
}

TEST(base64, ignores_unused_low_bits)
{
    bytes out;
    EXPECT_FALSE(base64_decode("Zh==", out));  // "Zg==" with a nonzero unused bit
    EXPECT_EQ(out, to_bytes("f"));
    EXPECT_FALSE(base64_decode("Zm9=", out));
    EXPECT_EQ(out, to_bytes("fo"));
}

TEST(bytes, from_text)
{
    EXPECT_EQ(to_bytes("a\0b"), make_bytes({'a'}));
    EXPECT_EQ(to_bytes(std::string_view("a\0b", 3)), make_bytes({'a', 0, 'b'}));
    EXPECT_TRUE(to_bytes("").empty());
}

TEST(attribute_value, doubles_become_numbers_not_booleans)
{
    attribute_value price = 19.99;
    EXPECT_EQ(price.type(), kind::n);
    EXPECT_EQ(price.as_n().text(), "19.99");
    attribute_value ratio = 0.5f;
    EXPECT_EQ(ratio.as_n().text(), "0.5");
    EXPECT_EQ(thrown([] { attribute_value v = std::nan(""); }).code(), errc::invalid_number);
    EXPECT_EQ(thrown([] { attribute_value v = std::numeric_limits<double>::infinity(); }).code(),
              errc::invalid_number);
}

}  // namespace
}  // namespace dynomite
