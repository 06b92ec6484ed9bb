// Attribute converters: every built-in type both ways, the opt-in enums and structs, user
// converters, and the ISO-8601 time format.
#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/time.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace converter_test {

enum class color { red, green, blue };
enum class plain { one, two };
enum class level : std::uint8_t { low = 1, high = 200 };

struct address {
    std::string street;
    std::int32_t zip = 99999;
    std::optional<std::string> unit;
    std::set<std::string> tags;

    friend bool operator==(const address&, const address&) = default;
};

struct person {
    std::string name;
    address home;
    std::vector<address> previous;
    color favourite = color::green;

    friend bool operator==(const person&, const person&) = default;
};

struct duplicate_names {
    int a = 0;
    int b = 0;
};

struct empty_name {
    int a = 0;
};

// Stored as N, a whole number of cents.
struct money {
    std::int64_t cents = 0;
    friend bool operator==(const money&, const money&) = default;
};

// Stored as S, exactly eight upper-case letters or digits.
struct sku {
    std::string code;
    bool empty() const { return code.empty(); }
    friend bool operator==(const sku&, const sku&) = default;
};

}  // namespace converter_test

namespace dynomite {

template <>
struct enum_names<converter_test::color> {
    static constexpr std::array<std::pair<converter_test::color, std::string_view>, 3> values{{
        {converter_test::color::red, "red"},
        {converter_test::color::green, "green"},
        {converter_test::color::blue, "blue"},
    }};
};

template <>
struct enum_names<converter_test::level> {
    static constexpr std::array<std::pair<converter_test::level, std::string_view>, 2> values{{
        {converter_test::level::low, "low"},
        {converter_test::level::high, "high"},
    }};
};

template <>
struct struct_fields<converter_test::address> {
    static constexpr auto fields = std::make_tuple(
        field("street", &converter_test::address::street),
        field("zip", &converter_test::address::zip), field("unit", &converter_test::address::unit),
        field("tags", &converter_test::address::tags));
};

template <>
struct struct_fields<converter_test::person> {
    static constexpr auto fields = std::make_tuple(
        field("name", &converter_test::person::name), field("home", &converter_test::person::home),
        field("previous", &converter_test::person::previous),
        field("favourite", &converter_test::person::favourite));
};

template <>
struct struct_fields<converter_test::duplicate_names> {
    static constexpr auto fields = std::make_tuple(field("a", &converter_test::duplicate_names::a),
                                                   field("a", &converter_test::duplicate_names::b));
};

template <>
struct struct_fields<converter_test::empty_name> {
    static constexpr auto fields = std::make_tuple(field("", &converter_test::empty_name::a));
};

template <>
struct attribute_converter<converter_test::money> {
    static attribute_value to_attribute(const converter_test::money& m)
    {
        return number::from_int(m.cents);
    }
    static error_code from_attribute(const attribute_value& v, converter_test::money& out,
                                     std::string* why)
    {
        return dynomite::from_attribute(v, out.cents, why);
    }
};

template <>
struct attribute_converter<converter_test::sku> {
    static attribute_value to_attribute(const converter_test::sku& s) { return s.code; }
    static error_code from_attribute(const attribute_value& v, converter_test::sku& out,
                                     std::string* why)
    {
        std::string code;
        if (error_code ec = dynomite::from_attribute(v, code, why)) return ec;
        const bool valid = code.size() == 8 && std::all_of(code.begin(), code.end(), [](char c) {
                               return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                           });
        if (!valid) {
            if (why) *why = "a sku is eight upper-case letters or digits, got \"" + code + "\"";
            return errc::invalid_argument;
        }
        out.code = std::move(code);
        return {};
    }
};

namespace {

using namespace std::chrono;
using namespace std::string_literals;
using converter_test::address;
using converter_test::color;
using converter_test::money;
using converter_test::person;
using converter_test::sku;

template <class T>
T round_trip(const T& value)
{
    const attribute_value stored = to_attribute(value);
    T back{};
    std::string why;
    const error_code ec = from_attribute(stored, back, &why);
    EXPECT_FALSE(ec) << why;
    return back;
}

struct failure {
    error_code ec;
    std::string why;
};

// Reads `v` into a T that starts as `initial`, checks the failure leaves it unchanged.
template <class T>
failure read_failure(const attribute_value& v, const T& initial = T{})
{
    T out = initial;
    std::string why;
    const error_code ec = from_attribute(v, out, &why);
    EXPECT_TRUE(ec) << "reading succeeded";
    EXPECT_TRUE(out == initial) << "the output changed on failure";
    // Without a message buffer the outcome is the same.
    T again = initial;
    EXPECT_EQ(from_attribute(v, again), ec);
    return {ec, why};
}

attribute_value n(std::string_view text)
{
    return number(text);
}

// ---------------------------------------------------------------------------------------------
// Scalars.

TEST(converter_string, writes_s_and_reads_it_back)
{
    EXPECT_EQ(to_attribute("héllo"s), attribute_value("héllo"));
    EXPECT_EQ(round_trip(""s), "");
    EXPECT_EQ(round_trip("text"s), "text");
}

TEST(converter_string, refuses_other_types)
{
    const failure f = read_failure<std::string>(n("12"), "kept");
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected S for a std::string field, got N");
}

TEST(converter_bool, writes_bool)
{
    EXPECT_EQ(to_attribute(true), attribute_value(true));
    EXPECT_TRUE(round_trip(true));
    EXPECT_FALSE(round_trip(false));
    const failure f = read_failure<bool>(attribute_value("true"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected BOOL for a bool field, got S");
}

TEST(converter_integer, writes_exact_numbers)
{
    EXPECT_EQ(to_attribute(std::int32_t{-42}).as_n().text(), "-42");
    EXPECT_EQ(to_attribute(std::numeric_limits<std::int64_t>::min()).as_n().text(),
              "-9223372036854775808");
    EXPECT_EQ(to_attribute(std::numeric_limits<std::uint64_t>::max()).as_n().text(),
              "18446744073709551615");
}

TEST(converter_integer, round_trips_the_limits_of_every_width)
{
    EXPECT_EQ(round_trip(std::numeric_limits<std::int8_t>::min()), -128);
    EXPECT_EQ(round_trip(std::numeric_limits<std::uint8_t>::max()), 255);
    EXPECT_EQ(round_trip(std::numeric_limits<std::int16_t>::min()), -32768);
    EXPECT_EQ(round_trip(std::numeric_limits<std::uint16_t>::max()), 65535);
    EXPECT_EQ(round_trip(std::numeric_limits<std::int32_t>::max()), 2147483647);
    EXPECT_EQ(round_trip(std::numeric_limits<std::uint32_t>::max()), 4294967295u);
    EXPECT_EQ(round_trip(std::numeric_limits<std::int64_t>::min()),
              std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(round_trip(std::numeric_limits<std::uint64_t>::max()),
              std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(round_trip(-5LL), -5LL);
    EXPECT_EQ(round_trip(7UL), 7UL);
}

TEST(converter_integer, reads_any_spelling_of_a_whole_number)
{
    std::int32_t v = 0;
    EXPECT_FALSE(from_attribute(n("1e2"), v));
    EXPECT_EQ(v, 100);
    EXPECT_FALSE(from_attribute(n("-0"), v));
    EXPECT_EQ(v, 0);
    EXPECT_FALSE(from_attribute(n("42.000"), v));
    EXPECT_EQ(v, 42);
}

TEST(converter_integer, refuses_values_out_of_range)
{
    failure f = read_failure<std::int32_t>(n("3000000000"), 7);
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "3000000000 does not fit std::int32_t");

    f = read_failure<std::int32_t>(n("-2147483649"));
    EXPECT_EQ(f.why, "-2147483649 does not fit std::int32_t");

    f = read_failure<std::uint32_t>(n("-1"));
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "-1 does not fit std::uint32_t");

    f = read_failure<std::int8_t>(n("128"));
    EXPECT_EQ(f.why, "128 does not fit std::int8_t");

    f = read_failure<std::uint8_t>(n("256"));
    EXPECT_EQ(f.why, "256 does not fit std::uint8_t");

    f = read_failure<std::int16_t>(n("40000"));
    EXPECT_EQ(f.why, "40000 does not fit std::int16_t");

    f = read_failure<std::int64_t>(n("1e20"));
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "1e20 does not fit std::int64_t");

    f = read_failure<std::uint64_t>(n("18446744073709551616"));
    EXPECT_EQ(f.why, "18446744073709551616 does not fit std::uint64_t");
}

TEST(converter_integer, refuses_fractions)
{
    failure f = read_failure<std::int32_t>(n("1.5"));
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why, "1.5 is not a whole number, as std::int32_t requires");

    f = read_failure<std::uint16_t>(n("0.25"));
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why, "0.25 is not a whole number, as std::uint16_t requires");
}

TEST(converter_integer, refuses_other_types)
{
    failure f = read_failure<std::int32_t>(attribute_value("12"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected N for a std::int32_t field, got S");

    f = read_failure<std::uint64_t>(attribute_value(true));
    EXPECT_EQ(f.why, "expected N for a std::uint64_t field, got BOOL");
}

TEST(converter_integer, character_types_have_no_converter)
{
    static_assert(!attribute_convertible<char>);
    static_assert(!attribute_convertible<char32_t>);
    static_assert(!attribute_convertible<wchar_t>);
    static_assert(attribute_convertible<signed char>);
    static_assert(attribute_convertible<unsigned char>);
    SUCCEED();
}

TEST(converter_floating, writes_the_shortest_text)
{
    EXPECT_EQ(to_attribute(0.1).as_n().text(), "0.1");
    EXPECT_EQ(to_attribute(0.1f).as_n().text(), "0.1");
    EXPECT_EQ(to_attribute(-0.0).as_n().text(), "0");
    EXPECT_EQ(to_attribute(-0.0f).as_n().text(), "0");
    EXPECT_EQ(to_attribute(1e30f).as_n(), number("1e30"));
}

TEST(converter_floating, round_trips)
{
    for (const double d : {0.1, -2.5, 1e125, 1e-130, 3.141592653589793, 1.0 / 3.0}) {
        EXPECT_EQ(round_trip(d), d);
    }
    for (const float f : {0.1f, -2.5f, std::numeric_limits<float>::max(),
                          std::numeric_limits<float>::denorm_min(), 1.0f / 3.0f}) {
        EXPECT_EQ(round_trip(f), f);
    }
}

TEST(converter_floating, refuses_to_write_what_dynamodb_cannot_store)
{
    try {
        to_attribute(std::numeric_limits<double>::quiet_NaN());
        FAIL() << "NaN was written";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_number);
        EXPECT_NE(std::string(e.what()).find("NaN is not a DynamoDB number"), std::string::npos)
            << e.what();
    }
    try {
        to_attribute(-std::numeric_limits<float>::infinity());
        FAIL() << "infinity was written";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_number);
        EXPECT_NE(std::string(e.what()).find("infinity is not a DynamoDB number"),
                  std::string::npos)
            << e.what();
    }
    try {
        to_attribute(1e200);
        FAIL() << "1e200 was written";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_number);
        EXPECT_NE(std::string(e.what()).find("1e+200 is outside DynamoDB's number range"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(to_attribute(std::numeric_limits<double>::denorm_min()), error);
}

TEST(converter_floating, refuses_to_read_with_lost_digits)
{
    failure f = read_failure<double>(n("0.1000000000000000055511151231257827"));
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why,
              "0.1000000000000000055511151231257827 cannot be read as a double without losing "
              "digits");

    f = read_failure<float>(n("0.10000000149011612"));
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why, "0.10000000149011612 cannot be read as a float without losing digits");

    f = read_failure<float>(n("1e-50"));
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why, "1e-50 cannot be read as a float without losing digits");
}

