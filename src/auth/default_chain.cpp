#include "core/async.hpp"
#include "auth/profile_resolver.hpp"

#include <dynomite/auth/default_chain.hpp>
#include <dynomite/auth/sts_providers.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>

namespace dynomite {

namespace asio = boost::asio;

namespace {

using dynomite::detail::use_tuple;

error_code refuse(std::string message, std::string& why)
{
    why = std::move(message);
    return make_error_code(errc::invalid_configuration);
}

class credentials_chain final : public coroutine_credentials_provider {
public:
    credentials_chain(asio::any_io_executor executor, credential_chain_options options)
        : coroutine_credentials_provider(std::move(executor)), options_(std::move(options))
    {
    }

    std::string_view name() const noexcept override { return "the default credential chain"; }

protected:
    asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override
    {
        std::shared_ptr<credentials_provider> source;
        {
            std::lock_guard lock(mutex_);
            source = chosen_;
        }
        bool from_metadata = false;
        std::vector<std::string> looked;
        if (!source) {
            std::string why;
            if (auto ec = select(source, looked, why)) {
                diag.message = std::move(why);
                co_return ec;
            }
            if (!source) {
                std::string message = "no AWS credentials found; looked in: ";
                for (std::size_t i = 0; i < looked.size(); ++i)
                    message.append(i == 0 ? "" : ", ").append(looked[i]);
                diag.message = std::move(message);
                co_return make_error_code(errc::no_credentials);
            }
            from_metadata = source->name() == "EC2 instance metadata";
            if (!from_metadata) {
                std::lock_guard lock(mutex_);
                chosen_ = source;
            }
        }
        auto [ec, fetched] = co_await source->async_get_credentials(diag, use_tuple);
        if (ec && from_metadata) {
            // Off EC2 the last source is not there: that means no credentials at all.
            std::string message = "no AWS credentials found; looked in: ";
            for (const std::string& place : looked) message.append(place).append(", ");
            diag.message = message + "EC2 instance metadata (" + diag.message + ")";
            co_return make_error_code(errc::no_credentials);
        }
        if (ec) co_return ec;
        if (from_metadata) {
            std::lock_guard lock(mutex_);
            chosen_ = source;
        }
        out = std::move(fetched);
        co_return error_code{};
    }

private:
    // The first source that is configured, or null with `looked` saying where it looked.
    error_code select(std::shared_ptr<credentials_provider>& out, std::vector<std::string>& looked,
                      std::string& why)
    {
        using detail::lookup;
        const environment& env = options_.env;
        const auto& executor = get_executor();
        if (options_.explicit_credentials) {
            out = std::make_shared<static_credentials_provider>(
                executor, *options_.explicit_credentials, "the explicit credentials");
            return {};
        }
        looked.push_back("explicit settings (none given)");

        auto id = lookup(env, "AWS_ACCESS_KEY_ID");
        auto secret = lookup(env, "AWS_SECRET_ACCESS_KEY");
        if (id && secret) {
            out = std::make_shared<static_credentials_provider>(
                executor, credentials{*id, *secret, lookup(env, "AWS_SESSION_TOKEN").value_or("")},
                "the environment");
            return {};
        }
        if (id || secret)
            return refuse(id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                             : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                          why);
        looked.push_back("the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)");

        auto token_file = lookup(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
        auto role_arn = lookup(env, "AWS_ROLE_ARN");
        if (token_file && role_arn) {
            out = std::make_shared<web_identity_provider>(
                executor,
                web_identity_options{*token_file, *role_arn,
                                     lookup(env, "AWS_ROLE_SESSION_NAME").value_or("")},
                detail::sts_endpoint_for(options_, ""));
            return {};
        }
        if (token_file)
            return refuse("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not", why);
        looked.push_back("web identity (AWS_WEB_IDENTITY_TOKEN_FILE is not set)");

        detail::profile_context context;
        if (auto ec = detail::load_profile_context(executor, options_, context, why)) return ec;
        const detail::profile_choice profile = detail::choose_profile(options_.profile, env);
        const std::string label = "profile \"" + profile.name + "\"";
        if (detail::profile_exists(context, profile.name)) {
            std::vector<std::string> visiting;
            if (auto ec = detail::provider_for_profile(context, profile.name, visiting, out, why))
                return ec;
            if (out) return {};
            looked.push_back(label + " (it has no credential settings)");
        } else if (profile.named) {
            return refuse(label + " (from " + profile.origin + ") is in neither " +
                              (context.paths.credentials.empty() ? "the shared credentials file"
                                                                 : context.paths.credentials) +
                              " nor " +
                              (context.paths.config.empty() ? "the shared config file"
                                                            : context.paths.config),
                          why);
        } else {
            looked.push_back(label + " (absent from the shared files)");
        }

        container_options container;
        bool container_configured = false;
        if (auto ec = container_options_from_environment(env, container, container_configured, why,
                                                         options_.container_base))
            return ec;
        if (container_configured) {
            out = std::make_shared<container_credentials_provider>(executor, std::move(container));
            return {};
        }
        looked.push_back("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                         "_FULL_URI are not set)");

        imds_options imds = options_.imds;
        bool disabled = false;
        if (options_.imds_endpoint_from_environment) {
            if (auto ec = imds_options_from_environment(env, imds, disabled, why)) return ec;
        }
        if (disabled) {
            looked.push_back("EC2 instance metadata (AWS_EC2_METADATA_DISABLED is true)");
            return {};
        }
        out = std::make_shared<imds_credentials_provider>(executor, std::move(imds));
        return {};
    }

    credential_chain_options options_;
    std::mutex mutex_;
    std::shared_ptr<credentials_provider> chosen_;
};

}  // namespace

std::shared_ptr<credentials_provider> make_default_credentials_chain(
    asio::any_io_executor executor, credential_chain_options options)
{
    return std::make_shared<credentials_chain>(std::move(executor), std::move(options));
}

}  // namespace dynomite
