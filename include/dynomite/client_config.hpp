// Everything a client can be configured with; defaults suit DynamoDB in AWS.
#pragma once

#include <dynomite/credentials.hpp>
#include <dynomite/logging.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

class credentials_provider;

/// Keep-alive connections to one endpoint.
struct pool_params {
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
struct retry_params {
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

struct tls_params {
    /// PEM file with the CA certificates to trust instead of the system store; otherwise
    /// AWS_CA_BUNDLE, otherwise the profile's `ca_bundle` setting in the shared config file.
    std::string ca_file;
    /// Turns off certificate and host-name verification. Only for test servers: anyone on
    /// the path can then read and change the traffic, credentials' signatures included.
    bool insecure_skip_verify_do_not_use_in_production = false;
};

/// HTTP proxies. A field left unset falls back to the environment: https_proxy then
/// HTTPS_PROXY, http_proxy then HTTP_PROXY, no_proxy then NO_PROXY. An empty string means none.
struct proxy_params {
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

struct client_config {
    /// "http://127.0.0.1:8000" or "https://host[:port][/path]"; otherwise DYNOMITE_ENDPOINT,
    /// the AWS_ENDPOINT_URL* variables, the shared config file's endpoint settings, and last
    /// the regional AWS endpoint (docs/configuration.md, "Endpoints").
    std::optional<std::string> endpoint;
    /// The regional endpoint's FIPS and dual-stack forms; otherwise AWS_USE_FIPS_ENDPOINT and
    /// AWS_USE_DUALSTACK_ENDPOINT, otherwise the profile's use_fips_endpoint and
    /// use_dualstack_endpoint, otherwise false.
    std::optional<bool> use_fips_endpoint;
    std::optional<bool> use_dualstack_endpoint;
    /// Otherwise AWS_REGION, AWS_DEFAULT_REGION, or the profile's region.
    std::optional<std::string> region;
    /// Otherwise the environment and the shared files.
    std::optional<dynomite::credentials> credentials;
    /// Where to get credentials instead of `credentials` and the default chain; wrapped in a
    /// caching_credentials_provider (dynomite/auth/caching_provider.hpp) unless it is one.
    std::shared_ptr<dynomite::credentials_provider> credentials_provider;
    /// Otherwise AWS_PROFILE, otherwise "default".
    std::string profile;
    /// How environment variables are read (tests replace it).
    environment env;
    /// The signing clock (tests replace it).
    std::function<std::chrono::system_clock::time_point()> clock;

    /// Where events go; when empty, DYNOMITE_LOG=debug|info|warning|error sends them to stderr.
    log_sink logger;
    /// Events below this level are not even formatted.
    log_level min_log_level = log_level::warning;

    /// The client serializes its work through a strand of the executor, so the io_context may
    /// run on several threads. With one thread per io_context (or an executor that is a strand
    /// already), false runs it on the executor as given and saves the strand's cost on every
    /// step of every request.
    bool thread_safe = true;

    pool_params pool;
    retry_params retry;
    tls_params tls;
    proxy_params proxy;
};

}  // namespace dynomite
