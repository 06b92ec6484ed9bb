// The customization point attribute_converter<T>, the concept attribute_convertible, and
// to_attribute/from_attribute, without the built-in converters (attribute_converter.hpp
// includes them).
#pragma once

#include <dynomite/core/attribute_value.hpp>

#include <string>

namespace dynomite {

/// Specialize for a user type to store it as an attribute:
///   template <> struct attribute_converter<money> {
///       static attribute_value to_attribute(const money& m);
///       static error_code from_attribute(const attribute_value& v, money& out, std::string* why);
///   };
/// from_attribute fails with errc::invalid_argument (or the number errors) and a `why` that
/// names the expected and the actual type; it never guesses.
template <class T, class Enable = void>
struct attribute_converter;

/// True when T has a converter (built in or user-defined).
template <class T>
concept attribute_convertible = requires(const T& value, const attribute_value& av, T& out,
                                         std::string* why) {
    { attribute_converter<T>::to_attribute(value) } -> std::same_as<attribute_value>;
    { attribute_converter<T>::from_attribute(av, out, why) } -> std::same_as<error_code>;
};

template <attribute_convertible T>
attribute_value to_attribute(const T& value)
{
    return attribute_converter<T>::to_attribute(value);
}

template <attribute_convertible T>
error_code from_attribute(const attribute_value& value, T& out, std::string* why = nullptr)
{
    return attribute_converter<T>::from_attribute(value, out, why);
}

}  // namespace dynomite
