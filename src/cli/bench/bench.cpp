#include "bench/bench.hpp"
#include "bench/bench_error.hpp"
#include "core/enum_text.hpp"

#include <dynomite/core/time.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace dynomite::cli::bench {

namespace {

// In the order of the enumerators of operation.
constexpr std::string_view operation_names[] = {"getitem", "putitem",       "query",
                                                "scan",    "transactwrite", "batchwrite"};

std::optional<operation> operation_from_name(std::string_view name)
{
    operation op{};
    if (!detail::enum_from_name(name, op, operation_names)) return std::nullopt;
    return op;
}

template <class Integer>
std::optional<Integer> parse_integer(std::string_view text)
{
    Integer value{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

// Sets `target` from a positive integer argument of `option`.
template <class Integer>
error_code parse_positive(std::string_view option, std::string_view text, Integer max,
                          Integer& target, std::string& why)
{
    auto value = parse_integer<Integer>(text);
    if (!value || *value == 0 || *value > max) {
        return invalid(why, std::string(option) + ": expected an integer from 1 to " +
                                std::to_string(max) + ", got \"" + std::string(text) + "\"");
    }
    target = *value;
    return {};
}

std::string fixed(double value, int decimals)
{
    char buffer[64];
    int n = std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
}

double microseconds(std::int64_t ns)
{
    return static_cast<double>(ns) / 1e3;
}

double milliseconds(std::int64_t ns)
{
    return static_cast<double>(ns) / 1e6;
}

// "99.9" for 99.9, "50" for 50.
std::string trimmed(double value)
{
    std::string text = fixed(value, 2);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
}

double per_second(std::uint64_t count, double seconds)
{
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

}  // namespace

double per_request(const bench_result& result, double total)
{
    return result.requests > 0 ? total / static_cast<double>(result.requests) : 0.0;
}

std::string_view operation_name(operation op)
{
    return detail::enum_name(op, operation_names, operation_names[0]);
}

std::string_view layer_name(layer l)
{
    return l == layer::model ? "model" : "client";
}

operation_mix::operation_mix() : entries_{{operation::get_item, 1}} {}

error_code operation_mix::parse(std::string_view text, operation_mix& out, std::string& why)
{
    if (text.empty()) return invalid(why, "--op: expected an operation, got nothing");
    operation_mix mix;
    mix.entries_.clear();
    std::uint64_t total = 0;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view entry = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (comma != std::string_view::npos && text.empty()) {
            return invalid(why, "--op: a comma ends the mix");
        }
        auto equals = entry.find('=');
        std::string_view name = entry.substr(0, equals);
        auto op = operation_from_name(name);
        if (!op) {
            return invalid(why, "--op: unknown operation \"" + std::string(name) +
                                    "\" (getitem, putitem, query, scan, transactwrite or batchwrite)");
        }
        std::uint32_t weight = 1;
        if (equals != std::string_view::npos) {
            auto parsed = parse_integer<std::uint32_t>(entry.substr(equals + 1));
            if (!parsed || *parsed == 0 || *parsed > 1'000'000) {
                return invalid(why, "--op: the weight of " + std::string(name) +
                                        " must be an integer from 1 to 1000000, got \"" +
                                        std::string(entry.substr(equals + 1)) + "\"");
            }
            weight = *parsed;
        }
        bool repeated = std::any_of(mix.entries_.begin(), mix.entries_.end(),
                                    [&](const weighted_operation& w) { return w.op == *op; });
        if (repeated) return invalid(why, "--op: " + std::string(name) + " is named twice");
        mix.entries_.push_back({*op, weight});
        total += weight;
    }
    mix.total_ = static_cast<std::uint32_t>(total);
    out = std::move(mix);
    return {};
}

operation operation_mix::pick(std::uint64_t draw) const noexcept
{
    std::uint64_t point = draw % total_;
    for (const auto& entry : entries_) {
        if (point < entry.weight) return entry.op;
        point -= entry.weight;
    }
    return entries_.back().op;
}

std::string operation_mix::describe() const
{
    if (entries_.size() == 1) return std::string(operation_name(entries_.front().op));
    std::string text;
    for (const auto& entry : entries_) {
        if (!text.empty()) text += ',';
        text += operation_name(entry.op);
        text += '=';
        text += std::to_string(entry.weight);
    }
    return text;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    std::uint64_t scale = 1000;
    if (text.ends_with("ms")) {
        scale = 1;
        text.remove_suffix(2);
    } else if (text.ends_with('s')) {
        text.remove_suffix(1);
    } else if (text.ends_with('m')) {
        scale = 60'000;
        text.remove_suffix(1);
    }
    auto value = parse_integer<std::uint64_t>(text);
    if (!value || *value == 0 || *value > 86'400'000 / scale) return std::nullopt;
    return std::chrono::milliseconds(*value * scale);
}

std::optional<std::int64_t> parse_start_time(std::string_view text)
{
    if (auto seconds = parse_integer<std::int64_t>(text)) {
        if (*seconds <= 0 || *seconds > 253'402'300'799) return std::nullopt;
        return *seconds * 1000;
    }
    std::chrono::sys_time<std::chrono::milliseconds> time;
    if (parse_iso8601(text, time)) return std::nullopt;
    return time.time_since_epoch().count();
}

std::string bench_usage()
{
    return R"(Usage: dynomite bench [OPTIONS]
       dynomite bench merge RESULTS.json... [--output FILE] [--report FILE]

Sends DynamoDB requests from a fixed number of concurrent workers and reports throughput and
latency percentiles. Progress goes to stderr once a second; the last line on stdout is
  op=.. layer=.. requests=.. concurrency=.. seconds=.. ops_per_s=.. items_per_s=.. p50_us=.. p99_us=.. p999_us=.. errors=..

Options:
  --endpoint URL       the endpoint (else the global --endpoint, DYNOMITE_ENDPOINT, AWS's)
  --op MIX             getitem, putitem, query, scan, transactwrite (TransactWriteItems of
                       two puts), batchwrite (BatchWriteItem of 25 puts), or a weighted mix
                       such as getitem=80,putitem=20 (default getitem)
  --layer LAYER        client (the low-level client) or model (models hydrated from items)
                       (default client)
  --concurrency N      requests in flight (default 16)
  --requests N         measure N requests
  --duration TIME      measure for TIME, e.g. 10s, 500ms, 2m (default 10s; not with --requests)
  --warmup TIME        send for TIME before measuring (default 1s; 0 for none)
  --table NAME         the table (default dynomite_bench): partition key pk, sort key sk
  --items N            items of partition "bench": getitem and putitem keys, the page size
                       of query and scan (default 1000)
  --item-size BYTES    payload bytes of the items written (default 256)
  --threads N          client threads, each with its own client (default 1)
  --rate N             open loop: N requests per second in all, each measured from its
                       intended send time (as wrk2); without it, closed loop
  --start-at TIME      wait until TIME (ISO-8601 UTC, or seconds since the epoch) to start,
                       so that several hosts start together
  --json FILE          also write the results as JSON (format dynomite-bench/2) to FILE
  --log FILE           write one latency histogram per second as an HdrHistogram log
  --report FILE        write an HTML report of the results
  --prepare            create the table if missing and write its items first
  --workload W         YCSB's core workload a, b, c, d, e or f instead of --op (client
                       layer; table "usertable" unless --table), on these YCSB properties:
  --recordcount N      records loaded by --prepare and read by the workload (default 1000)
  --operationcount N   the same as --requests
  --fieldcount N       fields per record, field0 to fieldN-1 (default 10)
  --fieldlength N      bytes per field (default 100)
  --requestdistribution D  uniform, zipfian, latest or hotspot instead of the workload's
  --maxscanlength N    workload e: scan lengths uniform from 1 to N (default 100)
  --counts             count operations, attempts, retries and outcomes (from the client's
                       events) and print them per operation; JSON gets them as "operations"
  -h, --help           show this help
)";
}

error_code parse_bench_options(const std::vector<std::string>& args, bench_options& out,
                               std::string& why)
{
    bench_options options;
    bool duration_given = false;
    bool table_given = false;
    bool op_given = false;
    // The workload's YCSB properties, applied once the workload is known.
    std::optional<std::uint32_t> max_scan_length;
    std::optional<key_distribution> request_distribution;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::string_view value;
        bool inline_value = false;
        if (arg.starts_with("--")) {
            if (auto equals = arg.find('='); equals != std::string_view::npos) {
                value = arg.substr(equals + 1);
                arg = arg.substr(0, equals);
                inline_value = true;
            }
        }
        if (arg == "-h" || arg == "--help") {
            options.help = true;
            continue;
        }
        if (arg == "--counts") {
            if (inline_value) return invalid(why, "--counts takes no value");
            options.counts = true;
            continue;
        }
        if (arg == "--prepare") {
            if (inline_value) return invalid(why, "--prepare takes no value");
            options.prepare = true;
            continue;
        }
        static constexpr std::array<std::string_view, 24> valued = {
            "--endpoint",    "--op",          "--layer",          "--concurrency",
            "--requests",    "--duration",    "--warmup",         "--table",
            "--item-size",   "--threads",     "--json",           "--items",
            "--rate",        "--start-at",    "--log",            "--report",
            "--workload",    "--recordcount", "--operationcount", "--fieldcount",
            "--fieldlength", "--maxscanlength", "--requestdistribution"};
        if (std::find(valued.begin(), valued.end(), arg) == valued.end()) {
            return invalid(why, "unknown option \"" + std::string(arg) + "\"");
        }
        if (!inline_value) {
            if (i + 1 >= args.size()) return invalid(why, std::string(arg) + " needs a value");
            value = args[++i];
        }
        if (arg == "--endpoint") {
            if (value.empty()) return invalid(why, "--endpoint: empty URL");
            options.endpoint = std::string(value);
        } else if (arg == "--op") {
            if (auto ec = operation_mix::parse(value, options.mix, why)) return ec;
            op_given = true;
        } else if (arg == "--layer") {
            if (value == "client") {
                options.layer = layer::client;
            } else if (value == "model") {
                options.layer = layer::model;
            } else {
                return invalid(
                    why, "--layer: expected client or model, got \"" + std::string(value) + "\"");
            }
        } else if (arg == "--concurrency") {
            if (auto ec =
                    parse_positive<std::uint32_t>(arg, value, 100'000, options.concurrency, why))
                return ec;
        } else if (arg == "--workload") {
            auto workload = value.size() == 1 ? core_workload(value[0]) : std::nullopt;
            if (!workload) {
                return invalid(why, "--workload: expected a, b, c, d, e or f, got \"" +
                                        std::string(value) + "\"");
            }
            options.workload = workload;
        } else if (arg == "--recordcount") {
            std::uint64_t records = 0;
            if (auto ec = parse_positive<std::uint64_t>(arg, value, 1'000'000'000, records, why))
                return ec;
            options.record_count = static_cast<std::int64_t>(records);
        } else if (arg == "--fieldcount") {
            if (auto ec = parse_positive<std::uint32_t>(arg, value, 1000, options.field_count, why))
                return ec;
        } else if (arg == "--fieldlength") {
            if (auto ec =
                    parse_positive<std::uint32_t>(arg, value, 350'000, options.field_length, why))
                return ec;
        } else if (arg == "--maxscanlength") {
            std::uint32_t length = 0;
            if (auto ec = parse_positive<std::uint32_t>(arg, value, 1000, length, why)) return ec;
            max_scan_length = length;
        } else if (arg == "--requestdistribution") {
            key_distribution distribution{};
            if (!parse_key_distribution(value, distribution)) {
                return invalid(why,
                               "--requestdistribution: expected uniform, zipfian, latest or "
                               "hotspot, got \"" +
                                   std::string(value) + "\"");
            }
            request_distribution = distribution;
        } else if (arg == "--requests" || arg == "--operationcount") {
            std::uint64_t requests = 0;
            if (auto ec =
                    parse_positive<std::uint64_t>(arg, value, 1'000'000'000'000, requests, why))
                return ec;
            options.requests = requests;
        } else if (arg == "--duration" || arg == "--warmup") {
            bool warmup = arg == "--warmup";
            if (warmup && (value == "0" || value == "0s" || value == "0ms")) {
                options.warmup = std::chrono::milliseconds(0);
                continue;
            }
            auto duration = parse_duration(value);
            if (!duration) {
                return invalid(why, std::string(arg) +
                                        ": expected a duration such as 10s, 500ms or 2m, got \"" +
                                        std::string(value) + "\"");
            }
            (warmup ? options.warmup : options.duration) = *duration;
            duration_given = duration_given || !warmup;
        } else if (arg == "--table") {
            if (value.empty() || value.size() > 255) {
                return invalid(why, "--table: a table name has 1 to 255 characters");
            }
            options.table = std::string(value);
            table_given = true;
        } else if (arg == "--item-size") {
            if (auto ec =
                    parse_positive<std::uint32_t>(arg, value, 350'000, options.item_size, why))
                return ec;
        } else if (arg == "--items") {
            if (auto ec = parse_positive<std::uint32_t>(arg, value, 1'000'000, options.items, why))
                return ec;
        } else if (arg == "--threads") {
            if (auto ec = parse_positive<std::uint32_t>(arg, value, 256, options.threads, why))
                return ec;
        } else if (arg == "--json" || arg == "--log" || arg == "--report") {
            if (value.empty()) return invalid(why, std::string(arg) + ": empty file name");
            (arg == "--json"  ? options.json_file
             : arg == "--log" ? options.log_file
                              : options.report_file) = std::string(value);
        } else if (arg == "--rate") {
            double rate = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rate);
            if (ec != std::errc{} || end != value.data() + value.size() || !(rate > 0) ||
                rate > 10'000'000) {
                return invalid(why,
                               "--rate: expected requests per second from 1 to 10000000, "
                               "got \"" +
                                   std::string(value) + "\"");
            }
            options.rate = rate;
        } else if (arg == "--start-at") {
            auto at = parse_start_time(value);
            if (!at) {
                return invalid(why,
                               "--start-at: expected an ISO-8601 UTC time such as "
                               "2026-12-05T04:00:00Z or seconds since the epoch, got \"" +
                                   std::string(value) + "\"");
            }
            options.start_at_ms = *at;
        }
    }
    if (options.requests && duration_given) {
        return invalid(why, "--requests and --duration exclude each other");
    }
    if (options.workload) {
        if (op_given) return invalid(why, "--workload and --op exclude each other");
        if (options.layer != layer::client) {
            return invalid(why, "--workload runs on the client layer, not --layer model");
        }
        if (max_scan_length) options.workload->max_scan_length = *max_scan_length;
        if (request_distribution) options.workload->request_distribution = *request_distribution;
        if (!table_given) options.table = "usertable";
    } else if (max_scan_length || request_distribution) {
        return invalid(why, "--requestdistribution and --maxscanlength need --workload");
    }
    if (options.layer == layer::model) {
        for (const auto& entry : options.mix.entries()) {
            if (entry.op == operation::transact_write || entry.op == operation::batch_write) {
                return invalid(why, "--op " + std::string(operation_name(entry.op)) +
                                        " runs on the client layer, not --layer model");
            }
        }
    }
    if (options.threads > options.concurrency) {
        return invalid(why, "--threads (" + std::to_string(options.threads) +
                                ") is more than --concurrency (" +
                                std::to_string(options.concurrency) + ")");
    }
    out = std::move(options);
    return {};
}

std::string format_summary(const bench_result& result)
{
    std::string line;
    line += "op=" + result.op;
    line += " layer=" + std::string(layer_name(result.layer));
    line += " requests=" + std::to_string(result.requests);
    line += " concurrency=" + std::to_string(result.concurrency);
    line += " seconds=" + fixed(result.seconds, 3);
    line += " ops_per_s=" + fixed(per_second(result.requests, result.seconds), 1);
    line += " items_per_s=" + fixed(per_second(result.items, result.seconds), 1);
    line += " p50_us=" + fixed(microseconds(result.latencies.value_at_percentile(50)), 1);
    line += " p99_us=" + fixed(microseconds(result.latencies.value_at_percentile(99)), 1);
    line += " p999_us=" + fixed(microseconds(result.latencies.value_at_percentile(99.9)), 1);
    line += " errors=" + std::to_string(result.errors);
    line += " throttles=" + std::to_string(result.throttles);
    if (result.rate) {
        line += " mode=open-loop rate=" + fixed(*result.rate, 0);
        line += " late=" + std::to_string(result.late_requests);
        line += " max_late_ms=" + fixed(static_cast<double>(result.max_lateness.count()) / 1e6, 3);
    } else {
        line += " mode=closed-loop";
    }
    return line;
}

std::string format_cpu(const bench_result& result)
{
    return "bench: CPU " + fixed(per_request(result, result.cpu_seconds * 1e6), 2) +
           " us per operation (user and system, " + fixed(result.cpu_seconds, 3) +
           " s while measuring), of which system " +
           fixed(per_request(result, result.cpu_system_seconds * 1e6), 2) + " us; " +
           fixed(per_request(result, static_cast<double>(result.context_switches)), 3) +
           " context switches per operation";
}

std::string format_percentiles(const bench_result& result)
{
    std::string text = result.rate
                           ? "Latency from each request's intended send time (open loop, " +
                                 fixed(*result.rate, 0) + " requests/s):\n"
                           : "Latency from each request's send time (closed loop, " +
                                 std::to_string(result.concurrency) + " requests in flight):\n";
    for (double p : reported_percentiles) {
        std::string name = p == 100.0 ? "max" : "p" + trimmed(p);
        name.resize(std::max<std::size_t>(name.size(), 8), ' ');
        text +=
            "  " + name + fixed(milliseconds(result.latencies.value_at_percentile(p)), 3) + " ms\n";
    }
    return text;
}

std::string format_progress(double elapsed_seconds, std::uint64_t requests_in_second,
                            std::uint64_t requests_total, std::uint64_t errors_total,
                            bool warming_up)
{
    std::string line = "bench: " + fixed(elapsed_seconds, 0) + "s";
    line += warming_up ? " warmup " : " ";
    line += std::to_string(requests_in_second) + " req/s, " + std::to_string(requests_total) +
            " requests, " + std::to_string(errors_total) + " errors";
    return line;
}

std::string item_sort_key(std::uint32_t index)
{
    char buffer[32];
    int n = std::snprintf(buffer, sizeof buffer, "item-%06u", index);
    return std::string(buffer, static_cast<std::size_t>(n));
}

std::string make_payload(std::uint32_t size)
{
    std::string payload(size, 'x');
    for (std::uint32_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    return payload;
}

}  // namespace dynomite::cli::bench
