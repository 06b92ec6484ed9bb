// The type-erased description of a model that its schema fills in: fields, labels, callbacks,
// validation rules, keys, table and database. The engine works on it; applications use
// model_definition (schema.hpp).
#pragma once

#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/model/callback_result.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/model/errors.hpp>
#include <dynomite/model/validation.hpp>
#include <dynomite/core/time.hpp>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <cstdint>
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

namespace detail {

struct association_info;

/// The stored form of a converted value: none for what is not written (NULL, the empty string
/// and empty sets, which DynamoDB cannot hold or which read back the same when absent).
std::optional<attribute_value> stored_form(attribute_value value);
/// Whether stored_form leaves this value out.
bool stored_as_nothing(const attribute_value& value) noexcept;

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
    /// The current value converted, before stored_form: an empty string and no value differ.
    std::function<attribute_value(const model_base&)> convert;
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
    // The name made from the model naming, and the naming's generation it was made under
    // (generations start at 1, so 0 means none was made).
    mutable std::string derived_table_name_;
    mutable std::uint64_t derived_generation_ = 0;
    // Owned by the execution context of the database's client (see keep_with_context), so
    // that it never outlives that context's io_context.
    mutable std::weak_ptr<dynomite::database> database_;
    mutable std::once_flag blank_once_;
    mutable attribute_map blank_;
    mutable std::vector<const model_descriptor*> descendants_;
};

/// Keeps `db` with the execution context of its client, as `owner`'s database, replacing the
/// one `owner` kept there before; released when that context shuts down.
std::shared_ptr<dynomite::database> keep_with_context(const void* owner, dynomite::database db);

/// Throws dynomite::error(errc::invalid_configuration) when `name` is already a field.
void add_field(model_descriptor& d, field_info f);
/// Throws dynomite::error(errc::invalid_argument): a condition before any validator.
[[noreturn]] void throw_no_validator(const model_descriptor& d, std::size_t field);

}  // namespace detail
}  // namespace dynomite
