// Plain JSON (as to_json() writes it, or a seed file) read into the attribute values it stands
// for, numbers kept digit for digit: a double would keep only 15 to 17 of DynamoDB's 38.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/error.hpp>

#include <string>
#include <string_view>

namespace dynomite::detail {

struct plain_json_options {
    bool allow_comments = false;
    bool allow_trailing_commas = false;
};

/// Strings, numbers (their text, validated as DynamoDB numbers), true and false, null, objects
/// as maps and arrays as lists. Fails with errc::invalid_argument for text that is not JSON,
/// and with errc::invalid_number for a number DynamoDB cannot store, naming its place
/// ("posts[0].views: ..."). `out` is unchanged on failure.
error_code read_plain_json(std::string_view text, attribute_value& out, std::string* why = nullptr,
                           plain_json_options options = {});

}  // namespace dynomite::detail
