#include "transport/response_head.hpp"

#include <array>
#include <cstring>

namespace dynomite::detail {
namespace {

// RFC 9110's tchar: the bytes a field name is made of.
constexpr std::array<bool, 256> token_chars = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}();

// Printable ASCII and tab: what a value or a reason phrase holds here. Beast also takes
// bytes from 0x80 up; those go to it.
bool is_plain_text(char c) noexcept { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// ASCII case-insensitive equality with a lowercase name.
bool names_equal(std::string_view name, std::string_view lowercase) noexcept
{
    if (name.size() != lowercase.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lowercase[i]) return false;
    }
    return true;
}

std::string_view trim_blanks(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// "HTTP/1.x SP DDD SP reason": the status, and whether the version is 1.1.
bool read_status_line(std::string_view line, unsigned& status, bool& http11) noexcept
{
    if (line.size() < 13 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ' || line[12] != ' ')
        return false;
    if (line[7] != '0' && line[7] != '1') return false;
    http11 = line[7] == '1';
    if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return false;
    status = static_cast<unsigned>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
    for (const char c : line.substr(13))
        if (!is_plain_text(c)) return false;
    return true;
}

/// Digits only, at most 18 of them: no list, sign or overflow to judge.
bool read_length(std::string_view value, std::uint64_t& out) noexcept
{
    if (value.empty() || value.size() > 18) return false;
    std::uint64_t n = 0;
    for (const char c : value) {
        if (!is_digit(c)) return false;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = n;
    return true;
}

}  // namespace

head_parse parse_response_head(std::string_view data, std::size_t max_head, response_head& out,
                               std::size_t& head_size) noexcept
{
    const char* const end_mark = static_cast<const char*>(
        ::memmem(data.data(), data.size(), "\r\n\r\n", 4));
    if (end_mark == nullptr) return data.size() < max_head ? head_parse::need_more : head_parse::general;
    const auto size = static_cast<std::size_t>(end_mark - data.data()) + 4;
    if (size >= max_head) return head_parse::general;

    // Each line ends with CRLF; the last one is the empty line.
    std::string_view rest = data.substr(0, size - 2);
    const std::size_t first_end = rest.find("\r\n");
    bool http11 = false;
    out = response_head{};
    if (!read_status_line(rest.substr(0, first_end), out.status, http11)) return head_parse::general;
    // No body by its status whatever the fields say, or an interim answer.
    if (out.status < 200 || out.status == 204 || out.status == 304) return head_parse::general;
    rest.remove_prefix(first_end + 2);

    bool has_length = false;
    bool close = false;
    bool keep_alive = false;
    while (!rest.empty()) {
        const std::size_t line_end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, line_end);
        rest.remove_prefix(line_end + 2);
        std::size_t colon = 0;
        while (colon < line.size() && token_chars[static_cast<unsigned char>(line[colon])]) ++colon;
        if (colon == 0 || colon == line.size() || line[colon] != ':') return head_parse::general;
        for (const char c : line.substr(colon + 1))
            if (!is_plain_text(c)) return head_parse::general;
        // A line that begins with a blank continues the one before it (obsolete folding).
        if (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) return head_parse::general;
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim_blanks(line.substr(colon + 1));

        if (names_equal(name, "content-length")) {
            if (has_length || !read_length(value, out.content_length)) return head_parse::general;
            has_length = true;
        } else if (names_equal(name, "connection")) {
            if (names_equal(value, "close"))
                close = true;
            else if (names_equal(value, "keep-alive"))
                keep_alive = true;
            else
                return head_parse::general;
        } else if (names_equal(name, "transfer-encoding") || names_equal(name, "upgrade") ||
                   names_equal(name, "proxy-connection")) {
            return head_parse::general;
        } else if (out.request_id.empty() && names_equal(name, "x-amzn-requestid")) {
            out.request_id = value;
        } else if (!out.has_crc32 && names_equal(name, "x-amz-crc32")) {
            out.has_crc32 = true;
            out.crc32 = value;
        } else if (out.date.empty() && names_equal(name, "date")) {
            out.date = value;
        }
    }
    if (!has_length) return head_parse::general;
    out.keep_alive = http11 ? !close : keep_alive;
    head_size = size;
    return head_parse::parsed;
}

}  // namespace dynomite::detail
