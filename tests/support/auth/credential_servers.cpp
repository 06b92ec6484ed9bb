#include "support/auth/credential_servers.hpp"

#include <dynomite/core/time.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <boost/json/value.hpp>

namespace dynomite::test {

namespace json = boost::json;
using std::chrono::system_clock;

credentials_issuer::credentials_issuer(std::string prefix, std::chrono::seconds lifetime)
    : prefix_(std::move(prefix)), lifetime_(lifetime), clock_([] { return system_clock::now(); })
{
}

void credentials_issuer::set_clock(test_clock clock)
{
    std::lock_guard lock(mutex_);
    clock_ = std::move(clock);
}

void credentials_issuer::set_lifetime(std::chrono::seconds lifetime)
{
    std::lock_guard lock(mutex_);
    lifetime_ = lifetime;
}

void credentials_issuer::keep_access_key_id(std::string id)
{
    std::lock_guard lock(mutex_);
    fixed_id_ = std::move(id);
}

void credentials_issuer::publish_keys(std::string path)
{
    std::lock_guard lock(mutex_);
    keys_path_ = std::move(path);
    write_keys_file();
}

void credentials_issuer::retire_expired()
{
    std::lock_guard lock(mutex_);
    write_keys_file();
}

void credentials_issuer::write_keys_file()
{
    if (keys_path_.empty()) return;
    const auto now = clock_();
    std::erase_if(published_, [&](const credentials& c) { return *c.expiration <= now; });
    // Written aside and renamed, so that the proxy never reads a half-written file.
    const std::string partial = keys_path_ + ".partial";
    {
        std::ofstream out(partial, std::ios::trunc);
        for (const auto& c : published_)
            out << c.access_key_id << ' ' << c.secret_access_key << ' ' << c.session_token << '\n';
        if (!out.flush()) throw std::runtime_error("cannot write the keys file " + partial);
    }
    std::filesystem::rename(partial, keys_path_);
}

credentials credentials_issuer::issue()
{
    std::lock_guard lock(mutex_);
    const int n = ++issued_;
    const std::string numbered = prefix_ + std::to_string(n);
    const std::string id = fixed_id_.empty() ? numbered : fixed_id_;
    // Behind the SigV4-verifying proxy with one secret every request must be signed with it;
    // behind the one that reads the published keys, each key has its own.
    const char* shared_secret = std::getenv("AWS_SECRET_ACCESS_KEY");
    std::string secret = keys_path_.empty() && shared_secret != nullptr && *shared_secret != '\0'
                             ? std::string(shared_secret)
                             : "secret-of-" + numbered;
    credentials issued{id, std::move(secret), "token-of-" + numbered,
                       std::chrono::floor<std::chrono::seconds>(clock_() + lifetime_)};
    if (!keys_path_.empty()) {
        published_.push_back(issued);
        write_keys_file();
    }
    return issued;
}

std::string iso8601_seconds(system_clock::time_point t)
{
    return format_iso8601(std::chrono::floor<std::chrono::seconds>(t));
}

namespace {

std::string metadata_json(const credentials& c)
{
    return json::serialize(json::value{{"Code", "Success"},
                                       {"LastUpdated", iso8601_seconds(system_clock::now())},
                                       {"Type", "AWS-HMAC"},
                                       {"AccessKeyId", c.access_key_id},
                                       {"SecretAccessKey", c.secret_access_key},
                                       {"Token", c.session_token},
                                       {"Expiration", iso8601_seconds(*c.expiration)}});
}

std::string header_or_empty(const recorded_request& r, std::string_view name)
{
    return r.header(name).value_or("");
}

route_response sts_error(unsigned status, std::string_view code, std::string_view message)
{
    std::string body = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                       "<Error><Type>Sender</Type><Code>";
    body.append(code).append("</Code><Message>").append(message).append(
        "</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>"
        "</ErrorResponse>");
    return {status, std::move(body), {{"Content-Type", "text/xml"}}};
}

route_response sts_credentials(std::string_view action, const credentials& c)
{
    std::string body = "<" + std::string(action) +
                       "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <" +
                       std::string(action) + "Result>\n    <Credentials>\n      <AccessKeyId>" +
                       c.access_key_id + "</AccessKeyId>\n      <SecretAccessKey>" +
                       c.secret_access_key + "</SecretAccessKey>\n      <SessionToken>" +
                       c.session_token + "</SessionToken>\n      <Expiration>" +
                       iso8601_seconds(*c.expiration) + "</Expiration>\n    </Credentials>\n  </" +
                       std::string(action) + "Result>\n  <ResponseMetadata><RequestId>" +
                       "58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId></ResponseMetadata>\n</" +
                       std::string(action) + "Response>";
    return {200, std::move(body), {{"Content-Type", "text/xml"}}};
}

// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, ..." -> "AKID"
std::string signer_of(const std::string& authorization, std::string& scope)
{
    const std::string marker = "Credential=";
    const std::size_t start = authorization.find(marker);
    if (start == std::string::npos) return {};
    const std::size_t id_end = authorization.find('/', start);
    const std::size_t scope_end = authorization.find(',', start);
    if (id_end == std::string::npos || scope_end == std::string::npos) return {};
    scope = authorization.substr(id_end + 1, scope_end - id_end - 1);
    return authorization.substr(start + marker.size(), id_end - start - marker.size());
}

}  // namespace

fake_imds::fake_imds(std::string role_name)
    : role(std::move(role_name)),
      server([this](const recorded_request& r) -> route_response {
          if (r.method == "PUT" && r.target == "/latest/api/token") {
              if (!r.header("x-aws-ec2-metadata-token-ttl-seconds")) return {400, "", {}};
              return {200, "imds-session-token-AQAEAHG", {{"Content-Type", "text/plain"}}};
          }
          if (header_or_empty(r, "x-aws-ec2-metadata-token") != "imds-session-token-AQAEAHG") {
              ++unauthorized;
              return {401, "", {}};
          }
          const std::string base = "/latest/meta-data/iam/security-credentials/";
          if (r.method == "GET" && r.target == base)
              return {200, role, {{"Content-Type", "text/plain"}}};
          if (r.method == "GET" && r.target == base + role)
              return {200, metadata_json(issuer.issue()), {}};
          return {404, "", {}};
      })
{
}

fake_container::fake_container()
    : server([this](const recorded_request& r) -> route_response {
          std::string expected;
          {
              std::lock_guard lock(mutex_);
              expected = expected_token_;
          }
          if (!expected.empty() && header_or_empty(r, "authorization") != expected) {
              return {403, R"({"code":"AccessDenied","message":"Unable to authenticate"})", {}};
          }
          return {200, metadata_json(issuer.issue()), {}};
      })
{
}

void fake_container::expect_token(std::string token)
{
    std::lock_guard lock(mutex_);
    expected_token_ = std::move(token);
}

fake_sts::fake_sts() : server([this](const recorded_request& r) { return answer(r); }) {}

void fake_sts::trust(std::string access_key_id)
{
    std::lock_guard lock(mutex_);
    trusted_.insert(std::move(access_key_id));
}

void fake_sts::expect_web_identity_token(std::string token)
{
    std::lock_guard lock(mutex_);
    web_identity_token_ = std::move(token);
}

void fake_sts::fail_next(std::string code, std::string message, unsigned status, int times)
{
    std::lock_guard lock(mutex_);
    fail_code_ = std::move(code);
    fail_message_ = std::move(message);
    fail_status_ = status;
    fail_times_ = times;
}

void fake_sts::drop_next(int times)
{
    std::lock_guard lock(mutex_);
    drop_times_ = times;
}

std::vector<std::string> fake_sts::signers() const
{
    std::lock_guard lock(mutex_);
    return signers_;
}

route_response fake_sts::answer(const recorded_request& r)
{
    if (r.method != "POST" || r.target != "/") return sts_error(404, "UnknownOperation", "POST /");
    auto form = parse_form(r.body);
    std::lock_guard lock(mutex_);
    if (drop_times_ > 0) {
        --drop_times_;
        route_response dropped;
        dropped.drop_connection = true;
        return dropped;
    }
    if (form["Version"] != "2011-06-15") return sts_error(400, "InvalidAction", "bad Version");
    if (fail_times_ > 0) {
        --fail_times_;
        return sts_error(fail_status_, fail_code_, fail_message_);
    }
    const std::string action = form["Action"];
    if (form["RoleArn"].empty() || form["RoleSessionName"].empty())
        return sts_error(400, "ValidationError", "RoleArn and RoleSessionName are required");
    if (action == "AssumeRoleWithWebIdentity") {
        if (form["WebIdentityToken"] != web_identity_token_)
            return sts_error(400, "InvalidIdentityToken", "The web identity token is not valid");
        return sts_credentials(action, issuer.issue());
    }
    if (action == "AssumeRole") {
        std::string scope;
        const std::string signer = signer_of(header_or_empty(r, "authorization"), scope);
        const bool issued_here = signer.starts_with("ASIASTS");
        if (signer.empty() || !scope.ends_with("/sts/aws4_request") ||
            (!issued_here && !trusted_.contains(signer)))
            return sts_error(403, "InvalidClientTokenId",
                             "The security token included in the request is invalid.");
        if (issued_here && header_or_empty(r, "x-amz-security-token") != "token-of-" + signer)
            return sts_error(403, "InvalidClientTokenId", "The session token does not match.");
        signers_.push_back(signer);
        return sts_credentials(action, issuer.issue());
    }
    return sts_error(400, "InvalidAction", "Could not find operation " + action);
}

fake_sso_portal::fake_sso_portal()
    : server([this](const recorded_request& r) -> route_response {
          const std::string path = "/federation/credentials?";
          if (r.method != "GET" || !r.target.starts_with(path))
              return {404, R"({"message":"Not found"})", {}};
          auto query = parse_form(std::string_view(r.target).substr(path.size()));
          std::lock_guard lock(mutex_);
          if (header_or_empty(r, "x-amz-sso_bearer_token") != token_)
              return {401, R"({"message":"Session token not found or invalid"})",
                      {{"x-amzn-ErrorType", "UnauthorizedException"}}};
          if (query["account_id"] != account_ || query["role_name"] != role_)
              return {403, R"({"message":"No access"})",
                      {{"x-amzn-ErrorType", "ForbiddenException"}}};
          const credentials c = issuer.issue();
          const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
              c.expiration->time_since_epoch());
          return {200,
                  json::serialize(json::value{{"roleCredentials",
                                               {{"accessKeyId", c.access_key_id},
                                                {"secretAccessKey", c.secret_access_key},
                                                {"sessionToken", c.session_token},
                                                {"expiration", millis.count()}}}}),
                  {}};
      })
{
}

