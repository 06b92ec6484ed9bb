// Loading: records from items, after-load callbacks, keys of finds, and the reads of finders.
#include "model/record_engine.hpp"
#include "query/relation_data.hpp"

#include <dynomite/expr/field_operator.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace dynomite::detail {

namespace asio = boost::asio;
using ra = record_access;

namespace {

void run_sync_callbacks(model_base& record, callback_kind kind, std::string_view where)
{
    for (const auto& cb : callbacks_of(record, kind)) {
        if (cb.async) {
            throw error(errc::invalid_configuration,
                        ra::desc(record).type_name + ": an " + std::string(to_string(kind)) +
                            " callback returning an awaitable cannot run in " + std::string(where) +
                            "; make it synchronous");
        }
        cb.sync(record);
    }
}

/// The attributes that identify an item in messages: the declared keys, else the
/// generated-id field.
attribute_map identifying_attributes(const model_descriptor& d, const attribute_map& item)
{
    attribute_map out;
    const auto add = [&](const std::optional<std::string>& name) {
        if (!name) return;
        if (const attribute_value* v = item.find(*name)) out.set(*name, *v);
    };
    add(d.root->partition_key);
    add(d.root->sort_key);
    if (out.empty()) add(d.id_field);
    return out;
}

bad_item describe_bad_item(const model_descriptor& d, const attribute_map& item,
                           const field_info& f, const attribute_value& value, error_code ec,
                           const std::string& why)
{
    bad_item bad{identifying_attributes(d, item), f.name, value, ec, {}};
    const std::string which =
        bad.key.empty() ? "an item without its key attributes" : "item " + show(bad.key);
    bad.message = d.type_name + "." + f.name + " of " + which + " in table " +
                  quoted(d.table_name()) + ": cannot load " +
                  (value.is_null() ? std::string("NULL") : show(value)) + ": " + why;
    return bad;
}

/// item.find(name), looking first just after `next`, where the previous field was found:
/// items often hold their attributes in the order of the model's fields.
const attribute_value* find_after(const attribute_map& item, std::string_view name,
                                  std::size_t& next)
{
    const std::size_t n = item.size();
    const auto entries = item.begin();
    for (std::size_t k = 0, i = next; k < n; ++k, ++i) {
        if (i >= n) i = 0;
        if (entries[static_cast<std::ptrdiff_t>(i)].first == name) {
            next = i + 1;
            return &entries[static_cast<std::ptrdiff_t>(i)].second;
        }
    }
    return nullptr;
}

}  // namespace

bool load_record(model_base& record, attribute_map item, const database* db, bad_item* bad)
{
    const auto& fields = ra::desc(record).fields;
    ra::begin_load_snapshot(record);
    // One lookup per field serves the assignment and the snapshot.
    std::size_t next = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const attribute_value* v = find_after(item, fields[i].name, next);
        if (v != nullptr) {
            std::string why;
            if (error_code ec = ra::write_field(record, fields[i], v, &why)) {
                bad_item found = describe_bad_item(ra::desc(record), item, fields[i], *v, ec, why);
                if (bad == nullptr) throw error(ec, found.message);
                *bad = std::move(found);
                return false;
            }
        }
        ra::snapshot_loaded_field(record, i, fields[i], v);
    }
    ra::stored(record) = std::move(item);
    ra::saved_changes(record).clear();
    ra::set_persisted(record);
    if (db != nullptr) ra::bind(record, *db);
    return true;
}

bool load_or_skip(model_base& record, attribute_map item, const database& db,
                  const bad_items* skipped)
{
    if (skipped == nullptr) return load_record(record, std::move(item), &db);
    bad_item bad;
    if (load_record(record, std::move(item), &db, &bad)) return true;
    skipped->add(std::move(bad));
    return false;
}

bool has_after_load_callbacks(const model_base& record)
{
    return !callbacks_of(record, callback_kind::after_find).empty() ||
           !callbacks_of(record, callback_kind::after_initialize).empty();
}

asio::awaitable<void> run_after_load(model_base& record)
{
    co_await run_simple(record, callback_kind::after_find);
    co_await run_simple(record, callback_kind::after_initialize);
}

void run_after_initialize(model_base& record)
{
    run_sync_callbacks(record, callback_kind::after_initialize, "build()");
}

void run_after_load_sync(model_base& record)
{
    run_sync_callbacks(record, callback_kind::after_find, "from_item()");
    run_sync_callbacks(record, callback_kind::after_initialize, "from_item()");
}

void apply_defaults(model_base& record)
{
    for (const auto& f : ra::desc(record).fields) {
        if (f.apply_default && !f.read(record)) f.apply_default(record);
    }
}

std::optional<std::string> item_type(const model_descriptor& d, const attribute_map& item)
{
    const auto& field = d.root->inheritance_field;
    if (!field) return std::nullopt;
    const attribute_value* v = item.find(*field);
    if (v == nullptr || !v->is_s()) return std::nullopt;
    return v->as_s();
}

