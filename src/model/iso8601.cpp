// ISO-8601 text of time points: formatting and parsing for any tick ratio, with the calendar
// arithmetic done in 128-bit integers.
#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/time.hpp>

#include "core/quoting.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace dynomite {
namespace detail {

namespace {

// Wide enough for any 64-bit tick count times any 64-bit ratio numerator.
__extension__ typedef __int128 int128;

int128 floor_div(int128 a, int128 b)
{
    int128 q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) --q;
    return q;
}

int128 gcd(int128 a, int128 b)
{
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) {
        const int128 r = a % b;
        a = b;
        b = r;
    }
    return a;
}

int128 pow10(int exponent)
{
    int128 out = 1;
    for (int i = 0; i < exponent; ++i) out *= 10;
    return out;
}

void append_decimal(std::string& out, int128 value, int width)
{
    char buffer[48];
    int n = 0;
    do {
        buffer[n++] = static_cast<char>('0' + static_cast<int>(value % 10));
        value /= 10;
    } while (value > 0);
    for (int i = n; i < width; ++i) out += '0';
    while (n > 0) out += buffer[--n];
}

// Days are counted in eras of 400 years (146097 days), which repeat exactly in the Gregorian
// calendar; within an era, years start on March 1st so that the leap day comes last.
int128 days_from_civil(int128 year, unsigned month, unsigned day)
{
    if (month <= 2) year -= 1;
    const int128 era = floor_div(year, 400);
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned month_from_march = (month + 9) % 12;
    const unsigned day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719468 days separate 0000-03-01, the start of era 0, from 1970-01-01.
    return era * 146097 + day_of_era - 719468;
}

struct civil_date {
    int128 year;
    unsigned month;
    unsigned day;
};

