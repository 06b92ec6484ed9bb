// The JSON of migration files (comments and trailing commas allowed), read into migration steps
// with messages that name the JSON path.
#include <dynomite/migration/migration.hpp>

#include <boost/json/parse_options.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <sstream>

namespace dynomite {

namespace {

std::string kind_of(const boost::json::value& v)
{
    switch (v.kind()) {
        case boost::json::kind::null:
            return "null";
        case boost::json::kind::bool_:
            return v.get_bool() ? "true" : "false";
        case boost::json::kind::int64:
            return "number " + std::to_string(v.get_int64());
        case boost::json::kind::uint64:
            return "number " + std::to_string(v.get_uint64());
        case boost::json::kind::double_:
            return "number";
        case boost::json::kind::string: {
            constexpr std::size_t max_shown = 40;
            const std::string_view s = v.get_string();
            std::string shown(s.substr(0, max_shown));
            if (s.size() > max_shown) shown += "...";
            return "string \"" + shown + "\"";
        }
        case boost::json::kind::array:
            return "an array";
        case boost::json::kind::object:
            return "an object";
    }
    return "a value";
}

// Reads the JSON of one file; the first failure is kept, with the file and the JSON path.
class file_reader {
public:
    file_reader(std::string_view source, std::string* why) : source_(source), why_(why) {}

    error_code failure() const { return failure_; }

    bool fail(const std::string& path, const std::string& message)
    {
        if (!failure_) {
            failure_ = migration_errc::invalid_migration;
            if (why_) *why_ = source_ + ": " + (path.empty() ? "" : path + ": ") + message;
        }
        return false;
    }

    bool expected(const std::string& path, std::string_view what, const boost::json::value& got)
    {
        return fail(path, "expected " + std::string(what) + ", got " + kind_of(got));
    }

    // The object at `path`, each key among `allowed`.
    const boost::json::object* object(const boost::json::value& v, const std::string& path,
                                      std::initializer_list<std::string_view> allowed)
    {
        const boost::json::object* o = v.if_object();
        if (!o) {
            expected(path, "an object", v);
            return nullptr;
        }
        for (const auto& [key, value] : *o) {
            if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) != allowed.end()) {
                continue;
            }
            std::string list;
            for (const std::string_view name : allowed) {
                list += (list.empty() ? "" : ", ") + std::string(name);
            }
            fail(path, "unknown key \"" + std::string(key) + "\"; expected one of " + list);
            return nullptr;
        }
        return o;
    }

    bool string(const boost::json::object& o, std::string_view key, const std::string& path,
                std::string& out, bool required)
    {
        const boost::json::value* v = o.if_contains(key);
        const std::string at = join(path, key);
        if (!v) return required ? fail(path, "missing \"" + std::string(key) + "\"") : true;
        const boost::json::string* s = v->if_string();
        if (!s) return expected(at, "a string", *v);
        if (s->empty()) return fail(at, "expected a non-empty string");
        out = std::string(*s);
        return true;
    }

    bool optional_string(const boost::json::object& o, std::string_view key,
                         const std::string& path, std::optional<std::string>& out)
    {
        if (!o.contains(key)) return true;
        std::string value;
        if (!string(o, key, path, value, true)) return false;
        out = std::move(value);
        return true;
    }

    bool key_spec(const boost::json::object& o, std::string_view key, const std::string& path,
                  std::optional<std::string>& out, bool required)
    {
        std::string spec;
        if (!o.contains(key))
            return required ? fail(path, "missing \"" + std::string(key) + "\"") : true;
        if (!string(o, key, path, spec, true)) return false;
        key_attribute parsed;
        std::string reason;
        if (parse_key_attribute(spec, parsed, &reason)) return fail(join(path, key), reason);
        out = std::move(spec);
        return true;
    }

    bool boolean(const boost::json::object& o, std::string_view key, const std::string& path,
                 std::optional<bool>& out)
    {
        const boost::json::value* v = o.if_contains(key);
        if (!v) return true;
        if (!v->is_bool()) return expected(join(path, key), "true or false", *v);
        out = v->get_bool();
        return true;
    }

    // The name and the key attributes, which tables and indexes both have.
    bool name_and_keys(const boost::json::object& o, std::string_view name_key,
                       const std::string& path, std::string& name, std::string& partition_key,
                       std::optional<std::string>& sort_key)
    {
        std::optional<std::string> partition;
        if (!string(o, name_key, path, name, true)) return false;
        if (!key_spec(o, "partition_key", path, partition, true)) return false;
        partition_key = *partition;
        return key_spec(o, "sort_key", path, sort_key, false);
    }

