// Where configuration reads environment variables; tests substitute their own.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

/// The process environment variable `name`, or nothing when it is not set.
std::optional<std::string> process_environment_variable(std::string_view name);

/// Where configuration lookups read variables; tests substitute their own.
/// Variables set to an empty string count as unset.
struct environment {
    std::function<std::optional<std::string>(std::string_view name)> get =
        &process_environment_variable;

    /// An environment holding exactly `variables`.
    static environment from_map(std::map<std::string, std::string, std::less<>> variables);
};

}  // namespace dynomite
