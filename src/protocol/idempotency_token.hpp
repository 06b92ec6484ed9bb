// Idempotency tokens: the members by which DynamoDB recognizes a request sent again
// (TransactWriteItems' and ExecuteTransaction's ClientRequestToken, the ClientToken of
// ExportTableToPointInTime and ImportTable). A write whose answer is lost is retried; without
// a token, DynamoDB would apply it twice.
#pragma once

#include <dynomite/protocol/detail/operation_list.hpp>
#include <dynomite/protocol/operations.hpp>

namespace dynomite::detail {

// Gives the request's token a new random UUID when it has none, and returns true; leaves a
// request without such a member, or with a token, as it is. Called once per call of an
// operation, before its first attempt, so that every retry carries the same token, as the AWS
// SDKs fill the members the service model marks idempotencyToken.
#define DYNOMITE_DECLARE_TOKEN_FILL(name, aws_name) \
    bool fill_idempotency_token(name##_request& request);
DYNOMITE_OPERATIONS(DYNOMITE_DECLARE_TOKEN_FILL)
#undef DYNOMITE_DECLARE_TOKEN_FILL

}  // namespace dynomite::detail
