// Request encoding and response decoding of every operation, without any I/O.
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/protocol/operations.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace dynomite;
namespace json = boost::json;

// Encodes a request that must be valid; returns the body as a JSON object.
template <class Request>
json::object encode_ok(const Request& request)
{
    std::string body;
    std::string why;
    const error_code ec = detail::encode_request(request, body, &why);
    EXPECT_FALSE(ec) << why;
    json::value parsed = json::parse(body);
    EXPECT_TRUE(parsed.is_object()) << body;
    return parsed.is_object() ? parsed.as_object() : json::object();
}

// Encodes a request that must be refused; checks that the body is left as it was.
template <class Request>
std::string encode_error(const Request& request)
{
    const std::string before = "{\"kept\":1}";
    std::string body = before;
    std::string why;
    const error_code ec = detail::encode_request(request, body, &why);
    EXPECT_EQ(ec, errc::invalid_argument) << why;
    EXPECT_EQ(body, before);
    return why;
}

template <class Response>
Response decode_ok(std::string_view text)
{
    Response out;
    std::string why;
    const error_code ec = detail::decode_response(json::parse(text), out, &why);
    EXPECT_FALSE(ec) << why;
    return out;
}

template <class Response>
std::string decode_error(std::string_view text)
{
    Response out;
    std::string why;
    const error_code ec = detail::decode_response(json::parse(text), out, &why);
    EXPECT_EQ(ec, errc::malformed_response);
    return why;
}

bool starts_with(std::string_view s, std::string_view prefix)
{
    return s.starts_with(prefix);
}

#define EXPECT_STARTS_WITH(text, prefix) \
    EXPECT_PRED2(starts_with, text, prefix) << "whole message: " << (text)
#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string_view(text).find(part), std::string_view::npos) << "in: " << (text)

const json::object& obj(const json::value& v)
{
    return v.as_object();
}

std::string str(const json::value& v)
{
    return std::string(v.as_string());
}

std::vector<std::string> keys_of(const json::object& o)
{
    std::vector<std::string> keys;
    for (const auto& member : o) keys.emplace_back(member.key());
    return keys;
}

using strings = std::vector<std::string>;

attribute_map user_key()
{
    return {{"pk", "user#1"}, {"sk", "profile"}};
}

attribute_map bad_item()
{
    return {{"pk", "user#1"}, {"tags", string_set{}}};
}

// ---------------------------------------------------------------- enumerations

TEST(OperationEnums, NamesRoundTrip)
{
    const std::vector<std::pair<return_values, std::string_view>> rv = {
        {return_values::none, "NONE"},
        {return_values::all_old, "ALL_OLD"},
        {return_values::updated_old, "UPDATED_OLD"},
        {return_values::all_new, "ALL_NEW"},
        {return_values::updated_new, "UPDATED_NEW"}};
    for (const auto& [value, name] : rv) {
        EXPECT_EQ(to_string(value), name);
        return_values parsed = return_values::none;
        EXPECT_TRUE(from_string(name, parsed));
        EXPECT_EQ(parsed, value);
    }
    EXPECT_EQ(to_string(return_consumed_capacity::indexes), "INDEXES");
    EXPECT_EQ(to_string(return_consumed_capacity::total), "TOTAL");
    EXPECT_EQ(to_string(return_item_collection_metrics::size), "SIZE");
    EXPECT_EQ(to_string(select_attributes::all_projected_attributes), "ALL_PROJECTED_ATTRIBUTES");
    EXPECT_EQ(to_string(select_attributes::count), "COUNT");
    EXPECT_EQ(to_string(return_values_on_condition_check_failure::all_old), "ALL_OLD");
    EXPECT_EQ(to_string(billing_mode::pay_per_request), "PAY_PER_REQUEST");
    EXPECT_EQ(to_string(projection_type::keys_only), "KEYS_ONLY");
    EXPECT_EQ(to_string(key_type::range), "RANGE");
    EXPECT_EQ(to_string(scalar_attribute_type::b), "B");
    EXPECT_EQ(to_string(table_status::inaccessible_encryption_credentials),
              "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    EXPECT_EQ(to_string(table_status::archived), "ARCHIVED");
    EXPECT_EQ(to_string(index_status::active), "ACTIVE");
    EXPECT_EQ(to_string(stream_view_type::new_and_old_images), "NEW_AND_OLD_IMAGES");
    EXPECT_EQ(to_string(sse_type::aes256), "AES256");
    EXPECT_EQ(to_string(sse_status::updating), "UPDATING");
    EXPECT_EQ(to_string(time_to_live_status::disabling), "DISABLING");
    EXPECT_EQ(to_string(table_class::standard_infrequent_access), "STANDARD_INFREQUENT_ACCESS");

    table_class tc = table_class::standard;
    EXPECT_TRUE(from_string("STANDARD_INFREQUENT_ACCESS", tc));
    EXPECT_EQ(tc, table_class::standard_infrequent_access);
    sse_status status = sse_status::enabled;
    EXPECT_TRUE(from_string("DISABLING", status));
    EXPECT_EQ(status, sse_status::disabling);
}

TEST(OperationEnums, UnknownNames)
{
    table_status status = table_status::active;
    EXPECT_FALSE(from_string("REPLICATING_SOMEWHERE", status));
    EXPECT_EQ(status, table_status::unknown);
    EXPECT_EQ(to_string(table_status::unknown), "");

    // Request-only enumerations have no unknown value: the output is left alone.
    return_values rv = return_values::all_new;
    EXPECT_FALSE(from_string("all_new", rv));  // names are case-sensitive
    EXPECT_EQ(rv, return_values::all_new);
    EXPECT_EQ(to_string(static_cast<return_values>(42)), "");
}

// ---------------------------------------------------------------- GetItem

TEST(GetItemCodec, EncodesAllFields)
{
    get_item_request request;
    request.table_name = "users";
    request.key = user_key();
    request.projection_expression = "#n, email";
    request.expression_attribute_names = {{"#n", "name"}};
    request.consistent_read = true;
    request.return_consumed_capacity = return_consumed_capacity::total;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "Key", "ProjectionExpression", "ExpressionAttributeNames",
                       "ConsistentRead", "ReturnConsumedCapacity"}));
    EXPECT_EQ(str(body.at("TableName")), "users");
    EXPECT_EQ(str(obj(obj(body.at("Key")).at("pk")).at("S")), "user#1");
    EXPECT_EQ(str(obj(obj(body.at("Key")).at("sk")).at("S")), "profile");
    EXPECT_EQ(str(body.at("ProjectionExpression")), "#n, email");
    EXPECT_EQ(str(obj(body.at("ExpressionAttributeNames")).at("#n")), "name");
    EXPECT_EQ(body.at("ConsistentRead"), json::value(true));
    EXPECT_EQ(str(body.at("ReturnConsumedCapacity")), "TOTAL");
}

TEST(GetItemCodec, OmitsAbsentOptionals)
{
    get_item_request request{.table_name = "users", .key = {{"pk", "a"}}};
    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body), (strings{"TableName", "Key"}));
}

TEST(GetItemCodec, AppendsToTheBody)
{
    std::string body = "prefix:";
    ASSERT_FALSE(detail::encode_request(get_item_request{.table_name = "t", .key = {{"k", 1}}},
                                        body, nullptr));
    EXPECT_EQ(body, R"(prefix:{"TableName":"t","Key":{"k":{"N":"1"}}})");
}

TEST(GetItemCodec, RefusesMissingRequiredFields)
{
    EXPECT_EQ(encode_error(get_item_request{.key = user_key()}), "GetItem: TableName is required");
    EXPECT_EQ(encode_error(get_item_request{.table_name = "users"}), "GetItem: Key is required");
    // A null `why` is allowed.
    std::string body;
    EXPECT_EQ(detail::encode_request(get_item_request{}, body, nullptr), errc::invalid_argument);
    EXPECT_TRUE(body.empty());
}

TEST(GetItemCodec, RefusesInvalidKeyValues)
{
    const std::string why = encode_error(get_item_request{.table_name = "t", .key = bad_item()});
    EXPECT_STARTS_WITH(why, "GetItem: Key: ");
    EXPECT_CONTAINS(why, "tags");
    EXPECT_CONTAINS(why, "empty");

    attribute_map bad_utf8{{"pk", std::string("\xff\xfe")}};
    const std::string why_utf8 = encode_error(get_item_request{.table_name = "t", .key = bad_utf8});
    EXPECT_STARTS_WITH(why_utf8, "GetItem: Key: ");
    EXPECT_CONTAINS(why_utf8, "UTF-8");
}

TEST(GetItemCodec, RefusesBadExpressionAttributeNames)
{
    get_item_request request{.table_name = "t", .key = user_key()};
    request.expression_attribute_names = {{"n", "name"}};
    EXPECT_EQ(encode_error(request),
              "GetItem: ExpressionAttributeNames: \"n\" must be '#' followed by at least one "
              "character");
    request.expression_attribute_names = {{"#", "name"}};
    EXPECT_CONTAINS(encode_error(request), "\"#\" must be '#' followed");
    request.expression_attribute_names = {{"#n", ""}};
    EXPECT_EQ(encode_error(request),
              "GetItem: ExpressionAttributeNames: \"#n\" stands for an empty name");
    request.expression_attribute_names = {{"#n", "name"}, {"#m", "x"}, {"#n", "other"}};
    EXPECT_EQ(encode_error(request), "GetItem: ExpressionAttributeNames: \"#n\" appears twice");
}

TEST(GetItemCodec, RefusesEnumValuesOutsideTheEnumeration)
{
    get_item_request request{.table_name = "t", .key = user_key()};
    request.return_consumed_capacity = static_cast<return_consumed_capacity>(7);
    EXPECT_EQ(encode_error(request), "GetItem: ReturnConsumedCapacity has no valid value (7)");
}

TEST(GetItemCodec, DecodesItemAndCapacity)
{
    const auto response = decode_ok<get_item_response>(R"({
        "ConsumedCapacity": {"CapacityUnits": 0.5, "TableName": "Thread",
                             "Table": {"CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}},
        "Item": {"Tags": {"SS": ["Update", "Multiple Items", "HelpMe"]},
                 "LastPostDateTime": {"S": "201303190436"},
                 "Message": {"S": "I want to update multiple items in a single call."},
                 "Views": {"N": "12"}},
        "SomeFutureField": {"x": [1, 2, 3]}
    })");
    ASSERT_TRUE(response.item.has_value());
    EXPECT_EQ(response.item->size(), 4u);
    EXPECT_EQ(response.item->at("Views").as_n().as_int64(), 12);
    EXPECT_EQ(response.item->at("Tags").as_ss().values.size(), 3u);
    ASSERT_TRUE(response.consumed_capacity.has_value());
    EXPECT_EQ(response.consumed_capacity->table_name, "Thread");
    EXPECT_EQ(response.consumed_capacity->capacity_units, 0.5);
    EXPECT_FALSE(response.consumed_capacity->read_capacity_units.has_value());
    ASSERT_TRUE(response.consumed_capacity->table.has_value());
    EXPECT_EQ(response.consumed_capacity->table->read_capacity_units, 0.5);
    EXPECT_FALSE(response.consumed_capacity->table->write_capacity_units.has_value());
}

TEST(GetItemCodec, DecodesMissingItem)
{
    const auto response = decode_ok<get_item_response>("{}");
    EXPECT_FALSE(response.item.has_value());
    EXPECT_FALSE(response.consumed_capacity.has_value());
    // null counts as absent.
    EXPECT_FALSE(decode_ok<get_item_response>(R"({"Item": null})").item.has_value());
}

TEST(GetItemCodec, DecodingResetsTheOutput)
{
    get_item_response response;
    response.item = attribute_map{{"stale", true}};
    std::string why;
    ASSERT_FALSE(detail::decode_response(json::parse("{}"), response, &why)) << why;
    EXPECT_FALSE(response.item.has_value());
}

TEST(GetItemCodec, RejectsMalformedResponses)
{
    const std::string why =
        decode_error<get_item_response>(R"({"Item": {"id": {"S": "a"}, "price": {"N": 12}}})");
    EXPECT_STARTS_WITH(why, "GetItem: Item.price");
    EXPECT_EQ(decode_error<get_item_response>("[1, 2]"), "GetItem: expected an object, got array");
    EXPECT_EQ(decode_error<get_item_response>(R"({"Item": "x"})").find("GetItem: Item"), 0u);
    EXPECT_EQ(decode_error<get_item_response>(R"({"ConsumedCapacity": {"CapacityUnits": "1"}})"),
              "GetItem: ConsumedCapacity.CapacityUnits: expected a number, got string");
}

// ---------------------------------------------------------------- PutItem

TEST(PutItemCodec, EncodesAllFields)
{
    put_item_request request;
    request.table_name = "users";
    request.item = {{"pk", "user#1"}, {"age", 33}, {"tags", string_set{{"a", "b"}}}};
    request.condition_expression = "attribute_not_exists(#pk) OR #v < :v";
    request.expression_attribute_names = {{"#pk", "pk"}, {"#v", "version"}};
    request.expression_attribute_values = {{":v", 3}};
    request.return_values = return_values::all_old;
    request.return_consumed_capacity = return_consumed_capacity::indexes;
    request.return_item_collection_metrics = return_item_collection_metrics::size;
    request.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "Item", "ConditionExpression", "ExpressionAttributeNames",
                       "ExpressionAttributeValues", "ReturnValues", "ReturnConsumedCapacity",
                       "ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure"}));
    const json::object& item = obj(body.at("Item"));
    EXPECT_EQ(keys_of(item), (strings{"pk", "age", "tags"}));
    EXPECT_EQ(str(obj(item.at("age")).at("N")), "33");
    EXPECT_EQ(obj(item.at("tags")).at("SS").as_array().size(), 2u);
    EXPECT_EQ(str(body.at("ConditionExpression")), "attribute_not_exists(#pk) OR #v < :v");
    EXPECT_EQ(str(obj(body.at("ExpressionAttributeNames")).at("#v")), "version");
    EXPECT_EQ(str(obj(obj(body.at("ExpressionAttributeValues")).at(":v")).at("N")), "3");
    EXPECT_EQ(str(body.at("ReturnValues")), "ALL_OLD");
    EXPECT_EQ(str(body.at("ReturnConsumedCapacity")), "INDEXES");
    EXPECT_EQ(str(body.at("ReturnItemCollectionMetrics")), "SIZE");
    EXPECT_EQ(str(body.at("ReturnValuesOnConditionCheckFailure")), "ALL_OLD");
}

