// `dynomite generate migration NAME`: writes a migration file, its action and table inferred
// from the name.
#include "cli.hpp"

#include <dynomite/migration/migration.hpp>
#include <dynomite/core/time.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

namespace dynomite::cli {

namespace {

constexpr std::string_view generate_help =
    R"(Usage: dynomite generate migration NAME [--partition-key NAME:TYPE] [--sort-key NAME:TYPE]
                                   [--table-name TABLE] [--path DIR]

Writes DIR/YYYYmmddHHMMSS-NAME.json (DIR defaults to dynamodb/migrate), with the current UTC
time as its version (the next free second when a file of DIR has that version). What it does follows NAME:

  create_posts                 create_table posts (partition key default id:string)
  update_posts                 update_table posts, adding a global index on the keys given
  add_user_id_index_to_posts   the same as update_posts
  delete_posts, drop_posts     delete_table posts

TYPE is string, number or binary (or s, n, b); without ":TYPE" a key is a string. The index
of an update is named after its keys: "user_id-created_at-index". --table-name overrides the
table inferred from NAME. Edit the file, then run `dynomite migrate`.

Options:
  --partition-key NAME:TYPE   the table's (or the index's) partition key
  --sort-key NAME:TYPE        its sort key, if any
  --table-name TABLE          the table, before any namespace
  --path DIR                  where to write (default dynamodb/migrate)
  --help, -h                  this text
)";

enum class action { create, update, remove };

std::string json_string(std::string_view s)
{
    return boost::json::serialize(boost::json::string(s));
}

// Splits the name into an action and a table: create_X, update_X, add_..._to_X, delete_X,
// drop_X.
bool infer(const std::string& name, action& what, std::string& table)
{
    const auto after = [&](std::string_view prefix, action a) {
        if (!name.starts_with(prefix) || name.size() == prefix.size()) return false;
        what = a;
        table = name.substr(prefix.size());
        return true;
    };
    if (after("create_", action::create) || after("update_", action::update) ||
        after("delete_", action::remove) || after("drop_", action::remove)) {
        return true;
    }
    const std::size_t to = name.rfind("_to_");
    if (name.starts_with("add_") && to != std::string::npos && to + 4 < name.size()) {
        what = action::update;
        table = name.substr(to + 4);
        return true;
    }
    return false;
}

std::string version_of(std::chrono::sys_seconds time)
{
    std::string version;
    for (const char c : format_iso8601(time)) {
        if (c >= '0' && c <= '9') version += c;
    }
    return version;
}

std::string version_now()
{
    return version_of(
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
}

}  // namespace

std::set<std::string> migration_versions_in(const std::string& directory)
{
    std::set<std::string> versions;
    std::error_code fs_error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, fs_error)) {
        const std::string name = entry.path().filename().string();
        std::string version;
        std::string migration_name;
        if (!parse_migration_file_name(name, version, migration_name)) versions.insert(version);
    }
    return versions;
}

std::string next_free_version(const std::string& version, const std::set<std::string>& taken)
{
    if (!taken.contains(version)) return version;
    std::chrono::sys_seconds time;
    const std::string iso = version.substr(0, 4) + "-" + version.substr(4, 2) + "-" +
                            version.substr(6, 2) + "T" + version.substr(8, 2) + ":" +
                            version.substr(10, 2) + ":" + version.substr(12, 2) + "Z";
    std::string why;
    throw_on_error(parse_iso8601(iso, time, &why), "migration version " + version + ": " + why);
    std::string candidate = version;
    while (taken.contains(candidate)) {
        time += std::chrono::seconds(1);
        candidate = version_of(time);
    }
    return candidate;
}

