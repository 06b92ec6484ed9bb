// The wire formats credentials arrive in: metadata and process JSON, the SSO portal's JSON,
// STS's Query requests and XML answers.
#include "auth/credentials_json.hpp"
#include "auth/sts_protocol.hpp"
#include "auth/sigv4.hpp"
#include <dynomite/core/time.hpp>

#include <gtest/gtest.h>

namespace {

using namespace dynomite;
using namespace dynomite::detail;
using std::chrono::system_clock;

system_clock::time_point at(std::string_view iso)
{
    std::chrono::sys_time<std::chrono::seconds> t;
    EXPECT_FALSE(parse_iso8601(iso, t));
    return t;
}

TEST(metadata_json, instance_metadata_answer)
{
    const std::string body = R"({"Code":"Success","LastUpdated":"2026-12-04T17:00:00Z",
        "Type":"AWS-HMAC","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalrXUtnFEMI",
        "Token":"IQoJb3JpZ2luX2VjE","Expiration":"2026-12-04T23:15:30Z"})";
    credentials c;
    std::string why;
    ASSERT_FALSE(parse_credentials_json(body, credentials_json_format::metadata, c, why)) << why;
    EXPECT_EQ(c.access_key_id, "ASIAEXAMPLE");
    EXPECT_EQ(c.secret_access_key, "wJalrXUtnFEMI");
    EXPECT_EQ(c.session_token, "IQoJb3JpZ2luX2VjE");
    EXPECT_EQ(c.expiration, at("2026-12-04T23:15:30Z"));
}

TEST(metadata_json, container_answer_has_no_code)
{
    const std::string body = R"({"AccessKeyId":"ASIACONT","SecretAccessKey":"s","Token":"t",
        "Expiration":"2026-12-04T23:15:30.123+01:00","RoleArn":"arn:aws:iam::1:role/x"})";
    credentials c;
    std::string why;
    ASSERT_FALSE(parse_credentials_json(body, credentials_json_format::metadata, c, why)) << why;
    EXPECT_EQ(c.expiration, at("2026-12-04T22:15:30Z") + std::chrono::milliseconds(123));
}

TEST(metadata_json, errors_name_the_field_never_the_secret)
{
    credentials c;
    std::string why;
    EXPECT_EQ(parse_credentials_json("not json", credentials_json_format::metadata, c, why),
              errc::malformed_response);
    EXPECT_EQ(why, "the answer is not a JSON object");

    EXPECT_EQ(parse_credentials_json(R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"})",
                                     credentials_json_format::metadata, c, why),
              errc::malformed_response);
    EXPECT_EQ(why, "\"Code\" is not \"Success\" but \"AssumeRoleUnauthorizedAccess\": denied");

    EXPECT_EQ(parse_credentials_json(R"({"AccessKeyId":"A","SecretAccessKey":"hidden-secret",
                                        "Expiration":"2026-12-04T23:15:30Z"})",
                                     credentials_json_format::metadata, c, why),
              errc::malformed_response);
    EXPECT_EQ(why, "the answer has no \"Token\"");

    EXPECT_EQ(parse_credentials_json(R"({"AccessKeyId":"A","SecretAccessKey":"hidden-secret",
                                        "Token":"t","Expiration":"tomorrow"})",
                                     credentials_json_format::metadata, c, why),
              errc::malformed_response);
    EXPECT_EQ(why, "\"Expiration\" is not an ISO-8601 time: \"tomorrow\"");
    EXPECT_EQ(why.find("hidden-secret"), std::string::npos);
}

TEST(process_json, version_one_with_and_without_expiration)
{
    credentials c;
    std::string why;
    ASSERT_FALSE(parse_credentials_json(
        R"({"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"s"})",
        credentials_json_format::process, c, why))
        << why;
    EXPECT_EQ(c.access_key_id, "AKIDPROC");
    EXPECT_EQ(c.session_token, "");
    EXPECT_FALSE(c.expiration);

    ASSERT_FALSE(parse_credentials_json(
        R"({"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s","SessionToken":"t",
            "Expiration":"2026-12-04T23:15:30Z"})",
        credentials_json_format::process, c, why))
        << why;
    EXPECT_EQ(c.session_token, "t");
    EXPECT_EQ(c.expiration, at("2026-12-04T23:15:30Z"));

    EXPECT_EQ(parse_credentials_json(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"})",
                                     credentials_json_format::process, c, why),
              errc::malformed_response);
    EXPECT_EQ(why, "\"Version\" is not 1");
    EXPECT_EQ(parse_credentials_json(R"({"Version":1,"AccessKeyId":"A"})",
                                     credentials_json_format::process, c, why),
              errc::malformed_response);
    EXPECT_EQ(why, "the answer has no \"SecretAccessKey\"");
}

TEST(sso_portal_json, role_credentials_with_epoch_milliseconds)
{
    credentials c;
    std::string why;
    ASSERT_FALSE(parse_credentials_json(
        R"({"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s",
            "sessionToken":"t","expiration":1796425200000}})",
        credentials_json_format::sso_portal, c, why))
        << why;
    EXPECT_EQ(c.access_key_id, "ASIASSO");
    EXPECT_EQ(c.expiration, system_clock::time_point(std::chrono::milliseconds(1796425200000)));

    EXPECT_EQ(parse_credentials_json(R"({"roleCredentials":{"accessKeyId":"A",
            "secretAccessKey":"s","sessionToken":"t","expiration":"soon"}})",
                                     credentials_json_format::sso_portal, c, why),
              errc::malformed_response);
    EXPECT_EQ(why, "\"expiration\" is not a number of milliseconds");
}

