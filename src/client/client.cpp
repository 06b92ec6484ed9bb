#include "core/async.hpp"
#include "client/client_credentials.hpp"
#include "transport/connection_pool_impl.hpp"
#include "transport/http_connection.hpp"

#include <dynomite/client/client.hpp>
#include "core/spawn_failure.hpp"
#include "transport/http_request.hpp"
#include "transport/adaptive_rate.hpp"
#include "transport/clock_skew.hpp"
#include "transport/proxy_route.hpp"
#include "transport/tls_setup.hpp"
#include "transport/retry.hpp"
#include "transport/retry_settings.hpp"
#include "protocol/request_limits.hpp"
#include "auth/sigv4.hpp"
#include <dynomite/transport/endpoint.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>

namespace dynomite {
namespace detail {
namespace {

using dynomite::detail::use_tuple;
constexpr std::string_view content_type = "application/x-amz-json-1.0";
constexpr std::string_view user_agent = "dynomite/0.1";
constexpr std::string_view service_name = "dynamodb";

std::string endpoint_url_of(const endpoint& ep)
{
    return endpoint_url(ep);
}

}  // namespace

class client_impl : public std::enable_shared_from_this<client_impl> {
public:
    client_impl(asio::any_io_executor executor, client_config config,
                std::shared_ptr<caching_credentials_provider> creds, std::string region,
                endpoint target, retry_settings retry)
        : executor(config.thread_safe ? asio::any_io_executor(asio::make_strand(executor))
                                      : executor),
          config(std::move(config)),
          creds(std::move(creds)),
          region(std::move(region)),
          target(std::move(target)),
          retry(retry),
          url(endpoint_url_of(this->target)),
          tls(asio::ssl::context::tls_client),
          quota(this->config.retry),
          rng(std::random_device{}())
    {
        if (!this->config.clock) this->config.clock = [] { return std::chrono::system_clock::now(); };
        pool.emplace(this->executor, this->target, this->config.pool, &tls);
        if (this->retry.mode == retry_mode::adaptive) limiter.emplace(rate_clock_now());
    }

    /// The adaptive limiter's time: seconds on the steady clock.
    static double rate_clock_now() noexcept
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

    error_code configure_tls(std::string& why)
    {
        return configure_tls_context(config.tls, config.profile, config.env, tls, why);
    }

    bool logs(log_level level) const noexcept
    {
        return config.logger && level >= config.min_log_level && level != log_level::off;
    }
    void log(log_level level, std::string_view line) const
    {
        if (logs(level)) config.logger(level, line);
    }

    asio::awaitable<error_code> send(std::string_view target_header, std::string body,
                                     http_response& response, diagnostics& diag);

