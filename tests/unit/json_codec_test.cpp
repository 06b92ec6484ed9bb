// The JSON writer and DynamoDB's attribute value JSON, both ways.
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"
#include "core/plain_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace dynomite::detail {
namespace {

boost::json::value parse(std::string_view text)
{
    boost::json::parse_options options;
    options.max_depth = 100000;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec, {}, options);
    EXPECT_FALSE(ec) << ec.message() << " in " << text.substr(0, 200);
    return v;
}

bytes make_bytes(std::initializer_list<unsigned> values)
{
    bytes out;
    for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

std::string encode(const attribute_value& v)
{
    std::string out;
    json_writer w(out);
    write_value(w, v);
    return out;
}

std::string encode(const attribute_map& item)
{
    std::string out;
    json_writer w(out);
    write_item(w, item);
    return out;
}

TEST(json_writer, structure_and_commas)
{
    std::string out = "prefix:";
    json_writer w(out);
    w.begin_object();
    w.member("a", 1);
    w.key("b");
    w.begin_array();
    w.boolean(true);
    w.boolean(false);
    w.null();
    w.string("x");
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.integer(-5);
    w.end_array();
    w.key("c");
    w.begin_object();
    w.member("d", "e");
    w.member("f", std::string_view("g"));
    w.member("h", false);
    w.member("i", std::int64_t{7});
    w.end_object();
    w.key("n");
    w.raw_number("1.5e3");
    w.end_object();
    EXPECT_EQ(out,
              "prefix:{\"a\":1,\"b\":[true,false,null,\"x\",{},[],-5],"
              "\"c\":{\"d\":\"e\",\"f\":\"g\",\"h\":false,\"i\":7},\"n\":1.5e3}");
    EXPECT_EQ(&w.out(), &out);
}

TEST(json_writer, integers_at_the_limits)
{
    std::string out;
    json_writer w(out);
    w.begin_array();
    w.integer(std::numeric_limits<std::int64_t>::min());
    w.integer(std::numeric_limits<std::int64_t>::max());
    w.integer(0);
    w.end_array();
    EXPECT_EQ(out, "[-9223372036854775808,9223372036854775807,0]");
}

TEST(json_writer, escapes_strings)
{
    std::string out;
    json_writer w(out);
    w.begin_array();
    w.string("quote\" backslash\\ slash/");
    w.string(std::string_view("nul\0 \x01\n\r\t\x1f", 10));
    w.string("utf-8 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 del\x7f");
    w.string("");
    w.end_array();
    EXPECT_EQ(out,
              "[\"quote\\\" backslash\\\\ slash/\","
              "\"nul\\u0000 \\u0001\\u000a\\u000d\\u0009\\u001f\","
              "\"utf-8 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 del\x7f\",\"\"]");
}

TEST(json_writer, escaped_keys_and_strings_parse_back)
{
    std::string all;
    for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
    all += "\xC3\xA9";
    std::string out;
    json_writer w(out);
    w.begin_object();
    w.member(all, all);
    w.end_object();
    const boost::json::value v = parse(out);
    ASSERT_TRUE(v.is_object());
    const auto& object = v.get_object();
    ASSERT_EQ(object.size(), 1u);
    EXPECT_EQ(std::string_view(object.begin()->key()), all);
    EXPECT_EQ(std::string_view(object.begin()->value().as_string()), all);
}

TEST(json_writer, binary_as_base64)
{
    std::string out;
    json_writer w(out);
    w.begin_array();
    w.binary(make_bytes({1, 2}));
    w.binary({});
    w.end_array();
    EXPECT_EQ(out, "[\"AQI=\",\"\"]");
}

TEST(json_codec, writes_every_type)
{
    EXPECT_EQ(encode(attribute_value("x")), R"({"S":"x"})");
    EXPECT_EQ(encode(attribute_value("a\"b")), R"({"S":"a\"b"})");
    EXPECT_EQ(encode(attribute_value(number("12"))), R"({"N":"12"})");
    EXPECT_EQ(encode(attribute_value(number("-1.5e-3"))), R"({"N":"-1.5e-3"})");
    EXPECT_EQ(encode(attribute_value(make_bytes({1, 2}))), R"({"B":"AQI="})");
    EXPECT_EQ(encode(attribute_value(true)), R"({"BOOL":true})");
    EXPECT_EQ(encode(attribute_value(false)), R"({"BOOL":false})");
    EXPECT_EQ(encode(attribute_value()), R"({"NULL":true})");
    EXPECT_EQ(encode(attribute_value(attribute_map{{"a", "b"}, {"c", 1}})),
              R"({"M":{"a":{"S":"b"},"c":{"N":"1"}}})");
    EXPECT_EQ(encode(attribute_value(attribute_map{})), R"({"M":{}})");
    EXPECT_EQ(encode(attribute_value(attribute_list{1, "x"})), R"({"L":[{"N":"1"},{"S":"x"}]})");
    EXPECT_EQ(encode(attribute_value(attribute_list{})), R"({"L":[]})");
    EXPECT_EQ(encode(attribute_value(string_set{{"a", "b"}})), R"({"SS":["a","b"]})");
    EXPECT_EQ(encode(attribute_value(number_set{{number("1"), number("2.5")}})),
              R"({"NS":["1","2.5"]})");
    EXPECT_EQ(encode(attribute_value(binary_set{{make_bytes({1}), make_bytes({})}})),
              R"({"BS":["AQ==",""]})");
}