TEST(converter_floating, reads_numbers_with_a_plus_sign)
{
    double d = 0;
    EXPECT_FALSE(from_attribute(n("+2.5"), d));
    EXPECT_EQ(d, 2.5);
    float f = 0;
    EXPECT_FALSE(from_attribute(n("+2.5"), f));
    EXPECT_EQ(f, 2.5f);
}

TEST(converter_floating, refuses_floats_out_of_range_and_other_types)
{
    failure f = read_failure<float>(n("1e39"));
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "1e39 does not fit float");

    f = read_failure<float>(n("-1e39"));
    EXPECT_EQ(f.ec, errc::number_out_of_range);

    f = read_failure<double>(attribute_value("0.5"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected N for a double field, got S");
}

TEST(converter_number, is_exact)
{
    const number exact("123.4500000000000000000000000000000001");
    EXPECT_EQ(to_attribute(exact).as_n().text(), exact.text());
    EXPECT_EQ(round_trip(exact).text(), exact.text());
    const failure f = read_failure<number>(attribute_value("1"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected N for a dynomite::number field, got S");
}

TEST(converter_bytes, writes_b)
{
    const bytes data = to_bytes(std::string_view("\x00\xff\x10", 3));
    EXPECT_EQ(to_attribute(data), attribute_value(data));
    EXPECT_EQ(round_trip(data), data);
    const failure f = read_failure<bytes>(attribute_value("AAEC"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected B for a dynomite::bytes field, got S");
}

TEST(converter_identity, attribute_values_and_maps_pass_through)
{
    const attribute_value list = attribute_list{1, "two", null_value{}};
    EXPECT_EQ(to_attribute(list), list);
    EXPECT_EQ(round_trip(list), list);
    EXPECT_EQ(round_trip(attribute_value()), attribute_value());

    const attribute_map m{{"a", 1}, {"b", attribute_map{{"c", true}}}};
    EXPECT_EQ(to_attribute(m), attribute_value(m));
    EXPECT_EQ(round_trip(m), m);
    const failure f = read_failure<attribute_map>(list, attribute_map{{"kept", 1}});
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected M for a dynomite::attribute_map field, got L");
}

// ---------------------------------------------------------------------------------------------
// Time.

template <class Duration>
std::string formatted(sys_time<Duration> t)
{
    return format_iso8601(t);
}

template <class Duration>
sys_time<Duration> parsed(std::string_view text)
{
    sys_time<Duration> out{};
    std::string why;
    const error_code ec = parse_iso8601(text, out, &why);
    EXPECT_FALSE(ec) << text << ": " << why;
    return out;
}

template <class Duration = nanoseconds>
failure parse_failure(std::string_view text)
{
    const sys_time<Duration> initial{Duration{12345}};
    sys_time<Duration> out = initial;
    std::string why;
    const error_code ec = parse_iso8601(text, out, &why);
    EXPECT_TRUE(ec) << text << " was accepted";
    EXPECT_EQ(out, initial) << text;
    return {ec, why};
}

constexpr sys_days day_of(int y, unsigned m, unsigned d)
{
    return sys_days{year{y} / month{m} / day{d}};
}

TEST(iso8601, keeps_the_precision_of_the_type)
{
    const sys_seconds second = day_of(2026, 11, 24) + 23h + 32min + 35s;
    EXPECT_EQ(formatted(second), "2026-11-24T23:32:35Z");
    EXPECT_EQ(formatted(time_point_cast<milliseconds>(second) + 123ms), "2026-11-24T23:32:35.123Z");
    EXPECT_EQ(formatted(time_point_cast<microseconds>(second) + 123456us),
              "2026-11-24T23:32:35.123456Z");
    EXPECT_EQ(formatted(time_point_cast<nanoseconds>(second) + 123456789ns),
              "2026-11-24T23:32:35.123456789Z");
    // Trailing zeros stay, so that all the texts of one type have the same length.
    EXPECT_EQ(formatted(time_point_cast<microseconds>(second)), "2026-11-24T23:32:35.000000Z");
    EXPECT_EQ(formatted(day_of(2026, 11, 24)), "2026-11-24T00:00:00Z");
    EXPECT_EQ(formatted(time_point_cast<minutes>(second)), "2026-11-24T23:32:00Z");
}

TEST(iso8601, texts_of_one_type_sort_in_time_order)
{
    const sys_time<microseconds> base =
        time_point_cast<microseconds>(sys_days(day_of(1999, 12, 31)));
    std::vector<std::string> texts;
    for (const microseconds step :
         {0us, 1us, 999999us, 1000000us, 86400000000us, 1000000000000us}) {
        texts.push_back(formatted(base + step));
    }
    EXPECT_TRUE(std::is_sorted(texts.begin(), texts.end()));
}

TEST(iso8601, handles_leap_years)
{
    EXPECT_EQ(formatted(day_of(2024, 2, 29)), "2024-02-29T00:00:00Z");
    EXPECT_EQ(formatted(day_of(2024, 2, 28) + days{1}), "2024-02-29T00:00:00Z");
    EXPECT_EQ(formatted(day_of(2023, 2, 28) + days{1}), "2023-03-01T00:00:00Z");
    EXPECT_EQ(formatted(day_of(2000, 2, 28) + days{1}), "2000-02-29T00:00:00Z");
    EXPECT_EQ(formatted(day_of(1900, 2, 28) + days{1}), "1900-03-01T00:00:00Z");
    EXPECT_EQ(parsed<seconds>("2000-02-29T12:00:00Z"), day_of(2000, 2, 29) + 12h);
    EXPECT_EQ(parsed<seconds>("2400-02-29T00:00:00Z"), sys_seconds(day_of(2400, 2, 29)));
    EXPECT_EQ(parse_failure("2023-02-29T00:00:00Z").why,
              "\"2023-02-29T00:00:00Z\" is not an ISO-8601 date and time: day 29 does not exist "
              "in 2023-02");
    EXPECT_EQ(parse_failure("1900-02-29T00:00:00Z").ec, errc::invalid_argument);
    EXPECT_EQ(parse_failure("2100-02-29T00:00:00Z").ec, errc::invalid_argument);
    EXPECT_EQ(parse_failure("2024-04-31T00:00:00Z").ec, errc::invalid_argument);
}

TEST(iso8601, handles_dates_before_1970)
{
    EXPECT_EQ(formatted(sys_time<microseconds>(-1us)), "1969-12-31T23:59:59.999999Z");
    EXPECT_EQ(formatted(sys_seconds(-2208988800s)), "1900-01-01T00:00:00Z");
    EXPECT_EQ(formatted(sys_seconds(-62135596800s)), "0001-01-01T00:00:00Z");
    EXPECT_EQ(formatted(sys_seconds(-62135596801s)), "0000-12-31T23:59:59Z");
    EXPECT_EQ(formatted(sys_time<milliseconds>(-1500ms)), "1969-12-31T23:59:58.500Z");
    EXPECT_EQ(parsed<microseconds>("1969-12-31T23:59:59.999999Z"), sys_time<microseconds>(-1us));
    EXPECT_EQ(parsed<seconds>("1600-03-01T00:00:00Z"), sys_seconds(day_of(1600, 3, 1)));
}

TEST(iso8601, writes_expanded_years_outside_0000_to_9999)
{
    EXPECT_EQ(formatted(day_of(10000, 1, 1)), "+10000-01-01T00:00:00Z");
    EXPECT_EQ(formatted(day_of(-1, 12, 31)), "-0001-12-31T00:00:00Z");
    EXPECT_EQ(formatted(day_of(-12345, 6, 7)), "-12345-06-07T00:00:00Z");
    EXPECT_EQ(parsed<days>("+10000-01-01T00:00:00Z"), day_of(10000, 1, 1));
    EXPECT_EQ(parsed<days>("-0001-12-31T00:00:00Z"), day_of(-1, 12, 31));
    EXPECT_EQ(parsed<days>("+2026-11-24T00:00:00Z"), day_of(2026, 11, 24));
}

TEST(iso8601, agrees_with_the_standard_calendar)
{
    // Every 97th day over ±32000 years, checked against std::chrono's own civil calendar.
    const int first = static_cast<int>(day_of(-32000, 1, 1).time_since_epoch().count());
    const int last = static_cast<int>(day_of(32000, 12, 31).time_since_epoch().count());
    for (int d = first; d <= last; d += 97) {
        const sys_days day{days{d}};
        const year_month_day ymd{day};
        const std::string text = formatted(day);
        const int y = static_cast<int>(ymd.year());
        char expected[40];
        std::snprintf(expected, sizeof expected, "%s%04d-%02u-%02uT00:00:00Z",
                      y < 0 ? "-" : (y > 9999 ? "+" : ""), y < 0 ? -y : y,
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
        ASSERT_EQ(text, expected) << d;
        ASSERT_EQ(parsed<days>(text), day) << text;
    }
}

TEST(iso8601, round_trips_the_limits_of_the_types)
{
    for (const auto t :
         {sys_time<nanoseconds>::min(), sys_time<nanoseconds>::max(), sys_time<nanoseconds>{}}) {
        EXPECT_EQ(parsed<nanoseconds>(formatted(t)), t) << formatted(t);
    }
    EXPECT_EQ(formatted(sys_time<nanoseconds>::min()), "1677-09-21T00:12:43.145224192Z");
    EXPECT_EQ(formatted(sys_time<nanoseconds>::max()), "2262-04-11T23:47:16.854775807Z");
    for (const auto t : {sys_seconds::min(), sys_seconds::max()}) {
        EXPECT_EQ(parsed<seconds>(formatted(t)), t) << formatted(t);
    }
    for (const auto t : {sys_days::min(), sys_days::max()}) {
        EXPECT_EQ(parsed<days>(formatted(t)), t) << formatted(t);
    }
    // A wide sample of seconds.
    for (std::int64_t s = -60'000'000'000'000; s < 60'000'000'000'000; s += 7'777'777'777'777) {
        const sys_seconds t{seconds{s}};
        EXPECT_EQ(parsed<seconds>(formatted(t)), t) << formatted(t);
    }
}

TEST(iso8601, reads_offsets)
{
    const sys_seconds noon = day_of(2026, 6, 1) + 12h;
    EXPECT_EQ(parsed<seconds>("2026-06-01T12:00:00Z"), noon);
    EXPECT_EQ(parsed<seconds>("2026-06-01T12:00:00z"), noon);
    EXPECT_EQ(parsed<seconds>("2026-06-01T12:00:00+00:00"), noon);
    EXPECT_EQ(parsed<seconds>("2026-06-01T12:00:00-00:00"), noon);
    EXPECT_EQ(parsed<seconds>("2026-06-01T14:00:00+02:00"), noon);
    EXPECT_EQ(parsed<seconds>("2026-06-01T06:30:00-05:30"), noon);
    EXPECT_EQ(parsed<seconds>("2026-06-01T17:30:00+0530"), noon);
    EXPECT_EQ(parsed<seconds>("2026-06-01T09:00:00-03"), noon);
    // Offsets move the date too.
    EXPECT_EQ(parsed<seconds>("2026-01-01T00:30:00+01:00"), day_of(2025, 12, 31) + 23h + 30min);
    EXPECT_EQ(parsed<seconds>("2024-02-28T23:00:00-02:00"), day_of(2024, 2, 29) + 1h);
}

TEST(iso8601, reads_separator_and_decimal_variants)
{
    const sys_time<milliseconds> t = day_of(2026, 6, 1) + 12h + 500ms;
    EXPECT_EQ(parsed<milliseconds>("2026-06-01t12:00:00.5Z"), t);
    EXPECT_EQ(parsed<milliseconds>("2026-06-01 12:00:00,5Z"), t);
}

TEST(iso8601, reads_fractions_of_any_length)
{
    const sys_seconds base = day_of(2026, 6, 1);
    EXPECT_EQ(parsed<milliseconds>("2026-06-01T00:00:00.1Z"), base + 100ms);
    EXPECT_EQ(parsed<nanoseconds>("2026-06-01T00:00:00.1Z"), base + 100ms);
    EXPECT_EQ(parsed<nanoseconds>("2026-06-01T00:00:00.123456789000000000000000000Z"),
              base + 123456789ns);
    EXPECT_EQ(parsed<seconds>("2026-06-01T00:00:00.000Z"), base);
    EXPECT_EQ(parsed<microseconds>("1969-12-31T23:59:59.9999990Z"), sys_time<microseconds>(-1us));
}

TEST(iso8601, refuses_digits_finer_than_a_tick)
{
    failure f = parse_failure("2026-06-01T00:00:00.1234567891Z");
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why,
              "\"2026-06-01T00:00:00.1234567891Z\" has nonzero digits beyond the 9 fractional "
              "digits this time point type keeps");

    f = parse_failure<seconds>("2026-06-01T00:00:00.5Z");
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why,
              "\"2026-06-01T00:00:00.5Z\" has a fraction of a second, which this time point "
              "type does not keep");

    f = parse_failure<minutes>("2026-06-01T00:00:30Z");
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why,
              "\"2026-06-01T00:00:30Z\" is not a whole number of ticks of this time point type "
              "(60 s)");

    f = parse_failure<nanoseconds>("2026-06-01T00:00:00.0000000000000000001Z");
    EXPECT_EQ(f.ec, errc::number_precision_loss);
}

TEST(iso8601, refuses_times_outside_the_range_of_the_type)
{
    failure f = parse_failure("2300-01-01T00:00:00Z");
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why,
              "\"2300-01-01T00:00:00Z\" is outside the range of this time point type "
              "(1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z)");

    using seconds32 = duration<std::int32_t>;
    f = parse_failure<seconds32>("2040-01-01T00:00:00Z");
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why,
              "\"2040-01-01T00:00:00Z\" is outside the range of this time point type "
              "(1901-12-13T20:45:52Z to 2038-01-19T03:14:07Z)");

    f = parse_failure<seconds>("+9999999999999999999-01-01T00:00:00Z");
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    f = parse_failure<seconds>("-9999999999999999999-01-01T00:00:00.5Z");
    EXPECT_TRUE(f.ec == errc::number_out_of_range || f.ec == errc::number_precision_loss);
    f = parse_failure<nanoseconds>("+9999999999999999999-01-01T00:00:00.123456789Z");
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    // Beyond even the 128-bit intermediate arithmetic.
    f = parse_failure<nanoseconds>("+9999999999999999999-01-01T00:00:00.000000000000000001Z");
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    f = parse_failure<duration<std::int64_t, std::atto>>("+9999999999999999999-01-01T00:00:00Z");
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why,
              "\"+9999999999999999999-01-01T00:00:00Z\" is outside the range of this time point "
              "type (1969-12-31T23:59:50.776627963145224192Z to "
              "1970-01-01T00:00:09.223372036854775807Z)");
}

