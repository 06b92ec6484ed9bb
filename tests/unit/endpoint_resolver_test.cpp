// Endpoint configuration: the sources in the SDKs' order, the boolean settings, the shared
// config file's sub-settings, partitions, and endpoint URLs with a path, signed and sent.
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include "transport/http_request.hpp"
#include "transport/partitions.hpp"
#include "core/shared_config.hpp"
#include "auth/sigv4.hpp"
#include <dynomite/transport/endpoint.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace {

namespace fs = std::filesystem;
using dynomite::endpoint;
using dynomite::endpoint_settings;
using dynomite::environment;
using dynomite::errc;
using dynomite::error_code;
using dynomite::resolved_endpoint;
using variables = std::map<std::string, std::string, std::less<>>;

// Designated initializers would be shorter, but GCC 12 warns about the members they leave out.
endpoint_settings settings(std::optional<std::string> url, std::optional<bool> fips = {},
                           std::optional<bool> dual_stack = {})
{
    endpoint_settings out;
    out.url = std::move(url);
    out.use_fips_endpoint = fips;
    out.use_dualstack_endpoint = dual_stack;
    return out;
}

// A private directory per test for the shared config file.
class endpoint_config : public testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern = (fs::temp_directory_path() / "dynomite-endpoints-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        vars_ = {{"AWS_CONFIG_FILE", config_path()}};
    }
    void TearDown() override
    {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string config_path() const { return (dir_ / "config").string(); }
    void write_config(std::string_view text) { std::ofstream(config_path()) << text; }

    struct outcome {
        error_code ec;
        resolved_endpoint resolved;
        std::string why;
    };

    outcome resolve(const endpoint_settings& settings = {}, std::string_view region = "us-east-1",
                    std::string_view profile = {})
    {
        outcome out;
        out.ec = dynomite::resolve_endpoint(settings, region, profile, environment::from_map(vars_),
                                            out.resolved, &out.why);
        return out;
    }

    fs::path dir_;
    variables vars_;
};

// Every source set; each step removes the winner and the next one must win.
TEST_F(endpoint_config, sources_in_precedence_order)
{
    write_config(R"([profile work]
services = local-services
endpoint_url = http://profile.example:1
[services local-services]
s3 =
  endpoint_url = http://s3.example:9
dynamodb =
  endpoint_url = http://services.example:2
)");
    vars_["AWS_PROFILE"] = "work";
    vars_["DYNOMITE_ENDPOINT"] = "http://dynomite.example:3";
    vars_["AWS_ENDPOINT_URL_DYNAMODB"] = "http://service-env.example:4";
    vars_["AWS_ENDPOINT_URL"] = "http://global-env.example:5";

    auto r = resolve(settings("http://explicit.example:6"));
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.resolved.url, "http://explicit.example:6");
    EXPECT_EQ(r.resolved.origin, "the explicit endpoint setting");

    r = resolve();
    EXPECT_EQ(r.resolved.url, "http://dynomite.example:3");
    EXPECT_EQ(r.resolved.origin, "DYNOMITE_ENDPOINT");

    vars_.erase("DYNOMITE_ENDPOINT");
    r = resolve();
    EXPECT_EQ(r.resolved.url, "http://service-env.example:4");
    EXPECT_EQ(r.resolved.origin, "AWS_ENDPOINT_URL_DYNAMODB");

    vars_.erase("AWS_ENDPOINT_URL_DYNAMODB");
    r = resolve();
    EXPECT_EQ(r.resolved.url, "http://global-env.example:5");
    EXPECT_EQ(r.resolved.origin, "AWS_ENDPOINT_URL");

    vars_.erase("AWS_ENDPOINT_URL");
    r = resolve();
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.resolved.url, "http://services.example:2");
    EXPECT_EQ(r.resolved.where.host_header, "services.example:2");
    EXPECT_EQ(r.resolved.origin,
              "endpoint_url of dynamodb in [services local-services] of " + config_path());

    write_config(R"([profile work]
services = local-services
endpoint_url = http://profile.example:1
[services local-services]
s3 =
  endpoint_url = http://s3.example:9
)");
    r = resolve();
    EXPECT_EQ(r.resolved.url, "http://profile.example:1");
    EXPECT_EQ(r.resolved.origin, "endpoint_url of profile \"work\" in " + config_path());

    // The explicit profile wins over AWS_PROFILE.
    write_config("[profile other]\nendpoint_url = http://other.example\n[profile work]\n");
    r = resolve({}, "us-east-1", "other");
    EXPECT_EQ(r.resolved.url, "http://other.example");
    r = resolve();
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.resolved.url, "https://dynamodb.us-east-1.amazonaws.com");
    EXPECT_EQ(r.resolved.origin, "region us-east-1");
    EXPECT_EQ(r.resolved.signing_region, "us-east-1");
}

