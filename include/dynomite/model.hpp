// Models: plain structs whose fields are declared once, with validations, callbacks, dirty
// tracking, persistence and finders over DynamoDB.
//
//     struct Product : dynomite::model<Product> {
//         std::string id;
//         std::string category;
//         std::optional<double> price;
//         std::optional<int> stock_quantity;
//         std::chrono::sys_seconds created_at, updated_at;
//
//         static void define(dynomite::model_definition<Product>& s) {
//             s.field("category", &Product::category);
//             s.field("price", &Product::price).validates(dynomite::presence());
//             s.field("stock_quantity", &Product::stock_quantity);
//             s.before_save([](Product& p) { if (!p.stock_quantity) p.stock_quantity = 0; });
//         }
//     };
//
//     dynomite::set_default_database(db);
//     Product p;
//     p.category = "books";
//     p.price = 12.5;
//     co_await p.save_or_throw();                        // id "product-..." generated
//     auto again = co_await Product::find(p.id);         // std::optional<Product>
//     auto cheap = co_await Product::where("price.lt", 20).all();
#pragma once

#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/model/association.hpp>
#include <dynomite/model/base.hpp>
#include <dynomite/model/batch.hpp>
#include <dynomite/model/changes.hpp>
#include <dynomite/model/errors.hpp>
#include <dynomite/model/partiql.hpp>
#include <dynomite/model/registry.hpp>
#include <dynomite/model/relation.hpp>
#include <dynomite/model/schema.hpp>
#include <dynomite/model/transaction.hpp>
#include <dynomite/model/validation.hpp>
#include <dynomite/core/naming.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

/// The class-level operations of model T: finders, relations, create, configuration. Each
/// uses the model's database (set with set_database()), else the default database; on(db)
/// names another.
template <class T>
class model_class {
public:
    /// The model descriptor of the class, built by T::define() on first use.
    static const detail::model_descriptor& class_descriptor() { return descriptor_of<T>(); }
    [[deprecated("use class_descriptor()")]] static const detail::model_descriptor& schema()
    {
        return descriptor_of<T>();
    }
    static std::string table_name() { return descriptor_of<T>().table_name(); }
    /// Changes the table (of the whole hierarchy, for single-table inheritance).
    static void set_table_name(std::string name)
    {
        descriptor_of<T>().set_table_name(std::move(name));
    }
    /// The database of this model (of its whole hierarchy), instead of the default one. Like
    /// the default database it is kept by the execution context of its client and forgotten
    /// when that context shuts down.
    static void set_database(database db) { descriptor_of<T>().set_database(std::move(db)); }

    /// The model bound to `db`: on(db).find(...), on(db).where(...), on(db).create(...).
    static model_scope<T> on(database db) { return model_scope<T>(std::move(db)); }
    static model_scope<T> scope()
    {
        return model_scope<T>(detail::database_for(descriptor_of<T>()));
    }
    /// Finders that make records of the class each item names, as std::unique_ptr<T>.
    static model_scope<T, std::unique_ptr<T>> polymorphic() { return scope().polymorphic(); }

    /// The changes of the model's table as records (its stream must be enabled); see
    /// model_change_feed. (A record's changes() without an argument is its dirty tracking.)
    static model_change_feed<T> changes(change_feed_options options)
    {
        return model_change_feed<T>(detail::database_for(class_descriptor()), std::move(options));
    }

    /// A new record with the declared defaults, after its after_initialize callbacks.
    static T build()
    {
        T record;
        detail::apply_defaults(record);
        detail::run_after_initialize(record);
        return record;
    }
    /// A persisted record from an item read elsewhere (a raw relation, a stream), after its
    /// after_find and after_initialize callbacks; not bound to a database.
    static T from_item(attribute_map item)
    {
        T record;
        detail::load_record(record, std::move(item), nullptr);
        detail::run_after_load_sync(record);
        return record;
    }
    /// A new record from to_json()'s output; throws dynomite::error(errc::invalid_argument)
    /// naming the field that does not fit.
    static T from_json(std::string_view json)
    {
        T record = build();
        std::string why;
        if (error_code ec = record.assign_json(json, &why)) throw error(ec, why);
        return record;
    }
    static boost::asio::awaitable<T> create(T record, save_options options = {})
    {
        return scope().create(std::move(record), options);
    }
    static boost::asio::awaitable<T> create_or_throw(T record, save_options options = {})
    {
        return scope().create_or_throw(std::move(record), options);
    }

