// Credentials that expire every two minutes, refreshed under load: a fake STS issues them
// against a clock the test moves, 64 requests are in flight at every step, and the fake
// counts its fetches. DynamoDB Local serves the requests.
#include "support/auth/credential_servers.hpp"
#include "support/test_env.hpp"

#include <dynomite/auth/caching_provider.hpp>
#include <dynomite/auth/default_chain.hpp>
#include <dynomite/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace {

using namespace dynomite;
using namespace dynomite::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using std::chrono::system_clock;

// Coroutines take what they use as parameters: a lambda's captures die with the lambda.
asio::awaitable<void> create_with_item(client& db, std::string table)
{
    create_table_request create;
    create.table_name = table;
    create.attribute_definitions = {{"pk", scalar_attribute_type::s}};
    create.key_schema = {{"pk", key_type::hash}};
    create.billing_mode = billing_mode::pay_per_request;
    co_await db.create_table(create);
    put_item_request put;
    put.table_name = table;
    put.item = {{"pk", attribute_value("k")}};
    co_await db.put_item(put);
}

asio::awaitable<void> get_item_counted(client& db, std::string table, int& failed, int& succeeded)
{
    get_item_request get;
    get.table_name = table;
    get.key = {{"pk", attribute_value("k")}};
    diagnostics diag;
    auto [ec, got] = co_await db.async_get_item(get, diag, asio::as_tuple(asio::use_awaitable));
    if (ec || !got.item) {
        ++failed;
        ADD_FAILURE() << ec.message() << ": " << diag.to_string();
    } else {
        ++succeeded;
    }
}

asio::awaitable<void> drop(client& db, std::string table)
{
    delete_table_request request;
    request.table_name = table;
    co_await db.delete_table(request);
}

void rethrow(std::exception_ptr e)
{
    if (e) std::rethrow_exception(e);
}

TEST(credential_refresh, one_fetch_per_refresh_and_no_failed_request_under_load)
{
    const fs::path dir = fs::temp_directory_path() / ("dynomite-refresh-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "token") << "refresh-web-identity-token";

    // The clock both the cache and the fake STS read; the fake reads it from its own thread.
    const auto origin = system_clock::now();
    std::atomic<system_clock::rep> offset{0};
    const auto clock = [&] { return origin + system_clock::duration(offset.load()); };
    const auto advance = [&](std::chrono::seconds step) {
        offset += std::chrono::duration_cast<system_clock::duration>(step).count();
    };

    fake_sts sts;
    sts.expect_web_identity_token("refresh-web-identity-token");
    sts.issuer.set_clock(clock);
    sts.issuer.set_lifetime(2min);
    sts.issuer.keep_access_key_id("ASIAREFRESHTEST");

    asio::io_context io;
    credential_chain_options chain;
    chain.env = environment::from_map({{"HOME", dir.string()},
                                       {"AWS_WEB_IDENTITY_TOKEN_FILE", (dir / "token").string()},
                                       {"AWS_ROLE_ARN", "arn:aws:iam::1:role/refresh"},
                                       {"AWS_ENDPOINT_URL_STS", sts.url()},
                                       {"AWS_EC2_METADATA_DISABLED", "true"}});
    caching_options cache;
    cache.windows = {.advisory = 40s, .mandatory = 20s, .retry_delay = 10s};
    cache.clock = clock;
    auto provider = caching_credentials_provider::create(
        io.get_executor(), make_default_credentials_chain(io.get_executor(), chain), cache);

    client_config config;
    config.endpoint = integration_endpoint();
    config.region = std::string(test_region);
    config.env = environment::from_map({});
    config.credentials_provider = provider;
    client db(io.get_executor(), config);

    const std::string table = unique_table_name("refresh");
    int failed = 0;
    int succeeded = 0;
    const auto run_all = [&](auto make_ops) {
        make_ops();
        io.restart();
        io.run();
    };
    run_all([&] { asio::co_spawn(io, create_with_item(db, table), rethrow); });

    // Steps that land in the advisory window (refresh in the background) and in the mandatory
    // window (requests wait): fetches at 0, 90, 190, 280 and 385 s.
    const std::chrono::seconds steps[] = {30s, 30s, 30s, 30s, 30s, 40s, 30s,
                                          30s, 30s, 30s, 30s, 45s, 0s};
    for (const auto step : steps) {
        run_all([&] {
            for (int i = 0; i < 64; ++i)
                asio::co_spawn(io, get_item_counted(db, table, failed, succeeded), rethrow);
        });
        // A refresh started in the background completes before the clock moves on.
        for (int wait = 0; wait < 500 && provider->current() &&
                           provider->current()->session_token !=
                               "token-of-ASIASTS" + std::to_string(sts.issuer.issued());
             ++wait) {
            io.restart();
            io.run_for(10ms);
        }
        advance(step);
    }

    EXPECT_EQ(failed, 0);
    EXPECT_EQ(succeeded, 64 * static_cast<int>(std::size(steps)));
    EXPECT_EQ(sts.server.count("POST"), 5u);
    EXPECT_EQ(provider->fetches(), 5u);
    EXPECT_EQ(sts.issuer.issued(), 5);

    run_all([&] { asio::co_spawn(io, drop(db, table), rethrow); });
    fs::remove_all(dir);
}

}  // namespace
