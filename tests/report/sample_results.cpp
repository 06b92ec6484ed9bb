#include "sample_results.hpp"

#include <boost/json/array.hpp>

#include <cmath>
#include <cstdint>

namespace dynomite::test {

boost::json::object sample_results(std::size_t seconds, std::size_t spectrum_points)
{
    namespace json = boost::json;
    std::uint64_t state = 42;  // a fixed linear congruential sequence: the same page each time
    auto noise = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
    };

    json::array series;
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    std::uint64_t throttles = 0;
    for (std::size_t second = 0; second < seconds; ++second) {
        const bool stalled = second >= seconds / 2 && second < seconds / 2 + 3;
        const double ramp = second < 10 ? (second + 1) / 10.0 : 1.0;
        const double throughput = std::round(2000 * ramp * (stalled ? 0.3 : 0.95 + 0.1 * noise()));
        const double p50 = 1.8 + 0.4 * noise() + (stalled ? 40 : 0);
        const double p99 = 6 + 3 * noise() + (stalled ? 400 : 0);
        const auto second_errors = static_cast<std::uint64_t>(noise() < 0.05 ? 1 + 3 * noise() : 0);
        const bool throttled = second > seconds * 3 / 4 && second < seconds * 3 / 4 + 20;
        const auto second_throttles = static_cast<std::uint64_t>(throttled ? 20 + 30 * noise() : 0);
        const auto second_requests = static_cast<std::uint64_t>(throughput);
        requests += second_requests;
        errors += second_errors;
        throttles += second_throttles;
        series.push_back(json::object{{"second", second},
                                      {"requests", second_requests},
                                      {"throughput", throughput},
                                      {"p50_ms", std::round(p50 * 1000) / 1000},
                                      {"p99_ms", std::round(p99 * 1000) / 1000},
                                      {"errors", second_errors},
                                      {"throttles", second_throttles}});
    }

    // As HdrHistogram prints it: percentiles closer and closer to 100, then the maximum.
    auto latency_at = [](double percentile) {
        return std::round(1.5 * std::pow(100 / (100 - percentile), 0.45) * 1000) / 1000;
    };
    json::array spectrum;
    double previous = 0;
    for (std::size_t i = 0; i + 1 < spectrum_points; ++i) {
        const double percentile = 100 * (1 - std::pow(10, -static_cast<double>(i) / 30));
        spectrum.push_back(json::object{
            {"percentile", percentile},
            {"latency_ms", latency_at(percentile)},
            {"count", static_cast<std::uint64_t>(requests * (percentile - previous) / 100)}});
        previous = percentile;
    }
    const double max_ms = 412.5;
    spectrum.push_back(json::object{{"percentile", 100.0}, {"latency_ms", max_ms}, {"count", 1}});

    json::array percentiles;
    for (double p : {50.0, 75.0, 90.0, 99.0, 99.9, 99.99}) {
        percentiles.push_back(json::object{{"percentile", p}, {"latency_ms", latency_at(p)}});
    }
    percentiles.push_back(json::object{{"percentile", 100.0}, {"latency_ms", max_ms}});

    return json::object{
        {"format", "dynomite-bench/2"},
        {"command", json::array{"dynomite", "bench", "--workload", "a", "--rate", "2000",
                                "--table", "bench</script><!--'\" \xE2\x80\xA8\xE2\x80\xA9&amp;",
                                "--report", "run.html"}},
        {"environment", json::object{{"version", "0.1.0"},
                                     {"endpoint", "http://127.0.0.1:8000"},
                                     {"endpoint_kind", "local"},
                                     {"layer", "client"},
                                     {"workload", "a"},
                                     {"operations", "getitem=50,updateitem=50"},
                                     {"mode", "open-loop"},
                                     {"rate", 2000},
                                     {"threads", 2},
                                     {"connections", 64},
                                     {"started_at", "2026-12-05T03:00:00Z"}}},
        {"summary", json::object{{"requests", requests},
                                 {"errors", errors},
                                 {"throttles", throttles},
                                 {"duration_s", static_cast<double>(seconds)},
                                 {"throughput", seconds ? static_cast<double>(requests) / seconds : 0.0},
                                 {"late_requests", 1234},
                                 {"max_lateness_ms", 395.25},
                                 {"cpu_us_per_request", 41.5}}},
        {"percentiles", std::move(percentiles)},
        {"spectrum", std::move(spectrum)},
        {"series", std::move(series)},
        {"histogram", "HISTFAAAACR4nJNpmSzMwMDAxQABzFCaEUzOmNZg/wEidt7RmIkRAJm3Bws="}};
}

}  // namespace dynomite::test
