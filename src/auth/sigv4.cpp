#include "auth/sigv4.hpp"
#include "core/ascii.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

namespace dynomite::detail {
namespace {

constexpr std::string_view scope_terminator = "aws4_request";

bool is_unreserved(unsigned char c) noexcept
{
    return detail::is_ascii_alphanumeric(static_cast<char>(c)) || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes valid %XX escapes; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::string_view trim(std::string_view text) noexcept
{
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Lowercases ASCII letters while appending, as header names are signed.
void append_lowercase(std::string& out, std::string_view text)
{
    const std::size_t start = out.size();
    out.resize(start + text.size());
    std::transform(text.begin(), text.end(), out.begin() + static_cast<std::ptrdiff_t>(start),
                   detail::ascii_lower);
}

// Compares header names as signed: trimmed and lowercased.
int compare_header_names(std::string_view a, std::string_view b) noexcept
{
    a = trim(a);
    b = trim(b);
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) {
        const auto x = static_cast<unsigned char>(detail::ascii_lower(a[i]));
        const auto y = static_cast<unsigned char>(detail::ascii_lower(b[i]));
        if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// Whether the names are already as signed: trimmed, lowercase, sorted and distinct.
bool in_canonical_order(std::span<const header_field> headers) noexcept
{
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const std::string_view name = headers[i].name;
        if (name.empty() || is_space(name.front()) || is_space(name.back())) return false;
        if (std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
            return false;
        }
        if (i != 0 && !(headers[i - 1].name < name)) return false;
    }
    return true;
}

// Whether normalizing would leave the path as it is: it starts with '/' and has no empty, "."
// or ".." segment but for an empty last one (a trailing '/').
bool is_normalized_path(std::string_view path) noexcept
{
    if (path.empty() || path.front() != '/') return false;
    std::size_t start = 1;
    while (true) {
        const std::size_t slash = path.find('/', start);
        const std::string_view segment = path.substr(start, slash - start);
        if (segment == "." || segment == "..") return false;
        if (slash == std::string_view::npos) return true;
        if (segment.empty()) return false;
        start = slash + 1;
    }
}

// A string-returning form of an append_ stage.
template <class Append>
std::string appended(Append&& append)
{
    std::string out;
    append(out);
    return out;
}

}  // namespace

void sign_request(const request_to_sign& request, const credentials& creds,
                  std::string_view amz_date, std::string_view region, std::string_view service,
                  signing_key_cache& cache, sigv4_stages& out)
{
    const std::string_view date = amz_date.substr(0, 8);
    out.canonical_request.clear();
    out.signed_headers.clear();
    append_canonical_request(out.canonical_request, out.signed_headers, request);
    out.scope.clear();
    append_credential_scope(out.scope, date, region, service);
    out.string_to_sign.clear();
    append_string_to_sign(out.string_to_sign, amz_date, out.scope, out.canonical_request);
    out.signature.clear();
    append_signature(out.signature, cache.get(creds.secret_access_key, date, region, service),
                     out.string_to_sign);
    out.authorization.clear();
    append_authorization(out.authorization, creds.access_key_id, out.scope, out.signed_headers,
                         out.signature);
}

void append_uri_encoded(std::string& out, std::string_view data, bool keep_slash)
{
    constexpr char digits[] = "0123456789ABCDEF";
    for (const char c : data) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_unreserved(byte) || (keep_slash && c == '/')) {
            out.push_back(c);
        } else {
            const char escape[3] = {'%', digits[byte >> 4], digits[byte & 0x0f]};
            out.append(escape, 3);
        }
    }
}

std::string normalize_uri_path(std::string_view path)
{
    std::vector<std::string_view> segments;
    bool directory = false;  // whether the last segment read names a directory
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string_view segment = path.substr(start, end - start);
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
            directory = true;
        } else if (segment.empty() || segment == ".") {
            directory = true;
        } else {
            segments.push_back(segment);
            directory = false;
        }
        start = end + 1;
    }
    std::string out;
    for (const std::string_view segment : segments) out.append(1, '/').append(segment);
    if (out.empty() || directory) out.push_back('/');
    return out;
}

