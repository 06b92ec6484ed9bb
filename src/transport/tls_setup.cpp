#include "transport/tls_setup.hpp"

#include "core/shared_config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace dynomite::detail {

error_code choose_ca_source(const tls_options& tls, std::string_view profile,
                            const environment& env, ca_source& out, std::string& why)
{
    // botocore's order: the explicit setting, then AWS_CA_BUNDLE, then the profile.
    if (!tls.ca_file.empty()) {
        out = {tls.ca_file, "tls_options.ca_file"};
        return {};
    }
    if (auto bundle = lookup(env, "AWS_CA_BUNDLE")) {
        out = {std::move(*bundle), "AWS_CA_BUNDLE"};
        return {};
    }
    out = {"", "the system store"};
    const std::string config_path = locate_shared_files(env).config;
    if (config_path.empty()) return {};
    std::optional<ini_document> document;
    if (auto ec = load_ini_file(config_path, document, &why)) return ec;
    if (!document) return {};
    const profile_choice choice = choose_profile(profile, env);
    const ini_section* section = find_profile(*document, choice.name, shared_file_kind::config);
    if (!section) return {};
    if (auto bundle = find_setting(*section, "ca_bundle"))
        out = {std::string(*bundle),
               "ca_bundle in profile \"" + choice.name + "\" of " + config_path};
    return {};
}

error_code configure_tls_context(const tls_options& tls, std::string_view profile,
                                 const environment& env, boost::asio::ssl::context& context,
                                 std::string& why)
{
    namespace ssl = boost::asio::ssl;
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1);
    if (tls.insecure_skip_verify_do_not_use_in_production) {
        context.set_verify_mode(ssl::verify_none);
        return {};
    }
    ca_source source;
    if (auto ec = choose_ca_source(tls, profile, env, source, why)) return ec;
    const auto refuse = [&](std::string reason) {
        why = "cannot load the CA file \"" + source.path + "\" (from " + source.origin + "): " +
              std::move(reason);
        return make_error_code(errc::invalid_configuration);
    };
    if (!source.path.empty()) {
        // OpenSSL's own message for a missing file names neither the file nor the cause.
        std::ifstream probe(source.path, std::ios::binary);
        if (!probe) return refuse(std::strerror(errno));
    }
    error_code ec;
    context.set_verify_mode(ssl::verify_peer, ec);
    if (!ec) {
        if (source.path.empty())
            context.set_default_verify_paths(ec);
        else
            context.load_verify_file(source.path, ec);
    }
    if (ec) {
        if (!source.path.empty()) return refuse("not PEM certificates (" + ec.message() + ")");
        why = "cannot load the system CA certificates: " + ec.message();
        return make_error_code(errc::invalid_configuration);
    }
    return {};
}

}  // namespace dynomite::detail
