// ASCII character classes, independent of the C locale (std::isdigit and friends are not).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dynomite::detail {

constexpr bool is_ascii_upper(char c) noexcept
{
    return c >= 'A' && c <= 'Z';
}
constexpr bool is_ascii_lower(char c) noexcept
{
    return c >= 'a' && c <= 'z';
}
constexpr bool is_ascii_letter(char c) noexcept
{
    return is_ascii_upper(c) || is_ascii_lower(c);
}
constexpr bool is_ascii_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}
/// The value of `digits` when it is 1 to 18 ASCII digits and nothing else, which any
/// int64 holds; false for anything else.
constexpr bool read_small_decimal(std::string_view digits, std::uint64_t& out) noexcept
{
    if (digits.empty() || digits.size() > 18) return false;
    std::uint64_t value = 0;
    for (const char c : digits) {
        if (!is_ascii_digit(c)) return false;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = value;
    return true;
}
constexpr char ascii_lower(char c) noexcept
{
    return is_ascii_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char ascii_upper(char c) noexcept
{
    return is_ascii_lower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}
constexpr bool is_ascii_alphanumeric(char c) noexcept
{
    return is_ascii_letter(c) || is_ascii_digit(c);
}

constexpr bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

}  // namespace dynomite::detail
