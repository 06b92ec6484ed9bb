// The model layer's engine: record state, validation and callback chains, writes, finders and
// JSON, all type-erased over model_descriptor.
#include "core/random.hpp"
#include "core/async.hpp"
#include "model/attributes.hpp"
#include "query/relation_data.hpp"

#include "core/json_writer.hpp"
#include "core/plain_json.hpp"
#include <dynomite/expr/expressions.hpp>
#include <dynomite/expr/field_operator.hpp>
#include <dynomite/model.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <utility>

namespace dynomite {

namespace asio = boost::asio;

namespace {

using dynomite::detail::use_tuple;

}  // namespace

namespace detail {

// --- The descriptor ------------------------------------------------------------------------

std::optional<attribute_value> stored_form(attribute_value value)
{
    if (value.is_null()) return std::nullopt;
    if (const auto* s = value.get_if<std::string>(); s && s->empty()) return std::nullopt;
    if (const auto* s = value.get_if<string_set>(); s && s->values.empty()) return std::nullopt;
    if (const auto* s = value.get_if<number_set>(); s && s->values.empty()) return std::nullopt;
    if (const auto* s = value.get_if<binary_set>(); s && s->values.empty()) return std::nullopt;
    return value;
}

std::string_view to_string(callback_kind kind) noexcept
{
    static constexpr std::string_view names[] = {
        "before_validation", "after_validation", "around_validation", "before_save",
        "after_save",        "around_save",      "before_create",     "after_create",
        "around_create",     "before_update",    "after_update",      "around_update",
        "before_destroy",    "after_destroy",    "around_destroy",    "after_initialize",
        "after_find",        "after_touch"};
    const auto i = static_cast<std::size_t>(kind);
    return i < std::size(names) ? names[i] : "unknown";
}

model_descriptor::model_descriptor(const model_descriptor& other)
    : type_name(other.type_name),
      fields(other.fields),
      labels(std::make_shared<label_table>(*other.labels)),
      callbacks(other.callbacks),
      rules(other.rules),
      associations(other.associations),
      partition_key(other.partition_key),
      sort_key(other.sort_key),
      id_field(other.id_field),
      id_prefix(other.id_prefix),
      timestamps(other.timestamps),
      created_at_field(other.created_at_field),
      updated_at_field(other.updated_at_field),
      lock_field(other.lock_field),
      inheritance_field(other.inheritance_field),
      inheritance_name(other.inheritance_name),
      parent(other.parent),
      root(other.root),
      make_blank(other.make_blank)
{
}

const field_info* model_descriptor::find_field(std::string_view name) const noexcept
{
    for (const auto& f : fields) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

std::optional<std::size_t> model_descriptor::field_index(std::string_view name) const noexcept
{
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == name) return i;
    }
    return std::nullopt;
}

std::string model_descriptor::table_name() const
{
    if (root != this) return root->table_name();
    {
        std::lock_guard lock(mutex_);
        if (table_name_) return *table_name_;
    }
    return table_name_for(type_name, model_naming());
}

void model_descriptor::set_table_name(std::string name) const
{
    if (root != this) return root->set_table_name(std::move(name));
    std::string why;
    if (error_code ec = validate_table_name(name, &why)) {
        throw error(ec, "table name of " + type_name + ": " + why);
    }
    std::lock_guard lock(mutex_);
    table_name_ = std::move(name);
}

std::optional<dynomite::database> model_descriptor::model_database() const
{
    if (root != this) return root->model_database();
    std::lock_guard lock(mutex_);
    if (!database_) return std::nullopt;
    return *database_;
}

void model_descriptor::set_database(dynomite::database db) const
{
    if (root != this) return root->set_database(std::move(db));
    std::lock_guard lock(mutex_);
    database_ = std::make_shared<dynomite::database>(std::move(db));
}

const attribute_map& model_descriptor::blank_snapshot() const
{
    std::call_once(blank_once_, [this] {
        const auto blank = make_blank();
        for (const auto& f : fields) {
            if (auto v = f.read(*blank)) blank_.set(f.name, std::move(*v));
        }
    });
    return blank_;
}

std::vector<std::string> model_descriptor::inheritance_names() const
{
    std::vector<std::string> out{inheritance_name};
    std::lock_guard lock(mutex_);
    for (const auto* d : descendants_) out.push_back(d->inheritance_name);
    return out;
}

void model_descriptor::add_descendant(const model_descriptor* d) const
{
    std::lock_guard lock(mutex_);
    if (std::find(descendants_.begin(), descendants_.end(), d) == descendants_.end()) {
        descendants_.push_back(d);
    }
}

void model_descriptor::finish()
{
    const auto fail = [&](const std::string& why) {
        throw error(errc::invalid_configuration, "model " + type_name + ": " + why);
    };
    if (parent != nullptr && !root->inheritance_field) {
        fail("it inherits from " + parent->type_name +
             ", whose schema declares no "
             "inheritance_field()");
    }
    if (inheritance_field && find_field(*inheritance_field) != nullptr) {
        fail("the inheritance field \"" + *inheritance_field + "\" is also a declared field");
    }
    if (lock_field && find_field(*lock_field) == nullptr) {
        fail("the lock field \"" + *lock_field + "\" is not a declared field");
    }
    if (id_field) {
        const field_info* id = find_field(*id_field);
        if (id == nullptr) {
            id_field.reset();  // nothing to generate
        }
    }
    if (inheritance_name.empty()) fail("the inheritance name is empty");
}

void add_field(model_descriptor& d, field_info f)
{
    if (f.name.empty()) {
        throw error(errc::invalid_configuration, "model " + d.type_name + ": empty field name");
    }
    if (d.find_field(f.name) != nullptr) {
        throw error(errc::invalid_configuration,
                    "model " + d.type_name + ": field \"" + f.name + "\" declared twice");
    }
    d.fields.push_back(std::move(f));
}

void throw_no_validator(const model_descriptor& d, std::size_t field)
{
    throw error(errc::invalid_argument, "model " + d.type_name + ": if_() or unless() on field \"" +
                                            d.fields.at(field).name + "\" before any validates()");
}

// --- Record internals ----------------------------------------------------------------------

namespace {

struct key_names {
    std::string partition;
    std::optional<std::string> sort;
};

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

/// The keys the model declares, if it does (else they come from DescribeTable).
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

std::string random_suffix(std::size_t n)
{
    return detail::random_alphanumeric(n);
}

bool same(const std::optional<attribute_value>& a, const attribute_value* b)
{
    if (!a) return b == nullptr;
    return b != nullptr && *a == *b;
}

}  // namespace

/// Access to model_base's private state, for the engine.
struct record_access {
    static const model_descriptor& desc(const model_base& r) { return r.descriptor(); }
    static attribute_map& stored(model_base& r) { return r.stored_; }
    static const attribute_map& stored(const model_base& r) { return r.stored_; }
    static std::optional<attribute_map>& snapshot(model_base& r) { return r.snapshot_; }
    static std::vector<attribute_change>& saved_changes(model_base& r) { return r.saved_changes_; }
    static model_errors& errors(model_base& r) { return r.errors_; }
    static void set_persisted(model_base& r) { r.state_ = model_base::record_state::persisted; }
    static void set_destroyed(model_base& r) { r.state_ = model_base::record_state::destroyed; }
    static void bind(model_base& r, const database& db) { r.db_ = db; }
    /// The record's state (not its fields) from another record of the same class.
    static void assign_state(model_base& to, const model_base& from) { to = from; }

