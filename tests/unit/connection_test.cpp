// The client's connections as a fleet uses them: through HTTP proxies (a CONNECT tunnel for
// https, absolute-form requests for http), with the CA certificates of AWS_CA_BUNDLE, spread
// over every address of the endpoint, closed after their maximum age, and resuming TLS sessions.
#include "support/sample_requests.hpp"
#include "support/test_pki.hpp"
#include "support/test_proxy.hpp"

#include <dynomite/client/client.hpp>
#include "transport/connection_pool.hpp"
#include "transport/http_connection.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

namespace {

using dynomite::test::sample_get;

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace dynomite::test;
using dynomite::client;
using dynomite::client_config;
using dynomite::diagnostics;
using dynomite::errc;
using dynomite::error_code;

struct outcome {
    bool completed = false;
    error_code ec;
    diagnostics diag;
};

class ConnectionTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        pki = new test_pki;
        static std::atomic<int> files{0};
        ca_file = new std::filesystem::path(
            std::filesystem::temp_directory_path() /
            ("dynomite-connection-ca-" + std::to_string(::getpid()) + "-" +
             std::to_string(files++) + ".pem"));
        std::ofstream(*ca_file, std::ios::binary) << to_pem(pki->ca.get());
    }
    static void TearDownTestSuite()
    {
        std::error_code ignored;
        std::filesystem::remove(*ca_file, ignored);
        delete ca_file;
        delete pki;
    }

    void start_tls_server()
    {
        fake_server_options options;
        options.tls = pki->leaf(server_spec("localhost", localhost_names));
        server.emplace(options);
    }

    client_config config() const
    {
        client_config cfg;
        cfg.endpoint = server->url();
        cfg.region = "us-east-1";
        cfg.credentials = dynomite::credentials{"AKIDTEST", "secret", ""};
        cfg.retry.max_attempts = 1;
        cfg.env = dynomite::environment::from_map({});
        return cfg;
    }

    outcome run(client& c)
    {
        outcome out;
        c.async_get_item(sample_get(), out.diag, [&out](error_code ec, dynomite::get_item_response) {
            out.ec = ec;
            out.completed = true;
        });
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!out.completed && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            io.run_one_for(50ms);
        }
        EXPECT_TRUE(out.completed) << "the operation did not complete within the limit";
        return out;
    }

    outcome run(client_config cfg)
    {
        client c(io.get_executor(), std::move(cfg));
        return run(c);
    }

    static test_pki* pki;
    static std::filesystem::path* ca_file;
    std::optional<fake_server> server;
    asio::io_context io;
};

test_pki* ConnectionTest::pki = nullptr;
std::filesystem::path* ConnectionTest::ca_file = nullptr;

// --- AWS_CA_BUNDLE -----------------------------------------------------------------------

TEST_F(ConnectionTest, AwsCaBundleIsTrusted)
{
    start_tls_server();
    auto cfg = config();
    cfg.env = dynomite::environment::from_map({{"AWS_CA_BUNDLE", ca_file->string()}});
    const auto result = run(cfg);
    ASSERT_FALSE(result.ec) << result.diag.to_string();
    EXPECT_EQ(server->request_count(), 1u);
}

TEST_F(ConnectionTest, ProfileCaBundleIsTrusted)
{
    start_tls_server();
    const auto config_file = std::filesystem::path(ca_file->string() + ".config");
    std::ofstream(config_file) << "[profile fleet]\nca_bundle = " << ca_file->string() << "\n";
    auto cfg = config();
    cfg.profile = "fleet";
    cfg.env = dynomite::environment::from_map({{"AWS_CONFIG_FILE", config_file.string()}});
    const auto result = run(cfg);
    std::filesystem::remove(config_file);
    ASSERT_FALSE(result.ec) << result.diag.to_string();
}