    bool capacity(const boost::json::object& o, const std::string& path,
                  std::optional<provisioned_throughput>& out)
    {
        const boost::json::value* read = o.if_contains("read_capacity");
        const boost::json::value* write = o.if_contains("write_capacity");
        if (!read && !write) return true;
        if (!read || !write) {
            return fail(path, std::string("\"") + (read ? "write_capacity" : "read_capacity") +
                                  "\" is missing; give both read_capacity and write_capacity");
        }
        provisioned_throughput t;
        if (!positive(*read, join(path, "read_capacity"), t.read_capacity_units)) return false;
        if (!positive(*write, join(path, "write_capacity"), t.write_capacity_units)) return false;
        out = t;
        return true;
    }

    bool billing(const boost::json::object& o, const std::string& path,
                 std::optional<billing_mode>& out)
    {
        const boost::json::value* v = o.if_contains("billing_mode");
        if (!v) return true;
        const boost::json::string* s = v->if_string();
        if (s && *s == "PAY_PER_REQUEST") {
            out = billing_mode::pay_per_request;
        } else if (s && *s == "PROVISIONED") {
            out = billing_mode::provisioned;
        } else {
            return expected(join(path, "billing_mode"), "\"PAY_PER_REQUEST\" or \"PROVISIONED\"",
                            *v);
        }
        return true;
    }

    bool index(const boost::json::value& v, const std::string& path, index_definition& out)
    {
        const boost::json::object* o = object(v, path,
                                              {"index_name", "partition_key", "sort_key",
                                               "projection", "read_capacity", "write_capacity"});
        if (!o || !name_and_keys(*o, "index_name", path, out.index_name, out.partition_key,
                                 out.sort_key)) {
            return false;
        }
        if (!capacity(*o, path, out.throughput)) return false;
        const boost::json::value* projection = o->if_contains("projection");
        if (!projection) return true;
        const std::string at = join(path, "projection");
        constexpr std::string_view expected_projection =
            "\"ALL\", \"KEYS_ONLY\" or an array of attribute names";
        if (const boost::json::string* s = projection->if_string()) {
            if (*s == "ALL") {
                out.projection.projection_type = projection_type::all;
            } else if (*s == "KEYS_ONLY") {
                out.projection.projection_type = projection_type::keys_only;
            } else {
                return expected(at, expected_projection, *projection);
            }
            return true;
        }
        const boost::json::array* names = projection->if_array();
        if (!names) return expected(at, expected_projection, *projection);
        if (names->empty()) return fail(at, "expected at least one attribute name");
        out.projection.projection_type = projection_type::include;
        for (std::size_t i = 0; i < names->size(); ++i) {
            const boost::json::string* name = (*names)[i].if_string();
            if (!name || name->empty()) {
                return expected(at + "[" + std::to_string(i) + "]", "an attribute name",
                                (*names)[i]);
            }
            out.projection.non_key_attributes.emplace_back(*name);
        }
        return true;
    }

    // An array of `T` at `key`, or (when `single` allows it) one T on its own.
    template <class T, class Read>
    bool list(const boost::json::object& o, std::string_view key, const std::string& path,
              std::vector<T>& out, bool single, Read read)
    {
        const boost::json::value* v = o.if_contains(key);
        if (!v) return true;
        const std::string at = join(path, key);
        if (const boost::json::array* a = v->if_array()) {
            for (std::size_t i = 0; i < a->size(); ++i) {
                T item;
                if (!read((*a)[i], at + "[" + std::to_string(i) + "]", item)) return false;
                out.push_back(std::move(item));
            }
            return true;
        }
        if (!single) return expected(at, "an array", *v);
        T item;
        if (!read(*v, at, item)) return false;
        out.push_back(std::move(item));
        return true;
    }

