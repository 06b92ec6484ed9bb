// The HdrHistogram-compatible histogram of `dynomite bench`: its precision against sorted
// samples, exact merging, and its encoding read back by an independent Python decoder.
#include "bench/hdr_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

namespace bench = dynomite::cli::bench;
using bench::hdr_histogram;

namespace {

// Log-uniform latencies from 10 us to 10 s, as a benchmark sees them.
std::vector<std::int64_t> sample_latencies(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> exponent(4.0, 10.0);
    std::vector<std::int64_t> values(n);
    for (auto& v : values) v = static_cast<std::int64_t>(std::pow(10.0, exponent(random)));
    return values;
}

hdr_histogram histogram_of(const std::vector<std::int64_t>& values)
{
    hdr_histogram h;
    for (auto v : values) h.record(v);
    return h;
}

}  // namespace

TEST(HdrHistogram, BucketsFollowHdrHistogramsLayout)
{
    // Exact below 2048 (2 * 10^3 rounded up to a power of two), then buckets of 2, 4, ...
    for (std::int64_t v = 0; v < 2048; ++v) {
        EXPECT_EQ(hdr_histogram::index_of(v), static_cast<std::size_t>(v));
        EXPECT_EQ(hdr_histogram::value_at_index(static_cast<std::size_t>(v)), v);
    }
    EXPECT_EQ(hdr_histogram::index_of(2048), 2048u);
    EXPECT_EQ(hdr_histogram::index_of(2049), 2048u);
    EXPECT_EQ(hdr_histogram::index_of(4096), 3072u);
    EXPECT_EQ(hdr_histogram::lowest_equivalent(10'007), 10'000);
    EXPECT_EQ(hdr_histogram::highest_equivalent(10'007), 10'007);
    // One hour fits in 32 buckets: (32 + 1) * 1024 counts, HdrHistogram's countsArrayLength.
    EXPECT_LT(hdr_histogram::index_of(hdr_histogram::highest_trackable), 33u * 1024u);
}

TEST(HdrHistogram, EveryBucketIsNarrowerThanAThousandthOfItsValues)
{
    for (auto v : sample_latencies(100'000, 1)) {
        auto low = hdr_histogram::lowest_equivalent(v);
        auto high = hdr_histogram::highest_equivalent(v);
        ASSERT_LE(low, v);
        ASSERT_GE(high, v);
        ASSERT_LT(static_cast<double>(high - low + 1), static_cast<double>(low) / 1000.0 + 1.0);
    }
}

TEST(HdrHistogram, PercentilesMatchTheSortedSampleToThreeDigits)
{
    auto values = sample_latencies(20'000, 2);
    auto h = histogram_of(values);
    std::sort(values.begin(), values.end());
    for (double p : {0.0, 1.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
        auto rank = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size()))));
        std::int64_t exact = values[rank - 1];
        std::int64_t got = h.value_at_percentile(p);
        EXPECT_EQ(hdr_histogram::lowest_equivalent(got), hdr_histogram::lowest_equivalent(exact))
            << "p" << p;
        EXPECT_LE(std::abs(static_cast<double>(got - exact)), static_cast<double>(exact) / 1000.0)
            << "p" << p;
    }
    EXPECT_EQ(h.max(), hdr_histogram::highest_equivalent(values.back()));
    EXPECT_EQ(h.min(), hdr_histogram::lowest_equivalent(values.front()));
    EXPECT_EQ(h.count(), values.size());
}

TEST(HdrHistogram, MergingTwoRunsEqualsOneRunOverBothSamples)
{
    auto a = sample_latencies(5'000, 3);
    auto b = sample_latencies(7'000, 4);
    b.push_back(0);  // and a zero, recorded in the first bucket
    auto merged = histogram_of(a);
    merged.merge(histogram_of(b));
    std::vector<std::int64_t> both = a;
    both.insert(both.end(), b.begin(), b.end());
    auto whole = histogram_of(both);
    EXPECT_TRUE(merged == whole);
    for (double p : {50.0, 90.0, 99.0, 99.9, 100.0}) {
        EXPECT_EQ(merged.value_at_percentile(p), whole.value_at_percentile(p));
    }
    EXPECT_EQ(merged.min(), whole.min());
    EXPECT_EQ(merged.max(), whole.max());

    // The same through the encoding, as `bench merge` does with results files.
    hdr_histogram decoded_a, decoded_b;
    std::string why;
    ASSERT_FALSE(hdr_histogram::from_base64(histogram_of(a).to_base64(), decoded_a, why)) << why;
    ASSERT_FALSE(hdr_histogram::from_base64(histogram_of(b).to_base64(), decoded_b, why)) << why;
    decoded_a.merge(decoded_b);
    EXPECT_TRUE(decoded_a == whole);
    EXPECT_EQ(decoded_a.value_at_percentile(99.99), whole.value_at_percentile(99.99));
}

TEST(HdrHistogram, EmptyHistogramEncodesAndReportsZero)
{
    hdr_histogram empty, decoded;
    EXPECT_EQ(empty.value_at_percentile(50), 0);
    EXPECT_EQ(empty.max(), 0);
    EXPECT_TRUE(bench::percentile_spectrum(empty).empty());
    std::string why;
    decoded.record(5);
    ASSERT_FALSE(hdr_histogram::from_base64(empty.to_base64(), decoded, why)) << why;
    EXPECT_EQ(decoded.count(), 0u);
}

TEST(HdrHistogram, DecodingRefusesForeignOrDamagedData)
{
    hdr_histogram out;
    std::string why;
    EXPECT_TRUE(hdr_histogram::from_base64("not base64!", out, why));
    EXPECT_EQ(why, "histogram: not base64");
    EXPECT_TRUE(hdr_histogram::from_base64("AAAA", out, why));
    EXPECT_EQ(why, "histogram: shorter than its 8-byte header");
    // An uncompressed V2 encoding (cookie 0x1c849313) is not what a log holds.
    EXPECT_TRUE(hdr_histogram::from_base64("HISTEwAAAAA=", out, why));
    EXPECT_EQ(why, "histogram: cookie 0x1c849313 is not 0x1c849304 (V2, compressed)");
    auto good = histogram_of({1000, 2000});
    auto encoded = good.encode_compressed();
    encoded.resize(encoded.size() - 4);  // cut into the zlib stream
    EXPECT_TRUE(hdr_histogram::decode_compressed(encoded, out, why));
    EXPECT_EQ(why, "histogram: compressed length beyond the data");
    encoded = good.encode_compressed();
    encoded[10] = std::byte{0xff};  // damage the zlib stream
    EXPECT_TRUE(hdr_histogram::decode_compressed(encoded, out, why));
    EXPECT_EQ(why, "histogram: the zlib stream does not inflate");
}

TEST(HdrHistogram, SpectrumClimbsToTheMaximumAsHdrHistogramsDistribution)
{
    auto h = histogram_of(sample_latencies(50'000, 5));
    auto spectrum = bench::percentile_spectrum(h);
    ASSERT_GE(spectrum.size(), 50u);
    ASSERT_LE(spectrum.size(), 250u);
    EXPECT_EQ(spectrum.front().percentile, 0.0);
    EXPECT_EQ(spectrum.front().value, hdr_histogram::highest_equivalent(h.min()));
    EXPECT_EQ(spectrum.back().percentile, 100.0);
    EXPECT_EQ(spectrum.back().value, h.max());
    EXPECT_EQ(spectrum.back().count, h.count());
    for (std::size_t i = 1; i < spectrum.size(); ++i) {
        EXPECT_GE(spectrum[i].percentile, spectrum[i - 1].percentile);
        EXPECT_GE(spectrum[i].value, spectrum[i - 1].value);
        // Each point's value is where its percentile is reached.
        if (spectrum[i].percentile < 100.0) {
            EXPECT_EQ(spectrum[i].value, h.value_at_percentile(spectrum[i].percentile)) << i;
        }
    }
    // Percentile levels 0, 10, 20, ..., 50, 55, 60, ... (5 ticks per halving).
    EXPECT_DOUBLE_EQ(spectrum[1].percentile, 10.0);
    EXPECT_DOUBLE_EQ(spectrum[6].percentile, 55.0);
}

TEST(HdrHistogram, IntervalLogIsReadBackByAnIndependentDecoder)
{
    auto first = sample_latencies(3'000, 6);
    auto second = sample_latencies(10, 7);
    second.push_back(3'000'000'000'000);  // a large value: a long zero run and 6-byte LEB128
    bench::interval_log_writer log(1'764'900'000'123);
    log.add(0.0, 1.0, histogram_of(first));
    log.add(1.0, 1.0, histogram_of(second));
    EXPECT_EQ(log.text().rfind("#[Histogram log format version 1.3]\n"
                               "#[StartTime: 1764900000.123 (seconds since epoch), ",
                               0),
              0u);
    std::string path = testing::TempDir() + "bench_interval.hlog";
    std::ofstream(path) << log.text();
    std::string command = "/usr/bin/python3 " + std::string(DYNOMITE_SOURCE_DIR) +
                          "/tests/unit/bench_hdr_oracle.py " + path;
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[4096];
    while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    ASSERT_EQ(::pclose(pipe), 0) << output;

    std::istringstream lines(output);
    std::string line;
    int intervals = 0;
    for (const auto* values : {&first, &second}) {
        ASSERT_TRUE(std::getline(lines, line));
        auto h = histogram_of(*values);
        std::map<std::int64_t, std::uint64_t> expected;
        for (auto v : *values) ++expected[hdr_histogram::lowest_equivalent(v)];
        std::ostringstream want;
        want << (intervals == 0 ? "0.000 1.000 " : "1.000 1.000 ");
        char max_ms[32];
        std::snprintf(max_ms, sizeof max_ms, "%.3f", static_cast<double>(h.max()) / 1e6);
        want << max_ms << ' ' << values->size();
        for (auto [v, c] : expected) want << ' ' << v << ':' << c;
        EXPECT_EQ(line, want.str());
        ++intervals;
    }
    EXPECT_FALSE(std::getline(lines, line));
}