TEST_F(ConnectionTest, MissingOrInvalidCaBundleIsAConfigurationErrorNamingItsSource)
{
    start_tls_server();
    const auto not_pem = std::filesystem::path(ca_file->string() + ".txt");
    std::ofstream(not_pem) << "not a certificate\n";
    for (const std::string& path : {ca_file->string() + ".absent", not_pem.string()}) {
        auto cfg = config();
        cfg.env = dynomite::environment::from_map({{"AWS_CA_BUNDLE", path}});
        std::unique_ptr<client> made;
        diagnostics diag;
        EXPECT_EQ(client::create(io.get_executor(), cfg, made, diag), errc::invalid_configuration);
        EXPECT_NE(diag.message.find(path), std::string::npos) << diag.message;
        EXPECT_NE(diag.message.find("AWS_CA_BUNDLE"), std::string::npos) << diag.message;
    }
    std::filesystem::remove(not_pem);
    EXPECT_EQ(server->connections_accepted(), 0u);
}

// --- Proxies ---------------------------------------------------------------------------------

TEST_F(ConnectionTest, HttpsGoesThroughAConnectTunnelWithTlsToTheRealHost)
{
    start_tls_server();
    test_proxy proxy;
    auto cfg = config();
    cfg.tls.ca_file = ca_file->string();
    cfg.env = dynomite::environment::from_map({{"HTTPS_PROXY", proxy.url()}});
    const auto result = run(cfg);
    ASSERT_FALSE(result.ec) << result.diag.to_string();
    ASSERT_EQ(proxy.requests().size(), 1u);
    const std::string authority = "localhost:" + std::to_string(server->port());
    EXPECT_EQ(proxy.requests()[0].method, "CONNECT");
    EXPECT_EQ(proxy.requests()[0].target, authority);
    EXPECT_EQ(proxy.tunnels(), 1u);
    // The certificate names localhost, as the endpoint does: the check was against it.
    EXPECT_EQ(server->requests().at(0).header("host"), authority);
}

TEST_F(ConnectionTest, TunnelStillChecksTheRealHostsCertificate)
{
    fake_server_options options;
    options.tls = pki->leaf(server_spec("other.example", "DNS:other.example"));
    server.emplace(options);
    test_proxy proxy;
    auto cfg = config();
    cfg.tls.ca_file = ca_file->string();
    cfg.proxy.https_proxy = proxy.url();
    const auto result = run(cfg);
    EXPECT_EQ(result.ec.category(), asio::error::get_ssl_category()) << result.ec.message();
    EXPECT_EQ(proxy.tunnels(), 1u);
    EXPECT_EQ(server->request_count(), 0u);
}

TEST_F(ConnectionTest, ProxyCredentialsGoInProxyAuthorization)
{
    start_tls_server();
    test_proxy proxy({.required_authorization = "Basic dXNlcjpwIHc="});  // user:p w
    auto cfg = config();
    cfg.tls.ca_file = ca_file->string();
    cfg.proxy.https_proxy = "http://user:p%20w@127.0.0.1:" + std::to_string(proxy.port());
    const auto result = run(cfg);
    ASSERT_FALSE(result.ec) << result.diag.to_string();
    EXPECT_EQ(proxy.tunnels(), 1u);
}

TEST_F(ConnectionTest, ProxyRefusalsReachTheUserWithTheProxysStatus)
{
    start_tls_server();
    struct refusal {
        test_proxy_options options;
        std::string status;
    };
    for (const auto& [options, status] :
         {refusal{{.required_authorization = "Basic x"}, "407"},
          refusal{{.required_authorization = "", .refuse_with = 403}, "403"},
          refusal{{.required_authorization = "", .refuse_with = 502}, "502"}}) {
        test_proxy proxy(options);
        auto cfg = config();
        cfg.tls.ca_file = ca_file->string();
        cfg.proxy.https_proxy = proxy.url();
        const auto result = run(cfg);
        EXPECT_EQ(result.ec, errc::http_status) << result.ec.message();
        EXPECT_NE(result.diag.message.find("the proxy " + proxy.url()), std::string::npos)
            << result.diag.message;
        EXPECT_NE(result.diag.message.find("with " + status), std::string::npos)
            << result.diag.message;
    }
    EXPECT_EQ(server->connections_accepted(), 0u);
}

