// The client's send loop without sockets: each test plays the events a driver would report
// (signed, connection acquired, an answer in DynamoDB's wire format, a transport failure, a
// timer) and checks the actions and the diagnostics, statistics and retry quota that result.
// Figures are the AWS SDKs' (botocore retries/standard.py and _retry.json): a quota of 500
// tokens, 5 per retry, 10 per retried timeout, and legacy mode's 50 ms x 2^(n-1) for DynamoDB.
#include "client/send_loop.hpp"
#include "transport/crc32.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using dynomite::diagnostics;
using dynomite::errc;
using dynomite::error_code;
using dynomite::log_level;
using dynomite::retry_mode;
using dynomite::detail::http_response;
using dynomite::detail::send_action;
using dynomite::detail::send_loop;
using dynomite::detail::send_policy;
using dynomite::detail::send_shared_state;
namespace event = dynomite::detail::send_event;
using kind = send_action::kind;

constexpr std::string_view url = "http://127.0.0.1:8000";
// 2026-12-04T20:00:00Z.
const std::chrono::system_clock::time_point local_now{std::chrono::seconds(1796414400)};

/// A DynamoDB answer: a status, a JSON body with its x-amz-crc32, and a request id.
http_response answer(unsigned status, std::string body, std::string request_id = "RID-1")
{
    http_response response;
    response.status = status;
    response.body_crc32 = dynomite::detail::crc32(body);
    response.crc32 = response.body_crc32;
    response.body = std::move(body);
    response.request_id = std::move(request_id);
    response.keep_alive = true;
    return response;
}

/// An error as DynamoDB sends it (HTTP 400 or 5xx, __type with the service's namespace).
http_response aws_error(unsigned status, std::string_view type, std::string_view message,
                        std::string request_id = "RID-1")
{
    return answer(status,
                  "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + std::string(type) +
                      "\",\"message\":\"" + std::string(message) + "\"}",
                  std::move(request_id));
}

http_response throttled()
{
    return aws_error(400, "ProvisionedThroughputExceededException",
                     "The level of configured provisioned throughput for the table was exceeded.");
}

http_response internal_error() { return aws_error(500, "InternalServerError", "Internal server error"); }

http_response ok() { return answer(200, "{}", "RID-OK"); }

struct send_loop_test : ::testing::Test {
    send_policy policy;
    std::optional<send_shared_state> shared;
    diagnostics diag;
    std::vector<std::string> lines;
    double rate_now = 1000;

    void configure(retry_mode mode, int max_attempts, int quota_capacity = 500)
    {
        policy.retry = {mode, max_attempts};
        policy.backoff.quota_capacity = quota_capacity;
        policy.url = std::string(url);
        policy.clock = [] { return local_now; };
        policy.rate_clock = [this] { return rate_now; };
        policy.logger = [this](log_level, std::string_view line) { lines.emplace_back(line); };
        policy.min_log_level = log_level::debug;
        shared.emplace(policy, 42);
    }

    void SetUp() override { configure(retry_mode::standard, 3); }

    send_loop make_loop() { return send_loop(policy, *shared, "GetItem", diag); }

    /// From a sign action: signs, takes a kept-alive or new connection and gets `response`.
    send_action exchange(send_loop& loop, send_action sign, const http_response& response,
                         bool reused = false)
    {
        EXPECT_EQ(sign.what, kind::sign);
        auto acquire = loop.resume(event::request_signed{});
        EXPECT_EQ(acquire.what, kind::acquire_connection);
        EXPECT_FALSE(acquire.fresh);
        EXPECT_EQ(loop.resume(event::connection_acquired{reused}).what, kind::send);
        return loop.resume(event::response_received{&response});
    }

    /// From a sign action: the exchange fails with `ec` before or while answering.
    send_action fail(send_loop& loop, send_action sign, error_code ec, bool reused = false,
                     bool received_any = false)
    {
        EXPECT_EQ(sign.what, kind::sign);
        EXPECT_EQ(loop.resume(event::request_signed{}).what, kind::acquire_connection);
        EXPECT_EQ(loop.resume(event::connection_acquired{reused}).what, kind::send);
        return loop.resume(event::transport_failed{ec, received_any, ec.message()});
    }

