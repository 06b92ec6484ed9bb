// What an operation's events say of its request and response, read from whichever of the
// members each request and response type has.
#pragma once

#include <dynomite/protocol/common.hpp>

#include <optional>
#include <string_view>

namespace dynomite::detail {

/// The request's table and index, for the events; empty when its type has none.
template <class Request>
std::string_view table_of(const Request& request) noexcept
{
    if constexpr (requires { request.table_name.has_value(); })
        return request.table_name ? std::string_view(*request.table_name) : std::string_view{};
    else if constexpr (requires { std::string_view(request.table_name); })
        return request.table_name;
    else
        return {};
}

template <class Request>
std::string_view index_of(const Request& request) noexcept
{
    if constexpr (requires { request.index_name.has_value(); })
        return request.index_name ? std::string_view(*request.index_name) : std::string_view{};
    else
        return {};
}

/// The capacity units a response reports, summed over its tables.
template <class Response>
std::optional<double> consumed_units(const Response& response) noexcept
{
    const auto units = [](const consumed_capacity& c) {
        return c.capacity_units.value_or(c.read_capacity_units.value_or(0) +
                                         c.write_capacity_units.value_or(0));
    };
    if constexpr (requires { response.consumed_capacity.has_value(); }) {
        if (response.consumed_capacity) return units(*response.consumed_capacity);
    } else if constexpr (requires { response.consumed_capacity.front(); }) {
        if (!response.consumed_capacity.empty()) {
            double sum = 0;
            for (const auto& c : response.consumed_capacity) sum += units(c);
            return sum;
        }
    }
    return std::nullopt;
}

}  // namespace dynomite::detail