bool type_matches(const model_descriptor& d, const attribute_map& item)
{
    if (d.parent == nullptr) return true;
    const auto type = item_type(d, item);
    if (!type) return false;
    const auto names = d.inheritance_names();
    return std::find(names.begin(), names.end(), *type) != names.end();
}

void throw_unknown_type(const model_descriptor& d, std::string_view type)
{
    throw error(model_errc::unknown_type,
                "no model registered for type " + quoted(type) + " (attribute " +
                    quoted(*d.root->inheritance_field) + ") under " + d.type_name +
                    "; subclasses derive from dynomite::inherits, or call "
                    "dynomite::register_model<T>()");
}

database database_for(const model_descriptor& d)
{
    if (auto db = d.model_database()) return *db;
    return default_database();
}

relation base_relation(const database& db, const model_descriptor& d)
{
    relation r = relation_access::of_model(db.table(d.table_name()), d.type_name);
    if (d.parent != nullptr) {
        std::vector<attribute_value> names;
        for (auto& name : d.inheritance_names()) names.emplace_back(std::move(name));
        const document_path path = document_path::attribute(*d.root->inheritance_field);
        // A scope, not a where(): a later or_() must not let other classes' items in.
        r = relation_access::scoped(
            r, names.size() == 1 ? eq(path, names.front()) : in(path, std::move(names)));
    }
    return r;
}

namespace {

attribute_map checked_key(const model_descriptor& d, const key_names& names,
                          attribute_value partition, std::optional<attribute_value> sort)
{
    if (names.sort && !sort) {
        throw error(errc::invalid_argument, "find on " + d.type_name + ": table " +
                                                quoted(d.table_name()) + " also has sort key " +
                                                quoted(*names.sort) + "; give both key values");
    }
    if (!names.sort && sort) {
        throw error(errc::invalid_argument, "find on " + d.type_name + ": table " +
                                                quoted(d.table_name()) +
                                                " has no sort key; give only the partition key");
    }
    attribute_map key;
    key.set(names.partition, std::move(partition));
    if (sort) key.set(*names.sort, std::move(*sort));
    return key;
}

}  // namespace

std::optional<attribute_map> declared_key(const model_descriptor& d,
                                          const attribute_value& partition,
                                          const std::optional<attribute_value>& sort)
{
    auto names = declared_keys(d);
    if (!names) return std::nullopt;
    return checked_key(d, *names, partition, sort);
}

asio::awaitable<attribute_map> make_key(database db, const model_descriptor& d,
                                        attribute_value partition,
                                        std::optional<attribute_value> sort)
{
    const auto names = co_await resolve_keys(db, d);
    co_return checked_key(d, names, std::move(partition), std::move(sort));
}

get_item_request get_item_request_for(const model_descriptor& d, attribute_map key,
                                      bool consistent)
{
    get_item_request request;
    request.table_name = d.table_name();
    request.key = std::move(key);
    request.consistent_read = consistent;
    return request;
}

asio::awaitable<std::optional<attribute_map>> get_item(database db, const model_descriptor& d,
                                                       attribute_map key, bool consistent)
{
    get_item_request request = get_item_request_for(d, std::move(key), consistent);
    dynomite::client c = db.get_client();
    auto response = co_await c.get_item(std::move(request));
    co_return std::move(response.item);
}

asio::awaitable<std::vector<attribute_map>> keys_for(database db, const model_descriptor& d,
                                                     std::vector<attribute_value> values)
{
    const auto names = co_await resolve_keys(db, d);
    if (names.sort) {
        throw error(errc::invalid_argument, "find_many on " + d.type_name + ": table " +
                                                quoted(d.table_name()) + " also has sort key " +
                                                quoted(*names.sort) + "; give full keys");
    }
    std::vector<attribute_map> keys;
    keys.reserve(values.size());
    for (auto& v : values) {
        attribute_map key;
        key.set(names.partition, std::move(v));
        keys.push_back(std::move(key));
    }
    co_return keys;
}

asio::awaitable<std::vector<std::optional<attribute_map>>> batch_get(
    database db, const model_descriptor& d, std::vector<attribute_map> keys)
{
    const std::string table = d.table_name();
    std::vector<batch_get_key> wanted;
    wanted.reserve(keys.size());
    for (auto& key : keys) wanted.push_back({table, std::move(key)});
    auto result = co_await dynomite::batch_get(db, std::move(wanted));
    if (!result.unprocessed.empty()) {
        throw error(model_errc::unprocessed_keys,
                    "find_many on " + d.type_name + ": " +
                        std::to_string(result.unprocessed.size()) +
                        " keys still unprocessed by BatchGetItem after " +
                        std::to_string(batch_get_options{}.max_rounds) + " rounds, " +
                        show(result.unprocessed.front().key) + " first");
    }
    co_return std::move(result.items);
}

