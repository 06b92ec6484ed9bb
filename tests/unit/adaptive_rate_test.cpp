// Adaptive mode's limiter: the CUBIC curve, the measured rate, the token bucket, and a replay
// of the same events through botocore's own classes as the oracle.
#include "transport/adaptive_rate.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using dynomite::detail::client_rate_limiter;
using dynomite::detail::cubic_calculator;
using dynomite::detail::is_rate_throttle;
using dynomite::detail::rate_clocker;
using dynomite::detail::token_bucket;

TEST(CubicCalculator, DropsToBetaAndClimbsBackThroughTheOldRate)
{
    cubic_calculator cubic(10, 0);
    EXPECT_DOUBLE_EQ(cubic.error_received(10, 5), 7);
    // K = cbrt(w_max * (1 - beta) / C) = cbrt(7.5); at last_fail + K the curve is at w_max.
    EXPECT_DOUBLE_EQ(cubic.k(), std::cbrt(7.5));
    EXPECT_NEAR(cubic.success_received(5 + std::cbrt(7.5)), 10, 1e-12);
    EXPECT_NEAR(cubic.success_received(5), 7, 1e-12);
    EXPECT_GT(cubic.success_received(9), 10);
}

TEST(RateClocker, MeasuresPerHalfSecondBucketsWithSmoothing)
{
    rate_clocker clocker(10.0);
    EXPECT_EQ(clocker.record(10.1), 0);  // same bucket as the start: nothing measured yet
    EXPECT_EQ(clocker.record(10.2), 0);
    // Three responses counted when the 10.5 bucket opens: 3 / 0.5 s = 6/s, smoothed by 0.8.
    EXPECT_DOUBLE_EQ(clocker.record(10.6), 6 * 0.8);
    EXPECT_DOUBLE_EQ(clocker.record(11.0), 2 * 0.8 + 4.8 * 0.2);
}

TEST(TokenBucket, WaitsForTheNextTokenAtTheFillRate)
{
    token_bucket bucket(2, 0);
    EXPECT_DOUBLE_EQ(bucket.try_acquire(0), 0.5);  // empty at the start
    EXPECT_EQ(bucket.try_acquire(0.5), 0);
    EXPECT_DOUBLE_EQ(bucket.try_acquire(0.5), 0.5);
    EXPECT_EQ(bucket.try_acquire(10), 0);          // full after a while, capped at 2 tokens
    EXPECT_DOUBLE_EQ(bucket.available(), 1);
    bucket.set_max_rate(0.1, 10);                  // never below the minimum rate
    EXPECT_DOUBLE_EQ(bucket.max_rate(), token_bucket::min_rate);
    EXPECT_DOUBLE_EQ(bucket.available(), 1);
}

TEST(ClientRateLimiter, StaysOffUntilTheFirstThrottle)
{
    client_rate_limiter limiter(0);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(limiter.before_attempt(i * 0.01), 0);
        limiter.on_response(i * 0.01, false);
    }
    EXPECT_FALSE(limiter.enabled());
    limiter.on_response(1.0, true);
    EXPECT_TRUE(limiter.enabled());
    // Throttled at a measured ~80/s: the rate falls to 0.7 of it.
    EXPECT_LT(limiter.send_rate(), limiter.measured_rate());
    double now = 1.0;
    int waits = 0;
    while (limiter.before_attempt(now) > 0 && waits < 1000) {
        now += 0.001;
        ++waits;
    }
    EXPECT_GT(waits, 0);
}

TEST(ClientRateLimiter, CountsBotocoresThrottlingCodes)
{
    using dynomite::errc;
    using dynomite::make_error_code;
    EXPECT_TRUE(is_rate_throttle(make_error_code(errc::provisioned_throughput_exceeded),
                                 "ProvisionedThroughputExceededException"));
    EXPECT_TRUE(is_rate_throttle(make_error_code(errc::transaction_in_progress),
                                 "TransactionInProgressException"));
    EXPECT_TRUE(is_rate_throttle(make_error_code(errc::unknown_service_error), "SlowDown"));
    EXPECT_FALSE(is_rate_throttle(make_error_code(errc::internal_server_error),
                                  "InternalServerError"));
    EXPECT_FALSE(is_rate_throttle(make_error_code(errc::request_timeout), ""));
}

