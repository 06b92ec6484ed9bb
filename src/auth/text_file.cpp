#include "text_file.hpp"

#include <fstream>
#include <iterator>

namespace dynomite::detail {

error_code read_text_file(const std::string& path, std::string_view what, std::string& out,
                          std::string& why)
{
    constexpr std::streamsize limit = 1024 * 1024;
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) {
        why = "cannot read the " + std::string(what) + " " + path;
        return make_error_code(errc::invalid_configuration);
    }
    std::string text;
    text.resize(static_cast<std::size_t>(limit) + 1);
    in.read(text.data(), limit + 1);
    if (in.bad()) {
        why = "cannot read the " + std::string(what) + " " + path;
        return make_error_code(errc::invalid_configuration);
    }
    if (in.gcount() > limit) {
        why = "the " + std::string(what) + " " + path + " is larger than 1 MiB";
        return make_error_code(errc::invalid_configuration);
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    out = std::move(text);
    return {};
}

std::string trimmed(std::string_view text)
{
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return std::string(text);
}

}  // namespace dynomite::detail