TEST(iso8601, reports_malformed_text_precisely)
{
    const std::string prefix = " is not an ISO-8601 date and time: ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "expected a four-digit year at offset 0"},
        {"26-11-24T00:00:00Z", "expected a four-digit year at offset 0"},
        {"20261-11-24T00:00:00Z", "a year of more than four digits needs a sign (\"+10000\")"},
        {"+123-11-24T00:00:00Z", "expected at least four digits of the year at offset 1"},
        {"+12345678901234567890-01-01T00:00:00Z", "the year has more than 19 digits"},
        {"2026/11/24T00:00:00Z", "expected '-' after the year at offset 4"},
        {"2026-1-24T00:00:00Z", "expected a two-digit month at offset 5"},
        {"2026-11/24T00:00:00Z", "expected '-' after the month at offset 7"},
        {"2026-11-2T00:00:00Z", "expected a two-digit day at offset 8"},
        {"2026-11-24", "it has no time of day"},
        {"2026-11-24X00:00:00Z", "expected 'T' between the date and the time at offset 10"},
        {"2026-11-24T0:00:00Z", "expected a two-digit hour at offset 11"},
        {"2026-11-24T00-00:00Z", "expected ':' after the hour at offset 13"},
        {"2026-11-24T00:0:00Z", "expected a two-digit minute at offset 14"},
        {"2026-11-24T00:00Z", "expected ':' after the minute at offset 16"},
        {"2026-11-24T00:00:0Z", "expected a two-digit second at offset 17"},
        {"2026-11-24T00:00:00.Z", "expected a digit after the decimal sign at offset 20"},
        {"2026-11-24T00:00:00",
         "it has no UTC offset, so the time is ambiguous; add \"Z\" or \"+hh:mm\""},
        {"2026-11-24T00:00:00.5",
         "it has no UTC offset, so the time is ambiguous; add \"Z\" or \"+hh:mm\""},
        {"2026-11-24T00:00:00X", "expected 'Z' or a UTC offset (\"+hh:mm\") at offset 19"},
        {"2026-11-24T00:00:00Zjunk", "unexpected text at offset 20"},
        {"2026-11-24T00:00:00+1", "expected a two-digit offset hour at offset 20"},
        {"2026-11-24T00:00:00+01:5", "expected a two-digit offset minute at offset 23"},
        {"2026-11-24T00:00:00+015", "expected a two-digit offset minute at offset 22"},
        {"2026-11-24T00:00:00+01:00:00", "unexpected text at offset 25"},
        {"2026-13-01T00:00:00Z", "month 13 is out of range (01 to 12)"},
        {"2026-00-01T00:00:00Z", "month 0 is out of range (01 to 12)"},
        {"2026-11-00T00:00:00Z", "day 0 does not exist in 2026-11"},
        {"2026-12-32T00:00:00Z", "day 32 does not exist in 2026-12"},
        {"2026-11-24T24:00:00Z", "hour 24 is out of range (00 to 23)"},
        {"2026-11-24T00:60:00Z", "minute 60 is out of range (00 to 59)"},
        {"2026-12-31T23:59:60Z", "second 60 is a leap second, which a time point cannot represent"},
        {"2026-11-24T00:00:61Z", "second 61 is out of range (00 to 59)"},
        {"2026-11-24T00:00:00+24:00", "offset hour 24 is out of range (00 to 23)"},
        {"2026-11-24T00:00:00-01:60", "offset minute 60 is out of range (00 to 59)"},
    };
    for (const auto& [text, detail] : cases) {
        const failure f = parse_failure(text);
        EXPECT_EQ(f.ec, errc::invalid_argument) << text;
        EXPECT_EQ(f.why, "\"" + text + "\"" + prefix + detail);
    }
}