    static model_relation<T> all() { return scope().all(); }
    static model_relation<T> where(std::string_view key, attribute_value value)
    {
        return all().where(key, std::move(value));
    }
    static model_relation<T> where(std::string_view key,
                                   std::initializer_list<attribute_value> values)
    {
        return all().where(key, values);
    }
    static model_relation<T> where(std::string_view path, std::string_view op,
                                   attribute_value value)
    {
        return all().where(path, op, std::move(value));
    }
    static model_relation<T> where(
        std::initializer_list<std::pair<std::string_view, attribute_value>> fields)
    {
        return all().where(fields);
    }
    static model_relation<T> where(const condition& c) { return all().where(c); }
    static model_relation<T> where(const attribute_map& conditions)
    {
        return all().where(conditions);
    }
    static boost::asio::awaitable<std::optional<T>> first() { return all().first(); }
    static boost::asio::awaitable<std::optional<T>> last() { return all().last(); }
    static boost::asio::awaitable<std::int64_t> count() { return all().count(); }
    static boost::asio::awaitable<bool> exists() { return all().exists(); }
    static boost::asio::awaitable<std::vector<attribute_value>> pluck(const document_path& path)
    {
        return all().pluck(path);
    }
    static boost::asio::awaitable<number> sum(const document_path& path)
    {
        return all().sum(path);
    }
    static boost::asio::awaitable<std::optional<number>> min(const document_path& path)
    {
        return all().min(path);
    }
    static boost::asio::awaitable<std::optional<number>> max(const document_path& path)
    {
        return all().max(path);
    }
    static boost::asio::awaitable<std::optional<number>> average(const document_path& path)
    {
        return all().average(path);
    }
    static boost::asio::awaitable<void> find_each(std::int32_t batch_size,
                                                  std::function<void(T&)> fn)
    {
        return all().find_each(batch_size, std::move(fn));
    }
    static boost::asio::awaitable<void> find_in_batches(std::int32_t batch_size,
                                                        std::function<void(std::vector<T>&)> fn)
    {
        return all().find_in_batches(batch_size, std::move(fn));
    }

    static boost::asio::awaitable<std::optional<T>> find(attribute_value partition)
    {
        return scope().find(std::move(partition));
    }
    static boost::asio::awaitable<std::optional<T>> find(attribute_value partition,
                                                         attribute_value sort)
    {
        return scope().find(std::move(partition), std::move(sort));
    }
    /// find(id, dynomite::consistent): a strongly consistent GetItem.
    static boost::asio::awaitable<std::optional<T>> find(attribute_value partition,
                                                         consistent_read_tag tag)
    {
        return scope().find(std::move(partition), tag);
    }
    static boost::asio::awaitable<std::optional<T>> find(attribute_value partition,
                                                         attribute_value sort,
                                                         consistent_read_tag tag)
    {
        return scope().find(std::move(partition), std::move(sort), tag);
    }
    /// find(id, true) would read true as a sort key: use dynomite::consistent.
    template <detail::plain_bool B>
    static boost::asio::awaitable<std::optional<T>> find(attribute_value, B) = delete;
    static boost::asio::awaitable<T> find_or_throw(attribute_value partition)
    {
        return scope().find_or_throw(std::move(partition));
    }
    static boost::asio::awaitable<T> find_or_throw(attribute_value partition, attribute_value sort)
    {
        return scope().find_or_throw(std::move(partition), std::move(sort));
    }
    static boost::asio::awaitable<T> find_or_throw(attribute_value partition,
                                                   consistent_read_tag tag)
    {
        return scope().find_or_throw(std::move(partition), tag);
    }
    static boost::asio::awaitable<T> find_or_throw(attribute_value partition, attribute_value sort,
                                                   consistent_read_tag tag)
    {
        return scope().find_or_throw(std::move(partition), std::move(sort), tag);
    }
    template <detail::plain_bool B>
    static boost::asio::awaitable<T> find_or_throw(attribute_value, B) = delete;
    static boost::asio::awaitable<std::vector<T>> find_many(std::vector<attribute_value> keys)
    {
        return scope().find_many(std::move(keys));
    }
    static boost::asio::awaitable<std::vector<T>> find_many(std::vector<attribute_map> keys)
    {
        return scope().find_many(std::move(keys));
    }
    static boost::asio::awaitable<std::vector<T>> find_many_or_throw(
        std::vector<attribute_value> keys)
    {
        return scope().find_many_or_throw(std::move(keys));
    }
    static boost::asio::awaitable<std::vector<T>> find_many_or_throw(
        std::vector<attribute_map> keys)
    {
        return scope().find_many_or_throw(std::move(keys));
    }
    static boost::asio::awaitable<std::optional<T>> find_by(attribute_map conditions)
    {
        return scope().find_by(std::move(conditions));
    }
    static boost::asio::awaitable<T> find_by_or_throw(attribute_map conditions)
    {
        return scope().find_by_or_throw(std::move(conditions));
    }
    static boost::asio::awaitable<T> find_or_initialize_by(attribute_map conditions)
    {
        return scope().find_or_initialize_by(std::move(conditions));
    }
    static boost::asio::awaitable<T> find_or_create_by(attribute_map conditions,
                                                       std::function<void(T&)> init = {})
    {
        return scope().find_or_create_by(std::move(conditions), std::move(init));
    }
};

