// model_base: a record's attributes and changes, validation, and its own writes.
#include "model/record_engine.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace dynomite {

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

boost::asio::any_io_executor model_base::get_executor() const
{
    return used_database().get_client().get_executor();
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
    if (value.is_null()) {
        const std::string refused = detail::null_refusal(*this, *f);
        if (!refused.empty()) throw error(errc::invalid_argument, refused);
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
    return ra::differs(*this, *f, f->read(*this), ra::baseline(*this, name));
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

namespace {

/// save(), replace() and replace_declared(): whether the record was written.
boost::asio::awaitable<bool> write_record(model_base& r, save_options options,
                                          detail::write_mode mode)
{
    const auto outcome = co_await detail::save_record(r, options, mode);
    co_return outcome == detail::save_outcome::saved;
}

/// Their _or_throw forms: record_invalid or record_not_saved naming `operation`.
boost::asio::awaitable<void> write_record_or_throw(model_base& r, save_options options,
                                                   detail::write_mode mode,
                                                   std::string_view operation)
{
    const auto outcome = co_await detail::save_record(r, options, mode);
    if (outcome != detail::save_outcome::saved) detail::throw_not_saved(r, operation, outcome);
}

}  // namespace

boost::asio::awaitable<bool> model_base::save(save_options options)
{
    return write_record(*this, options, detail::write_mode::save);
}

boost::asio::awaitable<void> model_base::save_or_throw(save_options options)
{
    return write_record_or_throw(*this, options, detail::write_mode::save, "Save");
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
    return write_record(*this, options, detail::write_mode::replace);
}

boost::asio::awaitable<void> model_base::replace_or_throw(save_options options)
{
    return write_record_or_throw(*this, options, detail::write_mode::replace, "Replace");
}

boost::asio::awaitable<bool> model_base::replace_declared(save_options options)
{
    return write_record(*this, options, detail::write_mode::replace_declared);
}

boost::asio::awaitable<void> model_base::replace_declared_or_throw(save_options options)
{
    return write_record_or_throw(*this, options, detail::write_mode::replace_declared, "Replace");
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
    auto item = co_await detail::get_item(db, d, key, true);
    if (!item) detail::throw_gone(*this, key, "reload");
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
    // A locked touch's retry may meet its own applied write: these times, the lock moved.
    std::optional<detail::write_effect> applied;
    if (d.lock_field) {
        applied.emplace().set = ra::stored(self);
        for (const auto* f : touched) applied->set.set(f->name, *f->read(self));
        applied->set.set(*d.lock_field, next_lock);
    }
    co_await detail::send_record_write(db, self, std::move(request), cond, &update, key, "touch",
                                       detail::condition_failure::write_conflict,
                                       applied ? &*applied : nullptr);
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
    if (const auto* f = d.find_field(attribute)) {
        detail::assign_field(self, *f, value);
    } else {
        detail::restore_undeclared(self, attribute);
    }
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

}  // namespace dynomite
