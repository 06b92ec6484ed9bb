// The query planner: which table or index a relation reads, and the exact request.
#include "query/key_conditions.hpp"

#include "expr/condition_evaluator.hpp"
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/query/query_plan.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

namespace dynomite {
namespace {

constexpr std::int32_t max_total_segments = 1000000;

error_code fail(std::string* why, std::string message)
{
    if (why) *why = std::move(message);
    return errc::invalid_argument;
}

// A table key or an index the relation could read.
struct candidate {
    const index_schema* index = nullptr;  // null for the table
    primary_key key;

    int rank() const noexcept
    {
        if (!index) return 0;
        return index->type == index_schema::kind::local ? 1 : 2;
    }
    const std::string& name() const
    {
        static const std::string table;
        return index ? index->name : table;
    }
    // "table key" or "index by_email", for reasons.
    std::string label() const { return index ? "index " + index->name : "table key"; }
    // "table \"Posts\"" or "index \"by_email\"", for error messages.
    std::string owner(const table_schema& schema) const
    {
        return index ? "index " + detail::quoted(index->name)
                     : "table " + detail::quoted(schema.table_name);
    }
};

std::vector<candidate> candidates_of(const table_schema& schema)
{
    std::vector<candidate> out;
    out.push_back(candidate{nullptr, schema.key});
    for (const index_schema& index : schema.indexes) out.push_back(candidate{&index, index.key});
    std::stable_sort(out.begin(), out.end(), [](const candidate& a, const candidate& b) {
        if (a.rank() != b.rank()) return a.rank() < b.rank();
        return a.name() < b.name();
    });
    return out;
}

// Inspection of conditions.

using detail::is_attribute;

bool is_partition_key_condition(const condition& c, const std::string& name)
{
    return !c.is_logical() && c.op() == condition_op::eq && is_attribute(c.subject(), name) &&
           detail::compares_with_key_values(c);
}

void add_name(std::vector<std::string>& names, const std::string& name)
{
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

// The top-level attributes a condition reads, wherever they appear in it.
void collect_attributes(const condition& c, std::vector<std::string>& out)
{
    if (c.is_logical()) {
        for (const condition& child : c.children()) collect_attributes(child, out);
        return;
    }
    add_name(out, c.path().attribute_name());
    for (const operand& a : c.arguments()) {
        if (a.type() != operand::kind::value) add_name(out, a.path().attribute_name());
    }
}

bool references(const condition& c, const std::string& name)
{
    std::vector<std::string> names;
    collect_attributes(c, names);
    return std::find(names.begin(), names.end(), name) != names.end();
}

scalar_attribute_type scalar_type_of(const attribute_value& v) noexcept
{
    switch (v.type()) {
        case attribute_value::kind::s:
            return scalar_attribute_type::s;
        case attribute_value::kind::n:
            return scalar_attribute_type::n;
        case attribute_value::kind::b:
            return scalar_attribute_type::b;
        default:
            return scalar_attribute_type::unknown;
    }
}

// A key condition's values must have the key attribute's type: items whose index key has
// another type cannot be written, so such a condition is always a mistake.
error_code check_key_types(const table_schema& schema, const candidate& c, const key_attribute& key,
                           const condition& kc, std::string* why)
{
    const std::string attribute = "key attribute " + detail::quoted(key.name) + " of " +
                                  c.owner(schema) + " is of type " +
                                  std::string(to_string(key.type));
    if (kc.op() == condition_op::begins_with && key.type == scalar_attribute_type::n) {
        return fail(why, attribute + "; begins_with needs a key of type S or B");
    }
    for (const operand& a : kc.arguments()) {
        const attribute_value& v = a.value();
        if (scalar_type_of(v) != key.type) {
            return fail(why, attribute + ", but its " + std::string(to_string(kc.op())) +
                                 " condition has a value of type " + std::string(v.type_name()));
        }
    }
    return {};
}

// How a candidate would serve the relation's conditions.
struct analysis {
    bool has_equality = false;
    bool usable = false;
    std::string rejection;  // why not usable
    condition key_condition;
    std::vector<condition> filter_terms;
    // Conditions on the key attributes that neither the key condition nor the filter can
    // take: evaluated on the client.
    std::vector<condition> residual_terms;
    std::vector<std::string> key_attributes;  // those with a key condition
    int consumed = 0;
};

// The key attribute of an index that no condition requires to exist: the index lacks the
// items without it, which the relation may match. None for the table, which holds them all.
const key_attribute* sparse_key(const candidate& c, const std::vector<condition>& conjuncts)
{
    if (!c.index) return nullptr;
    for (const key_attribute* key : {&c.key.partition, c.key.sort ? &*c.key.sort : nullptr}) {
        if (!key) continue;
        const bool required = std::any_of(
            conjuncts.begin(), conjuncts.end(),
            [&](const condition& t) { return detail::requires_existence(t, key->name); });
        if (!required) return key;
    }
    return nullptr;
}

// How the planner treats a candidate: chosen among others, or forced by index_name().
enum class choice { automatic, forced };

// A key condition's value of another type than the key: an error when the candidate is the
// table (its key types hold for every item, so the condition is a mistake) or forced; else
// the index is merely not a candidate.
error_code check_types(const table_schema& schema, const candidate& c, choice how,
                       const key_attribute& key, const condition& kc, analysis& out,
                       std::string* why)
{
    if (how == choice::forced || !c.index) return check_key_types(schema, c, key, kc, why);
    std::string mismatch;
    if (check_key_types(schema, c, key, kc, &mismatch)) out.rejection = std::move(mismatch);
    return {};
}

error_code analyze(const table_schema& schema, const candidate& c, choice how,
                   const std::vector<condition>& conjuncts, analysis& out, std::string* why)
{
    out = analysis{};
    const std::string& pk = c.key.partition.name;
    auto pk_it = std::find_if(conjuncts.begin(), conjuncts.end(), [&](const condition& t) {
        return is_partition_key_condition(t, pk);
    });
    if (pk_it == conjuncts.end()) {
        out.rejection = "no equality condition on partition key " + pk;
        return {};
    }
    out.has_equality = true;
    if (c.index && !c.index->active) {
        out.rejection = "not ACTIVE";
        return {};
    }
    if (how == choice::automatic) {
        if (const key_attribute* sparse = sparse_key(c, conjuncts)) {
            out.rejection =
                "does not hold items without " + sparse->name + ", which no condition requires";
            return {};
        }
    }
    if (error_code ec = check_types(schema, c, how, c.key.partition, *pk_it, out, why)) return ec;
    if (!out.rejection.empty()) return {};
    out.key_condition = *pk_it;
    out.key_attributes.push_back(pk);
    out.consumed = 1;

    std::vector<condition> rest;
    for (auto it = conjuncts.begin(); it != conjuncts.end(); ++it) {
        if (it != pk_it) rest.push_back(*it);
    }
    if (c.key.sort) {
        const std::string& sk = c.key.sort->name;
        std::vector<condition> on_sort;
        std::vector<condition> others;
        for (const condition& t : rest) (references(t, sk) ? on_sort : others).push_back(t);
        detail::sort_key_split split = detail::split_sort_key(on_sort, sk);
        if (!split.key_condition.empty()) {
            if (error_code ec =
                    check_types(schema, c, how, *c.key.sort, split.key_condition, out, why))
                return ec;
            if (!out.rejection.empty()) return {};
            out.key_condition = out.key_condition && split.key_condition;
            out.key_attributes.push_back(sk);
            out.consumed += std::max(split.exact, 1);
        }
        out.residual_terms = std::move(split.residual);
        rest = std::move(others);
    }
    // DynamoDB refuses the key attributes in the filter: the client evaluates those terms.
    for (const condition& t : rest) {
        const bool on_key = references(t, pk) || (c.key.sort && references(t, c.key.sort->name));
        (on_key ? out.residual_terms : out.filter_terms).push_back(t);
    }
    for (const condition& t : out.residual_terms) {
        std::string unevaluable;
        if (!detail::client_evaluable(t, &unevaluable)) {
            std::vector<std::string> names;
            collect_attributes(t, names);
            const auto key = std::find_if(names.begin(), names.end(), [&](const std::string& n) {
                return n == pk || (c.key.sort && n == c.key.sort->name);
            });
            out.rejection = "its key attribute " + *key +
                            " would be in the filter, which DynamoDB refuses in a Query, and the "
                            "client cannot evaluate " +
                            unevaluable;
            return {};
        }
    }
    out.usable = true;
    return {};
}

// Projections: what the index carries against what the relation reads.

bool carries(const table_schema& schema, const index_schema& index, const std::string& name)
{
    for (const primary_key* key : {&schema.key, &index.key}) {
        if (key->partition.name == name) return true;
        if (key->sort && key->sort->name == name) return true;
    }
    if (index.projection != projection_type::include) return false;
    const std::vector<std::string>& extra = index.non_key_attributes;
    return std::find(extra.begin(), extra.end(), name) != extra.end();
}

std::string projection_name(projection_type p)
{
    const std::string_view name = to_string(p);
    return name.empty() ? "an unknown projection" : std::string(name);
}

// Empty when the candidate holds everything the relation reads, else what it lacks.
std::string lacking(const table_schema& schema, const candidate& c, const relation_spec& spec,
                    const std::vector<condition>& filter_terms)
{
    if (!c.index || c.index->projection == projection_type::all) return {};
    const std::string projected = "projects " + projection_name(c.index->projection);
    if (spec.projection.empty() && !spec.count_only) {
        return projected + " and the relation reads all attributes (project() what it needs)";
    }
    std::vector<std::string> needed;
    for (const document_path& p : spec.projection) add_name(needed, p.attribute_name());
    for (const condition& t : filter_terms) collect_attributes(t, needed);
    for (const std::string& name : needed) {
        if (!carries(schema, *c.index, name)) {
            return projected + ", without attribute " + detail::quoted(name);
        }
    }
    return {};
}

// The terms whose attributes the request must read: the filter's and the client's.
std::vector<condition> read_terms(const analysis& a)
{
    std::vector<condition> out = a.filter_terms;
    out.insert(out.end(), a.residual_terms.begin(), a.residual_terms.end());
    return out;
}

bool is_global(const candidate& c) noexcept
{
    return c.index && c.index->type == index_schema::kind::global;
}

constexpr std::string_view consistency_rejection =
    "a global index, which consistent_read cannot read";

// Limits and parallel scans.

error_code check_spec(const relation_spec& spec, std::string* why)
{
    if (spec.count_only && !spec.projection.empty()) {
        return fail(why,
                    "count_only and a projection exclude each other: Select=COUNT returns "
                    "no attributes");
    }
    if (spec.limit && *spec.limit < 1) {
        return fail(why, "limit must be at least 1, got " + std::to_string(*spec.limit));
    }
    if (spec.page_size && *spec.page_size < 1) {
        return fail(why, "page_size must be at least 1, got " + std::to_string(*spec.page_size));
    }
    if (spec.segment.has_value() != spec.total_segments.has_value()) {
        return fail(why, spec.segment ? "segment is set without total_segments"
                                      : "total_segments is set without segment");
    }
    if (spec.total_segments) {
        const std::int32_t total = *spec.total_segments;
        if (total < 1 || total > max_total_segments) {
            return fail(why, "total_segments must be 1 to " + std::to_string(max_total_segments) +
                                 ", got " + std::to_string(total));
        }
        if (*spec.segment < 0 || *spec.segment >= total) {
            return fail(why, "segment must be 0 to " + std::to_string(total - 1) +
                                 " (total_segments - 1), got " + std::to_string(*spec.segment));
        }
    }
    return {};
}

std::optional<std::int32_t> dynamodb_limit(const relation_spec& spec, bool has_filter)
{
    if (!spec.limit || has_filter) return spec.page_size;
    const std::int64_t cap =
        spec.page_size ? *spec.page_size : std::numeric_limits<std::int32_t>::max();
    return static_cast<std::int32_t>(std::min(*spec.limit, cap));
}

condition conjunction(const std::vector<condition>& terms)
{
    condition out;
    for (const condition& t : terms) out = out && t;
    return out;
}

// What a request reads and returns, beyond its key condition.
struct request_shape {
    std::vector<condition> filter_terms;
    std::vector<document_path> projection;
    bool count_select = false;
    // Items are dropped after DynamoDB returns them (a filter, or a residual).
    bool filtered = false;
};

// Renders the filter and the projection into `req`, after the key condition if any.
template <class Request>
error_code render_rest(const relation_spec& spec, const request_shape& shape,
                       expression_context& ctx, Request& req, std::string* why)
{
    if (!shape.filter_terms.empty()) {
        std::string text;
        if (error_code ec =
                render(conjunction(shape.filter_terms), ctx, expression_kind::filter, text, why))
            return ec;
        req.filter_expression = std::move(text);
    }
    if (!shape.projection.empty()) {
        std::string text;
        if (error_code ec = render_projection(shape.projection, ctx, text, why)) return ec;
        req.projection_expression = std::move(text);
    }
    req.expression_attribute_names = ctx.take_names();
    req.expression_attribute_values = ctx.take_values();
    if (shape.count_select) req.select = select_attributes::count;
    req.limit = dynamodb_limit(spec, shape.filtered);
    if (spec.consistent_read) req.consistent_read = true;
    req.exclusive_start_key = spec.exclusive_start_key;
    return {};
}

request_shape plain_shape(const relation_spec& spec, std::vector<condition> filter_terms)
{
    request_shape shape;
    shape.filtered = !filter_terms.empty();
    shape.filter_terms = std::move(filter_terms);
    shape.projection = spec.projection;
    shape.count_select = spec.count_only;
    return shape;
}

// The request's shape when the client evaluates `residual` on each item: it must read the
// residual's attributes, so counting reads items instead of Select=COUNT, and a projection
// takes those attributes too; `strip` lists the ones the relation did not ask for.
error_code residual_shape(const relation_spec& spec, const analysis& a, request_shape& shape,
                          std::vector<std::string>& strip, std::string* why)
{
    shape = plain_shape(spec, a.filter_terms);
    if (a.residual_terms.empty()) return {};
    shape.filtered = true;
    std::vector<std::string> needed;
    for (const condition& t : a.residual_terms) collect_attributes(t, needed);
    if (spec.count_only) {
        shape.count_select = false;
        for (const std::string& name : needed)
            shape.projection.push_back(document_path::attribute(name));
        strip = needed;
        return {};
    }
    if (spec.projection.empty()) return {};
    for (const std::string& name : needed) {
        bool whole = false;
        bool part = false;
        for (const document_path& p : spec.projection) {
            if (p.attribute_name() != name) continue;
            (p.segments().size() == 1 ? whole : part) = true;
        }
        if (whole) continue;
        if (part) {
            return fail(why, "the client evaluates a condition on attribute " +
                                 detail::quoted(name) + " on each item, but the projection " +
                                 "reads only part of it: project " + detail::quoted(name) +
                                 " whole");
        }
        shape.projection.push_back(document_path::attribute(name));
        strip.push_back(name);
    }
    return {};
}

error_code build_query(const table_schema& schema, const relation_spec& spec, const candidate& c,
                       const analysis& a, std::string reason, query_plan& out, std::string* why)
{
    if (spec.segment) {
        return fail(why, "segment and total_segments need a Scan, but this relation queries " +
                             c.owner(schema) + " (" + reason + "); use force_scan to scan it");
    }
    query_request req;
    req.table_name = schema.table_name;
    if (c.index) req.index_name = c.index->name;
    expression_context ctx;
    if (error_code ec = render(a.key_condition, ctx, expression_kind::key_condition,
                               req.key_condition_expression, why))
        return ec;
    request_shape shape;
    std::vector<std::string> strip;
    if (error_code ec = residual_shape(spec, a, shape, strip, why)) return ec;
    if (error_code ec = render_rest(spec, shape, ctx, req, why)) return ec;
    if (!spec.scan_forward) req.scan_index_forward = false;
    out = query_plan{};
    out.op = query_plan::operation::query;
    out.index_name = c.name();
    out.key_conditions = a.consumed;
    out.reason = std::move(reason);
    out.request = std::move(req);
    out.residual = conjunction(a.residual_terms);
    out.residual_only_attributes = std::move(strip);
    return {};
}

error_code build_scan(const table_schema& schema, const relation_spec& spec, const candidate& c,
                      const std::vector<condition>& conjuncts, std::string reason, query_plan& out,
                      std::string* why)
{
    if (!spec.scan_forward) {
        return fail(why, "scan_index_backward needs a Query, but this relation scans " +
                             c.owner(schema) + " (" + reason + ")");
    }
    scan_request req;
    req.table_name = schema.table_name;
    if (c.index) req.index_name = c.index->name;
    expression_context ctx;
    if (error_code ec = render_rest(spec, plain_shape(spec, conjuncts), ctx, req, why)) return ec;
    req.segment = spec.segment;
    req.total_segments = spec.total_segments;
    out = query_plan{};
    out.op = query_plan::operation::scan;
    out.index_name = c.name();
    out.reason = std::move(reason);
    out.request = std::move(req);
    return {};
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator)
{
    std::string out;
    for (const std::string& p : parts) {
        if (!out.empty()) out += separator;
        out += p;
    }
    return out;
}

std::string key_condition_reason(const analysis& a)
{
    return "key condition on " + joined(a.key_attributes, " and ");
}

error_code plan_forced(const table_schema& schema, const relation_spec& spec,
                       const std::vector<condition>& conjuncts, query_plan& out, std::string* why)
{
    const std::string& name = *spec.index_name;
    const std::vector<candidate> all = candidates_of(schema);
    auto it =
        std::find_if(all.begin(), all.end(), [&](const candidate& c) { return c.name() == name; });
    if (it == all.end()) {
        std::vector<std::string> known;
        for (const index_schema& index : schema.indexes) known.push_back(index.name);
        std::sort(known.begin(), known.end());
        return fail(
            why,
            "table " + detail::quoted(schema.table_name) + " has no index " + detail::quoted(name) +
                (known.empty() ? "; it has no indexes" : "; its indexes: " + joined(known, ", ")));
    }
    const candidate& c = *it;
    const std::string forced = "index_name(" + detail::quoted(name) + ")";
    if (c.index && !c.index->active) {
        return fail(why, c.owner(schema) + " of table " + detail::quoted(schema.table_name) +
                             " is not ACTIVE yet");
    }
    if (spec.consistent_read && is_global(c)) {
        return fail(why, "consistent_read on " + c.owner(schema) +
                             ", a global index: DynamoDB reads global indexes eventually "
                             "consistently only");
    }
    analysis a;
    if (!spec.force_scan) {
        if (error_code ec = analyze(schema, c, choice::forced, conjuncts, a, why)) return ec;
    }
    const std::vector<condition> read = a.usable ? read_terms(a) : conjuncts;
    if (std::string missing = lacking(schema, c, spec, read); !missing.empty()) {
        return fail(why, c.owner(schema) + " " + missing);
    }
    if (spec.force_scan) {
        return build_scan(schema, spec, c, conjuncts, forced + " with force_scan", out, why);
    }
    if (a.usable) {
        return build_query(schema, spec, c, a, forced + ": " + key_condition_reason(a), out, why);
    }
    return build_scan(schema, spec, c, conjuncts, forced + ": " + a.rejection, out, why);
}

error_code plan_automatic(const table_schema& schema, const relation_spec& spec,
                          const std::vector<condition>& conjuncts, query_plan& out,
                          std::string* why)
{
    const std::vector<candidate> all = candidates_of(schema);
    std::vector<analysis> results(all.size());
    const candidate* best = nullptr;
    const analysis* best_analysis = nullptr;
    for (std::size_t i = 0; i < all.size(); ++i) {
        analysis& a = results[i];
        if (error_code ec = analyze(schema, all[i], choice::automatic, conjuncts, a, why))
            return ec;
        if (!a.usable) continue;
        if (spec.consistent_read && is_global(all[i])) {
            a.usable = false;
            a.rejection = consistency_rejection;
            continue;
        }
        if (std::string missing = lacking(schema, all[i], spec, read_terms(a)); !missing.empty()) {
            a.usable = false;
            a.rejection = std::move(missing);
            continue;
        }
        // Candidates are in order of preference, so only more key conditions win.
        if (!best || a.consumed > best_analysis->consumed) {
            best = &all[i];
            best_analysis = &a;
        }
    }

    if (!best) {
        const candidate& table = all.front();
        std::string reason;
        const bool any_equality = std::any_of(results.begin(), results.end(),
                                              [](const analysis& a) { return a.has_equality; });
        if (!any_equality) {
            std::vector<std::string> keys;
            for (const candidate& c : all) {
                keys.push_back(c.index ? c.label() + " (" + c.key.partition.name + ")"
                                       : c.label() + " " + c.key.partition.name);
            }
            reason = "no equality condition on a partition key: " + joined(keys, ", ");
        } else {
            std::vector<std::string> rejections;
            for (std::size_t i = 0; i < all.size(); ++i) {
                rejections.push_back(all[i].label() + ": " + results[i].rejection);
            }
            reason = "no key fits: " + joined(rejections, "; ");
        }
        return build_scan(schema, spec, table, conjuncts, std::move(reason), out, why);
    }

    std::string reason = key_condition_reason(*best_analysis);
    std::vector<std::string> others;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const analysis& a = results[i];
        if (&all[i] == best || !a.has_equality) continue;
        if (a.usable) {
            others.push_back("also usable: " + all[i].label() + " with " +
                             std::to_string(a.consumed) + " key condition" +
                             (a.consumed == 1 ? "" : "s"));
        } else {
            others.push_back("passed over: " + all[i].label() + ": " + a.rejection);
        }
    }
    if (!others.empty()) reason += "; " + joined(others, "; ");
    return build_query(schema, spec, *best, *best_analysis, std::move(reason), out, why);
}

// Readable expressions, for explain().

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

error_code plan_relation(const table_schema& schema, const relation_spec& spec, query_plan& out,
                         std::string* why)
{
    if (error_code ec = check_spec(spec, why)) return ec;
    const std::vector<condition> conjuncts = spec.where.conjuncts();
    if (spec.index_name) return plan_forced(schema, spec, conjuncts, out, why);
    if (spec.force_scan) {
        const candidate table{nullptr, schema.key};
        return build_scan(schema, spec, table, conjuncts, "force_scan", out, why);
    }
    return plan_automatic(schema, spec, conjuncts, out, why);
}

}  // namespace dynomite
