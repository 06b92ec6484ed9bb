// Where requests go: the region, and the endpoint URL parsed into what a connection needs.
#pragma once

#include <dynomite/credentials.hpp>
#include <dynomite/error.hpp>

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

    friend bool operator==(const endpoint&, const endpoint&) = default;
};

/// Parses "http[s]://host[:port][/]". Fails with errc::invalid_endpoint, saying why, for any
/// other scheme, a missing host, user information, a path other than "/", a query or a
/// fragment, or a port outside 1..65535.
error_code parse_endpoint(std::string_view url, endpoint& out, std::string* why = nullptr);

/// As above; throws dynomite::error on failure.
endpoint parse_endpoint(std::string_view url);

/// "https://dynamodb.<region>.amazonaws.com", or ".amazonaws.com.cn" for the cn- regions.
std::string default_endpoint_url(std::string_view region);

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

/// The endpoint from explicit_url, else DYNOMITE_ENDPOINT, else default_endpoint_url(region).
/// Fails with errc::invalid_endpoint for a URL parse_endpoint rejects, errc::no_region when
/// there is neither a URL nor a region, and errc::invalid_configuration for a region that is
/// not a region name.
error_code resolve_endpoint(std::optional<std::string> explicit_url, std::string_view region,
                            const environment& env, endpoint& out, std::string* why = nullptr);

/// As above; throws dynomite::error on failure.
endpoint resolve_endpoint(std::optional<std::string> explicit_url, std::string_view region,
                          const environment& env = {});

}  // namespace dynomite
