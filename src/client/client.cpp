#include "core/async.hpp"
#include "client/client_credentials.hpp"
#include "client/send_loop.hpp"
#include "client/operation_facts.hpp"
#include "transport/connection_pool_impl.hpp"
#include "transport/http_connection.hpp"
#include "transport/strands.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/client/instrumentation.hpp>
#include "transport/http_request.hpp"
#include "transport/proxy_route.hpp"
#include "transport/tls_setup.hpp"
#include "transport/retry_settings.hpp"
#include "protocol/request_limits.hpp"
#include "protocol/idempotency_token.hpp"
#include "auth/sigv4.hpp"
#include <dynomite/transport/endpoint.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <random>
#include <tuple>

namespace dynomite {
namespace detail {
namespace {

using dynomite::detail::use_tuple;
constexpr std::string_view content_type = "application/x-amz-json-1.0";
constexpr std::string_view user_agent = "dynomite/0.1";
constexpr std::string_view service_name = "dynamodb";

/// What the events name a request by.
struct request_labels {
    std::string_view operation;
    std::string_view table;
    std::string_view index;
    std::uint64_t operation_id = 0;
};

/// The attempts of one request and what they moved, for its operation event.
struct send_totals {
    int attempts = 0;
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
};

}  // namespace

/// What a request writes and reads: kept by its client for the next requests when it is done,
/// so that their capacity spares those allocations.
struct request_buffers {
    std::string body;
    std::string head;
    dynamodb_signature signature;
    http_response response;
    /// The operation's diagnostics when the caller gave none.
    diagnostics diag;
};

class client_impl : public std::enable_shared_from_this<client_impl> {
public:
    client_impl(asio::any_io_executor executor, client_config config,
                std::shared_ptr<caching_credentials_provider> creds, std::string region,
                endpoint target, retry_settings retry)
        : executor(config.thread_safe ? make_client_strand(executor) : executor),
          config(std::move(config)),
          creds(std::move(creds)),
          region(std::move(region)),
          target(std::move(target)),
          policy(make_policy(this->config, retry, endpoint_url(this->target))),
          tls(asio::ssl::context::tls_client),
          shared(policy, std::random_device{}())
    {
        pool.emplace(this->executor, this->target, this->config.pool, &tls);
        spare_buffers_.reserve(max_spare_buffers);
    }

    error_code configure_tls(std::string& why)
    {
        return configure_tls_context(config.tls, config.profile, config.env, tls, why);
    }

    /// Sends `buffers.body`; the answer goes in `buffers.response`. `totals`, when given,
    /// gets the attempts and bytes (an observer is set).
    asio::awaitable<error_code> send(std::string_view target_header, request_buffers& buffers,
                                     diagnostics& diag, const request_labels& labels,
                                     send_totals* totals);

    /// Buffers for a request: a finished request's when there is one. Gives them back when
    /// it goes. Only on this client's executor, as its other state.
    class lent_buffers {
    public:
        explicit lent_buffers(client_impl& owner) : owner_(owner)
        {
            if (owner.spare_buffers_.empty()) {
                buffers_ = std::make_unique<request_buffers>();
            } else {
                buffers_ = std::move(owner.spare_buffers_.back());
                owner.spare_buffers_.pop_back();
            }
        }
        lent_buffers(const lent_buffers&) = delete;
        lent_buffers& operator=(const lent_buffers&) = delete;
        ~lent_buffers() { owner_.give_back(std::move(buffers_)); }

        request_buffers& operator*() const noexcept { return *buffers_; }
        request_buffers* operator->() const noexcept { return buffers_.get(); }

    private:
        client_impl& owner_;
        std::unique_ptr<request_buffers> buffers_;
    };

    /// A strand of the executor given, or that executor when the config says it needs none.
    asio::any_io_executor executor;
    client_config config;
    std::shared_ptr<caching_credentials_provider> creds;
    std::string region;
    endpoint target;
    send_policy policy;
    /// "/", or the absolute URL through an HTTP proxy, which also gets its credentials.
    std::string request_target = "/";
    std::string proxy_authorization;
    asio::ssl::context tls;
    std::optional<connection_pool> pool;
    signing_key_cache keys;
    send_shared_state shared;
    /// Numbers the operations for the events (only with an observer).
    std::atomic<std::uint64_t> operations_started{0};
    /// Where the DynamoDB Streams operations go when that is another endpoint; null when they
    /// go to this one.
    std::shared_ptr<client_impl> streams;

