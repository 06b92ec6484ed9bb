#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/core/diagnostics.hpp>

#include <boost/system/errc.hpp>
#include <gtest/gtest.h>

using dynomite::diagnostics;
using dynomite::errc;
using dynomite::errc_from_aws_type;
using dynomite::make_error_code;
using dynomite::detail::parse_error_response;

TEST(ErrorCategory, MapsAwsTypesWithAndWithoutPrefix)
{
    EXPECT_EQ(errc_from_aws_type("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"),
              errc::conditional_check_failed);
    EXPECT_EQ(errc_from_aws_type("ProvisionedThroughputExceededException"),
              errc::provisioned_throughput_exceeded);
    EXPECT_EQ(errc_from_aws_type("com.amazon.coral.availability#ThrottlingException"),
              errc::throttling);
    EXPECT_EQ(errc_from_aws_type("RequestLimitExceeded"), errc::request_limit_exceeded);
    EXPECT_EQ(errc_from_aws_type("com.amazon.coral.service#InternalFailure:http://x"),
              errc::internal_server_error);
    EXPECT_EQ(errc_from_aws_type("com.amazonaws.dynamodb.v20120810#DuplicateItem"),
              errc::duplicate_item);
    EXPECT_EQ(errc_from_aws_type("DuplicateItemException"), errc::duplicate_item);
    EXPECT_EQ(errc_from_aws_type("SomethingNewException"), errc::unknown_service_error);
}

TEST(ErrorCategory, MessagesAndNames)
{
    auto ec = make_error_code(errc::resource_not_found);
    EXPECT_STREQ(ec.category().name(), "dynomite");
    EXPECT_EQ(ec.message(), "the table or index does not exist");
    EXPECT_NE(make_error_code(static_cast<errc>(9999)).message().find("9999"), std::string::npos);
}

TEST(ErrorCategory, RetryableClassification)
{
    EXPECT_TRUE(dynomite::is_retryable(make_error_code(errc::throttling)));
    EXPECT_TRUE(dynomite::is_retryable(make_error_code(errc::provisioned_throughput_exceeded)));
    EXPECT_TRUE(dynomite::is_retryable(make_error_code(errc::internal_server_error)));
    EXPECT_TRUE(dynomite::is_retryable(make_error_code(errc::service_unavailable)));
    EXPECT_TRUE(dynomite::is_retryable(make_error_code(errc::crc32_mismatch)));
    EXPECT_TRUE(dynomite::is_retryable(make_error_code(errc::connection_closed)));
    EXPECT_TRUE(dynomite::is_retryable(make_error_code(errc::transaction_conflict)));
    EXPECT_TRUE(dynomite::is_retryable(
        make_error_code(boost::system::errc::connection_reset)));
    EXPECT_FALSE(dynomite::is_retryable(make_error_code(errc::conditional_check_failed)));
    EXPECT_FALSE(dynomite::is_retryable(make_error_code(errc::validation)));
    EXPECT_FALSE(dynomite::is_retryable(make_error_code(errc::transaction_canceled)));
    EXPECT_FALSE(dynomite::is_retryable(make_error_code(errc::response_too_large)));
    EXPECT_FALSE(dynomite::is_retryable(make_error_code(boost::system::errc::permission_denied)));
    EXPECT_TRUE(dynomite::is_throttling(make_error_code(errc::request_limit_exceeded)));
    EXPECT_FALSE(dynomite::is_throttling(make_error_code(errc::internal_server_error)));
}

TEST(ErrorResponse, ReadsTypeMessageAndRequestId)
{
    diagnostics diag;
    auto ec = parse_error_response(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
        R"("message":"Requested resource not found"})",
        "REQ123", diag);
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
    EXPECT_EQ(diag.message, "Requested resource not found");
    EXPECT_EQ(diag.request_id, "REQ123");
    EXPECT_EQ(diag.http_status, 400u);
    EXPECT_EQ(diag.to_string(),
              "ResourceNotFoundException: Requested resource not found (HTTP 400, request id REQ123)");
}

TEST(ErrorResponse, AcceptsCapitalizedMessage)
{
    diagnostics diag;
    auto ec = parse_error_response(
        400, R"({"__type":"com.amazon.coral.validate#ValidationException","Message":"bad"})", "",
        diag);
    EXPECT_EQ(ec, errc::validation);
    EXPECT_EQ(diag.message, "bad");
}

