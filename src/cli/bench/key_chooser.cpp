#include "bench/key_chooser.hpp"
#include "core/enum_text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

namespace dynomite::cli::bench {

namespace {

constexpr std::int64_t exact_zeta_terms = 1'000'000;
// YCSB's ScrambledZipfianGenerator draws from 10^10 + 1 items (ZipfianGenerator(0, 10^10)) and
// hashes them onto the key range; for the default constant it uses this precomputed zeta(10^10,
// 0.99).
constexpr std::int64_t scrambled_item_count = 10'000'000'000;
constexpr double scrambled_zetan_099 = 26.46902820178302;

double partial_zeta(std::int64_t from, std::int64_t to, double theta, double sum)
{
    for (std::int64_t i = from; i < to; ++i)
        sum += 1.0 / std::pow(static_cast<double>(i + 1), theta);
    return sum;
}

std::int64_t positive_mod(std::int64_t value, std::int64_t modulus)
{
    // Java's % keeps the sign of the dividend; YCSB's hash is positive except for
    // Long.MIN_VALUE, whose remainder Java leaves negative too.
    return value % modulus;
}

}  // namespace

std::int64_t fnv_hash64(std::int64_t value) noexcept
{
    std::uint64_t hash = 0xCBF29CE484222325ull;
    auto v = static_cast<std::uint64_t>(value);
    for (int i = 0; i < 8; ++i) {
        hash ^= v & 0xff;
        v >>= 8;
        hash *= 1099511628211ull;
    }
    auto signed_hash = static_cast<std::int64_t>(hash);
    // Math.abs: Long.MIN_VALUE stays as it is.
    return signed_hash < 0 && signed_hash != INT64_MIN ? -signed_hash : signed_hash;
}

std::string ycsb_key(std::int64_t n)
{
    return "user" + std::to_string(fnv_hash64(n));
}

double zeta(std::int64_t n, double theta)
{
    if (n <= exact_zeta_terms) return partial_zeta(0, n, theta, 0.0);
    // Euler-Maclaurin: the first m - 1 terms exactly, the rest as an integral with
    // corrections.
    const std::int64_t m = 1000;
    const double s = theta;
    const double dm = static_cast<double>(m);
    const double dn = static_cast<double>(n);
    double sum = partial_zeta(0, m - 1, theta, 0.0);
    sum += (std::pow(dn, 1 - s) - std::pow(dm, 1 - s)) / (1 - s);
    sum += (std::pow(dm, -s) + std::pow(dn, -s)) / 2;
    sum += s / 12 * (std::pow(dm, -s - 1) - std::pow(dn, -s - 1));
    sum -= s * (s + 1) * (s + 2) / 720 * (std::pow(dm, -s - 3) - std::pow(dn, -s - 3));
    return sum;
}

zipfian_generator::zipfian_generator(std::int64_t base, std::int64_t items, double theta)
    : zipfian_generator(base, items, theta, zeta(items, theta))
{
}

zipfian_generator::zipfian_generator(std::int64_t base, std::int64_t items, double theta,
                                     double zetan)
    : base_(base),
      items_(items),
      theta_(theta),
      zeta2theta_(zeta(2, theta)),
      alpha_(1.0 / (1.0 - theta)),
      zetan_(zetan),
      eta_((1 - std::pow(2.0 / static_cast<double>(items), 1 - theta)) / (1 - zeta2theta_ / zetan)),
      count_for_zeta_(items)
{
}

std::int64_t zipfian_generator::next_long(std::int64_t item_count, std::mt19937_64& random)
{
    if (item_count > count_for_zeta_) {
        zetan_ = item_count - count_for_zeta_ <= exact_zeta_terms
                     ? partial_zeta(count_for_zeta_, item_count, theta_, zetan_)
                     : zeta(item_count, theta_);
        count_for_zeta_ = item_count;
        eta_ = (1 - std::pow(2.0 / static_cast<double>(items_), 1 - theta_)) /
               (1 - zeta2theta_ / zetan_);
    }
    double u = unit_double(random);
    double uz = u * zetan_;
    if (uz < 1.0) return base_;
    if (uz < 1.0 + std::pow(0.5, theta_)) return base_ + 1;
    return base_ + static_cast<std::int64_t>(static_cast<double>(item_count) *
                                             std::pow(eta_ * u - eta_ + 1, alpha_));
}

double zipfian_generator::probability(std::int64_t k) const
{
    // The draw for u >= u1 is floor(items * (eta * u - eta + 1)^alpha), increasing in u:
    // it is below j exactly when u < ((j / items)^(1 - theta) - 1) / eta + 1.
    const double u1 = (1.0 + std::pow(0.5, theta_)) / zetan_;
    auto u_below = [&](std::int64_t j) {
        double bound =
            (std::pow(static_cast<double>(j) / static_cast<double>(items_), 1 - theta_) - 1) /
                eta_ +
            1;
        return std::clamp(bound, u1, 1.0);
    };
    double p = u_below(k + 1) - u_below(k);
    if (k == 0) p += 1.0 / zetan_;
    if (k == 1) p += std::pow(0.5, theta_) / zetan_;
    return p;
}

key_chooser::key_chooser(const key_chooser_settings& settings)
    : settings_(settings),
      zipfian_(settings.distribution == key_distribution::latest
                   ? zipfian_generator(0, std::max<std::int64_t>(settings.record_count - 1, 2),
                                       settings.zipfian_constant)
               : settings.zipfian_constant == 0.99
                   ? zipfian_generator(0, scrambled_item_count + 1, 0.99, scrambled_zetan_099)
                   : zipfian_generator(0, scrambled_item_count + 1, settings.zipfian_constant))
{
}

std::int64_t key_chooser::draw(std::int64_t last, std::mt19937_64& random)
{
    const std::int64_t records = settings_.record_count;
    switch (settings_.distribution) {
        case key_distribution::uniform:
            return static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(records));
        case key_distribution::zipfian: {
            // ScrambledZipfianGenerator(0, records + expected new keys): both ends included.
            std::int64_t item_count = records + settings_.expected_new_keys + 1;
            return positive_mod(fnv_hash64(zipfian_.next(random)), item_count);
        }
        case key_distribution::latest:
            // SkewedLatestGenerator: the latest record is the most popular.
            return last - zipfian_.next_long(std::max<std::int64_t>(last, 2), random);
        case key_distribution::hotspot: {
            auto hot = static_cast<std::int64_t>(static_cast<double>(records) *
                                                 settings_.hotspot_data_fraction);
            std::int64_t cold = records - hot;
            bool hot_operation = unit_double(random) < settings_.hotspot_operation_fraction;
            if (hot_operation && hot > 0) {
                return static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(hot));
            }
            if (cold == 0)
                return static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(hot));
            return hot + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(cold));
        }
    }
    return 0;
}