TEST(PutItemCodec, OmitsAbsentOptionals)
{
    const json::object body = encode_ok(put_item_request{.table_name = "t", .item = {{"k", 1}}});
    EXPECT_EQ(keys_of(body), (strings{"TableName", "Item"}));
}

TEST(PutItemCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(put_item_request{.item = {{"k", 1}}}), "PutItem: TableName is required");
    EXPECT_EQ(encode_error(put_item_request{.table_name = "t"}), "PutItem: Item is required");

    const std::string why = encode_error(put_item_request{.table_name = "t", .item = bad_item()});
    EXPECT_STARTS_WITH(why, "PutItem: Item: ");
    EXPECT_CONTAINS(why, "tags");

    put_item_request request{.table_name = "t", .item = {{"k", 1}}};
    request.return_values = return_values::all_new;
    EXPECT_EQ(encode_error(request),
              "PutItem: ReturnValues must be NONE or ALL_OLD here, got ALL_NEW");
    request.return_values = static_cast<return_values>(99);
    EXPECT_EQ(encode_error(request),
              "PutItem: ReturnValues must be NONE or ALL_OLD here, got an invalid value");

    request.return_values = return_values::none;
    request.expression_attribute_values = {{"v", 1}};
    EXPECT_EQ(encode_error(request),
              "PutItem: ExpressionAttributeValues: \"v\" must be ':' followed by at least one "
              "character");
    request.expression_attribute_values = {{":v", number_set{}}};
    const std::string why_value = encode_error(request);
    EXPECT_STARTS_WITH(why_value, "PutItem: ExpressionAttributeValues: ");
    EXPECT_CONTAINS(why_value, ":v");

    request.expression_attribute_values = {};
    request.return_item_collection_metrics = static_cast<return_item_collection_metrics>(5);
    EXPECT_EQ(encode_error(request), "PutItem: ReturnItemCollectionMetrics has no valid value (5)");
}

TEST(PutItemCodec, RefusesItemsOverTheSizeLimit)
{
    put_item_request request{.table_name = "t"};
    request.item = {{"pk", "a"}, {"blob", std::string(max_item_size, 'x')}};
    const std::string why = encode_error(request);
    EXPECT_STARTS_WITH(why, "PutItem: Item: the item takes ");
    EXPECT_CONTAINS(why, "409600");
}

TEST(PutItemCodec, DecodesAttributesAndMetrics)
{
    const auto response = decode_ok<put_item_response>(R"({
        "Attributes": {"AlbumTitle": {"S": "Songs About Life"}, "Artist": {"S": "Acme Band"}},
        "ConsumedCapacity": {"CapacityUnits": 1, "TableName": "Music",
                             "LocalSecondaryIndexes": {"ByAlbum": {"CapacityUnits": 1}}},
        "ItemCollectionMetrics": {"ItemCollectionKey": {"Artist": {"S": "Acme Band"}},
                                  "SizeEstimateRangeGB": [0, 1.5]}
    })");
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(response.attributes->at("AlbumTitle").as_s(), "Songs About Life");
    ASSERT_TRUE(response.consumed_capacity.has_value());
    EXPECT_EQ(response.consumed_capacity->capacity_units, 1.0);
    ASSERT_EQ(response.consumed_capacity->local_secondary_indexes.size(), 1u);
    EXPECT_EQ(response.consumed_capacity->local_secondary_indexes[0].first, "ByAlbum");
    EXPECT_EQ(response.consumed_capacity->local_secondary_indexes[0].second.capacity_units, 1.0);
    ASSERT_TRUE(response.item_collection_metrics.has_value());
    EXPECT_EQ(response.item_collection_metrics->item_collection_key.at("Artist").as_s(),
              "Acme Band");
    EXPECT_EQ(response.item_collection_metrics->size_estimate_range_gb,
              (std::vector<double>{0.0, 1.5}));
}

TEST(PutItemCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<put_item_response>(
                  R"({"ItemCollectionMetrics": {"SizeEstimateRangeGB": [0, "1"]}})"),
              "PutItem: ItemCollectionMetrics.SizeEstimateRangeGB[1]: expected a number, got "
              "string");
    EXPECT_STARTS_WITH(decode_error<put_item_response>(R"({"Attributes": {"a": {"Q": "x"}}})"),
                       "PutItem: Attributes.a");
}

// ---------------------------------------------------------------- UpdateItem

TEST(UpdateItemCodec, EncodesAllFields)
{
    update_item_request request;
    request.table_name = "users";
    request.key = user_key();
    request.update_expression = "SET #c = #c + :one REMOVE legacy";
    request.condition_expression = "attribute_exists(pk)";
    request.expression_attribute_names = {{"#c", "count"}};
    request.expression_attribute_values = {{":one", 1}};
    request.return_values = return_values::updated_new;
    request.return_consumed_capacity = return_consumed_capacity::none;
    request.return_item_collection_metrics = return_item_collection_metrics::none;
    request.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::none;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "Key", "UpdateExpression", "ConditionExpression",
                       "ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValues",
                       "ReturnConsumedCapacity", "ReturnItemCollectionMetrics",
                       "ReturnValuesOnConditionCheckFailure"}));
    EXPECT_EQ(str(body.at("UpdateExpression")), "SET #c = #c + :one REMOVE legacy");
    EXPECT_EQ(str(body.at("ReturnValues")), "UPDATED_NEW");
    EXPECT_EQ(str(body.at("ReturnConsumedCapacity")), "NONE");
    EXPECT_EQ(str(body.at("ReturnItemCollectionMetrics")), "NONE");
    EXPECT_EQ(str(body.at("ReturnValuesOnConditionCheckFailure")), "NONE");

    const json::object minimal =
        encode_ok(update_item_request{.table_name = "t", .key = {{"k", 1}}});
    EXPECT_EQ(keys_of(minimal), (strings{"TableName", "Key"}));
}

TEST(UpdateItemCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(update_item_request{.key = user_key()}),
              "UpdateItem: TableName is required");
    EXPECT_EQ(encode_error(update_item_request{.table_name = "t"}), "UpdateItem: Key is required");
    update_item_request request{.table_name = "t", .key = user_key()};
    request.return_values = static_cast<return_values>(9);
    EXPECT_EQ(encode_error(request), "UpdateItem: ReturnValues has no valid value (9)");
}

TEST(UpdateItemCodec, DecodesAttributes)
{
    const auto response = decode_ok<update_item_response>(R"({
        "Attributes": {"count": {"N": "4"}, "tags": {"L": [{"S": "a"}, {"BOOL": true}]}}
    })");
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(response.attributes->at("count").as_n().as_int64(), 4);
    EXPECT_EQ(response.attributes->at("tags").as_l().size(), 2u);
    EXPECT_FALSE(response.consumed_capacity.has_value());
    EXPECT_FALSE(response.item_collection_metrics.has_value());
}

TEST(UpdateItemCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<update_item_response>(
                  R"({"ConsumedCapacity": {"TableName": "t", "CapacityUnits": true}})"),
              "UpdateItem: ConsumedCapacity.CapacityUnits: expected a number, got boolean");
    EXPECT_EQ(decode_error<update_item_response>(
                  R"({"ConsumedCapacity": {"GlobalSecondaryIndexes": {"g": 1}}})"),
              "UpdateItem: ConsumedCapacity.GlobalSecondaryIndexes.g: expected an object, got "
              "number");
}

// ---------------------------------------------------------------- DeleteItem

TEST(DeleteItemCodec, EncodesAllFields)
{
    delete_item_request request;
    request.table_name = "users";
    request.key = user_key();
    request.condition_expression = "#s = :s";
    request.expression_attribute_names = {{"#s", "status"}};
    request.expression_attribute_values = {{":s", "inactive"}};
    request.return_values = return_values::all_old;
    request.return_consumed_capacity = return_consumed_capacity::total;
    request.return_item_collection_metrics = return_item_collection_metrics::size;
    request.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "Key", "ConditionExpression", "ExpressionAttributeNames",
                       "ExpressionAttributeValues", "ReturnValues", "ReturnConsumedCapacity",
                       "ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure"}));
    EXPECT_EQ(str(obj(obj(body.at("ExpressionAttributeValues")).at(":s")).at("S")), "inactive");
    EXPECT_EQ(str(body.at("ReturnValues")), "ALL_OLD");

    const json::object minimal =
        encode_ok(delete_item_request{.table_name = "t", .key = {{"k", 1}}});
    EXPECT_EQ(keys_of(minimal), (strings{"TableName", "Key"}));
}

TEST(DeleteItemCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(delete_item_request{.key = user_key()}),
              "DeleteItem: TableName is required");
    EXPECT_EQ(encode_error(delete_item_request{.table_name = "t"}), "DeleteItem: Key is required");
    delete_item_request request{.table_name = "t", .key = user_key()};
    request.return_values = return_values::updated_old;
    EXPECT_EQ(encode_error(request),
              "DeleteItem: ReturnValues must be NONE or ALL_OLD here, got UPDATED_OLD");
}

TEST(DeleteItemCodec, DecodesAttributes)
{
    const auto response = decode_ok<delete_item_response>(R"({
        "Attributes": {"pk": {"S": "user#1"}, "avatar": {"B": "aGVsbG8="}},
        "ConsumedCapacity": {"CapacityUnits": 1, "TableName": "users"}
    })");
    ASSERT_TRUE(response.attributes.has_value());
    EXPECT_EQ(response.attributes->at("avatar").as_b(), to_bytes("hello"));
    EXPECT_EQ(response.consumed_capacity->table_name, "users");
}

TEST(DeleteItemCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<delete_item_response>(R"({"ConsumedCapacity": {"TableName": 5}})"),
              "DeleteItem: ConsumedCapacity.TableName: expected a string, got number");
    EXPECT_STARTS_WITH(decode_error<delete_item_response>(R"({"Attributes": []})"),
                       "DeleteItem: Attributes");
}

// ---------------------------------------------------------------- Query

