// Request bodies of the DynamoDB operations, written straight into the body string from the
// description of the request types (request_description.hpp). A member is written by its
// type:
//   std::string                   required: an empty one is an error
//   std::optional<...>            left out when absent
//   enumerations                  their wire name; `unknown` or an invalid value is an error
//   std::optional<std::int32_t>   a count, at least 1 (Limit)
//   attribute_map                 by its name: Key (a primary key), Item (an item within the
//                                 size limit), ExpressionAttributeValues (':' placeholders)
//   std::optional<attribute_map>  ExclusiveStartKey: absent or a non-empty key
//   expression_names              ExpressionAttributeNames ('#' placeholders, each once)
//   std::vector<attribute_value>  PartiQL Parameters
//   std::vector<attribute_map>    a BatchGetItem table's Keys: required, distinct
//   std::vector<std::string>      attribute names, none empty (NonKeyAttributes); with
//                                 member_rule::required, not empty either
//   double                        a finite number (timestamps: seconds since the epoch)
//   described structures          nested objects; lists of them, left out when empty
//   std::variant                  the alternative, in an object named by wrapper_name
//   per_table<T>                  an object keyed by table name, each table once
// and by its member_rule. What concerns a whole request (the size of batches and
// transactions) or a whole structure is checked by check_object() before it is written.
#include <dynomite/protocol/detail/protocol.hpp>
#include "protocol/request_description.hpp"
#include "protocol/request_encoder.hpp"

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace dynomite::detail {
namespace {

// Checks of a whole request or structure, made before it is written.

void check_object(encoder&, const auto&) {}

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

void check_object(encoder& e, const batch_get_item_request& request)
{
    std::size_t keys = 0;
    for (const auto& entry : request.request_items) keys += entry.second.keys.size();
    if (request.request_items.empty()) e.fail("RequestItems is required");
    check_limit(e, "RequestItems", keys, batch_get_max_keys, "keys");
}

void check_object(encoder& e, const batch_write_item_request& request)
{
    std::size_t writes = 0;
    for (const auto& entry : request.request_items) writes += entry.second.size();
    if (request.request_items.empty()) e.fail("RequestItems is required");
    check_limit(e, "RequestItems", writes, batch_write_max_requests, "writes");
}

void check_object(encoder& e, const transact_get_items_request& request)
{
    check_count(e, "TransactItems", request.transact_items.size(), transaction_max_actions,
                "actions");
}

void check_object(encoder& e, const transact_write_items_request& request)
{
    check_count(e, "TransactItems", request.transact_items.size(), transaction_max_actions,
                "actions");
}

void check_object(encoder& e, const batch_execute_statement_request& request)
{
    check_count(e, "Statements", request.statements.size(), batch_execute_max_statements,
                "statements");
}

void check_object(encoder& e, const stream_specification& spec)
{
    if (spec.stream_enabled && !spec.stream_view_type) {
        e.fail("StreamViewType is required when StreamEnabled is true");
    }
}

/// A Streams identifier: required, and no longer than DynamoDB Streams allows.
void check_stream_name(encoder& e, std::string_view field, std::string_view value,
                       std::size_t max_length)
{
    if (value.size() > max_length) {
        e.fail(std::string(field) + " is " + std::to_string(value.size()) +
               " characters long, over the " + std::to_string(max_length) +
               " DynamoDB Streams allows");
    }
}

constexpr std::size_t max_stream_arn = 1024;
constexpr std::size_t max_shard_id = 65;
constexpr std::size_t max_sequence_number = 40;
constexpr std::size_t max_shard_iterator = 2048;

void check_object(encoder& e, const list_streams_request& request)
{
    if (request.exclusive_start_stream_arn) {
        check_stream_name(e, "ExclusiveStartStreamArn", *request.exclusive_start_stream_arn,
                          max_stream_arn);
    }
}

void check_object(encoder& e, const describe_stream_request& request)
{
    check_stream_name(e, "StreamArn", request.stream_arn, max_stream_arn);
    if (request.exclusive_start_shard_id) {
        check_stream_name(e, "ExclusiveStartShardId", *request.exclusive_start_shard_id,
                          max_shard_id);
    }
}

void check_object(encoder& e, const get_shard_iterator_request& request)
{
    check_stream_name(e, "StreamArn", request.stream_arn, max_stream_arn);
    check_stream_name(e, "ShardId", request.shard_id, max_shard_id);
    const bool positioned = request.shard_iterator_type == shard_iterator_type::at_sequence_number ||
                            request.shard_iterator_type == shard_iterator_type::after_sequence_number;
    if (positioned && (!request.sequence_number || request.sequence_number->empty())) {
        e.fail("SequenceNumber is required with ShardIteratorType " +
               std::string(to_string(request.shard_iterator_type)));
    } else if (!positioned && request.sequence_number) {
        e.fail("SequenceNumber goes only with AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER");
    } else if (request.sequence_number) {
        check_stream_name(e, "SequenceNumber", *request.sequence_number, max_sequence_number);
    }
}

void check_object(encoder& e, const get_records_request& request)
{
    check_stream_name(e, "ShardIterator", request.shard_iterator, max_shard_iterator);
}

void check_segments(encoder& e, const scan_request& request)
{
    constexpr std::int32_t max_segments = 1000000;
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
    }
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

// Members whose encoding is their own.

/// A BatchGetItem table's Keys: required, each a valid non-empty key, no two the same.
void write_keys(encoder& e, std::string_view name, const std::vector<attribute_map>& keys)
{
    if (keys.empty()) e.fail(std::string(name) + " is required");
    auto s = e.at(name);
    e.w.key(name);
    e.w.begin_array();
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto si = e.at(i);
        if (keys[i].empty()) e.fail("the key is empty");
        std::string reason;
        if (validate(keys[i], &reason)) e.fail(reason);
        for (std::size_t j = 0; j < i; ++j) {
            if (keys[j] == keys[i]) {
                e.fail("the same key as " + std::string(name) + "[" + std::to_string(j) +
                       "]; DynamoDB refuses duplicate keys");
                break;
            }
        }
        write_item(e.w, keys[i]);
    }
    e.w.end_array();
}

/// Attribute names (NonKeyAttributes): left out when empty, none of them empty.
template <member_rule Rule>
void write_names(encoder& e, std::string_view name, const std::vector<std::string>& names)
{
    if (names.empty()) {
        if (Rule == member_rule::required) e.fail(std::string(name) + " is required");
        return;
    }
    e.w.key(name);
    e.w.begin_array();
    for (const std::string& each : names) {
        if (each.empty()) e.fail(std::string(name) + " holds an empty name");
        e.w.string(each);
    }
    e.w.end_array();
}

/// An attribute_map member, by its name: a primary key, an item, or the values of the
/// expressions' placeholders.
template <class Descriptor>
void write_attribute_map(encoder& e, const attribute_map& map)
{
    constexpr std::string_view name = wire_name<Descriptor>::value;
    if constexpr (name == "Key") {
        e.key_member(name, map);
    } else if constexpr (name == "Item") {
        e.item_member(name, map);
    } else {
        static_assert(name == "ExpressionAttributeValues", "an attribute map of no known kind");
        e.expression_attribute_values(map);
    }
}

template <member_rule Rule>
void write_optional_string(encoder& e, std::string_view name,
                           const std::optional<std::string>& value)
{
    if (Rule == member_rule::page_token && value && value->empty()) {
        e.fail(std::string(name) + " is empty; leave it unset to start over");
    }
    if (Rule == member_rule::idempotency_token && value) {
        constexpr std::size_t max_token_length = 36;
        const std::size_t length = value->size();
        if (length == 0 || length > max_token_length) {
            e.fail(std::string(name) + " must be 1 to 36 characters long, got " +
                   std::to_string(length));
        }
    }
    if (Rule == member_rule::client_token && value &&
        (value->empty() || value->find('$') != std::string::npos)) {
        e.fail(std::string(name) + " must be a non-empty string without '$', got \"" + *value +
               "\"");
    }
    e.optional_string(name, value);
}

template <member_rule Rule>
void write_optional_int32(encoder& e, std::string_view name,
                          const std::optional<std::int32_t>& value)
{
    if (Rule == member_rule::unchecked || Rule == member_rule::parallel_scan_segment) {
        if (value) e.w.member(name, static_cast<std::int64_t>(*value));
        return;
    }
    if (Rule == member_rule::from_1_to_100 && value && (*value < 1 || *value > 100)) {
        e.fail(std::string(name) + " must be between 1 and 100, got " + std::to_string(*value));
    }
    if (Rule == member_rule::from_1_to_1000 && value && (*value < 1 || *value > 1000)) {
        e.fail(std::string(name) + " must be between 1 and 1000, got " + std::to_string(*value));
    }
    e.optional_count(name, value, 1);
}

// The generic writer.

template <class T>
void write_object(encoder& e, const T& object);

template <class T>
void write_element(encoder& e, const T& element)
{
    if constexpr (is_variant<T>) {
        std::visit([&e](const auto& alternative) { write_element(e, alternative); }, element);
    } else if constexpr (!wrapper_name<T>.empty()) {
        constexpr std::string_view name = wrapper_name<T>;
        auto s = e.at(name);
        e.w.begin_object();
        e.w.key(name);
        write_object(e, element);
        e.w.end_object();
    } else {
        write_object(e, element);
    }
}

template <class T>
void write_elements(encoder& e, const std::vector<T>& elements)
{
    e.w.begin_array();
    for (std::size_t i = 0; i < elements.size(); ++i) {
        auto si = e.at(i);
        write_element(e, elements[i]);
    }
    e.w.end_array();
}

template <class T>
void write_per_table(encoder& e, std::string_view name, const per_table<T>& tables)
{
    auto s = e.at(name);
    e.w.key(name);
    e.w.begin_object();
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const auto& [table, value] = tables[i];
        check_unique_table(e, tables, i);
        auto st = e.at(std::string_view(table));
        if constexpr (is_vector<T>) {
            if (value.empty()) e.fail("no writes for this table");
            e.w.key(table);
            write_elements(e, value);
        } else {
            e.w.key(table);
            write_object(e, value);
        }
    }
    e.w.end_object();
}

