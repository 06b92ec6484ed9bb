// Response bodies of the DynamoDB operations, read from the parsed JSON.
#include "protocol/field_path.hpp"
#include "core/json_codec.hpp"
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/protocol/operations.hpp>

#include <boost/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynomite::detail {
namespace {

namespace json = boost::json;

std::string_view kind_name(const json::value& v) noexcept
{
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "boolean";
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_:
            return "number";
        case json::kind::string:
            return "string";
        case json::kind::array:
            return "array";
        case json::kind::object:
            return "object";
    }
    return "value";
}

/// Tracks the path of the value being read ("Query: Items[3]") for error messages.
/// Read functions take it first, so that calls from templates find every overload.
class decoder {
public:
    decoder(std::string_view operation, std::string* why)
        : path_(operation), why_(why)
    {
    }

    error_code fail(std::string_view what)
    {
        path_.describe(why_, what);
        return errc::malformed_response;
    }

    error_code wrong_type(std::string_view expected, const json::value& got)
    {
        return fail("expected " + std::string(expected) + ", got " + std::string(kind_name(got)));
    }

    field_path::scope at(std::string_view field) { return path_.at(field); }
    field_path::scope at(std::size_t index) { return path_.at(index); }

    const std::string& path() const noexcept { return path_.text(); }
    std::string* why() const noexcept { return why_; }

private:
    field_path path_;
    std::string* why_;
};

error_code object_of(decoder& d, const json::value& v, const json::object*& out)
{
    out = v.if_object();
    return out ? error_code() : d.wrong_type("an object", v);
}

// Scalars.

error_code read(decoder& d, const json::value& v, std::string& out)
{
    const json::string* s = v.if_string();
    if (!s) return d.wrong_type("a string", v);
    out.assign(s->data(), s->size());
    return {};
}

error_code read(decoder& d, const json::value& v, bool& out)
{
    if (!v.is_bool()) return d.wrong_type("a boolean", v);
    out = v.get_bool();
    return {};
}

error_code read(decoder& d, const json::value& v, std::int64_t& out)
{
    constexpr double two_63 = 9223372036854775808.0;
    if (const std::int64_t* i = v.if_int64()) {
        out = *i;
        return {};
    }
    if (const std::uint64_t* u = v.if_uint64()) {
        if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return d.fail("the integer " + std::to_string(*u) + " is out of range");
        }
        out = static_cast<std::int64_t>(*u);
        return {};
    }
    if (const double* f = v.if_double()) {
        // Some producers write integers in exponent form ("1.5E3").
        if (std::trunc(*f) != *f || *f < -two_63 || *f >= two_63) {
            return d.fail("expected an integer, got " + json::serialize(v));
        }
        out = static_cast<std::int64_t>(*f);
        return {};
    }
    return d.wrong_type("an integer", v);
}

error_code read(decoder& d, const json::value& v, double& out)
{
    if (!v.is_number()) return d.wrong_type("a number", v);
    out = v.to_number<double>();
    return {};
}

template <class E>
requires std::is_enum_v<E> error_code read(decoder& d, const json::value& v, E& out)
{
    const json::string* s = v.if_string();
    if (!s) return d.wrong_type("a string", v);
    // Unknown names become E::unknown: DynamoDB adds values over time.
    from_string(std::string_view(*s), out);
    return {};
}

error_code read(decoder& d, const json::value& v, attribute_map& out)
{
    if (read_item(v, out, d.path(), d.why())) return errc::malformed_response;
    return {};
}

// Containers.

template <class T>
error_code read(decoder& d, const json::value& v, std::optional<T>& out)
{
    return read(d, v, out.emplace());
}

template <class T>
error_code read(decoder& d, const json::value& v, std::vector<T>& out)
{
    const json::array* array = v.if_array();
    if (!array) return d.wrong_type("an array", v);
    out.clear();
    out.resize(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto s = d.at(i);
        if (error_code ec = read(d, (*array)[i], out[i])) return ec;
    }
    return {};
}

/// JSON objects with arbitrary keys (table names, index names, placeholders).
template <class T>
error_code read(decoder& d, const json::value& v, std::vector<std::pair<std::string, T>>& out)
{
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, v, object)) return ec;
    out.clear();
    out.reserve(object->size());
    for (const json::key_value_pair& member : *object) {
        auto s = d.at(member.key());
        auto& entry = out.emplace_back(std::string(member.key()), T{});
        if (error_code ec = read(d, member.value(), entry.second)) return ec;
    }
    return {};
}

// Members of an object. Absent members and nulls leave the output as it is.

template <class T>
error_code field(decoder& d, const json::object& object, std::string_view key, T& out)
{
    const json::value* v = object.if_contains(key);
    if (!v || v->is_null()) return {};
    auto s = d.at(key);
    return read(d, *v, out);
}

