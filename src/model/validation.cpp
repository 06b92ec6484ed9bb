// Validation errors, the model error category, and the built-in validators.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/model/errors.hpp>
#include <dynomite/model/schema.hpp>
#include <dynomite/model/validation.hpp>

#include "core/error_category.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>

namespace dynomite {
namespace {

constexpr detail::code_message<model_errc> model_errc_messages[] = {
    {model_errc::record_not_found, "record not found"},
    {model_errc::record_not_unique, "a record with this key already exists"},
    {model_errc::stale_object, "the record was changed by someone else (optimistic locking)"},
    {model_errc::record_invalid, "validation failed"},
    {model_errc::record_not_saved, "the record was not saved"},
    {model_errc::record_not_destroyed, "the record was not destroyed"},
    {model_errc::key_changed, "a key attribute of a persisted record changed"},
    {model_errc::unknown_type, "no model is registered for the item's type"},
    {model_errc::unprocessed_keys, "keys were left unprocessed"},
    {model_errc::not_persisted, "the record is not persisted"},
};

std::size_t utf8_length(std::string_view s) noexcept
{
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

struct measured {
    std::size_t length = 0;
    std::string_view unit = "characters";
};

measured measure(const attribute_value* v)
{
    if (v == nullptr) return {};
    struct visitor {
        measured operator()(const std::string& s) const { return {utf8_length(s), "characters"}; }
        measured operator()(const bytes& b) const { return {b.size(), "bytes"}; }
        measured operator()(const attribute_list& l) const { return {l.size(), "elements"}; }
        measured operator()(const attribute_map& m) const { return {m.size(), "elements"}; }
        measured operator()(const string_set& s) const { return {s.values.size(), "elements"}; }
        measured operator()(const number_set& s) const { return {s.values.size(), "elements"}; }
        measured operator()(const binary_set& s) const { return {s.values.size(), "elements"}; }
        measured operator()(const number& n) const { return {n.text().size(), "characters"}; }
        measured operator()(bool) const { return {1, "characters"}; }
        measured operator()(null_value) const { return {}; }
    };
    return std::visit(visitor{}, v->value());
}

/// The elements a set or list holds, or the value itself.
std::vector<attribute_value> elements_of(const attribute_value& v)
{
    if (const auto* s = v.get_if<string_set>()) {
        return {s->values.begin(), s->values.end()};
    }
    if (const auto* s = v.get_if<number_set>()) return {s->values.begin(), s->values.end()};
    if (const auto* s = v.get_if<binary_set>()) return {s->values.begin(), s->values.end()};
    if (const auto* l = v.get_if<attribute_list>()) return *l;
    return {v};
}

std::optional<number> as_number(const attribute_value* v)
{
    if (v == nullptr) return std::nullopt;
    if (const number* n = v->get_if<number>()) return *n;
    if (const std::string* s = v->get_if<std::string>()) {
        std::string_view text = *s;
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
            text.remove_prefix(1);
        }
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
            text.remove_suffix(1);
        }
        number n;
        if (!number::parse(text, n)) return n;
    }
    return std::nullopt;
}

}  // namespace

const boost::system::error_category& model_category() noexcept
{
    static const detail::table_error_category<model_errc> category(
        "dynomite.model", model_errc_messages, "unknown model error");
    return category;
}

std::string_view to_string(validation_context context) noexcept
{
    return context == validation_context::create ? "create" : "update";
}

namespace detail {

std::string humanize(std::string_view attribute)
{
    if (attribute.size() > 3 && attribute.substr(attribute.size() - 3) == "_id") {
        attribute.remove_suffix(3);
    }
    std::string out;
    out.reserve(attribute.size());
    for (char c : attribute) out.push_back(c == '_' ? ' ' : c);
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) return std::string(attribute);
    out.erase(0, first);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

const std::string* label_table::find(std::string_view attribute) const noexcept
{
    for (const auto& [name, label] : labels) {
        if (name == attribute) return &label;
    }
    return nullptr;
}

}  // namespace detail

