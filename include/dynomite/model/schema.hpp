// A model's schema: its fields (member pointers), keys, table, validations and callbacks,
// declared once in the model's static define() function.
#pragma once

#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/model/errors.hpp>
#include <dynomite/model/validation.hpp>
#include <dynomite/core/time.hpp>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynomite {

class model_base;
class database;
struct association_options;

/// What an around callback calls to run the operation it wraps; not calling it halts the
/// operation.
using proceed = std::function<boost::asio::awaitable<void>()>;

/// What a before callback may return besides void and bool: halt stops the operation, as
/// false does.
enum class callback_result { proceed, halt };
inline constexpr callback_result halt = callback_result::halt;

namespace detail {

struct association_info;

/// The stored form of a converted value: none for what is not written (NULL, the empty string
/// and empty sets, which DynamoDB cannot hold or which read back the same when absent).
std::optional<attribute_value> stored_form(attribute_value value);

template <class V>
struct optional_of {
    using type = void;
};
template <class V>
struct optional_of<std::optional<V>> {
    using type = V;
};

/// For field_info::loads_exactly: the attributes a field of type V reads back as an equal
/// value. Strings (an empty one is stored as no attribute), booleans, and numbers (read only
/// when exact, compared by value), bare or optional; null for other types.
template <class V>
constexpr bool (*exact_load_test())(const attribute_value&)
{
    using inner = typename optional_of<V>::type;
    if constexpr (!std::is_void_v<inner>) {
        return exact_load_test<inner>();
    } else if constexpr (std::is_same_v<V, std::string>) {
        return [](const attribute_value& v) { return v.is_s() && !v.as_s().empty(); };
    } else if constexpr (std::is_same_v<V, bool>) {
        return [](const attribute_value& v) { return v.type() == attribute_value::kind::boolean; };
    } else if constexpr (number_like<V>) {
        return [](const attribute_value& v) { return v.is_n(); };
    } else {
        return nullptr;
    }
}

struct label_table {
    std::vector<std::pair<std::string, std::string>> labels;
    const std::string* find(std::string_view attribute) const noexcept;
};

/// One declared field, type-erased: each function casts the record to its model type.
struct field_info {
    std::string name;
    /// The stored form of the current value.
    std::function<std::optional<attribute_value>(const model_base&)> read;
    /// Assigns from an attribute; nullptr assigns the value-initialized value.
    std::function<error_code(model_base&, const attribute_value*, std::string*)> write;
    /// Where the member lives in a record, to find a field by member pointer.
    std::function<const void*(const model_base&)> address;
    /// Copies the member from another record of the same model.
    std::function<void(model_base&, const model_base&)> copy;
    /// Sets the declared default; empty without one.
    std::function<void(model_base&)> apply_default;
    /// For time fields: sets the time (when unset only, if asked); returns whether it did.
    std::function<bool(model_base&, std::chrono::system_clock::time_point, bool)> set_time;
    /// Whether reading the field back after loading it from this value gives an equal value,
    /// so that the loaded item can stand for the field's snapshot; null when not known.
    bool (*loads_exactly)(const attribute_value&) = nullptr;
};

enum class callback_kind : unsigned char {
    before_validation,
    after_validation,
    around_validation,
    before_save,
    after_save,
    around_save,
    before_create,
    after_create,
    around_create,
    before_update,
    after_update,
    around_update,
    before_destroy,
    after_destroy,
    around_destroy,
    after_initialize,
    after_find,
    after_touch,
};
inline constexpr std::size_t callback_kind_count = 18;

/// "before_save", ...
std::string_view to_string(callback_kind kind) noexcept;

/// A callback, type-erased: one of the three functions is set. For before callbacks, false
/// halts; after callbacks' results are ignored.
struct callback {
    std::function<bool(model_base&)> sync;
    std::function<boost::asio::awaitable<bool>(model_base&)> async;
    std::function<boost::asio::awaitable<void>(model_base&, proceed)> around;
};

using record_predicate = std::function<bool(const model_base&)>;

struct validation_rule {
    /// The field validated, or none for a model-level validator.
    std::optional<std::size_t> field;
    field_validator validator;
    std::function<void(model_base&, model_errors&)> custom;
    std::function<boost::asio::awaitable<void>(model_base&, model_errors&)> custom_async;
    std::optional<validation_context> on;
    std::vector<record_predicate> if_;
    std::vector<record_predicate> unless;
};

/// Everything the model layer knows about one model class. Built once, on first use, by
/// descriptor_of<T>(); the table name, the database and the naming can be changed later.
class model_descriptor {
public:
    model_descriptor() = default;
    model_descriptor(const model_descriptor& other);
    model_descriptor& operator=(const model_descriptor&) = delete;

