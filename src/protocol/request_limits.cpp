// Request limits that encoding leaves to DynamoDB otherwise; see request_limits.hpp.
#include "protocol/field_path.hpp"
#include "protocol/request_limits.hpp"

#include <optional>
#include <string_view>
#include <variant>

namespace dynomite::detail {
namespace {

// A name for a message: bounded, cut at a character boundary.
std::string shown(std::string_view name)
{
    constexpr std::size_t max_shown = 32;
    if (name.size() <= max_shown) return "\"" + std::string(name) + "\"";
    std::size_t cut = max_shown;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    return "\"" + std::string(name.substr(0, cut)) + "...\"";
}

class checker {
public:
    checker(std::string_view operation, std::string* why) : path_(operation), why_(why) {}

    error_code result() const noexcept { return ec_; }

    /// An expression the request may leave out: when present, not empty.
    void optional_expression(std::string_view field, const std::optional<std::string>& text)
    {
        if (!text) return;
        if (text->empty()) {
            auto s = path_.at(field);
            fail(errc::invalid_argument, "the expression is empty; leave it unset instead");
            return;
        }
        expression(field, *text);
    }

    /// A required expression; a missing one is reported by the encoder.
    void expression(std::string_view field, std::string_view text)
    {
        if (ec_ || text.empty()) return;
        auto s = path_.at(field);
        if (text.size() > max_expression_size) {
            fail(errc::invalid_argument, "the expression is " + std::to_string(text.size()) +
                                             " bytes long, over DynamoDB's limit of " +
                                             std::to_string(max_expression_size));
            return;
        }
        std::string reason;
        if (validate(attribute_value(text), &reason)) {
            // validate() says where the first bad byte is; keep that part.
            const std::size_t at = reason.find("(byte ");
            fail(errc::invalid_argument,
                 "the expression is not valid UTF-8" +
                     (at == std::string::npos ? std::string() : " " + reason.substr(at)));
        }
    }

    /// The names an expression's #placeholders stand for: valid attribute names.
    void expression_names(const dynomite::expression_names& names)
    {
        if (ec_ || names.empty()) return;
        auto s = path_.at("ExpressionAttributeNames");
        for (const auto& [placeholder, name] : names) {
            for (std::string_view text : {std::string_view(placeholder), std::string_view(name)}) {
                // Empty names and malformed placeholders are the encoder's to report.
                if (text.empty()) continue;
                std::string reason;
                const attribute_map probe{{std::string(text), attribute_value()}};
                if (validate(probe, &reason)) {
                    // A placeholder that is not valid UTF-8 is not repeated in the message.
                    fail(errc::invalid_argument,
                         (text.data() == placeholder.data() ? std::string("a placeholder")
                                                            : "the name of " + shown(placeholder)) +
                             ": " + reason);
                    return;
                }
            }
        }
    }

    /// A primary key (or ExclusiveStartKey) under `field`: scalar, non-empty values under names of
    /// at most 255 bytes. Invalid values and names are the encoder's to report, through validate().
    void key(std::string_view field, const attribute_map& key)
    {
        auto s = path_.at(field);
        key_members(key);
    }

    void key_members(const attribute_map& key)
    {
        if (ec_ || validate(key)) return;
        for (const auto& [name, value] : key) {
            if (name.size() > max_key_attribute_name_size) {
                fail(errc::invalid_argument,
                     "the key attribute name " + shown(name) + " is " +
                         std::to_string(name.size()) + " bytes long, at most " +
                         std::to_string(max_key_attribute_name_size) + " are allowed");
                return;
            }
            auto sn = path_.at(name);
            using kind = attribute_value::kind;
            switch (value.type()) {
                case kind::s:
                    if (value.get_if<std::string>()->empty()) {
                        fail(errc::invalid_argument,
                             "a key attribute is an empty string; DynamoDB refuses empty key "
                             "values");
                    }
                    break;
                case kind::b:
                    if (value.get_if<bytes>()->empty()) {
                        fail(errc::invalid_argument,
                             "a key attribute is an empty binary; DynamoDB refuses empty key "
                             "values");
                    }
                    break;
                case kind::n:
                    break;
                default:
                    fail(errc::invalid_argument, "a key attribute is of type " +
                                                     std::string(value.type_name()) +
                                                     "; key attributes are S, N or B");
                    break;
            }
            if (ec_) return;
        }
    }

    void optional_key(std::string_view field, const std::optional<attribute_map>& key)
    {
        if (key) this->key(field, *key);
    }

