// The non-template parts of the attribute converters: messages and number conversions (the
// ISO-8601 calendar arithmetic is in iso8601.cpp).
#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/time.hpp>

#include "core/ascii.hpp"
#include "core/quoting.hpp"
#include "core/storable_number.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace dynomite {
namespace detail {
namespace {

bool is_plain_name(std::string_view name)
{
    if (name.empty()) return false;
    for (const char c : name) {
        const bool word = detail::is_ascii_alphanumeric(c) || c == '_' || c == '-';
        if (!word) return false;
    }
    return true;
}

std::string_view article_for(std::string_view label)
{
    if (label.empty()) return "a";
    switch (label.front()) {
        case 'a':
        case 'e':
        case 'i':
        case 'o':
        case 'u':
        case 'A':
        case 'E':
        case 'I':
        case 'O':
        case 'U':
            return "an";
        default:
            return "a";
    }
}

}  // namespace

std::string path_text(const value_path* at)
{
    std::vector<const value_path*> steps;
    for (const value_path* p = at; p != nullptr; p = p->parent) steps.push_back(p);
    std::string out;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        const value_path& step = **it;
        if (step.is_index) {
            out += '[' + std::to_string(step.index) + ']';
        } else if (is_plain_name(step.name)) {
            if (!out.empty()) out += '.';
            out += step.name;
        } else {
            out += '[' + quoted_printable(step.name) + ']';
        }
    }
    return out;
}

std::string with_path(const value_path* at, std::string message)
{
    if (at == nullptr) return message;
    return path_text(at) + ": " + message;
}

void prefix_path(const value_path* at, std::string* why)
{
    if (why != nullptr && at != nullptr) *why = with_path(at, std::move(*why));
}

std::string type_mismatch(std::string_view expected, std::string_view label,
                          const attribute_value& got)
{
    std::string out = "expected ";
    out += expected;
    out += " for ";
    out += article_for(label);
    out += ' ';
    out += label;
    out += " field, got ";
    out += got.type_name();
    return out;
}

std::string duration_label(std::intmax_t num, std::intmax_t den, std::string_view rep)
{
    if (rep == "std::int64_t") {
        if (num == 1 && den == 1) return "std::chrono::seconds";
        if (num == 1 && den == 1'000) return "std::chrono::milliseconds";
        if (num == 1 && den == 1'000'000) return "std::chrono::microseconds";
        if (num == 1 && den == 1'000'000'000) return "std::chrono::nanoseconds";
        if (num == 60 && den == 1) return "std::chrono::minutes";
        if (num == 3'600 && den == 1) return "std::chrono::hours";
        if (num == 86'400 && den == 1) return "std::chrono::days";
    }
    std::string out = "std::chrono::duration<";
    out += rep;
    out += ", std::ratio<" + std::to_string(num);
    if (den != 1) out += ", " + std::to_string(den);
    out += ">>";
    return out;
}

// ---------------------------------------------------------------------------------------------
// Numbers.

namespace {

std::string does_not_fit(const number& n, std::string_view label)
{
    return n.text() + " does not fit " + std::string(label);
}

std::string integer_error(error_code ec, const number& n, std::string_view label)
{
    if (ec == errc::number_precision_loss) {
        return n.text() + " is not a whole number, as " + std::string(label) + " requires";
    }
    return does_not_fit(n, label);
}

// Without a leading '+', which std::from_chars does not accept.
std::string_view unsigned_text(const number& n)
{
    std::string_view text = n.text();
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    return text;
}

}  // namespace

error_code read_signed(const number& n, std::int64_t min, std::int64_t max, std::string_view label,
                       std::int64_t& out, std::string* why)
{
    std::int64_t v = 0;
    error_code ec = n.to_int64(v);
    if (!ec && (v < min || v > max)) ec = errc::number_out_of_range;
    if (ec) {
        if (why) *why = integer_error(ec, n, label);
        return ec;
    }
    out = v;
    return {};
}

error_code read_unsigned(const number& n, std::uint64_t max, std::string_view label,
                         std::uint64_t& out, std::string* why)
{
    std::uint64_t v = 0;
    error_code ec = n.to_uint64(v);
    if (!ec && v > max) ec = errc::number_out_of_range;
    if (ec) {
        if (why) *why = integer_error(ec, n, label);
        return ec;
    }
    out = v;
    return {};
}

number number_from_float(float v) { return storable_number(v); }

number number_from_double(double v) { return storable_number(v); }

error_code read_double(const number& n, double& out, std::string* why)
{
    double v = 0;
    error_code ec;
    if (n.text().front() == '+') {
        ec = number(unsigned_text(n)).to_double(v);
    } else {
        ec = n.to_double(v);
    }
    if (ec) {
        if (why) *why = n.text() + " cannot be read as a double without losing digits";
        return ec;
    }
    out = v;
    return {};
}

error_code read_float(const number& n, float& out, std::string* why)
{
    const std::string_view text = unsigned_text(n);
    const char* const end = text.data() + text.size();
    float v = 0;
    const auto parsed = std::from_chars(text.data(), end, v);
    if (parsed.ec == std::errc::result_out_of_range) {
        double wide = 0;
        std::from_chars(text.data(), end, wide);
        if (std::fabs(wide) > static_cast<double>(std::numeric_limits<float>::max())) {
            if (why) *why = does_not_fit(n, "float");
            return errc::number_out_of_range;
        }
    }
    // The float is exact only when it prints back as the same number.
    number back;
    if (parsed.ec != std::errc{} || number::from_float(v, back) || back != n) {
        if (why) *why = n.text() + " cannot be read as a float without losing digits";
        return errc::number_precision_loss;
    }
    out = v;
    return {};
}

std::string unnamed_enum_message(std::string_view label, std::string_view value)
{
    return std::string(label) + " value " + std::string(value) +
           " has no name in dynomite::enum_names<" + std::string(label) + ">";
}

std::string unknown_enum_message(std::string_view label, std::string_view name,
                                 const std::vector<std::string_view>& known)
{
    std::string out = quoted_printable(name) + " is not a name of " + std::string(label);
    if (known.empty()) return out + ", which has no names";
    out += "; expected one of ";
    for (std::size_t i = 0; i < known.size(); ++i) {
        if (i > 0) out += ", ";
        out += quoted_printable(known[i]);
    }
    return out;
}

}  // namespace detail
}  // namespace dynomite
