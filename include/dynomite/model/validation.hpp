// Validators of a model's fields: presence, length, format, numericality, inclusion,
// confirmation, uniqueness and the like, each with Rails' messages.
#pragma once

#include <dynomite/model/attribute_converter.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/model/errors.hpp>
#include <dynomite/core/number.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

class model_base;
class database;

/// What a validation is for: a record not yet saved is validated for create, a persisted one
/// for update.
enum class validation_context { create, update };

/// "create", "update".
std::string_view to_string(validation_context context) noexcept;

/// What a field validator is given: the record, the attribute's name and its stored value (as
/// it would be written: none when the field is empty, null, an empty string or an empty set).
struct validation_input {
    const model_base& record;
    std::string_view attribute;
    const attribute_value* value;
    validation_context context;
};

/// A validator of one field, type-erased; made by the builders below (presence(), length(),
/// ...) and attached with model_definition's field(...).validates(...).
struct field_validator {
    using check_fn = std::function<void(const validation_input&, model_errors&)>;
    /// For validators that read the table (uniqueness).
    using async_check_fn = std::function<boost::asio::awaitable<void>(
        const model_base&, std::string attribute, std::optional<attribute_value> value,
        model_errors&)>;

    check_fn check;
    async_check_fn async_check;
    /// Only in this context; none: always.
    std::optional<validation_context> on;
    /// Skip when the value is absent, or blank.
    bool allow_nil = false;
    bool allow_blank = false;
};

/// True when the value is absent, a string of only white space, or an empty list or map.
/// (false is not blank: a bool field is present whatever its value.)
bool is_blank(const attribute_value* value) noexcept;

/// Options every validator takes: message("...") replaces the default message, on(context)
/// restricts it to create or update, allow_nil() and allow_blank() skip absent or blank
/// values.
template <class Self>
class validator_options {
public:
    Self& message(std::string text)
    {
        message_ = std::move(text);
        return self();
    }
    Self& on(validation_context context)
    {
        on_ = context;
        return self();
    }
    Self& allow_nil(bool on = true)
    {
        allow_nil_ = on;
        return self();
    }
    Self& allow_blank(bool on = true)
    {
        allow_blank_ = on;
        return self();
    }

protected:
    /// A validator with these options around `check`.
    field_validator make(field_validator::check_fn check) const
    {
        field_validator v;
        v.check = std::move(check);
        v.on = on_;
        v.allow_nil = allow_nil_;
        v.allow_blank = allow_blank_;
        return v;
    }
    /// The custom message, or `fallback`.
    std::string message_or(std::string fallback) const
    {
        return message_.empty() ? std::move(fallback) : message_;
    }

    std::string message_;
    std::optional<validation_context> on_;
    bool allow_nil_ = false;
    bool allow_blank_ = false;

private:
    Self& self() { return static_cast<Self&>(*this); }
};

/// Fails on a blank value: "can't be blank".
class presence_validator : public validator_options<presence_validator> {
public:
    field_validator build() const;
};
presence_validator presence();

/// Fails on a value that is not blank: "must be blank".
class absence_validator : public validator_options<absence_validator> {
public:
    field_validator build() const;
};
absence_validator absence();

/// The length of a string (in characters, that is Unicode code points), of a binary value (in
/// bytes), or of a list, map or set (in elements). An absent value has length 0.
/// "is too short (minimum is 3 characters)", "is too long (maximum is 10 characters)",
/// "is the wrong length (should be 5 characters)"; "elements" and "bytes" for the others.
class length_validator : public validator_options<length_validator> {
public:
    length_validator& minimum(std::size_t n)
    {
        minimum_ = n;
        return *this;
    }
    length_validator& maximum(std::size_t n)
    {
        maximum_ = n;
        return *this;
    }
    length_validator& is(std::size_t n)
    {
        is_ = n;
        return *this;
    }
    length_validator& in(std::size_t min, std::size_t max)
    {
        minimum_ = min;
        maximum_ = max;
        return *this;
    }
    /// Throws dynomite::error(errc::invalid_argument) without a bound or with minimum > maximum.
    field_validator build() const;

private:
    std::optional<std::size_t> minimum_, maximum_, is_;
};
length_validator length();

/// A string that matches `with` (std::regex_search: anchor the pattern to match it whole) or
/// does not match `without`: "is invalid". A value of another type is invalid too.
class format_validator : public validator_options<format_validator> {
public:
    format_validator& with(std::regex pattern)
    {
        with_ = std::move(pattern);
        return *this;
    }
    format_validator& without(std::regex pattern)
    {
        without_ = std::move(pattern);
        return *this;
    }
    /// Throws dynomite::error(errc::invalid_argument) without a pattern.
    field_validator build() const;

private:
    std::optional<std::regex> with_, without_;
};
format_validator format(std::regex with);
format_validator format();

