// Credentials stay secret: the secret key and the session token appear in no log line, error
// message, diagnostics or explain() output, and the signature covers every header that
// changes what a request does.
#include "support/sample_requests.hpp"
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/query/database.hpp>
#include "auth/sigv4.hpp"
#include <dynomite/query/relation.hpp>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using dynomite::test::sample_get;

using namespace dynomite;
using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr std::string_view secret_key = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRETKEY";
constexpr std::string_view session_token = "FwoGZXIvYXdzEXAMPLE-SESSION-TOKEN-0123456789";

std::vector<std::string> signed_headers_of(std::string_view authorization)
{
    constexpr std::string_view marker = "SignedHeaders=";
    const std::size_t start = authorization.find(marker);
    if (start == std::string_view::npos) return {};
    const std::size_t end = authorization.find(',', start);
    std::string list(authorization.substr(
        start + marker.size(), end == std::string_view::npos ? end : end - start - marker.size()));
    std::vector<std::string> names;
    std::istringstream stream(list);
    for (std::string name; std::getline(stream, name, ';');) names.push_back(name);
    return names;
}

TEST(Signing, SignedHeadersAreExactlyThoseThatShapeTheRequest)
{
    detail::signing_key_cache cache;
    const auto now = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 1h;
    const credentials with_token{"AKIDTEST", std::string(secret_key), std::string(session_token)};
    const auto signed_with_token = detail::sign_dynamodb_request(
        with_token, "us-east-1", "dynamodb", "dynamodb.us-east-1.amazonaws.com",
        "DynamoDB_20120810.GetItem", "application/x-amz-json-1.0", "{}", now, cache);
    EXPECT_EQ(signed_headers_of(signed_with_token.authorization),
              (std::vector<std::string>{"content-type", "host", "x-amz-date",
                                        "x-amz-security-token", "x-amz-target"}))
        << signed_with_token.authorization;

    const credentials without_token{"AKIDTEST", std::string(secret_key), ""};
    const auto signed_without_token = detail::sign_dynamodb_request(
        without_token, "us-east-1", "dynamodb", "dynamodb.us-east-1.amazonaws.com",
        "DynamoDB_20120810.GetItem", "application/x-amz-json-1.0", "{}", now, cache);
    EXPECT_EQ(signed_headers_of(signed_without_token.authorization),
              (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-target"}))
        << signed_without_token.authorization;

    for (const auto* authorization :
         {&signed_with_token.authorization, &signed_without_token.authorization}) {
        EXPECT_EQ(authorization->find(secret_key), std::string::npos);
        EXPECT_EQ(authorization->find(session_token), std::string::npos);
    }
}

// Every text a user may see, gathered for one search.
class SecretsTest : public ::testing::Test {
protected:
    client_config config()
    {
        client_config cfg;
        cfg.endpoint = server.url();
        cfg.region = "us-east-1";
        cfg.credentials =
            credentials{"AKIDTEST", std::string(secret_key), std::string(session_token)};
        cfg.retry.max_attempts = 3;
        cfg.retry.base_delay = 1ms;
        cfg.retry.throttling_base_delay = 1ms;
        cfg.retry.max_delay = 2ms;
        cfg.min_log_level = log_level::debug;
        cfg.logger = [this](log_level level, std::string_view line) {
            std::lock_guard lock(mutex);
            seen += std::string(to_string(level)) + ": " + std::string(line) + "\n";
        };
        return cfg;
    }

    void keep(const diagnostics& diag)
    {
        std::lock_guard lock(mutex);
        seen += diag.message + "\n" + diag.aws_type + "\n" + diag.request_id + "\n";
        for (const auto& attempt : diag.attempts)
            seen += attempt.error.message() + " " + attempt.detail + "\n";
    }

    template <class Request>
    error_code execute(client& c, Request request)
    {
        diagnostics diag;
        error_code result;
        bool done = false;
        c.async_execute(std::move(request), diag, [&](error_code ec, response_t<Request>) {
            result = ec;
            done = true;
        });
        io.restart();
        io.run_for(20s);
        EXPECT_TRUE(done);
        keep(diag);
        return result;
    }

    void expect_no_secret()
    {
        EXPECT_EQ(seen.find(secret_key), std::string::npos) << seen;
        EXPECT_EQ(seen.find(session_token), std::string::npos) << seen;
        // Pieces of them would be as bad: a prefix long enough to be no accident.
        EXPECT_EQ(seen.find(secret_key.substr(0, 12)), std::string::npos) << seen;
        EXPECT_EQ(seen.find(session_token.substr(0, 12)), std::string::npos) << seen;
    }

    test::fake_server server;
    asio::io_context io;
    std::mutex mutex;
    std::string seen;
};

TEST_F(SecretsTest, DebugLogsAndErrorsOfAFullExchangeHoldNoSecret)
{
    client c(io.get_executor(), config());

    server.enqueue(test::fake_action::ok(R"({"Item":{"pk":{"S":"k"}}})"));
    EXPECT_FALSE(execute(c, sample_get()));

    // A DynamoDB error, retried server errors, a refused request and a malformed answer.
    server.enqueue(test::fake_action::aws_error(400, "ValidationException", "bad key"));
    EXPECT_EQ(execute(c, sample_get()), errc::validation);
    server.enqueue(test::fake_action::internal_error(), 3);
    EXPECT_EQ(execute(c, sample_get()), errc::internal_server_error);
    server.enqueue(test::fake_action::aws_error(400, "UnrecognizedClientException",
                                                "The security token included is invalid"));
    EXPECT_EQ(execute(c, sample_get()), errc::unrecognized_client);
    server.enqueue(test::fake_action::ok(R"({"Item":)"));
    EXPECT_EQ(execute(c, sample_get()), errc::malformed_response);
    get_item_request refused = sample_get();
    refused.key = {{"pk", ""}};
    EXPECT_EQ(execute(c, refused), errc::invalid_argument);

    // The throwing form's exception text.
    server.enqueue(test::fake_action::aws_error(400, "AccessDeniedException", "denied"));
    std::string thrown;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            get_item_request request = sample_get();
            auto response = co_await c.get_item(request);
        },
        [&](std::exception_ptr failure) {
            try {
                if (failure) std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                thrown = e.what();
            }
        });
    io.restart();
    io.run_for(20s);
    EXPECT_NE(thrown, "");
    seen += thrown + "\n";

    // The logs say something, so that their search means something.
    EXPECT_NE(seen.find("debug: GetItem attempt 1"), std::string::npos) << seen;
    EXPECT_NE(seen.find("retrying"), std::string::npos) << seen;
    expect_no_secret();

    // The secret did reach the wire, as a signature only; the token as its header.
    for (const auto& request : server.requests()) {
        for (const auto& [name, value] : request.headers) {
            EXPECT_EQ(value.find(secret_key), std::string::npos) << name;
            if (name != "x-amz-security-token") {
                EXPECT_EQ(value.find(session_token), std::string::npos) << name;
            }
        }
    }
}

TEST_F(SecretsTest, ExplainHoldsNoSecret)
{
    client c(io.get_executor(), config());
    database db(c);
    server.enqueue(
        test::fake_action::ok(R"({"Table":{"TableName":"t","TableStatus":"ACTIVE","KeySchema":)"
                              R"([{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":)"
                              R"([{"AttributeName":"pk","AttributeType":"S"}]}})"));
    std::string explained;
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const relation wanted = db.table("t").where("pk", "k").where("n.gt", 3);
            query_plan plan = co_await wanted.explain();
            explained = plan.to_string();
        },
        [&](std::exception_ptr failure) {
            done = true;
            try {
                if (failure) std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                explained = std::string("failed: ") + e.what();
            }
        });
    io.run_for(20s);
    ASSERT_TRUE(done);
    EXPECT_NE(explained.find("Query"), std::string::npos) << explained;
    seen += explained;
    expect_no_secret();
}

}  // namespace