    std::string type_name;
    std::vector<field_info> fields;
    std::shared_ptr<label_table> labels = std::make_shared<label_table>();
    std::array<std::vector<callback>, callback_kind_count> callbacks;
    std::vector<validation_rule> rules;
    /// has_many, has_one, belongs_to, has_and_belongs_to_many (model/association.hpp).
    std::vector<std::shared_ptr<const association_info>> associations;

    std::optional<std::string> partition_key;
    std::optional<std::string> sort_key;
    /// The field generated on create when empty, and its prefix (none: the snake-case type
    /// name and "-").
    std::optional<std::string> id_field = "id";
    std::optional<std::string> id_prefix;
    bool timestamps = true;
    std::string created_at_field = "created_at";
    std::string updated_at_field = "updated_at";
    std::optional<std::string> lock_field;
    /// Single-table inheritance: the attribute naming the type, and this class's name in it.
    std::optional<std::string> inheritance_field;
    std::string inheritance_name;

    /// The class this one inherits from (inherits<T, Parent>), and the root of its hierarchy.
    const model_descriptor* parent = nullptr;
    const model_descriptor* root = this;
    /// A new record of this class.
    std::function<std::unique_ptr<model_base>()> make_blank;

    const field_info* find_field(std::string_view name) const noexcept;
    std::optional<std::size_t> field_index(std::string_view name) const noexcept;

    /// The table: the one set with set_table_name() (or table_name() in define()), else one
    /// derived from the root's type name and the naming options. Subclasses use the root's.
    std::string table_name() const;
    /// Configuration, rather than state: safe to call concurrently with readers.
    void set_table_name(std::string name) const;

    /// The database set for this model (the root's), if any.
    std::optional<dynomite::database> model_database() const;
    void set_database(dynomite::database db) const;

    /// Stored forms of a new record's fields, to compare a new record with.
    const attribute_map& blank_snapshot() const;

    /// The inheritance names of this class and of its registered descendants.
    std::vector<std::string> inheritance_names() const;
    void add_descendant(const model_descriptor* d) const;

