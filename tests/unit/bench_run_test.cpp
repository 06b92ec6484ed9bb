// `dynomite bench` runs against a fake server: open and closed loop under a stall, the interval
// log, and merging results files.
#include "bench/results.hpp"
#include "bench_test_support.hpp"

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>

namespace bench = dynomite::cli::bench;
using bench_test::canned_item;
using bench_test::read_json;
using bench_test::run_against;
using bench_test::summary_field;
using dynomite::test::fake_action;
using dynomite::test::fake_server;

namespace {

// The latency at `percentile` in a results file's "percentiles" or "spectrum".
double json_latency_at(const boost::json::object& results, double percentile)
{
    double latency = 0;
    for (const auto& point : results.at("spectrum").as_array()) {
        if (point.at("percentile").to_number<double>() > percentile) break;
        latency = point.at("latency_ms").to_number<double>();
    }
    return latency;
}

}  // namespace

// One request stalls for 400 ms. The closed loop waits for it and sends nothing meanwhile, so
// only one sample shows the stall; the open loop keeps its schedule, so every request due during
// the stall counts its wait, as a user of a service under that load would see it.
TEST(RunBench, AStallShowsInOpenLoopPercentilesAndNotInClosedLoopOnes)
{
    constexpr double stall_ms = 400;
    auto run_with_stall = [&](std::vector<std::string> mode, const std::string& json) {
        fake_server server;
        server.enqueue(fake_action::ok(std::string(canned_item)), 10);
        server.enqueue(fake_action::ok(std::string(canned_item))
                           .with_delay(std::chrono::milliseconds(static_cast<int>(stall_ms))));
        server.set_default(fake_action::ok(std::string(canned_item)));
        std::vector<std::string> args = {"--requests",    "60", "--warmup", "0",
                                         "--concurrency", "1",  "--json",   json};
        args.insert(args.end(), mode.begin(), mode.end());
        auto run = run_against(server, args);
        EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
        return std::pair(run, read_json(json));
    };
    auto [open, open_json] = run_with_stall({"--rate", "200"}, testing::TempDir() + "open.json");
    auto [closed, closed_json] = run_with_stall({}, testing::TempDir() + "closed.json");

    // Requests 12 to 60 were due during the stall: most of the open loop's samples wait.
    EXPECT_GE(std::stod(summary_field(open.out, "p50_us")), stall_ms / 4 * 1000) << open.out;
    EXPECT_GE(json_latency_at(open_json, 90), stall_ms / 2);
    EXPECT_GE(std::stod(summary_field(open.out, "p99_us")), stall_ms * 1000);
    EXPECT_GE(std::stoi(summary_field(open.out, "late")), 40) << open.out;
    EXPECT_GE(std::stod(summary_field(open.out, "max_late_ms")), stall_ms / 2);
    EXPECT_EQ(open_json.at("environment").at("mode").as_string(), "open-loop");
    EXPECT_GE(open_json.at("summary").at("late_requests").to_number<int>(), 40);
    EXPECT_NE(open.percentiles.find("open loop, 200 requests/s"), std::string::npos);

    // The closed loop records the stall once: its maximum, not its body.
    EXPECT_LT(std::stod(summary_field(closed.out, "p50_us")), stall_ms / 10 * 1000) << closed.out;
    EXPECT_LT(json_latency_at(closed_json, 90), stall_ms / 10);
    EXPECT_GE(closed_json.at("percentiles").as_array().back().at("latency_ms").to_number<double>(),
              stall_ms);
    EXPECT_EQ(summary_field(closed.out, "mode"), "closed-loop");
    EXPECT_EQ(closed_json.at("summary").at("late_requests").to_number<int>(), 0);
}

