// An evaluator of DynamoDB condition expressions over items, written independently of the
// library's conditions and planner, so that tests can check what relations return against it.
//
// Semantics follow AWS's "Comparison operator and function reference" and were checked
// against DynamoDB Local with Scans carrying a FilterExpression (the differential integration
// test repeats that check on random conditions in every run):
// - A missing attribute, or one of another type than the value, makes =, <, <=, >, >=,
//   BETWEEN, IN, begins_with and contains false; `a <> v` is exactly NOT (a = v), so it is
//   true for a missing attribute or another type. NOT is plain negation.
// - Numbers compare as exact decimals ("1" = "1.0", "-0" = "0"); strings by their UTF-8
//   bytes ("\u{1F600}" > "\u{FF61}", which UTF-16 order would reverse); binary by bytes.
// - <, <=, >, >= and BETWEEN apply to S, N and B; = and IN to every type (sets as sets, maps
//   whatever their key order, lists in order, numbers numerically at any depth).
// - begins_with: an S prefix of an S, a B prefix of a B. contains: a substring of an S (the
//   empty string is in every string), a byte substring of a B, a member of a set of the
//   value's type, an element of a list equal to the value (maps and lists included).
// - size(): a string's length in UTF-16 code units (DynamoDB Local counts "\u{1F600}" as 2
//   and "é" as 1), a binary's bytes, the elements of a set, list or map; N, BOOL and NULL have
//   no size, so a comparison of their size is false (and <> true), as for a missing one.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/document_path.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite::test::oracle {

enum class compare_op { eq, ne, lt, le, gt, ge };

/// A condition: a leaf on one path (or on size(path)), or AND, OR, NOT of children.
struct expr {
    enum class kind {
        compare,      // subject op values[0]
        between,      // values[0] <= subject <= values[1]
        in,           // subject equal to one of values
        begins_with,  // values[0] is the prefix
        contains,     // values[0]
        exists,
        not_exists,
        type,  // attribute_type(path, type_name)
        and_,
        or_,
        not_,
    };
    kind k = kind::exists;
    document_path path;
    bool of_size = false;  // the subject is size(path)
    compare_op op = compare_op::eq;
    std::vector<attribute_value> values;
    attribute_value::kind type_name = attribute_value::kind::s;
    std::vector<expr> children;
};

expr make_compare(document_path path, compare_op op, attribute_value value, bool of_size = false);
expr make_between(document_path path, attribute_value low, attribute_value high,
                  bool of_size = false);
expr make_in(document_path path, std::vector<attribute_value> values, bool of_size = false);
expr make_function(expr::kind k, document_path path, attribute_value value = {});
expr make_type(document_path path, attribute_value::kind type);
expr make_and(std::vector<expr> children);
expr make_or(std::vector<expr> children);
expr make_not(expr child);

/// -1, 0 or 1: the exact order of two DynamoDB number texts ("1E+2", "-0.50", "7").
int compare_numbers(std::string_view a, std::string_view b);

/// DynamoDB's equality of two values, as = and IN and contains use it.
bool values_equal(const attribute_value& a, const attribute_value& b);

/// -1, 0 or 1 for two values of the same type among S, N, B; none for any other pair.
std::optional<int> compare_scalars(const attribute_value& a, const attribute_value& b);

/// The value at `path` in `item`, or null when the path leads nowhere.
const attribute_value* resolve(const attribute_map& item, const document_path& path);

/// size(v) as DynamoDB Local computes it; none for N, BOOL and NULL.
std::optional<std::size_t> size_of_value(const attribute_value& v);

bool evaluate(const expr& e, const attribute_map& item);

/// A readable form: `pk = "a" AND (NOT (size(m.g) > 2) OR l[0] IN (1, "x"))`.
std::string describe(const expr& e);
/// A value in the same readable form: "a", 1.5, b'0102', true, null, ["x"], {"k": 1},
/// <<"a", "b">> for sets.
std::string describe(const attribute_value& v);

/// `e` as a FilterExpression with its own placeholders (#p0, :c0, ...).
struct filter_expression {
    std::string text;
    std::vector<std::pair<std::string, std::string>> names;
    attribute_map values;
};
filter_expression render_filter(const expr& e);

}  // namespace dynomite::test::oracle
