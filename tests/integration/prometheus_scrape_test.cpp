// The Prometheus exporter served over HTTP by prometheus-cpp's Exposer and scraped while a
// client, a relation and a model work against DynamoDB Local: the counts on /metrics are
// those of the requests the test made, and the plans name the index or the Scan.
#include "integration/integration_fixture.hpp"

#include <dynomite/model.hpp>
#include <dynomite/observability/prometheus.hpp>
#include <dynomite/query/database.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace {

using namespace dynomite;
namespace asio = boost::asio;
namespace http = boost::beast::http;

struct Note : model<Note> {
    std::string pk;
    std::string sk;
    std::string gpk;
    std::string gsk;

    static void define(model_definition<Note>& s)
    {
        s.field("pk", &Note::pk);
        s.field("sk", &Note::sk);
        s.field("gpk", &Note::gpk);
        s.field("gsk", &Note::gsk);
        s.timestamps(false);
    }
};

/// GET /metrics from the exposer, as a Prometheus server would.
std::string scrape(unsigned short port)
{
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> request(http::verb::get, "/metrics", 11);
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    EXPECT_EQ(response.result_int(), 200u);
    return response.body();
}

/// The value of the sample of `name` whose labels include every one of `labels` (written as
/// `key="value"`), or nullopt when no line matches or several do.
std::optional<double> sample(const std::string& text, const std::string& name,
                             std::initializer_list<std::string> labels)
{
    std::optional<double> found;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(name + "{", 0) != 0) continue;
        const auto close = line.find("} ");
        if (close == std::string::npos) continue;
        const std::string label_text = "," + line.substr(name.size() + 1, close - name.size() - 1) + ",";
        bool all = true;
        for (const auto& label : labels) all = all && label_text.find("," + label + ",") != std::string::npos;
        if (!all) continue;
        if (found) return std::nullopt;
        found = std::stod(line.substr(close + 2));
    }
    return found;
}

class PrometheusScrape : public test::integration_test {
protected:
    PrometheusScrape()
        : registry(std::make_shared<prometheus::Registry>()),
          observed(io.get_executor(), observed_config(*registry)),
          store(observed)
    {
    }

    static client_config observed_config(prometheus::Registry& registry)
    {
        client_config config = base_config();
        config.observer = std::make_shared<prometheus_exporter>(registry);
        return config;
    }

    std::shared_ptr<prometheus::Registry> registry;
    client observed;
    database store;
};

TEST_F(PrometheusScrape, MetricsEndpointCountsTheRequestsAndNamesThePlans)
{
    const std::string table = create_table("scrape", {.global_index = true});
    const std::string t = "table=\"" + table + "\"";

    prometheus::Exposer exposer("127.0.0.1:0");
    exposer.RegisterCollectable(registry);
    ASSERT_FALSE(exposer.GetListeningPorts().empty());
    const unsigned short port = static_cast<unsigned short>(exposer.GetListeningPorts().front());

    constexpr int puts = 12;
    for (int i = 0; i < puts; ++i) {
        put_item_request put;
        put.table_name = table;
        put.item = {{"pk", "p"},
                    {"sk", "s" + std::to_string(i)},
                    {"gpk", i % 2 == 0 ? "even" : "odd"},
                    {"gsk", std::to_string(i)}};
        run(observed.put_item(std::move(put)));
    }
    // One refused write: an error by its __type.
    put_item_request refused;
    refused.table_name = table;
    refused.item = {{"pk", "p"}, {"sk", "s0"}};
    refused.condition_expression = "attribute_not_exists(pk)";
    diagnostics diag;
    auto [refused_ec, refused_response] = run(observed.async_put_item(
        std::move(refused), diag, asio::as_tuple(asio::use_awaitable)));
    ASSERT_TRUE(refused_ec);

    // A Query on the global index, a Scan, and a model's Query on the table.
    // The index holds only items with gsk: the condition on it lets the planner use it.
    const auto evens = run(store.table(table)
                               .where({{"gpk", "even"}})
                               .attribute_exists(document_path::attribute("gsk"))
                               .all());
    EXPECT_EQ(evens.size(), static_cast<std::size_t>(puts / 2));
    const auto scanned = run(store.table(table).force_scan().all());
    EXPECT_EQ(scanned.size(), static_cast<std::size_t>(puts));
    Note::set_table_name(table);
    set_default_database(store);
    const auto notes = run(Note::where({{"pk", "p"}}).all());
    clear_default_database();
    EXPECT_EQ(notes.size(), static_cast<std::size_t>(puts));

    const std::string text = scrape(port);
    EXPECT_EQ(sample(text, "dynomite_operations_total", {"operation=\"PutItem\"", t}),
              puts + 1)
        << text;
    EXPECT_EQ(sample(text, "dynomite_operation_errors_total",
                     {"operation=\"PutItem\"", t, "error=\"ConditionalCheckFailedException\""}),
              1);
    EXPECT_EQ(sample(text, "dynomite_operation_duration_seconds_count", {"operation=\"PutItem\""}),
              puts + 1);
    EXPECT_GE(sample(text, "dynomite_attempts_total", {"operation=\"PutItem\"", t}).value_or(0),
              puts + 1);
    EXPECT_GT(sample(text, "dynomite_bytes_sent_total", {"operation=\"PutItem\"", t}).value_or(0),
              0);
    EXPECT_GE(sample(text, "dynomite_operations_total", {"operation=\"Query\"", t}).value_or(0),
              2);
    EXPECT_GE(sample(text, "dynomite_operations_total", {"operation=\"Scan\"", t}).value_or(0),
              1);

    EXPECT_EQ(sample(text, "dynomite_relation_plans_total",
                     {"model=\"\"", t, "operation=\"Query\"", "index=\"by_group\""}),
              1);
    EXPECT_EQ(sample(text, "dynomite_relation_plans_total",
                     {"model=\"\"", t, "operation=\"Scan\"", "index=\"\""}),
              1);
    EXPECT_EQ(sample(text, "dynomite_relation_plans_total",
                     {"model=\"Note\"", t, "operation=\"Query\"", "index=\"\""}),
              1);

    const std::string endpoint = "endpoint=\"" + observed.endpoint_url() + "\"";
    EXPECT_GE(sample(text, "dynomite_pool_open_connections", {endpoint}).value_or(0), 1);
    EXPECT_EQ(sample(text, "dynomite_pool_waiting_requests", {endpoint}), 0);
}

}  // namespace
