#include "auth/sigv4.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace dynomite::detail {
namespace {

constexpr std::string_view scope_terminator = "aws4_request";

bool is_unreserved(unsigned char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char to_lower(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
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

void append_scope(std::string& out, std::string_view date, std::string_view region,
                  std::string_view service)
{
    out.append(date).append(1, '/').append(region).append(1, '/').append(service);
    out.append(1, '/').append(scope_terminator);
}

}  // namespace

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

std::string canonical_uri(std::string_view path, bool normalize_path)
{
    std::string out;
    if (normalize_path) {
        append_uri_encoded(out, normalize_uri_path(path), true);
    } else {
        append_uri_encoded(out, path.empty() ? std::string_view("/") : path, true);
    }
    return out;
}

std::string canonical_query_string(std::string_view query)
{
    std::vector<std::pair<std::string, std::string>> parameters;
    std::size_t start = 0;
    while (start <= query.size()) {
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
    std::string out;
    for (const auto& [key, value] : parameters) {
        if (!out.empty()) out.push_back('&');
        out.append(key).append(1, '=').append(value);
    }
    return out;
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

canonical_request make_canonical_request(std::string_view method, std::string_view path,
                                         std::string_view query,
                                         std::span<const header_field> headers,
                                         std::string_view payload_hash, bool normalize_path)
{
    struct canonical_header {
        std::string name;
        std::string value;
    };
    std::vector<canonical_header> fields;
    fields.reserve(headers.size());
    for (const header_field& header : headers) {
        canonical_header& field = fields.emplace_back();
        const std::string_view name = trim(header.name);
        field.name.resize(name.size());
        std::transform(name.begin(), name.end(), field.name.begin(), to_lower);
        append_canonical_header_value(field.value, header.value);
    }
    // Stable, so that the values of a repeated name keep the order they were sent in.
    std::stable_sort(
        fields.begin(), fields.end(),
        [](const canonical_header& a, const canonical_header& b) { return a.name < b.name; });

    canonical_request result;
    std::string& text = result.text;
    text.append(method).append(1, '\n');
    text.append(canonical_uri(path, normalize_path)).append(1, '\n');
    text.append(canonical_query_string(query)).append(1, '\n');
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const bool first_of_name = i == 0 || fields[i - 1].name != fields[i].name;
        if (first_of_name) {
            if (i != 0) text.push_back('\n');
            text.append(fields[i].name).append(1, ':');
            if (!result.signed_headers.empty()) result.signed_headers.push_back(';');
            result.signed_headers.append(fields[i].name);
        } else {
            text.push_back(',');
        }
        text.append(fields[i].value);
    }
    if (!fields.empty()) text.push_back('\n');
    text.append(1, '\n').append(result.signed_headers).append(1, '\n').append(payload_hash);
    return result;
}

std::string make_credential_scope(std::string_view date, std::string_view region,
                                  std::string_view service)
{
    std::string scope;
    scope.reserve(date.size() + region.size() + service.size() + scope_terminator.size() + 3);
    append_scope(scope, date, region, service);
    return scope;
}

std::string make_string_to_sign(std::string_view amz_date, std::string_view scope,
                                std::string_view canonical_request_text)
{
    std::string out;
    out.reserve(sigv4_algorithm.size() + amz_date.size() + scope.size() + 2 * sha256_size + 3);
    out.append(sigv4_algorithm).append(1, '\n').append(amz_date).append(1, '\n');
    out.append(scope).append(1, '\n');
    append_hex(out, sha256(canonical_request_text));
    return out;
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
    valid_ = other.valid_;
    secret_access_key_ = other.secret_access_key_;
    date_ = other.date_;
    region_ = other.region_;
    service_ = other.service_;
    key_ = other.key_;
    derivations_ = other.derivations_;
}

signing_key_cache& signing_key_cache::operator=(const signing_key_cache& other)
{
    if (this == &other) return *this;
    std::scoped_lock lock(mutex_, other.mutex_);
    valid_ = other.valid_;
    secret_access_key_ = other.secret_access_key_;
    date_ = other.date_;
    region_ = other.region_;
    service_ = other.service_;
    key_ = other.key_;
    derivations_ = other.derivations_;
    return *this;
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

std::string compute_signature(const sha256_digest& signing_key, std::string_view string_to_sign)
{
    return to_hex(hmac_sha256(signing_key, string_to_sign));
}

std::string make_authorization(std::string_view access_key_id, std::string_view scope,
                               std::string_view signed_headers, std::string_view signature)
{
    constexpr std::string_view credential = " Credential=";
    constexpr std::string_view signed_headers_label = ", SignedHeaders=";
    constexpr std::string_view signature_label = ", Signature=";
    std::string out;
    out.reserve(sigv4_algorithm.size() + credential.size() + access_key_id.size() + 1 +
                scope.size() + signed_headers_label.size() + signed_headers.size() +
                signature_label.size() + signature.size());
    out.append(sigv4_algorithm).append(credential).append(access_key_id).append(1, '/');
    out.append(scope).append(signed_headers_label).append(signed_headers);
    out.append(signature_label).append(signature);
    return out;
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

dynamodb_signature sign_dynamodb_request(const credentials& creds, std::string_view region,
                                         std::string_view service, std::string_view host_header,
                                         std::string_view target, std::string_view content_type,
                                         std::string_view body,
                                         std::chrono::system_clock::time_point now,
                                         signing_key_cache& cache, std::string_view path)
{
    const auto date_chars = format_amz_date_chars(now);
    const std::string_view amz_date(date_chars.data(), date_chars.size());
    const std::string_view date = amz_date.substr(0, 8);
    const bool with_token = !creds.session_token.empty();
    const std::string_view signed_headers =
        with_token ? "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
                   : "content-type;host;x-amz-date;x-amz-target";

    // Reused per thread: after the first request of a given size, building it allocates nothing.
    thread_local std::string canonical;
    canonical.clear();
    canonical.append("POST\n");
    if (path == "/") {
        canonical.append(1, '/');
    } else {
        canonical.append(canonical_uri(path, true));
    }
    canonical.append("\n\ncontent-type:");
    append_canonical_header_value(canonical, content_type);
    canonical.append("\nhost:");
    append_canonical_header_value(canonical, host_header);
    canonical.append("\nx-amz-date:").append(amz_date);
    if (with_token) {
        canonical.append("\nx-amz-security-token:");
        append_canonical_header_value(canonical, creds.session_token);
    }
    canonical.append("\nx-amz-target:");
    append_canonical_header_value(canonical, target);
    canonical.append("\n\n").append(signed_headers).append(1, '\n');
    append_hex(canonical, sha256(body));

    std::array<char, 2 * sha256_size> hex;
    write_hex(sha256(canonical), hex.data());
    const sha256_digest signing_key = cache.get(creds.secret_access_key, date, region, service);
    // The string to sign in one buffer, hashed in one update.
    thread_local std::string string_to_sign;
    string_to_sign.clear();
    string_to_sign.append(sigv4_algorithm).append(1, '\n').append(amz_date).append(1, '\n');
    append_scope(string_to_sign, date, region, service);
    string_to_sign.append(1, '\n').append(hex.data(), hex.size());
    thread_local hmac_sha256_hasher mac;
    mac.rekey(signing_key);
    mac.update(string_to_sign);
    write_hex(mac.finish(), hex.data());

    dynamodb_signature result;
    result.amz_date.assign(amz_date);
    constexpr std::string_view credential = " Credential=";
    constexpr std::string_view signed_headers_label = ", SignedHeaders=";
    constexpr std::string_view signature_label = ", Signature=";
    std::string& authorization = result.authorization;
    authorization.reserve(sigv4_algorithm.size() + credential.size() + creds.access_key_id.size() +
                          date.size() + region.size() + service.size() + scope_terminator.size() +
                          4 + signed_headers_label.size() + signed_headers.size() +
                          signature_label.size() + hex.size());
    authorization.append(sigv4_algorithm).append(credential).append(creds.access_key_id);
    authorization.append(1, '/');
    append_scope(authorization, date, region, service);
    authorization.append(signed_headers_label).append(signed_headers);
    authorization.append(signature_label).append(hex.data(), hex.size());
    return result;
}

}  // namespace dynomite::detail