TEST(QueryCodec, EncodesAllFields)
{
    query_request request;
    request.table_name = "Reply";
    request.index_name = "PostedBy-Index";
    request.key_condition_expression = "Id = :id AND begins_with(ReplyDateTime, :prefix)";
    request.filter_expression = "#v > :views";
    request.projection_expression = "Id, Message";
    request.expression_attribute_names = {{"#v", "Views"}};
    request.expression_attribute_values = {
        {":id", "Amazon DynamoDB#DynamoDB Thread 1"}, {":prefix", "2015-09"}, {":views", 10}};
    request.select = select_attributes::specific_attributes;
    request.limit = 25;
    request.consistent_read = false;
    request.scan_index_forward = false;
    request.exclusive_start_key = attribute_map{{"Id", "x"}, {"ReplyDateTime", "2015-09-01"}};
    request.return_consumed_capacity = return_consumed_capacity::indexes;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "IndexName", "KeyConditionExpression", "FilterExpression",
                       "ProjectionExpression", "ExpressionAttributeNames",
                       "ExpressionAttributeValues", "Select", "Limit", "ConsistentRead",
                       "ScanIndexForward", "ExclusiveStartKey", "ReturnConsumedCapacity"}));
    EXPECT_EQ(str(body.at("IndexName")), "PostedBy-Index");
    EXPECT_EQ(str(body.at("Select")), "SPECIFIC_ATTRIBUTES");
    EXPECT_EQ(body.at("Limit").to_number<std::int64_t>(), 25);
    EXPECT_EQ(body.at("ConsistentRead"), json::value(false));
    EXPECT_EQ(body.at("ScanIndexForward"), json::value(false));
    EXPECT_EQ(obj(body.at("ExpressionAttributeValues")).size(), 3u);
    EXPECT_EQ(str(obj(obj(body.at("ExclusiveStartKey")).at("ReplyDateTime")).at("S")),
              "2015-09-01");
}

TEST(QueryCodec, OmitsAbsentOptionals)
{
    const json::object body =
        encode_ok(query_request{.table_name = "t",
                                .key_condition_expression = "pk = :p",
                                .expression_attribute_values = {{":p", "a"}}});
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "KeyConditionExpression", "ExpressionAttributeValues"}));
}

TEST(QueryCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(query_request{.key_condition_expression = "pk = :p"}),
              "Query: TableName is required");
    EXPECT_EQ(encode_error(query_request{.table_name = "t"}),
              "Query: KeyConditionExpression is required");
    query_request request{.table_name = "t", .key_condition_expression = "pk = :p"};
    request.limit = 0;
    EXPECT_EQ(encode_error(request), "Query: Limit must be at least 1, got 0");
    request.limit = -3;
    EXPECT_EQ(encode_error(request), "Query: Limit must be at least 1, got -3");
    request.limit.reset();
    request.exclusive_start_key = attribute_map{};
    EXPECT_EQ(encode_error(request),
              "Query: ExclusiveStartKey is empty; leave it unset to start over");
    request.exclusive_start_key = bad_item();
    EXPECT_STARTS_WITH(encode_error(request), "Query: ExclusiveStartKey: ");
    request.exclusive_start_key.reset();
    request.select = static_cast<select_attributes>(11);
    EXPECT_EQ(encode_error(request), "Query: Select has no valid value (11)");
}

TEST(QueryCodec, DecodesAPage)
{
    const auto response = decode_ok<query_response>(R"({
        "ConsumedCapacity": {"CapacityUnits": 1.5, "TableName": "Reply",
                             "Table": {"CapacityUnits": 0.5},
                             "GlobalSecondaryIndexes": {"PostedBy-Index": {"CapacityUnits": 1,
                                 "ReadCapacityUnits": 1}}},
        "Count": 2,
        "Items": [
            {"ReplyDateTime": {"S": "2015-02-18T20:27:36.165Z"},
             "Id": {"S": "Amazon DynamoDB#DynamoDB Thread 1"}, "Views": {"N": "3"}},
            {"ReplyDateTime": {"S": "2015-02-25T20:27:36.165Z"},
             "Id": {"S": "Amazon DynamoDB#DynamoDB Thread 1"}, "Views": {"N": "7"}}
        ],
        "LastEvaluatedKey": {"Id": {"S": "Amazon DynamoDB#DynamoDB Thread 1"},
                             "ReplyDateTime": {"S": "2015-02-25T20:27:36.165Z"}},
        "ScannedCount": 5
    })");
    ASSERT_EQ(response.items.size(), 2u);
    EXPECT_EQ(response.items[1].at("Views").as_n().as_int64(), 7);
    EXPECT_EQ(response.count, 2);
    EXPECT_EQ(response.scanned_count, 5);
    ASSERT_TRUE(response.last_evaluated_key.has_value());
    EXPECT_EQ(response.last_evaluated_key->size(), 2u);
    ASSERT_TRUE(response.consumed_capacity.has_value());
    ASSERT_EQ(response.consumed_capacity->global_secondary_indexes.size(), 1u);
    EXPECT_EQ(response.consumed_capacity->global_secondary_indexes[0].first, "PostedBy-Index");
    EXPECT_EQ(response.consumed_capacity->global_secondary_indexes[0].second.read_capacity_units,
              1.0);
    EXPECT_EQ(response.consumed_capacity->table->capacity_units, 0.5);
}

TEST(QueryCodec, DecodesAnEmptyPageAndIntegersInExponentForm)
{
    const auto response =
        decode_ok<query_response>(R"({"Count": 0.0, "Items": [], "ScannedCount": 1.2E1})");
    EXPECT_TRUE(response.items.empty());
    EXPECT_EQ(response.count, 0);
    EXPECT_EQ(response.scanned_count, 12);
    EXPECT_FALSE(response.last_evaluated_key.has_value());
}

TEST(QueryCodec, RejectsMalformedResponses)
{
    const std::string why = decode_error<query_response>(R"({
        "Count": 4,
        "Items": [{"a": {"S": "x"}}, {"a": {"S": "x"}}, {"a": {"S": "x"}},
                  {"price": {"N": "not a number"}}]
    })");
    EXPECT_STARTS_WITH(why, "Query: Items[3].price");
    EXPECT_EQ(decode_error<query_response>(R"({"Count": 1.5})"),
              "Query: Count: expected an integer, got 1.5E0");
    EXPECT_EQ(decode_error<query_response>(R"({"Count": "3"})"),
              "Query: Count: expected an integer, got string");
    EXPECT_EQ(decode_error<query_response>(R"({"ScannedCount": 18446744073709551615})"),
              "Query: ScannedCount: the integer 18446744073709551615 is out of range");
    EXPECT_EQ(decode_error<query_response>(R"({"Items": {}})"),
              "Query: Items: expected an array, got object");
    EXPECT_STARTS_WITH(decode_error<query_response>(R"({"LastEvaluatedKey": 3})"),
                       "Query: LastEvaluatedKey");
}

// ---------------------------------------------------------------- Scan

TEST(ScanCodec, EncodesAllFields)
{
    scan_request request;
    request.table_name = "Music";
    request.index_name = "ByGenre";
    request.filter_expression = "Genre = :g";
    request.projection_expression = "#a, SongTitle";
    request.expression_attribute_names = {{"#a", "Artist"}};
    request.expression_attribute_values = {{":g", "Rock"}};
    request.select = select_attributes::all_projected_attributes;
    request.limit = 100;
    request.consistent_read = true;
    request.exclusive_start_key = attribute_map{{"Artist", "Acme"}};
    request.segment = 3;
    request.total_segments = 4;
    request.return_consumed_capacity = return_consumed_capacity::total;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "IndexName", "FilterExpression", "ProjectionExpression",
                       "ExpressionAttributeNames", "ExpressionAttributeValues", "Select", "Limit",
                       "ConsistentRead", "ExclusiveStartKey", "Segment", "TotalSegments",
                       "ReturnConsumedCapacity"}));
    EXPECT_EQ(body.at("Segment").to_number<std::int64_t>(), 3);
    EXPECT_EQ(body.at("TotalSegments").to_number<std::int64_t>(), 4);
    EXPECT_EQ(str(body.at("Select")), "ALL_PROJECTED_ATTRIBUTES");

    EXPECT_EQ(keys_of(encode_ok(scan_request{.table_name = "Music"})), (strings{"TableName"}));
}

TEST(ScanCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(scan_request{}), "Scan: TableName is required");
    scan_request request{.table_name = "t"};
    request.segment = 0;
    EXPECT_EQ(encode_error(request),
              "Scan: Segment and TotalSegments go together: set both or neither");
    request.segment.reset();
    request.total_segments = 2;
    EXPECT_EQ(encode_error(request),
              "Scan: Segment and TotalSegments go together: set both or neither");
    request.segment = 0;
    request.total_segments = 0;
    EXPECT_EQ(encode_error(request), "Scan: TotalSegments must be between 1 and 1000000, got 0");
    request.total_segments = 1000001;
    EXPECT_EQ(encode_error(request),
              "Scan: TotalSegments must be between 1 and 1000000, got 1000001");
    request.total_segments = 4;
    request.segment = 4;
    EXPECT_EQ(encode_error(request),
              "Scan: Segment must be between 0 and TotalSegments - 1 (3), got 4");
    request.segment = -1;
    EXPECT_EQ(encode_error(request),
              "Scan: Segment must be between 0 and TotalSegments - 1 (3), got -1");
    request.segment = 0;
    request.limit = 0;
    EXPECT_EQ(encode_error(request), "Scan: Limit must be at least 1, got 0");
}

TEST(ScanCodec, DecodesAPage)
{
    const auto response = decode_ok<scan_response>(R"({
        "ConsumedCapacity": {"CapacityUnits": 0.5, "TableName": "Music"},
        "Count": 2,
        "Items": [
            {"AlbumTitle": {"S": "Somewhat Famous"}, "SongTitle": {"S": "Call Me Today"}},
            {"AlbumTitle": {"S": "Blue Sky Blues"}, "SongTitle": {"S": "Scared of My Shadow"}}
        ],
        "ScannedCount": 3
    })");
    ASSERT_EQ(response.items.size(), 2u);
    EXPECT_EQ(response.items[0].at("SongTitle").as_s(), "Call Me Today");
    EXPECT_EQ(response.count, 2);
    EXPECT_EQ(response.scanned_count, 3);
    EXPECT_FALSE(response.last_evaluated_key.has_value());
    EXPECT_EQ(response.consumed_capacity->capacity_units, 0.5);
}

TEST(ScanCodec, RejectsMalformedResponses)
{
    EXPECT_STARTS_WITH(decode_error<scan_response>(R"({"Items": [{"a": {"S": "x"}}, 7]})"),
                       "Scan: Items[1]");
    EXPECT_EQ(decode_error<scan_response>(R"({"Count": [1]})"),
              "Scan: Count: expected an integer, got array");
}

// ---------------------------------------------------------------- BatchGetItem

batch_get_item_request two_table_batch_get()
{
    batch_get_item_request request;
    request.request_items.emplace_back(
        "Music",
        keys_and_attributes{.keys = {{{"Artist", "No One You Know"}}, {{"Artist", "Acme Band"}}},
                            .projection_expression = "AlbumTitle, #y",
                            .expression_attribute_names = {{"#y", "Year"}},
                            .consistent_read = true});
    request.request_items.emplace_back("Books",
                                       keys_and_attributes{.keys = {{{"Isbn", 9780306406157}}}});
    return request;
}

TEST(BatchGetItemCodec, EncodesAllFields)
{
    batch_get_item_request request = two_table_batch_get();
    request.return_consumed_capacity = return_consumed_capacity::total;
    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body), (strings{"RequestItems", "ReturnConsumedCapacity"}));
    const json::object& items = obj(body.at("RequestItems"));
    EXPECT_EQ(keys_of(items), (strings{"Music", "Books"}));
    const json::object& music = obj(items.at("Music"));
    EXPECT_EQ(keys_of(music), (strings{"Keys", "ProjectionExpression", "ExpressionAttributeNames",
                                       "ConsistentRead"}));
    ASSERT_EQ(music.at("Keys").as_array().size(), 2u);
    EXPECT_EQ(str(obj(obj(music.at("Keys").as_array()[1]).at("Artist")).at("S")), "Acme Band");
    const json::object& books = obj(items.at("Books"));
    EXPECT_EQ(keys_of(books), (strings{"Keys"}));
    EXPECT_EQ(str(obj(obj(books.at("Keys").as_array()[0]).at("Isbn")).at("N")), "9780306406157");
}

