// Where DynamoDB requests go: a configured endpoint URL, else the regional endpoint that
// DynamoDB's endpoint rule set derives from the region's partition.
#include "core/ascii.hpp"
#include "core/config_messages.hpp"
#include "core/or_throw.hpp"

#include "transport/partitions.hpp"
#include "core/shared_config.hpp"
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/transport/endpoint.hpp>

#include <utility>

namespace dynomite {
namespace {

using detail::fail;
using detail::in_quotes;

// The profile's section of the shared config file, read the first time a setting is needed.
class config_profile {
public:
    config_profile(std::string_view profile, const environment& env)
        : choice_(detail::choose_profile(profile, env)),
          path_(detail::locate_shared_files(env).config)
    {
    }

    error_code setting(std::string_view key, std::optional<std::string_view>& out, std::string* why)
    {
        out.reset();
        if (error_code ec = load(why)) return ec;
        if (section_ != nullptr) out = detail::find_setting(*section_, key);
        return {};
    }

    // "[services NAME]", where NAME is the profile's `services` setting; null when absent.
    error_code services_section(const detail::ini_section*& out, std::string& name,
                                std::string* why)
    {
        out = nullptr;
        std::optional<std::string_view> services;
        if (error_code ec = setting("services", services, why)) return ec;
        if (!services) return {};
        name = *services;
        constexpr std::string_view prefix = "services";
        for (const auto& [section_name, section] : *document_) {
            const std::string_view view = section_name;
            if (view.size() <= prefix.size() || !view.starts_with(prefix)) continue;
            if (view[prefix.size()] != ' ' && view[prefix.size()] != '\t') continue;
            std::string_view rest = view.substr(prefix.size());
            while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
                rest.remove_prefix(1);
            }
            if (rest == name) {
                out = &section;
                return {};
            }
        }
        return {};
    }

    // For messages: `key` of profile "NAME" in PATH.
    std::string describe(std::string_view key) const
    {
        return std::string(key) + " of profile " + in_quotes(choice_.name) + " in " + path_;
    }

    const std::string& path() const noexcept { return path_; }

private:
    error_code load(std::string* why)
    {
        if (loaded_ || path_.empty()) return {};
        loaded_ = true;
        if (error_code ec = detail::load_ini_file(path_, document_, why)) return ec;
        if (document_) {
            section_ =
                detail::find_profile(*document_, choice_.name, detail::shared_file_kind::config);
        }
        return {};
    }

    detail::profile_choice choice_;
    std::string path_;
    bool loaded_ = false;
    std::optional<detail::ini_document> document_;
    const detail::ini_section* section_ = nullptr;
};

struct flag {
    bool value = false;
    std::string origin;  // empty when no source set it
};

// A boolean from the explicit setting, else the variable, else the profile's key.
error_code read_flag(std::optional<bool> explicit_value, std::string_view explicit_name,
                     std::string_view variable, std::string_view key, const environment& env,
                     config_profile& profile, flag& out, std::string* why)
{
    out = {};
    if (explicit_value) {
        out = {*explicit_value, "the explicit " + std::string(explicit_name) + " setting"};
        return {};
    }
    std::optional<std::string> from_env = detail::lookup(env, variable);
    std::optional<std::string_view> text;
    if (from_env) {
        text = *from_env;
        out.origin = variable;
    } else {
        if (error_code ec = profile.setting(key, text, why)) return ec;
        if (!text) return {};
        out.origin = profile.describe(key);
    }
    if (detail::equals_ignoring_ascii_case(*text, "true")) {
        out.value = true;
    } else if (!detail::equals_ignoring_ascii_case(*text, "false")) {
        return fail(errc::invalid_configuration,
                    out.origin + " is " + in_quotes(*text) + "; expected true or false", why);
    }
    return {};
}

struct configured_url {
    std::string url;
    std::string origin;
};

// Sources 3 to 6 of resolve_endpoint, unless the configuration says to ignore them.
error_code find_configured_url(const environment& env, config_profile& profile,
                               std::optional<configured_url>& out, std::string* why)
{
    out.reset();
    flag ignore;
    if (error_code ec = read_flag(std::nullopt, {}, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                  "ignore_configured_endpoint_urls", env, profile, ignore, why)) {
        return ec;
    }
    if (ignore.value) return {};
    for (const std::string_view variable : {"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"}) {
        if (auto url = detail::lookup(env, variable)) {
            out = configured_url{std::move(*url), std::string(variable)};
            return {};
        }
    }
    const detail::ini_section* services = nullptr;
    std::string services_name;
    if (error_code ec = profile.services_section(services, services_name, why)) return ec;
    if (services != nullptr) {
        if (auto url = detail::find_sub_setting(*services, "dynamodb", "endpoint_url")) {
            out = configured_url{std::string(*url), "endpoint_url of dynamodb in [services " +
                                                        services_name + "] of " + profile.path()};
            return {};
        }
    }
    std::optional<std::string_view> url;
    if (error_code ec = profile.setting("endpoint_url", url, why)) return ec;
    if (url) out = configured_url{std::string(*url), profile.describe("endpoint_url")};
    return {};
}

// The rule set's refusals, named after the settings that asked for what cannot be had.
std::string unsupported(const flag& fips, const flag& dual_stack, std::string_view what)
{
    std::string message;
    if (fips.value) message += "FIPS (use_fips_endpoint, from " + fips.origin + ")";
    if (fips.value && dual_stack.value) message += " and ";
    if (dual_stack.value) {
        message += "dual-stack (use_dualstack_endpoint, from " + dual_stack.origin + ")";
    }
    return message + " " + std::string(what);
}

}  // namespace

