// The Prometheus exporter's counts, as prometheus-cpp's text format shows them, against the
// requests the fake DynamoDB served.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/observability/prometheus.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::test::fake_action;
using dynomite::test::fake_server;

/// The value of the sample `series` (name and labels as written) in a text exposition.
std::optional<double> sample(const std::string& text, const std::string& series)
{
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return std::nullopt;
}

TEST(PrometheusExporter, CountsWhatTheServerServed)
{
    fake_server server;
    server.enqueue(fake_action::throughput_exceeded(), 2);
    server.enqueue(fake_action::ok(
        R"({"Item":{"Artist":{"S":"a"}},"ConsumedCapacity":{"TableName":"Music","CapacityUnits":0.5}})"));
    server.enqueue(fake_action::aws_error(400, "ConditionalCheckFailedException", "no"));

    prometheus::Registry registry;
    auto exporter = std::make_shared<dynomite::prometheus_exporter>(registry);
    asio::io_context io;
    dynomite::client_config config = dynomite::test::fake_client_config(server);
    config.env = dynomite::environment::from_map({});
    config.retry.base_delay = 1ms;
    config.retry.throttling_base_delay = 1ms;
    config.retry.max_delay = 2ms;
    config.observer = exporter;
    dynomite::client c(io.get_executor(), config);

    dynomite::get_item_request get;
    get.table_name = "Music";
    get.key = {{"Artist", "a"}};
    int completed = 0;
    dynomite::error_code first, second;
    c.async_get_item(get, [&](dynomite::error_code ec, auto) {
        first = ec;
        c.async_get_item(get, [&](dynomite::error_code ec2, auto) {
            second = ec2;
            ++completed;
        });
    });
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (completed == 0 && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        io.run_one_for(20ms);
    }
    ASSERT_EQ(completed, 1);
    EXPECT_FALSE(first);
    EXPECT_EQ(second, dynomite::errc::conditional_check_failed);

    const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
    const std::string labels = R"({operation="GetItem",table="Music"})";
    const auto served = server.requests();
    ASSERT_EQ(served.size(), 4u);
    double sent = 0, received = 0;
    for (const auto& request : served) {
        sent += static_cast<double>(request.bytes);
        received += static_cast<double>(request.response_bytes);
    }
    EXPECT_EQ(sample(text, "dynomite_operations_total" + labels), 2) << text;
    EXPECT_EQ(sample(text, "dynomite_attempts_total" + labels), 4);
    EXPECT_EQ(sample(text, "dynomite_throttles_total" + labels), 2);
    EXPECT_EQ(sample(text, R"(dynomite_retries_total{operation="GetItem",reason="throttling",table="Music"})"),
              2);
    EXPECT_EQ(sample(text, R"(dynomite_operation_errors_total{error="ConditionalCheckFailedException",operation="GetItem",table="Music"})"),
              1);
    EXPECT_EQ(sample(text, "dynomite_bytes_sent_total" + labels), sent);
    EXPECT_EQ(sample(text, "dynomite_bytes_received_total" + labels), received);
    EXPECT_EQ(sample(text, "dynomite_consumed_capacity_units_total" + labels), 0.5);
    EXPECT_EQ(sample(text, R"(dynomite_operation_duration_seconds_count{operation="GetItem"})"), 2);
    EXPECT_EQ(sample(text, R"(dynomite_operation_duration_seconds_bucket{operation="GetItem",le="+Inf"})"),
              2);
}

}  // namespace