// --- model_errors ----------------------------------------------------------------------------

void model_errors::add(std::string attribute, std::string message)
{
    entries_.push_back({std::move(attribute), std::move(message)});
}

void model_errors::add_to_base(std::string message)
{
    add({}, std::move(message));
}

bool model_errors::contains(std::string_view attribute) const noexcept
{
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const validation_error& e) { return e.attribute == attribute; });
}

std::vector<std::string> model_errors::on(std::string_view attribute) const
{
    std::vector<std::string> out;
    for (const auto& e : entries_) {
        if (e.attribute == attribute) out.push_back(e.message);
    }
    return out;
}

std::string model_errors::full_message(const validation_error& e) const
{
    if (e.attribute.empty()) return e.message;
    const std::string* label = labels_ ? labels_->find(e.attribute) : nullptr;
    return (label ? *label : detail::humanize(e.attribute)) + " " + e.message;
}

std::vector<std::string> model_errors::full_messages() const
{
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(full_message(e));
    return out;
}

std::string model_errors::to_string() const
{
    std::string out;
    for (const auto& m : full_messages()) {
        if (!out.empty()) out += ", ";
        out += m;
    }
    return out;
}

// --- Validators ------------------------------------------------------------------------------

bool is_blank(const attribute_value* value) noexcept
{
    if (value == nullptr || value->is_null()) return true;
    if (const std::string* s = value->get_if<std::string>()) {
        return std::all_of(s->begin(), s->end(),
                           [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    }
    if (const auto* l = value->get_if<attribute_list>()) return l->empty();
    if (const auto* m = value->get_if<attribute_map>()) return m->empty();
    if (const auto* s = value->get_if<string_set>()) return s->values.empty();
    if (const auto* s = value->get_if<number_set>()) return s->values.empty();
    if (const auto* s = value->get_if<binary_set>()) return s->values.empty();
    if (const auto* b = value->get_if<bytes>()) return b->empty();
    return false;
}

presence_validator presence()
{
    return {};
}

field_validator presence_validator::build() const
{
    return make(
        [message = message_or("can't be blank")](const validation_input& in, model_errors& errors) {
            if (is_blank(in.value)) errors.add(std::string(in.attribute), message);
        });
}

absence_validator absence()
{
    return {};
}

field_validator absence_validator::build() const
{
    return make(
        [message = message_or("must be blank")](const validation_input& in, model_errors& errors) {
            if (!is_blank(in.value)) errors.add(std::string(in.attribute), message);
        });
}

length_validator length()
{
    return {};
}

field_validator length_validator::build() const
{
    if (!minimum_ && !maximum_ && !is_) {
        throw error(errc::invalid_argument,
                    "length(): give a minimum, a maximum or an exact length");
    }
    if (minimum_ && maximum_ && *minimum_ > *maximum_) {
        throw error(errc::invalid_argument, "length(): minimum " + std::to_string(*minimum_) +
                                                " is above maximum " + std::to_string(*maximum_));
    }
    return make([min = minimum_, max = maximum_, is = is_, custom = message_](
                    const validation_input& in, model_errors& errors) {
        const measured m = measure(in.value);
        const auto say = [&](std::string fallback) {
            errors.add(std::string(in.attribute), custom.empty() ? std::move(fallback) : custom);
        };
        if (is && m.length != *is) {
            say("is the wrong length (should be " + std::to_string(*is) + " " +
                std::string(m.unit) + ")");
            return;
        }
        if (min && m.length < *min) {
            say("is too short (minimum is " + std::to_string(*min) + " " + std::string(m.unit) +
                ")");
        }
        if (max && m.length > *max) {
            say("is too long (maximum is " + std::to_string(*max) + " " + std::string(m.unit) +
                ")");
        }
    });
}

format_validator format(std::regex with)
{
    format_validator v;
    v.with(std::move(with));
    return v;
}

format_validator format()
{
    return {};
}

field_validator format_validator::build() const
{
    if (!with_ && !without_) {
        throw error(errc::invalid_argument, "format(): give a pattern with with() or without()");
    }
    return make([with = with_, without = without_, message = message_or("is invalid")](
                    const validation_input& in, model_errors& errors) {
        static const std::string empty;
        const std::string* text = in.value ? in.value->get_if<std::string>() : &empty;
        const bool ok = text != nullptr && (!with || std::regex_search(*text, *with)) &&
                        (!without || !std::regex_search(*text, *without));
        if (!ok) errors.add(std::string(in.attribute), message);
    });
}

numericality_validator numericality()
{
    return {};
}

field_validator numericality_validator::build() const
{
    std::vector<std::optional<number>> bounds(std::begin(bounds_), std::end(bounds_));
    return make([only_integer = only_integer_, odd = odd_, even = even_, bounds, custom = message_](
                    const validation_input& in, model_errors& errors) {
        const auto say = [&](std::string fallback) {
            errors.add(std::string(in.attribute), custom.empty() ? std::move(fallback) : custom);
        };
        const auto n = as_number(in.value);
        if (!n) {
            say("is not a number");
            return;
        }
        std::int64_t whole = 0;
        const error_code integral = n->to_int64(whole);
        if ((only_integer || odd || even) && integral == errc::number_precision_loss) {
            say("must be an integer");
            return;
        }
        static constexpr std::string_view phrases[] = {
            "greater than", "greater than or equal to", "equal to",
            "less than",    "less than or equal to",    "other than"};
        for (std::size_t i = 0; i < bounds.size(); ++i) {
            if (!bounds[i]) continue;
            const auto order = *n <=> *bounds[i];
            const bool ok = i == 0   ? order > 0
                            : i == 1 ? order >= 0
                            : i == 2 ? order == 0
                            : i == 3 ? order < 0
                            : i == 4 ? order <= 0
                                     : order != 0;
            if (!ok) say("must be " + std::string(phrases[i]) + " " + bounds[i]->text());
        }
        if (!integral) {
            if (odd && whole % 2 == 0) say("must be odd");
            if (even && whole % 2 != 0) say("must be even");
        }
    });
}

inclusion_validator inclusion(std::vector<attribute_value> values)
{
    return inclusion_validator(std::move(values), false);
}

inclusion_validator exclusion(std::vector<attribute_value> values)
{
    return inclusion_validator(std::move(values), true);
}

field_validator inclusion_validator::build() const
{
    if (values_.empty()) {
        throw error(errc::invalid_argument, exclude_ ? "exclusion(): the list of values is empty"
                                                     : "inclusion(): the list of values is empty");
    }
    return make([values = values_, exclude = exclude_,
                 message = message_or(exclude_ ? "is reserved" : "is not included in the list")](
                    const validation_input& in, model_errors& errors) {
        const auto listed = [&](const attribute_value& v) {
            return std::find(values.begin(), values.end(), v) != values.end();
        };
        bool ok = true;
        if (in.value == nullptr) {
            ok = exclude;
        } else {
            const auto elements = elements_of(*in.value);
            ok = exclude ? std::none_of(elements.begin(), elements.end(), listed)
                         : std::all_of(elements.begin(), elements.end(), listed);
        }
        if (!ok) errors.add(std::string(in.attribute), message);
    });
}

uniqueness_validator uniqueness()
{
    return {};
}

field_validator uniqueness_validator::build() const
{
    field_validator v = make({});
    v.async_check = [scope = scope_, message = message_or("has already been taken")](
                        const model_base& record, std::string attribute,
                        std::optional<attribute_value> value, model_errors& errors) {
        return detail::check_uniqueness(record, std::move(attribute), std::move(value), scope,
                                        message, errors);
    };
    return v;
}

}  // namespace dynomite
