#include "core/config_messages.hpp"
#include "core/or_throw.hpp"

#include "core/shared_config.hpp"
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/transport/endpoint.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <utility>

namespace dynomite {
namespace {

using detail::fail;
using detail::in_quotes;

}  // namespace

error_code parse_endpoint(std::string_view url, endpoint& out, std::string* why)
{
    namespace urls = boost::urls;
    const auto invalid = [why](std::string message) {
        return fail(errc::invalid_endpoint, "endpoint URL " + std::move(message), why);
    };

    const auto parsed = urls::parse_uri(url);
    if (!parsed) {
        return invalid("is not an absolute URL such as https://host or http://host:port");
    }
    const urls::url_view view = *parsed;

    endpoint result;
    std::uint16_t default_port = 443;
    switch (view.scheme_id()) {
        case urls::scheme::https:
            result.tls = true;
            break;
        case urls::scheme::http:
            result.tls = false;
            default_port = 80;
            break;
        default:
            return invalid("scheme " + in_quotes(view.scheme()) + " is not http or https");
    }
    if (view.has_userinfo()) return invalid("must not contain user information");
    if (!view.has_authority() || view.encoded_host().empty()) return invalid("has no host");
    if (view.has_query()) return invalid("must not have a query");
    if (view.has_fragment()) return invalid("must not have a fragment");

    switch (view.host_type()) {
        case urls::host_type::ipv6:
            result.host = view.host_address();
            result.host_header = "[" + result.host + "]";
            break;
        case urls::host_type::ipv4:
            result.host = result.host_header = view.host_address();
            break;
        case urls::host_type::name:
            if (view.encoded_host().contains('%')) {
                return invalid("host must not be percent-encoded");
            }
            result.host = result.host_header = view.encoded_host();
            break;
        default:
            return invalid("host " + in_quotes(view.encoded_host()) +
                           " is not a name or IP address");
    }

    result.port = default_port;
    if (view.has_port() && !view.port().empty()) {
        const std::string_view digits = view.port();
        unsigned long port = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 ||
            port > 65535) {
            return invalid("port " + in_quotes(digits) + " is not in 1..65535");
        }
        result.port = static_cast<std::uint16_t>(port);
    }
    if (result.port != default_port) result.host_header += ":" + std::to_string(result.port);
    // Beside "/" the SDKs accept a path, which becomes every request's path.
    if (!view.encoded_path().empty()) result.path = view.encoded_path();
    out = std::move(result);
    return {};
}

endpoint parse_endpoint(std::string_view url)
{
    return detail::value_or_throw<endpoint>(
        [&](endpoint& out, std::string* why) { return parse_endpoint(url, out, why); });
}

std::string endpoint_url(const endpoint& where)
{
    std::string url = where.tls ? "https://" : "http://";
    url.append(where.host_header);
    if (where.path != "/") url.append(where.path);
    return url;
}

bool is_valid_region_name(std::string_view region) noexcept
{
    if (region.empty()) return false;
    for (const char c : region) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

error_code resolve_region(std::optional<std::string> explicit_region, std::string_view profile,
                          const environment& env, std::string& out, std::string* why)
{
    using namespace detail;
    const auto accept = [&](std::string_view region, std::string_view origin) {
        if (!is_valid_region_name(region)) {
            return fail(errc::invalid_configuration,
                        "region " + in_quotes(region) + " from " + std::string(origin) +
                            " is not a valid region name",
                        why);
        }
        out = region;
        return error_code();
    };

    if (explicit_region) return accept(*explicit_region, "the explicit setting");
    if (const auto region = lookup(env, "AWS_REGION")) return accept(*region, "AWS_REGION");
    if (const auto region = lookup(env, "AWS_DEFAULT_REGION")) {
        return accept(*region, "AWS_DEFAULT_REGION");
    }

    const profile_choice choice = choose_profile(profile, env);
    const std::string profile_label = "profile " + in_quotes(choice.name);
    const std::string config_path = locate_shared_files(env).config;
    std::string looked;
    if (config_path.empty()) {
        looked = "the shared config file (neither AWS_CONFIG_FILE nor HOME is set)";
    } else {
        std::optional<ini_document> document;
        if (error_code ec = load_ini_file(config_path, document, why)) return ec;
        const ini_section* section =
            document ? find_profile(*document, choice.name, shared_file_kind::config) : nullptr;
        const auto region = section ? find_setting(*section, "region") : std::nullopt;
        if (region) return accept(*region, profile_label + " in " + config_path);
        looked = config_path + (!document  ? " (absent)"
                                : !section ? " (no " + profile_label + ")"
                                           : " (" + profile_label + " has no region setting)");
    }
    return fail(errc::no_region,
                "no AWS region configured; looked in: the explicit setting (none given), "
                "AWS_REGION and AWS_DEFAULT_REGION (not set), " +
                    profile_label + " in " + looked,
                why);
}

std::string resolve_region(std::optional<std::string> explicit_region, std::string_view profile,
                           const environment& env)
{
    return detail::value_or_throw<std::string>([&](std::string& out, std::string* why) {
        return resolve_region(std::move(explicit_region), profile, env, out, why);
    });
}

}  // namespace dynomite
