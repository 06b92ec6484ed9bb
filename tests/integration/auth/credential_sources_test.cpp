// Each credentials source, end to end: fake IMDSv2, container, STS and SSO portal servers hand
// out credentials, and a client signs with them against DynamoDB Local. DynamoDB Local keeps
// one database per access key id, so a client given the expected key id directly, finding the
// item, shows which credentials signed the writes.
#include "support/auth/credential_servers.hpp"
#include "support/test_env.hpp"

#include <dynomite/auth/caching_provider.hpp>
#include <dynomite/auth/default_chain.hpp>
#include <dynomite/client/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

using namespace dynomite;
using namespace dynomite::test;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using variables = std::map<std::string, std::string, std::less<>>;

std::string sha1_hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

class credential_sources_test : public ::testing::Test {
protected:
    fs::path dir = fs::temp_directory_path() /
                   ("dynomite-sources-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    asio::io_context io;

    void SetUp() override { fs::create_directories(dir / ".aws"); }
    void TearDown() override { fs::remove_all(dir); }

    void write(const fs::path& path, const std::string& text)
    {
        fs::create_directories(path.parent_path());
        std::ofstream(path) << text;
    }

    /// The variables of a machine with nothing configured, plus `extra`.
    variables bare_env(variables extra = {})
    {
        extra.emplace("HOME", dir.string());
        extra.emplace("AWS_CONFIG_FILE", (dir / ".aws/config").string());
        extra.emplace("AWS_SHARED_CREDENTIALS_FILE", (dir / ".aws/credentials").string());
        extra.emplace("AWS_EC2_METADATA_DISABLED", "true");
        return extra;
    }

    client_config config_with(variables vars)
    {
        client_config config;
        config.endpoint = integration_endpoint();
        config.region = std::string(test_region);
        config.env = environment::from_map(std::move(vars));
        return config;
    }

    template <class T>
    T run(asio::awaitable<T> op)
    {
        std::optional<T> result;
        std::exception_ptr failure;
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T value) {
            failure = e;
            if (!e) result.emplace(std::move(value));
        });
        io.restart();
        io.run();
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

    /// Creates a table, puts an item and reads it back with `db`; returns the table's name.
    std::string put_and_get(client& db)
    {
        const std::string table = unique_table_name("auth");
        create_table_request create;
        create.table_name = table;
        create.attribute_definitions = {{"pk", scalar_attribute_type::s}};
        create.key_schema = {{"pk", key_type::hash}};
        create.billing_mode = billing_mode::pay_per_request;
        run(db.create_table(create));
        put_item_request put;
        put.table_name = table;
        put.item = {{"pk", attribute_value("k")}, {"v", attribute_value("signed")}};
        run(db.put_item(put));
        get_item_request get;
        get.table_name = table;
        get.key = {{"pk", attribute_value("k")}};
        get.consistent_read = true;
        auto got = run(db.get_item(get));
        EXPECT_TRUE(got.item) << table;
        if (got.item) {
            const attribute_value* v = got.item->find("v");
            EXPECT_TRUE(v != nullptr && *v == attribute_value("signed"));
        }
        return table;
    }

    /// Whether a client holding `access_key_id` directly sees the item in `table`: DynamoDB
    /// Local's databases are per access key id. Deletes the table.
    bool seen_by_key(const std::string& access_key_id, const std::string& table)
    {
        client_config config = config_with(bare_env());
        // DynamoDB Local ignores the secret; the verifying proxy wants its own.
        const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
        config.credentials = credentials{access_key_id, secret ? secret : "any-secret", ""};
        client oracle(io.get_executor(), config);
        get_item_request get;
        get.table_name = table;
        get.key = {{"pk", attribute_value("k")}};
        get.consistent_read = true;
        auto [ec, got] = run(oracle.async_get_item(get, asio::as_tuple(asio::use_awaitable)));
        if (ec) return false;
        delete_table_request drop;
        drop.table_name = table;
        run(oracle.delete_table(drop));
        return got.item.has_value();
    }
};