    /// From a wait: the timer fired.
    send_action fire(send_loop& loop, send_action wait)
    {
        EXPECT_EQ(wait.what, kind::wait);
        return loop.resume(event::timer_fired{});
    }
};

TEST_F(send_loop_test, ThrottlingIsRetriedUpToMaxAttempts)
{
    auto loop = make_loop();
    auto next = loop.start();
    for (int attempt = 1; attempt < 3; ++attempt) {
        next = exchange(loop, next, throttled());
        ASSERT_EQ(next.what, kind::wait);
        // Full jitter under the throttling base doubled per failure.
        EXPECT_LE(next.delay, policy.backoff.throttling_base_delay * (1 << (attempt - 1)));
        next = fire(loop, next);
    }
    next = exchange(loop, next, throttled());
    ASSERT_EQ(next.what, kind::done);
    EXPECT_EQ(next.result, errc::provisioned_throughput_exceeded);
    EXPECT_EQ(diag.attempts.size(), 3u);
    EXPECT_EQ(diag.aws_type, "ProvisionedThroughputExceededException");
    EXPECT_EQ(shared->counters.requests, 1u);
    EXPECT_EQ(shared->counters.attempts, 3u);
    EXPECT_EQ(shared->counters.retries, 2u);
    // The last attempt's failure keeps what the two retries spent.
    EXPECT_EQ(shared->quota.available(), 490);
}

TEST_F(send_loop_test, ServerErrorsAreRetriedAndASuccessGivesTheirTokensBack)
{
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(), internal_error());
    EXPECT_EQ(shared->quota.available(), 495);
    next = exchange(loop, fire(loop, next), aws_error(503, "ServiceUnavailable", "Busy"));
    EXPECT_EQ(shared->quota.available(), 490);
    next = exchange(loop, fire(loop, next), ok());
    ASSERT_EQ(next.what, kind::done);
    EXPECT_FALSE(next.result);
    EXPECT_EQ(shared->quota.available(), 500);
    // Failed attempts are recorded; the answer's status and request id are the last one's.
    ASSERT_EQ(diag.attempts.size(), 2u);
    EXPECT_EQ(diag.attempts[0].error, errc::internal_server_error);
    EXPECT_EQ(diag.attempts[0].detail, "HTTP 500 InternalServerError");
    EXPECT_EQ(diag.attempts[1].error, errc::service_unavailable);
    EXPECT_EQ(diag.http_status, 200u);
    EXPECT_EQ(diag.request_id, "RID-OK");
    EXPECT_TRUE(diag.aws_type.empty());
}

TEST_F(send_loop_test, AnEmptyQuotaStopsRetries)
{
    configure(retry_mode::standard, 4, 10);
    {
        auto loop = make_loop();
        auto next = exchange(loop, loop.start(), internal_error());
        next = exchange(loop, fire(loop, next), internal_error());
        next = exchange(loop, fire(loop, next), internal_error());
        ASSERT_EQ(next.what, kind::done);
        EXPECT_EQ(next.result, errc::internal_server_error);
        EXPECT_EQ(diag.attempts.size(), 3u);
        EXPECT_NE(diag.message.find("(not retried: the retry quota is exhausted)"),
                  std::string::npos)
            << diag.message;
        EXPECT_EQ(shared->quota.available(), 0);
    }
    diag.clear();
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(), internal_error());
    ASSERT_EQ(next.what, kind::done);
    EXPECT_EQ(diag.attempts.size(), 1u);
    // A success without retries gives one token back.
    diag.clear();
    auto later = make_loop();
    EXPECT_FALSE(exchange(later, later.start(), ok()).result);
    EXPECT_EQ(shared->quota.available(), 1);
    EXPECT_EQ(shared->counters.retries, 2u);
}

TEST_F(send_loop_test, ATimeoutCostsTheQuotaMore)
{
    auto loop = make_loop();
    auto next = fail(loop, loop.start(), make_error_code(errc::request_timeout));
    ASSERT_EQ(next.what, kind::wait);
    EXPECT_EQ(shared->quota.available(), 490);
}

