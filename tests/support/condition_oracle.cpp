#include "support/condition_oracle.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace dynomite::test::oracle {

namespace {

/// A decimal as 0.digits x 10^exponent, digits without leading or trailing zeros.
struct decimal {
    bool negative = false;
    std::string digits;  // empty: zero
    long exponent = 0;
};

decimal parse_decimal(std::string_view text)
{
    decimal d;
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
    std::string all_digits;
    long point = -1;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
        if (text[i] == '.') {
            point = static_cast<long>(all_digits.size());
        } else if (text[i] >= '0' && text[i] <= '9') {
            all_digits.push_back(text[i]);
        } else {
            throw std::invalid_argument("not a number: " + std::string(text));
        }
    }
    if (point < 0) point = static_cast<long>(all_digits.size());
    long exponent = 0;
    if (i < text.size())
        exponent = std::strtol(std::string(text.substr(i + 1)).c_str(), nullptr, 10);
    const auto first = all_digits.find_first_not_of('0');
    if (first == std::string::npos) return decimal{};  // zero, whatever its sign
    const auto last = all_digits.find_last_not_of('0');
    d.digits = all_digits.substr(first, last - first + 1);
    d.exponent = point - static_cast<long>(first) + exponent;
    return d;
}

int compare_magnitudes(const decimal& a, const decimal& b)
{
    if (a.exponent != b.exponent) return a.exponent < b.exponent ? -1 : 1;
    const int c = a.digits.compare(b.digits);  // no trailing zeros: plain order works
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int compare_bytes(const void* a, std::size_t a_size, const void* b, std::size_t b_size)
{
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    const bool less = std::lexicographical_compare(x, x + a_size, y, y + b_size);
    const bool greater = std::lexicographical_compare(y, y + b_size, x, x + a_size);
    return less ? -1 : (greater ? 1 : 0);
}

template <class T, class Equal>
bool same_members(const std::vector<T>& a, const std::vector<T>& b, Equal equal)
{
    if (a.size() != b.size()) return false;
    return std::all_of(a.begin(), a.end(), [&](const T& x) {
        return std::any_of(b.begin(), b.end(), [&](const T& y) { return equal(x, y); });
    });
}

bool numbers_equal(const number& a, const number& b)
{
    return compare_numbers(a.text(), b.text()) == 0;
}

std::size_t utf16_units(const std::string& s)
{
    std::size_t units = 0;
    for (const unsigned char c : s) {
        if ((c & 0xC0) == 0x80) continue;  // continuation byte
        units += c >= 0xF0 ? 2 : 1;        // four-byte sequences are surrogate pairs
    }
    return units;
}

bool compare_holds(int c, compare_op op)
{
    switch (op) {
        case compare_op::eq:
            return c == 0;
        case compare_op::ne:
            return c != 0;
        case compare_op::lt:
            return c < 0;
        case compare_op::le:
            return c <= 0;
        case compare_op::gt:
            return c > 0;
        case compare_op::ge:
            return c >= 0;
    }
    return false;
}

/// The subject of a leaf: the value at the path, or its size as a number.
std::optional<attribute_value> subject_of(const expr& e, const attribute_map& item)
{
    const attribute_value* v = resolve(item, e.path);
    if (v == nullptr) return std::nullopt;
    if (!e.of_size) return *v;
    const auto size = size_of_value(*v);
    if (!size) return std::nullopt;
    return attribute_value(number(static_cast<std::uint64_t>(*size)));
}

bool contains_value(const attribute_value& subject, const attribute_value& v)
{
    if (const auto* s = subject.get_if<std::string>()) {
        const auto* needle = v.get_if<std::string>();
        return needle != nullptr && s->find(*needle) != std::string::npos;
    }
    if (const auto* b = subject.get_if<bytes>()) {
        const auto* needle = v.get_if<bytes>();
        // DynamoDB Local: contains(b'', b'') is true, as for strings.
        return needle != nullptr &&
               (needle->empty() ||
                std::search(b->begin(), b->end(), needle->begin(), needle->end()) != b->end());
    }
    if (const auto* ss = subject.get_if<string_set>()) {
        const auto* s = v.get_if<std::string>();
        return s != nullptr &&
               std::find(ss->values.begin(), ss->values.end(), *s) != ss->values.end();
    }
    if (const auto* ns = subject.get_if<number_set>()) {
        const auto* n = v.get_if<number>();
        return n != nullptr && std::any_of(ns->values.begin(), ns->values.end(),
                                           [&](const number& m) { return numbers_equal(m, *n); });
    }
    if (const auto* bs = subject.get_if<binary_set>()) {
        const auto* b = v.get_if<bytes>();
        return b != nullptr &&
               std::find(bs->values.begin(), bs->values.end(), *b) != bs->values.end();
    }
    if (const auto* l = subject.get_if<attribute_list>()) {
        return std::any_of(l->begin(), l->end(),
                           [&](const attribute_value& x) { return values_equal(x, v); });
    }
    return false;
}

std::string op_text(compare_op op)
{
    switch (op) {
        case compare_op::eq:
            return "=";
        case compare_op::ne:
            return "<>";
        case compare_op::lt:
            return "<";
        case compare_op::le:
            return "<=";
        case compare_op::gt:
            return ">";
        case compare_op::ge:
            return ">=";
    }
    return "?";
}

std::string hex(const bytes& b)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const std::byte x : b) {
        out.push_back(digits[std::to_integer<unsigned>(x) >> 4]);
        out.push_back(digits[std::to_integer<unsigned>(x) & 15]);
    }
    return out;
}

