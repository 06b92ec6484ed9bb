// A model's schema: its fields (member pointers), keys, table, validations and callbacks,
// declared once in the model's static define() function.
#pragma once

#include <dynomite/model/association_kind.hpp>
#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/model/callback_result.hpp>
#include <dynomite/model/detail/callback_adapters.hpp>
#include <dynomite/model/detail/model_descriptor.hpp>
#include <dynomite/model/detail/time_fields.hpp>
#include <dynomite/model/field_builder.hpp>
#include <dynomite/model/validation.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynomite {

struct association_options;

/// The schema of model T, given to T::define():
///
///     static void define(dynomite::model_definition<Product>& s) {
///         s.field("category", &Product::category);
///         s.field("price", &Product::price).validates(dynomite::presence());
///         s.before_save([](Product& p) { if (!p.stock_quantity) p.stock_quantity = 0; });
///     }
///
/// Members named id, created_at and updated_at (a string and two time points) are fields
/// without being declared. Throws dynomite::error(errc::invalid_configuration) for a field
/// name used twice.
template <class T>
class model_definition {
public:
    explicit model_definition(detail::model_descriptor& d) : d_(&d) {}

    /// A field stored as attribute `name`; V needs an attribute_converter.
    template <class V, class C>
    requires std::derived_from<T, C> && attribute_convertible<V> field_builder<T, V> field(
        std::string name, V C::*member)
    {
        V T::*m = member;
        detail::field_info f;
        f.name = name;
        f.read = [m](const model_base& record) {
            return detail::stored_form(to_attribute(static_cast<const T&>(record).*m));
        };
        f.convert = [m](const model_base& record) {
            return to_attribute(static_cast<const T&>(record).*m);
        };
        f.write = [m](model_base& record, const attribute_value* value,
                      std::string* why) -> error_code {
            V& target = static_cast<T&>(record).*m;
            if (value == nullptr) {
                target = V{};
                return {};
            }
            V converted{};
            if (error_code ec = from_attribute(*value, converted, why)) return ec;
            target = std::move(converted);
            return {};
        };
        f.address = [m](const model_base& record) -> const void* {
            return &(static_cast<const T&>(record).*m);
        };
        f.copy = [m](model_base& to, const model_base& from) {
            static_cast<T&>(to).*m = static_cast<const T&>(from).*m;
        };
        f.loads_exactly = detail::exact_load_test<V>();
        if constexpr (detail::time_field<V>::value) {
            f.set_time = [m](model_base& record, std::chrono::system_clock::time_point now,
                             bool only_if_unset) {
                return detail::assign_time(static_cast<T&>(record).*m, now, only_if_unset);
            };
        }
        add_field(std::move(f));
        return field_builder<T, V>(*d_, d_->fields.size() - 1, m);
    }

    /// The table; the default is the snake-case plural of the type name, after the naming
    /// options' namespace ("products", "myapp_products").
    model_definition& table_name(std::string name)
    {
        d_->set_table_name(std::move(name));
        return *this;
    }
    /// The key attributes; without them, they are read from DescribeTable (cached by the
    /// database).
    model_definition& partition_key(std::string name)
    {
        d_->partition_key = std::move(name);
        return *this;
    }
    model_definition& sort_key(std::string name)
    {
        d_->sort_key = std::move(name);
        return *this;
    }
    /// The field filled on create when empty: prefix + 16 random letters and digits. The
    /// default is field "id" with prefix "<snake_case type name>-".
    model_definition& generated_id(std::string field, std::string prefix)
    {
        d_->id_field = std::move(field);
        d_->id_prefix = std::move(prefix);
        return *this;
    }
    model_definition& id_prefix(std::string prefix)
    {
        d_->id_prefix = std::move(prefix);
        return *this;
    }
    model_definition& no_generated_id()
    {
        d_->id_field.reset();
        return *this;
    }
    /// created_at is set on create (unless already set), updated_at on every write that
    /// changes something; both are on by default, for the fields of those names.
    model_definition& timestamps(bool on)
    {
        d_->timestamps = on;
        return *this;
    }
    model_definition& timestamp_fields(std::string created_at, std::string updated_at)
    {
        d_->created_at_field = std::move(created_at);
        d_->updated_at_field = std::move(updated_at);
        return *this;
    }
    /// Optimistic locking on an integer field: each update and destroy requires the item's
    /// value to be the one read, and increments it; otherwise model_errc::stale_object.
    model_definition& locking(std::string field = "lock_version")
    {
        d_->lock_field = std::move(field);
        return *this;
    }
    /// Single-table inheritance, on the root model: the attribute holding each item's type
    /// name. Subclasses derive from dynomite::inherits<Sub, Parent>.
    model_definition& inheritance_field(std::string attribute = "type")
    {
        d_->inheritance_field = std::move(attribute);
        return *this;
    }
    /// This class's name in the inheritance field; the default is the unqualified type name.
    model_definition& inheritance_name(std::string name)
    {
        d_->inheritance_name = std::move(name);
        return *this;
    }

