// Clock-skew correction: when the service refuses a request because its signing time is too
// far from the service's clock, the client takes the service's time from the response's Date
// header, keeps the difference, and signs the retry with the corrected time (as aws-sdk-go-v2
// and the AWS SDK for Java do).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace dynomite::detail {

/// True for the refusals that mean "your clock is off": InvalidSignatureException whose
/// message starts "Signature expired" or "Signature not yet current" (DynamoDB's), and
/// RequestTimeTooSkewed, RequestExpired and RequestInTheFuture (other AWS services' codes).
/// `aws_type` is the short __type.
bool is_clock_skew_error(std::string_view aws_type, std::string_view message) noexcept;

/// An HTTP Date header in IMF-fixdate form ("Fri, 04 Dec 2026 20:39:18 GMT", RFC 9110 5.6.7),
/// the form AWS sends; nothing for anything else.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) noexcept;

/// The offset to add to the local clock so that it reads the service's time: `server_time`
/// (from Date) minus `local_time` (the local clock when the response arrived).
std::chrono::seconds clock_offset(std::chrono::sys_seconds server_time,
                                  std::chrono::system_clock::time_point local_time) noexcept;

}  // namespace dynomite::detail
