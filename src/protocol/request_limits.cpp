// Request limits that encoding leaves to DynamoDB otherwise (see request_limits.hpp), checked
// by walking the description of the request types.
#include "protocol/request_limits.hpp"
#include "protocol/field_path.hpp"
#include "protocol/request_description.hpp"

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <optional>
#include <string_view>
#include <variant>

namespace dynomite::detail {
namespace {

// A name for a message: bounded, cut at a character boundary.
std::string shown(std::string_view name)
{
    constexpr std::size_t max_shown = 32;
    if (name.size() <= max_shown) return "\"" + std::string(name) + "\"";
    std::size_t cut = max_shown;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    return "\"" + std::string(name.substr(0, cut)) + "...\"";
}

class checker {
public:
    checker(std::string_view operation, std::string* why) : path_(operation), why_(why) {}

    error_code result() const noexcept { return ec_; }

    /// An expression the request may leave out: when present, not empty.
    void optional_expression(std::string_view field, const std::optional<std::string>& text)
    {
        if (!text) return;
        if (text->empty()) {
            auto s = path_.at(field);
            fail(errc::invalid_argument, "the expression is empty; leave it unset instead");
            return;
        }
        expression(field, *text);
    }

    /// A required expression; a missing one is reported by the encoder.
    void expression(std::string_view field, std::string_view text)
    {
        if (ec_ || text.empty()) return;
        auto s = path_.at(field);
        if (text.size() > max_expression_size) {
            fail(errc::invalid_argument, "the expression is " + std::to_string(text.size()) +
                                             " bytes long, over DynamoDB's limit of " +
                                             std::to_string(max_expression_size));
            return;
        }
        std::string reason;
        if (validate(attribute_value(text), &reason)) {
            // validate() says where the first bad byte is; keep that part.
            const std::size_t at = reason.find("(byte ");
            fail(errc::invalid_argument,
                 "the expression is not valid UTF-8" +
                     (at == std::string::npos ? std::string() : " " + reason.substr(at)));
        }
    }

    /// The names an expression's #placeholders stand for: valid attribute names.
    void expression_names(const dynomite::expression_names& names)
    {
        if (ec_ || names.empty()) return;
        auto s = path_.at("ExpressionAttributeNames");
        for (const auto& [placeholder, name] : names) {
            for (std::string_view text : {std::string_view(placeholder), std::string_view(name)}) {
                // Empty names and malformed placeholders are the encoder's to report.
                if (text.empty()) continue;
                std::string reason;
                const attribute_map probe{{std::string(text), attribute_value()}};
                if (validate(probe, &reason)) {
                    // A placeholder that is not valid UTF-8 is not repeated in the message.
                    fail(errc::invalid_argument,
                         (text.data() == placeholder.data() ? std::string("a placeholder")
                                                            : "the name of " + shown(placeholder)) +
                             ": " + reason);
                    return;
                }
            }
        }
    }

    /// A primary key (or ExclusiveStartKey) under `field`: scalar, non-empty values under names of
    /// at most 255 bytes. Invalid values and names are the encoder's to report, through validate().
    void key(std::string_view field, const attribute_map& key)
    {
        auto s = path_.at(field);
        key_members(key);
    }

    void key_members(const attribute_map& key)
    {
        if (ec_ || validate(key)) return;
        for (const auto& [name, value] : key) {
            if (name.size() > max_key_attribute_name_size) {
                fail(errc::invalid_argument,
                     "the key attribute name " + shown(name) + " is " +
                         std::to_string(name.size()) + " bytes long, at most " +
                         std::to_string(max_key_attribute_name_size) + " are allowed");
                return;
            }
            auto sn = path_.at(name);
            using kind = attribute_value::kind;
            switch (value.type()) {
                case kind::s:
                    if (value.get_if<std::string>()->empty()) {
                        fail(errc::invalid_argument,
                             "a key attribute is an empty string; DynamoDB refuses empty key "
                             "values");
                    }
                    break;
                case kind::b:
                    if (value.get_if<bytes>()->empty()) {
                        fail(errc::invalid_argument,
                             "a key attribute is an empty binary; DynamoDB refuses empty key "
                             "values");
                    }
                    break;
                case kind::n:
                    break;
                default:
                    fail(errc::invalid_argument, "a key attribute is of type " +
                                                     std::string(value.type_name()) +
                                                     "; key attributes are S, N or B");
                    break;
            }
            if (ec_) return;
        }
    }

    void optional_key(std::string_view field, const std::optional<attribute_map>& key)
    {
        if (key) this->key(field, *key);
    }

