// The direct decoder against the DOM decoder: equal results whenever it accepts a body, and it
// accepts the usual shapes of GetItem, Query and Scan responses.
#include "protocol/direct_decode.hpp"
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"
#include <dynomite/protocol/detail/protocol.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <array>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace dynomite;
namespace json = boost::json;

enum class expect { direct, dom_only };

// Decodes with the DOM decoder, or reports that the body is not valid JSON.
template <class Response>
error_code through_dom(std::string_view body, Response& out)
{
    json::error_code json_ec;
    const json::value value = detail::parse_body(body, json_ec);
    if (json_ec) return make_error_code(errc::malformed_response);
    std::string why;
    return detail::decode_response(value, out, &why);
}

bool same(const get_item_response& a, const get_item_response& b)
{
    return a.item == b.item;
}

bool same(const query_response& a, const query_response& b)
{
    return a.items == b.items && a.count == b.count && a.scanned_count == b.scanned_count &&
           a.last_evaluated_key == b.last_evaluated_key;
}

// The body as a test report can carry it: other bytes than printable ASCII as \xNN.
std::string printable(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f) {
            out += c;
        } else {
            constexpr std::string_view digits = "0123456789abcdef";
            out += "\\x";
            out += digits[byte >> 4];
            out += digits[byte & 0xf];
        }
    }
    return out;
}

// Whichever way the body is decoded, the result is the same; `e` says which way it must take.
template <class Response>
void check(std::string_view body, expect e)
{
    SCOPED_TRACE(printable(body.substr(0, 200)));
    Response direct;
    const bool accepted = detail::decode_directly(body, direct);
    EXPECT_EQ(accepted, e == expect::direct);
    Response dom;
    const error_code dom_ec = through_dom(body, dom);
    if (accepted) {
        ASSERT_FALSE(dom_ec) << "the direct decoder accepted what the DOM decoder refuses";
        EXPECT_TRUE(same(direct, dom));
    }
    // What the client returns is the same either way.
    Response parsed;
    std::string why;
    const error_code parsed_ec = detail::parse_response(body, parsed, &why);
    EXPECT_EQ(parsed_ec, dom_ec) << why;
    if (!parsed_ec) EXPECT_TRUE(same(parsed, dom));
}

TEST(DirectDecode, UsualGetItemResponsesAreDecodedDirectly)
{
    check<get_item_response>("{}", expect::direct);
    check<get_item_response>(R"({"Item":{}})", expect::direct);
    check<get_item_response>(
        R"({"Item":{"pk":{"S":"k"},"n":{"N":"-12.50"},"b":{"B":"AAEC"},"t":{"BOOL":true},)"
        R"("f":{"BOOL":false},"z":{"NULL":true},"m":{"M":{"a":{"L":[{"S":"x"},{"N":"1"}]}}},)"
        R"("ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AA==","AQ=="]},)"
        R"("e":{"S":""},"el":{"L":[]},"em":{"M":{}}}})",
        expect::direct);
    check<get_item_response>(" \n{ \"Item\" : { \"pk\" : { \"S\" : \"k\" } } } \n", expect::direct);
}

TEST(DirectDecode, EscapesInNamesAndValuesAreDecoded)
{
    check<get_item_response>(
        R"({"Item":{"caf\u00e9 \"q\"":{"S":"line\nbreak \ud83d\ude00 \\ \/"},"k\\":{"SS":["\t"]}}})",
        expect::direct);
    get_item_response out;
    ASSERT_TRUE(detail::decode_directly(R"({"Item":{"caf\u00e9":{"S":"a\"b"}}})", out));
    EXPECT_EQ(out.item->at("caf\xc3\xa9").as_s(), "a\"b");
}

TEST(DirectDecode, UsualPagesAreDecodedDirectly)
{
    check<query_response>(R"({"Items":[],"Count":0,"ScannedCount":0})", expect::direct);
    check<query_response>(
        R"({"Count":2,"Items":[{"pk":{"S":"a"},"v":{"N":"1"}},{"pk":{"S":"b"}}],)"
        R"("LastEvaluatedKey":{"pk":{"S":"b"}},"ScannedCount":18446744073709551})",
        expect::direct);
}

