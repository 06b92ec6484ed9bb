#include "bench/results.hpp"
#include "bench/bench_error.hpp"
#include "bench/event_counts.hpp"
#include "bench/html_report.hpp"
#include "cli.hpp"

#include <dynomite/version.hpp>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>

namespace dynomite::cli::bench {

namespace {

namespace json = boost::json;

double ms(std::int64_t ns)
{
    return static_cast<double>(ns) / 1e6;
}

// Rounds to 6 significant decimals of a millisecond (a nanosecond), so the JSON stays short.
double round_ns(double value)
{
    return std::round(value * 1e6) / 1e6;
}

const json::value* member(const json::object& o, std::string_view key)
{
    return o.if_contains(key);
}

// Reads a number member (integer or not) into `out`.
bool read_number(const json::object& o, std::string_view key, double& out)
{
    const json::value* v = member(o, key);
    if (v == nullptr) return false;
    if (v->is_double())
        out = v->get_double();
    else if (v->is_int64())
        out = static_cast<double>(v->get_int64());
    else if (v->is_uint64())
        out = static_cast<double>(v->get_uint64());
    else
        return false;
    return true;
}

bool read_count(const json::object& o, std::string_view key, std::uint64_t& out)
{
    double value = 0;
    if (!read_number(o, key, value) || value < 0 || value != std::floor(value)) return false;
    out = static_cast<std::uint64_t>(value);
    return true;
}

struct parsed_run {
    bench_result result;
    run_environment environment;
    std::string layer;
    std::string operations;
    std::string mode;
    std::map<std::int64_t, second_stats> seconds;
};

error_code read_run(const json::object& o, std::size_t index, parsed_run& run, std::string& why)
{
    std::string where = "run " + std::to_string(index) + ": ";
    auto format = member(o, "format");
    if (format == nullptr || !format->is_string() || format->get_string() != results_format) {
        return invalid(why, where + "\"format\" is not \"" + std::string(results_format) + "\"");
    }
    auto environment = member(o, "environment");
    auto summary = member(o, "summary");
    auto histogram = member(o, "histogram");
    auto series = member(o, "series");
    if (environment == nullptr || !environment->is_object()) {
        return invalid(why, where + "\"environment\" is missing");
    }
    if (summary == nullptr || !summary->is_object())
        return invalid(why, where + "\"summary\" is missing");
    if (histogram == nullptr || !histogram->is_string()) {
        return invalid(why, where + "\"histogram\" is missing");
    }
    if (series == nullptr || !series->is_array())
        return invalid(why, where + "\"series\" is missing");
    const auto& env = environment->get_object();
    auto text = [&](std::string_view key) {
        auto v = member(env, key);
        return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    run.environment.endpoint = text("endpoint");
    run.environment.workload = text("workload");
    run.environment.started_at = text("started_at");
    run.layer = text("layer");
    run.operations = text("operations");
    run.mode = text("mode");
    double threads = 0, connections = 0, rate = 0;
    read_number(env, "threads", threads);
    read_number(env, "connections", connections);
    run.environment.threads = static_cast<std::uint32_t>(threads);
    run.environment.connections = static_cast<std::uint32_t>(connections);
    if (read_number(env, "rate", rate)) run.result.rate = rate;

    const auto& sum = summary->get_object();
    double duration = 0, lateness = 0, cpu = 0, cpu_system = 0, switches = 0;
    if (!read_count(sum, "requests", run.result.requests) ||
        !read_count(sum, "errors", run.result.errors) ||
        !read_count(sum, "throttles", run.result.throttles) ||
        !read_number(sum, "duration_s", duration)) {
        return invalid(why, where + "\"summary\" lacks requests, errors, throttles or duration_s");
    }
    read_count(sum, "late_requests", run.result.late_requests);
    read_number(sum, "max_lateness_ms", lateness);
    read_number(sum, "cpu_us_per_request", cpu);
    // Absent from files written before they were measured: read as none.
    read_number(sum, "cpu_system_us_per_request", cpu_system);
    read_number(sum, "context_switches_per_request", switches);
    for (const auto& [name, value] : {std::pair{"cpu_us_per_request", cpu},
                                      std::pair{"cpu_system_us_per_request", cpu_system},
                                      std::pair{"context_switches_per_request", switches}}) {
        if (value < 0 || !std::isfinite(value))
            return invalid(why, where + "\"summary." + name + "\" is not a non-negative number");
    }
    if (cpu_system > cpu) {
        return invalid(why, where + "\"summary.cpu_system_us_per_request\" is more than "
                                    "\"cpu_us_per_request\", of which it is a part");
    }
    run.result.seconds = duration;
    run.result.max_lateness = std::chrono::nanoseconds(static_cast<std::int64_t>(lateness * 1e6));
    const auto requests = static_cast<double>(run.result.requests);
    run.result.cpu_seconds = cpu * requests / 1e6;
    run.result.cpu_system_seconds = cpu_system * requests / 1e6;
    run.result.context_switches = static_cast<std::uint64_t>(std::llround(switches * requests));
    std::string reason;
    if (hdr_histogram::from_base64(histogram->get_string(), run.result.latencies, reason)) {
        return invalid(why, where + "\"histogram\": " + reason);
    }
    for (const auto& point : series->get_array()) {
        if (!point.is_object()) return invalid(why, where + "a \"series\" entry is not an object");
        const auto& p = point.get_object();
        double second = 0;
        second_stats stats;
        auto h = member(p, "histogram");
        if (!read_number(p, "second", second) || !read_count(p, "requests", stats.requests) ||
            !read_count(p, "errors", stats.errors) ||
            !read_count(p, "throttles", stats.throttles) || h == nullptr || !h->is_string()) {
            return invalid(why, where +
                                    "a \"series\" entry lacks second, requests, errors, "
                                    "throttles or histogram");
        }
        if (hdr_histogram::from_base64(h->get_string(), stats.latencies, reason)) {
            return invalid(why, where + "second " +
                                    std::to_string(static_cast<std::int64_t>(second)) + ": " +
                                    reason);
        }
        run.seconds[static_cast<std::int64_t>(second)] = std::move(stats);
    }
    return {};
}

}  // namespace

std::string_view endpoint_kind(std::string_view url)
{
    auto scheme = url.find("://");
    std::string_view host = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
    host = host.substr(0, host.find('/'));
    if (host.starts_with('[')) {
        host = host.substr(1, host.find(']') - 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    if (host == "localhost" || host.starts_with("127.") || host == "::1") return "local";
    if (host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")) return "aws";
    return "other";
}

boost::json::object make_results(const bench_result& result, const run_environment& environment,
                                 const std::map<std::int64_t, second_stats>& seconds)
{
    json::object out;
    out["format"] = results_format;
    json::array command;
    for (const auto& arg : environment.command) command.emplace_back(arg);
    out["command"] = std::move(command);

    json::object env;
    env["version"] = DYNOMITE_VERSION_STRING;
    env["endpoint"] = environment.endpoint;
    env["endpoint_kind"] = endpoint_kind(environment.endpoint);
    env["layer"] = layer_name(result.layer);
    env["workload"] = environment.workload;
    env["operations"] = result.op;
    env["mode"] = result.rate ? "open-loop" : "closed-loop";
    if (result.rate)
        env["rate"] = *result.rate;
    else
        env["rate"] = nullptr;
    env["threads"] = environment.threads;
    env["connections"] = environment.connections;
    env["started_at"] = environment.started_at;
    out["environment"] = std::move(env);

    const auto& h = result.latencies;
    json::object summary;
    summary["requests"] = result.requests;
    summary["errors"] = result.errors;
    summary["throttles"] = result.throttles;
    summary["duration_s"] = round_ns(result.seconds);
    summary["throughput"] =
        result.seconds > 0 ? round_ns(static_cast<double>(result.requests) / result.seconds) : 0.0;
    summary["late_requests"] = result.late_requests;
    summary["max_lateness_ms"] = round_ns(ms(result.max_lateness.count()));
    summary["cpu_us_per_request"] = round_ns(per_request(result, result.cpu_seconds * 1e6));
    summary["cpu_system_us_per_request"] =
        round_ns(per_request(result, result.cpu_system_seconds * 1e6));
    summary["context_switches_per_request"] =
        round_ns(per_request(result, static_cast<double>(result.context_switches)));
    out["summary"] = std::move(summary);

    json::array percentiles;
    for (double p : reported_percentiles) {
        percentiles.push_back(
            json::object{{"percentile", p}, {"latency_ms", ms(h.value_at_percentile(p))}});
    }
    out["percentiles"] = std::move(percentiles);
    json::array spectrum;
    for (const auto& point : percentile_spectrum(h)) {
        spectrum.push_back(json::object{{"percentile", round_ns(point.percentile)},
                                        {"latency_ms", ms(point.value)},
                                        {"count", point.count}});
    }
    out["spectrum"] = std::move(spectrum);

    json::array series;
    for (const auto& [second, stats] : seconds) {
        // The last second may be cut short by the end of the run.
        double length = std::clamp(result.seconds - static_cast<double>(second), 0.001, 1.0);
        series.push_back(
            json::object{{"second", second},
                         {"requests", stats.requests},
                         {"throughput", round_ns(static_cast<double>(stats.requests) / length)},
                         {"p50_ms", ms(stats.latencies.value_at_percentile(50))},
                         {"p99_ms", ms(stats.latencies.value_at_percentile(99))},
                         {"errors", stats.errors},
                         {"throttles", stats.throttles},
                         {"histogram", stats.latencies.to_base64()}});
    }
    out["series"] = std::move(series);
    out["histogram"] = h.to_base64();
    if (result.counts) out["operations"] = counts_to_json(*result.counts);
    return out;
}

error_code merge_results(const std::vector<boost::json::object>& runs,
                         const std::vector<std::string>& command, boost::json::object& merged,
                         std::string& why)
{
    if (runs.empty()) return invalid(why, "no results to merge");
    parsed_run total;
    // The runs' --counts, when any has them.
    std::optional<json::object> counts;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        parsed_run run;
        if (auto ec = read_run(runs[i], i + 1, run, why)) return ec;
        if (i == 0) {
            total.environment = run.environment;
            total.environment.threads = 0;
            total.environment.connections = 0;
            total.layer = run.layer;
            total.operations = run.operations;
            total.mode = run.mode;
            total.result.rate = run.result.rate ? std::optional<double>(0.0) : std::nullopt;
        } else if (run.mode != total.mode) {
            return invalid(why, "run " + std::to_string(i + 1) + ": mode " + run.mode +
                                    " differs from run 1's " + total.mode);
        }
        auto& r = total.result;
        r.requests += run.result.requests;
        r.errors += run.result.errors;
        r.throttles += run.result.throttles;
        r.late_requests += run.result.late_requests;
        r.max_lateness = std::max(r.max_lateness, run.result.max_lateness);
        r.cpu_seconds += run.result.cpu_seconds;
        r.cpu_system_seconds += run.result.cpu_system_seconds;
        r.context_switches += run.result.context_switches;
        r.seconds = std::max(r.seconds, run.result.seconds);
        if (r.rate && run.result.rate) *r.rate += *run.result.rate;
        r.latencies.merge(run.result.latencies);
        total.environment.threads += run.environment.threads;
        total.environment.connections += run.environment.connections;
        total.environment.started_at =
            std::min(total.environment.started_at, run.environment.started_at);
        if (auto* run_counts = member(runs[i], "operations")) {
            if (!run_counts->is_object()) {
                return invalid(why, "run " + std::to_string(i + 1) +
                                        ": \"operations\" is not an object");
            }
            if (!counts) counts.emplace();
            if (auto ec = add_counts_json(*counts, run_counts->get_object(), why)) {
                why = "run " + std::to_string(i + 1) + ": " + why;
                return ec;
            }
        }
        for (auto& [second, stats] : run.seconds) {
            auto& into = total.seconds[second];
            into.requests += stats.requests;
            into.errors += stats.errors;
            into.throttles += stats.throttles;
            into.latencies.merge(stats.latencies);
        }
    }
    total.result.op = total.operations;
    total.result.layer = total.layer == "model" ? layer::model : layer::client;
    total.environment.command = command;
    merged = make_results(total.result, total.environment, total.seconds);
    if (counts) merged["operations"] = std::move(*counts);
    return {};
}

bool write_text_file(const std::string& path, std::string_view text, std::string_view command,
                     std::ostream& err)
{
    std::ofstream file(path);
    file << text;
    if (file) return true;
    err << command << ": cannot write " << path << '\n';
    return false;
}

int run_merge_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    std::vector<std::string> inputs;
    std::optional<std::string> output;
    std::optional<std::string> report;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--output" || args[i] == "-o" || args[i] == "--report") {
            if (i + 1 >= args.size() || args[i + 1].empty()) {
                err << "dynomite bench merge: " << args[i] << " needs a file name\n";
                return exit_usage;
            }
            (args[i] == "--report" ? report : output) = args[i + 1];
            ++i;
        } else if (args[i].starts_with("--output=")) {
            output = args[i].substr(9);
        } else if (args[i].starts_with("--report=")) {
            report = args[i].substr(9);
        } else if (args[i].starts_with("-")) {
            err << "dynomite bench merge: unknown option \"" << args[i]
                << "\"\nUsage: dynomite bench merge RESULTS.json... [--output FILE] [--report FILE]\n";
            return exit_usage;
        } else {
            inputs.push_back(args[i]);
        }
    }
    if (inputs.empty()) {
        err << "dynomite bench merge: no results files\n"
               "Usage: dynomite bench merge RESULTS.json... [--output FILE] [--report FILE]\n";
        return exit_usage;
    }
    std::vector<boost::json::object> runs;
    for (const auto& path : inputs) {
        std::ifstream file(path);
        std::stringstream text;
        text << file.rdbuf();
        if (!file) {
            err << "dynomite bench merge: cannot read " << path << '\n';
            return exit_failure;
        }
        boost::system::error_code ec;
        auto value = boost::json::parse(text.str(), ec);
        if (ec || !value.is_object()) {
            err << "dynomite bench merge: " << path << " is not a JSON object\n";
            return exit_failure;
        }
        runs.push_back(std::move(value.get_object()));
    }
    std::vector<std::string> command = {"dynomite", "bench"};
    command.insert(command.end(), args.begin(), args.end());
    boost::json::object merged;
    std::string why;
    if (merge_results(runs, command, merged, why)) {
        err << "dynomite bench merge: " << why << '\n';
        return exit_failure;
    }
    std::string text = boost::json::serialize(merged) + "\n";
    if (report) {
        std::string html;
        if (write_html_report(merged, html, why)) {
            err << "dynomite bench merge: the HTML report failed: " << why << '\n';
            return exit_failure;
        }
        if (!write_text_file(*report, html, "dynomite bench merge", err)) return exit_failure;
    }
    if (!output) {
        out << text;
        return exit_ok;
    }
    if (!write_text_file(*output, text, "dynomite bench merge", err)) return exit_failure;
    const auto& summary = merged.at("summary").as_object();
    out << "merged " << runs.size() << " runs: " << summary.at("requests").as_uint64()
        << " requests, " << summary.at("throughput").to_number<double>() << " requests/s\n";
    for (const auto& p : merged.at("percentiles").as_array()) {
        const auto& point = p.as_object();
        double percentile = point.at("percentile").to_number<double>();
        char name[32], line[96];
        if (percentile == 100.0)
            std::snprintf(name, sizeof name, "max");
        else
            std::snprintf(name, sizeof name, "p%g", percentile);
        std::snprintf(line, sizeof line, "  %-8s%.3f ms\n", name,
                      point.at("latency_ms").to_number<double>());
        out << line;
    }
    return exit_ok;
}

}  // namespace dynomite::cli::bench
