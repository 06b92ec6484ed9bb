// Checks that credentials from any source can sign a request.
#pragma once

#include <dynomite/auth/credentials.hpp>

#include <string>
#include <string_view>

namespace dynomite::detail {

/// Whether the key id and the token fit in an HTTP header as they are: no control character,
/// no surrounding whitespace.
bool fits_in_header(std::string_view value) noexcept;

/// Fails with errc::invalid_configuration, naming `origin` and never a secret, when a key is
/// empty or a value cannot be sent in a header.
error_code check_credentials(const credentials& creds, std::string_view origin, std::string& why);

}  // namespace dynomite::detail
