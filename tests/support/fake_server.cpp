#include "core/async.hpp"
#include "support/fake_server.hpp"
#include "support/socket_close.hpp"

#include "transport/crc32.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>

namespace dynomite::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

using dynomite::detail::use_tuple;
constexpr std::string_view aws_type_prefix = "com.amazonaws.dynamodb.v20120810#";
constexpr std::size_t max_request_body = 64 * 1024 * 1024;

std::string lowercase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string json_escape(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

fake_action fake_action::ok(std::string body)
{
    fake_action action;
    action.body = std::move(body);
    return action;
}

fake_action fake_action::aws_error(unsigned status, std::string_view short_type,
                                   std::string_view message)
{
    fake_action action;
    action.status = status;
    action.body = "{\"__type\":\"" + std::string(aws_type_prefix) + json_escape(short_type) +
                  "\",\"message\":\"" + json_escape(message) + "\"}";
    return action;
}

fake_action fake_action::throughput_exceeded()
{
    return aws_error(400, "ProvisionedThroughputExceededException",
                     "The level of configured provisioned throughput for the table was exceeded.");
}

fake_action fake_action::throttling()
{
    return aws_error(400, "ThrottlingException",
                     "Rate of requests exceeds the allowed throughput.");
}

fake_action fake_action::internal_error()
{
    return aws_error(500, "InternalServerError", "Internal server error");
}

fake_action fake_action::service_unavailable()
{
    return aws_error(503, "ServiceUnavailable", "Service unavailable");
}

fake_action fake_action::large_body(std::size_t size)
{
    constexpr std::string_view head = R"({"Item":{"pad":{"S":")";
    constexpr std::string_view tail = R"("}}})";
    std::string body(head);
    body.append(size > head.size() + tail.size() ? size - head.size() - tail.size() : 0, 'x');
    body += tail;
    return ok(std::move(body));
}

fake_action fake_action::reset_before_request()
{
    fake_action action;
    action.what = kind::reset_before_request;
    return action;
}

fake_action fake_action::reset_after_request()
{
    fake_action action;
    action.what = kind::reset_after_request;
    return action;
}

fake_action fake_action::truncated(std::string body, std::size_t missing)
{
    fake_action action;
    action.what = kind::truncated_body;
    action.announced_length = body.size() + std::max<std::size_t>(missing, 1);
    action.body = std::move(body);
    return action;
}

fake_action fake_action::with_delay(std::chrono::milliseconds d) &&
{
    delay = d;
    return std::move(*this);
}

fake_action fake_action::with_header(std::string name, std::string value) &&
{
    headers.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
}

fake_action fake_action::with_wrong_crc32() &&
{
    crc32_override = std::to_string(dynomite::detail::crc32(body) ^ 0x5a5a5a5au);
    return std::move(*this);
}

fake_action fake_action::with_crc32(std::string value) &&
{
    crc32_override = std::move(value);
    return std::move(*this);
}

fake_action fake_action::closing() &&
{
    close_after = true;
    return std::move(*this);
}

std::optional<std::string> recorded_request::header(std::string_view name) const
{
    const auto wanted = lowercase(name);
    for (const auto& [field, value] : headers)
        if (field == wanted) return value;
    return std::nullopt;
}

struct fake_server::state {
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::deque<fake_action> queue;
    fake_action fallback = fake_action::ok();
    std::vector<recorded_request> requests;
    std::size_t accepted = 0;
    std::size_t open = 0;
    std::size_t peak = 0;
    std::size_t failed_handshakes = 0;
    std::size_t resumed_handshakes = 0;
    std::uint64_t responses = 0;
    std::chrono::milliseconds idle_close{0};
    asio::ssl::context* tls = nullptr;

    fake_action next_action()
    {
        std::lock_guard lock(mutex);
        if (queue.empty()) return fallback;
        auto action = std::move(queue.front());
        queue.pop_front();
        return action;
    }

    std::string next_request_id()
    {
        std::lock_guard lock(mutex);
        return "FAKE-REQUEST-" + std::to_string(++responses);
    }

    /// Returns the request's index.
    std::size_t record(recorded_request request)
    {
        std::size_t index = 0;
        {
            std::lock_guard lock(mutex);
            index = requests.size();
            requests.push_back(std::move(request));
        }
        changed.notify_all();
        return index;
    }

    void record_response(std::size_t index, std::size_t bytes, std::string request_id)
    {
        std::lock_guard lock(mutex);
        requests[index].response_bytes = bytes;
        requests[index].response_request_id = std::move(request_id);
    }
};

