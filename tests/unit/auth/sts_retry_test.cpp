// STS calls against a fake STS that fails a given number of times first: what is retried
// (throttling, 5xx, IDPCommunicationError, dropped connections) and what fails at once.
#include "support/auth/credential_servers.hpp"

#include "auth/sts_protocol.hpp"
#include <dynomite/auth/sts_providers.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace dynomite;
using namespace dynomite::test;
namespace asio = boost::asio;
namespace fs = std::filesystem;

TEST(sts_retry_decision, follows_botocore_standard_mode_for_sts)
{
    using detail::sts_retry;
    using detail::sts_retry_decision;
    const error_code answered = make_error_code(errc::unknown_service_error);
    for (const char* code : {"Throttling", "ThrottlingException", "RequestLimitExceeded",
                             "TooManyRequestsException", "SlowDown"})
        EXPECT_EQ(sts_retry_decision(make_error_code(errc::throttling), 400, code),
                  sts_retry::throttled)
            << code;
    EXPECT_EQ(sts_retry_decision(answered, 400, "IDPCommunicationError"), sts_retry::transient);
    EXPECT_EQ(sts_retry_decision(answered, 500, "InternalFailure"), sts_retry::transient);
    EXPECT_EQ(sts_retry_decision(make_error_code(errc::http_status), 503, ""),
              sts_retry::transient);
    EXPECT_EQ(sts_retry_decision(make_error_code(errc::request_timeout), 0, ""),
              sts_retry::transient);
    EXPECT_EQ(sts_retry_decision(make_error_code(boost::system::errc::connection_refused), 0, ""),
              sts_retry::transient);
    for (const char* code : {"AccessDenied", "ExpiredToken", "RegionDisabledException",
                             "InvalidIdentityToken", "MalformedPolicyDocument"})
        EXPECT_EQ(sts_retry_decision(answered, 403, code), sts_retry::no) << code;
    EXPECT_EQ(sts_retry_decision(make_error_code(errc::invalid_endpoint), 0, ""), sts_retry::no);
}