void check_model_key(const model_descriptor& d, std::string_view key)
{
    field_operator parsed;
    // Keys the parser refuses are reported by the relation, with the same message.
    if (parse_field_operator(key, parsed) || parsed.path.segments().size() < 2) return;
    const field_info* f = d.find_field(parsed.path.attribute_name());
    // Strings, numbers, booleans and times: no nested path can be meant.
    if (f == nullptr || (f->loads_exactly == nullptr && !f->set_time)) return;
    const std::string_view last = key.substr(key.rfind('.') + 1);
    throw error(errc::invalid_argument,
                d.type_name + ".where(" + quoted(key) + "): " + quoted(last) +
                    " is not an operator (" + std::string(operator_names()) + "), and " +
                    quoted(f->name) + " is a scalar field of " + d.type_name +
                    ", with no nested path " + parsed.path.to_string());
}

relation where_all(const model_descriptor& d, const relation& r, const attribute_map& conditions)
{
    relation out = r;
    for (const auto& [name, value] : conditions) {
        check_model_key(d, name);
        out = out.where(name, value);
    }
    return out;
}

void assign_equalities(model_base& record, const attribute_map& conditions)
{
    const model_descriptor& d = ra::desc(record);
    for (const auto& [name, value] : conditions) {
        const field_operator op = parse_field_operator(name);
        if (op.op != field_op::eq || op.negated || op.path.segments().size() != 1) continue;
        if (const field_info* f = d.find_field(op.path.attribute_name())) {
            assign_field(record, *f, &value);
        }
    }
}

asio::awaitable<std::optional<attribute_map>> find_by_item(database db, const model_descriptor& d,
                                                           attribute_map conditions)
{
    const auto names = co_await resolve_keys(db, d);
    // Exactly the key, as plain equalities: one GetItem.
    attribute_map key;
    bool is_key = conditions.size() == (names.sort ? 2u : 1u);
    for (const auto& [name, value] : conditions) {
        if (!is_key) break;
        const field_operator op = parse_field_operator(name);
        const bool plain = op.op == field_op::eq && !op.negated && op.path.segments().size() == 1;
        const std::string attribute = plain ? op.path.attribute_name() : std::string();
        if (!plain || (attribute != names.partition && (!names.sort || attribute != *names.sort))) {
            is_key = false;
            break;
        }
        key.set(attribute, value);
    }
    if (is_key && key.size() == conditions.size()) {
        auto result = co_await get_item(db, d, std::move(key));
        co_return std::move(result);
    }
    const relation r = where_all(d, base_relation(db, d), conditions);
    auto result = co_await r.first();
    co_return std::move(result);
}

void throw_not_found(const model_descriptor& d, const attribute_map& key)
{
    throw error(model_errc::record_not_found,
                "no " + d.type_name + " " + show(key) + " in table " + quoted(d.table_name()));
}

void throw_not_found(const model_descriptor& d, std::string_view what)
{
    throw error(model_errc::record_not_found, "no " + d.type_name + " " + std::string(what) +
                                                  " in table " + quoted(d.table_name()));
}

void throw_many_not_found(const model_descriptor& d, const std::vector<attribute_map>& missing)
{
    std::string list;
    const std::size_t shown = std::min<std::size_t>(missing.size(), 5);
    for (std::size_t i = 0; i < shown; ++i) {
        if (!list.empty()) list += ", ";
        list += show(missing[i]);
    }
    if (missing.size() > shown) list += ", ...";
    throw error(model_errc::record_not_found, std::to_string(missing.size()) + " " + d.type_name +
                                                  " records not found in table " +
                                                  quoted(d.table_name()) + ": " + list);
}

asio::awaitable<void> check_uniqueness(const model_base& record, std::string attribute,
                                       std::optional<attribute_value> value,
                                       std::vector<std::string> scope, std::string message,
                                       model_errors& errors)
{
    if (!value) co_return;
    const model_descriptor& d = ra::desc(record);
    const database db = record.used_database();
    relation r = relation_access::of_model(db.table(d.table_name()), d.type_name)
                     .where(eq(document_path::attribute(attribute), *value));
    for (const auto& s : scope) {
        const auto v = record.read_attribute(s);
        r = v ? r.where(eq(document_path::attribute(s), *v))
              : r.attribute_not_exists(document_path::attribute(s));
    }
    std::optional<attribute_map> own;
    if (record.persisted()) {
        const auto names = co_await resolve_keys(db, d);
        own = persisted_key(record, names);
    }
    const relation two = r.limit(2);
    const auto ids = co_await two.ids();
    for (const auto& id : ids) {
        if (!own || !(id == *own)) {
            errors.add(std::move(attribute), std::move(message));
            co_return;
        }
    }
}

}  // namespace dynomite::detail