/// The base of a model: `struct Product : dynomite::model<Product> { ... }`. Product needs a
/// public default constructor and a static define(dynomite::model_definition<Product>&).
template <class Derived>
class model : public model_base, public model_class<Derived> {
public:
    /// The model this one inherits from; none for a root model.
    using model_parent = void;

    using model_base::changes;
    static model_change_feed<Derived> changes(change_feed_options options)
    {
        return model_class<Derived>::changes(std::move(options));
    }

protected:
    model() = default;
    const detail::model_descriptor& descriptor() const override { return descriptor_of<Derived>(); }
};

/// The base of a subclass in single-table inheritance:
///
///     struct Vehicle : dynomite::model<Vehicle> {        // s.inheritance_field("type")
///     struct Car : dynomite::inherits<Car, Vehicle> {     // its own define() adds fields
///
/// Car is stored in Vehicle's table with type "Car"; Car's finders and relations only see
/// cars (and Car's subclasses), and return Car; Vehicle::polymorphic() finders return
/// std::unique_ptr<Vehicle> to the class each item names. Subclasses register themselves at
/// program start.
template <class Derived, class Base>
class inherits : public Base, public model_class<Derived> {
public:
    using model_parent = Base;

    using model_class<Derived>::class_descriptor;
    using model_class<Derived>::schema;
    using model_class<Derived>::table_name;
    using model_class<Derived>::set_table_name;
    using model_class<Derived>::set_database;
    using model_class<Derived>::on;
    using model_class<Derived>::scope;
    using model_class<Derived>::polymorphic;
    using model_class<Derived>::build;
    using model_class<Derived>::from_item;
    using model_class<Derived>::from_json;
    using model_base::changes;
    static model_change_feed<Derived> changes(change_feed_options options)
    {
        return model_class<Derived>::changes(std::move(options));
    }
    using model_class<Derived>::create;
    using model_class<Derived>::create_or_throw;
    using model_class<Derived>::all;
    using model_class<Derived>::where;
    using model_class<Derived>::first;
    using model_class<Derived>::last;
    using model_class<Derived>::count;
    using model_class<Derived>::exists;
    using model_class<Derived>::pluck;
    using model_class<Derived>::sum;
    using model_class<Derived>::min;
    using model_class<Derived>::max;
    using model_class<Derived>::average;
    using model_class<Derived>::find_each;
    using model_class<Derived>::find_in_batches;
    using model_class<Derived>::find;
    using model_class<Derived>::find_or_throw;
    using model_class<Derived>::find_many;
    using model_class<Derived>::find_many_or_throw;
    using model_class<Derived>::find_by;
    using model_class<Derived>::find_by_or_throw;
    using model_class<Derived>::find_or_initialize_by;
    using model_class<Derived>::find_or_create_by;

protected:
    inherits() { (void)registered_; }
    const detail::model_descriptor& descriptor() const override { return descriptor_of<Derived>(); }

private:
    // At program start; a schema error is reported at the class's first use instead, where it
    // can be caught.
    static bool register_at_start() noexcept
    {
        try {
            register_model<Derived>();
            return true;
        } catch (...) {
            return false;
        }
    }
    static inline const bool registered_ = register_at_start();
};

}  // namespace dynomite