    /// What changes of field `index` are measured against: its value at the last load or
    /// write, or a blank record's for a new one.
    static const attribute_value* baseline(const model_base& r, std::size_t index)
    {
        const model_descriptor& d = r.descriptor();
        const std::string& name = d.fields[index].name;
        if (!r.snapshot_) return d.blank_snapshot().find(name);
        if (index < 64 && ((r.loaded_exactly_ >> index) & 1u) != 0) return r.stored_.find(name);
        return r.snapshot_->find(name);
    }
    static const attribute_value* baseline(const model_base& r, std::string_view name)
    {
        const model_descriptor& d = r.descriptor();
        if (const field_info* f = d.find_field(name))
            return baseline(r, static_cast<std::size_t>(f - d.fields.data()));
        return r.snapshot_ ? r.snapshot_->find(name) : d.blank_snapshot().find(name);
    }

    static attribute_map current_fields(const model_base& r)
    {
        attribute_map out;
        out.reserve(r.descriptor().fields.size());
        for (const auto& f : r.descriptor().fields) {
            if (auto v = f.read(r)) out.set(f.name, std::move(*v));
        }
        return out;
    }

    static std::vector<attribute_change> changes(const model_base& r)
    {
        std::vector<attribute_change> out;
        const auto& fields = r.descriptor().fields;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const field_info& f = fields[i];
            auto now = f.read(r);
            const attribute_value* was = baseline(r, i);
            if (same(now, was)) continue;
            attribute_change c;
            c.attribute = f.name;
            if (was) c.old_value = *was;
            c.new_value = std::move(now);
            out.push_back(std::move(c));
        }
        append_undeclared_changes(r, out);
        return out;
    }

    /// Snapshot of every field, after a write.
    static void take_snapshot(model_base& r)
    {
        r.snapshot_ = current_fields(r);
        r.loaded_exactly_ = 0;
        clear_undeclared(r);
    }

    /// The snapshot of a load, taken field by field as load_record assigns them: a field that
    /// loaded exactly from its attribute `loaded` (which goes into r.stored_) keeps it there as
    /// its snapshot value, which saves reading every field back into a second map.
    static void begin_load_snapshot(model_base& r)
    {
        r.snapshot_.emplace();
        r.loaded_exactly_ = 0;
        clear_undeclared(r);
    }
    static void snapshot_loaded_field(model_base& r, std::size_t index,
                                      const attribute_value* loaded)
    {
        const field_info& f = r.descriptor().fields[index];
        if (loaded != nullptr && f.loads_exactly && index < 64 && f.loads_exactly(*loaded)) {
            r.loaded_exactly_ |= std::uint64_t{1} << index;
        } else if (auto read = f.read(r)) {
            r.snapshot_->set(f.name, std::move(*read));
        }
    }

    /// The item a full write stores.
    static attribute_map full_item(const model_base& r)
    {
        const model_descriptor& d = r.descriptor();
        attribute_map item = r.stored_;
        for (const auto& f : d.fields) {
            if (auto v = f.read(r)) {
                item.set(f.name, std::move(*v));
            } else {
                item.erase(f.name);
            }
        }
        apply_undeclared(r, item);
        if (const auto& type = d.root->inheritance_field) {
            if (r.new_record() || !item.contains(*type)) item.set(*type, d.inheritance_name);
        }
        return item;
    }

    static error_code write_field(model_base& r, const field_info& f, const attribute_value* v,
                                  std::string* why)
    {
        return f.write(r, v, why);
    }
};