    /// Checks the declarations once define() has run; throws dynomite::error
    /// (errc::invalid_configuration) naming the model and the problem.
    void finish();

private:
    mutable std::mutex mutex_;
    mutable std::optional<std::string> table_name_;
    mutable std::shared_ptr<dynomite::database> database_;
    mutable std::once_flag blank_once_;
    mutable attribute_map blank_;
    mutable std::vector<const model_descriptor*> descendants_;
};

// Time fields: sys_time of any duration, epoch_seconds, and optionals of these.
template <class V>
struct time_field : std::false_type {
};
template <class D>
struct time_field<std::chrono::sys_time<D>> : std::true_type {
};
template <>
struct time_field<epoch_seconds> : std::true_type {
};
template <class V>
struct time_field<std::optional<V>> : time_field<V> {
};

template <class V>
bool assign_time(V& field, std::chrono::system_clock::time_point now, bool only_if_unset)
{
    if (only_if_unset && !(field == V{})) return false;
    if constexpr (requires {
                      field.value();
                      field.reset();
                  }) {
        using inner = typename V::value_type;
        inner value{};
        assign_time(value, now, false);
        field = value;
    } else if constexpr (std::is_same_v<V, epoch_seconds>) {
        field.value = std::chrono::floor<std::chrono::seconds>(now);
    } else {
        field = std::chrono::floor<typename V::duration>(now);
    }
    return true;
}

template <class T, class F>
boost::asio::awaitable<bool> invoke_async_callback(const F& f, model_base& record)
{
    using result = std::invoke_result_t<const F&, T&>;
    if constexpr (std::is_same_v<result, boost::asio::awaitable<void>>) {
        co_await std::invoke(f, static_cast<T&>(record));
        co_return true;
    } else {
        const bool go_on = co_await std::invoke(f, static_cast<T&>(record));
        co_return go_on;
    }
}

template <class T, class F>
callback make_callback(F f)
{
    using result = std::invoke_result_t<F&, T&>;
    callback cb;
    if constexpr (std::is_same_v<result, boost::asio::awaitable<void>> ||
                  std::is_same_v<result, boost::asio::awaitable<bool>>) {
        cb.async = [f = std::move(f)](model_base& record) {
            return invoke_async_callback<T>(f, record);
        };
    } else {
        static_assert(std::is_void_v<result> || std::is_same_v<result, bool> ||
                          std::is_same_v<result, callback_result>,
                      "a callback returns void, bool, dynomite::callback_result, or an "
                      "awaitable of void or bool");
        cb.sync = [f = std::move(f)](model_base& record) -> bool {
            if constexpr (std::is_void_v<result>) {
                std::invoke(f, static_cast<T&>(record));
                return true;
            } else if constexpr (std::is_same_v<result, bool>) {
                return std::invoke(f, static_cast<T&>(record));
            } else {
                return std::invoke(f, static_cast<T&>(record)) != callback_result::halt;
            }
        };
    }
    return cb;
}

template <class T, class F>
callback make_around_callback(F f)
{
    static_assert(
        std::is_same_v<std::invoke_result_t<F&, T&, proceed>, boost::asio::awaitable<void>>,
        "an around callback takes (Model&, dynomite::proceed) and returns "
        "boost::asio::awaitable<void>");
    callback cb;
    cb.around = [f = std::move(f)](model_base& record, proceed next) {
        return std::invoke(f, static_cast<T&>(record), std::move(next));
    };
    return cb;
}

template <class T, class P>
record_predicate make_predicate(P p)
{
    return [p = std::move(p)](const model_base& record) {
        return static_cast<bool>(std::invoke(p, static_cast<const T&>(record)));
    };
}

template <class T, class F>
boost::asio::awaitable<void> invoke_async_validator(const F& f, model_base& record,
                                                    model_errors& errors)
{
    if constexpr (std::is_invocable_v<const F&, const T&, model_errors&>) {
        co_await std::invoke(f, static_cast<const T&>(record), errors);
    } else {
        co_await std::invoke(f, static_cast<T&>(record));
    }
}

}  // namespace detail

/// Options of the last validator added, for conditions: if_(pred) validates only when
/// pred(record) is true, unless(pred) only when it is false; pred is a callable taking the
/// model (or a member function such as &Product::published).
template <class T>
class rule_builder {
public:
    rule_builder(detail::model_descriptor& d, std::size_t rule) : d_(&d), rule_(rule) {}

    template <class Pred>
    rule_builder& if_(Pred pred)
    {
        d_->rules.at(rule_).if_.push_back(detail::make_predicate<T>(std::move(pred)));
        return *this;
    }
    template <class Pred>
    rule_builder& unless(Pred pred)
    {
        d_->rules.at(rule_).unless.push_back(detail::make_predicate<T>(std::move(pred)));
        return *this;
    }
    rule_builder& on(validation_context context)
    {
        d_->rules.at(rule_).on = context;
        return *this;
    }

private:
    detail::model_descriptor* d_;
    std::size_t rule_;
};

/// One declared field, to attach validators, a default and a label to.
template <class T, class V>
class field_builder {
public:
    field_builder(detail::model_descriptor& d, std::size_t field, V T::*member)
        : d_(&d), field_(field), member_(member)
    {
    }

    /// Adds a validator: dynomite::presence(), length().maximum(10), ...
    template <class Spec>
    requires requires(const Spec& s)
    {
        {
            s.build()
            } -> std::same_as<field_validator>;
    }
    field_builder& validates(const Spec& spec)
    {
        detail::validation_rule rule;
        rule.field = field_;
        rule.validator = spec.build();
        rule.on = rule.validator.on;
        d_->rules.push_back(std::move(rule));
        last_rule_ = d_->rules.size() - 1;
        return *this;
    }

