// model_relation: a relation whose items become records.
#pragma once

#include <dynomite/core/async_operation.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/query/cursor.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/model/bad_item.hpp>
#include <dynomite/model/base.hpp>
#include <dynomite/model/registry.hpp>
#include <dynomite/model/detail/record_loading.hpp>
#include <dynomite/model/model_cursor.hpp>
#include <dynomite/query/query_plan.hpp>
#include <dynomite/query/relation.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynomite {

/// A relation whose items become records of T (or, with Holder = std::unique_ptr<T>, of the
/// class each item's type names). Made by T::all(), T::where(...) and model_scope; immutable
/// and cheap to copy, like dynomite::relation, which it wraps (raw() gives it back). A
/// relation through a subclass only yields items of that class and its descendants.
template <class T, class Holder = T>
class model_relation {
public:
    model_relation(dynomite::relation r, database db, std::optional<bad_items> skipped = std::nullopt)
        : rel_(reading_whole_lists(std::move(r))), db_(std::move(db)), skipped_(std::move(skipped))
    {
    }

    /// Items whose values their fields cannot hold (1.5 for an int, NULL for a std::string)
    /// are skipped and reported to `report`, instead of failing the whole read; every
    /// terminal operation and cursor of the relation returned does so.
    model_relation on_bad_item(bad_items report) const
    {
        return model_relation(rel_, db_, std::move(report));
    }

