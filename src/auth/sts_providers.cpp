#include "core/random.hpp"
#include "auth/http_fetch.hpp"
#include "auth/sts_protocol.hpp"
#include "auth/text_file.hpp"

#include <dynomite/auth/sts_providers.hpp>

#include "transport/retry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>
#include <random>

namespace dynomite {

namespace asio = boost::asio;

namespace {

std::string session_name_or_default(const std::string& given)
{
    if (!given.empty()) return given;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return "dynomite-session-" + std::to_string(seconds.count());
}

std::string region_of(const sts_endpoint& endpoint)
{
    return endpoint.region.empty() ? std::string("us-east-1") : endpoint.region;
}

std::string url_of(const sts_endpoint& endpoint)
{
    return endpoint.url.empty() ? detail::sts_regional_endpoint(region_of(endpoint))
                                : endpoint.url;
}

double unit_random()
{
    return detail::random_unit();
}

// One attempt of an STS call: its credentials, or its error in diag with `status` 0 when no
// answer came.
asio::awaitable<error_code> sts_attempt(const detail::http_fetch_request& request,
                                        std::string_view action, credentials& out,
                                        unsigned& status, diagnostics& diag)
{
    detail::http_fetch_response response;
    std::string detail_text;
    status = 0;
    if (error_code ec = co_await detail::fetch_http(request, response, detail_text)) {
        diag.message = detail_text;
        co_return ec;
    }
    status = response.status;
    if (response.status != 200) co_return detail::parse_sts_error(response.status, response.body, diag);
    std::string why;
    if (error_code ec = detail::parse_sts_credentials(response.body, action, out, why)) {
        diag.message = why;
        co_return ec;
    }
    co_return error_code{};
}

// Sends an STS call, retrying what sts_retry_decision allows; `make_request` builds each
// attempt (AssumeRole signs each anew, with its own time).
asio::awaitable<error_code> call_sts(std::function<detail::http_fetch_request()> make_request,
                                     const sts_endpoint& endpoint, std::string_view action,
                                     std::string_view role_arn, credentials& out,
                                     diagnostics& diag)
{
    const std::string where = "STS " + std::string(action) + " for " + std::string(role_arn);
    const int max_attempts = std::max(1, endpoint.retry.max_attempts.value_or(3));
    std::vector<attempt_record> failed;
    for (int attempt = 1;; ++attempt) {
        diagnostics attempt_diag;
        unsigned status = 0;
        const detail::http_fetch_request request = make_request();
        const error_code ec = co_await sts_attempt(request, action, out, status, attempt_diag);
        if (!ec) co_return error_code{};
        const detail::sts_retry decision =
            detail::sts_retry_decision(ec, status, attempt_diag.aws_type);
        failed.push_back({ec, attempt_diag.message});
        if (decision == detail::sts_retry::no || attempt >= max_attempts) {
            diag.aws_type = attempt_diag.aws_type;
            diag.request_id = attempt_diag.request_id;
            diag.http_status = attempt_diag.http_status;
            diag.message = where + ": " + attempt_diag.message;
            if (attempt > 1) {
                diag.message += " (after " + std::to_string(attempt) + " attempts)";
                diag.attempts = std::move(failed);
            }
            co_return ec;
        }
        const auto delay = detail::backoff_delay(
            endpoint.retry, attempt, decision == detail::sts_retry::throttled, unit_random());
        asio::steady_timer backoff(co_await asio::this_coro::executor, delay);
        auto [wait_ec] = co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
        if (wait_ec) {
            diag.message = where + ": cancelled while waiting to retry";
            co_return wait_ec;
        }
    }
}

}  // namespace

assume_role_provider::assume_role_provider(asio::any_io_executor executor,
                                           std::shared_ptr<credentials_provider> source,
                                           assume_role_options params, sts_endpoint endpoint)
    : coroutine_credentials_provider(std::move(executor)),
      source_(std::move(source)),
      params_(std::move(params)),
      endpoint_(std::move(endpoint)),
      name_("STS AssumeRole for " + params_.role_arn)
{
}

asio::awaitable<error_code> assume_role_provider::fetch(credentials& out, diagnostics& diag)
{
    auto [source_ec, source_creds] =
        co_await source_->async_get_credentials(diag, asio::as_tuple(asio::use_awaitable));
    if (source_ec) {
        diag.message = "the source credentials of " + name_ + " (" +
                       std::string(source_->name()) + "): " + diag.message;
        co_return source_ec;
    }

    const std::string session = session_name_or_default(params_.role_session_name);
    std::vector<std::pair<std::string_view, std::string_view>> form{
        {"RoleArn", params_.role_arn}, {"RoleSessionName", session}};
    const std::string duration =
        params_.duration ? std::to_string(params_.duration->count()) : std::string();
    if (params_.duration) form.emplace_back("DurationSeconds", duration);
    if (!params_.external_id.empty()) form.emplace_back("ExternalId", params_.external_id);

    detail::http_fetch_request unsigned_request;
    unsigned_request.method = "POST";
    unsigned_request.url = url_of(endpoint_);
    unsigned_request.timeout = endpoint_.timeout;
    unsigned_request.body = detail::sts_form_body("AssumeRole", form);
    detail::url_parts where;
    std::string why;
    if (error_code ec = detail::split_url(unsigned_request.url, where, why)) {
        diag.message = name_ + ": " + why;
        co_return ec;
    }
    const std::string region = region_of(endpoint_);
    auto make_request = [&] {
        detail::http_fetch_request request = unsigned_request;
        request.headers = detail::sign_sts_request(source_creds, region, where.host_header,
                                                   request.body, std::chrono::system_clock::now());
        return request;
    };
    co_return co_await call_sts(make_request, endpoint_, "AssumeRole", params_.role_arn, out,
                                diag);
}

web_identity_provider::web_identity_provider(asio::any_io_executor executor,
                                             web_identity_options params, sts_endpoint endpoint)
    : coroutine_credentials_provider(std::move(executor)),
      params_(std::move(params)),
      endpoint_(std::move(endpoint)),
      name_("STS AssumeRoleWithWebIdentity for " + params_.role_arn)
{
}

asio::awaitable<error_code> web_identity_provider::fetch(credentials& out, diagnostics& diag)
{
    std::string token;
    std::string why;
    if (error_code ec = detail::read_text_file(params_.token_file, "web identity token file",
                                               token, why)) {
        diag.message = name_ + ": " + why;
        co_return ec;
    }
    token = detail::trimmed(token);
    if (token.empty()) {
        diag.message = name_ + ": the web identity token file " + params_.token_file + " is empty";
        co_return make_error_code(errc::invalid_configuration);
    }
    const std::string session = session_name_or_default(params_.role_session_name);
    detail::http_fetch_request request;
    request.method = "POST";
    request.url = url_of(endpoint_);
    request.timeout = endpoint_.timeout;
    request.headers = {{"Content-Type", std::string(detail::form_content_type)}};
    request.body = detail::sts_form_body(
        "AssumeRoleWithWebIdentity",
        {{"RoleArn", params_.role_arn}, {"RoleSessionName", session}, {"WebIdentityToken", token}});
    auto make_request = [&] { return request; };
    co_return co_await call_sts(make_request, endpoint_, "AssumeRoleWithWebIdentity",
                                params_.role_arn, out, diag);
}

}  // namespace dynomite
