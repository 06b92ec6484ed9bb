// The type-erased operations behind the model templates (src/model/), and record_maker, which
// makes a record of a model class from an item.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/model/bad_item.hpp>
#include <dynomite/model/base.hpp>
#include <dynomite/model/registry.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/query/relation.hpp>

#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynomite {

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
/// The GetItem request of a record's key; strongly consistent when `consistent`.
get_item_request get_item_request_for(const model_descriptor& d, attribute_map key,
                                      bool consistent);
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

/// Constructs a value at the end of a vector, or in an optional.
template <class Into, class... Args>
auto& emplace_in(Into& into, Args&&... args)
{
    if constexpr (requires { into.emplace_back(std::forward<Args>(args)...); })
        return into.emplace_back(std::forward<Args>(args)...);
    else
        return into.emplace(std::forward<Args>(args)...);
}

/// load_record(); with `skipped`, an item that does not load is reported there and false
/// returned instead of throwing.
bool load_or_skip(model_base& record, attribute_map item, const database& db,
                  const bad_items* skipped);

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
    /// A record not yet loaded, made in place in `into`: no record is moved.
    template <class Into>
    static T& emplace_blank(Into& into, const attribute_map&)
    {
        return emplace_in(into);
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
    /// A new record of the class the item's type names (T when it names none).
    static std::unique_ptr<T> construct(const attribute_map& item)
    {
        auto type = item_type(descriptor_of<T>(), item);
        if (!type) return std::make_unique<T>();
        std::unique_ptr<T> record = polymorphic_registry<T>::make(*type);
        if (!record) throw_unknown_type(descriptor_of<T>(), *type);
        return record;
    }
    static std::unique_ptr<T> build(attribute_map item, const database& db)
    {
        std::unique_ptr<T> record = construct(item);
        load_record(*record, std::move(item), &db);
        return record;
    }
    template <class Into>
    static std::unique_ptr<T>& emplace_blank(Into& into, const attribute_map& item)
    {
        return emplace_in(into, construct(item));
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

/// Makes the item's record in `into` (added to a vector, or in an optional), loaded and marked
/// partial when read through a projection. When `skipped` takes the item, `into` is left as it
/// was and false returned.
template <class T, class Holder, class Into>
bool load_into(Into& into, attribute_map item, const database& db,
               const loaded_attributes& loaded, const bad_items* skipped)
{
    using maker = record_maker<T, Holder>;
    Holder& record = maker::emplace_blank(into, item);
    if (!load_or_skip(maker::base(record), std::move(item), db, skipped)) {
        if constexpr (requires { into.pop_back(); })
            into.pop_back();
        else
            into.reset();
        return false;
    }
    if (loaded) mark_partial(maker::base(record), loaded);
    return true;
}

/// load_into() an optional: none when `skipped` took the item.
template <class T, class Holder>
std::optional<Holder> build_record(attribute_map item, const database& db,
                                   const loaded_attributes& loaded, const bad_items* skipped)
{
    std::optional<Holder> record;
    load_into<T, Holder>(record, std::move(item), db, loaded, skipped);
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
        if (!load_into<T, Holder>(out, std::move(item), db, loaded, skipped)) continue;
        // Reserved: the reference outlives the callbacks' suspension.
        Holder& record = out.back();
        if (has_after_load_callbacks(maker::base(record))) co_await run_after_load(maker::base(record));
    }
    co_return out;
}

}  // namespace detail

}  // namespace dynomite
