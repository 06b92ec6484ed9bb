// Times as DynamoDB attributes: ISO-8601 UTC text, and whole seconds since the epoch for TTL.
#pragma once

#include <dynomite/core/error.hpp>

#include <chrono>
#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace dynomite {

/// A time stored as a number: whole seconds since 1970-01-01T00:00:00Z, the form DynamoDB's
/// time to live reads. From a finer time:
/// `epoch_seconds{std::chrono::floor<std::chrono::seconds>(t)}`.
struct epoch_seconds {
    std::chrono::sys_seconds value{};

    friend constexpr bool operator==(const epoch_seconds&, const epoch_seconds&) = default;
    friend constexpr auto operator<=>(const epoch_seconds&, const epoch_seconds&) = default;
};

namespace detail {

/// Decimal digits needed to write one tick of num/den seconds exactly as a fraction of a second
/// (0 for whole seconds or coarser, 3 for milliseconds, 10 for 1/1024 s), or -1 when a tick is
/// not a finite decimal (1/3 s) or needs more than 18 digits.
constexpr int fraction_digits_for(std::intmax_t num, std::intmax_t den) noexcept
{
    if (num <= 0 || den <= 0) return -1;
    // Only the reduced denominator matters: 5/10 s is 1/2 s.
    std::intmax_t a = num;
    std::intmax_t b = den;
    while (b != 0) {
        const std::intmax_t r = a % b;
        a = b;
        b = r;
    }
    den /= a;
    int twos = 0;
    int fives = 0;
    while (den % 2 == 0) {
        den /= 2;
        ++twos;
    }
    while (den % 5 == 0) {
        den /= 5;
        ++fives;
    }
    if (den != 1) return -1;
    const int digits = twos > fives ? twos : fives;
    return digits <= 18 ? digits : -1;
}

std::string format_iso8601(std::int64_t ticks, std::intmax_t num, std::intmax_t den);
error_code parse_iso8601(std::string_view text, std::intmax_t num, std::intmax_t den,
                         std::int64_t min_ticks, std::int64_t max_ticks, std::int64_t& ticks,
                         std::string* why);

}  // namespace detail

/// A duration whose time points have an exact ISO-8601 spelling: a signed count of at most
/// 64 bits, of ticks that are whole seconds (or coarser) or decimal fractions of a second.
/// Every std::chrono duration qualifies; a duration counting thirds of a second does not.
template <class Duration>
concept iso8601_duration = std::signed_integral<typename Duration::rep> &&
                           (sizeof(typename Duration::rep) <= sizeof(std::int64_t)) &&
                           (detail::fraction_digits_for(Duration::period::num,
                                                        Duration::period::den) >= 0);

/// UTC with a "Z", e.g. "2026-11-24T23:32:35.123456Z" for a microsecond time point. The number
/// of fractional digits is fixed by Duration (none for seconds, 3 for milliseconds, 6 for
/// microseconds, 9 for nanoseconds), never by the value, so that the texts of one type sort in
/// time order, as a sort key needs. Years outside 0000..9999 take a sign and at least four
/// digits ("+10000-01-01T00:00:00Z", "-0001-12-31T00:00:00Z"), as ISO 8601's expanded form.
template <iso8601_duration Duration>
std::string format_iso8601(std::chrono::sys_time<Duration> time)
{
    return detail::format_iso8601(static_cast<std::int64_t>(time.time_since_epoch().count()),
                                  Duration::period::num, Duration::period::den);
}

/// Reads an ISO-8601 (RFC 3339) date and time with its UTC offset:
/// `YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)`. Also accepted: 't' or a space for 'T',
/// 'z' for 'Z', ',' for '.', offsets written ±hhmm or ±hh, and expanded years (a sign and four
/// or more digits). The fraction may have any number of digits.
///
/// Fails, leaving `out` unchanged, with errc::invalid_argument when the text is not such a time
/// (a time without an offset is refused as ambiguous, and the leap second :60 as not
/// representable), errc::number_out_of_range when the time lies outside what
/// sys_time<Duration> holds, and errc::number_precision_loss when the fraction has nonzero
/// digits finer than one tick of Duration.
template <iso8601_duration Duration>
error_code parse_iso8601(std::string_view text, std::chrono::sys_time<Duration>& out,
                         std::string* why = nullptr)
{
    using rep = typename Duration::rep;
    std::int64_t ticks = 0;
    if (error_code ec = detail::parse_iso8601(text, Duration::period::num, Duration::period::den,
                                              std::numeric_limits<rep>::min(),
                                              std::numeric_limits<rep>::max(), ticks, why)) {
        return ec;
    }
    out = std::chrono::sys_time<Duration>(Duration(static_cast<rep>(ticks)));
    return {};
}

}  // namespace dynomite
