// `dynomite streams tail TABLE`: a table's changes as JSON lines, following its stream.
#include "cli.hpp"

#include "core/json_codec.hpp"
#include "core/json_writer.hpp"

#include <dynomite/migration/migration.hpp>
#include <dynomite/query/changes.hpp>

#include <charconv>
#include <ostream>

namespace dynomite::cli {

namespace {

constexpr std::string_view streams_help =
    R"(Usage: dynomite streams tail TABLE [--from trim-horizon|latest] [--count N]

Prints the changes of TABLE, read from its DynamoDB stream, one JSON object a line, and
follows the stream like `tail -f` until interrupted:

  {"event":"MODIFY","sequence_number":"...","time":1733372400,"shard":"...",
   "keys":{...},"old_image":{...},"new_image":{...}}

Attributes are in DynamoDB's JSON ({"S":"text"}, {"N":"3"}, ...); "old_image" and
"new_image" are there when the stream's view type records them. "time" is the approximate
creation time, in seconds since the epoch.

Options:
  --from WHERE   trim-horizon: every change the stream holds (24 hours);
                 latest: the changes from now on (the default)
  --count N      stop after N changes
  --help, -h     this text
)";

struct tail_options {
    std::string table;
    shard_iterator_type from = shard_iterator_type::latest;
    std::optional<std::uint64_t> count;
};

/// One change as a JSON line.
std::string change_line(const change& c)
{
    std::string line;
    detail::json_writer w(line);
    w.begin_object();
    const std::string_view event = to_string(c.event);
    w.member("event", event.empty() ? std::string_view("UNKNOWN") : event);
    w.member("sequence_number", std::string_view(c.sequence_number));
    if (c.approximate_creation_time) {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
            c.approximate_creation_time->time_since_epoch());
        w.member("time", static_cast<std::int64_t>(seconds.count()));
    }
    w.member("shard", std::string_view(c.shard_id));
    w.key("keys");
    detail::write_item(w, c.keys);
    if (!c.old_image.empty()) {
        w.key("old_image");
        detail::write_item(w, c.old_image);
    }
    if (!c.new_image.empty()) {
        w.key("new_image");
        detail::write_item(w, c.new_image);
    }
    w.end_object();
    line += '\n';
    return line;
}

boost::asio::awaitable<int> tail(client db, tail_options options, std::ostream& out,
                                 std::ostream& err)
{
    change_feed_options feed_options{.start = options.from};
    change_feed feed(std::move(db), options.table, std::move(feed_options));
    for (std::uint64_t printed = 0; !options.count || printed < *options.count; ++printed) {
        diagnostics diag;
        auto [ec, next] = co_await feed.async_next(
            diag, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) {
            err << "dynomite streams tail: "
                << (diag.to_string().empty() ? ec.message() : diag.to_string()) << "\n";
            co_return exit_failure;
        }
        if (!next) break;  // the stream was disabled and read to its end
        out << change_line(*next) << std::flush;
    }
    co_return exit_ok;
}

/// Reads the arguments of `streams tail`; false with the reason in `why` when they are wrong.
bool parse_tail(const std::vector<std::string>& args, tail_options& out, std::string& why)
{
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string value;
        switch (match_option(args, i, "--from", value)) {
            case option_match::missing_value:
                why = "--from needs a value: trim-horizon or latest";
                return false;
            case option_match::matched_option:
                if (value == "trim-horizon") {
                    out.from = shard_iterator_type::trim_horizon;
                } else if (value == "latest") {
                    out.from = shard_iterator_type::latest;
                } else {
                    why = "--from is \"" + value + "\"; expected trim-horizon or latest";
                    return false;
                }
                continue;
            case option_match::not_this_option:
                break;
        }
        switch (match_option(args, i, "--count", value)) {
            case option_match::missing_value:
                why = "--count needs a number";
                return false;
            case option_match::matched_option: {
                std::uint64_t count = 0;
                const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), count);
                if (ec != std::errc() || end != value.data() + value.size() || count == 0) {
                    why = "--count is \"" + value + "\"; expected a positive whole number";
                    return false;
                }
                out.count = count;
                continue;
            }
            case option_match::not_this_option:
                break;
        }
        if (args[i].starts_with("-")) {
            why = "unknown option " + args[i];
            return false;
        }
        if (!out.table.empty()) {
            why = "one table at a time: \"" + out.table + "\" and \"" + args[i] + "\" given";
            return false;
        }
        out.table = args[i];
    }
    if (out.table.empty()) {
        why = "the table is missing";
        return false;
    }
    return true;
}

}  // namespace

int run_streams(const global_options& options, const std::vector<std::string>& args,
                std::ostream& out, std::ostream& err)
{
    for (const std::string& arg : args) {
        if (arg == "--help" || arg == "-h") {
            out << streams_help;
            return exit_ok;
        }
    }
    if (args.empty() || args[0] != "tail") {
        err << "dynomite streams: expected `tail TABLE`\n" << streams_help;
        return exit_usage;
    }
    tail_options tail_args;
    std::string why;
    if (!parse_tail(args, tail_args, why)) {
        err << "dynomite streams tail: " << why << "\n";
        return exit_usage;
    }
    std::string name;
    std::string invalid;
    if (namespaced_table_name(tail_args.table, make_naming_options(options), name, &invalid)) {
        err << "dynomite streams tail: " << invalid << "\n";
        return exit_usage;
    }
    tail_args.table = std::move(name);
    return run_with_client(options, err, [&](client db) {
        return tail(std::move(db), std::move(tail_args), out, err);
    });
}

}  // namespace dynomite::cli
