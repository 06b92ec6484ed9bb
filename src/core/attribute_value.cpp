// Attribute values and items: access, set semantics, validation and size accounting.
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/diagnostics.hpp>

#include "core/enum_text.hpp"
#include "core/storable_number.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numeric>

namespace dynomite {
namespace {

constexpr std::size_t max_name_length = 65535;
constexpr int max_nesting = 32;  // levels of maps and lists DynamoDB accepts

// A name or key for a message: bounded, cut at a character boundary.
std::string shown(std::string_view name)
{
    constexpr std::size_t max_shown = 64;
    if (name.size() <= max_shown) return std::string(name);
    std::size_t cut = max_shown;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    return std::string(name.substr(0, cut)) + "...";
}

// Offset of the first byte that does not start a valid UTF-8 sequence (overlong forms and
// code points above U+10FFFF included), or npos. A lone UTF-16 surrogate, in the 3-byte form
// the decoder gives a "\ud800" escape (WTF-8), is accepted, since DynamoDB stores it and the
// writer sends it back as that escape; a high one followed by a low one is refused, since it
// would be sent as a pair and read back as another character.
std::size_t invalid_utf8_offset(std::string_view s) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        // ASCII, the common case, eight bytes at a time.
        if (n - i >= 8) {
            std::uint64_t chunk;
            std::memcpy(&chunk, p + i, 8);
            if ((chunk & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned lead = p[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length;
        std::uint32_t code_point;
        std::uint32_t smallest;
        if ((lead & 0xE0) == 0xC0) {
            length = 2, code_point = lead & 0x1F, smallest = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, code_point = lead & 0x0F, smallest = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, code_point = lead & 0x07, smallest = 0x10000;
        } else {
            return i;
        }
        if (n - i < length) return i;
        for (std::size_t k = 1; k < length; ++k) {
            const unsigned continuation = p[i + k];
            if ((continuation & 0xC0) != 0x80) return i;
            code_point = code_point << 6 | (continuation & 0x3F);
        }
        if (code_point < smallest || code_point > 0x10FFFF) return i;
        const bool high_surrogate = code_point >= 0xD800 && code_point <= 0xDBFF;
        if (high_surrogate && n - i >= 6 && p[i + 3] == 0xED && p[i + 4] >= 0xB0 &&
            p[i + 4] <= 0xBF) {
            return i;
        }
        i += length;
    }
    return std::string_view::npos;
}

// Indices of the elements in sorted order, for set comparisons without copies.
template <class T, class Less>
std::vector<std::size_t> sorted_indices(const std::vector<T>& values, Less less)
{
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return less(values[a], values[b]); });
    return order;
}

// Equality as sets: order and repetitions do not matter.
template <class T, class Less, class Equal>
bool same_set(const std::vector<T>& a, const std::vector<T>& b, Less less, Equal equal)
{
    if (a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), equal)) return true;
    const auto distinct = [&](const std::vector<T>& values) {
        std::vector<std::size_t> order = sorted_indices(values, less);
        order.erase(
            std::unique(order.begin(), order.end(),
                        [&](std::size_t x, std::size_t y) { return equal(values[x], values[y]); }),
            order.end());
        return order;
    };
    const std::vector<std::size_t> da = distinct(a);
    const std::vector<std::size_t> db = distinct(b);
    return std::equal(da.begin(), da.end(), db.begin(), db.end(),
                      [&](std::size_t x, std::size_t y) { return equal(a[x], b[y]); });
}

const auto number_less = [](const number& x, const number& y) { return x < y; };

struct validator {
    std::string* why;
    std::string path;

    error_code fail(errc code, std::string_view message) const
    {
        if (why) *why = path.empty() ? std::string(message) : path + ": " + std::string(message);
        return code;
    }

    error_code name(std::string_view n)
    {
        if (n.empty()) return fail(errc::invalid_argument, "an attribute name is empty");
        const std::size_t bad = invalid_utf8_offset(n);
        if (bad != std::string_view::npos) {
            return fail(errc::invalid_utf8,
                        "an attribute name is not valid UTF-8 (byte " + std::to_string(bad) + ")");
        }
        if (n.size() > max_name_length) {
            const std::size_t saved = path.size();
            path += path.empty() ? "" : ".";
            path += shown(n);
            error_code ec =
                fail(errc::invalid_argument, "attribute name is " + std::to_string(n.size()) +
                                                 " bytes long, at most 65535 are allowed");
            path.resize(saved);
            return ec;
        }
        return {};
    }

