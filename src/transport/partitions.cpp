// The partition table. The aws, aws-cn, aws-us-gov, aws-iso and aws-iso-b entries follow
// botocore's data/partitions.json (version 1.1); aws-iso-e, aws-iso-f and aws-eusc, and the
// "il" and "mx" prefixes of aws's regex, follow the later revisions of that file in the AWS
// SDKs. Each partition lists the regions published for it; its regex covers regions added
// since.
#include "transport/partitions.hpp"

#include <array>
#include <regex>

namespace dynomite::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::array aws_regions{
    "af-south-1"sv,     "ap-east-1"sv,      "ap-east-2"sv,      "ap-northeast-1"sv,
    "ap-northeast-2"sv, "ap-northeast-3"sv, "ap-south-1"sv,     "ap-south-2"sv,
    "ap-southeast-1"sv, "ap-southeast-2"sv, "ap-southeast-3"sv, "ap-southeast-4"sv,
    "ap-southeast-5"sv, "ap-southeast-6"sv, "ap-southeast-7"sv, "aws-global"sv,
    "ca-central-1"sv,   "ca-west-1"sv,      "eu-central-1"sv,   "eu-central-2"sv,
    "eu-north-1"sv,     "eu-south-1"sv,     "eu-south-2"sv,     "eu-west-1"sv,
    "eu-west-2"sv,      "eu-west-3"sv,      "il-central-1"sv,   "me-central-1"sv,
    "me-south-1"sv,     "mx-central-1"sv,   "sa-east-1"sv,      "us-east-1"sv,
    "us-east-2"sv,      "us-west-1"sv,      "us-west-2"sv,
};
constexpr std::array aws_cn_regions{"aws-cn-global"sv, "cn-north-1"sv, "cn-northwest-1"sv};
constexpr std::array aws_us_gov_regions{"aws-us-gov-global"sv, "us-gov-east-1"sv,
                                        "us-gov-west-1"sv};
constexpr std::array aws_iso_regions{"aws-iso-global"sv, "us-iso-east-1"sv, "us-iso-west-1"sv};
constexpr std::array aws_iso_b_regions{"aws-iso-b-global"sv, "us-isob-east-1"sv,
                                       "us-isob-west-1"sv};
constexpr std::array aws_iso_e_regions{"aws-iso-e-global"sv, "eu-isoe-west-1"sv};
constexpr std::array aws_iso_f_regions{"aws-iso-f-global"sv, "us-isof-east-1"sv,
                                       "us-isof-south-1"sv};
constexpr std::array aws_eusc_regions{"eusc-de-east-1"sv};

// The isolated partitions have no dual-stack endpoints; their dual-stack suffix is their
// suffix, as in botocore 1.29's partitions.json. (Later revisions give them dual-stack
// suffixes such as api.aws.ic.gov; the table follows the revision the tests check against.)
constexpr std::array<partition, 8> table{{
    {"aws", R"(^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$)", aws_regions, "amazonaws.com", "api.aws",
     true, true},
    {"aws-cn", R"(^cn\-\w+\-\d+$)", aws_cn_regions, "amazonaws.com.cn",
     "api.amazonwebservices.com.cn", true, true},
    {"aws-us-gov", R"(^us\-gov\-\w+\-\d+$)", aws_us_gov_regions, "amazonaws.com", "api.aws", true,
     true},
    {"aws-iso", R"(^us\-iso\-\w+\-\d+$)", aws_iso_regions, "c2s.ic.gov", "c2s.ic.gov", true, false},
    {"aws-iso-b", R"(^us\-isob\-\w+\-\d+$)", aws_iso_b_regions, "sc2s.sgov.gov", "sc2s.sgov.gov",
     true, false},
    {"aws-iso-e", R"(^eu\-isoe\-\w+\-\d+$)", aws_iso_e_regions, "cloud.adc-e.uk", "cloud.adc-e.uk",
     true, false},
    {"aws-iso-f", R"(^us\-isof\-\w+\-\d+$)", aws_iso_f_regions, "csp.hci.ic.gov", "csp.hci.ic.gov",
     true, false},
    {"aws-eusc", R"(^eusc\-(de)\-\w+\-\d+$)", aws_eusc_regions, "amazonaws.eu", "amazonaws.eu",
     true, false},
}};

const std::array<std::regex, table.size()>& compiled_regexes()
{
    static const auto regexes = [] {
        std::array<std::regex, table.size()> out;
        for (std::size_t i = 0; i < table.size(); ++i) {
            out[i] = std::regex(table[i].region_regex.begin(), table[i].region_regex.end(),
                                std::regex::ECMAScript | std::regex::optimize);
        }
        return out;
    }();
    return regexes;
}

}  // namespace

std::span<const partition> partitions() noexcept
{
    return table;
}

const partition& partition_of(std::string_view region)
{
    const auto& regexes = compiled_regexes();
    for (std::size_t i = 0; i < table.size(); ++i) {
        for (const std::string_view listed : table[i].regions) {
            if (listed == region) return table[i];
        }
        if (std::regex_search(region.begin(), region.end(), regexes[i])) return table[i];
    }
    return table.front();
}

}  // namespace dynomite::detail