TEST(BatchGetItemCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(batch_get_item_request{}), "BatchGetItem: RequestItems is required");

    batch_get_item_request too_many;
    keys_and_attributes keys;
    for (int i = 0; i < 60; ++i) keys.keys.push_back({{"id", i}});
    too_many.request_items.emplace_back("a", keys);
    too_many.request_items.emplace_back("b", keys);
    EXPECT_EQ(encode_error(too_many),
              "BatchGetItem: RequestItems holds 120 keys, more than the 100 DynamoDB allows");
    too_many.request_items.pop_back();
    too_many.request_items.emplace_back(
        "b", keys_and_attributes{.keys = {keys.keys.begin(), keys.keys.begin() + 40}});
    EXPECT_FALSE(encode_ok(too_many).empty());  // exactly 100

    batch_get_item_request request = two_table_batch_get();
    request.request_items[1].first = "Music";
    EXPECT_EQ(encode_error(request), "BatchGetItem: RequestItems: table \"Music\" appears twice");
    request.request_items[1].first = "";
    EXPECT_EQ(encode_error(request), "BatchGetItem: RequestItems: a table name is empty");

    request = two_table_batch_get();
    request.request_items[1].second.keys.clear();
    EXPECT_EQ(encode_error(request), "BatchGetItem: RequestItems.Books: Keys is required");

    request = two_table_batch_get();
    request.request_items[0].second.keys.push_back({{"Artist", "No One You Know"}});
    EXPECT_EQ(encode_error(request),
              "BatchGetItem: RequestItems.Music.Keys[2]: the same key as Keys[0]; DynamoDB "
              "refuses duplicate keys");

    request = two_table_batch_get();
    request.request_items[0].second.keys[1] = {};
    EXPECT_EQ(encode_error(request), "BatchGetItem: RequestItems.Music.Keys[1]: the key is empty");

    request = two_table_batch_get();
    request.request_items[0].second.keys[1] = bad_item();
    EXPECT_STARTS_WITH(encode_error(request), "BatchGetItem: RequestItems.Music.Keys[1]: tags");

    request = two_table_batch_get();
    request.request_items[0].second.expression_attribute_names = {{"y", "Year"}};
    EXPECT_STARTS_WITH(encode_error(request),
                       "BatchGetItem: RequestItems.Music.ExpressionAttributeNames: \"y\"");
}

TEST(BatchGetItemCodec, DecodesResponsesAndUnprocessedKeys)
{
    const auto response = decode_ok<batch_get_item_response>(R"({
        "Responses": {
            "Music": [{"AlbumTitle": {"S": "Somewhat Famous"}},
                      {"AlbumTitle": {"S": "Blue Sky Blues"}}],
            "Books": []
        },
        "UnprocessedKeys": {
            "Music": {"Keys": [{"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}}],
                      "ProjectionExpression": "AlbumTitle, #y",
                      "ExpressionAttributeNames": {"#y": "Year"},
                      "ConsistentRead": true}
        },
        "ConsumedCapacity": [{"CapacityUnits": 1, "TableName": "Music"},
                             {"CapacityUnits": 0.5, "TableName": "Books"}]
    })");
    ASSERT_EQ(response.responses.size(), 2u);
    EXPECT_EQ(response.responses[0].first, "Music");
    ASSERT_EQ(response.responses[0].second.size(), 2u);
    EXPECT_EQ(response.responses[0].second[1].at("AlbumTitle").as_s(), "Blue Sky Blues");
    EXPECT_EQ(response.responses[1].first, "Books");
    EXPECT_TRUE(response.responses[1].second.empty());
    ASSERT_EQ(response.unprocessed_keys.size(), 1u);
    const keys_and_attributes& unprocessed = response.unprocessed_keys[0].second;
    ASSERT_EQ(unprocessed.keys.size(), 1u);
    EXPECT_EQ(unprocessed.keys[0].at("SongTitle").as_s(), "Happy Day");
    EXPECT_EQ(unprocessed.projection_expression, "AlbumTitle, #y");
    EXPECT_EQ(unprocessed.expression_attribute_names, (expression_names{{"#y", "Year"}}));
    EXPECT_EQ(unprocessed.consistent_read, true);
    ASSERT_EQ(response.consumed_capacity.size(), 2u);
    EXPECT_EQ(response.consumed_capacity[1].table_name, "Books");

    // Unprocessed keys decode back into a request that encodes.
    batch_get_item_request retry{.request_items = response.unprocessed_keys};
    EXPECT_EQ(keys_of(obj(encode_ok(retry).at("RequestItems"))), (strings{"Music"}));
}

TEST(BatchGetItemCodec, RejectsMalformedResponses)
{
    EXPECT_STARTS_WITH(decode_error<batch_get_item_response>(
                           R"({"Responses": {"Music": [{"a": {"S": "x"}}, {"a": {"N": true}}]}})"),
                       "BatchGetItem: Responses.Music[1].a");
    EXPECT_EQ(decode_error<batch_get_item_response>(R"({"Responses": []})"),
              "BatchGetItem: Responses: expected an object, got array");
    EXPECT_EQ(decode_error<batch_get_item_response>(R"({"ConsumedCapacity": {"TableName": "x"}})"),
              "BatchGetItem: ConsumedCapacity: expected an array, got object");
    EXPECT_EQ(decode_error<batch_get_item_response>(
                  R"({"UnprocessedKeys": {"T": {"ExpressionAttributeNames": {"#a": 1}}}})"),
              "BatchGetItem: UnprocessedKeys.T.ExpressionAttributeNames.#a: expected a string, "
              "got number");
}

// ---------------------------------------------------------------- BatchWriteItem

batch_write_item_request two_table_batch_write()
{
    batch_write_item_request request;
    request.request_items.emplace_back(
        "Music", std::vector<write_request>{
                     put_request{{{"Artist", "No One You Know"}, {"SongTitle", "Call Me Today"}}},
                     delete_request{{{"Artist", "Acme Band"}, {"SongTitle", "Happy Day"}}}});
    request.request_items.emplace_back(
        "Books", std::vector<write_request>{put_request{{{"Isbn", 1}, {"Title", "A"}}}});
    return request;
}

TEST(BatchWriteItemCodec, EncodesAllFields)
{
    batch_write_item_request request = two_table_batch_write();
    request.return_consumed_capacity = return_consumed_capacity::indexes;
    request.return_item_collection_metrics = return_item_collection_metrics::size;
    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"RequestItems", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"}));
    const json::object& items = obj(body.at("RequestItems"));
    EXPECT_EQ(keys_of(items), (strings{"Music", "Books"}));
    const json::array& music = items.at("Music").as_array();
    ASSERT_EQ(music.size(), 2u);
    EXPECT_EQ(keys_of(obj(music[0])), (strings{"PutRequest"}));
    EXPECT_EQ(str(obj(obj(obj(obj(music[0]).at("PutRequest")).at("Item")).at("SongTitle")).at("S")),
              "Call Me Today");
    EXPECT_EQ(keys_of(obj(music[1])), (strings{"DeleteRequest"}));
    EXPECT_EQ(keys_of(obj(obj(obj(music[1]).at("DeleteRequest")).at("Key"))),
              (strings{"Artist", "SongTitle"}));

    EXPECT_EQ(keys_of(encode_ok(two_table_batch_write())), (strings{"RequestItems"}));
}

TEST(BatchWriteItemCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(batch_write_item_request{}), "BatchWriteItem: RequestItems is required");

    batch_write_item_request too_many;
    std::vector<write_request> writes;
    for (int i = 0; i < 26; ++i) writes.push_back(delete_request{{{"id", i}}});
    too_many.request_items.emplace_back("t", writes);
    EXPECT_EQ(encode_error(too_many),
              "BatchWriteItem: RequestItems holds 26 writes, more than the 25 DynamoDB allows");
    too_many.request_items[0].second.pop_back();
    EXPECT_FALSE(encode_ok(too_many).empty());  // exactly 25

    batch_write_item_request request = two_table_batch_write();
    request.request_items[1].second.clear();
    EXPECT_EQ(encode_error(request),
              "BatchWriteItem: RequestItems.Books: no writes for this table");

    request = two_table_batch_write();
    request.request_items[0].first = "Books";
    EXPECT_EQ(encode_error(request), "BatchWriteItem: RequestItems: table \"Books\" appears twice");

    request = two_table_batch_write();
    request.request_items[0].second[0] = put_request{};
    EXPECT_EQ(encode_error(request),
              "BatchWriteItem: RequestItems.Music[0].PutRequest: Item is required");
    request.request_items[0].second[0] = delete_request{};
    EXPECT_EQ(encode_error(request),
              "BatchWriteItem: RequestItems.Music[0].DeleteRequest: Key is required");
    request.request_items[0].second[0] = put_request{bad_item()};
    EXPECT_STARTS_WITH(encode_error(request),
                       "BatchWriteItem: RequestItems.Music[0].PutRequest.Item: tags");
}

TEST(BatchWriteItemCodec, DecodesUnprocessedItemsAndMetrics)
{
    const auto response = decode_ok<batch_write_item_response>(R"({
        "UnprocessedItems": {
            "Music": [
                {"PutRequest": {"Item": {"Artist": {"S": "Acme Band"}, "Year": {"N": "2020"}}}},
                {"DeleteRequest": {"Key": {"Artist": {"S": "No One You Know"}}}}
            ]
        },
        "ItemCollectionMetrics": {
            "Music": [{"ItemCollectionKey": {"Artist": {"S": "Acme Band"}},
                       "SizeEstimateRangeGB": [0.0, 1.0]}]
        },
        "ConsumedCapacity": [{"TableName": "Music", "CapacityUnits": 3}]
    })");
    ASSERT_EQ(response.unprocessed_items.size(), 1u);
    const auto& writes = response.unprocessed_items[0].second;
    ASSERT_EQ(writes.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<put_request>(writes[0]));
    EXPECT_EQ(std::get<put_request>(writes[0]).item.at("Year").as_n().as_int64(), 2020);
    ASSERT_TRUE(std::holds_alternative<delete_request>(writes[1]));
    EXPECT_EQ(std::get<delete_request>(writes[1]).key.at("Artist").as_s(), "No One You Know");
    ASSERT_EQ(response.item_collection_metrics.size(), 1u);
    EXPECT_EQ(response.item_collection_metrics[0].second[0].size_estimate_range_gb[1], 1.0);
    ASSERT_EQ(response.consumed_capacity.size(), 1u);
    EXPECT_EQ(response.consumed_capacity[0].capacity_units, 3.0);

    EXPECT_TRUE(decode_ok<batch_write_item_response>(R"({"UnprocessedItems": {}})")
                    .unprocessed_items.empty());
}

TEST(BatchWriteItemCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<batch_write_item_response>(
                  R"({"UnprocessedItems": {"Music": [{"PutRequest": {"Item": {}}}, {}]}})"),
              "BatchWriteItem: UnprocessedItems.Music[1]: expected PutRequest or DeleteRequest");
    EXPECT_EQ(decode_error<batch_write_item_response>(
                  R"({"UnprocessedItems": {"Music": [{"PutRequest": {}}]}})"),
              "BatchWriteItem: UnprocessedItems.Music[0].PutRequest: Item is missing");
    EXPECT_EQ(decode_error<batch_write_item_response>(
                  R"({"UnprocessedItems": {"Music": [{"DeleteRequest": 1}]}})"),
              "BatchWriteItem: UnprocessedItems.Music[0].DeleteRequest: expected an object, got "
              "number");
    EXPECT_EQ(decode_error<batch_write_item_response>(R"({"UnprocessedItems": {"Music": ["x"]}})"),
              "BatchWriteItem: UnprocessedItems.Music[0]: expected an object, got string");
    EXPECT_STARTS_WITH(decode_error<batch_write_item_response>(
                           R"({"UnprocessedItems": {"Music": [{"DeleteRequest": {"Key": {
                               "Artist": {"S": 1}}}}]}})"),
                       "BatchWriteItem: UnprocessedItems.Music[0].DeleteRequest.Key.Artist");
}

// ---------------------------------------------------------------- TransactGetItems

TEST(TransactGetItemsCodec, EncodesAllFields)
{
    transact_get_items_request request;
    request.transact_items.push_back(
        transact_get_item{.table_name = "users",
                          .key = user_key(),
                          .projection_expression = "#n",
                          .expression_attribute_names = {{"#n", "name"}}});
    request.transact_items.push_back(transact_get_item{.table_name = "orders", .key = {{"id", 7}}});
    request.return_consumed_capacity = return_consumed_capacity::total;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body), (strings{"TransactItems", "ReturnConsumedCapacity"}));
    const json::array& items = body.at("TransactItems").as_array();
    ASSERT_EQ(items.size(), 2u);
    const json::object& first = obj(obj(items[0]).at("Get"));
    EXPECT_EQ(keys_of(first),
              (strings{"TableName", "Key", "ProjectionExpression", "ExpressionAttributeNames"}));
    EXPECT_EQ(str(first.at("TableName")), "users");
    const json::object& second = obj(obj(items[1]).at("Get"));
    EXPECT_EQ(keys_of(second), (strings{"TableName", "Key"}));
    EXPECT_EQ(str(obj(obj(second.at("Key")).at("id")).at("N")), "7");
}

