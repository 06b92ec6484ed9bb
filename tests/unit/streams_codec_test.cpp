// The DynamoDB Streams operations: their requests, responses (the bodies of AWS's API
// reference examples), errors and endpoint, without any I/O.
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/protocol/operations.hpp>
#include <dynomite/transport/endpoint.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace dynomite;
namespace json = boost::json;

constexpr std::string_view forum_arn =
    "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252";

template <class Request>
json::value encode_ok(const Request& request)
{
    std::string body;
    std::string why;
    EXPECT_FALSE(detail::encode_request(request, body, &why)) << why;
    return json::parse(body);
}

template <class Request>
std::string encode_error(const Request& request)
{
    std::string body = "{}";
    std::string why;
    EXPECT_EQ(detail::encode_request(request, body, &why), errc::invalid_argument);
    EXPECT_EQ(body, "{}");
    return why;
}

template <class Response>
Response parse_ok(std::string_view body)
{
    Response out;
    std::string why;
    EXPECT_FALSE(detail::parse_response(body, out, &why)) << why;
    return out;
}

template <class Response>
std::string parse_error(std::string_view body)
{
    Response out;
    std::string why;
    EXPECT_EQ(detail::parse_response(body, out, &why), errc::malformed_response);
    return why;
}

TEST(StreamsProtocol, TargetsTheStreamsApi)
{
    EXPECT_EQ(detail::operation_traits<get_records_request>::target,
              "DynamoDBStreams_20120810.GetRecords");
    EXPECT_EQ(detail::operation_traits<list_streams_request>::target,
              "DynamoDBStreams_20120810.ListStreams");
    EXPECT_EQ(detail::operation_traits<describe_stream_request>::api, detail::service_api::streams);
    EXPECT_EQ(detail::operation_traits<get_item_request>::target, "DynamoDB_20120810.GetItem");
    EXPECT_EQ(detail::operation_traits<get_item_request>::api, detail::service_api::dynamodb);
}

TEST(StreamsProtocol, EncodesTheReferenceRequests)
{
    EXPECT_EQ(encode_ok(list_streams_request{}), json::parse("{}"));
    EXPECT_EQ(encode_ok(list_streams_request{.table_name = "Forum", .limit = 10}),
              json::parse(R"({"TableName":"Forum","Limit":10})"));
    EXPECT_EQ(encode_ok(describe_stream_request{.stream_arn = std::string(forum_arn)}),
              json::parse(R"({"StreamArn":")" + std::string(forum_arn) + "\"}"));
    EXPECT_EQ(encode_ok(describe_stream_request{
                  .stream_arn = "arn", .limit = 100, .exclusive_start_shard_id = "shardId-1"}),
              json::parse(R"({"StreamArn":"arn","Limit":100,"ExclusiveStartShardId":"shardId-1"})"));
    EXPECT_EQ(encode_ok(get_shard_iterator_request{
                  .stream_arn = std::string(forum_arn),
                  .shard_id = "00000001414576573621-f55eea83",
                  .shard_iterator_type = shard_iterator_type::trim_horizon}),
              json::parse(R"({"StreamArn":")" + std::string(forum_arn) +
                          R"(","ShardId":"00000001414576573621-f55eea83",)"
                          R"("ShardIteratorType":"TRIM_HORIZON"})"));
    EXPECT_EQ(encode_ok(get_shard_iterator_request{
                  .stream_arn = "arn",
                  .shard_id = "s",
                  .shard_iterator_type = shard_iterator_type::after_sequence_number,
                  .sequence_number = "300000000000000499659"}),
              json::parse(R"({"StreamArn":"arn","ShardId":"s",)"
                          R"("ShardIteratorType":"AFTER_SEQUENCE_NUMBER",)"
                          R"("SequenceNumber":"300000000000000499659"})"));
    EXPECT_EQ(encode_ok(get_records_request{.shard_iterator = "it|1|AAAA", .limit = 1000}),
              json::parse(R"({"ShardIterator":"it|1|AAAA","Limit":1000})"));
}

