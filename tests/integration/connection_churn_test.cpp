// Connections coming and going: a server that closes idle keep-alive connections, and a pool at
// its limit with many waiters while requests fail; no socket outlives the client.
#include "integration/integration_fixture.hpp"
#include "support/fault_proxy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
using dynomite::test::fault_proxy;
using dynomite::test::fault_proxy_options;
namespace asio = boost::asio;
using namespace std::chrono_literals;

std::size_t open_file_descriptors()
{
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++count;
    return count;
}

struct batch_outcome {
    std::size_t acked = 0;
    std::size_t failed = 0;
    /// The most connections the client's pool had open, seen at each completion.
    std::size_t peak_open = 0;
    std::vector<std::string> unexpected;  // failures that are not the faults' doing
};

class ConnectionChurnTest : public dynomite::test::integration_test {
protected:
    // Runs `count` PutItems at once on `c` and waits for all of them.
    batch_outcome put_concurrently(client& c, const std::string& table, const std::string& prefix,
                                   std::size_t count)
    {
        batch_outcome outcome;
        std::size_t completed = 0;
        bool done = count == 0;
        std::vector<diagnostics> diags(count);
        for (std::size_t i = 0; i < count; ++i) {
            put_item_request put;
            put.table_name = table;
            put.item = dynomite::test::key_of(prefix + "-" + std::to_string(i), "sk");
            c.async_put_item(std::move(put), diags[i], [&, i](error_code ec, put_item_response) {
                if (!ec)
                    ++outcome.acked;
                else {
                    ++outcome.failed;
                    if (!is_retryable(ec)) outcome.unexpected.push_back(diags[i].to_string());
                }
                outcome.peak_open = std::max(outcome.peak_open, c.stats().open_connections);
                done = ++completed == count;
            });
        }
        run_until(done);
        return outcome;
    }
};

TEST_F(ConnectionChurnTest, ServerClosingIdleConnectionsCostsNoRequest)
{
    const auto table = create_table("churn");
    const auto fds_before = open_file_descriptors();
    {
        fault_proxy_options options;
        options.upstream = db.endpoint_url();
        options.idle_close = 50ms;
        fault_proxy proxy(options);
        auto config = base_config();
        config.endpoint = proxy.url();
        config.pool.max_connections = 8;
        client c(io.get_executor(), config);

        constexpr int rounds = 8;
        constexpr std::size_t per_round = 8;
        for (int round = 0; round < rounds; ++round) {
            const auto outcome =
                put_concurrently(c, table, "idle" + std::to_string(round), per_round);
            EXPECT_EQ(outcome.acked, per_round) << "round " << round;
            // Longer than the proxy's idle limit: every kept-alive connection is closed.
            run(sleep_for(120ms));
        }
        const auto stats = c.stats();
        std::cout << "idle churn: " << proxy.idle_closed() << " connections closed idle, "
                  << proxy.connections_accepted() << " accepted, stale connections "
                  << stats.stale_connections << ", attempts " << stats.attempts << '\n';
        RecordProperty("idle_closed", static_cast<int>(proxy.idle_closed()));
        RecordProperty("stale_connections", static_cast<int>(stats.stale_connections));
        EXPECT_GE(proxy.idle_closed(), static_cast<std::size_t>(rounds - 1));
        EXPECT_GT(proxy.connections_accepted(), per_round);
        EXPECT_EQ(stats.retries, 0u);
        EXPECT_EQ(stats.requests, rounds * per_round);
        EXPECT_LE(stats.open_connections, config.pool.max_connections);
    }
    io.poll();
    const auto fds_after = open_file_descriptors();
    RecordProperty("fds_before", static_cast<int>(fds_before));
    RecordProperty("fds_after", static_cast<int>(fds_after));
    EXPECT_LE(fds_after, fds_before) << "sockets leaked";
}

TEST_F(ConnectionChurnTest, PoolAtItsLimitServesEveryWaiterThroughFaults)
{
    const auto table = create_table("churn");
    const auto fds_before = open_file_descriptors();
    constexpr std::size_t operations = 200;
    {
        fault_proxy_options options;
        options.upstream = db.endpoint_url();
        options.fault_rate = 0.3;
        options.seed = 77;
        options.delay = 50ms;
        fault_proxy proxy(options);
        auto config = base_config();
        config.endpoint = proxy.url();
        config.pool.max_connections = 4;
        client c(io.get_executor(), config);

        const auto outcome = put_concurrently(c, table, "limit", operations);

        EXPECT_EQ(outcome.acked + outcome.failed, operations);
        EXPECT_TRUE(outcome.unexpected.empty()) << outcome.unexpected.front();
        // Nearly all succeed after retries; 0.3^4 of them may fail every attempt.
        EXPECT_GE(outcome.acked, operations * 9 / 10);
        EXPECT_LE(outcome.peak_open, config.pool.max_connections);
        const auto stats = c.stats();
        EXPECT_LE(stats.open_connections, config.pool.max_connections);
        EXPECT_EQ(stats.idle_connections, stats.open_connections);
        EXPECT_EQ(c.stats().requests, operations);
        EXPECT_GT(stats.retries, 0u);
        std::cout << "pool limit: " << outcome.acked << " acknowledged, " << outcome.failed
                  << " failed, " << stats.retries << " retries, " << proxy.connections_accepted()
                  << " connections accepted, peak " << proxy.peak_connections() << '\n';
        RecordProperty("acked", static_cast<int>(outcome.acked));
        RecordProperty("failed", static_cast<int>(outcome.failed));
        RecordProperty("retries", static_cast<int>(stats.retries));
        RecordProperty("peak_connections", static_cast<int>(proxy.peak_connections()));
    }
    io.poll();
    const auto fds_after = open_file_descriptors();
    RecordProperty("fds_before", static_cast<int>(fds_before));
    RecordProperty("fds_after", static_cast<int>(fds_after));
    EXPECT_LE(fds_after, fds_before) << "sockets leaked";
}

}  // namespace
