#include "auth/sso_token.hpp"

#include "auth/credentials_json.hpp"
#include "auth/http_fetch.hpp"
#include <dynomite/core/time.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace dynomite::detail {

namespace json = boost::json;
using std::chrono::system_clock;

namespace {

std::string string_field(const json::object& object, std::string_view key)
{
    const json::value* found = object.if_contains(key);
    return found && found->is_string() ? std::string(found->get_string()) : std::string();
}

std::string iso8601_seconds(system_clock::time_point t)
{
    return dynomite::format_iso8601(std::chrono::time_point_cast<std::chrono::seconds>(t));
}

}  // namespace

error_code parse_sso_cached_token(std::string_view text, sso_cached_token& out, std::string& why)
{
    boost::system::error_code parse_ec;
    json::value document = json::parse(text, parse_ec);
    if (parse_ec || !document.is_object()) {
        why = "is not a JSON object";
        return make_error_code(errc::invalid_configuration);
    }
    sso_cached_token token;
    token.fields = std::move(document.get_object());
    token.access_token = string_field(token.fields, "accessToken");
    const std::string expires = string_field(token.fields, "expiresAt");
    if (token.access_token.empty() || expires.empty()) {
        why = "lacks accessToken or expiresAt";
        return make_error_code(errc::invalid_configuration);
    }
    if (parse_expiration(expires, "expiresAt", token.expires_at, why)) {
        why = "has an expiresAt that is not an ISO-8601 time";
        return make_error_code(errc::invalid_configuration);
    }
    token.refresh_token = string_field(token.fields, "refreshToken");
    token.client_id = string_field(token.fields, "clientId");
    token.client_secret = string_field(token.fields, "clientSecret");
    const std::string registration = string_field(token.fields, "registrationExpiresAt");
    if (!registration.empty()) {
        system_clock::time_point when;
        std::string ignored;
        // A malformed registration time only means the token cannot be refreshed.
        if (!parse_expiration(registration, "registrationExpiresAt", when, ignored))
            token.registration_expires_at = when;
    }
    out = std::move(token);
    return {};
}

bool sso_token_wants_refresh(const sso_cached_token& token, system_clock::time_point now) noexcept
{
    return token.expires_at - now < sso_token_refresh_window;
}

bool sso_token_can_refresh(const sso_cached_token& token, system_clock::time_point now,
                           std::string& why)
{
    std::string missing;
    for (const auto& [key, value] : {std::pair{"refreshToken", &token.refresh_token},
                                     std::pair{"clientId", &token.client_id},
                                     std::pair{"clientSecret", &token.client_secret}})
        if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(key);
    if (!token.registration_expires_at)
        missing += (missing.empty() ? "" : ", ") + std::string("registrationExpiresAt");
    if (!missing.empty()) {
        why = "the cached token has no " + missing + " to refresh it with";
        return false;
    }
    if (*token.registration_expires_at <= now) {
        why = "the client registration expired at " + iso8601_seconds(*token.registration_expires_at);
        return false;
    }
    return true;
}

std::string sso_create_token_body(const sso_cached_token& token)
{
    return json::serialize(json::object{{"clientId", token.client_id},
                                        {"clientSecret", token.client_secret},
                                        {"grantType", "refresh_token"},
                                        {"refreshToken", token.refresh_token}});
}

error_code apply_sso_create_token(std::string_view body, system_clock::time_point now,
                                  sso_cached_token& token, std::string& why)
{
    boost::system::error_code parse_ec;
    json::value document = json::parse(body, parse_ec);
    if (parse_ec || !document.is_object()) {
        why = "the CreateToken answer is not a JSON object";
        return make_error_code(errc::malformed_response);
    }
    const json::object& answer = document.get_object();
    const std::string access = string_field(answer, "accessToken");
    if (access.empty()) {
        why = "the CreateToken answer has no \"accessToken\"";
        return make_error_code(errc::malformed_response);
    }
    const json::value* expires_in = answer.if_contains("expiresIn");
    if (expires_in == nullptr || !expires_in->is_int64() || expires_in->get_int64() <= 0) {
        why = "the CreateToken answer has no positive whole \"expiresIn\"";
        return make_error_code(errc::malformed_response);
    }
    token.access_token = access;
    token.expires_at = now + std::chrono::seconds(expires_in->get_int64());
    if (const std::string refresh = string_field(answer, "refreshToken"); !refresh.empty())
        token.refresh_token = refresh;
    return {};
}

std::string serialize_sso_cached_token(const sso_cached_token& token, std::string_view start_url,
                                       std::string_view region)
{
    json::object out = token.fields;
    out["startUrl"] = start_url;
    out["region"] = region;
    out["accessToken"] = token.access_token;
    out["expiresAt"] = iso8601_seconds(token.expires_at);
    out["clientId"] = token.client_id;
    out["clientSecret"] = token.client_secret;
    if (token.registration_expires_at)
        out["registrationExpiresAt"] = iso8601_seconds(*token.registration_expires_at);
    if (!token.refresh_token.empty()) out["refreshToken"] = token.refresh_token;
    return json::serialize(out);
}

std::string sso_oidc_endpoint(std::string_view region)
{
    return regional_service_url("oidc", region);
}

}  // namespace dynomite::detail
