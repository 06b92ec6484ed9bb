// What explain() says about how a relation's conditions were read: each "field.op" key with a
// '.', and the grouping of or_() with the conditions after it, parenthesised.
#include "query/plan_text.hpp"
#include "query/relation_data.hpp"

#include <dynomite/expr/field_operator.hpp>

namespace dynomite::detail {
namespace {

void describe_operand(const operand& o, std::string& out)
{
    switch (o.type()) {
        case operand::kind::path:
            out += o.path().to_string();
            return;
        case operand::kind::size:
            out += "size(" + o.path().to_string() + ")";
            return;
        case operand::kind::value:
            append_readable_value(o.value(), out);
            return;
    }
}

void describe(const condition& c, std::string& out)
{
    const condition_op op = c.op();
    const auto args = c.arguments();
    switch (op) {
        case condition_op::and_:
        case condition_op::or_: {
            bool first = true;
            for (const condition& child : c.children()) {
                if (!first) out += op == condition_op::and_ ? " AND " : " OR ";
                first = false;
                const bool group = child.op() == condition_op::and_ || child.op() == condition_op::or_;
                if (group) out += '(';
                describe(child, out);
                if (group) out += ')';
            }
            return;
        }
        case condition_op::not_:
            out += "NOT (";
            describe(c.children().front(), out);
            out += ')';
            return;
        case condition_op::between:
            describe_operand(c.subject(), out);
            out += " BETWEEN ";
            describe_operand(args[0], out);
            out += " AND ";
            describe_operand(args[1], out);
            return;
        case condition_op::in:
            describe_operand(c.subject(), out);
            out += " IN (";
            for (std::size_t i = 0; i < args.size(); ++i) {
                if (i != 0) out += ", ";
                describe_operand(args[i], out);
            }
            out += ')';
            return;
        case condition_op::attribute_exists:
        case condition_op::attribute_not_exists:
        case condition_op::attribute_type:
        case condition_op::begins_with:
        case condition_op::contains:
            out += std::string(to_string(op)) + "(";
            describe_operand(c.subject(), out);
            for (const operand& arg : args) {
                out += ", ";
                describe_operand(arg, out);
            }
            out += ')';
            return;
        default:
            describe_operand(c.subject(), out);
            out += " " + std::string(to_string(op)) + " ";
            describe_operand(args[0], out);
            return;
    }
}

}  // namespace

std::string describe_condition(const condition& c)
{
    std::string out;
    if (!c.empty()) describe(c, out);
    return out;
}

std::string describe_key_reading(std::string_view key, const field_operator& parsed)
{
    std::string out = quoted(key) + " read as ";
    if (parsed.op == field_op::eq && !parsed.negated && parsed.path.to_string() == key)
        return out + "the nested path " + parsed.path.to_string();
    return out + "the path " + parsed.path.to_string() + " with operator " +
           (parsed.negated ? "not_" : "") + std::string(to_string(parsed.op));
}

std::vector<std::string> explain_readings(const relation_data& data)
{
    std::vector<std::string> out = data.key_readings;
    if (!data.alternatives.empty()) {
        out.push_back("or_() groups the conditions after it until the next or_(): " +
                      describe_condition(data.spec.where));
    }
    return out;
}

}  // namespace dynomite::detail
