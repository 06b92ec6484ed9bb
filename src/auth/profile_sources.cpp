#include "auth/credentials_json.hpp"
#include "auth/http_fetch.hpp"
#include "auth/process_runner.hpp"
#include "auth/sso_token.hpp"
#include <dynomite/core/time.hpp>
#include "auth/text_file.hpp"

#include <dynomite/auth/profile_sources.hpp>
#include "auth/crypto.hpp"
#include "auth/sigv4.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <openssl/evp.h>

#include <sys/wait.h>

#include <array>

namespace dynomite {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Commands block while they run; they do it here, not on the caller's executor.
asio::thread_pool& blocking_pool()
{
    static asio::thread_pool pool(1);
    return pool;
}

asio::awaitable<detail::process_outcome> run_on_pool(std::string command,
                                                   detail::process_limits limits)
{
    co_return detail::run_process(command, limits);
}

// "; its standard error: ..." when it wrote any.
std::string error_output(const detail::process_outcome& outcome)
{
    std::string text = outcome.error;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) return {};
    return "; its standard error: " + text + (outcome.error_truncated ? " [truncated]" : "");
}

std::string sha1_hex(std::string_view text)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned size = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr);
    return detail::to_hex(std::span<const unsigned char>(digest.data(), size));
}

}  // namespace

process_credentials_provider::process_credentials_provider(asio::any_io_executor executor,
                                                           std::string command,
                                                           credential_process_limits limits)
    : coroutine_credentials_provider(std::move(executor)),
      command_(std::move(command)),
      limits_(limits)
{
}

asio::awaitable<error_code> process_credentials_provider::fetch(credentials& out,
                                                                diagnostics& diag)
{
    detail::process_limits limits;
    limits.timeout = limits_.timeout;
    limits.max_output = limits_.max_output;
    const detail::process_outcome result = co_await asio::co_spawn(
        blocking_pool(), run_on_pool(command_, limits), asio::use_awaitable);

    const std::string what = "credential_process \"" + command_ + "\"";
    if (!result.start_failure.empty()) {
        diag.message = what + ": " + result.start_failure;
        co_return make_error_code(errc::invalid_configuration);
    }
    if (result.timed_out) {
        diag.message = what + " did not finish within " + std::to_string(limits_.timeout.count()) +
                       " ms and was killed" + error_output(result);
        co_return make_error_code(errc::request_timeout);
    }
    if (result.output_too_large) {
        diag.message = what + " wrote more than " + std::to_string(limits_.max_output) +
                       " bytes and was killed: credentials are far smaller";
        co_return make_error_code(errc::response_too_large);
    }
    if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0) {
        diag.message = what + " " +
                       (WIFEXITED(result.status)
                            ? "exited with status " + std::to_string(WEXITSTATUS(result.status))
                            : "was killed by signal " + std::to_string(WTERMSIG(result.status))) +
                       error_output(result);
        co_return make_error_code(errc::no_credentials);
    }
    std::string why;
    if (auto ec = detail::parse_credentials_json(result.output,
                                                 detail::credentials_json_format::process, out,
                                                 why)) {
        diag.message = what + ": its output: " + why;
        co_return ec;
    }
    co_return error_code{};
}

sso_credentials_provider::sso_credentials_provider(asio::any_io_executor executor,
                                                   sso_options params)
    : coroutine_credentials_provider(std::move(executor)), params_(std::move(params))
{
}

