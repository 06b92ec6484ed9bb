// The requests a migration step makes, checked before anything is sent. No I/O here.
#include <dynomite/migration/migration.hpp>
#include "core/quoting.hpp"

#include <set>

namespace dynomite {

using detail::in_quotes;

// --- Requests --------------------------------------------------------------------------------

error_code namespaced_table_name(std::string_view table_name, const naming_options& naming,
                                 std::string& out, std::string* why)
{
    std::string prefix;
    if (naming.namespace_) {
        prefix = *naming.namespace_;
    } else if (naming.env.get) {
        prefix = naming.env.get(namespace_variable).value_or(std::string());
    }
    std::string name = prefix.empty() ? std::string(table_name)
                                      : prefix + naming.separator + std::string(table_name);
    if (error_code ec = validate_table_name(name, why)) return ec;
    out = std::move(name);
    return {};
}

namespace {

// Collects the step's failure; the first one wins.
struct request_builder {
    const naming_options& naming;
    std::string* why;
    error_code failure;

    bool fail(std::string message)
    {
        if (!failure) {
            failure = migration_errc::invalid_migration;
            if (why) *why = std::move(message);
        }
        return false;
    }

    bool table_name(const std::string& name, std::string& out)
    {
        if (name.empty()) return fail("table_name is empty");
        std::string reason;
        if (namespaced_table_name(name, naming, out, &reason)) return fail(reason);
        return true;
    }

    bool key(std::string_view what, std::string_view spec, key_attribute& out)
    {
        std::string reason;
        if (parse_key_attribute(spec, out, &reason)) return fail(std::string(what) + ": " + reason);
        return true;
    }

    // Adds the attribute, refusing a second definition of another type.
    bool define(std::vector<attribute_definition>& definitions, const key_attribute& key)
    {
        for (const attribute_definition& d : definitions) {
            if (d.attribute_name != key.name) continue;
            if (d.type == key.type) return true;
            return fail("attribute " + in_quotes(key.name) + " is used as a key with two types, " +
                        std::string(to_string(d.type)) + " and " +
                        std::string(to_string(key.type)));
        }
        definitions.push_back({key.name, key.type});
        return true;
    }

    bool index_name(std::string_view what, const std::string& name)
    {
        std::string reason;
        if (validate_table_name(name, &reason)) {
            // The rules of index names are those of table names.
            const std::string_view table_prefix = "table name";
            if (reason.starts_with(table_prefix)) reason.replace(0, table_prefix.size(), "name");
            return fail(std::string(what) + " " + reason);
        }
        return true;
    }

    bool projection_of(std::string_view what, const dynomite::projection& in,
                       dynomite::projection& out)
    {
        out = in;
        if (!out.projection_type) out.projection_type = projection_type::all;
        if (*out.projection_type == projection_type::include && out.non_key_attributes.empty()) {
            return fail(std::string(what) + ": an INCLUDE projection needs attribute names");
        }
        if (*out.projection_type != projection_type::include && !out.non_key_attributes.empty()) {
            return fail(std::string(what) + ": attribute names need an INCLUDE projection");
        }
        if (*out.projection_type == projection_type::unknown) {
            return fail(std::string(what) + ": unknown projection type");
        }
        return true;
    }

    // The key schema of an index, its attributes added to `definitions`.
    bool index_keys(std::string_view what, const index_definition& index,
                    std::vector<attribute_definition>& definitions,
                    std::vector<key_schema_element>& schema, bool sort_key_required)
    {
        if (!index_name(what, index.index_name)) return false;
        const std::string where = std::string(what) + " " + in_quotes(index.index_name);
        key_attribute partition;
        if (!key(where + " partition_key", index.partition_key, partition)) return false;
        if (!define(definitions, partition)) return false;
        schema.push_back({partition.name, key_type::hash});
        if (index.sort_key) {
            key_attribute sort;
            if (!key(where + " sort_key", *index.sort_key, sort)) return false;
            if (!define(definitions, sort)) return false;
            schema.push_back({sort.name, key_type::range});
        } else if (sort_key_required) {
            return fail(where +
                        " needs a sort_key: a local index differs from its table by "
                        "its sort key only");
        }
        return true;
    }

    bool throughput(std::string_view what, const provisioned_throughput& t)
    {
        if (t.read_capacity_units < 1 || t.write_capacity_units < 1) {
            return fail(std::string(what) + ": read and write capacity must be at least 1, not " +
                        std::to_string(t.read_capacity_units) + " and " +
                        std::to_string(t.write_capacity_units));
        }
        return true;
    }

