// An HTTP proxy for transport tests, in process on 127.0.0.1: it opens CONNECT tunnels (for
// https endpoints) and forwards absolute-form requests (for http ones), as RFC 9110 has proxies
// do, checks Proxy-Authorization when asked to, refuses on demand, and records what it saw.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dynomite::test {

struct test_proxy_options {
    /// The Proxy-Authorization value required ("Basic ..."); empty to require none. A request
    /// without it is answered 407 with a Proxy-Authenticate challenge.
    std::string required_authorization;
    /// Answers every CONNECT and every request with this status (403, 502, ...) instead of
    /// relaying; zero relays.
    unsigned refuse_with = 0;
    /// Closes a CONNECT's connection without answering.
    bool hang_up_on_connect = false;
    /// Sent right after accepting a CONNECT, before anything the server sends: a broken proxy.
    std::string after_established;
};

/// One request as the proxy received it.
struct proxied_request {
    std::string method;
    std::string target;  // "host:port" for CONNECT, the absolute URL otherwise
    std::string host;    // the Host header
    std::optional<std::string> proxy_authorization;
};

class test_proxy {
public:
    explicit test_proxy(test_proxy_options options = {});
    test_proxy(const test_proxy&) = delete;
    test_proxy& operator=(const test_proxy&) = delete;
    ~test_proxy();

    std::uint16_t port() const noexcept { return port_; }
    /// "http://127.0.0.1:<port>".
    std::string url() const;

    std::vector<proxied_request> requests() const;
    /// Tunnels opened (CONNECT answered 200).
    std::size_t tunnels() const;
    /// Client connections accepted.
    std::size_t connections() const;

    struct state;

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::shared_ptr<state> state_;
    std::thread thread_;
};

/// A loopback port nothing listens on (bound, then closed), for an unreachable proxy.
std::uint16_t unused_loopback_port();

}  // namespace dynomite::test
