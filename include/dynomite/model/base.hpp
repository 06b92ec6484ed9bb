// The record state every model carries, and the operations on one record: dirty tracking,
// validation, persistence, JSON.
#pragma once

#include <cstdint>
#include <dynomite/core/async_operation.hpp>
#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/model/errors.hpp>
#include <dynomite/model/schema.hpp>
#include <dynomite/model/validation.hpp>
#include <dynomite/core/number.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

namespace detail {
struct record_access;
struct association_access;
struct attribute_access;
}  // namespace detail

/// How save() and its relatives write.
struct save_options {
    /// Run the validations first (and fail with the errors).
    bool validate = true;
    /// Maintain created_at and updated_at.
    bool touch = true;
};

/// One changed attribute: its stored value before and now (none: absent).
struct attribute_change {
    std::string attribute;
    std::optional<attribute_value> old_value;
    std::optional<attribute_value> new_value;

    friend bool operator==(const attribute_change&, const attribute_change&) = default;
};

/// The state and the operations of one record; the base of every dynomite::model<T>.
///
/// Values are compared in their stored form (the attribute each field converts to; an empty
/// string, a null and an empty set are not stored). A record that was loaded or saved is
/// compared with its state then; a new record with a default-constructed one.
///
/// Asynchronous operations are awaitables on the record, which must outlive them. The
/// throwing forms throw dynomite::error with a model_errc (or the client's errc) code.
class model_base {
public:
    virtual ~model_base() = default;

    // --- State ---------------------------------------------------------------------------
    /// Not yet saved (nor loaded).
    bool new_record() const noexcept { return state_ == record_state::new_record; }
    /// Loaded or saved, and not destroyed.
    bool persisted() const noexcept { return state_ == record_state::persisted; }
    bool destroyed() const noexcept { return state_ == record_state::destroyed; }

    /// The model's type name ("Product").
    const std::string& model_name() const { return descriptor().type_name; }

    // --- Where the record is stored ------------------------------------------------------
    /// Binds this record to `db`; finders bind the records they load to theirs. Without a
    /// binding, the model's database or else the default database is used.
    void use_database(dynomite::database db);
    /// The database used; throws dynomite::error(errc::invalid_configuration) when there is
    /// none.
    dynomite::database used_database() const;

    // --- Attributes ----------------------------------------------------------------------
    /// The item a full write would store now: the attributes loaded (those the model does not
    /// declare included) with the declared fields' current stored values and the type.
    attribute_map attributes() const;
    /// The stored value of a declared field, else the value of another attribute (as loaded,
    /// or as assigned since).
    std::optional<attribute_value> read_attribute(std::string_view name) const;
    /// Assigns a declared field from an attribute value, or any other attribute: that one is
    /// dirty-tracked and written like a field (SET, or REMOVE for NULL, an empty string or an
    /// empty set). Throws dynomite::error(errc::invalid_argument) for a value the field cannot
    /// take (naming the field and both types), an empty name, or the inheritance field.
    void write_attribute(std::string_view name, const attribute_value& value);
    void assign_attributes(const attribute_map& values);
    /// The attributes the model does not declare: those of the loaded item, with the
    /// assignments since. Writes keep those not assigned as they are.
    attribute_map undeclared_attributes() const;

    /// record["mood"] = "happy" is write_attribute("mood", "happy"); reading it is
    /// read_attribute("mood").
    class attribute_reference {
    public:
        attribute_reference& operator=(const attribute_value& value)
        {
            record_->write_attribute(name_, value);
            return *this;
        }
        std::optional<attribute_value> value() const { return record_->read_attribute(name_); }
        operator std::optional<attribute_value>() const { return value(); }
        friend bool operator==(const attribute_reference& r, const attribute_value& v)
        {
            return r.value() == v;
        }

    private:
        friend class model_base;
        attribute_reference(model_base& record, std::string name)
            : record_(&record), name_(std::move(name))
        {
        }
        model_base* record_;
        std::string name_;
    };
    attribute_reference operator[](std::string_view name)
    {
        return attribute_reference(*this, std::string(name));
    }
    std::optional<attribute_value> operator[](std::string_view name) const
    {
        return read_attribute(name);
    }