TEST_F(credential_sources_test, web_identity_from_the_environment)
{
    fake_sts sts;
    sts.expect_web_identity_token("eyJhbGciOiJSUzI1NiJ9.web-identity-secret");
    write(dir / "token", "eyJhbGciOiJSUzI1NiJ9.web-identity-secret\n");
    client db(io.get_executor(),
              config_with(bare_env({{"AWS_WEB_IDENTITY_TOKEN_FILE", (dir / "token").string()},
                                    {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web"},
                                    {"AWS_ROLE_SESSION_NAME", "pod-7"},
                                    {"AWS_ENDPOINT_URL_STS", sts.url()}})));
    const std::string table = put_and_get(db);
    // The oracle discriminates: another key id does not see the table.
    EXPECT_FALSE(seen_by_key("AKIDSOMEONEELSE", table));
    EXPECT_TRUE(seen_by_key("ASIASTS1", table));
    ASSERT_EQ(sts.server.count("POST"), 1u);
    auto form = parse_form(sts.server.requests()[0].body);
    EXPECT_EQ(form["Action"], "AssumeRoleWithWebIdentity");
    EXPECT_EQ(form["RoleArn"], "arn:aws:iam::123456789012:role/web");
    EXPECT_EQ(form["RoleSessionName"], "pod-7");
    EXPECT_FALSE(sts.server.requests()[0].header("authorization"));
}

TEST_F(credential_sources_test, web_identity_from_a_profile)
{
    fake_sts sts;
    sts.expect_web_identity_token("profile-web-identity-token");
    write(dir / "token", "profile-web-identity-token");
    write(dir / ".aws/config", "[profile ci]\nweb_identity_token_file = " + (dir / "token").string() +
                                   "\nrole_arn = arn:aws:iam::123456789012:role/ci\n"
                                   "role_session_name = build-12\n");
    client db(io.get_executor(),
              config_with(bare_env({{"AWS_PROFILE", "ci"}, {"AWS_ENDPOINT_URL_STS", sts.url()}})));
    EXPECT_TRUE(seen_by_key("ASIASTS1", put_and_get(db)));
    ASSERT_EQ(sts.server.count("POST"), 1u);
    auto form = parse_form(sts.server.requests()[0].body);
    EXPECT_EQ(form["Action"], "AssumeRoleWithWebIdentity");
    EXPECT_EQ(form["RoleArn"], "arn:aws:iam::123456789012:role/ci");
    EXPECT_EQ(form["RoleSessionName"], "build-12");
}

TEST_F(credential_sources_test, profile_chained_through_two_assume_role_steps)
{
    fake_sts sts;
    sts.trust("AKIDBASEPROFILE");
    write(dir / ".aws/credentials",
          "[base]\naws_access_key_id = AKIDBASEPROFILE\naws_secret_access_key = base-secret\n");
    write(dir / ".aws/config",
          "[profile middle]\nrole_arn = arn:aws:iam::111111111111:role/middle\n"
          "source_profile = base\n"
          "[profile top]\nrole_arn = arn:aws:iam::222222222222:role/top\nsource_profile = middle\n"
          "external_id = partner-42\nduration_seconds = 1800\nrole_session_name = nightly\n"
          "region = us-east-1\n");
    client db(io.get_executor(),
              config_with(bare_env({{"AWS_PROFILE", "top"}, {"AWS_ENDPOINT_URL_STS", sts.url()}})));
    const std::string table = put_and_get(db);
    EXPECT_TRUE(seen_by_key("ASIASTS2", table));
    EXPECT_EQ(sts.signers(), (std::vector<std::string>{"AKIDBASEPROFILE", "ASIASTS1"}));
    const auto requests = sts.server.requests();
    ASSERT_EQ(requests.size(), 2u);
    auto first = parse_form(requests[0].body);
    auto second = parse_form(requests[1].body);
    EXPECT_EQ(first["RoleArn"], "arn:aws:iam::111111111111:role/middle");
    EXPECT_FALSE(first.contains("ExternalId"));
    EXPECT_EQ(second["RoleArn"], "arn:aws:iam::222222222222:role/top");
    EXPECT_EQ(second["ExternalId"], "partner-42");
    EXPECT_EQ(second["DurationSeconds"], "1800");
    EXPECT_EQ(second["RoleSessionName"], "nightly");
}

TEST_F(credential_sources_test, sts_errors_reach_the_caller_with_their_code_and_no_token)
{
    fake_sts sts;
    sts.expect_web_identity_token("web-identity-secret-7f3a");
    sts.fail_next("RegionDisabledException", "STS is not activated in this region", 403);
    write(dir / "token", "web-identity-secret-7f3a");
    std::vector<std::string> logged;
    client_config config =
        config_with(bare_env({{"AWS_WEB_IDENTITY_TOKEN_FILE", (dir / "token").string()},
                              {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                              {"AWS_ENDPOINT_URL_STS", sts.url()}}));
    config.logger = [&](log_level, std::string_view line) { logged.emplace_back(line); };
    config.min_log_level = log_level::debug;
    client db(io.get_executor(), config);
    diagnostics diag;
    list_tables_request list;
    auto [ec, listed] = run(db.async_list_tables(list, diag, asio::as_tuple(asio::use_awaitable)));
    EXPECT_EQ(ec, errc::unknown_service_error);
    EXPECT_EQ(diag.aws_type, "RegionDisabledException");
    EXPECT_EQ(diag.message, "STS AssumeRoleWithWebIdentity for arn:aws:iam::1:role/r: STS "
                            "RegionDisabledException: STS is not activated in this region");
    EXPECT_EQ(diag.http_status, 403u);

    // A token STS refuses: its code comes through, the token does not.
    write(dir / "token", "web-identity-secret-9c1d");
    diag.clear();
    auto [refused, nothing] =
        run(db.async_list_tables(list, diag, asio::as_tuple(asio::use_awaitable)));
    EXPECT_EQ(refused, errc::unknown_service_error);
    EXPECT_EQ(diag.aws_type, "InvalidIdentityToken");
    EXPECT_FALSE(logged.empty());
    for (const std::string& line : logged)
        EXPECT_EQ(line.find("web-identity-secret"), std::string::npos) << line;
    EXPECT_EQ(diag.to_string().find("web-identity-secret"), std::string::npos);
}

TEST_F(credential_sources_test, container_relative_uri)
{
    fake_container container;
    credential_chain_options options;
    options.env = environment::from_map(
        bare_env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-1"}}));
    options.container_base = container.url();
    client_config config = config_with(bare_env());
    config.credentials_provider = make_default_credentials_chain(io.get_executor(), options);
    client db(io.get_executor(), config);
    const std::string table = put_and_get(db);
    EXPECT_TRUE(seen_by_key("ASIACONTAINER1", table));
    ASSERT_EQ(container.server.requests().size(), 1u);
    EXPECT_EQ(container.server.requests()[0].target, "/v2/credentials/task-1");
}

TEST_F(credential_sources_test, container_token_file_is_read_for_each_fetch)
{
    fake_container container;
    container.expect_token("first-authorization-secret");
    write(dir / "container-token", "first-authorization-secret\n");
    std::vector<std::string> logged;
    // One clock for the cache and the endpoint, which reads it from its own thread.
    const auto origin = std::chrono::system_clock::now();
    std::atomic<int> hours_later{0};
    const auto clock = [&] { return origin + std::chrono::hours(hours_later.load()); };
    container.issuer.set_clock(clock);
    caching_options cache;
    cache.clock = clock;
    cache.logger = [&](log_level, std::string_view line) { logged.emplace_back(line); };
    credential_chain_options options;
    options.env = environment::from_map(
        bare_env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url() + "/creds"},
                  {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (dir / "container-token").string()}}));
    auto provider = caching_credentials_provider::create(
        io.get_executor(), make_default_credentials_chain(io.get_executor(), options), cache);
    client_config config = config_with(bare_env());
    config.credentials_provider = provider;
    client db(io.get_executor(), config);
    const std::string first_table = put_and_get(db);
    EXPECT_TRUE(seen_by_key("ASIACONTAINER1", first_table));

    // The agent rotates the token; the credentials expire; the next fetch sends the new one.
    write(dir / "container-token", "second-authorization-secret");
    container.expect_token("second-authorization-secret");
    hours_later += 2;
    const std::string second_table = put_and_get(db);
    EXPECT_TRUE(seen_by_key("ASIACONTAINER2", second_table));
    const auto requests = container.server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("authorization"), "first-authorization-secret");
    EXPECT_EQ(requests[1].header("authorization"), "second-authorization-secret");

    // A token the endpoint refuses: the error names the endpoint, never the token.
    write(dir / "container-token", "third-authorization-secret");
    hours_later += 2;
    diagnostics diag;
    list_tables_request list;
    auto [ec, listed] = run(db.async_list_tables(list, diag, asio::as_tuple(asio::use_awaitable)));
    EXPECT_EQ(ec, errc::access_denied);
    EXPECT_EQ(diag.message, "container credentials at " + container.url() +
                                "/creds: HTTP 403 AccessDenied: Unable to authenticate");
    for (const std::string& line : logged) EXPECT_EQ(line.find("authorization-secret"), std::string::npos) << line;
    EXPECT_EQ(diag.to_string().find("authorization-secret"), std::string::npos);
}

