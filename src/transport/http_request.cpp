#include "transport/http_request.hpp"

#include <array>
#include <charconv>

namespace dynomite::detail {
namespace {

void append_field(std::string& out, std::string_view name, std::string_view value)
{
    out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

void format_request_head(const request_head& head, std::string& out)
{
    // The request line, the names, ": ", CRLFs and the length take under 192 bytes: one
    // allocation at most.
    out.clear();
    out.reserve(192 + head.host.size() + head.content_type.size() + head.user_agent.size() +
                head.target.size() + head.security_token.size() + head.amz_date.size() +
                head.authorization.size() + head.request_target.size() +
                head.proxy_authorization.size());
    out.append("POST ").append(head.request_target).append(" HTTP/1.1\r\n");
    append_field(out, "Host", head.host);
    append_field(out, "Content-Type", head.content_type);
    append_field(out, "User-Agent", head.user_agent);
    append_field(out, "X-Amz-Target", head.target);
    if (!head.security_token.empty()) append_field(out, "X-Amz-Security-Token", head.security_token);
    append_field(out, "X-Amz-Date", head.amz_date);
    append_field(out, "Authorization", head.authorization);
    if (!head.proxy_authorization.empty())
        append_field(out, "Proxy-Authorization", head.proxy_authorization);
    std::array<char, 24> digits;
    const auto end = std::to_chars(digits.begin(), digits.end(), head.content_length).ptr;
    append_field(out, "Content-Length", std::string_view(digits.data(), end - digits.data()));
    out.append("\r\n");
}

bool is_valid_header_value(std::string_view value) noexcept
{
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
    }
    const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    return value.empty() || (!is_space(value.front()) && !is_space(value.back()));
}

}  // namespace dynomite::detail
