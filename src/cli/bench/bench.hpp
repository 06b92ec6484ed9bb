// `dynomite bench`, the load generator: its options, operation mix, latency histogram and
// report, all sans-io so that they are tested without a server.
#pragma once

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

enum class operation { get_item, put_item, query, scan };
enum class layer { client, model };

/// "getitem", "putitem", "query", "scan".
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

/// Latencies in nanoseconds in log-linear buckets: exact below 128 ns, then 64 buckets per
/// power of two, so a percentile is within 1.6% of the recorded value. Recording is
/// allocation-free; merge() adds another histogram (of another thread).
class latency_histogram {
public:
    void record(std::chrono::nanoseconds latency) noexcept;
    void merge(const latency_histogram& other) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::chrono::nanoseconds min() const noexcept;
    std::chrono::nanoseconds max() const noexcept { return std::chrono::nanoseconds(max_); }
    /// The smallest recorded bucket's upper bound below which at least `quantile` (0..1) of
    /// the recorded latencies lie, capped at max(); zero when nothing was recorded.
    std::chrono::nanoseconds percentile(double quantile) const noexcept;

private:
    static constexpr int sub_bucket_bits = 6;
    static constexpr std::size_t bucket_count = (64 - sub_bucket_bits) * (1u << sub_bucket_bits);

    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
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
    /// Create the table when it is missing and write its items before the run.
    bool prepare = false;
    /// Count operations, attempts, retries and outcomes from the client's events.
    bool counts = false;
    bool help = false;
};

/// Parses the arguments after `bench`. Fails with errc::invalid_argument and the reason in
/// `why` (the option and the value at fault).
error_code parse_bench_options(const std::vector<std::string>& args, bench_options& out,
                               std::string& why);

/// "10", "10s", "500ms", "2m": a positive duration; none when the text is not one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

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
    latency_histogram latencies;
    /// With --counts.
    std::shared_ptr<const event_counts> counts;
};

/// The final line: "op=... layer=... requests=... concurrency=... seconds=... ops_per_s=...
/// items_per_s=... p50_us=... p99_us=... p999_us=... errors=...".
std::string format_summary(const bench_result& result);

/// "bench: CPU 12.3 us per operation (user and system, 1.234 s while measuring)".
std::string format_cpu(const bench_result& result);

/// The same figures as a JSON object, with the histogram's min, max and the p90, the CPU
/// time ("cpu_seconds", "cpu_us_per_op") and, with --counts, the "operations".
std::string format_json(const bench_result& result);

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
