#include "core/async.hpp"
#include "transport/http_connection.hpp"

#include "transport/crc32.hpp"
#include "transport/response_head.hpp"
#include "transport/strands.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <sstream>
#include <tuple>

namespace dynomite::detail {

namespace http = beast::http;
namespace {

using dynomite::detail::use_tuple;

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
    : tls_(tls),
      deadline_timer_(beneath_strand(executor)),
      deadline_(std::make_shared<deadline_state>())
{
    deadline_->owner = this;
    // Each read of a head takes as much as the buffer holds (512 bytes at the least): room
    // for a whole response head, and for most small responses, in one read.
    buffer_.reserve(16 * 1024);
    if (tls_)
        ssl_.emplace(executor, tls_->native_handle());
    else
        tcp_.emplace(executor);
}

http_connection::~http_connection()
{
    deadline_->owner = nullptr;  // a handler already queued finds no connection
    close();
}

asio::ip::tcp::socket& http_connection::socket() noexcept
{
    return ssl_ ? ssl_->socket() : *tcp_;
}

const asio::ip::tcp::socket& http_connection::socket() const noexcept
{
    return ssl_ ? ssl_->socket() : *tcp_;
}

void http_connection::arm(steady_time when)
{
    deadline_->timed_out = false;
    const std::uint64_t generation = ++deadline_->generation;
    deadline_timer_.expires_at(when);
    // Nearly every wait is cancelled when its exchange ends. The timer runs beneath the
    // connection's strand, so that the cancelled wait completes there and does nothing,
    // rather than queueing on the strand; only a wait that expires goes to the connection's
    // executor, where the connection's state is touched.
    auto expired = [state = deadline_, generation] {
        if (state->owner == nullptr || state->generation != generation) return;
        state->timed_out = true;
        state->owner->close();
    };
    deadline_timer_.async_wait(asio::bind_allocator(
        operation_allocator<void, wait_memory_size, 2>(deadline_->wait_memory),
        [expired = std::move(expired), connection_executor = socket().get_executor()](
            error_code ec) mutable {
            if (ec) return;
            asio::dispatch(connection_executor, std::move(expired));
        }));
}

void http_connection::disarm() noexcept
{
    ++deadline_->generation;
    deadline_timer_.cancel();  // the reactor's timer cancel does not fail
}

bool http_connection::is_open() const noexcept { return socket().is_open(); }

void http_connection::close() noexcept
{
    error_code ignored;
    auto& s = socket();
    if (!s.is_open()) return;
    s.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    s.close(ignored);
}

bool http_connection::usable_when_idle(steady_time now) const noexcept
{
    auto& socket = const_cast<http_connection*>(this)->socket();
    if (!socket.is_open() || buffer_.size() != 0) return false;
    if (now - idle_since < std::chrono::milliseconds(1)) return true;
    // An idle HTTP connection has nothing to read; readable means the peer closed it (or sent
    // a TLS alert), and reusing it would only fail the next request.
    pollfd descriptor{socket.native_handle(), POLLIN | POLLRDHUP, 0};
    const int ready = ::poll(&descriptor, 1, 0);
    return ready == 0;
}

error_code http_connection::deadline_error(error_code ec) const noexcept
{
    return ec && deadline_->timed_out ? error_code(beast::error::timeout) : ec;
}

/// Opens the tunnel: sends CONNECT and reads the proxy's answer, which must be 2xx. Anything
/// else is the proxy's refusal, reported with its status and naming the proxy.
asio::awaitable<error_code> http_connection::open_tunnel(const endpoint& ep,
                                                         const proxy_route& proxy,
                                                         std::string& detail)
{
    auto& tcp = socket();
    const std::string named = "the proxy " + proxy.display + " (" + proxy.origin + ")";
    const std::string request = format_connect_request(ep, proxy);
    auto [write_ec, written] = co_await asio::async_write(tcp, asio::buffer(request), use_tuple);
    http::response_parser<http::empty_body> answer;
    answer.skip(true);  // a 2xx answer to CONNECT has no body; the tunnel starts after its head
    answer.header_limit(16 * 1024);
    error_code ec = write_ec;
    if (!ec)
        std::tie(ec, std::ignore) =
            co_await http::async_read_header(tcp, buffer_, answer, use_tuple);
    ec = deadline_error(ec);
    if (ec) {
        detail = named + " closed or failed the CONNECT: " + ec.message();
        co_return translate_transport_error(ec, true);
    }
    const unsigned status = answer.get().result_int();
    if (status / 100 != 2) {
        detail = named + " answered CONNECT " + ep.host + ":" + std::to_string(ep.port) +
                 " with " + std::to_string(status);
        if (const auto reason = answer.get().reason(); !reason.empty())
            detail += " " + std::string(reason);
        co_return make_error_code(errc::http_status);
    }
    if (buffer_.size() != 0) {
        // The server speaks only after the client's hello: bytes here are not the server's.
        detail = named + " sent data after accepting CONNECT, before the TLS handshake";
        co_return make_error_code(errc::malformed_response);
    }
    co_return error_code{};
}

asio::awaitable<error_code> http_connection::connect(
    const endpoint& ep, const proxy_route* proxy,
    const std::vector<asio::ip::tcp::endpoint>& addresses, steady_time deadline,
    const tls_session& resume, std::string& detail)
{
    const disarm_at_exit disarm_guard{*this};
    auto& tcp = socket();
    // The addresses in turn, each with an equal share of the time left (the last one with all
    // of it): one that refuses, or does not answer at all, leaves time for the others.
    // What is reported when no attempt is made: no address, or no time left for the first
    // (a waiter woken just before its deadline), which is a timeout, not "Host not found".
    error_code connect_ec = addresses.empty() ? error_code(asio::error::host_not_found)
                                              : error_code(beast::error::timeout);
    asio::ip::tcp::endpoint connected;
    std::string failures;
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        const auto left = static_cast<long>(addresses.size() - i);
        arm(left == 1 ? deadline : now + (deadline - now) / left);
        std::tie(connect_ec) = co_await tcp.async_connect(addresses[i], use_tuple);
        connect_ec = deadline_error(connect_ec);
        if (!connect_ec) {
            connected = addresses[i];
            break;
        }
        error_code ignored;
        tcp.close(ignored);  // a timed-out attempt leaves it closed already; the next one reopens it
        if (!failures.empty()) failures += "; ";
        std::ostringstream where;
        where << addresses[i];
        failures += where.str() + ": " + connect_ec.message();
    }
    if (connect_ec) {
        detail = addresses.size() > 1 ? failures : connect_ec.message();
        if (proxy)
            detail = "cannot reach the proxy " + proxy->display + " (" + proxy->origin + "): " +
                     detail;
        co_return translate_transport_error(connect_ec, true);
    }
    remote = connected;
    tcp.set_option(asio::ip::tcp::no_delay(true));

