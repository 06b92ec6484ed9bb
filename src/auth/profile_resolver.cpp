#include "auth/profile_resolver.hpp"

#include <dynomite/auth/metadata_providers.hpp>
#include <dynomite/auth/profile_sources.hpp>
#include <dynomite/auth/sts_providers.hpp>
#include "core/quoting.hpp"

#include <charconv>

namespace dynomite::detail {

namespace {

error_code refuse(std::string message, std::string& why)
{
    why = std::move(message);
    return make_error_code(errc::invalid_configuration);
}

struct profile_view {
    const ini_section* credentials_section = nullptr;
    const ini_section* config_section = nullptr;

    // The credentials file wins over the config file, as in the AWS CLI.
    std::optional<std::string> get(std::string_view key) const
    {
        for (const ini_section* section : {credentials_section, config_section}) {
            if (section == nullptr) continue;
            if (auto value = find_setting(*section, key)) return std::string(*value);
        }
        return std::nullopt;
    }
};

profile_view view_of(const profile_context& context, const std::string& name)
{
    profile_view view;
    if (context.credentials_file)
        view.credentials_section =
            find_profile(*context.credentials_file, name, shared_file_kind::credentials);
    if (context.config_file)
        view.config_section = find_profile(*context.config_file, name, shared_file_kind::config);
    return view;
}

// Static keys of one file's section: both or neither.
error_code static_keys(const ini_section* section, const std::string& label,
                       std::optional<credentials>& out, std::string& why)
{
    out.reset();
    if (section == nullptr) return {};
    const auto id = find_setting(*section, "aws_access_key_id");
    const auto secret = find_setting(*section, "aws_secret_access_key");
    if (id && secret) {
        out = credentials{std::string(*id), std::string(*secret),
                          std::string(find_setting(*section, "aws_session_token").value_or(""))};
        return {};
    }
    if (id || secret)
        return refuse(label + (id ? " has aws_access_key_id but no aws_secret_access_key"
                                  : " has aws_secret_access_key but no aws_access_key_id"),
                      why);
    return {};
}

const ini_section* find_sso_session(const ini_document& document, std::string_view name)
{
    constexpr std::string_view prefix = "sso-session";
    for (const auto& [section_name, section] : document) {
        std::string_view view = section_name;
        if (!view.starts_with(prefix) || view.size() == prefix.size()) continue;
        view.remove_prefix(prefix.size());
        if (view.front() != ' ' && view.front() != '\t') continue;
        while (!view.empty() && (view.front() == ' ' || view.front() == '\t')) view.remove_prefix(1);
        if (view == name) return &section;
    }
    return nullptr;
}

std::optional<std::string> environment_endpoint(const environment& env, std::string_view service)
{
    if (auto url = lookup(env, "AWS_ENDPOINT_URL_" + std::string(service))) return url;
    return lookup(env, "AWS_ENDPOINT_URL");
}

error_code role_source(const profile_context& context, const std::string& name,
                       const profile_view& profile, std::vector<std::string>& visiting,
                       std::shared_ptr<credentials_provider>& out, std::string& why)
{
    const std::string label = "profile " + in_quotes(name);
    const auto source_profile = profile.get("source_profile");
    const auto credential_source = profile.get("credential_source");
    if (source_profile && credential_source)
        return refuse(label + " sets both source_profile and credential_source; keep one", why);
    if (credential_source) {
        const environment& env = context.options->env;
        if (*credential_source == "Environment") {
            auto id = lookup(env, "AWS_ACCESS_KEY_ID");
            auto secret = lookup(env, "AWS_SECRET_ACCESS_KEY");
            if (!id || !secret)
                return refuse(label + " has credential_source = Environment, but "
                                      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
                              why);
            out = std::make_shared<static_credentials_provider>(
                context.executor,
                credentials{*id, *secret, lookup(env, "AWS_SESSION_TOKEN").value_or("")},
                "the environment");
            return {};
        }
        if (*credential_source == "Ec2InstanceMetadata") {
            imds_options params = context.options->imds;
            bool disabled = false;
            if (context.options->imds_endpoint_from_environment) {
                if (auto ec = imds_options_from_environment(env, params, disabled, why)) return ec;
            }
            out = std::make_shared<imds_credentials_provider>(context.executor, params);
            return {};
        }
        if (*credential_source == "EcsContainer") {
            container_options params;
            bool configured = false;
            if (auto ec = container_options_from_environment(env, params, configured, why,
                                                             context.options->container_base))
                return ec;
            if (!configured)
                return refuse(label + " has credential_source = EcsContainer, but neither "
                                      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                                      "AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
                              why);
            out = std::make_shared<container_credentials_provider>(context.executor, params);
            return {};
        }
        return refuse(label + " has credential_source = " + in_quotes(*credential_source) +
                          "; expected Environment, Ec2InstanceMetadata or EcsContainer",
                      why);
    }
    if (!source_profile)
        return refuse(label + " has role_arn but neither source_profile nor credential_source",
                      why);

    if (*source_profile == name) {
        // A profile may assume a role with its own static keys.
        std::optional<credentials> keys;
        if (auto ec = static_keys(profile.credentials_section, label, keys, why)) return ec;
        if (!keys) {
            if (auto ec = static_keys(profile.config_section, label, keys, why)) return ec;
        }
        if (!keys) return refuse(label + " is its own source_profile but has no static keys", why);
        out = std::make_shared<static_credentials_provider>(context.executor, *keys,
                                                            "profile " + in_quotes(name));
        return {};
    }
    for (const std::string& seen : visiting) {
        if (seen != *source_profile) continue;
        std::string path;
        for (const std::string& step : visiting) path += in_quotes(step) + " -> ";
        return refuse("source_profile cycle: " + path + in_quotes(*source_profile), why);
    }
    if (!profile_exists(context, *source_profile))
        return refuse(label + " names source_profile " + in_quotes(*source_profile) +
                          ", which is in neither shared file",
                      why);
    if (auto ec = provider_for_profile(context, *source_profile, visiting, out, why)) return ec;
    if (!out)
        return refuse("profile " + in_quotes(*source_profile) + " (the source_profile of " + label +
                          ") has no credentials",
                      why);
    return {};
}

}  // namespace

error_code load_profile_context(boost::asio::any_io_executor executor,
                                const credential_chain_options& options, profile_context& out,
                                std::string& why)
{
    out.executor = std::move(executor);
    out.options = &options;
    out.paths = locate_shared_files(options.env);
    if (!out.paths.credentials.empty()) {
        if (auto ec = load_ini_file(out.paths.credentials, out.credentials_file, &why)) return ec;
    }
    if (!out.paths.config.empty()) {
        if (auto ec = load_ini_file(out.paths.config, out.config_file, &why)) return ec;
    }
    return {};
}

bool profile_exists(const profile_context& context, const std::string& name)
{
    const profile_view view = view_of(context, name);
    return view.credentials_section != nullptr || view.config_section != nullptr;
}

sts_endpoint sts_endpoint_for(const credential_chain_options& options, std::string region)
{
    sts_endpoint endpoint;
    endpoint.region = !region.empty()           ? std::move(region)
                      : !options.region.empty() ? options.region
                                                : lookup(options.env, "AWS_REGION")
                                                      .value_or(lookup(options.env, "AWS_DEFAULT_REGION")
                                                                    .value_or(""));
    if (!options.sts_url.empty()) {
        endpoint.url = options.sts_url;
    } else if (auto url = environment_endpoint(options.env, "STS")) {
        endpoint.url = *url;
    }
    return endpoint;
}

error_code provider_for_profile(const profile_context& context, const std::string& name,
                                std::vector<std::string>& visiting,
                                std::shared_ptr<credentials_provider>& out, std::string& why)
{
    out.reset();
    const profile_view profile = view_of(context, name);
    const std::string label = "profile " + in_quotes(name);
    const auto region = profile.get("region").value_or("");

    if (auto role_arn = profile.get("role_arn"); role_arn && !profile.get("web_identity_token_file")) {
        if (profile.get("mfa_serial"))
            return refuse(label + " sets mfa_serial: assuming its role needs a person to type a "
                                  "code from the MFA device, which a library cannot do; get "
                                  "temporary credentials with `aws sts assume-role` or a "
                                  "profile without mfa_serial",
                          why);
        visiting.push_back(name);
        std::shared_ptr<credentials_provider> source;
        const error_code ec = role_source(context, name, profile, visiting, source, why);
        visiting.pop_back();
        if (ec) return ec;
        assume_role_options params;
        params.role_arn = *role_arn;
        params.role_session_name = profile.get("role_session_name").value_or("");
        params.external_id = profile.get("external_id").value_or("");
        if (auto duration = profile.get("duration_seconds")) {
            long seconds = 0;
            const auto [end, parse_ec] =
                std::from_chars(duration->data(), duration->data() + duration->size(), seconds);
            if (parse_ec != std::errc{} || end != duration->data() + duration->size() ||
                seconds < 900 || seconds > 43200)
                return refuse(label + " has duration_seconds = " + in_quotes(*duration) +
                                  "; expected a whole number of seconds from 900 to 43200",
                              why);
            params.duration = std::chrono::seconds(seconds);
        }
        out = std::make_shared<assume_role_provider>(context.executor, std::move(source),
                                                     std::move(params),
                                                     sts_endpoint_for(*context.options, region));
        return {};
    }

    if (auto token_file = profile.get("web_identity_token_file")) {
        auto role_arn = profile.get("role_arn");
        if (!role_arn) return refuse(label + " has web_identity_token_file but no role_arn", why);
        out = std::make_shared<web_identity_provider>(
            context.executor,
            web_identity_options{*token_file, *role_arn,
                                 profile.get("role_session_name").value_or("")},
            sts_endpoint_for(*context.options, region));
        return {};
    }

    const auto sso_session = profile.get("sso_session");
    if (sso_session || profile.get("sso_start_url")) {
        sso_options params;
        params.profile = name;
        params.account_id = profile.get("sso_account_id").value_or("");
        params.role_name = profile.get("sso_role_name").value_or("");
        if (sso_session) {
            const ini_section* session =
                context.config_file ? find_sso_session(*context.config_file, *sso_session) : nullptr;
            if (session == nullptr)
                return refuse(label + " names sso_session " + in_quotes(*sso_session) +
                                  ", but the config file has no [sso-session " + *sso_session + "]",
                              why);
            params.session_name = *sso_session;
            params.start_url = std::string(find_setting(*session, "sso_start_url").value_or(""));
            params.region = std::string(find_setting(*session, "sso_region").value_or(""));
        } else {
            params.start_url = profile.get("sso_start_url").value_or("");
            params.region = profile.get("sso_region").value_or("");
        }
        std::string missing;
        for (const auto& [key, value] : {std::pair{"sso_start_url", &params.start_url},
                                         std::pair{"sso_region", &params.region},
                                         std::pair{"sso_account_id", &params.account_id},
                                         std::pair{"sso_role_name", &params.role_name}}) {
            if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(key);
        }
        if (!missing.empty()) return refuse(label + " uses SSO but lacks " + missing, why);
        const std::optional<std::string> home = lookup(context.options->env, "HOME");
        params.cache_directory = home.value_or("") + "/.aws/sso/cache";
        if (!context.options->sso_portal_url.empty()) {
            params.portal_url = context.options->sso_portal_url;
        } else if (auto url = environment_endpoint(context.options->env, "SSO")) {
            params.portal_url = *url;
        }
        if (!context.options->sso_oidc_url.empty()) {
            params.oidc_url = context.options->sso_oidc_url;
        } else if (auto url = environment_endpoint(context.options->env, "SSO_OIDC")) {
            params.oidc_url = *url;
        }
        out = std::make_shared<sso_credentials_provider>(context.executor, std::move(params));
        return {};
    }

    std::optional<credentials> keys;
    if (auto ec = static_keys(profile.credentials_section,
                              label + " in " + context.paths.credentials, keys, why))
        return ec;
    if (!keys) {
        if (auto command = profile.get("credential_process")) {
            out = std::make_shared<process_credentials_provider>(
                context.executor, *command, context.options->credential_process);
            return {};
        }
        if (auto ec = static_keys(profile.config_section, label + " in " + context.paths.config,
                                  keys, why))
            return ec;
    }
    if (keys)
        out = std::make_shared<static_credentials_provider>(context.executor, std::move(*keys),
                                                            label);
    return {};
}

}  // namespace dynomite::detail