    /// Conditions on the validator added last: validates(presence()).if_(&Product::for_sale).
    /// Throws dynomite::error(errc::invalid_argument) before any validates().
    template <class Pred>
    field_builder& if_(Pred pred)
    {
        last_rule().if_.push_back(detail::make_predicate<T>(std::move(pred)));
        return *this;
    }
    template <class Pred>
    field_builder& unless(Pred pred)
    {
        last_rule().unless.push_back(detail::make_predicate<T>(std::move(pred)));
        return *this;
    }

    /// The value a new record gets (in build(), and on create when the field is empty): a
    /// value, or a function returning one (called each time).
    template <class D>
    field_builder& default_value(D value)
    {
        auto member = member_;
        auto& field = d_->fields.at(field_);
        if constexpr (std::is_invocable_v<D&>) {
            field.apply_default = [member, value = std::move(value)](model_base& record) mutable {
                static_cast<T&>(record).*member = std::invoke(value);
            };
        } else {
            field.apply_default = [member, value = V(std::move(value))](model_base& record) {
                static_cast<T&>(record).*member = value;
            };
        }
        return *this;
    }

    /// The name in full messages ("Unit price can't be blank"); the default humanizes the
    /// attribute name.
    field_builder& label(std::string text)
    {
        d_->labels->labels.emplace_back(d_->fields.at(field_).name, std::move(text));
        return *this;
    }

private:
    detail::validation_rule& last_rule();

    detail::model_descriptor* d_;
    std::size_t field_;
    V T::*member_;
    std::optional<std::size_t> last_rule_;
};

/// The schema of model T, given to T::define():
///
///     static void define(dynomite::model_schema<Product>& s) {
///         s.field("category", &Product::category);
///         s.field("price", &Product::price).validates(dynomite::presence());
///         s.before_save([](Product& p) { if (!p.stock_quantity) p.stock_quantity = 0; });
///     }
///
/// Members named id, created_at and updated_at (a string and two time points) are fields
/// without being declared. Throws dynomite::error(errc::invalid_configuration) for a field
/// name used twice.
template <class T>
class model_schema {
public:
    explicit model_schema(detail::model_descriptor& d) : d_(&d) {}

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
    model_schema& table_name(std::string name)
    {
        d_->set_table_name(std::move(name));
        return *this;
    }
    /// The key attributes; without them, they are read from DescribeTable (cached by the
    /// database).
    model_schema& partition_key(std::string name)
    {
        d_->partition_key = std::move(name);
        return *this;
    }
    model_schema& sort_key(std::string name)
    {
        d_->sort_key = std::move(name);
        return *this;
    }
    /// The field filled on create when empty: prefix + 16 random letters and digits. The
    /// default is field "id" with prefix "<snake_case type name>-".
    model_schema& generated_id(std::string field, std::string prefix)
    {
        d_->id_field = std::move(field);
        d_->id_prefix = std::move(prefix);
        return *this;
    }
    model_schema& id_prefix(std::string prefix)
    {
        d_->id_prefix = std::move(prefix);
        return *this;
    }
    model_schema& no_generated_id()
    {
        d_->id_field.reset();
        return *this;
    }
    /// created_at is set on create (unless already set), updated_at on every write that
    /// changes something; both are on by default, for the fields of those names.
    model_schema& timestamps(bool on)
    {
        d_->timestamps = on;
        return *this;
    }
    model_schema& timestamp_fields(std::string created_at, std::string updated_at)
    {
        d_->created_at_field = std::move(created_at);
        d_->updated_at_field = std::move(updated_at);
        return *this;
    }
    /// Optimistic locking on an integer field: each update and destroy requires the item's
    /// value to be the one read, and increments it; otherwise model_errc::stale_object.
    model_schema& locking(std::string field = "lock_version")
    {
        d_->lock_field = std::move(field);
        return *this;
    }
    /// Single-table inheritance, on the root model: the attribute holding each item's type
    /// name. Subclasses derive from dynomite::inherits<Sub, Parent>.
    model_schema& inheritance_field(std::string attribute = "type")
    {
        d_->inheritance_field = std::move(attribute);
        return *this;
    }
    /// This class's name in the inheritance field; the default is the unqualified type name.
    model_schema& inheritance_name(std::string name)
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
    model_schema& before_validation(F f)
    {
        return add(k::before_validation, std::move(f));
    }
    template <class F>
    model_schema& after_validation(F f)
    {
        return add(k::after_validation, std::move(f));
    }
    template <class F>
    model_schema& around_validation(F f)
    {
        return around(k::around_validation, std::move(f));
    }
    template <class F>
    model_schema& before_save(F f)
    {
        return add(k::before_save, std::move(f));
    }
    template <class F>
    model_schema& after_save(F f)
    {
        return add(k::after_save, std::move(f));
    }
    template <class F>
    model_schema& around_save(F f)
    {
        return around(k::around_save, std::move(f));
    }
    template <class F>
    model_schema& before_create(F f)
    {
        return add(k::before_create, std::move(f));
    }
    template <class F>
    model_schema& after_create(F f)
    {
        return add(k::after_create, std::move(f));
    }
    template <class F>
    model_schema& around_create(F f)
    {
        return around(k::around_create, std::move(f));
    }
    template <class F>
    model_schema& before_update(F f)
    {
        return add(k::before_update, std::move(f));
    }
    template <class F>
    model_schema& after_update(F f)
    {
        return add(k::after_update, std::move(f));
    }
    template <class F>
    model_schema& around_update(F f)
    {
        return around(k::around_update, std::move(f));
    }
    template <class F>
    model_schema& before_destroy(F f)
    {
        return add(k::before_destroy, std::move(f));
    }
    template <class F>
    model_schema& after_destroy(F f)
    {
        return add(k::after_destroy, std::move(f));
    }
    template <class F>
    model_schema& around_destroy(F f)
    {
        return around(k::around_destroy, std::move(f));
    }
    /// After a record is made by the model (build(), finders), after_find's callbacks first.
    template <class F>
    model_schema& after_initialize(F f)
    {
        return add(k::after_initialize, std::move(f));
    }
    /// After a finder loads a record.
    template <class F>
    model_schema& after_find(F f)
    {
        return add(k::after_find, std::move(f));
    }
    template <class F>
    model_schema& after_touch(F f)
    {
        return add(k::after_touch, std::move(f));
    }

