// Reads of many items: Query and Scan.
#pragma once

#include <dynomite/protocol/common.hpp>

#include <cstdint>

namespace dynomite {

struct query_request {
    std::string table_name{};  // required
    std::optional<std::string> index_name{};
    std::string key_condition_expression{};  // required
    std::optional<std::string> filter_expression{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    std::optional<select_attributes> select{};
    /// At least 1.
    std::optional<std::int32_t> limit{};
    std::optional<bool> consistent_read{};
    /// false reads the sort key in descending order.
    std::optional<bool> scan_index_forward{};
    /// The previous page's LastEvaluatedKey.
    std::optional<attribute_map> exclusive_start_key{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
};

/// One page of Query or Scan results.
struct page_response {
    std::vector<attribute_map> items{};
    std::int64_t count = 0;
    std::int64_t scanned_count = 0;
    /// Present when more pages remain: pass it as the next ExclusiveStartKey.
    std::optional<attribute_map> last_evaluated_key{};
    std::optional<dynomite::consumed_capacity> consumed_capacity{};
};

struct query_response : page_response {};

struct scan_request {
    std::string table_name{};  // required
    std::optional<std::string> index_name{};
    std::optional<std::string> filter_expression{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    std::optional<select_attributes> select{};
    /// At least 1.
    std::optional<std::int32_t> limit{};
    std::optional<bool> consistent_read{};
    std::optional<attribute_map> exclusive_start_key{};
    /// Parallel scan: both or neither; 0 <= segment < total_segments <= 1000000.
    std::optional<std::int32_t> segment{};
    std::optional<std::int32_t> total_segments{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
};

struct scan_response : page_response {};

}  // namespace dynomite