TEST(iso8601, quotes_long_or_binary_text_safely)
{
    const failure f = parse_failure(std::string(100, '9'));
    EXPECT_EQ(f.why, "\"" + std::string(64, '9') + "...\"" +
                         " is not an ISO-8601 date and time: a year of more than four digits "
                         "needs a sign (\"+10000\")");
    const failure g = parse_failure("\x01\"");
    EXPECT_EQ(g.why,
              "\"?\\\"\" is not an ISO-8601 date and time: expected a four-digit year at offset 0");
}

TEST(iso8601, works_with_unusual_ticks)
{
    static_assert(!iso8601_duration<duration<std::int64_t, std::ratio<1, 3>>>);
    static_assert(!iso8601_duration<duration<double>>);
    static_assert(!iso8601_duration<duration<std::uint64_t>>);
    static_assert(iso8601_duration<duration<std::int32_t, std::milli>>);
    static_assert(detail::fraction_digits_for(1, 1024) == 10);
    static_assert(detail::fraction_digits_for(5, 10) == 1);
    static_assert(detail::fraction_digits_for(1, 3) == -1);
    static_assert(detail::fraction_digits_for(0, 1) == -1);

    using kibi = duration<std::int64_t, std::ratio<1, 1024>>;
    EXPECT_EQ(formatted(sys_time<kibi>(kibi{1})), "1970-01-01T00:00:00.0009765625Z");
    EXPECT_EQ(parsed<kibi>("1970-01-01T00:00:00.0009765625Z"), sys_time<kibi>(kibi{1}));
    const failure f = parse_failure<kibi>("1970-01-01T00:00:00.001Z");
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why,
              "\"1970-01-01T00:00:00.001Z\" is not a whole number of ticks of this time point "
              "type (1/1024 s)");

    using half_seconds = duration<std::int64_t, std::ratio<1, 2>>;
    EXPECT_EQ(formatted(sys_time<half_seconds>(half_seconds{3})), "1970-01-01T00:00:01.5Z");
    EXPECT_EQ(parsed<half_seconds>("1970-01-01T00:00:01.5Z"),
              sys_time<half_seconds>(half_seconds{3}));
}

