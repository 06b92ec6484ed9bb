// The builders a schema's declarations return: field_builder (validators, conditions, default
// and label of one field) and rule_builder (conditions of a custom validation).
#pragma once

#include <dynomite/model/detail/callback_adapters.hpp>
#include <dynomite/model/detail/model_descriptor.hpp>
#include <dynomite/model/validation.hpp>

#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace dynomite {

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

template <class T, class V>
detail::validation_rule& field_builder<T, V>::last_rule()
{
    if (!last_rule_) detail::throw_no_validator(*d_, field_);
    return d_->rules.at(*last_rule_);
}

}  // namespace dynomite
