// Associations: the checks of a declaration and the resolution of both ends (their
// attributes and how each stores its ids), cached per owner and name.
#include "core/enum_text.hpp"
#include "model/association_access.hpp"

#include <dynomite/core/naming.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace dynomite::detail {

namespace {

using access = association_access;

[[noreturn]] void fail_configuration(const model_descriptor& d, std::string_view name,
                                     const std::string& why)
{
    throw error(errc::invalid_configuration,
                "association " + quoted(name) + " of model " + d.type_name + ": " + why);
}

std::string key_attribute_of(const model_descriptor& d)
{
    const model_descriptor& root = *d.root;
    if (root.partition_key) return *root.partition_key;
    if (root.id_field) return *root.id_field;
    return "id";
}

bool is_collection(association_kind kind)
{
    return kind == association_kind::has_many || kind == association_kind::has_and_belongs_to_many;
}

bool is_indexed(const association_info& info)
{
    return info.kind == association_kind::has_many &&
           info.options.storage == association_storage::foreign_key_index;
}

/// How a has_one or belongs_to stores its id, `other` being the association at the other end
/// (if any): as Dynomite 2 does unless told.
single_id_storage single_storage(const association_info& info, const association_info* other)
{
    if (info.options.single_id) return *info.options.single_id;
    const bool scalar = (info.kind == association_kind::belongs_to && info.options.foreign_key) ||
                        (other != nullptr && is_indexed(*other));
    return scalar ? single_id_storage::scalar : single_id_storage::string_set;
}

/// A model's end of its own association `info`; `other` is the association at the other end.
association_side own_end(const model_descriptor& d, const association_info& info,
                         const association_info* other)
{
    association_side side;
    side.model = &d;
    side.key_attribute = key_attribute_of(d);
    if (is_indexed(info)) return side;
    side.attribute = info.foreign_key;
    side.form = is_collection(info.kind) ? side_form::id_set : side_form::single_id;
    side.single_in_set = side.form == side_form::single_id &&
                         single_storage(info, other) == single_id_storage::string_set;
    return side;
}

/// Whether `b` (on the associated model) can be the inverse of `a`.
bool kinds_fit(const association_info& a, const association_info& b)
{
    using k = association_kind;
    const auto pair = [&](k x, k y) { return a.kind == x && b.kind == y; };
    if (pair(k::has_and_belongs_to_many, k::has_and_belongs_to_many)) return true;
    if (pair(k::has_many, k::belongs_to) || pair(k::has_one, k::belongs_to)) return true;
    if (pair(k::belongs_to, k::has_many) || pair(k::belongs_to, k::has_one)) return true;
    return false;
}

const association_info* find_association(const model_descriptor& d, std::string_view name)
{
    for (const auto& a : d.associations) {
        if (a->name == name) return a.get();
    }
    return nullptr;
}

/// A declared key or id attribute must take `sample`; a probe on a blank record says.
void check_holds(const model_descriptor& owner, std::string_view association,
                 const model_descriptor& d, const std::string& attribute,
                 const attribute_value& sample, std::string_view what)
{
    const field_info* f = d.find_field(attribute);
    if (f == nullptr) return;
    const auto blank = d.make_blank();
    std::string why;
    if (f->write(*blank, &sample, &why)) {
        fail_configuration(owner, association,
                           std::string(what) + " " + d.type_name + "." + attribute +
                               " cannot hold a " + std::string(sample.type_name()) + ": " + why);
    }
}

void check_key(const model_descriptor& owner, std::string_view association,
               const model_descriptor& d)
{
    if (d.root->sort_key) {
        fail_configuration(owner, association,
                           d.type_name + " has sort key " + quoted(*d.root->sort_key) +
                               "; associations need items keyed by one string attribute");
    }
    const std::string key = key_attribute_of(d);
    if (d.find_field(key) == nullptr) {
        fail_configuration(owner, association,
                           d.type_name + " declares no field for its key " + quoted(key));
    }
    check_holds(owner, association, d, key, attribute_value("x"), "the key");
}

void check_end(const model_descriptor& owner, std::string_view association,
               const association_side& end)
{
    if (end.form == side_form::id_set) {
        check_holds(owner, association, *end.model, end.attribute,
                    attribute_value(string_set{{"x"}}), "the id set");
    } else if (end.form == side_form::single_id) {
        check_holds(owner, association, *end.model, end.attribute,
                    single_value(end.single_in_set, "x"), "the id");
    }
}

resolved_association resolve_uncached(const model_descriptor& owner, std::string_view name)
{
    const association_info* info = find_association(owner, name);
    if (info == nullptr) {
        throw error(errc::invalid_configuration,
                    "model " + owner.type_name + " declares no association " + quoted(name));
    }
    const model_descriptor& target = info->target();
    check_key(owner, name, owner);
    check_key(owner, name, target);

    resolved_association out;
    out.info = info;
    out.target.model = &target;
    out.target.key_attribute = key_attribute_of(target);

    const auto points_back = [&](const association_info& b) {
        return &b.target() == &owner && kinds_fit(*info, b);
    };
    if (info->options.inverse) {
        const association_info* b = find_association(target, *info->options.inverse);
        if (b == nullptr) {
            fail_configuration(owner, name,
                               "its inverse " + quoted(*info->options.inverse) +
                                   " is not an association of " + target.type_name);
        }
        if (&b->target() != &owner) {
            fail_configuration(owner, name,
                               "its inverse " + target.type_name + "." + b->name + " points to " +
                                   b->target().type_name + ", not " + owner.type_name);
        }
        if (!kinds_fit(*info, *b)) {
            fail_configuration(owner, name,
                               std::string(to_string(info->kind)) + " cannot have the " +
                                   std::string(to_string(b->kind)) + " " + target.type_name + "." +
                                   b->name + " as its inverse");
        }
        out.inverse = b;
    } else {
        for (const auto& b : target.associations) {
            if (!points_back(*b)) continue;
            if (out.inverse != nullptr) {  // ambiguous: several point back
                out.inverse = nullptr;
                break;
            }
            out.inverse = b.get();
        }
    }

    out.owner = own_end(owner, *info, out.inverse);
    if (is_indexed(*info)) {
        // The foreign key on the associated model is this association's target end: an index
        // key, a string.
        out.target.attribute = info->foreign_key;
        out.target.form = side_form::single_id;
        if (out.inverse != nullptr &&
            single_storage(*out.inverse, info) != single_id_storage::scalar) {
            fail_configuration(owner, name,
                               "its inverse " + target.type_name + "." + out.inverse->name +
                                   " stores its id in a string set, but the index on " +
                                   quoted(info->foreign_key) +
                                   " needs a string; declare it with single_id = scalar");
        }
        if (out.inverse != nullptr && out.inverse->foreign_key != info->foreign_key) {
            fail_configuration(owner, name,
                               "its inverse " + target.type_name + "." + out.inverse->name +
                                   " stores " + quoted(out.inverse->foreign_key) +
                                   ", not the foreign key " + quoted(info->foreign_key));
        }
    } else if (out.inverse != nullptr) {
        out.target = own_end(target, *out.inverse, info);
    }
    if (out.owner.form == side_form::single_id && out.inverse != nullptr &&
        is_indexed(*out.inverse) && out.owner.single_in_set) {
        fail_configuration(owner, name,
                           "it stores its id in a string set, but " + target.type_name + "." +
                               out.inverse->name + " queries an index on " +
                               quoted(info->foreign_key) +
                               ", which needs a string; declare it with single_id = scalar");
    }
    check_end(owner, name, out.owner);
    check_end(owner, name, out.target);
    return out;
}

struct resolved_cache {
    std::mutex mutex;
    std::map<std::pair<const model_descriptor*, std::string>, std::unique_ptr<resolved_association>,
             std::less<>>
        entries;
};

resolved_cache& cache()
{
    static resolved_cache c;
    return c;
}

}  // namespace

