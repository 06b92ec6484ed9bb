// DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator and GetRecords. These go to
// the Streams endpoint (streams.dynamodb.<region>.amazonaws.com, or the configured endpoint),
// signed for the service "dynamodb" like the other operations.
#pragma once

#include <dynomite/protocol/common.hpp>
#include <dynomite/protocol/tables.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dynomite {

struct list_streams_request {
    /// Only the streams of this table; all the account's streams when absent.
    std::optional<std::string> table_name{};
    std::optional<std::int32_t> limit{};  // 1 to 100
    std::optional<std::string> exclusive_start_stream_arn{};
};

struct stream_summary {
    std::string stream_arn{};
    std::string table_name{};
    std::string stream_label{};
};

struct list_streams_response {
    std::vector<stream_summary> streams{};
    /// Present when there are more streams: the next request's exclusive_start_stream_arn.
    std::optional<std::string> last_evaluated_stream_arn{};
};

struct describe_stream_request {
    std::string stream_arn{};  // required
    std::optional<std::int32_t> limit{};  // shards per page, 1 to 100
    std::optional<std::string> exclusive_start_shard_id{};
};

struct sequence_number_range {
    std::optional<std::string> starting_sequence_number{};
    /// Absent while the shard is open.
    std::optional<std::string> ending_sequence_number{};
};

struct shard {
    std::string shard_id{};
    std::optional<dynomite::sequence_number_range> sequence_number_range{};
    /// The shard this one was split from; read it to its end first.
    std::optional<std::string> parent_shard_id{};
};

struct stream_description {
    std::string stream_arn{};
    std::string stream_label{};
    std::optional<dynomite::stream_status> stream_status{};
    std::optional<dynomite::stream_view_type> stream_view_type{};
    /// Seconds since the epoch.
    std::optional<double> creation_request_date_time{};
    std::string table_name{};
    std::vector<key_schema_element> key_schema{};
    std::vector<shard> shards{};
    /// Present when there are more shards: the next request's exclusive_start_shard_id.
    std::optional<std::string> last_evaluated_shard_id{};
};

struct describe_stream_response {
    dynomite::stream_description stream_description{};
};

struct get_shard_iterator_request {
    std::string stream_arn{};  // required
    std::string shard_id{};    // required
    dynomite::shard_iterator_type shard_iterator_type = shard_iterator_type::trim_horizon;
    /// Required with AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER, refused otherwise.
    std::optional<std::string> sequence_number{};
};

struct get_shard_iterator_response {
    /// Valid for 15 minutes.
    std::optional<std::string> shard_iterator{};
};

struct get_records_request {
    std::string shard_iterator{};  // required
    std::optional<std::int32_t> limit{};  // 1 to 1000
};

/// One change of one item (DynamoDB Streams' StreamRecord).
struct stream_record {
    /// Seconds since the epoch.
    std::optional<double> approximate_creation_date_time{};
    attribute_map keys{};
    attribute_map new_image{};
    attribute_map old_image{};
    std::string sequence_number{};
    std::optional<std::int64_t> size_bytes{};
    std::optional<dynomite::stream_view_type> stream_view_type{};
};

/// Who made a change: for items deleted by Time to Live, the service "dynamodb.amazonaws.com".
struct stream_identity {
    std::string principal_id{};
    std::string type{};
};

/// A record of GetRecords (DynamoDB Streams' Record).
struct change_record {
    std::string event_id{};
    std::optional<stream_event_type> event_name{};
    std::string event_version{};
    std::string event_source{};
    std::string aws_region{};
    stream_record dynamodb{};
    std::optional<stream_identity> user_identity{};
};

struct get_records_response {
    std::vector<change_record> records{};
    /// Absent once a closed shard has been read to its end.
    std::optional<std::string> next_shard_iterator{};
};

}  // namespace dynomite
