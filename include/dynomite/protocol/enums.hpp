// The enumerations of the DynamoDB API, with their wire names.
#pragma once

#include <string_view>

namespace dynomite {

// Request-only enumerations: the library always sends one of these values.

enum class return_values { none, all_old, updated_old, all_new, updated_new };
enum class return_consumed_capacity { indexes, total, none };
enum class return_item_collection_metrics { size, none };
enum class select_attributes {
    all_attributes,
    all_projected_attributes,
    specific_attributes,
    count
};
enum class return_values_on_condition_check_failure { all_old, none };
/// Where GetShardIterator starts reading a shard.
enum class shard_iterator_type { trim_horizon, latest, at_sequence_number, after_sequence_number };

// Enumerations that also appear in responses. DynamoDB may add values at any time, so
// each has `unknown`, which decoding yields for a name this version does not know.
// `unknown` is never sent: encoding a request that holds it fails.

enum class billing_mode { provisioned, pay_per_request, unknown };
enum class projection_type { all, keys_only, include, unknown };
enum class key_type { hash, range, unknown };
enum class scalar_attribute_type { s, n, b, unknown };
enum class table_status {
    creating,
    updating,
    deleting,
    active,
    inaccessible_encryption_credentials,
    archiving,
    archived,
    unknown
};
enum class index_status { creating, updating, deleting, active, unknown };
enum class stream_view_type { new_image, old_image, new_and_old_images, keys_only, unknown };
enum class sse_type { aes256, kms, unknown };
enum class sse_status { enabling, enabled, disabling, disabled, updating, unknown };
enum class time_to_live_status { enabling, disabling, enabled, disabled, unknown };
enum class table_class { standard, standard_infrequent_access, unknown };
enum class stream_status { enabling, enabled, disabling, disabled, unknown };
/// What happened to the item of a stream record (its eventName).
enum class stream_event_type { insert, modify, remove, unknown };

/// The wire name ("ALL_NEW", "PAY_PER_REQUEST", ...); empty for `unknown` and for
/// values outside the enumeration.
std::string_view to_string(return_values v) noexcept;
std::string_view to_string(return_consumed_capacity v) noexcept;
std::string_view to_string(return_item_collection_metrics v) noexcept;
std::string_view to_string(select_attributes v) noexcept;
std::string_view to_string(return_values_on_condition_check_failure v) noexcept;
std::string_view to_string(billing_mode v) noexcept;
std::string_view to_string(projection_type v) noexcept;
std::string_view to_string(key_type v) noexcept;
std::string_view to_string(scalar_attribute_type v) noexcept;
std::string_view to_string(table_status v) noexcept;
std::string_view to_string(index_status v) noexcept;
std::string_view to_string(stream_view_type v) noexcept;
std::string_view to_string(sse_type v) noexcept;
std::string_view to_string(sse_status v) noexcept;
std::string_view to_string(time_to_live_status v) noexcept;
std::string_view to_string(table_class v) noexcept;
std::string_view to_string(shard_iterator_type v) noexcept;
std::string_view to_string(stream_status v) noexcept;
std::string_view to_string(stream_event_type v) noexcept;

/// Reads a wire name (exact spelling). Returns false when the name is not known; then
/// enumerations with an `unknown` value set `out` to it, the others leave `out` as is.
bool from_string(std::string_view name, return_values& out) noexcept;
bool from_string(std::string_view name, return_consumed_capacity& out) noexcept;
bool from_string(std::string_view name, return_item_collection_metrics& out) noexcept;
bool from_string(std::string_view name, select_attributes& out) noexcept;
bool from_string(std::string_view name, return_values_on_condition_check_failure& out) noexcept;
bool from_string(std::string_view name, billing_mode& out) noexcept;
bool from_string(std::string_view name, projection_type& out) noexcept;
bool from_string(std::string_view name, key_type& out) noexcept;
bool from_string(std::string_view name, scalar_attribute_type& out) noexcept;
bool from_string(std::string_view name, table_status& out) noexcept;
bool from_string(std::string_view name, index_status& out) noexcept;
bool from_string(std::string_view name, stream_view_type& out) noexcept;
bool from_string(std::string_view name, sse_type& out) noexcept;
bool from_string(std::string_view name, sse_status& out) noexcept;
bool from_string(std::string_view name, time_to_live_status& out) noexcept;
bool from_string(std::string_view name, table_class& out) noexcept;
bool from_string(std::string_view name, shard_iterator_type& out) noexcept;
bool from_string(std::string_view name, stream_status& out) noexcept;
bool from_string(std::string_view name, stream_event_type& out) noexcept;

}  // namespace dynomite
