// YCSB's key choosers and core workloads, as YCSB's CoreWorkload defines them: record numbers
// drawn uniformly, from a (scrambled) Zipfian distribution, skewed towards the latest insert,
// or from a hot set. Pure functions of a random source, so that their distributions are
// tested against the exact probabilities.
#pragma once

#include <dynomite/core/error.hpp>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace dynomite::cli::bench {

/// YCSB's Utils.fnvhash64: FNV-1a over the 8 bytes of `value`, low byte first, made positive.
std::int64_t fnv_hash64(std::int64_t value) noexcept;

/// YCSB's record key for record number `n` with hashed insert order: "user" + fnvhash64(n).
std::string ycsb_key(std::int64_t n);

/// A double in [0, 1) from 53 random bits.
inline double unit_double(std::mt19937_64& random)
{
    return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

/// The sum of 1/i^theta for i from 1 to n (YCSB's zeta), computed exactly up to 10^6 terms and
/// by the Euler-Maclaurin formula above (relative error below 1e-12).
double zeta(std::int64_t n, double theta);

/// YCSB's ZipfianGenerator (Gray et al.'s method) over [base, base + items): item base is the
/// most popular. next_long(count) draws over `count` items, growing zeta incrementally, while
/// eta keeps the constructed item count, as YCSB's does.
class zipfian_generator {
public:
    zipfian_generator(std::int64_t base, std::int64_t items, double theta = 0.99);
    zipfian_generator(std::int64_t base, std::int64_t items, double theta, double zetan);

    std::int64_t next(std::mt19937_64& random) { return next_long(items_, random); }
    std::int64_t next_long(std::int64_t item_count, std::mt19937_64& random);

    /// The probability that next() draws base + k, from the same formula as the draw.
    double probability(std::int64_t k) const;
    std::int64_t items() const noexcept { return items_; }

private:
    std::int64_t base_;
    std::int64_t items_;
    double theta_;
    double zeta2theta_;
    double alpha_;
    double zetan_;
    double eta_;
    std::int64_t count_for_zeta_;
};

enum class key_distribution { uniform, zipfian, latest, hotspot };

struct key_chooser_settings {
    key_distribution distribution = key_distribution::zipfian;
    std::int64_t record_count = 1000;
    double zipfian_constant = 0.99;
    double hotspot_data_fraction = 0.2;
    double hotspot_operation_fraction = 0.8;
    /// Records inserted during the run that a zipfian chooser may reach (YCSB's
    /// expectednewkeys: operations * insert proportion * 2).
    std::int64_t expected_new_keys = 0;
};

/// Picks the record number of the next read or update. `last` is the highest record number
/// known to exist (record_count - 1 plus the inserts acknowledged so far); choices above it
/// are drawn again, as in YCSB's CoreWorkload.nextKeynum.
class key_chooser {
public:
    explicit key_chooser(const key_chooser_settings& settings);
    std::int64_t next(std::int64_t last, std::mt19937_64& random);

private:
    std::int64_t draw(std::int64_t last, std::mt19937_64& random);

    key_chooser_settings settings_;
    zipfian_generator zipfian_;
};

/// "uniform", "zipfian", "latest" or "hotspot"; false for another name.
bool parse_key_distribution(std::string_view name, key_distribution& out);
std::string_view key_distribution_name(key_distribution d);

/// The operations of YCSB's core workloads. A read-modify-write reads a record, then updates
/// it, and counts as one operation.
enum class ycsb_operation { read, update, insert, scan, read_modify_write };

/// "read", "update", "insert", "scan", "readmodifywrite" (YCSB's names).
std::string_view ycsb_operation_name(ycsb_operation op);

/// A core workload's properties, as YCSB's workloads/workloada to workloadf set them.
struct ycsb_workload {
    char name = 'a';
    double read_proportion = 0;
    double update_proportion = 0;
    double insert_proportion = 0;
    double scan_proportion = 0;
    double read_modify_write_proportion = 0;
    key_distribution request_distribution = key_distribution::zipfian;
    /// Scan lengths are uniform in [1, max_scan_length].
    std::int64_t max_scan_length = 100;
};

/// Workload 'a' to 'f'; none for another name.
std::optional<ycsb_workload> core_workload(char name);

/// YCSB's DiscreteGenerator over the workload's proportions, in YCSB's order (read, update,
/// insert, scan, read-modify-write): the operation for `u` drawn uniformly from [0, 1).
ycsb_operation choose_operation(const ycsb_workload& workload, double u);

/// "read=0.5,update=0.5": the non-zero proportions in YCSB's order.
std::string describe_workload(const ycsb_workload& workload);

/// A scan's length: uniform in [1, max_scan_length].
std::int64_t scan_length(const ycsb_workload& workload, std::mt19937_64& random);

}  // namespace dynomite::cli::bench