TEST(converter_time, stores_time_points_as_iso_text)
{
    const sys_time<microseconds> t = day_of(2026, 11, 24) + 23h + 32min + 35s + 123456us;
    EXPECT_EQ(to_attribute(t), attribute_value("2026-11-24T23:32:35.123456Z"));
    EXPECT_EQ(round_trip(t), t);
    const system_clock::time_point now = system_clock::now();
    EXPECT_EQ(round_trip(now), now);
    EXPECT_EQ(round_trip(sys_seconds(-5s)), sys_seconds(-5s));
}

TEST(converter_time, refuses_other_types_and_bad_text)
{
    failure f = read_failure<sys_time<microseconds>>(n("1764027155"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why,
              "expected S for a std::chrono::sys_time<std::chrono::microseconds> field, got N");

    f = read_failure<sys_seconds>(attribute_value("yesterday"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why,
              "\"yesterday\" is not an ISO-8601 date and time: expected a four-digit year at "
              "offset 0");

    f = read_failure<sys_seconds>(attribute_value("2026-11-24T23:32:35.5Z"));
    EXPECT_EQ(f.ec, errc::number_precision_loss);

    f = read_failure<sys_time<duration<std::int32_t, std::ratio<1, 10>>>>(attribute_value("x"));
    EXPECT_NE(f.why.find("expected a four-digit year"), std::string::npos);
    f = read_failure<sys_time<duration<std::int32_t, std::ratio<1, 10>>>>(n("1"));
    EXPECT_EQ(f.why,
              "expected S for a std::chrono::sys_time<std::chrono::duration<std::int32_t, "
              "std::ratio<1, 10>>> field, got N");
    f = read_failure<sys_time<duration<std::int64_t, std::ratio<2>>>>(n("1"));
    EXPECT_EQ(f.why,
              "expected S for a std::chrono::sys_time<std::chrono::duration<std::int64_t, "
              "std::ratio<2>>> field, got N");
}

TEST(converter_time, names_the_standard_durations)
{
    EXPECT_EQ(detail::label_of<sys_seconds>(), "std::chrono::sys_time<std::chrono::seconds>");
    EXPECT_EQ(detail::label_of<sys_time<milliseconds>>(),
              "std::chrono::sys_time<std::chrono::milliseconds>");
    EXPECT_EQ(detail::label_of<sys_time<nanoseconds>>(),
              "std::chrono::sys_time<std::chrono::nanoseconds>");
    EXPECT_EQ(detail::label_of<sys_time<minutes>>(), "std::chrono::sys_time<std::chrono::minutes>");
    EXPECT_EQ(detail::label_of<sys_time<hours>>(), "std::chrono::sys_time<std::chrono::hours>");
    EXPECT_EQ(detail::label_of<sys_days>(), "std::chrono::sys_time<std::chrono::days>");
}

TEST(converter_epoch_seconds, stores_whole_seconds_as_n)
{
    const epoch_seconds ttl{sys_seconds(1764027155s)};
    EXPECT_EQ(to_attribute(ttl), n("1764027155"));
    EXPECT_EQ(round_trip(ttl), ttl);
    const epoch_seconds before{sys_seconds(-86400s)};
    EXPECT_EQ(to_attribute(before), n("-86400"));
    EXPECT_EQ(round_trip(before), before);
}

TEST(converter_epoch_seconds, compares)
{
    const epoch_seconds a{sys_seconds(10s)};
    const epoch_seconds b{sys_seconds(20s)};
    EXPECT_TRUE(a < b);
    EXPECT_TRUE(b > a);
    EXPECT_TRUE(a <= a);
    EXPECT_TRUE(a == epoch_seconds{sys_seconds(10s)});
    EXPECT_TRUE(a != b);
    EXPECT_EQ(epoch_seconds{}.value.time_since_epoch().count(), 0);
}

TEST(converter_epoch_seconds, refuses_fractions_and_other_types)
{
    failure f = read_failure<epoch_seconds>(n("1700000000.5"));
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why, "1700000000.5 is not a whole number, as dynomite::epoch_seconds requires");

    f = read_failure<epoch_seconds>(n("1e30"));
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "1e30 does not fit dynomite::epoch_seconds");

    f = read_failure<epoch_seconds>(attribute_value("2026-11-24T23:32:35Z"));
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected N for a dynomite::epoch_seconds field, got S");
}

