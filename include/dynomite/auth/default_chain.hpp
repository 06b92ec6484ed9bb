// The default credential chain, in the order of the AWS CLI (botocore) and the Go SDK v2.
#pragma once

#include <dynomite/auth/credentials_provider.hpp>
#include <dynomite/auth/metadata_providers.hpp>
#include <dynomite/auth/profile_sources.hpp>

#include <memory>
#include <optional>
#include <string>

namespace dynomite {

struct credential_chain_options {
    /// Used as they are when set.
    std::optional<credentials> explicit_credentials;
    /// The shared-file profile; empty means AWS_PROFILE, else "default".
    std::string profile;
    environment env;
    /// The region STS calls are signed for when the profile names none (the client's).
    std::string region;

    /// Endpoint overrides, for tests and private networks. Empty: STS is AWS_ENDPOINT_URL_STS,
    /// else AWS_ENDPOINT_URL, else https://sts.<region>.amazonaws.com; the SSO portal is
    /// AWS_ENDPOINT_URL_SSO, else AWS_ENDPOINT_URL, else
    /// https://portal.sso.<sso_region>.amazonaws.com; SSO-OIDC (token refresh) is
    /// AWS_ENDPOINT_URL_SSO_OIDC, else AWS_ENDPOINT_URL, else
    /// https://oidc.<sso_region>.amazonaws.com.
    std::string sts_url;
    std::string sso_portal_url;
    std::string sso_oidc_url;
    /// Where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is appended.
    std::string container_base = "http://169.254.170.2";
    /// Timeouts and attempts of the instance metadata source; its endpoint comes from the
    /// environment (AWS_EC2_METADATA_SERVICE_ENDPOINT) unless set here.
    imds_options imds;
    bool imds_endpoint_from_environment = true;
    /// How long a profile's credential_process may run (one minute by default) and how much
    /// it may print.
    credential_process_limits credential_process;
};

/// Tries, in order, and uses the first source that is configured:
///  1. explicit_credentials;
///  2. AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
///  3. AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (and AWS_ROLE_SESSION_NAME), through STS
///     AssumeRoleWithWebIdentity;
///  4. the profile in the shared files: role_arn (with source_profile or credential_source),
///     web_identity_token_file, SSO (sso_session or sso_start_url), static keys,
///     credential_process;
///  5. the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI);
///  6. EC2 instance metadata (IMDSv2), unless AWS_EC2_METADATA_DISABLED=true.
/// Once a source answered, later calls go to it alone. A source that is configured but fails
/// fails the call (the next ones are not tried, as in the SDKs); when none is configured or the
/// instance metadata cannot be reached, the call fails with errc::no_credentials listing where
/// it looked. Configuration that is wrong (a half-set variable, a profile cycle, mfa_serial)
/// fails with errc::invalid_configuration.
std::shared_ptr<credentials_provider> make_default_credentials_chain(
    boost::asio::any_io_executor executor, credential_chain_options options = {});

}  // namespace dynomite
