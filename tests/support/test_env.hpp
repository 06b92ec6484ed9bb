// Where the integration tests find DynamoDB, and names that keep their tables apart.
#pragma once

#include <string>
#include <string_view>

namespace dynomite::test {

/// Test values set by ensure_test_credentials() for the variables that are unset or empty.
inline constexpr std::string_view test_access_key_id = "AKIDDYNOMITETEST";
inline constexpr std::string_view test_secret_access_key = "dynomite-local-test-secret";
inline constexpr std::string_view test_region = "us-east-1";

/// Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (when AWS_DEFAULT_REGION is unset too)
/// AWS_REGION to the test values above, each only when it is unset or empty.
void ensure_test_credentials();

/// The endpoint integration tests talk to: DYNOMITE_ENDPOINT when set. Otherwise starts
/// DynamoDB Local once per process, behind the SigV4-verifying proxy, with
/// `scripts/dynamodb-local start --verify-sigv4`, sets DYNOMITE_ENDPOINT to it and stops it at
/// exit (or, should the process die first, as soon as it is gone). Calls
/// ensure_test_credentials() first; the proxy then accepts only requests signed with
/// AWS_SECRET_ACCESS_KEY, so clients take their credentials from the environment.
/// Throws std::runtime_error with the script's last error lines when starting fails.
const std::string& integration_endpoint();

/// A table name unique to this process and call: "<prefix>-<pid>-<counter>-<8 random hex
/// digits>". DynamoDB allows 3 to 255 characters from [A-Za-z0-9_.-]; throws
/// std::invalid_argument when the prefix has any other character or the name would be too long.
std::string unique_table_name(std::string_view prefix);

namespace detail {

/// Runs `command` with /bin/sh, its standard error captured, and returns the first line of its
/// standard output, which must be an "http://" or "https://" URL. Throws std::runtime_error
/// naming the exit status and quoting the last lines of the standard error when the command
/// fails or prints no URL.
std::string run_endpoint_command(const std::string& command);

/// `text` quoted for /bin/sh.
std::string shell_quote(std::string_view text);

}  // namespace detail

}  // namespace dynomite::test
