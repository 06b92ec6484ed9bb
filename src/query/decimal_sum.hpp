// Exact sums of DynamoDB numbers, for the aggregates of relations.
#pragma once

#include <dynomite/core/error.hpp>
#include <dynomite/core/number.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dynomite::detail {

/// Adds numbers without rounding: positive and negative terms are kept apart as decimal
/// magnitudes aligned on the smallest exponent seen, and subtracted once at the end.
class decimal_sum {
public:
    void add(const number& n);
    /// Terms added, zeros included.
    std::int64_t count() const noexcept { return count_; }

    /// The exact sum. Fails with errc::number_precision_loss when it needs more than 38
    /// significant digits, errc::number_out_of_range when its magnitude is beyond DynamoDB's.
    error_code total(number& out, std::string* why = nullptr) const;
    /// The exact sum divided by count(), rounded half away from zero to 38 significant
    /// digits. Fails with errc::invalid_argument without terms, errc::number_out_of_range
    /// when the result is beyond DynamoDB's range.
    error_code mean(number& out, std::string* why = nullptr) const;

private:
    // Base-10 digits, least significant first; digit i weighs 10^(exponent_ + i).
    std::vector<unsigned char> positive_;
    std::vector<unsigned char> negative_;
    long long exponent_ = 0;
    std::int64_t count_ = 0;
};

}  // namespace dynomite::detail
