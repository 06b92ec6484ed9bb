// Every response type of the DynamoDB operations, and the structures inside them, described
// once for the response decoder, as request_description.hpp describes the requests (the
// structures both share are described there). Members are read in the order given here;
// a member marked member_rule::required must be present, the others may be absent or null.
#pragma once

#include "protocol/request_description.hpp"

namespace dynomite {

BOOST_DESCRIBE_STRUCT(capacity, (), (capacity_units, read_capacity_units, write_capacity_units))
BOOST_DESCRIBE_STRUCT(consumed_capacity, (),
                      (table_name, capacity_units, read_capacity_units, write_capacity_units, table,
                       local_secondary_indexes, global_secondary_indexes))
BOOST_DESCRIBE_STRUCT(item_collection_metrics, (), (item_collection_key, size_estimate_range_gb))

BOOST_DESCRIBE_STRUCT(get_item_response, (), (item, consumed_capacity))
BOOST_DESCRIBE_STRUCT(write_item_response, (),
                      (attributes, consumed_capacity, item_collection_metrics))
BOOST_DESCRIBE_STRUCT(put_item_response, (write_item_response), ())
BOOST_DESCRIBE_STRUCT(update_item_response, (write_item_response), ())
BOOST_DESCRIBE_STRUCT(delete_item_response, (write_item_response), ())

BOOST_DESCRIBE_STRUCT(page_response, (),
                      (items, count, scanned_count, last_evaluated_key, consumed_capacity))
BOOST_DESCRIBE_STRUCT(query_response, (page_response), ())
BOOST_DESCRIBE_STRUCT(scan_response, (page_response), ())

BOOST_DESCRIBE_STRUCT(batch_get_item_response, (), (responses, unprocessed_keys, consumed_capacity))
BOOST_DESCRIBE_STRUCT(batch_write_item_response, (),
                      (unprocessed_items, item_collection_metrics, consumed_capacity))
BOOST_DESCRIBE_STRUCT(item_response, (), (item))
BOOST_DESCRIBE_STRUCT(transact_get_items_response, (), (responses, consumed_capacity))
BOOST_DESCRIBE_STRUCT(transact_write_items_response, (),
                      (consumed_capacity, item_collection_metrics))

BOOST_DESCRIBE_STRUCT(provisioned_throughput_description, (),
                      (last_increase_date_time, last_decrease_date_time, number_of_decreases_today,
                       read_capacity_units, write_capacity_units))
BOOST_DESCRIBE_STRUCT(global_secondary_index_description, (),
                      (index_name, key_schema, projection, index_status, backfilling,
                       provisioned_throughput, on_demand_throughput, index_size_bytes, item_count,
                       index_arn))
BOOST_DESCRIBE_STRUCT(local_secondary_index_description, (),
                      (index_name, key_schema, projection, index_size_bytes, item_count, index_arn))
BOOST_DESCRIBE_STRUCT(billing_mode_summary, (),
                      (billing_mode, last_update_to_pay_per_request_date_time))
BOOST_DESCRIBE_STRUCT(sse_description, (),
                      (status, sse_type, kms_master_key_arn, inaccessible_encryption_date_time))
BOOST_DESCRIBE_STRUCT(table_class_summary, (), (table_class, last_update_date_time))
BOOST_DESCRIBE_STRUCT(archival_summary, (),
                      (archival_date_time, archival_reason, archival_backup_arn))
BOOST_DESCRIBE_STRUCT(table_description, (),
                      (table_name, table_arn, table_id, table_status, creation_date_time,
                       attribute_definitions, key_schema, item_count, table_size_bytes,
                       billing_mode_summary, provisioned_throughput, on_demand_throughput,
                       global_secondary_indexes, local_secondary_indexes, stream_specification,
                       latest_stream_label, latest_stream_arn, sse_description, table_class_summary,
                       archival_summary, deletion_protection_enabled, global_table_version))
BOOST_DESCRIBE_STRUCT(create_table_response, (), (table_description))
BOOST_DESCRIBE_STRUCT(update_table_response, (), (table_description))
BOOST_DESCRIBE_STRUCT(delete_table_response, (), (table_description))
BOOST_DESCRIBE_STRUCT(describe_table_response, (), (table))
BOOST_DESCRIBE_STRUCT(list_tables_response, (), (table_names, last_evaluated_table_name))
BOOST_DESCRIBE_STRUCT(time_to_live_description, (), (time_to_live_status, attribute_name))
BOOST_DESCRIBE_STRUCT(update_time_to_live_response, (), (time_to_live_specification))
BOOST_DESCRIBE_STRUCT(describe_time_to_live_response, (), (time_to_live_description))

BOOST_DESCRIBE_STRUCT(execute_statement_response, (),
                      (items, next_token, last_evaluated_key, consumed_capacity))
BOOST_DESCRIBE_STRUCT(batch_statement_error, (), (code, message, item))
BOOST_DESCRIBE_STRUCT(batch_statement_response, (), (error, table_name, item))
BOOST_DESCRIBE_STRUCT(batch_execute_statement_response, (), (responses, consumed_capacity))

BOOST_DESCRIBE_STRUCT(stream_summary, (), (stream_arn, table_name, stream_label))
BOOST_DESCRIBE_STRUCT(list_streams_response, (), (streams, last_evaluated_stream_arn))
BOOST_DESCRIBE_STRUCT(sequence_number_range, (),
                      (starting_sequence_number, ending_sequence_number))
BOOST_DESCRIBE_STRUCT(shard, (), (shard_id, sequence_number_range, parent_shard_id))
BOOST_DESCRIBE_STRUCT(stream_description, (),
                      (stream_arn, stream_label, stream_status, stream_view_type,
                       creation_request_date_time, table_name, key_schema, shards,
                       last_evaluated_shard_id))
BOOST_DESCRIBE_STRUCT(describe_stream_response, (), (stream_description))
BOOST_DESCRIBE_STRUCT(get_shard_iterator_response, (), (shard_iterator))
BOOST_DESCRIBE_STRUCT(stream_record, (),
                      (approximate_creation_date_time, keys, new_image, old_image,
                       sequence_number, size_bytes, stream_view_type))
BOOST_DESCRIBE_STRUCT(stream_identity, (), (principal_id, type))
BOOST_DESCRIBE_STRUCT(change_record, (),
                      (event_id, event_name, event_version, event_source, aws_region, dynamodb,
                       user_identity))
BOOST_DESCRIBE_STRUCT(get_records_response, (), (records, next_shard_iterator))

namespace detail {

DYNOMITE_WIRE_NAME(&item_collection_metrics::size_estimate_range_gb, "SizeEstimateRangeGB")
// The members of a stream Record are in camelCase.
DYNOMITE_WIRE_NAME(&change_record::event_id, "eventID")
DYNOMITE_WIRE_NAME(&change_record::event_name, "eventName")
DYNOMITE_WIRE_NAME(&change_record::event_version, "eventVersion")
DYNOMITE_WIRE_NAME(&change_record::event_source, "eventSource")
DYNOMITE_WIRE_NAME(&change_record::aws_region, "awsRegion")
DYNOMITE_WIRE_NAME(&change_record::dynamodb, "dynamodb")
DYNOMITE_WIRE_NAME(&change_record::user_identity, "userIdentity")

DYNOMITE_MEMBER_RULE(&create_table_response::table_description, required)
DYNOMITE_MEMBER_RULE(&update_table_response::table_description, required)
DYNOMITE_MEMBER_RULE(&delete_table_response::table_description, required)
DYNOMITE_MEMBER_RULE(&describe_table_response::table, required)
DYNOMITE_MEMBER_RULE(&describe_stream_response::stream_description, required)
DYNOMITE_MEMBER_RULE(&shard::shard_id, required)
DYNOMITE_MEMBER_RULE(&stream_record::sequence_number, required)
DYNOMITE_MEMBER_RULE(&update_time_to_live_response::time_to_live_specification, required)
DYNOMITE_MEMBER_RULE(&describe_time_to_live_response::time_to_live_description, required)
// Both members of a TimeToLiveSpecification in UpdateTimeToLive's response.
DYNOMITE_MEMBER_RULE(&time_to_live_specification::enabled, required)
DYNOMITE_MEMBER_RULE(&time_to_live_specification::attribute_name, required)

}  // namespace detail
}  // namespace dynomite
