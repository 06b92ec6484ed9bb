// Everything a client can be configured with; defaults suit DynamoDB in AWS.
#pragma once

#include <dynomite/auth/credentials.hpp>
#include <dynomite/core/logging.hpp>
#include <dynomite/transport/params.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

class credentials_provider;
class observer;

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

    /// Receives an event per attempt and per operation (dynomite/client/instrumentation.hpp);
    /// none when null, at no cost.
    std::shared_ptr<dynomite::observer> observer;

    /// The client serializes its work through a strand of the executor, so the io_context may
    /// run on several threads. With one thread per io_context (or an executor that is a strand
    /// already), false runs it on the executor as given and saves the strand's cost on every
    /// step of every request.
    bool thread_safe = true;

    pool_options pool;
    retry_options retry;
    tls_options tls;
    proxy_options proxy;
};

}  // namespace dynomite
