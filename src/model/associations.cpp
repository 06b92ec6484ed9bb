// Associations: declaration checks, resolution of both ends, the transactional link plans and
// the operations behind collection<U> and reference<U>.
#include <dynomite/expr/expressions.hpp>
#include <dynomite/model.hpp>
#include <dynomite/core/naming.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace dynomite {
namespace detail {

/// Access to a record's loaded item and snapshot, to store ids without making them changes.
struct association_access {
    static const model_descriptor& desc(const model_base& r) { return r.descriptor(); }

    static void assign(model_base& r, const std::string& attribute,
                       const std::optional<attribute_value>& value)
    {
        const model_descriptor& d = r.descriptor();
        if (const field_info* f = d.find_field(attribute)) {
            std::string why;
            if (error_code ec = f->write(r, value ? &*value : nullptr, &why)) {
                throw error(ec, d.type_name + "." + attribute + ": " + why);
            }
            // A new record keeps comparing with the blank one: the id is a change to save.
            if (r.snapshot_) {
                if (value) {
                    r.snapshot_->set(attribute, *value);
                } else {
                    r.snapshot_->erase(attribute);
                }
            }
        }
        if (value) {
            r.stored_.set(attribute, *value);
        } else {
            r.stored_.erase(attribute);
        }
    }
};

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

/// A single id as its end stores it.
attribute_value single_value(bool in_set, const std::string& id)
{
    return in_set ? attribute_value(string_set{{id}}) : attribute_value(id);
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

std::string show_item(const model_descriptor& d, const std::string& key, const std::string& id)
{
    return d.type_name + " {" + key + ": " + quoted(id) + "}";
}

void erase_value(std::vector<std::string>& v, const std::string& id)
{
    v.erase(std::remove(v.begin(), v.end(), id), v.end());
}

void push_unique(std::vector<std::string>& v, const std::string& id)
{
    if (std::find(v.begin(), v.end(), id) == v.end()) v.push_back(id);
}

}  // namespace

std::string_view to_string(association_kind kind) noexcept
{
    switch (kind) {
        case association_kind::has_many:
            return "has_many";
        case association_kind::has_one:
            return "has_one";
        case association_kind::belongs_to:
            return "belongs_to";
        case association_kind::has_and_belongs_to_many:
            return "has_and_belongs_to_many";
    }
    return "association";
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

std::vector<std::string> linked_ids(const model_base& record, const association_side& side)
{
    if (side.form == side_form::none) return {};
    const auto v = record.read_attribute(side.attribute);
    if (!v) return {};
    if (const auto* set = v->get_if<string_set>()) return set->values;
    if (const auto* s = v->get_if<std::string>()) return {*s};
    throw error(errc::invalid_argument, access::desc(record).type_name + "." + side.attribute +
                                            " holds a " + std::string(v->type_name()) +
                                            ", not ids");
}

// --- link_plan -----------------------------------------------------------------------------

link_plan::pending_item& link_plan::item(const association_side& side, const std::string& id,
                                         model_base* record)
{
    const std::string table = side.model->table_name();
    for (auto& it : items_) {
        if (it.id == id && it.model->table_name() == table) {
            if (it.record == nullptr) it.record = record;
            return it;
        }
    }
    pending_item it;
    it.model = side.model;
    it.key_attribute = side.key_attribute;
    it.id = id;
    it.record = record;
    items_.push_back(std::move(it));
    return items_.back();
}

link_plan::attribute_delta& link_plan::delta(pending_item& it, const association_side& side)
{
    for (auto& d : it.deltas) {
        if (d.attribute == side.attribute) return d;
    }
    attribute_delta d;
    d.attribute = side.attribute;
    d.form = side.form;
    d.single_in_set = side.single_in_set;
    it.deltas.push_back(std::move(d));
    return it.deltas.back();
}

void link_plan::link_end(const association_side& end, const association_side& other,
                         const std::string& id, model_base& record, const std::string& other_id)
{
    pending_item& it = item(end, id, &record);
    if (end.form == side_form::none) return;  // the item need only exist
    if (end.form == side_form::id_set) {
        attribute_delta& d = delta(it, end);
        erase_value(d.removed, other_id);
        push_unique(d.added, other_id);
        return;
    }
    const auto held = linked_ids(record, end);
    const std::optional<std::string> old =
        held.empty() ? std::nullopt : std::optional<std::string>(held.front());
    if (old == other_id) {  // linked already: the item need only still say so
        it.checks.emplace_back(end.attribute, *record.read_attribute(end.attribute));
        return;
    }
    attribute_delta& d = delta(it, end);
    d.assigned = other_id;
    if (!d.expected) d.expected = old;
    // The item this end pointed to loses its link back.
    if (old && other.form != side_form::none) unlink_end(other, *old, nullptr, id);
}

void link_plan::unlink_end(const association_side& end, const std::string& id, model_base* record,
                           const std::string& other_id)
{
    if (end.form == side_form::none) return;
    if (record != nullptr) {
        const auto held = linked_ids(*record, end);
        if (std::find(held.begin(), held.end(), other_id) == held.end()) return;
    }
    pending_item& it = item(end, id, record);
    attribute_delta& d = delta(it, end);
    if (end.form == side_form::id_set) {
        erase_value(d.added, other_id);
        push_unique(d.removed, other_id);
        return;
    }
    d.assigned = std::optional<std::string>();
    if (!d.expected) d.expected = other_id;
}

void link_plan::link(const resolved_association& a, model_base& owner, model_base& target)
{
    const std::string owner_id = record_id(owner, a.owner);
    const std::string target_id = record_id(target, a.target);
    link_end(a.owner, a.target, owner_id, owner, target_id);
    link_end(a.target, a.owner, target_id, target, owner_id);
}

void link_plan::unlink(const resolved_association& a, model_base& owner,
                       const std::string& target_id, model_base* target, bool target_end)
{
    const std::string owner_id = record_id(owner, a.owner);
    unlink_end(a.owner, owner_id, &owner, target_id);
    if (target_end) unlink_end(a.target, target_id, target, owner_id);
}

void link_plan::unlink_target_end(const resolved_association& a, const std::string& owner_id,
                                  const std::string& target_id)
{
    unlink_end(a.target, target_id, nullptr, owner_id);
}

std::string link_plan::item_name(std::size_t i) const
{
    const pending_item& it = items_.at(i);
    return show_item(*it.model, it.key_attribute, it.id);
}

bool link_plan::writes() const noexcept
{
    return std::any_of(items_.begin(), items_.end(),
                       [](const pending_item& it) { return !it.deltas.empty(); });
}

std::optional<attribute_value> link_plan::final_value(const pending_item& it,
                                                      const attribute_delta& d) const
{
    if (d.form == side_form::single_id) {
        if (!d.assigned || !*d.assigned) return std::nullopt;
        return single_value(d.single_in_set, **d.assigned);
    }
    std::vector<std::string> ids;
    if (it.record != nullptr) {
        association_side side;
        side.attribute = d.attribute;
        side.form = d.form;
        ids = linked_ids(*it.record, side);
    }
    for (const auto& id : d.removed) erase_value(ids, id);
    for (const auto& id : d.added) push_unique(ids, id);
    if (ids.empty()) return std::nullopt;
    return attribute_value(string_set{std::move(ids)});
}

void link_plan::check_sizes() const
{
    for (const auto& it : items_) {
        if (it.record == nullptr) continue;
        bool grows = false;
        attribute_map item = it.record->attributes();
        for (const auto& d : it.deltas) {
            grows = grows || !d.added.empty() || (d.assigned && *d.assigned);
            if (auto v = final_value(it, d)) {
                item.set(d.attribute, std::move(*v));
            } else {
                item.erase(d.attribute);
            }
        }
        const std::size_t size = item_size(item);
        if (grows && size > max_item_size) {
            throw error(errc::invalid_argument,
                        "association " + quoted(association_) + ": item " +
                            show_item(*it.model, it.key_attribute, it.id) + " would be " +
                            std::to_string(size) + " bytes, over DynamoDB's limit of " +
                            std::to_string(max_item_size) +
                            " bytes per item; store this association with "
                            "association_storage::foreign_key_index instead of an id set");
        }
    }
}

transact_write_items_request link_plan::request() const
{
    // The single id an item must still hold: as the record in memory holds it (a string from
    // older writes, or a set), else in the shape this end writes.
    const auto expected_value = [](const pending_item& it, const attribute_delta& d) {
        if (it.record != nullptr) {
            if (auto held = it.record->read_attribute(d.attribute)) return *held;
        }
        return single_value(d.single_in_set, **d.expected);
    };
    transact_write_items_request out;
    for (const auto& it : items_) {
        attribute_map key;
        key.set(it.key_attribute, it.id);
        const document_path key_path = document_path::attribute(it.key_attribute);
        condition cond = attribute_exists(key_path);
        for (const auto& [attribute, value] : it.checks) {
            cond = cond && eq(document_path::attribute(attribute), value);
        }
        expression_context ctx;
        if (it.deltas.empty()) {
            transact_condition_check check;
            check.table_name = it.model->table_name();
            check.key = std::move(key);
            check.condition_expression = render(cond, ctx);
            check.expression_attribute_names = ctx.take_names();
            check.expression_attribute_values = ctx.take_values();
            out.transact_items.emplace_back(std::move(check));
            continue;
        }
        update_expression update;
        for (const auto& d : it.deltas) {
            const document_path path = document_path::attribute(d.attribute);
            if (d.form == side_form::single_id) {
                if (*d.assigned) {
                    update.set(path, single_value(d.single_in_set, **d.assigned));
                } else {
                    update.remove(path);
                }
                cond = cond &&
                       (*d.expected ? eq(path, expected_value(it, d)) : attribute_not_exists(path));
                continue;
            }
            if (!d.added.empty() && !d.removed.empty()) {
                // One action per path: the final set, on the condition that it was the one read.
                if (it.record == nullptr) {
                    throw error(errc::invalid_argument,
                                "association " + quoted(association_) +
                                    ": ids both added to and "
                                    "removed from " +
                                    show_item(*it.model, it.key_attribute, it.id) + "." +
                                    d.attribute + ", which is not loaded");
                }
                const auto was = it.record->read_attribute(d.attribute);
                cond = cond && (was ? eq(path, *was) : attribute_not_exists(path));
                if (auto now = final_value(it, d)) {
                    update.set(path, std::move(*now));
                } else {
                    update.remove(path);
                }
            } else if (!d.added.empty()) {
                update.add(path, string_set{d.added});
            } else if (!d.removed.empty()) {
                update.delete_from_set(path, string_set{d.removed});
            }
        }
        transact_update u;
        u.table_name = it.model->table_name();
        u.key = std::move(key);
        u.update_expression = render(update, ctx);
        u.condition_expression = render(cond, ctx);
        u.expression_attribute_names = ctx.take_names();
        u.expression_attribute_values = ctx.take_values();
        out.transact_items.emplace_back(std::move(u));
    }
    return out;
}

void link_plan::apply() const
{
    for (const auto& it : items_) {
        if (it.record == nullptr) continue;
        for (const auto& d : it.deltas) access::assign(*it.record, d.attribute, final_value(it, d));
    }
}

boost::asio::awaitable<void> execute(database db, const link_plan& plan)
{
    if (!plan.writes()) co_return;
    plan.check_sizes();
    transact_write_items_request request = plan.request();
    dynomite::client c = db.get_client();
    diagnostics diag;
    auto [ec, response] = co_await c.async_execute(
        std::move(request), diag, boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec == errc::transaction_canceled) {
        // Name the items whose conditions failed, from the reasons in request order.
        std::string failed;
        for (std::size_t i = 0; i < diag.cancellation_reasons.size(); ++i) {
            const std::string& code = diag.cancellation_reasons[i].code;
            if (code.empty() || code == "None" || i >= plan.item_count()) continue;
            if (!failed.empty()) failed += ", ";
            failed += plan.item_name(i) + " (" + code + ")";
        }
        diag.message = "association " + quoted(plan.association()) +
                       ": nothing was changed; an item is gone or its link changed since it "
                       "was read: " +
                       failed + "; " + diag.message;
    }
    throw_on_error(ec, diag);
    plan.apply();
}

// --- The operations ------------------------------------------------------------------------

namespace {

void require_persisted(const model_base& r, std::string_view association, std::string_view what)
{
    if (r.persisted()) return;
    throw error(model_errc::not_persisted,
                "association " + quoted(association) + " needs a persisted " +
                    access::desc(r).type_name + " as its " + std::string(what) +
                    ", and this one is " + (r.destroyed() ? "destroyed" : "new (never saved)"));
}

const resolved_association& resolved_of(const model_base& owner, std::string_view name)
{
    return resolve_association(access::desc(owner), name);
}

/// How many unlinks fit one transaction beside the owner's item.
constexpr std::size_t unlinks_per_transaction = transaction_max_actions - 1;

/// The ids among `ids` whose items exist on the target's end, read with the batched finder's
/// BatchGetItem; an id whose item is gone only leaves the owner's end.
boost::asio::awaitable<std::vector<std::string>> existing_ids(database db,
                                                              const resolved_association& a,
                                                              const std::vector<std::string>& ids)
{
    if (a.target.form == side_form::none || ids.empty()) co_return ids;
    std::vector<attribute_map> keys;
    for (const auto& id : ids) {
        attribute_map key;
        key.set(a.target.key_attribute, id);
        keys.push_back(std::move(key));
    }
    const auto items = co_await batch_get(db, *a.target.model, std::move(keys));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (items[i]) out.push_back(ids[i]);
    }
    co_return out;
}

bool listed(const std::vector<std::string>& ids, const std::string& id)
{
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

boost::asio::awaitable<std::vector<std::string>> indexed_ids(const model_base& owner,
                                                             const resolved_association& a)
{
    const database db = owner.used_database();
    const relation r = association_relation(owner, a.info->name);
    const auto keys = co_await r.ids();
    std::vector<std::string> out;
    for (const auto& key : keys) {
        if (const auto* v = key.find(a.target.key_attribute); v && v->is_s()) {
            out.push_back(v->as_s());
        }
    }
    co_return out;
}

}  // namespace

boost::asio::awaitable<void> association_link(model_base& owner, std::string_view name,
                                              model_base& target)
{
    const resolved_association& a = resolved_of(owner, name);
    require_persisted(owner, name, "owner");
    require_persisted(target, name, "associated record");
    link_plan plan{std::string(name)};
    plan.link(a, owner, target);
    co_await execute(owner.used_database(), plan);
}

boost::asio::awaitable<void> association_unlink(model_base& owner, std::string_view name,
                                                model_base& target)
{
    const resolved_association& a = resolved_of(owner, name);
    require_persisted(owner, name, "owner");
    link_plan plan{std::string(name)};
    plan.unlink(a, owner, record_id(target, a.target), &target);
    co_await execute(owner.used_database(), plan);
}

boost::asio::awaitable<std::vector<std::string>> association_ids(model_base& owner,
                                                                 std::string_view name)
{
    const resolved_association& a = resolved_of(owner, name);
    if (a.owner.form != side_form::none) co_return linked_ids(owner, a.owner);
    auto ids = co_await indexed_ids(owner, a);
    co_return ids;
}

boost::asio::awaitable<void> association_clear(model_base& owner, std::string_view name)
{
    const resolved_association& a = resolved_of(owner, name);
    require_persisted(owner, name, "owner");
    const database db = owner.used_database();
    const auto ids = co_await association_ids(owner, name);
    const auto existing = co_await existing_ids(db, a, ids);
    for (std::size_t first = 0; first < ids.size(); first += unlinks_per_transaction) {
        const std::size_t last = std::min(ids.size(), first + unlinks_per_transaction);
        link_plan plan{std::string(name)};
        for (std::size_t i = first; i < last; ++i) {
            plan.unlink(a, owner, ids[i], nullptr, listed(existing, ids[i]));
        }
        co_await execute(db, plan);
    }
}

boost::asio::awaitable<void> association_replace(model_base& owner, std::string_view name,
                                                 std::vector<model_base*> targets)
{
    const resolved_association& a = resolved_of(owner, name);
    require_persisted(owner, name, "owner");
    std::vector<std::string> wanted;
    for (const model_base* t : targets) {
        require_persisted(*t, name, "associated record");
        wanted.push_back(record_id(*t, a.target));
    }
    const auto current = co_await association_ids(owner, name);
    std::vector<std::string> dropped;
    for (const auto& id : current) {
        if (!listed(wanted, id)) dropped.push_back(id);
    }
    const auto existing = co_await existing_ids(owner.used_database(), a, dropped);
    link_plan plan{std::string(name)};
    for (const auto& id : dropped) plan.unlink(a, owner, id, nullptr, listed(existing, id));
    for (model_base* t : targets) plan.link(a, owner, *t);
    if (plan.item_count() > transaction_max_actions) {
        throw error(errc::invalid_argument,
                    "replace of association " + quoted(name) + " of " +
                        access::desc(owner).type_name + " changes " +
                        std::to_string(plan.item_count()) + " items, over the " +
                        std::to_string(transaction_max_actions) +
                        " of one transaction; use add and remove in smaller steps");
    }
    co_await execute(owner.used_database(), plan);
}

relation association_relation(const model_base& owner, std::string_view name)
{
    const resolved_association& a = resolved_of(owner, name);
    if (a.owner.form != side_form::none) {
        throw error(errc::invalid_argument,
                    "association " + quoted(name) + " of " + access::desc(owner).type_name +
                        " stores an id set, not a foreign key on an index; use its cursor()");
    }
    const relation base = base_relation(owner.used_database(), *a.target.model);
    return base.where(a.target.attribute, record_id(owner, a.owner));
}

void prepare_associated(model_base& owner, std::string_view name, model_base& target)
{
    const resolved_association& a = resolved_of(owner, name);
    require_persisted(owner, name, "owner");
    if (a.target.form == side_form::none) return;
    const std::string owner_id = record_id(owner, a.owner);
    if (a.target.form == side_form::single_id) {
        access::assign(target, a.target.attribute, single_value(a.target.single_in_set, owner_id));
    } else {
        access::assign(target, a.target.attribute, attribute_value(string_set{{owner_id}}));
    }
}

boost::asio::awaitable<void> apply_dependents(model_base& owner)
{
    const model_descriptor& d = access::desc(owner);
    for (const auto& info : d.associations) {
        const dependent_action action = info->options.dependent;
        if (action == dependent_action::none) continue;
        const resolved_association& a = resolve_association(d, info->name);
        const auto ids = co_await association_ids(owner, info->name);
        if (ids.empty()) continue;
        const database db = owner.used_database();
        if (action == dependent_action::nullify) {
            const std::string owner_id = record_id(owner, a.owner);
            const auto existing = co_await existing_ids(db, a, ids);
            for (std::size_t first = 0; first < existing.size(); first += transaction_max_actions) {
                const std::size_t last = std::min(existing.size(), first + transaction_max_actions);
                link_plan plan{info->name};
                for (std::size_t i = first; i < last; ++i) {
                    plan.unlink_target_end(a, owner_id, existing[i]);
                }
                co_await execute(db, plan);
            }
            continue;
        }
        const model_descriptor& target = *a.target.model;
        std::vector<attribute_map> keys;
        for (const auto& id : ids) {
            attribute_map key;
            key.set(a.target.key_attribute, id);
            keys.push_back(std::move(key));
        }
        auto items = co_await batch_get(db, target, std::move(keys));
        for (auto& item : items) {
            if (!item) continue;
            const auto record = target.make_blank();
            load_record(*record, std::move(*item), &db);
            if (action == dependent_action::destroy) {
                co_await record->destroy_or_throw();
            } else {
                co_await record->delete_();
            }
        }
    }
}

}  // namespace detail
}  // namespace dynomite
