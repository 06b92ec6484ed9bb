// A record's keys, lock and time fields, and the messages that name them.
#include "model/record_engine.hpp"

#include <string>
#include <utility>

namespace dynomite::detail {

namespace asio = boost::asio;
using ra = record_access;

std::string show(const attribute_value& v)
{
    if (const auto* s = v.get_if<std::string>()) return quoted(*s);
    if (const auto* n = v.get_if<number>()) return n->text();
    if (const auto* b = v.get_if<bool>()) return *b ? "true" : "false";
    return std::string(v.type_name()) + " value";
}

std::string show(const attribute_map& key)
{
    std::string out = "{";
    for (const auto& [name, value] : key) {
        if (out.size() > 1) out += ", ";
        out += name + ": " + show(value);
    }
    return out + "}";
}

std::optional<key_names> declared_keys(const model_descriptor& d)
{
    const model_descriptor& root = *d.root;
    if (!root.partition_key) return std::nullopt;
    return key_names{*root.partition_key, root.sort_key};
}

asio::awaitable<key_names> resolve_keys(const database& db, const model_descriptor& d)
{
    if (auto declared = declared_keys(d)) co_return std::move(*declared);
    const auto schema = co_await db.schema(d.table_name());
    key_names names{schema.key.partition.name, std::nullopt};
    if (schema.key.sort) names.sort = schema.key.sort->name;
    co_return names;
}

bool same(const std::optional<attribute_value>& a, const attribute_value* b)
{
    if (!a) return b == nullptr;
    return b != nullptr && *a == *b;
}

database database_of(const model_base& r)
{
    return r.used_database();
}

attribute_map key_from(const model_descriptor& d, const attribute_map& item, const key_names& names)
{
    attribute_map key;
    const auto take = [&](const std::string& name) {
        const attribute_value* v = item.find(name);
        if (v == nullptr) {
            throw error(errc::invalid_argument,
                        d.type_name + " has no value for its key attribute " + quoted(name));
        }
        key.set(name, *v);
    };
    take(names.partition);
    if (names.sort) take(*names.sort);
    return key;
}

attribute_map persisted_key(const model_base& r, const key_names& names)
{
    return key_from(ra::desc(r), ra::stored(r), names);
}

void require_persisted(const model_base& r, std::string_view operation)
{
    if (r.persisted()) return;
    const std::string what = r.destroyed() ? "destroyed" : "new (never saved)";
    throw error(model_errc::not_persisted, std::string(operation) + " needs a persisted " +
                                               ra::desc(r).type_name + ", and this one is " + what);
}

[[noreturn]] void throw_gone(const model_base& r, const attribute_map& key,
                             std::string_view operation)
{
    const model_descriptor& d = ra::desc(r);
    throw error(model_errc::record_not_found,
                std::string(operation) + " of " + d.type_name + " " + show(key) +
                    ": the item no longer exists in table " + quoted(d.table_name()));
}

asio::awaitable<void> throw_write_conflict(database db, const model_base& r, attribute_map key,
                                           std::string_view operation)
{
    const model_descriptor& d = ra::desc(r);
    auto item = co_await get_item(db, d, key, true);
    if (!item) throw_gone(r, key, operation);
    std::string detail;
    if (d.lock_field) {
        const attribute_value* theirs = item->find(*d.lock_field);
        const attribute_value* ours = ra::baseline(r, *d.lock_field);
        detail = " (" + *d.lock_field + " is " + (theirs ? show(*theirs) : "absent") +
                 " in the table, " + (ours ? show(*ours) : "absent") + " in this record)";
    }
    throw error(model_errc::stale_object, std::string(operation) + " of " + d.type_name + " " +
                                              show(key) +
                                              ": the item was changed since it was read" + detail);
}

condition lock_condition(const model_base& r, attribute_value& next)
{
    const model_descriptor& d = ra::desc(r);
    const attribute_value* was = ra::baseline(r, *d.lock_field);
    const document_path path = document_path::attribute(*d.lock_field);
    if (was == nullptr) {
        next = number(1);
        return attribute_not_exists(path);
    }
    const number* n = was->get_if<number>();
    if (n == nullptr) {
        throw error(errc::invalid_argument, d.type_name + ": the lock field " +
                                                quoted(*d.lock_field) + " holds a " +
                                                std::string(was->type_name()) + ", not a number");
    }
    next = number::from_int(n->as_int64() + 1);
    return eq(path, *was);
}

void assign_field(model_base& r, const field_info& f, const attribute_value* v)
{
    std::string why;
    if (error_code ec = ra::write_field(r, f, v, &why)) {
        throw error(ec, ra::desc(r).type_name + "." + f.name + ": " + why);
    }
}

std::string null_refusal(const model_base& r, const field_info& f)
{
    const model_descriptor& d = ra::desc(r);
    std::string written = "its default";
    try {
        const auto blank = d.make_blank();
        if (f.write(*blank, nullptr, nullptr)) return {};
        const auto stored = f.read(*blank);
        if (!stored) return {};
        written = show(*stored);
    } catch (const error&) {
        // A default the field cannot even write (an enum without a name for it).
    }
    return d.type_name + "." + f.name + ": NULL means no value, but this field always holds one " +
           "(it would be written as " + written + "); declare it std::optional to clear it";
}

void set_time_fields(model_base& r, bool creating)
{
    const model_descriptor& d = ra::desc(r);
    if (!d.timestamps) return;
    const auto now = std::chrono::system_clock::now();
    if (creating) {
        if (const auto* f = d.find_field(d.created_at_field); f && f->set_time) {
            f->set_time(r, now, true);
        }
    }
    if (const auto* f = d.find_field(d.updated_at_field); f && f->set_time) {
        f->set_time(r, now, creating);
    }
}

}  // namespace dynomite::detail