TEST(DirectDecode, ThirtyTwoLevelsAreDecodedDirectlyAndDeeperGoesToTheDom)
{
    const auto nested = [](int levels) {
        std::string text;
        for (int i = 0; i < levels; ++i) text += i % 2 ? R"({"L":[)" : R"({"M":{"a":)";
        text += R"({"S":"leaf"})";
        for (int i = levels - 1; i >= 0; --i) text += i % 2 ? "]}" : "}}";
        return R"({"Item":{"deep":)" + text + "}}";
    };
    check<get_item_response>(nested(32), expect::direct);
    check<get_item_response>(nested(33), expect::dom_only);
}

TEST(DirectDecode, WhatItDoesNotKnowGoesToTheDomDecoder)
{
    for (
        std::string_view body : {
            // Members it leaves to the DOM decoder.
            R"({"Item":{"pk":{"S":"k"}},"ConsumedCapacity":{"TableName":"t","CapacityUnits":0.5}})",
            R"({"Item":{"pk":{"S":"k"}},"Unknown":1})",
            R"({"Item":{"pk":{"S":"a"}},"Item":{"pk":{"S":"b"}}})",
            R"({"Item":{"pk":{"S":"a"},"pk":{"S":"b"}}})",
            // Malformed values and text: the DOM decoder gives the error and its place.
            R"({"Item":{"a":{"S":"x","N":"1"}}})",
            R"({"Item":{"a":{}}})",
            R"({"Item":{"a":{"Z":"x"}}})",
            R"({"Item":{"a":{"N":"twelve"}}})",
            R"({"Item":{"a":{"N":12}}})",
            R"({"Item":{"a":{"B":"not base64!"}}})",
            R"({"Item":{"a":{"NULL":false}}})",
            R"({"Item":{"a":{"BOOL":"true"}}})",
            R"({"Item":{"a":{"SS":"x"}}})",
            R"({"Item":{"a":{"SS":[1]}}})",
            R"({"Item":{"a":{"L":[1]}}})",
            R"({"Item":{"a":{"M":[]}}})",
            R"({"Item":{"a":null}})",
            R"({"Item":5})",
            R"({"Item":[]})",
            R"([])",
            R"("text")",
            R"(true)",
            R"(12)",
            R"({"Item":{}} trailing)",
            R"({"Item":{})",
            "",
        }) {
        check<get_item_response>(body, expect::dom_only);
    }
    for (std::string_view body : {
             R"({"Items":[],"Count":1.0})",
             R"({"Items":[],"Count":"1"})",
             R"({"Items":[],"Count":-1,"Count":2})",
             R"({"Items":{}})",
             R"({"Items":[5]})",
             R"({"Items":[],"Count":99999999999999999999})",
             R"({"Item":{}})",
         }) {
        check<query_response>(body, expect::dom_only);
    }
}

TEST(DirectDecode, StringsAreCheckedAsBoostJsonChecksThem)
{
    // Valid UTF-8 of two, three and four bytes, escapes of each kind, and a surrogate pair.
    check<get_item_response>(
        "{\"Item\":{\"a\":{\"S\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"},"
        "\"b\":{\"S\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u20AC \\ud83d\\ude00\"}}}",
        expect::direct);
    for (std::string_view bad : {
             "\xc0\x80",          // overlong
             "\xe0\x80\xaf",      // overlong
             "\xed\xa0\x80",      // a surrogate
             "\xf4\x90\x80\x80",  // past U+10FFFF
             "\xf5\x80\x80\x80",
             "\x80",
             "\xc3",  // cut short
             "\x01",  // a control character
             "\\x",   // an unknown escape
             "\\u12",
             "\\ud83d\\u12",
             "\\ud83g",
         }) {
        for (const std::string& padding : {std::string(), std::string(20, 'p')}) {
            const std::string body =
                "{\"Item\":{\"a\":{\"S\":\"" + padding + std::string(bad) + "\"}}}";
            check<get_item_response>(body, expect::dom_only);
            const std::string in_name =
                "{\"Item\":{\"" + padding + std::string(bad) + "\":{\"S\":\"x\"}}}";
            check<get_item_response>(in_name, expect::dom_only);
        }
    }
}

