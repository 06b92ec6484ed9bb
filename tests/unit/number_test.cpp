// DynamoDB numbers: syntax, DynamoDB's limits, exact conversions and comparison.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/number.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace dynomite {
namespace {

error_code parse_error(std::string_view text, std::string* why = nullptr)
{
    number n;
    return number::parse(text, n, why);
}

std::string parsed_text(std::string_view text)
{
    number n;
    const error_code ec = number::parse(text, n);
    EXPECT_FALSE(ec) << text << ": " << ec.message();
    return n.text();
}

TEST(number, default_is_zero)
{
    const number n;
    EXPECT_EQ(n.text(), "0");
    EXPECT_TRUE(n.is_zero());
}

TEST(number, keeps_valid_text_as_given)
{
    for (const char* text : {"0", "-0", "12", "-12", "1.5", "1.50", ".5", "5.", "-.5", "1e2",
                             "1E-2", "1e+2", "007", "0.000", "-1.25e-3", "12345678901234567890"}) {
        EXPECT_EQ(parsed_text(text), text);
    }
}

TEST(number, drops_a_leading_plus)
{
    EXPECT_EQ(parsed_text("+5"), "5");
    EXPECT_EQ(parsed_text("+0.5e3"), "0.5e3");
}

TEST(number, refuses_malformed_text)
{
    for (const char* text :
         {"",      "-",   "+",  ".",   "-.",   "abc",   "1e",    "1e+", "1e-",
          "1.2.3", " 1",  "1 ", "+-1", "--1",  "0x10",  "1e2.5", "NaN", "Infinity",
          "inf",   "1,5", "e5", ".e5", "1ee5", "1e5e5", "١"}) {
        EXPECT_EQ(parse_error(text), errc::invalid_number) << '"' << text << '"';
    }
}

TEST(number, explains_malformed_text)
{
    std::string why;
    EXPECT_EQ(parse_error("", &why), errc::invalid_number);
    EXPECT_EQ(why, "\"\" is not a number: the text is empty");
    EXPECT_EQ(parse_error("-", &why), errc::invalid_number);
    EXPECT_EQ(why, "\"-\" is not a number: it has no digits");
    EXPECT_EQ(parse_error("1e+", &why), errc::invalid_number);
    EXPECT_EQ(why, "\"1e+\" is not a number: the exponent has no digits");
    EXPECT_EQ(parse_error("12a4", &why), errc::invalid_number);
    EXPECT_EQ(why, "\"12a4\" is not a number: unexpected character \"a\" at offset 2");
    EXPECT_EQ(parse_error("1ex", &why), errc::invalid_number);
    EXPECT_EQ(why, "\"1ex\" is not a number: unexpected character \"x\" at offset 2");
    EXPECT_EQ(parse_error("abc", &why), errc::invalid_number);
    EXPECT_EQ(why, "\"abc\" is not a number: unexpected character \"a\" at offset 0");
}

TEST(number, bounds_and_sanitizes_quoted_text)
{
    std::string why;
    const std::string long_text = std::string(200, '1') + "x";
    EXPECT_EQ(parse_error(long_text, &why), errc::invalid_number);
    EXPECT_NE(why.find("...\""), std::string::npos) << why;
    EXPECT_LT(why.size(), 150u);
    EXPECT_NE(why.find("at offset 200"), std::string::npos) << why;

    EXPECT_EQ(parse_error("1\n\xC3\xA9", &why), errc::invalid_number);
    EXPECT_EQ(why, "\"1???\" is not a number: unexpected character \"?\" at offset 1");
}

TEST(number, allows_38_significant_digits)
{
    const std::string digits38 = "12345678901234567890123456789012345678";
    ASSERT_EQ(digits38.size(), 38u);
    EXPECT_FALSE(parse_error(digits38));
    EXPECT_FALSE(parse_error("-" + digits38));
    EXPECT_FALSE(parse_error("0.000" + digits38));
    EXPECT_FALSE(parse_error("0000" + digits38 + "0000"));  // zeros that are not significant
    EXPECT_FALSE(parse_error("1234567890123456789.0123456789012345678"));
    EXPECT_FALSE(parse_error("1" + std::string(36, '0') + "1"));
    EXPECT_FALSE(parse_error("0." + std::string(100, '0')));  // zero, whatever its length
}

TEST(number, refuses_39_significant_digits)
{
    std::string why;
    EXPECT_EQ(parse_error("123456789012345678901234567890123456789", &why), errc::invalid_number);
    EXPECT_EQ(why,
              "\"123456789012345678901234567890123456789\" is not a DynamoDB number: it has 39 "
              "significant digits, at most 38 are allowed");
    EXPECT_EQ(parse_error("1" + std::string(37, '0') + "1"), errc::invalid_number);
    EXPECT_EQ(parse_error("1234567890123456789.01234567890123456789"), errc::invalid_number);
    EXPECT_EQ(parse_error("0.000123456789012345678901234567890123456789"), errc::invalid_number);
}

TEST(number, allows_the_extreme_magnitudes)
{
    for (const char* text : {"1e-130", "-1e-130", "0.1e-129", "10e-131", "9.9e125", "-9.9e125",
                             "9.9999999999999999999999999999999999999e125", "1e125", "0e999999",
                             "0e-999999", "0.00000000000000000000000000000000000000000001"}) {
        EXPECT_FALSE(parse_error(text)) << text;
    }
    EXPECT_FALSE(parse_error("9" + std::string(125, '0')));
}

TEST(number, refuses_magnitudes_outside_the_range)
{
    std::string why;
    EXPECT_EQ(parse_error("1e126", &why), errc::invalid_number);
    EXPECT_EQ(why,
              "\"1e126\" is not a DynamoDB number: its magnitude is not below 1e126, the largest "
              "allowed");
    EXPECT_EQ(parse_error("1e-131", &why), errc::invalid_number);
    EXPECT_EQ(why,
              "\"1e-131\" is not a DynamoDB number: its magnitude is below 1e-130, the smallest "
              "allowed other than zero");
    for (const char* text : {"-1e126", "10e125", "0.1e127", "9.99e200", "0.9e-130", "-1e-131",
                             "1e99999999999999999999999999", "1e-99999999999999999999999999"}) {
        EXPECT_EQ(parse_error(text), errc::invalid_number) << text;
    }
    EXPECT_EQ(parse_error("1" + std::string(126, '0')), errc::invalid_number);
}

TEST(number, constructor_throws_with_the_reason)
{
    EXPECT_EQ(number("1.5").text(), "1.5");
    try {
        number n("1e126");
        FAIL() << "accepted " << n.text();
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_number);
        EXPECT_NE(e.diag().message.find("1e126"), std::string::npos) << e.diag().message;
    }
}