error_code fields(decoder&, const json::object&)
{
    return {};
}

template <class T, class... Rest>
error_code fields(decoder& d, const json::object& object, std::string_view key, T& out,
                  Rest&&... rest)
{
    if (error_code ec = field(d, object, key, out)) return ec;
    return fields(d, object, std::forward<Rest>(rest)...);
}

template <class T>
error_code required_field(decoder& d, const json::object& object, std::string_view key, T& out)
{
    const json::value* v = object.if_contains(key);
    if (!v || v->is_null()) return d.fail(std::string(key) + " is missing");
    auto s = d.at(key);
    return read(d, *v, out);
}

/// Reads the named members of an object value.
template <class... Fields>
error_code object_fields(decoder& d, const json::value& v, Fields&&... list)
{
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, v, object)) return ec;
    return fields(d, *object, std::forward<Fields>(list)...);
}

// Shared structures.

error_code read(decoder& d, const json::value& v, capacity& out)
{
    return object_fields(d, v, "CapacityUnits", out.capacity_units, "ReadCapacityUnits",
                         out.read_capacity_units, "WriteCapacityUnits", out.write_capacity_units);
}

error_code read(decoder& d, const json::value& v, consumed_capacity& out)
{
    return object_fields(d, v, "TableName", out.table_name, "CapacityUnits", out.capacity_units,
                         "ReadCapacityUnits", out.read_capacity_units, "WriteCapacityUnits",
                         out.write_capacity_units, "Table", out.table, "LocalSecondaryIndexes",
                         out.local_secondary_indexes, "GlobalSecondaryIndexes",
                         out.global_secondary_indexes);
}

error_code read(decoder& d, const json::value& v, item_collection_metrics& out)
{
    return object_fields(d, v, "ItemCollectionKey", out.item_collection_key, "SizeEstimateRangeGB",
                         out.size_estimate_range_gb);
}

error_code read(decoder& d, const json::value& v, keys_and_attributes& out)
{
    return object_fields(d, v, "Keys", out.keys, "ProjectionExpression", out.projection_expression,
                         "ExpressionAttributeNames", out.expression_attribute_names,
                         "ConsistentRead", out.consistent_read);
}

error_code read(decoder& d, const json::value& v, write_request& out)
{
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, v, object)) return ec;
    if (const json::value* put = object->if_contains("PutRequest")) {
        auto s = d.at("PutRequest");
        const json::object* inner = nullptr;
        if (error_code ec = object_of(d, *put, inner)) return ec;
        return required_field(d, *inner, "Item", out.emplace<put_request>().item);
    }
    if (const json::value* del = object->if_contains("DeleteRequest")) {
        auto s = d.at("DeleteRequest");
        const json::object* inner = nullptr;
        if (error_code ec = object_of(d, *del, inner)) return ec;
        return required_field(d, *inner, "Key", out.emplace<delete_request>().key);
    }
    return d.fail("expected PutRequest or DeleteRequest");
}

error_code read(decoder& d, const json::value& v, item_response& out)
{
    return object_fields(d, v, "Item", out.item);
}

// Tables.

error_code read(decoder& d, const json::value& v, key_schema_element& out)
{
    return object_fields(d, v, "AttributeName", out.attribute_name, "KeyType", out.type);
}

error_code read(decoder& d, const json::value& v, attribute_definition& out)
{
    return object_fields(d, v, "AttributeName", out.attribute_name, "AttributeType", out.type);
}

error_code read(decoder& d, const json::value& v, projection& out)
{
    return object_fields(d, v, "ProjectionType", out.projection_type, "NonKeyAttributes",
                         out.non_key_attributes);
}

error_code read(decoder& d, const json::value& v, provisioned_throughput_description& out)
{
    return object_fields(d, v, "LastIncreaseDateTime", out.last_increase_date_time,
                         "LastDecreaseDateTime", out.last_decrease_date_time,
                         "NumberOfDecreasesToday", out.number_of_decreases_today,
                         "ReadCapacityUnits", out.read_capacity_units, "WriteCapacityUnits",
                         out.write_capacity_units);
}

error_code read(decoder& d, const json::value& v, on_demand_throughput& out)
{
    return object_fields(d, v, "MaxReadRequestUnits", out.max_read_request_units,
                         "MaxWriteRequestUnits", out.max_write_request_units);
}

error_code read(decoder& d, const json::value& v, global_secondary_index_description& out)
{
    return object_fields(d, v, "IndexName", out.index_name, "KeySchema", out.key_schema,
                         "Projection", out.projection, "IndexStatus", out.index_status,
                         "Backfilling", out.backfilling, "ProvisionedThroughput",
                         out.provisioned_throughput, "OnDemandThroughput", out.on_demand_throughput,
                         "IndexSizeBytes", out.index_size_bytes, "ItemCount", out.item_count,
                         "IndexArn", out.index_arn);
}

