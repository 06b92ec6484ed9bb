// How the environment and the shared files select a credentials source, and every refusal of
// a configuration that cannot work. Nothing here reaches the network.
#include <dynomite/auth/default_chain.hpp>
#include <dynomite/auth/metadata_providers.hpp>

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace dynomite;
namespace fs = std::filesystem;
using variables = std::map<std::string, std::string, std::less<>>;

TEST(container_environment, relative_uri_goes_to_the_agent)
{
    container_options params;
    bool configured = false;
    std::string why;
    ASSERT_FALSE(container_options_from_environment(
        environment::from_map({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}}),
        params, configured, why));
    EXPECT_TRUE(configured);
    EXPECT_EQ(params.url, "http://169.254.170.2/v2/credentials/abc");
    EXPECT_EQ(params.authorization_token, "");
}

TEST(container_environment, full_uri_hosts_the_sdks_allow)
{
    for (const std::string url :
         {"http://127.0.0.1:8080/creds", "http://127.0.0.2/creds", "http://localhost/c",
          "http://[::1]:9/c", "http://169.254.170.2/c", "http://169.254.170.23/v1/credentials",
          "http://[fd00:ec2::23]/v1/credentials", "https://creds.example.com/c"}) {
        container_options params;
        bool configured = false;
        std::string why;
        EXPECT_FALSE(container_options_from_environment(
            environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url},
                                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}}),
            params, configured, why))
            << url << ": " << why;
        EXPECT_EQ(params.url, url);
        EXPECT_EQ(params.authorization_token, "Basic abc");
    }
    for (const std::string url : {"http://169.254.169.254/c", "http://10.0.0.1/c",
                                  "http://creds.example.com/c", "ftp://127.0.0.1/c"}) {
        container_options params;
        bool configured = false;
        std::string why;
        EXPECT_EQ(container_options_from_environment(
                      environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}}), params,
                      configured, why),
                  errc::invalid_configuration)
            << url;
        EXPECT_FALSE(configured);
    }
}

