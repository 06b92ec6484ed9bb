// The pool's state, shared with the handles it lends so they can outlive it.
#pragma once

#include "transport/http_connection.hpp"

#include "transport/connection_pool.hpp"
#include "transport/address_rotation.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <list>
#include <memory>
#include <vector>

namespace dynomite::detail {

class pool_impl : public std::enable_shared_from_this<pool_impl> {
public:
    pool_impl(asio::any_io_executor executor, endpoint target, pool_options params,
              asio::ssl::context* tls);

    /// `fresh` skips idle connections (after a reused one turned out to be closed). A failure
    /// to connect is described in `detail` when given; `measures`, when given, gets the times
    /// (a null one costs no clock reading).
    asio::awaitable<std::pair<error_code, pooled_connection>> acquire(
        bool fresh, steady_time deadline, std::string* detail = nullptr,
        acquire_measures* measures = nullptr);
    /// An idle connection that may be reused, without suspending: acquire()'s common case,
    /// which its callers try first so that it costs no coroutine frame. An empty handle when
    /// there is none (acquire() would connect, wait or fail).
    pooled_connection take_idle(steady_time now);
    void give_back(std::unique_ptr<http_connection> connection, bool reusable) noexcept;
    void shutdown() noexcept;
    void set_addresses(std::vector<asio::ip::tcp::endpoint> addresses);

    asio::any_io_executor executor;
    endpoint target;
    pool_options params;
    asio::ssl::context* tls;
    /// The proxy the connections go through; set before the first acquire.
    std::optional<proxy_route> proxy;

    std::size_t open = 0;
    std::vector<std::unique_ptr<http_connection>> idle;  // most recently used last
    struct waiter {
        asio::steady_timer timer;
        bool woken = false;
    };
    std::list<waiter*> waiters;  // oldest first

private:
    asio::awaitable<error_code> resolve(steady_time deadline);
    void wake_one_waiter() noexcept;
    void close_expired_idle(steady_time now) noexcept;
    bool too_old(const http_connection& connection, steady_time now) const noexcept;
    void keep_session(http_connection& connection) noexcept;

    asio::ip::tcp::resolver resolver_;
    address_rotation addresses_;
    /// The latest resumable TLS session of a connection to the endpoint.
    tls_session last_session_;
    steady_time resolved_at_{};
    bool fixed_addresses_ = false;  // set_addresses() replaced name resolution
    bool shut_down_ = false;
};

}  // namespace dynomite::detail