std::string function_name(expr::kind k)
{
    switch (k) {
        case expr::kind::begins_with:
            return "begins_with";
        case expr::kind::contains:
            return "contains";
        case expr::kind::exists:
            return "attribute_exists";
        case expr::kind::not_exists:
            return "attribute_not_exists";
        case expr::kind::type:
            return "attribute_type";
        default:
            return "?";
    }
}

template <class Path, class Value>
std::string render(const expr& e, Path&& path, Value&& value)
{
    const auto subject = e.of_size ? "size(" + path(e.path) + ")" : path(e.path);
    auto join = [&](std::string_view word) {
        std::string out;
        for (std::size_t i = 0; i < e.children.size(); ++i) {
            if (i > 0) out += word;
            out += "(" + render(e.children[i], path, value) + ")";
        }
        return out;
    };
    switch (e.k) {
        case expr::kind::compare:
            return subject + " " + op_text(e.op) + " " + value(e.values[0]);
        case expr::kind::between:
            return subject + " BETWEEN " + value(e.values[0]) + " AND " + value(e.values[1]);
        case expr::kind::in: {
            std::string out = subject + " IN (";
            for (std::size_t i = 0; i < e.values.size(); ++i)
                out += (i > 0 ? ", " : "") + value(e.values[i]);
            return out + ")";
        }
        case expr::kind::begins_with:
        case expr::kind::contains:
            return function_name(e.k) + "(" + path(e.path) + ", " + value(e.values[0]) + ")";
        case expr::kind::exists:
        case expr::kind::not_exists:
            return function_name(e.k) + "(" + path(e.path) + ")";
        case expr::kind::type:
            return "attribute_type(" + path(e.path) + ", " +
                   value(attribute_value(std::string(attribute_value::type_name(e.type_name)))) +
                   ")";
        case expr::kind::and_:
            return join(" AND ");
        case expr::kind::or_:
            return join(" OR ");
        case expr::kind::not_:
            return "NOT (" + render(e.children[0], path, value) + ")";
    }
    return "?";
}

}  // namespace

expr make_compare(document_path path, compare_op op, attribute_value value, bool of_size)
{
    expr e;
    e.k = expr::kind::compare;
    e.path = std::move(path);
    e.op = op;
    e.of_size = of_size;
    e.values = {std::move(value)};
    return e;
}

expr make_between(document_path path, attribute_value low, attribute_value high, bool of_size)
{
    expr e;
    e.k = expr::kind::between;
    e.path = std::move(path);
    e.of_size = of_size;
    e.values = {std::move(low), std::move(high)};
    return e;
}

expr make_in(document_path path, std::vector<attribute_value> values, bool of_size)
{
    expr e;
    e.k = expr::kind::in;
    e.path = std::move(path);
    e.of_size = of_size;
    e.values = std::move(values);
    return e;
}

expr make_function(expr::kind k, document_path path, attribute_value value)
{
    expr e;
    e.k = k;
    e.path = std::move(path);
    if (k == expr::kind::begins_with || k == expr::kind::contains) e.values = {std::move(value)};
    return e;
}

expr make_type(document_path path, attribute_value::kind type)
{
    expr e;
    e.k = expr::kind::type;
    e.path = std::move(path);
    e.type_name = type;
    return e;
}

expr make_and(std::vector<expr> children)
{
    expr e;
    e.k = expr::kind::and_;
    e.children = std::move(children);
    return e;
}

