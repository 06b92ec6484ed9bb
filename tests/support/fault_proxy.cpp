#include "core/async.hpp"
#include "support/fault_proxy.hpp"
#include "support/socket_close.hpp"

#include "support/fake_server.hpp"

#include "transport/crc32.hpp"
#include <dynomite/transport/endpoint.hpp>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace dynomite::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

using dynomite::detail::use_tuple;
constexpr std::size_t max_message_body = 64 * 1024 * 1024;

std::size_t index_of(fault_kind kind)
{
    return static_cast<std::size_t>(kind);
}

}  // namespace

std::string_view to_string(fault_kind kind) noexcept
{
    switch (kind) {
        case fault_kind::none:
            return "none";
        case fault_kind::throughput_exceeded:
            return "throughput_exceeded";
        case fault_kind::throttling:
            return "throttling";
        case fault_kind::internal_error:
            return "internal_error";
        case fault_kind::service_unavailable:
            return "service_unavailable";
        case fault_kind::reset_before_forward:
            return "reset_before_forward";
        case fault_kind::reset_after_forward:
            return "reset_after_forward";
        case fault_kind::truncated_body:
            return "truncated_body";
        case fault_kind::corrupt_crc32:
            return "corrupt_crc32";
        case fault_kind::delay:
            return "delay";
    }
    return "unknown";
}

bool loses_applied_answer(fault_kind kind) noexcept
{
    return kind == fault_kind::reset_after_forward || kind == fault_kind::truncated_body ||
           kind == fault_kind::corrupt_crc32;
}

fault_weights only(fault_kind kind)
{
    const auto weight = [kind](fault_kind k) { return k == kind ? 1u : 0u; };
    return {.throughput_exceeded = weight(fault_kind::throughput_exceeded),
            .throttling = weight(fault_kind::throttling),
            .internal_error = weight(fault_kind::internal_error),
            .service_unavailable = weight(fault_kind::service_unavailable),
            .reset_before_forward = weight(fault_kind::reset_before_forward),
            .reset_after_forward = weight(fault_kind::reset_after_forward),
            .truncated_body = weight(fault_kind::truncated_body),
            .corrupt_crc32 = weight(fault_kind::corrupt_crc32),
            .delay = weight(fault_kind::delay)};
}

fault_plan::fault_plan(double rate, std::uint64_t seed, const fault_weights& weights)
    : random_(seed)
{
    weights_ = {0,
                weights.throughput_exceeded,
                weights.throttling,
                weights.internal_error,
                weights.service_unavailable,
                weights.reset_before_forward,
                weights.reset_after_forward,
                weights.truncated_body,
                weights.corrupt_crc32,
                weights.delay};
    for (auto w : weights_) total_weight_ += w;
    set_rate(rate);
}

void fault_plan::set_rate(double rate)
{
    if (!(rate >= 0.0 && rate <= 1.0))
        throw std::invalid_argument("fault rate " + std::to_string(rate) + " is outside [0, 1]");
    if (rate > 0.0 && total_weight_ == 0)
        throw std::invalid_argument("fault rate " + std::to_string(rate) +
                                    " with every fault weight zero");
    rate_ = rate;
}

fault_kind fault_plan::next()
{
    // The raw engine output, not a distribution: its sequence is fixed by the standard, so a
    // seed means the same faults with any standard library.
    const double unit = static_cast<double>(random_() >> 11) * 0x1.0p-53;
    const auto pick = random_();
    if (unit >= rate_ || total_weight_ == 0) return fault_kind::none;
    auto remaining = pick % total_weight_;
    for (std::size_t i = 1; i < fault_kind_count; ++i) {
        if (remaining < weights_[i]) return static_cast<fault_kind>(i);
        remaining -= weights_[i];
    }
    return fault_kind::none;
}

