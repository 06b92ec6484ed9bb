// model_scope: a model bound to a database (find, find_by, where, ...).
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
#include <dynomite/model/model_relation.hpp>
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

/// The tag of a strongly consistent find: Product::find(id, dynomite::consistent). A bool
/// cannot take its place (find(id, true) does not compile): it would be a sort key.
struct consistent_read_tag {
    explicit constexpr consistent_read_tag() = default;
};
inline constexpr consistent_read_tag consistent{};

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

    /// The database client's executor, where the async_x forms run.
    boost::asio::any_io_executor get_executor() const { return db_.get_client().get_executor(); }

    // For any completion token, e.g. Post::scope().async_find(id, diag, token) completes with
    // void(error_code, std::optional<Holder>).
    DYNOMITE_ASYNC_FORM_WITH(find, std::optional<Holder>, attribute_value, DYNOMITE_ASYNC_ON_COPY,
                             const)
    DYNOMITE_ASYNC_FORM_WITH(find_by, std::optional<Holder>, attribute_map,
                             DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM_WITH(create, T, T, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(first, std::optional<Holder>, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(count, std::int64_t, DYNOMITE_ASYNC_ON_COPY, const)
    DYNOMITE_ASYNC_FORM(exists, bool, DYNOMITE_ASYNC_ON_COPY, const)

private:
    using maker = detail::record_maker<T, Holder>;

    // Declared keys and a class without after-load callbacks take no coroutine but the
    // client's: find() is the model layer's hottest path. The record is loaded where it is
    // returned from. With `must_exist`, no record is dynomite::error naming the key.
    static boost::asio::awaitable<std::optional<Holder>> find_of(
        database db, attribute_value partition, std::optional<attribute_value> sort,
        bool consistent, bool must_exist = false)
    {
        const auto& d = descriptor_of<T>();
        // declared_key copies the values, which a missing record's error names again.
        std::optional<attribute_map> key = detail::declared_key(d, partition, sort);
        if (!key && must_exist)
            key = co_await detail::make_key(db, d, partition, sort);
        else if (!key)
            key = co_await detail::make_key(db, d, std::move(partition), std::move(sort));
        get_item_request request = detail::get_item_request_for(d, std::move(*key), consistent);
        dynomite::client c = db.get_client();
        auto response = co_await c.get_item(std::move(request));
        std::optional<Holder> record;
        if (!response.item || !maker::accepts(*response.item)) {
            if (must_exist) co_await throw_not_found(db, std::move(partition), std::move(sort));
            co_return record;
        }
        detail::load_into<T, Holder>(record, std::move(*response.item), db, nullptr, nullptr);
        if (detail::has_after_load_callbacks(maker::base(*record)))
            co_await detail::run_after_load(maker::base(*record));
        co_return record;
    }
    static boost::asio::awaitable<Holder> find_or_throw_of(database db, attribute_value partition,
                                                           std::optional<attribute_value> sort,
                                                           bool consistent)
    {
        std::optional<Holder> record =
            co_await find_of(std::move(db), std::move(partition), std::move(sort), consistent, true);
        co_return std::move(*record);
    }
    static boost::asio::awaitable<void> throw_not_found(
        database db, attribute_value partition, std::optional<attribute_value> sort)
    {
        const auto& d = descriptor_of<T>();
        std::optional<attribute_map> key = detail::declared_key(d, partition, sort);
        if (!key) key = co_await detail::make_key(db, d, std::move(partition), std::move(sort));
        detail::throw_not_found(d, *key);
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