// ---------------------------------------------------------------------------------------------
// Sets.

TEST(converter_set, stores_strings_as_ss)
{
    const std::set<std::string> tags{"b", "a"};
    EXPECT_EQ(to_attribute(tags), attribute_value(string_set{{"a", "b"}}));
    EXPECT_EQ(round_trip(tags), tags);
    const std::unordered_set<std::string> unordered{"x", "y", "z"};
    EXPECT_EQ(to_attribute(unordered), attribute_value(string_set{{"z", "x", "y"}}));
    EXPECT_EQ(round_trip(unordered), unordered);
}

TEST(converter_set, stores_numbers_as_ns)
{
    const std::set<int> ints{3, -1, 2};
    EXPECT_EQ(to_attribute(ints),
              attribute_value(number_set{{number("-1"), number("2"), number("3")}}));
    EXPECT_EQ(round_trip(ints), ints);
    const std::unordered_set<std::uint64_t> big{std::numeric_limits<std::uint64_t>::max(), 0};
    EXPECT_EQ(round_trip(big), big);
    const std::set<double> doubles{0.5, 1e100};
    EXPECT_EQ(to_attribute(doubles), attribute_value(number_set{{number("0.5"), number("1e100")}}));
    EXPECT_EQ(round_trip(doubles), doubles);
    const std::set<float> floats{0.1f};
    EXPECT_EQ(round_trip(floats), floats);
    const std::set<number> exact{number("1.000000000000000000000000000000000001")};
    EXPECT_EQ(round_trip(exact), exact);
}

TEST(converter_set, stores_bytes_as_bs)
{
    const std::set<bytes> blobs{to_bytes("one"), to_bytes("two")};
    EXPECT_EQ(to_attribute(blobs), attribute_value(binary_set{{to_bytes("two"), to_bytes("one")}}));
    EXPECT_EQ(round_trip(blobs), blobs);
}

TEST(converter_set, empty_sets_are_null_and_null_is_empty)
{
    EXPECT_EQ(to_attribute(std::set<std::string>{}), attribute_value(null_value{}));
    EXPECT_EQ(to_attribute(std::unordered_set<int>{}), attribute_value(null_value{}));
    EXPECT_EQ(to_attribute(std::set<bytes>{}), attribute_value(null_value{}));
    std::set<std::string> strings{"stale"};
    EXPECT_FALSE(from_attribute(attribute_value(null_value{}), strings));
    EXPECT_TRUE(strings.empty());
    std::set<double> numbers{1.0};
    EXPECT_FALSE(from_attribute(attribute_value(null_value{}), numbers));
    EXPECT_TRUE(numbers.empty());
    std::set<bytes> blobs{to_bytes("x")};
    EXPECT_FALSE(from_attribute(attribute_value(null_value{}), blobs));
    EXPECT_TRUE(blobs.empty());
}

TEST(converter_set, refuses_other_types)
{
    failure f = read_failure<std::set<std::string>>(attribute_list{"a"}, {"kept"});
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected SS or NULL for a std::set<std::string> field, got L");

    f = read_failure<std::unordered_set<std::int16_t>>(string_set{{"1"}});
    EXPECT_EQ(f.why, "expected NS or NULL for a std::unordered_set<std::int16_t> field, got SS");

    f = read_failure<std::set<bytes>>(string_set{{"1"}});
    EXPECT_EQ(f.why, "expected BS or NULL for a std::set<dynomite::bytes> field, got SS");
}

TEST(converter_set, refuses_members_that_do_not_fit)
{
    const failure f =
        read_failure<std::set<std::int32_t>>(number_set{{number("1"), number("3000000000")}}, {5});
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "3000000000 does not fit std::int32_t");
}

TEST(converter_set, refuses_to_write_nan)
{
    const std::set<double> bad{std::numeric_limits<double>::quiet_NaN()};
    EXPECT_THROW(to_attribute(bad), error);
}

// ---------------------------------------------------------------------------------------------
// Lists, maps and optionals.

TEST(converter_list, stores_vectors_and_lists_as_l)
{
    const std::vector<int> ints{1, 2, 3};
    EXPECT_EQ(to_attribute(ints), attribute_value(attribute_list{1, 2, 3}));
    EXPECT_EQ(round_trip(ints), ints);
    const std::list<std::string> words{"a", "b"};
    EXPECT_EQ(to_attribute(words), attribute_value(attribute_list{"a", "b"}));
    EXPECT_EQ(round_trip(words), words);
    const std::vector<bool> flags{true, false, true};
    EXPECT_EQ(to_attribute(flags), attribute_value(attribute_list{true, false, true}));
    EXPECT_EQ(round_trip(flags), flags);
    const std::vector<std::vector<double>> nested{{1.5}, {}, {2, 3}};
    EXPECT_EQ(round_trip(nested), nested);
    // An empty list is a valid attribute, unlike an empty set.
    EXPECT_EQ(to_attribute(std::vector<int>{}), attribute_value(attribute_list{}));
    EXPECT_EQ(round_trip(std::vector<int>{}), std::vector<int>{});
}

TEST(converter_list, bytes_stay_binary)
{
    EXPECT_EQ(to_attribute(to_bytes("ab")).type(), attribute_value::kind::b);
    EXPECT_EQ(to_attribute(std::vector<bytes>{to_bytes("ab")}),
              attribute_value(attribute_list{to_bytes("ab")}));
}

TEST(converter_list, names_the_failing_element)
{
    failure f = read_failure<std::vector<int>>("1", {9});
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected L for a std::vector<std::int32_t> field, got S");

    f = read_failure<std::vector<int>>(attribute_list{1, "2"}, {9});
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "[1]: expected N for a std::int32_t field, got S");

    f = read_failure<std::list<std::vector<std::uint8_t>>>(
        attribute_list{attribute_list{1}, attribute_list{2, 3, 300}});
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "[1][2]: 300 does not fit std::uint8_t");

    f = read_failure<std::vector<std::vector<int>>>(attribute_list{attribute_list{}, 5});
    EXPECT_EQ(f.why, "[1]: expected L for a std::vector<std::int32_t> field, got N");
}

TEST(converter_map, stores_string_keyed_maps_as_m)
{
    const std::map<std::string, int> prices{{"eur", 5}, {"usd", 6}};
    EXPECT_EQ(to_attribute(prices), attribute_value(attribute_map{{"usd", 6}, {"eur", 5}}));
    EXPECT_EQ(round_trip(prices), prices);
    const std::unordered_map<std::string, std::vector<std::string>> index{{"a", {"x"}}, {"b", {}}};
    EXPECT_EQ(round_trip(index), index);
    const std::map<std::string, std::set<int>> with_empty{{"none", {}}, {"some", {1}}};
    EXPECT_EQ(round_trip(with_empty), with_empty);
}