struct fault_proxy::state {
    mutable std::mutex mutex;
    fault_plan plan;
    endpoint upstream;
    std::chrono::milliseconds delay;
    std::chrono::milliseconds idle_close;
    std::array<std::size_t, fault_kind_count> counts{};
    std::map<std::string, std::size_t> by_target;
    std::vector<proxied_exchange> exchanges;
    std::size_t accepted = 0;
    std::size_t open = 0;
    std::size_t peak = 0;
    std::size_t idle_closed = 0;
    std::size_t upstream_connections = 0;
    std::uint64_t responses = 0;

    state(const fault_proxy_options& options, endpoint target)
        : plan(options.fault_rate, options.seed, options.weights),
          upstream(std::move(target)),
          delay(options.delay),
          idle_close(options.idle_close)
    {
    }

    // Decides the request's fault and records it; returns the fault and the record's index.
    std::pair<fault_kind, std::size_t> decide(std::string target, std::string body)
    {
        std::lock_guard lock(mutex);
        const auto kind = plan.next();
        ++counts[index_of(kind)];
        ++by_target[target];
        exchanges.push_back({std::move(target), std::move(body), kind, 0});
        return {kind, exchanges.size() - 1};
    }

    void record_upstream_status(std::size_t exchange, unsigned status)
    {
        std::lock_guard lock(mutex);
        exchanges[exchange].upstream_status = status;
    }

    std::string next_request_id()
    {
        std::lock_guard lock(mutex);
        return "FAULT-PROXY-" + std::to_string(++responses);
    }
};

namespace {

using proxy_state = fault_proxy::state;

// The injected error, shaped as DynamoDB shapes it; the bodies are the fake server's.
std::string injected_error(fault_kind kind, const std::string& request_id)
{
    fake_action action;
    switch (kind) {
        case fault_kind::throughput_exceeded:
            action = fake_action::throughput_exceeded();
            break;
        case fault_kind::throttling:
            action = fake_action::throttling();
            break;
        case fault_kind::internal_error:
            action = fake_action::internal_error();
            break;
        default:
            action = fake_action::service_unavailable();
            break;
    }
    const auto status = static_cast<http::status>(action.status);
    return "HTTP/1.1 " + std::to_string(action.status) + " " +
           std::string(http::obsolete_reason(status)) +
           "\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: " + request_id +
           "\r\nx-amz-crc32: " + std::to_string(dynomite::detail::crc32(action.body)) +
           "\r\nContent-Length: " + std::to_string(action.body.size()) + "\r\n\r\n" + action.body;
}

enum class client_turn { request_arrived, peer_closed, idle_expired };

// Waits until a request starts arriving, without consuming it; a connection idle for
// idle_close is given up.
asio::awaitable<client_turn> wait_for_client(tcp::socket& socket,
                                             std::chrono::milliseconds idle_close)
{
    using namespace asio::experimental::awaitable_operators;
    for (;;) {
        if (idle_close.count() > 0) {
            asio::steady_timer idle(socket.get_executor(), idle_close);
            auto first = co_await (socket.async_wait(tcp::socket::wait_read, use_tuple) ||
                                   idle.async_wait(use_tuple));
            if (first.index() == 1) co_return client_turn::idle_expired;
            if (std::get<0>(std::get<0>(first))) co_return client_turn::peer_closed;
        } else {
            auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple);
            if (ec) co_return client_turn::peer_closed;
        }
        char byte = 0;
        const auto received = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (received > 0) co_return client_turn::request_arrived;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
        co_return client_turn::peer_closed;
    }
}

// One keep-alive connection to the upstream, opened when needed.
class upstream_link {
public:
    upstream_link(asio::any_io_executor executor, std::shared_ptr<proxy_state> state)
        : socket_(executor), resolver_(executor), state_(std::move(state))
    {
    }

