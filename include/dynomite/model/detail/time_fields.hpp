// Time fields (sys_time of any duration, epoch_seconds, and optionals of these), which
// timestamps and touch() set.
#pragma once

#include <dynomite/core/time.hpp>

#include <chrono>
#include <optional>
#include <type_traits>

namespace dynomite::detail {

// Time fields: sys_time of any duration, epoch_seconds, and optionals of these.
template <class V>
struct time_field : std::false_type {
};
template <class D>
struct time_field<std::chrono::sys_time<D>> : std::true_type {
};
template <>
struct time_field<epoch_seconds> : std::true_type {
};
template <class V>
struct time_field<std::optional<V>> : time_field<V> {
};

template <class V>
bool assign_time(V& field, std::chrono::system_clock::time_point now, bool only_if_unset)
{
    if (only_if_unset && !(field == V{})) return false;
    if constexpr (requires {
                      field.value();
                      field.reset();
                  }) {
        using inner = typename V::value_type;
        inner value{};
        assign_time(value, now, false);
        field = value;
    } else if constexpr (std::is_same_v<V, epoch_seconds>) {
        field.value = std::chrono::floor<std::chrono::seconds>(now);
    } else {
        field = std::chrono::floor<typename V::duration>(now);
    }
    return true;
}

}  // namespace dynomite::detail