TEST(json_codec, writes_items)
{
    EXPECT_EQ(encode(attribute_map{}), "{}");
    EXPECT_EQ(encode(attribute_map{{"id", "1"}, {"n", 2}}), R"({"id":{"S":"1"},"n":{"N":"2"}})");
    EXPECT_EQ(encode(attribute_map{{"na\"me", true}}), R"({"na\"me":{"BOOL":true}})");
}

attribute_map every_type()
{
    return attribute_map{
        {"s", "text with \"quotes\", \\, \n and \xC3\xA9\xF0\x9F\x98\x80"},
        {"empty", ""},
        {"n", number("-12.500e-3")},
        {"big", number("9.9999999999999999999999999999999999999e125")},
        {"b", make_bytes({0, 1, 2, 254, 255})},
        {"t", true},
        {"f", false},
        {"nothing", null_value{}},
        {"m", attribute_map{{"x", 1}, {"y", attribute_map{{"z", attribute_list{}}}}}},
        {"l", attribute_list{"a", 2, attribute_list{3, null_value{}}, attribute_map{}}},
        {"ss", string_set{{"a", "b", "\x01"}}},
        {"ns", number_set{{number("1"), number("1e-130"), number("-5")}}},
        {"bs", binary_set{{make_bytes({1}), make_bytes({2, 3})}}},
        {"\xE2\x82\xAC name", "unicode name"},
    };
}

TEST(json_codec, round_trips_every_type)
{
    const attribute_map item = every_type();
    const std::string text = encode(item);
    const boost::json::value json = parse(text);
    attribute_map back{{"stale", 1}};
    std::string why;
    ASSERT_FALSE(read_item(json, back, "Item", &why)) << why;
    EXPECT_EQ(back, item);
    // Same order and the exact number text, not just equal values.
    ASSERT_EQ(back.size(), item.size());
    auto original = item.begin();
    for (const auto& [name, value] : back) EXPECT_EQ(name, (original++)->first);
    EXPECT_EQ(back.at("n").as_n().text(), "-12.500e-3");
    EXPECT_EQ(encode(back), text);

    for (const auto& [name, value] : item) {
        attribute_value decoded = "stale";
        ASSERT_FALSE(read_value(parse(encode(value)), decoded, name, &why)) << why;
        EXPECT_EQ(decoded, value) << name;
    }
}

TEST(json_codec, reads_what_the_server_sends)
{
    const boost::json::value json = parse(R"({
        "id": {"S": "a"},
        "price": {"N": "1E+2"},
        "tags": {"SS": []},
        "data": {"B": ""}
    })");
    attribute_map item;
    ASSERT_FALSE(read_item(json, item, "Item", nullptr));
    EXPECT_EQ(item.at("price").as_n(), number("100"));
    EXPECT_EQ(item.at("price").as_n().text(), "1E+2");
    EXPECT_TRUE(item.at("tags").as_ss().values.empty());
    EXPECT_TRUE(item.at("data").as_b().empty());
}

struct bad_case {
    const char* json;
    const char* why;
};

