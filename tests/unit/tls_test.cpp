// The client over TLS: certificates accepted only when they chain to a trusted CA, name the
// host and are current, with the explicit opt-out as the only exception.
#include "support/sample_requests.hpp"
#include "support/test_pki.hpp"

#include <dynomite/client/client.hpp>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using dynomite::test::sample_get;

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::client;
using dynomite::client_config;
using dynomite::diagnostics;
using dynomite::errc;
using dynomite::error_code;
using dynomite::get_item_request;
using dynomite::get_item_response;
using dynomite::test::fake_action;
using dynomite::test::fake_server;
using dynomite::test::fake_server_options;
using dynomite::test::tls_identity;

using namespace dynomite::test;

// --- Fixture --------------------------------------------------------------------------------

constexpr std::string_view item_body = R"({"Item":{"Artist":{"S":"No One You Know"}}})";

struct outcome {
    bool completed = false;
    error_code ec;
    get_item_response response;
    diagnostics diag;
};

class TlsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        pki = new test_pki;
        static std::atomic<int> files{0};
        ca_file = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                            ("dynomite-test-ca-" + std::to_string(::getpid()) +
                                             "-" + std::to_string(files++) + ".pem"));
        std::ofstream out(*ca_file, std::ios::binary);
        out << to_pem(pki->ca.get());
        ASSERT_TRUE(out.good()) << "cannot write " << *ca_file;
    }

    static void TearDownTestSuite()
    {
        std::error_code ignored;
        std::filesystem::remove(*ca_file, ignored);
        delete ca_file;
        ca_file = nullptr;
        delete pki;
        pki = nullptr;
    }

    void start_server(tls_identity identity)
    {
        fake_server_options options;
        options.tls = std::move(identity);
        server.emplace(options);
        server->set_default(fake_action::ok(std::string(item_body)));
    }

    client_config config(bool trust_ca) const
    {
        client_config cfg;
        cfg.endpoint = server->url();
        cfg.region = "us-east-1";
        cfg.credentials = dynomite::credentials{"AKIDTEST", "secret", ""};
        cfg.retry.base_delay = 1ms;
        cfg.retry.max_delay = 5ms;
        if (trust_ca) cfg.tls.ca_file = ca_file->string();
        return cfg;
    }

    outcome run(client_config cfg)
    {
        client c(io.get_executor(), std::move(cfg));
        outcome out;
        c.async_get_item(sample_get(), out.diag, [&out](error_code ec, get_item_response r) {
            out.ec = ec;
            out.response = std::move(r);
            out.completed = true;
        });
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!out.completed && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            if (io.run_one_for(50ms) == 0 && io.stopped()) std::this_thread::sleep_for(1ms);
        }
        EXPECT_TRUE(out.completed) << "the operation did not complete within the limit";
        return out;
    }

    // A refused certificate: OpenSSL's verification failure, reported once, not retried.
    void expect_verification_failure(const outcome& result)
    {
        ASSERT_TRUE(result.completed);
        EXPECT_EQ(result.ec.category(), asio::error::get_ssl_category())
            << result.ec.category().name() << ": " << result.ec.message();
        EXPECT_EQ(ERR_GET_LIB(static_cast<unsigned long>(result.ec.value())), ERR_LIB_SSL);
        EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(result.ec.value())),
                  SSL_R_CERTIFICATE_VERIFY_FAILED)
            << result.ec.message();
        EXPECT_FALSE(dynomite::is_retryable(result.ec));
        EXPECT_EQ(result.diag.attempts.size(), 1u) << result.diag.to_string();
        EXPECT_NE(result.diag.message.find("connecting to https://localhost:"), std::string::npos)
            << result.diag.message;
        EXPECT_EQ(server->connections_accepted(), 1u);
        EXPECT_EQ(server->request_count(), 0u);
    }

    static test_pki* pki;
    static std::filesystem::path* ca_file;

    std::optional<fake_server> server;
    asio::io_context io;
};

test_pki* TlsTest::pki = nullptr;
std::filesystem::path* TlsTest::ca_file = nullptr;

TEST_F(TlsTest, CertificateFromTheConfiguredCaIsAccepted)
{
    start_server(pki->leaf(server_spec("localhost", localhost_names)));

    auto result = run(config(true));

    ASSERT_FALSE(result.ec) << result.ec.message() << ": " << result.diag.to_string();
    ASSERT_TRUE(result.response.item.has_value());
    EXPECT_EQ(result.response.item->at("Artist").as_s(), "No One You Know");
    const auto requests = server->requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].header("host"), "localhost:" + std::to_string(server->port()));
    EXPECT_EQ(server->failed_handshakes(), 0u);
}

TEST_F(TlsTest, TlsConnectionIsKeptAlive)
{
    start_server(pki->leaf(server_spec("localhost", localhost_names)));
    client c(io.get_executor(), config(true));

    for (int i = 0; i < 3; ++i) {
        outcome out;
        c.async_get_item(sample_get(), out.diag, [&out](error_code ec, get_item_response) {
            out.ec = ec;
            out.completed = true;
        });
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!out.completed && std::chrono::steady_clock::now() < give_up) {
            io.restart();
            io.run_one_for(50ms);
        }
        ASSERT_TRUE(out.completed);
        ASSERT_FALSE(out.ec) << out.diag.to_string();
    }
    EXPECT_EQ(server->request_count(), 3u);
    EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST_F(TlsTest, IpAddressInTheCertificateIsAccepted)
{
    start_server(pki->leaf(server_spec("localhost", localhost_names)));
    auto cfg = config(true);
    cfg.endpoint = "https://127.0.0.1:" + std::to_string(server->port());

    auto result = run(cfg);

    ASSERT_FALSE(result.ec) << result.ec.message() << ": " << result.diag.to_string();
}