namespace {

using ra = record_access;

database database_of(const model_base& r)
{
    return r.used_database();
}

/// The key of `item` (a record's attributes) for `names`; throws naming a missing attribute.
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

/// The persisted key: from the item as loaded or last written.
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

/// Sends a request; returns the error code, with the diagnostics, instead of throwing.
template <class Request>
asio::awaitable<error_code> send(database db, Request request, diagnostics& diag,
                                 response_t<Request>& out)
{
    dynomite::client c = db.get_client();
    auto [ec, response] = co_await c.async_execute(std::move(request), diag, use_tuple);
    out = std::move(response);
    co_return ec;
}

asio::awaitable<std::optional<attribute_map>> read_item(database db, std::string table,
                                                        attribute_map key)
{
    get_item_request request;
    request.table_name = std::move(table);
    request.key = std::move(key);
    request.consistent_read = true;
    dynomite::client c = db.get_client();
    auto response = co_await c.get_item(std::move(request));
    co_return std::move(response.item);
}

/// After a failed conditional write: whether the item is gone (record_not_found) or was
/// changed (stale_object), thrown with the key.
asio::awaitable<void> throw_write_conflict(database db, const model_base& r, attribute_map key,
                                           std::string_view operation)
{
    const model_descriptor& d = ra::desc(r);
    auto item = co_await read_item(db, d.table_name(), key);
    if (!item) {
        throw error(model_errc::record_not_found,
                    std::string(operation) + " of " + d.type_name + " " + show(key) +
                        ": the item no longer exists in table " + quoted(d.table_name()));
    }
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

/// The lock's condition and its next value: `lock = old` (or absent), then old + 1.
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

// --- Callbacks -----------------------------------------------------------------------------

const std::vector<callback>& callbacks_of(const model_base& r, callback_kind kind)
{
    return ra::desc(r).callbacks[static_cast<std::size_t>(kind)];
}

/// Runs callbacks of `kind` in order; false when a before callback halted.
asio::awaitable<bool> run_simple(model_base& r, callback_kind kind)
{
    for (const auto& cb : callbacks_of(r, kind)) {
        bool go_on = true;
        if (cb.sync) {
            go_on = cb.sync(r);
        } else if (cb.async) {
            go_on = co_await cb.async(r);
        }
        if (!go_on) co_return false;
    }
    co_return true;
}

bool run_simple_sync(model_base& r, callback_kind kind)
{
    for (const auto& cb : callbacks_of(r, kind)) {
        if (cb.sync && !cb.sync(r)) return false;
    }
    return true;
}

using step = std::function<asio::awaitable<bool>()>;

struct around_state {
    bool proceeded = false;
    bool result = false;
};

asio::awaitable<bool> run_arounds(model_base& r, const std::vector<callback>& arounds,
                                  std::size_t i, const step& inner);

asio::awaitable<void> around_step(model_base& r, const std::vector<callback>& arounds,
                                  std::size_t i, const step& inner,
                                  std::shared_ptr<around_state> state)
{
    state->proceeded = true;
    state->result = co_await run_arounds(r, arounds, i, inner);
}

asio::awaitable<bool> run_arounds(model_base& r, const std::vector<callback>& arounds,
                                  std::size_t i, const step& inner)
{
    if (i == arounds.size()) {
        const bool done = co_await inner();
        co_return done;
    }
    auto state = std::make_shared<around_state>();
    proceed next = [&r, &arounds, i, &inner, state]() {
        return around_step(r, arounds, i + 1, inner, state);
    };
    co_await arounds[i].around(r, std::move(next));
    co_return state->proceeded && state->result;
}

/// Why a chain stopped, for the base error.
enum class halt_point { none, before, around, inner };

/// before callbacks, the arounds nested around `inner`, after callbacks. `halted` says where
/// the chain stopped when it returns false.
asio::awaitable<bool> run_chain(model_base& r, callback_kind before, callback_kind around,
                                callback_kind after, const step& inner, halt_point& halted)
{
    const bool go_on = co_await run_simple(r, before);
    if (!go_on) {
        halted = halt_point::before;
        co_return false;
    }
    bool inner_ran = false;
    bool inner_result = false;
    const step tracked = [&]() -> asio::awaitable<bool> {
        inner_ran = true;
        inner_result = co_await inner();
        co_return inner_result;
    };
    const bool done = co_await run_arounds(r, callbacks_of(r, around), 0, tracked);
    if (!done) {
        halted = !inner_ran ? halt_point::around : halt_point::inner;
        co_return false;
    }
    co_await run_simple(r, after);
    co_return true;
}

std::string halt_message(std::string_view operation, callback_kind before, callback_kind around)
{
    return std::string(operation) + " halted by a " + std::string(to_string(before)) + " or " +
           std::string(to_string(around)) + " callback";
}

// --- Validation ----------------------------------------------------------------------------

bool rule_applies(const validation_rule& rule, const model_base& r, validation_context context)
{
    if (rule.on && *rule.on != context) return false;
    for (const auto& p : rule.if_) {
        if (!p(r)) return false;
    }
    for (const auto& p : rule.unless) {
        if (p(r)) return false;
    }
    return true;
}

/// Runs the synchronous part of one rule; returns whether it has an asynchronous part.
bool run_rule_sync(model_base& r, const validation_rule& rule, validation_context context,
                   std::optional<attribute_value>& value)
{
    model_errors& errors = ra::errors(r);
    if (rule.field) {
        const field_info& f = ra::desc(r).fields.at(*rule.field);
        value = f.read(r);
        const attribute_value* v = value ? &*value : nullptr;
        if (rule.validator.allow_nil && v == nullptr) return false;
        if (rule.validator.allow_blank && is_blank(v)) return false;
        if (rule.validator.check) rule.validator.check({r, f.name, v, context}, errors);
        return static_cast<bool>(rule.validator.async_check);
    }
    if (rule.custom) rule.custom(r, errors);
    return static_cast<bool>(rule.custom_async);
}

/// Runs every validator; true once they ran, whatever they found.
asio::awaitable<bool> run_validators(model_base& r, validation_context context)
{
    for (const auto& rule : ra::desc(r).rules) {
        if (!rule_applies(rule, r, context)) continue;
        std::optional<attribute_value> value;
        if (!run_rule_sync(r, rule, context, value)) continue;
        if (rule.field) {
            co_await rule.validator.async_check(r, ra::desc(r).fields.at(*rule.field).name,
                                                std::move(value), ra::errors(r));
        } else {
            co_await rule.custom_async(r, ra::errors(r));
        }
    }
    co_return true;
}

void reset_errors(model_base& r)
{
    ra::errors(r) = model_errors(ra::desc(r).labels);
}

asio::awaitable<bool> run_validation(model_base& r, validation_context context)
{
    reset_errors(r);
    halt_point halted = halt_point::none;
    const step inner = [&r, context]() { return run_validators(r, context); };
    const bool ok =
        co_await run_chain(r, callback_kind::before_validation, callback_kind::around_validation,
                           callback_kind::after_validation, inner, halted);
    if (!ok && halted != halt_point::inner) {
        ra::errors(r).add_to_base(halt_message("Validation", callback_kind::before_validation,
                                               callback_kind::around_validation));
    }
    co_return ok&& ra::errors(r).empty();
}

bool run_validation_sync(model_base& r, validation_context context)
{
    reset_errors(r);
    if (!run_simple_sync(r, callback_kind::before_validation)) {
        ra::errors(r).add_to_base("Validation halted by a before_validation callback");
        return false;
    }
    for (const auto& rule : ra::desc(r).rules) {
        if (!rule_applies(rule, r, context)) continue;
        std::optional<attribute_value> value;
        run_rule_sync(r, rule, context, value);
    }
    run_simple_sync(r, callback_kind::after_validation);
    return ra::errors(r).empty();
}

// --- Writes --------------------------------------------------------------------------------

enum class write_mode { save, replace, replace_declared };

void prepare_new(model_base& r)
{
    const model_descriptor& d = ra::desc(r);
    apply_defaults(r);
    if (d.id_field) {
        const field_info* f = d.find_field(*d.id_field);
        if (f && !f->read(r)) {
            const std::string prefix =
                d.id_prefix ? *d.id_prefix : to_snake_case(d.type_name) + "-";
            const attribute_value id(prefix + random_suffix(16));
            assign_field(r, *f, &id);
        }
    }
    if (d.lock_field) {
        const field_info* f = d.find_field(*d.lock_field);
        if (!f->read(r)) {
            const attribute_value zero(number(0));
            assign_field(r, *f, &zero);
        }
    }
}

void finish_write(model_base& r, attribute_map item, std::vector<attribute_change> changes)
{
    ra::stored(r) = std::move(item);
    ra::take_snapshot(r);
    ra::saved_changes(r) = std::move(changes);
    ra::set_persisted(r);
}

[[noreturn]] void throw_gone(const model_base& r, const attribute_map& key,
                             std::string_view operation)
{
    const model_descriptor& d = ra::desc(r);
    throw error(model_errc::record_not_found,
                std::string(operation) + " of " + d.type_name + " " + show(key) +
                    ": the item no longer exists in table " + quoted(d.table_name()));
}

/// What a failed condition of a record's write means.
enum class condition_failure {
    /// The item is gone (record_not_found) or was changed since read (stale_object).
    write_conflict,
    /// The item is gone.
    gone,
    /// A create found the key taken (record_not_unique), unless the client's retry of an
    /// applied create met its own item.
    taken,
};

// GCC 12 reports a false -Wmismatched-new-delete on this coroutine's frame (GCC bug 109224,
// as for touch_record below).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
/// The three steps of every conditional write of a record: `cond` (and `update`) rendered
/// into the request through one expression context, the request sent, and a failed
/// condition turned into what it means for the record, naming `operation` and the key.
/// `applied_item`, when given, is the whole item the write leaves in the table: a retry whose
/// condition fails because the attempt before it was applied (its answer lost) then finds
/// exactly that item, and the write succeeded. A create's is the item it puts.
template <class Request>
asio::awaitable<response_t<Request>> send_record_write(
    database db, const model_base& r, Request request, const condition& cond,
    const update_expression* update, attribute_map key, std::string_view operation,
    condition_failure failure = condition_failure::write_conflict,
    const attribute_map* applied_item = nullptr)
{
    render_expressions(request, cond, update);
    attribute_map own;
    if constexpr (std::is_same_v<Request, put_item_request>) {
        if (failure == condition_failure::taken) own = request.item;
    }
    if (applied_item != nullptr) own = *applied_item;
    if (!own.empty()) {
        request.return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old;
    }
    diagnostics diag;
    response_t<Request> response;
    const error_code ec = co_await send(db, std::move(request), diag, response);
    if (ec == errc::conditional_check_failed) {
        const model_descriptor& d = ra::desc(r);
        // The same test as a create's: retried, and the item held is exactly this write's.
        if (!own.empty() && create_already_applied(diag, own)) co_return response;
        switch (failure) {
        case condition_failure::taken:
            throw error(model_errc::record_not_unique,
                        "create of " + d.type_name + " " + show(key) + ": table " +
                            quoted(d.table_name()) + " already has an item with this key");
        case condition_failure::gone:
            throw_gone(r, key, operation);
        case condition_failure::write_conflict:
            co_await throw_write_conflict(db, r, key, operation);
        }
    }
    throw_on_error(ec, diag);
    co_return response;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

bool locks(const model_base& r, write_kind kind)
{
    if (!ra::desc(r).lock_field) return false;
    return kind == write_kind::update || kind == write_kind::destroy ||
           (kind == write_kind::put && r.persisted());
}

void check_key_unchanged(const model_base& r, const key_names& names,
                         const std::vector<attribute_change>& changes)
{
    for (const auto& c : changes) {
        if (c.attribute == names.partition || (names.sort && c.attribute == *names.sort)) {
            throw error(model_errc::key_changed,
                        "cannot change key attribute " + quoted(c.attribute) + " of a persisted " +
                            ra::desc(r).type_name + " (from " +
                            (c.old_value ? show(*c.old_value) : "absent") + " to " +
                            (c.new_value ? show(*c.new_value) : "absent") +
                            "): DynamoDB cannot rename an item; create a new record and destroy "
                            "this one");
        }
    }
}

asio::awaitable<bool> write_put(model_base& r, database db, bool conditional_create)
{
    const write_kind kind = conditional_create ? write_kind::create : write_kind::put;
    auto w = co_await prepare_write(r, kind);
    put_item_request request;
    request.table_name = w.table;
    request.item = w.item;
    const auto failure =
        conditional_create ? condition_failure::taken : condition_failure::write_conflict;
    // A locked replace is conditional on the lock: its retry may meet its own applied write.
    co_await send_record_write(db, r, std::move(request), w.cond, nullptr, w.key, "replace",
                               failure, w.next_lock ? &w.item : nullptr);
    complete_write(w);
    co_return true;
}

bool changes_updated_at(const model_base& r, const std::vector<attribute_change>& changes)
{
    const std::string& field = ra::desc(r).updated_at_field;
    return std::any_of(changes.begin(), changes.end(),
                       [&](const attribute_change& c) { return c.attribute == field; });
}

asio::awaitable<bool> write_update(model_base& r, database db, bool touch)
{
    auto w = co_await prepare_write(r, write_kind::update);
    if (w.changes.empty()) {
        ra::saved_changes(r).clear();
        co_return true;
    }
    if (touch && !changes_updated_at(r, w.changes)) {
        set_time_fields(r, false);
        w = co_await prepare_write(r, write_kind::update);
    }
    update_item_request request;
    request.table_name = w.table;
    request.key = w.key;
    // A locked update's retry may meet its own applied write: the lock moved by this write.
    co_await send_record_write(db, r, std::move(request), w.cond, &w.update, w.key, "update",
                               condition_failure::write_conflict,
                               w.next_lock ? &w.item : nullptr);
    complete_write(w);
    co_return true;
}

/// replace_declared(): one UpdateItem that SETs every declared field (REMOVEs the empty ones)
/// and the undeclared attributes assigned, leaving the item's other attributes as they are.
asio::awaitable<bool> write_declared(model_base& r, database db)
{
    const model_descriptor& d = ra::desc(r);
    auto w = co_await prepare_write(r, write_kind::put);
    update_expression update;
    const auto write = [&](const std::string& name) {
        if (w.key.contains(name)) return;
        const document_path path = document_path::attribute(name);
        if (const attribute_value* v = w.item.find(name)) {
            update.set(path, *v);
        } else {
            update.remove(path);
        }
    };
    for (const auto& f : d.fields) write(f.name);
    for (const auto& c : w.changes) {
        if (d.find_field(c.attribute) == nullptr) write(c.attribute);
    }
    if (const auto& type = d.root->inheritance_field; type && w.item.contains(*type)) write(*type);
    update_item_request request;
    request.table_name = w.table;
    request.key = w.key;
    request.return_values = return_values::all_new;
    auto response = co_await send_record_write(db, r, std::move(request), w.cond, &update, w.key,
                                               "replace_declared");
    if (response.attributes) w.item = std::move(*response.attributes);
    complete_write(w);
    co_return true;
}

enum class save_outcome { saved, invalid, halted };

asio::awaitable<save_outcome> save_record(model_base& r, save_options options, write_mode mode)
{
    const model_descriptor& d = ra::desc(r);
    if (r.destroyed()) {
        throw error(model_errc::not_persisted, "cannot save a destroyed " + d.type_name);
    }
    const bool creating = r.new_record();
    if (creating) prepare_new(r);
    if (options.validate) {
        const auto context = creating ? validation_context::create : validation_context::update;
        const bool valid = co_await run_validation(r, context);
        if (!valid) co_return save_outcome::invalid;
    } else {
        reset_errors(r);
    }

    const callback_kind before =
        creating ? callback_kind::before_create : callback_kind::before_update;
    const callback_kind around =
        creating ? callback_kind::around_create : callback_kind::around_update;
    const callback_kind after =
        creating ? callback_kind::after_create : callback_kind::after_update;
    halt_point inner_halt = halt_point::none;
    const step write = [&]() -> asio::awaitable<bool> {
        const database db = database_of(r);
        if (options.touch && (creating || mode != write_mode::save)) {
            set_time_fields(r, creating);
        }
        if (mode == write_mode::replace_declared) {
            auto result = co_await write_declared(r, db);
            co_return std::move(result);
        }
        if (mode == write_mode::replace || creating) {
            auto result = co_await write_put(r, db, creating && mode == write_mode::save);
            co_return std::move(result);
        }
        auto result = co_await write_update(r, db, options.touch);
        co_return std::move(result);
    };
    const step specific = [&]() { return run_chain(r, before, around, after, write, inner_halt); };
    halt_point halted = halt_point::none;
    const bool done = co_await run_chain(r, callback_kind::before_save, callback_kind::around_save,
                                         callback_kind::after_save, specific, halted);
    if (!done) {
        if (halted == halt_point::inner) {
            ra::errors(r).add_to_base(halt_message(creating ? "Create" : "Update", before, around));
        } else {
            ra::errors(r).add_to_base(
                halt_message("Save", callback_kind::before_save, callback_kind::around_save));
        }
        co_return save_outcome::halted;
    }
    co_return save_outcome::saved;
}

[[noreturn]] void throw_not_saved(const model_base& r, std::string_view operation,
                                  save_outcome outcome)
{
    const model_descriptor& d = ra::desc(r);
    const model_errors& errors = r.errors();
    if (outcome == save_outcome::halted) {
        throw error(model_errc::record_not_saved, std::string(operation) + " of " + d.type_name +
                                                      " failed: " + errors.to_string());
    }
    throw error(model_errc::record_invalid, "Validation failed: " + errors.to_string());
}

}  // namespace

// --- The write engine of batches and transactions ------------------------------------------

namespace {

/// Around callbacks wrap one record's write; a shared write has none to give them.
void refuse_arounds(const model_base& r, std::initializer_list<callback_kind> kinds,
                    std::string_view operation)
{
    for (const callback_kind kind : kinds) {
        if (callbacks_of(r, kind).empty()) continue;
        throw error(errc::invalid_argument,
                    std::string(operation) + " of " + ra::desc(r).type_name + ": its " +
                        std::string(to_string(kind)) +
                        " callbacks cannot wrap one record's part of a shared write; turn "
                        "callbacks off for it, or save the records one by one");
    }
}

}  // namespace

asio::awaitable<before_outcome> before_write(model_base& r, write_kind kind, save_options options,
                                             bool callbacks, std::string_view operation)
{
    const model_descriptor& d = ra::desc(r);
    if (kind == write_kind::destroy) {
        require_persisted(r, operation);
        reset_errors(r);
        if (!callbacks) co_return before_outcome::proceed;
        refuse_arounds(r, {callback_kind::around_destroy}, operation);
        const bool go_on = co_await run_simple(r, callback_kind::before_destroy);
        if (go_on) co_return before_outcome::proceed;
        ra::errors(r).add_to_base(halt_message("Destroy", callback_kind::before_destroy,
                                               callback_kind::around_destroy));
        co_return before_outcome::halted;
    }
    if (r.destroyed()) {
        throw error(model_errc::not_persisted,
                    std::string(operation) + ": cannot save a destroyed " + d.type_name);
    }
    if (kind == write_kind::update) require_persisted(r, operation);
    const bool creating = r.new_record();
    if (creating) prepare_new(r);
    if (options.validate) {
        const auto context = creating ? validation_context::create : validation_context::update;
        const bool valid = co_await run_validation(r, context);
        if (!valid) co_return before_outcome::invalid;
    } else {
        reset_errors(r);
    }
    const callback_kind before =
        creating ? callback_kind::before_create : callback_kind::before_update;
    const callback_kind around =
        creating ? callback_kind::around_create : callback_kind::around_update;
    if (callbacks) {
        refuse_arounds(r, {callback_kind::around_save, around}, operation);
        const bool save_goes_on = co_await run_simple(r, callback_kind::before_save);
        if (!save_goes_on) {
            ra::errors(r).add_to_base(
                halt_message("Save", callback_kind::before_save, callback_kind::around_save));
            co_return before_outcome::halted;
        }
        const bool write_goes_on = co_await run_simple(r, before);
        if (!write_goes_on) {
            ra::errors(r).add_to_base(halt_message(creating ? "Create" : "Update", before, around));
            co_return before_outcome::halted;
        }
    }
    if (options.touch) {
        if (creating || kind == write_kind::put) {
            set_time_fields(r, creating);
        } else {
            const auto changes = ra::changes(r);
            if (!changes.empty() && !changes_updated_at(r, changes)) set_time_fields(r, false);
        }
    }
    co_return before_outcome::proceed;
}

asio::awaitable<void> after_write(model_base& r, write_kind kind, bool created)
{
    if (kind == write_kind::destroy) {
        co_await run_simple(r, callback_kind::after_destroy);
        co_return;
    }
    co_await run_simple(r, created ? callback_kind::after_create : callback_kind::after_update);
    co_await run_simple(r, callback_kind::after_save);
}

asio::awaitable<prepared_write> prepare_write(model_base& r, write_kind kind)
{
    const model_descriptor& d = ra::desc(r);
    const database db = database_of(r);
    const auto names = co_await resolve_keys(db, d);
    const document_path partition = document_path::attribute(names.partition);
    prepared_write w;
    w.record = &r;
    w.kind = kind;
    w.table = d.table_name();
    switch (kind) {
    case write_kind::create:
    case write_kind::put: {
        w.changes = ra::changes(r);
        w.item = ra::full_item(r);
        w.key = key_from(d, w.item, names);
        std::string why;
        if (error_code ec = validate(w.item, &why)) {
            throw error(ec, d.type_name + " " + show(w.key) + ": " + why);
        }
        if (kind == write_kind::create) w.cond = attribute_not_exists(partition);
        break;
    }
    case write_kind::update:
        w.changes = ra::changes(r);
        check_key_unchanged(r, names, w.changes);
        w.key = persisted_key(r, names);
        w.cond = attribute_exists(partition);
        w.item = ra::stored(r);
        for (const auto& c : w.changes) {
            if (d.lock_field && c.attribute == *d.lock_field) continue;
            const document_path path = document_path::attribute(c.attribute);
            if (c.new_value) {
                w.update.set(path, *c.new_value);
                w.item.set(c.attribute, *c.new_value);
            } else {
                w.update.remove(path);
                w.item.erase(c.attribute);
            }
        }
        break;
    case write_kind::destroy:
    case write_kind::check:
        w.key = persisted_key(r, names);
        break;
    }
    check_partial_write(r, kind, w.changes);
    if (locks(r, kind)) {
        attribute_value next;
        w.cond = w.cond && lock_condition(r, next);
        if (kind == write_kind::update) w.update.set(document_path::attribute(*d.lock_field), next);
        if (kind != write_kind::destroy) w.item.set(*d.lock_field, next);
        w.next_lock = std::move(next);
    }
    co_return w;
}

void complete_write(prepared_write& w)
{
    model_base& r = *w.record;
    if (w.kind == write_kind::destroy) {
        ra::set_destroyed(r);
        return;
    }
    if (w.next_lock) {
        const model_descriptor& d = ra::desc(r);
        assign_field(r, *d.find_field(*d.lock_field), &*w.next_lock);
        w.changes = ra::changes(r);
    }
    finish_write(r, w.item, w.changes);
}

std::unique_ptr<model_base> keep_state(const model_base& r)
{
    const model_descriptor& d = ra::desc(r);
    auto kept = d.make_blank();
    for (const auto& f : d.fields) f.copy(*kept, r);
    ra::assign_state(*kept, r);
    return kept;
}

void restore_state(model_base& r, const model_base& kept)
{
    for (const auto& f : ra::desc(r).fields) f.copy(r, kept);
    ra::assign_state(r, kept);
}

std::string describe_key(const attribute_map& key)
{
    return show(key);
}

bool uses_locking(const model_base& r)
{
    return ra::desc(r).lock_field.has_value();
}

bool create_already_applied(const diagnostics& diag, const attribute_map& written)
{
    return diag.attempts.size() > 1 && diag.item && *diag.item == written;
}

// --- Loading -------------------------------------------------------------------------------

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

}  // namespace

namespace {

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
    const std::string which = bad.key.empty() ? "an item without its key attributes"
                                              : "item " + show(bad.key);
    bad.message = d.type_name + "." + f.name + " of " + which + " in table " +
                  quoted(d.table_name()) + ": cannot load " +
                  (value.is_null() ? std::string("NULL") : show(value)) + ": " + why;
    return bad;
}

}  // namespace

