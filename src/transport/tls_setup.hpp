// The client's TLS context: protocol versions, verification, and which CA certificates to trust.
#pragma once

#include <dynomite/transport/params.hpp>
#include <dynomite/core/environment.hpp>
#include <dynomite/core/error.hpp>

#include <boost/asio/ssl/context.hpp>

#include <string>

namespace dynomite::detail {

/// Where the trusted CA certificates come from, in order: tls_options::ca_file, AWS_CA_BUNDLE,
/// the `ca_bundle` setting of the profile (`profile`, else AWS_PROFILE, else "default") in the
/// shared config file, the system store. `path` is empty for the system store; `origin` says
/// which it was, for messages.
struct ca_source {
    std::string path;
    std::string origin;
};

/// errc::invalid_configuration for a config file that cannot be read or parsed.
error_code choose_ca_source(const tls_options& tls, std::string_view profile,
                            const environment& env, ca_source& out, std::string& why);

/// Sets up `context` for a client: TLS 1.2 or later, peer and host-name verification against
/// the chosen CA certificates unless tls.insecure_skip_verify_do_not_use_in_production.
/// errc::invalid_configuration, naming the file and where it was set, when the CA
/// certificates are missing, unreadable or not PEM certificates.
error_code configure_tls_context(const tls_options& tls, std::string_view profile,
                                 const environment& env, boost::asio::ssl::context& context,
                                 std::string& why);

}  // namespace dynomite::detail
