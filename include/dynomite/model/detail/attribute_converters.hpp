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

#include <dynomite/model/attribute_convertible.hpp>
#include <dynomite/model/described_types.hpp>
#include <dynomite/model/detail/container_converters.hpp>
#include <dynomite/model/detail/converter_support.hpp>
#include <dynomite/model/detail/number_converters.hpp>
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
        if (text == nullptr) return detail::kind_mismatch<time>(v, "S", why);
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
struct attribute_converter<std::optional<T>>
    : detail::path_aware_reading<attribute_converter<std::optional<T>>, std::optional<T>> {
    static attribute_value to_attribute(const std::optional<T>& value)
    {
        if (!value) return null_value{};
        return attribute_converter<T>::to_attribute(*value);
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
        if (text == nullptr) return detail::kind_mismatch<E>(v, "S", why);
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
struct attribute_converter<T> : detail::path_aware_reading<attribute_converter<T>, T> {
    static attribute_value to_attribute(const T& value)
    {
        attribute_map out;
        write_fields(value, out);
        return out;
    }

    static error_code from_attribute_at(const attribute_value& v, T& out, std::string* why,
                                        const detail::value_path* at)
    {
        const attribute_map* fields = v.get_if<attribute_map>();
        if (fields == nullptr) return detail::kind_mismatch<T>(v, "M", why, at);
        T result{};
        if (error_code ec = detail::read_fields_at(*fields, result, why, at)) return ec;
        out = std::move(result);
        return {};
    }
};

}  // namespace dynomite
