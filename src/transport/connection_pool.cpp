#include "core/async.hpp"
#include "transport/connection_pool_impl.hpp"

namespace dynomite {
namespace detail {
namespace {

using dynomite::detail::use_tuple;
// Names rarely move; re-resolving now and then follows DNS changes without a lookup per connect.
constexpr auto address_cache_lifetime = std::chrono::seconds(60);

}  // namespace

pool_impl::pool_impl(asio::any_io_executor executor, endpoint target, pool_options params,
                     asio::ssl::context* tls)
    : executor(executor), target(std::move(target)), params(params), tls(tls), resolver_(executor)
{
}

asio::awaitable<error_code> pool_impl::resolve(steady_time deadline)
{
    const auto now = std::chrono::steady_clock::now();
    if (fixed_addresses_ ||
        (!addresses_.empty() && now - resolved_at_ < address_cache_lifetime))
        co_return error_code{};
    // Through a proxy, the connections go to the proxy's addresses.
    const std::string& host = proxy ? proxy->host : target.host;
    const auto port = proxy ? proxy->port : target.port;
    // An address is its own answer, for good: no lookup, and no hop to the resolver's thread.
    error_code not_an_address;
    const asio::ip::address literal = asio::ip::make_address(host, not_an_address);
    if (!not_an_address) {
        set_addresses({asio::ip::tcp::endpoint(literal, port)});
        co_return error_code{};
    }
    asio::steady_timer guard(executor, deadline);
    // The resolver has no deadline of its own: a timer cancels it.
    guard.async_wait([this](error_code ec) {
        if (!ec) resolver_.cancel();
    });
    auto [ec, results] = co_await resolver_.async_resolve(host, std::to_string(port), use_tuple);
    guard.cancel();
    if (ec == asio::error::operation_aborted && std::chrono::steady_clock::now() >= deadline)
        co_return make_error_code(errc::connect_timeout);
    if (ec) co_return ec;
    std::vector<asio::ip::tcp::endpoint> found;
    for (const auto& entry : results) found.push_back(entry.endpoint());
    addresses_.reset(std::move(found));
    resolved_at_ = now;
    co_return error_code{};
}

bool pool_impl::too_old(const http_connection& connection, steady_time now) const noexcept
{
    return params.max_connection_age.count() > 0 &&
           now - connection.connected_at >= params.max_connection_age;
}

void pool_impl::keep_session(http_connection& connection) noexcept
{
    if (auto session = connection.take_resumable_session()) last_session_ = std::move(session);
}

void pool_impl::close_expired_idle(steady_time now) noexcept
{
    const auto oldest_allowed = now - params.idle_timeout;
    std::erase_if(idle, [&](const std::unique_ptr<http_connection>& connection) {
        if (connection->idle_since >= oldest_allowed) return false;
        --open;
        return true;
    });
}

pooled_connection pool_impl::take_idle(steady_time now)
{
    if (shut_down_) return {};
    close_expired_idle(now);
    while (!idle.empty()) {
        auto connection = std::move(idle.back());
        idle.pop_back();
        if (connection->usable_when_idle(now) && !too_old(*connection, now))
            return pooled_connection(shared_from_this(), std::move(connection), true);
        --open;
    }
    return {};
}

asio::awaitable<std::pair<error_code, pooled_connection>> pool_impl::acquire(
    bool fresh, steady_time deadline, std::string* detail, acquire_measures* measures)
{
    auto self = shared_from_this();
    for (;;) {
        if (shut_down_) co_return std::pair{make_error_code(asio::error::operation_aborted), pooled_connection{}};
        const auto now = std::chrono::steady_clock::now();
        if (!fresh) {
            if (auto reused = take_idle(now)) co_return std::pair{error_code{}, std::move(reused)};
        } else {
            close_expired_idle(now);
        }
        if (open >= params.max_connections && fresh && !idle.empty()) {
            idle.erase(idle.begin());
            --open;
        }
        if (open < params.max_connections) {
            ++open;
            auto connection = std::make_unique<http_connection>(executor, target.tls ? tls : nullptr);
            auto connect_deadline = std::min(deadline, std::chrono::steady_clock::now() + params.connect_timeout);
            const auto connect_began = measures ? std::chrono::steady_clock::now() : steady_time{};
            error_code ec = co_await resolve(connect_deadline);
            std::string connect_detail;
            if (!ec) {
                const auto order = addresses_.next_order();
                const tls_session resume = last_session_;
                ec = co_await connection->connect(target, proxy ? &*proxy : nullptr, order,
                                                  connect_deadline, resume, connect_detail);
            }
            if (measures) measures->connect += std::chrono::steady_clock::now() - connect_began;
            if (detail) *detail = std::move(connect_detail);
            if (ec == errc::connect_timeout && connect_deadline == deadline)
                ec = make_error_code(errc::request_timeout);  // the request's time ran out first
            if (ec) {
                --open;
                wake_one_waiter();
                co_return std::pair{ec, pooled_connection{}};
            }
            keep_session(*connection);
            co_return std::pair{error_code{}, pooled_connection(self, std::move(connection), false)};
        }
        // At the limit: wait to be woken by a returned connection, or give up at the deadline.
        waiter wake{asio::steady_timer(executor, deadline)};
        auto position = waiters.insert(waiters.end(), &wake);
        const auto wait_began = measures ? std::chrono::steady_clock::now() : steady_time{};
        auto [ec] = co_await wake.timer.async_wait(use_tuple);
        if (measures) measures->queued += std::chrono::steady_clock::now() - wait_began;
        waiters.erase(position);
        if (!ec || std::chrono::steady_clock::now() >= deadline)
            co_return std::pair{make_error_code(errc::request_timeout), pooled_connection{}};
        // Woken (operation_aborted from cancel_one) or cancelled by the caller.
        auto state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none)
            co_return std::pair{make_error_code(asio::error::operation_aborted), pooled_connection{}};
    }
}

void pool_impl::wake_one_waiter() noexcept
{
    // Each returned connection wakes a different waiter, even before the first one has run.
    for (auto* waiter : waiters) {
        if (waiter->woken) continue;
        waiter->woken = true;
        waiter->timer.cancel();
        return;
    }
}

void pool_impl::give_back(std::unique_ptr<http_connection> connection, bool reusable) noexcept
{
    const auto now = std::chrono::steady_clock::now();
    // With TLS 1.3 the session ticket comes after the handshake, read with the response.
    if (!connection->interrupted()) keep_session(*connection);
    if (reusable && !shut_down_ && connection->is_open() && !too_old(*connection, now)) {
        connection->idle_since = now;
        idle.push_back(std::move(connection));
    } else {
        connection.reset();
        --open;
    }
    wake_one_waiter();
}

void pool_impl::set_addresses(std::vector<asio::ip::tcp::endpoint> addresses)
{
    addresses_.reset(std::move(addresses));
    fixed_addresses_ = true;
}

void pool_impl::shutdown() noexcept
{
    shut_down_ = true;
    open -= idle.size();
    idle.clear();
    for (auto* waiter : waiters) waiter->timer.cancel();
}

}  // namespace detail

