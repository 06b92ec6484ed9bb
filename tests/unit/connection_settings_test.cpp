// The connection settings read sans-io: proxy URLs, NO_PROXY, the proxy chosen for an
// endpoint, the CONNECT request, the CA certificates' source and the spread over addresses.
#include "transport/address_rotation.hpp"
#include "transport/proxy_route.hpp"
#include "transport/tls_setup.hpp"

#include <dynomite/auth/metadata_providers.hpp>
#include <dynomite/auth/profile_sources.hpp>
#include <dynomite/auth/sts_providers.hpp>
#include <dynomite/transport/endpoint.hpp>
#include <dynomite/transport/params.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <type_traits>

namespace {

using dynomite::endpoint;
using dynomite::environment;
using dynomite::errc;
using dynomite::proxy_options;
using dynomite::tls_options;
using namespace dynomite::detail;

// Code written against the names before the *_options renaming still compiles.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static_assert(std::is_same_v<dynomite::pool_params, dynomite::pool_options>);
static_assert(std::is_same_v<dynomite::retry_params, dynomite::retry_options>);
static_assert(std::is_same_v<dynomite::tls_params, dynomite::tls_options>);
static_assert(std::is_same_v<dynomite::proxy_params, dynomite::proxy_options>);
static_assert(std::is_same_v<dynomite::container_params, dynomite::container_options>);
static_assert(std::is_same_v<dynomite::imds_params, dynomite::imds_options>);
static_assert(std::is_same_v<dynomite::sso_params, dynomite::sso_options>);
static_assert(std::is_same_v<dynomite::assume_role_params, dynomite::assume_role_options>);
static_assert(std::is_same_v<dynomite::web_identity_params, dynomite::web_identity_options>);
#pragma GCC diagnostic pop

endpoint https_target() { return dynomite::parse_endpoint("https://dynamodb.us-east-1.amazonaws.com"); }
endpoint http_target() { return dynomite::parse_endpoint("http://127.0.0.1:8000"); }

TEST(ProxyUrl, HostAndPort)
{
    proxy_route route;
    std::string why;
    ASSERT_FALSE(parse_proxy_url("http://proxy.internal:3128", "HTTPS_PROXY", route, why)) << why;
    EXPECT_EQ(route.host, "proxy.internal");
    EXPECT_EQ(route.port, 3128);
    EXPECT_EQ(route.display, "http://proxy.internal:3128");
    EXPECT_EQ(route.authorization, "");
    EXPECT_EQ(route.origin, "HTTPS_PROXY");
}

TEST(ProxyUrl, WithoutSchemeOrPortIsHttpOnPort80)
{
    proxy_route route;
    std::string why;
    ASSERT_FALSE(parse_proxy_url("proxy.internal/", "HTTP_PROXY", route, why)) << why;
    EXPECT_EQ(route.host, "proxy.internal");
    EXPECT_EQ(route.port, 80);
}

TEST(ProxyUrl, Ipv6Address)
{
    proxy_route route;
    std::string why;
    ASSERT_FALSE(parse_proxy_url("http://[::1]:8080", "x", route, why)) << why;
    EXPECT_EQ(route.host, "::1");
    EXPECT_EQ(route.display, "http://[::1]:8080");
}

TEST(ProxyUrl, UserAndPasswordGiveBasicAuthorization)
{
    proxy_route route;
    std::string why;
    // RFC 7617's example: Aladdin / open sesame; the password percent-encoded in the URL.
    ASSERT_FALSE(parse_proxy_url("http://Aladdin:open%20sesame@proxy:3128", "x", route, why)) << why;
    EXPECT_EQ(route.authorization, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    EXPECT_EQ(route.display.find("sesame"), std::string::npos);
}

TEST(ProxyUrl, RefusesOtherSchemesPathsAndBadPorts)
{
    proxy_route route;
    std::string why;
    EXPECT_EQ(parse_proxy_url("https://proxy:3128", "HTTPS_PROXY", route, why),
              errc::invalid_configuration);
    EXPECT_NE(why.find("HTTPS_PROXY"), std::string::npos) << why;
    EXPECT_NE(why.find("only http://"), std::string::npos) << why;
    EXPECT_EQ(parse_proxy_url("socks5://proxy:1080", "x", route, why), errc::invalid_configuration);
    EXPECT_EQ(parse_proxy_url("http://proxy:3128/path", "x", route, why),
              errc::invalid_configuration);
    EXPECT_EQ(parse_proxy_url("http://proxy:99999", "x", route, why), errc::invalid_configuration);
    EXPECT_EQ(parse_proxy_url("http://user:secret@proxy:0", "x", route, why),
              errc::invalid_configuration);
    EXPECT_EQ(why.find("secret"), std::string::npos) << why;
}

// Expectations checked against Python's urllib.request.proxy_bypass_environment, which
// botocore uses, with "host:port" as botocore passes it.
TEST(NoProxy, MatchesAsBotocoreDoes)
{
    EXPECT_TRUE(bypasses_proxy("example.com", "example.com", 443));
    EXPECT_TRUE(bypasses_proxy("example.com", "db.example.com", 443));
    EXPECT_TRUE(bypasses_proxy(".example.com", "example.com", 443));
    EXPECT_TRUE(bypasses_proxy(".example.com", "db.example.com", 443));
    EXPECT_FALSE(bypasses_proxy("example.com", "badexample.com", 443));
    EXPECT_TRUE(bypasses_proxy("example.com:8000", "example.com", 8000));
    EXPECT_FALSE(bypasses_proxy("example.com:8000", "example.com", 443));
    EXPECT_TRUE(bypasses_proxy("127.0.0.1", "127.0.0.1", 8000));
    EXPECT_FALSE(bypasses_proxy("127.0.0.1:9", "127.0.0.1", 8000));
    EXPECT_TRUE(bypasses_proxy("*", "anything", 1));
    EXPECT_TRUE(bypasses_proxy("a.org, example.com ", "example.com", 443));
    EXPECT_TRUE(bypasses_proxy("EXAMPLE.com", "Example.COM", 443));
    EXPECT_FALSE(bypasses_proxy("", "example.com", 443));
    EXPECT_FALSE(bypasses_proxy(",, ,", "example.com", 443));
}

TEST(NoProxy, Ipv6Addresses)
{
    EXPECT_TRUE(bypasses_proxy("::1", "::1", 8000));
    EXPECT_TRUE(bypasses_proxy("[::1]", "::1", 8000));
    EXPECT_TRUE(bypasses_proxy("[::1]:8000", "::1", 8000));
    EXPECT_FALSE(bypasses_proxy("[::1]:9", "::1", 8000));
    EXPECT_TRUE(bypasses_proxy("0:0::1", "::1", 8000));  // the same address written otherwise
}

TEST(ChooseProxy, HttpsEndpointsUseHttpsProxyAndHttpOnesHttpProxy)
{
    const auto env = environment::from_map(
        {{"HTTPS_PROXY", "http://secure-proxy:1"}, {"HTTP_PROXY", "http://plain-proxy:2"}});
    std::optional<proxy_route> route;
    std::string why;
    ASSERT_FALSE(choose_proxy({}, env, https_target(), route, why)) << why;
    ASSERT_TRUE(route);
    EXPECT_EQ(route->host, "secure-proxy");
    EXPECT_EQ(route->origin, "HTTPS_PROXY");
    ASSERT_FALSE(choose_proxy({}, env, http_target(), route, why)) << why;
    ASSERT_TRUE(route);
    EXPECT_EQ(route->host, "plain-proxy");
}

TEST(ChooseProxy, LowercaseVariablesComeFirst)
{
    const auto env = environment::from_map({{"https_proxy", "http://lower:1"},
                                            {"HTTPS_PROXY", "http://upper:2"},
                                            {"no_proxy", "other.example"},
                                            {"NO_PROXY", "amazonaws.com"}});
    std::optional<proxy_route> route;
    std::string why;
    ASSERT_FALSE(choose_proxy({}, env, https_target(), route, why)) << why;
    ASSERT_TRUE(route);
    EXPECT_EQ(route->host, "lower");
    EXPECT_EQ(route->origin, "https_proxy");
}

TEST(ChooseProxy, NoProxyAndTheSettingsOverrideTheEnvironment)
{
    const auto env = environment::from_map(
        {{"HTTPS_PROXY", "http://proxy:1"}, {"NO_PROXY", "amazonaws.com"}});
    std::optional<proxy_route> route;
    std::string why;
    ASSERT_FALSE(choose_proxy({}, env, https_target(), route, why)) << why;
    EXPECT_FALSE(route);

    proxy_options settings;
    settings.no_proxy = "";
    ASSERT_FALSE(choose_proxy(settings, env, https_target(), route, why)) << why;
    ASSERT_TRUE(route);

    settings.https_proxy = "http://configured:3";
    ASSERT_FALSE(choose_proxy(settings, env, https_target(), route, why)) << why;
    ASSERT_TRUE(route);
    EXPECT_EQ(route->host, "configured");
    EXPECT_EQ(route->origin, "proxy_options.https_proxy");

    settings.https_proxy = "";  // explicitly none
    ASSERT_FALSE(choose_proxy(settings, env, https_target(), route, why)) << why;
    EXPECT_FALSE(route);
}

TEST(ChooseProxy, NoneWithoutSettingsAndABadOneIsAnError)
{
    std::optional<proxy_route> route;
    std::string why;
    ASSERT_FALSE(choose_proxy({}, environment::from_map({}), https_target(), route, why));
    EXPECT_FALSE(route);
    const auto env = environment::from_map({{"HTTP_PROXY", "ftp://proxy"}});
    EXPECT_EQ(choose_proxy({}, env, http_target(), route, why), errc::invalid_configuration);
    EXPECT_NE(why.find("HTTP_PROXY"), std::string::npos) << why;
}

TEST(ConnectRequest, AuthorityFormWithCredentials)
{
    proxy_route route;
    route.authorization = "Basic dTpw";
    EXPECT_EQ(format_connect_request(https_target(), route),
              "CONNECT dynamodb.us-east-1.amazonaws.com:443 HTTP/1.1\r\n"
              "Host: dynamodb.us-east-1.amazonaws.com:443\r\n"
              "Proxy-Authorization: Basic dTpw\r\n\r\n");
    EXPECT_EQ(format_connect_request(dynomite::parse_endpoint("https://[::1]:8443"), proxy_route{}),
              "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n");
}

TEST(ProxyRefusal, ProxyAuthenticationAlwaysAndGatewayErrorsWithoutARequestId)
{
    EXPECT_TRUE(is_proxy_refusal(407, true));
    EXPECT_TRUE(is_proxy_refusal(407, false));
    for (unsigned status : {403u, 502u, 503u, 504u}) {
        EXPECT_TRUE(is_proxy_refusal(status, false)) << status;
        EXPECT_FALSE(is_proxy_refusal(status, true)) << status;  // DynamoDB's own answer
    }
    EXPECT_FALSE(is_proxy_refusal(200, false));
    EXPECT_FALSE(is_proxy_refusal(400, false));
    EXPECT_FALSE(is_proxy_refusal(500, false));
}

// --- The spread over addresses ------------------------------------------------------------

address_rotation::address at(const char* ip, unsigned short port = 443)
{
    return {boost::asio::ip::make_address(ip), port};
}

TEST(AddressRotation, EachNewConnectionStartsAtTheNextAddressAndFallsBackToTheOthers)
{
    address_rotation rotation;
    rotation.reset({at("10.0.0.1"), at("10.0.0.2"), at("10.0.0.3")});
    using order = std::vector<address_rotation::address>;
    EXPECT_EQ(rotation.next_order(), (order{at("10.0.0.1"), at("10.0.0.2"), at("10.0.0.3")}));
    EXPECT_EQ(rotation.next_order(), (order{at("10.0.0.2"), at("10.0.0.3"), at("10.0.0.1")}));
    EXPECT_EQ(rotation.next_order(), (order{at("10.0.0.3"), at("10.0.0.1"), at("10.0.0.2")}));
    EXPECT_EQ(rotation.next_order(), (order{at("10.0.0.1"), at("10.0.0.2"), at("10.0.0.3")}));
}

TEST(AddressRotation, NewResultsKeepTheTurn)
{
    address_rotation rotation;
    rotation.reset({at("10.0.0.1"), at("10.0.0.2"), at("10.0.0.3")});
    rotation.next_order();
    rotation.next_order();
    rotation.reset({at("10.0.0.1"), at("10.0.0.2")});  // fewer now: the turn wraps
    EXPECT_EQ(rotation.next_order().front(), at("10.0.0.1"));
    EXPECT_EQ(rotation.next_order().front(), at("10.0.0.2"));
    rotation.reset({});
    EXPECT_TRUE(rotation.empty());
    EXPECT_TRUE(rotation.next_order().empty());
}

// --- The CA certificates' source ----------------------------------------------------------

class CaSource : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir = std::filesystem::temp_directory_path() /
              ("dynomite-ca-source-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "config") << "[default]\nca_bundle = /etc/default-bundle.pem\n"
                                         "[profile work]\nca_bundle = /etc/work-bundle.pem\n";
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::filesystem::path dir;
};

TEST_F(CaSource, ExplicitFileThenAwsCaBundleThenTheProfileThenTheSystem)
{
    auto variables = std::map<std::string, std::string, std::less<>>{
        {"AWS_CONFIG_FILE", (dir / "config").string()}, {"AWS_CA_BUNDLE", "/etc/env-bundle.pem"}};
    ca_source source;
    std::string why;
    tls_options tls;
    tls.ca_file = "/etc/explicit.pem";
    ASSERT_FALSE(choose_ca_source(tls, "", environment::from_map(variables), source, why));
    EXPECT_EQ(source.path, "/etc/explicit.pem");

    ASSERT_FALSE(choose_ca_source({}, "", environment::from_map(variables), source, why));
    EXPECT_EQ(source.path, "/etc/env-bundle.pem");
    EXPECT_EQ(source.origin, "AWS_CA_BUNDLE");

    variables.erase("AWS_CA_BUNDLE");
    ASSERT_FALSE(choose_ca_source({}, "", environment::from_map(variables), source, why));
    EXPECT_EQ(source.path, "/etc/default-bundle.pem");
    EXPECT_NE(source.origin.find("ca_bundle in profile \"default\""), std::string::npos);

    ASSERT_FALSE(choose_ca_source({}, "work", environment::from_map(variables), source, why));
    EXPECT_EQ(source.path, "/etc/work-bundle.pem");
    variables["AWS_PROFILE"] = "work";
    ASSERT_FALSE(choose_ca_source({}, "", environment::from_map(variables), source, why));
    EXPECT_EQ(source.path, "/etc/work-bundle.pem");

    variables["AWS_PROFILE"] = "absent";
    ASSERT_FALSE(choose_ca_source({}, "", environment::from_map(variables), source, why));
    EXPECT_EQ(source.path, "");
    EXPECT_EQ(source.origin, "the system store");
}

TEST_F(CaSource, MalformedConfigFileIsAnError)
{
    std::ofstream(dir / "config") << "[default\nca_bundle = x\n";
    ca_source source;
    std::string why;
    const auto env = environment::from_map({{"AWS_CONFIG_FILE", (dir / "config").string()}});
    EXPECT_EQ(choose_ca_source({}, "", env, source, why), errc::invalid_configuration);
    EXPECT_NE(why.find("config"), std::string::npos) << why;
}

}  // namespace
