// Request bodies of the DynamoDB operations, written straight into the body string.
#include "protocol/field_path.hpp"
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/protocol/operations.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace dynomite {

// Wire names of the enumerations, indexed by enumerator value. An enumeration with an
// `unknown` enumerator declares it last, right after the named ones.
namespace {

template <class E>
std::string_view name_of(E v, std::span<const std::string_view> names) noexcept
{
    const auto index = static_cast<std::size_t>(v);
    return index < names.size() ? names[index] : std::string_view();
}

template <class E>
bool parse_name(std::string_view name, E& out, std::span<const std::string_view> names,
                bool has_unknown) noexcept
{
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) {
            out = static_cast<E>(i);
            return true;
        }
    }
    if (has_unknown) out = static_cast<E>(names.size());
    return false;
}

}  // namespace

#define DYNOMITE_ENUM_NAMES(type, has_unknown, ...)              \
    namespace {                                                  \
    constexpr std::string_view type##_names[] = {__VA_ARGS__};   \
    }                                                            \
    std::string_view to_string(type v) noexcept                  \
    {                                                            \
        return name_of(v, type##_names);                         \
    }                                                            \
    bool from_string(std::string_view name, type& out) noexcept  \
    {                                                            \
        return parse_name(name, out, type##_names, has_unknown); \
    }

DYNOMITE_ENUM_NAMES(return_values, false, "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                    "UPDATED_NEW")
DYNOMITE_ENUM_NAMES(return_consumed_capacity, false, "INDEXES", "TOTAL", "NONE")
DYNOMITE_ENUM_NAMES(return_item_collection_metrics, false, "SIZE", "NONE")
DYNOMITE_ENUM_NAMES(select_attributes, false, "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                    "SPECIFIC_ATTRIBUTES", "COUNT")
DYNOMITE_ENUM_NAMES(return_values_on_condition_check_failure, false, "ALL_OLD", "NONE")
DYNOMITE_ENUM_NAMES(billing_mode, true, "PROVISIONED", "PAY_PER_REQUEST")
DYNOMITE_ENUM_NAMES(projection_type, true, "ALL", "KEYS_ONLY", "INCLUDE")
DYNOMITE_ENUM_NAMES(key_type, true, "HASH", "RANGE")
DYNOMITE_ENUM_NAMES(scalar_attribute_type, true, "S", "N", "B")
DYNOMITE_ENUM_NAMES(table_status, true, "CREATING", "UPDATING", "DELETING", "ACTIVE",
                    "INACCESSIBLE_ENCRYPTION_CREDENTIALS", "ARCHIVING", "ARCHIVED")
DYNOMITE_ENUM_NAMES(index_status, true, "CREATING", "UPDATING", "DELETING", "ACTIVE")
DYNOMITE_ENUM_NAMES(stream_view_type, true, "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
                    "KEYS_ONLY")
DYNOMITE_ENUM_NAMES(sse_type, true, "AES256", "KMS")
DYNOMITE_ENUM_NAMES(sse_status, true, "ENABLING", "ENABLED", "DISABLING", "DISABLED", "UPDATING")
DYNOMITE_ENUM_NAMES(time_to_live_status, true, "ENABLING", "DISABLING", "ENABLED", "DISABLED")
DYNOMITE_ENUM_NAMES(table_class, true, "STANDARD", "STANDARD_INFREQUENT_ACCESS")

#undef DYNOMITE_ENUM_NAMES

// `unknown` must follow the named enumerators for parse_name to produce it.
#define DYNOMITE_CHECK_UNKNOWN(type) \
    static_assert(static_cast<std::size_t>(type::unknown) == std::size(type##_names));
DYNOMITE_CHECK_UNKNOWN(billing_mode)
DYNOMITE_CHECK_UNKNOWN(projection_type)
DYNOMITE_CHECK_UNKNOWN(key_type)
DYNOMITE_CHECK_UNKNOWN(scalar_attribute_type)
DYNOMITE_CHECK_UNKNOWN(table_status)
DYNOMITE_CHECK_UNKNOWN(index_status)
DYNOMITE_CHECK_UNKNOWN(stream_view_type)
DYNOMITE_CHECK_UNKNOWN(sse_type)
DYNOMITE_CHECK_UNKNOWN(sse_status)
DYNOMITE_CHECK_UNKNOWN(time_to_live_status)
DYNOMITE_CHECK_UNKNOWN(table_class)
#undef DYNOMITE_CHECK_UNKNOWN

namespace detail {
namespace {

std::string quoted(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

/// Writes one request body. The first failure is kept (with the path where it
/// happened); later writes go on harmlessly and finish() removes the partial body.
class encoder {
public:
    encoder(std::string_view operation, std::string& body, std::string* why)
        : w(body),
          body_(body),
          start_(body.size()),
          path_(operation),
          why_(why)
    {
    }

    json_writer w;

    bool failed() const noexcept { return static_cast<bool>(ec_); }

    void fail(std::string_view what)
    {
        if (ec_) return;
        ec_ = errc::invalid_argument;
        path_.describe(why_, what);
    }

    error_code finish()
    {
        if (ec_) body_.resize(start_);
        return ec_;
    }

    /// Appends a path segment for the lifetime of the returned object.
    field_path::scope at(std::string_view field) { return path_.at(field); }
    field_path::scope at(std::size_t index) { return path_.at(index); }

    void required_string(std::string_view key, std::string_view value)
    {
        if (value.empty()) fail(std::string(key) + " is required");
        w.member(key, value);
    }

    void optional_string(std::string_view key, const std::optional<std::string>& value)
    {
        if (value) w.member(key, std::string_view(*value));
    }

    void optional_bool(std::string_view key, const std::optional<bool>& value)
    {
        if (value) w.member(key, *value);
    }

    void optional_integer(std::string_view key, const std::optional<std::int64_t>& value)
    {
        if (value) w.member(key, *value);
    }

    /// An optional count that DynamoDB wants to be at least `minimum`.
    void optional_count(std::string_view key, const std::optional<std::int32_t>& value,
                        std::int32_t minimum)
    {
        if (!value) return;
        if (*value < minimum) {
            fail(std::string(key) + " must be at least " + std::to_string(minimum) + ", got " +
                 std::to_string(*value));
        }
        w.member(key, static_cast<std::int64_t>(*value));
    }

    template <class E>
    void enumeration(std::string_view key, E value)
    {
        const std::string_view name = to_string(value);
        if (name.empty()) {
            fail(std::string(key) + " has no valid value (" +
                 std::to_string(static_cast<std::underlying_type_t<E>>(value)) + ")");
        }
        w.member(key, name);
    }

    template <class E>
    void optional_enumeration(std::string_view key, const std::optional<E>& value)
    {
        if (value) enumeration(key, *value);
    }

    /// Checks what validate() checks and writes the map, naming `key` on failure.
    void checked_map(std::string_view key, const attribute_map& map)
    {
        std::string reason;
        if (validate(map, &reason)) {
            auto s = at(key);
            fail(reason);
        }
        w.key(key);
        write_item(w, map);
    }

    /// A primary key: required and validated.
    void key_member(std::string_view key, const attribute_map& map)
    {
        if (map.empty()) fail(std::string(key) + " is required");
        checked_map(key, map);
    }

    /// A whole item: required, validated and within DynamoDB's size limit.
    void item_member(std::string_view key, const attribute_map& map)
    {
        if (map.empty()) fail(std::string(key) + " is required");
        checked_map(key, map);
        const std::size_t size = item_size(map);
        if (size > max_item_size) {
            auto s = at(key);
            fail("the item takes " + std::to_string(size) + " bytes, over DynamoDB's limit of " +
                 std::to_string(max_item_size));
        }
    }

    /// ExclusiveStartKey and the like: absent or a non-empty key.
    void optional_key(std::string_view key, const std::optional<attribute_map>& map)
    {
        if (!map) return;
        if (map->empty()) fail(std::string(key) + " is empty; leave it unset to start over");
        checked_map(key, *map);
    }

    void expression_attribute_names(const expression_names& names)
    {
        if (names.empty()) return;
        auto s = at("ExpressionAttributeNames");
        w.key("ExpressionAttributeNames");
        w.begin_object();
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto& [placeholder, name] = names[i];
            if (placeholder.size() < 2 || placeholder[0] != '#') {
                fail(quoted(placeholder) + " must be '#' followed by at least one character");
            } else if (name.empty()) {
                fail(quoted(placeholder) + " stands for an empty name");
            }
            for (std::size_t j = 0; j < i; ++j) {
                if (names[j].first == placeholder) fail(quoted(placeholder) + " appears twice");
            }
            w.member(placeholder, std::string_view(name));
        }
        w.end_object();
    }

    void expression_attribute_values(const attribute_map& values)
    {
        if (values.empty()) return;
        for (const auto& entry : values) {
            const std::string& placeholder = entry.first;
            if (placeholder.size() < 2 || placeholder[0] != ':') {
                auto s = at("ExpressionAttributeValues");
                fail(quoted(placeholder) + " must be ':' followed by at least one character");
            }
        }
        checked_map("ExpressionAttributeValues", values);
    }

    void parameters(const std::vector<attribute_value>& values)
    {
        if (values.empty()) return;
        auto s = at("Parameters");
        w.key("Parameters");
        w.begin_array();
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::string reason;
            if (validate(values[i], &reason)) {
                auto si = at(i);
                fail(reason);
            }
            write_value(w, values[i]);
        }
        w.end_array();
    }

    void return_values_put_or_delete(const std::optional<return_values>& value)
    {
        if (value && *value != return_values::none && *value != return_values::all_old) {
            const std::string_view name = to_string(*value);
            fail("ReturnValues must be NONE or ALL_OLD here, got " +
                 (name.empty() ? std::string("an invalid value") : std::string(name)));
        }
        optional_enumeration("ReturnValues", value);
    }

private:
    std::string& body_;
    std::size_t start_;
    field_path path_;
    std::string* why_;
    error_code ec_;
};

void write_key_schema(encoder& e, const std::vector<key_schema_element>& schema)
{
    if (schema.empty()) e.fail("KeySchema is required");
    auto s = e.at("KeySchema");
    e.w.key("KeySchema");
    e.w.begin_array();
    for (std::size_t i = 0; i < schema.size(); ++i) {
        auto si = e.at(i);
        e.w.begin_object();
        e.required_string("AttributeName", schema[i].attribute_name);
        e.enumeration("KeyType", schema[i].type);
        e.w.end_object();
    }
    e.w.end_array();
}

void write_attribute_definitions(encoder& e, const std::vector<attribute_definition>& defs)
{
    auto s = e.at("AttributeDefinitions");
    e.w.key("AttributeDefinitions");
    e.w.begin_array();
    for (std::size_t i = 0; i < defs.size(); ++i) {
        auto si = e.at(i);
        e.w.begin_object();
        e.required_string("AttributeName", defs[i].attribute_name);
        e.enumeration("AttributeType", defs[i].type);
        e.w.end_object();
    }
    e.w.end_array();
}

void write_projection(encoder& e, const projection& p)
{
    auto s = e.at("Projection");
    e.w.key("Projection");
    e.w.begin_object();
    e.optional_enumeration("ProjectionType", p.projection_type);
    if (!p.non_key_attributes.empty()) {
        e.w.key("NonKeyAttributes");
        e.w.begin_array();
        for (const std::string& name : p.non_key_attributes) {
            if (name.empty()) e.fail("NonKeyAttributes holds an empty name");
            e.w.string(name);
        }
        e.w.end_array();
    }
    e.w.end_object();
}

void write_provisioned_throughput(encoder& e,
                                  const std::optional<provisioned_throughput>& throughput)
{
    if (!throughput) return;
    e.w.key("ProvisionedThroughput");
    e.w.begin_object();
    e.w.member("ReadCapacityUnits", throughput->read_capacity_units);
    e.w.member("WriteCapacityUnits", throughput->write_capacity_units);
    e.w.end_object();
}

void write_on_demand_throughput(encoder& e, const std::optional<on_demand_throughput>& throughput)
{
    if (!throughput) return;
    e.w.key("OnDemandThroughput");
    e.w.begin_object();
    e.optional_integer("MaxReadRequestUnits", throughput->max_read_request_units);
    e.optional_integer("MaxWriteRequestUnits", throughput->max_write_request_units);
    e.w.end_object();
}

void write_stream_specification(encoder& e, const std::optional<stream_specification>& spec)
{
    if (!spec) return;
    auto s = e.at("StreamSpecification");
    if (spec->stream_enabled && !spec->stream_view_type) {
        e.fail("StreamViewType is required when StreamEnabled is true");
    }
    e.w.key("StreamSpecification");
    e.w.begin_object();
    e.w.member("StreamEnabled", spec->stream_enabled);
    e.optional_enumeration("StreamViewType", spec->stream_view_type);
    e.w.end_object();
}

void write_sse_specification(encoder& e, const std::optional<sse_specification>& spec)
{
    if (!spec) return;
    auto s = e.at("SSESpecification");
    e.w.key("SSESpecification");
    e.w.begin_object();
    e.optional_bool("Enabled", spec->enabled);
    e.optional_enumeration("SSEType", spec->sse_type);
    e.optional_string("KMSMasterKeyId", spec->kms_master_key_id);
    e.w.end_object();
}

/// The fields common to a GSI in CreateTable and a Create in GlobalSecondaryIndexUpdates.
template <class Index>
void write_global_index_fields(encoder& e, const Index& index)
{
    e.required_string("IndexName", index.index_name);
    write_key_schema(e, index.key_schema);
    write_projection(e, index.projection);
    write_provisioned_throughput(e, index.provisioned_throughput);
    write_on_demand_throughput(e, index.on_demand_throughput);
}

void write_return_consumed_capacity(encoder& e,
                                    const std::optional<return_consumed_capacity>& value)
{
    e.optional_enumeration("ReturnConsumedCapacity", value);
}

void write_return_item_collection_metrics(
    encoder& e, const std::optional<return_item_collection_metrics>& value)
{
    e.optional_enumeration("ReturnItemCollectionMetrics", value);
}

void write_return_values_on_condition_check_failure(
    encoder& e, const std::optional<return_values_on_condition_check_failure>& value)
{
    e.optional_enumeration("ReturnValuesOnConditionCheckFailure", value);
}

/// Duplicate table names would make an ambiguous JSON object.
void check_unique_table(encoder& e, const auto& per_table_entries, std::size_t i)
{
    const std::string& name = per_table_entries[i].first;
    if (name.empty()) e.fail("a table name is empty");
    for (std::size_t j = 0; j < i; ++j) {
        if (per_table_entries[j].first == name) e.fail("table " + quoted(name) + " appears twice");
    }
}

void write_keys_and_attributes(encoder& e, const keys_and_attributes& ka)
{
    e.w.begin_object();
    if (ka.keys.empty()) e.fail("Keys is required");
    {
        auto s = e.at("Keys");
        e.w.key("Keys");
        e.w.begin_array();
        for (std::size_t i = 0; i < ka.keys.size(); ++i) {
            auto si = e.at(i);
            if (ka.keys[i].empty()) e.fail("the key is empty");
            std::string reason;
            if (validate(ka.keys[i], &reason)) e.fail(reason);
            for (std::size_t j = 0; j < i; ++j) {
                if (ka.keys[j] == ka.keys[i]) {
                    e.fail("the same key as Keys[" + std::to_string(j) +
                           "]; DynamoDB refuses duplicate keys");
                    break;
                }
            }
            write_item(e.w, ka.keys[i]);
        }
        e.w.end_array();
    }
    e.optional_string("ProjectionExpression", ka.projection_expression);
    e.expression_attribute_names(ka.expression_attribute_names);
    e.optional_bool("ConsistentRead", ka.consistent_read);
    e.w.end_object();
}

void write_write_request(encoder& e, const write_request& request)
{
    e.w.begin_object();
    if (const auto* put = std::get_if<put_request>(&request)) {
        auto s = e.at("PutRequest");
        e.w.key("PutRequest");
        e.w.begin_object();
        e.item_member("Item", put->item);
        e.w.end_object();
    } else {
        const auto& del = std::get<delete_request>(request);
        auto s = e.at("DeleteRequest");
        e.w.key("DeleteRequest");
        e.w.begin_object();
        e.key_member("Key", del.key);
        e.w.end_object();
    }
    e.w.end_object();
}

/// The members shared by the four kinds of transactional writes.
template <class Action>
void write_conditions(encoder& e, const Action& action)
{
    e.expression_attribute_names(action.expression_attribute_names);
    e.expression_attribute_values(action.expression_attribute_values);
    write_return_values_on_condition_check_failure(e,
                                                   action.return_values_on_condition_check_failure);
}

void write_transact_write_item(encoder& e, const transact_write_item& item)
{
    e.w.begin_object();
    if (const auto* check = std::get_if<transact_condition_check>(&item)) {
        auto s = e.at("ConditionCheck");
        e.w.key("ConditionCheck");
        e.w.begin_object();
        e.required_string("TableName", check->table_name);
        e.key_member("Key", check->key);
        e.required_string("ConditionExpression", check->condition_expression);
        write_conditions(e, *check);
        e.w.end_object();
    } else if (const auto* put = std::get_if<transact_put>(&item)) {
        auto s = e.at("Put");
        e.w.key("Put");
        e.w.begin_object();
        e.required_string("TableName", put->table_name);
        e.item_member("Item", put->item);
        e.optional_string("ConditionExpression", put->condition_expression);
        write_conditions(e, *put);
        e.w.end_object();
    } else if (const auto* del = std::get_if<transact_delete>(&item)) {
        auto s = e.at("Delete");
        e.w.key("Delete");
        e.w.begin_object();
        e.required_string("TableName", del->table_name);
        e.key_member("Key", del->key);
        e.optional_string("ConditionExpression", del->condition_expression);
        write_conditions(e, *del);
        e.w.end_object();
    } else {
        const auto& update = std::get<transact_update>(item);
        auto s = e.at("Update");
        e.w.key("Update");
        e.w.begin_object();
        e.required_string("TableName", update.table_name);
        e.key_member("Key", update.key);
        e.required_string("UpdateExpression", update.update_expression);
        e.optional_string("ConditionExpression", update.condition_expression);
        write_conditions(e, update);
        e.w.end_object();
    }
    e.w.end_object();
}

void check_limit(encoder& e, std::string_view field, std::size_t count, std::size_t limit,
                 std::string_view what)
{
    if (count > limit) {
        e.fail(std::string(field) + " holds " + std::to_string(count) + " " + std::string(what) +
               ", more than the " + std::to_string(limit) + " DynamoDB allows");
    }
}

void check_count(encoder& e, std::string_view field, std::size_t count, std::size_t limit,
                 std::string_view what)
{
    if (count == 0) e.fail(std::string(field) + " is required");
    check_limit(e, field, count, limit, what);
}

}  // namespace

error_code encode_request(const get_item_request& request, std::string& body, std::string* why)
{
    encoder e("GetItem", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    e.key_member("Key", request.key);
    e.optional_string("ProjectionExpression", request.projection_expression);
    e.expression_attribute_names(request.expression_attribute_names);
    e.optional_bool("ConsistentRead", request.consistent_read);
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const put_item_request& request, std::string& body, std::string* why)
{
    encoder e("PutItem", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    e.item_member("Item", request.item);
    e.optional_string("ConditionExpression", request.condition_expression);
    e.expression_attribute_names(request.expression_attribute_names);
    e.expression_attribute_values(request.expression_attribute_values);
    e.return_values_put_or_delete(request.return_values);
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    write_return_item_collection_metrics(e, request.return_item_collection_metrics);
    write_return_values_on_condition_check_failure(
        e, request.return_values_on_condition_check_failure);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const update_item_request& request, std::string& body, std::string* why)
{
    encoder e("UpdateItem", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    e.key_member("Key", request.key);
    e.optional_string("UpdateExpression", request.update_expression);
    e.optional_string("ConditionExpression", request.condition_expression);
    e.expression_attribute_names(request.expression_attribute_names);
    e.expression_attribute_values(request.expression_attribute_values);
    e.optional_enumeration("ReturnValues", request.return_values);
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    write_return_item_collection_metrics(e, request.return_item_collection_metrics);
    write_return_values_on_condition_check_failure(
        e, request.return_values_on_condition_check_failure);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const delete_item_request& request, std::string& body, std::string* why)
{
    encoder e("DeleteItem", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    e.key_member("Key", request.key);
    e.optional_string("ConditionExpression", request.condition_expression);
    e.expression_attribute_names(request.expression_attribute_names);
    e.expression_attribute_values(request.expression_attribute_values);
    e.return_values_put_or_delete(request.return_values);
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    write_return_item_collection_metrics(e, request.return_item_collection_metrics);
    write_return_values_on_condition_check_failure(
        e, request.return_values_on_condition_check_failure);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const query_request& request, std::string& body, std::string* why)
{
    encoder e("Query", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    e.optional_string("IndexName", request.index_name);
    e.required_string("KeyConditionExpression", request.key_condition_expression);
    e.optional_string("FilterExpression", request.filter_expression);
    e.optional_string("ProjectionExpression", request.projection_expression);
    e.expression_attribute_names(request.expression_attribute_names);
    e.expression_attribute_values(request.expression_attribute_values);
    e.optional_enumeration("Select", request.select);
    e.optional_count("Limit", request.limit, 1);
    e.optional_bool("ConsistentRead", request.consistent_read);
    e.optional_bool("ScanIndexForward", request.scan_index_forward);
    e.optional_key("ExclusiveStartKey", request.exclusive_start_key);
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const scan_request& request, std::string& body, std::string* why)
{
    constexpr std::int32_t max_segments = 1000000;
    encoder e("Scan", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    e.optional_string("IndexName", request.index_name);
    e.optional_string("FilterExpression", request.filter_expression);
    e.optional_string("ProjectionExpression", request.projection_expression);
    e.expression_attribute_names(request.expression_attribute_names);
    e.expression_attribute_values(request.expression_attribute_values);
    e.optional_enumeration("Select", request.select);
    e.optional_count("Limit", request.limit, 1);
    e.optional_bool("ConsistentRead", request.consistent_read);
    e.optional_key("ExclusiveStartKey", request.exclusive_start_key);
    if (request.segment.has_value() != request.total_segments.has_value()) {
        e.fail("Segment and TotalSegments go together: set both or neither");
    } else if (request.total_segments) {
        const std::int32_t total = *request.total_segments;
        const std::int32_t segment = *request.segment;
        if (total < 1 || total > max_segments) {
            e.fail("TotalSegments must be between 1 and " + std::to_string(max_segments) +
                   ", got " + std::to_string(total));
        } else if (segment < 0 || segment >= total) {
            e.fail("Segment must be between 0 and TotalSegments - 1 (" + std::to_string(total - 1) +
                   "), got " + std::to_string(segment));
        }
        e.w.member("Segment", static_cast<std::int64_t>(segment));
        e.w.member("TotalSegments", static_cast<std::int64_t>(total));
    }
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const batch_get_item_request& request, std::string& body,
                          std::string* why)
{
    encoder e("BatchGetItem", body, why);
    std::size_t keys = 0;
    for (const auto& entry : request.request_items) keys += entry.second.keys.size();
    if (request.request_items.empty()) e.fail("RequestItems is required");
    check_limit(e, "RequestItems", keys, batch_get_max_keys, "keys");
    if (e.failed()) return e.finish();
    e.w.begin_object();
    {
        auto s = e.at("RequestItems");
        e.w.key("RequestItems");
        e.w.begin_object();
        for (std::size_t i = 0; i < request.request_items.size(); ++i) {
            const auto& [table, ka] = request.request_items[i];
            check_unique_table(e, request.request_items, i);
            auto st = e.at(std::string_view(table));
            e.w.key(table);
            write_keys_and_attributes(e, ka);
        }
        e.w.end_object();
    }
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const batch_write_item_request& request, std::string& body,
                          std::string* why)
{
    encoder e("BatchWriteItem", body, why);
    std::size_t writes = 0;
    for (const auto& entry : request.request_items) writes += entry.second.size();
    if (request.request_items.empty()) e.fail("RequestItems is required");
    check_limit(e, "RequestItems", writes, batch_write_max_requests, "writes");
    if (e.failed()) return e.finish();
    e.w.begin_object();
    {
        auto s = e.at("RequestItems");
        e.w.key("RequestItems");
        e.w.begin_object();
        for (std::size_t i = 0; i < request.request_items.size(); ++i) {
            const auto& [table, requests] = request.request_items[i];
            check_unique_table(e, request.request_items, i);
            auto st = e.at(std::string_view(table));
            if (requests.empty()) e.fail("no writes for this table");
            e.w.key(table);
            e.w.begin_array();
            for (std::size_t j = 0; j < requests.size(); ++j) {
                auto sj = e.at(j);
                write_write_request(e, requests[j]);
            }
            e.w.end_array();
        }
        e.w.end_object();
    }
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    write_return_item_collection_metrics(e, request.return_item_collection_metrics);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const transact_get_items_request& request, std::string& body,
                          std::string* why)
{
    encoder e("TransactGetItems", body, why);
    check_count(e, "TransactItems", request.transact_items.size(), transaction_max_actions,
                "actions");
    if (e.failed()) return e.finish();
    e.w.begin_object();
    {
        auto s = e.at("TransactItems");
        e.w.key("TransactItems");
        e.w.begin_array();
        for (std::size_t i = 0; i < request.transact_items.size(); ++i) {
            const transact_get_item& get = request.transact_items[i];
            auto si = e.at(i);
            auto sg = e.at("Get");
            e.w.begin_object();
            e.w.key("Get");
            e.w.begin_object();
            e.required_string("TableName", get.table_name);
            e.key_member("Key", get.key);
            e.optional_string("ProjectionExpression", get.projection_expression);
            e.expression_attribute_names(get.expression_attribute_names);
            e.w.end_object();
            e.w.end_object();
        }
        e.w.end_array();
    }
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const transact_write_items_request& request, std::string& body,
                          std::string* why)
{
    constexpr std::size_t max_token_length = 36;
    encoder e("TransactWriteItems", body, why);
    check_count(e, "TransactItems", request.transact_items.size(), transaction_max_actions,
                "actions");
    if (e.failed()) return e.finish();
    e.w.begin_object();
    {
        auto s = e.at("TransactItems");
        e.w.key("TransactItems");
        e.w.begin_array();
        for (std::size_t i = 0; i < request.transact_items.size(); ++i) {
            auto si = e.at(i);
            write_transact_write_item(e, request.transact_items[i]);
        }
        e.w.end_array();
    }
    if (request.client_request_token) {
        const std::size_t length = request.client_request_token->size();
        if (length == 0 || length > max_token_length) {
            e.fail("ClientRequestToken must be 1 to 36 characters long, got " +
                   std::to_string(length));
        }
    }
    e.optional_string("ClientRequestToken", request.client_request_token);
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    write_return_item_collection_metrics(e, request.return_item_collection_metrics);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const create_table_request& request, std::string& body, std::string* why)
{
    encoder e("CreateTable", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    if (request.attribute_definitions.empty()) e.fail("AttributeDefinitions is required");
    write_attribute_definitions(e, request.attribute_definitions);
    write_key_schema(e, request.key_schema);
    if (!request.global_secondary_indexes.empty()) {
        auto s = e.at("GlobalSecondaryIndexes");
        e.w.key("GlobalSecondaryIndexes");
        e.w.begin_array();
        for (std::size_t i = 0; i < request.global_secondary_indexes.size(); ++i) {
            auto si = e.at(i);
            e.w.begin_object();
            write_global_index_fields(e, request.global_secondary_indexes[i]);
            e.w.end_object();
        }
        e.w.end_array();
    }
    if (!request.local_secondary_indexes.empty()) {
        auto s = e.at("LocalSecondaryIndexes");
        e.w.key("LocalSecondaryIndexes");
        e.w.begin_array();
        for (std::size_t i = 0; i < request.local_secondary_indexes.size(); ++i) {
            const local_secondary_index& index = request.local_secondary_indexes[i];
            auto si = e.at(i);
            e.w.begin_object();
            e.required_string("IndexName", index.index_name);
            write_key_schema(e, index.key_schema);
            write_projection(e, index.projection);
            e.w.end_object();
        }
        e.w.end_array();
    }
    e.optional_enumeration("BillingMode", request.billing_mode);
    write_provisioned_throughput(e, request.provisioned_throughput);
    write_on_demand_throughput(e, request.on_demand_throughput);
    write_stream_specification(e, request.stream_specification);
    write_sse_specification(e, request.sse_specification);
    if (!request.tags.empty()) {
        auto s = e.at("Tags");
        e.w.key("Tags");
        e.w.begin_array();
        for (std::size_t i = 0; i < request.tags.size(); ++i) {
            auto si = e.at(i);
            e.w.begin_object();
            e.required_string("Key", request.tags[i].key);
            e.w.member("Value", std::string_view(request.tags[i].value));
            e.w.end_object();
        }
        e.w.end_array();
    }
    e.optional_enumeration("TableClass", request.table_class);
    e.optional_bool("DeletionProtectionEnabled", request.deletion_protection_enabled);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const update_table_request& request, std::string& body, std::string* why)
{
    encoder e("UpdateTable", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    if (!request.attribute_definitions.empty()) {
        write_attribute_definitions(e, request.attribute_definitions);
    }
    e.optional_enumeration("BillingMode", request.billing_mode);
    write_provisioned_throughput(e, request.provisioned_throughput);
    write_on_demand_throughput(e, request.on_demand_throughput);
    if (!request.global_secondary_index_updates.empty()) {
        auto s = e.at("GlobalSecondaryIndexUpdates");
        e.w.key("GlobalSecondaryIndexUpdates");
        e.w.begin_array();
        for (std::size_t i = 0; i < request.global_secondary_index_updates.size(); ++i) {
            const global_secondary_index_update& update = request.global_secondary_index_updates[i];
            auto si = e.at(i);
            e.w.begin_object();
            if (const auto* create = std::get_if<create_global_secondary_index_action>(&update)) {
                auto sc = e.at("Create");
                e.w.key("Create");
                e.w.begin_object();
                write_global_index_fields(e, *create);
                e.w.end_object();
            } else if (const auto* change =
                           std::get_if<update_global_secondary_index_action>(&update)) {
                auto su = e.at("Update");
                e.w.key("Update");
                e.w.begin_object();
                e.required_string("IndexName", change->index_name);
                write_provisioned_throughput(e, change->provisioned_throughput);
                write_on_demand_throughput(e, change->on_demand_throughput);
                e.w.end_object();
            } else {
                const auto& del = std::get<delete_global_secondary_index_action>(update);
                auto sd = e.at("Delete");
                e.w.key("Delete");
                e.w.begin_object();
                e.required_string("IndexName", del.index_name);
                e.w.end_object();
            }
            e.w.end_object();
        }
        e.w.end_array();
    }
    write_stream_specification(e, request.stream_specification);
    write_sse_specification(e, request.sse_specification);
    e.optional_enumeration("TableClass", request.table_class);
    e.optional_bool("DeletionProtectionEnabled", request.deletion_protection_enabled);
    e.w.end_object();
    return e.finish();
}

namespace {

error_code encode_table_name_only(std::string_view operation, const std::string& table_name,
                                  std::string& body, std::string* why)
{
    encoder e(operation, body, why);
    e.w.begin_object();
    e.required_string("TableName", table_name);
    e.w.end_object();
    return e.finish();
}

}  // namespace

error_code encode_request(const delete_table_request& request, std::string& body, std::string* why)
{
    return encode_table_name_only("DeleteTable", request.table_name, body, why);
}

error_code encode_request(const describe_table_request& request, std::string& body,
                          std::string* why)
{
    return encode_table_name_only("DescribeTable", request.table_name, body, why);
}

error_code encode_request(const list_tables_request& request, std::string& body, std::string* why)
{
    constexpr std::int32_t max_limit = 100;
    encoder e("ListTables", body, why);
    e.w.begin_object();
    if (request.exclusive_start_table_name && request.exclusive_start_table_name->empty()) {
        e.fail("ExclusiveStartTableName is empty; leave it unset to start over");
    }
    e.optional_string("ExclusiveStartTableName", request.exclusive_start_table_name);
    if (request.limit && (*request.limit < 1 || *request.limit > max_limit)) {
        e.fail("Limit must be between 1 and 100, got " + std::to_string(*request.limit));
    }
    e.optional_count("Limit", request.limit, 1);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const update_time_to_live_request& request, std::string& body,
                          std::string* why)
{
    encoder e("UpdateTimeToLive", body, why);
    e.w.begin_object();
    e.required_string("TableName", request.table_name);
    {
        auto s = e.at("TimeToLiveSpecification");
        e.w.key("TimeToLiveSpecification");
        e.w.begin_object();
        e.w.member("Enabled", request.time_to_live_specification.enabled);
        e.required_string("AttributeName", request.time_to_live_specification.attribute_name);
        e.w.end_object();
    }
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const describe_time_to_live_request& request, std::string& body,
                          std::string* why)
{
    return encode_table_name_only("DescribeTimeToLive", request.table_name, body, why);
}

error_code encode_request(const execute_statement_request& request, std::string& body,
                          std::string* why)
{
    encoder e("ExecuteStatement", body, why);
    e.w.begin_object();
    e.required_string("Statement", request.statement);
    e.parameters(request.parameters);
    e.optional_bool("ConsistentRead", request.consistent_read);
    if (request.next_token && request.next_token->empty()) {
        e.fail("NextToken is empty; leave it unset to start over");
    }
    e.optional_string("NextToken", request.next_token);
    e.optional_count("Limit", request.limit, 1);
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    write_return_values_on_condition_check_failure(
        e, request.return_values_on_condition_check_failure);
    e.w.end_object();
    return e.finish();
}

error_code encode_request(const batch_execute_statement_request& request, std::string& body,
                          std::string* why)
{
    encoder e("BatchExecuteStatement", body, why);
    check_count(e, "Statements", request.statements.size(), batch_execute_max_statements,
                "statements");
    if (e.failed()) return e.finish();
    e.w.begin_object();
    {
        auto s = e.at("Statements");
        e.w.key("Statements");
        e.w.begin_array();
        for (std::size_t i = 0; i < request.statements.size(); ++i) {
            const batch_statement_request& statement = request.statements[i];
            auto si = e.at(i);
            e.w.begin_object();
            e.required_string("Statement", statement.statement);
            e.parameters(statement.parameters);
            e.optional_bool("ConsistentRead", statement.consistent_read);
            write_return_values_on_condition_check_failure(
                e, statement.return_values_on_condition_check_failure);
            e.w.end_object();
        }
        e.w.end_array();
    }
    write_return_consumed_capacity(e, request.return_consumed_capacity);
    e.w.end_object();
    return e.finish();
}

}  // namespace detail
}  // namespace dynomite
