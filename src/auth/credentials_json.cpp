#include "auth/credentials_json.hpp"

#include <dynomite/core/time.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace dynomite::detail {

namespace json = boost::json;

namespace {

error_code malformed(std::string message, std::string& why)
{
    why = std::move(message);
    return make_error_code(errc::malformed_response);
}

const json::value* member(const json::object& object, std::string_view key)
{
    return object.if_contains(key);
}

error_code take_string(const json::object& object, std::string_view key, bool required,
                       std::string& out, std::string& why)
{
    const json::value* value = member(object, key);
    if (value == nullptr || value->is_null()) {
        if (!required) return {};
        return malformed("the answer has no \"" + std::string(key) + "\"", why);
    }
    if (!value->is_string()) return malformed("\"" + std::string(key) + "\" is not a string", why);
    out = std::string(value->get_string());
    if (required && out.empty()) return malformed("\"" + std::string(key) + "\" is empty", why);
    return {};
}

}  // namespace

error_code parse_expiration(std::string_view text, std::string_view field,
                            std::chrono::system_clock::time_point& out, std::string& why)
{
    std::chrono::sys_time<std::chrono::nanoseconds> parsed;
    if (dynomite::parse_iso8601(text, parsed)) {
        return malformed("\"" + std::string(field) + "\" is not an ISO-8601 time: \"" +
                             std::string(text) + "\"",
                         why);
    }
    out = std::chrono::time_point_cast<std::chrono::system_clock::duration>(parsed);
    return {};
}

error_code parse_credentials_json(std::string_view body, credentials_json_format format,
                                  credentials& out, std::string& why)
{
    boost::system::error_code parse_ec;
    json::value document = json::parse(body, parse_ec);
    if (parse_ec || !document.is_object()) return malformed("the answer is not a JSON object", why);
    const json::object* object = &document.get_object();

    credentials creds;
    std::string expiration;
    if (format == credentials_json_format::sso_portal) {
        const json::value* role = member(*object, "roleCredentials");
        if (role == nullptr || !role->is_object())
            return malformed("the answer has no \"roleCredentials\" object", why);
        object = &role->get_object();
        if (auto ec = take_string(*object, "accessKeyId", true, creds.access_key_id, why)) return ec;
        if (auto ec = take_string(*object, "secretAccessKey", true, creds.secret_access_key, why))
            return ec;
        if (auto ec = take_string(*object, "sessionToken", true, creds.session_token, why)) return ec;
        const json::value* millis = member(*object, "expiration");
        if (millis == nullptr || !(millis->is_int64() || millis->is_uint64()))
            return malformed("\"expiration\" is not a number of milliseconds", why);
        const std::int64_t count =
            millis->is_int64() ? millis->get_int64() : static_cast<std::int64_t>(millis->get_uint64());
        creds.expiration = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::milliseconds(count)));
        out = std::move(creds);
        return {};
    }

    if (format == credentials_json_format::process) {
        const json::value* version = member(*object, "Version");
        if (version == nullptr || !version->is_int64() || version->get_int64() != 1)
            return malformed("\"Version\" is not 1", why);
    } else if (const json::value* code = member(*object, "Code")) {
        if (!code->is_string() || code->get_string() != "Success") {
            std::string message = "\"Code\" is not \"Success\"";
            if (code->is_string()) message += " but \"" + std::string(code->get_string()) + "\"";
            if (const json::value* text = member(*object, "Message"); text && text->is_string())
                message += ": " + std::string(text->get_string());
            return malformed(std::move(message), why);
        }
    }
    const std::string_view token_key =
        format == credentials_json_format::process ? "SessionToken" : "Token";
    const bool temporary = format != credentials_json_format::process;
    if (auto ec = take_string(*object, "AccessKeyId", true, creds.access_key_id, why)) return ec;
    if (auto ec = take_string(*object, "SecretAccessKey", true, creds.secret_access_key, why))
        return ec;
    if (auto ec = take_string(*object, token_key, temporary, creds.session_token, why)) return ec;
    if (auto ec = take_string(*object, "Expiration", temporary, expiration, why)) return ec;
    if (!expiration.empty()) {
        std::chrono::system_clock::time_point when;
        if (auto ec = parse_expiration(expiration, "Expiration", when, why)) return ec;
        creds.expiration = when;
    }
    out = std::move(creds);
    return {};
}

std::string json_error_summary(std::string_view body)
{
    boost::system::error_code parse_ec;
    json::value document = json::parse(body, parse_ec);
    if (parse_ec || !document.is_object()) return {};
    std::string code;
    std::string message;
    for (const auto& [key, value] : document.get_object()) {
        if (!value.is_string()) continue;
        std::string lower(key);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "code" || lower == "__type") code = value.get_string();
        if (lower == "message") message = value.get_string();
    }
    if (code.empty() && message.empty()) return {};
    if (code.empty()) return message;
    if (message.empty()) return code;
    return code + ": " + message;
}

}  // namespace dynomite::detail