bool render_migration(const migration_spec& spec, std::string_view version, std::string& file_name,
                      std::string& text, std::string& why)
{
    std::string parsed_version;
    std::string parsed_name;
    const std::string candidate = std::string(version) + "-" + spec.name + ".json";
    if (parse_migration_file_name(candidate, parsed_version, parsed_name, &why)) return false;

    action what = action::create;
    std::string table;
    if (!infer(spec.name, what, table)) {
        why = "cannot tell what migration \"" + spec.name +
              "\" does; start its name with create_, update_, delete_ or drop_ (e.g. "
              "create_posts), or use add_..._to_TABLE";
        return false;
    }
    if (spec.table_name) table = *spec.table_name;
    std::string invalid;
    if (validate_table_name(table, &invalid)) {
        why = invalid;
        return false;
    }
    for (const auto* key : {&spec.partition_key, &spec.sort_key}) {
        key_attribute parsed;
        if (*key && parse_key_attribute(**key, parsed, &invalid)) {
            why = invalid;
            return false;
        }
    }

    std::string body;
    switch (what) {
        case action::create: {
            const std::string partition = spec.partition_key.value_or("id:string");
            body =
                "    {\"create_table\": {\n"
                "      \"table_name\": " +
                json_string(table) +
                ",\n"
                "      \"partition_key\": " +
                json_string(partition) + ",\n";
            if (spec.sort_key) body += "      \"sort_key\": " + json_string(*spec.sort_key) + ",\n";
            body +=
                "      \"billing_mode\": \"PAY_PER_REQUEST\",\n"
                "      // \"billing_mode\": \"PROVISIONED\", \"read_capacity\": 5, "
                "\"write_capacity\": 5,\n"
                "      // \"global_secondary_indexes\": [{\"index_name\": \"...\", "
                "\"partition_key\": \"...\", \"projection\": \"ALL\"}],\n"
                "    }},\n";
            break;
        }
        case action::update: {
            if (!spec.partition_key) {
                why = "migration \"" + spec.name +
                      "\" adds a global index: give its keys with --partition-key NAME:TYPE "
                      "[--sort-key NAME:TYPE]";
                return false;
            }
            std::string index = parse_key_attribute(*spec.partition_key).name;
            if (spec.sort_key) index += "-" + parse_key_attribute(*spec.sort_key).name;
            index += "-index";
            body =
                "    {\"update_table\": {\n"
                "      \"table_name\": " +
                json_string(table) +
                ",\n"
                "      \"add_gsi\": {\n"
                "        \"index_name\": " +
                json_string(index) +
                ",\n"
                "        \"partition_key\": " +
                json_string(*spec.partition_key) + ",\n";
            if (spec.sort_key) {
                body += "        \"sort_key\": " + json_string(*spec.sort_key) + ",\n";
            }
            body +=
                "        \"projection\": \"ALL\",\n"
                "      },\n"
                "    }},\n";
            break;
        }
        case action::remove:
            body = "    {\"delete_table\": {\"table_name\": " + json_string(table) + "}},\n";
            break;
    }
    file_name = candidate;
    text =
        "{\n"
        "  // Steps applied in order by `dynomite migrate`; see docs/migrations.md.\n"
        "  \"up\": [\n" +
        body + "  ],\n}\n";
    return true;
}

int run_generate(const global_options&, const std::vector<std::string>& args, std::ostream& out,
                 std::ostream& err)
{
    const auto usage = [&](const std::string& why) {
        err << "dynomite generate: " << why
            << "\nRun `dynomite generate --help` for the options.\n";
        return exit_usage;
    };
    migration_spec spec;
    std::string path(default_migration_path);
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            out << generate_help;
            return exit_ok;
        }
        struct valued {
            std::string_view name;
            std::optional<std::string>* target;
        };
        std::optional<std::string> path_value;
        bool matched = false;
        for (const valued option :
             {valued{"--partition-key", &spec.partition_key}, valued{"--sort-key", &spec.sort_key},
              valued{"--table-name", &spec.table_name}, valued{"--path", &path_value}}) {
            std::string value;
            const option_match match = match_option(args, i, option.name, value);
            if (match == option_match::missing_value) {
                return usage(std::string(option.name) + " needs a value");
            }
            if (match == option_match::matched_option) {
                *option.target = std::move(value);
                matched = true;
                break;
            }
        }
        if (path_value) path = *path_value;
        if (matched) continue;
        if (arg.starts_with("-")) return usage("unknown option " + arg);
        words.push_back(arg);
    }
    if (words.empty() || words[0] != "migration") {
        return usage("expected `dynomite generate migration NAME`");
    }
    if (words.size() != 2) {
        return usage(words.size() < 2 ? "the migration needs a NAME, e.g. create_posts"
                                      : "unexpected argument \"" + words[2] + "\"");
    }
    spec.name = words[1];

    std::string file_name;
    std::string text;
    std::string why;
    // Two migrations generated within one second would share a version, which migrate
    // refuses: the next free second is taken instead.
    const std::string version = next_free_version(version_now(), migration_versions_in(path));
    if (!render_migration(spec, version, file_name, text, why)) return usage(why);

    std::error_code fs_error;
    std::filesystem::create_directories(path, fs_error);
    if (fs_error) {
        err << "dynomite generate: cannot create " << path << ": " << fs_error.message() << "\n";
        return exit_failure;
    }
    const std::filesystem::path target = std::filesystem::path(path) / file_name;
    if (std::filesystem::exists(target)) {
        err << "dynomite generate: " << target.string() << " already exists\n";
        return exit_failure;
    }
    std::ofstream file(target, std::ios::binary);
    file << text;
    file.close();
    if (!file) {
        err << "dynomite generate: cannot write " << target.string() << "\n";
        return exit_failure;
    }
    out << "Wrote " << target.string() << "\n";
    return exit_ok;
}

}  // namespace dynomite::cli