expr make_or(std::vector<expr> children)
{
    expr e;
    e.k = expr::kind::or_;
    e.children = std::move(children);
    return e;
}

expr make_not(expr child)
{
    expr e;
    e.k = expr::kind::not_;
    e.children = {std::move(child)};
    return e;
}

int compare_numbers(std::string_view a, std::string_view b)
{
    const decimal x = parse_decimal(a);
    const decimal y = parse_decimal(b);
    const int sx = x.digits.empty() ? 0 : (x.negative ? -1 : 1);
    const int sy = y.digits.empty() ? 0 : (y.negative ? -1 : 1);
    if (sx != sy) return sx < sy ? -1 : 1;
    if (sx == 0) return 0;
    const int magnitude = compare_magnitudes(x, y);
    return sx > 0 ? magnitude : -magnitude;
}

bool values_equal(const attribute_value& a, const attribute_value& b)
{
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case attribute_value::kind::s:
            return a.as_s() == b.as_s();
        case attribute_value::kind::n:
            return numbers_equal(a.as_n(), b.as_n());
        case attribute_value::kind::b:
            return a.as_b() == b.as_b();
        case attribute_value::kind::boolean:
            return a.as_bool() == b.as_bool();
        case attribute_value::kind::null:
            return true;
        case attribute_value::kind::m: {
            const auto& x = a.as_m();
            const auto& y = b.as_m();
            if (x.size() != y.size()) return false;
            return std::all_of(x.begin(), x.end(), [&](const auto& entry) {
                const auto* other = y.find(entry.first);
                return other != nullptr && values_equal(entry.second, *other);
            });
        }
        case attribute_value::kind::l: {
            const auto& x = a.as_l();
            const auto& y = b.as_l();
            return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), values_equal);
        }
        case attribute_value::kind::ss:
            return same_members(a.as_ss().values, b.as_ss().values, std::equal_to<>());
        case attribute_value::kind::ns:
            return same_members(a.as_ns().values, b.as_ns().values, numbers_equal);
        case attribute_value::kind::bs:
            return same_members(a.as_bs().values, b.as_bs().values, std::equal_to<>());
    }
    return false;
}

std::optional<int> compare_scalars(const attribute_value& a, const attribute_value& b)
{
    if (a.type() != b.type()) return std::nullopt;
    switch (a.type()) {
        case attribute_value::kind::s:
            return compare_bytes(a.as_s().data(), a.as_s().size(), b.as_s().data(),
                                 b.as_s().size());
        case attribute_value::kind::n:
            return compare_numbers(a.as_n().text(), b.as_n().text());
        case attribute_value::kind::b:
            return compare_bytes(a.as_b().data(), a.as_b().size(), b.as_b().data(),
                                 b.as_b().size());
        default:
            return std::nullopt;
    }
}

const attribute_value* resolve(const attribute_map& item, const document_path& path)
{
    const attribute_value* at = nullptr;
    for (const auto& segment : path.segments()) {
        if (segment.is_name()) {
            const attribute_map* map = at == nullptr ? &item : at->get_if<attribute_map>();
            if (map == nullptr) return nullptr;
            at = map->find(segment.name());
        } else {
            const auto* list = at == nullptr ? nullptr : at->get_if<attribute_list>();
            if (list == nullptr || segment.index() >= list->size()) return nullptr;
            at = &(*list)[segment.index()];
        }
        if (at == nullptr) return nullptr;
    }
    return at;
}

std::optional<std::size_t> size_of_value(const attribute_value& v)
{
    switch (v.type()) {
        case attribute_value::kind::s:
            return utf16_units(v.as_s());
        case attribute_value::kind::b:
            return v.as_b().size();
        case attribute_value::kind::m:
            return v.as_m().size();
        case attribute_value::kind::l:
            return v.as_l().size();
        case attribute_value::kind::ss:
            return v.as_ss().values.size();
        case attribute_value::kind::ns:
            return v.as_ns().values.size();
        case attribute_value::kind::bs:
            return v.as_bs().values.size();
        default:
            return std::nullopt;
    }
}