bool load_record(model_base& record, attribute_map item, const database* db, bad_item* bad)
{
    const auto& fields = ra::desc(record).fields;
    ra::begin_load_snapshot(record);
    // One lookup per field serves the assignment and the snapshot.
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const attribute_value* v = item.find(fields[i].name);
        if (v != nullptr) {
            std::string why;
            if (error_code ec = ra::write_field(record, fields[i], v, &why)) {
                bad_item found = describe_bad_item(ra::desc(record), item, fields[i], *v, ec, why);
                if (bad == nullptr) throw error(ec, found.message);
                *bad = std::move(found);
                return false;
            }
        }
        ra::snapshot_loaded_field(record, i, v);
    }
    ra::stored(record) = std::move(item);
    ra::saved_changes(record).clear();
    ra::set_persisted(record);
    if (db != nullptr) ra::bind(record, *db);
    return true;
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
    relation r = db.table(d.table_name());
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

asio::awaitable<std::optional<attribute_map>> get_item(database db, const model_descriptor& d,
                                                       attribute_map key, bool consistent)
{
    get_item_request request;
    request.table_name = d.table_name();
    request.key = std::move(key);
    request.consistent_read = consistent;
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
    relation r = db.table(d.table_name()).where(eq(document_path::attribute(attribute), *value));
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

}  // namespace detail