    /// The client_impl that sends a request of this type: this one, or `streams`.
    template <class Request>
    std::shared_ptr<client_impl> for_operation()
    {
        if (operation_traits<Request>::api == service_api::streams && streams) return streams;
        return shared_from_this();
    }

private:
    /// How many finished requests' buffers are kept, and the largest string kept whole: a
    /// larger one (a Query page's body) is freed rather than held by an idle client.
    static constexpr std::size_t max_spare_buffers = 16;
    static constexpr std::size_t max_kept_capacity = std::size_t{2} << 20;

    std::vector<std::unique_ptr<request_buffers>> spare_buffers_;

    void give_back(std::unique_ptr<request_buffers> buffers) noexcept
    {
        if (!buffers || spare_buffers_.size() >= max_spare_buffers) return;
        buffers->diag.clear();  // an item of a failed condition is not kept by an idle client
        for (std::string* text : {&buffers->body, &buffers->response.body}) {
            if (text->capacity() > max_kept_capacity) std::string().swap(*text);
        }
        // Reserved up to max_spare_buffers when the client was made, so this cannot throw.
        spare_buffers_.push_back(std::move(buffers));
    }

    /// The request's head, signed for `when`.
    void sign(const credentials& current, std::chrono::system_clock::time_point when,
              std::string_view target_header, std::string_view body,
              dynamodb_signature& signature, std::string& head)
    {
        sign_dynamodb_request(current, region, service_name, target.host_header, target_header,
                              content_type, body, when, keys, target.path, signature);
        format_request_head({.request_target = request_target,
                             .proxy_authorization = proxy_authorization,
                             .host = target.host_header,
                             .content_type = content_type,
                             .user_agent = user_agent,
                             .target = target_header,
                             .security_token = current.session_token,
                             .amz_date = signature.amz_date,
                             .authorization = signature.authorization,
                             .content_length = body.size()},
                            head);
    }

