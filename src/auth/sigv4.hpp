// AWS Signature Version 4 for the Authorization header, sans-io.
// One signer, sign_request, made of stages that append to a caller's buffer: canonical request,
// string to sign, signing key, signature, Authorization header.
#pragma once

#include <dynomite/auth/credentials.hpp>
#include "auth/crypto.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

namespace dynomite::detail {

inline constexpr std::string_view sigv4_algorithm = "AWS4-HMAC-SHA256";

/// A request header as sent: any case; a name may repeat.
struct header_field {
    std::string_view name;
    std::string_view value;
};

class signing_key_cache;

/// One request as SigV4 sees it. Every header in `headers` is signed, X-Amz-Date (and
/// X-Amz-Security-Token, X-Amz-Content-Sha256 where used) included, with the values it is sent
/// with.
struct request_to_sign {
    std::string_view method;
    std::string_view path;   // the request target's path, as sent
    std::string_view query;  // the raw query, without '?'
    std::span<const header_field> headers;
    std::string_view payload_hash;  // lowercase hex SHA-256 of the body
    bool normalize_path = true;     // false only for S3
};

/// Every stage of one signature. Reusing one for each request keeps signing free of
/// allocations once the buffers have grown to the size of the requests.
struct sigv4_stages {
    std::string canonical_request;
    std::string signed_headers;  // lowercase names joined with ';', e.g. "host;x-amz-date"
    std::string scope;           // "20150830/us-east-1/service/aws4_request"
    std::string string_to_sign;
    std::string signature;       // lowercase hex
    std::string authorization;   // the Authorization header value
};

/// Signs `request` for the Authorization header: fills every stage of `out`, replacing what it
/// held. amz_date is the X-Amz-Date value ("20150830T123600Z"); the signing key comes from
/// `cache`. The one signer: the stage functions below write the same text, and
/// sign_dynamodb_request is this with DynamoDB's headers.
void sign_request(const request_to_sign& request, const credentials& creds,
                  std::string_view amz_date, std::string_view region, std::string_view service,
                  signing_key_cache& cache, sigv4_stages& out);

// The stages, each appending to a caller's buffer; the string-returning forms are for callers
// that sign rarely.

/// Percent-encodes as SigV4 requires: A-Za-z0-9 and -._~ are kept, '/' too when keep_slash,
/// every other byte becomes %XX with uppercase hex digits.
void append_uri_encoded(std::string& out, std::string_view data, bool keep_slash);

/// Removes "." and ".." segments and empty segments ("//"); the result starts with '/' and
/// keeps a trailing '/' when the input ended with a directory ("a/", "a/.", "a/..").
std::string normalize_uri_path(std::string_view path);

/// The canonical URI of a request path: normalized when asked, then percent-encoded, so a path
/// already percent-encoded on the wire is encoded a second time, as services other than S3
/// expect. An empty path is "/".
void append_canonical_uri(std::string& out, std::string_view path, bool normalize_path);
std::string canonical_uri(std::string_view path, bool normalize_path);

/// The canonical query string of a raw query (without '?'): each parameter is split at its first
/// '=', percent-decoded, re-encoded per SigV4, and the parameters are sorted by encoded key then
/// encoded value. A parameter without '=' has an empty value; empty parameters are dropped.
void append_canonical_query_string(std::string& out, std::string_view query);
std::string canonical_query_string(std::string_view query);

/// Appends a header value as signed: leading and trailing whitespace removed, and each inner
/// run of whitespace (spaces, tabs, line breaks of a folded value) replaced by one space.
void append_canonical_header_value(std::string& out, std::string_view value);

/// Appends the canonical headers ("name:value\n" each) to `out` and their names, joined with
/// ';', to `signed_headers`. Names are trimmed, lowercased and sorted; the values of a repeated
/// name are joined with ',' in the order given.
void append_canonical_headers(std::string& out, std::string& signed_headers,
                              std::span<const header_field> headers);

/// Appends the canonical request to `out` and the signed header names to `signed_headers`.
void append_canonical_request(std::string& out, std::string& signed_headers,
                              const request_to_sign& request);

struct canonical_request {
    std::string text;
    std::string signed_headers;  // lowercase names joined with ';', e.g. "host;x-amz-date"
};

canonical_request make_canonical_request(std::string_view method, std::string_view path,
                                         std::string_view query,
                                         std::span<const header_field> headers,
                                         std::string_view payload_hash, bool normalize_path);

/// "20150830/us-east-1/dynamodb/aws4_request"; date is YYYYMMDD.
void append_credential_scope(std::string& out, std::string_view date, std::string_view region,
                             std::string_view service);
std::string make_credential_scope(std::string_view date, std::string_view region,
                                  std::string_view service);

/// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of the canonical request>".
void append_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request_text);
std::string make_string_to_sign(std::string_view amz_date, std::string_view scope,
                                std::string_view canonical_request_text);