TEST(json_codec, reports_where_a_value_is_malformed)
{
    const bad_case cases[] = {
        {R"([])", "Item: expected an object of attributes, got array"},
        {R"({"a": "x"})",
         R"(Item.a: expected an object with one type key such as "S", got string)"},
        {R"({"a": null})", R"(Item.a: expected an object with one type key such as "S", got null)"},
        {R"({"a": {}})", R"(Item.a: expected one type key such as "S", got none)"},
        {R"({"a": {"S": "x", "N": "1"}})", R"(Item.a: expected one type key, got 2: "S", "N")"},
        {R"({"a": {"X": 1}})", R"(Item.a: unknown attribute type "X")"},
        {R"({"a": {"s": "x"}})", R"(Item.a: unknown attribute type "s")"},
        {R"({"tags": {"L": [{"S": "a"}, {"S": "b"}, {"S": 3}]}})",
         R"(Item.tags.L[2]: expected a string for "S", got number)"},
        {R"({"a": {"S": true}})", R"(Item.a: expected a string for "S", got boolean)"},
        {R"({"a": {"N": 12}})", R"(Item.a: expected a string for "N", got number)"},
        {R"({"price": {"N": "abc"}})",
         R"(Item.price: "N" value "abc" is not a number: unexpected character "a" at offset 0)"},
        {R"({"price": {"N": "1e126"}})",
         R"(Item.price: "N" value "1e126" is not a DynamoDB number: )"
         "its magnitude is not below 1e126, the largest allowed"},
        {R"({"a": {"B": "Zg="}})", R"(Item.a: "B" value is not valid base64)"},
        {R"({"a": {"B": 1.5}})", R"(Item.a: expected a string for "B", got number)"},
        {R"({"a": {"BOOL": "true"}})", R"(Item.a: expected a boolean for "BOOL", got string)"},
        {R"({"a": {"NULL": false}})", R"(Item.a: expected true for "NULL", got false)"},
        {R"({"a": {"NULL": null}})", R"(Item.a: expected true for "NULL", got null)"},
        {R"({"a": {"M": []}})", R"(Item.a: expected an object for "M", got array)"},
        {R"({"a": {"M": {"b": {"M": {"c": {"Q": 1}}}}}})",
         R"(Item.a.M.b.M.c: unknown attribute type "Q")"},
        {R"({"a": {"L": {}}})", R"(Item.a: expected an array for "L", got object)"},
        {R"({"a": {"L": [{"L": [{"NULL": true}, 5]}]}})",
         R"(Item.a.L[0].L[1]: expected an object with one type key such as "S", got number)"},
        {R"({"a": {"SS": "x"}})", R"(Item.a: expected an array for "SS", got string)"},
        {R"({"a": {"SS": ["x", 1]}})", R"(Item.a.SS[1]: expected a string for "SS", got number)"},
        {R"({"a": {"NS": {}}})", R"(Item.a: expected an array for "NS", got object)"},
        {R"({"a": {"NS": ["1", "x"]}})",
         R"(Item.a.NS[1]: "NS" value "x" is not a number: unexpected character "x" at offset 0)"},
        {R"({"a": {"NS": [1]}})", R"(Item.a.NS[0]: expected a string for "NS", got number)"},
        {R"({"a": {"BS": null}})", R"(Item.a: expected an array for "BS", got null)"},
        {R"({"a": {"BS": ["AQ==", "A"]}})", R"(Item.a.BS[1]: "BS" value is not valid base64)"},
        {R"({"a": {"BS": [[]]}})", R"(Item.a.BS[0]: expected a string for "BS", got array)"},
    };
    for (const auto& c : cases) {
        attribute_map item;
        std::string why;
        EXPECT_EQ(read_item(parse(c.json), item, "Item", &why), errc::malformed_response) << c.json;
        EXPECT_EQ(why, c.why) << c.json;
        // Without a place for the description, the error is still reported.
        EXPECT_EQ(read_item(parse(c.json), item, "Item", nullptr), errc::malformed_response);
    }
}

TEST(json_codec, bounds_keys_in_messages)
{
    const std::string key(100, 'K');
    attribute_value out;
    std::string why;
    EXPECT_EQ(read_value(parse(R"({")" + key + R"(": 1})"), out, "v", &why),
              errc::malformed_response);
    EXPECT_EQ(why, "v: unknown attribute type \"" + std::string(64, 'K') + "...\"");
    EXPECT_EQ(read_value(parse(R"({"\n": 1})"), out, "v", &why), errc::malformed_response);
    EXPECT_EQ(why, "v: unknown attribute type \"?\"");
}

TEST(json_codec, paths_without_a_prefix)
{
    attribute_value out;
    std::string why;
    EXPECT_EQ(read_value(parse("[]"), out, "", &why), errc::malformed_response);
    EXPECT_EQ(why, R"(expected an object with one type key such as "S", got array)");
    attribute_map item;
    EXPECT_EQ(read_item(parse(R"({"a": {"M": {"b": 1}}})"), item, "", &why),
              errc::malformed_response);
    EXPECT_EQ(why, R"(a.M.b: expected an object with one type key such as "S", got number)");
}

std::string nested_json(int levels, const char* open, const char* close)
{
    std::string text;
    for (int i = 0; i < levels; ++i) text += open;
    text += R"({"S":"leaf"})";
    for (int i = 0; i < levels; ++i) text += close;
    return text;
}

