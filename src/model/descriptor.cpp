// The model descriptor: a model's fields, keys, table and database, checked when declared.
#include <dynomite/model.hpp>

#include "core/enum_text.hpp"
#include "model/naming_generation.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>

namespace dynomite::detail {

bool stored_as_nothing(const attribute_value& value) noexcept
{
    if (value.is_null()) return true;
    if (const auto* s = value.get_if<std::string>(); s && s->empty()) return true;
    if (const auto* s = value.get_if<string_set>(); s && s->values.empty()) return true;
    if (const auto* s = value.get_if<number_set>(); s && s->values.empty()) return true;
    if (const auto* s = value.get_if<binary_set>(); s && s->values.empty()) return true;
    return false;
}

std::optional<attribute_value> stored_form(attribute_value value)
{
    if (stored_as_nothing(value)) return std::nullopt;
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
    return detail::enum_name(kind, names, "unknown");
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
    // Made once per model naming, not per request: making it reads the environment.
    const std::uint64_t generation = detail::model_naming_generation();
    {
        std::lock_guard lock(mutex_);
        if (table_name_) return *table_name_;
        if (derived_generation_ == generation) return derived_table_name_;
    }
    std::string name = table_name_for(type_name, model_naming());
    std::lock_guard lock(mutex_);
    derived_table_name_ = name;
    derived_generation_ = generation;
    return name;
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
    if (auto db = database_.lock()) return *db;
    return std::nullopt;
}

void model_descriptor::set_database(dynomite::database db) const
{
    if (root != this) return root->set_database(std::move(db));
    auto kept = keep_with_context(this, std::move(db));
    std::lock_guard lock(mutex_);
    database_ = kept;
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
}  // namespace dynomite::detail