/// HMAC chain "AWS4" + secret -> date -> region -> service -> "aws4_request".
sha256_digest derive_signing_key(std::string_view secret_access_key, std::string_view date,
                                 std::string_view region, std::string_view service);

/// Remembers the last signing key and derives a new one only when the secret, the date, the
/// region or the service changes. Safe to share between threads.
class signing_key_cache {
public:
    signing_key_cache() = default;
    signing_key_cache(const signing_key_cache& other);
    signing_key_cache& operator=(const signing_key_cache& other);

    sha256_digest get(std::string_view secret_access_key, std::string_view date,
                      std::string_view region, std::string_view service);

    /// How many keys this cache has derived.
    std::uint64_t derivations() const;

private:
    /// Copies everything but the mutex; the caller holds both locks.
    void copy_from(const signing_key_cache& other);

    mutable std::mutex mutex_;
    bool valid_ = false;
    std::string secret_access_key_;
    std::string date_;
    std::string region_;
    std::string service_;
    sha256_digest key_{};
    std::uint64_t derivations_ = 0;
};

/// Appends the lowercase hex HMAC-SHA256 of the string to sign.
void append_signature(std::string& out, const sha256_digest& signing_key,
                      std::string_view string_to_sign);
std::string compute_signature(const sha256_digest& signing_key, std::string_view string_to_sign);

/// "AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<names>, Signature=<hex>".
void append_authorization(std::string& out, std::string_view access_key_id,
                          std::string_view scope, std::string_view signed_headers,
                          std::string_view signature);
std::string make_authorization(std::string_view access_key_id, std::string_view scope,
                               std::string_view signed_headers, std::string_view signature);

using clock_fn = std::function<std::chrono::system_clock::time_point()>;

/// A clock_fn reading std::chrono::system_clock.
clock_fn system_clock_fn();

inline constexpr std::size_t amz_date_size = 16;

/// "20150830T123600Z": UTC, sub-second parts truncated; four-digit years only.
std::array<char, amz_date_size> format_amz_date_chars(std::chrono::system_clock::time_point t);
std::string format_amz_date(std::chrono::system_clock::time_point t);

struct dynamodb_signature {
    std::string amz_date;       // the X-Amz-Date header value
    std::string authorization;  // the Authorization header value
};

/// Signs a DynamoDB call: POST to `path` (the endpoint's, "/" unless its URL has one; the
/// canonical URI is canonical_uri(path, true)) with an empty query, signing content-type, host,
/// x-amz-date, x-amz-security-token (when creds.session_token is not empty) and x-amz-target,
/// with the body as payload. The request must carry exactly these header values, and
/// X-Amz-Security-Token when there is a session token. sign_request does the signing.
dynamodb_signature sign_dynamodb_request(const credentials& creds, std::string_view region,
                                         std::string_view service, std::string_view host_header,
                                         std::string_view target, std::string_view content_type,
                                         std::string_view body,
                                         std::chrono::system_clock::time_point now,
                                         signing_key_cache& cache, std::string_view path = "/");

/// The same into `out`, whose strings keep their capacity from one call to the next.
void sign_dynamodb_request(const credentials& creds, std::string_view region,
                           std::string_view service, std::string_view host_header,
                           std::string_view target, std::string_view content_type,
                           std::string_view body, std::chrono::system_clock::time_point now,
                           signing_key_cache& cache, std::string_view path,
                           dynamodb_signature& out);

/// The same signature, leaving every stage in `out` (the forms above reuse one per thread).
void sign_dynamodb_request(const credentials& creds, std::string_view region,
                           std::string_view service, std::string_view host_header,
                           std::string_view target, std::string_view content_type,
                           std::string_view body, std::chrono::system_clock::time_point now,
                           signing_key_cache& cache, std::string_view path, sigv4_stages& out);

}  // namespace dynomite::detail