    void create(const table_definition& table, std::vector<migration_request>& out)
    {
        create_table_request request;
        if (!table_name(table.table_name, request.table_name)) return;
        const std::string where = "create_table " + in_quotes(table.table_name);
        key_attribute partition;
        if (!key(where + " partition_key", table.partition_key, partition)) return;
        define(request.attribute_definitions, partition);
        request.key_schema.push_back({partition.name, key_type::hash});
        if (table.sort_key) {
            key_attribute sort;
            if (!key(where + " sort_key", *table.sort_key, sort)) return;
            if (!define(request.attribute_definitions, sort)) return;
            request.key_schema.push_back({sort.name, key_type::range});
        }

        const bool provisioned = table.billing_mode == billing_mode::provisioned;
        if (table.billing_mode == billing_mode::unknown) {
            fail(where + ": unknown billing mode");
            return;
        }
        request.billing_mode = table.billing_mode;
        if (provisioned) {
            if (!table.throughput) {
                fail(where + ": PROVISIONED billing needs read_capacity and write_capacity");
                return;
            }
            if (!throughput(where, *table.throughput)) return;
            request.provisioned_throughput = table.throughput;
        } else if (table.throughput) {
            fail(where +
                 ": read_capacity and write_capacity need PROVISIONED billing, not "
                 "PAY_PER_REQUEST");
            return;
        }

        std::set<std::string> index_names;
        for (const index_definition& index : table.global_secondary_indexes) {
            global_secondary_index gsi;
            gsi.index_name = index.index_name;
            if (!index_keys(where + " global index", index, request.attribute_definitions,
                            gsi.key_schema, false)) {
                return;
            }
            if (!projection_of(where + " global index " + in_quotes(index.index_name),
                               index.projection, gsi.projection)) {
                return;
            }
            if (index.throughput && !provisioned) {
                fail(where + " global index " + in_quotes(index.index_name) +
                     ": capacity needs PROVISIONED billing");
                return;
            }
            if (provisioned) {
                gsi.provisioned_throughput = index.throughput ? index.throughput : table.throughput;
                if (!throughput(where + " global index " + in_quotes(index.index_name),
                                *gsi.provisioned_throughput)) {
                    return;
                }
            }
            if (!index_names.insert(index.index_name).second) {
                fail(where + ": two indexes are named " + in_quotes(index.index_name));
                return;
            }
            request.global_secondary_indexes.push_back(std::move(gsi));
        }
        for (const index_definition& index : table.local_secondary_indexes) {
            local_secondary_index lsi;
            lsi.index_name = index.index_name;
            if (!index_keys(where + " local index", index, request.attribute_definitions,
                            lsi.key_schema, true)) {
                return;
            }
            if (lsi.key_schema.front().attribute_name != partition.name) {
                fail(where + " local index " + in_quotes(index.index_name) + ": partition_key " +
                     in_quotes(index.partition_key) + " must be the table's, " +
                     in_quotes(table.partition_key));
                return;
            }
            if (!table.sort_key) {
                fail(where + " local index " + in_quotes(index.index_name) +
                     ": local indexes need a table with a sort_key");
                return;
            }
            if (index.throughput) {
                fail(where + " local index " + in_quotes(index.index_name) +
                     ": local indexes share the table's capacity; remove read_capacity and "
                     "write_capacity");
                return;
            }
            if (!projection_of(where + " local index " + in_quotes(index.index_name),
                               index.projection, lsi.projection)) {
                return;
            }
            if (!index_names.insert(index.index_name).second) {
                fail(where + ": two indexes are named " + in_quotes(index.index_name));
                return;
            }
            request.local_secondary_indexes.push_back(std::move(lsi));
        }

        if (table.stream) {
            if (*table.stream == stream_view_type::unknown) {
                fail(where + ": unknown stream view type");
                return;
            }
            request.stream_specification = stream_specification{true, table.stream};
        }
        if (table.sse) {
            sse_specification sse;
            sse.enabled = *table.sse;
            request.sse_specification = sse;
        }
        if (!tags(where, table.tags, {})) return;
        request.tags = table.tags;
        request.deletion_protection_enabled = table.deletion_protection;

        std::optional<update_time_to_live_request> ttl;
        if (table.ttl_attribute) {
            if (table.ttl_attribute->empty()) {
                fail(where + ": ttl_attribute is empty");
                return;
            }
            ttl.emplace();
            ttl->table_name = request.table_name;
            ttl->time_to_live_specification = {true, *table.ttl_attribute};
        }
        const std::string table_name = request.table_name;
        out.emplace_back(std::move(request));
        if (ttl) out.emplace_back(std::move(*ttl));
        if (table.point_in_time_recovery) {
            out.emplace_back(recovery(table_name, *table.point_in_time_recovery));
        }
    }

