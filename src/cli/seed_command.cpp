// `dynomite seed FILE`: items from a JSON file, written with BatchWriteItem.
#include "cli.hpp"

#include <dynomite/batch.hpp>
#include <dynomite/database.hpp>
#include <dynomite/migration.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

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

Values become attributes as the models' from_json() reads them: strings, numbers, true and
false, null, objects as maps and arrays as lists. An item whose key exists is replaced.

Options:
  --help, -h   this text
)";

/// The attribute a plain JSON value stands for; `path` names it in messages.
bool seed_value(const boost::json::value& json, const std::string& path, attribute_value& out,
                std::string& why)
{
    switch (json.kind()) {
        case boost::json::kind::string:
            out = std::string(json.get_string());
            return true;
        case boost::json::kind::int64:
            out = number::from_int(json.get_int64());
            return true;
        case boost::json::kind::uint64:
            out = number::from_uint(json.get_uint64());
            return true;
        case boost::json::kind::double_: {
            number n;
            if (number::from_double(json.get_double(), n)) {
                why = path + ": the number is outside DynamoDB's range";
                return false;
            }
            out = std::move(n);
            return true;
        }
        case boost::json::kind::bool_:
            out = json.get_bool();
            return true;
        case boost::json::kind::null:
            out = null_value{};
            return true;
        case boost::json::kind::object: {
            attribute_map map;
            for (const auto& [name, value] : json.get_object()) {
                attribute_value v;
                if (!seed_value(value, path + "." + std::string(name), v, why)) return false;
                map.set(std::string(name), std::move(v));
            }
            out = std::move(map);
            return true;
        }
        case boost::json::kind::array: {
            attribute_list list;
            const auto& array = json.get_array();
            for (std::size_t i = 0; i < array.size(); ++i) {
                attribute_value v;
                if (!seed_value(array[i], path + "[" + std::to_string(i) + "]", v, why)) {
                    return false;
                }
                list.push_back(std::move(v));
            }
            out = std::move(list);
            return true;
        }
    }
    why = path + ": unsupported JSON value";
    return false;
}

}  // namespace

bool parse_seed(std::string_view text, std::string_view source, const naming_options& naming,
                std::vector<table_write>& out, std::string& why)
{
    boost::json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    error_code ec;
    const boost::json::value root = boost::json::parse(text, ec, {}, options);
    const std::string file(source);
    if (ec) {
        why = file + ": not valid JSON: " + ec.message();
        return false;
    }
    const boost::json::object* tables = root.if_object();
    if (!tables) {
        why = file + ": expected an object from table names to arrays of items";
        return false;
    }
    std::vector<table_write> writes;
    for (const auto& [table, items] : *tables) {
        const std::string path(table);
        std::string name;
        std::string invalid;
        if (namespaced_table_name(table, naming, name, &invalid)) {
            why = file + ": " + path + ": " + invalid;
            return false;
        }
        const boost::json::array* list = items.if_array();
        if (!list) {
            why = file + ": " + path + ": expected an array of items";
            return false;
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string at = path + "[" + std::to_string(i) + "]";
            if (!(*list)[i].is_object() || (*list)[i].get_object().empty()) {
                why = file + ": " + at + ": expected an item, a non-empty object";
                return false;
            }
            attribute_value item;
            std::string reason;
            if (!seed_value((*list)[i], at, item, reason)) {
                why = file + ": " + reason;
                return false;
            }
            writes.push_back({name, put_request{std::move(*item.get_if<attribute_map>())}});
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
