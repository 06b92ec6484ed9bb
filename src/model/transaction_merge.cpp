// Several actions of one transaction on one item: DynamoDB takes one operation per item, so
// those that compose become one write and the others are refused before sending.
#include <dynomite/model.hpp>
#include <dynomite/model/transaction.hpp>

#include "core/enum_text.hpp"

#include <algorithm>
#include <iterator>
#include <type_traits>

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
    if constexpr (std::is_same_v<T, attribute_value>) {
        return a.value;
    } else {
        if (const T* v = a.value.get_if<T>()) return *v;
        throw error(errc::invalid_argument, "update of " + a.path.to_string() + ": " +
                                                std::string(to_string(a.op)) +
                                                " holds a value of another type");
    }
}

template <class T>
void append_with(update_expression& u, const update_action& a,
                 update_expression& (update_expression::*adder)(const document_path&, T))
{
    (u.*adder)(a.path, value_of<T>(a));
}

void append_with(update_expression& u, const update_action& a,
                 update_expression& (update_expression::*adder)(const document_path&))
{
    (u.*adder)(a.path);
}

template <auto adder>
void append_by(update_expression& u, const update_action& a)
{
    append_with(u, a, adder);
}

/// Adds `a` to `u` through the adder of its operation, which checks it as it checks any action.
void append_action(update_expression& u, const update_action& a)
{
    using appender = void (*)(update_expression&, const update_action&);
    using e = update_expression;
    // In the order of the enumerators of update_op.
    // clang-format off
    static constexpr appender appenders[] = {
        append_by<&e::set>, append_by<&e::set_if_not_exists>, append_by<&e::list_append>,
        append_by<&e::list_prepend>, append_by<&e::increment>, append_by<&e::decrement>,
        append_by<&e::remove>, append_by<&e::add>, append_by<&e::delete_from_set>};
    // clang-format on
    static_assert(std::size(appenders) == static_cast<std::size_t>(update_op::delete_from_set) + 1);
    const auto index = static_cast<std::size_t>(a.op);
    if (index < std::size(appenders)) appenders[index](u, a);
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

/// One action of a TransactWriteItems: the write's item (a Put) or key (the others) and its
/// expressions; a failed condition returns the item as it was.
template <class Action>
Action transact_action(const transaction_write& w, const update_expression* update = nullptr)
{
    Action action;
    action.table_name = w.table;
    if constexpr (std::is_same_v<Action, transact_put>) {
        action.item = w.item;
    } else {
        action.key = w.key;
    }
    render_expressions(action, w.cond, update);
    action.return_values_on_condition_check_failure =
        return_values_on_condition_check_failure::all_old;
    return action;
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
    switch (w.op) {
        case transaction_write::operation::put:
            return transact_action<transact_put>(w);
        case transaction_write::operation::update:
            return transact_action<transact_update>(w, &w.update);
        case transaction_write::operation::remove:
            return transact_action<transact_delete>(w);
        case transaction_write::operation::check:
            break;
    }
    return transact_action<transact_condition_check>(w);
}

}  // namespace dynomite::detail
