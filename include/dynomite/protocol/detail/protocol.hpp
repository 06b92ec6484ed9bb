// The DynamoDB JSON protocol, sans-io: request bodies out, response bodies in.
#pragma once

#include <dynomite/core/diagnostics.hpp>
#include <dynomite/protocol/detail/operation_list.hpp>
#include <dynomite/protocol/operations.hpp>

#include <boost/json/fwd.hpp>
#include <boost/json/storage_ptr.hpp>

#include <string>
#include <string_view>

namespace dynomite::detail {

/// X-Amz-Target header value of an operation, e.g. "DynamoDB_20120810.GetItem".
template <class Request>
struct operation_traits;

#define DYNOMITE_DECLARE_PROTOCOL(name, aws_name)                                        \
    template <>                                                                          \
    struct operation_traits<name##_request> {                                            \
        using response = name##_response;                                                \
        static constexpr std::string_view target = "DynamoDB_20120810." #aws_name;      \
        static constexpr std::string_view aws_operation = #aws_name;                     \
    };                                                                                   \
    /* Appends the request's JSON to body. Fails with errc::invalid_argument, naming */  \
    /* the field, when the request cannot be valid (nothing is sent then).           */  \
    error_code encode_request(const name##_request& request, std::string& body,          \
                              std::string* why);                                         \
    error_code decode_response(const boost::json::value& json, name##_response& out,     \
                               std::string* why);                                        \
    /* Parses a response body and decodes it, as the client does. Invalid JSON, or JSON */ \
    /* nested past the bound the parser keeps, is errc::malformed_response.            */ \
    error_code parse_response(std::string_view body, name##_response& out, std::string* why);
DYNOMITE_OPERATIONS(DYNOMITE_DECLARE_PROTOCOL)
#undef DYNOMITE_DECLARE_PROTOCOL

/// A response body as the DOM decoder reads it: Boost.JSON's DOM, nested up to 128 levels,
/// with lone UTF-16 surrogate escapes ("\ud800") read as decode_directly() reads them, in
/// their 3-byte form (see lone_surrogates_as_bytes), in `storage`.
boost::json::value parse_body(std::string_view body, error_code& ec,
                              boost::json::storage_ptr storage = {});

/// Turns an error response (HTTP status >= 300) into an error code and diagnostics:
/// __type, message, request id, ConditionalCheckFailed's item and
/// TransactionCanceled's cancellation reasons.
error_code parse_error_response(unsigned http_status, std::string_view body,
                                std::string_view request_id, diagnostics& diag);

}  // namespace dynomite::detail
