// Structures shared by several operations: expression names, consumed capacity,
// item collection metrics.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/protocol/enums.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dynomite {

/// ExpressionAttributeNames: {"#n": "name", ...} in insertion order. Each key starts
/// with '#'. (ExpressionAttributeValues are an attribute_map whose keys start with ':'.)
using expression_names = std::vector<std::pair<std::string, std::string>>;

/// Capacity units consumed on a table or an index.
struct capacity {
    std::optional<double> capacity_units{};
    std::optional<double> read_capacity_units{};
    std::optional<double> write_capacity_units{};
};

/// ConsumedCapacity, returned when ReturnConsumedCapacity is TOTAL or INDEXES.
struct consumed_capacity {
    std::string table_name{};
    std::optional<double> capacity_units{};
    std::optional<double> read_capacity_units{};
    std::optional<double> write_capacity_units{};
    std::optional<capacity> table{};
    std::vector<std::pair<std::string, capacity>> local_secondary_indexes{};
    std::vector<std::pair<std::string, capacity>> global_secondary_indexes{};
};

/// ItemCollectionMetrics, returned for tables with local secondary indexes when
/// ReturnItemCollectionMetrics is SIZE.
struct item_collection_metrics {
    attribute_map item_collection_key{};
    /// Lower and upper bound of the collection's size estimate, in GB.
    std::vector<double> size_estimate_range_gb{};
};

/// Per-table lists, in the order DynamoDB sent them.
template <class T>
using per_table = std::vector<std::pair<std::string, T>>;

}  // namespace dynomite