    bool tags(const std::string& where, const std::vector<tag>& set,
              const std::vector<std::string>& removed)
    {
        std::string reason;
        if (check_tags(where, set, removed, &reason)) return fail(reason);
        return true;
    }

    static update_continuous_backups_request recovery(const std::string& table, bool enabled)
    {
        update_continuous_backups_request request;
        request.table_name = table;
        request.point_in_time_recovery_specification.point_in_time_recovery_enabled = enabled;
        return request;
    }

    void update(const table_changes& changes, std::vector<migration_request>& out)
    {
        std::string name;
        if (!table_name(changes.table_name, name)) return;
        const std::string where = "update_table " + in_quotes(changes.table_name);
        std::vector<migration_request> requests;

        if (changes.billing_mode || changes.throughput) {
            update_table_request request;
            request.table_name = name;
            if (changes.billing_mode == billing_mode::unknown) {
                fail(where + ": unknown billing mode");
                return;
            }
            if (changes.billing_mode == billing_mode::pay_per_request && changes.throughput) {
                fail(where +
                     ": read_capacity and write_capacity need PROVISIONED billing, not "
                     "PAY_PER_REQUEST");
                return;
            }
            if (changes.billing_mode == billing_mode::provisioned && !changes.throughput) {
                fail(where + ": PROVISIONED billing needs read_capacity and write_capacity");
                return;
            }
            if (changes.throughput && !throughput(where, *changes.throughput)) return;
            request.billing_mode = changes.billing_mode;
            request.provisioned_throughput = changes.throughput;
            requests.emplace_back(std::move(request));
        }

        if (!changes.update_global_indexes.empty()) {
            update_table_request request;
            request.table_name = name;
            for (const index_throughput& index : changes.update_global_indexes) {
                if (!index_name(where + " update_gsi", index.index_name)) return;
                if (!throughput(where + " update_gsi " + in_quotes(index.index_name),
                                index.throughput)) {
                    return;
                }
                update_global_secondary_index_action action;
                action.index_name = index.index_name;
                action.provisioned_throughput = index.throughput;
                request.global_secondary_index_updates.emplace_back(std::move(action));
            }
            requests.emplace_back(std::move(request));
        }

        for (const std::string& index : changes.remove_global_indexes) {
            if (!index_name(where + " remove_gsi", index)) return;
            update_table_request request;
            request.table_name = name;
            request.global_secondary_index_updates.emplace_back(
                delete_global_secondary_index_action{index});
            requests.emplace_back(std::move(request));
        }

        for (const index_definition& index : changes.add_global_indexes) {
            update_table_request request;
            request.table_name = name;
            create_global_secondary_index_action action;
            action.index_name = index.index_name;
            if (!index_keys(where + " add_gsi", index, request.attribute_definitions,
                            action.key_schema, false)) {
                return;
            }
            if (!projection_of(where + " add_gsi " + in_quotes(index.index_name), index.projection,
                               action.projection)) {
                return;
            }
            if (index.throughput &&
                !throughput(where + " add_gsi " + in_quotes(index.index_name), *index.throughput)) {
                return;
            }
            action.provisioned_throughput = index.throughput;
            request.global_secondary_index_updates.emplace_back(std::move(action));
            requests.emplace_back(std::move(request));
        }

        if (changes.stream && changes.remove_stream) {
            fail(where + ": stream cannot both be enabled and removed");
            return;
        }
        if (changes.stream || changes.remove_stream) {
            if (changes.stream == stream_view_type::unknown) {
                fail(where + ": unknown stream view type");
                return;
            }
            update_table_request request;
            request.table_name = name;
            request.stream_specification = stream_specification{!changes.remove_stream,
                                                                changes.stream};
            requests.emplace_back(std::move(request));
        }

        if (changes.deletion_protection) {
            update_table_request request;
            request.table_name = name;
            request.deletion_protection_enabled = changes.deletion_protection;
            requests.emplace_back(std::move(request));
        }

        if (!tags(where, changes.tags, changes.untag)) return;
        if (!changes.untag.empty()) requests.emplace_back(untag_table_request{name, changes.untag});
        if (!changes.tags.empty()) requests.emplace_back(tag_table_request{name, changes.tags});
        if (changes.point_in_time_recovery) {
            requests.emplace_back(recovery(name, *changes.point_in_time_recovery));
        }

        if (requests.empty()) {
            fail(where +
                 " changes nothing; give add_gsi, update_gsi, remove_gsi, billing_mode, "
                 "capacity, stream, deletion_protection, tags, untag or "
                 "point_in_time_recovery");
            return;
        }
        for (auto& request : requests) out.push_back(std::move(request));
    }
};

}  // namespace

error_code build_requests(const migration_step& step, const naming_options& naming,
                          std::vector<migration_request>& out, std::string* why)
{
    request_builder builder{naming, why, {}};
    std::vector<migration_request> requests;
    if (const auto* table = std::get_if<table_definition>(&step)) {
        builder.create(*table, requests);
    } else if (const auto* changes = std::get_if<table_changes>(&step)) {
        builder.update(*changes, requests);
    } else if (const auto* deletion = std::get_if<table_deletion>(&step)) {
        delete_table_request request;
        if (builder.table_name(deletion->table_name, request.table_name)) {
            requests.emplace_back(std::move(request));
        }
    } else {
        const auto& ttl = std::get<ttl_change>(step);
        update_time_to_live_request request;
        if (builder.table_name(ttl.table_name, request.table_name)) {
            if (ttl.attribute.empty()) {
                builder.fail("update_ttl " + in_quotes(ttl.table_name) + ": attribute is empty");
            } else {
                request.time_to_live_specification = {ttl.enabled, ttl.attribute};
                requests.emplace_back(std::move(request));
            }
        }
    }
    if (builder.failure) return builder.failure;
    for (auto& request : requests) out.push_back(std::move(request));
    return {};
}

const std::string& request_table_name(const migration_request& request) noexcept
{
    return std::visit([](const auto& r) -> const std::string& { return r.table_name; }, request);
}

std::string describe_request(const migration_request& request)
{
    if (const auto* create = std::get_if<create_table_request>(&request)) {
        std::string text = "CreateTable " + create->table_name;
        const std::size_t indexes =
            create->global_secondary_indexes.size() + create->local_secondary_indexes.size();
        if (indexes > 0) text += " (" + std::to_string(indexes) + " indexes)";
        return text;
    }
    if (const auto* update = std::get_if<update_table_request>(&request)) {
        std::string text = "UpdateTable " + update->table_name;
        std::vector<std::string> parts;
        if (update->billing_mode)
            parts.push_back("billing " + std::string(to_string(*update->billing_mode)));
        if (update->provisioned_throughput) {
            parts.push_back(
                "capacity " + std::to_string(update->provisioned_throughput->read_capacity_units) +
                "/" + std::to_string(update->provisioned_throughput->write_capacity_units));
        }
        for (const auto& change : update->global_secondary_index_updates) {
            if (const auto* c = std::get_if<create_global_secondary_index_action>(&change)) {
                parts.push_back("create index " + c->index_name);
            } else if (const auto* u = std::get_if<update_global_secondary_index_action>(&change)) {
                parts.push_back("update index " + u->index_name);
            } else {
                parts.push_back("delete index " +
                                std::get<delete_global_secondary_index_action>(change).index_name);
            }
        }
        if (const auto& stream = update->stream_specification) {
            parts.push_back(stream->stream_enabled && stream->stream_view_type
                                ? "stream " + std::string(to_string(*stream->stream_view_type))
                                : std::string("no stream"));
        }
        if (update->deletion_protection_enabled) {
            parts.push_back(*update->deletion_protection_enabled ? "deletion protection"
                                                                 : "no deletion protection");
        }
        if (!parts.empty()) {
            text += " (";
            for (std::size_t i = 0; i < parts.size(); ++i) text += (i ? ", " : "") + parts[i];
            text += ")";
        }
        return text;
    }
    if (const auto* deletion = std::get_if<delete_table_request>(&request)) {
        return "DeleteTable " + deletion->table_name;
    }
    if (const auto* tagging = std::get_if<tag_table_request>(&request)) {
        std::string keys;
        for (const tag& t : tagging->tags) keys += (keys.empty() ? "" : ", ") + t.key;
        return "TagResource " + tagging->table_name + " (" + keys + ")";
    }
    if (const auto* untagging = std::get_if<untag_table_request>(&request)) {
        std::string keys;
        for (const std::string& key : untagging->tag_keys) keys += (keys.empty() ? "" : ", ") + key;
        return "UntagResource " + untagging->table_name + " (" + keys + ")";
    }
    if (const auto* backups = std::get_if<update_continuous_backups_request>(&request)) {
        return "UpdateContinuousBackups " + backups->table_name +
               (backups->point_in_time_recovery_specification.point_in_time_recovery_enabled
                    ? " (point-in-time recovery on)"
                    : " (point-in-time recovery off)");
    }
    const auto& ttl = std::get<update_time_to_live_request>(request);
    return "UpdateTimeToLive " + ttl.table_name + " (" +
           (ttl.time_to_live_specification.enabled ? "enable " : "disable ") +
           ttl.time_to_live_specification.attribute_name + ")";
}

}  // namespace dynomite