void append_canonical_uri(std::string& out, std::string_view path, bool normalize_path)
{
    if (path.empty()) {
        out.push_back('/');
    } else if (normalize_path && !is_normalized_path(path)) {
        append_uri_encoded(out, normalize_uri_path(path), true);
    } else {
        // The usual endpoint path ("/") needs no normalizing, and so no allocation.
        append_uri_encoded(out, path, true);
    }
}

std::string canonical_uri(std::string_view path, bool normalize_path)
{
    return appended([&](std::string& out) { append_canonical_uri(out, path, normalize_path); });
}

void append_canonical_query_string(std::string& out, std::string_view query)
{
    std::vector<std::pair<std::string, std::string>> parameters;
    std::size_t start = 0;
    while (start < query.size()) {
        const std::size_t end = std::min(query.find('&', start), query.size());
        const std::string_view parameter = query.substr(start, end - start);
        if (!parameter.empty()) {
            const std::size_t equals = parameter.find('=');
            const std::string_view key = parameter.substr(0, equals);
            const std::string_view value = equals == std::string_view::npos
                                               ? std::string_view()
                                               : parameter.substr(equals + 1);
            auto& [encoded_key, encoded_value] = parameters.emplace_back();
            append_uri_encoded(encoded_key, percent_decode(key), false);
            append_uri_encoded(encoded_value, percent_decode(value), false);
        }
        start = end + 1;
    }
    std::sort(parameters.begin(), parameters.end());
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        if (i != 0) out.push_back('&');
        out.append(parameters[i].first).append(1, '=').append(parameters[i].second);
    }
}

std::string canonical_query_string(std::string_view query)
{
    return appended([&](std::string& out) { append_canonical_query_string(out, query); });
}

void append_canonical_header_value(std::string& out, std::string_view value)
{
    value = trim(value);
    while (!value.empty()) {
        std::size_t run = 0;
        while (run < value.size() && !is_space(value[run])) ++run;
        out.append(value.data(), run);
        value.remove_prefix(run);
        if (value.empty()) break;
        // Trimmed, so a non-space character follows this run of whitespace.
        while (is_space(value.front())) value.remove_prefix(1);
        out.push_back(' ');
    }
}

void append_canonical_headers(std::string& out, std::string& signed_headers,
                              std::span<const header_field> headers)
{
    // Headers listed as they are signed (DynamoDB's) are written as they are; others are put in
    // order through their positions, on the stack for the few headers a request signs, so that
    // signing allocates nothing.
    const bool canonical = in_canonical_order(headers);
    constexpr std::size_t positions_on_stack = 16;
    std::array<std::size_t, positions_on_stack> stack_positions;
    std::vector<std::size_t> heap_positions;
    std::span<std::size_t> order(stack_positions.data(), headers.size());
    if (headers.size() > positions_on_stack) {
        heap_positions.resize(headers.size());
        order = heap_positions;
    }
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Ties broken by position, so that the values of a repeated name keep the order they were
    // sent in (std::stable_sort would allocate).
    if (!canonical) {
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            const int names = compare_header_names(headers[a].name, headers[b].name);
            return names != 0 ? names < 0 : a < b;
        });
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
        const header_field& header = headers[order[i]];
        if (i != 0 && !canonical &&
            compare_header_names(headers[order[i - 1]].name, header.name) == 0) {
            out.push_back(',');
        } else {
            if (i != 0) out.push_back('\n');
            if (i != 0) signed_headers.push_back(';');
            if (canonical) {
                out.append(header.name);
                signed_headers.append(header.name);
            } else {
                const std::string_view name = trim(header.name);
                append_lowercase(out, name);
                append_lowercase(signed_headers, name);
            }
            out.push_back(':');
        }
        append_canonical_header_value(out, header.value);
    }
    if (!order.empty()) out.push_back('\n');
}

void append_canonical_request(std::string& out, std::string& signed_headers,
                              const request_to_sign& request)
{
    out.append(request.method).append(1, '\n');
    append_canonical_uri(out, request.path, request.normalize_path);
    out.push_back('\n');
    append_canonical_query_string(out, request.query);
    out.push_back('\n');
    const std::size_t names_start = signed_headers.size();
    append_canonical_headers(out, signed_headers, request.headers);
    out.push_back('\n');
    out.append(std::string_view(signed_headers).substr(names_start)).append(1, '\n');
    out.append(request.payload_hash);
}