TEST(json_error_summary, code_and_message_in_any_case)
{
    EXPECT_EQ(json_error_summary(R"({"code":"AccessDenied","message":"no"})"), "AccessDenied: no");
    EXPECT_EQ(json_error_summary(R"({"Message":"Session token not found"})"),
              "Session token not found");
    EXPECT_EQ(json_error_summary("<html>"), "");
}

TEST(sts_query, form_body_is_percent_encoded)
{
    EXPECT_EQ(sts_form_body("AssumeRole", {{"RoleArn", "arn:aws:iam::123456789012:role/a b"},
                                           {"RoleSessionName", "s@1"}}),
              "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3A"
              "role%2Fa%20b&RoleSessionName=s%401");
}

TEST(sts_query, credentials_from_the_documented_answer)
{
    const std::string xml = R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
    <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey>
      <Expiration>2014-10-24T23:00:23Z</Expiration>
      <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>www.amazon.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>)";
    credentials c;
    std::string why;
    ASSERT_FALSE(parse_sts_credentials(xml, "AssumeRoleWithWebIdentity", c, why)) << why;
    EXPECT_EQ(c.access_key_id, "ASgeIAIOSFODNN7EXAMPLE");
    EXPECT_EQ(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    EXPECT_EQ(c.session_token, "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE");
    EXPECT_EQ(c.expiration, at("2014-10-24T23:00:23Z"));

    EXPECT_EQ(parse_sts_credentials(xml, "AssumeRole", c, why), errc::malformed_response);
    EXPECT_EQ(why, "the STS answer to AssumeRole has no Credentials/AccessKeyId");
    EXPECT_EQ(parse_sts_credentials("<<", "AssumeRole", c, why), errc::malformed_response);
    EXPECT_EQ(why, "the STS answer to AssumeRole is not XML");
}

TEST(sts_query, errors_keep_sts_code_and_message)
{
    const auto error_xml = [](std::string_view code, std::string_view message) {
        return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
               "<Type>Sender</Type><Code>" +
               std::string(code) + "</Code><Message>" + std::string(message) +
               "</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";
    };
    diagnostics diag;
    EXPECT_EQ(parse_sts_error(400, error_xml("ExpiredTokenException", "Token expired: 1"), diag),
              errc::expired_token);
    EXPECT_EQ(diag.aws_type, "ExpiredTokenException");
    EXPECT_EQ(diag.message, "STS ExpiredTokenException: Token expired: 1");
    EXPECT_EQ(diag.request_id, "req-1");
    EXPECT_EQ(diag.http_status, 400u);

    diag.clear();
    EXPECT_EQ(parse_sts_error(403, error_xml("AccessDenied", "not authorized"), diag),
              errc::access_denied);
    diag.clear();
    EXPECT_EQ(parse_sts_error(403, error_xml("RegionDisabledException", "STS is not activated"),
                              diag),
              errc::unknown_service_error);
    EXPECT_EQ(diag.message, "STS RegionDisabledException: STS is not activated");
    diag.clear();
    EXPECT_EQ(parse_sts_error(502, "<html>bad gateway</html>", diag), errc::http_status);
    EXPECT_EQ(diag.message, "STS answered HTTP 502 without an error code");
}

TEST(sts_query, regional_endpoints)
{
    EXPECT_EQ(sts_regional_endpoint("eu-west-3"), "https://sts.eu-west-3.amazonaws.com");
    EXPECT_EQ(sts_regional_endpoint("cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
}

TEST(sts_query, requests_are_signed_for_sts_with_the_shared_signer)
{
    const credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok"};
    const std::string body = sts_form_body("AssumeRole", {{"RoleArn", "arn:aws:iam::1:role/r"},
                                                          {"RoleSessionName", "s"}});
    const auto now = at("2026-12-04T17:00:00Z");
    const auto headers = sign_sts_request(creds, "eu-west-3", "sts.eu-west-3.amazonaws.com", body, now);
    ASSERT_EQ(headers.size(), 4u);
    EXPECT_EQ(headers[0].second, form_content_type);
    EXPECT_EQ(headers[1], (std::pair<std::string, std::string>{"X-Amz-Date", "20261204T170000Z"}));
    EXPECT_EQ(headers[2].second, "tok");

    // The same signature from the stage functions, independently assembled.
    const header_field fields[] = {{"content-type", form_content_type},
                                   {"host", "sts.eu-west-3.amazonaws.com"},
                                   {"x-amz-date", "20261204T170000Z"},
                                   {"x-amz-security-token", "tok"}};
    const auto canonical = make_canonical_request("POST", "/", "", fields, to_hex(sha256(body)), true);
    const std::string scope = "20261204/eu-west-3/sts/aws4_request";
    const std::string signature = compute_signature(
        derive_signing_key(creds.secret_access_key, "20261204", "eu-west-3", "sts"),
        make_string_to_sign("20261204T170000Z", scope, canonical.text));
    EXPECT_EQ(headers[3].second,
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope +
                  ", SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=" +
                  signature);
}

}  // namespace
