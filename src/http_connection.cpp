#include "http_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <charconv>

namespace dynomite::detail {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::optional<std::uint32_t> parse_crc32(std::string_view text)
{
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

error_code translate_transport_error(error_code ec, bool connecting) noexcept
{
    if (ec == beast::error::timeout)
        return make_error_code(connecting ? errc::connect_timeout : errc::request_timeout);
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow)
        return make_error_code(errc::response_too_large);
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
        ec == asio::error::connection_reset || ec == asio::error::broken_pipe)
        return make_error_code(errc::connection_closed);
    return ec;
}

http_connection::http_connection(asio::any_io_executor executor, asio::ssl::context* tls)
    : tls_(tls)
{
    if (tls_)
        ssl_.emplace(executor, *tls_);
    else
        tcp_.emplace(executor);
}

http_connection::~http_connection() { close(); }

beast::tcp_stream& http_connection::lowest_layer() noexcept
{
    return ssl_ ? beast::get_lowest_layer(*ssl_) : *tcp_;
}

const beast::tcp_stream& http_connection::lowest_layer() const noexcept
{
    return ssl_ ? beast::get_lowest_layer(*ssl_) : *tcp_;
}

bool http_connection::is_open() const noexcept { return lowest_layer().socket().is_open(); }

void http_connection::close() noexcept
{
    error_code ignored;
    auto& socket = lowest_layer().socket();
    if (!socket.is_open()) return;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

bool http_connection::usable_when_idle() const noexcept
{
    auto& socket = const_cast<http_connection*>(this)->lowest_layer().socket();
    if (!socket.is_open() || buffer_.size() != 0) return false;
    // An idle HTTP connection has nothing to read; readable means the peer closed it (or sent
    // a TLS alert), and reusing it would only fail the next request.
    pollfd descriptor{socket.native_handle(), POLLIN | POLLRDHUP, 0};
    const int ready = ::poll(&descriptor, 1, 0);
    return ready == 0;
}

asio::awaitable<error_code> http_connection::connect(
    const endpoint& ep, const asio::ip::tcp::resolver::results_type& addresses, steady_time deadline,
    std::string& detail)
{
    auto& tcp = lowest_layer();
    tcp.expires_at(deadline);
    auto [connect_ec, connected] = co_await tcp.async_connect(addresses, use_tuple);
    if (connect_ec) {
        detail = connect_ec.message();
        co_return translate_transport_error(connect_ec, true);
    }
    tcp.socket().set_option(asio::ip::tcp::no_delay(true));

    if (!ssl_) {
        tcp.expires_never();
        co_return error_code{};
    }
    // SNI, then certificate and host-name checks (the context decides whether to verify).
    if (!SSL_set_tlsext_host_name(ssl_->native_handle(), ep.host.c_str()))
        co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    if (tls_ && (SSL_CTX_get_verify_mode(tls_->native_handle()) & SSL_VERIFY_PEER))
        ssl_->set_verify_callback(asio::ssl::host_name_verification(ep.host));
    auto [handshake_ec] = co_await ssl_->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (handshake_ec) {
        const long verify_result = SSL_get_verify_result(ssl_->native_handle());
        detail = handshake_ec.message();
        if (verify_result != X509_V_OK)
            detail += std::string(": ") + X509_verify_cert_error_string(verify_result);
        co_return translate_transport_error(handshake_ec, true);
    }
    tcp.expires_never();
    co_return error_code{};
}

asio::awaitable<error_code> http_connection::exchange(const http_request& request,
                                                      http_response& response, steady_time deadline,
                                                      const pool_params& limits, bool& received_any,
                                                      std::string& detail)
{
    received_any = false;
    auto& tcp = lowest_layer();
    tcp.expires_at(deadline);

    error_code write_ec;
    if (ssl_)
        std::tie(write_ec, std::ignore) = co_await http::async_write(*ssl_, request, use_tuple);
    else
        std::tie(write_ec, std::ignore) = co_await http::async_write(*tcp_, request, use_tuple);

    http::response_parser<http::string_body> parser;
    parser.body_limit(limits.max_response_body);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_response_header));

    error_code read_ec = write_ec;
    if (!write_ec) {
        if (ssl_)
            std::tie(read_ec, std::ignore) =
                co_await http::async_read(*ssl_, buffer_, parser, use_tuple);
        else
            std::tie(read_ec, std::ignore) =
                co_await http::async_read(*tcp_, buffer_, parser, use_tuple);
    }
    received_any = parser.got_some() || buffer_.size() != 0;
    if (read_ec) {
        detail = read_ec.message();
        buffer_.clear();
        close();
        co_return translate_transport_error(read_ec, false);
    }
    tcp.expires_never();

    auto& message = parser.get();
    response.status = message.result_int();
    response.keep_alive = message.keep_alive();
    auto request_id = message.find("x-amzn-RequestId");
    response.request_id =
        request_id != message.end() ? std::string(request_id->value()) : std::string();
    auto crc = message.find("x-amz-crc32");
    response.crc32 = crc != message.end() ? parse_crc32(crc->value()) : std::nullopt;
    if (crc != message.end() && !response.crc32) {
        detail = "x-amz-crc32 header is not a number";
        co_return make_error_code(errc::crc32_mismatch);
    }
    response.body = std::move(message.body());
    co_return error_code{};
}

}  // namespace dynomite::detail
