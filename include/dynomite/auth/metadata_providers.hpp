// Credentials from the endpoints AWS compute offers: the container credentials endpoint (ECS,
// EKS Pod Identity) and the EC2 instance metadata service (IMDSv2).
#pragma once

#include <dynomite/auth/credentials_provider.hpp>

#include <chrono>
#include <mutex>
#include <string>

namespace dynomite {

struct container_options {
    /// The whole URL, e.g. "http://169.254.170.2/v2/credentials/<id>".
    std::string url;
    /// Sent as the Authorization header when not empty.
    std::string authorization_token;
    /// When set, read for each fetch (the agent rotates it) and sent instead of the token.
    std::string authorization_token_file;
    std::chrono::milliseconds timeout{2000};
    int attempts = 2;
};

/// Where the environment points the container source: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
/// (appended to `relative_base`, "http://169.254.170.2" by default), else
/// AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
/// AWS_CONTAINER_AUTHORIZATION_TOKEN. A full URI over http must name a loopback address,
/// 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (https may name any host); anything else
/// fails with errc::invalid_configuration. `configured` is false when neither variable is set.
error_code container_options_from_environment(
    const environment& env, container_options& out, bool& configured, std::string& why,
    std::string_view relative_base = "http://169.254.170.2");

class container_credentials_provider final : public coroutine_credentials_provider {
public:
    container_credentials_provider(boost::asio::any_io_executor executor, container_options params);
    std::string_view name() const noexcept override { return "container credentials"; }

protected:
    boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override;

private:
    container_options params_;
};

struct imds_options {
    /// "http://169.254.169.254", or "http://[fd00:ec2::254]" in IPv6 mode.
    std::string endpoint = "http://169.254.169.254";
    /// Each request; short, so that off EC2 the chain gives up fast.
    std::chrono::milliseconds timeout{1000};
    int attempts = 2;
    std::chrono::seconds token_ttl{21600};
};

/// AWS_EC2_METADATA_DISABLED ("true" turns the source off: `disabled`),
/// AWS_EC2_METADATA_SERVICE_ENDPOINT, else AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE (IPv4 or
/// IPv6). errc::invalid_configuration for another mode.
error_code imds_options_from_environment(const environment& env, imds_options& out, bool& disabled,
                                         std::string& why);

/// IMDSv2 only: a session token from PUT /latest/api/token, then the role's credentials from
/// /latest/meta-data/iam/security-credentials/<role>. The token is reused until near its end.
class imds_credentials_provider final : public coroutine_credentials_provider {
public:
    imds_credentials_provider(boost::asio::any_io_executor executor, imds_options params = {});
    std::string_view name() const noexcept override { return "EC2 instance metadata"; }

protected:
    boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override;

private:
    imds_options params_;
    std::mutex mutex_;
    std::string token_;
    std::chrono::steady_clock::time_point token_expiry_{};
};

[[deprecated("use container_options_from_environment")]] inline error_code
container_params_from_environment(const environment& env, container_options& out, bool& configured,
                                  std::string& why,
                                  std::string_view relative_base = "http://169.254.170.2")
{
    return container_options_from_environment(env, out, configured, why, relative_base);
}
[[deprecated("use imds_options_from_environment")]] inline error_code imds_params_from_environment(
    const environment& env, imds_options& out, bool& disabled, std::string& why)
{
    return imds_options_from_environment(env, out, disabled, why);
}

/// The names these had before every settings struct was named *_options.
using container_params [[deprecated("use container_options")]] = container_options;
using imds_params [[deprecated("use imds_options")]] = imds_options;

}  // namespace dynomite
