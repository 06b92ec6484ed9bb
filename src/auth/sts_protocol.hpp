// AWS STS over its Query protocol, sans-io: form-encoded requests, XML answers.
#pragma once

#include <dynomite/auth/credentials.hpp>
#include <dynomite/core/diagnostics.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite::detail {

inline constexpr std::string_view sts_api_version = "2011-06-15";

/// "Action=<action>&Version=2011-06-15&<name>=<value>..." with names and values percent-encoded
/// as application/x-www-form-urlencoded bodies of the Query protocol expect.
std::string sts_form_body(std::string_view action,
                          const std::vector<std::pair<std::string_view, std::string_view>>& params);

/// The credentials in a successful <ActionResponse><ActionResult><Credentials> answer.
/// errc::malformed_response naming the element that is missing.
error_code parse_sts_credentials(std::string_view xml, std::string_view action, credentials& out,
                                 std::string& why);

/// An <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse> answer into
/// `diag` (aws_type = the code, message, request id, status), and the errc it stands for:
/// expired_token, access_denied, ... or unknown_service_error; http_status when the body is
/// not an STS error.
error_code parse_sts_error(unsigned status, std::string_view xml, diagnostics& diag);

/// Whether a failed STS call is worth another attempt, as botocore's standard retry mode
/// decides for STS: throttling codes, 5xx answers, RequestTimeout, IDPCommunicationError (the
/// web identity issuer did not answer STS in time), and connection failures and timeouts
/// (`status` 0: no answer). AccessDenied, ExpiredToken, InvalidIdentityToken and the like are
/// not: another attempt gets the same answer.
enum class sts_retry { no, transient, throttled };
sts_retry sts_retry_decision(error_code ec, unsigned status, std::string_view code) noexcept;

/// "https://sts.<region>.amazonaws.com" (".amazonaws.com.cn" for cn- regions).
std::string sts_regional_endpoint(std::string_view region);

}  // namespace dynomite::detail

namespace dynomite::detail {

inline constexpr std::string_view form_content_type =
    "application/x-www-form-urlencoded; charset=utf-8";

/// The headers of a SigV4-signed STS POST of `body` to "/" at `host_header`: Content-Type,
/// X-Amz-Date, X-Amz-Security-Token (with a session token) and Authorization.
std::vector<std::pair<std::string, std::string>> sign_sts_request(
    const credentials& creds, std::string_view region, std::string_view host_header,
    std::string_view body, std::chrono::system_clock::time_point now);

}  // namespace dynomite::detail
