#include "transport/response_head.hpp"
#include "core/ascii.hpp"

#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dynomite::detail {
namespace {

enum char_class : unsigned char { token = 1, text = 2 };

// Per byte: whether a field name may hold it (RFC 9110's tchar), and whether a value or the
// reason phrase may (printable ASCII and tab here; Beast also takes bytes from 0x80 up, and
// those go to it).
constexpr std::array<unsigned char, 256> char_classes = [] {
    std::array<unsigned char, 256> table{};
    for (int c = 0x20; c < 0x7f; ++c) table[static_cast<std::size_t>(c)] = text;
    table['\t'] = text;
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] |= token;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] |= token;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] |= token;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
        table[static_cast<unsigned char>(c)] |= token;
    return table;
}();

bool is(char c, char_class of) noexcept
{
    return (char_classes[static_cast<unsigned char>(c)] & of) != 0;
}

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
    return true;
}

/// Where the run of text bytes from `i` ends: 16 bytes at a time, then byte by byte.
std::size_t text_run_end(std::string_view data, std::size_t i) noexcept
{
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i del = _mm_set1_epi8(0x7f);
    for (; data.size() - i >= 16; i += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data.data() + i));
        // Signed: bytes of 0x80 and more are below 0x20 too, and are not text here.
        const __m128i control =
            _mm_andnot_si128(_mm_cmpeq_epi8(bytes, tab), _mm_cmplt_epi8(bytes, space));
        const int mask = _mm_movemask_epi8(_mm_or_si128(control, _mm_cmpeq_epi8(bytes, del)));
        if (mask != 0)
            return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    while (i < data.size() && is(data[i], text)) ++i;
    return i;
}

/// The end of the line that starts at `from`: the offset of its CR, once the bytes before it
/// are text, it is followed by LF, and the byte after that (which would fold a line into
/// this one) has arrived. need_more when they have not all arrived; general for any other byte.
head_parse line_end(std::string_view data, std::size_t from, std::size_t& cr) noexcept
{
    const std::size_t i = text_run_end(data, from);
    if (i + 2 >= data.size()) return head_parse::need_more;
    if (data[i] != '\r' || data[i + 1] != '\n') return head_parse::general;
    cr = i;
    return head_parse::parsed;
}

}  // namespace

head_parse parse_response_head(std::string_view data, std::size_t max_head, response_head& out,
                               std::size_t& head_size) noexcept
{
    // One pass: each line is checked as it is found, and the empty line ends the head.
    const auto fail = [&](head_parse result) {
        return result == head_parse::need_more && data.size() >= max_head ? head_parse::general
                                                                          : result;
    };
    std::size_t cr = 0;
    if (const auto found = line_end(data, 0, cr); found != head_parse::parsed) return fail(found);
    bool http11 = false;
    out = response_head{};
    if (!read_status_line(data.substr(0, cr), out.status, http11)) return head_parse::general;
    // No body by its status whatever the fields say, or an interim answer.
    if (out.status < 200 || out.status == 204 || out.status == 304) return head_parse::general;

    bool has_length = false;
    bool close = false;
    bool keep_alive = false;
    std::size_t at = cr + 2;
    for (;;) {
        if (at + 2 > data.size()) return fail(head_parse::need_more);
        if (data[at] == '\r') {
            if (data[at + 1] != '\n') return head_parse::general;
            break;
        }
        // A line that begins with a blank continues the one before it (obsolete folding).
        std::size_t colon = at;
        while (colon < data.size() && is(data[colon], token)) ++colon;
        if (colon == data.size()) return fail(head_parse::need_more);
        if (colon == at || data[colon] != ':') return head_parse::general;
        if (const auto found = line_end(data, colon + 1, cr); found != head_parse::parsed)
            return fail(found);
        if (data[cr + 2] == ' ' || data[cr + 2] == '\t') return head_parse::general;
        const std::string_view name = data.substr(at, colon - at);
        const std::string_view value = trim_blanks(data.substr(colon + 1, cr - colon - 1));
        at = cr + 2;

        if (names_equal(name, "content-length")) {
            // Digits only: a list, a sign or an overflow is Beast's to judge.
            if (has_length || !read_small_decimal(value, out.content_length))
                return head_parse::general;
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
    const std::size_t size = at + 2;
    if (size >= max_head || !has_length) return head_parse::general;
    out.keep_alive = http11 ? !close : keep_alive;
    head_size = size;
    return head_parse::parsed;
}

}  // namespace dynomite::detail