error_code read(decoder& d, const json::value& v, local_secondary_index_description& out)
{
    return object_fields(d, v, "IndexName", out.index_name, "KeySchema", out.key_schema,
                         "Projection", out.projection, "IndexSizeBytes", out.index_size_bytes,
                         "ItemCount", out.item_count, "IndexArn", out.index_arn);
}

error_code read(decoder& d, const json::value& v, billing_mode_summary& out)
{
    return object_fields(d, v, "BillingMode", out.billing_mode, "LastUpdateToPayPerRequestDateTime",
                         out.last_update_to_pay_per_request_date_time);
}

error_code read(decoder& d, const json::value& v, stream_specification& out)
{
    return object_fields(d, v, "StreamEnabled", out.stream_enabled, "StreamViewType",
                         out.stream_view_type);
}

error_code read(decoder& d, const json::value& v, sse_description& out)
{
    return object_fields(d, v, "Status", out.status, "SSEType", out.sse_type, "KMSMasterKeyArn",
                         out.kms_master_key_arn, "InaccessibleEncryptionDateTime",
                         out.inaccessible_encryption_date_time);
}

error_code read(decoder& d, const json::value& v, table_class_summary& out)
{
    return object_fields(d, v, "TableClass", out.table_class, "LastUpdateDateTime",
                         out.last_update_date_time);
}

error_code read(decoder& d, const json::value& v, archival_summary& out)
{
    return object_fields(d, v, "ArchivalDateTime", out.archival_date_time, "ArchivalReason",
                         out.archival_reason, "ArchivalBackupArn", out.archival_backup_arn);
}

error_code read(decoder& d, const json::value& v, table_description& out)
{
    return object_fields(
        d, v, "TableName", out.table_name, "TableArn", out.table_arn, "TableId", out.table_id,
        "TableStatus", out.table_status, "CreationDateTime", out.creation_date_time,
        "AttributeDefinitions", out.attribute_definitions, "KeySchema", out.key_schema, "ItemCount",
        out.item_count, "TableSizeBytes", out.table_size_bytes, "BillingModeSummary",
        out.billing_mode_summary, "ProvisionedThroughput", out.provisioned_throughput,
        "OnDemandThroughput", out.on_demand_throughput, "GlobalSecondaryIndexes",
        out.global_secondary_indexes, "LocalSecondaryIndexes", out.local_secondary_indexes,
        "StreamSpecification", out.stream_specification, "LatestStreamLabel",
        out.latest_stream_label, "LatestStreamArn", out.latest_stream_arn, "SSEDescription",
        out.sse_description, "TableClassSummary", out.table_class_summary, "ArchivalSummary",
        out.archival_summary, "DeletionProtectionEnabled", out.deletion_protection_enabled,
        "GlobalTableVersion", out.global_table_version);
}

error_code read(decoder& d, const json::value& v, time_to_live_specification& out)
{
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, v, object)) return ec;
    if (error_code ec = required_field(d, *object, "Enabled", out.enabled)) return ec;
    return required_field(d, *object, "AttributeName", out.attribute_name);
}

error_code read(decoder& d, const json::value& v, time_to_live_description& out)
{
    return object_fields(d, v, "TimeToLiveStatus", out.time_to_live_status, "AttributeName",
                         out.attribute_name);
}

// PartiQL.

error_code read(decoder& d, const json::value& v, batch_statement_error& out)
{
    return object_fields(d, v, "Code", out.code, "Message", out.message, "Item", out.item);
}

error_code read(decoder& d, const json::value& v, batch_statement_response& out)
{
    return object_fields(d, v, "Error", out.error, "TableName", out.table_name, "Item", out.item);
}

/// Resets `out`, then reads the response object's members with `read_members`.
template <class Response, class ReadMembers>
error_code decode(std::string_view operation, const json::value& json, Response& out,
                  std::string* why, ReadMembers read_members)
{
    out = Response{};
    decoder d(operation, why);
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, json, object)) return ec;
    return read_members(d, *object);
}

error_code read_write_item_response(decoder& d, const json::object& o, write_item_response& out)
{
    return fields(d, o, "Attributes", out.attributes, "ConsumedCapacity", out.consumed_capacity,
                  "ItemCollectionMetrics", out.item_collection_metrics);
}

error_code read_page_response(decoder& d, const json::object& o, page_response& out)
{
    return fields(d, o, "Items", out.items, "Count", out.count, "ScannedCount", out.scanned_count,
                  "LastEvaluatedKey", out.last_evaluated_key, "ConsumedCapacity",
                  out.consumed_capacity);
}

}  // namespace

