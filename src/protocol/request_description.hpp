// Every request type of the DynamoDB operations, and the structures inside them, described
// once: their members in wire order (Boost.Describe), and what in the wire format does not
// follow from a member's name and type. The request encoder is driven by this description;
// adding an operation means describing its request type here.
//
// A member's JSON name is its name in PascalCase (table_name: TableName; the words "sse"
// and "kms" in capitals: SSESpecification, KMSMasterKeyId) unless wire_name_override names
// it. Its encoding follows from its type (see operations_encode.cpp); member_rule_of marks
// the members that DynamoDB constrains further.
#pragma once

#include <dynomite/protocol/operations.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace dynomite {

BOOST_DESCRIBE_STRUCT(get_item_request, (),
                      (table_name, key, projection_expression, expression_attribute_names,
                       consistent_read, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(put_item_request, (),
                      (table_name, item, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values, return_consumed_capacity,
                       return_item_collection_metrics, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(update_item_request, (),
                      (table_name, key, update_expression, condition_expression,
                       expression_attribute_names, expression_attribute_values, return_values,
                       return_consumed_capacity, return_item_collection_metrics,
                       return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(delete_item_request, (),
                      (table_name, key, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values, return_consumed_capacity,
                       return_item_collection_metrics, return_values_on_condition_check_failure))

BOOST_DESCRIBE_STRUCT(query_request, (),
                      (table_name, index_name, key_condition_expression, filter_expression,
                       projection_expression, expression_attribute_names,
                       expression_attribute_values, select, limit, consistent_read,
                       scan_index_forward, exclusive_start_key, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(scan_request, (),
                      (table_name, index_name, filter_expression, projection_expression,
                       expression_attribute_names, expression_attribute_values, select, limit,
                       consistent_read, exclusive_start_key, segment, total_segments,
                       return_consumed_capacity))

BOOST_DESCRIBE_STRUCT(keys_and_attributes, (),
                      (keys, projection_expression, expression_attribute_names, consistent_read))
BOOST_DESCRIBE_STRUCT(batch_get_item_request, (), (request_items, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(put_request, (), (item))
BOOST_DESCRIBE_STRUCT(delete_request, (), (key))
BOOST_DESCRIBE_STRUCT(batch_write_item_request, (),
                      (request_items, return_consumed_capacity, return_item_collection_metrics))

BOOST_DESCRIBE_STRUCT(transact_get_item, (),
                      (table_name, key, projection_expression, expression_attribute_names))
BOOST_DESCRIBE_STRUCT(transact_get_items_request, (), (transact_items, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(transact_condition_check, (),
                      (table_name, key, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(transact_put, (),
                      (table_name, item, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(transact_delete, (),
                      (table_name, key, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(transact_update, (),
                      (table_name, key, update_expression, condition_expression,
                       expression_attribute_names, expression_attribute_values,
                       return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(transact_write_items_request, (),
                      (transact_items, client_request_token, return_consumed_capacity,
                       return_item_collection_metrics))

BOOST_DESCRIBE_STRUCT(key_schema_element, (), (attribute_name, type))
BOOST_DESCRIBE_STRUCT(attribute_definition, (), (attribute_name, type))
BOOST_DESCRIBE_STRUCT(projection, (), (projection_type, non_key_attributes))
BOOST_DESCRIBE_STRUCT(provisioned_throughput, (), (read_capacity_units, write_capacity_units))
BOOST_DESCRIBE_STRUCT(on_demand_throughput, (), (max_read_request_units, max_write_request_units))
BOOST_DESCRIBE_STRUCT(global_secondary_index, (),
                      (index_name, key_schema, projection, provisioned_throughput,
                       on_demand_throughput))
BOOST_DESCRIBE_STRUCT(local_secondary_index, (), (index_name, key_schema, projection))
BOOST_DESCRIBE_STRUCT(stream_specification, (), (stream_enabled, stream_view_type))
BOOST_DESCRIBE_STRUCT(sse_specification, (), (enabled, sse_type, kms_master_key_id))
BOOST_DESCRIBE_STRUCT(tag, (), (key, value))
BOOST_DESCRIBE_STRUCT(create_table_request, (),
                      (table_name, attribute_definitions, key_schema, global_secondary_indexes,
                       local_secondary_indexes, billing_mode, provisioned_throughput,
                       on_demand_throughput, stream_specification, sse_specification, tags,
                       table_class, deletion_protection_enabled))
BOOST_DESCRIBE_STRUCT(create_global_secondary_index_action, (),
                      (index_name, key_schema, projection, provisioned_throughput,
                       on_demand_throughput))
BOOST_DESCRIBE_STRUCT(update_global_secondary_index_action, (),
                      (index_name, provisioned_throughput, on_demand_throughput))
BOOST_DESCRIBE_STRUCT(delete_global_secondary_index_action, (), (index_name))
BOOST_DESCRIBE_STRUCT(update_table_request, (),
                      (table_name, attribute_definitions, billing_mode, provisioned_throughput,
                       on_demand_throughput, global_secondary_index_updates, stream_specification,
                       sse_specification, table_class, deletion_protection_enabled))
BOOST_DESCRIBE_STRUCT(delete_table_request, (), (table_name))
BOOST_DESCRIBE_STRUCT(describe_table_request, (), (table_name))
BOOST_DESCRIBE_STRUCT(list_tables_request, (), (exclusive_start_table_name, limit))
BOOST_DESCRIBE_STRUCT(time_to_live_specification, (), (enabled, attribute_name))
BOOST_DESCRIBE_STRUCT(update_time_to_live_request, (), (table_name, time_to_live_specification))
BOOST_DESCRIBE_STRUCT(describe_time_to_live_request, (), (table_name))

BOOST_DESCRIBE_STRUCT(execute_statement_request, (),
                      (statement, parameters, consistent_read, next_token, limit,
                       return_consumed_capacity, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(batch_statement_request, (),
                      (statement, parameters, consistent_read,
                       return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(batch_execute_statement_request, (), (statements, return_consumed_capacity))

BOOST_DESCRIBE_STRUCT(list_streams_request, (), (table_name, limit, exclusive_start_stream_arn))
BOOST_DESCRIBE_STRUCT(describe_stream_request, (), (stream_arn, limit, exclusive_start_shard_id))
BOOST_DESCRIBE_STRUCT(get_shard_iterator_request, (),
                      (stream_arn, shard_id, shard_iterator_type, sequence_number))
BOOST_DESCRIBE_STRUCT(get_records_request, (), (shard_iterator, limit))

namespace detail {

// The kinds of member types the codecs walk into.

/// Whether T is Template<Args...>.
template <class T, template <class...> class Template>
inline constexpr bool is_instance_of = false;
template <template <class...> class Template, class... Args>
inline constexpr bool is_instance_of<Template<Args...>, Template> = true;

template <class T>
inline constexpr bool is_optional = is_instance_of<T, std::optional>;
template <class T>
inline constexpr bool is_vector = is_instance_of<T, std::vector>;
template <class T>
inline constexpr bool is_variant = is_instance_of<T, std::variant>;

template <class T>
inline constexpr bool is_optional_enum = false;
template <class T>
inline constexpr bool is_optional_enum<std::optional<T>> = std::is_enum_v<T>;

// per_table is an alias, which is_instance_of cannot see through.
template <class T>
inline constexpr bool is_per_table = false;
template <class T>
inline constexpr bool is_per_table<per_table<T>> = true;

template <class T>
inline constexpr bool is_described = boost::describe::has_describe_members<T>::value;

/// Constraints beyond what a member's type implies.
enum class member_rule {
    standard,
    /// Written as it is: no check (a tag's value, a scan segment).
    unchecked,
    /// In a request, a list DynamoDB requires: an empty one is an error, not left out. In a
    /// response, a member that must be present.
    required,
    /// A paging token: absent, or not empty.
    page_token,
    /// ReturnValues of PutItem and DeleteItem: NONE or ALL_OLD.
    none_or_all_old,
    /// ListTables' Limit: 1 to 100.
    from_1_to_100,
    /// GetRecords' Limit: 1 to 1000.
    from_1_to_1000,
    /// ClientRequestToken: 1 to 36 characters; made up when absent (fill_idempotency_token).
    idempotency_token,
    /// ClientToken of exports and imports: not empty, without '$'; made up when absent.
    client_token,
    /// Scan's Segment: with TotalSegments, or both absent, and below it.
    parallel_scan_segment,
};

template <auto Member>
inline constexpr member_rule member_rule_of = member_rule::standard;

#define DYNOMITE_MEMBER_RULE(member, rule) \
    template <>                            \
    inline constexpr member_rule member_rule_of<member> = member_rule::rule;

DYNOMITE_MEMBER_RULE(&tag::value, unchecked)
DYNOMITE_MEMBER_RULE(&scan_request::segment, parallel_scan_segment)
DYNOMITE_MEMBER_RULE(&scan_request::total_segments, unchecked)
DYNOMITE_MEMBER_RULE(&create_table_request::key_schema, required)
DYNOMITE_MEMBER_RULE(&global_secondary_index::key_schema, required)
DYNOMITE_MEMBER_RULE(&local_secondary_index::key_schema, required)
DYNOMITE_MEMBER_RULE(&create_global_secondary_index_action::key_schema, required)
DYNOMITE_MEMBER_RULE(&create_table_request::attribute_definitions, required)
DYNOMITE_MEMBER_RULE(&list_tables_request::exclusive_start_table_name, page_token)
DYNOMITE_MEMBER_RULE(&execute_statement_request::next_token, page_token)
DYNOMITE_MEMBER_RULE(&list_tables_request::limit, from_1_to_100)
DYNOMITE_MEMBER_RULE(&list_streams_request::exclusive_start_stream_arn, page_token)
DYNOMITE_MEMBER_RULE(&describe_stream_request::exclusive_start_shard_id, page_token)
DYNOMITE_MEMBER_RULE(&list_streams_request::limit, from_1_to_100)
DYNOMITE_MEMBER_RULE(&describe_stream_request::limit, from_1_to_100)
DYNOMITE_MEMBER_RULE(&get_records_request::limit, from_1_to_1000)
DYNOMITE_MEMBER_RULE(&put_item_request::return_values, none_or_all_old)
DYNOMITE_MEMBER_RULE(&delete_item_request::return_values, none_or_all_old)
DYNOMITE_MEMBER_RULE(&transact_write_items_request::client_request_token, idempotency_token)

/// JSON names that are not the member's name in PascalCase.
template <auto Member>
inline constexpr std::string_view wire_name_override{};

#define DYNOMITE_WIRE_NAME(member, name) \
    template <>                          \
    inline constexpr std::string_view wire_name_override<member> = name;

DYNOMITE_WIRE_NAME(&key_schema_element::type, "KeyType")
DYNOMITE_WIRE_NAME(&attribute_definition::type, "AttributeType")

/// The object an element of a list is wrapped in, {"Put": {...}}, for the alternatives of
/// the variants and for TransactGetItems' reads.
template <class T>
inline constexpr std::string_view wrapper_name{};

#define DYNOMITE_WRAPPER_NAME(type, name) \
    template <>                           \
    inline constexpr std::string_view wrapper_name<type> = name;

DYNOMITE_WRAPPER_NAME(put_request, "PutRequest")
DYNOMITE_WRAPPER_NAME(delete_request, "DeleteRequest")
DYNOMITE_WRAPPER_NAME(transact_get_item, "Get")
DYNOMITE_WRAPPER_NAME(transact_condition_check, "ConditionCheck")
DYNOMITE_WRAPPER_NAME(transact_put, "Put")
DYNOMITE_WRAPPER_NAME(transact_delete, "Delete")
DYNOMITE_WRAPPER_NAME(transact_update, "Update")
DYNOMITE_WRAPPER_NAME(create_global_secondary_index_action, "Create")
DYNOMITE_WRAPPER_NAME(update_global_secondary_index_action, "Update")
DYNOMITE_WRAPPER_NAME(delete_global_secondary_index_action, "Delete")

/// snake_case to PascalCase, at compile time; "sse" and "kms" are written in capitals.
struct pascal_case {
    static constexpr bool is_acronym(std::string_view word)
    {
        return word == "sse" || word == "kms";
    }

    static constexpr std::size_t length(std::string_view snake)
    {
        std::size_t n = 0;
        for (char c : snake) n += c != '_';
        return n;
    }

    template <std::size_t N>
    static constexpr std::array<char, N> convert(std::string_view snake)
    {
        std::array<char, N> out{};
        std::size_t n = 0;
        std::size_t start = 0;
        while (start < snake.size()) {
            std::size_t end = snake.find('_', start);
            if (end == std::string_view::npos) end = snake.size();
            const std::string_view word = snake.substr(start, end - start);
            const bool capitals = is_acronym(word);
            for (std::size_t i = 0; i < word.size(); ++i) {
                const char c = word[i];
                const bool upper = (capitals || i == 0) && c >= 'a' && c <= 'z';
                out[n++] = upper ? static_cast<char>(c - 'a' + 'A') : c;
            }
            start = end + 1;
        }
        return out;
    }
};

/// The JSON name of the member a Boost.Describe descriptor describes.
template <class Descriptor>
struct wire_name {
private:
    static constexpr std::string_view snake = Descriptor::name;
    static constexpr auto text = pascal_case::convert<pascal_case::length(snake)>(snake);

public:
    static constexpr std::string_view value = wire_name_override<Descriptor::pointer>.empty()
                                                  ? std::string_view(text.data(), text.size())
                                                  : wire_name_override<Descriptor::pointer>;
};

}  // namespace detail
}  // namespace dynomite

#include "protocol/generated_descriptions.hpp"
