// How the bench's parsers report bad input: errc::invalid_argument with its explanation.
#pragma once

#include "core/config_messages.hpp"

#include <string>

namespace dynomite::cli::bench {

/// Stores `message` in `why` and returns errc::invalid_argument.
inline error_code invalid(std::string& why, std::string message)
{
    return detail::fail(errc::invalid_argument, std::move(message), &why);
}

}  // namespace dynomite::cli::bench