    /// Loaded through a relation with project(): only the projection's attributes were read.
    /// save() then writes changes to whole attributes that were read (and the maintained
    /// timestamps) and refuses others; replace() and replace_declared() refuse; reload()
    /// reads the whole item and makes the record whole.
    bool is_partial() const noexcept { return loaded_only_ != nullptr; }
    /// The top-level attributes of a partial record's projection; empty for a whole record.
    std::vector<std::string> loaded_attributes() const;

    // --- Dirty tracking ------------------------------------------------------------------
    bool changed() const;
    bool attribute_changed(std::string_view name) const;
    template <class C, class V>
    bool changed(V C::*member) const
    {
        return attribute_changed(field_name(member));
    }
    /// The names of the changed fields, in declaration order, then of the undeclared
    /// attributes assigned, in the order first assigned.
    std::vector<std::string> changed_attributes() const;
    std::vector<attribute_change> changes() const;
    /// The stored value when loaded or saved; none when absent.
    std::optional<attribute_value> attribute_was(std::string_view name) const;
    /// The field's value when loaded or saved (value-initialized when absent then).
    template <class C, class V>
    V attribute_was(V C::*member) const
    {
        V out{};
        const auto was = attribute_was(field_name(member));
        if (was) {
            std::string why;
            if (error_code ec = from_attribute(*was, out, &why)) throw error(ec, why);
        }
        return out;
    }
    /// Puts every field back to its value when loaded or saved.
    void restore_attributes();
    void restore_attribute(std::string_view name);
    /// The changes the last save wrote (timestamps and generated id included); cleared by
    /// reload().
    const std::vector<attribute_change>& saved_changes() const noexcept { return saved_changes_; }
    const std::vector<attribute_change>& previous_changes() const noexcept
    {
        return saved_changes_;
    }
    bool saved_change_to(std::string_view name) const;

    /// The attribute name of a declared member; throws dynomite::error
    /// (errc::invalid_argument) when the member is not a declared field.
    template <class C, class V>
    const std::string& field_name(V C::*member) const
    {
        const C* object = dynamic_cast<const C*>(this);
        return field_name_at(object ? static_cast<const void*>(&(object->*member)) : nullptr);
    }

    // --- Validation ----------------------------------------------------------------------
    model_errors& errors();
    const model_errors& errors() const noexcept { return errors_; }
    /// Runs the validation callbacks and every validator (uniqueness included) for `context`
    /// (create for a new record, else update). True without errors.
    boost::asio::awaitable<bool> valid();
    boost::asio::awaitable<bool> valid(validation_context context);
    /// The same without I/O: validators and callbacks that need to await (uniqueness,
    /// awaitable validators and callbacks, around_validation) are skipped.
    bool valid_locally();
    bool valid_locally(validation_context context);

    // --- Persistence ---------------------------------------------------------------------
    /// Creates (a new record: PutItem on the condition that the key is free, else
    /// model_errc::record_not_unique) or updates (UpdateItem of the changed fields only: SET
    /// what has a value, REMOVE what was emptied; nothing is sent without changes). False,
    /// without writing, when validation fails (see errors()) or a callback halts (a base
    /// error says which). Other failures throw: model_errc::stale_object (locking),
    /// model_errc::record_not_found (the item is gone), model_errc::key_changed, and the
    /// client's errors.
    boost::asio::awaitable<bool> save(save_options options = {});
    /// As save(), throwing model_errc::record_invalid (with the full messages) or
    /// model_errc::record_not_saved instead of returning false.
    boost::asio::awaitable<void> save_or_throw(save_options options = {});
    /// assign_attributes(values), then save().
    boost::asio::awaitable<bool> update(const attribute_map& values, save_options options = {});
    boost::asio::awaitable<void> update_or_throw(const attribute_map& values,
                                                 save_options options = {});
    /// As save(), but writes the whole item with PutItem (creating or overwriting it, on no
    /// condition but the lock's).
    boost::asio::awaitable<bool> replace(save_options options = {});
    boost::asio::awaitable<void> replace_or_throw(save_options options = {});
    /// As replace(), but with one UpdateItem (creating the item when absent): every declared
    /// field is SET (or REMOVEd when empty), the undeclared attributes assigned are written,
    /// and every other attribute stays as it is in the table, even one this record never
    /// read. The record then holds the whole item as written (ReturnValues ALL_NEW).
    boost::asio::awaitable<bool> replace_declared(save_options options = {});
    boost::asio::awaitable<void> replace_declared_or_throw(save_options options = {});
    /// Assigns one field and saves without validation (callbacks run). False when halted.
    boost::asio::awaitable<bool> update_attribute(std::string_view name, attribute_value value);
    template <class C, class V>
    boost::asio::awaitable<bool> update_attribute(V C::*member, V value)
    {
        return update_attribute(field_name(member), to_attribute(value));
    }