    /// The name of a table or index key attribute, or of a projected attribute.
    void key_attribute_name(std::string_view name)
    {
        if (ec_ || name.empty()) return;
        std::string reason;
        const attribute_map probe{{std::string(name), attribute_value()}};
        if (validate(probe, &reason)) {
            fail(errc::invalid_argument, reason);
        } else if (name.size() > max_key_attribute_name_size) {
            fail(errc::invalid_argument, "the attribute name " + shown(name) + " is " +
                                             std::to_string(name.size()) + " bytes long, at most " +
                                             std::to_string(max_key_attribute_name_size) +
                                             " are allowed");
        }
    }

    void key_schema(const std::vector<key_schema_element>& schema)
    {
        auto s = path_.at("KeySchema");
        for (std::size_t i = 0; i < schema.size(); ++i) {
            auto si = path_.at(i);
            auto sn = path_.at("AttributeName");
            key_attribute_name(schema[i].attribute_name);
        }
    }

    void attribute_definitions(const std::vector<attribute_definition>& definitions)
    {
        auto s = path_.at("AttributeDefinitions");
        for (std::size_t i = 0; i < definitions.size(); ++i) {
            auto si = path_.at(i);
            auto sn = path_.at("AttributeName");
            key_attribute_name(definitions[i].attribute_name);
        }
    }

    void projection(const dynomite::projection& p)
    {
        auto s = path_.at("Projection");
        auto sn = path_.at("NonKeyAttributes");
        for (std::size_t i = 0; i < p.non_key_attributes.size(); ++i) {
            auto si = path_.at(i);
            key_attribute_name(p.non_key_attributes[i]);
        }
    }

    template <class Index>
    void index(const Index& index)
    {
        key_schema(index.key_schema);
        projection(index.projection);
    }

    field_path::scope at(std::string_view field) { return path_.at(field); }
    field_path::scope at(std::size_t index) { return path_.at(index); }

private:
    void fail(errc code, std::string_view what)
    {
        if (ec_) return;
        ec_ = code;
        path_.describe(why_, what);
    }

