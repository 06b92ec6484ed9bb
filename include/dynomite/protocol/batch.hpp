// Batches: BatchGetItem (up to 100 keys) and BatchWriteItem (up to 25 writes).
#pragma once

#include <dynomite/protocol/common.hpp>

#include <cstddef>
#include <variant>

namespace dynomite {

/// The keys to read from one table, and how.
struct keys_and_attributes {
    std::vector<attribute_map> keys{};  // required, no duplicates
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    std::optional<bool> consistent_read{};
};

inline constexpr std::size_t batch_get_max_keys = 100;
inline constexpr std::size_t batch_write_max_requests = 25;

struct batch_get_item_request {
    /// Table name to keys; at most 100 keys in all, each table once.
    per_table<keys_and_attributes> request_items{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
};

struct batch_get_item_response {
    /// Table name to the items found, in no particular order.
    per_table<std::vector<attribute_map>> responses{};
    /// Keys not read this time (throttling, 16 MB limit): send them again.
    per_table<keys_and_attributes> unprocessed_keys{};
    std::vector<dynomite::consumed_capacity> consumed_capacity{};
};

struct put_request {
    attribute_map item{};  // required
};

struct delete_request {
    attribute_map key{};  // required
};

/// One write of a BatchWriteItem.
using write_request = std::variant<put_request, delete_request>;

struct batch_write_item_request {
    /// Table name to writes; at most 25 writes in all, each table once.
    per_table<std::vector<write_request>> request_items{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
    std::optional<dynomite::return_item_collection_metrics> return_item_collection_metrics{};
};

struct batch_write_item_response {
    /// Writes not done this time: send them again.
    per_table<std::vector<write_request>> unprocessed_items{};
    per_table<std::vector<dynomite::item_collection_metrics>> item_collection_metrics{};
    std::vector<dynomite::consumed_capacity> consumed_capacity{};
};

}  // namespace dynomite
