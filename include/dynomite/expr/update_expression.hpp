// UpdateExpression: SET, REMOVE, ADD and DELETE actions on document paths.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/core/number.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

enum class update_op : unsigned char {
    set,                // SET path = value
    set_if_not_exists,  // SET path = if_not_exists(path, value)
    list_append,        // SET path = list_append(path, value)
    list_prepend,       // SET path = list_append(value, path)
    increment,          // SET path = path + value
    decrement,          // SET path = path - value
    remove,             // REMOVE path
    add,                // ADD path value
    delete_from_set,    // DELETE path value
};

/// "set", "set_if_not_exists", "list_append", ..., "delete_from_set".
std::string_view to_string(update_op op) noexcept;

struct update_action {
    update_op op = update_op::set;
    document_path path;
    attribute_value value;  // NULL for remove

    friend bool operator==(const update_action&, const update_action&) = default;
};

/// The actions of one UpdateItem, chainable:
///   update_expression().set("name", "Widget").increment("views").remove("draft")
/// Every action changes a different path: a path given twice, or two paths of which one
/// starts the other ("a" and "a.b"), are refused when the second is added, as DynamoDB
/// would refuse the request. Adding an action that fails leaves the expression unchanged.
class update_expression {
public:
    /// The adders throw dynomite::error(errc::invalid_argument) for the empty path and
    /// for a path that overlaps one already in the expression.
    update_expression& set(const document_path& path, attribute_value value);
    update_expression& set_if_not_exists(const document_path& path, attribute_value value);
    /// Appends (or, for list_prepend, prepends) `values` to the list at `path`.
    update_expression& list_append(const document_path& path, attribute_list values);
    update_expression& list_prepend(const document_path& path, attribute_list values);
    update_expression& increment(const document_path& path, number by = number(1));
    update_expression& decrement(const document_path& path, number by = number(1));
    /// Removes an attribute, a map key or a list element ("tags[2]").
    update_expression& remove(const document_path& path);
    /// Adds to a number, or elements to a set; `value` must be N, SS, NS or BS.
    update_expression& add(const document_path& path, attribute_value value);
    /// Removes elements from a set; `elements` must be SS, NS or BS.
    update_expression& delete_from_set(const document_path& path, attribute_value elements);

    const std::vector<update_action>& actions() const noexcept { return actions_; }
    bool empty() const noexcept { return actions_.empty(); }

    friend bool operator==(const update_expression&, const update_expression&) = default;

private:
    update_expression& push(update_op op, const document_path& path, attribute_value value);
    std::vector<update_action> actions_;
};

/// Renders "SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1) REMOVE #n2 ADD #n3 :v2 DELETE #n4
/// :v3": the clauses in that order, the actions of each in the order they were added. Fails
/// with errc::invalid_argument for an expression without actions or longer than
/// max_expression_length; `ctx` is unchanged then.
error_code render(const update_expression& u, expression_context& ctx, std::string& out,
                  std::string* why = nullptr);
/// As above; throws dynomite::error on failure.
std::string render(const update_expression& u, expression_context& ctx);

}  // namespace dynomite