TEST(number, from_integers)
{
    EXPECT_EQ(number::from_int(0).text(), "0");
    EXPECT_EQ(number::from_int(-1).text(), "-1");
    EXPECT_EQ(number::from_int(std::numeric_limits<std::int64_t>::min()).text(),
              "-9223372036854775808");
    EXPECT_EQ(number::from_int(std::numeric_limits<std::int64_t>::max()).text(),
              "9223372036854775807");
    EXPECT_EQ(number::from_uint(std::numeric_limits<std::uint64_t>::max()).text(),
              "18446744073709551615");
    EXPECT_EQ(number(42).text(), "42");
    EXPECT_EQ(number(-7).text(), "-7");
    EXPECT_EQ(number(42u).text(), "42");
    EXPECT_EQ(number(static_cast<std::uint8_t>(200)).text(), "200");
    EXPECT_EQ(number(static_cast<std::int16_t>(-300)).text(), "-300");
}

TEST(number, to_int64_exact)
{
    const std::pair<const char*, std::int64_t> cases[] = {
        {"0", 0},
        {"-0", 0},
        {"0.000e5", 0},
        {"42", 42},
        {"-42", -42},
        {"1.0", 1},
        {"1e2", 100},
        {"12300e-2", 123},
        {"1.23e2", 123},
        {"-5.000", -5},
        {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
        {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
        {"9.223372036854775807e18", std::numeric_limits<std::int64_t>::max()},
    };
    for (const auto& [text, expected] : cases) {
        std::int64_t out = 12345;
        EXPECT_FALSE(number(text).to_int64(out)) << text;
        EXPECT_EQ(out, expected) << text;
    }
}

TEST(number, to_int64_out_of_range)
{
    for (const char* text : {"9223372036854775808", "-9223372036854775809", "1e19", "-1e19", "1e30",
                             "1e125", "12345678901234567890123.5", "-18446744073709551616"}) {
        std::int64_t out = 12345;
        EXPECT_EQ(number(text).to_int64(out), errc::number_out_of_range) << text;
        EXPECT_EQ(out, 12345) << text;
    }
}

TEST(number, to_int64_precision_loss)
{
    for (const char* text :
         {"1.5", "-1.5", "0.5", "-0.5", "1e-5", "1.234e2", "1e-130", "9223372036854775806.5"}) {
        std::int64_t out = 12345;
        EXPECT_EQ(number(text).to_int64(out), errc::number_precision_loss) << text;
        EXPECT_EQ(out, 12345) << text;
    }
}

TEST(number, to_int64_agrees_with_from_chars_on_plain_integers)
{
    // Up to 20 digits, with and without a sign and leading zeros: both sides of the 18 digits
    // read directly, and of int64's range.
    std::mt19937_64 random(2718);
    std::uniform_int_distribution<int> length(1, 20);
    std::uniform_int_distribution<int> digit(0, 9);
    for (int i = 0; i < 20000; ++i) {
        std::string text = random() % 2 == 0 ? "-" : "";
        const int digits = length(random);
        for (int k = 0; k < digits; ++k) text += static_cast<char>('0' + digit(random));
        std::int64_t expected = 0;
        const auto oracle = std::from_chars(text.data(), text.data() + text.size(), expected);
        std::int64_t out = 12345;
        const error_code ec = number(text).to_int64(out);
        if (oracle.ec == std::errc{}) {
            EXPECT_FALSE(ec) << text;
            EXPECT_EQ(out, expected) << text;
        } else {
            EXPECT_EQ(ec, errc::number_out_of_range) << text;
            EXPECT_EQ(out, 12345) << text;
        }
    }
    std::int64_t out = 0;
    EXPECT_FALSE(number("007").to_int64(out));
    EXPECT_EQ(out, 7);
    EXPECT_FALSE(number("-999999999999999999").to_int64(out));
    EXPECT_EQ(out, -999'999'999'999'999'999);
}

TEST(number, to_uint64)
{
    std::uint64_t out = 0;
    EXPECT_FALSE(number("18446744073709551615").to_uint64(out));
    EXPECT_EQ(out, std::numeric_limits<std::uint64_t>::max());
    EXPECT_FALSE(number("1e19").to_uint64(out));
    EXPECT_EQ(out, 10'000'000'000'000'000'000ULL);
    EXPECT_FALSE(number("-0").to_uint64(out));
    EXPECT_EQ(out, 0u);
    EXPECT_FALSE(number("1.5e1").to_uint64(out));
    EXPECT_EQ(out, 15u);

    out = 7;
    for (const char* text : {"18446744073709551616", "1e20", "-1", "-0.5", "-1e-130"}) {
        EXPECT_EQ(number(text).to_uint64(out), errc::number_out_of_range) << text;
    }
    for (const char* text : {"1.5", "0.1", "18446744073709551614.5"}) {
        EXPECT_EQ(number(text).to_uint64(out), errc::number_precision_loss) << text;
    }
    EXPECT_EQ(out, 7u);
}

TEST(number, throwing_conversions)
{
    EXPECT_EQ(number("-12").as_int64(), -12);
    EXPECT_EQ(number("12").as_uint64(), 12u);
    EXPECT_EQ(number("0.25").as_double(), 0.25);
    const auto code_of = [](auto&& convert) -> error_code {
        try {
            convert();
        } catch (const error& e) {
            return e.code();
        }
        return {};
    };
    EXPECT_EQ(code_of([] { return number("1e19").as_int64(); }), errc::number_out_of_range);
    EXPECT_EQ(code_of([] { return number("1.5").as_int64(); }), errc::number_precision_loss);
    EXPECT_EQ(code_of([] { return number("-1").as_uint64(); }), errc::number_out_of_range);
    EXPECT_EQ(code_of([] { return number("0.5").as_uint64(); }), errc::number_precision_loss);
    EXPECT_EQ(code_of([] { return number("9007199254740993").as_double(); }),
              errc::number_precision_loss);
    try {
        (void)number("1e19").as_int64();
        FAIL();
    } catch (const error& e) {
        EXPECT_EQ(e.diag().message, "number \"1e19\" is out of the range of int64");
    }
    try {
        (void)number("2.5").as_uint64();
        FAIL();
    } catch (const error& e) {
        EXPECT_EQ(e.diag().message,
                  "number \"2.5\" cannot be converted to uint64 without losing digits");
    }
}

TEST(number, to_double_exact_enough)
{
    const std::pair<const char*, double> cases[] = {
        {"0", 0.0},
        {"-0", -0.0},
        {"1.5", 1.5},
        {"-2.5", -2.5},
        {"0.1", 0.1},
        {".5", 0.5},
        {"5.", 5.0},
        {"1e125", 1e125},
        {"9.9e125", 9.9e125},
        {"1e-130", 1e-130},
        {"123456789012345", 123456789012345.0},
        {"9007199254740992", 9007199254740992.0},
        {"0.30000000000000004", 0.30000000000000004},
        {"1234567890.12345000000", 1234567890.12345},
    };
    for (const auto& [text, expected] : cases) {
        double out = -1;
        EXPECT_FALSE(number(text).to_double(out)) << text;
        EXPECT_EQ(out, expected) << text;
    }
}

TEST(number, to_double_precision_loss)
{
    for (const char* text :
         {"9007199254740993", "1.00000000000000001", "12345678901234567890123456789012345678",
          "0.1000000000000000000001", "-3.14159265358979323846"}) {
        double out = 42;
        EXPECT_EQ(number(text).to_double(out), errc::number_precision_loss) << text;
        EXPECT_EQ(out, 42) << text;
    }
}

TEST(number, from_double_shortest)
{
    const std::pair<double, const char*> cases[] = {
        {0.1, "0.1"}, {1.5, "1.5"},      {-2.25, "-2.25"},   {123456789.0, "123456789"}, {0.0, "0"},
        {-0.0, "0"},  {1e100, "1e+100"}, {1e-130, "1e-130"}, {9.9e125, "9.9e+125"},
    };
    for (const auto& [value, expected] : cases) {
        number n;
        EXPECT_FALSE(number::from_double(value, n)) << value;
        EXPECT_EQ(n.text(), expected);
    }
    number n;
    EXPECT_FALSE(number::from_double(1e100, n));
    EXPECT_EQ(n, number("1e100"));
}

TEST(number, from_double_refuses_what_dynamodb_cannot_store)
{
    for (double value :
         {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(), 1e126, -1e126, 1e-131, 5e-324,
          std::numeric_limits<double>::max(), std::numeric_limits<double>::min()}) {
        number n("7");
        EXPECT_EQ(number::from_double(value, n), errc::invalid_number) << value;
        EXPECT_EQ(n.text(), "7");
    }
}

TEST(number, short_texts_convert_to_doubles_that_print_back_as_the_same_number)
{
    // Texts of up to 15 characters convert without the precision check; the shortest text of
    // each double must still be the same number.
    std::mt19937_64 random(31415);
    std::uniform_int_distribution<int> digits(1, 15);
    std::uniform_int_distribution<int> digit(0, 9);
    std::uniform_int_distribution<int> exponent(-120, 120);
    for (int i = 0; i < 20000; ++i) {
        std::string text = random() % 2 == 0 ? "-" : "";
        const int count = digits(random);
        const int point = static_cast<int>(random() % static_cast<unsigned>(count + 1));
        for (int k = 0; k < count; ++k) {
            if (k == point && k > 0) text += '.';
            text += static_cast<char>('0' + digit(random));
        }
        const std::string power = "e" + std::to_string(exponent(random));
        if (text.size() + power.size() <= 15 && random() % 2 == 0) text += power;
        if (text.size() > 15) continue;  // the general path's
        number n;
        if (number::parse(text, n)) continue;  // outside DynamoDB's range
        double value = 0;
        ASSERT_FALSE(n.to_double(value)) << text;
        number back;
        ASSERT_FALSE(number::from_double(value, back)) << text;
        EXPECT_EQ(back, n) << text << " came back as " << back.text();
    }
}

TEST(number, doubles_round_trip)
{
    std::mt19937_64 random(12345);
    std::vector<double> values = {
        0.1, 1.0 / 3, M_PI, -123.456, 9007199254740992.0, 1e-130, 9.9e125, 2.2250738585072014e-120};
    std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-120, 120);
    for (int i = 0; i < 2000; ++i)
        values.push_back(std::ldexp(mantissa(random), exponent(random) * 3));
    for (const double value : values) {
        number n;
        ASSERT_FALSE(number::from_double(value, n)) << value;
        double back = 0;
        ASSERT_FALSE(n.to_double(back)) << n.text();
        EXPECT_EQ(std::memcmp(&back, &value, sizeof value), 0) << n.text();
    }
}

TEST(number, compares_numerically_whatever_the_spelling)
{
    EXPECT_EQ(number("1.0"), number("1"));
    EXPECT_EQ(number("1e2"), number("100"));
    EXPECT_EQ(number("-0"), number("0"));
    EXPECT_EQ(number("0.000"), number("0e5"));
    EXPECT_EQ(number("100e-2"), number("1"));
    EXPECT_EQ(number("+12.50"), number("0.125e2"));
    EXPECT_EQ(number("-1.5"), number("-15e-1"));
    EXPECT_NE(number("1"), number("1.0000000000000000000000000000000000001"));
    EXPECT_NE(number("1"), number("-1"));
    EXPECT_NE(number("12"), number("120"));
    EXPECT_TRUE((number("1.0") <=> number("1")) == 0);
}

TEST(number, orders_numerically)
{
    const std::vector<std::string> ascending = {
        "-9.9e125", "-1e5", "-120",   "-12", "-2",  "-1.5",   "-1",   "-0.5",
        "-1e-130",  "0",    "1e-130", "0.5", "1",   "1.2",    "1.25", "1.5",
        "2",        "12",   "100",    "120", "1e5", "9.9e125"};
    std::vector<number> numbers;
    for (const auto& text : ascending) numbers.emplace_back(text);
    std::mt19937 random(7);
    std::shuffle(numbers.begin(), numbers.end(), random);
    std::sort(numbers.begin(), numbers.end());
    for (std::size_t i = 0; i < ascending.size(); ++i) EXPECT_EQ(numbers[i].text(), ascending[i]);
    EXPECT_LT(number("-1"), number("-0.5"));
    EXPECT_GT(number("0.5"), number("-0"));
    EXPECT_LT(number("-0"), number("1e-130"));
    EXPECT_GT(number("-0"), number("-1e-130"));
}

TEST(number, significant_digits_sign_and_zero)
{
    EXPECT_EQ(number("0").significant_digits(), 0u);
    EXPECT_EQ(number("100").significant_digits(), 1u);
    EXPECT_EQ(number("0.00120").significant_digits(), 2u);
    EXPECT_EQ(number("-1.5e3").significant_digits(), 2u);
    EXPECT_EQ(number("1020").significant_digits(), 3u);
    EXPECT_TRUE(number("-0.0e5").is_zero());
    EXPECT_FALSE(number("1e-130").is_zero());
    EXPECT_FALSE(number("-0").is_negative());
    EXPECT_TRUE(number("-1e-5").is_negative());
    EXPECT_FALSE(number("5").is_negative());
}

}  // namespace
}  // namespace dynomite