canonical_request make_canonical_request(std::string_view method, std::string_view path,
                                         std::string_view query,
                                         std::span<const header_field> headers,
                                         std::string_view payload_hash, bool normalize_path)
{
    canonical_request result;
    append_canonical_request(result.text, result.signed_headers,
                             {method, path, query, headers, payload_hash, normalize_path});
    return result;
}

void append_credential_scope(std::string& out, std::string_view date, std::string_view region,
                             std::string_view service)
{
    out.append(date).append(1, '/').append(region).append(1, '/').append(service);
    out.append(1, '/').append(scope_terminator);
}

std::string make_credential_scope(std::string_view date, std::string_view region,
                                  std::string_view service)
{
    return appended(
        [&](std::string& out) { append_credential_scope(out, date, region, service); });
}

void append_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request_text)
{
    out.append(sigv4_algorithm).append(1, '\n').append(amz_date).append(1, '\n');
    out.append(scope).append(1, '\n');
    append_hex(out, sha256(canonical_request_text));
}

std::string make_string_to_sign(std::string_view amz_date, std::string_view scope,
                                std::string_view canonical_request_text)
{
    return appended([&](std::string& out) {
        append_string_to_sign(out, amz_date, scope, canonical_request_text);
    });
}

sha256_digest derive_signing_key(std::string_view secret_access_key, std::string_view date,
                                 std::string_view region, std::string_view service)
{
    std::string initial_key;
    initial_key.reserve(4 + secret_access_key.size());
    initial_key.append("AWS4").append(secret_access_key);
    sha256_digest key = hmac_sha256(std::string_view(initial_key), date);
    OPENSSL_cleanse(initial_key.data(), initial_key.size());
    key = hmac_sha256(key, region);
    key = hmac_sha256(key, service);
    return hmac_sha256(key, scope_terminator);
}

signing_key_cache::signing_key_cache(const signing_key_cache& other)
{
    std::lock_guard lock(other.mutex_);
    copy_from(other);
}

signing_key_cache& signing_key_cache::operator=(const signing_key_cache& other)
{
    if (this == &other) return *this;
    std::scoped_lock lock(mutex_, other.mutex_);
    copy_from(other);
    return *this;
}

void signing_key_cache::copy_from(const signing_key_cache& other)
{
    valid_ = other.valid_;
    secret_access_key_ = other.secret_access_key_;
    date_ = other.date_;
    region_ = other.region_;
    service_ = other.service_;
    key_ = other.key_;
    derivations_ = other.derivations_;
}

sha256_digest signing_key_cache::get(std::string_view secret_access_key, std::string_view date,
                                     std::string_view region, std::string_view service)
{
    std::lock_guard lock(mutex_);
    if (!valid_ || date != date_ || region != region_ || service != service_ ||
        secret_access_key != secret_access_key_) {
        key_ = derive_signing_key(secret_access_key, date, region, service);
        secret_access_key_.assign(secret_access_key);
        date_.assign(date);
        region_.assign(region);
        service_.assign(service);
        valid_ = true;
        ++derivations_;
    }
    return key_;
}

std::uint64_t signing_key_cache::derivations() const
{
    std::lock_guard lock(mutex_);
    return derivations_;
}

void append_signature(std::string& out, const sha256_digest& signing_key,
                      std::string_view string_to_sign)
{
    // One hasher per thread (a new one would create two OpenSSL contexts), rekeyed only when
    // the key changes, as the cached key does once a day: a finished hasher is ready for the
    // next message under the same key.
    thread_local hmac_sha256_hasher mac;
    thread_local std::optional<sha256_digest> mac_key;
    if (mac_key != signing_key) mac.rekey(signing_key);
    mac_key.reset();  // until this message is finished, should OpenSSL fail on the way
    mac.update(string_to_sign);
    append_hex(out, mac.finish());
    mac_key = signing_key;
}

std::string compute_signature(const sha256_digest& signing_key, std::string_view string_to_sign)
{
    return appended(
        [&](std::string& out) { append_signature(out, signing_key, string_to_sign); });
}

void append_authorization(std::string& out, std::string_view access_key_id,
                          std::string_view scope, std::string_view signed_headers,
                          std::string_view signature)
{
    out.append(sigv4_algorithm).append(" Credential=").append(access_key_id).append(1, '/');
    out.append(scope).append(", SignedHeaders=").append(signed_headers);
    out.append(", Signature=").append(signature);
}

