// Credentials that expire every two minutes, refreshed under load: a fake STS issues them
// against a clock the test moves, 64 requests are in flight at every step, and the fake
// counts its fetches. DynamoDB Local serves the requests behind the SigV4-verifying proxy,
// which accepts only the keys the fake has issued and that have not expired by the test's
// clock (each with its own secret), so a request signed with a retired key would fail.
#include "support/auth/credential_servers.hpp"
#include "support/test_env.hpp"

#include <dynomite/auth/caching_provider.hpp>
#include <dynomite/auth/default_chain.hpp>
#include <dynomite/client/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace {

using namespace dynomite;
using namespace dynomite::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using std::chrono::system_clock;
using dynomite::test::detail::run_endpoint_command;
using dynomite::test::detail::shell_quote;

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

std::string dynamodb_local_script()
{
    return shell_quote(std::string(DYNOMITE_SOURCE_DIR) + "/scripts/dynamodb-local");
}

/// DynamoDB Local of its own behind the verifying proxy that reads `keys_file` for every
/// request; stopped on destruction. Its own, because DYNOMITE_ENDPOINT may itself be the
/// proxy that accepts one shared secret only.
struct verified_dynamodb {
    explicit verified_dynamodb(const fs::path& keys_file)
        : endpoint(run_endpoint_command(
              dynamodb_local_script() + " start --keys-file " +
              shell_quote(keys_file.string()) + " --owner-pid " +
              std::to_string(::getpid()) + " </dev/null"))
    {
    }
    ~verified_dynamodb()
    {
        const std::string command = dynamodb_local_script() + " stop " +
                                    shell_quote(endpoint) + " </dev/null >/dev/null";
        if (std::system(command.c_str()) != 0) ADD_FAILURE() << "could not stop " << endpoint;
    }
    std::string endpoint;
};

asio::awaitable<void> get_item_answer(client& db, std::string table, diagnostics& diag,
                                      error_code& ec)
{
    get_item_request get;
    get.table_name = table;
    get.key = {{"pk", attribute_value("k")}};
    std::tie(ec, std::ignore) =
        co_await db.async_get_item(get, diag, asio::as_tuple(asio::use_awaitable));
}

/// What the endpoint answers a GetItem signed with `key` alone: "" when it succeeds, else the
/// error's __type.
std::string answer_to_key(const std::string& endpoint, const std::string& table,
                          const credentials& key)
{
    asio::io_context io;
    client_config config;
    config.endpoint = endpoint;
    config.region = std::string(test_region);
    config.env = environment::from_map({});
    config.credentials = key;
    config.retry.max_attempts = 1;
    client db(io.get_executor(), config);
    diagnostics diag;
    error_code ec;
    asio::co_spawn(io, get_item_answer(db, table, diag, ec), rethrow);
    io.run();
    if (!ec) return "";
    EXPECT_EQ(diag.http_status, 400u) << diag.to_string();
    return diag.aws_type.empty() ? ec.message() : diag.aws_type;
}

TEST(credential_refresh, one_fetch_per_refresh_and_no_failed_request_under_load)
{
    const fs::path dir = fs::temp_directory_path() / ("dynomite-refresh-" + std::to_string(::getpid()));
    if (std::system("command -v java >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "java is not installed (scripts/setup installs it): the SigV4-verifying "
                        "proxy that checks the refreshed keys cannot run";
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
    sts.issuer.publish_keys((dir / "keys").string());
    const verified_dynamodb dynamodb(dir / "keys");

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
    config.endpoint = dynamodb.endpoint;
    config.region = std::string(test_region);
    config.env = environment::from_map({});
    config.credentials_provider = provider;
    client db(io.get_executor(), config);

    const std::string table = unique_table_name("refresh");
    // Each key the client has signed with, in the order the cache got them.
    std::vector<credentials> keys;
    const auto note_key = [&] {
        if (provider->current() && (keys.empty() || keys.back() != *provider->current()))
            keys.push_back(*provider->current());
    };
    int failed = 0;
    int succeeded = 0;
    const auto run_all = [&](auto make_ops) {
        make_ops();
        io.restart();
        io.run();
    };
    run_all([&] { asio::co_spawn(io, create_with_item(db, table), rethrow); });
    note_key();

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
        const std::size_t known = keys.size();
        note_key();
        // The key before a refresh stays valid until it expires.
        if (keys.size() > known && keys.size() >= 2 &&
            *keys[keys.size() - 2].expiration > clock()) {
            EXPECT_EQ(answer_to_key(dynamodb.endpoint, table, keys[keys.size() - 2]), "")
                << "the previous key, still valid, was refused";
        }
        advance(step);
        sts.issuer.retire_expired();
    }

    EXPECT_EQ(failed, 0);
    EXPECT_EQ(succeeded, 64 * static_cast<int>(std::size(steps)));
    EXPECT_EQ(sts.server.count("POST"), 5u);
    EXPECT_EQ(provider->fetches(), 5u);
    EXPECT_EQ(sts.issuer.issued(), 5);

    // The proxy checks: once the one before the newest has expired too, every key but the
    // newest is refused; the newest is accepted, but not with another key's secret.
    advance(30s);
    sts.issuer.retire_expired();
    ASSERT_EQ(keys.size(), 5u);
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
        ASSERT_LE(*keys[i].expiration, clock());
        EXPECT_EQ(answer_to_key(dynamodb.endpoint, table, keys[i]), "UnrecognizedClientException")
            << "retired key " << i + 1;
        EXPECT_NE(keys[i].secret_access_key, keys.back().secret_access_key);
    }
    EXPECT_EQ(answer_to_key(dynamodb.endpoint, table, keys.back()), "");
    credentials wrong_secret = keys.back();
    wrong_secret.secret_access_key = keys.front().secret_access_key;
    EXPECT_EQ(answer_to_key(dynamodb.endpoint, table, wrong_secret), "InvalidSignatureException");

    run_all([&] { asio::co_spawn(io, drop(db, table), rethrow); });
    fs::remove_all(dir);
}

}  // namespace
