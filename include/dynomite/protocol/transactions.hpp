// Transactions: TransactGetItems and TransactWriteItems, up to 100 actions each.
#pragma once

#include <dynomite/protocol/common.hpp>

#include <cstddef>
#include <variant>

namespace dynomite {

inline constexpr std::size_t transaction_max_actions = 100;

/// One read of a TransactGetItems.
struct transact_get_item {
    std::string table_name{};  // required
    attribute_map key{};       // required
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
};

struct transact_get_items_request {
    std::vector<transact_get_item> transact_items{};  // 1 to 100
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
};

/// The result of one read, in request order.
struct item_response {
    /// Absent when no item has the key.
    std::optional<attribute_map> item{};
};

struct transact_get_items_response {
    std::vector<item_response> responses{};
    std::vector<dynomite::consumed_capacity> consumed_capacity{};
};

/// A condition on an item that the transaction does not write.
struct transact_condition_check {
    std::string table_name{};            // required
    attribute_map key{};                 // required
    std::string condition_expression{};  // required
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

struct transact_put {
    std::string table_name{};  // required
    attribute_map item{};      // required
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

struct transact_delete {
    std::string table_name{};  // required
    attribute_map key{};       // required
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

struct transact_update {
    std::string table_name{};         // required
    attribute_map key{};              // required
    std::string update_expression{};  // required
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    attribute_map expression_attribute_values{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

/// One action of a TransactWriteItems.
using transact_write_item =
    std::variant<transact_condition_check, transact_put, transact_delete, transact_update>;

struct transact_write_items_request {
    std::vector<transact_write_item> transact_items{};  // 1 to 100
    /// Makes a retry within 10 minutes idempotent (1 to 36 characters). When absent, the client
    /// makes one up for the call, which all its retries carry.
    std::optional<std::string> client_request_token{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
    std::optional<dynomite::return_item_collection_metrics> return_item_collection_metrics{};
};

struct transact_write_items_response {
    std::vector<dynomite::consumed_capacity> consumed_capacity{};
    per_table<std::vector<dynomite::item_collection_metrics>> item_collection_metrics{};
};

}  // namespace dynomite
