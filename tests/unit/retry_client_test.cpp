// The client's send loop in adaptive mode and under clock skew, against the fake DynamoDB.
#include "support/sample_requests.hpp"
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/client/client.hpp>
#include "transport/clock_skew.hpp"
#include "auth/sigv4.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace {

using dynomite::test::sample_get;

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::client;
using dynomite::client_config;
using dynomite::diagnostics;
using dynomite::errc;
using dynomite::error_code;
using dynomite::make_error_code;
using dynomite::retry_mode;
using dynomite::detail::clock_offset;
using dynomite::detail::is_clock_skew_error;
using dynomite::detail::parse_http_date;
using dynomite::test::fake_action;
using dynomite::test::fake_server;

client_config config_for(const fake_server& server, retry_mode mode)
{
    client_config config = dynomite::test::fake_client_config(server);
    config.env = dynomite::environment::from_map({});
    config.retry.mode = mode;
    config.retry.base_delay = 1ms;
    config.retry.throttling_base_delay = 1ms;
    config.retry.max_delay = 2ms;
    config.retry.quota_capacity = 0;
    return config;
}

void run_until(asio::io_context& io, const std::function<bool()>& done)
{
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        io.run_one_for(20ms);
    }
}

/// Sends GetItems one after another until `stop` says so; cancel() ends the one in flight.
struct request_loop {
    client& target;
    std::function<bool()> stop;
    std::size_t completed = 0;
    diagnostics diag;
    asio::cancellation_signal cancellation;

    void next()
    {
        if (stop()) return;
        target.async_execute(sample_get(), diag,
                             asio::bind_cancellation_slot(cancellation.slot(),
                                                          [this](error_code, auto) {
                                                              ++completed;
                                                              next();
                                                          }));
    }
    void cancel() { cancellation.emit(asio::cancellation_type::terminal); }
};

TEST(AdaptiveRetries, ThrottledClientSendsFarLessThanStandardMode)
{
    // Two clients on one io_context, each against its own always-throttling server: the
    // standard client keeps the pace its backoff allows, the adaptive one the rate its
    // limiter allows. Counted until the standard server saw 60 requests.
    fake_server standard_server, adaptive_server;
    standard_server.set_default(fake_action::throttling());
    adaptive_server.set_default(fake_action::throttling());
    asio::io_context io;
    client standard(io.get_executor(), config_for(standard_server, retry_mode::standard));
    client adaptive(io.get_executor(), config_for(adaptive_server, retry_mode::adaptive));
    EXPECT_EQ(adaptive.retry_mode(), retry_mode::adaptive);

    const auto enough = [&] { return standard_server.request_count() >= 60; };
    request_loop standard_loop{standard, enough};
    request_loop adaptive_loop{adaptive, enough};
    standard_loop.next();
    adaptive_loop.next();
    run_until(io, enough);
    standard_loop.cancel();
    adaptive_loop.cancel();
    run_until(io, [&] {  // the requests in flight end
        return standard.stats().requests == standard_loop.completed &&
               adaptive.stats().requests == adaptive_loop.completed;
    });

    const auto adaptive_stats = adaptive.stats();
    const auto adaptive_requests = adaptive_server.request_count();
    RecordProperty("standard_requests", static_cast<int>(standard_server.request_count()));
    RecordProperty("adaptive_requests", static_cast<int>(adaptive_requests));
    EXPECT_GE(standard_server.request_count(), 60u);
    EXPECT_GE(adaptive_requests, 1u);
    EXPECT_LE(adaptive_requests * 5, standard_server.request_count())
        << "adaptive " << adaptive_requests << ", standard " << standard_server.request_count();
    // The limiter turned on at the first throttle with 0.7 times the rate measured then: 0.5/s
    // (the floor) when no half-second bucket had closed yet, else at most 0.7 x 1.6/s (one
    // response in the bucket, smoothed by 0.8).
    EXPECT_GT(adaptive_stats.rate_limited_attempts, 0u);
    EXPECT_GE(adaptive_stats.send_rate_limit, 0.5);
    EXPECT_LE(adaptive_stats.send_rate_limit, 0.7 * 1.6 + 1e-9);
    EXPECT_EQ(standard.stats().send_rate_limit, 0);
    EXPECT_EQ(standard.stats().rate_limited_attempts, 0u);
}

TEST(AdaptiveRetries, SuccessesNeverWaitForTheLimiter)
{
    fake_server server;
    asio::io_context io;
    client adaptive(io.get_executor(), config_for(server, retry_mode::adaptive));
    const auto enough = [&] { return server.request_count() >= 30; };
    request_loop loop{adaptive, enough};
    loop.next();
    run_until(io, [&] { return loop.completed >= 30; });
    EXPECT_EQ(loop.completed, 30u);
    EXPECT_EQ(adaptive.stats().rate_limited_attempts, 0u);
    EXPECT_EQ(adaptive.stats().send_rate_limit, 0);
}

