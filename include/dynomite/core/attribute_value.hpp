// DynamoDB attribute values: all ten types.
#pragma once

#include <dynomite/core/number.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace dynomite {

class attribute_value;
namespace detail {
struct attribute_map_access;
}  // namespace detail

using bytes = std::vector<std::byte>;
struct null_value {
    friend bool operator==(null_value, null_value) noexcept { return true; }
};

/// Ordered by insertion; names are unique. Items are small, so a flat vector beats a
/// tree both for building requests and for decoding responses.
class attribute_map {
public:
    using value_type = std::pair<std::string, attribute_value>;
    using iterator = std::vector<value_type>::iterator;
    using const_iterator = std::vector<value_type>::const_iterator;

    attribute_map() = default;
    attribute_map(std::initializer_list<value_type> init);

    /// Inserts or replaces.
    attribute_value& set(std::string name, attribute_value value);
    attribute_value& operator[](std::string_view name);  // inserts NULL when missing
    const attribute_value* find(std::string_view name) const noexcept;
    attribute_value* find(std::string_view name) noexcept;
    /// Throws dynomite::error(errc::invalid_argument) naming the attribute when missing.
    const attribute_value& at(std::string_view name) const;
    bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
    bool erase(std::string_view name);

    // Defined below attribute_value: clang instantiates the vector's constexpr members at
    // their first use, where the element type must be complete.
    std::size_t size() const noexcept;
    bool empty() const noexcept;
    void reserve(std::size_t n);
    void clear() noexcept;
    iterator begin() noexcept;
    iterator end() noexcept;
    const_iterator begin() const noexcept;
    const_iterator end() const noexcept;

    /// Order-independent equality.
    friend bool operator==(const attribute_map& a, const attribute_map& b);

private:
    friend struct detail::attribute_map_access;
    std::vector<value_type> entries_;
};

using item = attribute_map;
using attribute_list = std::vector<attribute_value>;

struct string_set {
    std::vector<std::string> values;
    friend bool operator==(const string_set&, const string_set&);  // as sets
};
struct number_set {
    std::vector<number> values;
    friend bool operator==(const number_set&, const number_set&);  // as sets
};
struct binary_set {
    std::vector<bytes> values;
    friend bool operator==(const binary_set&, const binary_set&);  // as sets
};

class attribute_value {
public:
    enum class kind : unsigned char { s, n, b, boolean, null, m, l, ss, ns, bs };
    using storage = std::variant<std::string, number, bytes, bool, null_value, attribute_map,
                                 attribute_list, string_set, number_set, binary_set>;

    attribute_value() : v_(null_value{}) {}
    attribute_value(std::string s) : v_(std::move(s)) {}
    attribute_value(std::string_view s) : v_(std::string(s)) {}
    attribute_value(const char* s) : v_(std::string(s)) {}
    attribute_value(number n) : v_(std::move(n)) {}
    attribute_value(exact_integer auto v) requires(!std::same_as<decltype(v), bool>)
        : v_(number(v)) {}
    /// A character or a 128-bit integer (see exact_integer); without this, it would silently
    /// become a BOOL.
    template <std::integral T>
        requires(!exact_integer<T>)
    attribute_value(T) = delete;
    /// A number; throws dynomite::error(errc::invalid_number) for NaN, infinity or a magnitude
    /// DynamoDB cannot store. (Without this, a double would silently become a BOOL.) A float
    /// is written as the shortest text of the float, as a model's float field is.
    attribute_value(std::floating_point auto v) : attribute_value(from_floating(v)) {}
    attribute_value(bytes b) : v_(std::move(b)) {}
    /// A bool only: a pointer (a u8"" or L"" literal among them) or an unscoped enum would
    /// otherwise silently become a BOOL.
    template <std::same_as<bool> B>
    attribute_value(B b) : v_(static_cast<bool>(b)) {}
    /// A class that stands for a bool (std::vector<bool>'s and std::bitset's references).
    template <class B>
        requires(std::is_class_v<B> && std::is_convertible_v<const B&, bool> &&
                 !std::is_convertible_v<const B&, std::string_view>)
    attribute_value(const B& b) : v_(static_cast<bool>(b)) {}
    attribute_value(null_value n) : v_(n) {}
    attribute_value(attribute_map m) : v_(std::move(m)) {}
    attribute_value(attribute_list l) : v_(std::move(l)) {}
    attribute_value(string_set s) : v_(std::move(s)) {}
    attribute_value(number_set s) : v_(std::move(s)) {}
    attribute_value(binary_set s) : v_(std::move(s)) {}

