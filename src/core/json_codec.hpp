// Attribute values to and from DynamoDB's JSON shape ({"S": "..."}, {"N": "12"}, ...).
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include "core/json_writer.hpp"

#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>

namespace dynomite::detail {

/// Levels of maps and lists DynamoDB accepts in an attribute value.
inline constexpr int max_nesting = 32;

void write_value(json_writer& w, const attribute_value& v);
/// {"name": {"S": ...}, ...}
void write_item(json_writer& w, const attribute_map& item);

/// Decoding failures set errc::malformed_response and describe the place in `why`, e.g.
/// "Item.tags.L[2]: expected a string for \"S\", got number".
/// `where` is the path of `json` itself, used as the prefix of that description.
/// Nesting deeper than 32 levels of maps and lists (DynamoDB's limit) is refused.
/// After a failure `out` holds a partial result.
error_code read_value(const boost::json::value& json, attribute_value& out, std::string_view where,
                      std::string* why);
error_code read_item(const boost::json::value& json, attribute_map& out, std::string_view where,
                     std::string* why);

}  // namespace dynomite::detail