TEST(RunBench, IntervalLogHasOneHistogramPerSecond)
{
    fake_server server;
    server.set_default(fake_action::ok(std::string(canned_item)));
    std::string log = testing::TempDir() + "bench_run.hlog";
    auto run = run_against(
        server, {"--requests", "30", "--warmup", "0", "--concurrency", "2", "--log", log});
    EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    std::ifstream file(log);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(file, line)) lines.push_back(line);
    ASSERT_GE(lines.size(), 5u);
    EXPECT_EQ(lines[0], "#[Histogram log format version 1.3]");
    EXPECT_EQ(lines[4].rfind("0.000,", 0), 0u) << lines[4];
    bench::hdr_histogram h;
    std::string why;
    ASSERT_FALSE(
        bench::hdr_histogram::from_base64(lines[4].substr(lines[4].rfind(',') + 1), h, why))
        << why;
    EXPECT_EQ(h.count(), 30u);
}

namespace {

// A results object of `requests` samples of `latency_us`, a second of them each.
boost::json::object results_of(std::uint64_t requests, int latency_us,
                               std::map<std::int64_t, bench::second_stats>& seconds)
{
    bench::bench_result result;
    result.op = "getitem";
    result.requests = requests;
    result.seconds = 2.0;
    result.rate = 100;
    result.latencies.record(std::chrono::microseconds(latency_us), requests);
    seconds[0].requests = requests / 2;
    seconds[0].latencies.record(std::chrono::microseconds(latency_us), requests / 2);
    seconds[1].requests = requests - requests / 2;
    seconds[1].latencies.record(std::chrono::microseconds(latency_us), requests - requests / 2);
    bench::run_environment environment;
    environment.endpoint = "http://127.0.0.1:8000";
    environment.started_at = "2026-12-05T04:00:00.000Z";
    return bench::make_results(result, environment, seconds);
}

}  // namespace

