// Items a model relation could not load into records, when told to skip them.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/error.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace dynomite {

/// An item with a value its declared field cannot hold: 1.5 for an int, 38 digits for a
/// double, NULL for a std::string.
struct bad_item {
    /// The item's key attributes as stored: the declared keys, else the generated-id field.
    attribute_map key;
    /// The field refused, and the value it refused.
    std::string field;
    attribute_value value;
    /// The converter's error and the message naming the item, the field and the value, as
    /// the error would have been thrown without on_bad_item().
    error_code code;
    std::string message;
};

/// The items a model_relation with on_bad_item() skipped, in the order met. A handle: copies
/// share one list, which may be read after (or while) the relation is iterated; thread-safe.
class bad_items {
public:
    bad_items();

    /// A copy of the items reported so far.
    std::vector<bad_item> items() const;
    std::size_t size() const;
    bool empty() const { return size() == 0; }
    void add(bad_item item) const;
    void clear() const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

}  // namespace dynomite
