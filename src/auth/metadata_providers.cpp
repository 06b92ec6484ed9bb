#include "auth/credentials_json.hpp"
#include "auth/credential_checks.hpp"
#include "auth/http_fetch.hpp"
#include "auth/text_file.hpp"

#include <dynomite/auth/metadata_providers.hpp>
#include "core/shared_config.hpp"

#include <boost/asio/ip/address.hpp>

namespace dynomite {

namespace asio = boost::asio;

namespace {

// Sends until an answer that is not a server error, at most `attempts` times.
asio::awaitable<error_code> fetch_with_attempts(const detail::http_fetch_request& request,
                                                int attempts, detail::http_fetch_response& response,
                                                std::string& detail_text)
{
    error_code ec;
    for (int attempt = 1; attempt <= std::max(attempts, 1); ++attempt) {
        response = {};
        ec = co_await detail::fetch_http(request, response, detail_text);
        if (!ec && response.status < 500) co_return error_code{};
    }
    if (!ec) detail_text = request.method + " answered HTTP " + std::to_string(response.status);
    co_return ec ? ec : make_error_code(errc::http_status);
}

bool allowed_container_host(const std::string& host)
{
    if (host == "localhost") return true;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) return false;
    if (address.is_loopback()) return true;
    return address == asio::ip::make_address("169.254.170.2") ||
           address == asio::ip::make_address("169.254.170.23") ||
           address == asio::ip::make_address("fd00:ec2::23");
}

std::string lowercase(std::string text)
{
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

error_code container_options_from_environment(const environment& env, container_options& out,
                                              bool& configured, std::string& why,
                                              std::string_view relative_base)
{
    using detail::lookup;
    configured = false;
    container_options params;
    if (auto relative = lookup(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        params.url = std::string(relative_base) + (relative->starts_with("/") ? "" : "/") + *relative;
    } else if (auto full = lookup(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
        detail::url_parts parts;
        if (auto ec = detail::split_url(*full, parts, why)) {
            why = "AWS_CONTAINER_CREDENTIALS_FULL_URI: " + why;
            return make_error_code(errc::invalid_configuration);
        }
        if (!parts.tls && !allowed_container_host(parts.host)) {
            why = "AWS_CONTAINER_CREDENTIALS_FULL_URI names host \"" + parts.host +
                  "\"; over http only a loopback address, 169.254.170.2, 169.254.170.23 or "
                  "fd00:ec2::23 is allowed (https may name any host)";
            return make_error_code(errc::invalid_configuration);
        }
        params.url = *full;
    } else {
        return {};
    }
    if (auto file = lookup(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
        params.authorization_token_file = *file;
    } else if (auto token = lookup(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
        if (!detail::is_valid_header_value(*token)) {
            why = "AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line break or a control character";
            return make_error_code(errc::invalid_configuration);
        }
        params.authorization_token = *token;
    }
    configured = true;
    out = std::move(params);
    return {};
}

container_credentials_provider::container_credentials_provider(asio::any_io_executor executor,
                                                               container_options params)
    : coroutine_credentials_provider(std::move(executor)), params_(std::move(params))
{
}

asio::awaitable<error_code> container_credentials_provider::fetch(credentials& out,
                                                                  diagnostics& diag)
{
    detail::http_fetch_request request;
    request.url = params_.url;
    request.timeout = params_.timeout;
    request.headers = {{"Accept", "application/json"}};
    std::string token = params_.authorization_token;
    std::string why;
    if (!params_.authorization_token_file.empty()) {
        if (auto ec = detail::read_text_file(params_.authorization_token_file,
                                             "container authorization token file", token, why)) {
            diag.message = "container credentials: " + why;
            co_return ec;
        }
        token = detail::trimmed(token);
        if (!detail::is_valid_header_value(token)) {
            diag.message = "container credentials: the authorization token file " +
                           params_.authorization_token_file +
                           " holds a line break or a control character";
            co_return make_error_code(errc::invalid_configuration);
        }
    }
    if (!token.empty()) request.headers.emplace_back("Authorization", token);

    detail::http_fetch_response response;
    std::string detail_text;
    if (auto ec = co_await fetch_with_attempts(request, params_.attempts, response, detail_text)) {
        diag.message = "container credentials at " + params_.url + ": " + detail_text;
        co_return ec;
    }
    if (response.status != 200) {
        const std::string said = detail::json_error_summary(response.body);
        diag.http_status = response.status;
        diag.message = "container credentials at " + params_.url + ": HTTP " +
                       std::to_string(response.status) + (said.empty() ? "" : " " + said);
        co_return make_error_code(response.status == 401 || response.status == 403
                                      ? errc::access_denied
                                      : errc::http_status);
    }
    if (auto ec = detail::parse_credentials_json(response.body,
                                                 detail::credentials_json_format::metadata, out,
                                                 why)) {
        diag.message = "container credentials at " + params_.url + ": " + why;
        co_return ec;
    }
    co_return error_code{};
}

error_code imds_options_from_environment(const environment& env, imds_options& out, bool& disabled,
                                         std::string& why)
{
    using detail::lookup;
    disabled = lowercase(lookup(env, "AWS_EC2_METADATA_DISABLED").value_or("")) == "true";
    imds_options params = out;
    if (auto endpoint = lookup(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
        detail::url_parts parts;
        if (auto ec = detail::split_url(*endpoint, parts, why)) {
            why = "AWS_EC2_METADATA_SERVICE_ENDPOINT: " + why;
            return make_error_code(errc::invalid_configuration);
        }
        while (endpoint->ends_with("/")) endpoint->pop_back();
        params.endpoint = *endpoint;
    } else if (auto mode = lookup(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")) {
        const std::string lower = lowercase(*mode);
        if (lower == "ipv6") {
            params.endpoint = "http://[fd00:ec2::254]";
        } else if (lower == "ipv4") {
            params.endpoint = "http://169.254.169.254";
        } else {
            why = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is \"" + *mode +
                  "\"; expected IPv4 or IPv6";
            return make_error_code(errc::invalid_configuration);
        }
    }
    out = std::move(params);
    return {};
}

imds_credentials_provider::imds_credentials_provider(asio::any_io_executor executor,
                                                     imds_options params)
    : coroutine_credentials_provider(std::move(executor)), params_(std::move(params))
{
}

asio::awaitable<error_code> imds_credentials_provider::fetch(credentials& out, diagnostics& diag)
{
    const std::string where = "EC2 instance metadata at " + params_.endpoint;
    std::string detail_text;
    detail::http_fetch_response response;

    std::string token;
    {
        std::lock_guard lock(mutex_);
        if (std::chrono::steady_clock::now() < token_expiry_) token = token_;
    }
    if (token.empty()) {
        detail::http_fetch_request put;
        put.method = "PUT";
        put.url = params_.endpoint + "/latest/api/token";
        put.timeout = params_.timeout;
        put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds",
                        std::to_string(params_.token_ttl.count())}};
        if (auto ec = co_await fetch_with_attempts(put, params_.attempts, response, detail_text)) {
            diag.message = where + ": getting a session token: " + detail_text;
            co_return ec;
        }
        if (response.status != 200 || response.body.empty()) {
            diag.http_status = response.status;
            diag.message = where + ": the session token request answered HTTP " +
                           std::to_string(response.status);
            co_return make_error_code(errc::http_status);
        }
        token = detail::trimmed(response.body);
        std::lock_guard lock(mutex_);
        token_ = token;
        // Renewed a minute early, so that it does not expire between two requests.
        token_expiry_ = std::chrono::steady_clock::now() + params_.token_ttl -
                        std::min<std::chrono::seconds>(params_.token_ttl / 2, std::chrono::seconds(60));
    }

    const std::string base = params_.endpoint + "/latest/meta-data/iam/security-credentials/";
    detail::http_fetch_request get;
    get.url = base;
    get.timeout = params_.timeout;
    get.headers = {{"X-aws-ec2-metadata-token", token}};
    if (auto ec = co_await fetch_with_attempts(get, params_.attempts, response, detail_text)) {
        diag.message = where + ": listing the instance's role: " + detail_text;
        co_return ec;
    }
    if (response.status == 401) {
        std::lock_guard lock(mutex_);
        token_expiry_ = {};
    }
    if (response.status == 404) {
        diag.message = where + ": the instance has no IAM role (instance profile) attached";
        co_return make_error_code(errc::no_credentials);
    }
    if (response.status != 200) {
        diag.http_status = response.status;
        diag.message = where + ": listing the instance's role answered HTTP " +
                       std::to_string(response.status);
        co_return make_error_code(errc::http_status);
    }
    const std::string role = detail::trimmed(response.body.substr(0, response.body.find('\n')));
    if (role.empty() || role.find('/') != std::string::npos) {
        diag.message = where + ": the instance's role name is empty or not a name";
        co_return make_error_code(errc::malformed_response);
    }

    get.url = base + role;
    if (auto ec = co_await fetch_with_attempts(get, params_.attempts, response, detail_text)) {
        diag.message = where + ": the credentials of role " + role + ": " + detail_text;
        co_return ec;
    }
    if (response.status != 200) {
        diag.http_status = response.status;
        diag.message = where + ": the credentials of role " + role + " answered HTTP " +
                       std::to_string(response.status);
        co_return make_error_code(errc::http_status);
    }
    std::string why;
    if (auto ec = detail::parse_credentials_json(response.body,
                                                 detail::credentials_json_format::metadata, out,
                                                 why)) {
        diag.message = where + ": the credentials of role " + role + ": " + why;
        co_return ec;
    }
    co_return error_code{};
}

}  // namespace dynomite