TEST_F(send_loop_test, ADefiniteRefusalAfterRetriesGivesTheirTokensBack)
{
    // Drain some tokens for good: a request that fails on its last attempt keeps them spent.
    {
        auto loop = make_loop();
        auto next = exchange(loop, loop.start(), internal_error());
        next = exchange(loop, fire(loop, next), internal_error());
        EXPECT_EQ(exchange(loop, fire(loop, next), internal_error()).what, kind::done);
        ASSERT_EQ(shared->quota.available(), 490);
    }
    // A write retried after a 500 and refused by its own condition: the 5 come back.
    diag.clear();
    {
        auto loop = make_loop();
        auto next = exchange(loop, loop.start(), internal_error());
        EXPECT_EQ(shared->quota.available(), 485);
        next = exchange(loop, fire(loop, next),
                        aws_error(400, "ConditionalCheckFailedException",
                                  "The conditional request failed", "RID-CCF"));
        ASSERT_EQ(next.what, kind::done);
        EXPECT_EQ(next.result, errc::conditional_check_failed);
        EXPECT_EQ(shared->quota.available(), 490);
        EXPECT_EQ(diag.attempts.size(), 2u);
    }
    // A refusal at the first attempt spent nothing and gives nothing, unlike a success.
    diag.clear();
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(),
                         aws_error(400, "ConditionalCheckFailedException", "failed"));
    EXPECT_EQ(next.result, errc::conditional_check_failed);
    EXPECT_EQ(shared->quota.available(), 490);
}

TEST_F(send_loop_test, AStaleKeptAliveConnectionIsResentWithoutAnAttempt)
{
    auto loop = make_loop();
    auto next = fail(loop, loop.start(), make_error_code(errc::connection_closed),
                     /*reused=*/true);
    // At once, on a new connection, in the same attempt, without a timer or the quota.
    ASSERT_EQ(next.what, kind::acquire_connection);
    EXPECT_TRUE(next.fresh);
    EXPECT_EQ(shared->counters.stale_connections, 1u);
    ASSERT_EQ(diag.attempts.size(), 1u);
    EXPECT_EQ(diag.attempts[0].detail, "a kept-alive connection to http://127.0.0.1:8000 closed "
                                       "without answering; sent again on a new one");
    EXPECT_EQ(loop.resume(event::connection_acquired{false}).what, kind::send);
    const auto good = ok();
    next = loop.resume(event::response_received{&good});
    ASSERT_EQ(next.what, kind::done);
    EXPECT_FALSE(next.result);
    EXPECT_EQ(loop.attempt(), 1);
    EXPECT_EQ(shared->counters.attempts, 1u);
    EXPECT_EQ(shared->counters.retries, 0u);
    EXPECT_EQ(shared->quota.available(), 500);
}

TEST_F(send_loop_test, AConnectionClosedAgainOnTheNewConnectionIsAnAttempt)
{
    auto loop = make_loop();
    auto next = fail(loop, loop.start(), make_error_code(errc::connection_closed), true);
    ASSERT_EQ(next.what, kind::acquire_connection);
    EXPECT_EQ(loop.resume(event::connection_acquired{true}).what, kind::send);
    next = loop.resume(event::transport_failed{make_error_code(errc::connection_closed), false,
                                               "end of stream"});
    ASSERT_EQ(next.what, kind::wait);
    EXPECT_EQ(shared->counters.stale_connections, 1u);
    EXPECT_EQ(shared->counters.retries, 1u);
    EXPECT_EQ(shared->quota.available(), 495);
    EXPECT_EQ(diag.attempts.size(), 2u);
}

TEST_F(send_loop_test, AConnectionClosedAfterAnsweringInPartIsAnAttempt)
{
    // Some of an answer came: the request was read, so it is not resent at once.
    auto loop = make_loop();
    auto next = fail(loop, loop.start(), make_error_code(errc::connection_closed), true,
                     /*received_any=*/true);
    ASSERT_EQ(next.what, kind::wait);
    EXPECT_EQ(shared->counters.stale_connections, 0u);
    // A new connection that closes is no stale one either.
    diag.clear();
    auto other = make_loop();
    EXPECT_EQ(fail(other, other.start(), make_error_code(errc::connection_closed), false).what,
              kind::wait);
    EXPECT_EQ(shared->counters.stale_connections, 0u);
}