TEST(TransactGetItemsCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(transact_get_items_request{}),
              "TransactGetItems: TransactItems is required");
    transact_get_items_request request;
    for (int i = 0; i < 101; ++i) {
        request.transact_items.push_back(transact_get_item{.table_name = "t", .key = {{"id", i}}});
    }
    EXPECT_EQ(encode_error(request),
              "TransactGetItems: TransactItems holds 101 actions, more than the 100 DynamoDB "
              "allows");
    request.transact_items.pop_back();
    EXPECT_FALSE(encode_ok(request).empty());  // exactly 100

    request.transact_items[5].table_name.clear();
    EXPECT_EQ(encode_error(request),
              "TransactGetItems: TransactItems[5].Get: TableName is required");
    request.transact_items[5].table_name = "t";
    request.transact_items[6].key.clear();
    EXPECT_EQ(encode_error(request), "TransactGetItems: TransactItems[6].Get: Key is required");
}

TEST(TransactGetItemsCodec, DecodesResponses)
{
    const auto response = decode_ok<transact_get_items_response>(R"({
        "Responses": [{"Item": {"pk": {"S": "user#1"}, "name": {"S": "Ann"}}}, {}],
        "ConsumedCapacity": [{"TableName": "users", "CapacityUnits": 2, "ReadCapacityUnits": 2}]
    })");
    ASSERT_EQ(response.responses.size(), 2u);
    ASSERT_TRUE(response.responses[0].item.has_value());
    EXPECT_EQ(response.responses[0].item->at("name").as_s(), "Ann");
    EXPECT_FALSE(response.responses[1].item.has_value());
    ASSERT_EQ(response.consumed_capacity.size(), 1u);
    EXPECT_EQ(response.consumed_capacity[0].read_capacity_units, 2.0);
}

TEST(TransactGetItemsCodec, RejectsMalformedResponses)
{
    EXPECT_STARTS_WITH(decode_error<transact_get_items_response>(
                           R"({"Responses": [{}, {"Item": {"n": {"N": "1e999"}}}]})"),
                       "TransactGetItems: Responses[1].Item.n");
    EXPECT_EQ(decode_error<transact_get_items_response>(R"({"Responses": [[]]})"),
              "TransactGetItems: Responses[0]: expected an object, got array");
}

// ---------------------------------------------------------------- TransactWriteItems

transact_write_items_request four_kinds_of_writes()
{
    transact_write_items_request request;
    request.transact_items.push_back(
        transact_condition_check{.table_name = "accounts",
                                 .key = {{"id", "acc#1"}},
                                 .condition_expression = "#b >= :amount",
                                 .expression_attribute_names = {{"#b", "balance"}},
                                 .expression_attribute_values = {{":amount", 100}},
                                 .return_values_on_condition_check_failure =
                                     return_values_on_condition_check_failure::all_old});
    request.transact_items.push_back(
        transact_put{.table_name = "orders",
                     .item = {{"id", "ord#9"}, {"total", 100}},
                     .condition_expression = "attribute_not_exists(id)"});
    request.transact_items.push_back(
        transact_delete{.table_name = "carts", .key = {{"id", "cart#3"}}});
    request.transact_items.push_back(
        transact_update{.table_name = "accounts",
                        .key = {{"id", "acc#2"}},
                        .update_expression = "SET balance = balance + :amount",
                        .condition_expression = "attribute_exists(id)",
                        .expression_attribute_values = {{":amount", 100}}});
    return request;
}

TEST(TransactWriteItemsCodec, EncodesAllKindsOfActions)
{
    transact_write_items_request request = four_kinds_of_writes();
    request.client_request_token = "9b2d2d1e-2a8b-4c09-9d3e-3b1a4f7e5c11";
    request.return_consumed_capacity = return_consumed_capacity::total;
    request.return_item_collection_metrics = return_item_collection_metrics::size;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body), (strings{"TransactItems", "ClientRequestToken",
                                      "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"}));
    EXPECT_EQ(str(body.at("ClientRequestToken")), "9b2d2d1e-2a8b-4c09-9d3e-3b1a4f7e5c11");
    const json::array& items = body.at("TransactItems").as_array();
    ASSERT_EQ(items.size(), 4u);

    const json::object& check = obj(obj(items[0]).at("ConditionCheck"));
    EXPECT_EQ(keys_of(check),
              (strings{"TableName", "Key", "ConditionExpression", "ExpressionAttributeNames",
                       "ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure"}));
    EXPECT_EQ(str(check.at("ReturnValuesOnConditionCheckFailure")), "ALL_OLD");

    const json::object& put = obj(obj(items[1]).at("Put"));
    EXPECT_EQ(keys_of(put), (strings{"TableName", "Item", "ConditionExpression"}));
    EXPECT_EQ(str(obj(obj(put.at("Item")).at("total")).at("N")), "100");

    const json::object& del = obj(obj(items[2]).at("Delete"));
    EXPECT_EQ(keys_of(del), (strings{"TableName", "Key"}));

    const json::object& update = obj(obj(items[3]).at("Update"));
    EXPECT_EQ(keys_of(update), (strings{"TableName", "Key", "UpdateExpression",
                                        "ConditionExpression", "ExpressionAttributeValues"}));
    EXPECT_EQ(str(update.at("UpdateExpression")), "SET balance = balance + :amount");

    EXPECT_EQ(keys_of(encode_ok(four_kinds_of_writes())), (strings{"TransactItems"}));
}

TEST(TransactWriteItemsCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(transact_write_items_request{}),
              "TransactWriteItems: TransactItems is required");

    transact_write_items_request big;
    for (int i = 0; i < 101; ++i) {
        big.transact_items.push_back(transact_delete{.table_name = "t", .key = {{"id", i}}});
    }
    EXPECT_EQ(encode_error(big),
              "TransactWriteItems: TransactItems holds 101 actions, more than the 100 DynamoDB "
              "allows");

    transact_write_items_request request = four_kinds_of_writes();
    std::get<transact_condition_check>(request.transact_items[0]).condition_expression.clear();
    EXPECT_EQ(encode_error(request),
              "TransactWriteItems: TransactItems[0].ConditionCheck: ConditionExpression is "
              "required");

    request = four_kinds_of_writes();
    std::get<transact_put>(request.transact_items[1]).item = bad_item();
    EXPECT_STARTS_WITH(encode_error(request),
                       "TransactWriteItems: TransactItems[1].Put.Item: tags");

    request = four_kinds_of_writes();
    std::get<transact_delete>(request.transact_items[2]).table_name.clear();
    EXPECT_EQ(encode_error(request),
              "TransactWriteItems: TransactItems[2].Delete: TableName is required");

    request = four_kinds_of_writes();
    std::get<transact_update>(request.transact_items[3]).update_expression.clear();
    EXPECT_EQ(encode_error(request),
              "TransactWriteItems: TransactItems[3].Update: UpdateExpression is required");

    request = four_kinds_of_writes();
    std::get<transact_update>(request.transact_items[3]).expression_attribute_values = {
        {"amount", 1}};
    EXPECT_STARTS_WITH(encode_error(request),
                       "TransactWriteItems: TransactItems[3].Update.ExpressionAttributeValues: "
                       "\"amount\"");

    request = four_kinds_of_writes();
    request.client_request_token = std::string(37, 'x');
    EXPECT_EQ(encode_error(request),
              "TransactWriteItems: ClientRequestToken must be 1 to 36 characters long, got 37");
    request.client_request_token = "";
    EXPECT_EQ(encode_error(request),
              "TransactWriteItems: ClientRequestToken must be 1 to 36 characters long, got 0");
}

TEST(TransactWriteItemsCodec, DecodesCapacityAndMetrics)
{
    const auto response = decode_ok<transact_write_items_response>(R"({
        "ConsumedCapacity": [{"TableName": "accounts", "CapacityUnits": 4, "WriteCapacityUnits": 4},
                             {"TableName": "orders", "CapacityUnits": 2}],
        "ItemCollectionMetrics": {"orders": [{"ItemCollectionKey": {"id": {"S": "ord#9"}},
                                               "SizeEstimateRangeGB": [0, 1]}]}
    })");
    ASSERT_EQ(response.consumed_capacity.size(), 2u);
    EXPECT_EQ(response.consumed_capacity[0].write_capacity_units, 4.0);
    ASSERT_EQ(response.item_collection_metrics.size(), 1u);
    EXPECT_EQ(response.item_collection_metrics[0].first, "orders");
    EXPECT_TRUE(decode_ok<transact_write_items_response>("{}").consumed_capacity.empty());
}

TEST(TransactWriteItemsCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<transact_write_items_response>(
                  R"({"ConsumedCapacity": [{"TableName": "a"}, {"Table": []}]})"),
              "TransactWriteItems: ConsumedCapacity[1].Table: expected an object, got array");
    EXPECT_EQ(decode_error<transact_write_items_response>(
                  R"({"ItemCollectionMetrics": {"orders": [{"SizeEstimateRangeGB": 1}]}})"),
              "TransactWriteItems: ItemCollectionMetrics.orders[0].SizeEstimateRangeGB: expected "
              "an array, got number");
}

// ---------------------------------------------------------------- CreateTable

create_table_request thread_table()
{
    create_table_request request;
    request.table_name = "Thread";
    request.attribute_definitions = {{"ForumName", scalar_attribute_type::s},
                                     {"Subject", scalar_attribute_type::s},
                                     {"LastPostDateTime", scalar_attribute_type::s},
                                     {"Views", scalar_attribute_type::n}};
    request.key_schema = {{"ForumName", key_type::hash}, {"Subject", key_type::range}};
    return request;
}

TEST(CreateTableCodec, EncodesAllFields)
{
    create_table_request request = thread_table();
    request.global_secondary_indexes.push_back(global_secondary_index{
        .index_name = "ByViews",
        .key_schema = {{"ForumName", key_type::hash}, {"Views", key_type::range}},
        .projection = {.projection_type = projection_type::include,
                       .non_key_attributes = {"Subject", "Tags"}},
        .provisioned_throughput = provisioned_throughput{5, 6},
        .on_demand_throughput = on_demand_throughput{.max_read_request_units = 100}});
    request.local_secondary_indexes.push_back(local_secondary_index{
        .index_name = "LastPostIndex",
        .key_schema = {{"ForumName", key_type::hash}, {"LastPostDateTime", key_type::range}},
        .projection = {.projection_type = projection_type::keys_only}});
    request.billing_mode = billing_mode::provisioned;
    request.provisioned_throughput = provisioned_throughput{10, 20};
    request.on_demand_throughput =
        on_demand_throughput{.max_read_request_units = -1, .max_write_request_units = 50};
    request.stream_specification = stream_specification{
        .stream_enabled = true, .stream_view_type = stream_view_type::new_and_old_images};
    request.sse_specification = sse_specification{
        .enabled = true, .sse_type = sse_type::kms, .kms_master_key_id = "alias/my-key"};
    request.tags = {{"team", "storage"}, {"env", ""}};
    request.table_class = table_class::standard_infrequent_access;
    request.deletion_protection_enabled = true;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
                       "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput",
                       "OnDemandThroughput", "StreamSpecification", "SSESpecification", "Tags",
                       "TableClass", "DeletionProtectionEnabled"}));
    const json::array& defs = body.at("AttributeDefinitions").as_array();
    ASSERT_EQ(defs.size(), 4u);
    EXPECT_EQ(str(obj(defs[3]).at("AttributeName")), "Views");
    EXPECT_EQ(str(obj(defs[3]).at("AttributeType")), "N");
    const json::array& schema = body.at("KeySchema").as_array();
    ASSERT_EQ(schema.size(), 2u);
    EXPECT_EQ(str(obj(schema[1]).at("KeyType")), "RANGE");

    const json::object& gsi = obj(body.at("GlobalSecondaryIndexes").as_array()[0]);
    EXPECT_EQ(keys_of(gsi), (strings{"IndexName", "KeySchema", "Projection",
                                     "ProvisionedThroughput", "OnDemandThroughput"}));
    EXPECT_EQ(str(obj(gsi.at("Projection")).at("ProjectionType")), "INCLUDE");
    EXPECT_EQ(obj(gsi.at("Projection")).at("NonKeyAttributes").as_array().size(), 2u);
    EXPECT_EQ(obj(gsi.at("ProvisionedThroughput")).at("WriteCapacityUnits").to_number<int>(), 6);
    EXPECT_EQ(keys_of(obj(gsi.at("OnDemandThroughput"))), (strings{"MaxReadRequestUnits"}));

    const json::object& lsi = obj(body.at("LocalSecondaryIndexes").as_array()[0]);
    EXPECT_EQ(keys_of(lsi), (strings{"IndexName", "KeySchema", "Projection"}));
    EXPECT_EQ(keys_of(obj(lsi.at("Projection"))), (strings{"ProjectionType"}));

    EXPECT_EQ(str(body.at("BillingMode")), "PROVISIONED");
    EXPECT_EQ(obj(body.at("ProvisionedThroughput")).at("ReadCapacityUnits").to_number<int>(), 10);
    EXPECT_EQ(obj(body.at("OnDemandThroughput")).at("MaxReadRequestUnits").to_number<int>(), -1);
    EXPECT_EQ(obj(body.at("StreamSpecification")).at("StreamEnabled"), json::value(true));
    EXPECT_EQ(str(obj(body.at("StreamSpecification")).at("StreamViewType")), "NEW_AND_OLD_IMAGES");
    EXPECT_EQ(keys_of(obj(body.at("SSESpecification"))),
              (strings{"Enabled", "SSEType", "KMSMasterKeyId"}));
    EXPECT_EQ(str(obj(body.at("SSESpecification")).at("SSEType")), "KMS");
    const json::array& tags = body.at("Tags").as_array();
    ASSERT_EQ(tags.size(), 2u);
    EXPECT_EQ(str(obj(tags[0]).at("Key")), "team");
    EXPECT_EQ(str(obj(tags[1]).at("Value")), "");
    EXPECT_EQ(str(body.at("TableClass")), "STANDARD_INFREQUENT_ACCESS");
    EXPECT_EQ(body.at("DeletionProtectionEnabled"), json::value(true));
}