TEST(json_codec, limits_nesting_to_32_levels)
{
    attribute_value out;
    std::string why;
    EXPECT_FALSE(read_value(parse(nested_json(32, R"({"L":[)", "]}")), out, "v", &why)) << why;
    EXPECT_FALSE(read_value(parse(nested_json(32, R"({"M":{"k":)", "}}")), out, "v", &why)) << why;

    EXPECT_EQ(read_value(parse(nested_json(33, R"({"L":[)", "]}")), out, "v", &why),
              errc::malformed_response);
    std::string path = "v";
    for (int i = 0; i < 32; ++i) path += ".L[0]";
    EXPECT_EQ(why, path + ": maps and lists are nested deeper than 32 levels, DynamoDB's limit");

    EXPECT_EQ(read_value(parse(nested_json(33, R"({"M":{"k":)", "}}")), out, "v", &why),
              errc::malformed_response);
    path = "v";
    for (int i = 0; i < 32; ++i) path += ".M.k";
    EXPECT_EQ(why, path + ": maps and lists are nested deeper than 32 levels, DynamoDB's limit");

    attribute_map item;
    EXPECT_EQ(read_item(parse(R"({"top":)" + nested_json(33, R"({"L":[)", "]}") + "}"), item,
                        "Item", &why),
              errc::malformed_response);
    EXPECT_EQ(why.rfind("Item.top.L[0]", 0), 0u) << why;
}

// Plain JSON (seed files, model JSON): numbers keep every digit, on the way in and out.
TEST(plain_json, numbers_keep_every_digit_both_ways)
{
    for (const char* text :
         {"98765432109876543210987654321098765432", "-98765432109876543210987654321098765432",
          "12345678901234567890123456789", "1.2345678901234567890123456789012345678E-130",
          "-9.9999999999999999999999999999999999999e+125", "0.000000000000000000000000000000001",
          "1.50", "-0", "18446744073709551616"}) {
        attribute_value read;
        std::string why;
        ASSERT_FALSE(read_plain_json(std::string("[") + text + "]", read, &why)) << why;
        EXPECT_EQ(read.as_l().at(0).as_n().text(), text);
        EXPECT_EQ(encode(read.as_l().at(0)), std::string(R"({"N":")") + text + "\"}");
        attribute_value back;
        ASSERT_FALSE(read_value(parse(encode(read)), back, "", &why)) << why;
        EXPECT_EQ(back.as_l().at(0).as_n().text(), text);
    }
}

TEST(plain_json, reads_every_kind_and_reports_places)
{
    attribute_value read;
    std::string why;
    ASSERT_FALSE(read_plain_json(R"({"s": "x\u00e9", "n": 1, "t": true, "z": null,
                                     "m": {"l": [1, "a", [], {}]}})",
                                 read, &why))
        << why;
    const attribute_map& m = read.as_m();
    EXPECT_EQ(m.at("s").as_s(), "x\xc3\xa9");
    EXPECT_EQ(m.at("n").as_n().text(), "1");
    EXPECT_TRUE(m.at("t").as_bool());
    EXPECT_TRUE(m.at("z").is_null());
    EXPECT_EQ(m.at("m").as_m().at("l").as_l().size(), 4u);

    attribute_value untouched(1);
    EXPECT_EQ(read_plain_json(R"({"a": {"b": [1, 2e200]}})", untouched, &why),
              errc::invalid_number);
    EXPECT_EQ(why.rfind("a.b[1]: \"2e200\" is not a DynamoDB number", 0), 0u) << why;
    EXPECT_EQ(read_plain_json(R"([1, 123456789012345678901234567890123456789])", untouched, &why),
              errc::invalid_number);
    EXPECT_NE(why.find("39 significant digits"), std::string::npos) << why;
    EXPECT_EQ(read_plain_json("{", untouched, &why), errc::invalid_argument);
    EXPECT_EQ(why.rfind("not valid JSON", 0), 0u) << why;
    EXPECT_EQ(read_plain_json("[1] 2", untouched, &why), errc::invalid_argument);
    EXPECT_EQ(read_plain_json("// c\n[1,]", untouched, &why), errc::invalid_argument);
    EXPECT_EQ(untouched, attribute_value(1));
    plain_json_options lenient;
    lenient.allow_comments = true;
    lenient.allow_trailing_commas = true;
    EXPECT_FALSE(read_plain_json("// c\n[1,]", untouched, &why, lenient)) << why;
}

TEST(json_codec, survives_absurd_nesting)
{
    attribute_value out;
    std::string why;
    EXPECT_EQ(read_value(parse(nested_json(5000, R"({"L":[)", "]}")), out, "v", &why),
              errc::malformed_response);
    EXPECT_NE(why.find("nested deeper than 32 levels"), std::string::npos);
}

}  // namespace
}  // namespace dynomite::detail