class sts_retry_test : public ::testing::Test {
protected:
    fs::path dir = fs::temp_directory_path() /
                   ("dynomite-sts-retry-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    asio::io_context io;
    fake_sts sts;

    void SetUp() override
    {
        fs::create_directories(dir);
        std::ofstream(dir / "token") << "oidc-token-1\n";
        sts.expect_web_identity_token("oidc-token-1");
        sts.trust("AKIDSOURCE");
    }
    void TearDown() override { fs::remove_all(dir); }

    sts_endpoint endpoint()
    {
        sts_endpoint e;
        e.url = sts.url();
        e.region = "us-east-1";
        // Short delays keep the test fast; the decisions are those of the defaults.
        e.retry.base_delay = std::chrono::milliseconds(1);
        e.retry.throttling_base_delay = std::chrono::milliseconds(2);
        return e;
    }

    std::pair<error_code, credentials> get(const std::shared_ptr<credentials_provider>& provider,
                                           diagnostics& diag)
    {
        std::pair<error_code, credentials> result;
        provider->async_get_credentials(diag, [&](error_code ec, credentials c) {
            result = {ec, std::move(c)};
        });
        io.restart();
        io.run();
        return result;
    }

    std::shared_ptr<credentials_provider> web_identity()
    {
        return std::make_shared<web_identity_provider>(
            io.get_executor(),
            web_identity_options{(dir / "token").string(), "arn:aws:iam::1:role/web", "s"},
            endpoint());
    }

    std::shared_ptr<credentials_provider> assume_role()
    {
        credentials source;
        source.access_key_id = "AKIDSOURCE";
        source.secret_access_key = "source-secret";
        return std::make_shared<assume_role_provider>(
            io.get_executor(),
            std::make_shared<static_credentials_provider>(io.get_executor(), source),
            assume_role_options{"arn:aws:iam::1:role/target", "s", "", std::nullopt}, endpoint());
    }
};

TEST_F(sts_retry_test, throttling_then_success_for_both_calls)
{
    for (int call = 0; call < 2; ++call) {
        const std::size_t before = sts.server.requests().size();
        sts.fail_next("Throttling", "Rate exceeded", 400, 2);
        diagnostics diag;
        auto [ec, creds] = get(call == 0 ? web_identity() : assume_role(), diag);
        EXPECT_FALSE(ec) << diag.to_string();
        EXPECT_TRUE(creds.access_key_id.starts_with("ASIASTS")) << creds.access_key_id;
        EXPECT_EQ(sts.server.requests().size() - before, 3u);
    }
    // Each AssumeRole attempt is signed anew and accepted as such.
    EXPECT_EQ(sts.signers(), std::vector<std::string>{"AKIDSOURCE"});
}

TEST_F(sts_retry_test, server_errors_and_idp_communication_errors_are_retried)
{
    sts.fail_next("InternalFailure", "We encountered an internal error", 500, 1);
    diagnostics diag;
    EXPECT_FALSE(get(web_identity(), diag).first) << diag.to_string();
    EXPECT_EQ(sts.server.requests().size(), 2u);

    sts.fail_next("IDPCommunicationError", "The identity provider could not be reached", 400, 2);
    EXPECT_FALSE(get(web_identity(), diag).first) << diag.to_string();
    EXPECT_EQ(sts.server.requests().size(), 5u);
}

TEST_F(sts_retry_test, dropped_connections_are_retried)
{
    sts.drop_next(2);
    diagnostics diag;
    auto [ec, creds] = get(web_identity(), diag);
    EXPECT_FALSE(ec) << diag.to_string();
    EXPECT_EQ(sts.server.requests().size(), 3u);
}

TEST_F(sts_retry_test, attempts_run_out_with_sts_code_and_message)
{
    sts.fail_next("ThrottlingException", "Rate exceeded", 400, 10);
    diagnostics diag;
    auto [ec, creds] = get(assume_role(), diag);
    EXPECT_EQ(ec, errc::throttling);
    EXPECT_EQ(sts.server.requests().size(), 3u);
    EXPECT_EQ(diag.aws_type, "ThrottlingException");
    EXPECT_EQ(diag.http_status, 400u);
    EXPECT_EQ(diag.message, "STS AssumeRole for arn:aws:iam::1:role/target: STS "
                            "ThrottlingException: Rate exceeded (after 3 attempts)");
    EXPECT_EQ(diag.attempts.size(), 3u);
    EXPECT_EQ(diag.to_string().find("source-secret"), std::string::npos);
}

TEST_F(sts_retry_test, errors_another_attempt_cannot_cure_fail_at_once)
{
    const std::vector<std::pair<std::string, error_code>> refusals{
        {"AccessDenied", make_error_code(errc::access_denied)},
        {"ExpiredToken", make_error_code(errc::expired_token)},
        {"RegionDisabledException", make_error_code(errc::unknown_service_error)},
        {"InvalidIdentityToken", make_error_code(errc::unknown_service_error)}};
    std::size_t sent = 0;
    for (const auto& [code, expected] : refusals) {
        sts.fail_next(code, "said " + code, code == "InvalidIdentityToken" ? 400 : 403, 3);
        diagnostics diag;
        auto [ec, creds] = get(web_identity(), diag);
        EXPECT_EQ(ec, expected) << code;
        EXPECT_EQ(diag.aws_type, code);
        EXPECT_EQ(diag.message,
                  "STS AssumeRoleWithWebIdentity for arn:aws:iam::1:role/web: STS " + code +
                      ": said " + code);
        EXPECT_TRUE(diag.attempts.empty());
        EXPECT_EQ(sts.server.requests().size(), ++sent) << code;
        sts.fail_next("", "", 403, 0);
    }
}

TEST_F(sts_retry_test, one_attempt_when_retries_are_off)
{
    sts.fail_next("Throttling", "Rate exceeded", 400, 1);
    sts_endpoint once = endpoint();
    once.retry.max_attempts = 1;
    auto provider = std::make_shared<web_identity_provider>(
        io.get_executor(),
        web_identity_options{(dir / "token").string(), "arn:aws:iam::1:role/web", "s"}, once);
    diagnostics diag;
    EXPECT_EQ(get(provider, diag).first, errc::throttling);
    EXPECT_EQ(sts.server.requests().size(), 1u);
}

}  // namespace