TEST(StreamsProtocol, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(describe_stream_request{}), "DescribeStream: StreamArn is required");
    EXPECT_EQ(encode_error(describe_stream_request{.stream_arn = "arn", .limit = 101}),
              "DescribeStream: Limit must be between 1 and 100, got 101");
    EXPECT_EQ(encode_error(describe_stream_request{.stream_arn = "arn",
                                                   .exclusive_start_shard_id = ""}),
              "DescribeStream: ExclusiveStartShardId is empty; leave it unset to start over");
    EXPECT_EQ(encode_error(describe_stream_request{.stream_arn = std::string(1025, 'a')}),
              "DescribeStream: StreamArn is 1025 characters long, over the 1024 DynamoDB "
              "Streams allows");
    EXPECT_EQ(encode_error(list_streams_request{.limit = 0}),
              "ListStreams: Limit must be between 1 and 100, got 0");
    EXPECT_EQ(encode_error(list_streams_request{.exclusive_start_stream_arn = ""}),
              "ListStreams: ExclusiveStartStreamArn is empty; leave it unset to start over");
    EXPECT_EQ(encode_error(get_shard_iterator_request{.stream_arn = "arn"}),
              "GetShardIterator: ShardId is required");
    EXPECT_EQ(encode_error(get_shard_iterator_request{
                  .stream_arn = "arn", .shard_id = std::string(66, 's')}),
              "GetShardIterator: ShardId is 66 characters long, over the 65 DynamoDB Streams "
              "allows");
    EXPECT_EQ(encode_error(get_shard_iterator_request{
                  .stream_arn = "arn",
                  .shard_id = "s",
                  .shard_iterator_type = shard_iterator_type::at_sequence_number}),
              "GetShardIterator: SequenceNumber is required with ShardIteratorType "
              "AT_SEQUENCE_NUMBER");
    EXPECT_EQ(encode_error(get_shard_iterator_request{
                  .stream_arn = "arn",
                  .shard_id = "s",
                  .shard_iterator_type = shard_iterator_type::latest,
                  .sequence_number = "1"}),
              "GetShardIterator: SequenceNumber goes only with AT_SEQUENCE_NUMBER or "
              "AFTER_SEQUENCE_NUMBER");
    EXPECT_EQ(encode_error(get_shard_iterator_request{
                  .stream_arn = "arn",
                  .shard_id = "s",
                  .shard_iterator_type = static_cast<shard_iterator_type>(9)}),
              "GetShardIterator: ShardIteratorType has no valid value (9)");
    EXPECT_EQ(encode_error(get_records_request{}), "GetRecords: ShardIterator is required");
    EXPECT_EQ(encode_error(get_records_request{.shard_iterator = "it", .limit = 1001}),
              "GetRecords: Limit must be between 1 and 1000, got 1001");
    EXPECT_EQ(encode_error(get_records_request{.shard_iterator = std::string(2049, 'i')}),
              "GetRecords: ShardIterator is 2049 characters long, over the 2048 DynamoDB "
              "Streams allows");
}

TEST(StreamsProtocol, DecodesListStreams)
{
    const auto out = parse_ok<list_streams_response>(R"({
        "Streams": [
            {"StreamArn": "arn:aws:dynamodb:us-wesst-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252",
             "StreamLabel": "2015-05-20T20:51:10.252", "TableName": "Forum"},
            {"StreamArn": "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:50:02.714",
             "StreamLabel": "2015-05-20T20:50:02.714", "TableName": "Forum"}],
        "LastEvaluatedStreamArn": "arn:last"})");
    ASSERT_EQ(out.streams.size(), 2u);
    EXPECT_EQ(out.streams[1].stream_label, "2015-05-20T20:50:02.714");
    EXPECT_EQ(out.streams[0].table_name, "Forum");
    EXPECT_EQ(out.last_evaluated_stream_arn, "arn:last");
}

TEST(StreamsProtocol, DecodesDescribeStreamWithShardLineage)
{
    const auto out = parse_ok<describe_stream_response>(R"({"StreamDescription": {
        "CreationRequestDateTime": 1.432154670252E9,
        "KeySchema": [{"AttributeName": "ForumName", "KeyType": "HASH"},
                      {"AttributeName": "Subject", "KeyType": "RANGE"}],
        "Shards": [
            {"SequenceNumberRange": {"EndingSequenceNumber": "20500000000000000910398",
                                     "StartingSequenceNumber": "20500000000000000910398"},
             "ShardId": "shardId-00000001414562045508-2bac9cd2"},
            {"ParentShardId": "shardId-00000001414562045508-2bac9cd2",
             "SequenceNumberRange": {"StartingSequenceNumber": "2574600000000000000935255"},
             "ShardId": "shardId-00000001414608446368-3a1afbaf"}],
        "StreamArn": "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252",
        "StreamLabel": "2015-05-20T20:51:10.252",
        "StreamStatus": "ENABLED",
        "StreamViewType": "NEW_AND_OLD_IMAGES",
        "TableName": "Forum"}})");
    const stream_description& d = out.stream_description;
    EXPECT_EQ(d.stream_status, stream_status::enabled);
    EXPECT_EQ(d.stream_view_type, stream_view_type::new_and_old_images);
    EXPECT_DOUBLE_EQ(*d.creation_request_date_time, 1432154670.252);
    ASSERT_EQ(d.key_schema.size(), 2u);
    EXPECT_EQ(d.key_schema[1].type, key_type::range);
    ASSERT_EQ(d.shards.size(), 2u);
    EXPECT_FALSE(d.shards[0].parent_shard_id);
    EXPECT_EQ(d.shards[0].sequence_number_range->ending_sequence_number, "20500000000000000910398");
    EXPECT_EQ(d.shards[1].parent_shard_id, "shardId-00000001414562045508-2bac9cd2");
    EXPECT_FALSE(d.shards[1].sequence_number_range->ending_sequence_number);
    EXPECT_FALSE(d.last_evaluated_shard_id);
    EXPECT_EQ(parse_ok<describe_stream_response>(
                  R"({"StreamDescription":{"StreamStatus":"PAUSED"}})")
                  .stream_description.stream_status,
              stream_status::unknown);
}

