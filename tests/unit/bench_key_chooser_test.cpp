// YCSB's key choosers: each distribution on a large sample against its exact probabilities
// (chi-square, fixed seeds) and, for the Zipfian ones, a rank-frequency check.
#include "bench/key_chooser.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

namespace bench = dynomite::cli::bench;

namespace {

// Pearson's statistic of `observed` against `expected` probabilities over the same cells.
double chi_square(const std::vector<std::uint64_t>& observed, const std::vector<double>& expected,
                  std::uint64_t samples)
{
    double statistic = 0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        double e = expected[i] * static_cast<double>(samples);
        double d = static_cast<double>(observed[i]) - e;
        statistic += d * d / e;
    }
    return statistic;
}

// The chi-square value that a correct generator exceeds with probability about 0.001:
// Wilson-Hilferty's approximation of the quantile.
double critical_value(std::size_t degrees)
{
    double k = static_cast<double>(degrees);
    double z = 3.09;
    double t = 1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k));
    return k * t * t * t;
}

std::vector<std::uint64_t> draw_keys(bench::key_chooser& chooser, std::int64_t last,
                                     std::size_t cells, std::uint64_t samples, std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    std::vector<std::uint64_t> counts(cells);
    for (std::uint64_t i = 0; i < samples; ++i) {
        auto key = chooser.next(last, random);
        EXPECT_LT(static_cast<std::size_t>(key), cells);
        ++counts[static_cast<std::size_t>(key)];
    }
    return counts;
}

}  // namespace

TEST(KeyChooser, KeysAreYcsbsHashedNames)
{
    // FNV-1a over the 8 little-endian bytes, made positive (from a Python implementation).
    EXPECT_EQ(bench::fnv_hash64(0), 6284781860667377211);
    EXPECT_EQ(bench::fnv_hash64(1), 8517097267634966620);
    EXPECT_EQ(bench::ycsb_key(12345), "user1792800413050876852");
}

