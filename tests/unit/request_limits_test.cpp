// Requests DynamoDB would refuse are refused here first, with the place, the limit and the
// actual size named, and without sending anything.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/protocol/detail/protocol.hpp>
#include "protocol/request_limits.hpp"
#include <dynomite/protocol/operations.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace {

using namespace dynomite;
using namespace std::chrono_literals;

struct refusal {
    error_code ec;
    std::string why;
};

// What the client does before sending: the limits, then encoding.
template <class Request>
refusal check(const Request& request)
{
    refusal out;
    out.ec = detail::check_request_limits(request, &out.why);
    if (!out.ec) {
        std::string body;
        out.ec = detail::encode_request(request, body, &out.why);
    }
    return out;
}

#define EXPECT_REFUSED(request, code, message) \
    do {                                       \
        const refusal r_ = check(request);     \
        EXPECT_EQ(r_.ec, code) << r_.why;      \
        EXPECT_EQ(r_.why, message);            \
    } while (false)

#define EXPECT_REFUSED_WITH(request, code, fragment)                   \
    do {                                                               \
        const refusal r_ = check(request);                             \
        EXPECT_EQ(r_.ec, code) << r_.why;                              \
        EXPECT_NE(r_.why.find(fragment), std::string::npos) << r_.why; \
    } while (false)

#define EXPECT_ACCEPTED(request)           \
    do {                                   \
        const refusal r_ = check(request); \
        EXPECT_FALSE(r_.ec) << r_.why;     \
    } while (false)

const std::string invalid_utf8 = "ok\xC3\x28";  // a two-byte lead followed by ASCII

attribute_map good_key()
{
    return {{"pk", "user#1"}, {"sk", 7}};
}

get_item_request get_with_key(attribute_map key)
{
    get_item_request request;
    request.table_name = "t";
    request.key = std::move(key);
    return request;
}

// --- Key values --------------------------------------------------------------------------

TEST(RequestLimits, ValidRequestsPass)
{
    EXPECT_ACCEPTED(get_with_key(good_key()));
    EXPECT_ACCEPTED(get_with_key({{"pk", bytes{std::byte{1}}}}));
    describe_table_request describe;
    describe.table_name = "t";
    EXPECT_ACCEPTED(describe);
    list_tables_request list;
    EXPECT_ACCEPTED(list);
    delete_table_request drop;
    drop.table_name = "t";
    EXPECT_ACCEPTED(drop);
    describe_time_to_live_request ttl;
    ttl.table_name = "t";
    EXPECT_ACCEPTED(ttl);
    execute_statement_request statement;
    statement.statement = "SELECT * FROM t";
    EXPECT_ACCEPTED(statement);
    batch_execute_statement_request statements;
    statements.statements.push_back({.statement = "SELECT * FROM t"});
    EXPECT_ACCEPTED(statements);
}

TEST(RequestLimits, EmptyStringInAKeyIsRefused)
{
    EXPECT_REFUSED(get_with_key({{"pk", ""}}), errc::invalid_argument,
                   "GetItem: Key.pk: a key attribute is an empty string; DynamoDB refuses empty "
                   "key values");
}

TEST(RequestLimits, EmptyBinaryInAKeyIsRefused)
{
    EXPECT_REFUSED(get_with_key({{"pk", "a"}, {"sk", bytes{}}}), errc::invalid_argument,
                   "GetItem: Key.sk: a key attribute is an empty binary; DynamoDB refuses empty "
                   "key values");
}

TEST(RequestLimits, NonScalarKeyValuesAreRefused)
{
    EXPECT_REFUSED(get_with_key({{"pk", attribute_map{{"a", 1}}}}), errc::invalid_argument,
                   "GetItem: Key.pk: a key attribute is of type M; key attributes are S, N or B");
    EXPECT_REFUSED_WITH(get_with_key({{"pk", string_set{{"a"}}}}), errc::invalid_argument,
                        "of type SS");
    EXPECT_REFUSED_WITH(get_with_key({{"pk", null_value{}}}), errc::invalid_argument,
                        "of type NULL");
    EXPECT_REFUSED_WITH(get_with_key({{"pk", true}}), errc::invalid_argument, "of type BOOL");
}

