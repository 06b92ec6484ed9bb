// Retry mode and attempts: precedence of the config, the environment and the profile, the
// errors for bad values, and legacy mode's policy on the wire.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/client/client.hpp>
#include "transport/retry.hpp"
#include "transport/retry_settings.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dynomite::environment;
using dynomite::errc;
using dynomite::make_error_code;
using dynomite::retry_mode;
using dynomite::retry_options;
using dynomite::detail::is_legacy_retryable;
using dynomite::detail::legacy_backoff_delay;
using dynomite::detail::resolve_retry_settings;
using dynomite::detail::retry_settings;

using variables = std::map<std::string, std::string, std::less<>>;

/// A config file in a fresh temporary directory, named by AWS_CONFIG_FILE in env().
class config_file {
public:
    explicit config_file(const std::string& text)
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("dynomite_retry_settings_" + std::to_string(::getpid()) + "_" +
                std::to_string(counter_++));
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "config") << text;
    }
    ~config_file() { std::filesystem::remove_all(dir_); }
    environment env(variables extra = {}) const
    {
        extra["AWS_CONFIG_FILE"] = (dir_ / "config").string();
        return environment::from_map(std::move(extra));
    }
    std::string path() const { return (dir_ / "config").string(); }

private:
    static inline int counter_ = 0;
    std::filesystem::path dir_;
};

struct resolved {
    dynomite::error_code ec;
    retry_settings settings;
    std::string why;
};

resolved resolve(const retry_options& params, const environment& env, std::string profile = {})
{
    resolved out;
    out.ec = resolve_retry_settings(params, profile, env, out.settings, &out.why);
    return out;
}

TEST(RetrySettings, DefaultsAreStandardModeWithFourAttempts)
{
    const auto r = resolve({}, environment::from_map({}));
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.settings.mode, retry_mode::standard);
    EXPECT_EQ(r.settings.max_attempts, 4);
}

TEST(RetrySettings, ProfileIsReadWhenNothingElseSetsThem)
{
    config_file file("[default]\nretry_mode = adaptive\nmax_attempts = 7\n"
                     "[profile slow]\nretry_mode = legacy\n");
    auto r = resolve({}, file.env());
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.settings.mode, retry_mode::adaptive);
    EXPECT_EQ(r.settings.max_attempts, 7);

    // Legacy mode's own default when only the mode is set.
    r = resolve({}, file.env({{"AWS_PROFILE", "slow"}}));
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.settings.mode, retry_mode::legacy);
    EXPECT_EQ(r.settings.max_attempts, 10);

    // The profile the config names wins over AWS_PROFILE.
    r = resolve({}, file.env({{"AWS_PROFILE", "slow"}}), "default");
    EXPECT_EQ(r.settings.mode, retry_mode::adaptive);
}

TEST(RetrySettings, EnvironmentBeatsProfileAndConfigBeatsBoth)
{
    config_file file("[default]\nretry_mode = adaptive\nmax_attempts = 7\n");
    auto r = resolve({}, file.env({{"AWS_RETRY_MODE", "legacy"}, {"AWS_MAX_ATTEMPTS", "2"}}));
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.settings.mode, retry_mode::legacy);
    EXPECT_EQ(r.settings.max_attempts, 2);

    retry_options params;
    params.mode = retry_mode::standard;
    params.max_attempts = 1;
    r = resolve(params, file.env({{"AWS_RETRY_MODE", "legacy"}, {"AWS_MAX_ATTEMPTS", "2"}}));
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.settings.mode, retry_mode::standard);
    EXPECT_EQ(r.settings.max_attempts, 1);

    // Each setting on its own: the environment's attempts with the profile's mode.
    r = resolve({}, file.env({{"AWS_MAX_ATTEMPTS", "3"}}));
    EXPECT_EQ(r.settings.mode, retry_mode::adaptive);
    EXPECT_EQ(r.settings.max_attempts, 3);
}

TEST(RetrySettings, ExplicitSettingsNeedNoConfigFile)
{
    // A malformed file is not read when nothing is left for it to say.
    config_file file("[default\nretry_mode = adaptive\n");
    retry_options params;
    params.mode = retry_mode::standard;
    auto r = resolve(params, file.env({{"AWS_MAX_ATTEMPTS", "5"}}));
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.settings.max_attempts, 5);

    r = resolve({}, file.env());
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_configuration));
}

TEST(RetrySettings, BadAttemptsNameTheVariableAndTheValue)
{
    for (const char* bad : {"zero", "0", "-3", "2.5", "4 ", "99999999999"}) {
        const auto r = resolve({}, environment::from_map({{"AWS_MAX_ATTEMPTS", bad}}));
        EXPECT_EQ(r.ec, make_error_code(errc::invalid_configuration)) << bad;
        EXPECT_NE(r.why.find("AWS_MAX_ATTEMPTS"), std::string::npos) << r.why;
        EXPECT_NE(r.why.find(std::string("\"") + bad + "\""), std::string::npos) << r.why;
    }
    config_file file("[default]\nmax_attempts = many\n");
    const auto r = resolve({}, file.env());
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_configuration));
    EXPECT_NE(r.why.find("max_attempts in profile \"default\" in " + file.path()),
              std::string::npos)
        << r.why;
    EXPECT_NE(r.why.find("\"many\""), std::string::npos) << r.why;

    retry_options params;
    params.max_attempts = 0;
    const auto e = resolve(params, environment::from_map({}));
    EXPECT_EQ(e.ec, make_error_code(errc::invalid_configuration));
    EXPECT_NE(e.why.find("retry_options.max_attempts is 0"), std::string::npos) << e.why;
}