TEST_F(endpoint_config, services_setting_naming_no_section_falls_through)
{
    write_config("[default]\nservices = missing\nendpoint_url = http://profile.example\n");
    const auto r = resolve();
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.resolved.url, "http://profile.example");
}

TEST_F(endpoint_config, ignoring_configured_endpoints)
{
    write_config(R"([default]
endpoint_url = http://profile.example
ignore_configured_endpoint_urls = TRUE
)");
    vars_["AWS_ENDPOINT_URL"] = "http://global-env.example";
    auto r = resolve();
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.resolved.url, "https://dynamodb.us-east-1.amazonaws.com");

    // The variable overrides the profile's setting, both ways.
    vars_["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "False";
    r = resolve();
    EXPECT_EQ(r.resolved.url, "http://global-env.example");

    write_config("[default]\nendpoint_url = http://profile.example\n");
    vars_["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
    r = resolve();
    EXPECT_EQ(r.resolved.url, "https://dynamodb.us-east-1.amazonaws.com");

    // DYNOMITE_ENDPOINT and the explicit URL are not configured endpoints in that sense.
    vars_["DYNOMITE_ENDPOINT"] = "http://dynomite.example";
    r = resolve();
    EXPECT_EQ(r.resolved.url, "http://dynomite.example");
    r = resolve(settings("http://explicit.example"));
    EXPECT_EQ(r.resolved.url, "http://explicit.example");
}

TEST_F(endpoint_config, fips_and_dual_stack_sources)
{
    write_config("[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TrUe\n");
    auto r = resolve();
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.resolved.url, "https://dynamodb-fips.us-east-1.api.aws");

    vars_["AWS_USE_FIPS_ENDPOINT"] = "false";
    r = resolve();
    EXPECT_EQ(r.resolved.url, "https://dynamodb.us-east-1.api.aws");

    vars_["AWS_USE_DUALSTACK_ENDPOINT"] = "FALSE";
    r = resolve(settings({}, true));
    EXPECT_EQ(r.resolved.url, "https://dynamodb-fips.us-east-1.amazonaws.com");

    r = resolve(settings({}, true), "us-gov-west-1");
    EXPECT_EQ(r.resolved.url, "https://dynamodb.us-gov-west-1.amazonaws.com");

    r = resolve(settings({}, false, true), "cn-north-1");
    EXPECT_EQ(r.resolved.url, "https://dynamodb.cn-north-1.api.amazonwebservices.com.cn");
}

