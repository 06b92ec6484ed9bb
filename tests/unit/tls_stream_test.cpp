// The client's TLS stream against Asio's own TLS stream as the server: data both ways, large
// and small, the two ways a connection ends, the certificate's name, and completions that
// happen without waiting or are cancelled.
#include "support/test_pki.hpp"
#include "transport/tls_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <functional>
#include <future>
#include <random>
#include <string>
#include <thread>

namespace {

namespace asio = boost::asio;
using dynomite::error_code;
using dynomite::detail::tls_stream;
using namespace dynomite::test;
using server_stream = asio::ssl::stream<asio::ip::tcp::socket>;
/// What the server does once its handshake is done.
using server_script = std::function<asio::awaitable<void>(server_stream&)>;

std::string random_bytes(std::size_t size, unsigned seed)
{
    std::mt19937 generator(seed);
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(generator() & 0xff);
    return out;
}

class TlsStreamTest : public ::testing::Test {
protected:
    TlsStreamTest()
    {
        const tls_identity identity = pki.leaf(server_spec("localhost", localhost_names));
        server_context.use_certificate_chain(asio::buffer(identity.certificate_chain_pem));
        server_context.use_private_key(asio::buffer(identity.private_key_pem),
                                       asio::ssl::context::pem);
        client_context.set_verify_mode(asio::ssl::verify_peer);
        const std::string ca = to_pem(pki.ca.get());
        client_context.add_certificate_authority(asio::buffer(ca));
        port = listen_on_loopback(acceptor);
    }

    ~TlsStreamTest() override
    {
        if (server_thread.joinable()) server_thread.join();
    }

