#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/error.hpp>

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
constexpr std::array aws_types{
    aws_type_entry{"ConditionalCheckFailedException", errc::conditional_check_failed},
    aws_type_entry{"TransactionCanceledException", errc::transaction_canceled},
    aws_type_entry{"TransactionConflictException", errc::transaction_conflict},
    aws_type_entry{"TransactionInProgressException", errc::transaction_in_progress},
    aws_type_entry{"IdempotentParameterMismatchException", errc::idempotent_parameter_mismatch},
    aws_type_entry{"ProvisionedThroughputExceededException",
                   errc::provisioned_throughput_exceeded},
    aws_type_entry{"ThrottlingException", errc::throttling},
    aws_type_entry{"Throttling", errc::throttling},
    aws_type_entry{"RequestLimitExceeded", errc::request_limit_exceeded},
    aws_type_entry{"ResourceNotFoundException", errc::resource_not_found},
    aws_type_entry{"ResourceInUseException", errc::resource_in_use},
    aws_type_entry{"ValidationException", errc::validation},
    aws_type_entry{"SerializationException", errc::validation},
    aws_type_entry{"ItemCollectionSizeLimitExceededException",
                   errc::item_collection_size_limit_exceeded},
    aws_type_entry{"LimitExceededException", errc::limit_exceeded},
    aws_type_entry{"InternalServerError", errc::internal_server_error},
    aws_type_entry{"InternalFailure", errc::internal_server_error},
    aws_type_entry{"ServiceUnavailable", errc::service_unavailable},
    aws_type_entry{"ServiceUnavailableException", errc::service_unavailable},
    aws_type_entry{"AccessDeniedException", errc::access_denied},
    aws_type_entry{"UnrecognizedClientException", errc::unrecognized_client},
    aws_type_entry{"InvalidSignatureException", errc::invalid_signature},
    aws_type_entry{"MissingAuthenticationTokenException", errc::missing_authentication_token},
    aws_type_entry{"ExpiredTokenException", errc::expired_token},
    aws_type_entry{"DuplicateItemException", errc::duplicate_item},
    aws_type_entry{"DuplicateItem", errc::duplicate_item},  // DynamoDB Local's spelling
};

class category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "dynomite"; }

    std::string message(int value) const override
    {
        switch (static_cast<errc>(value)) {
            case errc::conditional_check_failed: return "the conditional request failed";
            case errc::transaction_canceled: return "the transaction was cancelled";
            case errc::transaction_conflict: return "the transaction conflicts with another one";
            case errc::transaction_in_progress: return "the transaction is already in progress";
            case errc::idempotent_parameter_mismatch:
                return "the client request token was reused with different parameters";
            case errc::provisioned_throughput_exceeded:
                return "the provisioned throughput was exceeded";
            case errc::throttling: return "the request was throttled";
            case errc::request_limit_exceeded: return "the account's request limit was exceeded";
            case errc::resource_not_found: return "the table or index does not exist";
            case errc::resource_in_use: return "the table or index is in use";
            case errc::validation: return "DynamoDB rejected the request as invalid";
            case errc::item_collection_size_limit_exceeded:
                return "the item collection exceeds 10 GB";
            case errc::limit_exceeded: return "a DynamoDB limit was exceeded";
            case errc::internal_server_error: return "DynamoDB had an internal error";
            case errc::service_unavailable: return "DynamoDB is unavailable";
            case errc::access_denied: return "access denied";
            case errc::unrecognized_client: return "the access key is not recognized";
            case errc::invalid_signature: return "the request signature does not match";
            case errc::missing_authentication_token: return "the request was not signed";
            case errc::expired_token: return "the security token has expired";
            case errc::duplicate_item: return "a duplicate item was found";
            case errc::unknown_service_error: return "DynamoDB returned an unknown error";
            case errc::invalid_argument: return "invalid argument";
            case errc::invalid_number: return "not a valid DynamoDB number";
            case errc::number_out_of_range: return "number out of range for the target type";
            case errc::number_precision_loss: return "conversion would lose precision";
            case errc::invalid_base64: return "invalid base64";
            case errc::invalid_utf8: return "invalid UTF-8";
            case errc::malformed_response: return "malformed response";
            case errc::crc32_mismatch: return "response CRC32 does not match x-amz-crc32";
            case errc::response_too_large: return "response body exceeds the configured limit";
            case errc::http_status: return "unexpected HTTP status";
            case errc::request_timeout: return "the request timed out";
            case errc::connect_timeout: return "connecting timed out";
            case errc::connection_closed: return "the connection closed before the response ended";
            case errc::no_credentials: return "no AWS credentials found";
            case errc::no_region: return "no AWS region configured";
            case errc::invalid_endpoint: return "invalid endpoint";
            case errc::invalid_configuration: return "invalid configuration";
            case errc::retry_quota_exceeded: return "the retry quota is exhausted";
        }
        return "unknown dynomite error " + std::to_string(value);
    }
};

}  // namespace

const boost::system::error_category& dynomite_category() noexcept
{
    static const category_impl instance;
    return instance;
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