    // Associations with model U, defined in model/association.hpp.
    template <class U>
    model_schema& has_many(std::string name, const association_options& options);
    template <class U>
    model_schema& has_many(std::string name);
    template <class U>
    model_schema& has_one(std::string name, const association_options& options);
    template <class U>
    model_schema& has_one(std::string name);
    template <class U>
    model_schema& belongs_to(std::string name, const association_options& options);
    template <class U>
    model_schema& belongs_to(std::string name);
    template <class U>
    model_schema& has_and_belongs_to_many(std::string name, const association_options& options);
    template <class U>
    model_schema& has_and_belongs_to_many(std::string name);

    detail::model_descriptor& descriptor() noexcept { return *d_; }

private:
    using k = detail::callback_kind;

    template <class F>
    model_schema& add(k kind, F f)
    {
        d_->callbacks[static_cast<std::size_t>(kind)].push_back(
            detail::make_callback<T>(std::move(f)));
        return *this;
    }
    template <class F>
    model_schema& around(k kind, F f)
    {
        d_->callbacks[static_cast<std::size_t>(kind)].push_back(
            detail::make_around_callback<T>(std::move(f)));
        return *this;
    }
    void add_field(detail::field_info f);

    detail::model_descriptor* d_;
};

namespace detail {
/// Throws dynomite::error(errc::invalid_configuration) when `name` is already a field.
void add_field(model_descriptor& d, field_info f);
/// Throws dynomite::error(errc::invalid_argument): a condition before any validator.
[[noreturn]] void throw_no_validator(const model_descriptor& d, std::size_t field);
}  // namespace detail

template <class T>
void model_schema<T>::add_field(detail::field_info f)
{
    detail::add_field(*d_, std::move(f));
}

template <class T, class V>
detail::validation_rule& field_builder<T, V>::last_rule()
{
    if (!last_rule_) detail::throw_no_validator(*d_, field_);
    return d_->rules.at(*last_rule_);
}

}  // namespace dynomite