TEST(CreateTableCodec, OmitsAbsentOptionals)
{
    create_table_request request = thread_table();
    request.billing_mode = billing_mode::pay_per_request;
    request.stream_specification = stream_specification{};
    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body), (strings{"TableName", "AttributeDefinitions", "KeySchema",
                                      "BillingMode", "StreamSpecification"}));
    EXPECT_EQ(keys_of(obj(body.at("StreamSpecification"))), (strings{"StreamEnabled"}));
}

TEST(CreateTableCodec, RefusesInvalidRequests)
{
    create_table_request request = thread_table();
    request.table_name.clear();
    EXPECT_EQ(encode_error(request), "CreateTable: TableName is required");

    request = thread_table();
    request.attribute_definitions.clear();
    EXPECT_EQ(encode_error(request), "CreateTable: AttributeDefinitions is required");

    request = thread_table();
    request.key_schema.clear();
    EXPECT_EQ(encode_error(request), "CreateTable: KeySchema is required");

    request = thread_table();
    request.key_schema[1].attribute_name.clear();
    EXPECT_EQ(encode_error(request), "CreateTable: KeySchema[1]: AttributeName is required");

    request = thread_table();
    request.key_schema[0].type = key_type::unknown;
    EXPECT_EQ(encode_error(request), "CreateTable: KeySchema[0]: KeyType has no valid value (2)");

    request = thread_table();
    request.attribute_definitions[2].type = scalar_attribute_type::unknown;
    EXPECT_EQ(encode_error(request),
              "CreateTable: AttributeDefinitions[2]: AttributeType has no valid value (3)");
    request.attribute_definitions[2] = {};
    EXPECT_EQ(encode_error(request),
              "CreateTable: AttributeDefinitions[2]: AttributeName is required");

    request = thread_table();
    request.global_secondary_indexes.push_back(global_secondary_index{.index_name = "g"});
    EXPECT_EQ(encode_error(request),
              "CreateTable: GlobalSecondaryIndexes[0]: KeySchema is required");
    request.global_secondary_indexes[0] =
        global_secondary_index{.key_schema = {{"Views", key_type::hash}}};
    EXPECT_EQ(encode_error(request),
              "CreateTable: GlobalSecondaryIndexes[0]: IndexName is required");
    request.global_secondary_indexes[0].index_name = "g";
    request.global_secondary_indexes[0].projection.projection_type = projection_type::unknown;
    EXPECT_EQ(encode_error(request),
              "CreateTable: GlobalSecondaryIndexes[0].Projection: ProjectionType has no valid "
              "value (3)");
    request.global_secondary_indexes[0].projection = {projection_type::include, {"a", ""}};
    EXPECT_EQ(encode_error(request),
              "CreateTable: GlobalSecondaryIndexes[0].Projection: NonKeyAttributes holds an "
              "empty name");

    request = thread_table();
    request.local_secondary_indexes.push_back(local_secondary_index{
        .key_schema = {{"ForumName", key_type::hash}, {"Views", key_type::range}}});
    EXPECT_EQ(encode_error(request),
              "CreateTable: LocalSecondaryIndexes[0]: IndexName is required");

    request = thread_table();
    request.billing_mode = billing_mode::unknown;
    EXPECT_EQ(encode_error(request), "CreateTable: BillingMode has no valid value (2)");

    request = thread_table();
    request.stream_specification = stream_specification{.stream_enabled = true};
    EXPECT_EQ(encode_error(request),
              "CreateTable: StreamSpecification: StreamViewType is required when StreamEnabled "
              "is true");

    request = thread_table();
    request.sse_specification = sse_specification{.sse_type = sse_type::unknown};
    EXPECT_EQ(encode_error(request),
              "CreateTable: SSESpecification: SSEType has no valid value (2)");

    request = thread_table();
    request.tags = {{"a", "1"}, {"", "2"}};
    EXPECT_EQ(encode_error(request), "CreateTable: Tags[1]: Key is required");

    request = thread_table();
    request.table_class = table_class::unknown;
    EXPECT_EQ(encode_error(request), "CreateTable: TableClass has no valid value (2)");
}

constexpr std::string_view thread_description = R"({
    "AttributeDefinitions": [
        {"AttributeName": "ForumName", "AttributeType": "S"},
        {"AttributeName": "LastPostDateTime", "AttributeType": "S"},
        {"AttributeName": "Subject", "AttributeType": "S"}
    ],
    "CreationDateTime": 1.36372808007E9,
    "ItemCount": 0,
    "KeySchema": [
        {"AttributeName": "ForumName", "KeyType": "HASH"},
        {"AttributeName": "Subject", "KeyType": "RANGE"}
    ],
    "LocalSecondaryIndexes": [{
        "IndexName": "LastPostIndex",
        "IndexSizeBytes": 0,
        "ItemCount": 0,
        "IndexArn": "arn:aws:dynamodb:us-west-2:123456789012:table/Thread/index/LastPostIndex",
        "KeySchema": [
            {"AttributeName": "ForumName", "KeyType": "HASH"},
            {"AttributeName": "LastPostDateTime", "KeyType": "RANGE"}
        ],
        "Projection": {"ProjectionType": "KEYS_ONLY"}
    }],
    "GlobalSecondaryIndexes": [{
        "IndexName": "BySubject",
        "IndexStatus": "CREATING",
        "Backfilling": true,
        "IndexSizeBytes": 1024,
        "ItemCount": 3,
        "KeySchema": [{"AttributeName": "Subject", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["Views"]},
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 1,
                                  "WriteCapacityUnits": 2},
        "OnDemandThroughput": {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}
    }],
    "ProvisionedThroughput": {
        "LastIncreaseDateTime": 1.6E9,
        "NumberOfDecreasesToday": 1,
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 5
    },
    "BillingModeSummary": {"BillingMode": "PROVISIONED"},
    "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"},
    "LatestStreamLabel": "2024-01-01T00:00:00.000",
    "LatestStreamArn": "arn:aws:dynamodb:us-west-2:123456789012:table/Thread/stream/2024",
    "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS",
                       "KMSMasterKeyArn": "arn:aws:kms:us-west-2:123456789012:key/abc"},
    "TableClassSummary": {"TableClass": "STANDARD"},
    "DeletionProtectionEnabled": false,
    "TableArn": "arn:aws:dynamodb:us-west-2:123456789012:table/Thread",
    "TableId": "b3b0bc1e-7a2d-4a0b-9c8d-2f8b5c1a0e11",
    "TableName": "Thread",
    "TableSizeBytes": 0,
    "TableStatus": "CREATING",
    "GlobalTableVersion": "2019.11.21",
    "Replicas": [{"RegionName": "eu-west-1"}]
})";

void expect_thread_description(const table_description& d)
{
    EXPECT_EQ(d.table_name, "Thread");
    EXPECT_EQ(d.table_arn, "arn:aws:dynamodb:us-west-2:123456789012:table/Thread");
    EXPECT_EQ(d.table_id, "b3b0bc1e-7a2d-4a0b-9c8d-2f8b5c1a0e11");
    EXPECT_EQ(d.table_status, table_status::creating);
    EXPECT_EQ(d.creation_date_time, 1363728080.07);
    ASSERT_EQ(d.attribute_definitions.size(), 3u);
    EXPECT_EQ(d.attribute_definitions[1].attribute_name, "LastPostDateTime");
    EXPECT_EQ(d.attribute_definitions[1].type, scalar_attribute_type::s);
    ASSERT_EQ(d.key_schema.size(), 2u);
    EXPECT_EQ(d.key_schema[1].attribute_name, "Subject");
    EXPECT_EQ(d.key_schema[1].type, key_type::range);
    EXPECT_EQ(d.item_count, 0);
    EXPECT_EQ(d.table_size_bytes, 0);
    ASSERT_TRUE(d.billing_mode_summary.has_value());
    EXPECT_EQ(d.billing_mode_summary->billing_mode, billing_mode::provisioned);
    ASSERT_TRUE(d.provisioned_throughput.has_value());
    EXPECT_EQ(d.provisioned_throughput->read_capacity_units, 5);
    EXPECT_EQ(d.provisioned_throughput->number_of_decreases_today, 1);
    EXPECT_EQ(d.provisioned_throughput->last_increase_date_time, 1.6e9);
    EXPECT_FALSE(d.provisioned_throughput->last_decrease_date_time.has_value());

    ASSERT_EQ(d.local_secondary_indexes.size(), 1u);
    const local_secondary_index_description& lsi = d.local_secondary_indexes[0];
    EXPECT_EQ(lsi.index_name, "LastPostIndex");
    EXPECT_EQ(lsi.projection.projection_type, projection_type::keys_only);
    EXPECT_EQ(lsi.key_schema.size(), 2u);
    EXPECT_EQ(lsi.item_count, 0);
    EXPECT_EQ(lsi.index_arn,
              "arn:aws:dynamodb:us-west-2:123456789012:table/Thread/index/LastPostIndex");

    ASSERT_EQ(d.global_secondary_indexes.size(), 1u);
    const global_secondary_index_description& gsi = d.global_secondary_indexes[0];
    EXPECT_EQ(gsi.index_name, "BySubject");
    EXPECT_EQ(gsi.index_status, index_status::creating);
    EXPECT_EQ(gsi.backfilling, true);
    EXPECT_EQ(gsi.index_size_bytes, 1024);
    EXPECT_EQ(gsi.item_count, 3);
    EXPECT_EQ(gsi.projection.projection_type, projection_type::include);
    EXPECT_EQ(gsi.projection.non_key_attributes, (strings{"Views"}));
    EXPECT_EQ(gsi.provisioned_throughput->write_capacity_units, 2);
    EXPECT_EQ(gsi.on_demand_throughput->max_read_request_units, -1);

    ASSERT_TRUE(d.stream_specification.has_value());
    EXPECT_TRUE(d.stream_specification->stream_enabled);
    EXPECT_EQ(d.stream_specification->stream_view_type, stream_view_type::keys_only);
    EXPECT_EQ(d.latest_stream_label, "2024-01-01T00:00:00.000");
    ASSERT_TRUE(d.sse_description.has_value());
    EXPECT_EQ(d.sse_description->status, sse_status::enabled);
    EXPECT_EQ(d.sse_description->sse_type, sse_type::kms);
    EXPECT_EQ(d.sse_description->kms_master_key_arn, "arn:aws:kms:us-west-2:123456789012:key/abc");
    ASSERT_TRUE(d.table_class_summary.has_value());
    EXPECT_EQ(d.table_class_summary->table_class, table_class::standard);
    EXPECT_EQ(d.deletion_protection_enabled, false);
    EXPECT_EQ(d.global_table_version, "2019.11.21");
    EXPECT_FALSE(d.archival_summary.has_value());
    EXPECT_FALSE(d.on_demand_throughput.has_value());
}

TEST(CreateTableCodec, DecodesTheTableDescription)
{
    const auto response = decode_ok<create_table_response>(
        "{\"TableDescription\": " + std::string(thread_description) + "}");
    expect_thread_description(response.table_description);
}

