// How the transport keeps connections, retries, verifies TLS and reaches proxies.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

/// Keep-alive connections to one endpoint.
struct pool_options {
    std::size_t max_connections = 64;
    /// An idle connection older than this is closed instead of reused.
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds connect_timeout{3'000};
    /// One attempt: waiting for a connection, sending, and reading the whole response.
    std::chrono::milliseconds request_timeout{10'000};
    std::size_t max_response_body = 64 * 1024 * 1024;
    std::size_t max_response_header = 64 * 1024;
    /// A connection open for longer than this is closed when given back (never during a
    /// request) instead of reused, so that a long-running client follows DNS changes and
    /// spreads over the endpoint's hosts. Five minutes: a new TLS connection (resumed, see
    /// docs/configuration.md) every five minutes costs nothing noticeable, while the
    /// endpoint's DNS answers change within minutes. Zero disables the limit.
    std::chrono::milliseconds max_connection_age{300'000};
};

/// How failed requests are retried; the AWS SDKs' retry modes (docs/configuration.md, "Retries").
enum class retry_mode {
    /// botocore's original DynamoDB policy: up to 10 attempts, 50 ms doubling each time, no
    /// jitter and no quota.
    legacy,
    /// Full-jitter exponential backoff and a retry quota.
    standard,
    /// standard, plus a client-side rate limit that a throttled service lowers (CUBIC).
    adaptive,
};

/// "legacy", "standard" or "adaptive", as AWS_RETRY_MODE and the profile's retry_mode spell it.
std::string_view to_string(retry_mode mode) noexcept;
/// The mode spelled exactly (lowercase) as to_string gives it, or nothing.
std::optional<retry_mode> parse_retry_mode(std::string_view text) noexcept;

/// Retry settings. The mode and the attempts left unset here come from AWS_RETRY_MODE and
/// AWS_MAX_ATTEMPTS, else the profile's retry_mode and max_attempts, else standard mode and
/// the mode's default attempts (4; 10 in legacy mode).
struct retry_options {
    /// Attempts in all, the first included; 1 disables retries.
    std::optional<int> max_attempts;
    std::optional<retry_mode> mode;
    /// The delays and the quota below are standard and adaptive mode's; legacy has its own.
    std::chrono::milliseconds base_delay{25};
    /// Base for throttling errors, which need longer to clear.
    std::chrono::milliseconds throttling_base_delay{25};
    std::chrono::milliseconds max_delay{20'000};
    /// Tokens in the retry quota; 0 turns the quota off.
    int quota_capacity = 500;
    int retry_cost = 5;
    int timeout_retry_cost = 10;
};

struct tls_options {
    /// PEM file with the CA certificates to trust instead of the system store; otherwise
    /// AWS_CA_BUNDLE, otherwise the profile's `ca_bundle` setting in the shared config file.
    std::string ca_file;
    /// Turns off certificate and host-name verification. Only for test servers: anyone on
    /// the path can then read and change the traffic, credentials' signatures included.
    bool insecure_skip_verify_do_not_use_in_production = false;
};

/// HTTP proxies. A field left unset falls back to the environment: https_proxy then
/// HTTPS_PROXY, http_proxy then HTTP_PROXY, no_proxy then NO_PROXY. An empty string means none.
struct proxy_options {
    /// For https endpoints, reached through an HTTP CONNECT tunnel:
    /// "http://[user:password@]host[:port]" (port 80 when left out; "http://" may be too).
    std::optional<std::string> https_proxy;
    /// For http endpoints, sent each request with its absolute URL; same form.
    std::optional<std::string> http_proxy;
    /// Hosts reached directly: a comma-separated list of host names (each matching itself and
    /// its subdomains; a leading '.' changes nothing), IP addresses, either with ":port" to
    /// match that port only, or "*" for every host.
    std::optional<std::string> no_proxy;
};

/// The names these had before every settings struct was named *_options.
using pool_params [[deprecated("use pool_options")]] = pool_options;
using retry_params [[deprecated("use retry_options")]] = retry_options;
using tls_params [[deprecated("use tls_options")]] = tls_options;
using proxy_params [[deprecated("use proxy_options")]] = proxy_options;

}  // namespace dynomite
