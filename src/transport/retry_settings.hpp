// Which retry mode and how many attempts a client uses: the explicit client_config, else
// AWS_RETRY_MODE / AWS_MAX_ATTEMPTS, else the profile's retry_mode / max_attempts, else the
// defaults, as the AWS SDKs resolve them.
#pragma once

#include <dynomite/transport/params.hpp>
#include "core/shared_config.hpp"
#include <dynomite/core/error.hpp>

#include <string>
#include <string_view>

namespace dynomite::detail {

/// Attempts when nothing sets them: standard and adaptive mode, and legacy mode (botocore's
/// DynamoDB figure in its _retry.json).
inline constexpr int default_max_attempts = 4;
inline constexpr int legacy_default_max_attempts = 10;

struct retry_settings {
    retry_mode mode = retry_mode::standard;
    int max_attempts = default_max_attempts;
};

/// Resolves from `params`, the environment and `profile` (the config file's section of the
/// profile in use, or null), where `profile_label` names that section in messages ("profile
/// \"default\" in /home/me/.aws/config"). A bad value (not a whole number, below 1, or an
/// unknown mode) fails with errc::invalid_configuration naming where it came from and the value.
error_code resolve_retry_settings(const retry_options& params, const environment& env,
                                  const ini_section* profile, std::string_view profile_label,
                                  retry_settings& out, std::string* why);

/// The same, reading the shared config file of `profile_name` (empty: AWS_PROFILE, else
/// "default") only when the explicit settings and the environment leave something open.
error_code resolve_retry_settings(const retry_options& params, std::string_view profile_name,
                                  const environment& env, retry_settings& out, std::string* why);

}  // namespace dynomite::detail
