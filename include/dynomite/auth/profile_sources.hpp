// Credentials the shared config profiles may name beside static keys: an external command
// (credential_process) and AWS IAM Identity Center (SSO).
#pragma once

#include <dynomite/auth/credentials_provider.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace dynomite {

namespace detail {
struct sso_cached_token;
}

/// Bounds on a credential_process command.
struct credential_process_limits {
    /// The command is killed (with the processes it started) when it has not finished by then.
    std::chrono::milliseconds timeout{60'000};
    /// More standard output than this is refused and the command killed.
    std::size_t max_output = 64 * 1024;
};

/// Runs `command` through /bin/sh and reads its standard output: JSON with Version 1,
/// AccessKeyId, SecretAccessKey, and optionally SessionToken and Expiration. The output is
/// never quoted in messages: it holds the secret. When the command fails, its standard error
/// (the first 1024 bytes) is.
class process_credentials_provider final : public coroutine_credentials_provider {
public:
    process_credentials_provider(boost::asio::any_io_executor executor, std::string command,
                                 credential_process_limits limits = {});
    std::string_view name() const noexcept override { return "credential_process"; }

protected:
    boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override;

private:
    std::string command_;
    credential_process_limits limits_;
};

struct sso_options {
    std::string start_url;
    /// The [sso-session NAME] the profile names; empty for the legacy settings.
    std::string session_name;
    /// sso_region: where the portal is.
    std::string region;
    std::string account_id;
    std::string role_name;
    /// Where `aws sso login` caches tokens: ~/.aws/sso/cache.
    std::string cache_directory;
    /// "https://portal.sso.<region>.amazonaws.com" when empty.
    std::string portal_url;
    /// SSO-OIDC, where tokens of an sso-session are refreshed;
    /// "https://oidc.<region>.amazonaws.com" when empty.
    std::string oidc_url;
    /// For messages: the profile, so that the advice names it.
    std::string profile;
    std::chrono::milliseconds timeout{5000};
};

/// Reads the token `aws sso login` cached (file name: the SHA-1 hex of the session name, or of
/// the start URL for legacy settings) and exchanges it at the portal's GetRoleCredentials.
/// The token of an sso-session that expires within 15 minutes (or has expired) is refreshed
/// first, as botocore does, through SSO-OIDC CreateToken with the refresh token and client
/// registration `aws sso login` cached beside it, and the new token is written back to the
/// cache file; when that fails, a token that is still valid is used. Legacy tokens are not
/// refreshed. An expired or refused token fails with errc::expired_token and says to run
/// `aws sso login`.
class sso_credentials_provider final : public coroutine_credentials_provider {
public:
    sso_credentials_provider(boost::asio::any_io_executor executor, sso_options params);
    std::string_view name() const noexcept override { return "SSO"; }

protected:
    boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override;

private:
    // Replaces `cached` with a refreshed token and writes it back, or says why not.
    boost::asio::awaitable<void> refresh_token(detail::sso_cached_token& cached,
                                               const std::string& path, std::string& failure);

    sso_options params_;
};

/// The names these had before every settings struct was named *_options.
using sso_params [[deprecated("use sso_options")]] = sso_options;

}  // namespace dynomite
