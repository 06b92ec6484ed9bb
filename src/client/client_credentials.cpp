#include "client/client_credentials.hpp"
#include "auth/credential_checks.hpp"

#include <dynomite/auth/credentials_provider.hpp>
#include <dynomite/auth/default_chain.hpp>
#include "core/shared_config.hpp"

#include <utility>

namespace dynomite::detail {

namespace {

caching_options cache_options_for(const client_config& config)
{
    caching_options options;
    options.logger = config.logger;
    options.min_log_level = config.min_log_level;
    if (!options.logger) {
        if (auto text = config.env.get("DYNOMITE_LOG")) {
            if (auto level = parse_log_level(*text)) {
                options.logger = stderr_log_sink();
                options.min_log_level = *level;
            }
        }
    }
    return options;
}

}  // namespace

error_code make_client_credentials(boost::asio::any_io_executor executor,
                                   const client_config& config,
                                   std::shared_ptr<caching_credentials_provider>& out,
                                   std::string& why)
{
    if (config.credentials_provider) {
        out = std::dynamic_pointer_cast<caching_credentials_provider>(config.credentials_provider);
        if (!out) {
            out = caching_credentials_provider::create(executor, config.credentials_provider,
                                                       cache_options_for(config));
        }
        return {};
    }

    // Explicit and environment keys need nothing else; anything found further down the chain
    // may be outranked (a role in the profile wins over its keys) or need the network, so the
    // chain decides, at the first request. Errors of configuration are reported now.
    credentials found;
    const credentials_options options{config.credentials, config.profile};
    const error_code static_ec = resolve_credentials(options, config.env, found, &why);
    if (static_ec && static_ec != errc::no_credentials) return static_ec;
    const bool from_environment =
        lookup(config.env, "AWS_ACCESS_KEY_ID") && lookup(config.env, "AWS_SECRET_ACCESS_KEY");
    std::shared_ptr<credentials_provider> source;
    if (!static_ec && (config.credentials || from_environment)) {
        if (auto ec = check_credentials(found, "the credentials", why)) return ec;
        source = std::make_shared<static_credentials_provider>(executor, std::move(found));
    } else {
        credential_chain_options chain;
        chain.profile = config.profile;
        chain.env = config.env;
        chain.region = config.region.value_or("");
        source = make_default_credentials_chain(executor, std::move(chain));
    }
    out = caching_credentials_provider::create(std::move(executor), std::move(source),
                                               cache_options_for(config));
    why.clear();
    return {};
}

}  // namespace dynomite::detail
