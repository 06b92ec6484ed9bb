// The built-in attribute converters, and the opt-in descriptions of enums and structs.
//
//   std::string                      S
//   bool                             BOOL
//   integers (not char types)        N, exact: out of range and fractions are refused
//   float, double                    N; writing NaN or infinity throws dynomite::error
//   dynomite::number                 N, exact
//   dynomite::bytes                  B
//   sys_time<Duration>               S, ISO 8601 in UTC (see time.hpp)
//   dynomite::epoch_seconds          N, whole seconds since the epoch (for time to live)
//   std::set / std::unordered_set    SS of strings, NS of numbers, BS (std::set) of bytes;
//                                    empty sets, which DynamoDB cannot store, are written as
//                                    NULL, and NULL reads back as an empty set
//   std::vector, std::list           L
//   std::map, std::unordered_map     M (keys are std::string)
//   std::optional<T>                 T's attribute, or NULL when empty; NULL reads as nullopt
//   enums described by enum_names    S
//   structs described by struct_fields  M
//   attribute_value, attribute_map   themselves
//
// Reading never guesses: a value of another type is refused (a number is never read from S),
// and errors inside lists, maps and structs name their path ("lines[3].sku: expected S for a
// std::string field, got N"). On failure the output is left unchanged.
#pragma once

#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/naming.hpp>
#include <dynomite/core/number.hpp>
#include <dynomite/core/time.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <ratio>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace dynomite {

// ---------------------------------------------------------------------------------------------
// Opt-in descriptions.

/// Stores enum E as S by name. Specialize with the names of all the values:
///   template <> struct dynomite::enum_names<color> {
///       static constexpr std::array<std::pair<color, std::string_view>, 2> values{
///           {{color::red, "red"}, {color::green, "green"}}};
///   };
/// Writing a value without a name throws dynomite::error(errc::invalid_argument); reading an
/// unknown name fails with errc::invalid_argument listing the known ones.
template <class E>
struct enum_names;

/// Stores struct T as M. Specialize with a tuple of field descriptors:
///   template <> struct dynomite::struct_fields<address> {
///       static constexpr auto fields = std::make_tuple(
///           dynomite::field("street", &address::street), dynomite::field("zip", &address::zip));
///   };
/// Field names must be distinct and not empty. Reading leaves the fields whose attribute is
/// missing at their default and ignores attributes that name no field.
template <class T>
struct struct_fields;

/// One member of a described struct: its attribute name and where it lives.
template <class Class, class Member>
struct field_descriptor {
    using class_type = Class;
    using member_type = Member;

    std::string_view name;
    Member Class::*member;

    constexpr const Member& get(const Class& object) const noexcept { return object.*member; }
    constexpr Member& get(Class& object) const noexcept { return object.*member; }
};

// clang-format 14 mangles requires-clauses and requires-expressions.
// clang-format off
template <class Class, class Member>
    requires(!std::is_function_v<Member>)
constexpr field_descriptor<Class, Member> field(std::string_view name,
                                                Member Class::*member) noexcept
{
    return {name, member};
}

template <class E>
concept described_enum = std::is_enum_v<E> && requires {
    { enum_names<E>::values.begin()->first } -> std::convertible_to<E>;
    { enum_names<E>::values.begin()->second } -> std::convertible_to<std::string_view>;
};

template <class T>
concept described_struct = std::is_class_v<T> && requires {
    typename std::tuple_size<std::remove_cvref_t<decltype(struct_fields<T>::fields)>>::type;
};
// clang-format on

/// Calls f(descriptor) for each field of T, in the order of the description.
template <described_struct T, class F>
constexpr void for_each_field(F&& f)
{
    std::apply([&f](const auto&... descriptor) { (f(descriptor), ...); }, struct_fields<T>::fields);
}

