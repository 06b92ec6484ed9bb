// Conditions: the builders, inspection and rendering with placeholders.
#include <dynomite/expr/condition.hpp>
#include <dynomite/core/diagnostics.hpp>
#include "core/enum_text.hpp"
#include "core/or_throw.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace dynomite {

struct condition::node {
    condition_op op;
    std::vector<operand> operands;    // leaves: the subject, then the arguments
    std::vector<condition> children;  // AND, OR, NOT
    std::size_t depth = 1;
};

namespace {

using detail::throw_invalid;

enum class op_group : unsigned char { comparison, range, function, logical };

op_group group_of(condition_op op) noexcept
{
    using enum op_group;
    // In the order of the enumerators of condition_op.
    // clang-format off
    static constexpr op_group groups[] = {
        comparison, comparison, comparison, comparison, comparison, comparison,  // eq to ge
        range, range,                                          // between, in
        function, function, function, function, function,      // attribute_exists to contains
        logical, logical, logical};                            // and_, or_, not_
    // clang-format on
    static_assert(std::size(groups) == static_cast<std::size_t>(condition_op::not_) + 1);
    const auto index = static_cast<std::size_t>(op);
    return index < std::size(groups) ? groups[index] : range;
}

bool is_comparison(condition_op op) noexcept
{
    return group_of(op) == op_group::comparison;
}

bool is_function(condition_op op) noexcept
{
    return group_of(op) == op_group::function;
}

bool is_logical_op(condition_op op) noexcept
{
    return group_of(op) == op_group::logical;
}

// The subject as the user wrote it, for messages: "price" or "size(tags)".
std::string subject_text(const operand& subject)
{
    const std::string path = subject.path().to_string();
    return detail::quoted(subject.type() == operand::kind::size ? "size(" + path + ")" : path);
}

void check_subject(const operand& subject)
{
    if (subject.type() == operand::kind::value)
        throw_invalid("the subject of a condition is a path or size(path), not a value");
}

// Bounds of one ordered type in reverse order, which DynamoDB refuses; other combinations
// are left to DynamoDB.
bool reversed(const attribute_value& low, const attribute_value& high)
{
    if (low.type() != high.type()) return false;
    switch (low.type()) {
        case attribute_value::kind::n:
            return high.as_n() < low.as_n();
        case attribute_value::kind::s:
            return high.as_s() < low.as_s();
        case attribute_value::kind::b:
            return high.as_b() < low.as_b();
        default:
            return false;
    }
}

}  // namespace

namespace detail {

struct condition_access {
    static condition leaf(condition_op op, std::vector<operand> operands)
    {
        check_subject(operands.front());
        auto n = std::make_shared<condition::node>();
        n->op = op;
        n->operands = std::move(operands);
        return condition(std::move(n));
    }

    static condition logical(condition_op op, std::vector<condition> children)
    {
        std::size_t deepest = 0;
        for (const condition& c : children) deepest = std::max(deepest, c.depth());
        if (deepest + 1 > max_condition_depth) {
            throw_invalid("condition nested deeper than " + std::to_string(max_condition_depth) +
                          " levels");
        }
        auto n = std::make_shared<condition::node>();
        n->op = op;
        n->children = std::move(children);
        n->depth = deepest + 1;
        return condition(std::move(n));
    }

    static const condition::node& get(const condition& c) { return *c.node_; }

    // AND and OR stay flat: a child with the same operator gives its children instead.
    static condition join(condition_op op, const condition& a, const condition& b)
    {
        if (a.empty()) return b;
        if (b.empty()) return a;
        std::vector<condition> children;
        for (const condition* side : {&a, &b}) {
            if (side->op() == op) {
                const auto& grand = side->node_->children;
                children.insert(children.end(), grand.begin(), grand.end());
            } else {
                children.push_back(*side);
            }
        }
        return logical(op, std::move(children));
    }
};

}  // namespace detail

using detail::condition_access;

std::string_view to_string(condition_op op) noexcept
{
    // In the order of the enumerators.
    // clang-format off
    static constexpr std::string_view names[] = {
        "=", "<>", "<", "<=", ">", ">=", "BETWEEN", "IN", "attribute_exists",
        "attribute_not_exists", "attribute_type", "begins_with", "contains", "AND", "OR", "NOT"};
    // clang-format on
    return detail::enum_name(op, names, "?");
}

// Operands.

operand operand::of_path(document_path path)
{
    if (path.empty()) throw_invalid("empty document path in a condition");
    return operand(kind::path, std::move(path), attribute_value());
}

operand operand::of_size(document_path path)
{
    if (path.empty()) throw_invalid("size() of the empty document path");
    return operand(kind::size, std::move(path), attribute_value());
}

operand operand::of_value(attribute_value value)
{
    return operand(kind::value, document_path(), std::move(value));
}