namespace {

using server_state = fake_server::state;

/// `request_id` is replaced by the action's own x-amzn-RequestId when it has one.
std::string serialize_response(const fake_action& action, std::string& request_id)
{
    const auto status = static_cast<http::status>(action.status);
    std::string out = "HTTP/1.1 " + std::to_string(action.status) + " " +
                      std::string(http::obsolete_reason(status)) + "\r\n";
    bool has_request_id = false;
    for (const auto& [name, value] : action.headers)
        if (lowercase(name) == "x-amzn-requestid") {
            has_request_id = true;
            request_id = value;
        }
    out += "Content-Type: application/x-amz-json-1.0\r\n";
    if (!has_request_id) out += "x-amzn-RequestId: " + request_id + "\r\n";
    if (action.crc32_override)
        out += "x-amz-crc32: " + *action.crc32_override + "\r\n";
    else if (!action.omit_crc32)
        out += "x-amz-crc32: " + std::to_string(dynomite::detail::crc32(action.body)) + "\r\n";
    const auto length = action.what == fake_action::kind::truncated_body ? action.announced_length
                                                                         : action.body.size();
    out += "Content-Length: " + std::to_string(length) + "\r\n";
    if (action.close_after) out += "Connection: close\r\n";
    for (const auto& [name, value] : action.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    out += action.body;
    return out;
}

enum class next_request { arrived, peer_closed, idle_expired };

// Waits until the next request starts arriving, the peer closes, or the connection has been
// idle for too long; the action is not taken before, so a closing client consumes none.
asio::awaitable<next_request> wait_for_request(tcp::socket& socket,
                                               std::chrono::milliseconds idle_close)
{
    using namespace asio::experimental::awaitable_operators;
    for (;;) {
        if (idle_close.count() > 0) {
            asio::steady_timer idle(socket.get_executor(), idle_close);
            auto first = co_await (socket.async_wait(tcp::socket::wait_read, use_tuple) ||
                                   idle.async_wait(use_tuple));
            if (first.index() == 1) co_return next_request::idle_expired;
            if (std::get<0>(std::get<0>(first))) co_return next_request::peer_closed;
        } else {
            auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple);
            if (ec) co_return next_request::peer_closed;
        }
        char byte = 0;
        const auto received = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (received > 0) co_return next_request::arrived;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
        co_return next_request::peer_closed;
    }
}

template <class Stream>
asio::awaitable<void> serve(std::shared_ptr<server_state> state, Stream& stream,
                            tcp::socket& socket, std::size_t connection,
                            bool request_may_be_buffered)
{
    beast::flat_buffer buffer;
    for (bool first = true;; first = false) {
        // After a TLS handshake the request may already sit in the TLS layer's buffers, where
        // the socket cannot show it.
        if (!(first && request_may_be_buffered) && buffer.size() == 0) {
            const auto next = co_await wait_for_request(
                socket, first ? std::chrono::milliseconds(0) : state->idle_close);
            if (next == next_request::idle_expired) {
                close_gracefully(socket);
                co_return;
            }
            if (next == next_request::peer_closed) {
                close_gracefully(socket);
                co_return;
            }
        }
        auto action = state->next_action();
        if (action.what == fake_action::kind::reset_before_request) {
            reset(socket);
            co_return;
        }

        http::request_parser<http::string_body> parser;
        parser.body_limit(max_request_body);
        auto [read_ec, read_size] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (read_ec) {
            reset(socket);
            co_return;
        }
        auto& message = parser.get();
        recorded_request record;
        record.method = std::string(message.method_string());
        record.target = std::string(message.target());
        record.body = message.body();
        record.connection = connection;
        record.bytes = read_size;
        for (const auto& field : message)
            record.headers.emplace_back(lowercase(field.name_string()), std::string(field.value()));
        const bool keep_alive = message.keep_alive();
        const std::size_t index = state->record(std::move(record));

        if (action.delay.count() > 0) {
            asio::steady_timer delay(socket.get_executor(), action.delay);
            co_await delay.async_wait(use_tuple);
        }
        if (action.what == fake_action::kind::reset_after_request) {
            reset(socket);
            co_return;
        }
        std::string request_id = state->next_request_id();
        const auto response = serialize_response(action, request_id);
        state->record_response(index, response.size(), std::move(request_id));
        auto [write_ec, written] = co_await asio::async_write(
            stream, asio::buffer(response.data(), response.size()), use_tuple);
        if (write_ec) {
            reset(socket);
            co_return;
        }
        if (action.what == fake_action::kind::truncated_body || action.close_after || !keep_alive) {
            close_gracefully(socket);
            co_return;
        }
    }
}

asio::awaitable<void> handle_connection(std::shared_ptr<server_state> state, tcp::socket socket,
                                        std::size_t connection)
{
    struct open_count {
        std::shared_ptr<server_state> state;
        ~open_count()
        {
            std::lock_guard lock(state->mutex);
            --state->open;
        }
    } counted{state};

    if (!state->tls) {
        co_await serve(state, socket, socket, connection, false);
        co_return;
    }
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *state->tls);
    auto [handshake_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (handshake_ec) {
        {
            std::lock_guard lock(state->mutex);
            ++state->failed_handshakes;
        }
        state->changed.notify_all();
        reset(stream.next_layer());
        co_return;
    }
    if (SSL_session_reused(stream.native_handle()) == 1) {
        std::lock_guard lock(state->mutex);
        ++state->resumed_handshakes;
    }
    co_await serve(state, stream, stream.next_layer(), connection, true);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<server_state> state)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;
        std::size_t connection = 0;
        {
            std::lock_guard lock(state->mutex);
            connection = ++state->accepted;
            state->peak = std::max(state->peak, ++state->open);
        }
        state->changed.notify_all();
        asio::co_spawn(acceptor.get_executor(),
                       handle_connection(state, std::move(socket), connection), asio::detached);
    }
}

}  // namespace