error_code decode_response(const json::value& json, get_item_response& out, std::string* why)
{
    return decode("GetItem", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "Item", out.item, "ConsumedCapacity", out.consumed_capacity);
    });
}

error_code decode_response(const json::value& json, put_item_response& out, std::string* why)
{
    return decode("PutItem", json, out, why, [&](decoder& d, const json::object& o) {
        return read_write_item_response(d, o, out);
    });
}

error_code decode_response(const json::value& json, update_item_response& out, std::string* why)
{
    return decode("UpdateItem", json, out, why, [&](decoder& d, const json::object& o) {
        return read_write_item_response(d, o, out);
    });
}

error_code decode_response(const json::value& json, delete_item_response& out, std::string* why)
{
    return decode("DeleteItem", json, out, why, [&](decoder& d, const json::object& o) {
        return read_write_item_response(d, o, out);
    });
}

error_code decode_response(const json::value& json, query_response& out, std::string* why)
{
    return decode("Query", json, out, why,
                  [&](decoder& d, const json::object& o) { return read_page_response(d, o, out); });
}

error_code decode_response(const json::value& json, scan_response& out, std::string* why)
{
    return decode("Scan", json, out, why,
                  [&](decoder& d, const json::object& o) { return read_page_response(d, o, out); });
}

error_code decode_response(const json::value& json, batch_get_item_response& out, std::string* why)
{
    return decode("BatchGetItem", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "Responses", out.responses, "UnprocessedKeys", out.unprocessed_keys,
                      "ConsumedCapacity", out.consumed_capacity);
    });
}

error_code decode_response(const json::value& json, batch_write_item_response& out,
                           std::string* why)
{
    return decode("BatchWriteItem", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "UnprocessedItems", out.unprocessed_items, "ItemCollectionMetrics",
                      out.item_collection_metrics, "ConsumedCapacity", out.consumed_capacity);
    });
}

error_code decode_response(const json::value& json, transact_get_items_response& out,
                           std::string* why)
{
    return decode("TransactGetItems", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "Responses", out.responses, "ConsumedCapacity", out.consumed_capacity);
    });
}

error_code decode_response(const json::value& json, transact_write_items_response& out,
                           std::string* why)
{
    return decode("TransactWriteItems", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "ConsumedCapacity", out.consumed_capacity, "ItemCollectionMetrics",
                      out.item_collection_metrics);
    });
}

error_code decode_response(const json::value& json, create_table_response& out, std::string* why)
{
    return decode("CreateTable", json, out, why, [&](decoder& d, const json::object& o) {
        return required_field(d, o, "TableDescription", out.table_description);
    });
}

error_code decode_response(const json::value& json, update_table_response& out, std::string* why)
{
    return decode("UpdateTable", json, out, why, [&](decoder& d, const json::object& o) {
        return required_field(d, o, "TableDescription", out.table_description);
    });
}

error_code decode_response(const json::value& json, delete_table_response& out, std::string* why)
{
    return decode("DeleteTable", json, out, why, [&](decoder& d, const json::object& o) {
        return required_field(d, o, "TableDescription", out.table_description);
    });
}

error_code decode_response(const json::value& json, describe_table_response& out, std::string* why)
{
    return decode("DescribeTable", json, out, why, [&](decoder& d, const json::object& o) {
        return required_field(d, o, "Table", out.table);
    });
}

error_code decode_response(const json::value& json, list_tables_response& out, std::string* why)
{
    return decode("ListTables", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "TableNames", out.table_names, "LastEvaluatedTableName",
                      out.last_evaluated_table_name);
    });
}

error_code decode_response(const json::value& json, update_time_to_live_response& out,
                           std::string* why)
{
    return decode("UpdateTimeToLive", json, out, why, [&](decoder& d, const json::object& o) {
        return required_field(d, o, "TimeToLiveSpecification", out.time_to_live_specification);
    });
}

error_code decode_response(const json::value& json, describe_time_to_live_response& out,
                           std::string* why)
{
    return decode("DescribeTimeToLive", json, out, why, [&](decoder& d, const json::object& o) {
        return required_field(d, o, "TimeToLiveDescription", out.time_to_live_description);
    });
}

error_code decode_response(const json::value& json, execute_statement_response& out,
                           std::string* why)
{
    return decode("ExecuteStatement", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "Items", out.items, "NextToken", out.next_token, "LastEvaluatedKey",
                      out.last_evaluated_key, "ConsumedCapacity", out.consumed_capacity);
    });
}

error_code decode_response(const json::value& json, batch_execute_statement_response& out,
                           std::string* why)
{
    return decode("BatchExecuteStatement", json, out, why, [&](decoder& d, const json::object& o) {
        return fields(d, o, "Responses", out.responses, "ConsumedCapacity", out.consumed_capacity);
    });
}

}  // namespace dynomite::detail