void fake_sso_portal::expect(std::string bearer_token, std::string account_id,
                             std::string role_name)
{
    std::lock_guard lock(mutex_);
    token_ = std::move(bearer_token);
    account_ = std::move(account_id);
    role_ = std::move(role_name);
}

fake_sso_oidc::fake_sso_oidc() : server([this](const recorded_request& r) { return answer(r); }) {}

void fake_sso_oidc::expect(std::string client_id, std::string client_secret,
                           std::string refresh_token)
{
    std::lock_guard lock(mutex_);
    client_id_ = std::move(client_id);
    client_secret_ = std::move(client_secret);
    refresh_token_ = std::move(refresh_token);
}

void fake_sso_oidc::fail_next(unsigned status, std::string type, std::string error, int times)
{
    std::lock_guard lock(mutex_);
    fail_status_ = status;
    fail_type_ = std::move(type);
    fail_error_ = std::move(error);
    fail_times_ = times;
}

route_response fake_sso_oidc::answer(const recorded_request& r)
{
    const auto error = [](unsigned status, std::string type, std::string code,
                          std::string description) -> route_response {
        return {status,
                json::serialize(json::object{{"error", code}, {"error_description", description}}),
                {{"x-amzn-ErrorType", type}}};
    };
    if (r.method != "POST" || r.target != "/token")
        return error(404, "UnknownOperationException", "not_found", "POST /token");
    std::lock_guard lock(mutex_);
    if (fail_times_ > 0) {
        --fail_times_;
        return error(fail_status_, fail_type_, fail_error_, "refused as the test asked");
    }
    boost::system::error_code parse_ec;
    const json::value body = json::parse(r.body, parse_ec);
    if (parse_ec || !body.is_object())
        return error(400, "InvalidRequestException", "invalid_request", "not JSON");
    const json::object& request = body.get_object();
    const auto field = [&](std::string_view key) {
        const json::value* v = request.if_contains(key);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    if (field("grantType") != "refresh_token")
        return error(400, "UnsupportedGrantTypeException", "unsupported_grant_type", "grantType");
    if (field("clientId") != client_id_ || field("clientSecret") != client_secret_)
        return error(400, "InvalidClientException", "invalid_client", "unknown client");
    if (field("refreshToken") != refresh_token_)
        return error(400, "InvalidGrantException", "invalid_grant", "Invalid refresh token provided");
    ++issued_;
    refresh_token_ = "refresh-" + std::to_string(issued_);
    return {200,
            json::serialize(json::object{{"accessToken", prefix + std::to_string(issued_)},
                                         {"expiresIn", expires_in.count()},
                                         {"refreshToken", refresh_token_},
                                         {"tokenType", "Bearer"}}),
            {}};
}

}  // namespace dynomite::test
