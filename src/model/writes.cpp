// A record's own writes: save, replace and replace_declared through their callback chains,
// and the conditional write each sends.
#include "core/async.hpp"
#include "core/random.hpp"
#include "model/record_engine.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace dynomite::detail {

namespace asio = boost::asio;
using ra = record_access;

namespace {

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

}  // namespace

void prepare_new(model_base& r)
{
    const model_descriptor& d = ra::desc(r);
    apply_defaults(r);
    if (d.id_field) {
        const field_info* f = d.find_field(*d.id_field);
        if (f && !f->read(r)) {
            const std::string prefix =
                d.id_prefix ? *d.id_prefix : to_snake_case(d.type_name) + "-";
            const attribute_value id(prefix + random_alphanumeric(16));
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

asio::awaitable<bool> prepare_and_validate(model_base& r, bool validate)
{
    const bool creating = r.new_record();
    if (creating) prepare_new(r);
    if (!validate) {
        reset_errors(r);
        co_return true;
    }
    const auto context = creating ? validation_context::create : validation_context::update;
    const bool valid = co_await run_validation(r, context);
    co_return valid;
}

write_callbacks write_callbacks_for(bool creating)
{
    if (creating) {
        return {callback_kind::before_create, callback_kind::around_create,
                callback_kind::after_create};
    }
    return {callback_kind::before_update, callback_kind::around_update,
            callback_kind::after_update};
}

bool changes_updated_at(const model_base& r, const std::vector<attribute_change>& changes)
{
    const std::string& field = ra::desc(r).updated_at_field;
    return std::any_of(changes.begin(), changes.end(),
                       [&](const attribute_change& c) { return c.attribute == field; });
}

// GCC 12 reports a false -Wmismatched-new-delete on this coroutine's frame (GCC bug 109224,
// as for touch_record in model_base.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
template <class Request>
asio::awaitable<response_t<Request>> send_record_write(
    database db, const model_base& r, Request request, const condition& cond,
    const update_expression* update, attribute_map key, std::string_view operation,
    condition_failure failure, const write_effect* effect)
{
    render_expressions(request, cond, update);
    // A create's effect is its item; a conditional delete's (a locked destroy's), that no
    // item is left.
    write_effect implied;
    const write_effect* own = effect;
    if constexpr (std::is_same_v<Request, put_item_request>) {
        if (failure == condition_failure::taken && own == nullptr) {
            implied.set = request.item;
            own = &implied;
        }
    }
    if constexpr (std::is_same_v<Request, delete_item_request>) {
        if (request.condition_expression && own == nullptr) {
            implied.kind = write_effect::shape::deleted;
            own = &implied;
        }
    }
    if (own != nullptr) {
        request.return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old;
    }
    diagnostics diag;
    response_t<Request> response;
    const error_code ec = co_await send(db, std::move(request), diag, response);
    if (ec == errc::conditional_check_failed) {
        const model_descriptor& d = ra::desc(r);
        if (own != nullptr && already_applied(diag, *own)) {
            response.attributes = std::move(diag.item);
            co_return response;
        }
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

template asio::awaitable<put_item_response> send_record_write(
    database, const model_base&, put_item_request, const condition&, const update_expression*,
    attribute_map, std::string_view, condition_failure, const write_effect*);
template asio::awaitable<update_item_response> send_record_write(
    database, const model_base&, update_item_request, const condition&, const update_expression*,
    attribute_map, std::string_view, condition_failure, const write_effect*);
template asio::awaitable<delete_item_response> send_record_write(
    database, const model_base&, delete_item_request, const condition&, const update_expression*,
    attribute_map, std::string_view, condition_failure, const write_effect*);

namespace {

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
    std::optional<write_effect> effect;
    if (w.next_lock) effect.emplace().set = w.item;
    co_await send_record_write(db, r, std::move(request), w.cond, nullptr, w.key, "replace",
                               failure, effect ? &*effect : nullptr);
    complete_write(w);
    co_return true;
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
    std::optional<write_effect> effect;
    if (w.next_lock) effect.emplace().set = w.item;
    co_await send_record_write(db, r, std::move(request), w.cond, &w.update, w.key, "update",
                               condition_failure::write_conflict, effect ? &*effect : nullptr);
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
    // What a locked update leaves, for its retry that meets its own applied write; the item's
    // other attributes are not this record's to know.
    std::optional<write_effect> effect;
    if (w.next_lock) effect.emplace().kind = write_effect::shape::attributes;
    const auto write = [&](const std::string& name) {
        if (w.key.contains(name)) return;
        const document_path path = document_path::attribute(name);
        if (const attribute_value* v = w.item.find(name)) {
            update.set(path, *v);
            if (effect) effect->set.set(name, *v);
        } else {
            update.remove(path);
            if (effect) effect->removed.push_back(name);
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
    auto response = co_await send_record_write(
        db, r, std::move(request), w.cond, &update, w.key, "replace_declared",
        condition_failure::write_conflict, effect ? &*effect : nullptr);
    if (response.attributes) w.item = std::move(*response.attributes);
    complete_write(w);
    co_return true;
}

}  // namespace

asio::awaitable<save_outcome> save_record(model_base& r, save_options options, write_mode mode)
{
    const model_descriptor& d = ra::desc(r);
    if (r.destroyed()) {
        throw error(model_errc::not_persisted, "cannot save a destroyed " + d.type_name);
    }
    const bool creating = r.new_record();
    const bool valid = co_await prepare_and_validate(r, options.validate);
    if (!valid) co_return save_outcome::invalid;
    const write_callbacks kinds = write_callbacks_for(creating);
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
    const step specific = [&]() {
        return run_chain(r, kinds.before, kinds.around, kinds.after, write, inner_halt);
    };
    halt_point halted = halt_point::none;
    const bool done = co_await run_chain(r, callback_kind::before_save, callback_kind::around_save,
                                         callback_kind::after_save, specific, halted);
    if (!done) {
        if (halted == halt_point::inner) {
            ra::errors(r).add_to_base(
                halt_message(creating ? "Create" : "Update", kinds.before, kinds.around));
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

}  // namespace dynomite::detail
