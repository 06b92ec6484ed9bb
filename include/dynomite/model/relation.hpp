// Queries that yield models: model_relation (a relation whose items become records),
// model_cursor, and model_scope (a model bound to a database: find, find_by, where, ...).
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/query/cursor.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/model/bad_item.hpp>
#include <dynomite/model/base.hpp>
#include <dynomite/model/registry.hpp>
#include <dynomite/query/query_plan.hpp>
#include <dynomite/query/relation.hpp>

#include <boost/asio/awaitable.hpp>

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

/// The default database of the model layer, used by models and records not bound to one.
/// It is kept by the execution context of its client (an Asio service) and forgotten when
/// that context shuts down, so that it never outlives the io_context its connections use.
/// One default at a time: setting one for another context replaces it.
void set_default_database(database db);
/// The default database; throws dynomite::error(errc::invalid_configuration) when none is set.
database default_database();
bool has_default_database() noexcept;
/// Forgets the default database.
void clear_default_database() noexcept;

/// How default table names are made (namespace and separator; DYNOMITE_NAMESPACE when the
/// namespace is not set). Applies to tables named afterwards.
void set_model_naming(naming_options options);
naming_options model_naming();

/// The tag of a strongly consistent find: Product::find(id, dynomite::consistent). A bool
/// cannot take its place (find(id, true) does not compile): it would be a sort key.
struct consistent_read_tag {
    explicit constexpr consistent_read_tag() = default;
};
inline constexpr consistent_read_tag consistent{};

