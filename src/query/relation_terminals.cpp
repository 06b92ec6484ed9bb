// The terminal operations of relations: explain, loading, counting, aggregating and deleting.
#include "core/async.hpp"
#include "query/decimal_sum.hpp"
#include "query/page_fetch.hpp"
#include "query/relation_data.hpp"

#include "expr/condition_evaluator.hpp"
#include <dynomite/query/batch.hpp>
#include <dynomite/query/relation.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <iterator>

namespace dynomite {
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

/// `self` reading only `paths`, from the table or index all() reads. Left to the planner, the
/// narrower projection could let a KEYS_ONLY or INCLUDE index win that all() cannot use, whose
/// order differs: with a limit, ids(), pluck(), the aggregates and delete_all() would then act
/// on other items than all() returns.
asio::awaitable<result<relation>> reading_only(const relation& self,
                                               std::vector<document_path> paths, diagnostics& diag)
{
    const relation_data& data = relation_access::data(self);
    if (data.spec.index_name || data.spec.force_scan || data.options.segments > 1) {
        co_return result<relation>{{}, self.project(std::move(paths))};
    }
    detail::prepared_relation prepared;
    if (error_code ec = co_await detail::prepare_relation(data, false, prepared, diag))
        co_return result<relation>{ec, self};
    const std::string& chosen = prepared.plans.front().index_name;
    co_return result<relation>{{}, self.index_name(chosen).project(std::move(paths))};
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
    if (detail::limited_to_none(relation_access::data(self).spec)) co_return result<std::optional<attribute_map>>{{}, std::nullopt};
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
            auto request = detail::next_page_request(plan.request, pages);
            auto [ec, page] = co_await detail::fetch_page(data.db->cl, std::move(request), diag);
            if (ec) co_return result<std::int64_t>{ec, total};
            total += detail::take_page_count(plan, pages, page);
        }
    }
    co_return result<std::int64_t>{{}, total};
}

asio::awaitable<result<bool>> exists_of(relation self, diagnostics& diag)
{
    if (detail::limited_to_none(relation_access::data(self).spec)) co_return result<bool>{{}, false};
    relation one = self.limit(1);
    auto [ec, count] = co_await count_of(std::move(one), diag);
    co_return result<bool>{ec, count > 0};
}

asio::awaitable<result<std::vector<attribute_value>>> pluck_of(relation self, document_path path,
                                                               diagnostics& diag)
{
    std::vector<attribute_value> values;
    std::vector<document_path> paths{path.up_to_first_index()};
    auto [read_ec, projected] = co_await reading_only(self, std::move(paths), diag);
    if (read_ec) co_return result<std::vector<attribute_value>>{read_ec, {}};
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

std::vector<document_path> attribute_paths(const std::vector<std::string>& names)
{
    std::vector<document_path> paths;
    for (const auto& name : names) paths.push_back(document_path::attribute(name));
    return paths;
}

/// The table's key attributes, and `self` reading only them (see reading_only()).
struct key_read {
    std::vector<std::string> names;
    relation keys_only;
};

asio::awaitable<result<key_read>> keys_only_of(const relation& self, diagnostics& diag)
{
    auto [key_ec, names] = co_await table_key_of(self, diag);
    if (key_ec) co_return result<key_read>{key_ec, {{}, self}};
    std::vector<document_path> key_paths = attribute_paths(names);
    auto [read_ec, keys_only] = co_await reading_only(self, std::move(key_paths), diag);
    co_return result<key_read>{read_ec, {std::move(names), std::move(keys_only)}};
}

asio::awaitable<result<std::vector<attribute_map>>> ids_of(relation self, diagnostics& diag)
{
    auto [read_ec, read] = co_await keys_only_of(self, diag);
    if (read_ec) co_return result<std::vector<attribute_map>>{read_ec, {}};
    const std::vector<std::string>& names = read.names;
    std::vector<attribute_map> keys;
    error_code ec = co_await for_each_page(read.keys_only, diag, [&](std::vector<attribute_map>& page) {
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
    std::vector<document_path> paths{path.up_to_first_index()};
    auto [read_ec, projected] = co_await reading_only(self, std::move(paths), diag);
    if (read_ec) co_return read_ec;
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
    auto [read_ec, read] = co_await keys_only_of(self, diag);
    if (read_ec) co_return result<delete_all_result>{read_ec, std::move(outcome)};
    const std::vector<std::string>& names = read.names;
    const relation& keys_only = read.keys_only;
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
}  // namespace dynomite
