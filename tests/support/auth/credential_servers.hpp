// Fakes of the services credentials come from, speaking their wire formats: the EC2 instance
// metadata service (IMDSv2 only), the container credentials endpoint, STS and the SSO portal.
// Each issues numbered temporary credentials and counts what it was asked.
#pragma once

#include "support/auth/route_server.hpp"

#include <dynomite/auth/credentials.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dynomite::test {

using test_clock = std::function<std::chrono::system_clock::time_point()>;

/// Numbered credentials "<prefix>1", "<prefix>2", ... with their token derived from the id,
/// expiring `lifetime` after `clock()`. The secret is AWS_SECRET_ACCESS_KEY when it is set, so
/// that the SigV4-verifying proxy in front of DynamoDB Local accepts their signatures.
class credentials_issuer {
public:
    explicit credentials_issuer(std::string prefix,
                                std::chrono::seconds lifetime = std::chrono::hours(1));
    credentials issue();
    /// The number issued so far.
    int issued() const { return issued_.load(); }
    void set_clock(test_clock clock);
    void set_lifetime(std::chrono::seconds lifetime);
    /// Every credential gets this access key id (secrets and tokens stay numbered): DynamoDB
    /// Local keeps one database per access key id, and refreshed credentials must see the same.
    void keep_access_key_id(std::string id);
    /// From now on every credential gets its own secret, and `path` lists the issued keys that
    /// have not expired by clock(), "<access key id> <secret> <session token>" a line (the keys
    /// file of the SigV4-verifying proxy), rewritten at each issue and by retire_expired().
    void publish_keys(std::string path);
    /// Rewrites the published keys file without the keys that have expired by clock() now.
    void retire_expired();

private:
    void write_keys_file();
    std::string prefix_;
    std::string fixed_id_;
    std::string keys_path_;
    std::vector<credentials> published_;
    mutable std::mutex mutex_;
    std::chrono::seconds lifetime_;
    test_clock clock_;
    std::atomic<int> issued_{0};
};

/// "2026-12-04T18:00:00Z"
std::string iso8601_seconds(std::chrono::system_clock::time_point t);

/// IMDSv2: PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds; every GET needs
/// a token it issued (401 otherwise, so IMDSv1 gets nothing).
class fake_imds {
public:
    explicit fake_imds(std::string role = "dynomite-test-role");
    std::string url() const { return server.url(); }
    std::string role;
    credentials_issuer issuer{"ASIAIMDS"};
    std::atomic<int> unauthorized{0};
    route_server server;  // last: stopped before the members its handler uses are destroyed
};

/// GET <path> with Authorization equal to `expected_token` (when set) answers credentials.
class fake_container {
public:
    fake_container();
    std::string url() const { return server.url(); }
    void expect_token(std::string token);
    credentials_issuer issuer{"ASIACONTAINER"};

private:
    std::mutex mutex_;
    std::string expected_token_;

public:
    route_server server;
};

/// STS Query API: AssumeRole (signed; the signer's access key id must be one it knows) and
/// AssumeRoleWithWebIdentity (WebIdentityToken must be the expected one).
class fake_sts {
public:
    fake_sts();
    std::string url() const { return server.url(); }
    /// Access key ids whose AssumeRole calls are accepted, besides those it issued.
    void trust(std::string access_key_id);
    void expect_web_identity_token(std::string token);
    /// The next answers are this error instead (code, message, HTTP status), `times` times.
    void fail_next(std::string code, std::string message, unsigned status = 403, int times = 1);
    /// The next `times` requests get their connection closed without an answer.
    void drop_next(int times);
    /// The access key id that signed each AssumeRole, in order.
    std::vector<std::string> signers() const;

    credentials_issuer issuer{"ASIASTS"};

private:
    route_response answer(const recorded_request& request);
    mutable std::mutex mutex_;
    std::set<std::string> trusted_;
    std::string web_identity_token_;
    std::string fail_code_, fail_message_;
    unsigned fail_status_ = 403;
    int fail_times_ = 0;
    int drop_times_ = 0;
    std::vector<std::string> signers_;

public:
    route_server server;
};

/// The SSO portal's GetRoleCredentials: GET /federation/credentials?role_name=&account_id=
/// with x-amz-sso_bearer_token equal to the expected token.
class fake_sso_portal {
public:
    fake_sso_portal();
    std::string url() const { return server.url(); }
    void expect(std::string bearer_token, std::string account_id, std::string role_name);
    credentials_issuer issuer{"ASIASSO"};

private:
    std::mutex mutex_;
    std::string token_, account_, role_;

public:
    route_server server;
};

/// SSO-OIDC CreateToken (rest-json): POST /token with {"clientId", "clientSecret",
/// "grantType": "refresh_token", "refreshToken"} answers {"accessToken": "<prefix>N",
/// "expiresIn", "refreshToken": "refresh-N", "tokenType": "Bearer"} when the client and the
/// refresh token are the expected ones; 400 InvalidGrantException otherwise.
class fake_sso_oidc {
public:
    fake_sso_oidc();
    std::string url() const { return server.url(); }
    void expect(std::string client_id, std::string client_secret, std::string refresh_token);
    /// The next `times` answers are this rest-json error (x-amzn-ErrorType and
    /// {"error", "error_description"}).
    void fail_next(unsigned status, std::string type, std::string error, int times = 1);
    /// "refreshed-access-<n>" is the nth access token issued.
    std::string prefix = "refreshed-access-";
    std::chrono::seconds expires_in{8 * 3600};

private:
    route_response answer(const recorded_request& request);
    std::mutex mutex_;
    std::string client_id_, client_secret_, refresh_token_;
    unsigned fail_status_ = 0;
    std::string fail_type_, fail_error_;
    int fail_times_ = 0;
    int issued_ = 0;

public:
    route_server server;
};

}  // namespace dynomite::test
