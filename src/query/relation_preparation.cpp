// Planning a relation into requests: one plan per segment, the scan policy, and the paging
// state of each plan.
#include "query/relation_data.hpp"

#include <dynomite/client/instrumentation.hpp>

#include <algorithm>

namespace dynomite::detail {
namespace {

void add_unique(std::vector<std::string>& names, const std::string& name)
{
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

void add_key(std::vector<std::string>& names, const primary_key& key)
{
    add_unique(names, key.partition.name);
    if (key.sort) add_unique(names, key.sort->name);
}

std::string describe_scan(const relation_data& data, const query_plan& plan)
{
    std::string text = "the relation over table " + quoted(data.table) + " would Scan";
    if (!plan.index_name.empty()) text += " index " + quoted(plan.index_name);
    return text + " (" + plan.reason + ")";
}

/// Tells the client's observer, if any, the plan a relation runs with.
void report_plan(const relation_data& data, const prepared_relation& prepared)
{
    dynomite::observer* observer = data.db->cl.get_observer();
    if (!observer) return;
    const query_plan& plan = prepared.plans.front();
    plan_event event;
    event.model = data.model;
    event.table = data.table;
    event.operation = plan.op == query_plan::operation::query ? "Query" : "Scan";
    event.index = plan.index_name;
    event.key_conditions = plan.key_conditions;
    event.forced_scan = plan.op == query_plan::operation::scan &&
                        (data.spec.force_scan || data.options.segments > 1);
    event.segments = static_cast<int>(prepared.plans.size());
    event.reason = plan.reason;
    observer->on_plan(event);
}

}  // namespace

relation_spec effective_spec(const relation_data& data, std::int32_t segment)
{
    relation_spec spec = data.spec;
    if (!spec.page_size) spec.page_size = data.db->options.page_size;
    // The paging state is done before the first request.
    if (limited_to_none(spec)) spec.limit.reset();
    if (data.options.segments > 1) {
        spec.force_scan = true;
        spec.segment = segment;
        spec.total_segments = data.options.segments;
    }
    return spec;
}

error_code prepare_relation(const relation_data& data, const table_schema& schema,
                            bool apply_policy, prepared_relation& out, std::string& why)
{
    const std::int32_t segments = data.options.segments;
    if (segments > 1 && data.spec.exclusive_start_key && !data.spec.exclusive_start_key->empty()) {
        why =
            "start_from() and segments() exclude each other: a parallel scan has one position "
            "per segment";
        return errc::invalid_argument;
    }
    prepared_relation prepared;
    for (std::int32_t segment = 0; segment < segments; ++segment) {
        query_plan plan;
        if (error_code ec = plan_relation(schema, effective_spec(data, segment), plan, &why)) {
            why = "table " + quoted(data.table) + ": " + why;
            return ec;
        }
        prepared.plans.push_back(std::move(plan));
    }
    const query_plan& plan = prepared.plans.front();
    if (apply_policy && plan.op == query_plan::operation::scan && !data.spec.force_scan &&
        segments == 1) {
        const scan_policy policy = data.options.scan_policy.value_or(data.db->options.scan_policy);
        if (policy == scan_policy::error) {
            why = describe_scan(data, plan) +
                  "; the scan policy forbids it: use a key condition or call force_scan()";
            return errc::invalid_argument;
        }
        if (policy == scan_policy::warn)
            data.db->log(log_level::warning, describe_scan(data, plan));
    }
    add_key(prepared.position_attributes, schema.key);
    if (!plan.index_name.empty()) {
        if (const index_schema* index = schema.find_index(plan.index_name))
            add_key(prepared.position_attributes, index->key);
    }
    prepared.read_ahead = data.options.read_ahead.value_or(data.db->options.read_ahead);
    if (apply_policy) report_plan(data, prepared);
    out = std::move(prepared);
    return {};
}

asio::awaitable<error_code> prepare_relation(const relation_data& data, bool apply_policy,
                                             prepared_relation& out, diagnostics& diag)
{
    auto [ec, schema] = co_await await_schema(*data.db, data.table, false, diag);
    if (ec) co_return ec;
    std::string why;
    ec = prepare_relation(data, *schema, apply_policy, out, why);
    if (ec) diag.message = std::move(why);
    co_return ec;
}

pagination make_pagination(const relation_data& data, const prepared_relation& prepared,
                           std::size_t index)
{
    const auto& request = prepared.plans.at(index).request;
    pagination_options options;
    options.limit = data.spec.limit;
    options.start_key = data.spec.exclusive_start_key;
    options.key_attributes = prepared.position_attributes;
    if (const auto* query = std::get_if<query_request>(&request)) {
        options.page_limit = query->limit;
        options.filtered =
            query->filter_expression.has_value() || !prepared.plans.at(index).residual.empty();
    } else {
        const auto& scan = std::get<scan_request>(request);
        options.page_limit = scan.limit;
        options.filtered = scan.filter_expression.has_value();
    }
    return pagination(std::move(options));
}
}  // namespace dynomite::detail