    static send_policy make_policy(const client_config& config, retry_settings retry,
                                   std::string url)
    {
        return {.retry = retry,
                .backoff = config.retry,
                .url = std::move(url),
                .clock = config.clock ? config.clock
                                      : [] { return std::chrono::system_clock::now(); },
                .rate_clock =
                    [] {
                        return std::chrono::duration<double>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                            .count();
                    },
                .logger = config.logger,
                .min_log_level = config.min_log_level,
                .observer = config.observer.get()};
    }
};

/// Performs what the send loop asks for: the waits, signing, the pool and the exchange.
asio::awaitable<error_code> client_impl::send(std::string_view target_header,
                                              request_buffers& buffers, diagnostics& diag,
                                              const request_labels& labels, send_totals* totals)
{
    const std::string& body = buffers.body;
    http_response& response = buffers.response;
    send_loop loop(policy, shared, labels.operation, diag, labels.table, labels.index,
                   labels.operation_id);
    auto& pool_state = *pool->impl();
    // Measured only for an observer: without one, no clock is read.
    const bool measuring = policy.observer != nullptr;
    const auto note_pool = [&] {
        if (measuring)
            loop.note_pool({.open = pool_state.open,
                            .idle = pool_state.idle.size(),
                            .waiting = pool_state.waiters.size()});
    };
    acquire_measures acquired;
    exchange_measures exchanged;
    pooled_connection connection;
    steady_time deadline{};
    for (send_action next = loop.start();;) {
        switch (next.what) {
        case send_action::kind::wait: {
            // The operation's cancellation slot reaches this wait like any other.
            asio::steady_timer timer(executor, next.delay);
            auto [wait_ec] = co_await timer.async_wait(use_tuple);
            next = loop.resume(send_event::timer_fired{wait_ec});
            break;
        }
        case send_action::kind::sign: {
            // Credentials that are valid come without waiting; expired ones are fetched once
            // for every request that needs them.
            std::shared_ptr<const credentials> current = creds->current();
            if (!current) {
                auto [creds_ec, fetched] = co_await creds->async_get_current(diag, use_tuple);
                if (creds_ec) {
                    next = loop.resume(send_event::credentials_failed{creds_ec});
                    break;
                }
                current = std::move(fetched);
            }
            sign(*current, next.signing_time, target_header, body, buffers.signature,
                 buffers.head);
            next = loop.resume(send_event::request_signed{});
            break;
        }
        case send_action::kind::acquire_connection: {
            acquired = {};
            if (!next.fresh) {
                const auto now = std::chrono::steady_clock::now();
                deadline = now + config.pool.request_timeout;
                // An idle connection is taken without the pool's coroutine and its frame.
                connection = pool_state.take_idle(now);
            }
            error_code acquire_ec;
            std::string connect_detail;
            if (!connection) {
                std::tie(acquire_ec, connection) = co_await pool_state.acquire(
                    next.fresh, deadline, &connect_detail, measuring ? &acquired : nullptr);
            }
            note_pool();
            if (acquire_ec)
                next = loop.resume(
                    send_event::connection_failed{acquire_ec, connect_detail, acquired});
            else
                next = loop.resume(
                    send_event::connection_acquired{connection.reused(), acquired});
            break;
        }
        case send_action::kind::send: {
            bool received_any = false;
            std::string detail;
            exchanged = {};
            auto ec = co_await connection.connection().exchange(
                buffers.head, body, response, deadline, config.pool, received_any, detail,
                measuring ? &exchanged : nullptr);
            if (ec || !response.keep_alive) connection.discard();
            connection = pooled_connection{};  // back to the pool before a backoff or a resend
            note_pool();
            if (ec)
                next = loop.resume(send_event::transport_failed{ec, received_any,
                                                                std::move(detail), exchanged});
            else
                next = loop.resume(send_event::response_received{&response, exchanged});
            break;
        }
        case send_action::kind::done:
            if (totals)
                *totals = {.attempts = loop.attempts_made(),
                           .bytes_sent = loop.bytes_sent(),
                           .bytes_received = loop.bytes_received()};
            co_return next.result;
        }
    }
}

namespace {

/// An observer that throws ends the program, as documented, rather than an operation.
void notify_operation(dynomite::observer& observer, const operation_event& event) noexcept
{
    observer.on_operation(event);
}

/// Runs one operation. Its diagnostics are written into `live_diag` as it runs, or, without
/// it, into the client's lent buffers; `failure_diag` gets a copy of them only if it fails, so
/// that a success writes nothing there and the lent buffers keep their capacity.
template <class Request>
asio::awaitable<std::pair<error_code, response_t<Request>>> run_operation(
    std::shared_ptr<client_impl> impl, Request request, diagnostics* live_diag,
    diagnostics* failure_diag = nullptr)
{
    using response_type = response_t<Request>;
    client_impl::lent_buffers buffers(*impl);
    diagnostics& diag = live_diag ? *live_diag : buffers->diag;
    diag.clear();
    dynomite::observer* observer = impl->policy.observer;
    const auto began =
        observer ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    constexpr std::string_view target = operation_traits<Request>::target;
    const request_labels labels{.operation = target.substr(target.find('.') + 1),
                                .table = table_of(request),
                                .index = index_of(request),
                                .operation_id = observer ? ++impl->operations_started : 0};

    std::string why;
    send_totals totals;
    response_type response;
    buffers->body.clear();
    fill_idempotency_token(request);
    error_code ec = check_request_limits(request, &why);
    if (!ec) ec = encode_request(request, buffers->body, &why);
    if (ec) {
        diag.message = std::move(why);
    } else {
        ec = co_await impl->send(target, *buffers, diag, labels, observer ? &totals : nullptr);
        if (!ec) {
            ec = parse_response(buffers->response.body, response, &why);
            if (ec) diag.message = std::move(why);
        }
    }
    if (observer) {
        operation_event event;
        event.operation_id = labels.operation_id;
        event.operation = labels.operation;
        event.table = labels.table;
        event.index = labels.index;
        event.error = ec;
        event.attempts = totals.attempts;
        event.http_status = diag.http_status;
        event.aws_type = diag.aws_type;
        event.request_id = diag.request_id;
        event.latency = std::chrono::steady_clock::now() - began;
        event.bytes_sent = totals.bytes_sent;
        event.bytes_received = totals.bytes_received;
        if (!ec) event.consumed_capacity_units = consumed_units(response);
        notify_operation(*observer, event);
    }
    if (ec) {
        if (failure_diag) *failure_diag = diag;
        co_return std::pair{ec, response_type{}};
    }
    co_return std::pair{error_code{}, std::move(response)};
}

template <class Request>
void start(const std::shared_ptr<client_impl>& impl, Request request, diagnostics* diag,
           asio::any_completion_handler<void(error_code, response_t<Request>)> handler)
{
    // On the strand of the endpoint's own state (connections, retry quota).
    std::shared_ptr<client_impl> sender = impl->for_operation<Request>();
    asio::any_io_executor executor = sender->executor;
    spawn_operation(executor, run_operation(std::move(sender), std::move(request), diag),
                    std::move(handler));
}

/// The operation as an awaitable for a coroutine on `caller`: awaited in place when `caller`
/// is the client's executor (its strand, if it has one), else spawned there.
/// `failure_diag` gets the diagnostics of a failure.
template <class Request>
awaitable_operation<response_t<Request>> awaitable_for(const std::shared_ptr<client_impl>& impl,
                                                       Request request,
                                                       diagnostics& failure_diag,
                                                       const asio::any_io_executor& caller)
{
    std::shared_ptr<client_impl> sender = impl->for_operation<Request>();
    std::optional<asio::any_io_executor> spawn_on;
    if (!same_executor(sender->executor, caller)) spawn_on = sender->executor;
    return {std::move(spawn_on),
            run_operation(std::move(sender), std::move(request), nullptr, &failure_diag)};
}

}  // namespace

namespace {

/// A client_impl for one endpoint: its proxy route, request target and TLS context.
error_code make_client_impl(asio::any_io_executor executor, client_config config,
                            std::shared_ptr<caching_credentials_provider> creds,
                            std::string region, endpoint target, retry_settings retry,
                            std::shared_ptr<client_impl>& out, std::string& why)
{
    std::optional<proxy_route> proxy;
    if (auto ec = choose_proxy(config.proxy, config.env, target, proxy, why)) return ec;
    auto impl = std::make_shared<client_impl>(executor, std::move(config), std::move(creds),
                                              std::move(region), std::move(target), retry);
    impl->request_target = impl->target.path;
    if (proxy && !impl->target.tls) {
        // A forward proxy takes the absolute URL; the signature still covers the endpoint's
        // host and path.
        impl->request_target = "http://" + impl->target.host_header + impl->target.path;
        impl->proxy_authorization = proxy->authorization;
    }
    impl->pool->impl()->proxy = std::move(proxy);
    if (!impl->target.tls && impl->pool->impl()->proxy)
        impl->policy.plain_http_proxy = &*impl->pool->impl()->proxy;
    if (impl->target.tls) {
        if (auto ec = impl->configure_tls(why)) return ec;
    }
    out = std::move(impl);
    return {};
}

}  // namespace

#define DYNOMITE_DEFINE_START(name, aws_name)                                                 \
    void start_operation(const std::shared_ptr<client_impl>& impl, name##_request request,  \
                         diagnostics* diag,                                                   \
                         asio::any_completion_handler<void(error_code, name##_response)>     \
                             handler)                                                         \
    {                                                                                         \
        start(impl, std::move(request), diag, std::move(handler));                           \
    }                                                                                         \
    awaitable_operation<name##_response> operation_for(                                      \
        const std::shared_ptr<client_impl>& impl, name##_request request,                    \
        diagnostics& failure_diag, const asio::any_io_executor& caller)                       \
    {                                                                                         \
        return awaitable_for(impl, std::move(request), failure_diag, caller);                \
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
        diag.message = "pool_options.max_connections must be at least 1";
        return make_error_code(errc::invalid_configuration);
    }
    detail::retry_settings retry;
    if (auto ec = detail::resolve_retry_settings(config.retry, config.profile, config.env, retry,
                                                 &why)) {
        diag.message = std::move(why);
        return ec;
    }
    std::shared_ptr<detail::client_impl> impl;
    std::shared_ptr<detail::client_impl> streams;
    if (resolved.streams_where != target) {
        if (auto ec = detail::make_client_impl(executor, config, creds, region,
                                               resolved.streams_where, retry, streams, why)) {
            diag.message = std::move(why);
            return ec;
        }
    }
    if (auto ec = detail::make_client_impl(executor, std::move(config), std::move(creds),
                                           std::move(region), std::move(target), retry, impl,
                                           why)) {
        diag.message = std::move(why);
        return ec;
    }
    impl->streams = std::move(streams);
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
const std::string& client::endpoint_url() const noexcept { return impl_->policy.url; }
dynomite::retry_mode client::retry_mode() const noexcept { return impl_->policy.retry.mode; }
int client::max_attempts() const noexcept { return impl_->policy.retry.max_attempts; }

dynomite::observer* client::get_observer() const noexcept { return impl_->policy.observer; }

client_stats client::stats() const
{
    auto stats = impl_->shared.counters;
    stats.open_connections = impl_->pool->open_connections();
    stats.idle_connections = impl_->pool->idle_connections();
    stats.retry_quota_available = impl_->shared.quota.available();
    stats.clock_skew_seconds = impl_->shared.clock_offset.count();
    if (const auto& limiter = impl_->shared.limiter) {
        stats.send_rate_limit = limiter->enabled() ? limiter->send_rate() : 0;
        stats.measured_send_rate = limiter->measured_rate();
    }
    return stats;
}

}  // namespace dynomite
