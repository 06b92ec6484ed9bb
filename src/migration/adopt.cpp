// Whether a table, as DescribeTable shows it, already is what a migration's request would
// make: for a request whose answer was lost and whose retry was refused, and for tables that
// exist before their migration. No I/O here.
#include <dynomite/migration/migration.hpp>
#include "core/quoting.hpp"

#include <algorithm>
#include <set>

namespace dynomite {

using detail::in_quotes;

namespace {

std::optional<scalar_attribute_type> type_of(const std::vector<attribute_definition>& definitions,
                                             const std::string& name)
{
    for (const attribute_definition& d : definitions) {
        if (d.attribute_name == name) return d.type;
    }
    return std::nullopt;
}

/// "id (S, HASH), created_at (S, RANGE)".
std::string show_keys(const std::vector<key_schema_element>& keys,
                      const std::vector<attribute_definition>& definitions)
{
    std::string out;
    for (const key_schema_element& k : keys) {
        if (!out.empty()) out += ", ";
        const auto type = type_of(definitions, k.attribute_name);
        out += k.attribute_name + " (" + (type ? std::string(to_string(*type)) : std::string("?")) +
               ", " + std::string(to_string(k.type)) + ")";
    }
    return out.empty() ? "none" : out;
}

bool same_keys(const std::vector<key_schema_element>& wanted,
               const std::vector<attribute_definition>& wanted_types,
               const std::vector<key_schema_element>& actual,
               const std::vector<attribute_definition>& actual_types)
{
    if (wanted.size() != actual.size()) return false;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if (wanted[i].attribute_name != actual[i].attribute_name) return false;
        if (wanted[i].type != actual[i].type) return false;
        if (type_of(wanted_types, wanted[i].attribute_name) !=
            type_of(actual_types, actual[i].attribute_name)) {
            return false;
        }
    }
    return true;
}

std::string show_projection(const projection& p)
{
    const projection_type type = p.projection_type.value_or(projection_type::all);
    std::string out(to_string(type));
    if (type == projection_type::include) {
        out += " (";
        for (std::size_t i = 0; i < p.non_key_attributes.size(); ++i) {
            out += (i ? ", " : "") + p.non_key_attributes[i];
        }
        out += ")";
    }
    return out;
}

bool same_projection(const projection& a, const projection& b)
{
    if (a.projection_type.value_or(projection_type::all) !=
        b.projection_type.value_or(projection_type::all)) {
        return false;
    }
    const std::set<std::string> x(a.non_key_attributes.begin(), a.non_key_attributes.end());
    const std::set<std::string> y(b.non_key_attributes.begin(), b.non_key_attributes.end());
    return x == y;
}

/// The index's differences, "global index by_user: keys ... instead of ...".
void compare_index(std::string_view what, const std::string& name,
                   const std::vector<key_schema_element>& wanted_keys,
                   const std::vector<attribute_definition>& wanted_types,
                   const projection& wanted_projection,
                   const std::vector<key_schema_element>& actual_keys,
                   const std::vector<attribute_definition>& actual_types,
                   const projection& actual_projection, std::vector<std::string>& out)
{
    const std::string where = std::string(what) + " " + in_quotes(name);
    if (!same_keys(wanted_keys, wanted_types, actual_keys, actual_types)) {
        out.push_back(where + ": keys " + show_keys(actual_keys, actual_types) + " instead of " +
                      show_keys(wanted_keys, wanted_types));
    }
    if (!same_projection(wanted_projection, actual_projection)) {
        out.push_back(where + ": projection " + show_projection(actual_projection) +
                      " instead of " + show_projection(wanted_projection));
    }
}

/// The billing mode a description shows, when it shows one.
std::optional<billing_mode> described_billing(const table_description& t)
{
    if (t.billing_mode_summary && t.billing_mode_summary->billing_mode &&
        *t.billing_mode_summary->billing_mode != billing_mode::unknown) {
        return t.billing_mode_summary->billing_mode;
    }
    return std::nullopt;
}

void compare_capacity(std::string_view what,
                      const std::optional<provisioned_throughput_description>& actual,
                      const provisioned_throughput& wanted, std::vector<std::string>& out)
{
    if (!actual || !actual->read_capacity_units || !actual->write_capacity_units) return;
    if (*actual->read_capacity_units == wanted.read_capacity_units &&
        *actual->write_capacity_units == wanted.write_capacity_units) {
        return;
    }
    out.push_back(std::string(what) + ": capacity " + std::to_string(*actual->read_capacity_units) +
                  "/" + std::to_string(*actual->write_capacity_units) + " instead of " +
                  std::to_string(wanted.read_capacity_units) + "/" +
                  std::to_string(wanted.write_capacity_units));
}

const global_secondary_index_description* find_global(const table_description& t,
                                                      const std::string& name)
{
    for (const auto& index : t.global_secondary_indexes) {
        if (index.index_name == name) return &index;
    }
    return nullptr;
}

}  // namespace

