// JSON tokens appended in place, with escaping done in runs rather than per character.
#include "core/json_writer.hpp"

#include "core/ascii.hpp"

#include <array>
#include <charconv>

namespace dynomite::detail {
namespace {

// Quotes, backslashes and control characters must be escaped; every other byte,
// UTF-8 sequences included, is copied as is, but for a lone UTF-16 surrogate in its 3-byte
// form (0xED 0xA0-0xBF, as the decoder reads a "\ud800" escape), written back as that escape.
constexpr std::array<bool, 256> make_escape_table()
{
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[c] = true;
    table['"'] = true;
    table['\\'] = true;
    table[0xED] = true;
    return table;
}
constexpr std::array<bool, 256> needs_escape = make_escape_table();

void append_escaped(std::string& out, std::string_view s)
{
    constexpr char hex[] = "0123456789abcdef";
    const char* p = s.data();
    const char* const end = p + s.size();
    while (p != end) {
        const char* run = p;
        while (p != end && !needs_escape[static_cast<unsigned char>(*p)]) ++p;
        out.append(run, p);
        if (p == end) break;
        const auto c = static_cast<unsigned char>(*p++);
        if (c == 0xED) {
            const bool surrogate = end - p >= 2 && (static_cast<unsigned char>(p[0]) & 0xE0) == 0xA0;
            if (!surrogate) {
                out.push_back(static_cast<char>(c));  // U+D000 to U+D7FF, copied
                continue;
            }
            const unsigned unit = 0xD000u | (static_cast<unsigned char>(p[0]) & 0x3Fu) << 6 |
                                  (static_cast<unsigned char>(p[1]) & 0x3Fu);
            const char escaped[6] = {'\\', 'u', 'd', hex[(unit >> 8) & 15], hex[(unit >> 4) & 15],
                                     hex[unit & 15]};
            out.append(escaped, 6);
            p += 2;
            continue;
        }
        if (c == '"' || c == '\\') {
            const char escaped[2] = {'\\', static_cast<char>(c)};
            out.append(escaped, 2);
        } else {
            const char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(escaped, 6);
        }
    }
}

}  // namespace

void json_writer::separate()
{
    if (need_comma_) out_.push_back(',');
}

void json_writer::open(char bracket)
{
    separate();
    out_.push_back(bracket);
    need_comma_ = false;
}

void json_writer::close(char bracket)
{
    out_.push_back(bracket);
    need_comma_ = true;
}

void json_writer::key(std::string_view k)
{
    string(k);
    out_.push_back(':');
    need_comma_ = false;
}

void json_writer::string(std::string_view s)
{
    separate();
    out_.reserve(out_.size() + s.size() + 2);
    out_.push_back('"');
    append_escaped(out_, s);
    out_.push_back('"');
    need_comma_ = true;
}

void json_writer::raw_number(std::string_view text)
{
    separate();
    out_.append(text);
    need_comma_ = true;
}

void json_writer::decimal(std::string_view t)
{
    separate();
    std::size_t i = 0;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) {
        if (t[i] == '-') out_.push_back('-');
        ++i;
    }
    std::size_t end = i;
    while (end < t.size() && is_ascii_digit(t[end])) ++end;
    std::string_view whole = t.substr(i, end - i);
    while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
    if (whole.empty()) {
        out_.push_back('0');
    } else {
        out_.append(whole);
    }
    i = end;
    if (i < t.size() && t[i] == '.') {
        for (end = i + 1; end < t.size() && is_ascii_digit(t[end]);) ++end;
        if (end > i + 1) out_.append(t.substr(i, end - i));
        i = end;
    }
    out_.append(t.substr(i));  // the exponent, spelled alike
    need_comma_ = true;
}

void json_writer::integer(std::int64_t v)
{
    separate();
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out_.append(buffer, result.ptr);
    need_comma_ = true;
}

void json_writer::boolean(bool b)
{
    separate();
    out_.append(b ? "true" : "false");
    need_comma_ = true;
}

void json_writer::null()
{
    separate();
    out_.append("null");
    need_comma_ = true;
}

void json_writer::binary(std::span<const std::byte> data)
{
    separate();
    out_.push_back('"');
    append_base64(out_, data);
    out_.push_back('"');
    need_comma_ = true;
}

}  // namespace dynomite::detail
