// DynamoDB numbers: validation, exact conversions and comparison, all on the decimal text.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/number.hpp>
#include "core/ascii.hpp"
#include "core/quoting.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace dynomite {
namespace {

using detail::is_ascii_digit;

constexpr std::size_t max_significant_digits = 38;
// Scientific exponents of the smallest (1e-130) and largest (9.99...e125) magnitudes.
constexpr long long min_exponent = -130;
constexpr long long max_exponent = 125;
// Exponents are accumulated with saturation: far beyond any valid one, yet no overflow
// even after adding the length of the longest possible text.
constexpr long long exponent_saturation = 1'000'000'000'000'000LL;

// What comparisons and conversions need from the text: the significant digits (first
// to last nonzero) and the power of ten of the first one.
struct decimal {
    bool negative = false;
    bool zero = true;
    long long exponent = 0;
    std::size_t count = 0;                // may exceed 38 while validating
    char digits[max_significant_digits];  // the first min(count, 38) digits
};

enum class scan_status { ok, empty, unexpected_character, no_digits, no_exponent_digits };

// Splits text of the form [sign] digits [. digits] [(e|E) [sign] digits]. Checks the
// syntax only; DynamoDB's limits are checked by the caller.
scan_status scan(std::string_view text, decimal& d, std::size_t& error_offset) noexcept
{
    const std::size_t n = text.size();
    std::size_t i = 0;
    if (n == 0) return scan_status::empty;
    if (text[0] == '+' || text[0] == '-') {
        d.negative = text[0] == '-';
        ++i;
    }
    const std::size_t int_begin = i;
    while (i < n && is_ascii_digit(text[i])) ++i;
    const std::size_t int_end = i;
    std::size_t frac_begin = i;
    std::size_t frac_end = i;
    if (i < n && text[i] == '.') {
        frac_begin = ++i;
        while (i < n && is_ascii_digit(text[i])) ++i;
        frac_end = i;
    }
    if (int_begin == int_end && frac_begin == frac_end) {
        error_offset = i;
        return i < n ? scan_status::unexpected_character : scan_status::no_digits;
    }
    long long exponent = 0;
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exponent_negative = false;
        if (i < n && (text[i] == '+' || text[i] == '-')) {
            exponent_negative = text[i] == '-';
            ++i;
        }
        const std::size_t exponent_begin = i;
        for (; i < n && is_ascii_digit(text[i]); ++i) {
            if (exponent < exponent_saturation) exponent = exponent * 10 + (text[i] - '0');
        }
        if (i == exponent_begin) {
            error_offset = i;
            return i < n ? scan_status::unexpected_character : scan_status::no_exponent_digits;
        }
        if (exponent_negative) exponent = -exponent;
    }
    if (i != n) {
        error_offset = i;
        return scan_status::unexpected_character;
    }

    // The mantissa digits, read across the decimal point.
    const std::size_t int_len = int_end - int_begin;
    const std::size_t total = int_len + (frac_end - frac_begin);
    auto digit_at = [&](std::size_t k) {
        return k < int_len ? text[int_begin + k] : text[frac_begin + (k - int_len)];
    };
    std::size_t first = 0;
    while (first < total && digit_at(first) == '0') ++first;
    if (first == total) {
        d.zero = true;
        d.count = 0;
        d.exponent = 0;
        return scan_status::ok;
    }
    std::size_t last = total - 1;
    while (digit_at(last) == '0') --last;
    d.zero = false;
    d.count = last - first + 1;
    for (std::size_t k = 0; k < d.count && k < max_significant_digits; ++k) {
        d.digits[k] = digit_at(first + k);
    }
    d.exponent = static_cast<long long>(int_len) - 1 - static_cast<long long>(first) + exponent;
    return scan_status::ok;
}

// How much of a number's text a message shows.
constexpr std::size_t max_shown = 48;