// --- model_base ------------------------------------------------------------------------------

using detail::record_access;
using ra = detail::record_access;

void model_base::use_database(dynomite::database db)
{
    db_ = std::move(db);
}

dynomite::database model_base::used_database() const
{
    if (db_) return *db_;
    return detail::database_for(descriptor());
}

attribute_map model_base::attributes() const
{
    return ra::full_item(*this);
}

std::optional<attribute_value> model_base::read_attribute(std::string_view name) const
{
    if (const auto* f = descriptor().find_field(name)) return f->read(*this);
    if (const attribute_value* v = detail::assigned_undeclared(*this, name)) {
        if (v->is_null()) return std::nullopt;
        return *v;
    }
    if (const attribute_value* v = stored_.find(name)) return *v;
    return std::nullopt;
}

void model_base::write_attribute(std::string_view name, const attribute_value& value)
{
    const auto* f = descriptor().find_field(name);
    if (f == nullptr) {
        detail::write_undeclared(*this, name, value);
        return;
    }
    detail::assign_field(*this, *f, value.is_null() ? nullptr : &value);
}

void model_base::assign_attributes(const attribute_map& values)
{
    for (const auto& [name, value] : values) write_attribute(name, value);
}

attribute_map model_base::undeclared_attributes() const
{
    const auto& d = descriptor();
    attribute_map out;
    for (const auto& [name, value] : stored_) {
        if (d.find_field(name) != nullptr) continue;
        if (d.root->inheritance_field && name == *d.root->inheritance_field) continue;
        out.set(name, value);
    }
    detail::apply_undeclared(*this, out);
    return out;
}