    if (!ssl_) {
        connected_at = std::chrono::steady_clock::now();
        co_return error_code{};
    }
    if (proxy) {
        if (auto ec = co_await open_tunnel(ep, *proxy, detail))
            co_return ec;
    }
    // SNI, then certificate and host-name checks (the context decides whether to verify).
    if (!SSL_set_tlsext_host_name(ssl_->native_handle(), ep.host.c_str()))
        co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    if (tls_ && (SSL_CTX_get_verify_mode(tls_->native_handle()) & SSL_VERIFY_PEER) &&
        !ssl_->expect_host(ep.host)) {
        detail = "OpenSSL refused the host name \"" + ep.host + "\" for the certificate check";
        co_return make_error_code(errc::invalid_configuration);
    }
    // Offering a session the server no longer knows only costs a full handshake.
    if (resume) SSL_set_session(ssl_->native_handle(), resume.get());
    auto [handshake_result, none] = co_await ssl_->async_handshake(use_tuple);
    const error_code handshake_ec = deadline_error(handshake_result);
    if (handshake_ec) {
        const long verify_result = SSL_get_verify_result(ssl_->native_handle());
        detail = handshake_ec.message();
        if (verify_result != X509_V_OK)
            detail += std::string(": ") + X509_verify_cert_error_string(verify_result);
        co_return translate_transport_error(handshake_ec, true);
    }
    connected_at = std::chrono::steady_clock::now();
    co_return error_code{};
}

tls_session http_connection::take_resumable_session() noexcept
{
    if (!ssl_ || session_taken_) return {};
    SSL_SESSION* session = SSL_get0_session(ssl_->native_handle());
    if (!session || !SSL_SESSION_is_resumable(session)) return {};
    session_taken_ = true;
    // A copy: freeing a connection that was not shut down cleanly marks its own session as
    // not resumable.
    SSL_SESSION* copy = SSL_SESSION_dup(session);
    if (!copy) return {};
    return tls_session(copy, ssl_session_free{});
}

namespace {

/// Keeps only what the client reads of a response: the status, the two headers DynamoDB's
/// protocol uses, and the body. Unlike http::response_parser it stores no header list, which
/// costs an allocation per header on every response.
class response_parser final : public http::basic_parser<false> {
public:
    /// Writes the body, the request id and the date into `out`, whose strings keep their
    /// capacity when it is reused.
    explicit response_parser(http_response& out) : out_(out)
    {
        out.body.clear();
        out.request_id.clear();
        out.date.clear();
    }