TEST(RequestLimits, KeyAttributeNamesAreLimitedTo255Bytes)
{
    EXPECT_ACCEPTED(get_with_key({{std::string(255, 'k'), "v"}}));
    EXPECT_REFUSED(get_with_key({{std::string(256, 'k'), "v"}}), errc::invalid_argument,
                   "GetItem: Key: the key attribute name \"" + std::string(32, 'k') +
                       "...\" is 256 bytes long, at most 255 are allowed");
}

TEST(RequestLimits, InvalidUtf8InAKeyIsLeftToEncodingAndRefused)
{
    EXPECT_FALSE(detail::check_request_limits(get_with_key({{invalid_utf8, "v"}}), nullptr));
    EXPECT_REFUSED_WITH(get_with_key({{invalid_utf8, "v"}}), errc::invalid_argument,
                        "not valid UTF-8 (byte 2)");
    EXPECT_REFUSED_WITH(get_with_key({{"pk", invalid_utf8}}), errc::invalid_argument,
                        "not valid UTF-8 (byte 2)");
}

TEST(RequestLimits, KeysOfEveryOperationAreChecked)
{
    const attribute_map empty_key{{"pk", ""}};

    update_item_request update;
    update.table_name = "t";
    update.key = empty_key;
    EXPECT_REFUSED_WITH(update, errc::invalid_argument, "UpdateItem: Key.pk: ");

    delete_item_request del;
    del.table_name = "t";
    del.key = empty_key;
    EXPECT_REFUSED_WITH(del, errc::invalid_argument, "DeleteItem: Key.pk: ");

    query_request query;
    query.table_name = "t";
    query.key_condition_expression = "pk = :v";
    query.expression_attribute_values = {{":v", "a"}};
    query.exclusive_start_key = empty_key;
    EXPECT_REFUSED_WITH(query, errc::invalid_argument, "Query: ExclusiveStartKey.pk: ");

    scan_request scan;
    scan.table_name = "t";
    scan.exclusive_start_key = attribute_map{{"pk", attribute_list{}}};
    EXPECT_REFUSED_WITH(scan, errc::invalid_argument, "Scan: ExclusiveStartKey.pk: ");

    batch_get_item_request batch_get;
    batch_get.request_items.emplace_back("t", keys_and_attributes{.keys = {good_key(), empty_key}});
    EXPECT_REFUSED_WITH(batch_get, errc::invalid_argument,
                        "BatchGetItem: RequestItems.t.Keys[1].pk: a key attribute is an empty");

    batch_write_item_request batch_write;
    batch_write.request_items.emplace_back(
        "t", std::vector<write_request>{put_request{{{"pk", "a"}}}, delete_request{empty_key}});
    EXPECT_REFUSED_WITH(batch_write, errc::invalid_argument,
                        "BatchWriteItem: RequestItems.t[1].DeleteRequest.Key.pk: ");

    transact_get_items_request transact_get;
    transact_get.transact_items.push_back({.table_name = "t", .key = empty_key});
    EXPECT_REFUSED_WITH(transact_get, errc::invalid_argument,
                        "TransactGetItems: TransactItems[0].Get.Key.pk: ");

    transact_write_items_request transact_write;
    transact_write.transact_items.push_back(transact_condition_check{
        .table_name = "t", .key = empty_key, .condition_expression = "attribute_exists(pk)"});
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactWriteItems: TransactItems[0].ConditionCheck.Key.pk: ");
    transact_write.transact_items[0] = transact_delete{.table_name = "t", .key = empty_key};
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactWriteItems: TransactItems[0].Delete.Key.pk: ");
    transact_write.transact_items[0] =
        transact_update{.table_name = "t", .key = empty_key, .update_expression = "SET a = :a"};
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactWriteItems: TransactItems[0].Update.Key.pk: ");
}

// --- Expressions -------------------------------------------------------------------------

TEST(RequestLimits, ExpressionsAreLimitedTo4KB)
{
    get_item_request request = get_with_key(good_key());
    request.projection_expression = std::string(4096, 'a');
    EXPECT_ACCEPTED(request);
    request.projection_expression = std::string(4097, 'a');
    EXPECT_REFUSED(request, errc::invalid_argument,
                   "GetItem: ProjectionExpression: the expression is 4097 bytes long, over "
                   "DynamoDB's limit of 4096");
}