    // Forwards the request and reads the answer. A kept-alive connection the upstream closed
    // while idle fails before any answer: it is sent once more on a new connection.
    asio::awaitable<error_code> exchange(const http::request<http::string_body>& request,
                                         http::response<http::string_body>& response)
    {
        for (int round = 0; round < 2; ++round) {
            const bool reused = socket_.is_open();
            if (!reused) {
                auto ec = co_await connect();
                if (ec) co_return ec;
            }
            auto [write_ec, written] = co_await http::async_write(socket_, request, use_tuple);
            http::response_parser<http::string_body> parser;
            parser.body_limit(max_message_body);
            error_code read_ec = write_ec;
            if (!write_ec) {
                std::size_t read = 0;
                std::tie(read_ec, read) =
                    co_await http::async_read(socket_, buffer_, parser, use_tuple);
            }
            if (!read_ec) {
                response = parser.release();
                if (!response.keep_alive()) close_gracefully(socket_);
                co_return error_code{};
            }
            const bool nothing_came = !parser.got_some() && buffer_.size() == 0;
            buffer_.clear();
            reset(socket_);
            if (!(reused && nothing_came)) co_return read_ec;
        }
        co_return asio::error::connection_aborted;
    }

private:
    asio::awaitable<error_code> connect()
    {
        auto [resolve_ec, addresses] = co_await resolver_.async_resolve(
            state_->upstream.host, std::to_string(state_->upstream.port), use_tuple);
        if (resolve_ec) co_return resolve_ec;
        auto [connect_ec, connected] = co_await asio::async_connect(socket_, addresses, use_tuple);
        if (connect_ec) co_return connect_ec;
        socket_.set_option(tcp::no_delay(true));
        std::lock_guard lock(state_->mutex);
        ++state_->upstream_connections;
        co_return error_code{};
    }

    tcp::socket socket_;
    tcp::resolver resolver_;
    beast::flat_buffer buffer_;
    std::shared_ptr<proxy_state> state_;
};

asio::awaitable<void> write_all(tcp::socket& socket, const std::string& bytes, error_code& ec)
{
    std::size_t written = 0;
    std::tie(ec, written) = co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
}

// Serves one client connection until either side closes it or a fault ends it.
asio::awaitable<void> serve_client(std::shared_ptr<proxy_state> state, tcp::socket socket)
{
    upstream_link upstream(socket.get_executor(), state);
    beast::flat_buffer buffer;
    for (;;) {
        if (buffer.size() == 0) {
            const auto turn = co_await wait_for_client(socket, state->idle_close);
            if (turn == client_turn::idle_expired) {
                {
                    std::lock_guard lock(state->mutex);
                    ++state->idle_closed;
                }
                close_gracefully(socket);
                co_return;
            }
            if (turn == client_turn::peer_closed) co_return;
        }
        http::request_parser<http::string_body> parser;
        parser.body_limit(max_message_body);
        auto [read_ec, read] = co_await http::async_read(socket, buffer, parser, use_tuple);
        if (read_ec) co_return;
        auto request = parser.release();
        const bool client_keeps_alive = request.keep_alive();
        auto target_field = request.find("x-amz-target");
        std::string target =
            target_field != request.end() ? std::string(target_field->value()) : std::string();
        const auto [fault, exchange] = state->decide(std::move(target), request.body());

        switch (fault) {
            case fault_kind::throughput_exceeded:
            case fault_kind::throttling:
            case fault_kind::internal_error:
            case fault_kind::service_unavailable: {
                const auto answer = injected_error(fault, state->next_request_id());
                error_code ec;
                co_await write_all(socket, answer, ec);
                if (ec) co_return;
                if (!client_keeps_alive) {
                    close_gracefully(socket);
                    co_return;
                }
                continue;
            }
            case fault_kind::reset_before_forward:
                reset(socket);
                co_return;
            default:
                break;
        }

        http::response<http::string_body> response;
        const auto upstream_ec = co_await upstream.exchange(request, response);
        if (upstream_ec) {
            reset(socket);
            co_return;
        }
        state->record_upstream_status(exchange, response.result_int());

        if (fault == fault_kind::reset_after_forward) {
            reset(socket);
            co_return;
        }
        if (fault == fault_kind::truncated_body) {
            // The upstream's header, Content-Length included, then half of the body.
            std::ostringstream header;
            header << response.base();
            const auto& body = response.body();
            const std::string partial = header.str() + body.substr(0, body.size() / 2);
            error_code ignored;
            co_await write_all(socket, partial, ignored);
            close_gracefully(socket);
            co_return;
        }
        if (fault == fault_kind::corrupt_crc32) {
            const auto wrong = dynomite::detail::crc32(response.body()) ^ 0x5a5a5a5au;
            response.set("x-amz-crc32", std::to_string(wrong));
        }
        if (fault == fault_kind::delay) {
            asio::steady_timer hold(socket.get_executor(), state->delay);
            auto [wait_ec] = co_await hold.async_wait(use_tuple);
            if (wait_ec) co_return;
        }
        auto [write_ec, written] = co_await http::async_write(socket, response, use_tuple);
        if (write_ec) co_return;
        if (!client_keeps_alive || !response.keep_alive()) {
            close_gracefully(socket);
            co_return;
        }
    }
}

