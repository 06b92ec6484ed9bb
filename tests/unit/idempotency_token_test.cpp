// Idempotency tokens: a request DynamoDB can recognize when it comes again gets a token once
// per call when the caller gives none, so that a retry after a lost answer is not applied twice.
// The end-to-end check against DynamoDB Local is tests/faults/run_writes_through_faults.py
// --transact, beside botocore.
#include "support/fake_client_config.hpp"
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/protocol/detail/protocol.hpp>
#include "core/random.hpp"
#include "protocol/idempotency_token.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <functional>
#include <regex>
#include <set>
#include <string>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::client;
using dynomite::diagnostics;
using dynomite::error_code;
using dynomite::detail::fill_idempotency_token;
using dynomite::test::fake_action;
using dynomite::test::fake_server;

bool is_uuid4(const std::string& text)
{
    static const std::regex form(
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    return std::regex_match(text, form);
}

dynomite::transact_write_items_request sample_transaction()
{
    dynomite::transact_update add;
    add.table_name = "Counters";
    add.key = {{"pk", dynomite::attribute_value("visits")}};
    add.update_expression = "ADD n :one";
    add.expression_attribute_values = {{":one", dynomite::attribute_value(1)}};
    dynomite::transact_write_items_request request;
    request.transact_items = {std::move(add)};
    return request;
}

dynomite::execute_transaction_request sample_statements()
{
    dynomite::parameterized_statement statement;
    statement.statement = R"(UPDATE "Counters" SET n = n + 1 WHERE pk = 'visits')";
    dynomite::execute_transaction_request request;
    request.transact_statements = {statement};
    return request;
}

dynomite::import_table_request sample_import()
{
    dynomite::import_table_request request;
    request.s3_bucket_source.s3_bucket = "exports";
    request.input_format = dynomite::input_format::dynamodb_json;
    request.table_creation_parameters.table_name = "Imported";
    request.table_creation_parameters.attribute_definitions = {
        {"pk", dynomite::scalar_attribute_type::s}};
    request.table_creation_parameters.key_schema = {{"pk", dynomite::key_type::hash}};
    return request;
}

std::string member_of(const std::string& body, const char* name)
{
    const auto object = boost::json::parse(body).as_object();
    const auto* value = object.if_contains(name);
    return value ? std::string(value->as_string()) : std::string("(absent)");
}

TEST(RandomUuid, IsAVersion4UuidAndNewEachTime)
{
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string token = dynomite::detail::random_uuid();
        ASSERT_TRUE(is_uuid4(token)) << token;
        seen.insert(token);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(IdempotencyToken, EveryTokenMemberIsFilledWhenAbsent)
{
    auto transaction = sample_transaction();
    EXPECT_TRUE(fill_idempotency_token(transaction));
    ASSERT_TRUE(transaction.client_request_token);
    EXPECT_TRUE(is_uuid4(*transaction.client_request_token));

    auto statements = sample_statements();
    EXPECT_TRUE(fill_idempotency_token(statements));
    ASSERT_TRUE(statements.client_request_token);
    EXPECT_TRUE(is_uuid4(*statements.client_request_token));

    dynomite::export_table_to_point_in_time_request exported;
    exported.table_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Counters";
    exported.s3_bucket = "exports";
    EXPECT_TRUE(fill_idempotency_token(exported));
    ASSERT_TRUE(exported.client_token);
    EXPECT_TRUE(is_uuid4(*exported.client_token));

    auto imported = sample_import();
    EXPECT_TRUE(fill_idempotency_token(imported));
    ASSERT_TRUE(imported.client_token);
    EXPECT_TRUE(is_uuid4(*imported.client_token));
}

TEST(IdempotencyToken, AGivenTokenIsKept)
{
    auto transaction = sample_transaction();
    transaction.client_request_token = "order-42";
    EXPECT_FALSE(fill_idempotency_token(transaction));
    EXPECT_EQ(transaction.client_request_token, "order-42");

    auto imported = sample_import();
    imported.client_token = "import-7";
    EXPECT_FALSE(fill_idempotency_token(imported));
    EXPECT_EQ(imported.client_token, "import-7");
}

TEST(IdempotencyToken, RequestsWithoutATokenMemberAreLeftAsTheyAre)
{
    dynomite::put_item_request put;
    put.table_name = "Counters";
    put.item = {{"pk", dynomite::attribute_value("visits")}};
    EXPECT_FALSE(fill_idempotency_token(put));
    dynomite::update_item_request update;
    EXPECT_FALSE(fill_idempotency_token(update));
}

TEST(IdempotencyToken, ABadClientTokenIsRefusedBeforeSending)
{
    auto imported = sample_import();
    std::string body, why;
    imported.client_token = "";
    EXPECT_TRUE(dynomite::detail::encode_request(imported, body, &why));
    EXPECT_NE(why.find("ClientToken must be a non-empty string without '$'"), std::string::npos)
        << why;

    imported.client_token = "cost$";
    why.clear();
    EXPECT_TRUE(dynomite::detail::encode_request(imported, body, &why));
    EXPECT_NE(why.find(R"(got "cost$")"), std::string::npos) << why;

    imported.client_token = "import-7";
    why.clear();
    EXPECT_FALSE(dynomite::detail::encode_request(imported, body, &why)) << why;
    EXPECT_EQ(member_of(body, "ClientToken"), "import-7");
}

TEST(IdempotencyToken, ATooLongClientRequestTokenIsRefusedBeforeSending)
{
    auto statements = sample_statements();
    statements.client_request_token = std::string(37, 'x');
    std::string body, why;
    EXPECT_TRUE(dynomite::detail::encode_request(statements, body, &why));
    EXPECT_NE(why.find("ClientRequestToken must be 1 to 36 characters long, got 37"),
              std::string::npos)
        << why;
}

class ClientIdempotencyToken : public ::testing::Test {
protected:
    // Fails the first attempt of the call as `failure`, then answers 200 with `answer`.
    template <class Request>
    void call(Request request, const fake_action& failure, std::string answer = "{}")
    {
        server.enqueue(failure);
        server.enqueue(fake_action::ok(std::move(answer)));
        auto config = dynomite::test::fake_client_config(server);
        config.retry.base_delay = 1ms;
        config.retry.max_delay = 2ms;
        client c(io.get_executor(), config);
        bool done = false;
        error_code ec;
        diagnostics diag;
        c.async_execute(std::move(request), diag, [&](error_code e, auto) {
            ec = e;
            done = true;
        });
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!done && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            io.run_one_for(20ms);
        }
        ASSERT_TRUE(done);
        ASSERT_FALSE(ec) << ec.message() << ": " << diag.to_string();
        ASSERT_EQ(diag.attempts.size(), 1u) << "one failed attempt, then the retry";
    }

    /// The `name` member of each request the server received.
    std::vector<std::string> sent(const char* name) const
    {
        std::vector<std::string> out;
        for (const auto& request : server.requests()) out.push_back(member_of(request.body, name));
        return out;
    }

    fake_server server;
    asio::io_context io;
};

TEST_F(ClientIdempotencyToken, ARetryAfterALostAnswerCarriesTheSameToken)
{
    call(sample_transaction(), fake_action::reset_after_request());
    call(sample_transaction(), fake_action::internal_error());

    const auto tokens = sent("ClientRequestToken");
    ASSERT_EQ(tokens.size(), 4u);
    EXPECT_TRUE(is_uuid4(tokens[0])) << tokens[0];
    EXPECT_EQ(tokens[1], tokens[0]) << "the retry of the first call";
    EXPECT_TRUE(is_uuid4(tokens[2])) << tokens[2];
    EXPECT_EQ(tokens[3], tokens[2]) << "the retry of the second call";
    EXPECT_NE(tokens[2], tokens[0]) << "each call has a token of its own";
}

TEST_F(ClientIdempotencyToken, ExecuteTransactionAndImportTableGetOneToo)
{
    call(sample_statements(), fake_action::reset_after_request());
    call(sample_import(), fake_action::reset_after_request(), R"({"ImportTableDescription":{}})");

    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 4u);
    const std::string statement_token = member_of(requests[0].body, "ClientRequestToken");
    EXPECT_TRUE(is_uuid4(statement_token)) << statement_token;
    EXPECT_EQ(member_of(requests[1].body, "ClientRequestToken"), statement_token);
    const std::string import_token = member_of(requests[2].body, "ClientToken");
    EXPECT_TRUE(is_uuid4(import_token)) << import_token;
    EXPECT_EQ(member_of(requests[3].body, "ClientToken"), import_token);
}

TEST_F(ClientIdempotencyToken, TheCallersTokenIsSentAsItIs)
{
    auto request = sample_transaction();
    request.client_request_token = "order-42";
    call(std::move(request), fake_action::internal_error());

    const auto tokens = sent("ClientRequestToken");
    EXPECT_EQ(tokens, (std::vector<std::string>{"order-42", "order-42"}));
}

}  // namespace
