// Names of enumerators kept in a table indexed by the enumerator's value: one mechanism for the
// to_string and from_string functions of the library's enumerations.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace dynomite::detail {

/// The name of `value` in `names`, which lists the enumerators in declaration order from 0;
/// `otherwise` for a value past the table.
template <class E>
constexpr std::string_view enum_name(E value, std::span<const std::string_view> names,
                                     std::string_view otherwise = {}) noexcept
{
    const auto index = static_cast<std::size_t>(value);
    return index < names.size() ? names[index] : otherwise;
}

/// Sets `out` to the enumerator named `name` in `names` (as enum_name reads them) and returns
/// true; returns false for a name not in the table, after setting `out` to the enumerator right
/// after the named ones when `has_unknown`.
template <class E>
constexpr bool enum_from_name(std::string_view name, E& out,
                              std::span<const std::string_view> names,
                              bool has_unknown = false) noexcept
{
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) {
            out = static_cast<E>(i);
            return true;
        }
    }
    if (has_unknown) out = static_cast<E>(names.size());
    return false;
}

}  // namespace dynomite::detail