    // Conditions, as dynomite::relation takes them ("field.op" keys).
    model_relation where(std::string_view key, attribute_value value) const
    {
        return wrap(rel_.where(checked(key), std::move(value)));
    }
    model_relation where(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return wrap(rel_.where(checked(key), values));
    }
    model_relation where(std::string_view path, std::string_view op, attribute_value value) const
    {
        return wrap(rel_.where(path, op, std::move(value)));
    }
    model_relation where(
        std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
    {
        for (const auto& field : fields) checked(field.first);
        return wrap(rel_.where(fields));
    }
    model_relation where(const condition& c) const { return wrap(rel_.where(c)); }
    /// Each attribute of `conditions` ("field.op" names) ANDed.
    model_relation where(const attribute_map& conditions) const
    {
        return wrap(detail::where_all(descriptor_of<T>(), rel_, conditions));
    }
    model_relation and_(std::string_view key, attribute_value value) const
    {
        return where(key, std::move(value));
    }
    model_relation and_(const condition& c) const { return where(c); }
    model_relation or_(std::string_view key, attribute_value value) const
    {
        return wrap(rel_.or_(checked(key), std::move(value)));
    }
    model_relation or_(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return wrap(rel_.or_(checked(key), values));
    }
    model_relation or_(const condition& c) const { return wrap(rel_.or_(c)); }
    model_relation not_(std::string_view key, attribute_value value) const
    {
        return wrap(rel_.not_(checked(key), std::move(value)));
    }
    model_relation not_(std::string_view key, std::initializer_list<attribute_value> values) const
    {
        return wrap(rel_.not_(checked(key), values));
    }
    model_relation not_(const condition& c) const { return wrap(rel_.not_(c)); }
    model_relation attribute_exists(const document_path& path) const
    {
        return wrap(rel_.attribute_exists(path));
    }
    model_relation attribute_not_exists(const document_path& path) const
    {
        return wrap(rel_.attribute_not_exists(path));
    }
    model_relation begins_with(const document_path& path, attribute_value prefix) const
    {
        return wrap(rel_.begins_with(path, std::move(prefix)));
    }
    model_relation contains(const document_path& path, attribute_value value) const
    {
        return wrap(rel_.contains(path, std::move(value)));
    }
    model_relation attribute_type(const document_path& path, attribute_value::kind type) const
    {
        return wrap(rel_.attribute_type(path, type));
    }
    /// size(path) compared: size_fn("tags.gt", 2), size_fn("name.between", {1, 3}).
    model_relation size_fn(std::string_view key, attribute_value value) const
    {
        return wrap(rel_.size_fn(key, std::move(value)));
    }
    model_relation size_fn(std::string_view key,
                           std::initializer_list<attribute_value> values) const
    {
        return wrap(rel_.size_fn(key, values));
    }

    // How items are read; see dynomite::relation.
    model_relation limit(std::int64_t n) const { return wrap(rel_.limit(n)); }
    /// Only these attributes are read: the records are partial (model_base::is_partial()). A
    /// path through a list reads the list whole, so that each element keeps its index.
    model_relation project(std::initializer_list<document_path> paths) const
    {
        return wrap(rel_.project(paths));
    }
    model_relation project(std::vector<document_path> paths) const
    {
        return wrap(rel_.project(std::move(paths)));
    }
    model_relation scan_index_forward(bool forward = true) const
    {
        return wrap(rel_.scan_index_forward(forward));
    }
    model_relation scan_index_backward() const { return wrap(rel_.scan_index_backward()); }
    model_relation consistent_read(bool on = true) const { return wrap(rel_.consistent_read(on)); }
    model_relation index_name(std::string name) const
    {
        return wrap(rel_.index_name(std::move(name)));
    }
    model_relation start_from(attribute_map key) const
    {
        return wrap(rel_.start_from(std::move(key)));
    }
    model_relation start_from(std::string_view cursor_string) const
    {
        return wrap(rel_.start_from(cursor_string));
    }
    model_relation force_scan(bool on = true) const { return wrap(rel_.force_scan(on)); }
    model_relation with_scan_policy(scan_policy policy) const
    {
        return wrap(rel_.with_scan_policy(policy));
    }
    model_relation page_size(std::int32_t n) const { return wrap(rel_.page_size(n)); }
    model_relation read_ahead(std::size_t pages) const { return wrap(rel_.read_ahead(pages)); }
    model_relation segments(std::int32_t n) const { return wrap(rel_.segments(n)); }

    /// Records of the class each item names (single-table inheritance), as pointers to T.
    model_relation<T, std::unique_ptr<T>> polymorphic() const { return {rel_, db_, skipped_}; }

    const dynomite::relation& raw() const noexcept { return rel_; }
    const database& db() const noexcept { return db_; }

    // Terminal operations; each sends requests when awaited and throws dynomite::error.
    boost::asio::awaitable<query_plan> explain() const { return rel_.explain(); }
    model_cursor<T, Holder> cursor() const
    {
        return {rel_.cursor(), db_, detail::loaded_attributes_of(rel_), skipped_};
    }
    boost::asio::awaitable<std::vector<Holder>> all() const { return all_of(rel_, db_, skipped_); }
    /// With on_bad_item(), none when the first item is skipped.
    boost::asio::awaitable<std::optional<Holder>> first() const
    {
        return first_of(rel_, db_, skipped_);
    }
    /// The last in sort-key order (a Query only; see dynomite::relation::last()).
    boost::asio::awaitable<std::optional<Holder>> last() const
    {
        return last_of(rel_, db_, skipped_);
    }
    boost::asio::awaitable<std::int64_t> count() const { return rel_.count(); }
    boost::asio::awaitable<bool> exists() const { return rel_.exists(); }
    boost::asio::awaitable<std::vector<attribute_value>> pluck(const document_path& path) const
    {
        return rel_.pluck(path);
    }
    boost::asio::awaitable<std::vector<attribute_map>> ids() const { return rel_.ids(); }
    // Aggregates of the numbers at `path`, as dynomite::relation computes them.
    boost::asio::awaitable<number> sum(const document_path& path) const { return rel_.sum(path); }
    boost::asio::awaitable<std::optional<number>> min(const document_path& path) const
    {
        return rel_.min(path);
    }
    boost::asio::awaitable<std::optional<number>> max(const document_path& path) const
    {
        return rel_.max(path);
    }
    boost::asio::awaitable<std::optional<number>> average(const document_path& path) const
    {
        return rel_.average(path);
    }
    /// The first record matching `conditions` as well.
    boost::asio::awaitable<std::optional<Holder>> find_by(const attribute_map& conditions) const
    {
        return first_of(detail::where_all(descriptor_of<T>(), rel_, conditions), db_, skipped_);
    }
    /// Calls `fn` with each record, as pages arrive.
    boost::asio::awaitable<void> each(std::function<void(Holder&)> fn) const
    {
        return each_of(rel_, db_, skipped_, std::move(fn));
    }
    /// Calls `fn` with the records of each page that has items, as pages arrive: only the
    /// pages read ahead are held (see dynomite::cursor).
    boost::asio::awaitable<void> pages(std::function<void(std::vector<Holder>&)> fn) const
    {
        return pages_of(rel_, db_, skipped_, std::move(fn));
    }
    /// Batches of at most `batch_size` records (DynamoDB's Limit per request, so a filtered
    /// page may hold fewer), each loaded when the one before was handled.
    boost::asio::awaitable<void> find_in_batches(std::int32_t batch_size,
                                                 std::function<void(std::vector<Holder>&)> fn) const
    {
        return page_size(batch_size).pages(std::move(fn));
    }
    /// Calls `fn` with each record, read in batches of at most `batch_size`.
    boost::asio::awaitable<void> find_each(std::int32_t batch_size,
                                           std::function<void(Holder&)> fn) const
    {
        return page_size(batch_size).each(std::move(fn));
    }
    /// Loads each record and destroys it with its callbacks; returns how many were destroyed
    /// (halted ones are not).
    boost::asio::awaitable<std::int64_t> destroy_all() const
    {
        return destroy_all_of(rel_, db_, skipped_);
    }
    /// Deletes the items by key with BatchWriteItem, without loading them or running callbacks.
    boost::asio::awaitable<delete_all_result> delete_all() const { return rel_.delete_all(); }

    /// The database client's executor, where the async_x forms run.
    boost::asio::any_io_executor get_executor() const { return db_.get_client().get_executor(); }

    // The terminals for any completion token, e.g. async_all(diag, token) completes with
    // void(error_code, std::vector<Holder>); each works on a copy of the relation.
    DYNOMITE_ASYNC_FORM(all, std::vector<Holder>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(first, std::optional<Holder>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(last, std::optional<Holder>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(count, std::int64_t, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(exists, bool, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(destroy_all, std::int64_t, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(delete_all, delete_all_result, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM_WITH(find_by, std::optional<Holder>, attribute_map,
                             DYNOMITE_ASYNC_ON_COPY, const)

private:
    model_relation wrap(dynomite::relation r) const
    {
        return model_relation(std::move(r), db_, skipped_);
    }
    /// DynamoDB returns the list elements a projection names packed from index 0, which would
    /// land in a field at other indexes: a record reads such a list whole.
    static dynomite::relation reading_whole_lists(dynomite::relation r)
    {
        const auto& projection = r.spec().projection;
        const auto through_list = [](const document_path& p) {
            const auto& segments = p.segments();
            return std::any_of(segments.begin(), segments.end(),
                               [](const path_segment& s) { return !s.is_name(); });
        };
        if (std::none_of(projection.begin(), projection.end(), through_list)) return r;
        std::vector<document_path> read;
        for (const document_path& p : projection) {
            document_path whole = p.up_to_first_index();
            if (std::find(read.begin(), read.end(), whole) == read.end())
                read.push_back(std::move(whole));
        }
        return r.project(std::move(read));
    }
    static std::string_view checked(std::string_view key)
    {
        detail::check_model_key(descriptor_of<T>(), key);
        return key;
    }

    // Coroutines take copies, so that awaiting the result of a temporary relation is safe.
    static boost::asio::awaitable<std::vector<Holder>> all_of(dynomite::relation r, database db,
                                                              std::optional<bad_items> skipped)
    {
        auto items = co_await r.all();
        auto records = co_await detail::make_all<T, Holder>(std::move(items), std::move(db),
                                                            detail::loaded_attributes_of(r),
                                                            skipped ? &*skipped : nullptr);
        co_return records;
    }
    static boost::asio::awaitable<std::optional<Holder>> first_of(dynomite::relation r, database db,
                                                                  std::optional<bad_items> skipped)
    {
        auto item = co_await r.first();
        auto result = co_await record_of(std::move(item), r, std::move(db), skipped);
        co_return std::move(result);
    }
    static boost::asio::awaitable<std::optional<Holder>> last_of(dynomite::relation r, database db,
                                                                 std::optional<bad_items> skipped)
    {
        auto item = co_await r.last();
        auto result = co_await record_of(std::move(item), r, std::move(db), skipped);
        co_return std::move(result);
    }
    /// The record of first_of() and last_of(): none without an item, or when it is skipped.
    static boost::asio::awaitable<std::optional<Holder>> record_of(
        std::optional<attribute_map> item, const dynomite::relation& r, database db,
        std::optional<bad_items>& skipped)
    {
        if (!item) co_return std::nullopt;
        auto result = co_await detail::make_or_skip<T, Holder>(
            std::move(*item), db, detail::loaded_attributes_of(r), skipped ? &*skipped : nullptr);
        co_return std::move(result);
    }
    static boost::asio::awaitable<void> each_of(dynomite::relation r, database db,
                                                std::optional<bad_items> skipped,
                                                std::function<void(Holder&)> fn)
    {
        model_cursor<T, Holder> c(r.cursor(), std::move(db), detail::loaded_attributes_of(r),
                                  std::move(skipped));
        for (;;) {
            auto record = co_await c.next();
            if (!record) break;
            fn(*record);
        }
    }
    static boost::asio::awaitable<void> pages_of(dynomite::relation r, database db,
                                                 std::optional<bad_items> skipped,
                                                 std::function<void(std::vector<Holder>&)> fn)
    {
        const detail::loaded_attributes loaded = detail::loaded_attributes_of(r);
        auto c = r.cursor();
        for (;;) {
            auto page = co_await c.next_page();
            if (!page) break;
            if (page->empty()) continue;
            auto records = co_await detail::make_all<T, Holder>(std::move(*page), db, loaded,
                                                                skipped ? &*skipped : nullptr);
            fn(records);
        }
    }
    static boost::asio::awaitable<std::int64_t> destroy_all_of(dynomite::relation r, database db,
                                                               std::optional<bad_items> skipped)
    {
        std::int64_t destroyed = 0;
        model_cursor<T, Holder> c(r.cursor(), std::move(db), detail::loaded_attributes_of(r),
                                  std::move(skipped));
        for (;;) {
            auto record = co_await c.next();
            if (!record) break;
            model_base& base = as_base(*record);
            const bool done = co_await base.destroy();
            if (done) ++destroyed;
        }
        co_return destroyed;
    }
    static model_base& as_base(T& record) { return record; }
    static model_base& as_base(std::unique_ptr<T>& record) { return *record; }

    dynomite::relation rel_;
    database db_;
    std::optional<bad_items> skipped_;
};

}  // namespace dynomite