TEST(AdaptiveRetries, WaitingForATokenIsCancellable)
{
    fake_server server;
    server.set_default(fake_action::throttling());
    asio::io_context io;
    auto config = config_for(server, retry_mode::adaptive);
    config.retry.max_attempts = 50;
    client adaptive(io.get_executor(), config);

    asio::cancellation_signal cancel;
    bool done = false;
    error_code result;
    diagnostics diag;
    adaptive.async_execute(sample_get(), diag,
                           asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, auto) {
                               result = ec;
                               done = true;
                           }));
    // At 0.5 requests per second after the first throttle, the request soon waits for a token.
    run_until(io, [&] { return adaptive.stats().rate_limited_attempts > 0; });
    ASSERT_GT(adaptive.stats().rate_limited_attempts, 0u);
    const auto sent = server.request_count();
    cancel.emit(asio::cancellation_type::terminal);
    run_until(io, [&] { return done; });
    ASSERT_TRUE(done);
    EXPECT_EQ(result, asio::error::operation_aborted);
    EXPECT_EQ(server.request_count(), sent);
    EXPECT_LT(sent, 50u);
}

// RFC 9110's example, 784111777 seconds after the epoch.
TEST(ClockSkew, ParsesImfFixdate)
{
    const auto time = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    ASSERT_TRUE(time);
    EXPECT_EQ(time->time_since_epoch().count(), 784111777);
    for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
                            "Sun Nov  6 08:49:37 1994", "Sun, 31 Feb 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Xyz 1994 08:49:37 GMT",
                            "Sun, 0x Nov 1994 08:49:37 GMT"})
        EXPECT_FALSE(parse_http_date(bad)) << bad;
}