TEST(CreateTableCodec, DecodesUnknownEnumerationValues)
{
    const auto response = decode_ok<create_table_response>(R"({"TableDescription": {
        "TableName": "t", "TableStatus": "HIBERNATING",
        "BillingModeSummary": {"BillingMode": "SOMETHING_NEW",
                               "LastUpdateToPayPerRequestDateTime": 1700000000},
        "KeySchema": [{"AttributeName": "pk", "KeyType": "DIAGONAL"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "SS"}],
        "GlobalSecondaryIndexes": [{"IndexName": "g", "IndexStatus": "PAUSED",
                                    "Projection": {"ProjectionType": "SOME"}}],
        "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "DIFF"},
        "SSEDescription": {"Status": "ROTATING", "SSEType": "QUANTUM"},
        "TableClassSummary": {"TableClass": "GLACIAL", "LastUpdateDateTime": 1.7E9},
        "ArchivalSummary": {"ArchivalDateTime": 1.7E9,
                            "ArchivalReason": "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
                            "ArchivalBackupArn": "arn:backup"}
    }})");
    const table_description& d = response.table_description;
    EXPECT_EQ(d.table_status, table_status::unknown);
    EXPECT_EQ(d.billing_mode_summary->billing_mode, billing_mode::unknown);
    EXPECT_EQ(d.billing_mode_summary->last_update_to_pay_per_request_date_time, 1.7e9);
    EXPECT_EQ(d.key_schema[0].type, key_type::unknown);
    EXPECT_EQ(d.attribute_definitions[0].type, scalar_attribute_type::unknown);
    EXPECT_EQ(d.global_secondary_indexes[0].index_status, index_status::unknown);
    EXPECT_EQ(d.global_secondary_indexes[0].projection.projection_type, projection_type::unknown);
    EXPECT_EQ(d.stream_specification->stream_view_type, stream_view_type::unknown);
    EXPECT_EQ(d.sse_description->status, sse_status::unknown);
    EXPECT_EQ(d.sse_description->sse_type, sse_type::unknown);
    EXPECT_EQ(d.table_class_summary->table_class, table_class::unknown);
    EXPECT_EQ(d.table_class_summary->last_update_date_time, 1.7e9);
    ASSERT_TRUE(d.archival_summary.has_value());
    EXPECT_EQ(d.archival_summary->archival_reason, "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    EXPECT_EQ(d.archival_summary->archival_backup_arn, "arn:backup");
}

TEST(CreateTableCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<create_table_response>("{}"),
              "CreateTable: TableDescription is missing");
    EXPECT_EQ(decode_error<create_table_response>(
                  R"({"TableDescription": {"KeySchema": [{"AttributeName": "a", "KeyType": 1}]}})"),
              "CreateTable: TableDescription.KeySchema[0].KeyType: expected a string, got number");
    EXPECT_EQ(decode_error<create_table_response>(
                  R"({"TableDescription": {"GlobalSecondaryIndexes": [{"Backfilling": "yes"}]}})"),
              "CreateTable: TableDescription.GlobalSecondaryIndexes[0].Backfilling: expected a "
              "boolean, got string");
    EXPECT_EQ(decode_error<create_table_response>(
                  R"({"TableDescription": {"CreationDateTime": "2024-01-01"}})"),
              "CreateTable: TableDescription.CreationDateTime: expected a number, got string");
}

// ---------------------------------------------------------------- UpdateTable

TEST(UpdateTableCodec, EncodesAllFields)
{
    update_table_request request;
    request.table_name = "Thread";
    request.attribute_definitions = {{"Views", scalar_attribute_type::n}};
    request.billing_mode = billing_mode::pay_per_request;
    request.provisioned_throughput = provisioned_throughput{3, 4};
    request.on_demand_throughput = on_demand_throughput{.max_write_request_units = 10};
    request.global_secondary_index_updates.push_back(create_global_secondary_index_action{
        .index_name = "ByViews",
        .key_schema = {{"Views", key_type::hash}},
        .projection = {.projection_type = projection_type::all}});
    request.global_secondary_index_updates.push_back(update_global_secondary_index_action{
        .index_name = "BySubject", .provisioned_throughput = provisioned_throughput{7, 8}});
    request.global_secondary_index_updates.push_back(
        delete_global_secondary_index_action{.index_name = "Old"});
    request.stream_specification = stream_specification{.stream_enabled = false};
    request.sse_specification = sse_specification{.enabled = false};
    request.table_class = table_class::standard;
    request.deletion_protection_enabled = false;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"TableName", "AttributeDefinitions", "BillingMode", "ProvisionedThroughput",
                       "OnDemandThroughput", "GlobalSecondaryIndexUpdates", "StreamSpecification",
                       "SSESpecification", "TableClass", "DeletionProtectionEnabled"}));
    const json::array& updates = body.at("GlobalSecondaryIndexUpdates").as_array();
    ASSERT_EQ(updates.size(), 3u);
    const json::object& create = obj(obj(updates[0]).at("Create"));
    EXPECT_EQ(keys_of(create), (strings{"IndexName", "KeySchema", "Projection"}));
    EXPECT_EQ(str(obj(create.at("Projection")).at("ProjectionType")), "ALL");
    const json::object& change = obj(obj(updates[1]).at("Update"));
    EXPECT_EQ(keys_of(change), (strings{"IndexName", "ProvisionedThroughput"}));
    EXPECT_EQ(obj(change.at("ProvisionedThroughput")).at("ReadCapacityUnits").to_number<int>(), 7);
    const json::object& del = obj(obj(updates[2]).at("Delete"));
    EXPECT_EQ(keys_of(del), (strings{"IndexName"}));
    EXPECT_EQ(str(del.at("IndexName")), "Old");
    EXPECT_EQ(str(body.at("BillingMode")), "PAY_PER_REQUEST");
    EXPECT_EQ(keys_of(obj(body.at("SSESpecification"))), (strings{"Enabled"}));
    EXPECT_EQ(body.at("DeletionProtectionEnabled"), json::value(false));

    EXPECT_EQ(keys_of(encode_ok(update_table_request{.table_name = "Thread"})),
              (strings{"TableName"}));
}

TEST(UpdateTableCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(update_table_request{}), "UpdateTable: TableName is required");

    update_table_request request{.table_name = "t"};
    request.global_secondary_index_updates.push_back(
        create_global_secondary_index_action{.index_name = "g"});
    EXPECT_EQ(encode_error(request),
              "UpdateTable: GlobalSecondaryIndexUpdates[0].Create: KeySchema is required");
    request.global_secondary_index_updates = {update_global_secondary_index_action{}};
    EXPECT_EQ(encode_error(request),
              "UpdateTable: GlobalSecondaryIndexUpdates[0].Update: IndexName is required");
    request.global_secondary_index_updates = {
        delete_global_secondary_index_action{.index_name = "a"},
        delete_global_secondary_index_action{}};
    EXPECT_EQ(encode_error(request),
              "UpdateTable: GlobalSecondaryIndexUpdates[1].Delete: IndexName is required");

    request.global_secondary_index_updates.clear();
    request.attribute_definitions = {{"", scalar_attribute_type::n}};
    EXPECT_EQ(encode_error(request),
              "UpdateTable: AttributeDefinitions[0]: AttributeName is required");
}

TEST(UpdateTableCodec, DecodesTheTableDescription)
{
    const auto response = decode_ok<update_table_response>(
        "{\"TableDescription\": " + std::string(thread_description) + "}");
    expect_thread_description(response.table_description);
}

TEST(UpdateTableCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<update_table_response>(R"({"TableDescription": []})"),
              "UpdateTable: TableDescription: expected an object, got array");
    EXPECT_EQ(decode_error<update_table_response>(
                  R"({"TableDescription": {"ProvisionedThroughput": {"ReadCapacityUnits": 1.5}}})"),
              "UpdateTable: TableDescription.ProvisionedThroughput.ReadCapacityUnits: expected an "
              "integer, got 1.5E0");
}

// ---------------------------------------------------------------- DeleteTable

TEST(DeleteTableCodec, EncodesTheTableName)
{
    const json::object body = encode_ok(delete_table_request{.table_name = "Reply"});
    EXPECT_EQ(keys_of(body), (strings{"TableName"}));
    EXPECT_EQ(str(body.at("TableName")), "Reply");
    EXPECT_EQ(encode_error(delete_table_request{}), "DeleteTable: TableName is required");
}

TEST(DeleteTableCodec, DecodesTheTableDescription)
{
    const auto response = decode_ok<delete_table_response>(R"({"TableDescription": {
        "ItemCount": 0,
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5,
                                  "WriteCapacityUnits": 5},
        "TableName": "Reply", "TableSizeBytes": 0, "TableStatus": "DELETING"
    }})");
    EXPECT_EQ(response.table_description.table_name, "Reply");
    EXPECT_EQ(response.table_description.table_status, table_status::deleting);
    EXPECT_EQ(response.table_description.provisioned_throughput->write_capacity_units, 5);
    EXPECT_TRUE(response.table_description.key_schema.empty());
}

TEST(DeleteTableCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<delete_table_response>(R"({"TableDescription": null})"),
              "DeleteTable: TableDescription is missing");
    EXPECT_EQ(decode_error<delete_table_response>(
                  R"({"TableDescription": {"TableStatus": ["DELETING"]}})"),
              "DeleteTable: TableDescription.TableStatus: expected a string, got array");
}

// ---------------------------------------------------------------- DescribeTable

TEST(DescribeTableCodec, EncodesTheTableName)
{
    const json::object body = encode_ok(describe_table_request{.table_name = "Thread"});
    EXPECT_EQ(keys_of(body), (strings{"TableName"}));
    EXPECT_EQ(str(body.at("TableName")), "Thread");
    EXPECT_EQ(encode_error(describe_table_request{}), "DescribeTable: TableName is required");
}

TEST(DescribeTableCodec, DecodesTheTable)
{
    const auto response =
        decode_ok<describe_table_response>("{\"Table\": " + std::string(thread_description) + "}");
    expect_thread_description(response.table);
}

TEST(DescribeTableCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<describe_table_response>(
                  "{\"TableDescription\": " + std::string(thread_description) + "}"),
              "DescribeTable: Table is missing");
    EXPECT_EQ(decode_error<describe_table_response>(R"({"Table": {"ItemCount": -1.25}})"),
              "DescribeTable: Table.ItemCount: expected an integer, got -1.25E0");
    EXPECT_EQ(decode_error<describe_table_response>(R"({"Table": {"LocalSecondaryIndexes": [
                  {"IndexName": "a", "Projection": {"NonKeyAttributes": [1]}}]}})"),
              "DescribeTable: Table.LocalSecondaryIndexes[0].Projection.NonKeyAttributes[0]: "
              "expected a string, got number");
}

// ---------------------------------------------------------------- ListTables

TEST(ListTablesCodec, EncodesAllFields)
{
    const json::object body =
        encode_ok(list_tables_request{.exclusive_start_table_name = "Forum", .limit = 3});
    EXPECT_EQ(keys_of(body), (strings{"ExclusiveStartTableName", "Limit"}));
    EXPECT_EQ(str(body.at("ExclusiveStartTableName")), "Forum");
    EXPECT_EQ(body.at("Limit").to_number<int>(), 3);
    EXPECT_TRUE(encode_ok(list_tables_request{}).empty());
}

TEST(ListTablesCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(list_tables_request{.limit = 0}),
              "ListTables: Limit must be between 1 and 100, got 0");
    EXPECT_EQ(encode_error(list_tables_request{.limit = 101}),
              "ListTables: Limit must be between 1 and 100, got 101");
    EXPECT_EQ(encode_error(list_tables_request{.exclusive_start_table_name = ""}),
              "ListTables: ExclusiveStartTableName is empty; leave it unset to start over");
}

TEST(ListTablesCodec, DecodesTableNames)
{
    const auto response = decode_ok<list_tables_response>(
        R"({"LastEvaluatedTableName": "Thread", "TableNames": ["Forum", "Reply", "Thread"]})");
    EXPECT_EQ(response.table_names, (strings{"Forum", "Reply", "Thread"}));
    EXPECT_EQ(response.last_evaluated_table_name, "Thread");
    const auto last = decode_ok<list_tables_response>(R"({"TableNames": []})");
    EXPECT_TRUE(last.table_names.empty());
    EXPECT_FALSE(last.last_evaluated_table_name.has_value());
}

TEST(ListTablesCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<list_tables_response>(R"({"TableNames": ["a", 2]})"),
              "ListTables: TableNames[1]: expected a string, got number");
    EXPECT_EQ(decode_error<list_tables_response>(R"({"LastEvaluatedTableName": false})"),
              "ListTables: LastEvaluatedTableName: expected a string, got boolean");
}