namespace detail {

/// A bool where a sort key or dynomite::consistent belongs; the finders delete such overloads.
template <class B>
concept plain_bool = std::same_as<std::remove_cvref_t<B>, bool>;

/// The top-level attributes a relation's projection reads whole; null without a projection
/// (src/model/attributes.cpp).
using loaded_attributes = std::shared_ptr<const std::vector<std::string>>;
loaded_attributes loaded_attributes_of(const relation& r);
/// Marks a record read through a projection as partial (model_base::is_partial()).
void mark_partial(model_base& record, loaded_attributes loaded);

// The type-erased operations behind the templates (src/model/model.cpp).

/// The database a model uses: its own, else the default.
database database_for(const model_descriptor& d);
/// Fills a newly constructed record from an item (attributes it lacks keep the record's
/// values) and binds it to `db` (when given). A value its field cannot hold throws
/// dynomite::error with the converter's code and a message naming the model, the field, the
/// item's key and the value; with `bad`, it is described there instead and false returned.
bool load_record(model_base& record, attribute_map item, const database* db,
                 bad_item* bad = nullptr);
/// after_find, then after_initialize.
boost::asio::awaitable<void> run_after_load(model_base& record);
/// Whether the record's class has after_find or after_initialize callbacks: without them,
/// loading a record need not start run_after_load's coroutine.
bool has_after_load_callbacks(const model_base& record);
/// The same for records made without awaiting; throws dynomite::error
/// (errc::invalid_configuration) for an awaitable callback.
void run_after_load_sync(model_base& record);
void run_after_initialize(model_base& record);
/// Applies the declared defaults of a new record.
void apply_defaults(model_base& record);
/// Whether an item's type (single-table inheritance) is this class or one of its registered
/// descendants; always true outside a hierarchy or for its root.
bool type_matches(const model_descriptor& d, const attribute_map& item);
/// The item's inheritance type name, if the hierarchy has one and the item names it.
std::optional<std::string> item_type(const model_descriptor& d, const attribute_map& item);
[[noreturn]] void throw_unknown_type(const model_descriptor& d, std::string_view type);

/// Every item of the model's table, filtered by type for a subclass.
relation base_relation(const database& db, const model_descriptor& d);

/// The key of a find(partition[, sort]) when the model declares its keys, checked against
/// them; none when they come from the table's description (make_key reads it).
std::optional<attribute_map> declared_key(const model_descriptor& d,
                                          const attribute_value& partition,
                                          const std::optional<attribute_value>& sort);
/// The key of a find(partition[, sort]), checked against the table's key.
boost::asio::awaitable<attribute_map> make_key(database db, const model_descriptor& d,
                                               attribute_value partition,
                                               std::optional<attribute_value> sort);
/// GetItem; strongly consistent when `consistent`.
boost::asio::awaitable<std::optional<attribute_map>> get_item(database db,
                                                              const model_descriptor& d,
                                                              attribute_map key,
                                                              bool consistent = false);
/// BatchGetItem in chunks of 100 keys, unprocessed keys sent again with backoff; one entry
/// per key, in order (none where there is no item).
boost::asio::awaitable<std::vector<std::optional<attribute_map>>> batch_get(
    database db, const model_descriptor& d, std::vector<attribute_map> keys);
boost::asio::awaitable<std::vector<attribute_map>> keys_for(database db, const model_descriptor& d,
                                                            std::vector<attribute_value> values);
/// find_by: GetItem when `conditions` are exactly the key (plain equalities), else the first
/// item of the relation.
boost::asio::awaitable<std::optional<attribute_map>> find_by_item(database db,
                                                                  const model_descriptor& d,
                                                                  attribute_map conditions);
/// Refuses (dynomite::error, errc::invalid_argument) a key whose last name is no operator
/// after a declared string, number, boolean or time field of the model: "price.like" on a
/// number field would otherwise read as a nested path that cannot exist, and match nothing.
void check_model_key(const model_descriptor& d, std::string_view key);
/// The relation find_by() reads when the conditions are not the key; each key checked.
relation where_all(const model_descriptor& d, const relation& r, const attribute_map& conditions);
/// The plain equalities of find_by conditions, assigned to a new record.
void assign_equalities(model_base& record, const attribute_map& conditions);

[[noreturn]] void throw_not_found(const model_descriptor& d, const attribute_map& key);
[[noreturn]] void throw_not_found(const model_descriptor& d, std::string_view what);
[[noreturn]] void throw_many_not_found(const model_descriptor& d,
                                       const std::vector<attribute_map>& missing);

/// Makes a record (a T, or a std::unique_ptr<T> to the class the item names) from an item.
/// build() loads it; make() also runs its after_find and after_initialize callbacks, which may
/// suspend. Loops over many items call build() and, only where has_after_load_callbacks(),
/// run_after_load(): a class without those callbacks costs no coroutine per record.
template <class T, class Holder>
struct record_maker;

template <class T>
struct record_maker<T, T> {
    static T build(attribute_map item, const database& db)
    {
        T record;
        load_record(record, std::move(item), &db);
        return record;
    }
    /// As build(); with `skipped`, an item that does not load is reported there and none made.
    static std::optional<T> try_build(attribute_map item, const database& db,
                                      const bad_items* skipped)
    {
        if (skipped == nullptr) return build(std::move(item), db);
        std::optional<T> record(std::in_place);
        bad_item bad;
        if (load_record(*record, std::move(item), &db, &bad)) return record;
        skipped->add(std::move(bad));
        return std::nullopt;
    }
    static model_base& base(T& record) { return record; }
    static boost::asio::awaitable<T> make(attribute_map item, database db)
    {
        T record = build(std::move(item), db);
        if (has_after_load_callbacks(record)) co_await run_after_load(record);
        co_return record;
    }
    static bool accepts(const attribute_map& item)
    {
        return type_matches(descriptor_of<T>(), item);
    }
};

template <class T>
struct record_maker<T, std::unique_ptr<T>> {
    static std::unique_ptr<T> build(attribute_map item, const database& db)
    {
        std::unique_ptr<T> record;
        if (auto type = item_type(descriptor_of<T>(), item)) {
            record = polymorphic_registry<T>::make(*type);
            if (!record) throw_unknown_type(descriptor_of<T>(), *type);
        } else {
            record = std::make_unique<T>();
        }
        load_record(*record, std::move(item), &db);
        return record;
    }
    static std::optional<std::unique_ptr<T>> try_build(attribute_map item, const database& db,
                                                       const bad_items* skipped)
    {
        if (skipped == nullptr) return build(std::move(item), db);
        std::unique_ptr<T> record;
        if (auto type = item_type(descriptor_of<T>(), item)) {
            record = polymorphic_registry<T>::make(*type);
            if (!record) throw_unknown_type(descriptor_of<T>(), *type);
        } else {
            record = std::make_unique<T>();
        }
        bad_item bad;
        if (load_record(*record, std::move(item), &db, &bad)) return record;
        skipped->add(std::move(bad));
        return std::nullopt;
    }
    static model_base& base(std::unique_ptr<T>& record) { return *record; }
    static boost::asio::awaitable<std::unique_ptr<T>> make(attribute_map item, database db)
    {
        std::unique_ptr<T> record = build(std::move(item), db);
        if (has_after_load_callbacks(*record)) co_await run_after_load(*record);
        co_return record;
    }
    static bool accepts(const attribute_map& item)
    {
        return type_matches(descriptor_of<T>(), item);
    }
};

template <class T, class Holder>
boost::asio::awaitable<std::optional<Holder>> make_optional(std::optional<attribute_map> item,
                                                            database db)
{
    if (!item || !record_maker<T, Holder>::accepts(*item)) co_return std::nullopt;
    auto result = co_await record_maker<T, Holder>::make(std::move(*item), std::move(db));
    co_return std::move(result);
}

/// record_maker::try_build(), marked partial when read through a projection; none when
/// `skipped` took the item.
template <class T, class Holder>
std::optional<Holder> build_record(attribute_map item, const database& db,
                                   const loaded_attributes& loaded, const bad_items* skipped)
{
    using maker = record_maker<T, Holder>;
    std::optional<Holder> record = maker::try_build(std::move(item), db, skipped);
    if (record && loaded) mark_partial(maker::base(*record), loaded);
    return record;
}

/// A record with its after-load callbacks run; none when `skipped` took the item.
template <class T, class Holder>
boost::asio::awaitable<std::optional<Holder>> make_or_skip(attribute_map item, database db,
                                                           loaded_attributes loaded,
                                                           const bad_items* skipped)
{
    using maker = record_maker<T, Holder>;
    std::optional<Holder> record = build_record<T, Holder>(std::move(item), db, loaded, skipped);
    if (record && has_after_load_callbacks(maker::base(*record)))
        co_await run_after_load(maker::base(*record));
    co_return record;
}

template <class T, class Holder>
boost::asio::awaitable<std::vector<Holder>> make_all(std::vector<attribute_map> items, database db,
                                                     loaded_attributes loaded = nullptr,
                                                     const bad_items* skipped = nullptr)
{
    using maker = record_maker<T, Holder>;
    std::vector<Holder> out;
    out.reserve(items.size());
    for (auto& item : items) {
        std::optional<Holder> built =
            build_record<T, Holder>(std::move(item), db, loaded, skipped);
        if (!built) continue;
        // Reserved: the reference outlives the callbacks' suspension.
        Holder& record = out.emplace_back(std::move(*built));
        if (has_after_load_callbacks(maker::base(record))) co_await run_after_load(maker::base(record));
    }
    co_return out;
}

}  // namespace detail

