#include "core/quoting.hpp"

#include <algorithm>

namespace dynomite::detail {
namespace {

enum class bytes_shown { as_they_are, printable_only };

std::string quote(std::string_view text, std::size_t max_shown, bytes_shown shown)
{
    std::size_t cut = std::min(text.size(), max_shown);
    // Back up over UTF-8 continuation bytes so that the message stays valid text. (Printable
    // only, each byte of a character becomes '?' anyway.)
    if (shown == bytes_shown::as_they_are && cut < text.size()) {
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    }
    std::string out;
    out.reserve(cut + 5);
    out += '"';
    if (shown == bytes_shown::as_they_are) {
        out.append(text.substr(0, cut));
    } else {
        for (const char c : text.substr(0, cut)) {
            // Escaped so that a quote inside the text cannot be read as the end of it.
            if (c == '"' || c == '\\') out += '\\';
            out += (c >= 0x20 && c < 0x7f) ? c : '?';
        }
    }
    if (cut < text.size()) out += "...";
    out += '"';
    return out;
}

}  // namespace

std::string in_quotes(std::string_view text)
{
    return quote(text, text.size(), bytes_shown::as_they_are);
}

std::string quoted(std::string_view text)
{
    return quote(text, 64, bytes_shown::as_they_are);
}

std::string quoted(std::string_view text, std::size_t max_shown)
{
    return quote(text, max_shown, bytes_shown::as_they_are);
}

std::string quoted_printable(std::string_view text, std::size_t max_shown)
{
    return quote(text, max_shown, bytes_shown::printable_only);
}

}  // namespace dynomite::detail
