#include "transport/retry.hpp"

#include <boost/system/errc.hpp>
#include <gtest/gtest.h>

using namespace std::chrono_literals;
using dynomite::errc;
using dynomite::make_error_code;
using dynomite::retry_options;
using dynomite::detail::backoff_delay;
using dynomite::detail::retry_quota;

TEST(Backoff, GrowsExponentiallyFromTheBase)
{
    retry_options params;
    params.base_delay = 25ms;
    EXPECT_EQ(backoff_delay(params, 1, false, 0.999999), std::chrono::nanoseconds(24'999'975));
    EXPECT_EQ(backoff_delay(params, 2, false, 0.5), 25ms);
    EXPECT_EQ(backoff_delay(params, 3, false, 0.5), 50ms);
    EXPECT_EQ(backoff_delay(params, 4, false, 0.25), 50ms);
}

TEST(Backoff, FullJitterCoversZero)
{
    retry_options params;
    EXPECT_EQ(backoff_delay(params, 3, false, 0.0), 0ns);
}

TEST(Backoff, IsCappedByMaxDelay)
{
    retry_options params;
    params.base_delay = 25ms;
    params.max_delay = 100ms;
    EXPECT_EQ(backoff_delay(params, 10, false, 0.5), 50ms);
    EXPECT_EQ(backoff_delay(params, 1000, false, 1.0), 100ms);
}

TEST(Backoff, ThrottlingUsesItsOwnBase)
{
    retry_options params;
    params.base_delay = 25ms;
    params.throttling_base_delay = 500ms;
    EXPECT_EQ(backoff_delay(params, 1, true, 0.5), 250ms);
    EXPECT_EQ(backoff_delay(params, 1, false, 0.5), std::chrono::nanoseconds(12'500'000));
}

TEST(Backoff, OutOfRangeRandomIsClamped)
{
    retry_options params;
    params.base_delay = 10ms;
    EXPECT_EQ(backoff_delay(params, 1, false, 7.0), 10ms);
    EXPECT_EQ(backoff_delay(params, 1, false, -1.0), 0ns);
}

TEST(RetryQuota, SpendsAndRefunds)
{
    retry_options params;
    params.quota_capacity = 12;
    params.retry_cost = 5;
    params.timeout_retry_cost = 10;
    retry_quota quota(params);
    EXPECT_EQ(quota.try_acquire(make_error_code(errc::throttling)), 5);
    EXPECT_EQ(quota.available(), 7);
    EXPECT_EQ(quota.try_acquire(make_error_code(errc::request_timeout)), -1);
    EXPECT_EQ(quota.available(), 7);
    EXPECT_EQ(quota.try_acquire(make_error_code(errc::internal_server_error)), 5);
    EXPECT_EQ(quota.try_acquire(make_error_code(errc::internal_server_error)), -1);
    quota.release(5);
    EXPECT_EQ(quota.available(), 7);
    quota.release(0);
    EXPECT_EQ(quota.available(), 8);
}

TEST(RetryQuota, NeverExceedsCapacity)
{
    retry_options params;
    params.quota_capacity = 10;
    retry_quota quota(params);
    quota.release(0);
    quota.release(50);
    EXPECT_EQ(quota.available(), 10);
}

TEST(RetryQuota, TimeoutsCostMore)
{
    retry_options params;
    params.quota_capacity = 100;
    retry_quota quota(params);
    EXPECT_EQ(quota.try_acquire(make_error_code(errc::request_timeout)), 10);
    EXPECT_EQ(quota.try_acquire(make_error_code(boost::system::errc::timed_out)), 10);
    EXPECT_EQ(quota.try_acquire(make_error_code(errc::connection_closed)), 5);
}

TEST(RetryQuota, DisabledQuotaAlwaysPays)
{
    retry_options params;
    params.quota_capacity = 0;
    retry_quota quota(params);
    for (int i = 0; i < 1000; ++i)
        EXPECT_EQ(quota.try_acquire(make_error_code(errc::throttling)), 0);
}
