// Base64 with the standard alphabet and padding, as DynamoDB sends binary values.
#include <dynomite/core/attribute_value.hpp>
#include "core/json_writer.hpp"

#include <array>

namespace dynomite {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr signed char invalid = -1;

constexpr std::array<signed char, 256> make_decode_table()
{
    std::array<signed char, 256> table{};
    table.fill(invalid);
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return table;
}
constexpr std::array<signed char, 256> decode_table = make_decode_table();

}  // namespace

namespace detail {

void append_base64(std::string& out, std::span<const std::byte> data)
{
    const std::size_t start = out.size();
    out.resize(start + (data.size() + 2) / 3 * 4);
    char* p = out.data() + start;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned>(data[i]); };
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const unsigned group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        *p++ = alphabet[group >> 18];
        *p++ = alphabet[(group >> 12) & 63];
        *p++ = alphabet[(group >> 6) & 63];
        *p++ = alphabet[group & 63];
    }
    const std::size_t rest = data.size() - i;
    if (rest > 0) {
        const unsigned group = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0u);
        *p++ = alphabet[group >> 18];
        *p++ = alphabet[(group >> 12) & 63];
        *p++ = rest == 2 ? alphabet[(group >> 6) & 63] : '=';
        *p++ = '=';
    }
}

}  // namespace detail

std::string base64_encode(const bytes& data)
{
    std::string out;
    detail::append_base64(out, data);
    return out;
}

std::string base64_encode(std::string_view data)
{
    std::string out;
    detail::append_base64(out, std::span<const std::byte>(
                                   reinterpret_cast<const std::byte*>(data.data()), data.size()));
    return out;
}

// Bits below the last full byte are ignored rather than required to be zero, as most
// decoders do; DynamoDB always sends them as zero.
error_code base64_decode(std::string_view text, bytes& out)
{
    if (text.size() % 4 != 0) return errc::invalid_base64;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') {
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    }
    const std::size_t body = text.size() - padding;
    bytes result;
    result.reserve(text.size() / 4 * 3);
    unsigned group = 0;
    for (std::size_t i = 0; i < body; ++i) {
        const signed char sextet = decode_table[static_cast<unsigned char>(text[i])];
        if (sextet == invalid) return errc::invalid_base64;  // also '=' before the end
        group = group << 6 | static_cast<unsigned>(sextet);
        if (i % 4 == 3) {
            result.push_back(static_cast<std::byte>(group >> 16));
            result.push_back(static_cast<std::byte>((group >> 8) & 0xff));
            result.push_back(static_cast<std::byte>(group & 0xff));
            group = 0;
        }
    }
    if (padding == 1) {  // three sextets carry two bytes
        result.push_back(static_cast<std::byte>(group >> 10));
        result.push_back(static_cast<std::byte>((group >> 2) & 0xff));
    } else if (padding == 2) {  // two sextets carry one byte
        result.push_back(static_cast<std::byte>(group >> 4));
    }
    out = std::move(result);
    return {};
}

bytes to_bytes(std::string_view s)
{
    const auto* first = reinterpret_cast<const std::byte*>(s.data());
    return bytes(first, first + s.size());
}

}  // namespace dynomite