    /// Runs the destroy callbacks around a DeleteItem (on the lock's condition with locking).
    /// False when a callback halts.
    boost::asio::awaitable<bool> destroy();
    boost::asio::awaitable<void> destroy_or_throw();
    /// DeleteItem without callbacks or conditions.
    boost::asio::awaitable<void> delete_();
    boost::asio::awaitable<void> remove() { return delete_(); }

    /// The executor of used_database()'s client, where the async_x forms run.
    boost::asio::any_io_executor get_executor() const;

    // Persistence for any completion token, e.g. record.async_save(diag, token) completes with
    // void(error_code, bool); the record must outlive the operation.
    DYNOMITE_ASYNC_FORM(valid, bool, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM(save, bool, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM_WITH(save, bool, save_options, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM_WITH(update, bool, attribute_map, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM(replace, bool, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM(destroy, bool, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM(remove, void, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM(reload, void, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM(touch, void, DYNOMITE_ASYNC_ON_THIS, )

    /// Reads the item again (consistently): fields, undeclared attributes, and no changes.
    /// model_errc::record_not_found when it is gone.
    boost::asio::awaitable<void> reload();
    /// Sets updated_at (and the time fields named) to now, with an UpdateItem of those alone,
    /// without validations or save callbacks; then the after_touch callbacks.
    boost::asio::awaitable<void> touch(std::vector<std::string> fields = {});

    /// Atomic ADD on the item (UpdateItem, not a read and a write): the new value, also
    /// assigned to the field. A pending change of that field is replaced.
    boost::asio::awaitable<number> increment(std::string_view name, number by = number(1));
    boost::asio::awaitable<number> decrement(std::string_view name, number by = number(1));
    template <class C, class V>
    boost::asio::awaitable<number> increment(V C::*member, number by = number(1))
    {
        return increment(field_name(member), std::move(by));
    }
    template <class C, class V>
    boost::asio::awaitable<number> decrement(V C::*member, number by = number(1))
    {
        return decrement(field_name(member), std::move(by));
    }
    /// Flips a bool field (absent counts as false) and saves it with update_attribute();
    /// returns the new value.
    boost::asio::awaitable<bool> toggle(std::string_view name);
    template <class C, class V>
    boost::asio::awaitable<bool> toggle(V C::*member)
    {
        return toggle(field_name(member));
    }

    // --- JSON ----------------------------------------------------------------------------
    /// The declared fields (null when absent) and the type, as plain JSON: strings, numbers
    /// (exactly as stored), booleans, objects for maps, arrays for lists and sets, base64 for
    /// binary.
    std::string to_json() const;
    /// Assigns the fields present in a JSON object (as to_json() writes it). Fails with
    /// errc::invalid_argument naming the field when a value does not fit (the fields before it
    /// are assigned by then), or when the text is not a JSON object.
    error_code assign_json(std::string_view json, std::string* why = nullptr);

protected:
    model_base() = default;
    model_base(const model_base&) = default;
    model_base(model_base&&) = default;
    model_base& operator=(const model_base&) = default;
    model_base& operator=(model_base&&) = default;

    /// The schema of the record's class.
    virtual const detail::model_descriptor& descriptor() const = 0;

private:
    friend struct detail::record_access;
    friend struct detail::association_access;
    friend struct detail::attribute_access;
    enum class record_state : unsigned char { new_record, persisted, destroyed };

    const std::string& field_name_at(const void* address) const;

    record_state state_ = record_state::new_record;
    /// The item as last loaded or written.
    attribute_map stored_;
    /// The fields' stored values then; unset for a new record. After a load, the fields whose
    /// bit is set in loaded_exactly_ are not in it: stored_ holds their values.
    std::optional<attribute_map> snapshot_;
    std::uint64_t loaded_exactly_ = 0;
    std::vector<attribute_change> saved_changes_;
    model_errors errors_;
    std::optional<dynomite::database> db_;
    /// Assignments to undeclared attributes since the last load or write (NULL: removal).
    attribute_map undeclared_assigned_;
    /// For a record read with a projection: the top-level attributes read whole.
    std::shared_ptr<const std::vector<std::string>> loaded_only_;
};

}  // namespace dynomite
