// Single-item operations: GetItem, PutItem, UpdateItem, DeleteItem.
#pragma once

#include <dynomite/protocol/common.hpp>

namespace dynomite {

struct get_item_request {
    std::string table_name{};  // required
    attribute_map key{};       // required
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    std::optional<bool> consistent_read{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
};

struct get_item_response {
    /// Absent when no item has the key.
    std::optional<attribute_map> item{};
    std::optional<dynomite::consumed_capacity> consumed_capacity{};
};

struct put_item_request {
    std::string table_name{};  // required
    attribute_map item{};      // required
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    /// NONE or ALL_OLD only.
    std::optional<dynomite::return_values> return_values{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
    std::optional<dynomite::return_item_collection_metrics> return_item_collection_metrics{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

/// The response of PutItem, UpdateItem and DeleteItem.
struct write_item_response {
    /// With ReturnValues other than NONE: the item before or after the write.
    std::optional<attribute_map> attributes{};
    std::optional<dynomite::consumed_capacity> consumed_capacity{};
    std::optional<dynomite::item_collection_metrics> item_collection_metrics{};
};

struct put_item_response : write_item_response {};

struct update_item_request {
    std::string table_name{};  // required
    attribute_map key{};       // required
    std::optional<std::string> update_expression{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    std::optional<dynomite::return_values> return_values{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
    std::optional<dynomite::return_item_collection_metrics> return_item_collection_metrics{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

struct update_item_response : write_item_response {};

struct delete_item_request {
    std::string table_name{};  // required
    attribute_map key{};       // required
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    /// NONE or ALL_OLD only.
    std::optional<dynomite::return_values> return_values{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
    std::optional<dynomite::return_item_collection_metrics> return_item_collection_metrics{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

struct delete_item_response : write_item_response {};

}  // namespace dynomite