TEST(StreamsProtocol, DecodesGetRecords)
{
    const auto out = parse_ok<get_records_response>(R"({
        "NextShardIterator": "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252|1|AAAAAAAAAAGQBYshYDEe",
        "Records": [
            {"awsRegion": "us-west-2",
             "dynamodb": {"ApproximateCreationDateTime": 1.46480646E9,
                          "Keys": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"}},
                          "SequenceNumber": "300000000000000499659", "SizeBytes": 41,
                          "StreamViewType": "KEYS_ONLY"},
             "eventID": "e2fd9c34eff2d779b297b26f5fef4206", "eventName": "INSERT",
             "eventSource": "aws:dynamodb", "eventVersion": "1.0"},
            {"awsRegion": "us-west-2",
             "dynamodb": {"ApproximateCreationDateTime": 1.46480527E9,
                          "Keys": {"ForumName": {"S": "DynamoDB"}},
                          "NewImage": {"ForumName": {"S": "DynamoDB"}, "Views": {"N": "2"}},
                          "OldImage": {"ForumName": {"S": "DynamoDB"}, "Views": {"N": "1"}},
                          "SequenceNumber": "400000000000000499660", "SizeBytes": 41,
                          "StreamViewType": "NEW_AND_OLD_IMAGES"},
             "eventID": "4b25bd0da9a181a155114127e4837252", "eventName": "MODIFY",
             "eventSource": "aws:dynamodb", "eventVersion": "1.0"},
            {"awsRegion": "us-west-2",
             "dynamodb": {"Keys": {"ForumName": {"S": "DynamoDB"}},
                          "SequenceNumber": "500000000000000499661", "SizeBytes": 41},
             "eventID": "740280c73a3df7842edab3548a1b08ad", "eventName": "REMOVE",
             "eventSource": "aws:dynamodb", "eventVersion": "1.0",
             "userIdentity": {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}}]})");
    ASSERT_EQ(out.records.size(), 3u);
    EXPECT_TRUE(out.next_shard_iterator->ends_with("|1|AAAAAAAAAAGQBYshYDEe"));
    const change_record& insert = out.records[0];
    EXPECT_EQ(insert.event_name, stream_event_type::insert);
    EXPECT_EQ(insert.event_id, "e2fd9c34eff2d779b297b26f5fef4206");
    EXPECT_EQ(insert.aws_region, "us-west-2");
    EXPECT_EQ(insert.event_source, "aws:dynamodb");
    EXPECT_EQ(insert.event_version, "1.0");
    EXPECT_DOUBLE_EQ(*insert.dynamodb.approximate_creation_date_time, 1464806460.0);
    EXPECT_EQ(insert.dynamodb.keys.at("Subject"), attribute_value("DynamoDB Thread 3"));
    EXPECT_EQ(insert.dynamodb.sequence_number, "300000000000000499659");
    EXPECT_EQ(insert.dynamodb.size_bytes, 41);
    EXPECT_EQ(insert.dynamodb.stream_view_type, stream_view_type::keys_only);
    EXPECT_TRUE(insert.dynamodb.new_image.empty());
    const change_record& modify = out.records[1];
    EXPECT_EQ(modify.event_name, stream_event_type::modify);
    EXPECT_EQ(modify.dynamodb.old_image.at("Views"), attribute_value(number("1")));
    EXPECT_EQ(modify.dynamodb.new_image.at("Views"), attribute_value(number("2")));
    const change_record& remove = out.records[2];
    EXPECT_EQ(remove.event_name, stream_event_type::remove);
    ASSERT_TRUE(remove.user_identity);
    EXPECT_EQ(remove.user_identity->principal_id, "dynamodb.amazonaws.com");
    EXPECT_EQ(remove.user_identity->type, "Service");

    // A closed shard read to its end: no NextShardIterator.
    const auto closed = parse_ok<get_records_response>(R"({"Records": []})");
    EXPECT_TRUE(closed.records.empty());
    EXPECT_FALSE(closed.next_shard_iterator);
    EXPECT_EQ(parse_ok<get_shard_iterator_response>(R"({"ShardIterator":"it|1|A"})").shard_iterator,
              "it|1|A");
}