    /// A strand of the executor given, or that executor when the config says it needs none.
    asio::any_io_executor executor;
    client_config config;
    std::shared_ptr<caching_credentials_provider> creds;
    std::string region;
    endpoint target;
    retry_settings retry;
    std::string url;
    /// "/", or the absolute URL through an HTTP proxy, which also gets its credentials.
    std::string request_target = "/";
    std::string proxy_authorization;
    asio::ssl::context tls;
    std::optional<connection_pool> pool;
    signing_key_cache keys;
    retry_quota quota;
    /// Adaptive mode's rate limit; empty in the other modes.
    std::optional<client_rate_limiter> limiter;
    /// Added to config.clock() when signing: the service's time minus the local clock, once a
    /// response showed them apart.
    std::chrono::seconds clock_offset{0};
    std::mt19937_64 rng;
    client_stats counters;

private:
    asio::awaitable<error_code> wait_for_send_token();
    asio::awaitable<error_code> exchange_once(std::string_view head, std::string_view body,
                                              http_response& response, std::string& detail,
                                              diagnostics& diag);
};

asio::awaitable<error_code> client_impl::wait_for_send_token()
{
    bool waited = false;
    for (;;) {
        const double seconds = limiter->before_attempt(rate_clock_now());
        if (seconds <= 0) co_return error_code{};
        if (!waited) ++counters.rate_limited_attempts;
        waited = true;
        // The operation's cancellation slot reaches this wait like any other.
        const auto wait = std::chrono::ceil<std::chrono::nanoseconds>(
            std::chrono::duration<double>(seconds));
        asio::steady_timer timer(executor, wait);
        auto [wait_ec] = co_await timer.async_wait(use_tuple);
        if (wait_ec) co_return wait_ec;
    }
}

asio::awaitable<error_code> client_impl::exchange_once(std::string_view head,
                                                       std::string_view body,
                                                       http_response& response, std::string& detail,
                                                       diagnostics& diag)
{
    const auto deadline = std::chrono::steady_clock::now() + config.pool.request_timeout;
    auto& pool_state = *pool->impl();
    for (bool fresh = false;; fresh = true) {
        std::string connect_detail;
        auto [acquire_ec, connection] = co_await pool_state.acquire(fresh, deadline, &connect_detail);
        if (acquire_ec) {
            detail = (acquire_ec == errc::request_timeout ? "waiting for a connection to "
                                                          : "connecting to ") +
                     url;
            if (!connect_detail.empty() && connect_detail != acquire_ec.message())
                detail += " (" + connect_detail + ")";
            co_return acquire_ec;
        }
        bool received_any = false;
        auto ec = co_await connection.connection().exchange(head, body, response, deadline,
                                                            config.pool, received_any, detail);
        if (!ec) {
            if (!response.keep_alive) connection.discard();
            const auto& proxy = pool_state.proxy;
            if (proxy && !target.tls &&
                is_proxy_refusal(response.status, !response.request_id.empty())) {
                detail = "the proxy " + proxy->display + " (" + proxy->origin + ") answered " +
                         std::to_string(response.status) + " instead of forwarding to " + url;
                co_return make_error_code(errc::http_status);
            }
            co_return error_code{};
        }
        connection.discard();
        // A keep-alive connection the server closed while it sat idle: another connection may
        // carry the same request without counting as an attempt. A server that read the
        // request before closing looks the same, so the resend is recorded: the first send
        // may have been applied.
        if (connection.reused() && !received_any && !fresh && ec == errc::connection_closed) {
            ++counters.stale_connections;
            diag.attempts.push_back({ec, "a kept-alive connection to " + url +
                                             " closed without answering; sent again on a new one"});
            log(log_level::info, "a kept-alive connection to " + url +
                                     " was closed by the server; sending again on a new one");
            continue;
        }
        co_return ec;
    }
}

asio::awaitable<error_code> client_impl::send(std::string_view target_header, std::string body,
                                              http_response& response, diagnostics& diag)
{
    ++counters.requests;
    const auto operation = target_header.substr(target_header.find('.') + 1);
    int quota_spent = 0;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::string head;
    for (int attempt = 1;; ++attempt) {
        if (limiter) {
            if (error_code wait_ec = co_await wait_for_send_token()) co_return wait_ec;
        }
        ++counters.attempts;
        // Credentials that are valid come without waiting; expired ones are fetched once for
        // every request that needs them.
        std::shared_ptr<const credentials> current = creds->current();
        if (!current) {
            auto [creds_ec, fetched] = co_await creds->async_get_current(diag, use_tuple);
            if (creds_ec) co_return creds_ec;
            current = std::move(fetched);
        }
        // Signed anew each attempt: the signature carries the time, which a backoff moves.
        const auto signature = sign_dynamodb_request(*current, region, service_name,
                                                     target.host_header, target_header,
                                                     content_type, body,
                                                     config.clock() + clock_offset, keys,
                                                     target.path);
        format_request_head({.request_target = request_target,
                             .proxy_authorization = proxy_authorization,
                             .host = target.host_header,
                             .content_type = content_type,
                             .user_agent = user_agent,
                             .target = target_header,
                             .security_token = current->session_token,
                             .amz_date = signature.amz_date,
                             .authorization = signature.authorization,
                             .content_length = body.size()},
                            head);

        diag.aws_type.clear();
        diag.message.clear();
        diag.request_id.clear();
        diag.http_status = 0;
        diag.item.reset();
        diag.cancellation_reasons.clear();
        std::string detail;
        const auto started = std::chrono::steady_clock::now();
        error_code ec = co_await exchange_once(head, body, response, detail, diag);
        if (logs(log_level::debug)) {
            const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - started);
            log(log_level::debug,
                std::string(operation) + " attempt " + std::to_string(attempt) + ": " +
                    (ec ? ec.message() + (detail.empty() ? "" : " (" + detail + ")")
                        : "HTTP " + std::to_string(response.status)) +
                    " in " + std::to_string(micros.count()) + " us" +
                    (response.request_id.empty() ? "" : ", request id " + response.request_id));
        }
        if (!ec) {
            diag.request_id = response.request_id;
            diag.http_status = response.status;
            if (response.status == 200) {
                if (response.crc32 && response.body_crc32 != *response.crc32) {
                    ec = make_error_code(errc::crc32_mismatch);
                    detail = "x-amz-crc32 says " + std::to_string(*response.crc32) +
                             ", body has " + std::to_string(response.body_crc32);
                } else {
                    if (limiter) limiter->on_response(rate_clock_now(), false);
                    quota.release(quota_spent);
                    co_return error_code{};
                }
            } else {
                ec = parse_error_response(response.status, response.body, response.request_id, diag);
                detail = "HTTP " + std::to_string(response.status);
                if (!diag.aws_type.empty()) detail += " " + diag.aws_type;
            }
        }
        diag.attempts.push_back({ec, detail});
        // Every answer or failure adjusts the adaptive rate; only throttling lowers it.
        if (limiter) limiter->on_response(rate_clock_now(), is_rate_throttle(ec, diag.aws_type));
        if (diag.message.empty()) diag.message = detail.empty() ? ec.message() : detail + ": " + ec.message();

        // A refusal for the signing time, with the service's time in Date: correct the clock
        // and send again at once. Only a changed correction is retried, so a service that
        // keeps refusing does not loop.
        if (diag.http_status != 0 && is_clock_skew_error(diag.aws_type, diag.message)) {
            const auto server_time = parse_http_date(response.date);
            const auto offset =
                server_time ? detail::clock_offset(*server_time, config.clock()) : clock_offset;
            if (offset != clock_offset && attempt < retry.max_attempts) {
                log(log_level::warning,
                    std::string(operation) + ": the service says the clock is off (" +
                        diag.message + "); signing with its time, " +
                        std::to_string(offset.count()) + " s from the local clock, from now on");
                clock_offset = offset;
                ++counters.retries;
                continue;
            }
        }
        const bool retryable = retry.mode == retry_mode::legacy
                                   ? is_legacy_retryable(ec, diag.http_status, diag.aws_type)
                                   : is_retryable(ec);
        if (!retryable || attempt >= retry.max_attempts) {
            // The quota guards against an unreachable or failing service. A definite refusal
            // (a 4xx such as a failed condition after a lost answer) shows it up and serving,
            // so what the retries spent is given back as after a success.
            if (!retryable && quota_spent > 0 && diag.http_status >= 400 && diag.http_status < 500)
                quota.release(quota_spent);
            if (attempt > 1 || retryable)
                log(log_level::warning, std::string(operation) + " failed after " +
                                            std::to_string(attempt) + " attempts: " + diag.message);
            co_return ec;
        }
        // Legacy mode has no quota.
        const int cost = retry.mode == retry_mode::legacy ? 0 : quota.try_acquire(ec);
        if (cost < 0) {
            diag.message += " (not retried: the retry quota is exhausted)";
            log(log_level::warning, std::string(operation) + ": " + diag.message);
            co_return ec;
        }
        quota_spent += cost;
        ++counters.retries;

        const auto delay = retry.mode == retry_mode::legacy
                               ? legacy_backoff_delay(attempt)
                               : backoff_delay(config.retry, attempt, is_throttling(ec), unit(rng));
        if (logs(log_level::info))
            log(log_level::info,
                std::string(operation) + " attempt " + std::to_string(attempt) + " failed: " +
                    diag.message + "; retrying in " +
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()) +
                    " ms (attempt " + std::to_string(attempt + 1) + " of " +
                    std::to_string(retry.max_attempts) + ")");
        asio::steady_timer backoff(executor, delay);
        auto [wait_ec] = co_await backoff.async_wait(use_tuple);
        if (wait_ec) co_return wait_ec;  // cancelled by the caller
    }
}