error_code check(std::string_view text, decimal& d, std::string* why)
{
    std::size_t offset = 0;
    const scan_status status = scan(text, d, offset);
    if (status != scan_status::ok) {
        if (why) {
            *why = detail::quoted_printable(text, max_shown) + " is not a number: ";
            switch (status) {
                case scan_status::empty:
                    *why += "the text is empty";
                    break;
                case scan_status::no_digits:
                    *why += "it has no digits";
                    break;
                case scan_status::no_exponent_digits:
                    *why += "the exponent has no digits";
                    break;
                default:
                    *why += "unexpected character " +
                            detail::quoted_printable(text.substr(offset, 1), max_shown) +
                            " at offset " + std::to_string(offset);
                    break;
            }
        }
        return errc::invalid_number;
    }
    if (d.zero) return {};
    if (d.count > max_significant_digits) {
        if (why) {
            *why = detail::quoted_printable(text, max_shown) +
                   " is not a DynamoDB number: it has " + std::to_string(d.count) +
                   " significant digits, at most 38 are allowed";
        }
        return errc::invalid_number;
    }
    if (d.exponent > max_exponent) {
        if (why) {
            *why =
                detail::quoted_printable(text, max_shown) +
                " is not a DynamoDB number: its magnitude is not below 1e126, the largest allowed";
        }
        return errc::invalid_number;
    }
    if (d.exponent < min_exponent) {
        if (why) {
            *why = detail::quoted_printable(text, max_shown) +
                   " is not a DynamoDB number: its magnitude is below 1e-130, the smallest allowed "
                   "other than zero";
        }
        return errc::invalid_number;
    }
    return {};
}

// For text already validated.
decimal decompose(std::string_view text) noexcept
{
    decimal d;
    std::size_t offset = 0;
    scan(text, d, offset);
    return d;
}

std::strong_ordering compare_magnitude(const decimal& a, const decimal& b) noexcept
{
    if (a.exponent != b.exponent) return a.exponent <=> b.exponent;
    // Trailing zeros are not significant, so a strict prefix is the smaller magnitude.
    const int c = std::string_view(a.digits, a.count).compare(std::string_view(b.digits, b.count));
    return c <=> 0;
}

int sign_of(const decimal& d) noexcept
{
    return d.zero ? 0 : (d.negative ? -1 : 1);
}

std::strong_ordering compare(const decimal& a, const decimal& b) noexcept
{
    const int sa = sign_of(a);
    const int sb = sign_of(b);
    if (sa != sb || sa == 0) return sa <=> sb;
    const std::strong_ordering m = compare_magnitude(a, b);
    return sa > 0 ? m : 0 <=> m;
}

// The integer magnitude of an integral number; out of range beyond uint64.
error_code integer_magnitude(const decimal& d, std::uint64_t& out) noexcept
{
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t magnitude = 0;
    if (d.zero) {
        out = 0;
        return {};
    }
    if (d.exponent < 0) return errc::number_precision_loss;  // 0 < |value| < 1
    if (d.exponent >= std::numeric_limits<std::uint64_t>::digits10 + 1) {
        return errc::number_out_of_range;
    }
    for (long long k = 0; k <= d.exponent; ++k) {
        const auto index = static_cast<std::size_t>(k);
        const unsigned digit = index < d.count ? static_cast<unsigned>(d.digits[index] - '0') : 0;
        if (magnitude > (max - digit) / 10) return errc::number_out_of_range;
        magnitude = magnitude * 10 + digit;
    }
    if (d.count > static_cast<std::size_t>(d.exponent) + 1) return errc::number_precision_loss;
    out = magnitude;
    return {};
}

// The value of a text of an optional '-' and at most 18 digits, which any int64 holds; false
// for every other form, which the general path reads.
bool plain_small_integer(std::string_view text, std::int64_t& out) noexcept
{
    const bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    std::uint64_t magnitude = 0;
    if (!detail::read_small_decimal(text, magnitude)) return false;
    const auto value = static_cast<std::int64_t>(magnitude);
    out = negative ? -value : value;
    return true;
}

[[noreturn]] void throw_conversion_error(error_code ec, const std::string& text, const char* target)
{
    std::string message = "number " + detail::quoted_printable(text, max_shown);
    if (ec == errc::number_out_of_range) {
        message += " is out of the range of ";
        message += target;
    } else {
        message += " cannot be converted to ";
        message += target;
        message += " without losing digits";
    }
    throw error(ec, message);
}

}  // namespace

number::number(std::string_view text)
{
    std::string why;
    if (error_code ec = parse(text, *this, &why)) throw error(ec, why);
}