    error_code string(std::string_view s, std::string_view what)
    {
        const std::size_t bad = invalid_utf8_offset(s);
        if (bad == std::string_view::npos) return {};
        return fail(errc::invalid_utf8,
                    std::string(what) + " is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    }

    template <class T, class Less, class Equal>
    error_code set(const std::vector<T>& values, std::string_view what, Less less, Equal equal)
    {
        if (values.empty()) {
            return fail(errc::invalid_argument,
                        "the " + std::string(what) + " is empty, DynamoDB refuses empty sets");
        }
        const std::vector<std::size_t> order = sorted_indices(values, less);
        for (std::size_t k = 1; k < order.size(); ++k) {
            if (equal(values[order[k - 1]], values[order[k]])) {
                const auto [first, second] = std::minmax(order[k - 1], order[k]);
                return fail(errc::invalid_argument,
                            "the " + std::string(what) + " has duplicate members at indices " +
                                std::to_string(first) + " and " + std::to_string(second));
            }
        }
        return {};
    }

    error_code map(const attribute_map& m, int depth)
    {
        for (const auto& [n, v] : m) {
            if (error_code ec = name(n)) return ec;
            const std::size_t saved = path.size();
            if (!path.empty()) path += '.';
            path += n;
            if (error_code ec = value(v, depth)) return ec;
            path.resize(saved);
        }
        return {};
    }

    error_code value(const attribute_value& v, int depth)
    {
        using kind = attribute_value::kind;
        switch (v.type()) {
            case kind::s:
                return string(*v.get_if<std::string>(), "the string");
            case kind::m:
                if (depth >= max_nesting) return too_deep();
                return map(*v.get_if<attribute_map>(), depth + 1);
            case kind::l: {
                if (depth >= max_nesting) return too_deep();
                const attribute_list& list = *v.get_if<attribute_list>();
                for (std::size_t i = 0; i < list.size(); ++i) {
                    const std::size_t saved = path.size();
                    path += '[';
                    path += std::to_string(i);
                    path += ']';
                    if (error_code ec = value(list[i], depth + 1)) return ec;
                    path.resize(saved);
                }
                return {};
            }
            case kind::ss: {
                const auto& values = v.get_if<string_set>()->values;
                for (std::size_t i = 0; i < values.size(); ++i) {
                    if (error_code ec =
                            string(values[i], "string set member " + std::to_string(i))) {
                        return ec;
                    }
                }
                return set(values, "string set", std::less<>{}, std::equal_to<>{});
            }
            case kind::ns:
                return set(v.get_if<number_set>()->values, "number set", number_less,
                           std::equal_to<>{});
            case kind::bs:
                return set(v.get_if<binary_set>()->values, "binary set", std::less<>{},
                           std::equal_to<>{});
            default:
                return {};
        }
    }

    error_code too_deep() const
    {
        return fail(errc::invalid_argument,
                    "maps and lists are nested deeper than 32 levels, DynamoDB's limit");
    }
};

std::size_t number_size(const number& n) noexcept
{
    return (n.significant_digits() + 1) / 2 + 1;
}

std::size_t value_size(const attribute_value& v) noexcept
{
    using kind = attribute_value::kind;
    switch (v.type()) {
        case kind::s:
            return v.get_if<std::string>()->size();
        case kind::n:
            return number_size(*v.get_if<number>());
        case kind::b:
            return v.get_if<bytes>()->size();
        case kind::boolean:
        case kind::null:
            return 1;
        case kind::m: {
            std::size_t size = 3;
            for (const auto& [name, member] : *v.get_if<attribute_map>()) {
                size += 1 + name.size() + value_size(member);
            }
            return size;
        }
        case kind::l: {
            std::size_t size = 3;
            for (const auto& element : *v.get_if<attribute_list>()) size += 1 + value_size(element);
            return size;
        }
        case kind::ss: {
            std::size_t size = 0;
            for (const auto& s : v.get_if<string_set>()->values) size += s.size();
            return size;
        }
        case kind::ns: {
            std::size_t size = 0;
            for (const auto& n : v.get_if<number_set>()->values) size += number_size(n);
            return size;
        }
        case kind::bs: {
            std::size_t size = 0;
            for (const auto& b : v.get_if<binary_set>()->values) size += b.size();
            return size;
        }
    }
    return 0;
}

}  // namespace

attribute_map::attribute_map(std::initializer_list<value_type> init)
{
    entries_.reserve(init.size());
    for (const auto& [name, value] : init) set(name, value);
}

attribute_value& attribute_map::set(std::string name, attribute_value value)
{
    if (attribute_value* existing = find(name)) {
        *existing = std::move(value);
        return *existing;
    }
    return entries_.emplace_back(std::move(name), std::move(value)).second;
}

attribute_value& attribute_map::operator[](std::string_view name)
{
    if (attribute_value* existing = find(name)) return *existing;
    return entries_.emplace_back(std::string(name), attribute_value()).second;
}

const attribute_value* attribute_map::find(std::string_view name) const noexcept
{
    for (const auto& entry : entries_) {
        if (entry.first == name) return &entry.second;
    }
    return nullptr;
}

attribute_value* attribute_map::find(std::string_view name) noexcept
{
    for (auto& entry : entries_) {
        if (entry.first == name) return &entry.second;
    }
    return nullptr;
}

const attribute_value& attribute_map::at(std::string_view name) const
{
    if (const attribute_value* existing = find(name)) return *existing;
    throw error(errc::invalid_argument, "attribute \"" + shown(name) + "\" is not in the item");
}

bool attribute_map::erase(std::string_view name)
{
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const value_type& entry) { return entry.first == name; });
    if (it == entries_.end()) return false;
    entries_.erase(it);
    return true;
}