TEST(RequestLimits, EveryExpressionIsChecked)
{
    const std::string too_long(4097, 'a');

    put_item_request put;
    put.table_name = "t";
    put.item = good_key();
    put.condition_expression = too_long;
    EXPECT_REFUSED_WITH(put, errc::invalid_argument, "PutItem: ConditionExpression: ");

    update_item_request update;
    update.table_name = "t";
    update.key = good_key();
    update.update_expression = too_long;
    EXPECT_REFUSED_WITH(update, errc::invalid_argument, "UpdateItem: UpdateExpression: ");
    update.update_expression = "SET a = :a";
    update.expression_attribute_values = {{":a", 1}};
    update.condition_expression = too_long;
    EXPECT_REFUSED_WITH(update, errc::invalid_argument, "UpdateItem: ConditionExpression: ");

    delete_item_request del;
    del.table_name = "t";
    del.key = good_key();
    del.condition_expression = too_long;
    EXPECT_REFUSED_WITH(del, errc::invalid_argument, "DeleteItem: ConditionExpression: ");

    query_request query;
    query.table_name = "t";
    query.key_condition_expression = too_long;
    EXPECT_REFUSED_WITH(query, errc::invalid_argument, "Query: KeyConditionExpression: ");
    query.key_condition_expression = "pk = :v";
    query.filter_expression = too_long;
    EXPECT_REFUSED_WITH(query, errc::invalid_argument, "Query: FilterExpression: ");
    query.filter_expression.reset();
    query.projection_expression = too_long;
    EXPECT_REFUSED_WITH(query, errc::invalid_argument, "Query: ProjectionExpression: ");

    scan_request scan;
    scan.table_name = "t";
    scan.filter_expression = too_long;
    EXPECT_REFUSED_WITH(scan, errc::invalid_argument, "Scan: FilterExpression: ");
    scan.filter_expression.reset();
    scan.projection_expression = too_long;
    EXPECT_REFUSED_WITH(scan, errc::invalid_argument, "Scan: ProjectionExpression: ");

    batch_get_item_request batch_get;
    batch_get.request_items.emplace_back(
        "t", keys_and_attributes{.keys = {good_key()}, .projection_expression = too_long});
    EXPECT_REFUSED_WITH(batch_get, errc::invalid_argument,
                        "BatchGetItem: RequestItems.t.ProjectionExpression: ");

    transact_get_items_request transact_get;
    transact_get.transact_items.push_back(
        {.table_name = "t", .key = good_key(), .projection_expression = too_long});
    EXPECT_REFUSED_WITH(transact_get, errc::invalid_argument,
                        "TransactGetItems: TransactItems[0].Get.ProjectionExpression: ");

    transact_write_items_request transact_write;
    transact_write.transact_items.push_back(transact_condition_check{
        .table_name = "t", .key = good_key(), .condition_expression = too_long});
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactItems[0].ConditionCheck.ConditionExpression: ");
    transact_write.transact_items[0] =
        transact_put{.table_name = "t", .item = good_key(), .condition_expression = too_long};
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactItems[0].Put.ConditionExpression: ");
    transact_write.transact_items[0] =
        transact_delete{.table_name = "t", .key = good_key(), .condition_expression = too_long};
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactItems[0].Delete.ConditionExpression: ");
    transact_write.transact_items[0] =
        transact_update{.table_name = "t", .key = good_key(), .update_expression = too_long};
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactItems[0].Update.UpdateExpression: ");
    transact_write.transact_items[0] = transact_update{.table_name = "t",
                                                       .key = good_key(),
                                                       .update_expression = "REMOVE a",
                                                       .condition_expression = too_long};
    EXPECT_REFUSED_WITH(transact_write, errc::invalid_argument,
                        "TransactItems[0].Update.ConditionExpression: ");
}

TEST(RequestLimits, EmptyOptionalExpressionIsRefused)
{
    get_item_request request = get_with_key(good_key());
    request.projection_expression = "";
    EXPECT_REFUSED(request, errc::invalid_argument,
                   "GetItem: ProjectionExpression: the expression is empty; leave it unset "
                   "instead");
}

TEST(RequestLimits, EmptyRequiredExpressionIsReportedAsMissing)
{
    query_request query;
    query.table_name = "t";
    EXPECT_REFUSED(query, errc::invalid_argument, "Query: KeyConditionExpression is required");
}

