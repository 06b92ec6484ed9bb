// Migrations' error category, key specifications and the step builder. No I/O here.
// The requests steps make are in requests.cpp; records and the runner's decisions in records.cpp.
#include <dynomite/migration/migration.hpp>
#include "core/ascii.hpp"
#include "core/error_category.hpp"
#include "core/or_throw.hpp"
#include "core/quoting.hpp"

#include <set>
#include <string>

namespace dynomite {

using detail::in_quotes;

namespace {

constexpr detail::code_message<migration_errc> migration_errc_messages[] = {
    {migration_errc::invalid_migration, "invalid migration"},
    {migration_errc::duplicate_version, "two migrations share a version"},
    {migration_errc::blocked, "a recorded migration error blocks the run"},
    {migration_errc::migration_failed, "migration failed"},
    {migration_errc::wait_exhausted, "the table did not become ready in time"},
};

}  // namespace

const boost::system::error_category& migration_category() noexcept
{
    static const detail::table_error_category<migration_errc> category(
        "dynomite.migration", migration_errc_messages, "unknown migration error");
    return category;
}

// --- Key specifications ----------------------------------------------------------------------

error_code parse_key_attribute(std::string_view spec, key_attribute& out, std::string* why)
{
    const std::size_t colon = spec.find(':');
    const std::string_view name = spec.substr(0, colon);
    std::string type = colon == std::string_view::npos ? std::string("string")
                                                       : std::string(spec.substr(colon + 1));
    for (char& c : type) c = detail::ascii_lower(c);
    if (name.empty()) {
        if (why) *why = "key " + in_quotes(spec) + " has no attribute name; expected \"name:type\"";
        return errc::invalid_argument;
    }
    key_attribute parsed{std::string(name), scalar_attribute_type::s};
    if (type == "string" || type == "s") {
        parsed.type = scalar_attribute_type::s;
    } else if (type == "number" || type == "n") {
        parsed.type = scalar_attribute_type::n;
    } else if (type == "binary" || type == "b") {
        parsed.type = scalar_attribute_type::b;
    } else {
        if (why) {
            *why = "key " + in_quotes(spec) + " has type " + in_quotes(type) +
                   "; expected string, number or binary (or s, n, b)";
        }
        return errc::invalid_argument;
    }
    out = std::move(parsed);
    return {};
}

key_attribute parse_key_attribute(std::string_view spec)
{
    return detail::value_or_throw<key_attribute>(
        [&](key_attribute& out, std::string* why) { return parse_key_attribute(spec, out, why); });
}

// --- Tags ------------------------------------------------------------------------------------

namespace {

// DynamoDB counts tag lengths in characters: UTF-8 bytes that do not continue a character.
std::size_t characters(std::string_view text) noexcept
{
    std::size_t count = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++count;
    }
    return count;
}

// The reason a tag key is refused, or nothing.
std::string key_problem(std::string_view key)
{
    if (key.empty()) return "a tag key is empty";
    const std::size_t length = characters(key);
    if (length > max_tag_key_length) {
        return "tag key " + in_quotes(key) + " has " + std::to_string(length) +
               " characters; at most " + std::to_string(max_tag_key_length) + " are allowed";
    }
    if (detail::equals_ignoring_ascii_case(key.substr(0, 4), "aws:")) {
        return "tag key " + in_quotes(key) + " starts with \"aws:\", which AWS reserves";
    }
    return {};
}

}  // namespace

error_code check_tags(std::string_view where, const std::vector<tag>& tags,
                      const std::vector<std::string>& removed, std::string* why)
{
    const auto refuse = [&](const std::string& problem) {
        if (why) *why = std::string(where) + ": " + problem;
        return error_code(migration_errc::invalid_migration);
    };
    if (tags.size() > max_tags_per_table) {
        return refuse(std::to_string(tags.size()) + " tags; a table takes at most " +
                      std::to_string(max_tags_per_table));
    }
    std::set<std::string_view> keys;
    for (const tag& t : tags) {
        if (std::string problem = key_problem(t.key); !problem.empty()) return refuse(problem);
        const std::size_t length = characters(t.value);
        if (length > max_tag_value_length) {
            return refuse("the value of tag " + in_quotes(t.key) + " has " +
                          std::to_string(length) + " characters; at most " +
                          std::to_string(max_tag_value_length) + " are allowed");
        }
        if (!keys.insert(t.key).second) return refuse("tag " + in_quotes(t.key) + " is set twice");
    }
    std::set<std::string_view> removed_keys;
    for (const std::string& key : removed) {
        if (std::string problem = key_problem(key); !problem.empty()) return refuse(problem);
        if (keys.contains(key)) {
            return refuse("tag " + in_quotes(key) + " is both set and removed");
        }
        if (!removed_keys.insert(key).second) {
            return refuse("tag " + in_quotes(key) + " is removed twice");
        }
    }
    return {};
}

// --- The builder -----------------------------------------------------------------------------

table_definition& migration_builder::create_table(std::string table_name, std::string partition_key,
                                                  std::optional<std::string> sort_key)
{
    table_definition table;
    table.table_name = std::move(table_name);
    table.partition_key = std::move(partition_key);
    table.sort_key = std::move(sort_key);
    steps_.emplace_back(std::move(table));
    return std::get<table_definition>(steps_.back());
}

table_changes& migration_builder::update_table(std::string table_name)
{
    table_changes changes;
    changes.table_name = std::move(table_name);
    steps_.emplace_back(std::move(changes));
    return std::get<table_changes>(steps_.back());
}

void migration_builder::delete_table(std::string table_name)
{
    steps_.emplace_back(table_deletion{std::move(table_name)});
}

void migration_builder::update_ttl(std::string table_name, std::string attribute, bool enabled)
{
    steps_.emplace_back(ttl_change{std::move(table_name), std::move(attribute), enabled});
}

}  // namespace dynomite
