#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/error.hpp>

#include "core/error_category.hpp"

#include <array>
#include <string>
#include <utility>

namespace dynomite {
namespace {

struct aws_type_entry {
    std::string_view name;
    errc code;
};

// DynamoDB's exception names; a few have two spellings across services and protocol versions.
constexpr aws_type_entry aws_types[] = {
    {"ConditionalCheckFailedException", errc::conditional_check_failed},
    {"TransactionCanceledException", errc::transaction_canceled},
    {"TransactionConflictException", errc::transaction_conflict},
    {"TransactionInProgressException", errc::transaction_in_progress},
    {"IdempotentParameterMismatchException", errc::idempotent_parameter_mismatch},
    {"ProvisionedThroughputExceededException", errc::provisioned_throughput_exceeded},
    {"ThrottlingException", errc::throttling},
    {"Throttling", errc::throttling},
    {"RequestLimitExceeded", errc::request_limit_exceeded},
    {"ResourceNotFoundException", errc::resource_not_found},
    {"ResourceInUseException", errc::resource_in_use},
    {"ValidationException", errc::validation},
    {"SerializationException", errc::validation},
    {"ItemCollectionSizeLimitExceededException", errc::item_collection_size_limit_exceeded},
    {"LimitExceededException", errc::limit_exceeded},
    {"InternalServerError", errc::internal_server_error},
    {"InternalFailure", errc::internal_server_error},
    {"ServiceUnavailable", errc::service_unavailable},
    {"ServiceUnavailableException", errc::service_unavailable},
    {"AccessDeniedException", errc::access_denied},
    {"UnrecognizedClientException", errc::unrecognized_client},
    {"InvalidSignatureException", errc::invalid_signature},
    {"MissingAuthenticationTokenException", errc::missing_authentication_token},
    {"ExpiredTokenException", errc::expired_token},
    {"DuplicateItemException", errc::duplicate_item},
    {"DuplicateItem", errc::duplicate_item},  // DynamoDB Local's spelling
    {"ExpiredIteratorException", errc::expired_iterator},
    {"TrimmedDataAccessException", errc::trimmed_data_access},
    {"PolicyNotFoundException", errc::policy_not_found},
};

constexpr detail::code_message<errc> errc_messages[] = {
    {errc::conditional_check_failed, "the conditional request failed"},
    {errc::transaction_canceled, "the transaction was cancelled"},
    {errc::transaction_conflict, "the transaction conflicts with another one"},
    {errc::transaction_in_progress, "the transaction is already in progress"},
    {errc::idempotent_parameter_mismatch,
     "the client request token was reused with different parameters"},
    {errc::provisioned_throughput_exceeded, "the provisioned throughput was exceeded"},
    {errc::throttling, "the request was throttled"},
    {errc::request_limit_exceeded, "the account's request limit was exceeded"},
    {errc::resource_not_found, "the table or index does not exist"},
    {errc::resource_in_use, "the table or index is in use"},
    {errc::validation, "DynamoDB rejected the request as invalid"},
    {errc::item_collection_size_limit_exceeded, "the item collection exceeds 10 GB"},
    {errc::limit_exceeded, "a DynamoDB limit was exceeded"},
    {errc::internal_server_error, "DynamoDB had an internal error"},
    {errc::service_unavailable, "DynamoDB is unavailable"},
    {errc::access_denied, "access denied"},
    {errc::unrecognized_client, "the access key is not recognized"},
    {errc::invalid_signature, "the request signature does not match"},
    {errc::missing_authentication_token, "the request was not signed"},
    {errc::expired_token, "the security token has expired"},
    {errc::duplicate_item, "a duplicate item was found"},
    {errc::unknown_service_error, "DynamoDB returned an unknown error"},
    {errc::expired_iterator, "the shard iterator has expired"},
    {errc::trimmed_data_access,
     "the stream records asked for are past the stream's retention"},
    {errc::policy_not_found,
     "the resource has no resource-based policy, or not of the expected revision"},
    {errc::invalid_argument, "invalid argument"},
    {errc::invalid_number, "not a valid DynamoDB number"},
    {errc::number_out_of_range, "number out of range for the target type"},
    {errc::number_precision_loss, "conversion would lose precision"},
    {errc::invalid_base64, "invalid base64"},
    {errc::invalid_utf8, "invalid UTF-8"},
    {errc::malformed_response, "malformed response"},
    {errc::crc32_mismatch, "response CRC32 does not match x-amz-crc32"},
    {errc::response_too_large, "response body exceeds the configured limit"},
    {errc::http_status, "unexpected HTTP status"},
    {errc::request_timeout, "the request timed out"},
    {errc::connect_timeout, "connecting timed out"},
    {errc::connection_closed, "the connection closed before the response ended"},
    {errc::no_credentials, "no AWS credentials found"},
    {errc::no_region, "no AWS region configured"},
    {errc::invalid_endpoint, "invalid endpoint"},
    {errc::invalid_configuration, "invalid configuration"},
    {errc::retry_quota_exceeded, "the retry quota is exhausted"},
};

}  // namespace

const boost::system::error_category& dynomite_category() noexcept
{
    static const detail::table_error_category<errc> category("dynomite", errc_messages,
                                                             "unknown dynomite error", true);
    return category;
}

errc errc_from_aws_type(std::string_view type) noexcept
{
    // "com.amazonaws.dynamodb.v20120810#ThrottlingException" or the bare name.
    if (auto hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
    // Some services append ":http://internal..." to the type.
    if (auto colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
    for (const auto& entry : aws_types)
        if (entry.name == type) return entry.code;
    return errc::unknown_service_error;
}

bool is_throttling(error_code ec) noexcept
{
    if (ec.category() != dynomite_category()) return false;
    switch (static_cast<errc>(ec.value())) {
        case errc::provisioned_throughput_exceeded:
        case errc::throttling:
        case errc::request_limit_exceeded:
        case errc::limit_exceeded:
        case errc::transaction_in_progress:  // botocore's standard mode counts it as throttling
            return true;
        default:
            return false;
    }
}

bool is_retryable(error_code ec) noexcept
{
    if (is_throttling(ec)) return true;
    if (ec.category() == dynomite_category()) {
        switch (static_cast<errc>(ec.value())) {
            case errc::transaction_conflict:
            case errc::internal_server_error:
            case errc::service_unavailable:
            case errc::crc32_mismatch:
            case errc::request_timeout:
            case errc::connect_timeout:
            case errc::connection_closed:
                return true;
            default:
                return false;
        }
    }
    // Socket-level failures: the request may or may not have reached DynamoDB, which is why
    // non-idempotent callers rely on conditions or client request tokens.
    namespace asio_err = boost::system::errc;
    return ec == asio_err::connection_reset || ec == asio_err::connection_aborted ||
           ec == asio_err::connection_refused || ec == asio_err::broken_pipe ||
           ec == asio_err::timed_out || ec == asio_err::network_unreachable ||
           ec == asio_err::host_unreachable || ec == asio_err::network_down;
}

std::string diagnostics::to_string() const
{
    std::string out = aws_type;
    if (!message.empty()) {
        if (!out.empty()) out += ": ";
        out += message;
    }
    std::string details;
    auto add = [&details](std::string_view part) {
        if (!details.empty()) details += ", ";
        details += part;
    };
    if (http_status != 0) add("HTTP " + std::to_string(http_status));
    if (!request_id.empty()) add("request id " + request_id);
    if (!attempts.empty()) {
        std::string tried = std::to_string(attempts.size()) +
                            (attempts.size() == 1 ? " attempt: " : " attempts: ");
        for (std::size_t i = 0; i < attempts.size(); ++i) {
            if (i != 0) tried += "; ";
            tried += attempts[i].error.message();
            if (!attempts[i].detail.empty()) tried += " (" + attempts[i].detail + ")";
        }
        add(tried);
    }
    if (!cancellation_reasons.empty()) {
        std::string reasons = "cancellation reasons: ";
        for (std::size_t i = 0; i < cancellation_reasons.size(); ++i) {
            if (i != 0) reasons += ", ";
            reasons += "[" + std::to_string(i) + "] " + cancellation_reasons[i].code;
            if (!cancellation_reasons[i].message.empty())
                reasons += " (" + cancellation_reasons[i].message + ")";
        }
        add(reasons);
    }
    if (!details.empty()) out += (out.empty() ? "" : " ") + ("(" + details + ")");
    return out;
}

error::error(error_code ec, diagnostics diag)
    // The copy without a source location keeps what() about DynamoDB, not about Asio's headers.
    : boost::system::system_error(error_code(ec.value(), ec.category()), diag.to_string()),
      diag_(std::move(diag))
{
}

error::error(error_code ec, std::string_view message)
    : boost::system::system_error(error_code(ec.value(), ec.category()), std::string(message))
{
    diag_.message = std::string(message);
}

void throw_on_error(error_code ec, const diagnostics& diag)
{
    if (ec) throw error(ec, diag);
}

void throw_on_error(error_code ec, std::string_view message)
{
    if (ec) throw error(ec, message);
}

}  // namespace dynomite