    unsigned status = 0;
    std::optional<std::string> crc32_text;

private:
    void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                         error_code&) override
    {
    }
    void on_response_impl(int code, beast::string_view, int, error_code&) override
    {
        status = static_cast<unsigned>(code);
    }
    void on_field_impl(http::field, beast::string_view name, beast::string_view value,
                       error_code&) override
    {
        // The first of a repeated header counts.
        if (out_.request_id.empty() && beast::iequals(name, "x-amzn-RequestId"))
            out_.request_id.assign(value.data(), value.size());
        else if (!crc32_text && beast::iequals(name, "x-amz-crc32"))
            crc32_text.emplace(value.data(), value.size());
        else if (out_.date.empty() && beast::iequals(name, "Date"))
            out_.date.assign(value.data(), value.size());
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override
    {
        if (length) out_.body.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(beast::string_view data, error_code&) override
    {
        out_.body.append(data.data(), data.size());
        return data.size();
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view data, error_code&) override
    {
        out_.body.append(data.data(), data.size());
        return data.size();
    }
    void on_finish_impl(error_code&) override {}

    http_response& out_;
};

/// What reading a response learned beyond what it wrote into the response.
struct head_outcome {
    std::optional<std::string> crc32_text;
    /// Whether any byte of the response arrived.
    bool received_any = false;
};

/// Reads a head that parse_response_head leaves to Beast: its parser reads it from the start
/// (the bytes already buffered first). A body of known length is left to the caller, in
/// `known_length`; any other body the parser reads itself, within the limits.
template <class Stream>
asio::awaitable<error_code> read_head_with_beast(Stream& stream, beast::flat_buffer& buffer,
                                                 http_response& response,
                                                 const pool_options& limits,
                                                 head_outcome& outcome,
                                                 std::size_t& bytes_received,
                                                 std::optional<std::uint64_t>& known_length)
{
    response_parser parser(response);
    parser.body_limit(limits.max_response_body);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_response_header));
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, use_tuple);
    bytes_received = header_bytes;
    outcome.received_any = parser.got_some() || buffer.size() != 0;
    if (header_ec) co_return header_ec;
    response.status = parser.status;
    response.keep_alive = parser.keep_alive();
    outcome.crc32_text = std::move(parser.crc32_text);
    const auto length = parser.content_length();
    if (!parser.is_done() && length) {
        known_length = *length;
        co_return error_code{};
    }
    // Chunked, or delimited by the end of the connection: the parser reads it, within limits.
    if (!parser.is_done()) {
        auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
        bytes_received += read_bytes;
        if (read_ec) co_return read_ec;
        response.keep_alive = parser.keep_alive();
    }
    response.body_crc32 = crc32(response.body);
    co_return error_code{};
}

}  // namespace

asio::awaitable<error_code> http_connection::exchange(std::string_view head,
                                                      std::string_view request_body,
                                                      http_response& response, steady_time deadline,
                                                      const pool_options& limits, bool& received_any,
                                                      std::string& detail,
                                                      exchange_measures* measures)
{
    if (ssl_)
        return exchange_over(*ssl_, head, request_body, response, deadline, limits, received_any,
                             detail, measures);
    return exchange_over(*tcp_, head, request_body, response, deadline, limits, received_any,
                         detail, measures);
}