TEST_F(ConnectionTest, ProxyHangingUpOrSendingDataInTheTunnelIsNamed)
{
    start_tls_server();
    test_proxy_options hang_up;
    hang_up.hang_up_on_connect = true;
    test_proxy_options chatty;
    chatty.after_established = "HTTP/1.1 200 OK\r\n\r\n";
    for (const auto& [options, expected, text] :
         {std::tuple{hang_up, make_error_code(errc::connection_closed), "closed or failed the CONNECT"},
          std::tuple{chatty, make_error_code(errc::malformed_response), "sent data after accepting"}}) {
        test_proxy proxy(options);
        auto cfg = config();
        cfg.tls.ca_file = ca_file->string();
        cfg.proxy.https_proxy = proxy.url();
        const auto result = run(cfg);
        EXPECT_EQ(result.ec, expected) << result.ec.message();
        EXPECT_NE(result.diag.message.find("the proxy " + proxy.url()), std::string::npos)
            << result.diag.message;
        EXPECT_NE(result.diag.message.find(text), std::string::npos) << result.diag.message;
    }
    EXPECT_EQ(server->request_count(), 0u);
}

TEST_F(ConnectionTest, AProxyThatNeverAnswersConnectTimesOutAsAConnect)
{
    // The kernel accepts the TCP connection for the listening socket and keeps the CONNECT
    // unread; the connection's deadline must end the wait for the proxy's answer.
    start_tls_server();
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    const std::string url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
    auto cfg = config();
    cfg.tls.ca_file = ca_file->string();
    cfg.env = dynomite::environment::from_map({{"https_proxy", url}});
    cfg.pool.connect_timeout = 300ms;
    const auto result = run(cfg);
    EXPECT_EQ(result.ec, errc::connect_timeout) << result.ec.message();
    EXPECT_NE(result.diag.message.find("the proxy " + url + " (https_proxy) closed or failed the "
                                       "CONNECT"),
              std::string::npos)
        << result.diag.message;
    EXPECT_EQ(server->connections_accepted(), 0u);
}

TEST_F(ConnectionTest, UnreachableProxyIsNamed)
{
    start_tls_server();
    auto cfg = config();
    cfg.tls.ca_file = ca_file->string();
    const std::string url = "http://127.0.0.1:" + std::to_string(unused_loopback_port());
    cfg.env = dynomite::environment::from_map({{"https_proxy", url}});
    const auto result = run(cfg);
    EXPECT_TRUE(result.ec);
    EXPECT_NE(result.diag.message.find("cannot reach the proxy " + url + " (https_proxy)"),
              std::string::npos)
        << result.diag.message;
}

TEST_F(ConnectionTest, HttpGoesThroughAForwardProxyWithTheAbsoluteUrl)
{
    server.emplace();
    test_proxy proxy({.required_authorization = "Basic dTpw"});  // u:p
    auto cfg = config();
    cfg.env = dynomite::environment::from_map(
        {{"HTTP_PROXY", "http://u:p@127.0.0.1:" + std::to_string(proxy.port())}});
    client c(io.get_executor(), cfg);
    for (int i = 0; i < 2; ++i) {
        const auto result = run(c);
        ASSERT_FALSE(result.ec) << result.diag.to_string();
    }
    const auto seen = proxy.requests();
    ASSERT_EQ(seen.size(), 2u);
    const std::string authority = "127.0.0.1:" + std::to_string(server->port());
    EXPECT_EQ(seen[0].target, "http://" + authority + "/");
    EXPECT_EQ(seen[0].host, authority);
    EXPECT_EQ(proxy.connections(), 1u);  // kept alive through the proxy
    const auto received = server->requests();
    ASSERT_EQ(received.size(), 2u);
    EXPECT_EQ(received[0].target, "/");
    EXPECT_EQ(received[0].header("host"), authority);
    EXPECT_FALSE(received[0].header("proxy-authorization"));
}

