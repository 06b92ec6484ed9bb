// What the planner reads in a relation's conditions: which attributes they require to exist,
// and how conditions on a sort key split between a key condition and the client. Private to
// the library; sans-io.
#pragma once

#include <dynomite/expr/condition.hpp>

#include <string>
#include <vector>

namespace dynomite::detail {

/// `o` is the top-level attribute `name` itself (not a nested path, not size()).
bool is_attribute(const operand& o, const std::string& name);

/// True only when `c` cannot hold for an item without the top-level attribute `name`:
/// a comparison (other than `<>`), BETWEEN, IN, begins_with, contains, attribute_type or
/// attribute_exists on it (or inside it), or on size() of it; an AND with such a term; an OR
/// whose every branch is one. NOT, `<>` and attribute_not_exists never require it.
bool requires_existence(const condition& c, const std::string& name);

/// Every argument of `c` is a value DynamoDB takes for a key attribute (not an empty string or
/// binary).
bool compares_with_key_values(const condition& c);

/// A leaf DynamoDB takes on a sort key: =, <, <=, >, >=, BETWEEN or begins_with of `name`
/// with values.
bool is_sort_key_condition(const condition& c, const std::string& name);

/// The conditions on a sort key split: one key condition, and what the client evaluates.
struct sort_key_split {
    /// Empty when no condition can be one.
    condition key_condition;
    /// Conditions the key condition states exactly (0 when it only narrows the read, as
    /// `sk BETWEEN a AND b` for `sk > a AND sk < b`).
    int exact = 0;
    /// The conditions the key condition does not state exactly; the client evaluates them on
    /// each item read.
    std::vector<condition> residual;
};

/// Splits the conditions on sort key `name` (every term mentions it): an equality if any;
/// else a BETWEEN; else a lower and an upper bound of one type, in order, as BETWEEN (exact
/// when both are inclusive); else begins_with; else one bound.
sort_key_split split_sort_key(const std::vector<condition>& on_sort, const std::string& name);

}  // namespace dynomite::detail
