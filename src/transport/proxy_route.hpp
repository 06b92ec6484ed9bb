// Which HTTP proxy, if any, carries the requests to an endpoint: sans-io parsing of the
// proxy settings and the environment, and the CONNECT request that opens a tunnel.
#pragma once

#include <dynomite/transport/params.hpp>
#include <dynomite/core/environment.hpp>
#include <dynomite/transport/endpoint.hpp>
#include <dynomite/core/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite::detail {

struct proxy_route {
    std::string host;  // to resolve and connect to; IPv6 without brackets
    std::uint16_t port = 80;
    /// "http://host:port", without the credentials: for messages.
    std::string display;
    /// "Basic <base64(user:password)>" when the URL names a user; empty otherwise.
    std::string authorization;
    /// Where the setting came from, for messages: "HTTPS_PROXY", "proxy_options.https_proxy", ...
    std::string origin;
};

/// Parses "[http://][user[:password]@]host[:port][/]"; the user and password are
/// percent-decoded. Fails with errc::invalid_configuration naming `origin` for another scheme
/// (https:// and socks proxies are not supported), a path, or a bad host or port. The message
/// never repeats the password.
error_code parse_proxy_url(std::string_view url, std::string_view origin, proxy_route& out,
                           std::string& why);

/// Whether `no_proxy` (see proxy_options::no_proxy) sends requests to host:port directly.
bool bypasses_proxy(std::string_view no_proxy, std::string_view host, std::uint16_t port);

/// The proxy for `target` from `settings`, else the environment; nothing when none applies.
error_code choose_proxy(const proxy_options& settings, const environment& env,
                        const endpoint& target, std::optional<proxy_route>& out, std::string& why);

/// Whether an answer that came through a forward proxy is the proxy's own refusal rather than
/// DynamoDB's: 407 always; 403, 502, 503 and 504 when it has no x-amzn-RequestId, which
/// DynamoDB sends with every answer.
bool is_proxy_refusal(unsigned status, bool has_request_id) noexcept;

/// "CONNECT host:port HTTP/1.1" with Host and, when the proxy needs it, Proxy-Authorization.
std::string format_connect_request(const endpoint& target, const proxy_route& proxy);

}  // namespace dynomite::detail