std::int64_t key_chooser::next(std::int64_t last, std::mt19937_64& random)
{
    for (;;) {
        std::int64_t key = draw(last, random);
        if (key <= last && key >= 0) return key;
    }
}

// In the order of the enumerators of key_distribution.
constexpr std::string_view key_distribution_names[] = {"uniform", "zipfian", "latest", "hotspot"};

bool parse_key_distribution(std::string_view name, key_distribution& out)
{
    return detail::enum_from_name(name, out, key_distribution_names);
}

std::string_view key_distribution_name(key_distribution d)
{
    return detail::enum_name(d, key_distribution_names, "zipfian");
}

std::string_view ycsb_operation_name(ycsb_operation op)
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"read", "update", "insert", "scan",
                                                 "readmodifywrite"};
    return detail::enum_name(op, names, "read");
}

std::optional<ycsb_workload> core_workload(char name)
{
    ycsb_workload w;
    w.name = name;
    switch (name) {
        case 'a':  // update heavy
            w.read_proportion = 0.5;
            w.update_proportion = 0.5;
            break;
        case 'b':  // read mostly
            w.read_proportion = 0.95;
            w.update_proportion = 0.05;
            break;
        case 'c':  // read only
            w.read_proportion = 1;
            break;
        case 'd':  // read latest
            w.read_proportion = 0.95;
            w.insert_proportion = 0.05;
            w.request_distribution = key_distribution::latest;
            break;
        case 'e':  // short ranges
            w.scan_proportion = 0.95;
            w.insert_proportion = 0.05;
            break;
        case 'f':  // read-modify-write
            w.read_proportion = 0.5;
            w.read_modify_write_proportion = 0.5;
            break;
        default:
            return std::nullopt;
    }
    return w;
}

namespace {

std::array<std::pair<ycsb_operation, double>, 5> proportions(const ycsb_workload& w)
{
    return {{{ycsb_operation::read, w.read_proportion},
             {ycsb_operation::update, w.update_proportion},
             {ycsb_operation::insert, w.insert_proportion},
             {ycsb_operation::scan, w.scan_proportion},
             {ycsb_operation::read_modify_write, w.read_modify_write_proportion}}};
}

}  // namespace

ycsb_operation choose_operation(const ycsb_workload& workload, double u)
{
    double sum = 0;
    for (const auto& [op, weight] : proportions(workload)) sum += weight;
    ycsb_operation chosen = ycsb_operation::read;
    for (const auto& [op, weight] : proportions(workload)) {
        if (weight <= 0) continue;
        chosen = op;
        double share = weight / sum;
        if (u < share) return op;
        u -= share;
    }
    // Rounding left u just above the last share: the last operation.
    return chosen;
}

std::string describe_workload(const ycsb_workload& workload)
{
    std::string text;
    for (const auto& [op, weight] : proportions(workload)) {
        if (weight <= 0) continue;
        char number[32];
        std::snprintf(number, sizeof number, "%g", weight);
        text += (text.empty() ? "" : ",") + std::string(ycsb_operation_name(op)) + "=" + number;
    }
    return text;
}

std::int64_t scan_length(const ycsb_workload& workload, std::mt19937_64& random)
{
    return 1 + static_cast<std::int64_t>(random() %
                                         static_cast<std::uint64_t>(workload.max_scan_length));
}

}  // namespace dynomite::cli::bench
