// Placeholders for the expressions of one request: "#n0" for names, ":v0" for values.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/protocol/common.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

/// DynamoDB's limit on the length of any one expression, in bytes.
inline constexpr std::size_t max_expression_length = 4096;

/// Which expression of a request a string is, for messages.
enum class expression_kind : unsigned char {
    key_condition,
    filter,
    condition,
    projection,
    update,
};

/// The request field's name: "KeyConditionExpression", "FilterExpression",
/// "ConditionExpression", "ProjectionExpression" or "UpdateExpression".
std::string_view to_string(expression_kind kind) noexcept;

/// Fails with errc::invalid_argument, naming the expression and its size, when `expression`
/// is longer than max_expression_length.
error_code check_expression_length(expression_kind kind, std::string_view expression,
                                   std::string* why = nullptr);

/// Allocates the placeholders of one request, shared by its key condition, filter,
/// projection, update and condition expressions. Names get "#n0", "#n1", ... and the same
/// name always gets the same placeholder; values get ":v0", ":v1", ... in order of use, one
/// per use, whatever their contents. Only what is rendered is allocated, since DynamoDB
/// refuses unused placeholders.
class expression_context {
public:
    /// The placeholder of attribute name or map key `name`. Throws
    /// dynomite::error(errc::invalid_argument) for an empty name or one longer than
    /// max_attribute_name_length.
    std::string name(std::string_view name);
    /// A new placeholder holding `value`.
    std::string value(attribute_value value);
    /// "#n0.#n1[2]"; throws dynomite::error(errc::invalid_argument) for the empty path.
    std::string path(const document_path& path);

    /// ExpressionAttributeNames and ExpressionAttributeValues, in allocation order.
    const expression_names& names() const noexcept { return names_; }
    const attribute_map& values() const noexcept { return values_; }
    /// Move the maps out, leaving the context empty (placeholders restart at 0).
    expression_names take_names();
    attribute_map take_values();

    bool empty() const noexcept { return names_.empty() && values_.empty(); }

    /// How many placeholders exist; rewind() forgets those allocated after a mark, so that a
    /// rendering that fails leaves no unused placeholder behind.
    struct mark_type {
        std::size_t names = 0;
        std::size_t values = 0;
    };
    mark_type mark() const noexcept { return {names_.size(), values_.size()}; }
    void rewind(mark_type m);

private:
    expression_names names_;
    attribute_map values_;
    std::map<std::string, std::size_t, std::less<>> name_index_;
};

/// The ProjectionExpression for `paths`: "#n0, #n1.#n2". Fails with errc::invalid_argument
/// for no paths, an empty path, two overlapping paths ("a" and "a.b", or one path twice),
/// or a result longer than max_expression_length; `ctx` is unchanged then.
error_code render_projection(const std::vector<document_path>& paths, expression_context& ctx,
                             std::string& out, std::string* why = nullptr);
/// As above; throws dynomite::error on failure.
std::string render_projection(const std::vector<document_path>& paths, expression_context& ctx);

}  // namespace dynomite