/// Deterministic events: sends and responses at irregular times, with throttling in bursts.
std::vector<std::string> scripted_events()
{
    std::vector<std::string> events;
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    auto next = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
    };
    double now = 1000.0;
    char line[64];
    for (int i = 0; i < 600; ++i) {
        now += 0.005 + next() * (i % 97 < 10 ? 1.5 : 0.2);
        if (next() < 0.45) {
            std::snprintf(line, sizeof line, "send %.17g", now);
        } else {
            const bool burst = (i / 60) % 3 == 1;
            const bool throttled = next() < (burst ? 0.6 : 0.05);
            std::snprintf(line, sizeof line, "response %.17g %d", now, throttled ? 1 : 0);
        }
        events.emplace_back(line);
    }
    return events;
}

bool near(double ours, double theirs)
{
    return std::fabs(ours - theirs) <= 1e-9 * std::max(1.0, std::fabs(theirs));
}

TEST(ClientRateLimiter, MatchesBotocoresClassesOnTheSameEvents)
{
    const std::string script =
        std::string(DYNOMITE_SOURCE_DIR) + "/tests/support/botocore_adaptive_oracle.py";
    if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
    const auto events = scripted_events();
    const auto input = std::filesystem::temp_directory_path() /
                       ("dynomite_adaptive_events_" + std::to_string(::getpid()));
    {
        std::ofstream file(input);
        for (const auto& event : events) file << event << '\n';
    }
    std::string output;
    const std::string command = "/usr/bin/python3 " + script + " < " + input.string();
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    std::filesystem::remove(input);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) GTEST_SKIP() << "botocore is absent";
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;

    std::istringstream theirs(output);
    std::istringstream first(events.front());
    std::string kind;
    double start = 0;
    first >> kind >> start;
    client_rate_limiter limiter(start);
    std::size_t throttles = 0, refused = 0;
    for (const auto& event : events) {
        std::istringstream in(event);
        double now = 0;
        in >> kind >> now;
        std::string their_kind;
        theirs >> their_kind;
        ASSERT_EQ(their_kind, kind) << event;
        if (kind == "send") {
            int their_took = 0;
            double their_available = 0;
            theirs >> their_took >> their_available;
            const bool took = limiter.before_attempt(now) == 0;
            refused += took ? 0 : 1;
            ASSERT_EQ(took, their_took == 1) << event;
            ASSERT_TRUE(near(limiter.bucket().available(), their_available)) << event;
        } else {
            int throttled = 0;
            in >> throttled;
            throttles += throttled;
            limiter.on_response(now, throttled == 1);
            double measured, rate, w_max, k, last_fail;
            int enabled = 0;
            theirs >> measured >> rate >> w_max >> k >> last_fail >> enabled;
            ASSERT_TRUE(near(limiter.measured_rate(), measured))
                << event << ": " << limiter.measured_rate() << " vs " << measured;
            ASSERT_TRUE(near(limiter.send_rate(), rate))
                << event << ": " << limiter.send_rate() << " vs " << rate;
            ASSERT_TRUE(near(limiter.cubic().w_max(), w_max)) << event;
            ASSERT_TRUE(near(limiter.cubic().k(), k)) << event;
            ASSERT_TRUE(near(limiter.cubic().last_fail(), last_fail)) << event;
            ASSERT_EQ(limiter.enabled(), enabled == 1) << event;
        }
    }
    // The script exercises what it means to: throttles, and sends the bucket refused.
    EXPECT_GT(throttles, 10u);
    EXPECT_GT(refused, 10u);
}

}  // namespace
