// Running a record's validation: its callbacks around the validators that apply.
#include "model/record_engine.hpp"

#include <optional>

namespace dynomite::detail {

namespace asio = boost::asio;
using ra = record_access;

namespace {

bool rule_applies(const validation_rule& rule, const model_base& r, validation_context context)
{
    if (rule.on && *rule.on != context) return false;
    for (const auto& p : rule.if_) {
        if (!p(r)) return false;
    }
    for (const auto& p : rule.unless) {
        if (p(r)) return false;
    }
    return true;
}

/// Runs the synchronous part of one rule; returns whether it has an asynchronous part.
bool run_rule_sync(model_base& r, const validation_rule& rule, validation_context context,
                   std::optional<attribute_value>& value)
{
    model_errors& errors = ra::errors(r);
    if (rule.field) {
        const field_info& f = ra::desc(r).fields.at(*rule.field);
        value = f.read(r);
        const attribute_value* v = value ? &*value : nullptr;
        if (rule.validator.allow_nil && v == nullptr) return false;
        if (rule.validator.allow_blank && is_blank(v)) return false;
        if (rule.validator.check) rule.validator.check({r, f.name, v, context}, errors);
        return static_cast<bool>(rule.validator.async_check);
    }
    if (rule.custom) rule.custom(r, errors);
    return static_cast<bool>(rule.custom_async);
}

/// Runs every validator; true once they ran, whatever they found.
asio::awaitable<bool> run_validators(model_base& r, validation_context context)
{
    for (const auto& rule : ra::desc(r).rules) {
        if (!rule_applies(rule, r, context)) continue;
        std::optional<attribute_value> value;
        if (!run_rule_sync(r, rule, context, value)) continue;
        if (rule.field) {
            co_await rule.validator.async_check(r, ra::desc(r).fields.at(*rule.field).name,
                                                std::move(value), ra::errors(r));
        } else {
            co_await rule.custom_async(r, ra::errors(r));
        }
    }
    co_return true;
}

}  // namespace

void reset_errors(model_base& r)
{
    ra::errors(r) = model_errors(ra::desc(r).labels);
}

asio::awaitable<bool> run_validation(model_base& r, validation_context context)
{
    reset_errors(r);
    halt_point halted = halt_point::none;
    const step inner = [&r, context]() { return run_validators(r, context); };
    const bool ok =
        co_await run_chain(r, callback_kind::before_validation, callback_kind::around_validation,
                           callback_kind::after_validation, inner, halted);
    if (!ok && halted != halt_point::inner) {
        ra::errors(r).add_to_base(halt_message("Validation", callback_kind::before_validation,
                                               callback_kind::around_validation));
    }
    co_return ok&& ra::errors(r).empty();
}

bool run_validation_sync(model_base& r, validation_context context)
{
    reset_errors(r);
    if (!run_simple_sync(r, callback_kind::before_validation)) {
        ra::errors(r).add_to_base("Validation halted by a before_validation callback");
        return false;
    }
    for (const auto& rule : ra::desc(r).rules) {
        if (!rule_applies(rule, r, context)) continue;
        std::optional<attribute_value> value;
        run_rule_sync(r, rule, context, value);
    }
    run_simple_sync(r, callback_kind::after_validation);
    return ra::errors(r).empty();
}

}  // namespace dynomite::detail
