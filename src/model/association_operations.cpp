// The operations behind collection<U> and reference<U>: link, unlink, ids, clear, replace,
// the relation of the associated records, and the dependent options of a destroy.
#include "model/association_access.hpp"

#include <dynomite/expr/expressions.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace dynomite::detail {

namespace {

using access = association_access;

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

namespace {

enum class id_source { record, item };

/// The linked ids, as the record holds them (`record`), or as the item held them when the owner
/// last read or wrote it (`item`): what unlinks start from, leaving the changes the record has
/// not saved pending.
boost::asio::awaitable<std::vector<std::string>> ids_of(model_base& owner,
                                                        const resolved_association& a,
                                                        id_source from)
{
    if (a.owner.form != side_form::none) {
        co_return from == id_source::record ? linked_ids(owner, a.owner)
                                            : stored_ids(owner, a.owner);
    }
    auto ids = co_await indexed_ids(owner, a);
    co_return ids;
}

}  // namespace

boost::asio::awaitable<std::vector<std::string>> association_ids(model_base& owner,
                                                                 std::string_view name)
{
    auto ids = co_await ids_of(owner, resolved_of(owner, name), id_source::record);
    co_return ids;
}

boost::asio::awaitable<void> association_clear(model_base& owner, std::string_view name)
{
    const resolved_association& a = resolved_of(owner, name);
    require_persisted(owner, name, "owner");
    const database db = owner.used_database();
    const auto ids = co_await ids_of(owner, a, id_source::item);
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
    const auto current = co_await ids_of(owner, a, id_source::item);
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

void refuse_dependents(const model_base& owner, std::string_view operation)
{
    const model_descriptor& d = access::desc(owner);
    for (const auto& info : d.associations) {
        if (info->options.dependent == dependent_action::none) continue;
        throw error(errc::invalid_argument,
                    std::string(operation) + " of " + d.type_name + ": its association " +
                        quoted(info->name) +
                        " has a dependent option, which only destroy() applies; destroy the "
                        "records one by one");
    }
}

boost::asio::awaitable<void> apply_dependents(model_base& owner)
{
    const model_descriptor& d = access::desc(owner);
    for (const auto& info : d.associations) {
        const dependent_action action = info->options.dependent;
        if (action == dependent_action::none) continue;
        const resolved_association& a = resolve_association(d, info->name);
        const auto ids = co_await ids_of(owner, a, id_source::item);
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

}  // namespace dynomite::detail
