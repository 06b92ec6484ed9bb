// The token `aws sso login` caches in ~/.aws/sso/cache and its refresh through SSO-OIDC
// CreateToken, sans-io, as botocore's SSOTokenProvider does it.
#pragma once

#include <dynomite/core/error.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite::detail {

/// botocore refreshes a token that expires within this window.
inline constexpr std::chrono::minutes sso_token_refresh_window{15};

struct sso_cached_token {
    std::string access_token;
    std::chrono::system_clock::time_point expires_at;
    /// Present when `aws sso login` registered a client for an sso-session; all four are
    /// needed to refresh.
    std::string refresh_token;
    std::string client_id;
    std::string client_secret;
    std::optional<std::chrono::system_clock::time_point> registration_expires_at;
    /// The whole file, so that a rewrite keeps the fields this library does not use.
    boost::json::object fields;
};

/// Reads a cache file. errc::invalid_configuration naming what is missing or malformed
/// (never a token).
error_code parse_sso_cached_token(std::string_view text, sso_cached_token& out, std::string& why);

/// Whether the token is to be refreshed now: it expires within the refresh window.
bool sso_token_wants_refresh(const sso_cached_token& token,
                             std::chrono::system_clock::time_point now) noexcept;

/// Whether it can be: refreshToken, clientId, clientSecret present and registrationExpiresAt
/// in the future. Otherwise `why` says what is missing.
bool sso_token_can_refresh(const sso_cached_token& token,
                           std::chrono::system_clock::time_point now, std::string& why);

/// The JSON body of CreateToken with grantType refresh_token.
std::string sso_create_token_body(const sso_cached_token& token);

/// Applies a CreateToken answer ({"accessToken", "expiresIn", "refreshToken"?, ...}) to
/// `token`: the new access token, expiresAt = now + expiresIn, and the new refresh token when
/// one came. errc::malformed_response naming the field.
error_code apply_sso_create_token(std::string_view body, std::chrono::system_clock::time_point now,
                                  sso_cached_token& token, std::string& why);

/// The cache file's text for `token`, with startUrl and region as botocore writes them.
std::string serialize_sso_cached_token(const sso_cached_token& token, std::string_view start_url,
                                       std::string_view region);

/// "https://oidc.<region>.amazonaws.com" (".amazonaws.com.cn" for cn- regions).
std::string sso_oidc_endpoint(std::string_view region);

}  // namespace dynomite::detail
