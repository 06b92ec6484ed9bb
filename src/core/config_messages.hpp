// How configuration readers (region, endpoint, shared files, retry settings) report a problem:
// an error code with its explanation, and values shown whole in double quotes.
#pragma once

#include <dynomite/core/error.hpp>

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

/// `text` in double quotes, never shortened: a configured value is shown as it was written.
inline std::string in_quotes(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out.append(1, '"').append(text).append(1, '"');
    return out;
}

}  // namespace dynomite::detail