TEST(RequestLimits, ExpressionWithInvalidUtf8IsRefused)
{
    get_item_request request = get_with_key(good_key());
    request.projection_expression = invalid_utf8;
    EXPECT_REFUSED(request, errc::invalid_argument,
                   "GetItem: ProjectionExpression: the expression is not valid UTF-8 (byte 2)");
}

TEST(RequestLimits, SubstitutedNamesMustBeValidAttributeNames)
{
    get_item_request request = get_with_key(good_key());
    request.projection_expression = "#n";
    request.expression_attribute_names = {{"#n", invalid_utf8}};
    EXPECT_REFUSED(request, errc::invalid_argument,
                   "GetItem: ExpressionAttributeNames: the name of \"#n\": an attribute name is "
                   "not valid UTF-8 (byte 2)");

    request.expression_attribute_names = {{"#n", std::string(65535, 'n')}};
    EXPECT_ACCEPTED(request);
    request.expression_attribute_names = {{"#n", std::string(65536, 'n')}};
    const refusal long_name = check(request);
    EXPECT_EQ(long_name.ec, errc::invalid_argument);
    EXPECT_NE(long_name.why.find("65536 bytes long, at most 65535 are allowed"), std::string::npos)
        << long_name.why;

    request.expression_attribute_names = {{"#" + invalid_utf8, "n"}};
    EXPECT_REFUSED_WITH(
        request, errc::invalid_argument,
        "GetItem: ExpressionAttributeNames: a placeholder: an attribute name is not "
        "valid UTF-8 (byte 3)");
}

// --- Table definitions -------------------------------------------------------------------

create_table_request table_with_key_named(const std::string& name)
{
    create_table_request request;
    request.table_name = "t";
    request.attribute_definitions = {{.attribute_name = name, .type = scalar_attribute_type::s}};
    request.key_schema = {{.attribute_name = name, .type = key_type::hash}};
    request.billing_mode = billing_mode::pay_per_request;
    return request;
}

TEST(RequestLimits, TableKeyAttributeNamesAreLimitedTo255Bytes)
{
    EXPECT_ACCEPTED(table_with_key_named(std::string(255, 'k')));
    EXPECT_REFUSED(table_with_key_named(std::string(256, 'k')), errc::invalid_argument,
                   "CreateTable: AttributeDefinitions[0].AttributeName: the attribute name \"" +
                       std::string(32, 'k') + "...\" is 256 bytes long, at most 255 are allowed");

    create_table_request request = table_with_key_named("pk");
    request.key_schema[0].attribute_name = std::string(300, 'k');
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "CreateTable: KeySchema[0].AttributeName: the attribute name");

    request = table_with_key_named("pk");
    request.attribute_definitions[0].attribute_name = invalid_utf8;
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "CreateTable: AttributeDefinitions[0].AttributeName: an attribute name is "
                        "not valid UTF-8");
}

TEST(RequestLimits, IndexKeyAndProjectedNamesAreLimitedTo255Bytes)
{
    create_table_request request = table_with_key_named("pk");
    global_secondary_index gsi;
    gsi.index_name = "by_x";
    gsi.key_schema = {{.attribute_name = std::string(256, 'x'), .type = key_type::hash}};
    gsi.projection.projection_type = projection_type::all;
    request.global_secondary_indexes.push_back(gsi);
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "CreateTable: GlobalSecondaryIndexes[0].KeySchema[0].AttributeName: ");

    request.global_secondary_indexes.clear();
    local_secondary_index lsi;
    lsi.index_name = "by_y";
    lsi.key_schema = {{.attribute_name = "pk", .type = key_type::hash},
                      {.attribute_name = "y", .type = key_type::range}};
    lsi.projection.projection_type = projection_type::include;
    lsi.projection.non_key_attributes = {"a", std::string(256, 'p')};
    request.local_secondary_indexes.push_back(lsi);
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "CreateTable: LocalSecondaryIndexes[0].Projection.NonKeyAttributes[1]: "
                        "the attribute name");

    update_table_request update;
    update.table_name = "t";
    create_global_secondary_index_action create;
    create.index_name = "by_z";
    create.key_schema = {{.attribute_name = std::string(256, 'z'), .type = key_type::hash}};
    create.projection.projection_type = projection_type::keys_only;
    update.global_secondary_index_updates.push_back(delete_global_secondary_index_action{"old"});
    update.global_secondary_index_updates.push_back(create);
    EXPECT_REFUSED_WITH(update, errc::invalid_argument,
                        "UpdateTable: GlobalSecondaryIndexUpdates[1].Create.KeySchema[0]."
                        "AttributeName: ");
    update.global_secondary_index_updates.clear();
    update.attribute_definitions = {
        {.attribute_name = std::string(256, 'd'), .type = scalar_attribute_type::n}};
    EXPECT_REFUSED_WITH(update, errc::invalid_argument,
                        "UpdateTable: AttributeDefinitions[0].AttributeName: ");
}

