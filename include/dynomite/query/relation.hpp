// Relations: lazy, immutable, chainable descriptions of the items wanted from a table, read
// with the Query or Scan the planner chooses from the table's schema.
#pragma once

#include <dynomite/core/async_operation.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/query/cursor.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/core/number.hpp>
#include <dynomite/query/query_plan.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

class database;

namespace detail {
struct relation_data;
struct relation_access;
}  // namespace detail

/// What a relation that would Scan (read the whole table or index) does.
enum class scan_policy {
    allow,
    /// Logs a warning, with the planner's reason, through the database's logger.
    warn,
    /// Fails with errc::invalid_argument before anything is sent.
    error,
};

/// "allow", "warn", "error".
std::string_view to_string(scan_policy policy) noexcept;

/// How a relation is read, beyond what relation_spec says.
struct relation_options {
    /// None: the database's.
    std::optional<dynomite::scan_policy> scan_policy;
    /// Pages a cursor requests ahead of the one read; none: the database's.
    std::optional<std::size_t> read_ahead;
    /// Parallel scan: segments read concurrently into one stream.
    std::int32_t segments = 1;
};

/// The outcome of delete_all().
struct delete_all_result {
    std::int64_t deleted = 0;
    /// Keys DynamoDB still left unprocessed after database_options::max_batch_write_rounds
    /// rounds: these items were not deleted.
    std::vector<attribute_map> unprocessed_keys;
};