pooled_connection::pooled_connection() noexcept = default;

pooled_connection::pooled_connection(std::shared_ptr<detail::pool_impl> pool,
                                     std::unique_ptr<detail::http_connection> connection,
                                     bool reused) noexcept
    : pool_(std::move(pool)), connection_(std::move(connection)), reused_(reused)
{
}

pooled_connection::pooled_connection(pooled_connection&& other) noexcept = default;

pooled_connection& pooled_connection::operator=(pooled_connection&& other) noexcept
{
    if (this != &other) {
        give_back();
        pool_ = std::move(other.pool_);
        connection_ = std::move(other.connection_);
        reused_ = other.reused_;
    }
    return *this;
}

pooled_connection::~pooled_connection() { give_back(); }

void pooled_connection::discard() noexcept
{
    if (connection_) connection_->close();
}

void pooled_connection::give_back() noexcept
{
    if (!connection_ || !pool_) return;
    const bool reusable = connection_->is_open() && !connection_->interrupted();
    pool_->give_back(std::move(connection_), reusable);
    pool_.reset();
}

connection_pool::connection_pool(executor_type executor, endpoint target, pool_options params,
                                 boost::asio::ssl::context* tls)
    : impl_(std::make_shared<detail::pool_impl>(executor, std::move(target), params, tls))
{
}

connection_pool::~connection_pool() { impl_->shutdown(); }

connection_pool::executor_type connection_pool::get_executor() const noexcept
{
    return impl_->executor;
}

const pool_options& connection_pool::params() const noexcept
{
    return impl_->params;
}
void connection_pool::set_addresses(std::vector<boost::asio::ip::tcp::endpoint> addresses)
{
    impl_->set_addresses(std::move(addresses));
}

std::size_t connection_pool::open_connections() const noexcept { return impl_->open; }
std::size_t connection_pool::idle_connections() const noexcept { return impl_->idle.size(); }
std::size_t connection_pool::waiting() const noexcept { return impl_->waiters.size(); }

void connection_pool::start_acquire(
    std::shared_ptr<detail::pool_impl> impl,
    boost::asio::any_completion_handler<void(error_code, pooled_connection)> handler)
{
    auto executor = impl->executor;
    const auto deadline = std::chrono::steady_clock::now() + impl->params.request_timeout;
    detail::spawn_operation(executor, impl->acquire(false, deadline), std::move(handler));
}

}  // namespace dynomite
