// The response head reader against Beast's parser: whatever it reads, Beast reads the same
// way, and what it cannot read alone it leaves to Beast.
#include "transport/response_head.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using dynomite::detail::head_parse;
using dynomite::detail::parse_response_head;
using dynomite::detail::response_head;

constexpr std::size_t max_head = 8 * 1024;

// Beast's reading of a head: the fields in order, as its tokenizer splits and trims them.
class beast_oracle final : public http::basic_parser<false> {
public:
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> fields;

private:
    void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                         boost::system::error_code&) override
    {
    }
    void on_response_impl(int code, beast::string_view, int, boost::system::error_code&) override
    {
        status = static_cast<unsigned>(code);
    }
    void on_field_impl(http::field, beast::string_view name, beast::string_view value,
                       boost::system::error_code&) override
    {
        fields.emplace_back(std::string(name), std::string(value));
    }
    void on_header_impl(boost::system::error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&,
                           boost::system::error_code&) override
    {
    }
    std::size_t on_body_impl(beast::string_view data, boost::system::error_code&) override
    {
        return data.size();
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view,
                              boost::system::error_code&) override
    {
    }
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view data,
                                   boost::system::error_code&) override
    {
        return data.size();
    }
    void on_finish_impl(boost::system::error_code&) override {}
};

// The client's rule for a repeated header, applied to Beast's fields: the first non-empty
// request id and date, and the first x-amz-crc32 even when empty.
std::string first_nonempty(const beast_oracle& oracle, std::string_view name)
{
    for (const auto& [n, v] : oracle.fields)
        if (beast::iequals(n, name) && !v.empty()) return v;
    return {};
}

std::optional<std::string> first_of(const beast_oracle& oracle, std::string_view name)
{
    for (const auto& [n, v] : oracle.fields)
        if (beast::iequals(n, name)) return v;
    return std::nullopt;
}

// Checks the property on `data`; returns what the reader said.
head_parse check_against_beast(const std::string& data)
{
    response_head head;
    std::size_t head_size = 0;
    const head_parse result = parse_response_head(data, max_head, head, head_size);

    beast_oracle oracle;
    oracle.eager(false);
    oracle.header_limit(max_head);
    oracle.body_limit(boost::none);  // the exchange checks the length against its own limit
    boost::system::error_code ec;
    const std::size_t used = oracle.put(boost::asio::buffer(data), ec);
    if (result == head_parse::need_more) {
        // Beast may refuse a head before its end; it never has one without it.
        EXPECT_TRUE(ec) << data;
        EXPECT_FALSE(oracle.is_header_done()) << data;
    } else if (result == head_parse::parsed) {
        EXPECT_FALSE(ec) << ec.message() << " for: " << data;
        if (ec) return result;
        EXPECT_TRUE(oracle.is_header_done()) << data;
        EXPECT_EQ(used, head_size) << data;
        EXPECT_EQ(head.status, oracle.status) << data;
        EXPECT_EQ(head.keep_alive, oracle.keep_alive()) << data;
        EXPECT_EQ(head.content_length, oracle.content_length().value_or(~std::uint64_t{0}))
            << data;
        EXPECT_FALSE(oracle.chunked()) << data;
        EXPECT_EQ(head.request_id, first_nonempty(oracle, "x-amzn-RequestId")) << data;
        EXPECT_EQ(head.date, first_nonempty(oracle, "Date")) << data;
        const auto crc = first_of(oracle, "x-amz-crc32");
        EXPECT_EQ(head.has_crc32, crc.has_value()) << data;
        EXPECT_EQ(head.crc32, crc.value_or("")) << data;
    }
    return result;
}

const std::string dynamodb_head =
    "HTTP/1.1 200 OK\r\n"
    "Server: Server\r\n"
    "Date: Sun, 06 Dec 2026 07:30:00 GMT\r\n"
    "Content-Type: application/x-amz-json-1.0\r\n"
    "Content-Length: 2\r\n"
    "Connection: keep-alive\r\n"
    "x-amzn-RequestId: 6S8N0RP3UH1QK1E9VRKQ3U0VSBVV4KQNSO5AEMVJF66Q9ASUAAJG\r\n"
    "x-amz-crc32: 2745614147\r\n"
    "\r\n";

