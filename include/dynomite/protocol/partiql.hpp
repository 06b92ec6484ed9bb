// PartiQL: ExecuteStatement and BatchExecuteStatement (up to 25 statements).
#pragma once

#include <dynomite/protocol/common.hpp>

#include <cstddef>
#include <cstdint>

namespace dynomite {

inline constexpr std::size_t batch_execute_max_statements = 25;

struct execute_statement_request {
    std::string statement{};  // required
    /// Values for the statement's '?' placeholders, in order.
    std::vector<attribute_value> parameters{};
    std::optional<bool> consistent_read{};
    /// The previous page's NextToken.
    std::optional<std::string> next_token{};
    /// At least 1.
    std::optional<std::int32_t> limit{};
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

struct execute_statement_response {
    std::vector<attribute_map> items{};
    /// Present when more results remain.
    std::optional<std::string> next_token{};
    std::optional<attribute_map> last_evaluated_key{};
    std::optional<dynomite::consumed_capacity> consumed_capacity{};
};

struct batch_statement_request {
    std::string statement{};  // required
    std::vector<attribute_value> parameters{};
    std::optional<bool> consistent_read{};
    std::optional<dynomite::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};

struct batch_statement_error {
    /// "ConditionalCheckFailed", "DuplicateItem", "ValidationError", ...
    std::string code{};
    std::string message{};
    /// The item that failed the condition, with ReturnValuesOnConditionCheckFailure ALL_OLD.
    std::optional<attribute_map> item{};
};

/// The result of one statement, in request order.
struct batch_statement_response {
    std::optional<batch_statement_error> error{};
    std::optional<std::string> table_name{};
    std::optional<attribute_map> item{};
};

struct batch_execute_statement_request {
    std::vector<batch_statement_request> statements{};  // 1 to 25
    std::optional<dynomite::return_consumed_capacity> return_consumed_capacity{};
};

struct batch_execute_statement_response {
    std::vector<batch_statement_response> responses{};
    std::vector<dynomite::consumed_capacity> consumed_capacity{};
};

}  // namespace dynomite
