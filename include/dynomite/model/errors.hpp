// What the model layer reports: its error codes, and the validation errors of a record.
#pragma once

#include <dynomite/core/error.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

class model_base;

/// Errors of the model layer, in their own category ("dynomite.model"). The throwing forms
/// throw dynomite::error with one of these codes and a message naming the model and the key.
enum class model_errc {
    /// find_or_throw(), reload(), or a write to an item that no longer exists.
    record_not_found = 1,
    /// A create whose key is already taken (the write's condition failed).
    record_not_unique,
    /// Optimistic locking: the item's lock field is not the one this record read.
    stale_object,
    /// The validations failed (the throwing forms of save, create and update).
    record_invalid,
    /// A before callback (or an around callback that did not proceed) halted a save.
    record_not_saved,
    /// A before callback halted a destroy.
    record_not_destroyed,
    /// A key attribute of a persisted record was changed; DynamoDB cannot rename an item.
    key_changed,
    /// An item names a type (single-table inheritance) that no registered model has.
    unknown_type,
    /// BatchGetItem still left keys unprocessed after its retries.
    unprocessed_keys,
    /// The record was destroyed, or is not persisted, for an operation that needs an item.
    not_persisted,
};

const boost::system::error_category& model_category() noexcept;

inline const boost::system::error_category& category_of(model_errc) noexcept
{
    return model_category();
}

namespace detail {
/// Field labels for full messages, owned by the model's schema.
struct label_table;
/// "stock_quantity" -> "Stock quantity".
std::string humanize(std::string_view attribute);
}  // namespace detail

/// One validation error: the attribute it is about (empty for the record as a whole) and the
/// message ("can't be blank").
struct validation_error {
    std::string attribute;
    std::string message;

    friend bool operator==(const validation_error&, const validation_error&) = default;
};

/// The validation errors of a record, in the order they were added.
class model_errors {
public:
    model_errors() = default;
    /// With the labels of a model's fields, for full messages.
    explicit model_errors(std::shared_ptr<const detail::label_table> labels)
        : labels_(std::move(labels))
    {
    }

    /// An error on `attribute` ("price", "can't be blank").
    void add(std::string attribute, std::string message);
    /// An error on the record as a whole; its full message is the message itself.
    void add_to_base(std::string message);

    bool empty() const noexcept { return entries_.empty(); }
    std::size_t size() const noexcept { return entries_.size(); }
    void clear() noexcept { entries_.clear(); }

    /// Whether `attribute` has an error.
    bool contains(std::string_view attribute) const noexcept;
    /// The messages on `attribute` ({"can't be blank"}); the base errors for "".
    std::vector<std::string> on(std::string_view attribute) const;
    std::vector<std::string> operator[](std::string_view attribute) const { return on(attribute); }

    /// "Price can't be blank": the attribute's label (its declared label, else the name
    /// humanized), a space and the message; base errors as they are.
    std::string full_message(const validation_error& e) const;
    std::vector<std::string> full_messages() const;
    /// The full messages joined with ", ", as the record_invalid error says them.
    std::string to_string() const;

    const std::vector<validation_error>& entries() const noexcept { return entries_; }
    auto begin() const noexcept { return entries_.begin(); }
    auto end() const noexcept { return entries_.end(); }

private:
    friend class model_base;
    std::shared_ptr<const detail::label_table> labels_;
    std::vector<validation_error> entries_;
};

}  // namespace dynomite