TEST_F(credential_sources_test, instance_metadata_v2_only)
{
    fake_imds imds;
    variables vars = bare_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}});
    vars.erase("AWS_EC2_METADATA_DISABLED");
    client db(io.get_executor(), config_with(vars));
    const std::string table = put_and_get(db);
    EXPECT_TRUE(seen_by_key("ASIAIMDS1", table));
    EXPECT_EQ(imds.server.count("PUT", "/latest/api/token"), 1u);
    EXPECT_EQ(imds.server.count("GET", "/latest/meta-data/iam/security-credentials/"), 2u);
    EXPECT_EQ(imds.unauthorized.load(), 0);
}

TEST_F(credential_sources_test, unreachable_instance_metadata_means_no_credentials)
{
    fake_imds imds;
    variables vars = bare_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"}});
    vars.erase("AWS_EC2_METADATA_DISABLED");
    client db(io.get_executor(), config_with(vars));
    diagnostics diag;
    list_tables_request list;
    auto [ec, listed] = run(db.async_list_tables(list, diag, asio::as_tuple(asio::use_awaitable)));
    EXPECT_EQ(ec, errc::no_credentials);
    EXPECT_NE(diag.message.find("EC2 instance metadata (EC2 instance metadata at "
                                "http://127.0.0.1:9: getting a session token: "),
              std::string::npos)
        << diag.message;
}