/// Writes the request and reads the response. A head in the plain form DynamoDB sends is read
/// by parse_response_head, without Beast's parser and its work per field; any other goes to
/// read_head_with_beast. A body of known length goes straight from the socket into the
/// response's body, in reads as large as the kernel gives, instead of through the buffer in
/// small pieces; its CRC-32 is computed piece by piece as it arrives. One coroutine for the
/// whole exchange: its frame is one allocation of every request.
template <class Stream>
asio::awaitable<error_code> http_connection::exchange_over(
    Stream& stream, std::string_view head, std::string_view request_body, http_response& response,
    steady_time deadline, const pool_options& limits, bool& received_any, std::string& detail,
    exchange_measures* measures)
{
    const auto began = measures ? std::chrono::steady_clock::now() : steady_time{};
    received_any = false;
    const disarm_at_exit disarm_guard{*this};
    arm(deadline);
    exchanging_ = true;  // stays set when a cancellation unwinds out of the read
    head_outcome outcome;
    // Every way out: a failure closes the connection and is reported as the transport's.
    const auto done = [&](error_code ec) -> error_code {
        ec = deadline_error(ec);
        exchanging_ = false;
        if (measures) measures->receive = std::chrono::steady_clock::now() - began - measures->send;
        received_any = outcome.received_any;
        if (ec) {
            detail = ec.message();
            buffer_.clear();
            close();
            return translate_transport_error(ec, false);
        }
        response.crc32 = outcome.crc32_text ? parse_crc32(*outcome.crc32_text) : std::nullopt;
        if (outcome.crc32_text && !response.crc32) {
            detail = "x-amz-crc32 header is not a number";
            return make_error_code(errc::crc32_mismatch);
        }
        return error_code{};
    };

    // Asynchronous even when the socket takes it all at once: its completion is queued, so
    // the answer is read after the other handlers ready to run, by when it has usually come.
    // Written synchronously, the request would be followed by a read that finds nothing, one
    // system call more per request.
    const std::array<asio::const_buffer, 2> request{asio::buffer(head), asio::buffer(request_body)};
    auto [write_ec, written] = co_await asio::async_write(stream, request, frameless_tuple);
    if (measures) {
        measures->send = std::chrono::steady_clock::now() - began;
        measures->bytes_sent = written;
    }
    if (write_ec) co_return done(write_ec);

    response_head fields;
    std::size_t head_size = 0;
    head_parse parsed = head_parse::need_more;
    for (;;) {
        const auto data = buffer_.data();
        parsed = parse_response_head(
            std::string_view(static_cast<const char*>(data.data()), data.size()),
            limits.max_response_header, fields, head_size);
        if (parsed != head_parse::need_more) break;
        // As much as the buffer holds, as Beast reads: a whole small response in one read.
        const std::size_t room =
            std::clamp<std::size_t>(buffer_.capacity() - buffer_.size(), 512, 64 * 1024);
        auto [read_ec, read_bytes] =
            co_await stream.async_read_some(buffer_.prepare(room), frameless_tuple);
        buffer_.commit(read_bytes);
        if (read_ec) {
            outcome.received_any = buffer_.size() != 0;
            if (measures) measures->bytes_received = buffer_.size();
            co_return done(read_ec);
        }
    }
    std::size_t received = 0;
    std::uint64_t length = 0;
    if (parsed == head_parse::general) {
        std::optional<std::uint64_t> known_length;
        const error_code ec = co_await read_head_with_beast(stream, buffer_, response, limits,
                                                            outcome, received, known_length);
        if (ec || !known_length) {
            if (measures) measures->bytes_received = received;
            co_return done(ec);
        }
        length = *known_length;
    } else {
        outcome.received_any = true;
        response.status = fields.status;
        response.keep_alive = fields.keep_alive;
        response.request_id.assign(fields.request_id);
        response.date.assign(fields.date);
        if (fields.has_crc32) outcome.crc32_text.emplace(fields.crc32);
        buffer_.consume(head_size);
        received = head_size;
        length = fields.content_length;
    }

    if (length > limits.max_response_body) co_return done(http::error::body_limit);
    const auto size = static_cast<std::size_t>(length);
    std::string& body = response.body;
    body.resize(size);
    std::size_t filled = std::min(buffer_.size(), size);
    asio::buffer_copy(asio::buffer(body.data(), filled), buffer_.data());
    buffer_.consume(filled);
    std::uint32_t crc = crc32_update(0, std::string_view(body.data(), filled));
    error_code ec;
    while (filled < size) {
        auto [read_ec, read_bytes] = co_await stream.async_read_some(
            asio::buffer(body.data() + filled, size - filled), frameless_tuple);
        crc = crc32_update(crc, std::string_view(body.data() + filled, read_bytes));
        filled += read_bytes;
        if (read_ec) {
            ec = read_ec;
            break;
        }
    }
    if (measures) measures->bytes_received = received + filled;
    response.body_crc32 = crc;
    co_return done(ec);
}

}  // namespace dynomite::detail
