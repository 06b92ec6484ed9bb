// "field.op" keys, as in where("price.lt" => 1000): parsing and the conditions they build.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/core/error.hpp>

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

enum class field_op : unsigned char { eq, ne, lt, le, gt, ge, in, between, begins_with };

/// The suffix naming `op`: "eq", "ne", "lt", "lte", "gt", "gte", "in", "between",
/// "begins_with".
std::string_view to_string(field_op op) noexcept;

/// A parsed key: the path, the operator and whether it is negated ("not_in").
struct field_operator {
    std::string key;  // as given, for messages
    document_path path;
    field_op op = field_op::eq;
    bool negated = false;

    friend bool operator==(const field_operator&, const field_operator&) = default;
};

/// The operators, for messages: "eq, ne, lt, lte, gt, gte, in, between and begins_with, ...".
std::string_view operator_names() noexcept;

/// Parses a key: the text after the last '.' is the operator when it is one of
/// to_string(field_op)'s suffixes, or one of them prefixed with "not_", in any case; so
/// "price.lt" and "price.LT" are (price, lt) and "price.not_in" is (price, in, negated).
/// Otherwise the whole key is a path compared with eq ("pictures.slide_view" is the nested
/// path pictures.slide_view), unless that last name resembles an operator without being one:
/// another library's word ("like", "contains", "lessthan", "neq", "le", ...), anything
/// starting with "not", an operator spelled with other separators ("begins-with") or one edit
/// away from "between" or "begins_with". Such a key is refused (errc::invalid_argument,
/// naming the operator and listing the valid ones) rather than silently compared as a nested
/// path; that nested path can still be compared through where(path, "eq", value). Also
/// fails with errc::invalid_argument for an empty key, an operator without a path (".lt") or
/// a path document_path::parse refuses. Linear in the key's length; `out` is left unchanged
/// on failure.
error_code parse_field_operator(std::string_view key, field_operator& out,
                                std::string* why = nullptr);
/// As above; throws dynomite::error on failure.
field_operator parse_field_operator(std::string_view key);

/// The condition of a parsed key with its values: comparisons and begins_with take exactly
/// one value (begins_with a string or binary one), between exactly two, in 1 to
/// max_in_operands. For in and between, a single list value (L) supplies the values. A
/// negated operator wraps the condition in NOT. Fails with errc::invalid_argument, naming
/// the key: "\"price.between\" needs exactly 2 values, got 3".
error_code make_condition(const field_operator& field, std::span<const attribute_value> values,
                          condition& out, std::string* why = nullptr);
/// As above, comparing size(path) instead of the path; begins_with does not apply.
error_code make_size_condition(const field_operator& field, std::span<const attribute_value> values,
                               condition& out, std::string* why = nullptr);

/// As above; throw dynomite::error on failure. The overloads take the values as a span, a
/// vector (which would otherwise also convert to one list value), a braced list or one value.
condition make_condition(const field_operator& field, std::span<const attribute_value> values);
condition make_condition(const field_operator& field, const std::vector<attribute_value>& values);
condition make_condition(const field_operator& field,
                         std::initializer_list<attribute_value> values);
condition make_condition(const field_operator& field, const attribute_value& value);
condition make_size_condition(const field_operator& field, std::span<const attribute_value> values);
condition make_size_condition(const field_operator& field,
                              const std::vector<attribute_value>& values);
condition make_size_condition(const field_operator& field,
                              std::initializer_list<attribute_value> values);
condition make_size_condition(const field_operator& field, const attribute_value& value);

}  // namespace dynomite
