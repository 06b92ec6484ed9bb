// The model engine's shared internals: the keys of a record's table, access to a record's
// private state, the callback and validation chains, and the steps of a record's write. The
// engine's files (record, callbacks, validation_runner, writes, write_engine, loading,
// model_base) share them; nothing outside src/model/ sees them.
#pragma once

#include "model/attributes.hpp"

#include <dynomite/expr/expressions.hpp>
#include <dynomite/model.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::detail {

// --- Keys and messages ---------------------------------------------------------------------

struct key_names {
    std::string partition;
    std::optional<std::string> sort;
};

/// A value or a key as messages show it: strings quoted, numbers as their text.
std::string show(const attribute_value& v);
std::string show(const attribute_map& key);

/// The keys the model declares, if it does (else they come from DescribeTable).
std::optional<key_names> declared_keys(const model_descriptor& d);
/// The declared keys, else the table's (one DescribeTable, cached by the database).
boost::asio::awaitable<key_names> resolve_keys(const database& db, const model_descriptor& d);

/// Whether a field's value `a` equals `b` (null: absent).
bool same(const std::optional<attribute_value>& a, const attribute_value* b);

// --- A record's private state --------------------------------------------------------------

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
    /// write, or a blank record's for a new one. Where the table holds a value that is stored
    /// as nothing (an empty string, NULL), it is the field's converted value (see differs).
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
            if (!differs(r, f, now, was)) continue;
            attribute_change c;
            c.attribute = f.name;
            if (was) c.old_value = *was;
            c.new_value = std::move(now);
            out.push_back(std::move(c));
        }
        append_undeclared_changes(r, out);
        return out;
    }

    /// Whether field `f`, whose stored form is `now`, differs from its baseline `was`. A
    /// baseline stored as nothing is compared with the converted value instead: a loaded ""
    /// left alone is no change, but cleared to no value it is one (a REMOVE), though both
    /// store nothing.
    static bool differs(const model_base& r, const field_info& f,
                        const std::optional<attribute_value>& now, const attribute_value* was)
    {
        if (same(now, was)) return false;
        if (now || was == nullptr || !stored_as_nothing(*was)) return true;
        return f.convert(r) != *was;
    }

    /// Snapshot of every field, after a write. stored_ is the item as written.
    static void take_snapshot(model_base& r)
    {
        attribute_map snapshot;
        snapshot.reserve(r.descriptor().fields.size());
        for (const auto& f : r.descriptor().fields) {
            if (auto v = f.read(r)) {
                snapshot.set(f.name, std::move(*v));
            } else if (r.stored_.contains(f.name)) {
                snapshot.set(f.name, f.convert(r));
            }
        }
        r.snapshot_ = std::move(snapshot);
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
    static void snapshot_loaded_field(model_base& r, std::size_t index, const field_info& f,
                                      const attribute_value* loaded)
    {
        if (loaded != nullptr && f.loads_exactly && index < 64 && f.loads_exactly(*loaded)) {
            r.loaded_exactly_ |= std::uint64_t{1} << index;
        } else if (auto read = f.read(r)) {
            r.snapshot_->set(f.name, std::move(*read));
        } else if (loaded != nullptr) {
            r.snapshot_->set(f.name, f.convert(r));
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

// --- Record helpers ------------------------------------------------------------------------

database database_of(const model_base& r);
/// The key of `item` (a record's attributes) for `names`; throws naming a missing attribute.
attribute_map key_from(const model_descriptor& d, const attribute_map& item,
                       const key_names& names);
/// The persisted key: from the item as loaded or last written.
attribute_map persisted_key(const model_base& r, const key_names& names);
/// Throws model_errc::not_persisted unless the record is persisted.
void require_persisted(const model_base& r, std::string_view operation);
/// Throws model_errc::record_not_found: the record's item is no longer in its table.
[[noreturn]] void throw_gone(const model_base& r, const attribute_map& key,
                             std::string_view operation);
/// After a failed conditional write: whether the item is gone (record_not_found) or was
/// changed (stale_object), thrown with the key.
boost::asio::awaitable<void> throw_write_conflict(database db, const model_base& r,
                                                  attribute_map key, std::string_view operation);
/// What a conditional write leaves in its item, to tell the client's retry of it, after an
/// attempt that was applied and whose answer was lost, from a write of somebody else's: the
/// retry fails its condition on the item this write left.
struct write_effect {
    enum class shape {
        /// The item becomes `set` and nothing else (a put, or an update of a record that
        /// knows its whole item).
        whole_item,
        /// The attributes in `set` take their values and those in `removed` go; the item's
        /// other attributes stay as they are.
        attributes,
        /// No item is left.
        deleted,
    };
    shape kind = shape::whole_item;
    attribute_map set;
    std::vector<std::string> removed;
};

/// Whether a write that failed its condition had been applied by an earlier attempt of the
/// same call: the client retried it (diagnostics::retried), and the item DynamoDB returned
/// with the failure (ReturnValuesOnConditionCheckFailure=ALL_OLD), or its absence, is what
/// `effect` leaves.
bool already_applied(const diagnostics& diag, const write_effect& effect);
/// The lock's condition and its next value: `lock = old` (or absent), then old + 1.
condition lock_condition(const model_base& r, attribute_value& next);
/// Assigns a field's value; throws naming the field when the value does not convert.
void assign_field(model_base& r, const field_info& f, const attribute_value* v);
/// Why a NULL the user assigns to field `f` (meaning: no value) is refused, or empty when it
/// is not: a type that always stores a value (an int, a bool, a time point) would write its
/// default instead, which loading the item back refuses too.
std::string null_refusal(const model_base& r, const field_info& f);
/// Sets updated_at (and created_at when `creating`) when the model keeps timestamps.
void set_time_fields(model_base& r, bool creating);

// --- Callbacks -----------------------------------------------------------------------------

const std::vector<callback>& callbacks_of(const model_base& r, callback_kind kind);
/// Runs callbacks of `kind` in order; false when a before callback halted.
boost::asio::awaitable<bool> run_simple(model_base& r, callback_kind kind);
/// The synchronous callbacks of `kind` (the others are skipped); false when one halted.
bool run_simple_sync(model_base& r, callback_kind kind);

using step = std::function<boost::asio::awaitable<bool>()>;

/// Why a chain stopped, for the base error.
enum class halt_point { none, before, around, inner };

/// before callbacks, the arounds nested around `inner`, after callbacks. `halted` says where
/// the chain stopped when it returns false.
boost::asio::awaitable<bool> run_chain(model_base& r, callback_kind before, callback_kind around,
                                       callback_kind after, const step& inner, halt_point& halted);
/// The base error of a halted chain.
std::string halt_message(std::string_view operation, callback_kind before, callback_kind around);

// --- Validation ----------------------------------------------------------------------------

/// Empties the record's errors (keeping its labels).
void reset_errors(model_base& r);
/// The validation chain: callbacks and every validator; true when the record is valid.
boost::asio::awaitable<bool> run_validation(model_base& r, validation_context context);
/// The same without awaiting: synchronous callbacks and validators only.
bool run_validation_sync(model_base& r, validation_context context);

// --- Writes --------------------------------------------------------------------------------

enum class write_mode { save, replace, replace_declared };
enum class save_outcome { saved, invalid, halted };

/// The callbacks that wrap a create or an update.
struct write_callbacks {
    callback_kind before;
    callback_kind around;
    callback_kind after;
};
write_callbacks write_callbacks_for(bool creating);

/// A new record's defaults, generated id and initial lock.
void prepare_new(model_base& r);
/// The start of a save: a new record prepared, then validated for create or update (or its
/// errors emptied when `validate` is off); false when it is invalid.
boost::asio::awaitable<bool> prepare_and_validate(model_base& r, bool validate);
/// Whether `changes` set the updated_at field.
bool changes_updated_at(const model_base& r, const std::vector<attribute_change>& changes);

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

/// The three steps of every conditional write of a record: `cond` (and `update`) rendered
/// into the request through one expression context, the request sent, and a failed
/// condition turned into what it means for the record, naming `operation` and the key.
/// `effect`, when given, is what the write leaves in its item: a retry whose condition fails
/// on it was preceded by an attempt that was applied (already_applied), and the write
/// succeeded; the response's `attributes` are then the item as stored. A create's is its item,
/// and a conditional delete's is that no item is left.
/// Defined for put_item_request, update_item_request and delete_item_request.
template <class Request>
boost::asio::awaitable<response_t<Request>> send_record_write(
    database db, const model_base& r, Request request, const condition& cond,
    const update_expression* update, attribute_map key, std::string_view operation,
    condition_failure failure = condition_failure::write_conflict,
    const write_effect* effect = nullptr);

/// save(), replace() and replace_declared(): validation, the callback chains and the write.
boost::asio::awaitable<save_outcome> save_record(model_base& r, save_options options,
                                                 write_mode mode);
/// The error of a save that did not happen: record_not_saved (halted) or record_invalid.
[[noreturn]] void throw_not_saved(const model_base& r, std::string_view operation,
                                  save_outcome outcome);

}  // namespace dynomite::detail