const document_path& operand::path() const
{
    if (kind_ == kind::value) throw_invalid("a value operand has no path");
    return path_;
}

const attribute_value& operand::value() const
{
    if (kind_ != kind::value) throw_invalid("a path operand has no value");
    return value_;
}

operand size_of(const document_path& path)
{
    return operand::of_size(path);
}

// Inspection.

condition_op condition::op() const
{
    if (empty()) throw_invalid("the empty condition has no operator");
    return node_->op;
}

bool condition::is_logical() const noexcept
{
    return node_ && is_logical_op(node_->op);
}

const operand& condition::subject() const
{
    if (empty() || is_logical()) {
        throw_invalid(empty() ? "the empty condition has no subject"
                              : "a logical condition (" + std::string(to_string(node_->op)) +
                                    ") has no subject");
    }
    return node_->operands.front();
}

const document_path& condition::path() const
{
    return subject().path();
}

std::span<const operand> condition::arguments() const noexcept
{
    if (!node_ || node_->operands.empty()) return {};
    return std::span<const operand>(node_->operands).subspan(1);
}

std::span<const condition> condition::children() const noexcept
{
    if (!node_) return {};
    return node_->children;
}

std::vector<condition> condition::conjuncts() const
{
    if (empty()) return {};
    if (node_->op == condition_op::and_) return node_->children;
    return {*this};
}

std::size_t condition::depth() const noexcept
{
    return node_ ? node_->depth : 0;
}

bool operator==(const condition& a, const condition& b)
{
    if (a.node_ == b.node_) return true;
    if (!a.node_ || !b.node_) return false;
    return a.node_->op == b.node_->op && a.node_->operands == b.node_->operands &&
           a.node_->children == b.node_->children;
}

// Builders.

condition compare(const operand& subject, condition_op op, const operand& other)
{
    if (!is_comparison(op)) {
        throw_invalid("compare() takes =, <>, <, <=, > or >=, not " + std::string(to_string(op)));
    }
    return condition_access::leaf(op, {subject, other});
}

// Each comparison with a value, for a path and for a subject operand.
#define DYNOMITE_COMPARE_WITH_VALUE(name)                                                 \
    condition name(const document_path& path, attribute_value value)                      \
    {                                                                                     \
        return name(operand::of_path(path), std::move(value));                            \
    }                                                                                     \
    condition name(const operand& subject, attribute_value value)                         \
    {                                                                                     \
        return compare(subject, condition_op::name, operand::of_value(std::move(value))); \
    }

DYNOMITE_COMPARE_WITH_VALUE(eq)
DYNOMITE_COMPARE_WITH_VALUE(ne)
DYNOMITE_COMPARE_WITH_VALUE(lt)
DYNOMITE_COMPARE_WITH_VALUE(le)
DYNOMITE_COMPARE_WITH_VALUE(gt)
DYNOMITE_COMPARE_WITH_VALUE(ge)
#undef DYNOMITE_COMPARE_WITH_VALUE

condition operator<(const operand& subject, attribute_value value)
{
    return lt(subject, std::move(value));
}

condition operator<=(const operand& subject, attribute_value value)
{
    return le(subject, std::move(value));
}

condition operator>(const operand& subject, attribute_value value)
{
    return gt(subject, std::move(value));
}

condition operator>=(const operand& subject, attribute_value value)
{
    return ge(subject, std::move(value));
}

condition between(const operand& subject, attribute_value low, attribute_value high)
{
    check_subject(subject);
    if (reversed(low, high)) {
        throw_invalid(subject_text(subject) +
                      ": BETWEEN bounds in reverse order (the low bound is above the high one)");
    }
    return condition_access::leaf(
        condition_op::between,
        {subject, operand::of_value(std::move(low)), operand::of_value(std::move(high))});
}

condition between(const document_path& path, attribute_value low, attribute_value high)
{
    return between(operand::of_path(path), std::move(low), std::move(high));
}

condition in(const operand& subject, std::vector<attribute_value> values)
{
    check_subject(subject);
    if (values.empty() || values.size() > max_in_operands) {
        throw_invalid(subject_text(subject) + ": IN takes 1 to " + std::to_string(max_in_operands) +
                      " values, got " + std::to_string(values.size()));
    }
    std::vector<operand> operands;
    operands.reserve(values.size() + 1);
    operands.push_back(subject);
    for (attribute_value& v : values) operands.push_back(operand::of_value(std::move(v)));
    return condition_access::leaf(condition_op::in, std::move(operands));
}

condition in(const document_path& path, std::vector<attribute_value> values)
{
    return in(operand::of_path(path), std::move(values));
}

condition attribute_exists(const document_path& path)
{
    return condition_access::leaf(condition_op::attribute_exists, {operand::of_path(path)});
}