TEST(converter_map, names_the_failing_entry)
{
    failure f = read_failure<std::map<std::string, int>>(attribute_list{});
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected M for a std::map<std::string, std::int32_t> field, got L");

    f = read_failure<std::unordered_map<std::string, int>>(
        attribute_map{{"ok", 1}, {"price", "x"}});
    EXPECT_EQ(f.why, "price: expected N for a std::int32_t field, got S");

    f = read_failure<std::map<std::string, std::set<int>>>(
        attribute_map{{"scores", number_set{{number("3000000000")}}}});
    EXPECT_EQ(f.ec, errc::number_out_of_range);
    EXPECT_EQ(f.why, "scores: 3000000000 does not fit std::int32_t");

    f = read_failure<std::vector<std::map<std::string, std::vector<int>>>>(
        attribute_list{attribute_map{{"a.b", attribute_list{1, true}}}});
    EXPECT_EQ(f.why, "[0][\"a.b\"][1]: expected N for a std::int32_t field, got BOOL");

    f = read_failure<std::map<std::string, std::map<std::string, int>>>(
        attribute_map{{"outer", attribute_map{{"inner", "x"}}}});
    EXPECT_EQ(f.why, "outer.inner: expected N for a std::int32_t field, got S");

    f = read_failure<std::map<std::string, bool>>(attribute_map{{"", 1}});
    EXPECT_EQ(f.why, "[\"\"]: expected BOOL for a bool field, got N");
}

TEST(converter_optional, empty_is_null)
{
    EXPECT_EQ(to_attribute(std::optional<int>{}), attribute_value(null_value{}));
    EXPECT_EQ(to_attribute(std::optional<int>{4}), attribute_value(4));
    EXPECT_EQ(round_trip(std::optional<int>{}), std::nullopt);
    EXPECT_EQ(round_trip(std::optional<int>{4}), 4);
    std::optional<std::string> value = "stale";
    EXPECT_FALSE(from_attribute(attribute_value(null_value{}), value));
    EXPECT_EQ(value, std::nullopt);
    const std::vector<std::optional<int>> holes{1, std::nullopt, 3};
    EXPECT_EQ(to_attribute(holes), attribute_value(attribute_list{1, null_value{}, 3}));
    EXPECT_EQ(round_trip(holes), holes);
}

TEST(converter_optional, an_empty_set_inside_reads_back_as_nullopt)
{
    const std::optional<std::set<std::string>> empty_set{std::set<std::string>{}};
    EXPECT_EQ(to_attribute(empty_set), attribute_value(null_value{}));
    EXPECT_EQ(round_trip(empty_set), std::nullopt);
}

TEST(converter_optional, passes_errors_through)
{
    failure f = read_failure<std::optional<int>>("x", 3);
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected N for a std::int32_t field, got S");

    f = read_failure<std::vector<std::optional<std::vector<int>>>>(
        attribute_list{null_value{}, attribute_list{1, "x"}});
    EXPECT_EQ(f.why, "[1][1]: expected N for a std::int32_t field, got S");
}

// ---------------------------------------------------------------------------------------------
// Enums.

TEST(converter_enum, stores_names)
{
    EXPECT_EQ(to_attribute(color::blue), attribute_value("blue"));
    EXPECT_EQ(round_trip(color::red), color::red);
    EXPECT_EQ(round_trip(converter_test::level::high), converter_test::level::high);
    EXPECT_EQ(round_trip(std::vector<color>{color::green, color::blue}),
              (std::vector<color>{color::green, color::blue}));
    static_assert(!attribute_convertible<converter_test::plain>);
}

TEST(converter_enum, refuses_unknown_names_listing_the_known_ones)
{
    failure f = read_failure<color>(attribute_value("purple"), color::green);
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why,
              "\"purple\" is not a name of converter_test::color; expected one of \"red\", "
              "\"green\", \"blue\"");

    f = read_failure<color>(attribute_value("Red"));
    EXPECT_EQ(f.ec, errc::invalid_argument);

    f = read_failure<color>(n("1"));
    EXPECT_EQ(f.why, "expected S for a converter_test::color field, got N");

    f = read_failure<std::map<std::string, color>>(attribute_map{{"car", "pink"}});
    EXPECT_EQ(f.why,
              "car: \"pink\" is not a name of converter_test::color; expected one of \"red\", "
              "\"green\", \"blue\"");
}

TEST(converter_enum, refuses_to_write_a_value_without_a_name)
{
    try {
        to_attribute(static_cast<color>(7));
        FAIL() << "an unnamed value was written";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("converter_test::color value 7 has no name in "
                                             "dynomite::enum_names<converter_test::color>"),
                  std::string::npos)
            << e.what();
    }
    try {
        to_attribute(static_cast<converter_test::level>(250));
        FAIL() << "an unnamed value was written";
    } catch (const error& e) {
        EXPECT_NE(std::string(e.what()).find("converter_test::level value 250 has no name"),
                  std::string::npos)
            << e.what();
    }
}

TEST(converter_enum, the_message_says_when_no_names_are_known)
{
    EXPECT_EQ(detail::unknown_enum_message("e", "x", {}),
              "\"x\" is not a name of e, which has no names");
}

// ---------------------------------------------------------------------------------------------
// Described structs.

address sample_address()
{
    return {"1 Main St", 12345, "4B", {"home", "primary"}};
}

TEST(converter_struct, stores_fields_as_m)
{
    const attribute_value stored = to_attribute(sample_address());
    const attribute_map expected{
        {"street", "1 Main St"},
        {"zip", 12345},
        {"unit", "4B"},
        {"tags", string_set{{"home", "primary"}}},
    };
    EXPECT_EQ(stored, attribute_value(expected));

    // Empty optionals and sets are written as NULL, and read back the same.
    const address bare{"2 Side St", 1, std::nullopt, {}};
    EXPECT_EQ(to_attribute(bare).as_m().at("unit"), attribute_value(null_value{}));
    EXPECT_EQ(to_attribute(bare).as_m().at("tags"), attribute_value(null_value{}));
    EXPECT_EQ(round_trip(bare), bare);
}

TEST(converter_struct, round_trips_nested_structs)
{
    const person p{
        "Ada", sample_address(), {address{"old", 1, {}, {}}, sample_address()}, color::blue};
    EXPECT_EQ(round_trip(p), p);
    EXPECT_EQ(to_attribute(p).as_m().at("home"), to_attribute(sample_address()));
    EXPECT_EQ(to_attribute(p).as_m().at("favourite"), attribute_value("blue"));
}

TEST(converter_struct, missing_attributes_leave_defaults_and_extra_ones_are_ignored)
{
    address out = sample_address();
    const attribute_map partial{{"street", "Elm"}, {"unknown", 1}};
    ASSERT_FALSE(from_attribute(partial, out));
    EXPECT_EQ(out.street, "Elm");
    EXPECT_EQ(out.zip, 99999);  // the default, not the previous value
    EXPECT_EQ(out.unit, std::nullopt);
    EXPECT_TRUE(out.tags.empty());
}

TEST(converter_struct, names_the_failing_field)
{
    failure f = read_failure<address>(attribute_value("x"), sample_address());
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "expected M for a converter_test::address field, got S");

    f = read_failure<address>(attribute_map{{"street", "a"}, {"zip", "12345"}}, sample_address());
    EXPECT_EQ(f.why, "zip: expected N for a std::int32_t field, got S");

    attribute_map bad_person = to_attribute(person{}).as_m();
    bad_person.set("home", attribute_map{{"zip", 1.5}});
    f = read_failure<person>(bad_person);
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why, "home.zip: 1.5 is not a whole number, as std::int32_t requires");

    bad_person.set("home", attribute_map{});
    bad_person.set("previous", attribute_list{attribute_map{}, attribute_map{{"tags", 1}}});
    f = read_failure<person>(bad_person);
    EXPECT_EQ(f.why,
              "previous[1].tags: expected SS or NULL for a std::set<std::string> field, got N");

    bad_person.set("previous", attribute_list{});
    bad_person.set("favourite", "mauve");
    f = read_failure<person>(bad_person);
    EXPECT_EQ(f.why,
              "favourite: \"mauve\" is not a name of converter_test::color; expected one of "
              "\"red\", \"green\", \"blue\"");
}