namespace detail {

/// False when two fields of T share a name or a name is empty.
template <described_struct T>
constexpr bool valid_field_names()
{
    constexpr auto names = std::apply(
        [](const auto&... descriptor) {
            return std::array<std::string_view, sizeof...(descriptor)>{descriptor.name...};
        },
        struct_fields<T>::fields);
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty()) return false;
        for (std::size_t j = i + 1; j < names.size(); ++j) {
            if (names[i] == names[j]) return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// Error reporting.

// Where a nested value sits, kept on the stack while converting and turned into text
// ("lines[3].sku") only for an error message.
struct value_path {
    const value_path* parent = nullptr;
    std::string_view name;  // a field or a map key; unused for a list index
    std::size_t index = 0;
    bool is_index = false;
};

/// "lines[3].sku"; names that are not plain words are quoted: `tags["a.b"]`.
std::string path_text(const value_path* at);
/// "path: message", or the message alone at the top (at == nullptr).
std::string with_path(const value_path* at, std::string message);
/// Prefixes *why with the path, for a message written by a converter that does not know it.
void prefix_path(const value_path* at, std::string* why);
/// "expected N for a std::int32_t field, got S".
std::string type_mismatch(std::string_view expected, std::string_view label,
                          const attribute_value& got);

template <class MakeMessage>
error_code report_failure(const value_path* at, std::string* why, error_code ec, MakeMessage&& make)
{
    if (why) *why = with_path(at, make());
    return ec;
}

// ---------------------------------------------------------------------------------------------
// Readable type names for messages.

template <class T>
concept integer_field = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                        !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> &&
                        !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;

template <class T>
concept floating_field = std::same_as<T, float> || std::same_as<T, double>;

constexpr std::string_view integer_label(bool is_signed, std::size_t size) noexcept
{
    switch (size) {
        case 1:
            return is_signed ? "std::int8_t" : "std::uint8_t";
        case 2:
            return is_signed ? "std::int16_t" : "std::uint16_t";
        case 4:
            return is_signed ? "std::int32_t" : "std::uint32_t";
        default:
            return is_signed ? "std::int64_t" : "std::uint64_t";
    }
}

std::string duration_label(std::intmax_t num, std::intmax_t den, std::string_view rep);

template <class T>
struct type_label {
    static std::string get() { return qualified_type_name_of<T>(); }
};

template <class T>
std::string label_of()
{
    return type_label<T>::get();
}

template <integer_field T>
struct type_label<T> {
    static std::string get() { return std::string(integer_label(std::is_signed_v<T>, sizeof(T))); }
};

#define DYNOMITE_DETAIL_TYPE_LABEL(type, text)    \
    template <>                                   \
    struct type_label<type> {                     \
        static std::string get() { return text; } \
    }

DYNOMITE_DETAIL_TYPE_LABEL(bool, "bool");
DYNOMITE_DETAIL_TYPE_LABEL(float, "float");
DYNOMITE_DETAIL_TYPE_LABEL(double, "double");
DYNOMITE_DETAIL_TYPE_LABEL(std::string, "std::string");
DYNOMITE_DETAIL_TYPE_LABEL(number, "dynomite::number");
DYNOMITE_DETAIL_TYPE_LABEL(bytes, "dynomite::bytes");
DYNOMITE_DETAIL_TYPE_LABEL(attribute_value, "dynomite::attribute_value");
DYNOMITE_DETAIL_TYPE_LABEL(attribute_map, "dynomite::attribute_map");
DYNOMITE_DETAIL_TYPE_LABEL(epoch_seconds, "dynomite::epoch_seconds");

#undef DYNOMITE_DETAIL_TYPE_LABEL

template <class Rep, class Period>
struct type_label<std::chrono::duration<Rep, Period>> {
    static std::string get() { return duration_label(Period::num, Period::den, label_of<Rep>()); }
};

template <class Duration>
struct type_label<std::chrono::sys_time<Duration>> {
    static std::string get() { return "std::chrono::sys_time<" + label_of<Duration>() + ">"; }
};

template <class T, class A>
struct type_label<std::vector<T, A>> {
    static std::string get() { return "std::vector<" + label_of<T>() + ">"; }
};

template <class T, class A>
struct type_label<std::list<T, A>> {
    static std::string get() { return "std::list<" + label_of<T>() + ">"; }
};

template <class K, class C, class A>
struct type_label<std::set<K, C, A>> {
    static std::string get() { return "std::set<" + label_of<K>() + ">"; }
};

template <class K, class H, class E, class A>
struct type_label<std::unordered_set<K, H, E, A>> {
    static std::string get() { return "std::unordered_set<" + label_of<K>() + ">"; }
};

template <class T, class C, class A>
struct type_label<std::map<std::string, T, C, A>> {
    static std::string get() { return "std::map<std::string, " + label_of<T>() + ">"; }
};

template <class T, class H, class E, class A>
struct type_label<std::unordered_map<std::string, T, H, E, A>> {
    static std::string get() { return "std::unordered_map<std::string, " + label_of<T>() + ">"; }
};

template <class T>
struct type_label<std::optional<T>> {
    static std::string get() { return "std::optional<" + label_of<T>() + ">"; }
};

// ---------------------------------------------------------------------------------------------
// Nested reading.

// Converters of values that contain others also provide from_attribute_at, which takes the
// path of the value so that errors deep inside name where they happened.
// clang-format off
template <class T>
concept path_aware_converter = requires(const attribute_value& v, T& out, std::string* why,
                                        const value_path* at) {
    { attribute_converter<T>::from_attribute_at(v, out, why, at) } -> std::same_as<error_code>;
};
// clang-format on

template <attribute_convertible T>
error_code read_nested(const attribute_value& v, T& out, std::string* why, const value_path* at)
{
    if constexpr (path_aware_converter<T>) {
        return attribute_converter<T>::from_attribute_at(v, out, why, at);
    } else {
        error_code ec = attribute_converter<T>::from_attribute(v, out, why);
        if (ec) prefix_path(at, why);
        return ec;
    }
}

template <described_struct T>
error_code read_fields_at(const attribute_map& in, T& object, std::string* why,
                          const value_path* at)
{
    static_assert(valid_field_names<T>(),
                  "dynomite::struct_fields: field names must be distinct and not empty");
    error_code ec;
    for_each_field<T>([&](const auto& descriptor) {
        if (ec) return;
        const attribute_value* value = in.find(descriptor.name);
        if (value == nullptr) return;
        const value_path here{at, descriptor.name};
        ec = read_nested(*value, descriptor.get(object), why, &here);
    });
    return ec;
}

// ---------------------------------------------------------------------------------------------
// Numbers.

error_code read_signed(const number& n, std::int64_t min, std::int64_t max, std::string_view label,
                       std::int64_t& out, std::string* why);
error_code read_unsigned(const number& n, std::uint64_t max, std::string_view label,
                         std::uint64_t& out, std::string* why);
/// Throw dynomite::error(errc::invalid_number) for NaN and infinity (and, for a double, a
/// magnitude DynamoDB cannot store).
number number_from_float(float v);
number number_from_double(double v);
error_code read_float(const number& n, float& out, std::string* why);
error_code read_double(const number& n, double& out, std::string* why);

// How a number-like type is written to and read from a DynamoDB number.
template <class T>
struct number_codec;

template <integer_field T>
struct number_codec<T> {
    static number write(T v) { return number(v); }
    static error_code read(const number& n, T& out, std::string* why)
    {
        constexpr std::string_view label = integer_label(std::is_signed_v<T>, sizeof(T));
        if constexpr (std::is_signed_v<T>) {
            std::int64_t v = 0;
            if (error_code ec = read_signed(n, std::numeric_limits<T>::min(),
                                            std::numeric_limits<T>::max(), label, v, why)) {
                return ec;
            }
            out = static_cast<T>(v);
        } else {
            std::uint64_t v = 0;
            if (error_code ec = read_unsigned(n, std::numeric_limits<T>::max(), label, v, why)) {
                return ec;
            }
            out = static_cast<T>(v);
        }
        return {};
    }
};

template <>
struct number_codec<float> {
    static number write(float v) { return number_from_float(v); }
    static error_code read(const number& n, float& out, std::string* why)
    {
        return read_float(n, out, why);
    }
};

template <>
struct number_codec<double> {
    static number write(double v) { return number_from_double(v); }
    static error_code read(const number& n, double& out, std::string* why)
    {
        return read_double(n, out, why);
    }
};

template <>
struct number_codec<number> {
    static number write(const number& v) { return v; }
    static error_code read(const number& n, number& out, std::string*)
    {
        out = n;
        return {};
    }
};

template <class T>
concept number_like = integer_field<T> || floating_field<T> || std::same_as<T, number>;

template <class T>
struct number_converter {
    static attribute_value to_attribute(const T& value) { return number_codec<T>::write(value); }
    static error_code from_attribute(const attribute_value& v, T& out, std::string* why)
    {
        const number* n = v.get_if<number>();
        if (n == nullptr) {
            return report_failure(nullptr, why, errc::invalid_argument,
                                  [&] { return type_mismatch("N", label_of<T>(), v); });
        }
        return number_codec<T>::read(*n, out, why);
    }
};

// A converter for a type held as one alternative of attribute_value's storage.
template <class T, class Stored, const std::string_view& Expected>
struct stored_converter {
    static attribute_value to_attribute(const T& value) { return Stored(value); }
    static error_code from_attribute(const attribute_value& v, T& out, std::string* why)
    {
        const Stored* stored = v.get_if<Stored>();
        if (stored == nullptr) {
            return report_failure(nullptr, why, errc::invalid_argument,
                                  [&] { return type_mismatch(Expected, label_of<T>(), v); });
        }
        out = *stored;
        return {};
    }
};

inline constexpr std::string_view expected_s = "S";
inline constexpr std::string_view expected_b = "B";
inline constexpr std::string_view expected_bool = "BOOL";
inline constexpr std::string_view expected_m = "M";

// ---------------------------------------------------------------------------------------------
// Sets, lists and maps.

template <class K>
concept set_member = std::same_as<K, std::string> || std::same_as<K, bytes> || number_like<K>;

template <class Set>
struct set_converter {
    using key = typename Set::key_type;

    static attribute_value to_attribute(const Set& set)
    {
        if (set.empty()) return null_value{};
        if constexpr (std::same_as<key, std::string>) {
            return string_set{std::vector<std::string>(set.begin(), set.end())};
        } else if constexpr (std::same_as<key, bytes>) {
            return binary_set{std::vector<bytes>(set.begin(), set.end())};
        } else {
            number_set out;
            out.values.reserve(set.size());
            for (const key& member : set) out.values.push_back(number_codec<key>::write(member));
            return out;
        }
    }

    static error_code from_attribute(const attribute_value& v, Set& out, std::string* why)
    {
        return from_attribute_at(v, out, why, nullptr);
    }

    static error_code from_attribute_at(const attribute_value& v, Set& out, std::string* why,
                                        const value_path* at)
    {
        if (v.is_null()) {
            out = Set{};
            return {};
        }
        Set result;
        if constexpr (std::same_as<key, std::string>) {
            const string_set* members = v.get_if<string_set>();
            if (members == nullptr) return mismatch(v, "SS or NULL", why, at);
            result.insert(members->values.begin(), members->values.end());
        } else if constexpr (std::same_as<key, bytes>) {
            const binary_set* members = v.get_if<binary_set>();
            if (members == nullptr) return mismatch(v, "BS or NULL", why, at);
            result.insert(members->values.begin(), members->values.end());
        } else {
            const number_set* members = v.get_if<number_set>();
            if (members == nullptr) return mismatch(v, "NS or NULL", why, at);
            for (const number& member : members->values) {
                key k{};
                if (error_code ec = number_codec<key>::read(member, k, why)) {
                    prefix_path(at, why);
                    return ec;
                }
                result.insert(std::move(k));
            }
        }
        out = std::move(result);
        return {};
    }

private:
    static error_code mismatch(const attribute_value& v, std::string_view expected,
                               std::string* why, const value_path* at)
    {
        return report_failure(at, why, errc::invalid_argument,
                              [&] { return type_mismatch(expected, label_of<Set>(), v); });
    }
};

template <class List>
struct list_converter {
    using element = typename List::value_type;

    static attribute_value to_attribute(const List& list)
    {
        attribute_list out;
        if constexpr (requires { list.size(); }) out.reserve(list.size());
        for (const auto& e : list) out.push_back(attribute_converter<element>::to_attribute(e));
        return out;
    }

    static error_code from_attribute(const attribute_value& v, List& out, std::string* why)
    {
        return from_attribute_at(v, out, why, nullptr);
    }

    static error_code from_attribute_at(const attribute_value& v, List& out, std::string* why,
                                        const value_path* at)
    {
        const attribute_list* elements = v.get_if<attribute_list>();
        if (elements == nullptr) {
            return report_failure(at, why, errc::invalid_argument,
                                  [&] { return type_mismatch("L", label_of<List>(), v); });
        }
        List result;
        for (std::size_t i = 0; i < elements->size(); ++i) {
            element e{};
            const value_path here{at, {}, i, true};
            if (error_code ec = read_nested((*elements)[i], e, why, &here)) return ec;
            result.push_back(std::move(e));
        }
        out = std::move(result);
        return {};
    }
};

template <class Map>
struct map_converter {
    using mapped = typename Map::mapped_type;

    static attribute_value to_attribute(const Map& map)
    {
        attribute_map out;
        out.reserve(map.size());
        for (const auto& [name, value] : map) {
            out.set(name, attribute_converter<mapped>::to_attribute(value));
        }
        return out;
    }

    static error_code from_attribute(const attribute_value& v, Map& out, std::string* why)
    {
        return from_attribute_at(v, out, why, nullptr);
    }

    static error_code from_attribute_at(const attribute_value& v, Map& out, std::string* why,
                                        const value_path* at)
    {
        const attribute_map* entries = v.get_if<attribute_map>();
        if (entries == nullptr) {
            return report_failure(at, why, errc::invalid_argument,
                                  [&] { return type_mismatch("M", label_of<Map>(), v); });
        }
        Map result;
        for (const auto& [name, value] : *entries) {
            mapped m{};
            const value_path here{at, name};
            if (error_code ec = read_nested(value, m, why, &here)) return ec;
            result.emplace(name, std::move(m));
        }
        out = std::move(result);
        return {};
    }
};

std::string unnamed_enum_message(std::string_view label, std::string_view value);
std::string unknown_enum_message(std::string_view label, std::string_view name,
                                 const std::vector<std::string_view>& known);

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// The converters.

template <>
struct attribute_converter<std::string>
    : detail::stored_converter<std::string, std::string, detail::expected_s> {
};

template <>
struct attribute_converter<bool> : detail::stored_converter<bool, bool, detail::expected_bool> {
};

template <>
struct attribute_converter<bytes> : detail::stored_converter<bytes, bytes, detail::expected_b> {
};

/// Integers, float, double and dynomite::number, as N. Integers are read exactly: a value
/// outside the type's range fails with errc::number_out_of_range ("3000000000 does not fit
/// std::int32_t"), one with a fraction with errc::number_precision_loss. A float or double is
/// read only when the number is the one the value prints as (errc::number_precision_loss
/// otherwise). Writing NaN or infinity, or a double beyond DynamoDB's range (1e-130 to 1e126 in
/// magnitude), throws dynomite::error(errc::invalid_number), since to_attribute cannot fail.
template <detail::number_like T>
struct attribute_converter<T> : detail::number_converter<T> {
};

template <>
struct attribute_converter<attribute_value> {
    static attribute_value to_attribute(const attribute_value& value) { return value; }
    static error_code from_attribute(const attribute_value& v, attribute_value& out, std::string*)
    {
        out = v;
        return {};
    }
};

template <>
struct attribute_converter<attribute_map>
    : detail::stored_converter<attribute_map, attribute_map, detail::expected_m> {
};

/// ISO 8601 text in UTC (format_iso8601 and parse_iso8601 in time.hpp).
template <iso8601_duration Duration>
struct attribute_converter<std::chrono::sys_time<Duration>> {
    using time = std::chrono::sys_time<Duration>;

    static attribute_value to_attribute(const time& value) { return format_iso8601(value); }
    static error_code from_attribute(const attribute_value& v, time& out, std::string* why)
    {
        const std::string* text = v.get_if<std::string>();
        if (text == nullptr) {
            return detail::report_failure(nullptr, why, errc::invalid_argument, [&] {
                return detail::type_mismatch("S", detail::label_of<time>(), v);
            });
        }
        return parse_iso8601(*text, out, why);
    }
};

/// N, whole seconds since the epoch; a fraction fails with errc::number_precision_loss.
template <>
struct attribute_converter<epoch_seconds> {
    static attribute_value to_attribute(const epoch_seconds& value)
    {
        return number::from_int(value.value.time_since_epoch().count());
    }
    static error_code from_attribute(const attribute_value& v, epoch_seconds& out, std::string* why)
    {
        const number* n = v.get_if<number>();
        if (n == nullptr) {
            return detail::report_failure(nullptr, why, errc::invalid_argument, [&] {
                return detail::type_mismatch("N", "dynomite::epoch_seconds", v);
            });
        }
        std::int64_t seconds = 0;
        if (error_code ec = detail::read_signed(*n, std::numeric_limits<std::int64_t>::min(),
                                                std::numeric_limits<std::int64_t>::max(),
                                                "dynomite::epoch_seconds", seconds, why)) {
            return ec;
        }
        out.value = std::chrono::sys_seconds(std::chrono::seconds(seconds));
        return {};
    }
};

/// SS, NS or BS; an empty set is written as NULL (DynamoDB has no empty sets, so the caller
/// removes the attribute), and NULL reads back as an empty set.
template <detail::set_member K, class C, class A>
struct attribute_converter<std::set<K, C, A>> : detail::set_converter<std::set<K, C, A>> {
};

template <detail::set_member K, class H, class E, class A>
struct attribute_converter<std::unordered_set<K, H, E, A>>
    : detail::set_converter<std::unordered_set<K, H, E, A>> {
};

template <attribute_convertible T, class A>
struct attribute_converter<std::vector<T, A>> : detail::list_converter<std::vector<T, A>> {
};

template <attribute_convertible T, class A>
struct attribute_converter<std::list<T, A>> : detail::list_converter<std::list<T, A>> {
};

template <attribute_convertible T, class C, class A>
struct attribute_converter<std::map<std::string, T, C, A>>
    : detail::map_converter<std::map<std::string, T, C, A>> {
};

template <attribute_convertible T, class H, class E, class A>
struct attribute_converter<std::unordered_map<std::string, T, H, E, A>>
    : detail::map_converter<std::unordered_map<std::string, T, H, E, A>> {
};

/// T's attribute, or NULL when empty. NULL reads as nullopt, even for a T that would read NULL
/// itself: an optional holding an empty set reads back as nullopt.
template <attribute_convertible T>
struct attribute_converter<std::optional<T>> {
    static attribute_value to_attribute(const std::optional<T>& value)
    {
        if (!value) return null_value{};
        return attribute_converter<T>::to_attribute(*value);
    }

    static error_code from_attribute(const attribute_value& v, std::optional<T>& out,
                                     std::string* why)
    {
        return from_attribute_at(v, out, why, nullptr);
    }

    static error_code from_attribute_at(const attribute_value& v, std::optional<T>& out,
                                        std::string* why, const detail::value_path* at)
    {
        if (v.is_null()) {
            out.reset();
            return {};
        }
        T value{};
        if (error_code ec = detail::read_nested(v, value, why, at)) return ec;
        out = std::move(value);
        return {};
    }
};

/// S, by the names in enum_names<E>.
template <described_enum E>
struct attribute_converter<E> {
    static attribute_value to_attribute(const E& value)
    {
        for (const auto& [e, name] : enum_names<E>::values) {
            if (e == value) return std::string_view(name);
        }
        using underlying = std::underlying_type_t<E>;
        const std::string shown = std::is_signed_v<underlying>
                                      ? std::to_string(static_cast<long long>(value))
                                      : std::to_string(static_cast<unsigned long long>(value));
        throw error(errc::invalid_argument,
                    detail::unnamed_enum_message(detail::label_of<E>(), shown));
    }

    static error_code from_attribute(const attribute_value& v, E& out, std::string* why)
    {
        const std::string* text = v.get_if<std::string>();
        if (text == nullptr) {
            return detail::report_failure(nullptr, why, errc::invalid_argument, [&] {
                return detail::type_mismatch("S", detail::label_of<E>(), v);
            });
        }
        for (const auto& [e, name] : enum_names<E>::values) {
            if (std::string_view(name) == *text) {
                out = e;
                return {};
            }
        }
        return detail::report_failure(nullptr, why, errc::invalid_argument, [&] {
            std::vector<std::string_view> known;
            for (const auto& entry : enum_names<E>::values) known.emplace_back(entry.second);
            return detail::unknown_enum_message(detail::label_of<E>(), *text, known);
        });
    }
};

/// Writes every field of `object` into `out` (replacing attributes of the same names), NULL
/// included, so that reading gives back the same object.
template <described_struct T>
void write_fields(const T& object, attribute_map& out)
{
    static_assert(detail::valid_field_names<T>(),
                  "dynomite::struct_fields: field names must be distinct and not empty");
    for_each_field<T>([&](const auto& descriptor) {
        using member = typename std::remove_cvref_t<decltype(descriptor)>::member_type;
        out.set(std::string(descriptor.name),
                attribute_converter<member>::to_attribute(descriptor.get(object)));
    });
}

/// Reads the fields of `object` present in `in`, in place: fields without an attribute keep
/// their value, and attributes that name no field are ignored. Errors name the field's path
/// ("address.zip: expected N for a std::int32_t field, got S"); the fields before the failing
/// one have been assigned by then.
template <described_struct T>
error_code read_fields(const attribute_map& in, T& object, std::string* why = nullptr)
{
    return detail::read_fields_at(in, object, why, nullptr);
}

/// M; the fields whose attribute is missing keep the value of a default-constructed T.
template <described_struct T>
struct attribute_converter<T> {
    static attribute_value to_attribute(const T& value)
    {
        attribute_map out;
        write_fields(value, out);
        return out;
    }

    static error_code from_attribute(const attribute_value& v, T& out, std::string* why)
    {
        return from_attribute_at(v, out, why, nullptr);
    }

    static error_code from_attribute_at(const attribute_value& v, T& out, std::string* why,
                                        const detail::value_path* at)
    {
        const attribute_map* fields = v.get_if<attribute_map>();
        if (fields == nullptr) {
            return detail::report_failure(at, why, errc::invalid_argument, [&] {
                return detail::type_mismatch("M", detail::label_of<T>(), v);
            });
        }
        T result{};
        if (error_code ec = detail::read_fields_at(*fields, result, why, at)) return ec;
        out = std::move(result);
        return {};
    }
};

}  // namespace dynomite
