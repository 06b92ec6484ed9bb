// A scripted HTTP/1.1 server standing in for DynamoDB in transport tests: it answers, fails
// and misbehaves on demand, and records what it received. It checks no signatures.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace dynomite::test {

/// What the server does with one request (or, for reset_before_request, with the connection
/// that carries it).
struct fake_action {
    enum class kind {
        respond,               // answer with status, headers and body
        reset_before_request,  // reset the connection (RST) without reading the request
        reset_after_request,   // read the whole request, then reset without answering
        truncated_body,        // announce more body than is sent, then close
    };

    kind what = kind::respond;
    unsigned status = 200;
    std::string body = "{}";
    /// Extra response headers; x-amzn-RequestId here replaces the generated one.
    std::vector<std::pair<std::string, std::string>> headers;
    /// Sent as x-amz-crc32 instead of the body's CRC32.
    std::optional<std::string> crc32_override;
    /// Leaves x-amz-crc32 out.
    bool omit_crc32 = false;
    /// Waits this long after reading the request, before acting.
    std::chrono::milliseconds delay{0};
    /// For truncated_body: the Content-Length announced (larger than body.size()).
    std::size_t announced_length = 0;
    /// Answers with "Connection: close" and closes after the response.
    bool close_after = false;

    /// 200 with `body`.
    static fake_action ok(std::string body = "{}");
    /// A DynamoDB error: {"__type":"com.amazonaws.dynamodb.v20120810#<short_type>","message":...}.
    static fake_action aws_error(unsigned status, std::string_view short_type,
                                 std::string_view message);
    /// 400 ProvisionedThroughputExceededException.
    static fake_action throughput_exceeded();
    /// 400 ThrottlingException.
    static fake_action throttling();
    /// 500 InternalServerError.
    static fake_action internal_error();
    /// 503 ServiceUnavailable.
    static fake_action service_unavailable();
    /// 200 whose body is a valid GetItem response of at least `size` bytes.
    static fake_action large_body(std::size_t size);
    static fake_action reset_before_request();
    static fake_action reset_after_request();
    /// Sends `body` under a Content-Length of body.size() + missing, then closes.
    static fake_action truncated(std::string body, std::size_t missing);

    fake_action with_delay(std::chrono::milliseconds d) &&;
    fake_action with_header(std::string name, std::string value) &&;
    /// An x-amz-crc32 that does not match the body.
    fake_action with_wrong_crc32() &&;
    fake_action with_crc32(std::string value) &&;
    fake_action closing() &&;
};

/// One request as received.
struct recorded_request {
    std::string method;
    std::string target;  // the request target ("/")
    std::string body;
    /// Names lowercased, in the order received.
    std::vector<std::pair<std::string, std::string>> headers;
    /// 1 for the first connection accepted, 2 for the second, ...
    std::size_t connection = 0;
    /// The request's bytes as read (head and body).
    std::size_t bytes = 0;
    /// The answer written to it, when one was: its bytes (head and body) and x-amzn-RequestId.
    std::size_t response_bytes = 0;
    std::string response_request_id;

    /// The value of the header (name in any case), or nothing when absent.
    std::optional<std::string> header(std::string_view name) const;
};

/// A certificate chain and its private key, both PEM.
struct tls_identity {
    std::string certificate_chain_pem;
    std::string private_key_pem;
};

struct fake_server_options {
    /// Serves TLS with this identity when set.
    std::optional<tls_identity> tls;
    /// Closes a keep-alive connection that stays idle this long; zero keeps it open.
    std::chrono::milliseconds idle_close{0};
};

/// Opens `acceptor` on an ephemeral 127.0.0.1 port and listens; returns the port.
std::uint16_t listen_on_loopback(boost::asio::ip::tcp::acceptor& acceptor);

/// Runs `io` on a new thread until it is stopped; an exception escaping a handler fails the
/// current test (naming `who`) and the loop goes on.
std::thread run_on_own_thread(boost::asio::io_context& io, std::string who);

/// Listens on 127.0.0.1 on an ephemeral port, on its own thread. Each request takes the next
/// queued action, or the default one (200 "{}") when the queue is empty. All members are safe
/// to call from any thread.
class fake_server {
public:
    explicit fake_server(fake_server_options options = {});
    fake_server(const fake_server&) = delete;
    fake_server& operator=(const fake_server&) = delete;
    /// Stops at once, abandoning delayed answers.
    ~fake_server();

    std::uint16_t port() const noexcept { return port_; }
    /// "http://127.0.0.1:<port>", or "https://localhost:<port>" with TLS.
    std::string url() const;

    void enqueue(fake_action action, std::size_t times = 1);
    void set_default(fake_action action);
    std::size_t queued() const;

    std::vector<recorded_request> requests() const;
    std::size_t request_count() const;
    std::size_t connections_accepted() const;
    /// Connections accepted and not yet closed by the server.
    std::size_t open_connections() const;
    /// The most connections open at once.
    std::size_t peak_connections() const;
    /// TLS handshakes that failed (the client refused the certificate, for instance).
    std::size_t failed_handshakes() const;
    /// TLS handshakes that resumed an earlier session (SSL_session_reused on this side).
    std::size_t resumed_handshakes() const;

    /// Waits until `count` requests were received or `timeout` passed; true in the first case.
    bool wait_for_requests(std::size_t count,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    /// What the server's connections share with it; defined in the implementation.
    struct state;

private:
    std::optional<boost::asio::ssl::context> tls_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::shared_ptr<state> state_;
    std::thread thread_;
};

}  // namespace dynomite::test