TEST(ErrorResponse, CarriesConditionalCheckItem)
{
    diagnostics diag;
    auto ec = parse_error_response(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
        R"("message":"The conditional request failed","Item":{"id":{"S":"a"},"n":{"N":"3"}}})",
        "r", diag);
    EXPECT_EQ(ec, errc::conditional_check_failed);
    ASSERT_TRUE(diag.item.has_value());
    EXPECT_EQ(diag.item->at("id").as_s(), "a");
    EXPECT_EQ(diag.item->at("n").as_n().text(), "3");
}

TEST(ErrorResponse, CarriesCancellationReasonsInOrder)
{
    diagnostics diag;
    auto ec = parse_error_response(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
        R"("Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",)"
        R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed",)"
        R"("Message":"The conditional request failed","Item":{"id":{"S":"k"}}}]})",
        "r", diag);
    EXPECT_EQ(ec, errc::transaction_canceled);
    ASSERT_EQ(diag.cancellation_reasons.size(), 2u);
    EXPECT_EQ(diag.cancellation_reasons[0].code, "None");
    EXPECT_FALSE(diag.cancellation_reasons[0].item.has_value());
    EXPECT_EQ(diag.cancellation_reasons[1].code, "ConditionalCheckFailed");
    EXPECT_EQ(diag.cancellation_reasons[1].message, "The conditional request failed");
    ASSERT_TRUE(diag.cancellation_reasons[1].item.has_value());
    EXPECT_EQ(diag.cancellation_reasons[1].item->at("id").as_s(), "k");
    EXPECT_NE(diag.to_string().find("[1] ConditionalCheckFailed"), std::string::npos);
}

TEST(ErrorResponse, NonJsonBodyMapsByStatus)
{
    diagnostics diag;
    EXPECT_EQ(parse_error_response(503, "<html>Service Unavailable</html>", "", diag),
              errc::service_unavailable);
    EXPECT_EQ(diag.message, "HTTP 503: <html>Service Unavailable</html>");
    EXPECT_EQ(parse_error_response(500, "", "", diag), errc::internal_server_error);
    EXPECT_EQ(parse_error_response(502, "{}", "", diag), errc::internal_server_error);
    EXPECT_EQ(parse_error_response(404, "not found", "", diag), errc::http_status);
}

TEST(ErrorResponse, LongNonJsonBodyIsTruncated)
{
    diagnostics diag;
    parse_error_response(502, std::string(10'000, 'x'), "", diag);
    EXPECT_LT(diag.message.size(), 300u);
    EXPECT_EQ(diag.message.substr(diag.message.size() - 3), "...");
}

TEST(ErrorResponse, UnknownTypeOn5xxIsServerError)
{
    diagnostics diag;
    EXPECT_EQ(parse_error_response(500, R"({"__type":"x#Weird"})", "", diag),
              errc::internal_server_error);
    EXPECT_EQ(parse_error_response(400, R"({"__type":"x#Weird"})", "", diag),
              errc::unknown_service_error);
}

TEST(Diagnostics, ListsAttempts)
{
    diagnostics diag;
    diag.aws_type = "ThrottlingException";
    diag.message = "slow down";
    diag.attempts.push_back({make_error_code(errc::throttling), "HTTP 400"});
    diag.attempts.push_back({make_error_code(errc::internal_server_error), "HTTP 500"});
    auto text = diag.to_string();
    EXPECT_NE(text.find("2 attempts: the request was throttled (HTTP 400); DynamoDB had an "
                        "internal error (HTTP 500)"),
              std::string::npos)
        << text;
}

TEST(Diagnostics, ExceptionCarriesThem)
{
    diagnostics diag;
    diag.aws_type = "ValidationException";
    diag.message = "One or more parameter values were invalid";
    try {
        dynomite::throw_on_error(make_error_code(errc::validation), diag);
        FAIL() << "no exception";
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), errc::validation);
        EXPECT_EQ(e.diag().aws_type, "ValidationException");
        EXPECT_NE(std::string(e.what()).find("One or more parameter values were invalid"),
                  std::string::npos);
    }
    EXPECT_NO_THROW(dynomite::throw_on_error(dynomite::error_code{}, diag));
}
