// Malformed and hostile responses end in errors, never in crashes or unbounded memory: through
// the decoders directly, and through the client against servers that misbehave.
#include "support/sample_requests.hpp"
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include "transport/crc32.hpp"
#include "core/json_codec.hpp"
#include <dynomite/protocol/detail/protocol.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>

namespace {

using dynomite::test::sample_get;

using namespace dynomite;
using namespace std::chrono_literals;
namespace asio = boost::asio;

// {"M":{"a":{"M":{"a": ... {"S":"leaf"} ...}}}} with `levels` maps.
std::string nested_value(int levels)
{
    std::string text;
    for (int i = 0; i < levels; ++i) text += R"({"M":{"a":)";
    text += R"({"S":"leaf"})";
    for (int i = 0; i < levels; ++i) text += "}}";
    return text;
}

std::string get_item_body_with_depth(int levels)
{
    return R"({"Item":{"pk":{"S":"k"},"deep":)" + nested_value(levels) + "}}";
}

// --- Decoders ----------------------------------------------------------------------------

// As the client decodes: deep enough for DynamoDB's 32 levels, bounded beyond.
template <class Response>
error_code decode(std::string_view body, Response& out, std::string* why)
{
    return detail::parse_response(body, out, why);
}

TEST(HostileDecoding, ThirtyTwoLevelsOfNestingDecode)
{
    get_item_response response;
    std::string why;
    ASSERT_FALSE(decode(get_item_body_with_depth(32), response, &why)) << why;
    ASSERT_TRUE(response.item.has_value());
    const attribute_value* level = response.item->find("deep");
    for (int i = 0; i < 32 && level; ++i) level = level->as_m().find("a");
    ASSERT_NE(level, nullptr);
    EXPECT_EQ(level->as_s(), "leaf");
}

TEST(HostileDecoding, DeeperThanDynamoDbAllowsIsRefused)
{
    get_item_response response;
    std::string why;
    EXPECT_EQ(decode(get_item_body_with_depth(33), response, &why), errc::malformed_response);
    EXPECT_NE(why.find("32"), std::string::npos) << why;
}

TEST(HostileDecoding, AbsurdNestingIsRefusedByTheParser)
{
    get_item_response response;
    std::string why;
    EXPECT_EQ(decode(std::string(1'000'000, '['), response, &why), errc::malformed_response);
    EXPECT_EQ(decode(get_item_body_with_depth(100'000), response, &why), errc::malformed_response);
}

TEST(HostileDecoding, InvalidJsonIsRefused)
{
    for (std::string_view body : {"", "{", "{\"Item\":", "nul", "{\"Item\":{}}}", "\xff\xfe",
                                  "{\"Item\":{\"a\":{\"S\":\"\\ud800\"}}}x"}) {
        get_item_response response;
        std::string why;
        EXPECT_EQ(decode(body, response, &why), errc::malformed_response) << body;
    }
}

TEST(HostileDecoding, WrongTypesAreRefusedWithThePlace)
{
    struct bad_case {
        std::string_view body;
        std::string_view place;
    };
    for (const bad_case& c : {
             bad_case{R"([])", ""},
             bad_case{R"({"Item":5})", "Item"},
             bad_case{R"({"Item":{"a":{"S":5}}})", "Item.a"},
             bad_case{R"({"Item":{"a":{"N":"twelve"}}})", "Item.a"},
             bad_case{R"({"Item":{"a":{"B":"not base64!"}}})", "Item.a"},
             bad_case{R"({"Item":{"a":{"SS":"x"}}})", "Item.a"},
             bad_case{R"({"Item":{"a":{"S":"x","N":"1"}}})", "Item.a"},
             bad_case{R"({"Item":{"a":{"Z":"x"}}})", "Item.a"},
             bad_case{R"({"Item":{"a":{}}})", "Item.a"},
         }) {
        get_item_response response;
        std::string why;
        EXPECT_EQ(decode(c.body, response, &why), errc::malformed_response) << c.body;
        EXPECT_NE(why.find(c.place), std::string::npos) << c.body << ": " << why;
    }
    query_response page;
    std::string why;
    EXPECT_EQ(decode(R"({"Items":[],"Count":"3"})", page, &why), errc::malformed_response);
    EXPECT_NE(why.find("Count"), std::string::npos) << why;
    EXPECT_EQ(decode(R"({"Items":{},"Count":3})", page, &why), errc::malformed_response);
}

TEST(HostileDecoding, HugeNumbersAreRefused)
{
    get_item_response response;
    std::string why;
    const std::string huge_n = R"({"Item":{"a":{"N":"1e999999999999"}}})";
    EXPECT_EQ(decode(huge_n, response, &why), errc::malformed_response);
    const std::string many_digits = R"({"Item":{"a":{"N":")" + std::string(100'000, '9') + "\"}}}";
    EXPECT_EQ(decode(many_digits, response, &why), errc::malformed_response);

    query_response page;
    for (std::string_view body :
         {R"({"Items":[],"Count":1e400})", R"({"Items":[],"Count":99999999999999999999999})",
          R"({"Items":[],"Count":18446744073709551615})", R"({"Items":[],"Count":1.5})"}) {
        EXPECT_EQ(decode(body, page, &why), errc::malformed_response) << body;
    }
}

TEST(HostileDecoding, ErrorBodiesOfAnyShapeGiveAnErrorCode)
{
    struct error_case {
        unsigned status;
        std::string body;
        errc expected;
    };
    const std::string deep_error =
        R"({"__type":"x#ValidationException","Item":)" + std::string(10'000, '[') + "}";
    for (const error_case& c : {
             error_case{400, "", errc::http_status},
             error_case{400, "<html>proxy says no</html>", errc::http_status},
             error_case{500, "{", errc::internal_server_error},
             error_case{503, R"({"__type":5})", errc::service_unavailable},
             error_case{400, R"({"__type":"x#ValidationException","message":7})", errc::validation},
             error_case{400, deep_error, errc::http_status},
             error_case{400,
                        R"({"__type":"x#TransactionCanceledException","CancellationReasons":)"
                        R"([5,{"Code":7},{"Item":{"a":{"S":1}}},{"Code":"None"}]})",
                        errc::transaction_canceled},
             error_case{400, R"({"__type":"x#ConditionalCheckFailedException","Item":"no"})",
                        errc::conditional_check_failed},
         }) {
        diagnostics diag;
        const error_code ec = detail::parse_error_response(c.status, c.body, "rid", diag);
        EXPECT_EQ(ec, c.expected) << c.body.substr(0, 80);
        // A body that is not DynamoDB's is quoted, but only an excerpt of it.
        EXPECT_LE(diag.message.size(), 300u);
    }
    diagnostics diag;
    const std::string long_body(1'000'000, 'x');
    EXPECT_EQ(detail::parse_error_response(502, long_body, "", diag), errc::internal_server_error);
    EXPECT_LE(diag.message.size(), 300u);
}

// --- Through the client ------------------------------------------------------------------

client_config config_for(std::string url)
{
    client_config config;
    config.endpoint = std::move(url);
    config.region = "us-east-1";
    config.credentials = credentials{"AKIDTEST", "secret", ""};
    config.retry.max_attempts = 2;
    config.retry.base_delay = 1ms;
    config.retry.max_delay = 2ms;
    config.pool.request_timeout = 10s;
    return config;
}

struct client_result {
    bool completed = false;
    error_code ec;
    get_item_response response;
    diagnostics diag;
};

client_result get_through(client_config config)
{
    asio::io_context io;
    client c(io.get_executor(), std::move(config));
    client_result out;
    c.async_execute(sample_get(), out.diag, [&out](error_code ec, get_item_response response) {
        out.ec = ec;
        out.response = std::move(response);
        out.completed = true;
    });
    io.run_for(30s);
    EXPECT_TRUE(out.completed) << "the request did not complete";
    return out;
}

TEST(HostileClient, LegitimatelyDeepItemDecodes)
{
    test::fake_server server;
    server.set_default(test::fake_action::ok(get_item_body_with_depth(32)));
    const client_result result = get_through(config_for(server.url()));
    EXPECT_FALSE(result.ec) << result.diag.message;
    ASSERT_TRUE(result.response.item.has_value());
}

TEST(HostileClient, AbsurdlyDeepBodyIsRefusedOnce)
{
    test::fake_server server;
    server.set_default(test::fake_action::ok(get_item_body_with_depth(50'000)));
    const client_result result = get_through(config_for(server.url()));
    EXPECT_EQ(result.ec, errc::malformed_response) << result.diag.message;
    EXPECT_NE(result.diag.message.find("not valid JSON"), std::string::npos) << result.diag.message;
    EXPECT_EQ(server.request_count(), 1u);
}

TEST(HostileClient, WrongTypesAndHugeNumbersAreMalformedResponses)
{
    for (std::string body : {std::string(R"({"Item":{"pk":{"N":"1e99999999"}}})"),
                             std::string(R"({"Item":[1,2,3]})"), std::string("[[[[")}) {
        test::fake_server server;
        server.set_default(test::fake_action::ok(body));
        const client_result result = get_through(config_for(server.url()));
        EXPECT_EQ(result.ec, errc::malformed_response) << body << ": " << result.diag.message;
    }
}

TEST(HostileClient, ManyHeadersOverTheLimitAreRefused)
{
    test::fake_server server;
    test::fake_action action = test::fake_action::ok();
    for (int i = 0; i < 2000; ++i) action.headers.emplace_back("x-h" + std::to_string(i), "v");
    server.set_default(action);
    auto config = config_for(server.url());
    config.pool.max_response_header = 8 * 1024;
    const client_result result = get_through(config);
    EXPECT_EQ(result.ec, errc::response_too_large) << result.diag.message;
}

// A server speaking raw bytes, for what the scripted server cannot say: it reads one request
// head, then calls `speak` with the socket until that returns or a write fails.
class raw_server {
public:
    using speaker = std::function<void(asio::ip::tcp::socket&, raw_server&)>;

    explicit raw_server(speaker speak)
        : acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          thread_([this, speak = std::move(speak)] { serve(speak); })
    {
    }
    ~raw_server()
    {
        stopping_ = true;
        // Unblocks an accept still waiting.
        boost::system::error_code ignored;
        asio::io_context io;
        asio::ip::tcp::socket poke(io);
        poke.connect(acceptor_endpoint(), ignored);
        thread_.join();
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::size_t bytes_sent() const { return sent_; }
    void count(std::size_t n) { sent_ += n; }

private:
    asio::ip::tcp::endpoint acceptor_endpoint() const
    {
        return {asio::ip::make_address("127.0.0.1"), port_};
    }

    void serve(const speaker& speak)
    {
        while (!stopping_) {
            asio::ip::tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            asio::streambuf head;
            asio::read_until(socket, head, "\r\n\r\n", ec);
            if (ec) continue;
            speak(socket, *this);
        }
    }

    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = acceptor_.local_endpoint().port();
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> sent_{0};
    std::thread thread_;
};

// Writes `text` again and again until the peer goes away (or a generous bound is reached).
void repeat(asio::ip::tcp::socket& socket, std::string_view start, std::string_view text,
            raw_server& counter)
{
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(start), ec);
    constexpr std::size_t bound = 256 * 1024 * 1024;
    for (std::size_t sent = 0; !ec && sent < bound; sent += text.size()) {
        asio::write(socket, asio::buffer(text), ec);
        counter.count(text.size());
    }
}

// Writes `text` in pieces with pauses between them, so the client's reads end mid-head and
// mid-body.
void write_in_pieces(asio::ip::tcp::socket& socket, std::string_view text, std::size_t pieces)
{
    boost::system::error_code ec;
    const std::size_t size = (text.size() + pieces - 1) / pieces;
    for (std::size_t at = 0; at < text.size() && !ec; at += size) {
        asio::write(socket, asio::buffer(text.substr(at, size)), ec);
        std::this_thread::sleep_for(5ms);
    }
}

std::string with_checksum(std::string_view status_and_headers, std::string_view body)
{
    return std::string(status_and_headers) + "x-amz-crc32: " +
           std::to_string(detail::crc32(body)) + "\r\n";
}

TEST(HostileClient, LongBodyArrivingInPiecesIsReadWhole)
{
    const std::string value(900 * 1024, 'v');
    const std::string body = R"({"Item":{"pk":{"S":"k"},"blob":{"S":")" + value + R"("}}})";
    const std::string response =
        with_checksum("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n",
                      body) +
        "\r\n" + body;
    raw_server server([&](asio::ip::tcp::socket& socket, raw_server&) {
        write_in_pieces(socket, response, 7);
    });
    const client_result result = get_through(config_for(server.url()));
    ASSERT_FALSE(result.ec) << result.diag.to_string();
    ASSERT_TRUE(result.response.item.has_value());
    EXPECT_EQ(result.response.item->at("blob").as_s(), value);
}

// The checksum is computed piece by piece as the body arrives: a byte changed in the last
// piece is caught all the same, in a body of known length and in a chunked one.
TEST(HostileClient, ChangedByteInALongBodyFailsItsChecksum)
{
    const std::string value(300 * 1024, 'v');
    const std::string body = R"({"Item":{"pk":{"S":"k"},"blob":{"S":")" + value + R"("}}})";
    std::string altered = body;
    altered[altered.size() - 10] = 'w';
    const std::string head =
        with_checksum("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n",
                      body);
    for (const bool chunked : {false, true}) {
        SCOPED_TRACE(chunked ? "chunked" : "known length");
        std::string response;
        if (chunked) {
            response = with_checksum("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n", body) +
                       "\r\n";
            char size[16];
            std::snprintf(size, sizeof size, "%zx", altered.size());
            response += std::string(size) + "\r\n" + altered + "\r\n0\r\n\r\n";
        } else {
            response = head + "\r\n" + altered;
        }
        raw_server server([&](asio::ip::tcp::socket& socket, raw_server&) {
            write_in_pieces(socket, response, 7);
        });
        const client_result result = get_through(config_for(server.url()));
        EXPECT_EQ(result.ec, errc::crc32_mismatch) << result.diag.to_string();
        EXPECT_FALSE(result.response.item.has_value());
    }
}

TEST(HostileClient, ChunkedBodyIsReadWhole)
{
    const std::string body = R"({"Item":{"pk":{"S":"k"},"note":{"S":"in three chunks"}}})";
    std::string response =
        with_checksum("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n", body) + "\r\n";
    for (std::size_t at = 0; at < body.size(); at += 20) {
        const std::string chunk = body.substr(at, 20);
        char size[16];
        std::snprintf(size, sizeof size, "%zx", chunk.size());
        response += std::string(size) + "\r\n" + chunk + "\r\n";
    }
    response += "0\r\n\r\n";
    raw_server server([&](asio::ip::tcp::socket& socket, raw_server&) {
        write_in_pieces(socket, response, 5);
    });
    const client_result result = get_through(config_for(server.url()));
    ASSERT_FALSE(result.ec) << result.diag.to_string();
    ASSERT_TRUE(result.response.item.has_value());
    EXPECT_EQ(result.response.item->at("note").as_s(), "in three chunks");
}

TEST(HostileClient, BodyCutShortIsAClosedConnection)
{
    raw_server server([](asio::ip::tcp::socket& socket, raw_server&) {
        boost::system::error_code ec;
        asio::write(socket,
                    asio::buffer(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n"
                                                  "\r\n{\"Item\":{\"pk\":{\"S\":\"")),
                    ec);
        socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    });
    const client_result result = get_through(config_for(server.url()));
    EXPECT_EQ(result.ec, errc::connection_closed) << result.diag.to_string();
    EXPECT_EQ(result.diag.attempts.size(), 2u) << result.diag.to_string();
}

TEST(HostileClient, EndlessChunkedBodyStopsAtTheBodyLimit)
{
    const std::string chunk = "1000\r\n" + std::string(4096, 'x') + "\r\n";
    raw_server server([&](asio::ip::tcp::socket& socket, raw_server& self) {
        repeat(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", chunk, self);
    });
    auto config = config_for(server.url());
    config.pool.max_response_body = 1024 * 1024;
    const client_result result = get_through(config);
    EXPECT_EQ(result.ec, errc::response_too_large) << result.diag.message;
    // The client stopped reading soon after the limit rather than buffering the stream.
    EXPECT_LT(server.bytes_sent(), 64u * 1024 * 1024);
}

TEST(HostileClient, EndlessHeadersStopAtTheHeaderLimit)
{
    raw_server server([](asio::ip::tcp::socket& socket, raw_server& self) {
        repeat(socket, "HTTP/1.1 200 OK\r\n", "x-endless: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
               self);
    });
    const client_result result = get_through(config_for(server.url()));
    EXPECT_EQ(result.ec, errc::response_too_large) << result.diag.message;
    EXPECT_LT(server.bytes_sent(), 64u * 1024 * 1024);
}

TEST(HostileClient, HugeAnnouncedLengthIsRefusedBeforeReadingIt)
{
    raw_server server([](asio::ip::tcp::socket& socket, raw_server&) {
        boost::system::error_code ec;
        asio::write(socket,
                    asio::buffer(std::string_view(
                        "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n{}")),
                    ec);
    });
    const client_result result = get_through(config_for(server.url()));
    EXPECT_EQ(result.ec, errc::response_too_large) << result.ec.message();
}

TEST(HostileClient, OversizedChunkSizeAndGarbageAreErrors)
{
    for (std::string response : {
             std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "fffffffffffffffffffffff\r\n"),
             std::string("NOT HTTP AT ALL\r\n\r\n"),
             std::string("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n"),
             std::string("HTTP/1.1 99999 Huge\r\nContent-Length: 2\r\n\r\n{}"),
         }) {
        raw_server server([&](asio::ip::tcp::socket& socket, raw_server&) {
            boost::system::error_code ec;
            asio::write(socket, asio::buffer(response), ec);
        });
        const client_result result = get_through(config_for(server.url()));
        EXPECT_TRUE(result.ec) << response;
    }
}

}  // namespace