TEST(KeyChooser, ZetaAboveTheExactRangeMatchesYcsbsConstant)
{
    // YCSB's precomputed zeta(10^10, 0.99).
    EXPECT_NEAR(bench::zeta(10'000'000'000, 0.99), 26.46902820178302, 1e-9);
    double exact = 0;
    for (int i = 1; i <= 1'000'001; ++i) exact += 1.0 / std::pow(i, 0.8);
    EXPECT_NEAR(bench::zeta(1'000'001, 0.8), exact, exact * 1e-12);
}

TEST(KeyChooser, ZipfianGeneratorFollowsItsExactProbabilities)
{
    const std::int64_t items = 200;
    bench::zipfian_generator zipf(0, items, 0.99);
    std::vector<double> expected(items);
    double total = 0;
    for (std::int64_t k = 0; k < items; ++k) total += expected[k] = zipf.probability(k);
    EXPECT_NEAR(total, 1.0, 1e-9);
    std::mt19937_64 random(11);
    const std::uint64_t samples = 400'000;
    std::vector<std::uint64_t> counts(items);
    for (std::uint64_t i = 0; i < samples; ++i)
        ++counts[static_cast<std::size_t>(zipf.next(random))];
    EXPECT_LT(chi_square(counts, expected, samples), critical_value(items - 1));
    // Rank-frequency: Zipf's law with exponent theta, close to 1/zeta for the first item.
    EXPECT_NEAR(expected[0], 1.0 / bench::zeta(items, 0.99), 1e-12);
    double slope = std::log(static_cast<double>(counts[99]) / static_cast<double>(counts[9])) /
                   std::log(100.0 / 10.0);
    EXPECT_NEAR(slope, -0.99, 0.1);
}

TEST(KeyChooser, ScrambledZipfianMakesHashedRecordsPopular)
{
    bench::key_chooser_settings settings;
    settings.distribution = bench::key_distribution::zipfian;
    settings.record_count = 1000;
    bench::key_chooser chooser(settings);
    const std::uint64_t samples = 400'000;
    auto counts = draw_keys(chooser, 999, 1000, samples, 12);
    // Item r of the 10^10 + 1 drawn lands on record fnvhash64(r) mod 1001; 1000 is drawn again.
    bench::zipfian_generator items(0, 10'000'000'001, 0.99, 26.46902820178302);
    for (std::int64_t r = 0; r < 5; ++r) {
        auto key = static_cast<std::size_t>(bench::fnv_hash64(r) % 1001);
        double share = static_cast<double>(counts[key]) / static_cast<double>(samples);
        // At least the item's probability, plus the tail's share spread over the records.
        EXPECT_GT(share, items.probability(r) * 0.97) << r;
        EXPECT_LT(share, items.probability(r) * 1.03 + 3.0 / 1000) << r;
    }
    auto most = std::max_element(counts.begin(), counts.end()) - counts.begin();
    EXPECT_EQ(most, bench::fnv_hash64(0) % 1001);
}

TEST(KeyChooser, LatestPrefersTheNewestRecords)
{
    bench::key_chooser_settings settings;
    settings.distribution = bench::key_distribution::latest;
    settings.record_count = 1000;
    bench::key_chooser chooser(settings);
    const std::uint64_t samples = 400'000;
    // After 100 inserts, the latest record is 1099.
    auto counts = draw_keys(chooser, 1099, 1100, samples, 13);
    // SkewedLatestGenerator: last - zipfian over `last` items, its zeta grown from 999 to
    // 1099 items (eta keeps the constructed count, so only the head's shares are checked).
    std::vector<std::uint64_t> observed;
    double head = 0;
    std::uint64_t head_count = 0;
    for (std::int64_t k = 0; k < 100; ++k) {
        observed.push_back(counts[static_cast<std::size_t>(1099 - k)]);
        head_count += observed.back();
    }
    for (std::int64_t k = 0; k < 100; ++k) head += 1.0 / std::pow(static_cast<double>(k + 1), 0.99);
    double zetan = bench::zeta(1099, 0.99);
    EXPECT_NEAR(static_cast<double>(observed[0]) / samples, 1.0 / zetan, 0.005);
    EXPECT_NEAR(static_cast<double>(head_count) / samples, head / zetan, 0.02);
    EXPECT_EQ(counts[0], 0u);  // last - zipfian(last) never reaches record 0, as in YCSB
    EXPECT_GT(observed[0], observed[1]);
    EXPECT_GT(observed[1], observed[10]);
}

TEST(KeyChooser, LatestWithoutInsertsFollowsTheExactProbabilities)
{
    bench::key_chooser_settings settings;
    settings.distribution = bench::key_distribution::latest;
    settings.record_count = 300;
    bench::key_chooser chooser(settings);
    const std::uint64_t samples = 400'000;
    auto counts = draw_keys(chooser, 299, 300, samples, 14);
    bench::zipfian_generator zipf(0, 299, 0.99);
    std::vector<std::uint64_t> observed;
    std::vector<double> expected;
    for (std::int64_t k = 0; k < 299; ++k) {
        observed.push_back(counts[static_cast<std::size_t>(299 - k)]);
        expected.push_back(zipf.probability(k));
    }
    EXPECT_LT(chi_square(observed, expected, samples), critical_value(observed.size() - 1));
}

TEST(KeyChooser, HotspotSendsItsOperationFractionToItsDataFraction)
{
    bench::key_chooser_settings settings;
    settings.distribution = bench::key_distribution::hotspot;
    settings.record_count = 1000;
    settings.hotspot_data_fraction = 0.2;
    settings.hotspot_operation_fraction = 0.8;
    bench::key_chooser chooser(settings);
    const std::uint64_t samples = 400'000;
    auto counts = draw_keys(chooser, 999, 1000, samples, 15);
    std::vector<double> expected(1000);
    for (std::size_t k = 0; k < 1000; ++k) expected[k] = k < 200 ? 0.8 / 200 : 0.2 / 800;
    EXPECT_LT(chi_square(counts, expected, samples), critical_value(999));
}

TEST(KeyChooser, UniformCoversEveryRecordEqually)
{
    bench::key_chooser_settings settings;
    settings.distribution = bench::key_distribution::uniform;
    settings.record_count = 500;
    bench::key_chooser chooser(settings);
    const std::uint64_t samples = 200'000;
    auto counts = draw_keys(chooser, 499, 500, samples, 16);
    EXPECT_LT(chi_square(counts, std::vector<double>(500, 1.0 / 500), samples),
              critical_value(499));
}

TEST(KeyChooser, ChiSquareDetectsAWrongDistribution)
{
    // The check can fail: uniform draws against the hotspot's probabilities.
    bench::key_chooser_settings settings;
    settings.distribution = bench::key_distribution::uniform;
    settings.record_count = 1000;
    bench::key_chooser chooser(settings);
    auto counts = draw_keys(chooser, 999, 1000, 100'000, 17);
    std::vector<double> hotspot(1000);
    for (std::size_t k = 0; k < 1000; ++k) hotspot[k] = k < 200 ? 0.8 / 200 : 0.2 / 800;
    EXPECT_GT(chi_square(counts, hotspot, 100'000), critical_value(999));
}

TEST(KeyChooser, DistributionNames)
{
    bench::key_distribution d{};
    for (auto name : {"uniform", "zipfian", "latest", "hotspot"}) {
        ASSERT_TRUE(bench::parse_key_distribution(name, d));
        EXPECT_EQ(bench::key_distribution_name(d), name);
    }
    EXPECT_FALSE(bench::parse_key_distribution("exponential", d));
}

namespace {

// Operations drawn for `samples` uniform values, by ycsb_operation.
std::vector<std::uint64_t> draw_operations(const bench::ycsb_workload& workload,
                                           std::uint64_t samples, std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    std::vector<std::uint64_t> counts(5);
    for (std::uint64_t i = 0; i < samples; ++i) {
        ++counts[static_cast<std::size_t>(
            bench::choose_operation(workload, bench::unit_double(random)))];
    }
    return counts;
}

// The cells of `expected` with a non-zero probability, and the matching observed counts.
double mix_statistic(const std::vector<std::uint64_t>& counts,
                     const std::vector<double>& expected, std::uint64_t samples,
                     std::size_t& degrees)
{
    std::vector<std::uint64_t> observed;
    std::vector<double> probabilities;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (expected[i] > 0) {
            observed.push_back(counts[i]);
            probabilities.push_back(expected[i]);
        } else {
            EXPECT_EQ(counts[i], 0u) << "operation " << i << " has no share";
        }
    }
    degrees = observed.size() - 1;
    return chi_square(observed, probabilities, samples);
}

}  // namespace

// YCSB's workloads/workloada to workloadf: proportions of read, update, insert, scan and
// read-modify-write, and the request distribution.
TEST(YcsbWorkload, CoreWorkloadsAreYcsbsDefinitions)
{
    struct definition {
        char name;
        std::vector<double> proportions;
        bench::key_distribution distribution;
        const char* described;
    };
    const std::vector<definition> ycsb = {
        {'a', {0.5, 0.5, 0, 0, 0}, bench::key_distribution::zipfian, "read=0.5,update=0.5"},
        {'b', {0.95, 0.05, 0, 0, 0}, bench::key_distribution::zipfian, "read=0.95,update=0.05"},
        {'c', {1, 0, 0, 0, 0}, bench::key_distribution::zipfian, "read=1"},
        {'d', {0.95, 0, 0.05, 0, 0}, bench::key_distribution::latest, "read=0.95,insert=0.05"},
        {'e', {0, 0, 0.05, 0.95, 0}, bench::key_distribution::zipfian, "insert=0.05,scan=0.95"},
        {'f', {0.5, 0, 0, 0, 0.5}, bench::key_distribution::zipfian,
         "read=0.5,readmodifywrite=0.5"},
    };
    for (const auto& d : ycsb) {
        auto workload = bench::core_workload(d.name);
        ASSERT_TRUE(workload) << d.name;
        EXPECT_EQ(workload->request_distribution, d.distribution) << d.name;
        EXPECT_EQ(bench::describe_workload(*workload), d.described);
        EXPECT_EQ(workload->max_scan_length, 100);

        // The mix on a large sample, against YCSB's proportions.
        constexpr std::uint64_t samples = 200'000;
        auto counts = draw_operations(*workload, samples, 7 + d.name);
        std::size_t degrees = 0;
        double statistic = mix_statistic(counts, d.proportions, samples, degrees);
        if (degrees > 0) EXPECT_LT(statistic, critical_value(degrees)) << d.name;
    }
    EXPECT_FALSE(bench::core_workload('g'));
    EXPECT_FALSE(bench::core_workload('A'));
}

TEST(YcsbWorkload, MixStatisticDetectsAWrongMix)
{
    // Workload B's draws measured against workload A's proportions.
    constexpr std::uint64_t samples = 200'000;
    auto counts = draw_operations(*bench::core_workload('b'), samples, 11);
    std::size_t degrees = 0;
    double statistic = mix_statistic(counts, {0.5, 0.5, 0, 0, 0}, samples, degrees);
    EXPECT_GT(statistic, critical_value(degrees));
    // A 1% shift is seen on this sample too: 96/4 against 95/5.
    bench::ycsb_workload shifted = *bench::core_workload('b');
    shifted.read_proportion = 0.96;
    shifted.update_proportion = 0.04;
    counts = draw_operations(shifted, samples, 12);
    statistic = mix_statistic(counts, {0.95, 0.05, 0, 0, 0}, samples, degrees);
    EXPECT_GT(statistic, critical_value(degrees));
}

TEST(YcsbWorkload, ScanLengthsAreUniformUpToTheMaximum)
{
    auto workload = *bench::core_workload('e');
    std::mt19937_64 random(5);
    constexpr std::uint64_t samples = 100'000;
    std::vector<std::uint64_t> counts(100);
    for (std::uint64_t i = 0; i < samples; ++i) {
        auto length = bench::scan_length(workload, random);
        ASSERT_GE(length, 1);
        ASSERT_LE(length, 100);
        ++counts[static_cast<std::size_t>(length - 1)];
    }
    EXPECT_LT(chi_square(counts, std::vector<double>(100, 0.01), samples), critical_value(99));
}