TEST_F(send_loop_test, ACrc32MismatchIsRetried)
{
    auto corrupted = ok();
    corrupted.body_crc32 = *corrupted.crc32 ^ 1;
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(), corrupted);
    ASSERT_EQ(next.what, kind::wait);
    ASSERT_EQ(diag.attempts.size(), 1u);
    EXPECT_EQ(diag.attempts[0].error, errc::crc32_mismatch);
    EXPECT_EQ(diag.attempts[0].detail, "x-amz-crc32 says " + std::to_string(*corrupted.crc32) +
                                           ", body has " +
                                           std::to_string(corrupted.body_crc32));
    next = exchange(loop, fire(loop, next), ok());
    EXPECT_EQ(next.what, kind::done);
    EXPECT_FALSE(next.result);
    // An answer without x-amz-crc32 is taken as it is.
    auto unchecked = ok();
    unchecked.crc32.reset();
    unchecked.body_crc32 = 7;
    auto other = make_loop();
    EXPECT_FALSE(exchange(other, other.start(), unchecked).result);
}

http_response signature_expired(std::string date)
{
    auto response = aws_error(400, "InvalidSignatureException",
                              "Signature expired: 20261204T200000Z is now earlier than "
                              "20261204T201500Z (20261204T202000Z - 5 min.)");
    response.date = std::move(date);
    return response;
}

TEST_F(send_loop_test, AClockSkewRefusalCorrectsTheSigningTimeAndSignsAgainAtOnce)
{
    auto loop = make_loop();
    auto next = loop.start();
    ASSERT_EQ(next.what, kind::sign);
    EXPECT_EQ(next.signing_time, local_now);
    // The service's Date is 20 minutes ahead.
    next = exchange(loop, next, signature_expired("Fri, 04 Dec 2026 20:20:00 GMT"));
    ASSERT_EQ(next.what, kind::sign);
    EXPECT_EQ(next.signing_time, local_now + 20min);
    EXPECT_EQ(shared->clock_offset, 20min);
    EXPECT_EQ(shared->counters.retries, 1u);
    EXPECT_EQ(shared->quota.available(), 500);
    EXPECT_EQ(loop.attempt(), 2);
    // The same refusal again changes nothing, so it is final: InvalidSignature is no retry.
    next = exchange(loop, next, signature_expired("Fri, 04 Dec 2026 20:20:00 GMT"));
    ASSERT_EQ(next.what, kind::done);
    EXPECT_EQ(next.result, errc::invalid_signature);
    EXPECT_EQ(diag.aws_type, "InvalidSignatureException");
    // Later requests sign with the corrected time.
    auto later = make_loop();
    EXPECT_EQ(later.start().signing_time, local_now + 20min);
}

TEST_F(send_loop_test, AClockSkewRefusalWithoutADateOrOnTheLastAttemptIsFinal)
{
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(), signature_expired(""));
    EXPECT_EQ(next.what, kind::done);
    EXPECT_EQ(shared->clock_offset, 0s);

    configure(retry_mode::standard, 1);
    auto last = make_loop();
    next = exchange(last, last.start(), signature_expired("Fri, 04 Dec 2026 20:20:00 GMT"));
    EXPECT_EQ(next.what, kind::done);
    EXPECT_EQ(shared->clock_offset, 0s);
}

TEST_F(send_loop_test, ANonRetryableErrorIsReturnedAtOnceWithTheServiceDiagnostics)
{
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(),
                         aws_error(400, "ValidationException",
                                   "One or more parameter values were invalid", "RID-VAL"));
    ASSERT_EQ(next.what, kind::done);
    EXPECT_EQ(next.result, errc::validation);
    EXPECT_EQ(diag.aws_type, "ValidationException");
    EXPECT_EQ(diag.message, "One or more parameter values were invalid");
    EXPECT_EQ(diag.request_id, "RID-VAL");
    EXPECT_EQ(diag.http_status, 400u);
    ASSERT_EQ(diag.attempts.size(), 1u);
    EXPECT_EQ(diag.attempts[0].detail, "HTTP 400 ValidationException");
    EXPECT_EQ(shared->counters.retries, 0u);
    EXPECT_EQ(shared->quota.available(), 500);
    // Only a request that was retried, or could have been, logs a warning.
    for (const auto& line : lines) EXPECT_EQ(line.find("failed after"), std::string::npos) << line;
}