TEST(RequestLimits, TimeToLiveAttributeNameIsLimitedTo255Bytes)
{
    update_time_to_live_request request;
    request.table_name = "t";
    request.time_to_live_specification.enabled = true;
    request.time_to_live_specification.attribute_name = std::string(255, 'e');
    EXPECT_ACCEPTED(request);
    request.time_to_live_specification.attribute_name = std::string(256, 'e');
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "UpdateTimeToLive: TimeToLiveSpecification.AttributeName: the attribute "
                        "name");
}

// --- Limits checked by the values and encoding, through the same path -------------------

TEST(RequestLimits, ItemsOver400KBAreRefusedWithTheirSize)
{
    put_item_request request;
    request.table_name = "t";
    // "pk" (2) + "v" (1) + "data" (4) + the string: one byte over the limit.
    request.item = {{"pk", "v"}, {"data", std::string(max_item_size - 7 + 1, 'x')}};
    EXPECT_REFUSED(request, errc::invalid_argument,
                   "PutItem: Item: the item takes 409601 bytes, over DynamoDB's limit of 409600");
    request.item.set("data", std::string(max_item_size - 7, 'x'));
    EXPECT_ACCEPTED(request);
}

TEST(RequestLimits, EmptySetsAndDuplicateMembersAreRefused)
{
    put_item_request request;
    request.table_name = "t";
    request.item = {{"pk", "a"}, {"tags", string_set{}}};
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "tags: the string set is empty, DynamoDB refuses empty sets");
    request.item.set("tags", number_set{{number("1.0"), number("2"), number("1")}});
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "tags: the number set has duplicate members at indices 0 and 2");
    request.item.set("tags", number_set{{number("1e2"), number("100")}});
    EXPECT_REFUSED_WITH(request, errc::invalid_argument, "duplicate members at indices 0 and 1");
    request.item.set("tags", binary_set{{bytes{std::byte{1}}, bytes{std::byte{1}}}});
    EXPECT_REFUSED_WITH(request, errc::invalid_argument, "the binary set has duplicate members");
}

TEST(RequestLimits, NumbersOutsideDynamoDbsRangeOrPrecisionAreRefused)
{
    const auto refused = [](std::string_view text, std::string_view fragment) {
        number out;
        std::string why;
        EXPECT_EQ(number::parse(text, out, &why), errc::invalid_number) << text;
        EXPECT_NE(why.find(fragment), std::string::npos) << why;
    };
    refused(std::string(39, '9'), "39 significant digits, at most 38 are allowed");
    refused("1E126", "not below 1e126");
    refused("1E-131", "below 1e-130");
    number ok;
    EXPECT_FALSE(number::parse(std::string(38, '9'), ok));
    EXPECT_FALSE(number::parse("9.9999999999999999999999999999999999999E+125", ok));
    EXPECT_FALSE(number::parse("1E-130", ok));

    const auto from_double = [](double d) {
        try {
            attribute_value v(d);
            return std::string();
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_number);
            return std::string(e.what());
        }
    };
    EXPECT_NE(from_double(std::numeric_limits<double>::quiet_NaN()).find("NaN"), std::string::npos);
    EXPECT_NE(from_double(std::numeric_limits<double>::infinity()).find("infinity"),
              std::string::npos);
    EXPECT_NE(from_double(1e200).find("outside DynamoDB's number range"), std::string::npos);
    EXPECT_EQ(from_double(1.5), "");
}