TEST_F(ConnectionTest, ForwardProxyRefusalsReachTheUserWithTheProxysStatus)
{
    server.emplace();
    for (const auto& [options, status] :
         {std::pair{test_proxy_options{.required_authorization = "Basic x", .refuse_with = 0}, 407u},
          std::pair{test_proxy_options{.required_authorization = "", .refuse_with = 502}, 502u}}) {
        test_proxy proxy(options);
        auto cfg = config();
        cfg.proxy.http_proxy = proxy.url();
        const auto result = run(cfg);
        EXPECT_EQ(result.ec, errc::http_status) << result.ec.message();
        EXPECT_NE(result.diag.message.find("the proxy " + proxy.url() +
                                           " (proxy_options.http_proxy) answered " +
                                           std::to_string(status)),
                  std::string::npos)
            << result.diag.message;
    }
    EXPECT_EQ(server->request_count(), 0u);
}

TEST_F(ConnectionTest, NoProxyGoesDirect)
{
    server.emplace();
    test_proxy proxy;
    auto cfg = config();
    cfg.env = dynomite::environment::from_map(
        {{"HTTP_PROXY", proxy.url()}, {"NO_PROXY", "example.com, 127.0.0.1"}});
    const auto result = run(cfg);
    ASSERT_FALSE(result.ec) << result.diag.to_string();
    EXPECT_EQ(proxy.connections(), 0u);
    EXPECT_EQ(server->request_count(), 1u);
}

// --- Spread over addresses, maximum age ------------------------------------------------------

/// Counts the connections accepted on one address.
struct counting_listener {
    counting_listener(asio::io_context& io, const char* address, unsigned short port)
        : acceptor(io, {asio::ip::make_address(address), port})
    {
        accept();
    }
    void accept()
    {
        acceptor.async_accept([this](error_code ec, asio::ip::tcp::socket socket) {
            if (ec) return;
            ++accepted;
            sockets.push_back(std::move(socket));
            accept();
        });
    }
    asio::ip::tcp::acceptor acceptor;
    std::vector<asio::ip::tcp::socket> sockets;
    int accepted = 0;
};

TEST_F(ConnectionTest, NewConnectionsAreSpreadOverEveryAddressAndSkipOnesThatRefuse)
{
    const unsigned short port = unused_loopback_port();
    counting_listener first(io, "127.0.0.1", port);
    counting_listener second(io, "127.0.0.2", port);
    dynomite::connection_pool pool(io.get_executor(),
                                   dynomite::parse_endpoint("http://db.test:" + std::to_string(port)),
                                   {}, nullptr);
    // 127.0.0.3 listens on nothing: its turns fall through to the next address.
    pool.set_addresses({{asio::ip::make_address("127.0.0.1"), port},
                        {asio::ip::make_address("127.0.0.3"), port},
                        {asio::ip::make_address("127.0.0.2"), port}});
    std::vector<dynomite::pooled_connection> held;
    for (int i = 0; i < 6; ++i) {
        bool done = false;
        pool.async_acquire([&](error_code ec, dynomite::pooled_connection c) {
            EXPECT_FALSE(ec) << ec.message();
            held.push_back(std::move(c));
            done = true;
        });
        while (!done) io.run_one();
    }
    io.poll();
    // Turns start at .1, .3 (refused, so .2), .2, then again: 3 to .1 is 2, the rest to .2.
    EXPECT_EQ(first.accepted, 2);
    EXPECT_EQ(second.accepted, 4);
}

