// One HTTP/1.1 connection over TCP or TLS. Private: Beast stays out of the public headers.
#pragma once

#include "transport/operation_memory.hpp"
#include "transport/proxy_route.hpp"
#include "transport/tls_stream.hpp"

#include <dynomite/transport/params.hpp>
#include <dynomite/transport/endpoint.hpp>
#include <dynomite/core/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <string_view>

#include <chrono>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <openssl/ssl.h>

namespace dynomite::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

using steady_time = std::chrono::steady_clock::time_point;

struct ssl_session_free {
    void operator()(SSL_SESSION* session) const noexcept { SSL_SESSION_free(session); }
};
/// A TLS session to resume: the pool keeps the latest one per endpoint.
using tls_session = std::shared_ptr<SSL_SESSION>;

struct http_response {
    unsigned status = 0;
    std::string body;
    /// The CRC-32 of body, computed as it arrived, while each piece was still in cache.
    std::uint32_t body_crc32 = 0;
    std::string request_id;
    /// The Date header, which clock-skew correction reads.
    std::string date;
    std::optional<std::uint32_t> crc32;
    bool keep_alive = false;
};

/// Where the time of an acquire went, for instrumentation; filled only when asked for.
struct acquire_measures {
    /// Waiting for a connection while all were in use.
    std::chrono::nanoseconds queued{0};
    /// Resolving, connecting and the TLS handshake of a new connection.
    std::chrono::nanoseconds connect{0};
};

/// What an exchange measured, for instrumentation; filled only when asked for.
struct exchange_measures {
    /// Writing the request, then from the request written to the answer read (or the failure).
    std::chrono::nanoseconds send{0};
    std::chrono::nanoseconds receive{0};
    /// Written, and read from the connection (the answer's head and body, as far as they came).
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
};

class http_connection {
public:
    /// `tls` is null for plain TCP.
    http_connection(asio::any_io_executor executor, asio::ssl::context* tls);
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;
    ~http_connection();

    /// Tries `addresses` in order until one accepts. Through `proxy`, `addresses` are the
    /// proxy's, and a TLS endpoint is reached through a CONNECT tunnel; TLS (SNI, certificate
    /// and host name) is always with `ep`. `resume` is a session of an earlier connection to
    /// `ep`, offered to the server. `detail` gets the underlying error text (for TLS, why the
    /// certificate was refused; for a proxy, what it answered).
    asio::awaitable<error_code> connect(const endpoint& ep, const proxy_route* proxy,
                                        const std::vector<asio::ip::tcp::endpoint>& addresses,
                                        steady_time deadline, const tls_session& resume,
                                        std::string& detail);

    /// The TLS session to resume on later connections, once per connection, when it has one
    /// the server allows to resume. With TLS 1.3 the server sends it after the handshake, so
    /// it may come only once a response was read.
    tls_session take_resumable_session() noexcept;

    /// Sends a request (its head from format_request_head, then its body) and reads the whole
    /// response. `received_any` tells whether any byte of a response arrived: a reused
    /// connection the server had already closed fails with none, and is then safe to retry on
    /// a new connection. `detail` gets the underlying error text. `measures`, when given, gets
    /// the times and sizes (a null one costs no clock reading).
    asio::awaitable<error_code> exchange(std::string_view head, std::string_view body,
                                         http_response& response, steady_time deadline,
                                         const pool_options& limits, bool& received_any,
                                         std::string& detail,
                                         exchange_measures* measures = nullptr);

    /// Open, and the peer has not closed it or sent anything unasked while it was idle.
    /// A connection idle for less than a millisecond is not asked the kernel: a server closes
    /// idle connections after seconds, and one closed sooner is still caught by the exchange
    /// (and sent again, see send_loop in src/client).
    bool usable_when_idle(steady_time now) const noexcept;
    bool is_open() const noexcept;
    /// An exchange began and did not end: a coroutine cancelled while it waited for the
    /// answer left the answer unread, so the connection must not carry another request.
    bool interrupted() const noexcept { return exchanging_; }
    void close() noexcept;

    steady_time idle_since{};
    /// When connect() succeeded.
    steady_time connected_at{};
    /// The address the connection reached (the proxy's, through one).
    asio::ip::tcp::endpoint remote;

private:
    /// Room for one deadline wait (256 bytes with an any_io_executor timer and its handler).
    static constexpr std::size_t wait_memory_size = 320;

    /// What the deadline timer's handler reaches: the connection, while it exists. The
    /// handler keeps it alive, and so the memory of its own wait: two blocks, since a wait
    /// cancelled by one exchange may not have completed when the next one arms the timer.
    struct deadline_state {
        http_connection* owner = nullptr;
        /// Counts the arm and disarm calls; a handler of an older one does nothing.
        std::uint64_t generation = 0;
        bool timed_out = false;
        operation_memory<wait_memory_size, 2> wait_memory;
    };
    /// Closes the connection at `when` unless disarmed first, which fails the operation under
    /// way; deadline_error() then tells a timeout from other failures. One timer wait covers a
    /// connect or an exchange, rather than one for each read and write.
    void arm(steady_time when);
    void disarm() noexcept;
    /// `ec` as the operation's outcome: a timeout when the deadline is what closed the socket.
    error_code deadline_error(error_code ec) const noexcept;
    /// exchange() over the plain or the TLS stream.
    template <class Stream>
    asio::awaitable<error_code> exchange_over(Stream& stream, std::string_view head,
                                              std::string_view body, http_response& response,
                                              steady_time deadline, const pool_options& limits,
                                              bool& received_any, std::string& detail,
                                              exchange_measures* measures);
    /// Through a proxy: sends CONNECT and reads the proxy's 2xx answer.
    asio::awaitable<error_code> open_tunnel(const endpoint& ep, const proxy_route& proxy,
                                            std::string& detail);
    /// Disarms the deadline when a connect or an exchange ends, however it ends.
    struct disarm_at_exit {
        http_connection& connection;
        ~disarm_at_exit() { connection.disarm(); }
    };

    asio::ip::tcp::socket& socket() noexcept;
    const asio::ip::tcp::socket& socket() const noexcept;

    asio::ssl::context* tls_;
    std::optional<asio::ip::tcp::socket> tcp_;
    std::optional<tls_stream> ssl_;
    /// On the executor beneath the connection's strand, if it has one.
    asio::steady_timer deadline_timer_;
    std::shared_ptr<deadline_state> deadline_;
    beast::flat_buffer buffer_;
    bool exchanging_ = false;
    bool session_taken_ = false;
};

/// Maps transport errors to the library's: timeouts, truncation and limits.
error_code translate_transport_error(error_code ec, bool connecting) noexcept;

}  // namespace dynomite::detail