TEST(RequestLimits, InvalidUtf8InValuesAndNamesIsRefused)
{
    put_item_request request;
    request.table_name = "t";
    request.item = {{"pk", "a"}, {"list", attribute_list{"fine", invalid_utf8}}};
    EXPECT_REFUSED_WITH(request, errc::invalid_argument, "list[1]: the string is not valid UTF-8");
    request.item = {{"pk", "a"}, {invalid_utf8, 1}};
    EXPECT_REFUSED_WITH(request, errc::invalid_argument, "an attribute name is not valid UTF-8");
    request.item = {{"pk", "a"}, {"tags", string_set{{"x", invalid_utf8}}}};
    EXPECT_REFUSED_WITH(request, errc::invalid_argument, "string set member 1 is not valid UTF-8");
}

TEST(RequestLimits, AttributeNamesAreLimitedTo64KB)
{
    put_item_request request;
    request.table_name = "t";
    request.item = {{"pk", "a"}, {std::string(65536, 'n'), 1}};
    EXPECT_REFUSED_WITH(request, errc::invalid_argument,
                        "attribute name is 65536 bytes long, at most 65535 are allowed");
}

TEST(RequestLimits, CountsOfBatchesAndTransactionsAreLimited)
{
    batch_get_item_request batch_get;
    keys_and_attributes keys;
    for (int i = 0; i < 101; ++i) keys.keys.push_back({{"pk", i}});
    batch_get.request_items.emplace_back("t", keys);
    EXPECT_REFUSED(batch_get, errc::invalid_argument,
                   "BatchGetItem: RequestItems holds 101 keys, more than the 100 DynamoDB allows");

    batch_write_item_request batch_write;
    std::vector<write_request> writes;
    for (int i = 0; i < 26; ++i) writes.push_back(put_request{{{"pk", i}}});
    batch_write.request_items.emplace_back("t", writes);
    EXPECT_REFUSED(batch_write, errc::invalid_argument,
                   "BatchWriteItem: RequestItems holds 26 writes, more than the 25 DynamoDB "
                   "allows");

    transact_write_items_request transact_write;
    for (int i = 0; i < 101; ++i)
        transact_write.transact_items.push_back(
            transact_delete{.table_name = "t", .key = {{"pk", i}}});
    EXPECT_REFUSED(transact_write, errc::invalid_argument,
                   "TransactWriteItems: TransactItems holds 101 actions, more than the 100 "
                   "DynamoDB allows");

    transact_get_items_request transact_get;
    for (int i = 0; i < 101; ++i)
        transact_get.transact_items.push_back({.table_name = "t", .key = {{"pk", i}}});
    EXPECT_REFUSED_WITH(transact_get, errc::invalid_argument, "holds 101 actions");
}

// --- Through the client: nothing reaches the server -------------------------------------

template <class Request>
std::pair<error_code, diagnostics> run_through_client(test::fake_server& server, Request request)
{
    boost::asio::io_context io;
    client_config config = dynomite::test::fake_client_config(server);
    client c(io.get_executor(), config);
    std::pair<error_code, diagnostics> out;
    bool done = false;
    c.async_execute(std::move(request), out.second, [&](error_code ec, response_t<Request>) {
        out.first = ec;
        done = true;
    });
    io.run_for(20s);
    EXPECT_TRUE(done);
    return out;
}

TEST(RequestLimitsClient, RefusedRequestsNeverReachTheServer)
{
    test::fake_server server;

    const auto [empty_key_ec, empty_key_diag] =
        run_through_client(server, get_with_key({{"pk", ""}}));
    EXPECT_EQ(empty_key_ec, errc::invalid_argument);
    EXPECT_NE(empty_key_diag.message.find("GetItem: Key.pk: a key attribute is an empty string"),
              std::string::npos)
        << empty_key_diag.message;

    update_item_request update;
    update.table_name = "t";
    update.key = good_key();
    update.update_expression = std::string(5000, ' ');
    const auto [long_ec, long_diag] = run_through_client(server, update);
    EXPECT_EQ(long_ec, errc::invalid_argument);
    EXPECT_NE(long_diag.message.find("5000 bytes long"), std::string::npos) << long_diag.message;

    EXPECT_EQ(server.request_count(), 0u);
    EXPECT_EQ(server.connections_accepted(), 0u);

    // The same client path does send a valid request, so the zero above means something.
    const auto [ok_ec, ok_diag] = run_through_client(server, get_with_key(good_key()));
    EXPECT_FALSE(ok_ec) << ok_diag.message;
    EXPECT_EQ(server.request_count(), 1u);
}

}  // namespace
