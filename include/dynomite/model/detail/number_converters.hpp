// How numbers (integers, float, double, dynomite::number) and the values stored as themselves
// (S, B, BOOL) are written and read, for the built-in converters.
#pragma once

#include <dynomite/model/detail/converter_support.hpp>

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
        if (n == nullptr) return kind_mismatch<T>(v, "N", why);
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
        if (stored == nullptr) return kind_mismatch<T>(v, Expected, why);
        out = *stored;
        return {};
    }
};

inline constexpr std::string_view expected_s = "S";
inline constexpr std::string_view expected_b = "B";
inline constexpr std::string_view expected_bool = "BOOL";
inline constexpr std::string_view expected_m = "M";

}  // namespace dynomite::detail
