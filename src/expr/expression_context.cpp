// Placeholder allocation for one request's expressions, and projections.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/expr/expression_context.hpp>
#include "core/enum_text.hpp"
#include "core/or_throw.hpp"
#include "core/path_text.hpp"

#include <utility>

namespace dynomite {
namespace {

std::string name_placeholder(std::size_t i)
{
    return "#n" + std::to_string(i);
}
std::string value_placeholder(std::size_t i)
{
    return ":v" + std::to_string(i);
}

}  // namespace

std::string_view to_string(expression_kind kind) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"KeyConditionExpression", "FilterExpression",
                                                 "ConditionExpression", "ProjectionExpression",
                                                 "UpdateExpression"};
    return detail::enum_name(kind, names, "expression");
}

error_code check_expression_length(expression_kind kind, std::string_view expression,
                                   std::string* why)
{
    if (expression.size() <= max_expression_length) return {};
    if (why) {
        *why = std::string(to_string(kind)) + " is " + std::to_string(expression.size()) +
               " bytes long; DynamoDB allows at most " + std::to_string(max_expression_length);
    }
    return errc::invalid_argument;
}

std::string expression_context::name(std::string_view name)
{
    if (name.empty()) throw error(errc::invalid_argument, "empty attribute name in an expression");
    if (name.size() > max_attribute_name_length) {
        throw error(errc::invalid_argument, "attribute name " + detail::quoted(name) + " is " +
                                                std::to_string(name.size()) +
                                                " bytes long; DynamoDB allows at most " +
                                                std::to_string(max_attribute_name_length));
    }
    if (auto it = name_index_.find(name); it != name_index_.end()) return names_[it->second].first;
    const std::size_t index = names_.size();
    std::string placeholder = name_placeholder(index);
    names_.emplace_back(placeholder, std::string(name));
    name_index_.emplace(std::string(name), index);
    return placeholder;
}

std::string expression_context::value(attribute_value value)
{
    std::string placeholder = value_placeholder(values_.size());
    values_.set(placeholder, std::move(value));
    return placeholder;
}

std::string expression_context::path(const document_path& path)
{
    if (path.empty()) throw error(errc::invalid_argument, "empty document path in an expression");
    return detail::path_text(path, [this](const std::string& n) { return name(n); });
}

expression_names expression_context::take_names()
{
    name_index_.clear();
    return std::exchange(names_, {});
}

attribute_map expression_context::take_values()
{
    return std::exchange(values_, {});
}

void expression_context::rewind(mark_type m)
{
    while (names_.size() > m.names) {
        name_index_.erase(names_.back().second);
        names_.pop_back();
    }
    while (values_.size() > m.values) values_.erase(value_placeholder(values_.size() - 1));
}

error_code render_projection(const std::vector<document_path>& paths, expression_context& ctx,
                             std::string& out, std::string* why)
{
    const auto fail = [why](std::string message) -> error_code {
        if (why) *why = std::move(message);
        return errc::invalid_argument;
    };
    if (paths.empty()) return fail("ProjectionExpression without paths");
    for (std::size_t i = 0; i < paths.size(); ++i) {
        if (paths[i].empty()) return fail("empty document path in a ProjectionExpression");
        for (std::size_t j = 0; j < i; ++j) {
            if (paths[i].overlaps(paths[j])) {
                return fail("ProjectionExpression paths " + detail::quoted(paths[j].to_string()) +
                            " and " + detail::quoted(paths[i].to_string()) +
                            " overlap; DynamoDB refuses overlapping paths");
            }
        }
    }
    const expression_context::mark_type mark = ctx.mark();
    std::string text;
    for (const document_path& p : paths) {
        if (!text.empty()) text += ", ";
        text += ctx.path(p);
    }
    if (error_code ec = check_expression_length(expression_kind::projection, text, why)) {
        ctx.rewind(mark);
        return ec;
    }
    out = std::move(text);
    return {};
}

std::string render_projection(const std::vector<document_path>& paths, expression_context& ctx)
{
    return detail::value_or_throw<std::string>([&](std::string& out, std::string* why) {
        return render_projection(paths, ctx, out, why);
    });
}

}  // namespace dynomite
