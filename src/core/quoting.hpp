// Text shown in messages, in double quotes. Three policies, one implementation
// (core/quoting.cpp); detail::quoted, beside document_path, is the third:
// - in_quotes: whole, as written, for values the application or its configuration chose;
// - quoted: at most 64 bytes, cut at a UTF-8 character boundary, for names and paths;
// - quoted_printable: bounded, every byte outside printable ASCII shown as '?', for text that
//   came from outside (a response, a number to parse), which may hold anything; quotes and
//   backslashes in it are escaped.
#pragma once

#include <dynomite/core/document_path.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace dynomite::detail {

/// `text` in double quotes, never shortened.
std::string in_quotes(std::string_view text);

/// detail::quoted with another bound: at most `max_shown` bytes, cut at a character boundary.
std::string quoted(std::string_view text, std::size_t max_shown);

/// `text` in double quotes, its first `max_shown` bytes only (then "..."), with control bytes
/// and non-ASCII shown as '?' and a quote or backslash escaped with a backslash.
std::string quoted_printable(std::string_view text, std::size_t max_shown = 64);

}  // namespace dynomite::detail