TEST(ClockSkew, RecognizesTheSignatureTimeRefusals)
{
    EXPECT_TRUE(is_clock_skew_error(
        "InvalidSignatureException",
        "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z "
        "(20240101T002000Z - 5 min.)"));
    EXPECT_TRUE(is_clock_skew_error(
        "InvalidSignatureException",
        "Signature not yet current: 20240101T003000Z is still later than 20240101T002500Z "
        "(20240101T002000Z + 5 min.)"));
    EXPECT_TRUE(is_clock_skew_error("RequestTimeTooSkewed", ""));
    EXPECT_TRUE(is_clock_skew_error("RequestExpired", ""));
    EXPECT_TRUE(is_clock_skew_error("RequestInTheFuture", ""));
    EXPECT_FALSE(is_clock_skew_error(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided."));
    EXPECT_FALSE(is_clock_skew_error("ValidationException", "Signature expired"));
}

/// An IMF-fixdate, as DynamoDB's Date header carries it.
std::string http_date(std::chrono::sys_seconds time)
{
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day = std::chrono::floor<std::chrono::days>(time);
    const std::chrono::year_month_day date(day);
    const std::chrono::hh_mm_ss clock(time - day);
    char text[40];
    std::snprintf(text, sizeof text, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  days[std::chrono::weekday(day).c_encoding()], unsigned(date.day()),
                  months[unsigned(date.month()) - 1], int(date.year()),
                  int(clock.hours().count()), int(clock.minutes().count()),
                  int(clock.seconds().count()));
    return text;
}

/// DynamoDB's refusal of a request signed at `signed_at` when its clock reads `server_now`.
fake_action signature_expired(std::chrono::system_clock::time_point signed_at,
                              std::chrono::sys_seconds server_now)
{
    const auto amz = [](auto t) { return dynomite::detail::format_amz_date(t); };
    auto action = fake_action::aws_error(
        400, "InvalidSignatureException",
        "Signature expired: " + amz(signed_at) + " is now earlier than " +
            amz(server_now - 5min) + " (" + amz(server_now) + " - 5 min.)");
    return std::move(action).with_header(
        "Date", http_date(server_now));
}

TEST(ClockSkew, ASkewedClientCorrectsItsClockAndSignsAgain)
{
    fake_server server;
    const auto server_now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto skewed_now = server_now - 20min;
    server.enqueue(signature_expired(skewed_now, server_now));
    asio::io_context io;
    auto config = config_for(server, retry_mode::standard);
    config.clock = [skewed_now] { return std::chrono::system_clock::time_point(skewed_now); };
    client skewed(io.get_executor(), config);

    bool done = false;
    error_code result;
    diagnostics diag;
    skewed.async_execute(sample_get(), diag, [&](error_code ec, auto) {
        result = ec;
        done = true;
    });
    run_until(io, [&] { return done; });
    ASSERT_TRUE(done);
    EXPECT_FALSE(result) << diag.to_string();
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("X-Amz-Date"), dynomite::detail::format_amz_date(skewed_now));
    EXPECT_EQ(requests[1].header("X-Amz-Date"), dynomite::detail::format_amz_date(server_now));
    EXPECT_EQ(skewed.stats().clock_skew_seconds, 20 * 60);
}

TEST(ClockSkew, ARefusalThatPersistsIsNotRetriedAgain)
{
    fake_server server;
    const auto server_now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto skewed_now = server_now - 20min;
    server.set_default(signature_expired(skewed_now, server_now));
    asio::io_context io;
    auto config = config_for(server, retry_mode::standard);
    config.clock = [skewed_now] { return std::chrono::system_clock::time_point(skewed_now); };
    client skewed(io.get_executor(), config);

    bool done = false;
    error_code result;
    diagnostics diag;
    skewed.async_execute(sample_get(), diag, [&](error_code ec, auto) {
        result = ec;
        done = true;
    });
    run_until(io, [&] { return done; });
    EXPECT_EQ(result, make_error_code(errc::invalid_signature));
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_EQ(diag.aws_type, "InvalidSignatureException");
}

TEST(ClockSkew, WithoutADateHeaderTheRefusalIsFinal)
{
    fake_server server;
    server.enqueue(fake_action::aws_error(400, "InvalidSignatureException",
                                          "Signature expired: 20240101T000000Z is now earlier "
                                          "than 20240101T001500Z (20240101T002000Z - 5 min.)"));
    asio::io_context io;
    client plain(io.get_executor(), config_for(server, retry_mode::standard));
    bool done = false;
    error_code result;
    diagnostics diag;
    plain.async_execute(sample_get(), diag, [&](error_code ec, auto) {
        result = ec;
        done = true;
    });
    run_until(io, [&] { return done; });
    EXPECT_EQ(result, make_error_code(errc::invalid_signature));
    EXPECT_EQ(server.request_count(), 1u);
}

TEST(ClockSkew, ParsesWhatTheFakeServerSends)
{
    const std::chrono::sys_seconds time{std::chrono::seconds(1764880758)};
    EXPECT_EQ(http_date(time), "Thu, 04 Dec 2025 20:39:18 GMT");
    EXPECT_EQ(parse_http_date(http_date(time)), time);
}

TEST(ClockSkew, OffsetRoundsToWholeSeconds)
{
    const std::chrono::sys_seconds server{std::chrono::seconds(1000)};
    EXPECT_EQ(clock_offset(server, std::chrono::system_clock::time_point(std::chrono::milliseconds(400'600))),
              std::chrono::seconds(599));
}

}  // namespace

namespace {

// DynamoDB Streams through the client: its target and signing, its throttling retried, and
// the iterator errors returned at once.
struct streams_outcome {
    error_code ec;
    dynomite::get_records_response response;
    diagnostics diag;
};

streams_outcome get_records_from(fake_server& server)
{
    asio::io_context io;
    client streams(io.get_executor(), config_for(server, retry_mode::standard));
    streams_outcome out;
    bool done = false;
    dynomite::get_records_request request{.shard_iterator = "arn:stream|1|AAAA"};
    streams.async_get_records(request, out.diag,
                              [&](error_code ec, dynomite::get_records_response response) {
                                  out.ec = ec;
                                  out.response = std::move(response);
                                  done = true;
                              });
    run_until(io, [&] { return done; });
    EXPECT_TRUE(done);
    return out;
}

TEST(StreamsRetries, LimitExceededIsThrottlingAndRetried)
{
    fake_server server;
    server.enqueue(fake_action::aws_error(400, "LimitExceededException", "Rate exceeded"));
    server.enqueue(fake_action::aws_error(400, "LimitExceededException", "Rate exceeded"));
    server.enqueue(fake_action::ok(R"({"Records":[],"NextShardIterator":"arn:stream|1|BBBB"})"));
    const auto out = get_records_from(server);
    EXPECT_FALSE(out.ec) << out.diag.to_string();
    EXPECT_EQ(out.response.next_shard_iterator, "arn:stream|1|BBBB");
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].header("X-Amz-Target"), "DynamoDBStreams_20120810.GetRecords");
    const auto authorization = requests[0].header("Authorization").value_or("");
    EXPECT_NE(authorization.find("/us-east-1/dynamodb/aws4_request"), std::string::npos)
        << authorization;
}

TEST(StreamsRetries, ExpiredAndTrimmedAreNotRetried)
{
    for (const auto& [type, code] :
         {std::pair{"ExpiredIteratorException", errc::expired_iterator},
          std::pair{"TrimmedDataAccessException", errc::trimmed_data_access}}) {
        fake_server server;
        server.set_default(fake_action::aws_error(400, type, "no"));
        const auto out = get_records_from(server);
        EXPECT_EQ(out.ec, make_error_code(code)) << type;
        EXPECT_EQ(out.diag.aws_type, type);
        EXPECT_EQ(server.request_count(), 1u) << type;
    }
}

}  // namespace
