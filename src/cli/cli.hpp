// What every `dynomite` command shares: the global options, the client they configure, and
// the exit codes.
#pragma once

#include <dynomite/client_config.hpp>

#include <iosfwd>
#include <optional>
#include <string>
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

}  // namespace dynomite::cli
