// Static credentials: explicit ones, the environment variables and the shared files' keys.
#include "core/config_messages.hpp"
#include "core/or_throw.hpp"

#include <dynomite/auth/credentials.hpp>
#include <dynomite/core/diagnostics.hpp>
#include "core/shared_config.hpp"

#include <array>
#include <ostream>
#include <string>
#include <vector>

namespace dynomite {
namespace {

using detail::fail;
using detail::in_quotes;

std::string describe_file(std::string_view kind, const std::string& path)
{
    return path.empty() ? std::string("the shared ") + std::string(kind) +
                              " file (neither its variable nor HOME is set)"
                        : path;
}

// Settings that mean the profile obtains credentials in a way this library does not implement.
constexpr std::array unsupported_sources{
    std::string_view("role_arn"),
    std::string_view("credential_process"),
    std::string_view("sso_session"),
    std::string_view("sso_start_url"),
    std::string_view("web_identity_token_file"),
};

}  // namespace

std::string credentials::to_string() const
{
    std::string out = "credentials{access_key_id=";
    if (access_key_id.empty()) {
        out.append("<none>");
    } else if (access_key_id.size() > 4) {
        out.append(access_key_id, 0, 4).append("****");
    } else {
        out.append("****");
    }
    out.append(", secret_access_key=");
    out.append(secret_access_key.empty() ? "<none>" : "<redacted>");
    out.append(", session_token=");
    out.append(session_token.empty() ? "<none>" : "<redacted>");
    out.append("}");
    return out;
}

std::ostream& operator<<(std::ostream& os, const credentials& creds)
{
    return os << creds.to_string();
}


error_code resolve_credentials(const credentials_options& options, const environment& env,
                               credentials& out, std::string* why)
{
    using namespace detail;
    if (options.explicit_credentials) {
        const credentials& given = *options.explicit_credentials;
        if (given.access_key_id.empty()) {
            return fail(errc::invalid_configuration,
                        "the explicit credentials have an empty access_key_id", why);
        }
        if (given.secret_access_key.empty()) {
            return fail(errc::invalid_configuration,
                        "the explicit credentials have an empty secret_access_key", why);
        }
        out = given;
        return {};
    }

    std::optional<std::string> id = lookup(env, "AWS_ACCESS_KEY_ID");
    std::optional<std::string> secret = lookup(env, "AWS_SECRET_ACCESS_KEY");
    if (id && secret) {
        out = credentials{std::move(*id), std::move(*secret),
                          lookup(env, "AWS_SESSION_TOKEN").value_or("")};
        return {};
    }
    if (id || secret) {
        return fail(errc::invalid_configuration,
                    id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                       : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                    why);
    }

    const profile_choice profile = choose_profile(options.profile, env);
    const shared_file_paths paths = locate_shared_files(env);
    const std::string profile_label = "profile " + in_quotes(profile.name);
    std::vector<std::string> looked;
    bool profile_found = false;
    for (const auto& [kind, path, kind_name] :
         {std::tuple{shared_file_kind::credentials, &paths.credentials, "credentials"},
          std::tuple{shared_file_kind::config, &paths.config, "config"}}) {
        if (path->empty()) {
            looked.push_back(describe_file(kind_name, *path));
            continue;
        }
        std::optional<ini_document> document;
        if (error_code ec = load_ini_file(*path, document, why)) return ec;
        if (!document) {
            looked.push_back(*path + " (absent)");
            continue;
        }
        const ini_section* section = find_profile(*document, profile.name, kind);
        if (section == nullptr) {
            looked.push_back(*path + " (no " + profile_label + ")");
            continue;
        }
        profile_found = true;
        const auto file_id = find_setting(*section, "aws_access_key_id");
        const auto file_secret = find_setting(*section, "aws_secret_access_key");
        if (file_id && file_secret) {
            out = credentials{
                std::string(*file_id), std::string(*file_secret),
                std::string(
                    find_setting(*section, "aws_session_token").value_or(std::string_view()))};
            return {};
        }
        if (file_id || file_secret) {
            return fail(errc::invalid_configuration,
                        profile_label + " in " + *path +
                            (file_id ? " has aws_access_key_id but no aws_secret_access_key"
                                     : " has aws_secret_access_key but no aws_access_key_id"),
                        why);
        }
        std::string note = *path + " (" + profile_label + " has no access keys";
        for (const std::string_view setting : unsupported_sources) {
            if (section->contains(setting)) {
                note.append("; it uses ").append(setting).append(", which is not supported");
                break;
            }
        }
        looked.push_back(note + ")");
    }

    if (!profile_found && profile.named) {
        return fail(errc::invalid_configuration,
                    profile_label + " (from " + profile.origin + ") is in neither " +
                        describe_file("credentials", paths.credentials) + " nor " +
                        describe_file("config", paths.config),
                    why);
    }
    std::string message =
        "no AWS credentials found; looked in: explicit settings (none given), the environment "
        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set), " +
        profile_label + " in ";
    for (std::size_t i = 0; i < looked.size(); ++i) {
        if (i != 0) message.append(" and ");
        message.append(looked[i]);
    }
    return fail(errc::no_credentials, std::move(message), why);
}

credentials resolve_credentials(const credentials_options& options, const environment& env)
{
    return detail::value_or_throw<credentials>([&](credentials& out, std::string* why) {
        return resolve_credentials(options, env, out, why);
    });
}

}  // namespace dynomite