template <member_rule Rule, class T>
void write_member(encoder& e, std::string_view name, const T& value)
{
    if constexpr (std::is_same_v<T, std::string>) {
        if constexpr (Rule == member_rule::unchecked) {
            e.w.member(name, std::string_view(value));
        } else {
            e.required_string(name, value);
        }
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
        write_optional_string<Rule>(e, name, value);
    } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t>) {
        e.w.member(name, value);
    } else if constexpr (std::is_same_v<T, double>) {
        e.number(name, value);
    } else if constexpr (std::is_same_v<T, std::optional<double>>) {
        if (value) e.number(name, *value);
    } else if constexpr (std::is_same_v<T, std::optional<bool>>) {
        e.optional_bool(name, value);
    } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
        e.optional_integer(name, value);
    } else if constexpr (std::is_same_v<T, std::optional<std::int32_t>>) {
        write_optional_int32<Rule>(e, name, value);
    } else if constexpr (std::is_enum_v<T>) {
        e.enumeration(name, value);
    } else if constexpr (Rule == member_rule::none_or_all_old) {
        e.return_values_put_or_delete(value);
    } else if constexpr (is_optional_enum<T>) {
        e.optional_enumeration(name, value);
    } else if constexpr (std::is_same_v<T, std::optional<attribute_map>>) {
        e.optional_key(name, value);
    } else if constexpr (std::is_same_v<T, expression_names>) {
        e.expression_attribute_names(value);
    } else if constexpr (std::is_same_v<T, std::vector<attribute_value>>) {
        e.parameters(value);
    } else if constexpr (std::is_same_v<T, std::vector<attribute_map>>) {
        write_keys(e, name, value);
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        write_names<Rule>(e, name, value);
    } else if constexpr (is_per_table<T>) {
        write_per_table(e, name, value);
    } else if constexpr (is_vector<T>) {
        if (value.empty()) {
            if constexpr (Rule != member_rule::required) return;
            e.fail(std::string(name) + " is required");
        }
        auto s = e.at(name);
        e.w.key(name);
        write_elements(e, value);
    } else if constexpr (is_optional<T>) {
        if (value) write_member<Rule>(e, name, *value);
    } else {
        static_assert(is_described<T>, "a member of a request is of a type not described");
        auto s = e.at(name);
        check_object(e, value);
        e.w.key(name);
        write_object(e, value);
    }
}

