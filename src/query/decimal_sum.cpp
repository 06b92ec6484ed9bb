// Exact sums of DynamoDB numbers: decimal digits added without rounding.
#include "query/decimal_sum.hpp"

#include <string_view>
#include <utility>

namespace dynomite::detail {
namespace {

/// A decimal: digits (most significant first, no leading zero; empty for zero) times
/// 10^exponent.
struct decimal_value {
    bool negative = false;
    std::string digits;
    long long exponent = 0;
};

decimal_value parse_decimal(const std::string& text)
{
    decimal_value d;
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
    long long fraction_digits = 0;
    bool in_fraction = false;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
        if (text[i] == '.') {
            in_fraction = true;
            continue;
        }
        if (!(d.digits.empty() && text[i] == '0')) d.digits.push_back(text[i]);
        if (in_fraction) ++fraction_digits;
    }
    long long exponent = 0;
    if (i < text.size()) exponent = std::stoll(text.substr(i + 1));
    d.exponent = exponent - fraction_digits;
    while (!d.digits.empty() && d.digits.back() == '0') {
        d.digits.pop_back();
        ++d.exponent;
    }
    return d;
}

std::string format_decimal(const decimal_value& d)
{
    if (d.digits.empty()) return "0";
    std::string out = d.negative ? "-" : "";
    const auto length = static_cast<long long>(d.digits.size());
    const long long point = length + d.exponent;  // digits before the decimal point
    constexpr long long plain_limit = 48;
    if (d.exponent >= 0 && point <= plain_limit) {
        out += d.digits;
        out.append(static_cast<std::size_t>(d.exponent), '0');
    } else if (d.exponent < 0 && point > 0) {
        out += d.digits.substr(0, static_cast<std::size_t>(point));
        out += '.';
        out += d.digits.substr(static_cast<std::size_t>(point));
    } else if (d.exponent < 0 && point > -plain_limit) {
        out += "0.";
        out.append(static_cast<std::size_t>(-point), '0');
        out += d.digits;
    } else {
        out += d.digits.front();
        if (length > 1) out += "." + d.digits.substr(1);
        out += "E" + std::to_string(point - 1);
    }
    return out;
}

/// a - b for magnitudes a >= b, least significant digit first.
std::vector<unsigned char> subtract(const std::vector<unsigned char>& a,
                                    const std::vector<unsigned char>& b)
{
    std::vector<unsigned char> out(a);
    int borrow = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        int v = out[i] - borrow - (i < b.size() ? b[i] : 0);
        borrow = v < 0;
        out[i] = static_cast<unsigned char>(v < 0 ? v + 10 : v);
    }
    return out;
}

std::size_t used_length(const std::vector<unsigned char>& digits)
{
    std::size_t n = digits.size();
    while (n > 0 && digits[n - 1] == 0) --n;
    return n;
}

bool less_magnitude(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b)
{
    const std::size_t na = used_length(a);
    const std::size_t nb = used_length(b);
    if (na != nb) return na < nb;
    for (std::size_t i = na; i-- > 0;) {
        if (a[i] != b[i]) return a[i] < b[i];
    }
    return false;
}

error_code to_number(const decimal_value& d, number& out, std::string_view what, std::string* why)
{
    const std::string text = format_decimal(d);
    number parsed;
    if (number::parse(text, parsed)) {
        if (why) {
            *why = "the " + std::string(what) + ", " + text.substr(0, 60) +
                   (text.size() > 60 ? "..." : "") + ", is beyond DynamoDB's number range";
        }
        return errc::number_out_of_range;
    }
    out = std::move(parsed);
    return {};
}

}  // namespace

