// DynamoDB's limits on a request that encoding does not already enforce, checked before any
// byte is sent: key values (scalar, not empty), key attribute names (255 bytes), expressions
// (not empty, 4 KB, valid UTF-8) and the names substituted into them (valid attribute names).
// Item values, item sizes and the counts of batches and transactions are checked by
// encode_request, through validate() and item_size().
#pragma once

#include <dynomite/protocol/detail/operation_list.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/protocol/operations.hpp>

#include <cstddef>
#include <string>

namespace dynomite::detail {

/// The longest expression string DynamoDB accepts, in bytes.
inline constexpr std::size_t max_expression_size = 4 * 1024;
/// The longest name of a table or index key attribute, in bytes.
inline constexpr std::size_t max_key_attribute_name_size = 255;

// Fails with errc::invalid_argument, as encode_request does, and sets `why` to the place and
// the problem: "GetItem: Key.id: a key attribute is an empty string, ...".
#define DYNOMITE_DECLARE_LIMITS(name, aws_name) \
    error_code check_request_limits(const name##_request& request, std::string* why);
DYNOMITE_OPERATIONS(DYNOMITE_DECLARE_LIMITS)
#undef DYNOMITE_DECLARE_LIMITS

}  // namespace dynomite::detail