fake_server::fake_server(fake_server_options options)
    : acceptor_(io_), state_(std::make_shared<state>())
{
    if (options.tls) {
        tls_.emplace(asio::ssl::context::tls_server);
        const auto& identity = *options.tls;
        tls_->use_certificate_chain(asio::buffer(identity.certificate_chain_pem.data(),
                                                 identity.certificate_chain_pem.size()));
        tls_->use_private_key(
            asio::buffer(identity.private_key_pem.data(), identity.private_key_pem.size()),
            asio::ssl::context::pem);
        state_->tls = &*tls_;
    }
    state_->idle_close = options.idle_close;

    port_ = listen_on_loopback(acceptor_);
    asio::co_spawn(io_, accept_loop(acceptor_, state_), asio::detached);
    thread_ = run_on_own_thread(io_, "fake server");
}

std::uint16_t listen_on_loopback(tcp::acceptor& acceptor)
{
    const tcp::endpoint local(asio::ip::address_v4::loopback(), 0);
    acceptor.open(local.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(local);
    acceptor.listen();
    return acceptor.local_endpoint().port();
}

std::thread run_on_own_thread(asio::io_context& io, std::string who)
{
    return std::thread([&io, who = std::move(who)] {
        for (;;) {
            try {
                io.run();
                return;
            } catch (const std::exception& failure) {
                ADD_FAILURE() << who << ": " << failure.what();
            }
        }
    });
}

fake_server::~fake_server()
{
    io_.stop();
    thread_.join();
}

std::string fake_server::url() const
{
    return (tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_);
}

void fake_server::enqueue(fake_action action, std::size_t times)
{
    std::lock_guard lock(state_->mutex);
    for (std::size_t i = 0; i < times; ++i) state_->queue.push_back(action);
}

void fake_server::set_default(fake_action action)
{
    std::lock_guard lock(state_->mutex);
    state_->fallback = std::move(action);
}

std::size_t fake_server::queued() const
{
    std::lock_guard lock(state_->mutex);
    return state_->queue.size();
}

std::vector<recorded_request> fake_server::requests() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::size_t fake_server::request_count() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requests.size();
}

std::size_t fake_server::connections_accepted() const
{
    std::lock_guard lock(state_->mutex);
    return state_->accepted;
}

std::size_t fake_server::open_connections() const
{
    std::lock_guard lock(state_->mutex);
    return state_->open;
}

std::size_t fake_server::peak_connections() const
{
    std::lock_guard lock(state_->mutex);
    return state_->peak;
}

std::size_t fake_server::resumed_handshakes() const
{
    std::lock_guard lock(state_->mutex);
    return state_->resumed_handshakes;
}

std::size_t fake_server::failed_handshakes() const
{
    std::lock_guard lock(state_->mutex);
    return state_->failed_handshakes;
}

bool fake_server::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout,
                                    [&] { return state_->requests.size() >= count; });
}

}  // namespace dynomite::test