std::string_view to_string(association_kind kind) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"has_many", "has_one", "belongs_to",
                                                 "has_and_belongs_to_many"};
    return detail::enum_name(kind, names, "association");
}

void declare_association(model_descriptor& d, association_kind kind, std::string name,
                         const association_options& options, const model_descriptor& (*target)())
{
    if (name.empty()) fail_configuration(d, name, "the name is empty");
    if (find_association(d, name) != nullptr) fail_configuration(d, name, "declared twice");
    const bool indexed = options.storage == association_storage::foreign_key_index;
    if (indexed && kind != association_kind::has_many) {
        fail_configuration(
            d, name,
            "foreign_key_index storage is for has_many only, not " + std::string(to_string(kind)));
    }
    if (options.dependent != dependent_action::none && kind != association_kind::has_many &&
        kind != association_kind::has_one) {
        fail_configuration(d, name,
                           "dependent options are for has_many and has_one only, not " +
                               std::string(to_string(kind)));
    }
    auto info = std::make_shared<association_info>();
    info->kind = kind;
    info->options = options;
    info->target = target;
    if (options.foreign_key) {
        if (options.foreign_key->empty()) fail_configuration(d, name, "the foreign key is empty");
        info->foreign_key = *options.foreign_key;
    } else if (indexed) {
        info->foreign_key = to_snake_case(d.type_name) + "_id";
    } else if (is_collection(kind)) {
        info->foreign_key = name + "_ids";
    } else {
        info->foreign_key = name + "_id";
    }
    if (!indexed) {
        for (const auto& other : d.associations) {
            const bool other_indexed =
                other->options.storage == association_storage::foreign_key_index;
            if (!other_indexed && other->foreign_key == info->foreign_key) {
                fail_configuration(d, name,
                                   "its attribute " + quoted(info->foreign_key) +
                                       " is already used by association " + quoted(other->name));
            }
        }
    }
    info->name = std::move(name);
    d.associations.push_back(std::move(info));
}

