// An exact DynamoDB number, kept as its decimal text.
#pragma once

#include <dynomite/core/error.hpp>

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace dynomite {

/// An integral type that converts to a number exactly. Not a character type: 'A' would
/// silently become 65. At most 64 bits: GNU's __int128, integral under -std=gnu++20, would be
/// cut (give number its decimal text instead).
template <class T>
concept exact_integer = std::integral<T> && sizeof(T) <= sizeof(std::int64_t) &&
                        !std::same_as<T, char> && !std::same_as<T, wchar_t> &&
                        !std::same_as<T, char8_t> && !std::same_as<T, char16_t> &&
                        !std::same_as<T, char32_t>;

/// A DynamoDB number: up to 38 significant digits, magnitude between 1e-130 and
/// 1e126 (or zero). The text is kept exactly as given (after validation), so no
/// digit is lost on a round trip.
class number {
public:
    number() : text_("0") {}

    /// Validates text; throws dynomite::error (errc::invalid_number) when it is not a
    /// DynamoDB number.
    explicit number(std::string_view text);
    number(exact_integer auto v) requires std::is_signed_v<decltype(v)>
        : number(from_int(static_cast<std::int64_t>(v))) {}
    number(exact_integer auto v) requires std::is_unsigned_v<decltype(v)>
        : number(from_uint(static_cast<std::uint64_t>(v))) {}
    template <std::integral T>
        requires(!exact_integer<T>)
    number(T) = delete;

    /// Non-throwing parse: errc::invalid_number with a message in `why` when it is not.
    static error_code parse(std::string_view text, number& out, std::string* why = nullptr);
    static number from_int(std::int64_t v);
    static number from_uint(std::uint64_t v);
    /// Shortest text that reads back as the same double; errc::invalid_number for
    /// NaN and infinity, or a magnitude DynamoDB cannot store.
    static error_code from_double(double v, number& out);
    /// Shortest text that reads back as the same float (0.1f is "0.1", where the double it
    /// widens to would be "0.10000000149011612"); errc::invalid_number for NaN and infinity.
    static error_code from_float(float v, number& out);
    /// Shortest text that reads back as the same long double.
    static error_code from_long_double(long double v, number& out);

    const std::string& text() const noexcept { return text_; }

    /// Digits between the first and the last nonzero digit (0 for zero), as DynamoDB
    /// counts them against its 38-digit limit and its item size.
    std::size_t significant_digits() const noexcept;
    bool is_zero() const noexcept;
    /// True below zero; "-0" is zero, not negative.
    bool is_negative() const noexcept;

    /// Exact conversions: errc::number_out_of_range on overflow, and
    /// errc::number_precision_loss when there is a fractional part.
    error_code to_int64(std::int64_t& out) const noexcept;
    error_code to_uint64(std::uint64_t& out) const noexcept;
    /// errc::number_precision_loss when the nearest double does not print back (in its
    /// shortest form) as the same number, as happens beyond 15 to 17 significant digits.
    /// `out` is left unchanged on any error.
    error_code to_double(double& out) const noexcept;

    /// Throwing forms of the conversions above.
    std::int64_t as_int64() const;
    std::uint64_t as_uint64() const;
    double as_double() const;

    /// Numeric comparison (1.0 == 1), independent of spelling.
    friend bool operator==(const number& a, const number& b) noexcept;
    friend std::strong_ordering operator<=>(const number& a, const number& b) noexcept;

private:
    struct trusted {};
    number(trusted, std::string text) : text_(std::move(text)) {}
    std::string text_;
};

}  // namespace dynomite
