// "field.op" keys: parsing and the conditions they build.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/expr/field_operator.hpp>
#include "core/ascii.hpp"
#include "core/or_throw.hpp"

#include <array>
#include <utility>

namespace dynomite {
namespace {

// Each operator: its suffix in a key, and the condition it builds.
struct suffix_entry {
    std::string_view suffix;
    field_op op;
    condition_op builds;
};

constexpr std::array suffixes{
    suffix_entry{"eq", field_op::eq, condition_op::eq},
    suffix_entry{"ne", field_op::ne, condition_op::ne},
    suffix_entry{"lt", field_op::lt, condition_op::lt},
    suffix_entry{"lte", field_op::le, condition_op::le},
    suffix_entry{"gt", field_op::gt, condition_op::gt},
    suffix_entry{"gte", field_op::ge, condition_op::ge},
    suffix_entry{"in", field_op::in, condition_op::in},
    suffix_entry{"between", field_op::between, condition_op::between},
    suffix_entry{"begins_with", field_op::begins_with, condition_op::begins_with},
};

constexpr std::string_view negation_prefix = "not_";

bool parse_suffix(std::string_view suffix, field_op& op, bool& negated) noexcept
{
    negated = suffix.size() > negation_prefix.size() &&
              detail::equals_ignoring_ascii_case(suffix.substr(0, negation_prefix.size()),
                                                 negation_prefix);
    if (negated) suffix.remove_prefix(negation_prefix.size());
    for (const suffix_entry& entry : suffixes) {
        if (detail::equals_ignoring_ascii_case(entry.suffix, suffix)) {
            op = entry.op;
            return true;
        }
    }
    return false;
}

/// Lower case, without '_', '-' and spaces: "Less_Than" is "lessthan".
std::string folded(std::string_view word)
{
    std::string out;
    for (char c : word)
        if (c != '_' && c != '-' && c != ' ') out += detail::ascii_lower(c);
    return out;
}

/// Whether a and b differ by at most one inserted, removed or replaced character.
bool within_one_edit(std::string_view a, std::string_view b) noexcept
{
    if (a.size() > b.size()) std::swap(a, b);
    if (b.size() - a.size() > 1) return false;
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    if (a.size() == b.size()) return a.substr(i + (i < a.size())) == b.substr(i + (i < b.size()));
    return a.substr(i) == b.substr(i + 1);
}

/// Whether the last name of a key is an attempt at an operator that is not one: another
/// library's operator word, a known one spelled with other separators or after "not", or a
/// near miss of a long one. Such a key is refused rather than read as a nested path.
bool resembles_folded_operator(std::string_view word)
{
    static constexpr std::array<std::string_view, 20> foreign{
        "like",     "ilike",       "contains",        "exists",             "neq",
        "nin",      "le",          "ge",              "lessthan",           "greaterthan",
        "lteq",     "gteq",        "lessthanorequal", "greaterthanorequal", "startswith",
        "startwith", "beginwith",  "equal",           "equals",             "eql"};
    // "not", "not_like", "notin", "not_not_eq"; but "notes" is a name.
    while (word.starts_with("not")) {
        word.remove_prefix(3);
        if (word.empty()) return true;
    }
    for (std::string_view f : foreign)
        if (word == f) return true;
    for (const suffix_entry& entry : suffixes) {
        const std::string op = folded(entry.suffix);
        if (word == op) return true;  // "begins-with", "LT " ...
        if (op.size() >= 7 && within_one_edit(word, op)) return true;  // "btween", "beginwith"
    }
    return false;
}

/// Whether the last name of a key is an attempt at an operator that is not one: another
/// library's operator word, a known one spelled with other separators or after "not", or a
/// near miss of a long one. Such a key is refused rather than read as a nested path.
bool resembles_operator(std::string_view name)
{
    const std::string word = folded(name);
    return !word.empty() && resembles_folded_operator(word);
}

condition_op condition_of(field_op op) noexcept
{
    for (const suffix_entry& entry : suffixes)
        if (entry.op == op) return entry.builds;
    return condition_op::eq;
}

std::string count_message(std::string_view expected, std::size_t got)
{
    return "needs " + std::string(expected) + ", got " + std::to_string(got);
}

error_code build(const field_operator& field, std::span<const attribute_value> values, bool on_size,
                 condition& out, std::string* why)
{
    const auto fail = [&](std::string_view message) -> error_code {
        if (why) *why = detail::quoted(field.key) + " " + std::string(message);
        return errc::invalid_argument;
    };
    if (field.path.empty()) return fail("has no path");

    // in and between also take their values as one list, as in where("id.in" => [1, 2]).
    if ((field.op == field_op::in || field.op == field_op::between) && values.size() == 1 &&
        values.front().type() == attribute_value::kind::l) {
        values = values.front().as_l();
    }

    try {
        const operand subject =
            on_size ? operand::of_size(field.path) : operand::of_path(field.path);
        condition c;
        switch (field.op) {
            case field_op::in:
                if (values.empty() || values.size() > max_in_operands) {
                    return fail(count_message("1 to " + std::to_string(max_in_operands) + " values",
                                              values.size()));
                }
                c = in(subject, std::vector<attribute_value>(values.begin(), values.end()));
                break;
            case field_op::between:
                if (values.size() != 2)
                    return fail(count_message("exactly 2 values", values.size()));
                c = between(subject, values[0], values[1]);
                break;
            case field_op::begins_with:
                if (on_size) return fail("does not apply to size()");
                if (values.size() != 1)
                    return fail(count_message("exactly 1 value", values.size()));
                if (!values[0].is_s() && values[0].type() != attribute_value::kind::b) {
                    return fail("needs a string or binary value, got " +
                                std::string(values[0].type_name()));
                }
                c = begins_with(field.path, values[0]);
                break;
            default:
                if (values.size() != 1)
                    return fail(count_message("exactly 1 value", values.size()));
                c = compare(subject, condition_of(field.op), operand::of_value(values[0]));
                break;
        }
        out = field.negated ? !c : std::move(c);
    } catch (const error& e) {
        // Checks the condition builders make themselves, such as BETWEEN's bound order.
        if (why) *why = detail::quoted(field.key) + ": " + e.diag().message;
        return e.code();
    }
    return {};
}

condition build_or_throw(const field_operator& field, std::span<const attribute_value> values,
                         bool on_size)
{
    return detail::value_or_throw<condition>(
        [&](condition& out, std::string* why) { return build(field, values, on_size, out, why); });
}

}  // namespace

std::string_view to_string(field_op op) noexcept
{
    for (const suffix_entry& entry : suffixes)
        if (entry.op == op) return entry.suffix;
    return "?";
}

std::string_view operator_names() noexcept
{
    return "eq, ne, lt, lte, gt, gte, in, between and begins_with, in any case, each also after "
           "\"not_\"";
}

error_code parse_field_operator(std::string_view key, field_operator& out, std::string* why)
{
    if (key.empty()) {
        if (why) *why = "empty field key";
        return errc::invalid_argument;
    }
    std::string_view path_text = key;
    field_op op = field_op::eq;
    bool negated = false;
    if (const std::size_t dot = key.rfind('.'); dot != std::string_view::npos) {
        const std::string_view suffix = key.substr(dot + 1);
        field_op suffix_op = field_op::eq;
        bool suffix_negated = false;
        if (parse_suffix(suffix, suffix_op, suffix_negated)) {
            if (dot == 0) {
                if (why) {
                    *why = "field key " + detail::quoted(key) + " has an operator but no path";
                }
                return errc::invalid_argument;
            }
            path_text = key.substr(0, dot);
            op = suffix_op;
            negated = suffix_negated;
        } else if (dot != 0 && resembles_operator(suffix)) {
            if (why) {
                *why = "field key " + detail::quoted(key) + ": unknown operator " +
                       detail::quoted(suffix) + "; the operators are " +
                       std::string(operator_names()) +
                       ". For the nested path itself, name the operator apart: where(" +
                       detail::quoted(key) + ", \"eq\", value)";
            }
            return errc::invalid_argument;
        }
    }
    document_path path;
    std::string path_why;
    if (error_code ec = document_path::parse(path_text, path, why ? &path_why : nullptr)) {
        if (why) *why = "field key " + detail::quoted(key) + ": " + path_why;
        return ec;
    }
    out = field_operator{std::string(key), std::move(path), op, negated};
    return {};
}

field_operator parse_field_operator(std::string_view key)
{
    return detail::value_or_throw<field_operator>(
        [&](field_operator& out, std::string* why) { return parse_field_operator(key, out, why); });
}

error_code make_condition(const field_operator& field, std::span<const attribute_value> values,
                          condition& out, std::string* why)
{
    return build(field, values, false, out, why);
}

error_code make_size_condition(const field_operator& field, std::span<const attribute_value> values,
                               condition& out, std::string* why)
{
    return build(field, values, true, out, why);
}

condition make_condition(const field_operator& field, std::span<const attribute_value> values)
{
    return build_or_throw(field, values, false);
}

condition make_condition(const field_operator& field, const std::vector<attribute_value>& values)
{
    return build_or_throw(field, values, false);
}

condition make_condition(const field_operator& field, std::initializer_list<attribute_value> values)
{
    return build_or_throw(field, std::span(values.begin(), values.size()), false);
}

condition make_condition(const field_operator& field, const attribute_value& value)
{
    return build_or_throw(field, std::span(&value, 1), false);
}

condition make_size_condition(const field_operator& field, std::span<const attribute_value> values)
{
    return build_or_throw(field, values, true);
}

condition make_size_condition(const field_operator& field,
                              const std::vector<attribute_value>& values)
{
    return build_or_throw(field, values, true);
}

condition make_size_condition(const field_operator& field,
                              std::initializer_list<attribute_value> values)
{
    return build_or_throw(field, std::span(values.begin(), values.size()), true);
}

condition make_size_condition(const field_operator& field, const attribute_value& value)
{
    return build_or_throw(field, std::span(&value, 1), true);
}

}  // namespace dynomite