TEST(RetrySettings, UnknownModesNameTheVariableAndTheValue)
{
    auto r = resolve({}, environment::from_map({{"AWS_RETRY_MODE", "Standard"}}));
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_configuration));
    EXPECT_NE(r.why.find("AWS_RETRY_MODE is \"Standard\""), std::string::npos) << r.why;

    config_file file("[profile p]\nretry_mode = turbo\n");
    r = resolve({}, file.env({{"AWS_PROFILE", "p"}}));
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_configuration));
    EXPECT_NE(r.why.find("retry_mode in profile \"p\""), std::string::npos) << r.why;
    EXPECT_NE(r.why.find("\"turbo\""), std::string::npos) << r.why;

    retry_options params;
    params.mode = static_cast<retry_mode>(7);
    r = resolve(params, environment::from_map({}));
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_configuration));
    EXPECT_NE(r.why.find("retry_options.mode"), std::string::npos) << r.why;
}

TEST(RetrySettings, ModesRoundTripThroughTheirNames)
{
    for (auto mode : {retry_mode::legacy, retry_mode::standard, retry_mode::adaptive})
        EXPECT_EQ(dynomite::parse_retry_mode(dynomite::to_string(mode)), mode);
    EXPECT_FALSE(dynomite::parse_retry_mode(""));
}

TEST(RetrySettings, ClientCreationReportsABadVariable)
{
    dynomite::client_config config;
    config.endpoint = "http://127.0.0.1:1";
    config.region = "us-east-1";
    config.credentials = dynomite::credentials{"AKIDTEST", "secret", ""};
    config.env = environment::from_map({{"AWS_MAX_ATTEMPTS", "0"}});
    asio::io_context io;
    std::unique_ptr<dynomite::client> made;
    dynomite::diagnostics diag;
    EXPECT_EQ(dynomite::client::create(io.get_executor(), config, made, diag),
              make_error_code(errc::invalid_configuration));
    EXPECT_NE(diag.message.find("AWS_MAX_ATTEMPTS is \"0\""), std::string::npos) << diag.message;

    config.env = environment::from_map({{"AWS_MAX_ATTEMPTS", "6"}, {"AWS_RETRY_MODE", "legacy"}});
    ASSERT_FALSE(dynomite::client::create(io.get_executor(), config, made, diag)) << diag.message;
    EXPECT_EQ(made->max_attempts(), 6);
    EXPECT_EQ(made->retry_mode(), retry_mode::legacy);
}

// botocore's _retry.json for DynamoDB: base 0.05, growth factor 2, no jitter.
TEST(LegacyRetries, BackoffDoublesFromFiftyMilliseconds)
{
    EXPECT_EQ(legacy_backoff_delay(1), 50ms);
    EXPECT_EQ(legacy_backoff_delay(2), 100ms);
    EXPECT_EQ(legacy_backoff_delay(9), 12800ms);
}

TEST(LegacyRetries, RetryTheCodesAndStatusesOfBotocoresPolicy)
{
    const auto service = make_error_code(errc::unknown_service_error);
    const auto throughput = make_error_code(errc::provisioned_throughput_exceeded);
    EXPECT_TRUE(is_legacy_retryable(throughput, 400, "ProvisionedThroughputExceededException"));
    EXPECT_TRUE(is_legacy_retryable(service, 400, "ThrottledException"));
    EXPECT_TRUE(is_legacy_retryable(service, 400, "RequestThrottledException"));
    EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::transaction_in_progress), 400,
                                    "TransactionInProgressException"));
    for (unsigned status : {429u, 500u, 502u, 503u, 504u, 509u})
        EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::http_status), status, "")) << status;
    EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::crc32_mismatch), 200, ""));
    EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::request_timeout), 0, ""));
    EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::connection_closed), 0, ""));

    // Standard mode retries these; botocore's legacy DynamoDB policy does not.
    EXPECT_FALSE(is_legacy_retryable(make_error_code(errc::transaction_conflict), 400,
                                     "TransactionConflictException"));
    EXPECT_FALSE(is_legacy_retryable(make_error_code(errc::request_limit_exceeded), 400,
                                     "RequestLimitExceeded"));
    EXPECT_FALSE(is_legacy_retryable(make_error_code(errc::validation), 400,
                                     "ValidationException"));
    EXPECT_FALSE(is_legacy_retryable(throughput, 403, "ProvisionedThroughputExceededException"));
}

