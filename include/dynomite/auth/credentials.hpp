// Static AWS credentials: explicit settings, the environment, shared-file keys (auth/ has the rest).
#pragma once

#include <dynomite/core/environment.hpp>
#include <dynomite/core/error.hpp>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

/// An access key pair, with the session token of temporary credentials.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty for long-term keys
    /// When temporary credentials stop working; empty for long-term keys.
    std::optional<std::chrono::system_clock::time_point> expiration{};

    /// A printable form that never shows the secret or the token, and at most the first
    /// four characters of the access key id: `credentials{access_key_id=AKIA****,
    /// secret_access_key=<redacted>, session_token=<none>}`.
    std::string to_string() const;

    friend bool operator==(const credentials&, const credentials&) = default;
};

/// Writes credentials::to_string(), so that logging or a failed test assertion cannot leak them.
std::ostream& operator<<(std::ostream& os, const credentials& creds);

struct credentials_options {
    /// Used as they are when set; the environment and files are not consulted.
    std::optional<credentials> explicit_credentials;
    /// The shared-file profile; empty means AWS_PROFILE, else "default".
    std::string profile;
};

/// Resolves credentials from, in order: options.explicit_credentials; AWS_ACCESS_KEY_ID,
/// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; the profile in the shared credentials file
/// (AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials, section `[NAME]`), then in the
/// shared config file (AWS_CONFIG_FILE, else $HOME/.aws/config, section `[profile NAME]`, or
/// `[default]`), reading aws_access_key_id, aws_secret_access_key and aws_session_token.
///
/// Fails with errc::no_credentials when nothing was found (the message lists where it looked),
/// and errc::invalid_configuration when a source is unusable: only one of the two keys, a
/// profile named explicitly that exists in neither file, or an unreadable or malformed file.
/// Messages never contain a secret or a token.
error_code resolve_credentials(const credentials_options& options, const environment& env,
                               credentials& out, std::string* why = nullptr);

/// As above; throws dynomite::error on failure.
credentials resolve_credentials(const credentials_options& options = {},
                                const environment& env = {});

}  // namespace dynomite