// A lone UTF-16 surrogate escape, which DynamoDB stores and the AWS SDKs read, is read in its
// 3-byte form (WTF-8) by both decoders, and written back as the same escape.
TEST(DirectDecode, LoneSurrogatesAreReadAndWrittenBackAsTheSameEscape)
{
    struct lone {
        std::string escaped;  // in the body
        std::string bytes;    // as read
        std::string written;  // as written back
    };
    const std::vector<lone> cases = {
        {"\\ud800", "\xed\xa0\x80", "\\ud800"},
        {"\\udbff", "\xed\xaf\xbf", "\\udbff"},
        {"\\udc00", "\xed\xb0\x80", "\\udc00"},
        {"\\uDFFF", "\xed\xbf\xbf", "\\udfff"},
        {"a\\ud83d\\u0041b", "a\xed\xa0\xbd" "Ab", "a\\ud83dAb"},
        {"\\ude00\\ud83d", "\xed\xb8\x80\xed\xa0\xbd", "\\ude00\\ud83d"},
        {"\\ud83d\\ud83d\\ude00", "\xed\xa0\xbd\xf0\x9f\x98\x80", "\\ud83d\xf0\x9f\x98\x80"},
    };
    for (const lone& c : cases) {
        for (const std::string& padding : {std::string(), std::string(20, 'p')}) {
            const std::string value = padding + c.escaped;
            const std::string body = "{\"Item\":{\"a\":{\"S\":\"" + value + "\"},\"" + value +
                                     "\":{\"S\":\"name\"}}}";
            check<get_item_response>(body, expect::direct);
            get_item_response parsed;
            std::string why;
            ASSERT_FALSE(detail::parse_response(body, parsed, &why)) << why;
            ASSERT_TRUE(parsed.item);
            EXPECT_EQ(parsed.item->at("a").as_s(), padding + c.bytes) << printable(c.escaped);
            EXPECT_TRUE(parsed.item->contains(padding + c.bytes));
            EXPECT_FALSE(validate(*parsed.item)) << "a lone surrogate is a valid value to send";

            std::string written;
            detail::json_writer w(written);
            w.string(parsed.item->at("a").as_s());
            EXPECT_EQ(written, "\"" + padding + c.written + "\"");
        }
    }
    // Through the DOM decoder, where the direct one gives the body up (an unknown member).
    check<get_item_response>(R"({"Item":{"a":{"S":"\ud800"}},"Other":1})", expect::dom_only);
    get_item_response parsed;
    ASSERT_FALSE(detail::parse_response(R"({"Item":{"a":{"S":"\ud800"}},"Other":1})", parsed,
                                        nullptr));
    EXPECT_EQ(parsed.item->at("a").as_s(), "\xed\xa0\x80");
}

TEST(DirectDecode, AnErrorResponsesItemKeepsItsLoneSurrogates)
{
    diagnostics diag;
    const error_code ec = detail::parse_error_response(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
        R"("message":"The conditional request failed","Item":{"a":{"S":"x\udc00"}}})",
        "id", diag);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    ASSERT_TRUE(diag.item);
    EXPECT_EQ(diag.item->at("a").as_s(), "x\xed\xb0\x80");
}

TEST(DirectDecode, APairWrittenAsTwoSurrogatesIsRefusedBeforeSending)
{
    // It would be sent as \ud83d\ude00 and read back as U+1F600: another string.
    attribute_map item{{"a", attribute_value(std::string("\xed\xa0\xbd\xed\xb8\x80"))}};
    EXPECT_EQ(validate(item), errc::invalid_utf8);
}

TEST(DirectDecode, SpecialCharactersAtEveryPositionOfLongStrings)
{
    // The scan for quotes, escapes and other bytes goes 16 bytes at a time.
    for (std::string_view special : {"\\\"", "\\n", "\xc3\xa9", "\xf0\x9f\x98\x80", "\\u00e9"}) {
        for (std::size_t at = 0; at <= 40; ++at) {
            const std::string text =
                std::string(at, 'a') + std::string(special) + std::string(40 - at, 'b');
            check<get_item_response>("{\"Item\":{\"" + text + "\":{\"S\":\"" + text +
                                         "\"},"
                                         "\"s\":{\"SS\":[\"" +
                                         text + "\"]}}}",
                                     expect::direct);
        }
    }
}

