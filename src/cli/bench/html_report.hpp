// The HTML report of `dynomite bench --report`: one self-contained page, needing no network
// access, drawn from a run's results ("dynomite-bench/2" JSON).
#pragma once

#include <dynomite/core/error.hpp>

#include <boost/json/fwd.hpp>

#include <string>

namespace dynomite::cli::bench {

/// Writes into `html` a page showing the command line and environment, the summary, and as
/// inline SVG drawn by an inline script from the embedded results: throughput, p50 and p99
/// over time, errors and throttles over time, and the percentile spectrum on a log scale.
/// Fails with errc::invalid_argument, naming the missing or mistyped field in `why`, when
/// `results` is not of the "dynomite-bench/2" format.
error_code write_html_report(const boost::json::object& results, std::string& html,
                             std::string& why);

}  // namespace dynomite::cli::bench
