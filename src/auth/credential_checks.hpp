// Checks that credentials from any source can sign a request.
#pragma once

#include <dynomite/auth/credentials.hpp>
// is_valid_header_value: whether a key id or token can be sent in a header as it is.
#include "transport/http_request.hpp"

#include <string>
#include <string_view>

namespace dynomite::detail {

/// Fails with errc::invalid_configuration, naming `origin` and never a secret, when a key is
/// empty or a value cannot be sent in a header.
error_code check_credentials(const credentials& creds, std::string_view origin, std::string& why);

}  // namespace dynomite::detail