TEST(StreamsProtocol, RefusesMalformedResponses)
{
    EXPECT_EQ(parse_error<describe_stream_response>("{}"),
              "DescribeStream: StreamDescription is missing");
    EXPECT_EQ(parse_error<describe_stream_response>(R"({"StreamDescription":{"Shards":[{}]}})"),
              "DescribeStream: StreamDescription.Shards[0]: ShardId is missing");
    EXPECT_EQ(parse_error<get_records_response>(R"({"Records":[{"dynamodb":{}}]})"),
              "GetRecords: Records[0].dynamodb: SequenceNumber is missing");
    EXPECT_EQ(parse_error<get_records_response>(
                  R"({"Records":[{"dynamodb":{"SequenceNumber":"1","Keys":{"k":{"Q":"1"}}}}]})")
                  .rfind("GetRecords: Records[0].dynamodb.Keys", 0),
              0u);
    EXPECT_EQ(parse_error<get_records_response>(R"({"Records":{}})"),
              "GetRecords: Records: expected an array, got object");
    EXPECT_EQ(parse_error<list_streams_response>(R"({"Streams":[{"StreamArn":7}]})"),
              "ListStreams: Streams[0].StreamArn: expected a string, got number");
}

TEST(StreamsProtocol, ErrorsOfTheStreamsApi)
{
    diagnostics diag;
    const error_code expired = detail::parse_error_response(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException",)"
        R"("message":"Iterator expired. The iterator was created at time ..."})",
        "R1", diag);
    EXPECT_EQ(expired, errc::expired_iterator);
    EXPECT_EQ(diag.aws_type, "ExpiredIteratorException");
    EXPECT_FALSE(is_retryable(expired));
    const error_code trimmed = detail::parse_error_response(
        400, R"({"__type":"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException"})", "R2",
        diag);
    EXPECT_EQ(trimmed, errc::trimmed_data_access);
    EXPECT_FALSE(is_retryable(trimmed));
    const error_code limit = detail::parse_error_response(
        400, R"({"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException"})", "R3", diag);
    EXPECT_TRUE(is_throttling(limit));
    EXPECT_TRUE(is_retryable(limit));
    EXPECT_EQ(expired.message(), "the shard iterator has expired");
}

endpoint_settings settings(std::optional<std::string> url, std::optional<bool> fips = {},
                           std::optional<bool> dual_stack = {})
{
    endpoint_settings out;
    out.url = std::move(url);
    out.use_fips_endpoint = fips;
    out.use_dualstack_endpoint = dual_stack;
    return out;
}

resolved_endpoint resolve(const endpoint_settings& settings, std::string_view region)
{
    resolved_endpoint out;
    std::string why;
    EXPECT_FALSE(resolve_endpoint(settings, region, {}, environment::from_map({}), out, &why))
        << why;
    return out;
}

TEST(StreamsEndpoint, RegionalAndConfigured)
{
    EXPECT_EQ(resolve(settings({}), "us-west-2").streams_url, "https://streams.dynamodb.us-west-2.amazonaws.com");
    EXPECT_EQ(resolve(settings({}), "us-west-2").streams_where.host_header,
              "streams.dynamodb.us-west-2.amazonaws.com");
    EXPECT_EQ(resolve(settings({}, true), "us-east-1").streams_url,
              "https://streams.dynamodb-fips.us-east-1.amazonaws.com");
    EXPECT_EQ(resolve(settings({}, {}, true), "eu-west-1").streams_url,
              "https://streams.dynamodb.eu-west-1.api.aws");
    EXPECT_EQ(resolve(settings({}), "cn-north-1").streams_url,
              "https://streams.dynamodb.cn-north-1.amazonaws.com.cn");
    // A configured endpoint serves both APIs, as DynamoDB Local does.
    const auto local = resolve(settings("http://127.0.0.1:8000/prefix"), "us-east-1");
    EXPECT_EQ(local.streams_url, "http://127.0.0.1:8000/prefix");
    EXPECT_EQ(local.streams_where, local.where);
    EXPECT_EQ(resolve(settings({}), "local").streams_url, "http://localhost:8000");
}

}  // namespace
