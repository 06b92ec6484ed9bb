#include <dynomite/core/logging.hpp>

#include "core/enum_text.hpp"

#include <cstdio>
#include <string>

namespace dynomite {

std::optional<log_level> parse_log_level(std::string_view text) noexcept
{
    if (text == "debug") return log_level::debug;
    if (text == "info") return log_level::info;
    if (text == "warning" || text == "warn") return log_level::warning;
    if (text == "error") return log_level::error;
    if (text == "off") return log_level::off;
    return std::nullopt;
}

std::string_view to_string(log_level level) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"debug", "info", "warning", "error", "off"};
    return detail::enum_name(level, names, "unknown");
}

log_sink stderr_log_sink()
{
    return [](log_level level, std::string_view line) {
        // One fwrite per line keeps lines whole when several threads log.
        std::string text = "dynomite: ";
        text += to_string(level);
        text += ": ";
        text += line;
        text += '\n';
        std::fwrite(text.data(), 1, text.size(), stderr);
    };
}

}  // namespace dynomite
