#include "auth/sts_protocol.hpp"

#include "auth/sigv4.hpp"

#include "auth/credentials_json.hpp"
#include "auth/http_fetch.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <algorithm>
#include <array>
#include <sstream>

namespace dynomite::detail {

namespace pt = boost::property_tree;

namespace {

bool read_xml_text(std::string_view xml, pt::ptree& out)
{
    try {
        std::istringstream in{std::string(xml)};
        pt::read_xml(in, out, pt::xml_parser::trim_whitespace);
        return true;
    } catch (const pt::xml_parser_error&) {
        return false;
    }
}

std::string child_text(const pt::ptree& tree, std::string_view path)
{
    const auto found = tree.get_child_optional(pt::ptree::path_type(std::string(path), '/'));
    return found ? found->get_value<std::string>() : std::string();
}

// botocore's ThrottledRetryableChecker: the codes AWS services use for throttling.
constexpr std::array<std::string_view, 14> throttling_codes{
    "Throttling",         "ThrottlingException",
    "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException",
    "RequestThrottled",   "SlowDown",
    "PriorRequestNotComplete", "EC2ThrottledException"};

bool is_throttling_code(std::string_view code) noexcept
{
    return std::find(throttling_codes.begin(), throttling_codes.end(), code) !=
           throttling_codes.end();
}

}  // namespace

sts_retry sts_retry_decision(error_code ec, unsigned status, std::string_view code) noexcept
{
    if (status == 0) return ec && is_retryable(ec) ? sts_retry::transient : sts_retry::no;
    if (is_throttling_code(code)) return sts_retry::throttled;
    if (code == "IDPCommunicationError" || code == "RequestTimeout" ||
        code == "RequestTimeoutException")
        return sts_retry::transient;
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return sts_retry::transient;
    return sts_retry::no;
}

std::string sts_form_body(std::string_view action,
                          const std::vector<std::pair<std::string_view, std::string_view>>& params)
{
    std::string body = "Action=";
    append_uri_encoded(body, action, false);
    body.append("&Version=").append(sts_api_version);
    for (const auto& [name, value] : params) {
        body.append("&");
        append_uri_encoded(body, name, false);
        body.append("=");
        append_uri_encoded(body, value, false);
    }
    return body;
}

error_code parse_sts_credentials(std::string_view xml, std::string_view action, credentials& out,
                                 std::string& why)
{
    pt::ptree tree;
    if (!read_xml_text(xml, tree)) {
        why = "the STS answer to " + std::string(action) + " is not XML";
        return make_error_code(errc::malformed_response);
    }
    const std::string base = std::string(action) + "Response/" + std::string(action) +
                             "Result/Credentials/";
    credentials creds;
    creds.access_key_id = child_text(tree, base + "AccessKeyId");
    creds.secret_access_key = child_text(tree, base + "SecretAccessKey");
    creds.session_token = child_text(tree, base + "SessionToken");
    const std::string expiration = child_text(tree, base + "Expiration");
    for (const auto& [name, value] :
         {std::pair{"AccessKeyId", &creds.access_key_id},
          std::pair{"SecretAccessKey", &creds.secret_access_key},
          std::pair{"SessionToken", &creds.session_token}}) {
        if (value->empty()) {
            why = "the STS answer to " + std::string(action) + " has no Credentials/" + name;
            return make_error_code(errc::malformed_response);
        }
    }
    if (expiration.empty()) {
        why = "the STS answer to " + std::string(action) + " has no Credentials/Expiration";
        return make_error_code(errc::malformed_response);
    }
    std::chrono::system_clock::time_point when;
    if (auto ec = parse_expiration(expiration, "Expiration", when, why)) return ec;
    creds.expiration = when;
    out = std::move(creds);
    return {};
}

error_code parse_sts_error(unsigned status, std::string_view xml, diagnostics& diag)
{
    diag.http_status = status;
    pt::ptree tree;
    const std::string code = read_xml_text(xml, tree) ? child_text(tree, "ErrorResponse/Error/Code")
                                                      : std::string();
    if (code.empty()) {
        diag.message = "STS answered HTTP " + std::to_string(status) + " without an error code";
        return make_error_code(errc::http_status);
    }
    diag.aws_type = code;
    diag.request_id = child_text(tree, "ErrorResponse/RequestId");
    const std::string message = child_text(tree, "ErrorResponse/Error/Message");
    diag.message = "STS " + code + (message.empty() ? "" : ": " + message);
    if (code == "ExpiredToken" || code == "ExpiredTokenException")
        return make_error_code(errc::expired_token);
    if (code == "AccessDenied" || code == "AccessDeniedException")
        return make_error_code(errc::access_denied);
    if (code == "InvalidClientTokenId") return make_error_code(errc::unrecognized_client);
    if (code == "SignatureDoesNotMatch") return make_error_code(errc::invalid_signature);
    if (is_throttling_code(code)) return make_error_code(errc::throttling);
    return make_error_code(errc::unknown_service_error);
}

std::string sts_regional_endpoint(std::string_view region)
{
    return regional_service_url("sts", region);
}

}  // namespace dynomite::detail

namespace dynomite::detail {

std::vector<std::pair<std::string, std::string>> sign_sts_request(
    const credentials& creds, std::string_view region, std::string_view host_header,
    std::string_view body, std::chrono::system_clock::time_point now)
{
    constexpr std::string_view service = "sts";
    const std::string amz_date = format_amz_date(now);
    const std::string_view date = std::string_view(amz_date).substr(0, 8);
    std::vector<header_field> fields{{"content-type", form_content_type},
                                     {"host", host_header},
                                     {"x-amz-date", amz_date}};
    if (!creds.session_token.empty()) fields.push_back({"x-amz-security-token", creds.session_token});
    const std::string payload_hash = to_hex(sha256(body));
    const canonical_request canonical =
        make_canonical_request("POST", "/", "", fields, payload_hash, true);
    const std::string scope = make_credential_scope(date, region, service);
    const std::string to_sign = make_string_to_sign(amz_date, scope, canonical.text);
    const std::string signature =
        compute_signature(derive_signing_key(creds.secret_access_key, date, region, service), to_sign);

    std::vector<std::pair<std::string, std::string>> headers{
        {"Content-Type", std::string(form_content_type)}, {"X-Amz-Date", amz_date}};
    if (!creds.session_token.empty()) headers.emplace_back("X-Amz-Security-Token", creds.session_token);
    headers.emplace_back("Authorization", make_authorization(creds.access_key_id, scope,
                                                             canonical.signed_headers, signature));
    return headers;
}

}  // namespace dynomite::detail