error_code number::parse(std::string_view text, number& out, std::string* why)
{
    decimal d;
    if (error_code ec = check(text, d, why)) return ec;
    if (text.front() == '+') text.remove_prefix(1);
    out.text_.assign(text);
    return {};
}

number number::from_int(std::int64_t v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return number(trusted{}, std::string(buffer, result.ptr));
}

number number::from_uint(std::uint64_t v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return number(trusted{}, std::string(buffer, result.ptr));
}

namespace {

template <class Float>
error_code from_floating(Float v, number& out)
{
    if (!std::isfinite(v)) return errc::invalid_number;
    if (v == 0) {  // also -0.0, which DynamoDB stores as 0 anyway
        out = number();
        return {};
    }
    char buffer[48];  // a long double's 21 digits and its 4-digit exponent fit
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    if (result.ec != std::errc{}) return errc::invalid_number;
    return number::parse(std::string_view(buffer, static_cast<std::size_t>(result.ptr - buffer)),
                         out);
}

}  // namespace

error_code number::from_double(double v, number& out)
{
    return from_floating(v, out);
}

error_code number::from_float(float v, number& out)
{
    return from_floating(v, out);
}

error_code number::from_long_double(long double v, number& out)
{
    return from_floating(v, out);
}

std::size_t number::significant_digits() const noexcept
{
    return decompose(text_).count;
}

bool number::is_zero() const noexcept
{
    return decompose(text_).zero;
}

bool number::is_negative() const noexcept
{
    return sign_of(decompose(text_)) < 0;
}

error_code number::to_int64(std::int64_t& out) const noexcept
{
    if (plain_small_integer(text_, out)) return {};
    const decimal d = decompose(text_);
    std::uint64_t magnitude = 0;
    if (error_code ec = integer_magnitude(d, magnitude)) return ec;
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (sign_of(d) < 0) {
        if (magnitude > max + 1) return errc::number_out_of_range;
        // Negating in unsigned arithmetic keeps INT64_MIN representable.
        out = static_cast<std::int64_t>(0 - magnitude);
        return {};
    }
    if (magnitude > max) return errc::number_out_of_range;
    out = static_cast<std::int64_t>(magnitude);
    return {};
}

error_code number::to_uint64(std::uint64_t& out) const noexcept
{
    const decimal d = decompose(text_);
    if (sign_of(d) < 0) return errc::number_out_of_range;
    std::uint64_t magnitude = 0;
    if (error_code ec = integer_magnitude(d, magnitude)) return ec;
    out = magnitude;
    return {};
}

error_code number::to_double(double& out) const noexcept
{
    // DynamoDB's range lies well inside a double's, so only precision can be lost.
    double value = 0;
    const auto parsed = std::from_chars(text_.data(), text_.data() + text_.size(), value);
    if (parsed.ec != std::errc{}) return errc::number_out_of_range;
    // Any decimal of up to 15 significant digits survives the trip through a double, and a
    // text of up to 15 characters has no more.
    constexpr std::size_t exact_digits = std::numeric_limits<double>::digits10;
    if (text_.size() <= exact_digits) {
        out = value;
        return {};
    }
    const decimal d = decompose(text_);
    if (d.count > exact_digits) {
        char buffer[32];
        const auto printed = std::to_chars(buffer, buffer + sizeof buffer, value);
        const decimal back =
            decompose(std::string_view(buffer, static_cast<std::size_t>(printed.ptr - buffer)));
        if (compare(d, back) != 0) return errc::number_precision_loss;
    }
    out = value;
    return {};
}

std::int64_t number::as_int64() const
{
    std::int64_t out = 0;
    if (error_code ec = to_int64(out)) throw_conversion_error(ec, text_, "int64");
    return out;
}

std::uint64_t number::as_uint64() const
{
    std::uint64_t out = 0;
    if (error_code ec = to_uint64(out)) throw_conversion_error(ec, text_, "uint64");
    return out;
}

double number::as_double() const
{
    double out = 0;
    if (error_code ec = to_double(out)) throw_conversion_error(ec, text_, "double");
    return out;
}

bool operator==(const number& a, const number& b) noexcept
{
    return a.text_ == b.text_ || compare(decompose(a.text_), decompose(b.text_)) == 0;
}

std::strong_ordering operator<=>(const number& a, const number& b) noexcept
{
    return compare(decompose(a.text_), decompose(b.text_));
}

}  // namespace dynomite
