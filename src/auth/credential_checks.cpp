#include "auth/credential_checks.hpp"

namespace dynomite::detail {

error_code check_credentials(const credentials& creds, std::string_view origin, std::string& why)
{
    const auto refuse = [&](std::string_view problem) {
        why = std::string(origin) + ": " + std::string(problem);
        return make_error_code(errc::invalid_configuration);
    };
    if (creds.access_key_id.empty()) return refuse("the access key id is empty");
    if (creds.secret_access_key.empty()) return refuse("the secret access key is empty");
    if (!is_valid_header_value(creds.access_key_id)) {
        return refuse("the access key id holds a control character or surrounding whitespace");
    }
    if (!is_valid_header_value(creds.session_token)) {
        return refuse("the session token holds a control character or surrounding whitespace, "
                      "which an HTTP header cannot carry");
    }
    return {};
}

}  // namespace dynomite::detail