asio::awaitable<void> handle_client(std::shared_ptr<proxy_state> state, tcp::socket socket)
{
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    co_await serve_client(state, std::move(socket));
    std::lock_guard lock(state->mutex);
    --state->open;
}

asio::awaitable<void> accept_clients(tcp::acceptor& acceptor, std::shared_ptr<proxy_state> state)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;
        {
            std::lock_guard lock(state->mutex);
            ++state->accepted;
            state->peak = std::max(state->peak, ++state->open);
        }
        asio::co_spawn(acceptor.get_executor(), handle_client(state, std::move(socket)),
                       asio::detached);
    }
}

endpoint plain_upstream(const std::string& url)
{
    endpoint target;
    std::string why;
    if (parse_endpoint(url, target, &why))
        throw std::invalid_argument("fault proxy upstream \"" + url + "\": " + why);
    if (target.tls)
        throw std::invalid_argument("fault proxy upstream \"" + url +
                                    "\": only http:// upstreams are supported");
    return target;
}

}  // namespace

fault_proxy::fault_proxy(fault_proxy_options options)
    : acceptor_(io_), state_(std::make_shared<state>(options, plain_upstream(options.upstream)))
{
    port_ = listen_on_loopback(acceptor_);
    asio::co_spawn(io_, accept_clients(acceptor_, state_), asio::detached);
    thread_ = run_on_own_thread(io_, "fault proxy");
}

fault_proxy::~fault_proxy()
{
    io_.stop();
    thread_.join();
}

std::string fault_proxy::url() const
{
    return "http://127.0.0.1:" + std::to_string(port_);
}

void fault_proxy::set_fault_rate(double rate)
{
    std::lock_guard lock(state_->mutex);
    state_->plan.set_rate(rate);
}

std::array<std::size_t, fault_kind_count> fault_proxy::faults() const
{
    std::lock_guard lock(state_->mutex);
    return state_->counts;
}

std::size_t fault_proxy::faults(fault_kind kind) const
{
    std::lock_guard lock(state_->mutex);
    return state_->counts[index_of(kind)];
}

std::map<std::string, std::size_t> fault_proxy::requests_by_target() const
{
    std::lock_guard lock(state_->mutex);
    return state_->by_target;
}

std::size_t fault_proxy::request_count() const
{
    std::lock_guard lock(state_->mutex);
    return state_->exchanges.size();
}

std::vector<proxied_exchange> fault_proxy::exchanges() const
{
    std::lock_guard lock(state_->mutex);
    return state_->exchanges;
}

std::size_t fault_proxy::connections_accepted() const
{
    std::lock_guard lock(state_->mutex);
    return state_->accepted;
}

std::size_t fault_proxy::open_connections() const
{
    std::lock_guard lock(state_->mutex);
    return state_->open;
}

std::size_t fault_proxy::peak_connections() const
{
    std::lock_guard lock(state_->mutex);
    return state_->peak;
}

std::size_t fault_proxy::idle_closed() const
{
    std::lock_guard lock(state_->mutex);
    return state_->idle_closed;
}

std::size_t fault_proxy::upstream_connections() const
{
    std::lock_guard lock(state_->mutex);
    return state_->upstream_connections;
}

}  // namespace dynomite::test
