// Latency histogram laid out exactly as HdrHistogram's (the same buckets, the same percentile
// and equivalent-value arithmetic), so that its V2 encoding and interval log are read by
// HdrHistogram's own tools, and histograms of several runs merge exactly.
#pragma once

#include <dynomite/core/error.hpp>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::cli::bench {

/// Values (nanoseconds for latencies) from 1 to highest_trackable, to 3 significant digits:
/// two values in one bucket differ by less than 1/1000 of either. Counts grow on demand, so
/// that a histogram of short latencies stays small.
class hdr_histogram {
public:
    static constexpr int significant_digits = 3;
    static constexpr std::int64_t lowest_discernible = 1;
    /// One hour in nanoseconds; larger values are recorded as this.
    static constexpr std::int64_t highest_trackable = 3'600'000'000'000;

    void record(std::int64_t value, std::uint64_t count = 1);
    void record(std::chrono::nanoseconds latency, std::uint64_t count = 1)
    {
        record(latency.count(), count);
    }
    /// Adds every count of `other`: the result is the histogram of both sample sets.
    void merge(const hdr_histogram& other);
    void reset();

    std::uint64_t count() const noexcept { return total_; }
    /// The lowest and highest values equivalent to the smallest and largest recorded
    /// (HdrHistogram's getMinValue and getMaxValue); 0 when empty.
    std::int64_t min() const noexcept;
    std::int64_t max() const noexcept;
    /// HdrHistogram's getValueAtPercentile (percentile from 0 to 100).
    std::int64_t value_at_percentile(double percentile) const noexcept;
    /// The count recorded in the bucket holding `value`.
    std::uint64_t count_at_value(std::int64_t value) const noexcept;

    /// Whether two histograms hold the same counts in the same buckets.
    bool operator==(const hdr_histogram& other) const noexcept;

    /// HdrHistogram's compressed V2 encoding (cookie 0x1c849314: a zlib stream of the V2
    /// encoding, cookie 0x1c849313, with zig-zag LEB128 counts and runs of zeros).
    std::vector<std::byte> encode_compressed() const;
    /// Reads encode_compressed()'s output (or HdrHistogram's for the same layout: 3
    /// significant digits, lowest discernible value 1). Fails with errc::invalid_argument and
    /// the reason in `why` for anything else.
    static error_code decode_compressed(std::span<const std::byte> data, hdr_histogram& out,
                                        std::string& why);
    /// The compressed encoding in base64, as in HdrHistogram's logs.
    std::string to_base64() const;
    static error_code from_base64(std::string_view text, hdr_histogram& out, std::string& why);

    /// Index arithmetic of HdrHistogram, exposed for tests.
    static std::size_t index_of(std::int64_t value) noexcept;
    static std::int64_t value_at_index(std::size_t index) noexcept;
    static std::int64_t lowest_equivalent(std::int64_t value) noexcept;
    static std::int64_t highest_equivalent(std::int64_t value) noexcept;

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    std::int64_t min_ = 0;  // smallest nonzero value recorded
    std::int64_t max_ = 0;
};

/// One point of HdrHistogram's percentile distribution: the value reached at `percentile`,
/// and the samples up to it.
struct spectrum_point {
    double percentile = 0;
    std::int64_t value = 0;
    std::uint64_t count = 0;
};

/// HdrHistogram's outputPercentileDistribution points: percentiles halving the remaining
/// distance to 100, `ticks_per_half` steps per halving, ending with 100.
std::vector<spectrum_point> percentile_spectrum(const hdr_histogram& h, int ticks_per_half = 5);

/// Writes HdrHistogram's interval log (format version 1.3, as HistogramLogWriter writes it):
/// headers, a legend, then one line per interval with its start (seconds after the start
/// time), its length, its maximum in milliseconds and its compressed histogram.
class interval_log_writer {
public:
    /// `start_unix_ms`: the start time, milliseconds since the epoch.
    explicit interval_log_writer(std::int64_t start_unix_ms);
    void add(double start_s, double length_s, const hdr_histogram& interval);
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
};

}  // namespace dynomite::cli::bench