/// Streams the records of a model_relation, as dynomite::cursor streams items:
///
///     auto cursor = Product::where("category", "books").cursor();
///     while (auto product = co_await cursor.next()) use(*product);
template <class T, class Holder = T>
class model_cursor {
public:
    model_cursor(dynomite::cursor c, database db, detail::loaded_attributes loaded = nullptr,
                 std::optional<bad_items> skipped = std::nullopt)
        : cursor_(std::move(c)), db_(std::move(db)), loaded_(std::move(loaded)),
          skipped_(std::move(skipped))
    {
    }

    /// The next record, or none after the last one; throws dynomite::error on failure. Items
    /// that do not load are reported to on_bad_item()'s list and passed over, if it was given.
    boost::asio::awaitable<std::optional<Holder>> next()
    {
        using maker = detail::record_maker<T, Holder>;
        for (;;) {
            auto item = co_await cursor_.next();
            if (!item) co_return std::nullopt;
            // Built in place: a record costs no coroutine of its own without callbacks.
            std::optional<Holder> record = detail::build_record<T, Holder>(
                std::move(*item), db_, loaded_, skipped_ ? &*skipped_ : nullptr);
            if (!record) continue;
            if (detail::has_after_load_callbacks(maker::base(*record)))
                co_await detail::run_after_load(maker::base(*record));
            co_return record;
        }
    }

    bool done() const noexcept { return cursor_.done(); }
    std::int64_t items_taken() const noexcept { return cursor_.items_taken(); }
    /// Where a relation resumes with start_from(); see dynomite::cursor.
    std::string cursor_string() const { return cursor_.cursor_string(); }
    void cancel() { cursor_.cancel(); }
    dynomite::cursor& raw() noexcept { return cursor_; }

private:
    dynomite::cursor cursor_;
    database db_;
    detail::loaded_attributes loaded_;
    std::optional<bad_items> skipped_;
};

