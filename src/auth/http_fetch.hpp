// One HTTP request to a credentials endpoint (metadata services, STS, the SSO portal), on a
// connection of its own: these are rare, so nothing is pooled.
#pragma once

#include <dynomite/core/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite::detail {

struct http_fetch_request {
    std::string method = "GET";
    /// "http://host[:port]/path?query" or "https://..."; IPv6 hosts in brackets.
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// For connecting, sending and reading, together.
    std::chrono::milliseconds timeout{5000};
};

struct http_fetch_response {
    unsigned status = 0;
    std::string body;
};

/// Answers larger than this are refused: credentials are a few kilobytes.
inline constexpr std::size_t max_fetch_body = 1024 * 1024;

/// Sends the request and reads the whole answer, on the calling coroutine's executor. HTTPS
/// verifies the certificate against the system's CAs and the host name. On failure `detail`
/// says what failed and where (never the headers, which may hold a token).
/// errc::request_timeout after the timeout; errc::invalid_endpoint for a URL that cannot be
/// used; otherwise the transport's error.
boost::asio::awaitable<error_code> fetch_http(const http_fetch_request& request,
                                              http_fetch_response& response, std::string& detail);

/// The parts of a URL the fetch needs. Fails with errc::invalid_endpoint.
struct url_parts {
    bool tls = false;
    std::string host;         // without brackets
    std::string port;         // "80" or "443" when absent
    std::string host_header;  // as written in the URL, with the port when given
    std::string target;       // path (at least "/") and query
};
error_code split_url(std::string_view url, url_parts& out, std::string& why);

/// "https://<service>.<region>.amazonaws.com" (".amazonaws.com.cn" for cn- regions): where the
/// services that hand out credentials (STS, SSO OIDC) answer in a region.
std::string regional_service_url(std::string_view service, std::string_view region);

}  // namespace dynomite::detail