const resolved_association& resolve_association(const model_descriptor& owner,
                                                std::string_view name)
{
    auto& c = cache();
    {
        std::lock_guard lock(c.mutex);
        const auto found = c.entries.find(std::make_pair(&owner, std::string(name)));
        if (found != c.entries.end()) return *found->second;
    }
    // Outside the lock: resolving builds the other model's descriptor, which may resolve too.
    auto resolved = std::make_unique<resolved_association>(resolve_uncached(owner, name));
    std::lock_guard lock(c.mutex);
    auto [at, inserted] =
        c.entries.emplace(std::make_pair(&owner, std::string(name)), std::move(resolved));
    return *at->second;
}

const model_descriptor& descriptor_of_record(const model_base& record)
{
    return access::desc(record);
}

const resolved_association& checked_association(const model_base& owner, std::string_view name,
                                                bool collection, const model_descriptor& target)
{
    const model_descriptor& d = access::desc(owner);
    const resolved_association& a = resolve_association(d, name);
    if (is_collection(a.info->kind) != collection) {
        throw error(errc::invalid_argument,
                    d.type_name + "." + std::string(name) + " is a " +
                        std::string(to_string(a.info->kind)) +
                        ", reached through dynomite::" + (collection ? "reference" : "collection") +
                        ", not dynomite::" + (collection ? "collection" : "reference"));
    }
    if (a.target.model != &target) {
        throw error(errc::invalid_argument, d.type_name + "." + std::string(name) + " associates " +
                                                a.target.model->type_name + ", not " +
                                                target.type_name);
    }
    return a;
}

std::string record_id(const model_base& record, const association_side& side)
{
    const auto v = record.read_attribute(side.key_attribute);
    if (!v || !v->is_s()) {
        throw error(errc::invalid_argument, access::desc(record).type_name +
                                                " record has no string id in " +
                                                quoted(side.key_attribute));
    }
    return v->as_s();
}

namespace {

std::vector<std::string> ids_in(const model_base& record, const association_side& side,
                                const attribute_value* v)
{
    if (v == nullptr) return {};
    if (const auto* set = v->get_if<string_set>()) return set->values;
    if (const auto* s = v->get_if<std::string>()) return {*s};
    throw error(errc::invalid_argument, access::desc(record).type_name + "." + side.attribute +
                                            " holds a " + std::string(v->type_name()) +
                                            ", not ids");
}

}  // namespace

std::vector<std::string> linked_ids(const model_base& record, const association_side& side)
{
    if (side.form == side_form::none) return {};
    const auto v = record.read_attribute(side.attribute);
    return ids_in(record, side, v ? &*v : nullptr);
}

std::vector<std::string> stored_ids(const model_base& record, const association_side& side)
{
    if (side.form == side_form::none) return {};
    return ids_in(record, side, access::stored(record, side.attribute));
}

}  // namespace dynomite::detail