TEST(ResponseHead, ReadsDynamoDbsHeadAsBeastDoes)
{
    const std::string data = dynamodb_head + "{}";
    response_head head;
    std::size_t head_size = 0;
    ASSERT_EQ(parse_response_head(data, max_head, head, head_size), head_parse::parsed);
    EXPECT_EQ(head_size, dynamodb_head.size());
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.content_length, 2u);
    EXPECT_TRUE(head.keep_alive);
    EXPECT_EQ(head.request_id, "6S8N0RP3UH1QK1E9VRKQ3U0VSBVV4KQNSO5AEMVJF66Q9ASUAAJG");
    EXPECT_EQ(head.date, "Sun, 06 Dec 2026 07:30:00 GMT");
    EXPECT_TRUE(head.has_crc32);
    EXPECT_EQ(head.crc32, "2745614147");
    EXPECT_EQ(check_against_beast(data), head_parse::parsed);
}

TEST(ResponseHead, NeedsMoreUntilTheEmptyLine)
{
    for (std::size_t n = 0; n < dynamodb_head.size(); ++n) {
        SCOPED_TRACE(n);
        EXPECT_EQ(check_against_beast(dynamodb_head.substr(0, n)), head_parse::need_more);
    }
}

TEST(ResponseHead, ReadsTheVariantsBeastReadsTheSameWay)
{
    const std::vector<std::string> parsed = {
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 200 \r\ncontent-length:0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.0 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: CLOSE\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 500 Oops\r\nContent-Length:\t 7 \t\r\nX-AMZN-REQUESTID:  id  \r\n\r\n",
        "HTTP/1.1 200 OK\r\nx-amzn-RequestId:\r\nx-amzn-RequestId: second\r\nContent-Length: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nx-amz-crc32:\r\nx-amz-crc32: 5\r\nContent-Length: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nDate: a\r\nDate: b\r\nContent-Length: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Odd!#$%&'*+-.^_`|~: v\r\nContent-Length: 00012\r\n\r\n",
        "HTTP/1.1 999 Whatever\r\nContent-Length: 999999999999999999\r\n\r\n",
    };
    for (const auto& head : parsed) EXPECT_EQ(check_against_beast(head), head_parse::parsed) << head;
}

TEST(ResponseHead, LeavesEveryOtherHeadToBeast)
{
    const std::vector<std::string> general = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\n",                                         // read to the end
        "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n",            // no body by status
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Folded: a\r\n b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, close\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: upgrade\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nUpgrade: h2c\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBad Name: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: caf\xc3\xa9\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: a\nb\r\n\r\n",
        "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n",
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
    };
    for (const auto& head : general) EXPECT_EQ(check_against_beast(head), head_parse::general) << head;
}

TEST(ResponseHead, LeavesAHeadAtTheLimitToBeast)
{
    const std::string padding = "X-Padding: " + std::string(max_head, 'p') + "\r\n";
    EXPECT_EQ(check_against_beast("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n" + padding + "\r\n"),
              head_parse::general);
    // No end yet, but already as long as a head may be.
    EXPECT_EQ(check_against_beast("HTTP/1.1 200 OK\r\n" + padding), head_parse::general);
}

// Random edits of real heads: each one the reader reads must read the same in Beast.
TEST(ResponseHead, MutatedHeadsReadAsBeastReadsThem)
{
    const std::vector<std::string> seeds = {
        dynamodb_head,
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 12\r\nDate: d\r\n\r\n",
        "HTTP/1.1 400 Bad Request\r\nx-amzn-RequestId: r\r\nx-amz-crc32: 1\r\n"
        "Content-Length: 113\r\nConnection: close\r\n\r\n",
    };
    const std::string alphabet = std::string(" \t\r\n:,;\"()a-A0129xX\x7f\x80\xff") + '\0';
    std::mt19937 random(20261206);
    int parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string data = seeds[static_cast<std::size_t>(i) % seeds.size()];
        const int edits = 1 + static_cast<int>(random() % 3);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = random() % data.size();
            const char c = alphabet[random() % alphabet.size()];
            switch (random() % 3) {
            case 0: data[at] = c; break;
            case 1: data.insert(data.begin() + static_cast<std::ptrdiff_t>(at), c); break;
            default: data.erase(at, 1); break;
            }
        }
        if (check_against_beast(data) == head_parse::parsed) ++parsed;
        if (::testing::Test::HasFailure()) break;
    }
    // The property is not empty: many edits (in a value, say) leave a head the reader takes.
    EXPECT_GT(parsed, 2000);
}

}  // namespace
