// The converters of sets (SS, NS, BS), lists (L) and maps (M) of convertible values.
#pragma once

#include <dynomite/model/detail/number_converters.hpp>

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
// Sets, lists and maps.

template <class K>
concept set_member = std::same_as<K, std::string> || std::same_as<K, bytes> || number_like<K>;

template <class Set>
struct set_converter : path_aware_reading<set_converter<Set>, Set> {
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
            if (members == nullptr) return kind_mismatch<Set>(v, "SS or NULL", why, at);
            result.insert(members->values.begin(), members->values.end());
        } else if constexpr (std::same_as<key, bytes>) {
            const binary_set* members = v.get_if<binary_set>();
            if (members == nullptr) return kind_mismatch<Set>(v, "BS or NULL", why, at);
            result.insert(members->values.begin(), members->values.end());
        } else {
            const number_set* members = v.get_if<number_set>();
            if (members == nullptr) return kind_mismatch<Set>(v, "NS or NULL", why, at);
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
};

template <class List>
struct list_converter : path_aware_reading<list_converter<List>, List> {
    using element = typename List::value_type;

    static attribute_value to_attribute(const List& list)
    {
        attribute_list out;
        if constexpr (requires { list.size(); }) out.reserve(list.size());
        for (const auto& e : list) out.push_back(attribute_converter<element>::to_attribute(e));
        return out;
    }

    static error_code from_attribute_at(const attribute_value& v, List& out, std::string* why,
                                        const value_path* at)
    {
        const attribute_list* elements = v.get_if<attribute_list>();
        if (elements == nullptr) return kind_mismatch<List>(v, "L", why, at);
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
struct map_converter : path_aware_reading<map_converter<Map>, Map> {
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

    static error_code from_attribute_at(const attribute_value& v, Map& out, std::string* why,
                                        const value_path* at)
    {
        const attribute_map* entries = v.get_if<attribute_map>();
        if (entries == nullptr) return kind_mismatch<Map>(v, "M", why, at);
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

}  // namespace dynomite::detail
