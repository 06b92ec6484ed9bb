// Sends GetItems one after another to the in-process fake DynamoDB, with or without an
// observer, for measuring what the events cost under callgrind (docs/performance.md):
//   instrumentation_cost COUNT none|observer
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/client/instrumentation.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string_view>

namespace {

/// Counts, as the cheapest useful exporter would.
class counting_observer final : public dynomite::observer {
public:
    std::size_t attempts = 0, operations = 0;
    void on_attempt(const dynomite::attempt_event&) override { ++attempts; }
    void on_operation(const dynomite::operation_event&) override { ++operations; }
};

}  // namespace

int main(int argc, char** argv)
{
    const std::string_view mode = argc == 3 ? argv[2] : "";
    const int count = argc == 3 ? std::atoi(argv[1]) : 0;
    if (count <= 0 || (mode != "none" && mode != "observer")) {
        std::fprintf(stderr, "usage: instrumentation_cost COUNT none|observer\n");
        return 2;
    }
    dynomite::test::fake_server server;
    server.set_default(dynomite::test::fake_action::ok(R"({"Item":{"k":{"S":"v"}}})"));
    auto observer = std::make_shared<counting_observer>();
    dynomite::client_config config;
    config.endpoint = server.url();
    config.region = "us-east-1";
    config.credentials = dynomite::credentials{"AKIDTEST", "secret", ""};
    config.env = dynomite::environment::from_map({});
    if (mode == "observer") config.observer = observer;
    boost::asio::io_context io;
    dynomite::client client(io.get_executor(), config);
    dynomite::get_item_request request;
    request.table_name = "Music";
    request.key = {{"k", "v"}};

    int done = 0, failed = 0;
    std::function<void()> next = [&] {
        client.async_get_item(request, [&](dynomite::error_code ec, auto) {
            failed += ec ? 1 : 0;
            if (++done < count) next();
        });
    };
    next();
    while (done < count) io.run_one();
    std::printf("%d requests, %d failed, %zu operation events\n", done, failed,
                observer->operations);
    return failed == 0 ? 0 : 1;
}
