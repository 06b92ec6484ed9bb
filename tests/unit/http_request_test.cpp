#include <dynomite/client/client.hpp>
#include "transport/http_request.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

namespace {

using dynomite::client;
using dynomite::client_config;
using dynomite::diagnostics;
using dynomite::errc;
using dynomite::detail::format_request_head;
using dynomite::detail::is_valid_header_value;
using dynomite::detail::request_head;

request_head sample_head()
{
    request_head head;
    head.host = "dynamodb.us-east-1.amazonaws.com";
    head.content_type = "application/x-amz-json-1.0";
    head.user_agent = "dynomite/0.1";
    head.target = "DynamoDB_20120810.GetItem";
    head.amz_date = "20260101T000000Z";
    head.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request";
    head.content_length = 1234;
    return head;
}

TEST(RequestHead, HoldsEveryHeaderOnceAndEndsWithABlankLine)
{
    std::string out = "left over from the previous request";
    format_request_head(sample_head(), out);
    EXPECT_EQ(out,
              "POST / HTTP/1.1\r\n"
              "Host: dynamodb.us-east-1.amazonaws.com\r\n"
              "Content-Type: application/x-amz-json-1.0\r\n"
              "User-Agent: dynomite/0.1\r\n"
              "X-Amz-Target: DynamoDB_20120810.GetItem\r\n"
              "X-Amz-Date: 20260101T000000Z\r\n"
              "Authorization: AWS4-HMAC-SHA256 "
              "Credential=AKID/20260101/us-east-1/dynamodb/aws4_request\r\n"
              "Content-Length: 1234\r\n"
              "\r\n");
}

TEST(RequestHead, CarriesTheSessionTokenWhenThereIsOne)
{
    auto head = sample_head();
    head.security_token = "token/with+base64=";
    head.content_length = 0;
    std::string out;
    format_request_head(head, out);
    EXPECT_NE(out.find("\r\nX-Amz-Security-Token: token/with+base64=\r\n"), std::string::npos)
        << out;
    EXPECT_NE(out.find("\r\nContent-Length: 0\r\n\r\n"), std::string::npos) << out;
}

TEST(RequestHead, ThroughAForwardProxyTheTargetIsAbsoluteWithTheProxysCredentials)
{
    auto head = sample_head();
    head.host = "127.0.0.1:8000";
    head.request_target = "http://127.0.0.1:8000/";
    head.proxy_authorization = "Basic dTpw";
    std::string out;
    format_request_head(head, out);
    EXPECT_TRUE(out.starts_with("POST http://127.0.0.1:8000/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"))
        << out;
    EXPECT_NE(out.find("\r\nProxy-Authorization: Basic dTpw\r\n"), std::string::npos) << out;
}

TEST(RequestHead, HeaderValuesThatWouldBreakTheLineAreInvalid)
{
    EXPECT_TRUE(is_valid_header_value(""));
    EXPECT_TRUE(is_valid_header_value("IQoJb3JpZ2luX2VjE/+=="));
    EXPECT_TRUE(is_valid_header_value("a\tb c"));
    EXPECT_FALSE(is_valid_header_value("token\r\nX-Injected: yes"));
    EXPECT_FALSE(is_valid_header_value("token\n"));
    EXPECT_FALSE(is_valid_header_value(std::string("to\0ken", 6)));
    EXPECT_FALSE(is_valid_header_value("del\x7f"));
    EXPECT_FALSE(is_valid_header_value(" leading"));
    EXPECT_FALSE(is_valid_header_value("trailing\t"));
}

TEST(RequestHead, ClientRefusesASessionTokenAHeaderCannotCarry)
{
    boost::asio::io_context io;
    client_config config;
    config.endpoint = "http://127.0.0.1:9";
    config.region = "us-east-1";
    config.credentials = dynomite::credentials{"AKIDTEST", "secret", "token\r\nX-Injected: yes"};
    std::unique_ptr<client> made;
    diagnostics diag;
    EXPECT_EQ(client::create(io.get_executor(), config, made, diag), errc::invalid_configuration);
    EXPECT_EQ(made, nullptr);
    EXPECT_NE(diag.message.find("session token"), std::string::npos) << diag.message;
    EXPECT_EQ(diag.message.find("X-Injected"), std::string::npos) << "the token is secret";
}

TEST(RequestHead, ThreadSafeOffRunsOnTheExecutorGiven)
{
    boost::asio::io_context io;
    client_config config;
    config.endpoint = "http://127.0.0.1:9";
    config.region = "us-east-1";
    config.credentials = dynomite::credentials{"AKIDTEST", "secret", ""};
    config.thread_safe = false;
    client plain(io.get_executor(), config);
    EXPECT_TRUE(plain.get_executor() == boost::asio::any_io_executor(io.get_executor()));
    config.thread_safe = true;
    client stranded(io.get_executor(), config);
    EXPECT_FALSE(stranded.get_executor() == boost::asio::any_io_executor(io.get_executor()));
}

}  // namespace