bool model_base::changed() const
{
    return !ra::changes(*this).empty();
}

bool model_base::attribute_changed(std::string_view name) const
{
    const auto* f = descriptor().find_field(name);
    if (f == nullptr) return detail::assigned_undeclared(*this, name) != nullptr;
    return !detail::same(f->read(*this), ra::baseline(*this, name));
}

std::vector<std::string> model_base::changed_attributes() const
{
    std::vector<std::string> out;
    for (auto& c : ra::changes(*this)) out.push_back(std::move(c.attribute));
    return out;
}

std::vector<attribute_change> model_base::changes() const
{
    return ra::changes(*this);
}

std::optional<attribute_value> model_base::attribute_was(std::string_view name) const
{
    if (descriptor().find_field(name) == nullptr) {
        if (const attribute_value* v = stored_.find(name)) return *v;
        return std::nullopt;
    }
    if (const attribute_value* v = ra::baseline(*this, name)) return *v;
    return std::nullopt;
}

void model_base::restore_attributes()
{
    for (const auto& f : descriptor().fields) restore_attribute(f.name);
    detail::clear_undeclared(*this);
}

void model_base::restore_attribute(std::string_view name)
{
    const auto* f = descriptor().find_field(name);
    if (f == nullptr) {
        detail::restore_undeclared(*this, name);
        return;
    }
    if (!snapshot_) {
        // A new record goes back to a default-constructed one's value.
        const auto blank = descriptor().make_blank();
        f->copy(*this, *blank);
        return;
    }
    detail::assign_field(*this, *f, detail::record_access::baseline(*this, name));
}

bool model_base::saved_change_to(std::string_view name) const
{
    return std::any_of(saved_changes_.begin(), saved_changes_.end(),
                       [&](const attribute_change& c) { return c.attribute == name; });
}

const std::string& model_base::field_name_at(const void* address) const
{
    for (const auto& f : descriptor().fields) {
        if (address != nullptr && f.address(*this) == address) return f.name;
    }
    throw error(errc::invalid_argument,
                "the member given is not a declared field of " + descriptor().type_name);
}

model_errors& model_base::errors()
{
    if (!errors_.labels_) errors_.labels_ = descriptor().labels;
    return errors_;
}

boost::asio::awaitable<bool> model_base::valid()
{
    return valid(new_record() ? validation_context::create : validation_context::update);
}

boost::asio::awaitable<bool> model_base::valid(validation_context context)
{
    return detail::run_validation(*this, context);
}

bool model_base::valid_locally()
{
    return valid_locally(new_record() ? validation_context::create : validation_context::update);
}

bool model_base::valid_locally(validation_context context)
{
    return detail::run_validation_sync(*this, context);
}

boost::asio::awaitable<bool> model_base::save(save_options options)
{
    const auto outcome = co_await detail::save_record(*this, options, detail::write_mode::save);
    co_return outcome == detail::save_outcome::saved;
}

boost::asio::awaitable<void> model_base::save_or_throw(save_options options)
{
    const auto outcome = co_await detail::save_record(*this, options, detail::write_mode::save);
    if (outcome != detail::save_outcome::saved) detail::throw_not_saved(*this, "Save", outcome);
}

boost::asio::awaitable<bool> model_base::update(const attribute_map& values, save_options options)
{
    assign_attributes(values);
    return save(options);
}