TEST_F(endpoint_config, boolean_settings_must_be_true_or_false)
{
    vars_["AWS_USE_FIPS_ENDPOINT"] = "yes";
    auto r = resolve();
    EXPECT_EQ(r.ec, errc::invalid_configuration);
    EXPECT_EQ(r.why, "AWS_USE_FIPS_ENDPOINT is \"yes\"; expected true or false");

    vars_.erase("AWS_USE_FIPS_ENDPOINT");
    vars_["AWS_USE_DUALSTACK_ENDPOINT"] = "1";
    r = resolve();
    EXPECT_EQ(r.ec, errc::invalid_configuration);
    EXPECT_NE(r.why.find("AWS_USE_DUALSTACK_ENDPOINT is \"1\""), std::string::npos) << r.why;

    vars_.erase("AWS_USE_DUALSTACK_ENDPOINT");
    vars_["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "maybe";
    r = resolve();
    EXPECT_EQ(r.ec, errc::invalid_configuration);
    EXPECT_NE(r.why.find("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), std::string::npos) << r.why;

    vars_.erase("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    for (const std::string key :
         {"use_fips_endpoint", "use_dualstack_endpoint", "ignore_configured_endpoint_urls"}) {
        write_config("[profile p]\n" + key + " = on\n");
        r = resolve({}, "us-east-1", "p");
        EXPECT_EQ(r.ec, errc::invalid_configuration) << key;
        EXPECT_EQ(r.why, key + " of profile \"p\" in " + config_path() +
                             " is \"on\"; expected true or false");
    }
}

TEST_F(endpoint_config, configured_url_with_fips_or_dual_stack_is_refused)
{
    vars_["AWS_ENDPOINT_URL"] = "http://localhost:8000";
    vars_["AWS_USE_FIPS_ENDPOINT"] = "true";
    auto r = resolve();
    EXPECT_EQ(r.ec, errc::invalid_configuration);
    EXPECT_NE(r.why.find("from AWS_USE_FIPS_ENDPOINT"), std::string::npos) << r.why;
    EXPECT_NE(r.why.find("endpoint URL from AWS_ENDPOINT_URL"), std::string::npos) << r.why;

    vars_.erase("AWS_USE_FIPS_ENDPOINT");
    r = resolve(settings("http://localhost:8000", {}, true));
    EXPECT_EQ(r.ec, errc::invalid_configuration);
    EXPECT_NE(r.why.find("dual-stack"), std::string::npos) << r.why;
}

TEST_F(endpoint_config, errors)
{
    vars_["AWS_ENDPOINT_URL_DYNAMODB"] = "ftp://example.com";
    auto r = resolve();
    EXPECT_EQ(r.ec, errc::invalid_endpoint);
    EXPECT_TRUE(r.why.starts_with("AWS_ENDPOINT_URL_DYNAMODB: endpoint URL scheme")) << r.why;

    vars_.erase("AWS_ENDPOINT_URL_DYNAMODB");
    r = resolve({}, "");
    EXPECT_EQ(r.ec, errc::no_region);

    r = resolve({}, "US_EAST");
    EXPECT_EQ(r.ec, errc::invalid_configuration);

    r = resolve(settings({}, {}, true), "us-iso-east-1");
    EXPECT_EQ(r.ec, errc::invalid_configuration);
    EXPECT_NE(r.why.find("partition aws-iso of region us-iso-east-1"), std::string::npos) << r.why;

    write_config("[default]\nnot a setting\n");
    r = resolve();
    EXPECT_EQ(r.ec, errc::invalid_configuration);
    EXPECT_EQ(r.why, config_path() + ":2: expected \"[section]\" or \"key = value\"");

    // Explicit settings for everything: the config file is not read.
    r = resolve(settings("http://localhost:8000", false, false));
    EXPECT_FALSE(r.ec) << r.why;
}

TEST_F(endpoint_config, local_region_signs_for_us_east_1)
{
    const auto r = resolve({}, "local");
    ASSERT_FALSE(r.ec) << r.why;
    EXPECT_EQ(r.resolved.url, "http://localhost:8000");
    EXPECT_EQ(r.resolved.signing_region, "us-east-1");

    // A configured URL keeps the region as it is, as the rule set gives no signing region then.
    const auto configured = resolve(settings("http://localhost:8000"), "local");
    EXPECT_EQ(configured.resolved.signing_region, "local");
}

// --- The shared config file's sub-settings ----------------------------------------------

TEST(shared_config_sub_settings, are_kept_under_their_parent)
{
    dynomite::detail::ini_document doc;
    std::string why;
    ASSERT_FALSE(dynomite::detail::parse_ini(R"([services dev]
dynamodb =
  endpoint_url = http://localhost:8000  # DynamoDB Local
	Region = eu-west-1
s3 =
    addressing_style = path
top = value
  indented = ordinary
)",
                                             "config", doc, &why))
        << why;
    const auto& section = doc.at("services dev");
    using dynomite::detail::find_sub_setting;
    EXPECT_EQ(find_sub_setting(section, "dynamodb", "endpoint_url"), "http://localhost:8000");
    EXPECT_EQ(find_sub_setting(section, "dynamodb", "region"), "eu-west-1");
    EXPECT_FALSE(find_sub_setting(section, "s3", "endpoint_url"));
    EXPECT_EQ(find_sub_setting(section, "s3", "addressing_style"), "path");
    EXPECT_EQ(dynomite::detail::find_setting(section, "top"), "value");
    // An indented line under a key with a value is an ordinary setting, as before.
    EXPECT_EQ(dynomite::detail::find_setting(section, "indented"), "ordinary");
}

TEST(shared_config_sub_settings, malformed_ones_are_errors)
{
    dynomite::detail::ini_document doc;
    std::string why;
    EXPECT_EQ(dynomite::detail::parse_ini("[s]\ndynamodb =\n  no separator\n", "cfg", doc, &why),
              errc::invalid_configuration);
    EXPECT_EQ(why, "cfg:3: expected an indented \"key = value\" sub-setting");
    EXPECT_EQ(dynomite::detail::parse_ini("[s]\ndynamodb =\n  = value\n", "cfg", doc, &why),
              errc::invalid_configuration);
    EXPECT_EQ(why, "cfg:3: sub-setting without a key");
}

// --- Partitions and regional endpoints ----------------------------------------------------

std::string regional(std::string_view region, bool fips = false, bool dual_stack = false)
{
    std::string url;
    std::string why;
    if (dynomite::regional_endpoint_url(region, fips, dual_stack, url, &why)) return "error";
    return url;
}

// The partitions botocore 1.29 lacks (endpoint_oracle covers the others), with the DNS
// suffixes AWS documents for them.
TEST(regional_endpoint_url, later_partitions)
{
    using dynomite::detail::partition_of;
    EXPECT_EQ(partition_of("eu-isoe-west-1").id, "aws-iso-e");
    EXPECT_EQ(partition_of("us-isof-south-1").id, "aws-iso-f");
    EXPECT_EQ(partition_of("eusc-de-east-1").id, "aws-eusc");
    EXPECT_EQ(partition_of("il-central-1").id, "aws");
    EXPECT_EQ(partition_of("aws-iso-f-global").id, "aws-iso-f");
    EXPECT_EQ(partition_of("xx-nowhere-1").id, "aws");

    EXPECT_EQ(regional("eu-isoe-west-1"), "https://dynamodb.eu-isoe-west-1.cloud.adc-e.uk");
    EXPECT_EQ(regional("us-isof-east-1", true),
              "https://dynamodb-fips.us-isof-east-1.csp.hci.ic.gov");
    EXPECT_EQ(regional("eusc-de-east-1"), "https://dynamodb.eusc-de-east-1.amazonaws.eu");
    EXPECT_EQ(regional("mx-central-1", false, true), "https://dynamodb.mx-central-1.api.aws");
    EXPECT_EQ(regional("eu-isoe-west-1", false, true), "error");
    EXPECT_EQ(regional("us-isof-south-1", true, true), "error");
    EXPECT_EQ(regional("Us-East-1"), "error");
    EXPECT_EQ(dynomite::default_endpoint_url("cn-northwest-1"),
              "https://dynamodb.cn-northwest-1.amazonaws.com.cn");
}

TEST(regional_endpoint_url, every_partition_is_well_formed)
{
    for (const auto& p : dynomite::detail::partitions()) {
        EXPECT_FALSE(p.regions.empty()) << p.id;
        for (const auto region : p.regions) {
            EXPECT_EQ(dynomite::detail::partition_of(region).id, p.id) << region;
            EXPECT_TRUE(dynomite::is_valid_region_name(region)) << region;
        }
    }
}

// --- Endpoint URLs with a path ------------------------------------------------------------

TEST(endpoint_path, parsed_and_formatted)
{
    using dynomite::parse_endpoint;
    EXPECT_EQ(parse_endpoint("https://example.com").path, "/");
    EXPECT_EQ(parse_endpoint("https://example.com/").path, "/");
    EXPECT_EQ(parse_endpoint("https://example.com/dynamodb").path, "/dynamodb");
    EXPECT_EQ(parse_endpoint("http://[::1]:8000/a%20b/c/").path, "/a%20b/c/");
    EXPECT_EQ(dynomite::endpoint_url(parse_endpoint("http://[::1]:8000/a%20b/c/")),
              "http://[::1]:8000/a%20b/c/");
    EXPECT_EQ(dynomite::endpoint_url(parse_endpoint("https://example.com:443/")),
              "https://example.com");

    for (const char* url : {"https://example.com/p?x=1", "https://example.com/p#f",
                            "https://user@example.com/p", "https://example.com/a b"}) {
        endpoint out;
        std::string why;
        EXPECT_EQ(parse_endpoint(url, out, &why), errc::invalid_endpoint) << url;
    }
}

// Expected values from botocore 1.29's SigV4Auth signing a POST to the same URL, headers and
// body at the same time: the path, normalized and encoded again, is the canonical URI.
TEST(endpoint_path, signed_as_botocore_signs_it)
{
    using namespace std::chrono;
    const dynomite::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                      ""};
    const auto when = sys_days(year(2024) / 2 / 29) + hours(23) + minutes(59) + seconds(59);
    const std::string body = R"({"TableName":"t","Key":{"pk":{"S":"a"}}})";
    dynomite::detail::signing_key_cache cache;
    const auto sign = [&](std::string_view url, std::string_view region) {
        const endpoint where = dynomite::parse_endpoint(url);
        return dynomite::detail::sign_dynamodb_request(
                   creds, region, "dynamodb", where.host_header, "DynamoDB_20120810.GetItem",
                   "application/x-amz-json-1.0", body, when, cache, where.path)
            .authorization;
    };
    EXPECT_EQ(sign("https://proxy.example.com/dynamodb", "us-east-1"),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/dynamodb/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
              "Signature=f8c232552b809e9b9968d83b7fe09faa90614c0a68fd773647bcf95b488d2db9");
    EXPECT_EQ(sign("http://localhost:8000/a%20b/./c/../d/", "eu-west-1"),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/eu-west-1/dynamodb/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
              "Signature=2f064a34500626009eaeb8d5b3d0ad9202cbf1960aa2dc7aa9c8495093eb3727");
}

TEST(endpoint_path, is_the_request_target)
{
    std::string head;
    dynomite::detail::request_head fields;
    fields.host = "h";
    fields.request_target = "/a%20b/";
    dynomite::detail::format_request_head(fields, head);
    EXPECT_TRUE(head.starts_with("POST /a%20b/ HTTP/1.1\r\nHost: h\r\n")) << head;
}

TEST(endpoint_path, a_client_sends_its_requests_there)
{
    dynomite::test::fake_server server;
    server.set_default(dynomite::test::fake_action::ok(R"({"TableNames":[]})"));
    boost::asio::io_context io;
    dynomite::client_config config;
    config.endpoint = server.url() + "/prefix/dynamodb";
    config.region = "eu-west-1";
    config.credentials = dynomite::credentials{"AKIDTEST", "secret", ""};
    config.env = environment::from_map({});
    dynomite::client client(io.get_executor(), config);
    EXPECT_EQ(client.endpoint_url(), server.url() + "/prefix/dynamodb");
    EXPECT_EQ(client.region(), "eu-west-1");

    bool done = false;
    error_code result;
    client.async_execute(dynomite::list_tables_request{},
                         [&](error_code ec, dynomite::list_tables_response) {
                             result = ec;
                             done = true;
                         });
    io.run_for(std::chrono::seconds(10));
    ASSERT_TRUE(done);
    EXPECT_FALSE(result) << result.message();
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].target, "/prefix/dynamodb");
    const auto authorization = requests[0].header("authorization");
    ASSERT_TRUE(authorization);
    EXPECT_NE(authorization->find("/eu-west-1/dynamodb/aws4_request"), std::string::npos);
}

}  // namespace
