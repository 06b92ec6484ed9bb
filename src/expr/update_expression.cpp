// Update expressions: the actions, their checks and rendering.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/expr/update_expression.hpp>
#include "core/enum_text.hpp"
#include "core/or_throw.hpp"

#include <array>
#include <utility>

namespace dynomite {
namespace {

using detail::throw_invalid;

enum class clause : unsigned char { set, remove, add, delete_ };

clause clause_of(update_op op) noexcept
{
    switch (op) {
        case update_op::remove:
            return clause::remove;
        case update_op::add:
            return clause::add;
        case update_op::delete_from_set:
            return clause::delete_;
        default:
            return clause::set;
    }
}

bool is_set_type(attribute_value::kind k) noexcept
{
    return k == attribute_value::kind::ss || k == attribute_value::kind::ns ||
           k == attribute_value::kind::bs;
}

void render_action(const update_action& a, expression_context& ctx, std::string& out)
{
    const std::string path = ctx.path(a.path);
    switch (a.op) {
        case update_op::set:
            out += path + " = " + ctx.value(a.value);
            break;
        case update_op::set_if_not_exists:
            out += path + " = if_not_exists(" + path + ", " + ctx.value(a.value) + ")";
            break;
        case update_op::list_append:
            out += path + " = list_append(" + path + ", " + ctx.value(a.value) + ")";
            break;
        case update_op::list_prepend:
            out += path + " = list_append(" + ctx.value(a.value) + ", " + path + ")";
            break;
        case update_op::increment:
            out += path + " = " + path + " + " + ctx.value(a.value);
            break;
        case update_op::decrement:
            out += path + " = " + path + " - " + ctx.value(a.value);
            break;
        case update_op::remove:
            out += path;
            break;
        case update_op::add:
        case update_op::delete_from_set:
            out += path + " " + ctx.value(a.value);
            break;
    }
}

}  // namespace

std::string_view to_string(update_op op) noexcept
{
    // In the order of the enumerators.
    // clang-format off
    static constexpr std::string_view names[] = {
        "set", "set_if_not_exists", "list_append", "list_prepend", "increment", "decrement",
        "remove", "add", "delete_from_set"};
    // clang-format on
    return detail::enum_name(op, names, "?");
}

update_expression& update_expression::push(update_op op, const document_path& path,
                                           attribute_value value)
{
    if (path.empty()) throw_invalid("empty document path in an update expression");
    for (const update_action& a : actions_) {
        if (a.path == path) {
            throw_invalid("update expression changes " + detail::quoted(path.to_string()) +
                          " twice; DynamoDB allows one action per path");
        }
        if (a.path.overlaps(path)) {
            throw_invalid("update expression paths " + detail::quoted(a.path.to_string()) +
                          " and " + detail::quoted(path.to_string()) +
                          " overlap; DynamoDB refuses overlapping paths");
        }
    }
    actions_.push_back(update_action{op, path, std::move(value)});
    return *this;
}

update_expression& update_expression::set(const document_path& path, attribute_value value)
{
    return push(update_op::set, path, std::move(value));
}

update_expression& update_expression::set_if_not_exists(const document_path& path,
                                                        attribute_value value)
{
    return push(update_op::set_if_not_exists, path, std::move(value));
}

update_expression& update_expression::list_append(const document_path& path, attribute_list values)
{
    return push(update_op::list_append, path, std::move(values));
}

update_expression& update_expression::list_prepend(const document_path& path, attribute_list values)
{
    return push(update_op::list_prepend, path, std::move(values));
}

update_expression& update_expression::increment(const document_path& path, number by)
{
    return push(update_op::increment, path, std::move(by));
}

update_expression& update_expression::decrement(const document_path& path, number by)
{
    return push(update_op::decrement, path, std::move(by));
}

update_expression& update_expression::remove(const document_path& path)
{
    return push(update_op::remove, path, attribute_value());
}

update_expression& update_expression::add(const document_path& path, attribute_value value)
{
    if (!value.is_n() && !is_set_type(value.type())) {
        throw_invalid("ADD on " + detail::quoted(path.to_string()) +
                      " needs a number or a set (SS, NS, BS), got " +
                      std::string(value.type_name()));
    }
    return push(update_op::add, path, std::move(value));
}

update_expression& update_expression::delete_from_set(const document_path& path,
                                                      attribute_value elements)
{
    if (!is_set_type(elements.type())) {
        throw_invalid("DELETE on " + detail::quoted(path.to_string()) +
                      " needs a set (SS, NS, BS), got " + std::string(elements.type_name()));
    }
    return push(update_op::delete_from_set, path, std::move(elements));
}

error_code render(const update_expression& u, expression_context& ctx, std::string& out,
                  std::string* why)
{
    if (u.empty()) {
        if (why) *why = "UpdateExpression without actions";
        return errc::invalid_argument;
    }
    static constexpr std::array<std::pair<clause, std::string_view>, 4> clauses{{
        {clause::set, "SET "},
        {clause::remove, "REMOVE "},
        {clause::add, "ADD "},
        {clause::delete_, "DELETE "},
    }};
    const expression_context::mark_type mark = ctx.mark();
    std::string text;
    for (const auto& [which, keyword] : clauses) {
        bool first = true;
        for (const update_action& a : u.actions()) {
            if (clause_of(a.op) != which) continue;
            if (first) {
                if (!text.empty()) text += ' ';
                text += keyword;
                first = false;
            } else {
                text += ", ";
            }
            render_action(a, ctx, text);
        }
    }
    if (error_code ec = check_expression_length(expression_kind::update, text, why)) {
        ctx.rewind(mark);
        return ec;
    }
    out = std::move(text);
    return {};
}

std::string render(const update_expression& u, expression_context& ctx)
{
    return detail::value_or_throw<std::string>(
        [&](std::string& out, std::string* why) { return render(u, ctx, out, why); });
}

}  // namespace dynomite
