// The JSON results of `dynomite bench` (format "dynomite-bench/2"), their per-second series,
// and the exact merge of several runs' results.
#pragma once

#include "bench/bench.hpp"
#include "bench/hdr_histogram.hpp"

#include <dynomite/core/error.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::cli::bench {

inline constexpr std::string_view results_format = "dynomite-bench/2";

/// One second of a run.
struct second_stats {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    std::uint64_t throttles = 0;
    hdr_histogram latencies;
};

/// Where and how a run ran: the "environment" object.
struct run_environment {
    std::vector<std::string> command;
    std::string endpoint;
    std::string workload = "custom";
    std::string started_at;
    std::uint32_t threads = 1;
    std::uint32_t connections = 0;
};

/// "local" for a loopback or localhost endpoint, "aws" for an amazonaws.com one, else "other".
std::string_view endpoint_kind(std::string_view url);

/// The whole results object; `seconds` by second since the measurement started.
boost::json::object make_results(const bench_result& result, const run_environment& environment,
                                 const std::map<std::int64_t, second_stats>& seconds);

/// Combines the results of runs that ran at the same time (on several hosts, started with
/// --start-at): counts add up, the histograms (the whole run's and each second's) merge
/// exactly, throughputs add up. Fails with errc::invalid_argument naming the run (its index
/// from 1) and the member at fault.
error_code merge_results(const std::vector<boost::json::object>& runs,
                         const std::vector<std::string>& command, boost::json::object& merged,
                         std::string& why);

/// Writes `text` to the file `path`; when it cannot, says "<command>: cannot write <path>" to
/// `err` and returns false.
bool write_text_file(const std::string& path, std::string_view text, std::string_view command,
                     std::ostream& err);

/// `dynomite bench merge RESULTS.json... [--output FILE] [--report FILE]` (`args` from "merge"
/// on): the merged results to FILE, and their percentiles to `out`; to `out` without --output.
/// --report writes their HTML report.
int run_merge_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace dynomite::cli::bench
