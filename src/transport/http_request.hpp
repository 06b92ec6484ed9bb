// The head of a DynamoDB request, sans-io: written into one buffer, sent with the body beside it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dynomite::detail {

struct request_head {
    /// "/", or the absolute URL when the request goes through an HTTP proxy.
    std::string_view request_target = "/";
    /// Left out when empty.
    std::string_view proxy_authorization;
    std::string_view host;
    std::string_view content_type;
    std::string_view user_agent;
    std::string_view target;
    /// Left out when empty.
    std::string_view security_token;
    std::string_view amz_date;
    std::string_view authorization;
    std::size_t content_length = 0;
};

/// Replaces `out` with "POST <request_target> HTTP/1.1", the header lines and the blank line
/// that ends them. The values must satisfy is_valid_header_value.
void format_request_head(const request_head& head, std::string& out);

/// Fits in a header line as is: no control character but tab (so no CR or LF to end the line
/// early), no DEL, and no leading or trailing whitespace, which a receiver would strip.
bool is_valid_header_value(std::string_view value) noexcept;

}  // namespace dynomite::detail
