// `dynomite seed FILE`: items from a JSON file, written with BatchWriteItem.
#include "cli.hpp"

#include <dynomite/query/batch.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/migration/migration.hpp>

#include "core/plain_json.hpp"

#include <fstream>
#include <ostream>
#include <sstream>

namespace dynomite::cli {

namespace {

constexpr std::string_view seed_help =
    R"(Usage: dynomite seed FILE

Writes the items of FILE with BatchWriteItem, 25 at a time, unprocessed items sent again.
FILE is a JSON object (comments and trailing commas allowed) from table names (before any
namespace) to arrays of items, each a plain JSON object:

  {
    "posts": [
      {"id": "p1", "title": "Hello", "views": 3, "tags": ["intro"], "draft": false},
    ],
    "users": [ {"id": "u1", "name": "Ada", "address": {"city": "London"}} ]
  }

Values become attributes as the models' from_json() reads them: strings, numbers (every
digit kept, up to DynamoDB's 38), true and false, null, objects as maps and arrays as lists. An item whose key exists is replaced.

Options:
  --help, -h   this text
)";

}  // namespace

bool parse_seed(std::string_view text, std::string_view source, const naming_options& naming,
                std::vector<table_write>& out, std::string& why)
{
    detail::plain_json_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    // Numbers keep their text: a double would round 38 digits to 17.
    attribute_value root;
    std::string reason;
    const std::string file(source);
    if (error_code ec = detail::read_plain_json(text, root, &reason, options)) {
        why = file + ": " + reason;
        return false;
    }
    attribute_map* tables = root.get_if<attribute_map>();
    if (!tables) {
        why = file + ": expected an object from table names to arrays of items";
        return false;
    }
    std::vector<table_write> writes;
    for (auto& [table, items] : *tables) {
        const std::string& path = table;
        std::string name;
        std::string invalid;
        if (namespaced_table_name(table, naming, name, &invalid)) {
            why = file + ": " + path + ": " + invalid;
            return false;
        }
        attribute_list* list = items.get_if<attribute_list>();
        if (!list) {
            why = file + ": " + path + ": expected an array of items";
            return false;
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto* item = (*list)[i].get_if<attribute_map>();
            if (!item || item->empty()) {
                why = file + ": " + path + "[" + std::to_string(i) +
                      "]: expected an item, a non-empty object";
                return false;
            }
            writes.push_back({name, put_request{std::move(*item)}});
        }
    }
    out = std::move(writes);
    return true;
}

namespace {

boost::asio::awaitable<int> seed(client db, std::vector<table_write> writes, std::ostream& out,
                                 std::ostream& err)
{
    const std::size_t total = writes.size();
    diagnostics diag;
    database target(std::move(db));
    auto [ec, result] = co_await batch_write(target, std::move(writes), diag);
    if (ec) {
        err << "dynomite seed: " << result.written << " of " << total << " items written, then: "
            << (diag.to_string().empty() ? ec.message() : diag.to_string()) << "\n";
        co_return exit_failure;
    }
    if (!result.unprocessed.empty()) {
        err << "dynomite seed: " << result.unprocessed.size() << " of " << total
            << " items stayed unprocessed (throttled); run the seed again\n";
        co_return exit_failure;
    }
    out << "Wrote " << result.written << " items.\n";
    co_return exit_ok;
}

}  // namespace

int run_seed(const global_options& options, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err)
{
    std::vector<std::string> files;
    for (const std::string& arg : args) {
        if (arg == "--help" || arg == "-h") {
            out << seed_help;
            return exit_ok;
        }
        if (arg.starts_with("-")) {
            err << "dynomite seed: unknown option " << arg
                << "\nRun `dynomite seed --help` for the options.\n";
            return exit_usage;
        }
        files.push_back(arg);
    }
    if (files.size() != 1) {
        err << "dynomite seed: expected one FILE, got " << files.size()
            << "\nRun `dynomite seed --help` for the options.\n";
        return exit_usage;
    }
    std::ifstream in(files[0], std::ios::binary);
    if (!in) {
        err << "dynomite seed: " << files[0] << " cannot be read\n";
        return exit_failure;
    }
    std::ostringstream content;
    content << in.rdbuf();
    std::vector<table_write> writes;
    std::string why;
    if (!parse_seed(content.str(), files[0], make_naming_options(options), writes, why)) {
        err << "dynomite seed: " << why << "\n";
        return exit_failure;
    }
    return run_with_client(
        options, err, [&](client db) { return seed(std::move(db), std::move(writes), out, err); });
}

}  // namespace dynomite::cli