TEST(DirectDecode, SpaceAnywhereAndCountsAtTheirBounds)
{
    check<query_response>(
        " \t\r\n{ \"Items\" : [ { \"pk\" : { \"S\" : \"a\" } , \"l\" : { \"L\" : [ { \"BOOL\" : "
        "true } , "
        "{ \"NULL\" : true } ] } } ] , \"Count\" : 1 , \"ScannedCount\" : 999999999999999999 } \n",
        expect::direct);
    for (std::string_view count :
         {"01", "-1", "-0", "1e2", "1.5", "1000000000000000000", "", "true"}) {
        check<query_response>("{\"Items\":[],\"Count\":" + std::string(count) + "}",
                              expect::dom_only);
    }
    for (std::string_view body : {
             R"({"Items":[{"a":{"S":"x"},}]})",
             R"({"Items":[{"a":{"S":"x"}}],})",
             R"({"Items":[{"a":{"S":"x"}},]})",
             R"({"Items":[{"a":{"L":[{"S":"x"},]}}]})",
             R"({"Items":[{"a":{"S":"x"}}]}{})",
             R"({"Items":[{"a":{"BOOL":tru}}]})",
             R"({"Items":[{"a":{"BOOL":True}}]})",
             R"({"Items":[{"a":{"B":"AA\/"}}]})",
             R"({"Items":[{"a":{"\u0053":"x"}}]})",
             R"({"\u0049tems":[]})",
             "{\"Items\":[{\"a\":{\"S\":\"x\"}}]",
         }) {
        check<query_response>(body, expect::dom_only);
    }
}

// Random items, written by the encoder, read back both ways.
attribute_value random_value(std::mt19937& engine, int depth)
{
    std::uniform_int_distribution<int> kind(0, depth < 4 ? 9 : 7);
    std::uniform_int_distribution<int> small(0, 4);
    const auto text = [&] {
        // Whole UTF-8 sequences: DynamoDB strings are valid UTF-8.
        static constexpr std::array<std::string_view, 10> alphabet = {
            "a", "b", "\"", "\\", "\n", "\xc3\xa9", "/", " ", "0", "1"};
        std::string s;
        for (int i = small(engine); i >= 0; --i) s += alphabet[engine() % alphabet.size()];
        return s;
    };
    switch (kind(engine)) {
        case 0:
            return attribute_value(text());
        case 1:
            return attribute_value(
                number(std::to_string(static_cast<int>(engine() % 2001) - 1000) + ".25"));
        case 2:
            return attribute_value(bytes{std::byte{1}, std::byte{200}});
        case 3:
            return attribute_value(engine() % 2 == 0);
        case 4:
            return attribute_value(null_value{});
        case 5:
            return attribute_value(string_set{{text() + "1", text() + "2"}});
        case 6:
            return attribute_value(number_set{{number(1), number("2.5")}});
        case 7:
            return attribute_value(binary_set{{bytes{std::byte{7}}}});
        case 8: {
            attribute_map m;
            for (int i = small(engine); i > 0; --i)
                m.set("k" + std::to_string(i), random_value(engine, depth + 1));
            return attribute_value(std::move(m));
        }
        default: {
            attribute_list l;
            for (int i = small(engine); i > 0; --i) l.push_back(random_value(engine, depth + 1));
            return attribute_value(std::move(l));
        }
    }
}

TEST(DirectDecode, RandomPagesDecodeAsTheDomDecodes)
{
    std::mt19937 engine(20261125);
    for (int round = 0; round < 50; ++round) {
        std::string body;
        detail::json_writer w(body);
        w.begin_object();
        w.key("Items");
        w.begin_array();
        for (int i = 0; i < 20; ++i) {
            attribute_map item;
            for (int a = 0; a < 6; ++a)
                item.set("attr" + std::to_string(a), random_value(engine, 0));
            detail::write_item(w, item);
        }
        w.end_array();
        w.member("Count", std::int64_t{20});
        w.end_object();
        check<query_response>(body, expect::direct);
    }
}

}  // namespace
