// The write engine of batches and transactions: each record's part of a shared write, before
// and after the request, and its state kept to restore when the write fails.
#include "model/record_engine.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

namespace dynomite::detail {

namespace asio = boost::asio;
using ra = record_access;

namespace {

void finish_write(model_base& r, attribute_map item, std::vector<attribute_change> changes)
{
    ra::stored(r) = std::move(item);
    ra::take_snapshot(r);
    ra::saved_changes(r) = std::move(changes);
    ra::set_persisted(r);
}

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
        ra::errors(r).add_to_base(
            halt_message("Destroy", callback_kind::before_destroy, callback_kind::around_destroy));
        co_return before_outcome::halted;
    }
    if (r.destroyed()) {
        throw error(model_errc::not_persisted,
                    std::string(operation) + ": cannot save a destroyed " + d.type_name);
    }
    if (kind == write_kind::update) require_persisted(r, operation);
    const bool creating = r.new_record();
    const bool valid = co_await prepare_and_validate(r, options.validate);
    if (!valid) co_return before_outcome::invalid;
    const auto [before, around, after] = write_callbacks_for(creating);
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
    co_await run_simple(r, write_callbacks_for(created).after);
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
            // A put under another key would leave the persisted item and write a second one.
            if (r.persisted()) check_key_unchanged(r, names, w.changes);
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

bool already_applied(const diagnostics& diag, const write_effect& effect)
{
    if (!diag.retried()) return false;
    if (effect.kind == write_effect::shape::deleted) return !diag.item;
    if (!diag.item) return false;
    const attribute_map& held = *diag.item;
    if (effect.kind == write_effect::shape::whole_item) return held == effect.set;
    for (const auto& [name, value] : effect.set) {
        const attribute_value* stored = held.find(name);
        if (stored == nullptr || *stored != value) return false;
    }
    return std::none_of(effect.removed.begin(), effect.removed.end(),
                        [&](const std::string& name) { return held.contains(name); });
}

}  // namespace dynomite::detail