std::vector<std::string> table_differences(const create_table_request& wanted,
                                           const table_description& actual)
{
    std::vector<std::string> out;
    if (!same_keys(wanted.key_schema, wanted.attribute_definitions, actual.key_schema,
                   actual.attribute_definitions)) {
        out.push_back("keys " + show_keys(actual.key_schema, actual.attribute_definitions) +
                      " instead of " + show_keys(wanted.key_schema, wanted.attribute_definitions));
    }

    std::set<std::string> wanted_globals;
    for (const global_secondary_index& index : wanted.global_secondary_indexes) {
        wanted_globals.insert(index.index_name);
        const auto* found = find_global(actual, index.index_name);
        if (found == nullptr) {
            out.push_back("global index " + in_quotes(index.index_name) + " is missing");
            continue;
        }
        compare_index("global index", index.index_name, index.key_schema,
                      wanted.attribute_definitions, index.projection, found->key_schema,
                      actual.attribute_definitions, found->projection, out);
        if (index.provisioned_throughput) {
            compare_capacity("global index " + in_quotes(index.index_name),
                             found->provisioned_throughput, *index.provisioned_throughput, out);
        }
    }
    for (const auto& index : actual.global_secondary_indexes) {
        if (!wanted_globals.contains(index.index_name)) {
            out.push_back("global index " + in_quotes(index.index_name) +
                          " exists but is not in the migration");
        }
    }

    std::set<std::string> wanted_locals;
    for (const local_secondary_index& index : wanted.local_secondary_indexes) {
        wanted_locals.insert(index.index_name);
        const auto found = std::find_if(
            actual.local_secondary_indexes.begin(), actual.local_secondary_indexes.end(),
            [&](const auto& l) { return l.index_name == index.index_name; });
        if (found == actual.local_secondary_indexes.end()) {
            out.push_back("local index " + in_quotes(index.index_name) + " is missing");
            continue;
        }
        compare_index("local index", index.index_name, index.key_schema,
                      wanted.attribute_definitions, index.projection, found->key_schema,
                      actual.attribute_definitions, found->projection, out);
    }
    for (const auto& index : actual.local_secondary_indexes) {
        if (!wanted_locals.contains(index.index_name)) {
            out.push_back("local index " + in_quotes(index.index_name) +
                          " exists but is not in the migration");
        }
    }

    const billing_mode wanted_billing = wanted.billing_mode.value_or(billing_mode::provisioned);
    const auto billing = described_billing(actual);
    if (billing && *billing != wanted_billing) {
        out.push_back("billing mode " + std::string(to_string(*billing)) + " instead of " +
                      std::string(to_string(wanted_billing)));
    }
    if (wanted_billing == billing_mode::provisioned && wanted.provisioned_throughput &&
        (!billing || *billing == billing_mode::provisioned)) {
        compare_capacity("table", actual.provisioned_throughput, *wanted.provisioned_throughput,
                         out);
    }
    return out;
}

std::vector<std::string> update_differences(const update_table_request& wanted,
                                            const table_description& actual)
{
    std::vector<std::string> out;
    if (wanted.billing_mode) {
        const auto billing = described_billing(actual);
        if (!billing) {
            out.push_back("the table's billing mode is not shown");
        } else if (*billing != *wanted.billing_mode) {
            out.push_back("billing mode " + std::string(to_string(*billing)) + " instead of " +
                          std::string(to_string(*wanted.billing_mode)));
        }
    }
    if (wanted.provisioned_throughput) {
        if (!actual.provisioned_throughput) {
            out.push_back("the table's capacity is not shown");
        } else {
            compare_capacity("table", actual.provisioned_throughput, *wanted.provisioned_throughput,
                             out);
        }
    }
    for (const auto& change : wanted.global_secondary_index_updates) {
        if (const auto* create = std::get_if<create_global_secondary_index_action>(&change)) {
            const auto* found = find_global(actual, create->index_name);
            if (found == nullptr || found->index_status == index_status::deleting) {
                out.push_back("global index " + in_quotes(create->index_name) + " is missing");
                continue;
            }
            compare_index("global index", create->index_name, create->key_schema,
                          wanted.attribute_definitions, create->projection, found->key_schema,
                          actual.attribute_definitions, found->projection, out);
        } else if (const auto* update =
                       std::get_if<update_global_secondary_index_action>(&change)) {
            const auto* found = find_global(actual, update->index_name);
            if (found == nullptr) {
                out.push_back("global index " + in_quotes(update->index_name) + " is missing");
                continue;
            }
            if (update->provisioned_throughput) {
                compare_capacity("global index " + in_quotes(update->index_name),
                                 found->provisioned_throughput, *update->provisioned_throughput,
                                 out);
            }
        } else {
            const auto& removal = std::get<delete_global_secondary_index_action>(change);
            const auto* found = find_global(actual, removal.index_name);
            if (found != nullptr && found->index_status != index_status::deleting) {
                out.push_back("global index " + in_quotes(removal.index_name) + " still exists");
            }
        }
    }
    if (const auto& stream = wanted.stream_specification) {
        const bool enabled = actual.stream_specification && actual.stream_specification->stream_enabled;
        if (stream->stream_enabled && !enabled) {
            out.push_back("the table has no stream");
        } else if (stream->stream_enabled &&
                   actual.stream_specification->stream_view_type != stream->stream_view_type) {
            out.push_back("its stream has another view type");
        } else if (!stream->stream_enabled && enabled) {
            out.push_back("the table still has a stream");
        }
    }
    if (wanted.deletion_protection_enabled &&
        actual.deletion_protection_enabled.value_or(false) != *wanted.deletion_protection_enabled) {
        out.push_back(*wanted.deletion_protection_enabled ? "deletion protection is off"
                                                          : "deletion protection is on");
    }
    return out;
}

}  // namespace dynomite