namespace {

template <class Request>
asio::awaitable<std::pair<error_code, response_t<Request>>> run_operation(
    std::shared_ptr<client_impl> impl, Request request, diagnostics* diag_out)
{
    using response_type = response_t<Request>;
    diagnostics local;
    diagnostics& diag = diag_out ? *diag_out : local;
    diag.clear();

    std::string body;
    std::string why;
    error_code refused = check_request_limits(request, &why);
    if (!refused) refused = encode_request(request, body, &why);
    if (auto ec = refused) {
        diag.message = std::move(why);
        co_return std::pair{ec, response_type{}};
    }

    http_response raw;
    const error_code sent =
        co_await impl->send(operation_traits<Request>::target, std::move(body), raw, diag);
    if (sent) co_return std::pair{sent, response_type{}};

    response_type response;
    if (auto ec = parse_response(raw.body, response, &why)) {
        diag.message = std::move(why);
        co_return std::pair{ec, response_type{}};
    }
    co_return std::pair{error_code{}, std::move(response)};
}

template <class Request>
void start(const std::shared_ptr<client_impl>& impl, Request request, diagnostics* diag,
           asio::any_completion_handler<void(error_code, response_t<Request>)> handler)
{
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto handler_executor = asio::get_associated_executor(handler, impl->executor);
    asio::co_spawn(
        impl->executor, run_operation(impl, std::move(request), diag),
        asio::bind_cancellation_slot(
            slot, asio::bind_executor(
                      handler_executor,
                      [handler = std::move(handler)](
                          std::exception_ptr failure,
                          std::pair<error_code, response_t<Request>> result) mutable {
                          if (failure) {
                              std::move(handler)(spawn_failure_code(failure),
                                                 response_t<Request>{});
                              return;
                          }
                          std::move(handler)(result.first, std::move(result.second));
                      })));
}

}  // namespace

