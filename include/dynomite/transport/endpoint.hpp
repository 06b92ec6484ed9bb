// Where requests go: the region, and the endpoint URL parsed into what a connection needs.
#pragma once

#include <dynomite/core/environment.hpp>
#include <dynomite/core/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

/// A parsed endpoint URL.
struct endpoint {
    bool tls = true;
    std::string host;  // to resolve and connect to; an IPv6 address without brackets
    std::uint16_t port = 443;
    std::string host_header;  // the Host header: IPv6 in brackets, ":port" unless 80/443
    /// The request path, percent-encoded as in the URL: "/" unless the URL has a path, which
    /// is then used as is ("https://host/prefix" sends every request to "/prefix").
    std::string path = "/";

    friend bool operator==(const endpoint&, const endpoint&) = default;
};

/// Parses "http[s]://host[:port][/path]". Fails with errc::invalid_endpoint, saying why, for
/// any other scheme, a missing host, user information, a query or a fragment, or a port
/// outside 1..65535.
error_code parse_endpoint(std::string_view url, endpoint& out, std::string* why = nullptr);

/// As above; throws dynomite::error on failure.
endpoint parse_endpoint(std::string_view url);

/// The URL of a parsed endpoint: scheme, Host header, and the path unless it is "/".
std::string endpoint_url(const endpoint& where);

/// DynamoDB's endpoint for a region, as DynamoDB's endpoint rule set derives it from the
/// region's partition (src/transport/partitions.hpp):
/// "https://dynamodb.<region>.<dnsSuffix>", "https://dynamodb-fips..." with `fips` (but
/// "https://dynamodb..." in aws-us-gov, whose regular endpoints are FIPS endpoints already),
/// the dualStackDnsSuffix with `dual_stack`, and "http://localhost:8000" for region "local".
/// Fails with errc::invalid_configuration, saying why, when the partition supports neither
/// or not both of FIPS and dual-stack as asked, or for a region that is not a region name.
error_code regional_endpoint_url(std::string_view region, bool fips, bool dual_stack,
                                 std::string& out, std::string* why = nullptr);

/// regional_endpoint_url(region, false, false), which cannot fail for a region name.
std::string default_endpoint_url(std::string_view region);

/// What the caller sets explicitly; each unset field is looked up in the environment and the
/// shared config file.
struct endpoint_settings {
    std::optional<std::string> url;
    std::optional<bool> use_fips_endpoint;
    std::optional<bool> use_dualstack_endpoint;
};

struct resolved_endpoint {
    endpoint where;
    std::string url;     // as configured or derived
    std::string origin;  // where it came from, for messages: "AWS_ENDPOINT_URL", ...
    /// The region requests are signed for: us-east-1 for region "local", else the region.
    std::string signing_region;
    /// Where the DynamoDB Streams operations go: the same endpoint when one is configured
    /// (DynamoDB Local serves both), else the regional one with "streams." in front
    /// ("https://streams.dynamodb.<region>.<dnsSuffix>", FIPS and dual-stack alike).
    endpoint streams_where;
    std::string streams_url;
};

/// The endpoint, from the first of:
///  1. settings.url;
///  2. DYNOMITE_ENDPOINT;
///  3. AWS_ENDPOINT_URL_DYNAMODB;
///  4. AWS_ENDPOINT_URL;
///  5. the sub-setting endpoint_url of "dynamodb" in the config file's "[services NAME]"
///     section, where NAME is the profile's `services` setting;
///  6. the profile's endpoint_url;
///  7. regional_endpoint_url(region, FIPS, dual-stack).
/// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, else the profile's ignore_configured_endpoint_urls,
/// set to true skips 3 to 6. FIPS is settings.use_fips_endpoint, else AWS_USE_FIPS_ENDPOINT,
/// else the profile's use_fips_endpoint, else false; dual-stack likewise with
/// use_dualstack_endpoint and AWS_USE_DUALSTACK_ENDPOINT. Boolean settings are "true" or
/// "false" in any case. The profile is `profile` if not empty, else AWS_PROFILE, else
/// "default", in the config file (AWS_CONFIG_FILE, else $HOME/.aws/config).
/// As DynamoDB's rule set says, a URL from 1 to 6 cannot be combined with FIPS or dual-stack.
/// Fails with errc::invalid_endpoint for a URL parse_endpoint rejects (naming its origin),
/// errc::no_region when no URL is configured and region is empty, and
/// errc::invalid_configuration for a boolean setting that is neither true nor false (naming
/// it), an unreadable or malformed config file, or what regional_endpoint_url refuses.
error_code resolve_endpoint(const endpoint_settings& settings, std::string_view region,
                            std::string_view profile, const environment& env,
                            resolved_endpoint& out, std::string* why = nullptr);

/// Whether `region` can be a region name: lowercase letters, digits and '-'.
bool is_valid_region_name(std::string_view region) noexcept;

/// Resolves the region from, in order: explicit_region; AWS_REGION; AWS_DEFAULT_REGION; the
/// `region` setting of the profile (`profile` if not empty, else AWS_PROFILE, else "default")
/// in the shared config file (AWS_CONFIG_FILE, else $HOME/.aws/config).
/// Fails with errc::no_region when none is set (the message lists where it looked), and
/// errc::invalid_configuration for a value that is not a region name or an unreadable or
/// malformed config file.
error_code resolve_region(std::optional<std::string> explicit_region, std::string_view profile,
                          const environment& env, std::string& out, std::string* why = nullptr);

/// As above; throws dynomite::error on failure.
std::string resolve_region(std::optional<std::string> explicit_region = std::nullopt,
                           std::string_view profile = {}, const environment& env = {});

/// resolve_endpoint({.url = explicit_url}, region, "", env, ...).where.
error_code resolve_endpoint(std::optional<std::string> explicit_url, std::string_view region,
                            const environment& env, endpoint& out, std::string* why = nullptr);

/// As above; throws dynomite::error on failure.
endpoint resolve_endpoint(std::optional<std::string> explicit_url, std::string_view region,
                          const environment& env = {});

}  // namespace dynomite