boost::asio::awaitable<void> model_base::update_or_throw(const attribute_map& values,
                                                         save_options options)
{
    assign_attributes(values);
    return save_or_throw(options);
}

boost::asio::awaitable<bool> model_base::replace(save_options options)
{
    const auto outcome = co_await detail::save_record(*this, options, detail::write_mode::replace);
    co_return outcome == detail::save_outcome::saved;
}

boost::asio::awaitable<void> model_base::replace_or_throw(save_options options)
{
    const auto outcome = co_await detail::save_record(*this, options, detail::write_mode::replace);
    if (outcome != detail::save_outcome::saved) detail::throw_not_saved(*this, "Replace", outcome);
}

boost::asio::awaitable<bool> model_base::replace_declared(save_options options)
{
    const auto outcome =
        co_await detail::save_record(*this, options, detail::write_mode::replace_declared);
    co_return outcome == detail::save_outcome::saved;
}

boost::asio::awaitable<void> model_base::replace_declared_or_throw(save_options options)
{
    const auto outcome =
        co_await detail::save_record(*this, options, detail::write_mode::replace_declared);
    if (outcome != detail::save_outcome::saved) detail::throw_not_saved(*this, "Replace", outcome);
}

boost::asio::awaitable<bool> model_base::update_attribute(std::string_view name,
                                                          attribute_value value)
{
    write_attribute(name, value);
    save_options options;
    options.validate = false;
    return save(options);
}

namespace {

boost::asio::awaitable<bool> destroy_write(model_base& self)
{
    co_await detail::apply_dependents(self);  // associations' dependent options
    auto w = co_await detail::prepare_write(self, detail::write_kind::destroy);
    delete_item_request request;
    request.table_name = w.table;
    request.key = w.key;
    co_await detail::send_record_write(self.used_database(), self, std::move(request), w.cond,
                                       nullptr, w.key, "destroy");
    detail::complete_write(w);
    co_return true;
}

boost::asio::awaitable<bool> destroy_record(model_base* self)
{
    detail::require_persisted(*self, "destroy");
    detail::halt_point halted = detail::halt_point::none;
    const detail::step write = [self]() { return destroy_write(*self); };
    const bool done = co_await detail::run_chain(
        *self, detail::callback_kind::before_destroy, detail::callback_kind::around_destroy,
        detail::callback_kind::after_destroy, write, halted);
    if (!done) {
        self->errors().add_to_base(detail::halt_message("Destroy",
                                                        detail::callback_kind::before_destroy,
                                                        detail::callback_kind::around_destroy));
    }
    co_return done;
}

}  // namespace

boost::asio::awaitable<bool> model_base::destroy()
{
    return destroy_record(this);
}

boost::asio::awaitable<void> model_base::destroy_or_throw()
{
    const bool done = co_await destroy();
    if (!done) {
        throw error(model_errc::record_not_destroyed,
                    "Destroy of " + descriptor().type_name + " failed: " + errors_.to_string());
    }
}

boost::asio::awaitable<void> model_base::delete_()
{
    detail::require_persisted(*this, "delete");
    const dynomite::database db = used_database();
    const auto names = co_await detail::resolve_keys(db, descriptor());
    delete_item_request request;
    request.table_name = descriptor().table_name();
    request.key = detail::persisted_key(*this, names);
    dynomite::client c = db.get_client();
    co_await c.delete_item(std::move(request));
    ra::set_destroyed(*this);
}

boost::asio::awaitable<void> model_base::reload()
{
    detail::require_persisted(*this, "reload");
    const auto& d = descriptor();
    const dynomite::database db = used_database();
    const auto names = co_await detail::resolve_keys(db, d);
    const attribute_map key = detail::persisted_key(*this, names);
    auto item = co_await detail::read_item(db, d.table_name(), key);
    if (!item) {
        throw error(model_errc::record_not_found,
                    "reload of " + d.type_name + " " + detail::show(key) +
                        ": the item no longer exists in table " + detail::quoted(d.table_name()));
    }
    const auto blank = d.make_blank();
    for (const auto& f : d.fields) {
        if (const attribute_value* v = item->find(f.name)) {
            detail::assign_field(*this, f, v);
        } else {
            f.copy(*this, *blank);
        }
    }
    stored_ = std::move(*item);
    ra::take_snapshot(*this);
    saved_changes_.clear();
    detail::make_whole(*this);
}

// GCC 12 reports a false -Wmismatched-new-delete on the frames of these two coroutines (GCC
// bug 109224: the ramp's cleanup pairs Asio's frame operator delete with its own operator new).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {

boost::asio::awaitable<void> touch_record(model_base& self, std::vector<std::string> fields)
{
    detail::require_persisted(self, "touch");
    const auto& d = ra::desc(self);
    if (d.timestamps && d.find_field(d.updated_at_field)) fields.push_back(d.updated_at_field);
    if (fields.empty()) {
        throw error(errc::invalid_argument,
                    "touch on " + d.type_name + ": no updated_at field, and no field named");
    }
    const auto now = std::chrono::system_clock::now();
    update_expression update;
    std::vector<const detail::field_info*> touched;
    for (const auto& name : fields) {
        const auto* f = d.find_field(name);
        if (f == nullptr || !f->set_time) {
            throw error(errc::invalid_argument, "touch on " + d.type_name + ": " +
                                                    detail::quoted(name) +
                                                    " is not a declared time field");
        }
        if (std::find(touched.begin(), touched.end(), f) != touched.end()) continue;
        f->set_time(self, now, false);
        touched.push_back(f);
        update.set(document_path::attribute(f->name), *f->read(self));
    }
    const dynomite::database db = self.used_database();
    const auto names = co_await detail::resolve_keys(db, d);
    const attribute_map key = detail::persisted_key(self, names);
    condition cond = attribute_exists(document_path::attribute(names.partition));
    attribute_value next_lock;
    if (d.lock_field) {
        cond = cond && detail::lock_condition(self, next_lock);
        update.set(document_path::attribute(*d.lock_field), next_lock);
    }
    update_item_request request;
    request.table_name = d.table_name();
    request.key = key;
    co_await detail::send_record_write(db, self, std::move(request), cond, &update, key, "touch");
    if (d.lock_field) {
        const auto* lock = d.find_field(*d.lock_field);
        detail::assign_field(self, *lock, &next_lock);
        touched.push_back(lock);
    }
    if (!ra::snapshot(self)) ra::snapshot(self) = attribute_map{};
    for (const auto* f : touched) {
        const attribute_value v = *f->read(self);
        ra::snapshot(self)->set(f->name, v);
        ra::stored(self).set(f->name, v);
    }
    co_await detail::run_simple(self, detail::callback_kind::after_touch);
}