condition attribute_not_exists(const document_path& path)
{
    return condition_access::leaf(condition_op::attribute_not_exists, {operand::of_path(path)});
}

condition attribute_type(const document_path& path, attribute_value::kind type)
{
    operand subject = operand::of_path(path);
    if (type > attribute_value::kind::bs) {
        throw_invalid(subject_text(subject) + ": attribute_type with an unknown type (" +
                      std::to_string(static_cast<unsigned>(type)) + ")");
    }
    return condition_access::leaf(
        condition_op::attribute_type,
        {std::move(subject), operand::of_value(std::string(attribute_value::type_name(type)))});
}

condition begins_with(const document_path& path, attribute_value prefix)
{
    operand subject = operand::of_path(path);
    if (!prefix.is_s() && prefix.type() != attribute_value::kind::b) {
        throw_invalid(subject_text(subject) +
                      ": begins_with needs a string or binary prefix, got " +
                      std::string(prefix.type_name()));
    }
    return condition_access::leaf(condition_op::begins_with,
                                  {std::move(subject), operand::of_value(std::move(prefix))});
}

condition contains(const document_path& path, attribute_value value)
{
    return condition_access::leaf(condition_op::contains,
                                  {operand::of_path(path), operand::of_value(std::move(value))});
}

condition operator&&(const condition& a, const condition& b)
{
    return condition_access::join(condition_op::and_, a, b);
}

condition operator||(const condition& a, const condition& b)
{
    return condition_access::join(condition_op::or_, a, b);
}

condition operator!(const condition& c)
{
    if (c.empty()) throw_invalid("NOT of the empty condition");
    return condition_access::logical(condition_op::not_, {c});
}

// Rendering.

namespace {

void render_operand(const operand& o, expression_context& ctx, std::string& out)
{
    switch (o.type()) {
        case operand::kind::path:
            out += ctx.path(o.path());
            break;
        case operand::kind::size:
            out += "size(";
            out += ctx.path(o.path());
            out += ')';
            break;
        case operand::kind::value:
            out += ctx.value(o.value());
            break;
    }
}

void render_node(const condition& c, expression_context& ctx, std::string& out)
{
    const condition_op op = c.op();
    const std::span<const operand> args = c.arguments();
    if (is_comparison(op)) {
        render_operand(c.subject(), ctx, out);
        out += ' ';
        out += to_string(op);
        out += ' ';
        render_operand(args[0], ctx, out);
        return;
    }
    switch (op) {
        case condition_op::between:
            render_operand(c.subject(), ctx, out);
            out += " BETWEEN ";
            render_operand(args[0], ctx, out);
            out += " AND ";
            render_operand(args[1], ctx, out);
            return;
        case condition_op::in:
            render_operand(c.subject(), ctx, out);
            out += " IN (";
            for (std::size_t i = 0; i < args.size(); ++i) {
                if (i != 0) out += ", ";
                render_operand(args[i], ctx, out);
            }
            out += ')';
            return;
        case condition_op::and_:
        case condition_op::or_: {
            const std::string_view separator = op == condition_op::and_ ? " AND " : " OR ";
            bool first = true;
            for (const condition& child : c.children()) {
                if (!first) out += separator;
                first = false;
                // AND binds tighter than OR; NOT and the leaves bind tighter than both.
                const bool group = op == condition_op::and_ && child.op() == condition_op::or_;
                if (group) out += '(';
                render_node(child, ctx, out);
                if (group) out += ')';
            }
            return;
        }
        case condition_op::not_: {
            const condition& child = c.children().front();
            // A function call is already delimited; anything else is grouped for clarity.
            const bool group = !is_function(child.op());
            out += group ? "NOT (" : "NOT ";
            render_node(child, ctx, out);
            if (group) out += ')';
            return;
        }
        default:
            // The functions: name(path[, value]).
            out += to_string(op);
            out += '(';
            render_operand(c.subject(), ctx, out);
            for (const operand& a : args) {
                out += ", ";
                render_operand(a, ctx, out);
            }
            out += ')';
            return;
    }
}

}  // namespace

error_code render(const condition& c, expression_context& ctx, expression_kind kind,
                  std::string& out, std::string* why)
{
    if (c.empty()) {
        if (why) *why = std::string(to_string(kind)) + ": the condition is empty";
        return errc::invalid_argument;
    }
    const expression_context::mark_type mark = ctx.mark();
    std::string text;
    render_node(c, ctx, text);
    if (error_code ec = check_expression_length(kind, text, why)) {
        ctx.rewind(mark);
        return ec;
    }
    out = std::move(text);
    return {};
}

std::string render(const condition& c, expression_context& ctx, expression_kind kind)
{
    return detail::value_or_throw<std::string>(
        [&](std::string& out, std::string* why) { return render(c, ctx, kind, out, why); });
}

}  // namespace dynomite