TEST(RunBench, MergeCombinesHistogramsExactly)
{
    std::map<std::int64_t, bench::second_stats> seconds_a, seconds_b;
    std::string a = testing::TempDir() + "merge_a.json", b = testing::TempDir() + "merge_b.json";
    std::string merged_path = testing::TempDir() + "merged.json";
    std::ofstream(a) << boost::json::serialize(results_of(90, 1000, seconds_a));
    std::ofstream(b) << boost::json::serialize(results_of(10, 50'000, seconds_b));
    std::ostringstream out, err;
    const std::string page = testing::TempDir() + "merged.html";
    int status = dynomite::cli::run_bench(
        {}, {"merge", a, b, "--output", merged_path, "--report", page}, out, err);
    ASSERT_EQ(status, dynomite::cli::exit_ok) << err.str();
    std::ifstream page_file(page);
    std::string html((std::istreambuf_iterator<char>(page_file)), {});
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("\"requests\":100"), std::string::npos);
    EXPECT_NE(out.str().find("merged 2 runs: 100 requests"), std::string::npos) << out.str();
    auto merged = read_json(merged_path);
    EXPECT_EQ(merged.at("summary").at("requests").to_number<int>(), 100);
    EXPECT_EQ(merged.at("environment").at("rate").to_number<double>(), 200.0);
    bench::hdr_histogram whole, decoded;
    whole.record(std::chrono::microseconds(1000), 90);
    whole.record(std::chrono::microseconds(50'000), 10);
    std::string why;
    ASSERT_FALSE(
        bench::hdr_histogram::from_base64(merged.at("histogram").as_string(), decoded, why));
    EXPECT_TRUE(decoded == whole);
    // p95 is the slow run's: not an average of the two runs' percentiles.
    EXPECT_NEAR(json_latency_at(merged, 95), 50.0, 0.05);
    const auto& series = merged.at("series").as_array();
    ASSERT_EQ(series.size(), 2u);
    EXPECT_EQ(series[0].at("requests").to_number<int>(), 50);

    std::ostringstream out2, err2;
    EXPECT_EQ(dynomite::cli::run_bench({}, {"merge", a, "/nonexistent/x.json"}, out2, err2),
              dynomite::cli::exit_failure);
    EXPECT_EQ(err2.str(), "dynomite bench merge: cannot read /nonexistent/x.json\n");
    std::ofstream(b) << R"({"format":"dynomite-bench/1"})";
    std::ostringstream out3, err3;
    EXPECT_EQ(dynomite::cli::run_bench({}, {"merge", a, b}, out3, err3),
              dynomite::cli::exit_failure);
    EXPECT_EQ(err3.str(), "dynomite bench merge: run 2: \"format\" is not \"dynomite-bench/2\"\n");
    std::ostringstream out4, err4;
    EXPECT_EQ(dynomite::cli::run_bench({}, {"merge"}, out4, err4), dynomite::cli::exit_usage);
    EXPECT_EQ(err4.str().rfind("dynomite bench merge: no results files\n", 0), 0u);
    std::ostringstream out5, err5;
    EXPECT_EQ(dynomite::cli::run_bench({}, {"merge", a, "--report"}, out5, err5),
              dynomite::cli::exit_usage);
    EXPECT_EQ(err5.str(), "dynomite bench merge: --report needs a file name\n");
}

// The run's own results pass the report's checks: the page embeds them.
TEST(RunBench, ReportIsWrittenFromTheRunsResults)
{
    fake_server server;
    server.set_default(fake_action::ok(std::string(canned_item)));
    const std::string page = testing::TempDir() + "bench_run_report.html";
    auto run = run_against(server, {"--requests", "20", "--warmup", "0", "--concurrency", "2",
                                    "--rate", "1000", "--counts", "--report", page});
    ASSERT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    std::ifstream file(page);
    std::string html((std::istreambuf_iterator<char>(file)), {});
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("\"format\":\"dynomite-bench/2\""), std::string::npos);
    EXPECT_NE(html.find("\"mode\":\"open-loop\""), std::string::npos);

    auto unwritable = run_against(server, {"--requests", "1", "--warmup", "0", "--concurrency",
                                           "1", "--report", "/nonexistent-folder/r.html"});
    EXPECT_EQ(unwritable.status, dynomite::cli::exit_failure);
    EXPECT_NE(unwritable.err.find("cannot write /nonexistent-folder/r.html"), std::string::npos);
}

// CPU time, its system part and context switches are totals in the merged run, as the requests
// are: the per-request figures are weighted by each run's requests, not averaged.
TEST(RunBench, MergeAddsCpuTimeAndContextSwitches)
{
    std::map<std::int64_t, bench::second_stats> seconds_a, seconds_b;
    auto run_a = results_of(90, 1000, seconds_a);
    auto run_b = results_of(10, 1000, seconds_b);
    const auto set_cpu = [](boost::json::object& run, double cpu_us, double system_us,
                            double switches) {
        auto& summary = run["summary"].as_object();
        summary["cpu_us_per_request"] = cpu_us;
        summary["cpu_system_us_per_request"] = system_us;
        summary["context_switches_per_request"] = switches;
    };
    set_cpu(run_a, 20.0, 5.0, 0.5);
    set_cpu(run_b, 110.0, 50.0, 1.0);
    const std::string a = testing::TempDir() + "cpu_a.json", b = testing::TempDir() + "cpu_b.json";
    const std::string merged_path = testing::TempDir() + "cpu_merged.json";
    std::ofstream(a) << boost::json::serialize(run_a);
    std::ofstream(b) << boost::json::serialize(run_b);
    std::ostringstream out, err;
    ASSERT_EQ(dynomite::cli::run_bench({}, {"merge", a, b, "--output", merged_path}, out, err),
              dynomite::cli::exit_ok)
        << err.str();
    auto summary = read_json(merged_path).at("summary").as_object();
    EXPECT_DOUBLE_EQ(summary.at("cpu_us_per_request").to_number<double>(), 29.0);
    EXPECT_DOUBLE_EQ(summary.at("cpu_system_us_per_request").to_number<double>(), 9.5);
    EXPECT_DOUBLE_EQ(summary.at("context_switches_per_request").to_number<double>(), 0.55);

    // A file written before the system time and switches were measured has none of them.
    run_a["summary"].as_object().erase("cpu_system_us_per_request");
    run_a["summary"].as_object().erase("context_switches_per_request");
    std::ofstream(a) << boost::json::serialize(run_a);
    std::ostringstream out2, err2;
    ASSERT_EQ(dynomite::cli::run_bench({}, {"merge", a, b, "--output", merged_path}, out2, err2),
              dynomite::cli::exit_ok)
        << err2.str();
    summary = read_json(merged_path).at("summary").as_object();
    EXPECT_DOUBLE_EQ(summary.at("cpu_system_us_per_request").to_number<double>(), 5.0);
    EXPECT_DOUBLE_EQ(summary.at("context_switches_per_request").to_number<double>(), 0.1);

    // Figures that no run can have are refused, naming the run and the member.
    const auto refusal = [&](double cpu_us, double system_us, double switches) {
        auto damaged = run_b;
        set_cpu(damaged, cpu_us, system_us, switches);
        std::ofstream(b) << boost::json::serialize(damaged);
        std::ostringstream out3, err3;
        EXPECT_EQ(dynomite::cli::run_bench({}, {"merge", a, b}, out3, err3),
                  dynomite::cli::exit_failure);
        return err3.str();
    };
    EXPECT_EQ(refusal(110.0, 50.0, -1.0),
              "dynomite bench merge: run 2: \"summary.context_switches_per_request\" is not a "
              "non-negative number\n");
    EXPECT_EQ(refusal(-3.0, 0.0, 1.0),
              "dynomite bench merge: run 2: \"summary.cpu_us_per_request\" is not a "
              "non-negative number\n");
    EXPECT_EQ(refusal(110.0, 200.0, 1.0),
              "dynomite bench merge: run 2: \"summary.cpu_system_us_per_request\" is more than "
              "\"cpu_us_per_request\", of which it is a part\n");
}

// A real run's system time is part of its CPU time, and its line on standard error says both.
TEST(RunBench, SystemTimeIsPartOfTheCpuTime)
{
    fake_server server;
    server.set_default(fake_action::ok(std::string(canned_item)));
    const std::string results = testing::TempDir() + "bench_cpu.json";
    auto run = run_against(server, {"--requests", "200", "--warmup", "0", "--concurrency", "4",
                                    "--json", results});
    ASSERT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    const auto summary = read_json(results).at("summary").as_object();
    const double cpu = summary.at("cpu_us_per_request").to_number<double>();
    const double system = summary.at("cpu_system_us_per_request").to_number<double>();
    EXPECT_GT(cpu, 0.0);
    EXPECT_GE(system, 0.0);
    EXPECT_LE(system, cpu);
    EXPECT_GE(summary.at("context_switches_per_request").to_number<double>(), 0.0);
    EXPECT_NE(run.err.find(" us; "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(" context switches per operation"), std::string::npos) << run.err;
}

// --counts' new connections are the connections the server accepted: one per connection kept
// alive, one per answer when each answer closes its connection.
TEST(RunBench, NewConnectionsAreTheConnectionsTheServerAccepted)
{
    const auto new_connections = [](fake_server& server, const std::string& name) {
        const std::string results = testing::TempDir() + name;
        auto run = run_against(server, {"--requests", "12", "--warmup", "0", "--concurrency",
                                        "3", "--counts", "--json", results});
        EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
        return read_json(results).at("operations").at("GetItem").at("new_connections")
            .to_number<std::size_t>();
    };
    fake_server kept;
    kept.set_default(fake_action::ok(std::string(canned_item)));
    const std::size_t kept_alive = new_connections(kept, "kept_alive.json");
    EXPECT_EQ(kept_alive, kept.connections_accepted());
    EXPECT_LE(kept_alive, 3u);

    fake_server closing;
    closing.set_default(fake_action::ok(std::string(canned_item)).closing());
    const std::size_t reconnected = new_connections(closing, "closing.json");
    EXPECT_EQ(reconnected, closing.connections_accepted());
    EXPECT_EQ(reconnected, 12u);
}
