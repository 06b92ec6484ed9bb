// Conditions evaluated on the client, with DynamoDB's comparison semantics.
#include "expr/condition_evaluator.hpp"

#include <algorithm>
#include <compare>
#include <optional>

namespace dynomite::detail {
namespace {

// The order of two values DynamoDB can order: both S (by UTF-8 bytes; std::string compares
// its chars as unsigned), both N (as decimals) or both B (by bytes). None for anything else.
std::optional<std::strong_ordering> order(const attribute_value& a, const attribute_value& b)
{
    if (a.type() != b.type()) return std::nullopt;
    switch (a.type()) {
        case attribute_value::kind::s:
            return a.as_s().compare(b.as_s()) <=> 0;
        case attribute_value::kind::n:
            return a.as_n() <=> b.as_n();
        case attribute_value::kind::b: {
            const bytes& x = a.as_b();
            const bytes& y = b.as_b();
            return std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(), y.end());
        }
        default:
            return std::nullopt;
    }
}

bool ordered(const attribute_value& a, const attribute_value& b, condition_op op)
{
    const std::optional<std::strong_ordering> o = order(a, b);
    if (!o) return false;
    switch (op) {
        case condition_op::lt:
            return *o < 0;
        case condition_op::le:
            return *o <= 0;
        case condition_op::gt:
            return *o > 0;
        case condition_op::ge:
            return *o >= 0;
        default:
            return false;
    }
}

template <class Sequence>
bool starts_with(const Sequence& whole, const Sequence& prefix)
{
    return prefix.size() <= whole.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

bool begins(const attribute_value& v, const attribute_value& prefix)
{
    if (v.type() != prefix.type()) return false;
    if (v.type() == attribute_value::kind::s) return starts_with(v.as_s(), prefix.as_s());
    if (v.type() == attribute_value::kind::b) return starts_with(v.as_b(), prefix.as_b());
    return false;
}

template <class Values, class Element>
bool has_element(const Values& values, const Element& e)
{
    return std::any_of(values.begin(), values.end(), [&](const auto& v) { return v == e; });
}

// DynamoDB: a substring of a string, a sequence of bytes inside a binary, an element of a set
// of the operand's type, an element of a list.
bool holds(const attribute_value& v, const attribute_value& operand)
{
    using kind = attribute_value::kind;
    switch (v.type()) {
        case kind::s:
            return operand.type() == kind::s && v.as_s().find(operand.as_s()) != std::string::npos;
        case kind::b: {
            const bytes& whole = v.as_b();
            if (operand.type() != kind::b) return false;
            const bytes& part = operand.as_b();
            // An empty part is in every binary, the empty one too, as DynamoDB answers.
            return part.empty() ||
                   std::search(whole.begin(), whole.end(), part.begin(), part.end()) != whole.end();
        }
        case kind::ss:
            return operand.type() == kind::s && has_element(v.as_ss().values, operand.as_s());
        case kind::ns:
            return operand.type() == kind::n && has_element(v.as_ns().values, operand.as_n());
        case kind::bs:
            return operand.type() == kind::b && has_element(v.as_bs().values, operand.as_b());
        case kind::l:
            return has_element(v.as_l(), operand);
        default:
            return false;
    }
}

bool evaluate_leaf(const condition& c, const attribute_map& item)
{
    const attribute_value* v = value_at(item, c.path());
    const std::span<const operand> args = c.arguments();
    const condition_op op = c.op();
    if (op == condition_op::attribute_exists) return v != nullptr;
    if (op == condition_op::attribute_not_exists) return v == nullptr;
    if (op == condition_op::ne) return !v || !(*v == args[0].value());
    if (!v) return false;
    switch (op) {
        case condition_op::eq:
            return *v == args[0].value();
        case condition_op::lt:
        case condition_op::le:
        case condition_op::gt:
        case condition_op::ge:
            return ordered(*v, args[0].value(), op);
        case condition_op::between:
            return ordered(*v, args[0].value(), condition_op::ge) &&
                   ordered(*v, args[1].value(), condition_op::le);
        case condition_op::in:
            return std::any_of(args.begin(), args.end(),
                               [&](const operand& a) { return *v == a.value(); });
        case condition_op::attribute_type: {
            const attribute_value& name = args[0].value();
            return name.type() == attribute_value::kind::s && name.as_s() == v->type_name();
        }
        case condition_op::begins_with:
            return begins(*v, args[0].value());
        case condition_op::contains:
            return holds(*v, args[0].value());
        default:
            return false;
    }
}

}  // namespace

const attribute_value* value_at(const attribute_map& item, const document_path& path) noexcept
{
    const auto& segments = path.segments();
    if (segments.empty() || !segments.front().is_name()) return nullptr;
    const attribute_value* value = item.find(segments.front().name());
    for (std::size_t i = 1; value && i < segments.size(); ++i) {
        if (segments[i].is_name()) {
            const auto* map = value->get_if<attribute_map>();
            value = map ? map->find(segments[i].name()) : nullptr;
        } else {
            const auto* list = value->get_if<attribute_list>();
            value = list && segments[i].index() < list->size() ? &(*list)[segments[i].index()]
                                                               : nullptr;
        }
    }
    return value;
}

bool client_evaluable(const condition& c, std::string* why)
{
    if (c.empty()) return true;
    if (c.is_logical()) {
        for (const condition& child : c.children()) {
            if (!client_evaluable(child, why)) return false;
        }
        return true;
    }
    const std::span<const operand> args = c.arguments();
    const bool values_only = std::all_of(args.begin(), args.end(), [](const operand& a) {
        return a.type() == operand::kind::value;
    });
    if (c.subject().type() != operand::kind::path || !values_only) {
        if (why) {
            *why = "a " + std::string(to_string(c.op())) + " condition on " + c.path().to_string() +
                   " with size() or a second attribute";
        }
        return false;
    }
    return true;
}

bool evaluate(const condition& c, const attribute_map& item)
{
    if (c.empty()) return true;
    switch (c.op()) {
        case condition_op::and_:
            return std::all_of(c.children().begin(), c.children().end(),
                               [&](const condition& child) { return evaluate(child, item); });
        case condition_op::or_:
            return std::any_of(c.children().begin(), c.children().end(),
                               [&](const condition& child) { return evaluate(child, item); });
        case condition_op::not_:
            return !evaluate(c.children().front(), item);
        default:
            return evaluate_leaf(c, item);
    }
}

void keep_matching(const condition& c, std::vector<attribute_map>& items)
{
    if (c.empty()) return;
    std::erase_if(items, [&](const attribute_map& item) { return !evaluate(c, item); });
}

void remove_attributes(const std::vector<std::string>& names, std::vector<attribute_map>& items)
{
    if (names.empty()) return;
    for (attribute_map& item : items) {
        for (const std::string& name : names) item.erase(name);
    }
}

}  // namespace dynomite::detail
