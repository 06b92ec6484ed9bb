// Conditions as the planner reads them: existence requirements and sort-key splits.
#include "query/key_conditions.hpp"

#include <algorithm>

namespace dynomite::detail {
namespace {

}  // namespace

bool compares_with_key_values(const condition& c)
{
    // DynamoDB refuses an empty string or binary as a key attribute's value, even in a key
    // condition (`begins_with(sk, "")`): such a condition is left to the filter or the client.
    const std::span<const operand> args = c.arguments();
    return std::all_of(args.begin(), args.end(), [](const operand& a) {
        if (a.type() != operand::kind::value) return false;
        const attribute_value& v = a.value();
        if (v.type() == attribute_value::kind::s) return !v.as_s().empty();
        if (v.type() == attribute_value::kind::b) return !v.as_b().empty();
        return true;
    });
}

namespace {

bool leaf_requires(const condition& c, const std::string& name)
{
    switch (c.op()) {
        case condition_op::ne:
        case condition_op::attribute_not_exists:
            return false;
        default:
            break;
    }
    if (c.path().attribute_name() == name) return true;
    // Both sides of a comparison must exist for it to hold.
    const std::span<const operand> args = c.arguments();
    return std::any_of(args.begin(), args.end(), [&](const operand& a) {
        return a.type() != operand::kind::value && a.path().attribute_name() == name;
    });
}

bool in_order(const attribute_value& low, const attribute_value& high)
{
    switch (low.type()) {
        case attribute_value::kind::n:
            return !(high.as_n() < low.as_n());
        case attribute_value::kind::s:
            return !(high.as_s() < low.as_s());
        case attribute_value::kind::b:
            return !(high.as_b() < low.as_b());
        default:
            return false;
    }
}

const condition* first_of(const std::vector<condition>& terms,
                          std::initializer_list<condition_op> ops)
{
    for (const condition& t : terms) {
        if (std::find(ops.begin(), ops.end(), t.op()) != ops.end()) return &t;
    }
    return nullptr;
}

}  // namespace

bool is_attribute(const operand& o, const std::string& name)
{
    if (o.type() != operand::kind::path) return false;
    const std::vector<path_segment>& segments = o.path().segments();
    return segments.size() == 1 && segments.front().is_name() && segments.front().name() == name;
}

bool requires_existence(const condition& c, const std::string& name)
{
    if (c.empty()) return false;
    switch (c.op()) {
        case condition_op::and_:
            return std::any_of(c.children().begin(), c.children().end(),
                               [&](const condition& t) { return requires_existence(t, name); });
        case condition_op::or_:
            return std::all_of(c.children().begin(), c.children().end(),
                               [&](const condition& t) { return requires_existence(t, name); });
        case condition_op::not_:
            return false;
        default:
            return leaf_requires(c, name);
    }
}

bool is_sort_key_condition(const condition& c, const std::string& name)
{
    if (c.is_logical()) return false;
    switch (c.op()) {
        case condition_op::eq:
        case condition_op::lt:
        case condition_op::le:
        case condition_op::gt:
        case condition_op::ge:
        case condition_op::between:
        case condition_op::begins_with:
            return is_attribute(c.subject(), name) && compares_with_key_values(c);
        default:
            return false;
    }
}

sort_key_split split_sort_key(const std::vector<condition>& on_sort, const std::string& name)
{
    std::vector<condition> usable;
    for (const condition& t : on_sort) {
        if (is_sort_key_condition(t, name)) usable.push_back(t);
    }
    sort_key_split out;
    std::vector<const condition*> stated;  // the terms the key condition states exactly
    const condition* low = first_of(usable, {condition_op::gt, condition_op::ge});
    const condition* high = first_of(usable, {condition_op::lt, condition_op::le});
    if (const condition* eq = first_of(usable, {condition_op::eq})) {
        out.key_condition = *eq;
        stated.push_back(eq);
    } else if (const condition* range = first_of(usable, {condition_op::between})) {
        out.key_condition = *range;
        stated.push_back(range);
    } else if (low && high &&
               low->arguments()[0].value().type() == high->arguments()[0].value().type() &&
               in_order(low->arguments()[0].value(), high->arguments()[0].value())) {
        out.key_condition = between(document_path::attribute(name), low->arguments()[0].value(),
                                    high->arguments()[0].value());
        if (low->op() == condition_op::ge) stated.push_back(low);
        if (high->op() == condition_op::le) stated.push_back(high);
    } else if (const condition* prefix = first_of(usable, {condition_op::begins_with})) {
        out.key_condition = *prefix;
        stated.push_back(prefix);
    } else if (low || high) {
        out.key_condition = low ? *low : *high;
        stated.push_back(low ? low : high);
    }
    out.exact = static_cast<int>(stated.size());
    // Structural equality: a term repeated (`sk = 1 AND sk = 1`) is stated by the one kept.
    for (const condition& t : on_sort) {
        const bool is_stated =
            std::any_of(stated.begin(), stated.end(), [&](const condition* s) { return *s == t; });
        if (!is_stated) out.residual.push_back(t);
    }
    return out;
}

}  // namespace dynomite::detail