std::string make_authorization(std::string_view access_key_id, std::string_view scope,
                               std::string_view signed_headers, std::string_view signature)
{
    return appended([&](std::string& out) {
        append_authorization(out, access_key_id, scope, signed_headers, signature);
    });
}

clock_fn system_clock_fn()
{
    return [] { return std::chrono::system_clock::now(); };
}

std::array<char, amz_date_size> format_amz_date_chars(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    const auto seconds_since_epoch = floor<seconds>(t);
    const auto day = floor<days>(seconds_since_epoch);
    const year_month_day date{day};
    const auto second_of_day = static_cast<unsigned>((seconds_since_epoch - day).count());

    std::array<char, amz_date_size> out;
    const auto put = [&out](std::size_t position, unsigned value, std::size_t width) {
        for (std::size_t i = width; i-- > 0; value /= 10) {
            out[position + i] = static_cast<char>('0' + value % 10);
        }
    };
    put(0, static_cast<unsigned>(static_cast<int>(date.year())), 4);
    put(4, static_cast<unsigned>(date.month()), 2);
    put(6, static_cast<unsigned>(date.day()), 2);
    out[8] = 'T';
    put(9, second_of_day / 3600, 2);
    put(11, second_of_day / 60 % 60, 2);
    put(13, second_of_day % 60, 2);
    out[15] = 'Z';
    return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point t)
{
    const auto chars = format_amz_date_chars(t);
    return std::string(chars.data(), chars.size());
}

void sign_dynamodb_request(const credentials& creds, std::string_view region,
                           std::string_view service, std::string_view host_header,
                           std::string_view target, std::string_view content_type,
                           std::string_view body, std::chrono::system_clock::time_point now,
                           signing_key_cache& cache, std::string_view path, sigv4_stages& out)
{
    const auto date_chars = format_amz_date_chars(now);
    const std::string_view amz_date(date_chars.data(), date_chars.size());
    std::array<char, 2 * sha256_size> payload_hash;
    write_hex(sha256(body), payload_hash.data());

    // Listed in canonical order, which spares the sort.
    std::array<header_field, 5> headers{{{"content-type", content_type},
                                         {"host", host_header},
                                         {"x-amz-date", amz_date}}};
    std::size_t count = 3;
    if (!creds.session_token.empty()) {
        headers[count++] = {"x-amz-security-token", creds.session_token};
    }
    headers[count++] = {"x-amz-target", target};
    sign_request({.method = "POST",
                  .path = path,
                  .query = {},
                  .headers = std::span(headers.data(), count),
                  .payload_hash = std::string_view(payload_hash.data(), payload_hash.size()),
                  .normalize_path = true},
                 creds, amz_date, region, service, cache, out);
}

void sign_dynamodb_request(const credentials& creds, std::string_view region,
                           std::string_view service, std::string_view host_header,
                           std::string_view target, std::string_view content_type,
                           std::string_view body, std::chrono::system_clock::time_point now,
                           signing_key_cache& cache, std::string_view path,
                           dynamodb_signature& out)
{
    // Reused per thread: after the first request of a given size, signing allocates nothing
    // but what `out` has no room for.
    thread_local sigv4_stages stages;
    sign_dynamodb_request(creds, region, service, host_header, target, content_type, body, now,
                          cache, path, stages);
    // X-Amz-Date is the string to sign's second line: taken from there, not formatted again.
    out.amz_date.assign(
        std::string_view(stages.string_to_sign).substr(sigv4_algorithm.size() + 1, amz_date_size));
    out.authorization.assign(stages.authorization);
}

dynamodb_signature sign_dynamodb_request(const credentials& creds, std::string_view region,
                                         std::string_view service, std::string_view host_header,
                                         std::string_view target, std::string_view content_type,
                                         std::string_view body,
                                         std::chrono::system_clock::time_point now,
                                         signing_key_cache& cache, std::string_view path)
{
    dynamodb_signature signature;
    sign_dynamodb_request(creds, region, service, host_header, target, content_type, body, now,
                          cache, path, signature);
    return signature;
}

}  // namespace dynomite::detail