TEST(container_environment, token_file_wins_and_a_token_with_a_line_break_is_refused)
{
    container_options params;
    bool configured = false;
    std::string why;
    ASSERT_FALSE(container_options_from_environment(
        environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c"},
                               {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token"},
                               {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/run/token"}}),
        params, configured, why));
    EXPECT_EQ(params.authorization_token_file, "/run/token");
    EXPECT_EQ(params.authorization_token, "");

    EXPECT_EQ(container_options_from_environment(
                  environment::from_map(
                      {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c"},
                       {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token\r\nX-Evil: 1"}}),
                  params, configured, why),
              errc::invalid_configuration);
    EXPECT_EQ(why.find("secret-token"), std::string::npos);
}

TEST(imds_environment, disabled_endpoint_and_mode)
{
    imds_options params;
    bool disabled = false;
    std::string why;
    ASSERT_FALSE(imds_options_from_environment(
        environment::from_map({{"AWS_EC2_METADATA_DISABLED", "TRUE"}}), params, disabled, why));
    EXPECT_TRUE(disabled);
    EXPECT_EQ(params.endpoint, "http://169.254.169.254");
    EXPECT_EQ(params.timeout, std::chrono::seconds(1));

    ASSERT_FALSE(imds_options_from_environment(
        environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}), params,
        disabled, why));
    EXPECT_FALSE(disabled);
    EXPECT_EQ(params.endpoint, "http://[fd00:ec2::254]");

    ASSERT_FALSE(imds_options_from_environment(
        environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/"},
                               {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}),
        params, disabled, why));
    EXPECT_EQ(params.endpoint, "http://127.0.0.1:1338");

    EXPECT_EQ(imds_options_from_environment(
                  environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"}}),
                  params, disabled, why),
              errc::invalid_configuration);
    EXPECT_EQ(why, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is \"IPv5\"; expected IPv4 or IPv6");
}

struct chain_outcome {
    error_code ec;
    credentials creds;
    diagnostics diag;
};

struct chain_test : ::testing::Test {
    fs::path dir = fs::temp_directory_path() /
                   ("dynomite-chain-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override { fs::create_directories(dir); }
    void TearDown() override { fs::remove_all(dir); }

    void write(const std::string& name, const std::string& text)
    {
        std::ofstream(dir / name) << text;
    }
    variables files_env(variables extra = {})
    {
        extra.emplace("AWS_CONFIG_FILE", (dir / "config").string());
        extra.emplace("AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string());
        extra.emplace("HOME", dir.string());
        extra.emplace("AWS_EC2_METADATA_DISABLED", "true");
        return extra;
    }
    chain_outcome fetch(variables vars, std::string profile = {})
    {
        boost::asio::io_context io;
        credential_chain_options options;
        options.env = environment::from_map(std::move(vars));
        options.profile = std::move(profile);
        auto chain = make_default_credentials_chain(io.get_executor(), std::move(options));
        chain_outcome result;
        chain->async_get_credentials(result.diag, [&](error_code ec, credentials c) {
            result.ec = ec;
            result.creds = std::move(c);
        });
        io.run();
        return result;
    }
};

TEST_F(chain_test, environment_keys_come_before_the_files)
{
    write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n");
    auto result = fetch(files_env({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "e"}}));
    ASSERT_FALSE(result.ec) << result.diag.message;
    EXPECT_EQ(result.creds.access_key_id, "AKIDENV");
    result = fetch(files_env());
    ASSERT_FALSE(result.ec) << result.diag.message;
    EXPECT_EQ(result.creds.access_key_id, "AKIDFILE");
}

TEST_F(chain_test, nothing_configured_lists_every_place)
{
    auto result = fetch(files_env());
    EXPECT_EQ(result.ec, errc::no_credentials);
    EXPECT_EQ(result.diag.message,
              "no AWS credentials found; looked in: explicit settings (none given), the "
              "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set), web identity "
              "(AWS_WEB_IDENTITY_TOKEN_FILE is not set), profile \"default\" (absent from the "
              "shared files), container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
              "_FULL_URI are not set), EC2 instance metadata (AWS_EC2_METADATA_DISABLED is true)");
}

TEST_F(chain_test, half_set_variables_are_refused)
{
    auto result = fetch(files_env({{"AWS_ACCESS_KEY_ID", "AKID"}}));
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.diag.message, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    result = fetch(files_env({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"}}));
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.diag.message, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
}

TEST_F(chain_test, source_profile_cycles_are_detected)
{
    write("config",
          "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
          "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
          "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n");
    auto result = fetch(files_env(), "a");
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.diag.message, "source_profile cycle: \"a\" -> \"b\" -> \"c\" -> \"a\"");
}

TEST_F(chain_test, mfa_serial_needs_a_person)
{
    write("config", "[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = base\n"
                    "mfa_serial = arn:aws:iam::1:mfa/me\n[profile base]\naws_access_key_id = A\n"
                    "aws_secret_access_key = s\n");
    auto result = fetch(files_env(), "admin");
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_NE(result.diag.message.find("needs a person to type a code"), std::string::npos)
        << result.diag.message;
}

TEST_F(chain_test, role_settings_that_cannot_work)
{
    write("config",
          "[profile lonely]\nrole_arn = arn:aws:iam::1:role/x\n"
          "[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = lonely\n"
          "credential_source = Environment\n"
          "[profile odd_source]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Lambda\n"
          "[profile no_env]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n"
          "[profile missing]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = nowhere\n"
          "[profile long]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n"
          "duration_seconds = 99999\n"
          "[profile sso_half]\nsso_start_url = https://d-1.awsapps.com/start\n"
          "[profile sso_unknown]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n"
          "[profile token_only]\nweb_identity_token_file = /t\n");
    const std::map<std::string, std::string> expected{
        {"lonely", "profile \"lonely\" has role_arn but neither source_profile nor credential_source"},
        {"both", "profile \"both\" sets both source_profile and credential_source; keep one"},
        {"odd_source", "profile \"odd_source\" has credential_source = \"Lambda\"; expected "
                       "Environment, Ec2InstanceMetadata or EcsContainer"},
        {"no_env", "profile \"no_env\" has credential_source = Environment, but AWS_ACCESS_KEY_ID "
                   "and AWS_SECRET_ACCESS_KEY are not both set"},
        {"missing", "profile \"missing\" names source_profile \"nowhere\", which is in neither "
                    "shared file"},
        {"sso_half", "profile \"sso_half\" uses SSO but lacks sso_region, sso_account_id, "
                     "sso_role_name"},
        {"sso_unknown", "profile \"sso_unknown\" names sso_session \"corp\", but the config file "
                        "has no [sso-session corp]"},
        {"token_only", "profile \"token_only\" has web_identity_token_file but no role_arn"},
    };
    for (const auto& [profile, message] : expected) {
        auto result = fetch(files_env(), profile);
        EXPECT_EQ(result.ec, errc::invalid_configuration) << profile;
        EXPECT_EQ(result.diag.message, message) << profile;
    }
    auto result = fetch(files_env({{"AWS_ACCESS_KEY_ID", "A"}}), "long");
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    result = fetch(files_env(), "long");
    EXPECT_EQ(result.ec, errc::invalid_configuration);
}

TEST_F(chain_test, named_profile_must_exist)
{
    auto result = fetch(files_env({{"AWS_PROFILE", "ghost"}}));
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.diag.message, "profile \"ghost\" (from AWS_PROFILE) is in neither " +
                                       (dir / "credentials").string() + " nor " +
                                       (dir / "config").string());
}

TEST_F(chain_test, credential_process_output_is_read_and_failures_hide_it)
{
    write("config",
          "[profile proc]\ncredential_process = printf '{\"Version\": 1, \"AccessKeyId\": "
          "\"AKIDPROC\", \"SecretAccessKey\": \"proc-secret\"}'\n"
          "[profile broken]\ncredential_process = sh -c 'echo proc-secret; exit 3'\n"
          "[profile garbage]\ncredential_process = echo proc-secret\n");
    auto result = fetch(files_env(), "proc");
    ASSERT_FALSE(result.ec) << result.diag.message;
    EXPECT_EQ(result.creds.access_key_id, "AKIDPROC");
    EXPECT_FALSE(result.creds.expiration);

    result = fetch(files_env(), "broken");
    EXPECT_EQ(result.ec, errc::no_credentials);
    EXPECT_EQ(result.diag.message,
              "credential_process \"sh -c 'echo proc-secret; exit 3'\" exited with status 3");
    result = fetch(files_env(), "garbage");
    EXPECT_EQ(result.ec, errc::malformed_response);
    EXPECT_EQ(result.diag.message,
              "credential_process \"echo proc-secret\": its output: the answer is not a JSON object");
}

TEST_F(chain_test, expired_sso_token_says_to_log_in)
{
    write("config", "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
                    "sso_role_name = Reader\n[sso-session corp]\n"
                    "sso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-west-1\n");
    fs::create_directories(dir / ".aws/sso/cache");
    // SHA-1 of "corp".
    std::ofstream(dir / ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
        << R"({"accessToken":"sso-bearer-secret","expiresAt":"2020-01-01T00:00:00Z"})";
    auto result = fetch(files_env(), "dev");
    EXPECT_EQ(result.ec, errc::expired_token);
    EXPECT_EQ(result.diag.message,
              "SSO: the token for corp expired at 2020-01-01T00:00:00Z and cannot be refreshed: "
              "the cached token has no refreshToken, clientId, clientSecret, "
              "registrationExpiresAt to refresh it with; run `aws sso login --sso-session corp`");
    EXPECT_EQ(result.diag.message.find("sso-bearer-secret"), std::string::npos);
}

}  // namespace