/// A relation over one table, made by database::table(). Each call returns a new relation and
/// leaves this one unchanged; copies are cheap (the description is shared). Nothing is sent
/// until a terminal operation (all(), first(), count(), cursor().next(), ...) is awaited;
/// then the table's schema (cached by the database) lets the planner choose a Query on the
/// table or an index, or a Scan. explain() shows that choice.
///
/// Conditions take "field.op" keys (field_operator.hpp): where("price.lt", 1000),
/// where("price.between", {10, 20}), where("tags.not_in", {"a", "b"}). They are ANDed, and
/// or_() starts an alternative: the conditions after it, up to the next or_(), are ANDed with
/// it, so where(a).or_(b).where(c) is a OR (b AND c), as in Ruby's Dynomite and as AND binds
/// tighter than OR. explain() shows the grouping, parenthesised, and how each key with a '.'
/// was read.
///
/// Builders throw dynomite::error (errc::invalid_argument) for a key or a value they refuse
/// (an empty path, an empty "in", "between" without exactly 2 values, an unknown operator);
/// terminal operations fail with errc::invalid_argument, before anything is sent, when the
/// planner refuses the relation (e.g. a number for a string key attribute).
class relation {
public:
    // Conditions. `key` is a "field.op" key; `path` and `op` name them apart, where `op` must
    // be one of eq ne lt lte gt gte in between begins_with, or one of these after "not_".
    relation where(std::string_view key, attribute_value value) const
    {
        return keyed(join::and_, key, std::span(&value, 1));
    }
    relation where(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return keyed(join::and_, key, std::span(values.begin(), values.size()));
    }
    relation where(std::string_view key, const std::vector<attribute_value>& values) const
    {
        return keyed(join::and_, key, values);
    }
    relation where(std::string_view path, std::string_view op, attribute_value value) const
    {
        return combine(join::and_, field(path, op, std::span(&value, 1)));
    }
    relation where(std::string_view path, std::string_view op,
                   std::initializer_list<attribute_value> values) const
    {
        return combine(join::and_, field(path, op, std::span(values.begin(), values.size())));
    }
    /// where({{"category", "Electronics"}, {"price.lt", 1000}}): all of them.
    relation where(std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
    {
        return keyed(join::and_, fields);
    }
    relation where(const condition& c) const { return combine(join::and_, c); }

    /// The same as where() (`and` is reserved in C++).
    relation and_(std::string_view key, attribute_value value) const { return where(key, value); }
    relation and_(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return where(key, values);
    }
    relation and_(std::string_view key, const std::vector<attribute_value>& values) const
    {
        return where(key, values);
    }
    relation and_(std::string_view path, std::string_view op, attribute_value value) const
    {
        return where(path, op, std::move(value));
    }
    relation and_(std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
    {
        return where(fields);
    }
    relation and_(const condition& c) const { return where(c); }

    /// Everything so far OR this condition (several fields: all of them); the conditions
    /// after it, up to the next or_(), are ANDed with this one, not with the whole.
    relation or_(std::string_view key, attribute_value value) const
    {
        return keyed(join::or_, key, std::span(&value, 1));
    }
    relation or_(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return keyed(join::or_, key, std::span(values.begin(), values.size()));
    }
    relation or_(std::string_view key, const std::vector<attribute_value>& values) const
    {
        return keyed(join::or_, key, values);
    }
    relation or_(std::string_view path, std::string_view op, attribute_value value) const
    {
        return combine(join::or_, field(path, op, std::span(&value, 1)));
    }
    relation or_(std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
    {
        return keyed(join::or_, fields);
    }
    relation or_(const condition& c) const { return combine(join::or_, c); }

    /// AND NOT this condition (several fields: NOT all of them).
    relation not_(std::string_view key, attribute_value value) const
    {
        return keyed(join::and_not, key, std::span(&value, 1));
    }
    relation not_(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return keyed(join::and_not, key, std::span(values.begin(), values.size()));
    }
    relation not_(std::string_view key, const std::vector<attribute_value>& values) const
    {
        return keyed(join::and_not, key, values);
    }
    relation not_(std::string_view path, std::string_view op, attribute_value value) const
    {
        return combine(join::and_not, field(path, op, std::span(&value, 1)));
    }
    relation not_(std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
    {
        return keyed(join::and_not, fields);
    }
    relation not_(const condition& c) const { return combine(join::and_not, c); }

    /// The same as not_().
    relation excluding(std::string_view key, attribute_value value) const
    {
        return not_(key, std::move(value));
    }
    relation excluding(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return not_(key, values);
    }
    relation excluding(
        std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
    {
        return not_(fields);
    }
    relation excluding(const condition& c) const { return not_(c); }

    // Functions, ANDed like where().
    relation attribute_exists(const document_path& path) const;
    relation attribute_not_exists(const document_path& path) const;
    relation attribute_type(const document_path& path, attribute_value::kind type) const;
    relation begins_with(const document_path& path, attribute_value prefix) const;
    relation contains(const document_path& path, attribute_value value) const;
    /// size(path) compared: size_fn("category.gt", 100), size_fn("tags.between", {1, 3}).
    relation size_fn(std::string_view key, attribute_value value) const;
    relation size_fn(std::string_view key, std::initializer_list<attribute_value> values) const;

    // How items are read.
    /// At most `n` items (n >= 0); each result yields exactly that many when there are.
    relation limit(std::int64_t n) const;
    /// Sort-key order, ascending (the default) or descending; applies to Queries.
    relation scan_index_forward(bool forward = true) const;
    relation scan_index_backward() const { return scan_index_forward(false); }
    /// Only these attributes (paths) in each item.
    relation project(std::initializer_list<document_path> paths) const;
    relation project(std::vector<document_path> paths) const;
    relation consistent_read(bool on = true) const;
    /// Read this index ("" for the table itself) and no other.
    relation index_name(std::string name) const;
    /// Continue after this key (a LastEvaluatedKey); the empty key is the beginning.
    relation start_from(attribute_map key) const;
    /// Continue from a cursor::cursor_string(); throws dynomite::error
    /// (errc::invalid_argument) saying why the string is not one.
    relation start_from(std::string_view cursor_string) const;
    /// Scan even when the scan policy would refuse or warn.
    relation force_scan(bool on = true) const;
    relation warn_on_scan() const { return with_scan_policy(scan_policy::warn); }
    relation with_scan_policy(dynomite::scan_policy policy) const;
    /// DynamoDB's Limit per request (1 or more): items evaluated per page.
    relation page_size(std::int32_t n) const;
    /// Pages a cursor requests ahead of the one being read (0: none before it is needed).
    relation read_ahead(std::size_t pages) const;
    /// A parallel scan of `n` segments (1 to 1000000), read concurrently into one stream.
    /// Asking for segments is asking for a Scan: the scan policy does not apply.
    relation segments(std::int32_t n) const;

    // What this relation says.
    const std::string& table_name() const noexcept;
    /// The planner's input (exclusive of the database's defaults, applied when planning).
    const relation_spec& spec() const noexcept;
    const relation_options& options() const noexcept;

    // Terminal operations. The throwing forms throw dynomite::error with the diagnostics; the
    // forms taking `diag` return the error instead.

    /// The plan: Query or Scan, the index, the exact request, and why (for a parallel scan,
    /// segment 0's). The scan policy is not applied: explain() shows what would be refused.
    boost::asio::awaitable<query_plan> explain() const;
    boost::asio::awaitable<std::pair<error_code, query_plan>> explain(diagnostics& diag) const;

    /// Streams the items; see cursor.
    dynomite::cursor cursor() const;

    boost::asio::awaitable<std::vector<attribute_map>> all() const;
    boost::asio::awaitable<std::pair<error_code, std::vector<attribute_map>>> all(
        diagnostics& diag) const;
    boost::asio::awaitable<std::vector<attribute_map>> to_vector() const { return all(); }

    /// The first item (limit 1), or none.
    boost::asio::awaitable<std::optional<attribute_map>> first() const;
    boost::asio::awaitable<std::pair<error_code, std::optional<attribute_map>>> first(
        diagnostics& diag) const;
    /// The last item in sort-key order: the first of the reversed Query, never loading the
    /// others. Only a Query has an order: a relation planned as a Scan fails with
    /// errc::invalid_argument (load it with all() instead), and so does one with start_from(),
    /// whose position would mean something else reversed. Any limit() is replaced.
    boost::asio::awaitable<std::optional<attribute_map>> last() const;
    boost::asio::awaitable<std::pair<error_code, std::optional<attribute_map>>> last(
        diagnostics& diag) const;

    /// Items matching, at most limit(): counted by DynamoDB (Select=COUNT), never loaded; or,
    /// when the client evaluates some conditions (query_plan::residual), read with only the
    /// attributes those conditions need, and counted once they hold.
    boost::asio::awaitable<std::int64_t> count() const;
    boost::asio::awaitable<std::pair<error_code, std::int64_t>> count(diagnostics& diag) const;
    boost::asio::awaitable<bool> exists() const;
    boost::asio::awaitable<std::pair<error_code, bool>> exists(diagnostics& diag) const;

    /// The value at `path` of each item (only that is read); NULL where an item has none.
    boost::asio::awaitable<std::vector<attribute_value>> pluck(const document_path& path) const;
    /// The table key of each item (only the key attributes are read).
    boost::asio::awaitable<std::vector<attribute_map>> ids() const;

    // Aggregates of the numbers at `path` (only that path is read); items without it are
    // skipped, and a value of another type than N fails with errc::invalid_argument naming
    // the type.
    /// Exact; 0 without values. Fails with errc::number_precision_loss when the exact sum
    /// needs more than DynamoDB's 38 significant digits, errc::number_out_of_range when it
    /// overflows DynamoDB's range.
    boost::asio::awaitable<number> sum(const document_path& path) const;
    /// None without values.
    boost::asio::awaitable<std::optional<number>> min(const document_path& path) const;
    boost::asio::awaitable<std::optional<number>> max(const document_path& path) const;
    /// The exact sum divided by the count, rounded half away from zero to 38 significant
    /// digits; none without values.
    boost::asio::awaitable<std::optional<number>> average(const document_path& path) const;

    /// Calls `fn` with each item, as pages arrive; it may move the item away.
    boost::asio::awaitable<void> each(std::function<void(attribute_map&)> fn) const;
    /// Calls `fn` with each page that has items.
    boost::asio::awaitable<void> pages(std::function<void(std::vector<attribute_map>&)> fn) const;

    /// Deletes every item of the relation by key, with BatchWriteItem in groups of 25;
    /// unprocessed items are sent again with jittered backoff, and those still unprocessed
    /// after database_options::max_batch_write_rounds are reported, not dropped.
    boost::asio::awaitable<delete_all_result> delete_all() const;
    boost::asio::awaitable<std::pair<error_code, delete_all_result>> delete_all(
        diagnostics& diag) const;

    /// The database client's executor, where the async_x forms run.
    boost::asio::any_io_executor get_executor() const;

    // Each terminal as an asynchronous operation for any completion token, e.g.
    // rel.async_all(diag, token) completes with void(error_code, std::vector<attribute_map>),
    // `diag` holding what the server said; it works on a copy of the relation.
    DYNOMITE_ASYNC_FORM(explain, query_plan, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(all, std::vector<attribute_map>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(first, std::optional<attribute_map>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(last, std::optional<attribute_map>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(count, std::int64_t, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(exists, bool, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(ids, std::vector<attribute_map>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(delete_all, delete_all_result, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM_WITH(pluck, std::vector<attribute_value>, document_path,
                             DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM_WITH(sum, number, document_path, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM_WITH(min, std::optional<number>, document_path, DYNOMITE_ASYNC_ON_COPY,
                             const)
    DYNOMITE_ASYNC_FORM_WITH(max, std::optional<number>, document_path, DYNOMITE_ASYNC_ON_COPY,
                             const)
    DYNOMITE_ASYNC_FORM_WITH(average, std::optional<number>, document_path,
                             DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM_WITH(each, void, std::function<void(attribute_map&)>,
                             DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM_WITH(pages, void, std::function<void(std::vector<attribute_map>&)>,
                             DYNOMITE_ASYNC_ON_COPY, const)

private:
    friend class database;
    friend struct detail::relation_access;
    enum class join { and_, or_, and_not };

    explicit relation(std::shared_ptr<const detail::relation_data> data);

    /// The condition of a "field.op" key, combined; the key's reading is kept for explain().
    relation keyed(join how, std::string_view key, std::span<const attribute_value> values) const;
    relation keyed(join how,
                   std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const;
    static condition field(std::string_view path, std::string_view op,
                           std::span<const attribute_value> values);
    relation combine(join how, const condition& c) const;
    template <class Change>
    relation with(Change&& change) const;

    std::shared_ptr<const detail::relation_data> data_;
};

}  // namespace dynomite
