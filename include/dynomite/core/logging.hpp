// Where the library reports what it does: retries, connections, each attempt at debug level.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace dynomite {

enum class log_level { debug, info, warning, error, off };

/// Receives one line per event. Lines never contain credentials, signatures or tokens.
using log_sink = std::function<void(log_level level, std::string_view line)>;

/// "debug", "info", "warning", "error", "off" (as in DYNOMITE_LOG).
std::optional<log_level> parse_log_level(std::string_view text) noexcept;
std::string_view to_string(log_level level) noexcept;

/// Writes "dynomite: <level>: <line>" to stderr.
log_sink stderr_log_sink();

}  // namespace dynomite