TEST_F(ConnectionTest, AnAddressThatDoesNotAnswerLeavesTimeForTheNext)
{
    const unsigned short port = unused_loopback_port();
    // A listener whose backlog is full: the kernel drops further SYNs, so connecting hangs.
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), port});
    silent.listen(0);
    std::vector<asio::ip::tcp::socket> fillers;
    fillers.reserve(2);
    for (int i = 0; i < 2; ++i) {
        // Started at once and never awaited: the second one is the first left hanging.
        fillers.emplace_back(io);
        fillers.back().async_connect({asio::ip::make_address("127.0.0.1"), port},
                                     [](error_code) {});
    }
    counting_listener answering(io, "127.0.0.2", port);
    dynomite::pool_options params;
    params.connect_timeout = 600ms;
    dynomite::connection_pool pool(io.get_executor(), dynomite::parse_endpoint("http://db.test"),
                                   params, nullptr);
    pool.set_addresses({{asio::ip::make_address("127.0.0.1"), port},
                        {asio::ip::make_address("127.0.0.2"), port}});
    bool done = false;
    error_code result;
    pool.async_acquire([&](error_code ec, dynomite::pooled_connection) {
        result = ec;
        done = true;
    });
    while (!done) io.run_one();
    io.poll();
    EXPECT_FALSE(result) << result.message();
    EXPECT_EQ(answering.accepted, 1);
}

TEST_F(ConnectionTest, EveryAddressRefusingFailsTheConnection)
{
    const unsigned short port = unused_loopback_port();
    dynomite::connection_pool pool(io.get_executor(), dynomite::parse_endpoint("http://db.test"),
                                   {}, nullptr);
    pool.set_addresses({{asio::ip::make_address("127.0.0.3"), port},
                        {asio::ip::make_address("127.0.0.4"), port}});
    bool done = false;
    error_code result;
    pool.async_acquire([&](error_code ec, dynomite::pooled_connection) {
        result = ec;
        done = true;
    });
    while (!done) io.run_one();
    EXPECT_EQ(result, asio::error::connection_refused) << result.message();
    EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(ConnectionTest, ConnectionOlderThanTheMaximumAgeIsClosedWhenGivenBack)
{
    server.emplace();
    for (const auto age : {std::chrono::milliseconds(1), std::chrono::milliseconds(300'000)}) {
        dynomite::pool_options params;
        params.max_connection_age = age;
        dynomite::connection_pool pool(io.get_executor(), dynomite::parse_endpoint(server->url()),
                                       params, nullptr);
        bool done = false;
        pool.async_acquire([&](error_code ec, dynomite::pooled_connection held) {
            ASSERT_FALSE(ec) << ec.message();
            ASSERT_TRUE(held);
            std::this_thread::sleep_for(5ms);  // held past the shorter age
            done = true;
        });
        while (!done) io.run_one();
        EXPECT_EQ(pool.idle_connections(), age.count() == 1 ? 0u : 1u) << age.count();
        EXPECT_EQ(pool.open_connections(), age.count() == 1 ? 0u : 1u) << age.count();
    }
}

// --- TLS session resumption ------------------------------------------------------------------

TEST_F(ConnectionTest, NewTlsConnectionsResumeTheLastSession)
{
    start_tls_server();
    server->set_default(fake_action::ok().closing());  // every request on a new connection
    auto cfg = config();
    cfg.tls.ca_file = ca_file->string();
    client c(io.get_executor(), cfg);
    for (int i = 0; i < 4; ++i) {
        const auto result = run(c);
        ASSERT_FALSE(result.ec) << result.diag.to_string();
    }
    EXPECT_EQ(server->connections_accepted(), 4u);
    EXPECT_EQ(server->resumed_handshakes(), 3u);
}

TEST_F(ConnectionTest, SessionsAreResumedThroughTheTunnelToo)
{
    start_tls_server();
    server->set_default(fake_action::ok().closing());
    test_proxy proxy;
    auto cfg = config();
    cfg.tls.ca_file = ca_file->string();
    cfg.proxy.https_proxy = proxy.url();
    client c(io.get_executor(), cfg);
    for (int i = 0; i < 3; ++i) {
        const auto result = run(c);
        ASSERT_FALSE(result.ec) << result.diag.to_string();
    }
    EXPECT_EQ(proxy.tunnels(), 3u);
    EXPECT_EQ(server->resumed_handshakes(), 2u);
}

}  // namespace
