// The shared AWS files and the environment: INI parsing, profile lookup, variables.
#include "core/ascii.hpp"
#include "core/config_messages.hpp"

#include "core/shared_config.hpp"
#include <dynomite/core/diagnostics.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <tuple>
#include <utility>
#include <vector>

namespace dynomite {
namespace {

using detail::fail;
using detail::in_quotes;

std::string_view trim(std::string_view text) noexcept
{
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string to_lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        c = detail::ascii_lower(c);
    }
    return out;
}

// Cuts a comment that follows whitespace: "us-east-1  # home" is "us-east-1".
std::string_view strip_inline_comment(std::string_view value) noexcept
{
    for (std::size_t i = 1; i < value.size(); ++i) {
        if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
            return trim(value.substr(0, i));
        }
    }
    return value;
}

}  // namespace

std::optional<std::string> process_environment_variable(std::string_view name)
{
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

environment environment::from_map(std::map<std::string, std::string, std::less<>> variables)
{
    return environment{
        [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
            const auto found = variables.find(name);
            if (found == variables.end()) return std::nullopt;
            return found->second;
        }};
}

namespace detail {

std::optional<std::string> lookup(const environment& env, std::string_view name)
{
    std::optional<std::string> value = env.get(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

error_code parse_ini(std::string_view text, std::string_view source, ini_document& out,
                     std::string* why)
{
    const auto malformed = [&](std::size_t line_number, std::string_view problem) {
        std::string message(source);
        message.append(1, ':').append(std::to_string(line_number)).append(": ").append(problem);
        return fail(errc::invalid_configuration, std::move(message), why);
    };

    ini_section* section = nullptr;
    // The key whose indented sub-settings follow, while they do.
    std::string parent_key;
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++line_number;

        const bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
        const std::string_view content = trim(line);
        if (content.empty() || content.front() == '#' || content.front() == ';') continue;
        if (indented && !parent_key.empty()) {
            const std::size_t separator = content.find('=');
            if (separator == std::string_view::npos) {
                return malformed(line_number, "expected an indented \"key = value\" sub-setting");
            }
            const std::string_view key = trim(content.substr(0, separator));
            if (key.empty()) return malformed(line_number, "sub-setting without a key");
            (*section)[parent_key + "." + to_lower(key)] =
                std::string(strip_inline_comment(trim(content.substr(separator + 1))));
            continue;
        }
        parent_key.clear();

        if (content.front() == '[') {
            const std::size_t close = content.find(']');
            if (close == std::string_view::npos) {
                return malformed(line_number, "section header without a closing ']'");
            }
            const std::string_view rest = trim(content.substr(close + 1));
            if (!rest.empty() && rest.front() != '#' && rest.front() != ';') {
                return malformed(line_number, "unexpected text after the section header");
            }
            const std::string_view name = trim(content.substr(1, close - 1));
            if (name.empty()) return malformed(line_number, "empty section name");
            auto found = out.find(name);
            if (found == out.end()) found = out.emplace(std::string(name), ini_section{}).first;
            section = &found->second;
            continue;
        }

        if (section == nullptr) {
            return malformed(line_number, "setting before any [section] header");
        }
        const std::size_t separator = content.find_first_of("=:");
        if (separator == std::string_view::npos) {
            return malformed(line_number, "expected \"[section]\" or \"key = value\"");
        }
        const std::string_view key = trim(content.substr(0, separator));
        if (key.empty()) return malformed(line_number, "setting without a key");
        const std::string_view value = strip_inline_comment(trim(content.substr(separator + 1)));
        std::string lowered = to_lower(key);
        if (value.empty()) parent_key = lowered;
        (*section)[std::move(lowered)] = std::string(value);
    }
    return {};
}

error_code load_ini_file(const std::string& path, std::optional<ini_document>& out,
                         std::string* why)
{
    namespace fs = std::filesystem;
    out.reset();
    std::error_code status_error;
    const fs::file_status status = fs::status(path, status_error);
    if (status.type() == fs::file_type::not_found) return {};

    std::string text;
    bool readable = !status_error && fs::is_regular_file(status);
    if (readable) {
        std::ifstream in(path, std::ios::binary);
        readable = in.is_open();
        if (readable) {
            text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            readable = !in.bad();
        }
    }
    if (!readable) {
        return fail(errc::invalid_configuration,
                    "cannot read " + path + ": not a readable regular file", why);
    }
    ini_document document;
    if (error_code ec = parse_ini(text, path, document, why)) return ec;
    out = std::move(document);
    return {};
}

const ini_section* find_profile(const ini_document& document, std::string_view profile,
                                shared_file_kind kind)
{
    if (kind == shared_file_kind::credentials) {
        const auto found = document.find(profile);
        return found == document.end() ? nullptr : &found->second;
    }
    if (profile == "default") {
        const auto found = document.find("default");
        if (found != document.end()) return &found->second;
    }
    constexpr std::string_view prefix = "profile";
    for (const auto& [name, section] : document) {
        const std::string_view view = name;
        if (view.size() > prefix.size() && view.starts_with(prefix) &&
            (view[prefix.size()] == ' ' || view[prefix.size()] == '\t') &&
            trim(view.substr(prefix.size())) == profile) {
            return &section;
        }
    }
    return nullptr;
}

std::optional<std::string_view> find_setting(const ini_section& section, std::string_view key)
{
    const auto found = section.find(key);
    if (found == section.end() || found->second.empty()) return std::nullopt;
    return std::string_view(found->second);
}

std::optional<std::string_view> find_sub_setting(const ini_section& section,
                                                 std::string_view parent, std::string_view key)
{
    std::string flattened;
    flattened.reserve(parent.size() + 1 + key.size());
    flattened.append(parent).append(1, '.').append(key);
    return find_setting(section, flattened);
}

shared_file_paths locate_shared_files(const environment& env)
{
    const std::optional<std::string> home = lookup(env, "HOME");
    const auto locate = [&](std::string_view variable, std::string_view default_name) {
        if (std::optional<std::string> path = lookup(env, variable)) {
            if (home && path->starts_with("~/")) return *home + path->substr(1);
            return *path;
        }
        if (!home) return std::string();
        return *home + "/.aws/" + std::string(default_name);
    };
    return {locate("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            locate("AWS_CONFIG_FILE", "config")};
}

profile_choice choose_profile(std::string_view explicit_profile, const environment& env)
{
    if (!explicit_profile.empty()) return {std::string(explicit_profile), "the options", true};
    if (std::optional<std::string> name = lookup(env, "AWS_PROFILE")) {
        return {std::move(*name), "AWS_PROFILE", true};
    }
    return {"default", "the default", false};
}

}  // namespace detail

}  // namespace dynomite
