// The global options, the client they configure, and the dispatch to the commands.
#include "cli.hpp"

#include <dynomite/core/logging.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <exception>
#include <ostream>

namespace dynomite::cli {

client_config make_client_config(const global_options& options)
{
    // Unset options stay unset: the client then reads DYNOMITE_ENDPOINT, AWS_REGION,
    // AWS_DEFAULT_REGION and AWS_PROFILE itself, so both paths agree.
    client_config config;
    config.endpoint = options.endpoint;
    config.region = options.region;
    if (options.profile) config.profile = *options.profile;
    if (options.verbose) {
        config.logger = stderr_log_sink();
        config.min_log_level = log_level::debug;
    }
    return config;
}

naming_options make_naming_options(const global_options& options)
{
    naming_options naming;
    naming.namespace_ = options.namespace_;
    return naming;
}

option_match match_option(const std::vector<std::string>& args, std::size_t& i,
                          std::string_view name, std::string& value)
{
    const std::string_view arg = args[i];
    if (arg == name) {
        if (i + 1 >= args.size()) return option_match::missing_value;
        value = args[++i];
        return option_match::matched_option;
    }
    if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=') {
        value = std::string(arg.substr(name.size() + 1));
        return option_match::matched_option;
    }
    return option_match::not_this_option;
}

bool parse_command_line(const std::vector<std::string>& argv, command_line& out, std::string& why)
{
    out = command_line{};
    struct valued_option {
        std::string_view name;
        std::optional<std::string> global_options::*member;
    };
    const std::array valued = {
        valued_option{"--endpoint", &global_options::endpoint},
        valued_option{"--region", &global_options::region},
        valued_option{"--profile", &global_options::profile},
        valued_option{"--namespace", &global_options::namespace_},
    };
    bool rest_is_arguments = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (rest_is_arguments) {
            out.args.push_back(arg);
            continue;
        }
        if (arg == "--") {
            rest_is_arguments = true;
            if (!out.command.empty()) out.args.push_back(arg);
            continue;
        }
        if (arg == "--verbose" || arg == "-v") {
            out.options.verbose = true;
            continue;
        }
        bool matched = false;
        for (const valued_option& option : valued) {
            std::string value;
            const option_match match = match_option(argv, i, option.name, value);
            if (match == option_match::missing_value) {
                why = std::string(option.name) + " needs a value, e.g. " +
                      std::string(option.name) + "=VALUE";
                return false;
            }
            if (match == option_match::matched_option) {
                out.options.*option.member = std::move(value);
                matched = true;
                break;
            }
        }
        if (matched) continue;
        if (out.command.empty() && (arg == "--help" || arg == "-h")) {
            out.help = true;
            continue;
        }
        if (out.command.empty() && !arg.starts_with("-")) {
            out.command = arg;
            continue;
        }
        if (out.command.empty()) {
            why = "unknown option " + arg + " before the command";
            return false;
        }
        out.args.push_back(arg);
    }
    return true;
}

namespace {

constexpr std::string_view overview =
    R"(Usage: dynomite [global options] COMMAND [arguments]

Commands:
  migrate     apply the migrations of dynamodb/migrate/ not applied yet
  migrate status
              list each migration and its recorded state
  generate migration NAME
              write a new migration file
  seed FILE   write the items of a JSON file with BatchWriteItem
  bench       measure throughput and latency against a table
  streams tail TABLE
              print a table's changes as JSON lines, following its stream

Global options (before or after the command):
  --endpoint URL     DynamoDB endpoint (default: DYNOMITE_ENDPOINT, else AWS's regional one)
  --region REGION    (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)
  --profile NAME     shared credentials profile (default: AWS_PROFILE, else "default")
  --namespace NS     table name prefix, "NS_posts" (default: DYNOMITE_NAMESPACE)
  --verbose, -v      log each request to the standard error stream
  --help, -h         this text; "dynomite COMMAND --help" describes a command

Exit status: 0 success, 1 failure, 2 wrong command line, 3 blocked by a recorded migration
error.
)";

struct command_entry {
    std::string_view name;
    command_function run;
};

constexpr std::array commands = {
    command_entry{"migrate", &run_migrate},
    command_entry{"generate", &run_generate},
    command_entry{"seed", &run_seed},
    command_entry{"bench", &run_bench},
    command_entry{"streams", &run_streams},
};

}  // namespace

int run_command_line(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err)
{
    command_line line;
    std::string why;
    if (!parse_command_line(argv, line, why)) {
        err << "dynomite: " << why << "\n"
            << "Run `dynomite --help` for the options.\n";
        return exit_usage;
    }
    if (line.help || line.command == "help") {
        out << overview;
        return exit_ok;
    }
    if (line.command.empty()) {
        err << overview;
        return exit_usage;
    }
    for (const command_entry& entry : commands) {
        if (entry.name == line.command) return entry.run(line.options, line.args, out, err);
    }
    err << "dynomite: unknown command \"" << line.command
        << "\"; the commands are migrate, generate, seed, bench and streams (see `dynomite --help`).\n";
    return exit_usage;
}

int run_with_client(const global_options& options, std::ostream& err,
                    std::function<boost::asio::awaitable<int>(dynomite::client)> body)
{
    boost::asio::io_context io;
    int status = exit_failure;
    std::exception_ptr failure;
    try {
        dynomite::client db(io.get_executor(), make_client_config(options));
        boost::asio::co_spawn(io, body(std::move(db)), [&](std::exception_ptr e, int result) {
            failure = e;
            if (!e) status = result;
        });
        io.run();
    } catch (...) {
        failure = std::current_exception();
    }
    if (!failure) return status;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        err << "dynomite: " << e.what() << "\n";
    }
    return exit_failure;
}

}  // namespace dynomite::cli
