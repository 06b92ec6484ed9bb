// The JSON shapes credentials arrive in, sans-io.
#pragma once

#include <dynomite/auth/credentials.hpp>

#include <string>
#include <string_view>

namespace dynomite::detail {

enum class credentials_json_format {
    /// EC2 instance metadata and container endpoints: AccessKeyId, SecretAccessKey, Token,
    /// Expiration (ISO 8601); for instance metadata also Code, which must be "Success".
    metadata,
    /// credential_process output: Version 1, AccessKeyId, SecretAccessKey, SessionToken,
    /// Expiration (ISO 8601, optional).
    process,
    /// The SSO portal's GetRoleCredentials: roleCredentials{accessKeyId, secretAccessKey,
    /// sessionToken, expiration (epoch milliseconds)}.
    sso_portal,
};

/// Fails with errc::malformed_response, saying which field is wrong (never its value).
error_code parse_credentials_json(std::string_view body, credentials_json_format format,
                                  credentials& out, std::string& why);

/// An ISO-8601 time (RFC 3339) as a time point; errc::malformed_response naming `field`.
error_code parse_expiration(std::string_view text, std::string_view field,
                            std::chrono::system_clock::time_point& out, std::string& why);

/// "code: message" from a JSON error answer ({"code":..,"message":..} in any case of the
/// keys), or empty when the body is not one.
std::string json_error_summary(std::string_view body);

}  // namespace dynomite::detail