asio::awaitable<error_code> sso_credentials_provider::fetch(credentials& out, diagnostics& diag)
{
    const std::string login =
        params_.session_name.empty()
            ? "run `aws sso login" +
                  (params_.profile.empty() ? std::string() : " --profile " + params_.profile) + "`"
            : "run `aws sso login --sso-session " + params_.session_name + "`";
    const std::string key = params_.session_name.empty() ? params_.start_url : params_.session_name;
    const std::string path = params_.cache_directory + "/" + sha1_hex(key) + ".json";

    std::string text;
    std::string why;
    if (detail::read_text_file(path, "SSO token cache", text, why)) {
        diag.message = "SSO: no cached token for " + key + " (" + path + "); " + login;
        co_return make_error_code(errc::no_credentials);
    }
    detail::sso_cached_token cached;
    if (detail::parse_sso_cached_token(text, cached, why)) {
        diag.message = "SSO: the cached token " + path + " " + why + "; " + login;
        co_return make_error_code(errc::invalid_configuration);
    }
    const auto now = std::chrono::system_clock::now();
    std::string refresh_failure;
    if (!params_.session_name.empty() && detail::sso_token_wants_refresh(cached, now)) {
        if (detail::sso_token_can_refresh(cached, now, refresh_failure)) {
            refresh_failure.clear();
            co_await refresh_token(cached, path, refresh_failure);
        }
    }
    if (cached.expires_at <= std::chrono::system_clock::now()) {
        diag.message = "SSO: the token for " + key + " expired at " +
                       format_iso8601(std::chrono::time_point_cast<std::chrono::seconds>(
                           cached.expires_at)) +
                       (refresh_failure.empty() ? "" : " and cannot be refreshed: " + refresh_failure) +
                       "; " + login;
        co_return make_error_code(errc::expired_token);
    }
    const std::string access_token = cached.access_token;

    detail::http_fetch_request request;
    request.url = (params_.portal_url.empty()
                       ? "https://portal.sso." + params_.region + ".amazonaws.com"
                       : params_.portal_url) +
                  "/federation/credentials?role_name=";
    detail::append_uri_encoded(request.url, params_.role_name, false);
    request.url.append("&account_id=");
    detail::append_uri_encoded(request.url, params_.account_id, false);
    request.timeout = params_.timeout;
    request.headers = {{"x-amz-sso_bearer_token", access_token}};
    const std::string where = "SSO GetRoleCredentials for role " + params_.role_name +
                              " in account " + params_.account_id;
    detail::http_fetch_response response;
    std::string detail_text;
    if (auto ec = co_await detail::fetch_http(request, response, detail_text)) {
        diag.message = where + ": " + detail_text;
        co_return ec;
    }
    if (response.status == 401) {
        diag.http_status = 401;
        diag.message = where + ": the portal refused the cached token; " + login;
        co_return make_error_code(errc::expired_token);
    }
    if (response.status != 200) {
        const std::string said = detail::json_error_summary(response.body);
        diag.http_status = response.status;
        diag.message = where + ": HTTP " + std::to_string(response.status) +
                       (said.empty() ? "" : " " + said);
        co_return make_error_code(response.status == 403 ? errc::access_denied
                                                         : errc::http_status);
    }
    if (auto ec = detail::parse_credentials_json(response.body,
                                                 detail::credentials_json_format::sso_portal,
                                                 out, why)) {
        diag.message = where + ": " + why;
        co_return ec;
    }
    co_return error_code{};
}


asio::awaitable<void> sso_credentials_provider::refresh_token(detail::sso_cached_token& cached,
                                                              const std::string& path,
                                                              std::string& failure)
{
    detail::http_fetch_request request;
    request.method = "POST";
    request.url = (params_.oidc_url.empty() ? detail::sso_oidc_endpoint(params_.region)
                                            : params_.oidc_url) +
                  "/token";
    request.timeout = params_.timeout;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = detail::sso_create_token_body(cached);
    detail::http_fetch_response response;
    std::string detail_text;
    if (co_await detail::fetch_http(request, response, detail_text)) {
        failure = "SSO-OIDC CreateToken: " + detail_text;
        co_return;
    }
    if (response.status != 200) {
        // rest-json errors: {"error": "invalid_grant", "error_description": "..."}.
        std::string said;
        boost::system::error_code parse_ec;
        const json::value body = json::parse(response.body, parse_ec);
        if (!parse_ec && body.is_object()) {
            for (const char* field : {"error", "error_description"}) {
                const json::value* v = body.get_object().if_contains(field);
                if (v && v->is_string())
                    said += (said.empty() ? "" : ": ") + std::string(v->get_string());
            }
        }
        failure = "SSO-OIDC CreateToken: HTTP " + std::to_string(response.status) +
                  (said.empty() ? "" : " " + said);
        co_return;
    }
    detail::sso_cached_token renewed = cached;
    if (detail::apply_sso_create_token(response.body, std::chrono::system_clock::now(), renewed,
                                       failure)) {
        failure = "SSO-OIDC CreateToken: " + failure;
        co_return;
    }
    cached = std::move(renewed);
    // A cache that cannot be written costs a refresh next time, nothing more.
    std::string ignored;
    detail::write_text_file_atomically(
        path, detail::serialize_sso_cached_token(cached, params_.start_url, params_.region),
        ignored);
}

}  // namespace dynomite