#define DYNOMITE_DEFINE_START(name, aws_name)                                                 \
    void start_operation(const std::shared_ptr<client_impl>& impl, name##_request request,  \
                         diagnostics* diag,                                                   \
                         asio::any_completion_handler<void(error_code, name##_response)>     \
                             handler)                                                         \
    {                                                                                         \
        start(impl, std::move(request), diag, std::move(handler));                           \
    }
DYNOMITE_OPERATIONS(DYNOMITE_DEFINE_START)
#undef DYNOMITE_DEFINE_START

}  // namespace detail

error_code client::create(executor_type executor, client_config config,
                          std::unique_ptr<client>& out, diagnostics& diag)
{
    diag.clear();
    std::shared_ptr<caching_credentials_provider> creds;
    std::string region;
    endpoint target;
    std::string why;

    if (auto ec = detail::make_client_credentials(executor, config, creds, why)) {
        diag.message = std::move(why);
        return ec;
    }
    if (auto ec = resolve_region(config.region, config.profile, config.env, region, &why)) {
        diag.message = std::move(why);
        return ec;
    }
    resolved_endpoint resolved;
    const endpoint_settings endpoint_choice{config.endpoint, config.use_fips_endpoint,
                                            config.use_dualstack_endpoint};
    if (auto ec = resolve_endpoint(endpoint_choice, region, config.profile, config.env, resolved,
                                   &why)) {
        diag.message = std::move(why);
        return ec;
    }
    target = std::move(resolved.where);
    region = std::move(resolved.signing_region);
    if (!config.logger) {
        if (auto text = config.env.get("DYNOMITE_LOG")) {
            auto level = parse_log_level(*text);
            if (!level) {
                diag.message = "DYNOMITE_LOG is \"" + *text +
                               "\"; expected debug, info, warning, error or off";
                return make_error_code(errc::invalid_configuration);
            }
            config.logger = stderr_log_sink();
            config.min_log_level = *level;
        }
    }
    if (!detail::is_valid_header_value(target.host_header)) {
        diag.message = "the endpoint's host \"" + target.host_header +
                       "\" holds a character an HTTP header cannot carry";
        return make_error_code(errc::invalid_configuration);
    }
    if (config.pool.max_connections == 0) {
        diag.message = "pool_params.max_connections must be at least 1";
        return make_error_code(errc::invalid_configuration);
    }
    detail::retry_settings retry;
    if (auto ec = detail::resolve_retry_settings(config.retry, config.profile, config.env, retry,
                                                 &why)) {
        diag.message = std::move(why);
        return ec;
    }
    std::optional<detail::proxy_route> proxy;
    if (auto ec = detail::choose_proxy(config.proxy, config.env, target, proxy, why)) {
        diag.message = std::move(why);
        return ec;
    }
    auto impl = std::make_shared<detail::client_impl>(executor, std::move(config), std::move(creds),
                                                      std::move(region), std::move(target), retry);
    impl->request_target = impl->target.path;
    if (proxy && !impl->target.tls) {
        // A forward proxy takes the absolute URL; the signature still covers the endpoint's
        // host and path.
        impl->request_target = "http://" + impl->target.host_header + impl->target.path;
        impl->proxy_authorization = proxy->authorization;
    }
    impl->pool->impl()->proxy = std::move(proxy);
    if (impl->target.tls) {
        if (auto ec = impl->configure_tls(why)) {
            diag.message = std::move(why);
            return ec;
        }
    }
    out.reset(new client(std::move(impl)));
    return {};
}

client::client(executor_type executor, client_config config)
{
    std::unique_ptr<client> made;
    diagnostics diag;
    throw_on_error(create(executor, std::move(config), made, diag), diag);
    impl_ = std::move(made->impl_);
}

client::executor_type client::get_executor() const noexcept { return impl_->executor; }
const std::string& client::region() const noexcept { return impl_->region; }
const std::string& client::endpoint_url() const noexcept { return impl_->url; }
dynomite::retry_mode client::retry_mode() const noexcept { return impl_->retry.mode; }
int client::max_attempts() const noexcept { return impl_->retry.max_attempts; }

client_stats client::stats() const
{
    auto stats = impl_->counters;
    stats.open_connections = impl_->pool->open_connections();
    stats.idle_connections = impl_->pool->idle_connections();
    stats.retry_quota_available = impl_->quota.available();
    stats.clock_skew_seconds = impl_->clock_offset.count();
    if (impl_->limiter) {
        stats.send_rate_limit = impl_->limiter->enabled() ? impl_->limiter->send_rate() : 0;
        stats.measured_send_rate = impl_->limiter->measured_rate();
    }
    return stats;
}

}  // namespace dynomite