error_code regional_endpoint_url(std::string_view region, bool fips, bool dual_stack,
                                 std::string& out, std::string* why)
{
    if (!is_valid_region_name(region)) {
        return fail(errc::invalid_configuration,
                    "region " + in_quotes(region) + " is not a valid region name", why);
    }
    const detail::partition& partition = detail::partition_of(region);
    const auto refuse = [&](std::string_view what) {
        return fail(errc::invalid_configuration,
                    "partition " + std::string(partition.id) + " of region " + std::string(region) +
                        " " + std::string(what),
                    why);
    };
    std::string url = "https://dynamodb";
    if (fips && dual_stack) {
        if (!partition.supports_fips || !partition.supports_dual_stack) {
            return refuse("does not support both FIPS and dual-stack endpoints");
        }
        url.append("-fips.").append(region).append(1, '.').append(partition.dual_stack_dns_suffix);
    } else if (fips) {
        if (!partition.supports_fips) return refuse("does not support FIPS endpoints");
        // GovCloud's regular endpoints are FIPS endpoints.
        if (partition.id != "aws-us-gov") url.append("-fips");
        url.append(1, '.').append(region).append(1, '.').append(partition.dns_suffix);
    } else if (dual_stack) {
        if (!partition.supports_dual_stack) return refuse("does not support dual-stack endpoints");
        url.append(1, '.').append(region).append(1, '.').append(partition.dual_stack_dns_suffix);
    } else if (region == "local") {
        url = "http://localhost:8000";
    } else {
        url.append(1, '.').append(region).append(1, '.').append(partition.dns_suffix);
    }
    out = std::move(url);
    return {};
}

std::string default_endpoint_url(std::string_view region)
{
    return detail::value_or_throw<std::string>([&](std::string& url, std::string* why) {
        return regional_endpoint_url(region, false, false, url, why);
    });
}

error_code resolve_endpoint(const endpoint_settings& settings, std::string_view region,
                            std::string_view profile_name, const environment& env,
                            resolved_endpoint& out, std::string* why)
{
    config_profile profile(profile_name, env);
    flag fips;
    flag dual_stack;
    if (error_code ec =
            read_flag(settings.use_fips_endpoint, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT",
                      "use_fips_endpoint", env, profile, fips, why)) {
        return ec;
    }
    if (error_code ec = read_flag(settings.use_dualstack_endpoint, "use_dualstack_endpoint",
                                  "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", env,
                                  profile, dual_stack, why)) {
        return ec;
    }

    std::optional<configured_url> configured;
    if (settings.url) {
        configured = configured_url{*settings.url, "the explicit endpoint setting"};
    } else if (auto url = detail::lookup(env, "DYNOMITE_ENDPOINT")) {
        configured = configured_url{std::move(*url), "DYNOMITE_ENDPOINT"};
    } else if (error_code ec = find_configured_url(env, profile, configured, why)) {
        return ec;
    }

    resolved_endpoint result;
    if (configured) {
        if (fips.value || dual_stack.value) {
            return fail(
                errc::invalid_configuration,
                unsupported(fips, dual_stack,
                            "cannot be combined with the endpoint URL from " + configured->origin +
                                ": DynamoDB has no such form of a custom endpoint"),
                why);
        }
        result.url = std::move(configured->url);
        result.origin = std::move(configured->origin);
        result.signing_region = region;
    } else {
        if (region.empty()) {
            return fail(errc::no_region,
                        "no endpoint: no URL is configured (explicitly, in DYNOMITE_ENDPOINT, "
                        "AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL or the shared config "
                        "file), and no region to derive one from",
                        why);
        }
        std::string problem;
        if (regional_endpoint_url(region, fips.value, dual_stack.value, result.url, &problem)) {
            if (fips.value || dual_stack.value) {
                problem = unsupported(fips, dual_stack, "asked for: " + problem);
            }
            return fail(errc::invalid_configuration, std::move(problem), why);
        }
        result.origin = "region " + std::string(region);
        result.signing_region = region == "local" ? "us-east-1" : std::string(region);
    }
    constexpr std::string_view regional_prefix = "https://dynamodb";
    if (!configured && result.url.starts_with(regional_prefix)) {
        result.streams_url = "https://streams." + result.url.substr(std::string_view("https://").size());
    } else {
        result.streams_url = result.url;
    }
    std::string problem;
    if (parse_endpoint(result.url, result.where, &problem)) {
        return fail(errc::invalid_endpoint, result.origin + ": " + problem, why);
    }
    if (parse_endpoint(result.streams_url, result.streams_where, &problem)) {
        return fail(errc::invalid_endpoint, result.origin + " (DynamoDB Streams): " + problem, why);
    }
    out = std::move(result);
    return {};
}

error_code resolve_endpoint(std::optional<std::string> explicit_url, std::string_view region,
                            const environment& env, endpoint& out, std::string* why)
{
    resolved_endpoint resolved;
    endpoint_settings settings;
    settings.url = std::move(explicit_url);
    if (error_code ec = resolve_endpoint(settings, region, {}, env, resolved, why)) return ec;
    out = std::move(resolved.where);
    return {};
}

endpoint resolve_endpoint(std::optional<std::string> explicit_url, std::string_view region,
                          const environment& env)
{
    return detail::value_or_throw<endpoint>([&](endpoint& out, std::string* why) {
        return resolve_endpoint(std::move(explicit_url), region, env, out, why);
    });
}

}  // namespace dynomite