TEST_F(TlsTest, UnknownCaIsRejected)
{
    start_server(pki->leaf(server_spec("localhost", localhost_names)));

    auto result = run(config(false));

    expect_verification_failure(result);
}

TEST_F(TlsTest, HostNameMismatchIsRejected)
{
    start_server(pki->leaf(server_spec("other.example", "DNS:other.example")));

    auto result = run(config(true));

    expect_verification_failure(result);
}

TEST_F(TlsTest, CommonNameAloneDoesNotMatchWhenAltNamesDiffer)
{
    // The subject's CN says localhost, but a certificate with alt names is checked against them.
    start_server(pki->leaf(server_spec("localhost", "DNS:other.example")));

    auto result = run(config(true));

    expect_verification_failure(result);
}

TEST_F(TlsTest, ExpiredCertificateIsRejected)
{
    auto spec = server_spec("localhost", localhost_names);
    spec.valid_from_seconds = -2 * 86400;
    spec.valid_until_seconds = -86400;
    start_server(pki->leaf(spec));

    auto result = run(config(true));

    expect_verification_failure(result);
}

TEST_F(TlsTest, NotYetValidCertificateIsRejected)
{
    auto spec = server_spec("localhost", localhost_names);
    spec.valid_from_seconds = 86400;
    spec.valid_until_seconds = 2 * 86400;
    start_server(pki->leaf(spec));

    auto result = run(config(true));

    expect_verification_failure(result);
}

TEST_F(TlsTest, SelfSignedCertificateIsRejected)
{
    start_server(pki->self_signed(server_spec("localhost", localhost_names)));

    auto result = run(config(true));

    expect_verification_failure(result);
}

TEST_F(TlsTest, SelfSignedCertificateIsRejectedWithTheSystemStore)
{
    start_server(pki->self_signed(server_spec("localhost", localhost_names)));

    auto result = run(config(false));

    expect_verification_failure(result);
}

TEST_F(TlsTest, SkippingVerificationAcceptsASelfSignedCertificate)
{
    start_server(pki->self_signed(server_spec("localhost", localhost_names)));
    auto cfg = config(false);
    cfg.tls.insecure_skip_verify_do_not_use_in_production = true;

    auto result = run(cfg);

    ASSERT_FALSE(result.ec) << result.ec.message() << ": " << result.diag.to_string();
    EXPECT_EQ(server->request_count(), 1u);
}

TEST_F(TlsTest, SkippingVerificationAcceptsAMismatchedExpiredCertificate)
{
    auto spec = server_spec("other.example", "DNS:other.example");
    spec.valid_from_seconds = -2 * 86400;
    spec.valid_until_seconds = -86400;
    start_server(pki->leaf(spec));
    auto cfg = config(false);
    cfg.tls.insecure_skip_verify_do_not_use_in_production = true;

    auto result = run(cfg);

    ASSERT_FALSE(result.ec) << result.ec.message() << ": " << result.diag.to_string();
}

TEST_F(TlsTest, MissingCaFileIsAConfigurationError)
{
    start_server(pki->leaf(server_spec("localhost", localhost_names)));
    auto cfg = config(false);
    cfg.tls.ca_file = (std::filesystem::temp_directory_path() / "dynomite-no-such-ca.pem").string();

    std::unique_ptr<client> made;
    diagnostics diag;
    auto ec = client::create(io.get_executor(), cfg, made, diag);

    EXPECT_EQ(ec, errc::invalid_configuration);
    EXPECT_EQ(made, nullptr);
    EXPECT_NE(diag.message.find("dynomite-no-such-ca.pem"), std::string::npos) << diag.message;
    EXPECT_EQ(server->connections_accepted(), 0u);
}

TEST_F(TlsTest, AHandshakeNeverAnsweredTimesOutAsAConnect)
{
    // The kernel completes the TCP connection for the listening socket; nothing answers the
    // client's hello, so the connection's deadline must end the handshake.
    start_server(pki->leaf(server_spec("localhost", localhost_names)));
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto cfg = config(true);
    cfg.endpoint = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
    cfg.pool.connect_timeout = 300ms;
    cfg.retry.max_attempts = 1;

    auto result = run(cfg);

    EXPECT_EQ(result.ec, errc::connect_timeout) << result.ec.message();
    EXPECT_NE(result.diag.message.find("connecting to https://127.0.0.1:"), std::string::npos)
        << result.diag.message;
}

TEST_F(TlsTest, PlainHttpToATlsServerFailsAsAClosedConnection)
{
    // The server refuses the handshake at the first byte and drops the connection; the client
    // sees a dropped connection, which it retries as such.
    start_server(pki->leaf(server_spec("localhost", localhost_names)));
    auto cfg = config(false);
    cfg.endpoint = "http://127.0.0.1:" + std::to_string(server->port());
    cfg.retry.max_attempts = 2;

    auto result = run(cfg);

    EXPECT_EQ(result.ec, errc::connection_closed) << result.ec.message();
    EXPECT_EQ(result.diag.attempts.size(), 2u);
    EXPECT_EQ(server->request_count(), 0u);
    EXPECT_EQ(server->connections_accepted(), 2u);
    EXPECT_EQ(server->failed_handshakes(), 2u);
}

}  // namespace
