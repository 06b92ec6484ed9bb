// One HTTP connection on its own: a connect whose time already ran out, a host name the
// certificate cannot be checked against, and a request larger than the socket takes at once.
#include "transport/http_connection.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::errc;
using dynomite::error_code;

/// Plain HTTP to `port` on the loopback address.
dynomite::endpoint plain_loopback(std::uint16_t port)
{
    dynomite::endpoint target;
    target.tls = false;
    target.host = "127.0.0.1";
    target.port = port;
    return target;
}

/// What connect() reports for `addresses` when its deadline has already passed.
std::pair<error_code, std::string> connect_after_deadline(
    const std::vector<asio::ip::tcp::endpoint>& addresses)
{
    asio::io_context io;
    dynomite::detail::http_connection connection(io.get_executor(), nullptr);
    const dynomite::endpoint target = plain_loopback(9);
    std::string detail;
    error_code ec;
    const auto past = std::chrono::steady_clock::now() - 1ms;
    const dynomite::detail::tls_session no_session;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            ec = co_await connection.connect(target, nullptr, addresses, past, no_session, detail);
        },
        asio::detached);
    io.run();
    return {ec, detail};
}

// A connection whose time ran out before its first attempt (a pool waiter woken just before
// its deadline) reports a timeout; "Host not found" is kept for a name without addresses.
TEST(HttpConnection, NoTimeLeftForTheFirstAttemptIsATimeoutNotAMissingHost)
{
    const std::vector<asio::ip::tcp::endpoint> one{{asio::ip::make_address("127.0.0.1"), 9}};
    const auto [late, late_detail] = connect_after_deadline(one);
    EXPECT_EQ(late, errc::connect_timeout) << late.message() << ": " << late_detail;
    const auto [none, none_detail] = connect_after_deadline({});
    EXPECT_EQ(none, asio::error::host_not_found) << none.message() << ": " << none_detail;
}

// A host OpenSSL cannot check the certificate against is refused before the handshake,
// naming it, instead of reaching a server unverified.
TEST(HttpConnection, AHostTheCertificateCannotBeCheckedAgainstIsAConfigurationError)
{
    asio::io_context io;
    asio::ip::tcp::acceptor listening(io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_verify_mode(asio::ssl::verify_peer);
    dynomite::detail::http_connection connection(io.get_executor(), &tls);
    dynomite::endpoint target;
    target.host = std::string("local\0host", 10);
    target.port = listening.local_endpoint().port();
    const std::vector<asio::ip::tcp::endpoint> addresses{listening.local_endpoint()};
    std::string detail;
    error_code ec;
    const dynomite::detail::tls_session no_session;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            ec = co_await connection.connect(target, nullptr, addresses,
                                             std::chrono::steady_clock::now() + 5s, no_session,
                                             detail);
        },
        asio::detached);
    io.run();

    EXPECT_EQ(ec, errc::invalid_configuration) << ec.message() << ": " << detail;
    EXPECT_NE(detail.find("host name"), std::string::npos) << detail;
}

// A request larger than the socket buffers hold, to a server that reads only after a pause:
// the write goes on as the server reads, and the server receives the head and the body once
// each, in order.
TEST(HttpConnection, ARequestLargerThanTheSocketTakesAtOnceArrivesWhole)
{
    asio::io_context io;
    asio::ip::tcp::acceptor listening(io, {asio::ip::make_address("127.0.0.1"), 0});
    listening.set_option(asio::socket_base::receive_buffer_size(64 * 1024));
    dynomite::detail::http_connection connection(io.get_executor(), nullptr);
    const dynomite::endpoint target = plain_loopback(listening.local_endpoint().port());
    const std::vector<asio::ip::tcp::endpoint> addresses{listening.local_endpoint()};

    const std::string head =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 16777216\r\n\r\n";
    std::string body(16 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7) % 26);
    const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";

    std::string received;
    std::thread server([&] {
        asio::io_context server_io;
        asio::ip::tcp::socket peer(server_io);
        listening.accept(peer);
        std::this_thread::sleep_for(200ms);  // the client's write fills the buffers
        std::array<char, 64 * 1024> chunk;
        while (received.size() < head.size() + body.size()) {
            error_code ec;
            const std::size_t n = peer.read_some(asio::buffer(chunk), ec);
            if (ec) break;
            received.append(chunk.data(), n);
        }
        error_code ignored;
        asio::write(peer, asio::buffer(answer), ignored);
        peer.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    });

    error_code connect_ec, exchange_ec;
    std::string detail;
    bool received_any = false;
    dynomite::detail::http_response response;
    dynomite::detail::exchange_measures measures;
    const dynomite::detail::tls_session no_session;
    const dynomite::pool_options limits;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const auto deadline = std::chrono::steady_clock::now() + 20s;
            connect_ec = co_await connection.connect(target, nullptr, addresses, deadline,
                                                     no_session, detail);
            if (connect_ec) co_return;
            exchange_ec = co_await connection.exchange(head, body, response, deadline,
                                                       limits, received_any,
                                                       detail, &measures);
        },
        asio::detached);
    io.run();
    server.join();

    ASSERT_FALSE(connect_ec) << connect_ec.message() << ": " << detail;
    ASSERT_FALSE(exchange_ec) << exchange_ec.message() << ": " << detail;
    EXPECT_EQ(measures.bytes_sent, head.size() + body.size());
    ASSERT_EQ(received.size(), head.size() + body.size());
    EXPECT_TRUE(received.compare(0, head.size(), head) == 0);
    EXPECT_TRUE(received.compare(head.size(), body.size(), body) == 0)
        << "the body arrived altered";
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.body, "{}");
}

}  // namespace
