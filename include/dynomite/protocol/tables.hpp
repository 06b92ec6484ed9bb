// Table management: CreateTable, UpdateTable, DeleteTable, DescribeTable, ListTables,
// UpdateTimeToLive, DescribeTimeToLive, and the table description they share.
#pragma once

#include <dynomite/protocol/common.hpp>

#include <cstdint>
#include <variant>

namespace dynomite {

struct key_schema_element {
    std::string attribute_name{};  // required
    key_type type = key_type::hash;
};

struct attribute_definition {
    std::string attribute_name{};  // required
    scalar_attribute_type type = scalar_attribute_type::s;
};

/// Which attributes an index holds.
struct projection {
    std::optional<dynomite::projection_type> projection_type{};
    /// With INCLUDE: the non-key attributes copied into the index.
    std::vector<std::string> non_key_attributes{};
};

/// Capacity of a PROVISIONED table or of one of its global secondary indexes.
struct provisioned_throughput {
    std::int64_t read_capacity_units = 0;
    std::int64_t write_capacity_units = 0;
};

/// Upper bounds for a PAY_PER_REQUEST table or index (-1: no bound).
struct on_demand_throughput {
    std::optional<std::int64_t> max_read_request_units{};
    std::optional<std::int64_t> max_write_request_units{};
};

struct global_secondary_index {
    std::string index_name{};                      // required
    std::vector<key_schema_element> key_schema{};  // required
    dynomite::projection projection{};
    std::optional<dynomite::provisioned_throughput> provisioned_throughput{};
    std::optional<dynomite::on_demand_throughput> on_demand_throughput{};
};

struct local_secondary_index {
    std::string index_name{};                      // required
    std::vector<key_schema_element> key_schema{};  // required
    dynomite::projection projection{};
};

struct stream_specification {
    bool stream_enabled = false;
    /// Required when stream_enabled is true.
    std::optional<dynomite::stream_view_type> stream_view_type{};
};

/// Server-side encryption settings.
struct sse_specification {
    std::optional<bool> enabled{};
    std::optional<dynomite::sse_type> sse_type{};
    /// A KMS key id, ARN, alias name or alias ARN, for KMS encryption with a customer key.
    std::optional<std::string> kms_master_key_id{};
};

struct tag {
    std::string key{};  // required
    std::string value{};
};

// Descriptions, as DynamoDB returns them. Times are seconds since the Unix epoch.

struct provisioned_throughput_description {
    std::optional<double> last_increase_date_time{};
    std::optional<double> last_decrease_date_time{};
    std::optional<std::int64_t> number_of_decreases_today{};
    std::optional<std::int64_t> read_capacity_units{};
    std::optional<std::int64_t> write_capacity_units{};
};

struct global_secondary_index_description {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    dynomite::projection projection{};
    std::optional<dynomite::index_status> index_status{};
    /// True while DynamoDB fills a new index from the table.
    std::optional<bool> backfilling{};
    std::optional<provisioned_throughput_description> provisioned_throughput{};
    std::optional<dynomite::on_demand_throughput> on_demand_throughput{};
    std::optional<std::int64_t> index_size_bytes{};
    std::optional<std::int64_t> item_count{};
    std::string index_arn{};
};

struct local_secondary_index_description {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    dynomite::projection projection{};
    std::optional<std::int64_t> index_size_bytes{};
    std::optional<std::int64_t> item_count{};
    std::string index_arn{};
};

struct billing_mode_summary {
    std::optional<dynomite::billing_mode> billing_mode{};
    std::optional<double> last_update_to_pay_per_request_date_time{};
};

struct sse_description {
    std::optional<sse_status> status{};
    std::optional<dynomite::sse_type> sse_type{};
    std::string kms_master_key_arn{};
    std::optional<double> inaccessible_encryption_date_time{};
};

struct table_class_summary {
    std::optional<dynomite::table_class> table_class{};
    std::optional<double> last_update_date_time{};
};

struct archival_summary {
    std::optional<double> archival_date_time{};
    std::string archival_reason{};
    std::string archival_backup_arn{};
};

struct table_description {
    std::string table_name{};
    std::string table_arn{};
    std::string table_id{};
    std::optional<dynomite::table_status> table_status{};
    std::optional<double> creation_date_time{};
    std::vector<attribute_definition> attribute_definitions{};
    std::vector<key_schema_element> key_schema{};
    std::optional<std::int64_t> item_count{};
    std::optional<std::int64_t> table_size_bytes{};
    std::optional<dynomite::billing_mode_summary> billing_mode_summary{};
    std::optional<provisioned_throughput_description> provisioned_throughput{};
    std::optional<dynomite::on_demand_throughput> on_demand_throughput{};
    std::vector<global_secondary_index_description> global_secondary_indexes{};
    std::vector<local_secondary_index_description> local_secondary_indexes{};
    std::optional<dynomite::stream_specification> stream_specification{};
    std::string latest_stream_label{};
    std::string latest_stream_arn{};
    std::optional<dynomite::sse_description> sse_description{};
    std::optional<dynomite::table_class_summary> table_class_summary{};
    std::optional<dynomite::archival_summary> archival_summary{};
    std::optional<bool> deletion_protection_enabled{};
    std::string global_table_version{};
};

struct create_table_request {
    std::string table_name{};                                   // required
    std::vector<attribute_definition> attribute_definitions{};  // required
    std::vector<key_schema_element> key_schema{};               // required
    std::vector<global_secondary_index> global_secondary_indexes{};
    std::vector<local_secondary_index> local_secondary_indexes{};
    std::optional<dynomite::billing_mode> billing_mode{};
    /// Required for PROVISIONED tables (the default billing mode).
    std::optional<dynomite::provisioned_throughput> provisioned_throughput{};
    std::optional<dynomite::on_demand_throughput> on_demand_throughput{};
    std::optional<dynomite::stream_specification> stream_specification{};
    std::optional<dynomite::sse_specification> sse_specification{};
    std::vector<tag> tags{};
    std::optional<dynomite::table_class> table_class{};
    std::optional<bool> deletion_protection_enabled{};
};

struct create_table_response {
    dynomite::table_description table_description{};
};

/// Adds a global secondary index (its attributes go in attribute_definitions).
struct create_global_secondary_index_action {
    std::string index_name{};                      // required
    std::vector<key_schema_element> key_schema{};  // required
    dynomite::projection projection{};
    std::optional<dynomite::provisioned_throughput> provisioned_throughput{};
    std::optional<dynomite::on_demand_throughput> on_demand_throughput{};
};

/// Changes the capacity of a global secondary index.
struct update_global_secondary_index_action {
    std::string index_name{};  // required
    std::optional<dynomite::provisioned_throughput> provisioned_throughput{};
    std::optional<dynomite::on_demand_throughput> on_demand_throughput{};
};

struct delete_global_secondary_index_action {
    std::string index_name{};  // required
};

using global_secondary_index_update =
    std::variant<create_global_secondary_index_action, update_global_secondary_index_action,
                 delete_global_secondary_index_action>;

struct update_table_request {
    std::string table_name{};  // required
    /// Needed for the key attributes of indexes being created.
    std::vector<attribute_definition> attribute_definitions{};
    std::optional<dynomite::billing_mode> billing_mode{};
    std::optional<dynomite::provisioned_throughput> provisioned_throughput{};
    std::optional<dynomite::on_demand_throughput> on_demand_throughput{};
    std::vector<global_secondary_index_update> global_secondary_index_updates{};
    std::optional<dynomite::stream_specification> stream_specification{};
    std::optional<dynomite::sse_specification> sse_specification{};
    std::optional<dynomite::table_class> table_class{};
    std::optional<bool> deletion_protection_enabled{};
};

struct update_table_response {
    dynomite::table_description table_description{};
};

struct delete_table_request {
    std::string table_name{};  // required
};

struct delete_table_response {
    dynomite::table_description table_description{};
};

struct describe_table_request {
    std::string table_name{};  // required
};

struct describe_table_response {
    table_description table{};
};

struct list_tables_request {
    /// The previous page's LastEvaluatedTableName.
    std::optional<std::string> exclusive_start_table_name{};
    /// 1 to 100.
    std::optional<std::int32_t> limit{};
};

struct list_tables_response {
    std::vector<std::string> table_names{};
    /// Present when more tables remain.
    std::optional<std::string> last_evaluated_table_name{};
};

struct time_to_live_specification {
    bool enabled = false;
    std::string attribute_name{};  // required
};

struct time_to_live_description {
    std::optional<dynomite::time_to_live_status> time_to_live_status{};
    std::optional<std::string> attribute_name{};
};

struct update_time_to_live_request {
    std::string table_name{};  // required
    dynomite::time_to_live_specification time_to_live_specification{};
};

struct update_time_to_live_response {
    dynomite::time_to_live_specification time_to_live_specification{};
};

struct describe_time_to_live_request {
    std::string table_name{};  // required
};

struct describe_time_to_live_response {
    dynomite::time_to_live_description time_to_live_description{};
};

}  // namespace dynomite