civil_date civil_from_days(int128 days)
{
    days += 719468;
    const int128 era = floor_div(days, 146097);
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned month_from_march = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    const unsigned month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap_year(int128 year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned days_in_month(int128 year, unsigned month)
{
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

void reduce(std::intmax_t& num, std::intmax_t& den)
{
    const auto g = static_cast<std::intmax_t>(gcd(num, den));
    num /= g;
    den /= g;
}

std::string format_ticks(int128 ticks, std::intmax_t num, std::intmax_t den)
{
    reduce(num, den);
    const int digits = fraction_digits_for(num, den);
    const int128 scaled = ticks * num;  // in units of 1/den second
    const int128 seconds = floor_div(scaled, den);
    const int128 fraction = (scaled - seconds * den) * pow10(digits) / den;
    const int128 days = floor_div(seconds, 86400);
    const auto second_of_day = static_cast<int>(seconds - days * 86400);
    const civil_date date = civil_from_days(days);

    std::string out;
    if (date.year < 0) {
        out += '-';
        append_decimal(out, -date.year, 4);
    } else {
        if (date.year > 9999) out += '+';
        append_decimal(out, date.year, 4);
    }
    out += '-';
    append_decimal(out, date.month, 2);
    out += '-';
    append_decimal(out, date.day, 2);
    out += 'T';
    append_decimal(out, second_of_day / 3600, 2);
    out += ':';
    append_decimal(out, second_of_day / 60 % 60, 2);
    out += ':';
    append_decimal(out, second_of_day % 60, 2);
    if (digits > 0) {
        out += '.';
        append_decimal(out, fraction, digits);
    }
    out += 'Z';
    return out;
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// A left-to-right reader that reports what it expected where.
class iso_reader {
public:
    iso_reader(std::string_view text, std::string* why) : text_(text), why_(why) {}

    std::size_t position() const { return pos_; }
    bool at_end() const { return pos_ == text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    void skip() { ++pos_; }

    std::size_t digit_run() const
    {
        std::size_t n = 0;
        while (pos_ + n < text_.size() && is_digit(text_[pos_ + n])) ++n;
        return n;
    }

    int128 take_digits(std::size_t count)
    {
        int128 value = 0;
        for (std::size_t i = 0; i < count; ++i) value = value * 10 + (text_[pos_++] - '0');
        return value;
    }

    // Exactly two digits, else a message naming `what`.
    bool two_digits(unsigned& out, std::string_view what)
    {
        if (digit_run() < 2) return expected("a two-digit " + std::string(what));
        out = static_cast<unsigned>(take_digits(2));
        return true;
    }

    bool literal(char c, std::string_view description)
    {
        if (peek() != c) return expected(std::string(description));
        skip();
        return true;
    }

    bool expected(const std::string& what)
    {
        return invalid("expected " + what + " at offset " + std::to_string(pos_));
    }

    bool invalid(const std::string& detail)
    {
        if (why_) *why_ = quoted_printable(text_) + " is not an ISO-8601 date and time: " + detail;
        return false;
    }

private:
    std::string_view text_;
    std::string* why_;
    std::size_t pos_ = 0;
};

struct iso_fields {
    int128 year = 0;
    unsigned month = 0;
    unsigned day = 0;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    std::string_view fraction;  // the digits after the decimal sign
    int offset_seconds = 0;     // east of UTC
    std::size_t year_month_length = 0;
};

constexpr std::size_t max_year_digits = 19;

// The syntax, then the ranges of the fields; errc::invalid_argument for both.
bool read_fields(std::string_view text, iso_fields& f, std::string* why)
{
    iso_reader in(text, why);
    const bool is_signed = in.peek() == '+' || in.peek() == '-';
    const bool negative = in.peek() == '-';
    if (is_signed) in.skip();
    const std::size_t year_digits = in.digit_run();
    if (is_signed) {
        if (year_digits < 4) return in.expected("at least four digits of the year");
        if (year_digits > max_year_digits) {
            return in.invalid("the year has more than " + std::to_string(max_year_digits) +
                              " digits");
        }
    } else {
        if (year_digits < 4) return in.expected("a four-digit year");
        if (year_digits > 4) {
            return in.invalid("a year of more than four digits needs a sign (\"+10000\")");
        }
    }
    f.year = in.take_digits(year_digits);
    if (negative) f.year = -f.year;
    if (!in.literal('-', "'-' after the year") || !in.two_digits(f.month, "month")) return false;
    f.year_month_length = in.position();
    if (!in.literal('-', "'-' after the month") || !in.two_digits(f.day, "day")) return false;
    if (in.at_end()) return in.invalid("it has no time of day");
    if (in.peek() != 'T' && in.peek() != 't' && in.peek() != ' ') {
        return in.expected("'T' between the date and the time");
    }
    in.skip();
    if (!in.two_digits(f.hour, "hour") || !in.literal(':', "':' after the hour") ||
        !in.two_digits(f.minute, "minute") || !in.literal(':', "':' after the minute") ||
        !in.two_digits(f.second, "second")) {
        return false;
    }
    if (in.peek() == '.' || in.peek() == ',') {
        in.skip();
        const std::size_t begin = in.position();
        const std::size_t count = in.digit_run();
        if (count == 0) return in.expected("a digit after the decimal sign");
        f.fraction = text.substr(begin, count);
        for (std::size_t i = 0; i < count; ++i) in.skip();
    }
    if (in.at_end()) {
        return in.invalid(
            "it has no UTC offset, so the time is ambiguous; add \"Z\" or \"+hh:mm\"");
    }
    unsigned offset_hour = 0;
    unsigned offset_minute = 0;
    int offset_sign = 1;
    if (in.peek() == 'Z' || in.peek() == 'z') {
        in.skip();
    } else if (in.peek() == '+' || in.peek() == '-') {
        offset_sign = in.peek() == '-' ? -1 : 1;
        in.skip();
        if (!in.two_digits(offset_hour, "offset hour")) return false;
        if (in.peek() == ':') {
            in.skip();
            if (!in.two_digits(offset_minute, "offset minute")) return false;
        } else if (in.digit_run() > 0) {
            if (!in.two_digits(offset_minute, "offset minute")) return false;
        }
    } else {
        return in.expected("'Z' or a UTC offset (\"+hh:mm\")");
    }
    if (!in.at_end())
        return in.invalid("unexpected text at offset " + std::to_string(in.position()));

    const auto out_of_range = [&](std::string_view field, unsigned value, std::string_view range) {
        return in.invalid(std::string(field) + " " + std::to_string(value) + " is out of range (" +
                          std::string(range) + ")");
    };
    if (f.month < 1 || f.month > 12) return out_of_range("month", f.month, "01 to 12");
    if (f.day < 1 || f.day > days_in_month(f.year, f.month)) {
        return in.invalid("day " + std::to_string(f.day) + " does not exist in " +
                          std::string(text.substr(0, f.year_month_length)));
    }
    if (f.hour > 23) return out_of_range("hour", f.hour, "00 to 23");
    if (f.minute > 59) return out_of_range("minute", f.minute, "00 to 59");
    if (f.second == 60) {
        return in.invalid("second 60 is a leap second, which a time point cannot represent");
    }
    if (f.second > 59) return out_of_range("second", f.second, "00 to 59");
    if (offset_hour > 23) return out_of_range("offset hour", offset_hour, "00 to 23");
    if (offset_minute > 59) return out_of_range("offset minute", offset_minute, "00 to 59");
    f.offset_seconds = offset_sign * static_cast<int>(offset_hour * 3600 + offset_minute * 60);
    return true;
}

}  // namespace

std::string format_iso8601(std::int64_t ticks, std::intmax_t num, std::intmax_t den)
{
    return format_ticks(ticks, num, den);
}

error_code parse_iso8601(std::string_view text, std::intmax_t num, std::intmax_t den,
                         std::int64_t min_ticks, std::int64_t max_ticks, std::int64_t& ticks,
                         std::string* why)
{
    iso_fields f;
    if (!read_fields(text, f, why)) return errc::invalid_argument;
    reduce(num, den);

    const auto out_of_range = [&] {
        if (why) {
            *why = quoted_printable(text) + " is outside the range of this time point type (" +
                   format_ticks(min_ticks, num, den) + " to " + format_ticks(max_ticks, num, den) +
                   ")";
        }
        return error_code(errc::number_out_of_range);
    };
    const auto precision_loss = [&] {
        if (why) {
            const int digits = fraction_digits_for(num, den);
            *why = quoted_printable(text);
            if (num == 1 && digits == 0) {
                *why += " has a fraction of a second, which this time point type does not keep";
            } else if (num == 1 && pow10(digits) == den) {
                *why += " has nonzero digits beyond the " + std::to_string(digits) +
                        " fractional digits this time point type keeps";
            } else {
                *why += " is not a whole number of ticks of this time point type (" +
                        std::to_string(num) + (den == 1 ? "" : "/" + std::to_string(den)) + " s)";
            }
        }
        return error_code(errc::number_precision_loss);
    };

    const int128 seconds = days_from_civil(f.year, f.month, f.day) * 86400 + f.hour * 3600 +
                           f.minute * 60 + f.second - f.offset_seconds;

    // The exact time is value / 10^k seconds, k the fraction's digits up to its last nonzero one.
    std::string_view fraction = f.fraction;
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    constexpr std::size_t max_fraction_digits = 18;  // beyond any tick a 64-bit ratio can name
    if (fraction.size() > max_fraction_digits) return precision_loss();
    const int k = static_cast<int>(fraction.size());
    int128 fraction_value = 0;
    for (const char c : fraction) fraction_value = fraction_value * 10 + (c - '0');
    int128 value = 0;
    if (__builtin_mul_overflow(seconds, pow10(k), &value) ||
        __builtin_add_overflow(value, fraction_value, &value)) {
        return out_of_range();
    }

    // ticks = value * den / (num * 10^k), which must be a whole number.
    int128 divisor = int128(num) * pow10(k);
    int128 multiplier = den;
    const int128 common = gcd(divisor, multiplier);
    divisor /= common;
    multiplier /= common;
    if (value % divisor != 0) return precision_loss();
    int128 result = 0;
    if (__builtin_mul_overflow(value / divisor, multiplier, &result)) return out_of_range();
    if (result < min_ticks || result > max_ticks) return out_of_range();
    ticks = static_cast<std::int64_t>(result);
    return {};
}

}  // namespace detail
}  // namespace dynomite
