// An HTTP/1.1 proxy in front of a real endpoint (DynamoDB Local) that injects the faults a
// remote service shows: throttling, 5xx, dropped connections before and after the write,
// truncated bodies, corrupted checksums and slow answers. Requests are forwarded with the
// headers the client sent (the Host it signed included), over keep-alive on both sides.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace dynomite::test {

enum class fault_kind : unsigned char {
    none,
    throughput_exceeded,   // 400 ProvisionedThroughputExceededException, not forwarded
    throttling,            // 400 ThrottlingException, not forwarded
    internal_error,        // 500 InternalServerError, not forwarded
    service_unavailable,   // 503 ServiceUnavailable, not forwarded
    reset_before_forward,  // the request is read, then the connection reset
    reset_after_forward,   // forwarded and answered upstream, then the connection reset
    truncated_body,        // forwarded; the answer's body is cut short, then the connection closed
    corrupt_crc32,         // forwarded; the answer's x-amz-crc32 does not match its body
    delay,                 // forwarded; the answer is held back for a while
};

inline constexpr std::size_t fault_kind_count = 10;

std::string_view to_string(fault_kind kind) noexcept;

/// True when the request reached the endpoint (so a write in it happened) but the client
/// cannot have received the answer intact.
bool loses_applied_answer(fault_kind kind) noexcept;

/// The relative weights of the faults; a zero weight never happens.
struct fault_weights {
    unsigned throughput_exceeded = 1;
    unsigned throttling = 1;
    unsigned internal_error = 1;
    unsigned service_unavailable = 1;
    unsigned reset_before_forward = 1;
    unsigned reset_after_forward = 1;
    unsigned truncated_body = 1;
    unsigned corrupt_crc32 = 1;
    unsigned delay = 1;
};

/// Weights under which every fault is `kind`.
fault_weights only(fault_kind kind);

/// Which fault each request gets, in order: with probability `rate` a fault, chosen by the
/// weights. The same rate, seed and weights give the same sequence. Sans-io.
class fault_plan {
public:
    /// Throws std::invalid_argument when `rate` is outside [0, 1], or above 0 with all
    /// weights zero.
    fault_plan(double rate, std::uint64_t seed, const fault_weights& weights = {});

    fault_kind next();
    /// From now on, faults at this rate; throws std::invalid_argument as the constructor does.
    void set_rate(double rate);

private:
    std::mt19937_64 random_;
    double rate_ = 0.0;
    std::array<unsigned, fault_kind_count> weights_{};
    unsigned long long total_weight_ = 0;
};

struct fault_proxy_options {
    /// Where requests go: "http://host:port".
    std::string upstream;
    double fault_rate = 0.0;
    std::uint64_t seed = 1;
    fault_weights weights;
    /// How long a delay fault holds the answer back.
    std::chrono::milliseconds delay{150};
    /// Closes a client connection that stays idle this long; zero keeps it open.
    std::chrono::milliseconds idle_close{0};
};

/// One request through the proxy, as it was handled.
struct proxied_exchange {
    std::string target;  // X-Amz-Target
    std::string request_body;
    fault_kind fault = fault_kind::none;
    /// The upstream's status; 0 when the request was not forwarded or got no answer.
    unsigned upstream_status = 0;
};

/// Listens on 127.0.0.1 on an ephemeral port, on its own thread. All members are safe to
/// call from any thread.
class fault_proxy {
public:
    /// Throws std::invalid_argument for an upstream that is not "http://host:port" and for
    /// the fault_plan's reasons.
    explicit fault_proxy(fault_proxy_options options);
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;
    /// Stops at once, dropping every connection.
    ~fault_proxy();

    std::uint16_t port() const noexcept { return port_; }
    /// "http://127.0.0.1:<port>".
    std::string url() const;

    /// Faults from now on at this rate (the plan's sequence goes on).
    void set_fault_rate(double rate);

    /// How many requests got each fault (fault_kind::none: forwarded as they are).
    std::array<std::size_t, fault_kind_count> faults() const;
    std::size_t faults(fault_kind kind) const;
    /// Requests received per X-Amz-Target ("DynamoDB_20120810.PutItem").
    std::map<std::string, std::size_t> requests_by_target() const;
    std::size_t request_count() const;
    /// Every request, in the order the proxy took its decision.
    std::vector<proxied_exchange> exchanges() const;

    std::size_t connections_accepted() const;
    /// Client connections open now.
    std::size_t open_connections() const;
    /// The most client connections open at once.
    std::size_t peak_connections() const;
    /// Client connections the proxy closed because they stayed idle.
    std::size_t idle_closed() const;
    /// Connections opened to the upstream.
    std::size_t upstream_connections() const;

    /// What the proxy's connections share with it; defined in the implementation.
    struct state;

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::shared_ptr<state> state_;
    std::thread thread_;
};

}  // namespace dynomite::test