TEST_F(credential_sources_test, sso_legacy_and_session_profiles)
{
    fake_sso_portal portal;
    portal.expect("sso-bearer-secret", "111122223333", "Reader");
    write(dir / ".aws/config",
          "[profile legacy]\nsso_start_url = https://d-90.awsapps.com/start\n"
          "sso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = Reader\n"
          "[profile modern]\nsso_session = corp\nsso_account_id = 111122223333\n"
          "sso_role_name = Reader\n"
          "[sso-session corp]\nsso_start_url = https://d-90.awsapps.com/start\n"
          "sso_region = eu-west-1\n");
    const std::string cached =
        R"({"accessToken":"sso-bearer-secret","expiresAt":"2099-01-01T00:00:00Z","region":"eu-west-1"})";
    write(dir / ".aws/sso/cache" / (sha1_hex("https://d-90.awsapps.com/start") + ".json"), cached);
    write(dir / ".aws/sso/cache" / (sha1_hex("corp") + ".json"), cached);

    client legacy(io.get_executor(),
                  config_with(bare_env({{"AWS_PROFILE", "legacy"}, {"AWS_ENDPOINT_URL_SSO", portal.url()}})));
    EXPECT_TRUE(seen_by_key("ASIASSO1", put_and_get(legacy)));
    client modern(io.get_executor(),
                  config_with(bare_env({{"AWS_PROFILE", "modern"}, {"AWS_ENDPOINT_URL_SSO", portal.url()}})));
    EXPECT_TRUE(seen_by_key("ASIASSO2", put_and_get(modern)));
    const auto requests = portal.server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].target, "/federation/credentials?role_name=Reader&account_id=111122223333");

    // A token the portal no longer accepts: log in again.
    portal.expect("another-token", "111122223333", "Reader");
    client refused(io.get_executor(),
                   config_with(bare_env({{"AWS_PROFILE", "legacy"}, {"AWS_ENDPOINT_URL_SSO", portal.url()}})));
    diagnostics diag;
    list_tables_request list;
    auto [ec, listed] = run(refused.async_list_tables(list, diag, asio::as_tuple(asio::use_awaitable)));
    EXPECT_EQ(ec, errc::expired_token);
    EXPECT_NE(diag.message.find("run `aws sso login --profile legacy`"), std::string::npos) << diag.message;
    EXPECT_EQ(diag.message.find("sso-bearer-secret"), std::string::npos);
}

