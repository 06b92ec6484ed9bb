// How configuration readers (region, endpoint, shared files, retry settings) report a problem:
// an error code with its explanation, and values shown whole in double quotes (in_quotes).
#pragma once

#include <dynomite/core/error.hpp>
#include "core/quoting.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace dynomite::detail {

/// Stores `message` in `*why` when asked for, and returns `code`.
inline error_code fail(errc code, std::string message, std::string* why)
{
    if (why != nullptr) *why = std::move(message);
    return make_error_code(code);
}

}  // namespace dynomite::detail
