// What went wrong, beyond the error code: the server's words and what was tried.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

/// One attempt of a request that failed, kept for the final error.
struct attempt_record {
    error_code error;
    std::string detail;  // e.g. "HTTP 503" or the server's message
};

/// Why one action of a cancelled transaction failed ("None" for the ones that did not).
struct cancellation_reason {
    std::string code;     // "ConditionalCheckFailed", "TransactionConflict", "None", ...
    std::string message;
    std::optional<attribute_map> item;  // with ReturnValuesOnConditionCheckFailure=ALL_OLD
};

/// What the server said about an error, and what was tried before giving up.
/// Never contains credentials.
struct diagnostics {
    std::string aws_type;    // the short __type, e.g. "ConditionalCheckFailedException"
    std::string message;     // the server's or the library's message
    std::string request_id;  // x-amzn-RequestId
    unsigned http_status = 0;
    std::vector<attempt_record> attempts;
    /// ConditionalCheckFailed with ReturnValuesOnConditionCheckFailure=ALL_OLD.
    std::optional<attribute_map> item;
    /// TransactionCanceled: one entry per action, in request order.
    std::vector<cancellation_reason> cancellation_reasons;

    /// Empties every member (a member added above must be emptied here too). The strings and
    /// vectors keep their capacity, so that a diagnostics reused from request to request
    /// does not allocate its request id again.
    void clear()
    {
        aws_type.clear();
        message.clear();
        request_id.clear();
        http_status = 0;
        attempts.clear();
        item.reset();
        cancellation_reasons.clear();
    }

    /// Whether the request was sent more than once: an earlier attempt may have been applied
    /// although its answer was lost, so a failed condition may be this call's own write.
    bool retried() const noexcept { return attempts.size() > 1; }

    /// "ConditionalCheckFailedException: The conditional request failed (HTTP 400,
    /// request id ..., 3 attempts: ...)"
    std::string to_string() const;
};

/// The exception thrown by the throwing variants: the error code plus its diagnostics.
class error : public boost::system::system_error {
public:
    error(error_code ec, diagnostics diag);
    explicit error(error_code ec, std::string_view message = {});
    const diagnostics& diag() const noexcept { return diag_; }

private:
    diagnostics diag_;
};

/// Throws dynomite::error when ec is set.
void throw_on_error(error_code ec, const diagnostics& diag);
/// Throws dynomite::error with `message` when ec is set.
void throw_on_error(error_code ec, std::string_view message = {});

}  // namespace dynomite
