// Runs a credential_process command with a deadline and bounded output: a command that hangs
// or floods must not hang or exhaust the program that asked for credentials.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace dynomite::detail {

struct process_limits {
    std::chrono::milliseconds timeout{60'000};
    /// Standard output beyond this stops the command: credentials are a few hundred bytes.
    std::size_t max_output = 64 * 1024;
    /// Standard error beyond this is read and dropped; what is kept goes into messages.
    std::size_t max_error = 1024;
};

struct process_outcome {
    /// Empty when the command ran; else why it could not start.
    std::string start_failure;
    bool timed_out = false;
    bool output_too_large = false;
    bool error_truncated = false;
    /// As waitpid reports it.
    int status = 0;
    std::string output;
    std::string error;
};

/// Runs `command` with /bin/sh -c in a process group of its own, reading its standard output
/// and standard error; the whole group is killed (SIGKILL) when the timeout passes or the
/// output exceeds its cap. Blocks the calling thread.
process_outcome run_process(const std::string& command, const process_limits& limits);

}  // namespace dynomite::detail