/// A number (an N value, or a string that is one): "is not a number", "must be an integer",
/// "must be greater than 0", "must be greater than or equal to 0", "must be equal to 1",
/// "must be less than 10", "must be less than or equal to 10", "must be other than 5",
/// "must be odd", "must be even". Bounds compare exactly (dynomite::number).
class numericality_validator : public validator_options<numericality_validator> {
public:
    numericality_validator& only_integer(bool on = true)
    {
        only_integer_ = on;
        return *this;
    }
    numericality_validator& greater_than(number n) { return bound(0, std::move(n)); }
    numericality_validator& greater_than_or_equal_to(number n) { return bound(1, std::move(n)); }
    numericality_validator& equal_to(number n) { return bound(2, std::move(n)); }
    numericality_validator& less_than(number n) { return bound(3, std::move(n)); }
    numericality_validator& less_than_or_equal_to(number n) { return bound(4, std::move(n)); }
    numericality_validator& other_than(number n) { return bound(5, std::move(n)); }
    numericality_validator& odd(bool on = true)
    {
        odd_ = on;
        return *this;
    }
    numericality_validator& even(bool on = true)
    {
        even_ = on;
        return *this;
    }
    field_validator build() const;

private:
    numericality_validator& bound(std::size_t which, number n)
    {
        bounds_[which] = std::move(n);
        return *this;
    }
    bool only_integer_ = false;
    bool odd_ = false;
    bool even_ = false;
    std::optional<number> bounds_[6];
};
numericality_validator numericality();

/// The value is one of `values` ("is not included in the list"), or, for exclusion, none of
/// them ("is reserved"). Values compare as attribute values (numbers numerically); a set or
/// list value passes inclusion when each of its elements is included, and fails exclusion
/// when any is excluded.
class inclusion_validator : public validator_options<inclusion_validator> {
public:
    explicit inclusion_validator(std::vector<attribute_value> values, bool exclude)
        : values_(std::move(values)), exclude_(exclude)
    {
    }
    /// Throws dynomite::error(errc::invalid_argument) for an empty list.
    field_validator build() const;

private:
    std::vector<attribute_value> values_;
    bool exclude_;
};
inclusion_validator inclusion(std::vector<attribute_value> values);
inclusion_validator exclusion(std::vector<attribute_value> values);

/// The field equals the confirmation member (which is not stored), e.g. an email typed twice:
/// the error is on the confirmation, "doesn't match Email". A confirmation that is empty
/// (nullopt, or an empty string) is not checked, as when the form had no such field.
template <class C, class V>
class confirmation_validator : public validator_options<confirmation_validator<C, V>> {
public:
    explicit confirmation_validator(V C::*member, std::string attribute)
        : member_(member), attribute_(std::move(attribute))
    {
    }
    field_validator build() const
    {
        auto member = member_;
        auto attribute = attribute_;
        auto custom = this->message_;
        return this->make([member, attribute, custom](const validation_input& in,
                                                      model_errors& errors) {
            const auto& record = static_cast<const C&>(in.record);
            const attribute_value confirmation = to_attribute(record.*member);
            if (is_blank(&confirmation) || confirmation.is_null()) return;
            if (in.value != nullptr && *in.value == confirmation) return;
            errors.add(attribute,
                       custom.empty() ? "doesn't match " + detail::humanize(in.attribute) : custom);
        });
    }

private:
    V C::*member_;
    std::string attribute_;
};
/// confirmation(&User::email_confirmation, "email_confirmation"): the second argument names
/// the confirmation in messages.
template <class C, class V>
confirmation_validator<C, V> confirmation(V C::*member, std::string attribute)
{
    return confirmation_validator<C, V>(member, std::move(attribute));
}

/// No other item of the table has the same value (and the same values of the scope
/// attributes): "has already been taken". Checked by a relation (a Query on an index of the
/// attribute when there is one, else a Scan, subject to the database's scan policy) when the
/// record is validated asynchronously, as save() does; valid_locally() skips it.
///
/// The check and the write are two requests: another writer can take the value in between.
/// Where that matters, keep a separate item keyed by the value and write both in a
/// transaction with a condition.
class uniqueness_validator : public validator_options<uniqueness_validator> {
public:
    uniqueness_validator& scope(std::string attribute)
    {
        scope_.push_back(std::move(attribute));
        return *this;
    }
    field_validator build() const;

private:
    std::vector<std::string> scope_;
};
uniqueness_validator uniqueness();

namespace detail {
/// The uniqueness check: adds `message` on `attribute` when another item of the record's
/// table has `value` (and the same scope values).
boost::asio::awaitable<void> check_uniqueness(const model_base& record, std::string attribute,
                                              std::optional<attribute_value> value,
                                              std::vector<std::string> scope, std::string message,
                                              model_errors& errors);
}  // namespace detail

}  // namespace dynomite
