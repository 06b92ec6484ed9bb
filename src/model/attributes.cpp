// Undeclared attributes assigned to a record, and records read with a projection.
#include "model/attributes.hpp"

#include <dynomite/core/document_path.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/model/relation.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace dynomite {

namespace detail {

/// Access to model_base's private state for the functions of this file.
struct attribute_access {
    static const model_descriptor& desc(const model_base& r) { return r.descriptor(); }
    static const attribute_map& stored(const model_base& r) { return r.stored_; }
    static attribute_map& assigned(model_base& r) { return r.undeclared_assigned_; }
    static const attribute_map& assigned(const model_base& r) { return r.undeclared_assigned_; }
    static loaded_attributes& loaded(model_base& r) { return r.loaded_only_; }
    static const loaded_attributes& loaded(const model_base& r) { return r.loaded_only_; }
};

namespace {

using aa = attribute_access;

std::string loaded_list(const model_base& r)
{
    const auto& names = *aa::loaded(r);
    if (names.empty()) return "no whole attribute";
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

bool was_read(const model_base& r, const std::string& name)
{
    const auto& names = *aa::loaded(r);
    return std::find(names.begin(), names.end(), name) != names.end();
}

[[noreturn]] void refuse_partial(const model_base& r, std::string_view what)
{
    throw error(errc::invalid_argument,
                aa::desc(r).type_name + " holds only part of its item (it read " +
                    loaded_list(r) + " whole): " + std::string(what) +
                    "; reload() it to read the whole item, or project what it writes");
}

}  // namespace

void append_undeclared_changes(const model_base& r, std::vector<attribute_change>& out)
{
    for (const auto& [name, value] : aa::assigned(r)) {
        attribute_change c;
        c.attribute = name;
        if (const attribute_value* was = aa::stored(r).find(name)) c.old_value = *was;
        if (!value.is_null()) c.new_value = value;
        out.push_back(std::move(c));
    }
}

void apply_undeclared(const model_base& r, attribute_map& item)
{
    for (const auto& [name, value] : aa::assigned(r)) {
        if (value.is_null()) {
            item.erase(name);
        } else {
            item.set(name, value);
        }
    }
}

void clear_undeclared(model_base& r)
{
    aa::assigned(r).clear();
}

void write_undeclared(model_base& r, std::string_view name, const attribute_value& value)
{
    const model_descriptor& d = aa::desc(r);
    if (name.empty()) {
        throw error(errc::invalid_argument, d.type_name + ": an attribute name cannot be empty");
    }
    if (d.root->inheritance_field && name == *d.root->inheritance_field) {
        throw error(errc::invalid_argument,
                    d.type_name + ": " + quoted(name) +
                        " is the inheritance field, which the model writes itself");
    }
    std::optional<attribute_value> now = stored_form(value);
    const attribute_value* was = aa::stored(r).find(name);
    // The value the item holds is no change, even one stored as nothing ("" or NULL).
    const bool unchanged = was != nullptr ? *was == value : !now;
    if (unchanged) {
        aa::assigned(r).erase(name);
    } else {
        aa::assigned(r).set(std::string(name), now ? std::move(*now) : attribute_value());
    }
}

const attribute_value* assigned_undeclared(const model_base& r, std::string_view name)
{
    return aa::assigned(r).find(name);
}

void restore_undeclared(model_base& r, std::string_view name)
{
    aa::assigned(r).erase(name);
}

loaded_attributes loaded_attributes_of(const relation& r)
{
    const auto& projection = r.spec().projection;
    if (projection.empty()) return nullptr;
    auto names = std::make_shared<std::vector<std::string>>();
    for (const auto& path : projection) {
        // A nested path reads part of its attribute: writing that attribute would drop the rest.
        if (path.segments().size() == 1) names->push_back(path.attribute_name());
    }
    return names;
}

void mark_partial(model_base& r, loaded_attributes loaded)
{
    aa::loaded(r) = std::move(loaded);
}

void make_whole(model_base& r)
{
    aa::loaded(r).reset();
}

void mark_unread(model_base& r, const std::string& name)
{
    auto names = std::make_shared<std::vector<std::string>>();
    if (r.is_partial()) {
        *names = *aa::loaded(r);
    } else {
        for (const auto& f : aa::desc(r).fields) names->push_back(f.name);
        for (const auto& [attribute, value] : aa::stored(r)) {
            if (std::find(names->begin(), names->end(), attribute) == names->end())
                names->push_back(attribute);
        }
    }
    std::erase(*names, name);
    aa::loaded(r) = std::move(names);
}

void check_partial_write(const model_base& r, write_kind kind,
                         const std::vector<attribute_change>& changes)
{
    if (!r.is_partial() || kind == write_kind::create) return;
    const model_descriptor& d = aa::desc(r);
    if (kind == write_kind::put) {
        refuse_partial(r, "a full write (replace, or a put in a batch or transaction) would drop "
                          "or blank the attributes it did not read; save() writes only its "
                          "changes");
    }
    if (d.lock_field && !was_read(r, *d.lock_field)) {
        refuse_partial(r, "its lock field " + quoted(*d.lock_field) + " was not read");
    }
    if (kind != write_kind::update) return;
    for (const auto& c : changes) {
        if (was_read(r, c.attribute)) continue;
        if (d.timestamps && c.attribute == d.updated_at_field) continue;
        refuse_partial(r, "its change of " + quoted(c.attribute) +
                              ", which it did not read whole, could overwrite the stored value");
    }
}

}  // namespace detail

std::vector<std::string> model_base::loaded_attributes() const
{
    if (!loaded_only_) return {};
    return *loaded_only_;
}

}  // namespace dynomite