// The same object, named through a type that depends on the member being visited, so that
// a call on it in a discarded `if constexpr` branch is not checked for other request types
// (clang checks calls whose arguments do not depend on the lambda's parameter).
template <class Dependent, class T>
const T& as_dependent(const T& object)
{
    return object;
}

template <class T>
void write_members(encoder& e, const T& object)
{
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto descriptor) {
        using D = decltype(descriptor);
        constexpr member_rule rule = member_rule_of<D::pointer>;
        if constexpr (rule == member_rule::parallel_scan_segment) {
            check_segments(e, as_dependent<D>(object));
        }
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(object.*D::pointer)>,
                                     attribute_map>) {
            write_attribute_map<D>(e, object.*D::pointer);
        } else {
            write_member<rule>(e, wire_name<D>::value, object.*D::pointer);
        }
    });
}

template <class T>
void write_object(encoder& e, const T& object)
{
    e.w.begin_object();
    write_members(e, object);
    e.w.end_object();
}

template <class Request>
error_code encode(std::string_view operation, const Request& request, std::string& body,
                  std::string* why)
{
    encoder e(operation, body, why);
    check_object(e, request);
    if (e.failed()) return e.finish();
    // Most requests fit: one allocation rather than a string grown from 15 bytes by doubling.
    body.reserve(256);
    write_object(e, request);
    return e.finish();
}

}  // namespace

#define DYNOMITE_DEFINE_ENCODE(name, aws_name)                                                    \
    error_code encode_request(const name##_request& request, std::string& body, std::string* why) \
    {                                                                                             \
        return encode(#aws_name, request, body, why);                                             \
    }
DYNOMITE_OPERATIONS(DYNOMITE_DEFINE_ENCODE)
#undef DYNOMITE_DEFINE_ENCODE

}  // namespace dynomite::detail