/// A relation whose items become records of T (or, with Holder = std::unique_ptr<T>, of the
/// class each item's type names). Made by T::all(), T::where(...) and model_scope; immutable
/// and cheap to copy, like dynomite::relation, which it wraps (raw() gives it back). A
/// relation through a subclass only yields items of that class and its descendants.
template <class T, class Holder = T>
class model_relation {
public:
    model_relation(dynomite::relation r, database db, std::optional<bad_items> skipped = std::nullopt)
        : rel_(std::move(r)), db_(std::move(db)), skipped_(std::move(skipped))
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
    /// Only these attributes are read: the records are partial (model_base::is_partial()).
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

private:
    model_relation wrap(dynomite::relation r) const
    {
        return model_relation(std::move(r), db_, skipped_);
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

/// Model T bound to a database: T::on(db) gives one, and T's static finders use the model's
/// (or the default) database through one. Every finder loads records bound to the database.
template <class T, class Holder = T>
class model_scope {
public:
    explicit model_scope(database db) : db_(std::move(db)) {}

    const database& db() const noexcept { return db_; }

    /// Every item of the table (of this class and its descendants, for a subclass).
    model_relation<T, Holder> all() const
    {
        return {detail::base_relation(db_, descriptor_of<T>()), db_};
    }
    model_relation<T, Holder> where(std::string_view key, attribute_value value) const
    {
        return all().where(key, std::move(value));
    }
    model_relation<T, Holder> where(std::string_view key,
                                    std::initializer_list<attribute_value> values) const
    {
        return all().where(key, values);
    }
    model_relation<T, Holder> where(std::string_view path, std::string_view op,
                                    attribute_value value) const
    {
        return all().where(path, op, std::move(value));
    }
    model_relation<T, Holder> where(
        std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
    {
        return all().where(fields);
    }
    model_relation<T, Holder> where(const condition& c) const { return all().where(c); }
    model_relation<T, Holder> where(const attribute_map& conditions) const
    {
        return all().where(conditions);
    }

    /// Records of the class each item names, as pointers to T.
    model_scope<T, std::unique_ptr<T>> polymorphic() const
    {
        return model_scope<T, std::unique_ptr<T>>(db_);
    }

    /// GetItem by the partition key (and sort key); none when there is no such item (or, for a
    /// subclass, when the item is of another class).
    boost::asio::awaitable<std::optional<Holder>> find(attribute_value partition) const
    {
        return find_of(db_, std::move(partition), std::nullopt, false);
    }
    boost::asio::awaitable<std::optional<Holder>> find(attribute_value partition,
                                                       attribute_value sort) const
    {
        return find_of(db_, std::move(partition), std::move(sort), false);
    }
    /// find(id, dynomite::consistent): a strongly consistent GetItem.
    boost::asio::awaitable<std::optional<Holder>> find(attribute_value partition,
                                                       consistent_read_tag) const
    {
        return find_of(db_, std::move(partition), std::nullopt, true);
    }
    boost::asio::awaitable<std::optional<Holder>> find(attribute_value partition,
                                                       attribute_value sort,
                                                       consistent_read_tag) const
    {
        return find_of(db_, std::move(partition), std::move(sort), true);
    }
    /// find(id, true) would read true as a sort key: use dynomite::consistent.
    template <detail::plain_bool B>
    boost::asio::awaitable<std::optional<Holder>> find(attribute_value, B) const = delete;
    /// As find(), throwing model_errc::record_not_found.
    boost::asio::awaitable<Holder> find_or_throw(attribute_value partition) const
    {
        return find_or_throw_of(db_, std::move(partition), std::nullopt, false);
    }
    boost::asio::awaitable<Holder> find_or_throw(attribute_value partition,
                                                 attribute_value sort) const
    {
        return find_or_throw_of(db_, std::move(partition), std::move(sort), false);
    }
    boost::asio::awaitable<Holder> find_or_throw(attribute_value partition,
                                                 consistent_read_tag) const
    {
        return find_or_throw_of(db_, std::move(partition), std::nullopt, true);
    }
    boost::asio::awaitable<Holder> find_or_throw(attribute_value partition, attribute_value sort,
                                                 consistent_read_tag) const
    {
        return find_or_throw_of(db_, std::move(partition), std::move(sort), true);
    }
    template <detail::plain_bool B>
    boost::asio::awaitable<Holder> find_or_throw(attribute_value, B) const = delete;
    /// BatchGetItem, in chunks of 100 keys: the records found, in the order of the keys
    /// (duplicates repeated); keys without an item are skipped. Partition key values for a
    /// table without a sort key, else full keys.
    boost::asio::awaitable<std::vector<Holder>> find_many(
        std::vector<attribute_value> partitions) const
    {
        return find_many_values(db_, std::move(partitions), false);
    }
    boost::asio::awaitable<std::vector<Holder>> find_many(std::vector<attribute_map> keys) const
    {
        return find_many_keys(db_, std::move(keys), false);
    }
    /// As find_many(), throwing model_errc::record_not_found naming the missing keys.
    boost::asio::awaitable<std::vector<Holder>> find_many_or_throw(
        std::vector<attribute_value> partitions) const
    {
        return find_many_values(db_, std::move(partitions), true);
    }
    boost::asio::awaitable<std::vector<Holder>> find_many_or_throw(
        std::vector<attribute_map> keys) const
    {
        return find_many_keys(db_, std::move(keys), true);
    }
    /// The first record whose attributes match `conditions` ("field.op" names allowed): a
    /// GetItem when they are exactly the key, else a relation (which picks an index).
    boost::asio::awaitable<std::optional<Holder>> find_by(attribute_map conditions) const
    {
        return find_by_of(db_, std::move(conditions));
    }
    boost::asio::awaitable<Holder> find_by_or_throw(attribute_map conditions) const
    {
        return find_by_or_throw_of(db_, std::move(conditions));
    }
    /// The record found, or a new one with the conditions' equalities assigned.
    boost::asio::awaitable<T> find_or_initialize_by(attribute_map conditions) const
    {
        return find_or_initialize_of(db_, std::move(conditions), {}, false);
    }
    /// The record found, or a new one (equalities assigned, then `init`) created; check
    /// persisted() and errors(), since validations may have refused it.
    boost::asio::awaitable<T> find_or_create_by(attribute_map conditions,
                                                std::function<void(T&)> init = {}) const
    {
        return find_or_initialize_of(db_, std::move(conditions), std::move(init), true);
    }

    boost::asio::awaitable<std::optional<Holder>> first() const { return all().first(); }
    /// The last in sort-key order; only a Query has one (see dynomite::relation::last()).
    boost::asio::awaitable<std::optional<Holder>> last() const { return all().last(); }
    boost::asio::awaitable<std::int64_t> count() const { return all().count(); }
    boost::asio::awaitable<bool> exists() const { return all().exists(); }
    boost::asio::awaitable<std::vector<attribute_value>> pluck(const document_path& path) const
    {
        return all().pluck(path);
    }
    boost::asio::awaitable<number> sum(const document_path& path) const { return all().sum(path); }
    boost::asio::awaitable<std::optional<number>> min(const document_path& path) const
    {
        return all().min(path);
    }
    boost::asio::awaitable<std::optional<number>> max(const document_path& path) const
    {
        return all().max(path);
    }
    boost::asio::awaitable<std::optional<number>> average(const document_path& path) const
    {
        return all().average(path);
    }
    /// Every record, read in batches of at most `batch_size`; see model_relation::find_each.
    boost::asio::awaitable<void> find_each(std::int32_t batch_size,
                                           std::function<void(Holder&)> fn) const
    {
        return all().find_each(batch_size, std::move(fn));
    }
    boost::asio::awaitable<void> find_in_batches(std::int32_t batch_size,
                                                 std::function<void(std::vector<Holder>&)> fn) const
    {
        return all().find_in_batches(batch_size, std::move(fn));
    }

    /// Saves `record` as new (bound to this database) and returns it: check persisted() and
    /// errors().
    boost::asio::awaitable<T> create(T record, save_options options = {}) const
    {
        return create_of(db_, std::move(record), options, false);
    }
    /// As create(), throwing as save_or_throw() does.
    boost::asio::awaitable<T> create_or_throw(T record, save_options options = {}) const
    {
        return create_of(db_, std::move(record), options, true);
    }

private:
    using maker = detail::record_maker<T, Holder>;

    // Declared keys and a class without after-load callbacks take no coroutine but the
    // request's: find() is the model layer's hottest path.
    static boost::asio::awaitable<std::optional<Holder>> find_of(
        database db, attribute_value partition, std::optional<attribute_value> sort,
        bool consistent)
    {
        const auto& d = descriptor_of<T>();
        std::optional<attribute_map> key = detail::declared_key(d, partition, sort);
        if (!key) key = co_await detail::make_key(db, d, std::move(partition), std::move(sort));
        auto item = co_await detail::get_item(db, d, std::move(*key), consistent);
        if (!item || !maker::accepts(*item)) co_return std::nullopt;
        std::optional<Holder> record(maker::build(std::move(*item), db));
        if (detail::has_after_load_callbacks(maker::base(*record)))
            co_await detail::run_after_load(maker::base(*record));
        co_return record;
    }
    static boost::asio::awaitable<Holder> find_or_throw_of(database db, attribute_value partition,
                                                           std::optional<attribute_value> sort,
                                                           bool consistent)
    {
        const auto& d = descriptor_of<T>();
        std::optional<attribute_map> key = detail::declared_key(d, partition, sort);
        if (!key) key = co_await detail::make_key(db, d, std::move(partition), std::move(sort));
        auto item = co_await detail::get_item(db, d, *key, consistent);
        if (!item || !maker::accepts(*item)) detail::throw_not_found(d, *key);
        Holder record = maker::build(std::move(*item), db);
        if (detail::has_after_load_callbacks(maker::base(record)))
            co_await detail::run_after_load(maker::base(record));
        co_return record;
    }
    static boost::asio::awaitable<std::vector<Holder>> find_many_values(
        database db, std::vector<attribute_value> partitions, bool throw_missing)
    {
        auto keys = co_await detail::keys_for(db, descriptor_of<T>(), std::move(partitions));
        auto result = co_await find_many_keys(db, std::move(keys), throw_missing);
        co_return std::move(result);
    }
    static boost::asio::awaitable<std::vector<Holder>> find_many_keys(
        database db, std::vector<attribute_map> keys, bool throw_missing)
    {
        const auto& d = descriptor_of<T>();
        auto items = co_await detail::batch_get(db, d, keys);
        std::vector<Holder> out;
        std::vector<attribute_map> missing;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!items[i] || !maker::accepts(*items[i])) {
                missing.push_back(keys[i]);
                continue;
            }
            auto record = co_await maker::make(std::move(*items[i]), db);
            out.push_back(std::move(record));
        }
        if (throw_missing && !missing.empty()) detail::throw_many_not_found(d, missing);
        co_return out;
    }
    static boost::asio::awaitable<std::optional<Holder>> find_by_of(database db,
                                                                    attribute_map conditions)
    {
        auto item = co_await detail::find_by_item(db, descriptor_of<T>(), std::move(conditions));
        auto result = co_await detail::make_optional<T, Holder>(std::move(item), db);
        co_return std::move(result);
    }
    static boost::asio::awaitable<Holder> find_by_or_throw_of(database db, attribute_map conditions)
    {
        const auto& d = descriptor_of<T>();
        auto item = co_await detail::find_by_item(db, d, conditions);
        if (!item || !maker::accepts(*item)) detail::throw_not_found(d, conditions);
        auto result = co_await maker::make(std::move(*item), db);
        co_return std::move(result);
    }
    static boost::asio::awaitable<T> find_or_initialize_of(database db, attribute_map conditions,
                                                           std::function<void(T&)> init,
                                                           bool create)
    {
        const auto& d = descriptor_of<T>();
        auto item = co_await detail::find_by_item(db, d, conditions);
        if (item && detail::record_maker<T, T>::accepts(*item)) {
            auto result = co_await detail::record_maker<T, T>::make(std::move(*item), db);
            co_return std::move(result);
        }
        T record;
        record.use_database(db);
        detail::apply_defaults(record);
        detail::run_after_initialize(record);
        detail::assign_equalities(record, conditions);
        if (init) init(record);
        if (create) co_await record.save();
        co_return record;
    }
    static boost::asio::awaitable<T> create_of(database db, T record, save_options options,
                                               bool throwing)
    {
        record.use_database(db);
        if (throwing) {
            co_await record.save_or_throw(options);
        } else {
            co_await record.save(options);
        }
        co_return record;
    }

    database db_;
};

}  // namespace dynomite