/// Runs `script` with /usr/bin/python3; nothing when python3 or botocore is absent.
std::optional<std::string> run_oracle(const std::string& script)
{
    if (::access("/usr/bin/python3", X_OK) != 0) return std::nullopt;
    FILE* pipe = ::popen(("/usr/bin/python3 " + script).c_str(), "r");
    if (!pipe) return std::nullopt;
    std::string output;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) return std::nullopt;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
    return output;
}

// botocore's own resolution of _retry.json for DynamoDB is the oracle of legacy mode.
TEST(LegacyRetries, MatchBotocoresPolicyForDynamoDB)
{
    const auto output =
        run_oracle(std::string(DYNOMITE_SOURCE_DIR) + "/tests/support/botocore_legacy_policy.py");
    if (!output) GTEST_SKIP() << "botocore is absent";
    std::istringstream lines(*output);
    std::string kind;
    int code_policies = 0, status_policies = 0, crc_policies = 0, socket_policies = 0;
    const auto service = make_error_code(errc::unknown_service_error);
    while (lines >> kind) {
        if (kind == "max_attempts") {
            int attempts = 0;
            lines >> attempts;
            EXPECT_EQ(attempts, dynomite::detail::legacy_default_max_attempts);
        } else if (kind == "delay") {
            double base = 0, growth = 0;
            lines >> base >> growth;
            const std::chrono::duration<double> first = legacy_backoff_delay(1);
            EXPECT_DOUBLE_EQ(first.count(), base);
            for (int attempt = 1; attempt < 9; ++attempt)
                EXPECT_EQ(legacy_backoff_delay(attempt + 1).count(),
                          static_cast<long long>(legacy_backoff_delay(attempt).count() * growth));
        } else if (kind == "code") {
            unsigned status = 0;
            std::string code;
            lines >> status >> code;
            ++code_policies;
            EXPECT_TRUE(is_legacy_retryable(service, status, code)) << code;
            EXPECT_FALSE(is_legacy_retryable(service, status + 3, code)) << code;
        } else if (kind == "status") {
            unsigned status = 0;
            lines >> status;
            ++status_policies;
            EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::http_status), status, ""))
                << status;
        } else if (kind == "crc32") {
            ++crc_policies;
            EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::crc32_mismatch), 200, ""));
        } else if (kind == "socket") {
            ++socket_policies;
            EXPECT_TRUE(is_legacy_retryable(make_error_code(errc::connection_closed), 0, ""));
        } else {
            ADD_FAILURE() << "unexpected oracle line " << kind;
        }
    }
    // As many of each as is_legacy_retryable knows: no policy of ours is missing from botocore's.
    EXPECT_EQ(code_policies, 6);
    EXPECT_EQ(status_policies, 6);
    EXPECT_EQ(crc_policies, 1);
    EXPECT_EQ(socket_policies, 1);
}

/// One GetItem through a client of `mode` with `attempts` against `server`.
dynomite::diagnostics get_once(const dynomite::test::fake_server& server, retry_mode mode,
                               int attempts, dynomite::error_code& ec)
{
    dynomite::client_config config = dynomite::test::fake_client_config(server);
    config.env = environment::from_map({});
    config.retry.mode = mode;
    config.retry.max_attempts = attempts;
    config.retry.base_delay = 1ms;
    asio::io_context io;
    dynomite::client client(io.get_executor(), config);
    dynomite::get_item_request request;
    request.table_name = "Music";
    request.key = {{"Artist", "No One You Know"}};
    dynomite::diagnostics diag;
    bool done = false;
    client.async_execute(request, diag, [&](dynomite::error_code e, auto) {
        ec = e;
        done = true;
    });
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (!done && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        io.run_one_for(50ms);
    }
    EXPECT_TRUE(done);
    return diag;
}

TEST(LegacyRetries, ClientFollowsThePolicyOnTheWire)
{
    using dynomite::test::fake_action;
    using dynomite::test::fake_server;
    {
        // Legacy: 509 and ThrottledException retried, TransactionConflict is final.
        fake_server server;
        fake_action bandwidth;
        bandwidth.status = 509;
        bandwidth.body = "Bandwidth Limit Exceeded";
        server.enqueue(bandwidth);
        server.enqueue(fake_action::aws_error(400, "ThrottledException", "slow down"));
        server.enqueue(fake_action::aws_error(400, "TransactionConflictException", "conflict"));
        dynomite::error_code ec;
        const auto diag = get_once(server, retry_mode::legacy, 5, ec);
        EXPECT_EQ(ec, make_error_code(errc::transaction_conflict));
        EXPECT_EQ(server.request_count(), 3u);
        EXPECT_EQ(diag.attempts.size(), 3u);
    }
    {
        // Standard mode retries the conflict.
        fake_server server;
        server.enqueue(fake_action::aws_error(400, "TransactionConflictException", "conflict"));
        dynomite::error_code ec;
        get_once(server, retry_mode::standard, 5, ec);
        EXPECT_FALSE(ec) << ec.message();
        EXPECT_EQ(server.request_count(), 2u);
    }
}

}  // namespace
