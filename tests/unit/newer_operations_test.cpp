// The operations newer than botocore's model (scripts/service-model-additions.json): exact
// request bodies, refusals naming the member, responses in the form of AWS's API reference, and
// the errors they raise. generated_operations_test.cpp checks them against the merged model.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/protocol/operations.hpp>
#include "unit/generated_operations_support.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace newer_operations_test {

using namespace dynomite;
namespace json = boost::json;

using test::encoded;
using test::refused_with;

json::object additions()
{
    return test::load_json_object(std::string(DYNOMITE_SOURCE_DIR) +
                                  "/scripts/service-model-additions.json");
}

TEST(newer_operations, exact_bodies)
{
    put_resource_policy_request put;
    put.resource_arn = "arn:aws:dynamodb:us-west-2:123456789012:table/Music";
    put.policy = R"({"Version":"2012-10-17"})";
    put.expected_revision_id = "1709841168699";
    put.confirm_remove_self_resource_access = false;
    EXPECT_EQ(encoded(put),
              R"({"ResourceArn":"arn:aws:dynamodb:us-west-2:123456789012:table/Music",)"
              R"("Policy":"{\"Version\":\"2012-10-17\"}","ExpectedRevisionId":"1709841168699",)"
              R"("ConfirmRemoveSelfResourceAccess":false})");

    get_resource_policy_request get;
    get.resource_arn = "arn:aws:dynamodb:us-west-2:123456789012:table/Music";
    EXPECT_EQ(encoded(get),
              R"({"ResourceArn":"arn:aws:dynamodb:us-west-2:123456789012:table/Music"})");

    delete_resource_policy_request remove;
    remove.resource_arn = "arn:aws:dynamodb:us-west-2:123456789012:table/Music";
    EXPECT_EQ(encoded(remove),
              R"({"ResourceArn":"arn:aws:dynamodb:us-west-2:123456789012:table/Music"})");
    remove.expected_revision_id = "NO_POLICY";
    EXPECT_EQ(encoded(remove),
              R"({"ResourceArn":"arn:aws:dynamodb:us-west-2:123456789012:table/Music",)"
              R"("ExpectedRevisionId":"NO_POLICY"})");

    update_kinesis_streaming_destination_request update;
    update.table_name = "Music";
    update.stream_arn = "arn:aws:kinesis:us-west-2:123456789012:stream/MusicStream";
    auto& configuration = update.update_kinesis_streaming_configuration.emplace();
    configuration.approximate_creation_date_time_precision =
        approximate_creation_date_time_precision::microsecond;
    EXPECT_EQ(encoded(update),
              R"({"TableName":"Music",)"
              R"("StreamArn":"arn:aws:kinesis:us-west-2:123456789012:stream/MusicStream",)"
              R"("UpdateKinesisStreamingConfiguration":)"
              R"({"ApproximateCreationDateTimePrecision":"MICROSECOND"}})");
}

TEST(newer_operations, invalid_requests_are_refused_naming_the_member)
{
    put_resource_policy_request no_policy;
    no_policy.resource_arn = "arn";
    EXPECT_TRUE(refused_with(no_policy, "Policy is required"));

    get_resource_policy_request no_arn;
    EXPECT_TRUE(refused_with(no_arn, "ResourceArn is required"));

    delete_resource_policy_request no_resource;
    no_resource.expected_revision_id = "1";
    EXPECT_TRUE(refused_with(no_resource, "ResourceArn is required"));

    update_kinesis_streaming_destination_request no_stream;
    no_stream.table_name = "Music";
    EXPECT_TRUE(refused_with(no_stream, "StreamArn is required"));

    update_kinesis_streaming_destination_request bad_precision;
    bad_precision.table_name = "Music";
    bad_precision.stream_arn = "arn:aws:kinesis:us-west-2:123456789012:stream/MusicStream";
    auto& configuration = bad_precision.update_kinesis_streaming_configuration.emplace();
    configuration.approximate_creation_date_time_precision =
        approximate_creation_date_time_precision::unknown;
    EXPECT_TRUE(refused_with(bad_precision, "ApproximateCreationDateTimePrecision has no valid value"));
}

// Responses as AWS's API reference shows them (its response syntax, filled in).
TEST(newer_operations, documented_responses_decode)
{
    std::string why;
    get_resource_policy_response get;
    ASSERT_FALSE(detail::parse_response(
        R"({"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",)"
        R"(\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:role/RBACForTable\"},)"
        R"(\"Action\":[\"dynamodb:GetItem\"],)"
        R"(\"Resource\":\"arn:aws:dynamodb:us-west-2:123456789012:table/Music\"}]}",)"
        R"("RevisionId":"1709841168699"})",
        get, &why))
        << why;
    ASSERT_TRUE(get.policy.has_value());
    EXPECT_EQ(json::parse(*get.policy).at("Statement").at(0).at("Action").at(0).as_string(),
              "dynamodb:GetItem");
    EXPECT_EQ(get.revision_id, "1709841168699");

    put_resource_policy_response put;
    ASSERT_FALSE(detail::parse_response(R"({"RevisionId":"1709841168699"})", put, &why)) << why;
    EXPECT_EQ(put.revision_id, "1709841168699");

    delete_resource_policy_response removed;
    ASSERT_FALSE(detail::parse_response(R"({"RevisionId":"1709841286813"})", removed, &why)) << why;
    EXPECT_EQ(removed.revision_id, "1709841286813");

    update_kinesis_streaming_destination_response update;
    ASSERT_FALSE(detail::parse_response(
        R"({"DestinationStatus":"UPDATING",)"
        R"("StreamArn":"arn:aws:kinesis:us-west-2:123456789012:stream/MusicStream",)"
        R"("TableName":"Music","UpdateKinesisStreamingConfiguration":)"
        R"({"ApproximateCreationDateTimePrecision":"MICROSECOND"}})",
        update, &why))
        << why;
    EXPECT_EQ(update.table_name, "Music");
    EXPECT_EQ(update.stream_arn, "arn:aws:kinesis:us-west-2:123456789012:stream/MusicStream");
    // UPDATING is newer than botocore's DestinationStatus: decoded as unknown.
    EXPECT_EQ(update.destination_status, destination_status::unknown);
    ASSERT_TRUE(update.update_kinesis_streaming_configuration.has_value());
    const auto& configuration = *update.update_kinesis_streaming_configuration;
    EXPECT_EQ(configuration.approximate_creation_date_time_precision,
              approximate_creation_date_time_precision::microsecond);
}

// Every error the additions say their operations raise has an errc of its own.
TEST(newer_operations, their_errors_map_to_known_codes)
{
    const json::object model = additions();
    ASSERT_FALSE(model.empty());
    for (const auto& [name, operation] : model.at("operations").as_object()) {
        for (const json::value& error : operation.at("errors").as_array()) {
            const std::string_view type = error.at("shape").as_string();
            EXPECT_NE(errc_from_aws_type(type), errc::unknown_service_error)
                << name << ": " << type;
        }
    }
    diagnostics diag;
    const error_code ec = detail::parse_error_response(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#PolicyNotFoundException",)"
        R"("message":"Resource-based policy not found for the provided ResourceArn"})",
        "REQ1", diag);
    EXPECT_EQ(ec, errc::policy_not_found);
    EXPECT_EQ(diag.aws_type, "PolicyNotFoundException");
    EXPECT_FALSE(is_retryable(ec));
    EXPECT_EQ(ec.message(),
              "the resource has no resource-based policy, or not of the expected revision");
}

}  // namespace newer_operations_test
