// `dynomite bench`, the load generator: its options, operation mix, latency histogram and
// report, all sans-io so that they are tested without a server.
#pragma once

#include "bench/hdr_histogram.hpp"
#include "bench/key_chooser.hpp"

#include <dynomite/core/error.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::cli::bench {

class event_counts;

/// transact_write: TransactWriteItems of two puts; batch_write: BatchWriteItem of 25 puts.
enum class operation { get_item, put_item, query, scan, transact_write, batch_write };
enum class layer { client, model };

/// "getitem", "putitem", "query", "scan", "transactwrite", "batchwrite".
std::string_view operation_name(operation op);
/// "client", "model".
std::string_view layer_name(layer l);

struct weighted_operation {
    operation op = operation::get_item;
    std::uint32_t weight = 1;
};

/// The operations a run sends, each with a weight: "getitem" or "getitem=80,putitem=20".
class operation_mix {
public:
    /// A mix of GetItem only.
    operation_mix();

    /// Fails with errc::invalid_argument, naming the entry at fault in `why`: an unknown
    /// operation, a weight that is not a positive integer, an operation named twice.
    static error_code parse(std::string_view text, operation_mix& out, std::string& why);

    std::uint32_t total_weight() const noexcept { return total_; }
    /// The operation for a value drawn uniformly from [0, total_weight()); larger values wrap.
    operation pick(std::uint64_t draw) const noexcept;
    /// "getitem" for a single operation, else "getitem=80,putitem=20".
    std::string describe() const;
    const std::vector<weighted_operation>& entries() const noexcept { return entries_; }

private:
    std::vector<weighted_operation> entries_;
    std::uint32_t total_ = 1;
};

struct bench_options {
    std::optional<std::string> endpoint;
    operation_mix mix;
    bench::layer layer = layer::client;
    std::uint32_t concurrency = 16;
    /// Requests to measure; when none, the run lasts `duration`.
    std::optional<std::uint64_t> requests;
    std::chrono::milliseconds duration{10'000};
    /// Time spent sending before the measurement starts (connections opened, caches warm).
    std::chrono::milliseconds warmup{1'000};
    std::string table = "dynomite_bench";
    /// Bytes of the payload attribute of the items written by putitem and --prepare.
    std::uint32_t item_size = 256;
    /// Items in the table's partition: keys of getitem and putitem, the page size of query
    /// and scan.
    std::uint32_t items = 1'000;
    std::uint32_t threads = 1;
    std::optional<std::string> json_file;
    /// Open loop: requests per second over all threads, each scheduled at a fixed time and
    /// measured from it, as wrk2 does. Closed loop (each worker sends when its previous
    /// request is answered) when none.
    std::optional<double> rate;
    /// Wait until this time (milliseconds since the epoch) before sending, so that runs on
    /// several hosts start together.
    std::optional<std::int64_t> start_at_ms;
    /// The HDR interval log (one histogram per second) and the HTML report files.
    std::optional<std::string> log_file;
    std::optional<std::string> report_file;
    /// Create the table when it is missing and write its items before the run.
    bool prepare = false;
    /// Count operations, attempts, retries and outcomes from the client's events.
    bool counts = false;
    /// --workload: one of YCSB's core workloads instead of --op, on `record_count` records of
    /// `field_count` fields of `field_length` bytes (YCSB's recordcount, fieldcount,
    /// fieldlength). --prepare then loads the records.
    std::optional<ycsb_workload> workload;
    std::int64_t record_count = 1000;
    std::uint32_t field_count = 10;
    std::uint32_t field_length = 100;
    bool help = false;
};

/// Parses the arguments after `bench`. Fails with errc::invalid_argument and the reason in
/// `why` (the option and the value at fault).
error_code parse_bench_options(const std::vector<std::string>& args, bench_options& out,
                               std::string& why);

/// "10", "10s", "500ms", "2m": a positive duration; none when the text is not one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// "2026-12-05T04:00:00Z" (any ISO-8601 time with its offset) or "1764907200" (seconds since
/// the epoch): milliseconds since the epoch; none when the text is neither.
std::optional<std::int64_t> parse_start_time(std::string_view text);

std::string bench_usage();

struct bench_result {
    std::string op;
    bench::layer layer = layer::client;
    std::uint64_t requests = 0;
    std::uint32_t concurrency = 0;
    std::uint32_t threads = 1;
    double seconds = 0;
    std::uint64_t items = 0;
    std::uint64_t errors = 0;
    /// The process's CPU time (user and system) while measuring: unlike the rates, it does not
    /// grow when the machine is busy with something else or its host steals time.
    double cpu_seconds = 0;
    /// The system (kernel) part of cpu_seconds.
    double cpu_system_seconds = 0;
    /// The process's context switches while measuring, voluntary and not: a thread that waits
    /// for the network (or is preempted) is switched out, and the kernel's time for that is in
    /// cpu_system_seconds.
    std::uint64_t context_switches = 0;
    /// Latency in nanoseconds: from the intended send time in open loop, from the send time
    /// in closed loop.
    hdr_histogram latencies;
    std::uint64_t throttles = 0;
    std::optional<double> rate;
    /// Open loop: requests sent more than 1 ms after their intended time, and the latest.
    std::uint64_t late_requests = 0;
    std::chrono::nanoseconds max_lateness{0};
    /// With --counts.
    std::shared_ptr<const event_counts> counts;
};

/// The final line: "op=... layer=... requests=... concurrency=... seconds=... ops_per_s=...
/// items_per_s=... p50_us=... p99_us=... p999_us=... errors=... throttles=... mode=..."
/// and, in open loop, "rate=... late=... max_late_ms=...".
std::string format_summary(const bench_result& result);

/// "bench: CPU 12.3 us per operation (user and system, 1.234 s while measuring)".
std::string format_cpu(const bench_result& result);
/// `total` (CPU time, context switches, ...) divided by the result's requests; 0 without any.
double per_request(const bench_result& result, double total);

/// The percentile spectrum as lines "  p50      1.234 ms" for 50, 75, 90, 99, 99.9, 99.99 and
/// max, under a heading naming the mode.
std::string format_percentiles(const bench_result& result);

/// The percentiles the report prints and the JSON results list.
inline constexpr std::array<double, 7> reported_percentiles = {50.0, 75.0,  90.0, 99.0,
                                                               99.9, 99.99, 100.0};

/// A progress line for the standard error stream, once a second.
std::string format_progress(double elapsed_seconds, std::uint64_t requests_in_second,
                            std::uint64_t requests_total, std::uint64_t errors_total,
                            bool warming_up);

/// The sort key of item `index` ("item-000042"): fixed width so that every item has the
/// same size.
std::string item_sort_key(std::uint32_t index);

/// The payload attribute of an item: `size` printable bytes.
std::string make_payload(std::uint32_t size);

}  // namespace dynomite::cli::bench
