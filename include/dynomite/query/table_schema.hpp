// What the query planner needs to know of a table: its keys and its indexes.
#pragma once

#include <dynomite/protocol/tables.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

struct key_attribute {
    std::string name;
    scalar_attribute_type type = scalar_attribute_type::s;
};

struct primary_key {
    key_attribute partition;
    std::optional<key_attribute> sort;
};

struct index_schema {
    enum class kind { global, local };
    std::string name;
    kind type = kind::global;
    primary_key key;
    dynomite::projection_type projection = dynomite::projection_type::all;
    /// INCLUDE's attributes; the table's and the index's key attributes are always projected.
    std::vector<std::string> non_key_attributes;
    /// Only ACTIVE indexes are planned over. from_description marks a global index inactive
    /// when its IndexStatus is present and not ACTIVE (local indexes are always active).
    bool active = true;
};

struct table_schema {
    std::string table_name;
    primary_key key;
    std::vector<index_schema> indexes;

    /// From DescribeTable. Fails with errc::malformed_response naming what is missing when the
    /// description lacks the key schema or an attribute definition for a key attribute; also
    /// for no TableName, a KeySchema with two HASH or two RANGE keys or an unknown KeyType, an
    /// unknown AttributeType, and an index without IndexName or ProjectionType. `out` is left
    /// unchanged on failure. Indexes keep DescribeTable's order, local ones first.
    static error_code from_description(const table_description& description, table_schema& out,
                                       std::string* why = nullptr);

    /// The index named `name`, or nullptr.
    const index_schema* find_index(std::string_view name) const noexcept;
    /// The attributes an item read from `index` holds: the table's and the index's keys, and
    /// INCLUDE's attributes; none for an ALL projection, whose items are whole.
    std::optional<std::vector<std::string>> projected_attributes(const index_schema& index) const;
};

}  // namespace dynomite
