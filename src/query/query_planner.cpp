// The query planner: which table or index a relation reads, and the exact request.
#include "query/key_conditions.hpp"
#include "query/plan_candidates.hpp"
#include "query/plan_text.hpp"

#include "expr/condition_evaluator.hpp"
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/query/query_plan.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

namespace dynomite {
namespace {

using detail::analysis;
using detail::analyze;
using detail::candidate;
using detail::candidates_of;
using detail::choice;
using detail::collect_attributes;
using detail::fail;
using detail::is_global;
using detail::joined;
using detail::lacking;
using detail::read_terms;

constexpr std::int32_t max_total_segments = 1000000;

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

// A request to the table, or to the candidate's index.
template <class Request>
Request addressed(const table_schema& schema, const candidate& c)
{
    Request req;
    req.table_name = schema.table_name;
    if (c.index) req.index_name = c.index->name;
    return req;
}

query_plan plan_on(query_plan::operation op, const candidate& c, std::string reason)
{
    query_plan plan;
    plan.op = op;
    plan.index_name = c.name();
    plan.reason = std::move(reason);
    return plan;
}

error_code build_query(const table_schema& schema, const relation_spec& spec, const candidate& c,
                       const analysis& a, std::string reason, query_plan& out, std::string* why)
{
    if (spec.segment) {
        return fail(why, "segment and total_segments need a Scan, but this relation queries " +
                             c.owner(schema) + " (" + reason + "); use force_scan to scan it");
    }
    auto req = addressed<query_request>(schema, c);
    expression_context ctx;
    if (error_code ec = render(a.key_condition, ctx, expression_kind::key_condition,
                               req.key_condition_expression, why))
        return ec;
    request_shape shape;
    std::vector<std::string> strip;
    if (error_code ec = residual_shape(spec, a, shape, strip, why)) return ec;
    if (error_code ec = render_rest(spec, shape, ctx, req, why)) return ec;
    if (!spec.scan_forward) req.scan_index_forward = false;
    out = plan_on(query_plan::operation::query, c, std::move(reason));
    out.key_conditions = a.consumed;
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
    auto req = addressed<scan_request>(schema, c);
    expression_context ctx;
    if (error_code ec = render_rest(spec, plain_shape(spec, conjuncts), ctx, req, why)) return ec;
    req.segment = spec.segment;
    req.total_segments = spec.total_segments;
    out = plan_on(query_plan::operation::scan, c, std::move(reason));
    out.request = std::move(req);
    return {};
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

}  // namespace

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