    /// Throws dynomite::error(errc::invalid_number) for NaN, infinity or out of range.
    static attribute_value from_double(double d);
    /// Throws dynomite::error(errc::invalid_number) for NaN or infinity.
    static attribute_value from_float(float f);
    /// The shortest text of the long double itself, not of a double it would round to.
    /// Throws dynomite::error(errc::invalid_number) for NaN, infinity or out of range.
    static attribute_value from_long_double(long double d);

    kind type() const noexcept { return static_cast<kind>(v_.index()); }
    /// "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
    static std::string_view type_name(kind k) noexcept;
    std::string_view type_name() const noexcept { return type_name(type()); }

    bool is_s() const noexcept { return type() == kind::s; }
    bool is_n() const noexcept { return type() == kind::n; }
    bool is_null() const noexcept { return type() == kind::null; }

    /// Typed access; throws dynomite::error(errc::invalid_argument) naming both types
    /// on a mismatch.
    const std::string& as_s() const;
    const number& as_n() const;
    const bytes& as_b() const;
    bool as_bool() const;
    const attribute_map& as_m() const;
    attribute_map& as_m();
    const attribute_list& as_l() const;
    attribute_list& as_l();
    const string_set& as_ss() const;
    const number_set& as_ns() const;
    const binary_set& as_bs() const;

    template <class T> const T* get_if() const noexcept { return std::get_if<T>(&v_); }
    template <class T> T* get_if() noexcept { return std::get_if<T>(&v_); }
    const storage& value() const noexcept { return v_; }
    storage& value() noexcept { return v_; }

    friend bool operator==(const attribute_value& a, const attribute_value& b) = default;

private:
    template <std::floating_point Float>
    static attribute_value from_floating(Float v)
    {
        if constexpr (std::is_same_v<Float, float>) {
            return from_float(v);
        } else if constexpr (std::is_same_v<Float, double>) {
            return from_double(v);
        } else {
            return from_long_double(static_cast<long double>(v));
        }
    }

    storage v_;
};

inline std::size_t attribute_map::size() const noexcept { return entries_.size(); }
inline bool attribute_map::empty() const noexcept { return entries_.empty(); }
inline void attribute_map::reserve(std::size_t n) { entries_.reserve(n); }
inline void attribute_map::clear() noexcept { entries_.clear(); }
inline attribute_map::iterator attribute_map::begin() noexcept { return entries_.begin(); }
inline attribute_map::iterator attribute_map::end() noexcept { return entries_.end(); }
inline attribute_map::const_iterator attribute_map::begin() const noexcept
{
    return entries_.begin();
}
inline attribute_map::const_iterator attribute_map::end() const noexcept { return entries_.end(); }

/// Checks what DynamoDB would reject, before a request is sent: empty sets, duplicate
/// set members (numbers compared numerically), invalid UTF-8 in strings and names (set
/// members included), empty names, names longer than 65535 bytes and nesting deeper than
/// 32 levels. Fails with errc::invalid_utf8 for encoding errors and errc::invalid_argument
/// otherwise; `why` then names the attribute path ("order.lines[3].sku: ...").
error_code validate(const attribute_value& v, std::string* why = nullptr);
error_code validate(const attribute_map& item, std::string* why = nullptr);

/// The size DynamoDB counts against the 400 KB item limit (names plus values).
std::size_t item_size(const attribute_map& item) noexcept;
inline constexpr std::size_t max_item_size = 400 * 1024;

/// Base64 (standard alphabet, padded), as DynamoDB sends binary.
std::string base64_encode(const bytes& data);
std::string base64_encode(std::string_view data);
/// errc::invalid_base64 for a character outside the alphabet, a length that is not a
/// multiple of 4 or misplaced padding; `out` is left unchanged then.
error_code base64_decode(std::string_view text, bytes& out);

bytes to_bytes(std::string_view s);

}  // namespace dynomite
