// The association engine's shared internals: access to a record's loaded item and snapshot,
// and how an end stores a single id. Shared by the association files of src/model/.
#pragma once

#include "model/attributes.hpp"

#include <dynomite/model.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace dynomite::detail {

/// Access to a record's loaded item and snapshot, to store ids without making them changes.
struct association_access {
    static const model_descriptor& desc(const model_base& r) { return r.descriptor(); }

    /// The item as the record last read or wrote it: what association writes start from.
    static const attribute_map& stored_item(const model_base& r) { return r.stored_; }
    static const attribute_value* stored(const model_base& r, std::string_view attribute)
    {
        return r.stored_.find(attribute);
    }

    static void assign(model_base& r, const std::string& attribute,
                       const std::optional<attribute_value>& value)
    {
        assign(r, attribute, value, value);
    }

    /// Gives the record's field `value` and the item as written `stored`, which differ when
    /// the field held a change not yet saved: that change stays pending.
    static void assign(model_base& r, const std::string& attribute,
                       const std::optional<attribute_value>& value,
                       const std::optional<attribute_value>& stored)
    {
        const model_descriptor& d = r.descriptor();
        const field_info* f = d.find_field(attribute);
        if (f != nullptr) {
            std::string why;
            if (error_code ec = f->write(r, value ? &*value : nullptr, &why)) {
                throw error(ec, d.type_name + "." + attribute + ": " + why);
            }
            // A new record keeps comparing with the blank one: the id is a change to save.
            if (r.snapshot_) {
                if (stored) {
                    r.snapshot_->set(attribute, *stored);
                } else {
                    r.snapshot_->erase(attribute);
                }
            }
        }
        if (stored) {
            r.stored_.set(attribute, *stored);
        } else {
            r.stored_.erase(attribute);
        }
        if (f == nullptr && assigned_undeclared(r, attribute) != nullptr) {
            // Compared with the item just set: the same value is no longer a change.
            r.write_attribute(attribute, value ? *value : attribute_value(null_value{}));
        }
    }
};

/// A single id as its end stores it: a string, or a set of one.
inline attribute_value single_value(bool in_set, const std::string& id)
{
    return in_set ? attribute_value(string_set{{id}}) : attribute_value(id);
}

}  // namespace dynomite::detail
