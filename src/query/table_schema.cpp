// A table's keys and indexes, from DescribeTable.
#include <dynomite/core/document_path.hpp>
#include <dynomite/query/table_schema.hpp>

#include <algorithm>
#include <utility>

namespace dynomite {
namespace {

class schema_reader {
public:
    schema_reader(const table_description& d, std::string* why) : description_(d), why_(why) {}

    error_code fail(std::string_view where, std::string message) const
    {
        if (why_) *why_ = std::string(where) + ": " + std::move(message);
        return errc::malformed_response;
    }

    error_code read_attribute(std::string_view where, const std::string& name,
                              key_attribute& out) const
    {
        for (const attribute_definition& a : description_.attribute_definitions) {
            if (a.attribute_name != name) continue;
            if (a.type == scalar_attribute_type::unknown) {
                return fail(where, "the AttributeDefinition of key attribute " +
                                       detail::quoted(name) + " has an unknown AttributeType");
            }
            out.name = name;
            out.type = a.type;
            return {};
        }
        return fail(where, "no AttributeDefinition for key attribute " + detail::quoted(name));
    }

    error_code read_key(std::string_view where, const std::vector<key_schema_element>& elements,
                        primary_key& out) const
    {
        const key_schema_element* hash = nullptr;
        const key_schema_element* range = nullptr;
        for (const key_schema_element& e : elements) {
            if (e.attribute_name.empty()) return fail(where, "a KeySchema element has no name");
            const key_schema_element** slot = nullptr;
            if (e.type == key_type::hash) {
                slot = &hash;
            } else if (e.type == key_type::range) {
                slot = &range;
            } else {
                return fail(where, "KeySchema element " + detail::quoted(e.attribute_name) +
                                       " has an unknown KeyType");
            }
            if (*slot) {
                return fail(where, "KeySchema has two " + std::string(to_string(e.type)) +
                                       " keys, " + detail::quoted((*slot)->attribute_name) +
                                       " and " + detail::quoted(e.attribute_name));
            }
            *slot = &e;
        }
        if (!hash) return fail(where, "KeySchema has no HASH key");
        primary_key key;
        if (error_code ec = read_attribute(where, hash->attribute_name, key.partition)) return ec;
        if (range) {
            key.sort.emplace();
            if (error_code ec = read_attribute(where, range->attribute_name, *key.sort)) return ec;
        }
        out = std::move(key);
        return {};
    }

    error_code read_index(std::string_view table_where, index_schema::kind type,
                          const std::string& name, const std::vector<key_schema_element>& key,
                          const projection& p, index_schema& out) const
    {
        const std::string_view list =
            type == index_schema::kind::global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
        if (name.empty()) {
            return fail(table_where, "an entry of " + std::string(list) + " has no IndexName");
        }
        const std::string where = std::string(table_where) + ", index " + detail::quoted(name);
        out.name = name;
        out.type = type;
        if (error_code ec = read_key(where, key, out.key)) return ec;
        if (!p.projection_type) return fail(where, "Projection has no ProjectionType");
        out.projection = *p.projection_type;
        out.non_key_attributes = p.non_key_attributes;
        return {};
    }

private:
    const table_description& description_;
    std::string* why_;
};

}  // namespace

error_code table_schema::from_description(const table_description& description, table_schema& out,
                                          std::string* why)
{
    const schema_reader reader(description, why);
    if (description.table_name.empty()) {
        return reader.fail("DescribeTable result", "TableName is missing");
    }
    const std::string where = "table " + detail::quoted(description.table_name);
    table_schema schema;
    schema.table_name = description.table_name;
    if (error_code ec = reader.read_key(where, description.key_schema, schema.key)) return ec;
    for (const local_secondary_index_description& lsi : description.local_secondary_indexes) {
        index_schema& index = schema.indexes.emplace_back();
        if (error_code ec = reader.read_index(where, index_schema::kind::local, lsi.index_name,
                                              lsi.key_schema, lsi.projection, index)) {
            return ec;
        }
    }
    for (const global_secondary_index_description& gsi : description.global_secondary_indexes) {
        index_schema& index = schema.indexes.emplace_back();
        if (error_code ec = reader.read_index(where, index_schema::kind::global, gsi.index_name,
                                              gsi.key_schema, gsi.projection, index)) {
            return ec;
        }
        // A description built by hand may omit the status; DynamoDB always sends it.
        index.active = !gsi.index_status || *gsi.index_status == index_status::active;
    }
    out = std::move(schema);
    return {};
}

const index_schema* table_schema::find_index(std::string_view name) const noexcept
{
    for (const index_schema& index : indexes) {
        if (index.name == name) return &index;
    }
    return nullptr;
}

std::optional<std::vector<std::string>> table_schema::projected_attributes(
    const index_schema& index) const
{
    if (index.projection == projection_type::all) return std::nullopt;
    std::vector<std::string> names;
    const auto add = [&](const std::string& name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    };
    for (const primary_key* k : {&key, &index.key}) {
        add(k->partition.name);
        if (k->sort) add(k->sort->name);
    }
    if (index.projection == projection_type::include) {
        for (const std::string& name : index.non_key_attributes) add(name);
    }
    return names;
}

}  // namespace dynomite
