// An HTTP/1.1 server on 127.0.0.1 that answers each request with a function of it: the base
// of the fake metadata services, STS and the SSO portal.
#pragma once

#include "support/fake_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace dynomite::test {

struct route_response {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// Close the connection without answering, as a server that crashed or a dropped link.
    bool drop_connection = false;
};

/// Called on the server's thread, one request at a time.
using route_handler = std::function<route_response(const recorded_request&)>;

class route_server {
public:
    explicit route_server(route_handler handler);
    route_server(const route_server&) = delete;
    route_server& operator=(const route_server&) = delete;
    ~route_server();

    std::uint16_t port() const noexcept { return port_; }
    /// "http://127.0.0.1:<port>"
    std::string url() const;

    std::vector<recorded_request> requests() const;
    /// Requests whose method is `method` and whose target starts with `target_prefix`.
    std::size_t count(std::string_view method, std::string_view target_prefix = "") const;

    struct state;

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::shared_ptr<state> state_;
    std::thread thread_;
};

/// Decodes an application/x-www-form-urlencoded body or query into its parameters.
std::map<std::string, std::string> parse_form(std::string_view text);

}  // namespace dynomite::test