    bool create_table(const boost::json::value& v, const std::string& path, table_definition& out)
    {
        const boost::json::object* o =
            object(v, path,
                   {"table_name", "partition_key", "sort_key", "billing_mode", "read_capacity",
                    "write_capacity", "global_secondary_indexes", "local_secondary_indexes",
                    "ttl_attribute", "stream", "sse", "tags", "deletion_protection",
                    "point_in_time_recovery"});
        if (!o || !name_and_keys(*o, "table_name", path, out.table_name, out.partition_key,
                                 out.sort_key)) {
            return false;
        }
        std::optional<billing_mode> mode;
        if (!billing(*o, path, mode)) return false;
        out.billing_mode = mode.value_or(billing_mode::pay_per_request);
        if (!capacity(*o, path, out.throughput)) return false;
        const auto read_index = [this](const boost::json::value& item, const std::string& at,
                                       index_definition& index) {
            return this->index(item, at, index);
        };
        if (!list(*o, "global_secondary_indexes", path, out.global_secondary_indexes, false,
                  read_index)) {
            return false;
        }
        if (!list(*o, "local_secondary_indexes", path, out.local_secondary_indexes, false,
                  read_index)) {
            return false;
        }
        if (!optional_string(*o, "ttl_attribute", path, out.ttl_attribute)) return false;
        if (!stream_view(*o, path, false, out.stream, nullptr)) return false;
        if (!boolean(*o, "sse", path, out.sse)) return false;
        if (!boolean(*o, "deletion_protection", path, out.deletion_protection)) return false;
        if (!boolean(*o, "point_in_time_recovery", path, out.point_in_time_recovery)) return false;
        return tags(*o, path, out.tags);
    }

    /// "tags": an object of strings, key to value.
    bool tags(const boost::json::object& o, const std::string& path, std::vector<tag>& out)
    {
        const boost::json::value* tags = o.if_contains("tags");
        if (!tags) return true;
        const boost::json::object* t = tags->if_object();
        if (!t) return expected(join(path, "tags"), "an object of strings", *tags);
        for (const auto& [key, value] : *t) {
            const boost::json::string* s = value.if_string();
            if (!s) return expected(join(join(path, "tags"), key), "a string", value);
            out.push_back({std::string(key), std::string(*s)});
        }
        return true;
    }

    /// "stream": a view type; with `removable`, false too (then *removed is set).
    bool stream_view(const boost::json::object& o, const std::string& path, bool removable,
                     std::optional<stream_view_type>& out, bool* removed)
    {
        const boost::json::value* stream = o.if_contains("stream");
        if (!stream) return true;
        if (removable && stream->is_bool() && !stream->get_bool()) {
            *removed = true;
            return true;
        }
        const boost::json::string* s = stream->if_string();
        stream_view_type view = stream_view_type::unknown;
        if (!s || !from_string(*s, view)) {
            return expected(join(path, "stream"),
                            removable ? "\"NEW_IMAGE\", \"OLD_IMAGE\", \"NEW_AND_OLD_IMAGES\", "
                                        "\"KEYS_ONLY\" or false"
                                      : "\"NEW_IMAGE\", \"OLD_IMAGE\", \"NEW_AND_OLD_IMAGES\" or "
                                        "\"KEYS_ONLY\"",
                            *stream);
        }
        out = view;
        return true;
    }

    bool update_table(const boost::json::value& v, const std::string& path, table_changes& out)
    {
        const boost::json::object* o =
            object(v, path,
                   {"table_name", "add_gsi", "update_gsi", "remove_gsi", "billing_mode",
                    "read_capacity", "write_capacity", "stream", "deletion_protection", "tags",
                    "untag", "point_in_time_recovery"});
        if (!o) return false;
        if (!string(*o, "table_name", path, out.table_name, true)) return false;
        const auto read_index = [this](const boost::json::value& item, const std::string& at,
                                       index_definition& index) {
            return this->index(item, at, index);
        };
        if (!list(*o, "add_gsi", path, out.add_global_indexes, true, read_index)) return false;
        const auto read_update = [this](const boost::json::value& item, const std::string& at,
                                        index_throughput& update) {
            const boost::json::object* u =
                object(item, at, {"index_name", "read_capacity", "write_capacity"});
            if (!u) return false;
            if (!string(*u, "index_name", at, update.index_name, true)) return false;
            std::optional<provisioned_throughput> t;
            if (!capacity(*u, at, t)) return false;
            if (!t) return fail(at, "missing \"read_capacity\" and \"write_capacity\"");
            update.throughput = *t;
            return true;
        };
        if (!list(*o, "update_gsi", path, out.update_global_indexes, true, read_update)) {
            return false;
        }
        const auto read_name = [this](const boost::json::value& item, const std::string& at,
                                      std::string& name) {
            const boost::json::string* s = item.if_string();
            if (!s || s->empty()) return expected(at, "an index name", item);
            name = std::string(*s);
            return true;
        };
        if (!list(*o, "remove_gsi", path, out.remove_global_indexes, true, read_name)) return false;
        const auto read_key = [this](const boost::json::value& item, const std::string& at,
                                     std::string& key) {
            const boost::json::string* s = item.if_string();
            if (!s) return expected(at, "a tag key", item);
            key = std::string(*s);
            return true;
        };
        if (!list(*o, "untag", path, out.untag, false, read_key)) return false;
        if (!tags(*o, path, out.tags)) return false;
        if (!boolean(*o, "point_in_time_recovery", path, out.point_in_time_recovery)) return false;
        if (!billing(*o, path, out.billing_mode)) return false;
        if (!stream_view(*o, path, true, out.stream, &out.remove_stream)) return false;
        if (!boolean(*o, "deletion_protection", path, out.deletion_protection)) return false;
        return capacity(*o, path, out.throughput);
    }

