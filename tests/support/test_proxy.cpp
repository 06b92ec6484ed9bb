#include "core/async.hpp"
#include "support/test_proxy.hpp"

#include "support/fake_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <mutex>

namespace dynomite::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

struct test_proxy::state {
    test_proxy_options options;
    mutable std::mutex mutex;
    std::vector<proxied_request> requests;
    std::size_t tunnels = 0;
    std::size_t connections = 0;
};

namespace {

using dynomite::detail::use_tuple;

/// Splits "host:port" (the host may be "[v6]").
bool split_authority(std::string_view authority, std::string& host, std::string& port)
{
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = std::string(authority.substr(0, colon));
    port = std::string(authority.substr(colon + 1));
    if (host.size() > 1 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return !host.empty() && !port.empty();
}

asio::awaitable<error_code> connect_upstream(tcp::socket& upstream, const std::string& host,
                                             const std::string& port)
{
    tcp::resolver resolver(upstream.get_executor());
    auto [resolve_ec, found] = co_await resolver.async_resolve(host, port, use_tuple);
    if (resolve_ec) co_return resolve_ec;
    auto [connect_ec, where] = co_await asio::async_connect(upstream, found, use_tuple);
    co_return connect_ec;
}

asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to)
{
    std::array<char, 16 * 1024> chunk;
    for (;;) {
        auto [read_ec, n] = co_await from.async_read_some(asio::buffer(chunk), use_tuple);
        if (read_ec) break;
        auto [write_ec, written] = co_await asio::async_write(to, asio::buffer(chunk.data(), n), use_tuple);
        if (write_ec) break;
    }
    error_code ignored;
    to.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> answer(tcp::socket& client, unsigned status, bool challenge)
{
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.set(http::field::connection, "close");
    if (challenge) response.set(http::field::proxy_authenticate, "Basic realm=\"test proxy\"");
    response.body() = "refused by the test proxy";
    response.prepare_payload();
    co_await http::async_write(client, response, use_tuple);
}

asio::awaitable<void> tunnel(tcp::socket client, tcp::socket upstream)
{
    auto shared_client = std::make_shared<tcp::socket>(std::move(client));
    auto shared_upstream = std::make_shared<tcp::socket>(std::move(upstream));
    // Each direction on its own: a half-closed one lets the other finish.
    auto executor = shared_client->get_executor();
    asio::co_spawn(executor, [shared_client, shared_upstream]() -> asio::awaitable<void> {
        co_await pump(*shared_upstream, *shared_client);
    }, asio::detached);
    co_await pump(*shared_client, *shared_upstream);
}

asio::awaitable<void> serve(std::shared_ptr<test_proxy::state> state, tcp::socket client)
{
    beast::flat_buffer buffer;
    tcp::socket upstream(client.get_executor());
    std::string upstream_authority;
    for (;;) {
        http::request<http::string_body> request;
        auto [read_ec, n] = co_await http::async_read(client, buffer, request, use_tuple);
        if (read_ec) co_return;
        proxied_request seen;
        seen.method = std::string(request.method_string());
        seen.target = std::string(request.target());
        seen.host = std::string(request[http::field::host]);
        if (auto found = request.find(http::field::proxy_authorization); found != request.end())
            seen.proxy_authorization = std::string(found->value());
        {
            std::lock_guard lock(state->mutex);
            state->requests.push_back(seen);
        }
        const auto& options = state->options;
        if (!options.required_authorization.empty() &&
            seen.proxy_authorization != options.required_authorization) {
            co_await answer(client, 407, true);
            co_return;
        }
        if (options.refuse_with != 0) {
            co_await answer(client, options.refuse_with, false);
            co_return;
        }

        if (request.method() == http::verb::connect) {
            if (options.hang_up_on_connect) co_return;
            std::string host, port;
            if (!split_authority(seen.target, host, port)) {
                co_await answer(client, 400, false);
                co_return;
            }
            if (co_await connect_upstream(upstream, host, port)) {
                co_await answer(client, 502, false);
                co_return;
            }
            const std::string established =
                "HTTP/1.1 200 Connection established\r\n\r\n" + options.after_established;
            auto [write_ec, written] =
                co_await asio::async_write(client, asio::buffer(established), use_tuple);
            if (write_ec) co_return;
            {
                std::lock_guard lock(state->mutex);
                ++state->tunnels;
            }
            co_await tunnel(std::move(client), std::move(upstream));
            co_return;
        }

        // A forward proxy's request: "http://host:port/path".
        std::string_view target = request.target();
        if (!target.starts_with("http://")) {
            co_await answer(client, 400, false);
            co_return;
        }
        target.remove_prefix(7);
        const auto slash = target.find('/');
        std::string authority(target.substr(0, slash));
        const std::string path = slash == std::string_view::npos ? "/" : std::string(target.substr(slash));
        if (authority.find(':') == std::string::npos || authority.ends_with(']')) authority += ":80";
        if (authority != upstream_authority || !upstream.is_open()) {
            error_code ignored;
            upstream.close(ignored);
            std::string host, port;
            split_authority(authority, host, port);
            if (co_await connect_upstream(upstream, host, port)) {
                co_await answer(client, 502, false);
                co_return;
            }
            upstream_authority = authority;
        }
        request.target(path);
        request.erase(http::field::proxy_authorization);
        auto [forward_ec, forwarded] = co_await http::async_write(upstream, request, use_tuple);
        beast::flat_buffer upstream_buffer;
        http::response<http::string_body> response;
        error_code response_ec = forward_ec;
        if (!response_ec)
            std::tie(response_ec, std::ignore) =
                co_await http::async_read(upstream, upstream_buffer, response, use_tuple);
        if (response_ec) {
            co_await answer(client, 502, false);
            co_return;
        }
        if (!response.keep_alive()) upstream.close();
        auto [write_ec, written] = co_await http::async_write(client, response, use_tuple);
        if (write_ec || !request.keep_alive()) co_return;
    }
}

asio::awaitable<void> accept_clients(tcp::acceptor& acceptor, std::shared_ptr<test_proxy::state> state)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;
        {
            std::lock_guard lock(state->mutex);
            ++state->connections;
        }
        asio::co_spawn(acceptor.get_executor(), serve(state, std::move(socket)), asio::detached);
    }
}

}  // namespace

test_proxy::test_proxy(test_proxy_options options)
    : acceptor_(io_), state_(std::make_shared<state>())
{
    state_->options = std::move(options);
    port_ = listen_on_loopback(acceptor_);
    asio::co_spawn(io_, accept_clients(acceptor_, state_), asio::detached);
    thread_ = run_on_own_thread(io_, "test proxy");
}

test_proxy::~test_proxy()
{
    io_.stop();
    if (thread_.joinable()) thread_.join();
}

std::string test_proxy::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<proxied_request> test_proxy::requests() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::size_t test_proxy::tunnels() const
{
    std::lock_guard lock(state_->mutex);
    return state_->tunnels;
}

std::size_t test_proxy::connections() const
{
    std::lock_guard lock(state_->mutex);
    return state_->connections;
}

std::uint16_t unused_loopback_port()
{
    asio::io_context io;
    tcp::acceptor acceptor(io);
    const std::uint16_t port = listen_on_loopback(acceptor);
    acceptor.close();
    return port;
}

}  // namespace dynomite::test
