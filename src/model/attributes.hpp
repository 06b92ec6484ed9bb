// The model engine's view of what src/model/attributes.cpp keeps for a record: the attributes
// it does not declare that were assigned, and what a record read with a projection may write.
#pragma once

#include <dynomite/model/base.hpp>
#include <dynomite/model/batch.hpp>

#include <string_view>
#include <vector>

namespace dynomite::detail {

/// The changes of the undeclared attributes assigned, appended after the fields' changes.
void append_undeclared_changes(const model_base& r, std::vector<attribute_change>& out);
/// The undeclared assignments applied to an item (SET or erased).
void apply_undeclared(const model_base& r, attribute_map& item);
/// Forgets the assignments: after a load, or a write that stored them.
void clear_undeclared(model_base& r);
/// write_attribute() of a name the model does not declare.
void write_undeclared(model_base& r, std::string_view name, const attribute_value& value);
/// The value assigned to an undeclared attribute: null when none was; a NULL for a removal.
const attribute_value* assigned_undeclared(const model_base& r, std::string_view name);
/// Forgets one assignment.
void restore_undeclared(model_base& r, std::string_view name);

/// Makes a partial record whole (reload() read the whole item).
void make_whole(model_base& r);
/// Makes the record partial, without `name`: the item's value of it changed unseen (a
/// transaction's increment), and a full write would put the old one back.
void mark_unread(model_base& r, const std::string& name);
/// Refuses, with errc::invalid_argument naming the attribute, a write of a partial record
/// that would drop or overwrite what it did not read: a full write (put), a change of an
/// attribute not read whole, or a lock field not read.
void check_partial_write(const model_base& r, write_kind kind,
                         const std::vector<attribute_change>& changes);

}  // namespace dynomite::detail