    /// A model-level validator: a callable taking (const T&, model_errors&), or (T&) for one
    /// that adds to record.errors() (a member function such as &Product::check_dates works);
    /// it may return an awaitable<void>.
    template <class F>
    rule_builder<T> validate(F f)
    {
        detail::validation_rule rule;
        auto fn = std::make_shared<F>(std::move(f));
        if constexpr (std::is_invocable_v<F&, const T&, model_errors&>) {
            using result = std::invoke_result_t<F&, const T&, model_errors&>;
            if constexpr (std::is_same_v<result, boost::asio::awaitable<void>>) {
                rule.custom_async = [fn](model_base& record, model_errors& errors) {
                    return detail::invoke_async_validator<T>(*fn, record, errors);
                };
            } else {
                rule.custom = [fn](model_base& record, model_errors& errors) {
                    std::invoke(*fn, static_cast<const T&>(record), errors);
                };
            }
        } else {
            using result = std::invoke_result_t<F&, T&>;
            if constexpr (std::is_same_v<result, boost::asio::awaitable<void>>) {
                rule.custom_async = [fn](model_base& record, model_errors& errors) {
                    return detail::invoke_async_validator<T>(*fn, record, errors);
                };
            } else {
                rule.custom = [fn](model_base& record, model_errors&) {
                    std::invoke(*fn, static_cast<T&>(record));
                };
            }
        }
        d_->rules.push_back(std::move(rule));
        return rule_builder<T>(*d_, d_->rules.size() - 1);
    }

    // Callbacks. Before callbacks take T& and return void, bool or callback_result (false or
    // halt stops the operation), or an awaitable of void or bool; after callbacks the same
    // (their result is ignored); around callbacks take (T&, dynomite::proceed) and return
    // awaitable<void>, calling co_await next() to run the operation. Member functions work
    // too: before_save(&Product::normalize). They run in the order declared; arounds nest,
    // the first outermost.
    template <class F>
    model_definition& before_validation(F f)
    {
        return add(k::before_validation, std::move(f));
    }
    template <class F>
    model_definition& after_validation(F f)
    {
        return add(k::after_validation, std::move(f));
    }
    template <class F>
    model_definition& around_validation(F f)
    {
        return around(k::around_validation, std::move(f));
    }
    template <class F>
    model_definition& before_save(F f)
    {
        return add(k::before_save, std::move(f));
    }
    template <class F>
    model_definition& after_save(F f)
    {
        return add(k::after_save, std::move(f));
    }
    template <class F>
    model_definition& around_save(F f)
    {
        return around(k::around_save, std::move(f));
    }
    template <class F>
    model_definition& before_create(F f)
    {
        return add(k::before_create, std::move(f));
    }
    template <class F>
    model_definition& after_create(F f)
    {
        return add(k::after_create, std::move(f));
    }
    template <class F>
    model_definition& around_create(F f)
    {
        return around(k::around_create, std::move(f));
    }
    template <class F>
    model_definition& before_update(F f)
    {
        return add(k::before_update, std::move(f));
    }
    template <class F>
    model_definition& after_update(F f)
    {
        return add(k::after_update, std::move(f));
    }
    template <class F>
    model_definition& around_update(F f)
    {
        return around(k::around_update, std::move(f));
    }
    template <class F>
    model_definition& before_destroy(F f)
    {
        return add(k::before_destroy, std::move(f));
    }
    template <class F>
    model_definition& after_destroy(F f)
    {
        return add(k::after_destroy, std::move(f));
    }
    template <class F>
    model_definition& around_destroy(F f)
    {
        return around(k::around_destroy, std::move(f));
    }
    /// After a record is made by the model (build(), finders), after_find's callbacks first.
    template <class F>
    model_definition& after_initialize(F f)
    {
        return add(k::after_initialize, std::move(f));
    }
    /// After a finder loads a record.
    template <class F>
    model_definition& after_find(F f)
    {
        return add(k::after_find, std::move(f));
    }
    template <class F>
    model_definition& after_touch(F f)
    {
        return add(k::after_touch, std::move(f));
    }

    // Associations with model U (model/association.hpp).
    template <class U>
    model_definition& has_many(std::string name, const association_options& options = {})
    {
        return associate<U>(association_kind::has_many, std::move(name), options);
    }
    template <class U>
    model_definition& has_one(std::string name, const association_options& options = {})
    {
        return associate<U>(association_kind::has_one, std::move(name), options);
    }
    template <class U>
    model_definition& belongs_to(std::string name, const association_options& options = {})
    {
        return associate<U>(association_kind::belongs_to, std::move(name), options);
    }
    template <class U>
    model_definition& has_and_belongs_to_many(std::string name,
                                              const association_options& options = {})
    {
        return associate<U>(association_kind::has_and_belongs_to_many, std::move(name),
                            options);
    }

    detail::model_descriptor& descriptor() noexcept { return *d_; }

private:
    using k = detail::callback_kind;

    /// The declaration every association makes (model/association.hpp).
    template <class U>
    model_definition& associate(association_kind kind, std::string name,
                                const association_options& options);

    template <class F>
    model_definition& add(k kind, F f)
    {
        d_->callbacks[static_cast<std::size_t>(kind)].push_back(
            detail::make_callback<T>(std::move(f)));
        return *this;
    }
    template <class F>
    model_definition& around(k kind, F f)
    {
        d_->callbacks[static_cast<std::size_t>(kind)].push_back(
            detail::make_around_callback<T>(std::move(f)));
        return *this;
    }
    void add_field(detail::field_info f);

    detail::model_descriptor* d_;
};

template <class T>
void model_definition<T>::add_field(detail::field_info f)
{
    detail::add_field(*d_, std::move(f));
}

/// The name model_definition had before; "schema" now means only a table's (table_schema).
template <class T>
using model_schema [[deprecated("use model_definition")]] = model_definition<T>;

}  // namespace dynomite
