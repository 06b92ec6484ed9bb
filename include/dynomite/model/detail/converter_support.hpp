// What the built-in converters share: paths and messages of conversion errors, readable type
// names, and the reading of nested values (list elements, map values, struct fields).
#pragma once

#include <dynomite/model/attribute_convertible.hpp>
#include <dynomite/model/described_types.hpp>
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

namespace dynomite::detail {


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
concept integer_field = exact_integer<T> && !std::same_as<T, bool>;

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

/// Fails with errc::invalid_argument: `v` is not of the `expected` kind ("S", "L", "SS or
/// NULL") that a T holds.
template <class T>
error_code kind_mismatch(const attribute_value& v, std::string_view expected, std::string* why,
                         const value_path* at = nullptr)
{
    return report_failure(at, why, errc::invalid_argument,
                          [&] { return type_mismatch(expected, label_of<T>(), v); });
}

/// The from_attribute of a path-aware Converter of T: its from_attribute_at at the top.
template <class Converter, class T>
struct path_aware_reading {
    static error_code from_attribute(const attribute_value& v, T& out, std::string* why)
    {
        return Converter::from_attribute_at(v, out, why, nullptr);
    }
};

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

std::string unnamed_enum_message(std::string_view label, std::string_view value);
std::string unknown_enum_message(std::string_view label, std::string_view name,
                                 const std::vector<std::string_view>& known);

}  // namespace dynomite::detail