// Every source configured at once; removing the winner each time shows the next in order.
TEST_F(credential_sources_test, chain_order_source_by_source)
{
    fake_sts sts;
    fake_container container;
    fake_imds imds;
    sts.expect_web_identity_token("tok");
    write(dir / "token", "tok");
    write(dir / ".aws/credentials",
          "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n");
    variables all{{"AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT"},
                  {"AWS_SECRET_ACCESS_KEY", "e"},
                  {"AWS_WEB_IDENTITY_TOKEN_FILE", (dir / "token").string()},
                  {"AWS_ROLE_ARN", "arn:aws:iam::1:role/web"},
                  {"AWS_ENDPOINT_URL_STS", sts.url()},
                  {"AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url() + "/creds"},
                  {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}};
    const auto fetch = [&](const variables& vars, std::optional<credentials> explicit_creds = {}) {
        credential_chain_options options;
        options.explicit_credentials = std::move(explicit_creds);
        options.env = environment::from_map(vars);
        auto chain = make_default_credentials_chain(io.get_executor(), options);
        diagnostics diag;
        std::string id;
        chain->async_get_credentials(diag, [&](error_code ec, credentials c) {
            EXPECT_FALSE(ec) << diag.message;
            id = c.access_key_id;
        });
        io.restart();
        io.run();
        return id;
    };
    variables vars = bare_env(all);
    vars.erase("AWS_EC2_METADATA_DISABLED");
    EXPECT_EQ(fetch(vars, credentials{"AKIDEXPLICIT", "x", ""}), "AKIDEXPLICIT");
    EXPECT_EQ(fetch(vars), "AKIDENVIRONMENT");
    vars.erase("AWS_ACCESS_KEY_ID");
    vars.erase("AWS_SECRET_ACCESS_KEY");
    EXPECT_EQ(fetch(vars), "ASIASTS1");
    vars.erase("AWS_WEB_IDENTITY_TOKEN_FILE");
    EXPECT_EQ(fetch(vars), "AKIDPROFILE");
    fs::remove(dir / ".aws/credentials");
    EXPECT_EQ(fetch(vars), "ASIACONTAINER1");
    vars.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    EXPECT_EQ(fetch(vars), "ASIAIMDS1");

    // And the last one signs DynamoDB requests.
    client db(io.get_executor(), config_with(vars));
    EXPECT_TRUE(seen_by_key("ASIAIMDS2", put_and_get(db)));
}

}  // namespace
