// AWS partitions: which group of regions a region belongs to and the DNS suffixes its
// endpoints use, as the SDKs' partitions.json describes them.
#pragma once

#include <span>
#include <string_view>

namespace dynomite::detail {

struct partition {
    std::string_view id;  // "aws", "aws-cn", ...
    /// ECMAScript regular expression a region name of the partition matches.
    std::string_view region_regex;
    /// Region names listed for the partition that its regex may not match ("aws-global", ...).
    std::span<const std::string_view> regions;
    std::string_view dns_suffix;
    std::string_view dual_stack_dns_suffix;
    bool supports_fips = true;
    bool supports_dual_stack = true;
};

/// Every partition, "aws" first.
std::span<const partition> partitions() noexcept;

/// The partition of `region`: the first that lists it or whose regex matches it, else "aws"
/// (the SDKs' aws.partition function).
const partition& partition_of(std::string_view region);

}  // namespace dynomite::detail
