// A client whose clock is 20 minutes slow against DynamoDB Local behind the SigV4-verifying
// proxy, which refuses stale signatures as DynamoDB does ("Signature expired: ...", with its
// Date header): the client corrects its clock from the refusal and succeeds.
#include "support/test_env.hpp"

#include <dynomite/client/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// A verifying instance of this test's own (whatever DYNOMITE_ENDPOINT points at may check no
/// signatures), stopped at the end.
class verifying_dynamodb : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dynomite::test::ensure_test_credentials();
        try {
            endpoint_ = dynomite::test::detail::run_endpoint_command(
                script() + " start --verify-sigv4 --owner-pid " + std::to_string(::getpid()) +
                " </dev/null");
        } catch (const std::exception& e) {
            failure_ = e.what();
        }
    }
    static void TearDownTestSuite()
    {
        if (!endpoint_.empty()) {
            const std::string stop =
                script() + " stop " + dynomite::test::detail::shell_quote(endpoint_) + " </dev/null";
            EXPECT_EQ(std::system(stop.c_str()), 0);
        }
    }
    static std::string script() { return std::string(DYNOMITE_SOURCE_DIR) + "/scripts/dynamodb-local"; }

    dynomite::client_config skewed_config() const
    {
        dynomite::client_config config;
        config.endpoint = endpoint_;
        config.clock = [] { return std::chrono::system_clock::now() - 20min; };
        return config;
    }

    static inline std::string endpoint_;
    static inline std::string failure_;
};

TEST_F(verifying_dynamodb, ASlowClockIsCorrectedFromTheRefusal)
{
    ASSERT_FALSE(endpoint_.empty()) << failure_;
    asio::io_context io;

    // Without a second attempt the refusal stands: the proxy does check the time.
    auto config = skewed_config();
    config.retry.max_attempts = 1;
    dynomite::client single(io.get_executor(), config);
    dynomite::diagnostics diag;
    auto refused = single.async_list_tables(dynomite::list_tables_request{}, diag,
                                            asio::use_future);
    io.run();
    try {
        refused.get();
        ADD_FAILURE() << "a request signed 20 minutes ago was accepted";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), dynomite::make_error_code(dynomite::errc::invalid_signature));
        EXPECT_EQ(diag.aws_type, "InvalidSignatureException");
        EXPECT_TRUE(diag.message.starts_with("Signature expired: ")) << diag.message;
    }

    io.restart();
    dynomite::client corrected(io.get_executor(), skewed_config());
    auto answered = corrected.async_list_tables(dynomite::list_tables_request{}, diag,
                                                asio::use_future);
    io.run();
    EXPECT_NO_THROW(answered.get()) << diag.to_string();
    const auto skew = corrected.stats().clock_skew_seconds;
    EXPECT_GE(skew, 20 * 60 - 5);
    EXPECT_LE(skew, 20 * 60 + 5);
    EXPECT_EQ(corrected.stats().attempts, 2u);

    // Later requests are signed with the corrected time at once.
    io.restart();
    auto again = corrected.async_list_tables(dynomite::list_tables_request{}, diag,
                                             asio::use_future);
    io.run();
    EXPECT_NO_THROW(again.get()) << diag.to_string();
    EXPECT_EQ(corrected.stats().attempts, 3u);
}

}  // namespace
