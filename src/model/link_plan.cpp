// Link plans: the items and attributes one association change writes, checked and sent as
// one TransactWriteItems, then applied to the records in memory.
#include "core/async.hpp"
#include "model/association_access.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace dynomite::detail {

namespace {

using access = association_access;

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
    const auto held = stored_ids(record, end);
    const std::optional<std::string> old =
        held.empty() ? std::nullopt : std::optional<std::string>(held.front());
    if (old == other_id) {  // linked already: the item need only still say so
        it.checks.emplace_back(end.attribute, *access::stored(record, end.attribute));
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
        const auto held = stored_ids(*record, end);
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
                                                      const attribute_delta& d, bool of_item) const
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
        ids = of_item ? stored_ids(*it.record, side) : linked_ids(*it.record, side);
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
        attribute_map item = access::stored_item(*it.record);
        for (const auto& d : it.deltas) {
            grows = grows || !d.added.empty() || (d.assigned && *d.assigned);
            if (auto v = final_value(it, d, true)) {
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
    // The single id an item must still hold: as the record last read or wrote it (a string
    // from older writes, or a set), else in the shape this end writes.
    const auto expected_value = [](const pending_item& it, const attribute_delta& d) {
        if (it.record != nullptr) {
            if (const attribute_value* held = access::stored(*it.record, d.attribute)) return *held;
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
                const attribute_value* was = access::stored(*it.record, d.attribute);
                cond = cond && (was ? eq(path, *was) : attribute_not_exists(path));
                if (auto now = final_value(it, d, true)) {
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
        for (const auto& d : it.deltas) {
            access::assign(*it.record, d.attribute, final_value(it, d), final_value(it, d, true));
        }
    }
}

boost::asio::awaitable<void> execute(database db, const link_plan& plan)
{
    if (!plan.writes()) co_return;
    plan.check_sizes();
    transact_write_items_request request = plan.request();
    dynomite::client c = db.get_client();
    diagnostics diag;
    auto [ec, response] = co_await c.async_execute(std::move(request), diag, use_tuple);
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

}  // namespace dynomite::detail
