// What every `dynomite` command shares: the global options, the client they configure, and
// the exit codes.
#pragma once

#include <dynomite/query/batch.hpp>
#include <dynomite/client/client.hpp>
#include <dynomite/client/client_config.hpp>
#include <dynomite/core/naming.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::cli {

/// Exit codes of every command.
enum exit_status : int {
    exit_ok = 0,
    /// The command ran and failed: a request was refused, a migration failed, a target missed.
    exit_failure = 1,
    /// The command line is wrong; nothing was sent.
    exit_usage = 2,
    /// A recorded migration error blocks the run until it is cleared.
    exit_blocked = 3,
};

/// Options accepted before or after the command name; each defaults to its environment
/// variable (DYNOMITE_ENDPOINT, AWS_REGION, AWS_PROFILE, DYNOMITE_NAMESPACE).
struct global_options {
    std::optional<std::string> endpoint;
    std::optional<std::string> region;
    std::optional<std::string> profile;
    std::optional<std::string> namespace_;
    bool verbose = false;
};

/// The client configuration the global options describe.
client_config make_client_config(const global_options& options);

/// One command: its arguments after the command name (global options removed), and the
/// streams it writes to. Returns an exit_status.
using command_function = int (*)(const global_options& options,
                                 const std::vector<std::string>& args, std::ostream& out,
                                 std::ostream& err);

int run_migrate(const global_options&, const std::vector<std::string>&, std::ostream&,
                std::ostream&);
int run_generate(const global_options&, const std::vector<std::string>&, std::ostream&,
                 std::ostream&);
int run_seed(const global_options&, const std::vector<std::string>&, std::ostream&,
             std::ostream&);
int run_bench(const global_options&, const std::vector<std::string>&, std::ostream&,
              std::ostream&);
int run_streams(const global_options&, const std::vector<std::string>&, std::ostream&,
                std::ostream&);

/// A command line split into the global options (wherever they appear), the command name and
/// the command's own arguments. "--help" or "-h" before any command sets `help`.
struct command_line {
    global_options options;
    std::string command;
    std::vector<std::string> args;
    bool help = false;
};

/// Splits `argv` (without the program name). Returns false, with the reason in `why`, for a
/// global option without its value. Everything after "--" is left to the command.
bool parse_command_line(const std::vector<std::string>& argv, command_line& out,
                        std::string& why);

/// The whole program: parses `argv` (without the program name), runs the command and returns
/// its exit_status. Writes the overview of the commands for "--help" or no command.
int run_command_line(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

/// Whether args[i] is option `name` ("--path DIR" or "--path=DIR"): matched_option with the
/// value in `value` (i then indexes the value's argument when it was separate), or
/// missing_value when the value is missing, or not_this_option.
enum class option_match { not_this_option, matched_option, missing_value };
option_match match_option(const std::vector<std::string>& args, std::size_t& i,
                          std::string_view name, std::string& value);

/// Runs `body` with a client made from `options`, on an io_context of its own, until it
/// completes; returns what it returns. A dynomite::error or other exception escaping `body`
/// (the client's construction included) is written to `err` and gives exit_failure.
int run_with_client(const global_options& options, std::ostream& err,
                    std::function<boost::asio::awaitable<int>(dynomite::client)> body);

/// What `dynomite generate migration` is asked for.
struct migration_spec {
    /// create_posts, update_posts, add_user_id_index_to_posts, delete_posts (or drop_posts).
    std::string name;
    std::optional<std::string> partition_key;
    std::optional<std::string> sort_key;
    /// Otherwise inferred from the name: what follows create_, update_, delete_, drop_, or
    /// the last "_to_".
    std::optional<std::string> table_name;
};

/// The file a migration_spec gives: its name ("<version>-<name>.json") and its text, in the
/// format load_migration_file() reads. Returns false, the reason in `why`, when the action or
/// table cannot be inferred, a key spec is malformed, or a key is missing for an index.
bool render_migration(const migration_spec& spec, std::string_view version,
                      std::string& file_name, std::string& text, std::string& why);

/// The versions of the migration files in `directory` (none when it cannot be listed).
std::set<std::string> migration_versions_in(const std::string& directory);
/// `version` (YYYYmmddHHMMSS), or when it is taken the first later second that is not.
/// Throws dynomite::error for a version that is not a valid date and time.
std::string next_free_version(const std::string& version, const std::set<std::string>& taken);

/// Reads a seed file's text: {"table": [ {plain JSON item}, ... ], ...}, comments and trailing
/// commas allowed, into puts on the namespaced tables, in file order. Values convert as
/// model from_json() reads them: strings, numbers, booleans, null, objects as maps, arrays as
/// lists. Returns false, `why` naming the file and the place ("posts[2].tags[0]"), otherwise.
bool parse_seed(std::string_view text, std::string_view source, const naming_options& naming,
                std::vector<table_write>& out, std::string& why);

/// The naming options (namespace) the global options describe, for models and migrations.
naming_options make_naming_options(const global_options& options);

}  // namespace dynomite::cli