bool operator==(const attribute_map& a, const attribute_map& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.entries_.size(); ++i) {
        const auto& [name, value] = a.entries_[i];
        // Same order is the common case; names are unique, so matching each is enough.
        const attribute_value* other =
            b.entries_[i].first == name ? &b.entries_[i].second : b.find(name);
        if (!other || !(*other == value)) return false;
    }
    return true;
}

bool operator==(const string_set& a, const string_set& b)
{
    return same_set(a.values, b.values, std::less<>{}, std::equal_to<>{});
}

bool operator==(const number_set& a, const number_set& b)
{
    return same_set(a.values, b.values, number_less, std::equal_to<>{});
}

bool operator==(const binary_set& a, const binary_set& b)
{
    return same_set(a.values, b.values, std::less<>{}, std::equal_to<>{});
}

namespace {

template <std::floating_point Float>
[[noreturn]] void throw_not_storable(Float d)
{
    std::string message;
    if (std::isnan(d)) {
        message = "NaN is not a DynamoDB number";
    } else if (std::isinf(d)) {
        message = "infinity is not a DynamoDB number";
    } else {
        char text[48];
        const auto printed = std::to_chars(text, text + sizeof text, d);
        message = std::string(text, printed.ptr) +
                  " is outside DynamoDB's number range (1e-130 to below 1e126)";
    }
    throw error(errc::invalid_number, message);
}

}  // namespace

namespace detail {

number storable_number(double v)
{
    number n;
    if (number::from_double(v, n)) throw_not_storable(v);
    return n;
}

number storable_number(float v)
{
    number n;
    if (number::from_float(v, n)) throw_not_storable(v);
    return n;
}

}  // namespace detail

attribute_value attribute_value::from_double(double d)
{
    return attribute_value(detail::storable_number(d));
}

attribute_value attribute_value::from_float(float f)
{
    return attribute_value(detail::storable_number(f));
}

attribute_value attribute_value::from_long_double(long double d)
{
    number n;
    if (number::from_long_double(d, n)) throw_not_storable(d);
    return attribute_value(std::move(n));
}

std::string_view attribute_value::type_name(kind k) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"S", "N", "B",  "BOOL", "NULL",
                                                 "M", "L", "SS", "NS",   "BS"};
    return detail::enum_name(k, names, "?");
}

namespace {

template <class T>
const T& expect(const attribute_value& v, attribute_value::kind wanted)
{
    if (const T* p = v.get_if<T>()) return *p;
    throw error(errc::invalid_argument, "expected an attribute value of type " +
                                            std::string(attribute_value::type_name(wanted)) +
                                            ", got " + std::string(v.type_name()));
}

}  // namespace

const std::string& attribute_value::as_s() const
{
    return expect<std::string>(*this, kind::s);
}
const number& attribute_value::as_n() const
{
    return expect<number>(*this, kind::n);
}
const bytes& attribute_value::as_b() const
{
    return expect<bytes>(*this, kind::b);
}
bool attribute_value::as_bool() const
{
    return expect<bool>(*this, kind::boolean);
}
const attribute_map& attribute_value::as_m() const
{
    return expect<attribute_map>(*this, kind::m);
}
attribute_map& attribute_value::as_m()
{
    return const_cast<attribute_map&>(std::as_const(*this).as_m());
}
const attribute_list& attribute_value::as_l() const
{
    return expect<attribute_list>(*this, kind::l);
}
attribute_list& attribute_value::as_l()
{
    return const_cast<attribute_list&>(std::as_const(*this).as_l());
}
const string_set& attribute_value::as_ss() const
{
    return expect<string_set>(*this, kind::ss);
}
const number_set& attribute_value::as_ns() const
{
    return expect<number_set>(*this, kind::ns);
}
const binary_set& attribute_value::as_bs() const
{
    return expect<binary_set>(*this, kind::bs);
}

error_code validate(const attribute_value& v, std::string* why)
{
    validator check{why, "value"};
    return check.value(v, 0);
}

error_code validate(const attribute_map& item, std::string* why)
{
    validator check{why, {}};
    return check.map(item, 0);
}

// Follows the rules AWS documents under "Item sizes and formats": names and strings
// count their UTF-8 bytes, binaries their raw bytes, numbers one byte per two
// significant digits plus one, booleans and nulls one byte, maps and lists three bytes
// plus one byte per element, and sets the sum of their members.
std::size_t item_size(const attribute_map& item) noexcept
{
    std::size_t size = 0;
    for (const auto& [name, value] : item) size += name.size() + value_size(value);
    return size;
}

}  // namespace dynomite
