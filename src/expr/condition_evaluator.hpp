// Conditions evaluated on the client, sans-io, with DynamoDB's semantics: what a relation
// asks for but DynamoDB takes neither in a key condition nor in a filter.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/core/document_path.hpp>

#include <string>
#include <vector>

namespace dynomite::detail {

/// The value at `path` in `item`, or null when the item has none there.
const attribute_value* value_at(const attribute_map& item, const document_path& path) noexcept;

/// Whether evaluate() decides `c` as DynamoDB would: every leaf compares a path (not size())
/// with values. Otherwise `why` names the first leaf that does not.
bool client_evaluable(const condition& c, std::string* why = nullptr);

/// Whether `item` satisfies `c`, which must be client_evaluable(); the empty condition is
/// satisfied by every item. As DynamoDB: numbers compare as decimals, strings and binaries by
/// their bytes; an ordering of values of different types (or of other types than S, N and B)
/// is false; a comparison with a missing attribute is false, except `<>`, which is true.
bool evaluate(const condition& c, const attribute_map& item);

/// Keeps the items of `items` that satisfy `c`, in order.
void keep_matching(const condition& c, std::vector<attribute_map>& items);

/// Removes the top-level attributes `names` from each item (those read only to evaluate a
/// condition).
void remove_attributes(const std::vector<std::string>& names, std::vector<attribute_map>& items);

}  // namespace dynomite::detail