    field_path path_;
    std::string* why_;
    error_code ec_;
};

/// The checks of the four kinds of transactional writes.
void check_action(checker& c, const transact_condition_check& check)
{
    auto s = c.at("ConditionCheck");
    c.key("Key", check.key);
    c.expression("ConditionExpression", check.condition_expression);
    c.expression_names(check.expression_attribute_names);
}

void check_action(checker& c, const transact_put& put)
{
    auto s = c.at("Put");
    c.optional_expression("ConditionExpression", put.condition_expression);
    c.expression_names(put.expression_attribute_names);
}

void check_action(checker& c, const transact_delete& del)
{
    auto s = c.at("Delete");
    c.key("Key", del.key);
    c.optional_expression("ConditionExpression", del.condition_expression);
    c.expression_names(del.expression_attribute_names);
}

void check_action(checker& c, const transact_update& update)
{
    auto s = c.at("Update");
    c.key("Key", update.key);
    c.expression("UpdateExpression", update.update_expression);
    c.optional_expression("ConditionExpression", update.condition_expression);
    c.expression_names(update.expression_attribute_names);
}

}  // namespace

error_code check_request_limits(const get_item_request& request, std::string* why)
{
    checker c("GetItem", why);
    c.key("Key", request.key);
    c.optional_expression("ProjectionExpression", request.projection_expression);
    c.expression_names(request.expression_attribute_names);
    return c.result();
}

error_code check_request_limits(const put_item_request& request, std::string* why)
{
    checker c("PutItem", why);
    c.optional_expression("ConditionExpression", request.condition_expression);
    c.expression_names(request.expression_attribute_names);
    return c.result();
}

error_code check_request_limits(const update_item_request& request, std::string* why)
{
    checker c("UpdateItem", why);
    c.key("Key", request.key);
    c.optional_expression("UpdateExpression", request.update_expression);
    c.optional_expression("ConditionExpression", request.condition_expression);
    c.expression_names(request.expression_attribute_names);
    return c.result();
}

error_code check_request_limits(const delete_item_request& request, std::string* why)
{
    checker c("DeleteItem", why);
    c.key("Key", request.key);
    c.optional_expression("ConditionExpression", request.condition_expression);
    c.expression_names(request.expression_attribute_names);
    return c.result();
}

error_code check_request_limits(const query_request& request, std::string* why)
{
    checker c("Query", why);
    c.expression("KeyConditionExpression", request.key_condition_expression);
    c.optional_expression("FilterExpression", request.filter_expression);
    c.optional_expression("ProjectionExpression", request.projection_expression);
    c.expression_names(request.expression_attribute_names);
    c.optional_key("ExclusiveStartKey", request.exclusive_start_key);
    return c.result();
}

error_code check_request_limits(const scan_request& request, std::string* why)
{
    checker c("Scan", why);
    c.optional_expression("FilterExpression", request.filter_expression);
    c.optional_expression("ProjectionExpression", request.projection_expression);
    c.expression_names(request.expression_attribute_names);
    c.optional_key("ExclusiveStartKey", request.exclusive_start_key);
    return c.result();
}

error_code check_request_limits(const batch_get_item_request& request, std::string* why)
{
    checker c("BatchGetItem", why);
    auto s = c.at("RequestItems");
    for (const auto& [table, keys_and_attributes] : request.request_items) {
        auto st = c.at(std::string_view(table));
        {
            auto sk = c.at("Keys");
            for (std::size_t i = 0; i < keys_and_attributes.keys.size(); ++i) {
                auto si = c.at(i);
                c.key_members(keys_and_attributes.keys[i]);
            }
        }
        c.optional_expression("ProjectionExpression", keys_and_attributes.projection_expression);
        c.expression_names(keys_and_attributes.expression_attribute_names);
    }
    return c.result();
}

error_code check_request_limits(const batch_write_item_request& request, std::string* why)
{
    checker c("BatchWriteItem", why);
    auto s = c.at("RequestItems");
    for (const auto& [table, writes] : request.request_items) {
        auto st = c.at(std::string_view(table));
        for (std::size_t i = 0; i < writes.size(); ++i) {
            if (const auto* del = std::get_if<delete_request>(&writes[i])) {
                auto si = c.at(i);
                auto sd = c.at("DeleteRequest");
                c.key("Key", del->key);
            }
        }
    }
    return c.result();
}

error_code check_request_limits(const transact_get_items_request& request, std::string* why)
{
    checker c("TransactGetItems", why);
    auto s = c.at("TransactItems");
    for (std::size_t i = 0; i < request.transact_items.size(); ++i) {
        const transact_get_item& get = request.transact_items[i];
        auto si = c.at(i);
        auto sg = c.at("Get");
        c.key("Key", get.key);
        c.optional_expression("ProjectionExpression", get.projection_expression);
        c.expression_names(get.expression_attribute_names);
    }
    return c.result();
}

error_code check_request_limits(const transact_write_items_request& request, std::string* why)
{
    checker c("TransactWriteItems", why);
    auto s = c.at("TransactItems");
    for (std::size_t i = 0; i < request.transact_items.size(); ++i) {
        auto si = c.at(i);
        std::visit([&c](const auto& action) { check_action(c, action); },
                   request.transact_items[i]);
    }
    return c.result();
}

error_code check_request_limits(const create_table_request& request, std::string* why)
{
    checker c("CreateTable", why);
    c.attribute_definitions(request.attribute_definitions);
    c.key_schema(request.key_schema);
    {
        auto s = c.at("GlobalSecondaryIndexes");
        for (std::size_t i = 0; i < request.global_secondary_indexes.size(); ++i) {
            auto si = c.at(i);
            c.index(request.global_secondary_indexes[i]);
        }
    }
    {
        auto s = c.at("LocalSecondaryIndexes");
        for (std::size_t i = 0; i < request.local_secondary_indexes.size(); ++i) {
            auto si = c.at(i);
            c.index(request.local_secondary_indexes[i]);
        }
    }
    return c.result();
}

error_code check_request_limits(const update_table_request& request, std::string* why)
{
    checker c("UpdateTable", why);
    c.attribute_definitions(request.attribute_definitions);
    auto s = c.at("GlobalSecondaryIndexUpdates");
    for (std::size_t i = 0; i < request.global_secondary_index_updates.size(); ++i) {
        const auto* create = std::get_if<create_global_secondary_index_action>(
            &request.global_secondary_index_updates[i]);
        if (!create) continue;
        auto si = c.at(i);
        auto sc = c.at("Create");
        c.index(*create);
    }
    return c.result();
}

// Nothing beyond what encoding checks: table names, tokens, statements and their parameters.
error_code check_request_limits(const delete_table_request&, std::string*)
{
    return {};
}
error_code check_request_limits(const describe_table_request&, std::string*)
{
    return {};
}
error_code check_request_limits(const list_tables_request&, std::string*)
{
    return {};
}
error_code check_request_limits(const describe_time_to_live_request&, std::string*)
{
    return {};
}
error_code check_request_limits(const execute_statement_request&, std::string*)
{
    return {};
}
error_code check_request_limits(const batch_execute_statement_request&, std::string*)
{
    return {};
}

error_code check_request_limits(const update_time_to_live_request& request, std::string* why)
{
    checker c("UpdateTimeToLive", why);
    auto s = c.at("TimeToLiveSpecification");
    auto sn = c.at("AttributeName");
    c.key_attribute_name(request.time_to_live_specification.attribute_name);
    return c.result();
}

}  // namespace dynomite::detail
