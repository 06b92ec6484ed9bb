// Relations: building them, planning them, and their terminal operations.
#include "core/async.hpp"
#include "query/relation_impl.hpp"

#include <dynomite/query/batch.hpp>
#include "expr/condition_evaluator.hpp"
#include "query/decimal_sum.hpp"
#include <dynomite/expr/field_operator.hpp>
#include <dynomite/query/relation.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace dynomite {
namespace detail {
namespace {

using dynomite::detail::use_tuple;
constexpr std::int32_t max_segments = 1000000;

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

}  // namespace

relation_spec effective_spec(const relation_data& data, std::int32_t segment)
{
    relation_spec spec = data.spec;
    if (!spec.page_size) spec.page_size = data.db->options.page_size;
    // limit(0) sends nothing: the paging state is done before the first request.
    if (spec.limit && *spec.limit == 0) spec.limit.reset();
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

namespace {

template <class Request>
asio::awaitable<std::pair<error_code, page_response>> fetch(dynomite::client cl, Request request,
                                                            diagnostics& diag)
{
    auto [ec, response] = co_await cl.async_execute(std::move(request), diag, use_tuple);
    co_return std::pair{ec, page_response(std::move(response))};
}

}  // namespace

asio::awaitable<std::pair<error_code, page_response>> fetch_page(
    dynomite::client cl, std::variant<query_request, scan_request> request, const pagination& pages,
    diagnostics& diag)
{
    if (auto* query = std::get_if<query_request>(&request)) {
        pages.prepare(*query);
        return fetch(std::move(cl), std::move(*query), diag);
    }
    auto& scan = std::get<scan_request>(request);
    pages.prepare(scan);
    return fetch(std::move(cl), std::move(scan), diag);
}

}  // namespace detail

std::string_view to_string(scan_policy policy) noexcept
{
    switch (policy) {
        case scan_policy::allow:
            return "allow";
        case scan_policy::warn:
            return "warn";
        case scan_policy::error:
            return "error";
    }
    return "unknown";
}

relation::relation(std::shared_ptr<const detail::relation_data> data) : data_(std::move(data)) {}

template <class Change>
relation relation::with(Change&& change) const
{
    auto copy = std::make_shared<detail::relation_data>(*data_);
    change(*copy);
    return relation(std::move(copy));
}

relation relation::keyed(join how, std::string_view key,
                         std::span<const attribute_value> values) const
{
    std::string why;
    field_operator parsed;
    const error_code parse_ec = parse_field_operator(key, parsed, &why);
    throw_on_error(parse_ec, why);
    condition c;
    const error_code ec = make_condition(parsed, values, c, &why);
    throw_on_error(ec, why);
    relation out = combine(how, c);
    if (key.find('.') != std::string_view::npos) {
        out = out.with([&](detail::relation_data& d) {
            d.key_readings.push_back(detail::describe_key_reading(key, parsed));
        });
    }
    return out;
}

relation relation::keyed(
    join how, std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
{
    // All of the fields, as one condition: or_() and not_() apply to them together.
    detail::relation_data fresh;
    fresh.db = data_->db;
    fresh.table = data_->table;
    relation all = detail::relation_access::make(std::move(fresh));
    for (const auto& [key, value] : fields) all = all.keyed(join::and_, key, std::span(&value, 1));
    relation out = combine(how, all.spec().where);
    const auto& readings = all.data_->key_readings;
    if (readings.empty()) return out;
    return out.with([&](detail::relation_data& d) {
        d.key_readings.insert(d.key_readings.end(), readings.begin(), readings.end());
    });
}

condition relation::field(std::string_view path, std::string_view op,
                          std::span<const attribute_value> values)
{
    std::string why;
    document_path parsed_path;
    const error_code parse_ec = document_path::parse(path, parsed_path, &why);
    throw_on_error(parse_ec, why);
    // The operator alone, after a one-name path: when it is not an operator, the parser takes
    // it for a longer path.
    const std::string probe_key = "x." + std::string(op);
    field_operator probe;
    if (parse_field_operator(probe_key, probe) || probe.path != document_path("x")) {
        throw error(errc::invalid_argument,
                    "unknown operator " + detail::quoted(op) + " for " + detail::quoted(path) +
                        ": expected eq, ne, lt, lte, gt, gte, in, between or begins_with, "
                        "possibly after \"not_\"");
    }
    const field_operator parsed{std::string(path) + "." + std::string(op), std::move(parsed_path),
                                probe.op, probe.negated};
    condition out;
    const error_code ec = make_condition(parsed, values, out, &why);
    throw_on_error(ec, why);
    return out;
}

relation relation::combine(join how, const condition& c) const
{
    if (c.empty()) return *this;
    return with([&](detail::relation_data& d) {
        switch (how) {
            case join::and_:
                d.branch = d.branch && c;
                break;
            case join::or_:
                d.alternatives = d.alternatives || d.branch;
                d.branch = c;
                break;
            case join::and_not:
                d.branch = d.branch && !c;
                break;
        }
        d.spec.where = d.scope && (d.alternatives || d.branch);
    });
}

relation relation::attribute_exists(const document_path& path) const
{
    return combine(join::and_, dynomite::attribute_exists(path));
}

relation relation::attribute_not_exists(const document_path& path) const
{
    return combine(join::and_, dynomite::attribute_not_exists(path));
}

relation relation::attribute_type(const document_path& path, attribute_value::kind type) const
{
    return combine(join::and_, dynomite::attribute_type(path, type));
}

relation relation::begins_with(const document_path& path, attribute_value prefix) const
{
    return combine(join::and_, dynomite::begins_with(path, std::move(prefix)));
}

relation relation::contains(const document_path& path, attribute_value value) const
{
    return combine(join::and_, dynomite::contains(path, std::move(value)));
}

relation relation::size_fn(std::string_view key, attribute_value value) const
{
    return size_fn(key, {std::move(value)});
}

relation relation::size_fn(std::string_view key,
                           std::initializer_list<attribute_value> values) const
{
    std::string why;
    field_operator parsed;
    const error_code parse_ec = parse_field_operator(key, parsed, &why);
    throw_on_error(parse_ec, why);
    condition c;
    const error_code ec =
        make_size_condition(parsed, std::span(values.begin(), values.size()), c, &why);
    throw_on_error(ec, why);
    return combine(join::and_, c);
}

relation relation::limit(std::int64_t n) const
{
    if (n < 0)
        throw error(errc::invalid_argument, "limit must not be negative, got " + std::to_string(n));
    return with([n](detail::relation_data& d) { d.spec.limit = n; });
}

relation relation::scan_index_forward(bool forward) const
{
    return with([forward](detail::relation_data& d) { d.spec.scan_forward = forward; });
}

relation relation::project(std::initializer_list<document_path> paths) const
{
    return project(std::vector<document_path>(paths));
}

relation relation::project(std::vector<document_path> paths) const
{
    return with([&](detail::relation_data& d) { d.spec.projection = std::move(paths); });
}

relation relation::consistent_read(bool on) const
{
    return with([on](detail::relation_data& d) { d.spec.consistent_read = on; });
}

relation relation::index_name(std::string name) const
{
    return with([&](detail::relation_data& d) { d.spec.index_name = std::move(name); });
}

relation relation::start_from(attribute_map key) const
{
    return with([&](detail::relation_data& d) {
        if (key.empty())
            d.spec.exclusive_start_key.reset();
        else
            d.spec.exclusive_start_key = std::move(key);
    });
}

relation relation::start_from(std::string_view cursor_string) const
{
    return start_from(decode_cursor(cursor_string));
}

relation relation::force_scan(bool on) const
{
    return with([on](detail::relation_data& d) { d.spec.force_scan = on; });
}

relation relation::with_scan_policy(dynomite::scan_policy policy) const
{
    return with([policy](detail::relation_data& d) { d.options.scan_policy = policy; });
}

relation relation::page_size(std::int32_t n) const
{
    if (n < 1)
        throw error(errc::invalid_argument,
                    "page_size must be at least 1, got " + std::to_string(n));
    return with([n](detail::relation_data& d) { d.spec.page_size = n; });
}

relation relation::read_ahead(std::size_t pages) const
{
    return with([pages](detail::relation_data& d) { d.options.read_ahead = pages; });
}

relation relation::segments(std::int32_t n) const
{
    if (n < 1 || n > detail::max_segments) {
        throw error(errc::invalid_argument, "segments must be 1 to " +
                                                std::to_string(detail::max_segments) + ", got " +
                                                std::to_string(n));
    }
    return with([n](detail::relation_data& d) { d.options.segments = n; });
}

const std::string& relation::table_name() const noexcept
{
    return data_->table;
}
const relation_spec& relation::spec() const noexcept
{
    return data_->spec;
}
const relation_options& relation::options() const noexcept
{
    return data_->options;
}

dynomite::cursor relation::cursor() const
{
    dynomite::cursor c(detail::make_cursor_state(data_));
    c.parallel_ = data_->options.segments > 1;
    c.key_ = data_->spec.exclusive_start_key;
    return c;
}

namespace {

namespace asio = boost::asio;
using detail::relation_access;
using detail::relation_data;

template <class T>
using result = std::pair<error_code, T>;

using dynomite::detail::use_tuple;

/// The throwing form of a non-throwing terminal operation.
template <class T, class Operation>
asio::awaitable<T> or_throw(relation self, Operation operation)
{
    diagnostics diag;
    auto [ec, value] = co_await operation(std::move(self), diag);
    throw_on_error(ec, diag);
    co_return std::move(value);
}

using detail::value_at;

asio::awaitable<result<query_plan>> explain_of(relation self, diagnostics& diag)
{
    detail::prepared_relation prepared;
    error_code ec =
        co_await detail::prepare_relation(relation_access::data(self), false, prepared, diag);
    if (ec) co_return result<query_plan>{ec, {}};
    query_plan plan = std::move(prepared.plans.front());
    for (const std::string& reading : detail::explain_readings(relation_access::data(self)))
        plan.reason += "; " + reading;
    co_return result<query_plan>{{}, std::move(plan)};
}

/// Every page with items, through a cursor (so the next request overlaps with `fn`).
template <class PageFn>
asio::awaitable<error_code> for_each_page(const relation& self, diagnostics& diag, PageFn fn)
{
    auto c = self.cursor();
    for (;;) {
        auto [ec, page] = co_await c.next_page(diag);
        if (ec) co_return ec;
        if (!page) co_return error_code{};
        if (error_code fn_ec = fn(*page)) co_return fn_ec;
    }
}

asio::awaitable<result<std::vector<attribute_map>>> all_items(relation self, diagnostics& diag)
{
    std::vector<attribute_map> items;
    error_code ec = co_await for_each_page(self, diag, [&](std::vector<attribute_map>& page) {
        if (items.empty()) {
            items = std::move(page);
        } else {
            items.insert(items.end(), std::make_move_iterator(page.begin()),
                         std::make_move_iterator(page.end()));
        }
        return error_code{};
    });
    co_return result<std::vector<attribute_map>>{ec, std::move(items)};
}

asio::awaitable<result<std::optional<attribute_map>>> first_of(relation self, diagnostics& diag)
{
    auto c = self.limit(1).cursor();
    auto [ec, item] = co_await c.next(diag);
    co_return result<std::optional<attribute_map>>{ec, std::move(item)};
}

asio::awaitable<result<std::optional<attribute_map>>> last_of(relation self, diagnostics& diag)
{
    using answer = result<std::optional<attribute_map>>;
    relation_data data = relation_access::data(self);
    if (data.spec.exclusive_start_key && !data.spec.exclusive_start_key->empty()) {
        diag.message =
            "last() reads the relation in reverse, where a start_from() position "
            "would mean something else: load the relation or drop start_from()";
        co_return answer{errc::invalid_argument, std::nullopt};
    }
    data.spec.limit = 1;
    detail::prepared_relation prepared;
    if (error_code ec = co_await detail::prepare_relation(data, true, prepared, diag))
        co_return answer{ec, std::nullopt};
    const query_plan& plan = prepared.plans.front();
    if (plan.op == query_plan::operation::scan) {
        diag.message =
            "last() needs a Query, whose items have a sort-key order, but the relation "
            "over table " +
            detail::quoted(data.table) + " is planned as a Scan (" + plan.reason +
            "): load it with all() instead";
        co_return answer{errc::invalid_argument, std::nullopt};
    }
    data.spec.scan_forward = !data.spec.scan_forward;
    relation reversed = relation_access::make(std::move(data));
    co_return co_await first_of(std::move(reversed), diag);
}

asio::awaitable<result<std::int64_t>> count_of(relation self, diagnostics& diag)
{
    relation_data data = relation_access::data(self);
    data.spec.count_only = true;
    data.spec.projection.clear();
    detail::prepared_relation prepared;
    if (error_code ec = co_await detail::prepare_relation(data, true, prepared, diag))
        co_return result<std::int64_t>{ec, 0};
    std::int64_t total = 0;
    for (std::size_t i = 0; i < prepared.plans.size(); ++i) {
        // Segments count towards one limit.
        relation_data segment = data;
        if (data.spec.limit)
            segment.spec.limit = std::max<std::int64_t>(0, *data.spec.limit - total);
        pagination pages = detail::make_pagination(segment, prepared, i);
        const query_plan& plan = prepared.plans[i];
        while (!pages.done()) {
            auto [ec, page] = co_await detail::fetch_page(data.db->cl, plan.request, pages, diag);
            if (ec) co_return result<std::int64_t>{ec, total};
            if (plan.residual.empty()) {
                total += pages.on_count(page.count, std::move(page.last_evaluated_key));
                continue;
            }
            // The client's conditions decide: count the items that satisfy them.
            detail::keep_matching(plan.residual, page.items);
            pages.on_page(page.items, std::move(page.last_evaluated_key));
            total += static_cast<std::int64_t>(page.items.size());
        }
    }
    co_return result<std::int64_t>{{}, total};
}

asio::awaitable<result<bool>> exists_of(relation self, diagnostics& diag)
{
    relation one = self.limit(1);
    auto [ec, count] = co_await count_of(std::move(one), diag);
    co_return result<bool>{ec, count > 0};
}

asio::awaitable<result<std::vector<attribute_value>>> pluck_of(relation self, document_path path,
                                                               diagnostics& diag)
{
    std::vector<attribute_value> values;
    const relation projected = self.project({path});
    error_code ec = co_await for_each_page(projected, diag, [&](std::vector<attribute_map>& page) {
        for (auto& item : page) {
            const attribute_value* value = value_at(item, path);
            values.push_back(value ? *value : attribute_value(null_value{}));
        }
        return error_code{};
    });
    co_return result<std::vector<attribute_value>>{ec, std::move(values)};
}

/// The table's key attributes, from its schema.
asio::awaitable<result<std::vector<std::string>>> table_key_of(const relation& self,
                                                               diagnostics& diag)
{
    const relation_data& data = relation_access::data(self);
    auto [ec, schema] = co_await detail::await_schema(*data.db, data.table, false, diag);
    std::vector<std::string> names;
    if (!ec) {
        names.push_back(schema->key.partition.name);
        if (schema->key.sort) names.push_back(schema->key.sort->name);
    }
    co_return result<std::vector<std::string>>{ec, std::move(names)};
}

relation project_names(const relation& self, const std::vector<std::string>& names)
{
    std::vector<document_path> paths;
    for (const auto& name : names) paths.push_back(document_path::attribute(name));
    return self.project(std::move(paths));
}

asio::awaitable<result<std::vector<attribute_map>>> ids_of(relation self, diagnostics& diag)
{
    auto [key_ec, names] = co_await table_key_of(self, diag);
    if (key_ec) co_return result<std::vector<attribute_map>>{key_ec, {}};
    std::vector<attribute_map> keys;
    const relation keys_only = project_names(self, names);
    error_code ec = co_await for_each_page(keys_only, diag, [&](std::vector<attribute_map>& page) {
        for (auto& item : page) {
            attribute_map key;
            std::string why;
            if (error_code key_error = key_of(item, names, key, &why)) {
                diag.message = why;
                return key_error;
            }
            keys.push_back(std::move(key));
        }
        return error_code{};
    });
    co_return result<std::vector<attribute_map>>{ec, std::move(keys)};
}

/// Calls `fn` with each number at `path`; fails on a value of another type.
template <class NumberFn>
asio::awaitable<error_code> for_each_number(const relation& self, const document_path& path,
                                            diagnostics& diag, NumberFn fn)
{
    const relation projected = self.project({path});
    co_return co_await for_each_page(
        projected, diag, [&](std::vector<attribute_map>& page) -> error_code {
            for (const auto& item : page) {
                const attribute_value* value = value_at(item, path);
                if (!value) continue;
                const number* n = value->get_if<number>();
                if (!n) {
                    diag.message = "aggregating " + detail::quoted(path.to_string()) +
                                   ": an item holds a " + std::string(value->type_name()) +
                                   " there, not a number (N)";
                    return errc::invalid_argument;
                }
                fn(*n);
            }
            return error_code{};
        });
}

asio::awaitable<number> sum_of(relation self, document_path path)
{
    diagnostics diag;
    detail::decimal_sum sum;
    error_code ec =
        co_await for_each_number(self, path, diag, [&](const number& n) { sum.add(n); });
    number total;
    if (!ec) ec = sum.total(total, &diag.message);
    throw_on_error(ec, diag);
    co_return total;
}

asio::awaitable<std::optional<number>> average_of(relation self, document_path path)
{
    diagnostics diag;
    detail::decimal_sum sum;
    error_code ec =
        co_await for_each_number(self, path, diag, [&](const number& n) { sum.add(n); });
    throw_on_error(ec, diag);
    if (sum.count() == 0) co_return std::nullopt;
    number mean;
    throw_on_error(sum.mean(mean, &diag.message), diag);
    co_return mean;
}

asio::awaitable<std::optional<number>> extreme_of(relation self, document_path path, bool least)
{
    diagnostics diag;
    std::optional<number> best;
    error_code ec = co_await for_each_number(self, path, diag, [&](const number& n) {
        if (!best || (least ? n < *best : n > *best)) best = n;
    });
    throw_on_error(ec, diag);
    co_return best;
}

asio::awaitable<void> each_of(relation self, std::function<void(attribute_map&)> fn)
{
    diagnostics diag;
    error_code ec = co_await for_each_page(self, diag, [&](std::vector<attribute_map>& page) {
        for (auto& item : page) fn(item);
        return error_code{};
    });
    throw_on_error(ec, diag);
}

asio::awaitable<void> pages_of(relation self, std::function<void(std::vector<attribute_map>&)> fn)
{
    diagnostics diag;
    error_code ec = co_await for_each_page(self, diag, [&](std::vector<attribute_map>& page) {
        fn(page);
        return error_code{};
    });
    throw_on_error(ec, diag);
}

asio::awaitable<result<delete_all_result>> delete_all_of(relation self, diagnostics& diag)
{
    delete_all_result outcome;
    auto [key_ec, names] = co_await table_key_of(self, diag);
    if (key_ec) co_return result<delete_all_result>{key_ec, std::move(outcome)};
    const relation keys_only = project_names(self, names);
    const relation_data& data = relation_access::data(keys_only);
    auto c = keys_only.cursor();
    for (;;) {
        auto [ec, page] = co_await c.next_page(diag);
        if (ec) co_return result<delete_all_result>{ec, std::move(outcome)};
        if (!page) break;
        std::vector<table_write> deletions;
        deletions.reserve(page->size());
        for (const auto& item : *page) {
            attribute_map key;
            std::string why;
            if (error_code invalid_key = key_of(item, names, key, &why)) {
                diag.message = why;
                co_return result<delete_all_result>{invalid_key, std::move(outcome)};
            }
            deletions.push_back({data.table, delete_request{std::move(key)}});
        }
        auto [write_ec, written] =
            co_await detail::batch_write_with(data.db->cl, data.db->options, deletions, diag);
        outcome.deleted += static_cast<std::int64_t>(written.written);
        for (const std::size_t i : written.unprocessed) {
            outcome.unprocessed_keys.push_back(std::get<delete_request>(deletions[i].write).key);
        }
        if (write_ec) co_return result<delete_all_result>{write_ec, std::move(outcome)};
    }
    co_return result<delete_all_result>{{}, std::move(outcome)};
}

}  // namespace

asio::awaitable<query_plan> relation::explain() const
{
    return or_throw<query_plan>(*this, explain_of);
}

asio::awaitable<std::pair<error_code, query_plan>> relation::explain(diagnostics& diag) const
{
    return explain_of(*this, diag);
}

asio::awaitable<std::vector<attribute_map>> relation::all() const
{
    return or_throw<std::vector<attribute_map>>(*this, all_items);
}

asio::awaitable<std::pair<error_code, std::vector<attribute_map>>> relation::all(
    diagnostics& diag) const
{
    return all_items(*this, diag);
}

asio::awaitable<std::optional<attribute_map>> relation::first() const
{
    return or_throw<std::optional<attribute_map>>(*this, first_of);
}

asio::awaitable<std::pair<error_code, std::optional<attribute_map>>> relation::first(
    diagnostics& diag) const
{
    return first_of(*this, diag);
}

asio::awaitable<std::optional<attribute_map>> relation::last() const
{
    return or_throw<std::optional<attribute_map>>(*this, last_of);
}

asio::awaitable<std::pair<error_code, std::optional<attribute_map>>> relation::last(
    diagnostics& diag) const
{
    return last_of(*this, diag);
}

asio::awaitable<std::int64_t> relation::count() const
{
    return or_throw<std::int64_t>(*this, count_of);
}

asio::awaitable<std::pair<error_code, std::int64_t>> relation::count(diagnostics& diag) const
{
    return count_of(*this, diag);
}

asio::awaitable<bool> relation::exists() const
{
    return or_throw<bool>(*this, exists_of);
}

asio::awaitable<std::pair<error_code, bool>> relation::exists(diagnostics& diag) const
{
    return exists_of(*this, diag);
}

asio::awaitable<std::vector<attribute_value>> relation::pluck(const document_path& path) const
{
    return or_throw<std::vector<attribute_value>>(*this, [path](relation self, diagnostics& diag) {
        return pluck_of(std::move(self), path, diag);
    });
}

asio::awaitable<std::vector<attribute_map>> relation::ids() const
{
    return or_throw<std::vector<attribute_map>>(*this, ids_of);
}

asio::awaitable<number> relation::sum(const document_path& path) const
{
    return sum_of(*this, path);
}

asio::awaitable<std::optional<number>> relation::min(const document_path& path) const
{
    return extreme_of(*this, path, true);
}

asio::awaitable<std::optional<number>> relation::max(const document_path& path) const
{
    return extreme_of(*this, path, false);
}

asio::awaitable<std::optional<number>> relation::average(const document_path& path) const
{
    return average_of(*this, path);
}

asio::awaitable<void> relation::each(std::function<void(attribute_map&)> fn) const
{
    return each_of(*this, std::move(fn));
}

asio::awaitable<void> relation::pages(std::function<void(std::vector<attribute_map>&)> fn) const
{
    return pages_of(*this, std::move(fn));
}

asio::awaitable<delete_all_result> relation::delete_all() const
{
    return or_throw<delete_all_result>(*this, delete_all_of);
}

asio::awaitable<std::pair<error_code, delete_all_result>> relation::delete_all(
    diagnostics& diag) const
{
    return delete_all_of(*this, diag);
}

// Exact sums.

namespace detail {
namespace {

/// A decimal: digits (most significant first, no leading zero; empty for zero) times
/// 10^exponent.
struct decimal_value {
    bool negative = false;
    std::string digits;
    long long exponent = 0;
};

decimal_value parse_decimal(const std::string& text)
{
    decimal_value d;
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
    long long fraction_digits = 0;
    bool in_fraction = false;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
        if (text[i] == '.') {
            in_fraction = true;
            continue;
        }
        if (!(d.digits.empty() && text[i] == '0')) d.digits.push_back(text[i]);
        if (in_fraction) ++fraction_digits;
    }
    long long exponent = 0;
    if (i < text.size()) exponent = std::stoll(text.substr(i + 1));
    d.exponent = exponent - fraction_digits;
    while (!d.digits.empty() && d.digits.back() == '0') {
        d.digits.pop_back();
        ++d.exponent;
    }
    return d;
}

std::string format_decimal(const decimal_value& d)
{
    if (d.digits.empty()) return "0";
    std::string out = d.negative ? "-" : "";
    const auto length = static_cast<long long>(d.digits.size());
    const long long point = length + d.exponent;  // digits before the decimal point
    constexpr long long plain_limit = 48;
    if (d.exponent >= 0 && point <= plain_limit) {
        out += d.digits;
        out.append(static_cast<std::size_t>(d.exponent), '0');
    } else if (d.exponent < 0 && point > 0) {
        out += d.digits.substr(0, static_cast<std::size_t>(point));
        out += '.';
        out += d.digits.substr(static_cast<std::size_t>(point));
    } else if (d.exponent < 0 && point > -plain_limit) {
        out += "0.";
        out.append(static_cast<std::size_t>(-point), '0');
        out += d.digits;
    } else {
        out += d.digits.front();
        if (length > 1) out += "." + d.digits.substr(1);
        out += "E" + std::to_string(point - 1);
    }
    return out;
}

/// a - b for magnitudes a >= b, least significant digit first.
std::vector<unsigned char> subtract(const std::vector<unsigned char>& a,
                                    const std::vector<unsigned char>& b)
{
    std::vector<unsigned char> out(a);
    int borrow = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        int v = out[i] - borrow - (i < b.size() ? b[i] : 0);
        borrow = v < 0;
        out[i] = static_cast<unsigned char>(v < 0 ? v + 10 : v);
    }
    return out;
}

std::size_t used_length(const std::vector<unsigned char>& digits)
{
    std::size_t n = digits.size();
    while (n > 0 && digits[n - 1] == 0) --n;
    return n;
}

bool less_magnitude(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b)
{
    const std::size_t na = used_length(a);
    const std::size_t nb = used_length(b);
    if (na != nb) return na < nb;
    for (std::size_t i = na; i-- > 0;) {
        if (a[i] != b[i]) return a[i] < b[i];
    }
    return false;
}

error_code to_number(const decimal_value& d, number& out, std::string_view what, std::string* why)
{
    const std::string text = format_decimal(d);
    number parsed;
    if (number::parse(text, parsed)) {
        if (why) {
            *why = "the " + std::string(what) + ", " + text.substr(0, 60) +
                   (text.size() > 60 ? "..." : "") + ", is beyond DynamoDB's number range";
        }
        return errc::number_out_of_range;
    }
    out = std::move(parsed);
    return {};
}

}  // namespace

void decimal_sum::add(const number& n)
{
    ++count_;
    const decimal_value d = parse_decimal(n.text());
    if (d.digits.empty()) return;
    if (positive_.empty() && negative_.empty()) exponent_ = d.exponent;
    if (d.exponent < exponent_) {
        const auto shift = static_cast<std::size_t>(exponent_ - d.exponent);
        if (!positive_.empty()) positive_.insert(positive_.begin(), shift, 0);
        if (!negative_.empty()) negative_.insert(negative_.begin(), shift, 0);
        exponent_ = d.exponent;
    }
    auto& sum = d.negative ? negative_ : positive_;
    const auto offset = static_cast<std::size_t>(d.exponent - exponent_);
    if (sum.size() < offset + d.digits.size()) sum.resize(offset + d.digits.size(), 0);
    unsigned carry = 0;
    std::size_t i = offset;
    for (auto digit = d.digits.rbegin(); digit != d.digits.rend(); ++digit, ++i) {
        const unsigned v = sum[i] + static_cast<unsigned>(*digit - '0') + carry;
        sum[i] = static_cast<unsigned char>(v % 10);
        carry = v / 10;
    }
    for (; carry != 0; ++i) {
        if (i == sum.size()) sum.push_back(0);
        const unsigned v = sum[i] + carry;
        sum[i] = static_cast<unsigned char>(v % 10);
        carry = v / 10;
    }
}

namespace {

/// positive - negative as a decimal.
decimal_value difference(const std::vector<unsigned char>& positive,
                         const std::vector<unsigned char>& negative, long long exponent)
{
    decimal_value d;
    d.negative = less_magnitude(positive, negative);
    const auto magnitude = d.negative ? subtract(negative, positive) : subtract(positive, negative);
    for (std::size_t i = used_length(magnitude); i-- > 0;)
        d.digits.push_back(static_cast<char>('0' + magnitude[i]));
    d.exponent = exponent;
    while (!d.digits.empty() && d.digits.back() == '0') {
        d.digits.pop_back();
        ++d.exponent;
    }
    if (d.digits.empty()) d.negative = false;
    return d;
}

constexpr std::size_t max_digits = 38;

}  // namespace

error_code decimal_sum::total(number& out, std::string* why) const
{
    const decimal_value d = difference(positive_, negative_, exponent_);
    if (d.digits.size() > max_digits) {
        if (why) {
            *why = "the exact sum has " + std::to_string(d.digits.size()) +
                   " significant digits, more than DynamoDB's 38";
        }
        return errc::number_precision_loss;
    }
    return to_number(d, out, "sum", why);
}

error_code decimal_sum::mean(number& out, std::string* why) const
{
    if (count_ == 0) {
        if (why) *why = "the mean of no number";
        return errc::invalid_argument;
    }
    decimal_value d = difference(positive_, negative_, exponent_);
    if (d.digits.empty()) {
        out = number();
        return {};
    }
    // Enough digits for 38 significant ones plus the one deciding the rounding.
    const auto divisor = static_cast<unsigned __int128>(count_);
    const std::size_t divisor_digits = std::to_string(count_).size();
    const std::size_t wanted = max_digits + 2 + divisor_digits;
    if (d.digits.size() < wanted) {
        d.exponent -= static_cast<long long>(wanted - d.digits.size());
        d.digits.append(wanted - d.digits.size(), '0');
    }
    std::string quotient;
    unsigned __int128 remainder = 0;
    for (char c : d.digits) {
        remainder = remainder * 10 + static_cast<unsigned>(c - '0');
        const auto digit = static_cast<unsigned>(remainder / divisor);
        remainder %= divisor;
        if (!(quotient.empty() && digit == 0)) quotient.push_back(static_cast<char>('0' + digit));
    }
    if (quotient.size() > max_digits) {
        const bool round_up = quotient[max_digits] >= '5';
        d.exponent += static_cast<long long>(quotient.size() - max_digits);
        quotient.resize(max_digits);
        if (round_up) {
            std::size_t i = quotient.size();
            while (i > 0 && quotient[i - 1] == '9') quotient[--i] = '0';
            if (i == 0)
                quotient.insert(quotient.begin(), '1');
            else
                ++quotient[i - 1];
        }
    }
    d.digits = std::move(quotient);
    while (!d.digits.empty() && d.digits.back() == '0') {
        d.digits.pop_back();
        ++d.exponent;
    }
    return to_number(d, out, "mean", why);
}

}  // namespace detail
}  // namespace dynomite