TEST(converter_struct, field_descriptors_reach_their_members)
{
    constexpr auto zip = field("zip", &address::zip);
    static_assert(std::is_same_v<decltype(zip)::member_type, std::int32_t>);
    static_assert(std::is_same_v<decltype(zip)::class_type, address>);
    address a;
    zip.get(a) = 7;
    EXPECT_EQ(a.zip, 7);
    const address& view = a;
    EXPECT_EQ(zip.get(view), 7);
    EXPECT_EQ(zip.name, "zip");

    std::vector<std::string_view> names;
    for_each_field<address>([&](const auto& descriptor) { names.push_back(descriptor.name); });
    EXPECT_EQ(names, (std::vector<std::string_view>{"street", "zip", "unit", "tags"}));
}

template <class MemberPointer>
concept describable = requires(MemberPointer p)
{
    field("f", p);
};

TEST(converter_struct, only_data_members_are_fields)
{
    static_assert(describable<decltype(&sku::code)>);
    static_assert(!describable<decltype(&sku::empty)>);
    EXPECT_FALSE(sku{"X"}.empty());
}

TEST(converter_struct, checks_field_names)
{
    static_assert(detail::valid_field_names<address>());
    static_assert(!detail::valid_field_names<converter_test::duplicate_names>());
    static_assert(!detail::valid_field_names<converter_test::empty_name>());
    static_assert(described_struct<address>);
    static_assert(!described_struct<money>);
    static_assert(!described_struct<int>);
    SUCCEED();
}

TEST(converter_struct, write_fields_sets_each_field_and_keeps_other_attributes)
{
    attribute_map item{{"pk", "address#1"}, {"zip", "stale"}};
    write_fields(sample_address(), item);
    EXPECT_EQ(item.size(), 5u);
    EXPECT_EQ(item.at("pk"), attribute_value("address#1"));
    EXPECT_EQ(item.at("zip"), attribute_value(12345));
}

TEST(converter_struct, read_fields_reads_in_place)
{
    address out = sample_address();
    ASSERT_FALSE(read_fields(attribute_map{{"street", "Elm"}, {"pk", "ignored"}}, out));
    EXPECT_EQ(out.street, "Elm");
    EXPECT_EQ(out.zip, 12345);  // kept: no attribute for it
    EXPECT_EQ(out.unit, "4B");

    std::string why;
    const error_code ec =
        read_fields(attribute_map{{"street", "Oak"}, {"zip", "x"}, {"unit", "9"}}, out, &why);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_EQ(why, "zip: expected N for a std::int32_t field, got S");
    EXPECT_EQ(out.street, "Oak");  // fields before the failing one are assigned
    EXPECT_EQ(out.zip, 12345);
    EXPECT_EQ(out.unit, "4B");
}

// ---------------------------------------------------------------------------------------------
// User-defined converters.

TEST(converter_user, money_is_stored_as_cents)
{
    static_assert(attribute_convertible<money>);
    EXPECT_EQ(to_attribute(money{1250}), n("1250"));
    EXPECT_EQ(round_trip(money{-3}), money{-3});
    EXPECT_EQ(round_trip(std::map<std::string, money>{{"total", {99}}}),
              (std::map<std::string, money>{{"total", {99}}}));

    const failure f = read_failure<std::vector<money>>(attribute_list{1, 2.5});
    EXPECT_EQ(f.ec, errc::number_precision_loss);
    EXPECT_EQ(f.why, "[1]: 2.5 is not a whole number, as std::int64_t requires");
}

TEST(converter_user, sku_is_stored_as_text_with_its_own_checks)
{
    EXPECT_EQ(to_attribute(sku{"AB12CD34"}), attribute_value("AB12CD34"));
    EXPECT_EQ(round_trip(sku{"AB12CD34"}), sku{"AB12CD34"});
    EXPECT_EQ(round_trip(std::optional<sku>{}), std::nullopt);

    failure f = read_failure<std::vector<sku>>(attribute_list{"AB12CD34", "ab"});
    EXPECT_EQ(f.ec, errc::invalid_argument);
    EXPECT_EQ(f.why, "[1]: a sku is eight upper-case letters or digits, got \"ab\"");

    f = read_failure<std::map<std::string, sku>>(attribute_map{{"main", 5}});
    EXPECT_EQ(f.why, "main: expected S for a std::string field, got N");
}

// ---------------------------------------------------------------------------------------------
// Paths.

TEST(converter_path, renders_names_indices_and_quoted_keys)
{
    const detail::value_path root{nullptr, "order"};
    const detail::value_path lines{&root, "lines"};
    const detail::value_path third{&lines, {}, 3, true};
    const detail::value_path odd{&third, "a \"b\""};
    EXPECT_EQ(detail::path_text(&odd), "order.lines[3][\"a \\\"b\\\"\"]");
    EXPECT_EQ(detail::path_text(nullptr), "");
    EXPECT_EQ(detail::with_path(&third, "bad"), "order.lines[3]: bad");
    EXPECT_EQ(detail::with_path(nullptr, "bad"), "bad");
    std::string why = "bad";
    detail::prefix_path(&root, &why);
    EXPECT_EQ(why, "order: bad");
    detail::prefix_path(nullptr, &why);
    EXPECT_EQ(why, "order: bad");
    detail::prefix_path(&root, nullptr);
}

TEST(converter_path, names_composite_types)
{
    EXPECT_EQ(detail::label_of<std::list<std::optional<std::int16_t>>>(),
              "std::list<std::optional<std::int16_t>>");
    EXPECT_EQ((detail::label_of<std::unordered_map<std::string, std::vector<bool>>>()),
              "std::unordered_map<std::string, std::vector<bool>>");
    EXPECT_EQ(detail::label_of<std::set<float>>(), "std::set<float>");
    EXPECT_EQ(detail::label_of<std::vector<attribute_value>>(),
              "std::vector<dynomite::attribute_value>");
    EXPECT_EQ(detail::label_of<std::optional<attribute_map>>(),
              "std::optional<dynomite::attribute_map>");
    EXPECT_EQ(detail::label_of<std::vector<epoch_seconds>>(),
              "std::vector<dynomite::epoch_seconds>");
    EXPECT_EQ(detail::label_of<std::vector<money>>(), "std::vector<converter_test::money>");
    EXPECT_EQ(detail::label_of<unsigned long long>(), "std::uint64_t");
    EXPECT_EQ(detail::label_of<short>(), "std::int16_t");

    const failure f = read_failure<std::vector<std::optional<std::int16_t>>>(attribute_map{});
    EXPECT_EQ(f.why, "expected L for a std::vector<std::optional<std::int16_t>> field, got M");
}

TEST(converter_path, chooses_the_article)
{
    EXPECT_EQ(detail::type_mismatch("M", "Order", attribute_value(1)),
              "expected M for an Order field, got N");
    EXPECT_EQ(detail::type_mismatch("SS", "std::set<std::string>", attribute_value(1)),
              "expected SS for a std::set<std::string> field, got N");
}

}  // namespace
}  // namespace dynomite
