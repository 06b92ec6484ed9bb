// Results of a `dynomite bench` run in the "dynomite-bench/2" format, with a realistic shape,
// for the report tests.
#pragma once

#include <boost/json/object.hpp>

#include <cstddef>

namespace dynomite::test {

/// `seconds` per-second series points (a ramp, a stall half-way with a latency spike, errors
/// and a burst of throttles) and `spectrum_points` spectrum points, the last at the 100th
/// percentile. The command line holds characters that HTML and <script> must escape.
boost::json::object sample_results(std::size_t seconds = 300, std::size_t spectrum_points = 150);

}  // namespace dynomite::test
