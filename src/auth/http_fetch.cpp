#include "core/async.hpp"
#include "auth/http_fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <optional>

namespace dynomite::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

using dynomite::detail::use_tuple;

error_code translate(error_code ec)
{
    if (ec == beast::error::timeout) return make_error_code(errc::request_timeout);
    // The server closed the connection before a whole answer: retryable, as a reset is.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == asio::error::eof)
        return make_error_code(errc::connection_closed);
    return ec;
}

template <class Stream>
asio::awaitable<error_code> exchange(Stream& stream, http::request<http::string_body>& request,
                                     http_fetch_response& response, std::string& detail)
{
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_ec) {
        detail = "sending the request: " + write_ec.message();
        co_return translate(write_ec);
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_fetch_body);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (read_ec) {
        detail = "reading the answer: " + read_ec.message();
        co_return translate(read_ec);
    }
    response.status = parser.get().result_int();
    response.body = std::move(parser.get().body());
    co_return error_code{};
}

}  // namespace

error_code split_url(std::string_view url, url_parts& out, std::string& why)
{
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        why = "\"" + std::string(url) + "\" is not a URL";
        return make_error_code(errc::invalid_endpoint);
    }
    const auto& u = *parsed;
    if (u.scheme() != "http" && u.scheme() != "https") {
        why = "\"" + std::string(url) + "\" is neither http nor https";
        return make_error_code(errc::invalid_endpoint);
    }
    out.tls = u.scheme() == "https";
    if (u.host_type() == boost::urls::host_type::ipv6) {
        out.host = u.host_ipv6_address().to_string();
    } else {
        out.host = u.host();
    }
    if (out.host.empty()) {
        why = "\"" + std::string(url) + "\" has no host";
        return make_error_code(errc::invalid_endpoint);
    }
    out.port = u.has_port() ? std::string(u.port()) : (out.tls ? "443" : "80");
    out.host_header = u.encoded_host_and_port();
    out.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
    if (u.has_query()) out.target.append("?").append(u.encoded_query());
    return {};
}

asio::awaitable<error_code> fetch_http(const http_fetch_request& request,
                                       http_fetch_response& response, std::string& detail)
{
    url_parts where;
    if (error_code ec = split_url(request.url, where, detail)) co_return ec;

    const auto executor = co_await asio::this_coro::executor;
    beast::tcp_stream tcp(executor);
    tcp.expires_after(request.timeout);

    asio::ip::tcp::resolver resolver(executor);
    auto [resolve_ec, addresses] = co_await resolver.async_resolve(where.host, where.port, use_tuple);
    if (resolve_ec) {
        detail = "resolving " + where.host + ": " + resolve_ec.message();
        co_return resolve_ec;
    }
    auto [connect_ec, connected] = co_await tcp.async_connect(addresses, use_tuple);
    if (connect_ec) {
        detail = "connecting to " + where.host_header + ": " + connect_ec.message();
        co_return translate(connect_ec);
    }

    http::request<http::string_body> message(
        http::string_to_verb(request.method), where.target, 11);
    message.set(http::field::host, where.host_header);
    message.set(http::field::user_agent, "dynomite/0.1");
    for (const auto& [name, value] : request.headers) message.set(name, value);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        message.body() = request.body;
        message.prepare_payload();
    }

    error_code ec;
    if (!where.tls) {
        ec = co_await exchange(tcp, message, response, detail);
    } else {
        asio::ssl::context tls(asio::ssl::context::tls_client);
        tls.set_default_verify_paths();
        tls.set_verify_mode(asio::ssl::verify_peer);
        beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
        stream.set_verify_callback(asio::ssl::host_name_verification(where.host));
        SSL_set_tlsext_host_name(stream.native_handle(), where.host.c_str());
        auto [handshake_ec] =
            co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (handshake_ec) {
            detail = "TLS with " + where.host_header + ": " + handshake_ec.message();
            co_return translate(handshake_ec);
        }
        ec = co_await exchange(stream, message, response, detail);
    }
    if (ec) detail = request.method + " " + where.host_header + ": " + detail;
    co_return ec;
}

std::string regional_service_url(std::string_view service, std::string_view region)
{
    std::string url = "https://";
    url.append(service).append(".").append(region).append(".amazonaws.com");
    if (region.starts_with("cn-")) url.append(".cn");
    return url;
}

}  // namespace dynomite::detail
