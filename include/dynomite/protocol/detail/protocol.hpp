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

/// The two APIs the operations belong to: each has its own target prefix and endpoint.
enum class service_api { dynamodb, streams };

/// What the client needs to know of an operation: its response type, the X-Amz-Target header
/// value (e.g. "DynamoDB_20120810.GetItem") and the API it belongs to.
template <class Request>
struct operation_traits;

#define DYNOMITE_DECLARE_PROTOCOL(service, prefix, name, aws_name)                       \
    template <>                                                                          \
    struct operation_traits<name##_request> {                                            \
        using response = name##_response;                                                \
        static constexpr service_api api = service_api::service;                         \
        static constexpr std::string_view target = prefix "." #aws_name;                \
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
#define DYNOMITE_DECLARE_DYNAMODB(name, aws_name) \
    DYNOMITE_DECLARE_PROTOCOL(dynamodb, "DynamoDB_20120810", name, aws_name)
#define DYNOMITE_DECLARE_STREAMS(name, aws_name) \
    DYNOMITE_DECLARE_PROTOCOL(streams, "DynamoDBStreams_20120810", name, aws_name)
DYNOMITE_DYNAMODB_OPERATIONS(DYNOMITE_DECLARE_DYNAMODB)
DYNOMITE_STREAMS_OPERATIONS(DYNOMITE_DECLARE_STREAMS)
#undef DYNOMITE_DECLARE_STREAMS
#undef DYNOMITE_DECLARE_DYNAMODB
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
