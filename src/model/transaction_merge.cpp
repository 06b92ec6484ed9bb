// Several actions of one transaction on one item: DynamoDB takes one operation per item, so
// those that compose become one write and the others are refused before sending.
#include <dynomite/model.hpp>
#include <dynomite/model/transaction.hpp>

#include "core/enum_text.hpp"

#include <algorithm>

namespace dynomite::detail {

namespace {

/// With its article: "a Put", "an Update".
std::string_view operation_name(transaction_write::operation op) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"a Put", "an Update", "a Delete",
                                                 "a ConditionCheck"};
    return detail::enum_name(op, names, "a write");
}

/// `a` AND the terms of `b` that `a` does not have already.
condition join_conditions(const condition& a, const condition& b)
{
    condition out = a;
    const std::vector<condition> have = a.conjuncts();
    for (const condition& term : b.conjuncts()) {
        if (std::find(have.begin(), have.end(), term) == have.end()) out = out && term;
    }
    return out;
}

template <class T>
const T& value_of(const update_action& a)
{
    if (const T* v = a.value.get_if<T>()) return *v;
    throw error(errc::invalid_argument, "update of " + a.path.to_string() + ": " +
                                            std::string(to_string(a.op)) +
                                            " holds a value of another type");
}

void append_action(update_expression& u, const update_action& a)
{
    switch (a.op) {
        case update_op::set:
            u.set(a.path, a.value);
            return;
        case update_op::set_if_not_exists:
            u.set_if_not_exists(a.path, a.value);
            return;
        case update_op::list_append:
            u.list_append(a.path, value_of<attribute_list>(a));
            return;
        case update_op::list_prepend:
            u.list_prepend(a.path, value_of<attribute_list>(a));
            return;
        case update_op::increment:
            u.increment(a.path, value_of<number>(a));
            return;
        case update_op::decrement:
            u.decrement(a.path, value_of<number>(a));
            return;
        case update_op::remove:
            u.remove(a.path);
            return;
        case update_op::add:
            u.add(a.path, a.value);
            return;
        case update_op::delete_from_set:
            u.delete_from_set(a.path, a.value);
            return;
    }
}

[[noreturn]] void refuse(const transaction_write& first, const transaction_write& second,
                         const std::string& reason)
{
    throw error(errc::invalid_argument,
                "transaction: action " + std::to_string(first.positions.front()) + " (" +
                    first.description() + ") and action " +
                    std::to_string(second.positions.front()) + " (" + second.description() +
                    ") are on the same item and cannot be one write: " + reason);
}

}  // namespace

std::string transaction_write::description() const
{
    std::string out;
    for (std::size_t i = 0; i < verbs.size(); ++i) {
        out += i == 0 ? "" : i + 1 == verbs.size() ? " and " : ", ";
        out += verbs[i];
    }
    return out + " of " + model + describe_key(key) + " in table " + table;
}

void add_transaction_write(std::vector<transaction_write>& writes, transaction_write next)
{
    const auto same_item = std::find_if(writes.begin(), writes.end(), [&](const auto& w) {
        return w.table == next.table && w.key == next.key;
    });
    if (same_item == writes.end()) {
        writes.push_back(std::move(next));
        return;
    }
    transaction_write& into = *same_item;
    using op = transaction_write::operation;
    if (into.op == op::check && next.op != op::check) {
        // The write carries the check's condition: both see the item as it was.
        next.cond = join_conditions(into.cond, next.cond);
        next.positions.insert(next.positions.begin(), into.positions.begin(), into.positions.end());
        next.verbs.insert(next.verbs.begin(), into.verbs.begin(), into.verbs.end());
        if (next.record == nullptr) next.record = into.record;
        if (next.model.empty()) next.model = into.model;
        into = std::move(next);
        return;
    }
    if (next.op == op::update && into.op == op::update) {
        update_expression merged = into.update;
        try {
            for (const update_action& a : next.update.actions()) append_action(merged, a);
        } catch (const error& e) {
            refuse(into, next, e.what());
        }
        into.update = std::move(merged);
    } else if (next.op != op::check) {
        refuse(into, next,
               "DynamoDB takes one operation per item, and " +
                   std::string(operation_name(into.op)) + " and " +
                   std::string(operation_name(next.op)) +
                   " do not combine (only condition checks, updates and increments do)");
    }
    into.cond = join_conditions(into.cond, next.cond);
    into.positions.insert(into.positions.end(), next.positions.begin(), next.positions.end());
    into.verbs.insert(into.verbs.end(), next.verbs.begin(), next.verbs.end());
    if (into.record == nullptr) into.record = next.record;
    if (into.model.empty()) into.model = next.model;
}

transact_write_item to_transact_item(const transaction_write& w)
{
    constexpr auto all_old = return_values_on_condition_check_failure::all_old;
    switch (w.op) {
        case transaction_write::operation::put: {
            transact_put put;
            put.table_name = w.table;
            put.item = w.item;
            render_expressions(put, w.cond);
            put.return_values_on_condition_check_failure = all_old;
            return put;
        }
        case transaction_write::operation::update: {
            transact_update update;
            update.table_name = w.table;
            update.key = w.key;
            render_expressions(update, w.cond, &w.update);
            update.return_values_on_condition_check_failure = all_old;
            return update;
        }
        case transaction_write::operation::remove: {
            transact_delete deletion;
            deletion.table_name = w.table;
            deletion.key = w.key;
            render_expressions(deletion, w.cond);
            deletion.return_values_on_condition_check_failure = all_old;
            return deletion;
        }
        case transaction_write::operation::check:
            break;
    }
    transact_condition_check check;
    check.table_name = w.table;
    check.key = w.key;
    render_expressions(check, w.cond);
    check.return_values_on_condition_check_failure = all_old;
    return check;
}

}  // namespace dynomite::detail
