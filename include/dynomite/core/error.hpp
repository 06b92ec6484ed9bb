// Errors: an error_code enum mapped from DynamoDB's __type, plus diagnostics.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <concepts>
#include <string_view>
#include <type_traits>

namespace dynomite {

using boost::system::error_code;

enum class errc {
    // 1..99: errors reported by DynamoDB (from the response's __type).
    conditional_check_failed = 1,
    transaction_canceled,
    transaction_conflict,
    transaction_in_progress,
    idempotent_parameter_mismatch,
    provisioned_throughput_exceeded,
    throttling,
    request_limit_exceeded,
    resource_not_found,
    resource_in_use,
    validation,
    item_collection_size_limit_exceeded,
    limit_exceeded,
    internal_server_error,
    service_unavailable,
    access_denied,
    unrecognized_client,
    invalid_signature,
    missing_authentication_token,
    expired_token,
    duplicate_item,
    unknown_service_error,
    expired_iterator,      // DynamoDB Streams: the shard iterator is older than 15 minutes
    trimmed_data_access,   // DynamoDB Streams: the records asked for are past the 24 hours kept
    policy_not_found,      // no resource-based policy, or not the expected revision

    // 100..: errors detected on this side.
    invalid_argument = 100,   // bad input, refused before any request is sent
    invalid_number,           // not a DynamoDB number (format, precision or range)
    number_out_of_range,      // conversion would overflow the target type
    number_precision_loss,    // conversion would lose digits
    invalid_base64,
    invalid_utf8,
    malformed_response,       // the body is not the JSON shape expected
    crc32_mismatch,
    response_too_large,
    http_status,              // an HTTP error status without a DynamoDB __type
    request_timeout,
    connect_timeout,
    connection_closed,        // the peer closed before a complete response
    no_credentials,
    no_region,
    invalid_endpoint,
    invalid_configuration,
    retry_quota_exceeded,
};

/// Each of the library's error enumerations (errc, model_errc, migration_errc) has a
/// `category_of(E)` beside it, found by argument-dependent lookup; make_error_code and
/// boost::system::is_error_code_enum follow from it.
template <class E>
concept error_enum = std::is_enum_v<E> && requires(E e)
{
    {
        category_of(e)
        } -> std::same_as<const boost::system::error_category&>;
};

template <error_enum E>
error_code make_error_code(E e) noexcept
{
    return {static_cast<int>(e), category_of(e)};
}

const boost::system::error_category& dynomite_category() noexcept;
inline const boost::system::error_category& category_of(errc) noexcept
{
    return dynomite_category();
}

/// The errc for a DynamoDB `__type` such as
/// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException".
errc errc_from_aws_type(std::string_view type) noexcept;

/// True for errors a retry can cure (throttling, 5xx, dropped connections, bad CRC).
bool is_retryable(error_code ec) noexcept;
bool is_throttling(error_code ec) noexcept;

}  // namespace dynomite

namespace boost::system {
template <dynomite::error_enum E>
struct is_error_code_enum<E> : std::true_type {
};
}  // namespace boost::system
