// Credentials from AWS STS: AssumeRole with other credentials, AssumeRoleWithWebIdentity with a
// token file (EKS, GitHub Actions and other OIDC issuers).
#pragma once

#include <dynomite/auth/credentials_provider.hpp>
#include <dynomite/transport/params.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace dynomite {

/// Where STS is reached.
struct sts_endpoint {
    /// The region requests are signed for and, without `url`, sent to; "us-east-1" when empty.
    std::string region;
    /// "https://sts.<region>.amazonaws.com" when empty.
    std::string url;
    /// For each attempt: connecting, sending and reading together.
    std::chrono::milliseconds timeout{5000};
    /// Throttling, 5xx answers, IDPCommunicationError and connection failures are retried
    /// with full-jitter backoff, three attempts in all as botocore's standard mode does; the
    /// retry quota fields are not used.
    retry_options retry = default_sts_retry();

    static retry_options default_sts_retry()
    {
        retry_options r;
        r.max_attempts = 3;
        r.base_delay = std::chrono::milliseconds(100);
        r.throttling_base_delay = std::chrono::milliseconds(500);
        r.max_delay = std::chrono::milliseconds(5000);
        return r;
    }
};

struct assume_role_options {
    std::string role_arn;
    /// "dynomite-session-<seconds since the epoch>" when empty.
    std::string role_session_name;
    std::string external_id;
    /// STS's default (one hour) when absent.
    std::optional<std::chrono::seconds> duration;
};

/// STS AssumeRole, signed with the credentials of `source` (fetched for each call).
class assume_role_provider final : public coroutine_credentials_provider {
public:
    assume_role_provider(boost::asio::any_io_executor executor,
                         std::shared_ptr<credentials_provider> source, assume_role_options params,
                         sts_endpoint endpoint = {});
    std::string_view name() const noexcept override { return name_; }

protected:
    boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override;

private:
    std::shared_ptr<credentials_provider> source_;
    assume_role_options params_;
    sts_endpoint endpoint_;
    std::string name_;
};

struct web_identity_options {
    /// Read anew for each call: the issuer rotates it.
    std::string token_file;
    std::string role_arn;
    /// "dynomite-session-<seconds since the epoch>" when empty.
    std::string role_session_name;
};

/// STS AssumeRoleWithWebIdentity (unsigned; the token is the proof).
class web_identity_provider final : public coroutine_credentials_provider {
public:
    web_identity_provider(boost::asio::any_io_executor executor, web_identity_options params,
                          sts_endpoint endpoint = {});
    std::string_view name() const noexcept override { return name_; }

protected:
    boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override;

private:
    web_identity_options params_;
    sts_endpoint endpoint_;
    std::string name_;
};

/// The names these had before every settings struct was named *_options.
using assume_role_params [[deprecated("use assume_role_options")]] = assume_role_options;
using web_identity_params [[deprecated("use web_identity_options")]] = web_identity_options;

}  // namespace dynomite