boost::asio::awaitable<number> increment_record(model_base& self, std::string attribute, number by)
{
    detail::require_persisted(self, "increment");
    const auto& d = ra::desc(self);
    const dynomite::database db = self.used_database();
    const auto names = co_await detail::resolve_keys(db, d);
    if (attribute == names.partition || (names.sort && attribute == *names.sort)) {
        throw error(model_errc::key_changed, "cannot increment key attribute " +
                                                 detail::quoted(attribute) + " of " + d.type_name);
    }
    const attribute_map key = detail::persisted_key(self, names);
    update_expression update;
    update.add(document_path::attribute(attribute), by);
    const condition cond = attribute_exists(document_path::attribute(names.partition));
    update_item_request request;
    request.table_name = d.table_name();
    request.key = key;
    request.return_values = return_values::updated_new;
    auto response =
        co_await detail::send_record_write(db, self, std::move(request), cond, &update, key,
                                           "increment", detail::condition_failure::gone);
    const attribute_value* value =
        response.attributes ? response.attributes->find(attribute) : nullptr;
    if (value == nullptr || !value->is_n()) {
        throw error(errc::malformed_response, "increment of " + d.type_name + "." + attribute +
                                                  ": UpdateItem returned no number");
    }
    if (const auto* f = d.find_field(attribute)) detail::assign_field(self, *f, value);
    if (!ra::snapshot(self)) ra::snapshot(self) = attribute_map{};
    ra::snapshot(self)->set(attribute, *value);
    ra::stored(self).set(attribute, *value);
    co_return value->as_n();
}

}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

boost::asio::awaitable<void> model_base::touch(std::vector<std::string> fields)
{
    return touch_record(*this, std::move(fields));
}

boost::asio::awaitable<number> model_base::increment(std::string_view name, number by)
{
    return increment_record(*this, std::string(name), std::move(by));
}

boost::asio::awaitable<number> model_base::decrement(std::string_view name, number by)
{
    const std::string& text = by.text();
    const number negated(text.starts_with('-') ? text.substr(1) : "-" + text);
    return increment(name, negated);
}

boost::asio::awaitable<bool> model_base::toggle(std::string_view name)
{
    const auto* f = descriptor().find_field(name);
    if (f == nullptr) {
        throw error(errc::invalid_argument,
                    descriptor().type_name + " has no field " + detail::quoted(name));
    }
    const auto current = f->read(*this);
    if (current && !current->get_if<bool>()) {
        throw error(errc::invalid_argument, "toggle of " + descriptor().type_name + "." +
                                                std::string(name) + ": the field holds a " +
                                                std::string(current->type_name()) + ", not a bool");
    }
    const bool flipped = !(current && current->as_bool());
    const std::string attribute(name);
    const bool saved = co_await update_attribute(attribute, flipped);
    if (!saved) {
        throw error(model_errc::record_not_saved, "toggle of " + descriptor().type_name + "." +
                                                      attribute +
                                                      " failed: " + errors_.to_string());
    }
    co_return flipped;
}

// --- JSON ------------------------------------------------------------------------------------

namespace {

void write_json(detail::json_writer& w, const attribute_value& v)
{
    struct visitor {
        detail::json_writer& w;
        void operator()(const std::string& s) const { w.string(s); }
        void operator()(const number& n) const { w.raw_number(n.text()); }
        void operator()(const bytes& b) const { w.binary(b); }
        void operator()(bool b) const { w.boolean(b); }
        void operator()(null_value) const { w.null(); }
        void operator()(const attribute_map& m) const
        {
            w.begin_object();
            for (const auto& [name, value] : m) {
                w.key(name);
                write_json(w, value);
            }
            w.end_object();
        }
        void operator()(const attribute_list& l) const
        {
            w.begin_array();
            for (const auto& value : l) write_json(w, value);
            w.end_array();
        }
        void operator()(const string_set& s) const
        {
            w.begin_array();
            for (const auto& value : s.values) w.string(value);
            w.end_array();
        }
        void operator()(const number_set& s) const
        {
            w.begin_array();
            for (const auto& value : s.values) w.raw_number(value.text());
            w.end_array();
        }
        void operator()(const binary_set& s) const
        {
            w.begin_array();
            for (const auto& value : s.values) w.binary(value);
            w.end_array();
        }
    };
    std::visit(visitor{w}, v.value());
}

/// The other readings of a JSON value that to_json() may have written: a string as binary,
/// an array as a set.
std::vector<attribute_value> alternatives(const attribute_value& natural)
{
    std::vector<attribute_value> out;
    if (const auto* s = natural.get_if<std::string>()) {
        bytes b;
        if (!base64_decode(*s, b)) out.emplace_back(std::move(b));
    } else if (const auto* l = natural.get_if<attribute_list>()) {
        string_set ss;
        number_set ns;
        binary_set bs;
        bool strings = true;
        bool numbers = true;
        bool binaries = true;
        for (const auto& e : *l) {
            if (const auto* s = e.get_if<std::string>()) {
                ss.values.push_back(*s);
                bytes b;
                if (binaries && !base64_decode(*s, b)) {
                    bs.values.push_back(std::move(b));
                } else {
                    binaries = false;
                }
            } else {
                strings = binaries = false;
            }
            if (const auto* n = e.get_if<number>()) {
                ns.values.push_back(*n);
            } else {
                numbers = false;
            }
        }
        if (strings) out.emplace_back(std::move(ss));
        if (numbers) out.emplace_back(std::move(ns));
        if (binaries) out.emplace_back(std::move(bs));
    }
    return out;
}

}  // namespace

std::string model_base::to_json() const
{
    const auto& d = descriptor();
    std::string out;
    detail::json_writer w(out);
    w.begin_object();
    for (const auto& f : d.fields) {
        w.key(f.name);
        if (auto v = f.read(*this)) {
            write_json(w, *v);
        } else {
            w.null();
        }
    }
    if (const auto& type = d.root->inheritance_field) {
        const attribute_value* stored_type = stored_.find(*type);
        w.key(*type);
        w.string(stored_type && stored_type->is_s() ? stored_type->as_s() : d.inheritance_name);
    }
    w.end_object();
    return out;
}

error_code model_base::assign_json(std::string_view json, std::string* why)
{
    const auto& d = descriptor();
    // Numbers keep their text: a double would round 38 digits to 17.
    attribute_value parsed;
    std::string parse_why;
    const error_code parse_ec = detail::read_plain_json(json, parsed, &parse_why);
    const attribute_map* members = parsed.get_if<attribute_map>();
    if (parse_ec || !members) {
        if (why) *why = d.type_name + " from JSON: " + (parse_ec ? parse_why : "not a JSON object");
        return errc::invalid_argument;
    }
    for (const auto& f : d.fields) {
        const attribute_value* j = members->find(f.name);
        if (j == nullptr) continue;
        const attribute_value& natural = *j;
        std::string reason;
        error_code ec = f.write(*this, natural.is_null() ? nullptr : &natural, &reason);
        if (ec) {
            for (const auto& alt : alternatives(natural)) {
                if (!f.write(*this, &alt, nullptr)) {
                    ec = {};
                    break;
                }
            }
        }
        if (ec) {
            if (why)
                *why = d.type_name + " from JSON: field " + detail::quoted(f.name) + ": " + reason;
            return errc::invalid_argument;
        }
    }
    return {};
}

}  // namespace dynomite