    bool step(const boost::json::value& v, const std::string& path, migration_step& out)
    {
        const boost::json::object* o =
            object(v, path, {"create_table", "update_table", "delete_table", "update_ttl"});
        if (!o) return false;
        if (o->size() != 1) {
            return fail(path,
                        "expected exactly one of create_table, update_table, delete_table "
                        "or update_ttl, got " +
                            std::to_string(o->size()));
        }
        const auto& [kind, body] = *o->begin();
        const std::string at = join(path, kind);
        if (kind == "create_table") {
            table_definition table;
            if (!create_table(body, at, table)) return false;
            out = std::move(table);
        } else if (kind == "update_table") {
            table_changes changes;
            if (!update_table(body, at, changes)) return false;
            out = std::move(changes);
        } else if (kind == "delete_table") {
            const boost::json::object* d = object(body, at, {"table_name"});
            table_deletion deletion;
            if (!d || !string(*d, "table_name", at, deletion.table_name, true)) return false;
            out = std::move(deletion);
        } else {
            const boost::json::object* t = object(body, at, {"table_name", "attribute", "enabled"});
            ttl_change change;
            if (!t || !string(*t, "table_name", at, change.table_name, true) ||
                !string(*t, "attribute", at, change.attribute, true)) {
                return false;
            }
            std::optional<bool> enabled;
            if (!boolean(*t, "enabled", at, enabled)) return false;
            change.enabled = enabled.value_or(true);
            out = std::move(change);
        }
        // What the JSON shape cannot say (PROVISIONED without capacity, a local index on
        // another partition key...) is checked by building the requests, without a namespace.
        naming_options plain;
        plain.namespace_ = std::string();
        std::vector<migration_request> requests;
        std::string reason;
        if (build_requests(out, plain, requests, &reason)) return fail(at, reason);
        return true;
    }

    static std::string join(const std::string& path, std::string_view key)
    {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }

private:
    bool positive(const boost::json::value& v, const std::string& path, std::int64_t& out)
    {
        if (v.is_int64() && v.get_int64() >= 1) {
            out = v.get_int64();
            return true;
        }
        if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
            out = static_cast<std::int64_t>(v.get_uint64());
            return true;
        }
        return expected(path, "a whole number of at least 1", v);
    }

    std::string source_;
    std::string* why_;
    error_code failure_;
};

// "line 3, column 7" for an offset into `text`.
std::string position_of(std::string_view text, std::size_t offset)
{
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

error_code parse_migration_json(std::string_view text, std::string_view source,
                                std::vector<migration_step>& out, std::string* why)
{
    boost::json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    boost::json::stream_parser parser({}, options);
    error_code ec;
    const std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        if (why) {
            *why = std::string(source) + ": not valid JSON at " + position_of(text, consumed) +
                   ": " + ec.message();
        }
        return migration_errc::invalid_migration;
    }
    const boost::json::value root = parser.release();

    file_reader reader(source, why);
    const boost::json::object* o = reader.object(root, "", {"up"});
    if (!o) return reader.failure();
    const boost::json::value* up = o->if_contains("up");
    if (!up) {
        reader.fail("", "missing \"up\", the array of steps");
        return reader.failure();
    }
    const boost::json::array* steps = up->if_array();
    if (!steps) {
        reader.expected("up", "an array of steps", *up);
        return reader.failure();
    }
    if (steps->empty()) {
        reader.fail("up", "expected at least one step");
        return reader.failure();
    }
    std::vector<migration_step> parsed;
    for (std::size_t i = 0; i < steps->size(); ++i) {
        migration_step step;
        if (!reader.step((*steps)[i], "up[" + std::to_string(i) + "]", step)) {
            return reader.failure();
        }
        parsed.push_back(std::move(step));
    }
    out = std::move(parsed);
    return {};
}

}  // namespace dynomite