bool evaluate(const expr& e, const attribute_map& item)
{
    switch (e.k) {
        case expr::kind::and_:
            return std::all_of(e.children.begin(), e.children.end(),
                               [&](const expr& c) { return evaluate(c, item); });
        case expr::kind::or_:
            return std::any_of(e.children.begin(), e.children.end(),
                               [&](const expr& c) { return evaluate(c, item); });
        case expr::kind::not_:
            return !evaluate(e.children[0], item);
        case expr::kind::exists:
            return resolve(item, e.path) != nullptr;
        case expr::kind::not_exists:
            return resolve(item, e.path) == nullptr;
        case expr::kind::type: {
            const auto* v = resolve(item, e.path);
            return v != nullptr && v->type() == e.type_name;
        }
        default:
            break;
    }
    const auto subject = subject_of(e, item);
    switch (e.k) {
        case expr::kind::compare: {
            if (e.op == compare_op::ne) return !subject || !values_equal(*subject, e.values[0]);
            if (!subject) return false;
            if (e.op == compare_op::eq) return values_equal(*subject, e.values[0]);
            const auto c = compare_scalars(*subject, e.values[0]);
            return c && compare_holds(*c, e.op);
        }
        case expr::kind::between: {
            if (!subject) return false;
            const auto low = compare_scalars(*subject, e.values[0]);
            const auto high = compare_scalars(*subject, e.values[1]);
            return low && high && *low >= 0 && *high <= 0;
        }
        case expr::kind::in:
            return subject && std::any_of(e.values.begin(), e.values.end(),
                                          [&](const auto& v) { return values_equal(*subject, v); });
        case expr::kind::begins_with: {
            if (!subject) return false;
            const auto& prefix = e.values[0];
            if (subject->is_s() && prefix.is_s()) return subject->as_s().starts_with(prefix.as_s());
            if (subject->type() == attribute_value::kind::b &&
                prefix.type() == attribute_value::kind::b) {
                const auto& b = subject->as_b();
                const auto& p = prefix.as_b();
                return b.size() >= p.size() && std::equal(p.begin(), p.end(), b.begin());
            }
            return false;
        }
        case expr::kind::contains:
            return subject && contains_value(*subject, e.values[0]);
        default:
            return false;
    }
}

std::string describe(const attribute_value& v)
{
    auto list = [](const auto& values, auto&& one, std::string_view open, std::string_view close) {
        std::string out(open);
        bool first = true;
        for (const auto& x : values) {
            if (!first) out += ", ";
            first = false;
            out += one(x);
        }
        return out + std::string(close);
    };
    auto quote = [](const std::string& s) { return "\"" + s + "\""; };
    auto num = [](const number& n) { return n.text(); };
    auto bin = [](const bytes& b) { return "b'" + hex(b) + "'"; };
    switch (v.type()) {
        case attribute_value::kind::s:
            return quote(v.as_s());
        case attribute_value::kind::n:
            return v.as_n().text();
        case attribute_value::kind::b:
            return bin(v.as_b());
        case attribute_value::kind::boolean:
            return v.as_bool() ? "true" : "false";
        case attribute_value::kind::null:
            return "null";
        case attribute_value::kind::m:
            return list(
                v.as_m(), [&](const auto& e) { return quote(e.first) + ": " + describe(e.second); },
                "{", "}");
        case attribute_value::kind::l:
            return list(
                v.as_l(), [](const attribute_value& x) { return describe(x); }, "[", "]");
        case attribute_value::kind::ss:
            return list(v.as_ss().values, quote, "<<", ">>");
        case attribute_value::kind::ns:
            return list(v.as_ns().values, num, "<<", ">>");
        case attribute_value::kind::bs:
            return list(v.as_bs().values, bin, "<<", ">>");
    }
    return "?";
}

std::string describe(const expr& e)
{
    return render(
        e, [](const document_path& p) { return p.to_string(); },
        [](const attribute_value& v) { return describe(v); });
}

filter_expression render_filter(const expr& e)
{
    filter_expression out;
    auto path = [&](const document_path& p) {
        std::string text;
        for (const auto& segment : p.segments()) {
            if (segment.is_index()) {
                text += "[" + std::to_string(segment.index()) + "]";
                continue;
            }
            const auto found = std::find_if(out.names.begin(), out.names.end(), [&](const auto& n) {
                return n.second == segment.name();
            });
            std::string placeholder;
            if (found != out.names.end()) {
                placeholder = found->first;
            } else {
                placeholder = "#p" + std::to_string(out.names.size());
                out.names.emplace_back(placeholder, segment.name());
            }
            text += (text.empty() ? "" : ".") + placeholder;
        }
        return text;
    };
    auto value = [&](const attribute_value& v) {
        std::string placeholder = ":c" + std::to_string(out.values.size());
        out.values.set(placeholder, v);
        return placeholder;
    };
    out.text = render(e, path, value);
    return out;
}

}  // namespace dynomite::test::oracle