    /// The name of a table or index key attribute, or of a projected attribute.
    void key_attribute_name(std::string_view name)
    {
        if (ec_ || name.empty()) return;
        std::string reason;
        const attribute_map probe{{std::string(name), attribute_value()}};
        if (validate(probe, &reason)) {
            fail(errc::invalid_argument, reason);
        } else if (name.size() > max_key_attribute_name_size) {
            fail(errc::invalid_argument, "the attribute name " + shown(name) + " is " +
                                             std::to_string(name.size()) + " bytes long, at most " +
                                             std::to_string(max_key_attribute_name_size) +
                                             " are allowed");
        }
    }

    field_path::scope at(std::string_view field) { return path_.at(field); }
    field_path::scope at(std::size_t index) { return path_.at(index); }

private:
    void fail(errc code, std::string_view what)
    {
        if (ec_) return;
        ec_ = code;
        path_.describe(why_, what);
    }

    field_path path_;
    std::string* why_;
    error_code ec_;
};

template <class T>
void check_members(checker& c, const T& object);

template <class T>
void check_element(checker& c, const T& element)
{
    if constexpr (is_variant<T>) {
        std::visit([&c](const auto& alternative) { check_element(c, alternative); }, element);
    } else if constexpr (!wrapper_name<T>.empty()) {
        auto s = c.at(wrapper_name<T>);
        check_members(c, element);
    } else {
        check_members(c, element);
    }
}

constexpr bool is_expression(std::string_view name)
{
    constexpr std::string_view suffix = "Expression";
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

/// What DynamoDB limits in a member, by its JSON name and its type: expressions, the names
/// substituted into them, primary keys, and the names of key and projected attributes.
template <class Descriptor, class T>
void check_member(checker& c, const T& value)
{
    constexpr std::string_view name = wire_name<Descriptor>::value;
    if constexpr (std::is_same_v<T, std::string> && is_expression(name)) {
        c.expression(name, value);
    } else if constexpr (std::is_same_v<T, std::optional<std::string>> && is_expression(name)) {
        c.optional_expression(name, value);
    } else if constexpr (std::is_same_v<T, std::string> && name == "AttributeName") {
        auto s = c.at(name);
        c.key_attribute_name(value);
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        auto s = c.at(name);
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto si = c.at(i);
            c.key_attribute_name(value[i]);
        }
    } else if constexpr (std::is_same_v<T, dynomite::expression_names>) {
        c.expression_names(value);
    } else if constexpr (std::is_same_v<T, attribute_map> && name == "Key") {
        c.key(name, value);
    } else if constexpr (std::is_same_v<T, std::optional<attribute_map>>) {
        c.optional_key(name, value);
    } else if constexpr (std::is_same_v<T, std::vector<attribute_map>>) {
        auto s = c.at(name);
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto si = c.at(i);
            c.key_members(value[i]);
        }
    } else if constexpr (is_per_table<T>) {
        auto s = c.at(name);
        for (const auto& [table, entry] : value) {
            auto st = c.at(std::string_view(table));
            if constexpr (is_vector<std::decay_t<decltype(entry)>>) {
                for (std::size_t i = 0; i < entry.size(); ++i) {
                    auto si = c.at(i);
                    check_element(c, entry[i]);
                }
            } else {
                check_members(c, entry);
            }
        }
    } else if constexpr (is_vector<T>) {
        if constexpr (is_described<typename T::value_type> || is_variant<typename T::value_type>) {
            auto s = c.at(name);
            for (std::size_t i = 0; i < value.size(); ++i) {
                auto si = c.at(i);
                check_element(c, value[i]);
            }
        }
    } else if constexpr (is_optional<T>) {
        if constexpr (is_described<typename T::value_type>) {
            if (value) check_member<Descriptor>(c, *value);
        }
    } else if constexpr (is_described<T>) {
        auto s = c.at(name);
        check_members(c, value);
    }
}

template <class T>
void check_members(checker& c, const T& object)
{
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto descriptor) {
        using D = decltype(descriptor);
        check_member<D>(c, object.*D::pointer);
    });
}

}  // namespace

#define DYNOMITE_DEFINE_LIMITS(name, aws_name)                                       \
    error_code check_request_limits(const name##_request& request, std::string* why) \
    {                                                                                \
        checker c(#aws_name, why);                                                   \
        check_members(c, request);                                                   \
        return c.result();                                                           \
    }
DYNOMITE_OPERATIONS(DYNOMITE_DEFINE_LIMITS)
#undef DYNOMITE_DEFINE_LIMITS

}  // namespace dynomite::detail
