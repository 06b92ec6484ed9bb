// GetItem, Query and Scan responses decoded straight from their text into attribute maps,
// without the JSON DOM in between: the read path of every item and page.
#pragma once

#include <dynomite/protocol/operations.hpp>

#include <string>
#include <string_view>

namespace dynomite::detail {

/// Decodes `body` when it has the usual shape of a successful response: Item (GetItem), or
/// Items, Count, ScannedCount and LastEvaluatedKey (Query, Scan), each at most once, with valid
/// attribute values nested no deeper than DynamoDB allows. Returns false for anything else
/// (ConsumedCapacity, members it does not know, malformed text or values), leaving `out` in an
/// unspecified state: the DOM decoder (decode_response) then gives the result, or the error
/// with its place.
bool decode_directly(std::string_view body, get_item_response& out);

/// `body` with each lone UTF-16 surrogate escape ("\ud800" not part of a pair) replaced by the
/// surrogate's 3-byte form (WTF-8), as decode_directly() reads it: Boost.JSON refuses such
/// escapes, and accepts those bytes with parse_options::allow_invalid_utf8. Returns false,
/// leaving `out` unspecified, when there is none, or when the body has any other invalid
/// UTF-8 or a malformed escape (which stay errors).
bool lone_surrogates_as_bytes(std::string_view body, std::string& out);
bool decode_directly(std::string_view body, page_response& out);

}  // namespace dynomite::detail
