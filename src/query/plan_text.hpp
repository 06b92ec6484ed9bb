// Readable text of plans and the values in them, as explain() shows it. Private to the library.
#pragma once

#include <dynomite/core/attribute_value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace dynomite::detail {

/// A value as explain() shows it: "a", 1.5, b"AQI=", [...], <<...>> for sets.
void append_readable_value(const attribute_value& v, std::string& out);

/// `parts` with `separator` between them.
std::string joined(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace dynomite::detail
