#include "core/config_messages.hpp"
#include "core/enum_text.hpp"

#include "transport/retry_settings.hpp"

#include <charconv>
#include <optional>

namespace dynomite {

std::string_view to_string(retry_mode mode) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"legacy", "standard", "adaptive"};
    return detail::enum_name(mode, names, "standard");
}

std::optional<retry_mode> parse_retry_mode(std::string_view text) noexcept
{
    for (auto mode : {retry_mode::legacy, retry_mode::standard, retry_mode::adaptive})
        if (text == to_string(mode)) return mode;
    return std::nullopt;
}

namespace detail {
namespace {

/// A whole decimal number of at least 1; botocore's int() also takes signs and blanks, which
/// no configuration needs.
std::optional<int> parse_attempts(std::string_view text)
{
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
    return value;
}

/// One setting read from `text` by `parse`, found at `origin` ("AWS_MAX_ATTEMPTS",
/// "max_attempts in profile ..."); `expected` names what it may be.
template <class T, class Parse>
error_code read_setting(std::string_view text, std::string_view origin, Parse parse,
                        std::string_view expected, T& out, std::string* why)
{
    const auto value = parse(text);
    if (!value) {
        return fail(
            errc::invalid_configuration,
            std::string(origin) + " is " + in_quotes(text) + "; expected " + std::string(expected),
            why);
    }
    out = *value;
    return {};
}

error_code read_attempts(std::string_view text, std::string_view origin, int& out, std::string* why)
{
    return read_setting(text, origin, parse_attempts, "a whole number of attempts, at least 1", out,
                        why);
}

error_code read_mode(std::string_view text, std::string_view origin, retry_mode& out,
                     std::string* why)
{
    return read_setting(text, origin, parse_retry_mode, "legacy, standard or adaptive", out, why);
}

}  // namespace

error_code resolve_retry_settings(const retry_options& params, const environment& env,
                                  const ini_section* profile, std::string_view profile_label,
                                  retry_settings& out, std::string* why)
{
    const auto in_profile = [&](std::string_view key) {
        return std::string(key) + " in " + std::string(profile_label);
    };

    retry_settings settings;
    if (params.mode) {
        if (*params.mode != retry_mode::legacy && *params.mode != retry_mode::standard &&
            *params.mode != retry_mode::adaptive) {
            return fail(errc::invalid_configuration,
                        "retry_options.mode is " + std::to_string(static_cast<int>(*params.mode)) +
                            ", which is no retry mode",
                        why);
        }
        settings.mode = *params.mode;
    } else if (const auto text = lookup(env, "AWS_RETRY_MODE")) {
        if (auto ec = read_mode(*text, "AWS_RETRY_MODE", settings.mode, why)) return ec;
    } else if (const auto text = profile ? find_setting(*profile, "retry_mode") : std::nullopt) {
        if (auto ec = read_mode(*text, in_profile("retry_mode"), settings.mode, why)) return ec;
    }

    settings.max_attempts = settings.mode == retry_mode::legacy ? legacy_default_max_attempts
                                                                : default_max_attempts;
    if (params.max_attempts) {
        if (*params.max_attempts < 1) {
            return fail(errc::invalid_configuration,
                        "retry_options.max_attempts is " + std::to_string(*params.max_attempts) +
                            "; it must be at least 1",
                        why);
        }
        settings.max_attempts = *params.max_attempts;
    } else if (const auto text = lookup(env, "AWS_MAX_ATTEMPTS")) {
        if (auto ec = read_attempts(*text, "AWS_MAX_ATTEMPTS", settings.max_attempts, why))
            return ec;
    } else if (const auto text = profile ? find_setting(*profile, "max_attempts") : std::nullopt) {
        if (auto ec = read_attempts(*text, in_profile("max_attempts"), settings.max_attempts, why))
            return ec;
    }
    out = settings;
    return {};
}

error_code resolve_retry_settings(const retry_options& params, std::string_view profile_name,
                                  const environment& env, retry_settings& out, std::string* why)
{
    const bool mode_open = !params.mode && !lookup(env, "AWS_RETRY_MODE");
    const bool attempts_open = !params.max_attempts && !lookup(env, "AWS_MAX_ATTEMPTS");
    const std::string config_path =
        mode_open || attempts_open ? locate_shared_files(env).config : std::string();
    if (config_path.empty()) return resolve_retry_settings(params, env, nullptr, {}, out, why);

    std::optional<ini_document> document;
    if (auto ec = load_ini_file(config_path, document, why)) return ec;
    const profile_choice choice = choose_profile(profile_name, env);
    const ini_section* section =
        document ? find_profile(*document, choice.name, shared_file_kind::config) : nullptr;
    const std::string label = "profile " + in_quotes(choice.name) + " in " + config_path;
    return resolve_retry_settings(params, env, section, label, out, why);
}

}  // namespace detail
}  // namespace dynomite