// ---------------------------------------------------------------- UpdateTimeToLive

TEST(UpdateTimeToLiveCodec, EncodesTheSpecification)
{
    const json::object body = encode_ok(update_time_to_live_request{
        .table_name = "sessions",
        .time_to_live_specification = {.enabled = true, .attribute_name = "expires_at"}});
    EXPECT_EQ(keys_of(body), (strings{"TableName", "TimeToLiveSpecification"}));
    const json::object& spec = obj(body.at("TimeToLiveSpecification"));
    EXPECT_EQ(keys_of(spec), (strings{"Enabled", "AttributeName"}));
    EXPECT_EQ(spec.at("Enabled"), json::value(true));
    EXPECT_EQ(str(spec.at("AttributeName")), "expires_at");
}

TEST(UpdateTimeToLiveCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(update_time_to_live_request{
                  .time_to_live_specification = {.enabled = true, .attribute_name = "ttl"}}),
              "UpdateTimeToLive: TableName is required");
    EXPECT_EQ(encode_error(update_time_to_live_request{.table_name = "sessions"}),
              "UpdateTimeToLive: TimeToLiveSpecification: AttributeName is required");
}

TEST(UpdateTimeToLiveCodec, DecodesTheSpecification)
{
    const auto response = decode_ok<update_time_to_live_response>(
        R"({"TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": true}})");
    EXPECT_TRUE(response.time_to_live_specification.enabled);
    EXPECT_EQ(response.time_to_live_specification.attribute_name, "expires_at");
}

TEST(UpdateTimeToLiveCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<update_time_to_live_response>(
                  R"({"TimeToLiveSpecification": {"AttributeName": "ttl"}})"),
              "UpdateTimeToLive: TimeToLiveSpecification: Enabled is missing");
    EXPECT_EQ(decode_error<update_time_to_live_response>(
                  R"({"TimeToLiveSpecification": {"Enabled": true}})"),
              "UpdateTimeToLive: TimeToLiveSpecification: AttributeName is missing");
    EXPECT_EQ(decode_error<update_time_to_live_response>("{}"),
              "UpdateTimeToLive: TimeToLiveSpecification is missing");
}

// ---------------------------------------------------------------- DescribeTimeToLive

TEST(DescribeTimeToLiveCodec, EncodesTheTableName)
{
    const json::object body = encode_ok(describe_time_to_live_request{.table_name = "sessions"});
    EXPECT_EQ(keys_of(body), (strings{"TableName"}));
    EXPECT_EQ(encode_error(describe_time_to_live_request{}),
              "DescribeTimeToLive: TableName is required");
}

TEST(DescribeTimeToLiveCodec, DecodesTheDescription)
{
    const auto enabled = decode_ok<describe_time_to_live_response>(
        R"({"TimeToLiveDescription": {"AttributeName": "expires_at",
                                      "TimeToLiveStatus": "ENABLED"}})");
    EXPECT_EQ(enabled.time_to_live_description.time_to_live_status, time_to_live_status::enabled);
    EXPECT_EQ(enabled.time_to_live_description.attribute_name, "expires_at");

    const auto disabled = decode_ok<describe_time_to_live_response>(
        R"({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}})");
    EXPECT_EQ(disabled.time_to_live_description.time_to_live_status, time_to_live_status::disabled);
    EXPECT_FALSE(disabled.time_to_live_description.attribute_name.has_value());

    const auto future = decode_ok<describe_time_to_live_response>(
        R"({"TimeToLiveDescription": {"TimeToLiveStatus": "PAUSED"}})");
    EXPECT_EQ(future.time_to_live_description.time_to_live_status, time_to_live_status::unknown);
}

TEST(DescribeTimeToLiveCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<describe_time_to_live_response>(
                  R"({"TimeToLiveDescription": {"TimeToLiveStatus": 1}})"),
              "DescribeTimeToLive: TimeToLiveDescription.TimeToLiveStatus: expected a string, got "
              "number");
    EXPECT_EQ(decode_error<describe_time_to_live_response>("{}"),
              "DescribeTimeToLive: TimeToLiveDescription is missing");
}

// ---------------------------------------------------------------- ExecuteStatement

TEST(ExecuteStatementCodec, EncodesAllFields)
{
    execute_statement_request request;
    request.statement = R"(SELECT * FROM "Music" WHERE Artist = ? AND Year > ?)";
    request.parameters = {attribute_value("Acme Band"), attribute_value(2000)};
    request.consistent_read = true;
    request.next_token = "token-1";
    request.limit = 10;
    request.return_consumed_capacity = return_consumed_capacity::total;
    request.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body),
              (strings{"Statement", "Parameters", "ConsistentRead", "NextToken", "Limit",
                       "ReturnConsumedCapacity", "ReturnValuesOnConditionCheckFailure"}));
    EXPECT_EQ(str(body.at("Statement")), request.statement);
    const json::array& parameters = body.at("Parameters").as_array();
    ASSERT_EQ(parameters.size(), 2u);
    EXPECT_EQ(str(obj(parameters[0]).at("S")), "Acme Band");
    EXPECT_EQ(str(obj(parameters[1]).at("N")), "2000");
    EXPECT_EQ(str(body.at("NextToken")), "token-1");
    EXPECT_EQ(body.at("Limit").to_number<int>(), 10);

    EXPECT_EQ(keys_of(encode_ok(execute_statement_request{.statement = "SELECT * FROM t"})),
              (strings{"Statement"}));
}

TEST(ExecuteStatementCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(execute_statement_request{}), "ExecuteStatement: Statement is required");
    execute_statement_request request{.statement = "SELECT * FROM t WHERE a = ? AND b = ?"};
    request.parameters = {attribute_value("ok"), attribute_value(string_set{})};
    const std::string why = encode_error(request);
    EXPECT_STARTS_WITH(why, "ExecuteStatement: Parameters[1]: ");
    EXPECT_CONTAINS(why, "empty");
    request.parameters.clear();
    request.next_token = "";
    EXPECT_EQ(encode_error(request),
              "ExecuteStatement: NextToken is empty; leave it unset to start over");
    request.next_token.reset();
    request.limit = 0;
    EXPECT_EQ(encode_error(request), "ExecuteStatement: Limit must be at least 1, got 0");
}

TEST(ExecuteStatementCodec, DecodesItemsAndPaging)
{
    const auto response = decode_ok<execute_statement_response>(R"({
        "Items": [{"Artist": {"S": "Acme Band"}, "Year": {"N": "2001"}},
                  {"Artist": {"S": "Acme Band"}, "Year": {"N": "2004"}}],
        "NextToken": "opaque+token==",
        "LastEvaluatedKey": {"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Z"}},
        "ConsumedCapacity": {"TableName": "Music", "CapacityUnits": 0.5}
    })");
    ASSERT_EQ(response.items.size(), 2u);
    EXPECT_EQ(response.items[1].at("Year").as_n().as_int64(), 2004);
    EXPECT_EQ(response.next_token, "opaque+token==");
    ASSERT_TRUE(response.last_evaluated_key.has_value());
    EXPECT_EQ(response.last_evaluated_key->at("SongTitle").as_s(), "Z");
    EXPECT_EQ(response.consumed_capacity->capacity_units, 0.5);

    const auto empty = decode_ok<execute_statement_response>(R"({"Items": []})");
    EXPECT_TRUE(empty.items.empty());
    EXPECT_FALSE(empty.next_token.has_value());
}

TEST(ExecuteStatementCodec, RejectsMalformedResponses)
{
    EXPECT_STARTS_WITH(decode_error<execute_statement_response>(
                           R"({"Items": [{"a": {"S": "x"}}, {"b": {"SS": "x"}}]})"),
                       "ExecuteStatement: Items[1].b");
    EXPECT_EQ(decode_error<execute_statement_response>(R"({"NextToken": 5})"),
              "ExecuteStatement: NextToken: expected a string, got number");
}

// ---------------------------------------------------------------- BatchExecuteStatement

TEST(BatchExecuteStatementCodec, EncodesAllFields)
{
    batch_execute_statement_request request;
    request.statements.push_back(batch_statement_request{
        .statement = R"(UPDATE "Music" SET Plays = Plays + 1 WHERE Artist = ?)",
        .parameters = {attribute_value("Acme Band")},
        .return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old});
    request.statements.push_back(batch_statement_request{
        .statement = R"(SELECT * FROM "Music" WHERE Artist = 'X')", .consistent_read = true});
    request.return_consumed_capacity = return_consumed_capacity::indexes;

    const json::object body = encode_ok(request);
    EXPECT_EQ(keys_of(body), (strings{"Statements", "ReturnConsumedCapacity"}));
    const json::array& statements = body.at("Statements").as_array();
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(keys_of(obj(statements[0])),
              (strings{"Statement", "Parameters", "ReturnValuesOnConditionCheckFailure"}));
    EXPECT_EQ(str(obj(obj(statements[0]).at("Parameters").as_array()[0]).at("S")), "Acme Band");
    EXPECT_EQ(keys_of(obj(statements[1])), (strings{"Statement", "ConsistentRead"}));
}

TEST(BatchExecuteStatementCodec, RefusesInvalidRequests)
{
    EXPECT_EQ(encode_error(batch_execute_statement_request{}),
              "BatchExecuteStatement: Statements is required");
    batch_execute_statement_request request;
    for (int i = 0; i < 26; ++i) request.statements.push_back({.statement = "SELECT * FROM t"});
    EXPECT_EQ(encode_error(request),
              "BatchExecuteStatement: Statements holds 26 statements, more than the 25 DynamoDB "
              "allows");
    request.statements.pop_back();
    EXPECT_FALSE(encode_ok(request).empty());  // exactly 25
    request.statements[4].statement.clear();
    EXPECT_EQ(encode_error(request), "BatchExecuteStatement: Statements[4]: Statement is required");
    request.statements[4].statement = "SELECT * FROM t WHERE a = ?";
    request.statements[4].parameters = {attribute_value(std::string("\xc3"))};
    EXPECT_STARTS_WITH(encode_error(request),
                       "BatchExecuteStatement: Statements[4].Parameters[0]: ");
}

TEST(BatchExecuteStatementCodec, DecodesResponsesAndErrors)
{
    const auto response = decode_ok<batch_execute_statement_response>(R"({
        "Responses": [
            {"TableName": "Music", "Item": {"Artist": {"S": "Acme Band"}, "Plays": {"N": "5"}}},
            {"TableName": "Music",
             "Error": {"Code": "ConditionalCheckFailed",
                       "Message": "The conditional request failed",
                       "Item": {"Artist": {"S": "X"}, "Plays": {"N": "0"}}}},
            {"Error": {"Code": "SomeFutureCode"}}
        ],
        "ConsumedCapacity": [{"TableName": "Music", "CapacityUnits": 2}]
    })");
    ASSERT_EQ(response.responses.size(), 3u);
    EXPECT_EQ(response.responses[0].table_name, "Music");
    ASSERT_TRUE(response.responses[0].item.has_value());
    EXPECT_EQ(response.responses[0].item->at("Plays").as_n().as_int64(), 5);
    EXPECT_FALSE(response.responses[0].error.has_value());
    ASSERT_TRUE(response.responses[1].error.has_value());
    EXPECT_EQ(response.responses[1].error->code, "ConditionalCheckFailed");
    EXPECT_EQ(response.responses[1].error->message, "The conditional request failed");
    ASSERT_TRUE(response.responses[1].error->item.has_value());
    EXPECT_EQ(response.responses[1].error->item->at("Artist").as_s(), "X");
    EXPECT_FALSE(response.responses[1].item.has_value());
    EXPECT_EQ(response.responses[2].error->code, "SomeFutureCode");
    EXPECT_TRUE(response.responses[2].error->message.empty());
    EXPECT_FALSE(response.responses[2].table_name.has_value());
    ASSERT_EQ(response.consumed_capacity.size(), 1u);
}

TEST(BatchExecuteStatementCodec, RejectsMalformedResponses)
{
    EXPECT_EQ(decode_error<batch_execute_statement_response>(
                  R"({"Responses": [{}, {"Error": {"Code": 400}}]})"),
              "BatchExecuteStatement: Responses[1].Error.Code: expected a string, got number");
    EXPECT_STARTS_WITH(decode_error<batch_execute_statement_response>(
                           R"({"Responses": [{"Error": {"Item": {"a": 1}}}]})"),
                       "BatchExecuteStatement: Responses[0].Error.Item.a");
    EXPECT_EQ(decode_error<batch_execute_statement_response>(R"({"Responses": "none"})"),
              "BatchExecuteStatement: Responses: expected an array, got string");
}

}  // namespace
