// The credentials provider a client signs with, chosen from its configuration.
#pragma once

#include <dynomite/auth/caching_provider.hpp>
#include <dynomite/client/client_config.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

namespace dynomite::detail {

/// config.credentials_provider (wrapped in a cache unless it is one); else the credentials
/// found without network calls (explicit, environment, static keys of the profile) when no
/// source before them in the chain is configured; else the default chain. Fails at once for a
/// source that is configured wrongly.
error_code make_client_credentials(boost::asio::any_io_executor executor,
                                   const client_config& config,
                                   std::shared_ptr<caching_credentials_provider>& out,
                                   std::string& why);

}  // namespace dynomite::detail