void decimal_sum::add(const number& n)
{
    ++count_;
    const decimal_value d = parse_decimal(n.text());
    if (d.digits.empty()) return;
    if (positive_.empty() && negative_.empty()) exponent_ = d.exponent;
    if (d.exponent < exponent_) {
        const auto shift = static_cast<std::size_t>(exponent_ - d.exponent);
        if (!positive_.empty()) positive_.insert(positive_.begin(), shift, 0);
        if (!negative_.empty()) negative_.insert(negative_.begin(), shift, 0);
        exponent_ = d.exponent;
    }
    auto& sum = d.negative ? negative_ : positive_;
    const auto offset = static_cast<std::size_t>(d.exponent - exponent_);
    if (sum.size() < offset + d.digits.size()) sum.resize(offset + d.digits.size(), 0);
    unsigned carry = 0;
    std::size_t i = offset;
    for (auto digit = d.digits.rbegin(); digit != d.digits.rend(); ++digit, ++i) {
        const unsigned v = sum[i] + static_cast<unsigned>(*digit - '0') + carry;
        sum[i] = static_cast<unsigned char>(v % 10);
        carry = v / 10;
    }
    for (; carry != 0; ++i) {
        if (i == sum.size()) sum.push_back(0);
        const unsigned v = sum[i] + carry;
        sum[i] = static_cast<unsigned char>(v % 10);
        carry = v / 10;
    }
}

namespace {

/// positive - negative as a decimal.
decimal_value difference(const std::vector<unsigned char>& positive,
                         const std::vector<unsigned char>& negative, long long exponent)
{
    decimal_value d;
    d.negative = less_magnitude(positive, negative);
    const auto magnitude = d.negative ? subtract(negative, positive) : subtract(positive, negative);
    for (std::size_t i = used_length(magnitude); i-- > 0;)
        d.digits.push_back(static_cast<char>('0' + magnitude[i]));
    d.exponent = exponent;
    while (!d.digits.empty() && d.digits.back() == '0') {
        d.digits.pop_back();
        ++d.exponent;
    }
    if (d.digits.empty()) d.negative = false;
    return d;
}

constexpr std::size_t max_digits = 38;

}  // namespace

error_code decimal_sum::total(number& out, std::string* why) const
{
    const decimal_value d = difference(positive_, negative_, exponent_);
    if (d.digits.size() > max_digits) {
        if (why) {
            *why = "the exact sum has " + std::to_string(d.digits.size()) +
                   " significant digits, more than DynamoDB's 38";
        }
        return errc::number_precision_loss;
    }
    return to_number(d, out, "sum", why);
}

error_code decimal_sum::mean(number& out, std::string* why) const
{
    if (count_ == 0) {
        if (why) *why = "the mean of no number";
        return errc::invalid_argument;
    }
    decimal_value d = difference(positive_, negative_, exponent_);
    if (d.digits.empty()) {
        out = number();
        return {};
    }
    // Enough digits for 38 significant ones plus the one deciding the rounding.
    const auto divisor = static_cast<unsigned __int128>(count_);
    const std::size_t divisor_digits = std::to_string(count_).size();
    const std::size_t wanted = max_digits + 2 + divisor_digits;
    if (d.digits.size() < wanted) {
        d.exponent -= static_cast<long long>(wanted - d.digits.size());
        d.digits.append(wanted - d.digits.size(), '0');
    }
    std::string quotient;
    unsigned __int128 remainder = 0;
    for (char c : d.digits) {
        remainder = remainder * 10 + static_cast<unsigned>(c - '0');
        const auto digit = static_cast<unsigned>(remainder / divisor);
        remainder %= divisor;
        if (!(quotient.empty() && digit == 0)) quotient.push_back(static_cast<char>('0' + digit));
    }
    if (quotient.size() > max_digits) {
        const bool round_up = quotient[max_digits] >= '5';
        d.exponent += static_cast<long long>(quotient.size() - max_digits);
        quotient.resize(max_digits);
        if (round_up) {
            std::size_t i = quotient.size();
            while (i > 0 && quotient[i - 1] == '9') quotient[--i] = '0';
            if (i == 0)
                quotient.insert(quotient.begin(), '1');
            else
                ++quotient[i - 1];
        }
    }
    d.digits = std::move(quotient);
    while (!d.digits.empty() && d.digits.back() == '0') {
        d.digits.pop_back();
        ++d.exponent;
    }
    return to_number(d, out, "mean", why);
}

}  // namespace dynomite::detail
