#include "core/async.hpp"
#include "support/auth/route_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace dynomite::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct route_server::state {
    route_handler handler;
    mutable std::mutex mutex;
    std::vector<recorded_request> requests;
    std::size_t connections = 0;
};

namespace {

using dynomite::detail::use_tuple;

asio::awaitable<void> serve(tcp::socket socket, std::shared_ptr<route_server::state> state,
                            std::size_t connection)
{
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        auto [read_ec, read] = co_await http::async_read(stream, buffer, request, use_tuple);
        if (read_ec) co_return;
        recorded_request seen;
        seen.method = std::string(request.method_string());
        seen.target = std::string(request.target());
        seen.body = request.body();
        seen.connection = connection;
        for (const auto& field : request) {
            std::string name(field.name_string());
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            seen.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        route_response answer = state->handler(seen);
        {
            std::lock_guard lock(state->mutex);
            state->requests.push_back(std::move(seen));
        }
        if (answer.drop_connection) {
            beast::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            co_return;
        }
        http::response<http::string_body> response(static_cast<http::status>(answer.status), 11);
        for (const auto& [name, value] : answer.headers) response.set(name, value);
        if (!response.count(http::field::content_type))
            response.set(http::field::content_type, "application/json");
        response.body() = std::move(answer.body);
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        auto [write_ec, written] = co_await http::async_write(stream, response, use_tuple);
        if (write_ec || !request.keep_alive()) co_return;
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor,
                                  std::shared_ptr<route_server::state> state)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) co_return;
        std::size_t connection = 0;
        {
            std::lock_guard lock(state->mutex);
            connection = ++state->connections;
        }
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), state, connection),
                       asio::detached);
    }
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string form_decode(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%' && i + 2 < text.size() &&
                   hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

}  // namespace

route_server::route_server(route_handler handler)
    : acceptor_(io_), state_(std::make_shared<state>())
{
    state_->handler = std::move(handler);
    port_ = listen_on_loopback(acceptor_);
    asio::co_spawn(io_, accept_loop(acceptor_, state_), asio::detached);
    thread_ = run_on_own_thread(io_, "route_server");
}

route_server::~route_server()
{
    io_.stop();
    thread_.join();
}

std::string route_server::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<recorded_request> route_server::requests() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::size_t route_server::count(std::string_view method, std::string_view target_prefix) const
{
    std::lock_guard lock(state_->mutex);
    std::size_t n = 0;
    for (const auto& r : state_->requests)
        if (r.method == method && std::string_view(r.target).starts_with(target_prefix)) ++n;
    return n;
}

std::map<std::string, std::string> parse_form(std::string_view text)
{
    std::map<std::string, std::string> out;
    while (!text.empty()) {
        const std::size_t amp = text.find('&');
        const std::string_view pair = text.substr(0, amp);
        const std::size_t eq = pair.find('=');
        if (!pair.empty()) {
            out[form_decode(pair.substr(0, eq))] =
                eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) break;
        text.remove_prefix(amp + 1);
    }
    return out;
}

}  // namespace dynomite::test
