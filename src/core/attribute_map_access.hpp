// Building attribute maps from decoded JSON objects, whose keys are already unique.
#pragma once

#include <dynomite/core/attribute_value.hpp>

#include <string>
#include <utility>

namespace dynomite::detail {

struct attribute_map_access {
    static attribute_value& append(attribute_map& m, std::string name, attribute_value value)
    {
        return m.entries_.emplace_back(std::move(name), std::move(value)).second;
    }
    /// A new last entry, its name empty and its value NULL, to be filled in place.
    static attribute_map::value_type& append_empty(attribute_map& m)
    {
        return m.entries_.emplace_back();
    }
    static void reserve(attribute_map& m, std::size_t n) { m.entries_.reserve(n); }
    static std::size_t capacity(const attribute_map& m) noexcept { return m.entries_.capacity(); }
};

}  // namespace dynomite::detail
