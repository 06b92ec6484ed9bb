// A recursive-descent parser for the JSON of GetItem, Query and Scan responses, building
// attribute maps as it reads. It accepts only what it fully understands and gives up on
// anything else, leaving errors and rare members to the DOM decoder, whose results it must
// equal: giving up is always safe, accepting never may differ.
#include "core/attribute_map_access.hpp"
#include "protocol/direct_decode.hpp"
#include "core/json_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dynomite::detail {
namespace {

/// The attributes made room for in an item, before its size is known.
constexpr std::size_t first_item_capacity = 8;

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/// Appends the UTF-8 form of a code point (at most U+10FFFF).
void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// The four hex digits at `p` (which has at least four bytes).
bool read_hex4(const unsigned char* p, std::uint32_t& out) noexcept
{
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned char c = p[i];
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            return false;
        }
        value = value << 4 | digit;
    }
    out = value;
    return true;
}

/// The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most
/// U+10FFFF) that starts with a byte of 0x80 or more at `p`, or 0.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept
{
    const auto in = [](unsigned char c, unsigned char low, unsigned char high) {
        return c >= low && c <= high;
    };
    const unsigned char lead = p[0];
    const std::size_t left = static_cast<std::size_t>(end - p);
    if (in(lead, 0xC2, 0xDF)) return left >= 2 && in(p[1], 0x80, 0xBF) ? 2 : 0;
    if (in(lead, 0xE0, 0xEF)) {
        if (left < 3) return 0;
        const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
        const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
        return in(p[1], low, high) && in(p[2], 0x80, 0xBF) ? 3 : 0;
    }
    if (in(lead, 0xF0, 0xF4)) {
        if (left < 4) return 0;
        const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
        const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
        return in(p[1], low, high) && in(p[2], 0x80, 0xBF) && in(p[3], 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
}

bool has_repeated_keys(const attribute_map& map)
{
    const std::size_t n = map.size();
    if (n < 2) return false;
    if (n <= 16) {
        for (auto a = map.begin(); a != map.end(); ++a)
            for (auto b = std::next(a); b != map.end(); ++b)
                if (a->first == b->first) return true;
        return false;
    }
    std::vector<std::string_view> names;
    names.reserve(n);
    for (const auto& entry : map) names.emplace_back(entry.first);
    std::sort(names.begin(), names.end());
    return std::adjacent_find(names.begin(), names.end()) != names.end();
}

class parser {
public:
    explicit parser(std::string_view body)
        : p_(reinterpret_cast<const unsigned char*>(body.data())), end_(p_ + body.size())
    {
    }

    bool get_item(get_item_response& out)
    {
        bool seen_item = false;
        return response([&](std::string_view member) {
            if (member != "Item" || seen_item) return false;
            seen_item = true;
            return object_of_attributes(out.item.emplace(), 0);
        });
    }

    bool page(page_response& out)
    {
        unsigned seen = 0;
        return response([&](std::string_view member) {
            const auto first_time = [&](unsigned bit) {
                if ((seen & bit) != 0) return false;
                seen |= bit;
                return true;
            };
            if (member == "Items") return first_time(1) && items(out.items);
            if (member == "Count") return first_time(2) && count(out.count);
            if (member == "ScannedCount") return first_time(4) && count(out.scanned_count);
            if (member == "LastEvaluatedKey")
                return first_time(8) && object_of_attributes(out.last_evaluated_key.emplace(), 0);
            return false;
        });
    }

private:
    /// The top-level object, each member's value read by `member`, then nothing but space.
    template <class Member>
    bool response(Member&& member)
    {
        if (!take('{')) return false;
        if (!take('}')) {
            do {
                std::string_view name;
                if (!plain_string(name) || !take(':') || !member(name)) return false;
            } while (take(','));
            if (!take('}')) return false;
        }
        skip_space();
        return p_ == end_;
    }

    bool items(std::vector<attribute_map>& out)
    {
        if (!take('[')) return false;
        if (take(']')) return true;
        std::size_t item_size = 0;
        do {
            attribute_map& item = out.emplace_back();
            // Items of one page tend to have the same number of attributes.
            attribute_map_access::reserve(item, item_size);
            if (!object_of_attributes(item, 0)) return false;
            item_size = item.size();
        } while (take(','));
        return take(']');
    }

    bool count(std::int64_t& out)
    {
        skip_space();
        // Plain non-negative integers of up to 18 digits fit any int64; the DOM decoder has
        // the rest.
        const unsigned char* start = p_;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        const auto digits = p_ - start;
        if (digits == 0 || digits > 18 || (digits > 1 && *start == '0')) return false;
        if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
        std::int64_t value = 0;
        for (const unsigned char* d = start; d != p_; ++d) value = value * 10 + (*d - '0');
        out = value;
        return true;
    }

    /// {"name": <typed value>, ...}: an item, a key, or the inside of an M value.
    bool object_of_attributes(attribute_map& out, int depth)
    {
        if (!take('{')) return false;
        if (take('}')) return true;
        // An item's attributes, grown one by one, would take several allocations.
        if (depth == 0 && attribute_map_access::capacity(out) == 0)
            attribute_map_access::reserve(out, first_item_capacity);
        do {
            // Read in place: the entry's name and value are never moved.
            auto& [name, value] = attribute_map_access::append_empty(out);
            if (!string(name) || !take(':') || !typed_value(value, depth)) return false;
        } while (take(','));
        // Boost.JSON keeps the last of repeated names; the DOM decoder then applies it.
        return take('}') && !has_repeated_keys(out);
    }

    /// {"<type>": <value>}, nested M and L values counted as the DOM decoder counts them.
    bool typed_value(attribute_value& out, int depth)
    {
        std::string_view type;
        if (!take('{') || !plain_string(type) || !take(':')) return false;
        // Each value is made in its place and read into there.
        auto& v = out.value();
        bool read = false;
        if (type == "S") {
            read = string(v.emplace<std::string>());
        } else if (type == "N") {
            read = number_text(v.emplace<number>());
        } else if (type == "B") {
            read = binary_text(v.emplace<bytes>());
        } else if (type == "BOOL") {
            read = boolean(v.emplace<bool>());
        } else if (type == "NULL") {
            bool b = false;
            read = boolean(b) && b;
            v.emplace<null_value>();
        } else if (type == "M") {
            read = depth < max_nesting &&
                   object_of_attributes(v.emplace<attribute_map>(), depth + 1);
        } else if (type == "L") {
            auto& list = v.emplace<attribute_list>();
            read = depth < max_nesting &&
                   array([&] { return typed_value(list.emplace_back(), depth + 1); });
        } else if (type == "SS") {
            auto& set = v.emplace<string_set>().values;
            read = array([&] { return string(set.emplace_back()); });
        } else if (type == "NS") {
            auto& set = v.emplace<number_set>().values;
            read = array([&] { return number_text(set.emplace_back()); });
        } else if (type == "BS") {
            auto& set = v.emplace<binary_set>().values;
            read = array([&] { return binary_text(set.emplace_back()); });
        }
        return read && take('}');
    }

    template <class Element>
    bool array(Element&& element)
    {
        if (!take('[')) return false;
        if (take(']')) return true;
        do {
            if (!element()) return false;
        } while (take(','));
        return take(']');
    }

    bool number_text(number& out)
    {
        std::string_view text;
        return plain_string(text) && !number::parse(text, out);
    }

    bool binary_text(bytes& out)
    {
        std::string_view text;
        return plain_string(text) && !base64_decode(text, out);
    }

    bool boolean(bool& out)
    {
        skip_space();
        const auto rest = static_cast<std::size_t>(end_ - p_);
        if (rest >= 4 && std::memcmp(p_, "true", 4) == 0) {
            p_ += 4;
            out = true;
            return true;
        }
        if (rest >= 5 && std::memcmp(p_, "false", 5) == 0) {
            p_ += 5;
            out = false;
            return true;
        }
        return false;
    }

    /// A string of printable ASCII without escapes, as member names, type keys, numbers and
    /// base64 are; anything else is left to the DOM decoder.
    bool plain_string(std::string_view& out)
    {
        if (!take('"')) return false;
        const unsigned char* start = p_;
        p_ = plain_run_end(p_);
        if (p_ == end_ || *p_ != '"') return false;
        out = std::string_view(reinterpret_cast<const char*>(start),
                               static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
    }

    /// Any JSON string: escapes decoded, UTF-8 checked as Boost.JSON checks it.
    bool string(std::string& out)
    {
        if (!take('"')) return false;
        const unsigned char* run = p_;
        for (;;) {
            p_ = plain_run_end(p_);
            if (p_ == end_) return false;
            const unsigned char c = *p_;
            if (c == '"') {
                out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
                ++p_;
                return true;
            }
            if (c >= 0x80) {
                const std::size_t length = utf8_sequence_length(p_, end_);
                if (length == 0) return false;
                p_ += length;
                continue;
            }
            if (c != '\\') return false;  // a control character
            out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
            ++p_;
            if (!escape(out)) return false;
            run = p_;
        }
    }

    bool escape(std::string& out)
    {
        if (p_ == end_) return false;
        switch (*p_++) {
            case '"':
                out += '"';
                return true;
            case '\\':
                out += '\\';
                return true;
            case '/':
                out += '/';
                return true;
            case 'b':
                out += '\b';
                return true;
            case 'f':
                out += '\f';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'u':
                break;
            default:
                return false;
        }
        std::uint32_t unit = 0;
        if (!hex4(unit)) return false;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            // A pair is one character; a high surrogate alone stays a surrogate (below).
            const unsigned char* const after = p_;
            std::uint32_t low = 0;
            if (end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u') {
                p_ += 2;
                if (hex4(low) && low >= 0xDC00 && low <= 0xDFFF) {
                    append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                    return true;
                }
                p_ = after;
            }
        }
        // Lone surrogates, which the AWS SDKs read too, keep their 3-byte form (WTF-8); the
        // writer sends them back as the same escape.
        append_utf8(out, unit);
        return true;
    }

    bool hex4(std::uint32_t& out)
    {
        if (end_ - p_ < 4) return false;
        const unsigned char* const digits = p_;
        p_ += 4;
        return read_hex4(digits, out);
    }

    /// Where the run of printable ASCII other than '"' and '\\' from `p` ends.
    const unsigned char* plain_run_end(const unsigned char* p) const noexcept
    {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i backslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        for (; end_ - p >= 16; p += 16) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            // Signed: bytes of 0x80 and more are below 0x20 too.
            const __m128i special = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                _mm_cmplt_epi8(bytes, space));
            const int mask = _mm_movemask_epi8(special);
            if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
#endif
        while (p != end_ && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') ++p;
        return p;
    }

    void skip_space() noexcept
    {
        while (p_ != end_ && is_space(static_cast<char>(*p_))) ++p_;
    }

    bool take(char c) noexcept
    {
        skip_space();
        if (p_ == end_ || *p_ != static_cast<unsigned char>(c)) return false;
        ++p_;
        return true;
    }

    const unsigned char* p_;
    const unsigned char* end_;
};

}  // namespace

bool lone_surrogates_as_bytes(std::string_view body, std::string& out)
{
    out.clear();
    out.reserve(body.size());
    const auto* p = reinterpret_cast<const unsigned char*>(body.data());
    const auto* const end = p + body.size();
    const auto copy = [&](std::size_t n) {
        out.append(reinterpret_cast<const char*>(p), n);
        p += n;
    };
    bool in_string = false;
    bool found = false;
    while (p != end) {
        const unsigned char c = *p;
        if (c == '"') {
            in_string = !in_string;
            copy(1);
        } else if (!in_string || (c < 0x80 && c != '\\')) {
            copy(1);
        } else if (c >= 0x80) {
            const std::size_t length = utf8_sequence_length(p, end);
            if (length == 0) return false;  // invalid UTF-8 stays an error
            copy(length);
        } else if (end - p < 2 || p[1] != 'u') {
            copy(static_cast<std::size_t>(std::min<std::ptrdiff_t>(2, end - p)));
        } else {
            std::uint32_t unit = 0;
            if (end - p < 6 || !read_hex4(p + 2, unit)) return false;
            std::uint32_t low = 0;
            const bool pair = unit >= 0xD800 && unit <= 0xDBFF && end - p >= 12 && p[6] == '\\' &&
                              p[7] == 'u' && read_hex4(p + 8, low) && low >= 0xDC00 &&
                              low <= 0xDFFF;
            if (pair) {
                copy(12);
            } else if (unit >= 0xD800 && unit <= 0xDFFF) {
                append_utf8(out, unit);
                p += 6;
                found = true;
            } else {
                copy(6);
            }
        }
    }
    return found;
}

bool decode_directly(std::string_view body, get_item_response& out)
{
    return parser(body).get_item(out);
}

bool decode_directly(std::string_view body, page_response& out)
{
    return parser(body).page(out);
}

}  // namespace dynomite::detail
