// SSO tokens of an sso-session refreshed through a fake SSO-OIDC CreateToken before the fake
// portal exchanges them, as botocore's SSOTokenProvider does; legacy tokens are not.
#include "support/auth/credential_servers.hpp"

#include <dynomite/auth/default_chain.hpp>
#include "auth/sso_token.hpp"
#include <dynomite/auth/profile_sources.hpp>
#include <dynomite/core/time.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using namespace dynomite;
using namespace dynomite::test;
namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using std::chrono::system_clock;

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

std::string at(system_clock::time_point t)
{
    return format_iso8601(std::chrono::time_point_cast<std::chrono::seconds>(t));
}

class sso_refresh_test : public ::testing::Test {
protected:
    fs::path cache = fs::temp_directory_path() /
                     ("dynomite-sso-" + std::to_string(::getpid()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    asio::io_context io;
    fake_sso_portal portal;
    fake_sso_oidc oidc;
    const std::string start_url = "https://d-90.awsapps.com/start";

    void SetUp() override
    {
        fs::create_directories(cache);
        oidc.expect("client-id-1", "client-secret-1", "refresh-secret-0");
    }
    void TearDown() override { fs::remove_all(cache); }

    fs::path session_file() const { return cache / (sha1_hex("corp") + ".json"); }

    /// The file `aws sso login --sso-session corp` leaves: the token and the client registration.
    json::object login_file(system_clock::time_point expires,
                            system_clock::time_point registration_expires)
    {
        return {{"startUrl", start_url},
                {"region", "eu-west-1"},
                {"accessToken", "old-access-secret"},
                {"expiresAt", at(expires)},
                {"clientId", "client-id-1"},
                {"clientSecret", "client-secret-1"},
                {"registrationExpiresAt", at(registration_expires)},
                {"refreshToken", "refresh-secret-0"}};
    }

    void write(const fs::path& path, const json::object& token)
    {
        std::ofstream(path) << json::serialize(token);
    }

    json::object read(const fs::path& path)
    {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        return json::parse(text.str()).as_object();
    }

    struct result {
        error_code ec;
        credentials creds;
        diagnostics diag;
    };

    result fetch(bool legacy = false, std::string oidc_url = {})
    {
        sso_options params;
        params.start_url = start_url;
        params.session_name = legacy ? "" : "corp";
        params.region = "eu-west-1";
        params.account_id = "111122223333";
        params.role_name = "Reader";
        params.cache_directory = cache.string();
        params.portal_url = portal.url();
        params.oidc_url = oidc_url.empty() ? oidc.url() : oidc_url;
        params.profile = "dev";
        auto provider = std::make_shared<sso_credentials_provider>(io.get_executor(), params);
        result r;
        provider->async_get_credentials(r.diag, [&](error_code ec, credentials c) {
            r.ec = ec;
            r.creds = std::move(c);
        });
        io.restart();
        io.run();
        return r;
    }
};

TEST(sso_token, refresh_decisions_follow_botocore)
{
    const auto now = system_clock::now();
    detail::sso_cached_token token;
    std::string why;
    ASSERT_FALSE(detail::parse_sso_cached_token(
        R"({"accessToken":"a","expiresAt":")" + at(now + 16min) + R"("})", token, why));
    EXPECT_FALSE(detail::sso_token_wants_refresh(token, now));
    token.expires_at = now + 14min;
    EXPECT_TRUE(detail::sso_token_wants_refresh(token, now));
    EXPECT_FALSE(detail::sso_token_can_refresh(token, now, why));
    EXPECT_EQ(why, "the cached token has no refreshToken, clientId, clientSecret, "
                   "registrationExpiresAt to refresh it with");
    token.refresh_token = "r";
    token.client_id = "c";
    token.client_secret = "s";
    token.registration_expires_at = now - 1s;
    EXPECT_FALSE(detail::sso_token_can_refresh(token, now, why));
    EXPECT_EQ(why.rfind("the client registration expired at ", 0), 0u) << why;
    token.registration_expires_at = now + 1h;
    EXPECT_TRUE(detail::sso_token_can_refresh(token, now, why));

    // The request body of CreateToken, as the SSO OIDC API reference gives it.
    EXPECT_EQ(json::parse(detail::sso_create_token_body(token)),
              json::parse(R"({"clientId":"c","clientSecret":"s","grantType":"refresh_token",
                              "refreshToken":"r"})"));
    EXPECT_EQ(detail::apply_sso_create_token(R"({"accessToken":"n"})", now, token, why),
              errc::malformed_response);
    EXPECT_EQ(why, "the CreateToken answer has no positive whole \"expiresIn\"");
    EXPECT_EQ(detail::parse_sso_cached_token("[]", token, why), errc::invalid_configuration);
    EXPECT_EQ(why, "is not a JSON object");
    EXPECT_EQ(detail::parse_sso_cached_token(R"({"accessToken":"a"})", token, why),
              errc::invalid_configuration);
    EXPECT_EQ(why, "lacks accessToken or expiresAt");
    EXPECT_EQ(detail::parse_sso_cached_token(R"({"accessToken":"a","expiresAt":"soon"})", token,
                                             why),
              errc::invalid_configuration);
    EXPECT_EQ(why, "has an expiresAt that is not an ISO-8601 time");
    EXPECT_EQ(detail::sso_oidc_endpoint("eu-west-1"), "https://oidc.eu-west-1.amazonaws.com");
}

TEST_F(sso_refresh_test, token_inside_the_window_is_refreshed_and_written_back)
{
    const auto registration = system_clock::now() + 60 * 24h;
    json::object login = login_file(system_clock::now() + 5min, registration);
    login["extraField"] = "kept";
    write(session_file(), login);
    portal.expect("refreshed-access-1", "111122223333", "Reader");
    const auto before = system_clock::now();

    const result r = fetch();
    ASSERT_FALSE(r.ec) << r.diag.message;
    EXPECT_EQ(r.creds.access_key_id, "ASIASSO1");
    ASSERT_EQ(oidc.server.requests().size(), 1u);
    const recorded_request sent = oidc.server.requests()[0];
    EXPECT_EQ(sent.header("content-type").value_or(""), "application/json");
    EXPECT_FALSE(sent.header("authorization"));  // CreateToken is unsigned

    const json::object saved = read(session_file());
    EXPECT_EQ(saved.at("accessToken"), "refreshed-access-1");
    EXPECT_EQ(saved.at("refreshToken"), "refresh-1");
    EXPECT_EQ(saved.at("clientId"), "client-id-1");
    EXPECT_EQ(saved.at("clientSecret"), "client-secret-1");
    EXPECT_EQ(saved.at("registrationExpiresAt"), json::value(at(registration)));
    EXPECT_EQ(saved.at("startUrl"), json::value(start_url));
    EXPECT_EQ(saved.at("region"), "eu-west-1");
    EXPECT_EQ(saved.at("extraField"), "kept");
    std::chrono::sys_time<std::chrono::seconds> expires;
    ASSERT_FALSE(parse_iso8601(std::string(saved.at("expiresAt").as_string()), expires));
    EXPECT_GE(expires, std::chrono::floor<std::chrono::seconds>(before) + 8h);
    // Written through a temporary file renamed over the old one, readable by its owner alone.
    EXPECT_EQ(std::distance(fs::directory_iterator(cache), fs::directory_iterator()), 1);
    EXPECT_EQ(fs::status(session_file()).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);

    // The refreshed token is outside the window: the next fetch goes to the portal alone.
    portal.expect("refreshed-access-1", "111122223333", "Reader");
    EXPECT_FALSE(fetch().ec);
    EXPECT_EQ(oidc.server.requests().size(), 1u);
}

TEST_F(sso_refresh_test, expired_token_with_a_live_registration_is_refreshed)
{
    write(session_file(), login_file(system_clock::now() - 1h, system_clock::now() + 24h));
    portal.expect("refreshed-access-1", "111122223333", "Reader");
    const result r = fetch();
    ASSERT_FALSE(r.ec) << r.diag.message;
    EXPECT_EQ(oidc.server.requests().size(), 1u);
}

TEST_F(sso_refresh_test, failed_refresh_keeps_a_token_that_is_still_valid)
{
    const json::object login = login_file(system_clock::now() + 5min, system_clock::now() + 24h);
    write(session_file(), login);
    oidc.fail_next(400, "InvalidGrantException", "invalid_grant");
    portal.expect("old-access-secret", "111122223333", "Reader");
    const result r = fetch();
    ASSERT_FALSE(r.ec) << r.diag.message;
    EXPECT_EQ(oidc.server.requests().size(), 1u);
    EXPECT_EQ(read(session_file()), login);
}

TEST_F(sso_refresh_test, failed_refresh_of_an_expired_token_says_to_log_in)
{
    const auto expired = system_clock::now() - 1min;
    write(session_file(), login_file(expired, system_clock::now() + 24h));
    oidc.fail_next(400, "InvalidGrantException", "invalid_grant");
    const result r = fetch();
    EXPECT_EQ(r.ec, errc::expired_token);
    EXPECT_EQ(r.diag.message,
              "SSO: the token for corp expired at " + at(expired) +
                  " and cannot be refreshed: SSO-OIDC CreateToken: HTTP 400 invalid_grant: "
                  "refused as the test asked; run `aws sso login --sso-session corp`");
    for (const char* secret : {"old-access-secret", "client-secret-1", "refresh-secret-0"})
        EXPECT_EQ(r.diag.to_string().find(secret), std::string::npos) << secret;
    EXPECT_TRUE(portal.server.requests().empty());

    // An OIDC endpoint that cannot be reached is no different.
    const result unreachable = fetch(false, "http://127.0.0.1:9");
    EXPECT_EQ(unreachable.ec, errc::expired_token);
    EXPECT_NE(unreachable.diag.message.find("cannot be refreshed: SSO-OIDC CreateToken: "
                                            "connecting to 127.0.0.1:9: "),
              std::string::npos)
        << unreachable.diag.message;
}

TEST_F(sso_refresh_test, expired_registration_or_missing_keys_mean_logging_in)
{
    const auto expired = system_clock::now() - 1min;
    write(session_file(), login_file(expired, system_clock::now() - 1s));
    result r = fetch();
    EXPECT_EQ(r.ec, errc::expired_token);
    EXPECT_NE(r.diag.message.find("cannot be refreshed: the client registration expired at"),
              std::string::npos)
        << r.diag.message;

    json::object no_refresh = login_file(expired, system_clock::now() + 24h);
    no_refresh.erase("refreshToken");
    write(session_file(), no_refresh);
    r = fetch();
    EXPECT_EQ(r.ec, errc::expired_token);
    EXPECT_NE(r.diag.message.find("has no refreshToken to refresh it with"), std::string::npos)
        << r.diag.message;
    EXPECT_TRUE(oidc.server.requests().empty());
}

TEST_F(sso_refresh_test, legacy_tokens_are_not_refreshed)
{
    const auto expired = system_clock::now() - 1min;
    write(cache / (sha1_hex(start_url) + ".json"),
          login_file(expired, system_clock::now() + 24h));
    const result r = fetch(true);
    EXPECT_EQ(r.ec, errc::expired_token);
    EXPECT_EQ(r.diag.message, "SSO: the token for " + start_url + " expired at " + at(expired) +
                                  "; run `aws sso login --profile dev`");
    EXPECT_TRUE(oidc.server.requests().empty());
}

TEST_F(sso_refresh_test, valid_token_outside_the_window_is_not_refreshed)
{
    write(session_file(), login_file(system_clock::now() + 1h, system_clock::now() + 24h));
    portal.expect("old-access-secret", "111122223333", "Reader");
    EXPECT_FALSE(fetch().ec);
    EXPECT_TRUE(oidc.server.requests().empty());
}

TEST_F(sso_refresh_test, the_chain_finds_sso_oidc_through_the_environment)
{
    const fs::path home = cache / "home";
    fs::create_directories(home / ".aws/sso/cache");
    std::ofstream(home / ".aws/config")
        << "[default]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Reader\n"
           "[sso-session corp]\nsso_start_url = " + start_url + "\nsso_region = eu-west-1\n";
    write(home / ".aws/sso/cache" / (sha1_hex("corp") + ".json"),
          login_file(system_clock::now() - 1min, system_clock::now() + 24h));
    portal.expect("refreshed-access-1", "111122223333", "Reader");
    credential_chain_options options;
    options.env = environment::from_map({{"HOME", home.string()},
                                         {"AWS_CONFIG_FILE", (home / ".aws/config").string()},
                                         {"AWS_SHARED_CREDENTIALS_FILE", (home / "none").string()},
                                         {"AWS_EC2_METADATA_DISABLED", "true"},
                                         {"AWS_ENDPOINT_URL_SSO", portal.url()},
                                         {"AWS_ENDPOINT_URL_SSO_OIDC", oidc.url()}});
    auto chain = make_default_credentials_chain(io.get_executor(), options);
    diagnostics diag;
    error_code got = make_error_code(errc::no_credentials);
    chain->async_get_credentials(diag, [&](error_code ec, credentials) { got = ec; });
    io.run();
    EXPECT_FALSE(got) << diag.message;
    EXPECT_EQ(oidc.server.requests().size(), 1u);
}

}  // namespace
