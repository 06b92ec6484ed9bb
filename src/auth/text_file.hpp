// Small files credential sources read: token files, the SSO token cache.
#pragma once

#include <dynomite/core/error.hpp>

#include <string>

namespace dynomite::detail {

/// The whole file, at most 1 MiB. errc::invalid_configuration naming the path (never the
/// content) when it is absent, unreadable or larger.
error_code read_text_file(const std::string& path, std::string_view what, std::string& out,
                          std::string& why);

/// Replaces the file with `text` at once: readers see the old content or the new, never a
/// part. Written to a temporary file beside it (owner-only permissions, as the content may
/// be a token), then renamed over it. errc::invalid_configuration naming the path.
error_code write_text_file_atomically(const std::string& path, std::string_view text,
                                      std::string& why);

/// The text without surrounding whitespace and line breaks.
std::string trimmed(std::string_view text);

}  // namespace dynomite::detail
