// The shared AWS files (~/.aws/credentials, ~/.aws/config): INI parsing and profile lookup.
#pragma once

#include <dynomite/core/environment.hpp>
#include <dynomite/core/error.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite::detail {

/// The settings of one section: keys lowercased (AWS tools read them case-insensitively),
/// values trimmed.
using ini_section = std::map<std::string, std::string, std::less<>>;
/// Sections by their trimmed name, case-sensitive.
using ini_document = std::map<std::string, ini_section, std::less<>>;

/// Parses the AWS flavour of INI: "[section]" lines, "key = value" or "key: value" settings,
/// whole-line comments starting with '#' or ';', inline comments that follow whitespace, and
/// indented "key = value" sub-settings under a key with an empty value, stored as
/// "parent.key" (read them with find_sub_setting). A repeated section merges into the first.
/// A malformed line fails with errc::invalid_configuration naming source:line, without quoting
/// the line, which may hold a secret.
error_code parse_ini(std::string_view text, std::string_view source, ini_document& out,
                     std::string* why);

/// Reads and parses the file at path. A missing file leaves out empty and is not an error; one
/// that exists but cannot be read fails with errc::invalid_configuration.
error_code load_ini_file(const std::string& path, std::optional<ini_document>& out,
                         std::string* why);

enum class shared_file_kind { credentials, config };

/// The section of `profile`: "[NAME]" in the credentials file; "[profile NAME]" in the config
/// file, where the default profile is "[default]" (or "[profile default]"). Null when absent.
const ini_section* find_profile(const ini_document& document, std::string_view profile,
                                shared_file_kind kind);

/// The value of `key` in section, when present and not empty.
std::optional<std::string_view> find_setting(const ini_section& section, std::string_view key);

/// The value of the sub-setting `key` under `parent` ("dynamodb =" then an indented
/// "endpoint_url = ..."), when present and not empty.
std::optional<std::string_view> find_sub_setting(const ini_section& section,
                                                 std::string_view parent, std::string_view key);

struct shared_file_paths {
    std::string credentials;  // empty when neither its variable nor HOME is set
    std::string config;
};

/// AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE (a leading "~/" means $HOME/), defaulting
/// to $HOME/.aws/credentials and $HOME/.aws/config.
shared_file_paths locate_shared_files(const environment& env);

struct profile_choice {
    std::string name;
    std::string origin;  // how it was chosen, for messages: "AWS_PROFILE", ...
    bool named = false;  // chosen by the options or AWS_PROFILE rather than by default
};

/// `explicit_profile` when not empty, else AWS_PROFILE, else "default".
profile_choice choose_profile(std::string_view explicit_profile, const environment& env);

/// env.get(name), treating an empty value as unset.
std::optional<std::string> lookup(const environment& env, std::string_view name);

}  // namespace dynomite::detail