    /// Accepts one connection on its own thread, shakes hands, then runs `script`.
    void serve(server_script script)
    {
        server_thread = std::thread([this, script = std::move(script)] {
            asio::co_spawn(
                server_io,
                [&]() -> asio::awaitable<void> {
                    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
                    server_stream stream(std::move(socket), server_context);
                    auto [ec] = co_await stream.async_handshake(
                        asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
                    if (!ec) co_await script(stream);
                },
                [](std::exception_ptr failure) {
                    // The client's side reports what went wrong; the server only must not hang.
                    (void)failure;
                });
            server_io.run();
        });
    }

    /// Connects `stream`'s socket to the server and shakes hands, expecting `host`.
    error_code connect_and_shake(tls_stream& stream, const std::string& host)
    {
        EXPECT_TRUE(stream.expect_host(host));
        const asio::ip::tcp::endpoint server{asio::ip::make_address("127.0.0.1"), port};
        stream.socket().connect(server);
        auto done = stream.async_handshake(asio::use_future);
        io.run();
        io.restart();
        try {
            done.get();
        } catch (const boost::system::system_error& e) {
            return e.code();
        }
        return {};
    }

    test_pki pki;
    asio::ssl::context server_context{asio::ssl::context::tls_server};
    asio::ssl::context client_context{asio::ssl::context::tls_client};
    asio::io_context io;
    /// The server's, run by its own thread.
    asio::io_context server_io;
    asio::ip::tcp::acceptor acceptor{server_io};
    std::uint16_t port = 0;
    std::thread server_thread;
};

TEST_F(TlsStreamTest, LargeDataArrivesIntactBothWays)
{
    // A mebibyte each way: many records, several sends and receives, buffers compacted.
    const std::string request = random_bytes(1 << 20, 1);
    const std::string answer = random_bytes(1 << 20, 2);
    std::string server_got(request.size(), '\0');
    serve([&](server_stream& s) -> asio::awaitable<void> {
        co_await asio::async_read(s, asio::buffer(server_got), asio::use_awaitable);
        co_await asio::async_write(s, asio::buffer(answer), asio::use_awaitable);
    });
    tls_stream stream(io.get_executor(), client_context.native_handle());
    ASSERT_FALSE(connect_and_shake(stream, "127.0.0.1"));

    std::string got(answer.size(), '\0');
    auto wrote = asio::async_write(stream, asio::buffer(request), asio::use_future);
    io.run();
    io.restart();
    auto read = asio::async_read(stream, asio::buffer(got), asio::use_future);
    io.run();

    EXPECT_EQ(wrote.get(), request.size());
    EXPECT_EQ(read.get(), answer.size());
    server_thread.join();
    EXPECT_TRUE(server_got == request) << "the server received other bytes than were sent";
    EXPECT_TRUE(got == answer) << "the client read other bytes than the server sent";
}

TEST_F(TlsStreamTest, SeveralBuffersArriveInOrder)
{
    // A head and a body, as a request is written: joined when small, one after the other
    // when large.
    const std::string head = "POST / HTTP/1.1\r\nContent-Length: 70000\r\n\r\n";
    const std::string body = random_bytes(70000, 3);
    const std::string small = "{}";
    std::string server_got(head.size() + body.size() + head.size() + small.size(), '\0');
    serve([&](server_stream& s) -> asio::awaitable<void> {
        co_await asio::async_read(s, asio::buffer(server_got), asio::use_awaitable);
    });
    tls_stream stream(io.get_executor(), client_context.native_handle());
    ASSERT_FALSE(connect_and_shake(stream, "localhost"));

    const std::array<asio::const_buffer, 2> large{asio::buffer(head), asio::buffer(body)};
    const std::array<asio::const_buffer, 3> joined{asio::buffer(head), asio::const_buffer(),
                                                   asio::buffer(small)};
    auto first = asio::async_write(stream, large, asio::use_future);
    io.run();
    io.restart();
    auto second = asio::async_write(stream, joined, asio::use_future);
    io.run();

    EXPECT_EQ(first.get(), head.size() + body.size());
    EXPECT_EQ(second.get(), head.size() + small.size());
    server_thread.join();
    EXPECT_TRUE(server_got == head + body + head + small);
}

TEST_F(TlsStreamTest, TheServersCloseNotifyEndsTheStream)
{
    serve([&](server_stream& s) -> asio::awaitable<void> {
        co_await asio::async_write(s, asio::buffer(std::string_view("bye")), asio::use_awaitable);
        co_await s.async_shutdown(asio::as_tuple(asio::use_awaitable));
    });
    tls_stream stream(io.get_executor(), client_context.native_handle());
    ASSERT_FALSE(connect_and_shake(stream, "localhost"));

    std::string got(16, '\0');
    auto first = stream.async_read_some(asio::buffer(got), asio::use_future);
    io.run();
    io.restart();
    EXPECT_EQ(got.substr(0, first.get()), "bye");
    auto second = stream.async_read_some(asio::buffer(got), asio::use_future);
    io.run();

    try {
        second.get();
        ADD_FAILURE() << "a read after close_notify succeeded";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), asio::error::eof) << e.code().message();
    }
}