TEST_F(send_loop_test, ConnectFailuresNameTheEndpointAndAreRetried)
{
    auto loop = make_loop();
    EXPECT_EQ(loop.start().what, kind::sign);
    EXPECT_EQ(loop.resume(event::request_signed{}).what, kind::acquire_connection);
    auto next = loop.resume(event::connection_failed{
        make_error_code(boost::asio::error::connection_refused), "Connection refused"});
    ASSERT_EQ(next.what, kind::wait);
    ASSERT_EQ(diag.attempts.size(), 1u);
    EXPECT_EQ(diag.attempts[0].detail, "connecting to http://127.0.0.1:8000");
    EXPECT_EQ(loop.resume(event::timer_fired{}).what, kind::sign);
    EXPECT_EQ(loop.resume(event::request_signed{}).what, kind::acquire_connection);
    next = loop.resume(
        event::connection_failed{make_error_code(errc::request_timeout), "all busy"});
    ASSERT_EQ(diag.attempts.size(), 2u);
    EXPECT_EQ(diag.attempts[1].detail, "waiting for a connection to http://127.0.0.1:8000 (all busy)");
}

TEST_F(send_loop_test, ACancelledWaitOrCredentialFailureEndsTheRequest)
{
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(), internal_error());
    ASSERT_EQ(next.what, kind::wait);
    next = loop.resume(event::timer_fired{make_error_code(boost::asio::error::operation_aborted)});
    ASSERT_EQ(next.what, kind::done);
    EXPECT_EQ(next.result, boost::asio::error::operation_aborted);

    auto other = make_loop();
    EXPECT_EQ(other.start().what, kind::sign);
    next = other.resume(event::credentials_failed{make_error_code(errc::no_credentials)});
    ASSERT_EQ(next.what, kind::done);
    EXPECT_EQ(next.result, errc::no_credentials);
}

TEST_F(send_loop_test, LegacyModeWaitsAsBotocoreAndSpendsNoQuota)
{
    configure(retry_mode::legacy, 4);
    auto loop = make_loop();
    auto next = loop.start();
    for (auto expected : {50ms, 100ms, 200ms}) {
        next = exchange(loop, next, throttled());
        ASSERT_EQ(next.what, kind::wait);
        EXPECT_EQ(next.delay, expected);
        next = fire(loop, next);
    }
    EXPECT_EQ(exchange(loop, next, throttled()).result, errc::provisioned_throughput_exceeded);
    EXPECT_EQ(shared->quota.available(), 500);
    EXPECT_EQ(shared->counters.retries, 3u);
}

TEST_F(send_loop_test, AdaptiveModeWaitsForTheRateLimitAfterAThrottle)
{
    configure(retry_mode::adaptive, 3);
    auto loop = make_loop();
    auto next = exchange(loop, loop.start(), throttled());
    ASSERT_EQ(next.what, kind::wait);  // the backoff
    EXPECT_TRUE(shared->limiter->enabled());
    // With the clock standing still the bucket has no token for the retry: it waits for one,
    // counted once for the attempt however often it waits.
    next = fire(loop, next);
    int rate_waits = 0;
    while (next.what == kind::wait && rate_waits < 100) {
        ++rate_waits;
        rate_now += std::chrono::duration<double>(next.delay).count();
        next = fire(loop, next);
    }
    EXPECT_GT(rate_waits, 0);
    EXPECT_EQ(next.what, kind::sign);
    EXPECT_EQ(shared->counters.rate_limited_attempts, 1u);
    EXPECT_EQ(shared->counters.attempts, 2u);
}

}  // namespace
