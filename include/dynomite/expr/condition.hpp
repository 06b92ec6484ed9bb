// Conditions for key conditions, filters and condition expressions: an immutable tree.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/expr/expression_context.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

enum class condition_op : unsigned char {
    // Comparisons: subject op argument.
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    between,  // subject BETWEEN low AND high
    in,       // subject IN (arguments...)
    // Functions of a path.
    attribute_exists,
    attribute_not_exists,
    attribute_type,  // the argument is the type's name ("S", "SS", "BOOL", ...)
    begins_with,
    contains,
    // Logical: children instead of operands.
    and_,
    or_,
    not_,
};

/// "=", "<>", "<", "<=", ">", ">=", "BETWEEN", "IN", the function's name, "AND", "OR", "NOT".
std::string_view to_string(condition_op op) noexcept;

/// Most operands DynamoDB takes in one IN.
inline constexpr std::size_t max_in_operands = 100;
/// Deepest nesting of AND, OR and NOT accepted; any deeper condition would be longer than
/// max_expression_length anyway, and the bound keeps recursion over the tree shallow.
inline constexpr std::size_t max_condition_depth = 1000;

/// A side of a comparison: a document path, size(path), or a value.
class operand {
public:
    enum class kind : unsigned char { path, size, value };

    /// Throw dynomite::error(errc::invalid_argument) for the empty path.
    static operand of_path(document_path path);
    static operand of_size(document_path path);
    static operand of_value(attribute_value value);

    kind type() const noexcept { return kind_; }
    /// The path, also of size(path); throws dynomite::error(errc::invalid_argument) for a value.
    const document_path& path() const;
    /// Throws dynomite::error(errc::invalid_argument) unless this is a value.
    const attribute_value& value() const;

    friend bool operator==(const operand&, const operand&) = default;

private:
    operand(kind k, document_path p, attribute_value v)
        : kind_(k), path_(std::move(p)), value_(std::move(v))
    {
    }
    kind kind_;
    document_path path_;
    attribute_value value_;
};

/// size(path), as the subject of a comparison: `size_of("tags") > 3`.
operand size_of(const document_path& path);

namespace detail {
struct condition_access;
}  // namespace detail

/// A condition, immutable and cheap to copy (nodes are shared). The default-constructed
/// condition is empty: it vanishes in AND and OR, which lets queries start from "no
/// condition", and rendering it is an error.
///
/// For inspection, a leaf (a comparison or a function) has a subject (a path or size(path))
/// and arguments; AND, OR and NOT have children. AND and OR are kept flat: `a && (b && c)`
/// has three children.
class condition {
public:
    condition() = default;

    bool empty() const noexcept { return node_ == nullptr; }
    /// Throws dynomite::error(errc::invalid_argument) on the empty condition.
    condition_op op() const;
    /// AND, OR or NOT.
    bool is_logical() const noexcept;
    /// The leaf's first operand: a path or size(path). Throws dynomite::error
    /// (errc::invalid_argument) for a logical or empty condition.
    const operand& subject() const;
    /// subject().path(): the attribute a leaf is about.
    const document_path& path() const;
    /// The leaf's other operands: the value compared with, BETWEEN's two bounds, IN's list,
    /// the type name or the function's value. Empty for logical conditions.
    std::span<const operand> arguments() const noexcept;
    /// The operands of AND, OR and NOT. Empty for leaves.
    std::span<const condition> children() const noexcept;
    /// The terms of a top-level AND; a single term for anything else, none when empty.
    std::vector<condition> conjuncts() const;
    /// 1 for a leaf, 0 when empty.
    std::size_t depth() const noexcept;

    /// Structural equality.
    friend bool operator==(const condition& a, const condition& b);

private:
    struct node;
    friend struct detail::condition_access;
    explicit condition(std::shared_ptr<const node> n) : node_(std::move(n)) {}
    std::shared_ptr<const node> node_;
};

// The builders throw dynomite::error(errc::invalid_argument) for an empty path or subject,
// and the logical ones for a result deeper than max_condition_depth.

/// path = value, path <> value, ...
condition eq(const document_path& path, attribute_value value);
condition ne(const document_path& path, attribute_value value);
condition lt(const document_path& path, attribute_value value);
condition le(const document_path& path, attribute_value value);
condition gt(const document_path& path, attribute_value value);
condition ge(const document_path& path, attribute_value value);
/// The same with a subject operand, such as size_of(path); the subject must not be a value.
condition eq(const operand& subject, attribute_value value);
condition ne(const operand& subject, attribute_value value);
condition lt(const operand& subject, attribute_value value);
condition le(const operand& subject, attribute_value value);
condition gt(const operand& subject, attribute_value value);
condition ge(const operand& subject, attribute_value value);
/// Any comparison (eq to ge) of a subject with any operand, e.g. of two attributes:
/// compare(operand::of_path("price"), condition_op::lt, operand::of_path("list_price")).
condition compare(const operand& subject, condition_op op, const operand& other);

/// size_of("tags") > 3, and the like.
condition operator<(const operand& subject, attribute_value value);
condition operator<=(const operand& subject, attribute_value value);
condition operator>(const operand& subject, attribute_value value);
condition operator>=(const operand& subject, attribute_value value);

/// low <= path <= high. Also refuses bounds of the same type (S, N or B) in reverse order,
/// which DynamoDB rejects.
condition between(const document_path& path, attribute_value low, attribute_value high);
condition between(const operand& subject, attribute_value low, attribute_value high);

/// path IN (values...): 1 to max_in_operands values.
condition in(const document_path& path, std::vector<attribute_value> values);
condition in(const operand& subject, std::vector<attribute_value> values);

condition attribute_exists(const document_path& path);
condition attribute_not_exists(const document_path& path);
/// attribute_type(path, "SS") and so on, for each of the ten types.
condition attribute_type(const document_path& path, attribute_value::kind type);
/// `prefix` must be a string or binary value.
condition begins_with(const document_path& path, attribute_value prefix);
/// A substring of a string, or an element of a set or list.
condition contains(const document_path& path, attribute_value value);

/// AND and OR; an empty side yields the other side.
condition operator&&(const condition& a, const condition& b);
condition operator||(const condition& a, const condition& b);
/// NOT; throws dynomite::error(errc::invalid_argument) on the empty condition.
condition operator!(const condition& c);

/// Renders `c` with placeholders from `ctx`: comparisons as "#n0 = :v0", "#n0 BETWEEN :v0
/// AND :v1", "#n0 IN (:v0, :v1)", "size(#n0) > :v0"; functions as "attribute_exists(#n0)";
/// OR inside AND in parentheses, NOT's operand in parentheses unless it is a function
/// call. Fails with errc::invalid_argument for the empty condition or a result longer than
/// max_expression_length (the message names `kind`); `ctx` is unchanged then.
error_code render(const condition& c, expression_context& ctx, expression_kind kind,
                  std::string& out, std::string* why = nullptr);
/// As above; throws dynomite::error on failure.
std::string render(const condition& c, expression_context& ctx,
                   expression_kind kind = expression_kind::condition);

}  // namespace dynomite
