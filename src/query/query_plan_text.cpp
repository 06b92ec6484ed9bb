// Plans in words, for explain(): the request with its placeholders resolved to the names and
// values they stand for, and the raw expressions DynamoDB gets.
#include "query/plan_text.hpp"

#include <dynomite/core/diagnostics.hpp>
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/query/query_plan.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace dynomite {
namespace {

using detail::joined;

void append_readable(const attribute_value& v, std::string& out);

template <class Range, class F>
void append_all(const Range& r, std::string& out, F&& each)
{
    bool first = true;
    for (const auto& e : r) {
        if (!first) out += ", ";
        first = false;
        each(e);
    }
}

void append_readable(const attribute_value& v, std::string& out)
{
    switch (v.type()) {
        case attribute_value::kind::s:
            out += detail::quoted(v.as_s());
            return;
        case attribute_value::kind::n:
            out += v.as_n().text();
            return;
        case attribute_value::kind::b:
            out += 'b' + detail::quoted(base64_encode(v.as_b()));
            return;
        case attribute_value::kind::boolean:
            out += v.as_bool() ? "true" : "false";
            return;
        case attribute_value::kind::null:
            out += "null";
            return;
        case attribute_value::kind::m:
            out += '{';
            append_all(v.as_m(), out, [&](const attribute_map::value_type& e) {
                out += detail::quoted(e.first) + ": ";
                append_readable(e.second, out);
            });
            out += '}';
            return;
        case attribute_value::kind::l:
            out += '[';
            append_all(v.as_l(), out, [&](const attribute_value& e) { append_readable(e, out); });
            out += ']';
            return;
        case attribute_value::kind::ss:
            out += "<<";
            append_all(v.as_ss().values, out,
                       [&](const std::string& e) { out += detail::quoted(e); });
            out += ">>";
            return;
        case attribute_value::kind::ns:
            out += "<<";
            append_all(v.as_ns().values, out, [&](const number& e) { out += e.text(); });
            out += ">>";
            return;
        case attribute_value::kind::bs:
            out += "<<";
            append_all(v.as_bs().values, out,
                       [&](const bytes& e) { out += 'b' + detail::quoted(base64_encode(e)); });
            out += ">>";
            return;
    }
}

bool is_placeholder_char(char ch) noexcept
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           ch == '_';
}

// Replaces each placeholder by the name or value it stands for.
std::string resolved(std::string_view expression, const expression_names& names,
                     const attribute_map& values)
{
    std::string out;
    std::size_t i = 0;
    while (i < expression.size()) {
        const char ch = expression[i];
        if (ch != '#' && ch != ':') {
            out += ch;
            ++i;
            continue;
        }
        std::size_t end = i + 1;
        while (end < expression.size() && is_placeholder_char(expression[end])) ++end;
        const std::string_view token = expression.substr(i, end - i);
        bool replaced = false;
        if (ch == '#') {
            for (const auto& [placeholder, name] : names) {
                if (placeholder == token) {
                    out += name;
                    replaced = true;
                    break;
                }
            }
        } else if (const attribute_value* v = values.find(token)) {
            append_readable(*v, out);
            replaced = true;
        }
        if (!replaced) out += token;
        i = end;
    }
    return out;
}

struct explained {
    std::vector<std::string> parts;
    std::vector<std::string> raw;
};

template <class Request>
void explain_common(const Request& r, explained& e)
{
    const auto add = [&](std::string_view label, std::string_view field,
                         const std::optional<std::string>& text) {
        if (!text) return;
        e.parts.push_back(
            std::string(label) + ": " +
            resolved(*text, r.expression_attribute_names, r.expression_attribute_values));
        e.raw.push_back(std::string(field) + ": " + *text);
    };
    add("filter", "FilterExpression", r.filter_expression);
    add("projection", "ProjectionExpression", r.projection_expression);
    if (r.select == select_attributes::count) e.parts.push_back("count only");
    if (r.consistent_read == true) e.parts.push_back("consistent read");
    if (r.limit) e.parts.push_back("Limit " + std::to_string(*r.limit));
    if (r.exclusive_start_key) e.parts.push_back("after an exclusive start key");
}

}  // namespace

namespace detail {

void append_readable_value(const attribute_value& v, std::string& out) { append_readable(v, out); }

std::string joined(const std::vector<std::string>& parts, std::string_view separator)
{
    std::string out;
    for (const std::string& p : parts) {
        if (!out.empty()) out += separator;
        out += p;
    }
    return out;
}

}  // namespace detail

std::string query_plan::to_string() const
{
    explained e;
    std::string head;
    const auto target = [](const auto& r) {
        return r.index_name ? "index " + *r.index_name : "table " + r.table_name;
    };
    if (const auto* q = std::get_if<query_request>(&request)) {
        head = "Query on " + target(*q);
        e.parts.push_back("key condition: " + resolved(q->key_condition_expression,
                                                       q->expression_attribute_names,
                                                       q->expression_attribute_values));
        e.raw.push_back("KeyConditionExpression: " + q->key_condition_expression);
        explain_common(*q, e);
        if (!residual.empty()) {
            expression_context ctx;
            std::string text;
            if (!render(residual, ctx, expression_kind::filter, text)) {
                const expression_names names = ctx.take_names();
                const attribute_map values = ctx.take_values();
                e.parts.push_back("evaluated on the client: " + resolved(text, names, values));
            }
        }
        if (q->scan_index_forward == false) e.parts.push_back("descending");
    } else {
        const auto& s = std::get<scan_request>(request);
        head = "Scan on " + target(s);
        explain_common(s, e);
        if (s.segment && s.total_segments) {
            e.parts.push_back("segment " + std::to_string(*s.segment) + " of " +
                              std::to_string(*s.total_segments));
        }
    }
    e.parts.push_back("reason: " + reason);
    std::string out = head + " (" + joined(e.parts, "; ") + ")";
    if (!e.raw.empty()) out += " [" + joined(e.raw, "; ") + "]";
    return out;
}

}  // namespace dynomite
