// Migration files named YYYYmmddHHMMSS-<name>.json, and the directory that holds them, read in
// version order.
#include <dynomite/migration/migration.hpp>
#include "core/ascii.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dynomite {

namespace {

bool is_name_char(char c)
{
    return detail::is_ascii_alphanumeric(c) || c == '_';
}

int digits_value(std::string_view s)
{
    int value = 0;
    for (const char c : s) value = value * 10 + (c - '0');
    return value;
}

bool is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Whether the 14 digits are a real date and time.
bool is_valid_timestamp(std::string_view digits)
{
    const int year = digits_value(digits.substr(0, 4));
    const int month = digits_value(digits.substr(4, 2));
    const int day = digits_value(digits.substr(6, 2));
    const int hour = digits_value(digits.substr(8, 2));
    const int minute = digits_value(digits.substr(10, 2));
    const int second = digits_value(digits.substr(12, 2));
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
        return false;
    }
    constexpr std::array<int, 12> days_in_month = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int last_day = days_in_month[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
    return day <= last_day;
}

}  // namespace

error_code parse_migration_file_name(std::string_view file_name, std::string& version,
                                     std::string& name, std::string* why)
{
    const auto fail = [&](const std::string& problem) {
        if (why) {
            *why = "migration file name \"" + std::string(file_name) + "\" " + problem +
                   "; expected YYYYmmddHHMMSS-name.json, e.g. 20260125093000-create_posts.json";
        }
        return error_code(migration_errc::invalid_migration);
    };
    constexpr std::string_view extension = ".json";
    constexpr std::size_t version_digits = 14;
    if (!file_name.ends_with(extension)) return fail("does not end in .json");
    const std::string_view stem = file_name.substr(0, file_name.size() - extension.size());
    if (stem.size() < version_digits + 2 || stem[version_digits] != '-' ||
        !std::all_of(stem.begin(), stem.begin() + version_digits, detail::is_ascii_digit)) {
        return fail("does not start with 14 digits and '-'");
    }
    if (!is_valid_timestamp(stem.substr(0, version_digits))) {
        return fail("starts with " + std::string(stem.substr(0, version_digits)) +
                    ", not a valid date and time");
    }
    const std::string_view migration_name = stem.substr(version_digits + 1);
    if (!std::all_of(migration_name.begin(), migration_name.end(), is_name_char)) {
        return fail("has a name with characters other than letters, digits and '_'");
    }
    version = std::string(stem.substr(0, version_digits));
    name = std::string(migration_name);
    return {};
}

error_code load_migration_file(const std::string& path, migration& out, std::string* why)
{
    const std::filesystem::path file(path);
    migration loaded;
    if (error_code ec =
            parse_migration_file_name(file.filename().string(), loaded.version, loaded.name, why)) {
        if (why) *why = path + ": " + *why;
        return ec;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (why) *why = path + ": cannot be read";
        return errc::invalid_argument;
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (error_code ec = parse_migration_json(content.str(), path, loaded.steps, why)) return ec;
    loaded.source = path;
    out = std::move(loaded);
    return {};
}

error_code load_migrations(const std::string& directory, std::vector<migration>& out,
                           std::string* why)
{
    std::error_code fs_error;
    if (!std::filesystem::is_directory(directory, fs_error)) {
        if (why) {
            *why = "migration directory " + directory +
                   " does not exist; create it or give another with --path";
        }
        return errc::invalid_argument;
    }
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(directory, fs_error)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            paths.push_back(entry.path().string());
        }
    }
    if (fs_error) {
        if (why)
            *why = "migration directory " + directory + " cannot be listed: " + fs_error.message();
        return errc::invalid_argument;
    }
    std::vector<migration> loaded;
    for (const std::string& path : paths) {
        migration m;
        if (error_code ec = load_migration_file(path, m, why)) return ec;
        loaded.push_back(std::move(m));
    }
    std::sort(loaded.begin(), loaded.end(),
              [](const migration& a, const migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < loaded.size(); ++i) {
        if (loaded[i].version == loaded[i - 1].version) {
            if (why) {
                *why = "migrations " + loaded[i - 1].source + " and " + loaded[i].source +
                       " share version " + loaded[i].version + "; give one a later version";
            }
            return migration_errc::duplicate_version;
        }
    }
    out = std::move(loaded);
    return {};
}

}  // namespace dynomite