TEST_F(TlsStreamTest, AConnectionDroppedWithoutCloseNotifyIsTruncated)
{
    serve([&](server_stream& s) -> asio::awaitable<void> {
        co_await asio::async_write(s, asio::buffer(std::string_view("part")), asio::use_awaitable);
        s.lowest_layer().close();
    });
    tls_stream stream(io.get_executor(), client_context.native_handle());
    ASSERT_FALSE(connect_and_shake(stream, "localhost"));

    std::string got(16, '\0');
    std::size_t total = 0;
    error_code ec;
    while (!ec) {
        auto read = stream.async_read_some(asio::buffer(got), asio::use_future);
        io.run();
        io.restart();
        try {
            total += read.get();
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
    }

    EXPECT_EQ(total, 4u);
    EXPECT_EQ(ec, asio::ssl::error::stream_truncated) << ec.message();
}

TEST_F(TlsStreamTest, ACertificateForAnotherNameFailsTheHandshake)
{
    serve([](server_stream&) -> asio::awaitable<void> { co_return; });
    tls_stream stream(io.get_executor(), client_context.native_handle());

    const error_code ec = connect_and_shake(stream, "other.example");

    EXPECT_EQ(ec.category(), asio::error::get_ssl_category()) << ec.message();
    EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())),
              SSL_R_CERTIFICATE_VERIFY_FAILED)
        << ec.message();
    EXPECT_EQ(SSL_get_verify_result(stream.native_handle()), X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_F(TlsStreamTest, ACertificateForAnotherAddressFailsTheHandshake)
{
    serve([](server_stream&) -> asio::awaitable<void> { co_return; });
    tls_stream stream(io.get_executor(), client_context.native_handle());

    const error_code ec = connect_and_shake(stream, "127.0.0.2");

    EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())),
              SSL_R_CERTIFICATE_VERIFY_FAILED)
        << ec.message();
    EXPECT_EQ(SSL_get_verify_result(stream.native_handle()), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(TlsStreamTest, AHostNameWithANulByteIsRefusedBeforeConnecting)
{
    tls_stream stream(io.get_executor(), client_context.native_handle());

    EXPECT_FALSE(stream.expect_host(std::string("local\0host", 10)));
    EXPECT_TRUE(stream.expect_host("localhost"));
}

TEST_F(TlsStreamTest, AReadOfDataAlreadyDecryptedCompletesOutsideItsInitiation)
{
    serve([&](server_stream& s) -> asio::awaitable<void> {
        co_await asio::async_write(s, asio::buffer(std::string_view("ab")), asio::use_awaitable);
    });
    tls_stream stream(io.get_executor(), client_context.native_handle());
    ASSERT_FALSE(connect_and_shake(stream, "localhost"));
    char first = 0;
    auto read = stream.async_read_some(asio::buffer(&first, 1), asio::use_future);
    io.run();
    io.restart();
    ASSERT_EQ(read.get(), 1u);

    // "b" waits in OpenSSL: the read needs no socket, and still must not complete inside.
    char second = 0;
    bool completed = false;
    stream.async_read_some(asio::buffer(&second, 1), [&](error_code ec, std::size_t n) {
        EXPECT_FALSE(ec) << ec.message();
        EXPECT_EQ(n, 1u);
        completed = true;
    });
    EXPECT_FALSE(completed);
    io.run();

    EXPECT_TRUE(completed);
    EXPECT_EQ(first, 'a');
    EXPECT_EQ(second, 'b');
}

TEST_F(TlsStreamTest, CancellingAWaitingReadAbortsIt)
{
    std::promise<void> client_done;
    serve([done = client_done.get_future().share()](server_stream&) -> asio::awaitable<void> {
        done.wait();  // holds the connection open, sending nothing
        co_return;
    });
    tls_stream stream(io.get_executor(), client_context.native_handle());
    ASSERT_FALSE(connect_and_shake(stream, "localhost"));

    asio::cancellation_signal cancel;
    std::string got(16, '\0');
    error_code result;
    bool completed = false;
    stream.async_read_some(asio::buffer(got),
                           asio::bind_cancellation_slot(cancel.slot(),
                                                        [&](error_code ec, std::size_t) {
                                                            result = ec;
                                                            completed = true;
                                                        }));
    io.poll();
    ASSERT_FALSE(completed);
    cancel.emit(asio::cancellation_type::terminal);
    io.run();
    client_done.set_value();

    EXPECT_TRUE(completed);
    EXPECT_EQ(result, asio::error::operation_aborted) << result.message();
}

TEST_F(TlsStreamTest, AnEmptyReadCompletesWithNothing)
{
    serve([](server_stream&) -> asio::awaitable<void> { co_return; });
    tls_stream stream(io.get_executor(), client_context.native_handle());
    ASSERT_FALSE(connect_and_shake(stream, "localhost"));

    auto read = stream.async_read_some(asio::mutable_buffer(), asio::use_future);
    io.run();

    EXPECT_EQ(read.get(), 0u);
}

}  // namespace
