// Keep-alive HTTP/1.1 connections to one endpoint, handed out through an RAII handle.
#pragma once

#include <dynomite/transport/params.hpp>
#include <dynomite/transport/endpoint.hpp>
#include <dynomite/core/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace dynomite {

namespace detail {
class pool_impl;
class http_connection;
}  // namespace detail

/// A connection on loan from a pool. Destroying it gives the connection back, to be reused
/// when it is still in a keep-alive state, or closed otherwise.
class pooled_connection {
public:
    pooled_connection() noexcept;
    pooled_connection(std::shared_ptr<detail::pool_impl> pool,
                      std::unique_ptr<detail::http_connection> connection, bool reused) noexcept;
    pooled_connection(pooled_connection&&) noexcept;
    pooled_connection& operator=(pooled_connection&&) noexcept;
    ~pooled_connection();

    explicit operator bool() const noexcept { return connection_ != nullptr; }
    detail::http_connection& connection() noexcept { return *connection_; }
    /// True when it served an earlier request (so it may have been closed by the peer).
    bool reused() const noexcept { return reused_; }
    /// Closes the connection instead of returning it: its state is unknown after an error.
    void discard() noexcept;

private:
    void give_back() noexcept;

    std::shared_ptr<detail::pool_impl> pool_;
    std::unique_ptr<detail::http_connection> connection_;
    bool reused_ = false;
};

/// Connections to one endpoint: at most `params.max_connections` open at once, idle ones kept
/// for `params.idle_timeout`. Callers beyond the limit wait, in order, until one is free or
/// their request timeout passes. All calls and handle destructions must happen on the
/// executor the pool was created with (a strand when the io_context runs on several threads).
class connection_pool {
public:
    using executor_type = boost::asio::any_io_executor;

    /// `tls` must outlive the pool; it is used only for https endpoints.
    connection_pool(executor_type executor, endpoint target, pool_options params,
                    boost::asio::ssl::context* tls);
    connection_pool(const connection_pool&) = delete;
    connection_pool& operator=(const connection_pool&) = delete;
    /// Closes the idle connections and fails the waiters; loaned ones close when given back.
    ~connection_pool();

    executor_type get_executor() const noexcept;
    const pool_options& params() const noexcept;

    /// Lends an idle connection or opens a new one. Completes with void(error_code, pooled_connection).
    template <class CompletionToken>
    auto async_acquire(CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(error_code, pooled_connection)>(
            [impl = impl_](auto handler) {
                start_acquire(impl, boost::asio::any_completion_handler<void(error_code, pooled_connection)>(
                                        std::move(handler)));
            },
            token);
    }

    /// Connects to these addresses instead of the ones the endpoint's host resolves to: each
    /// new connection starts at the next one in turn and falls back to the others, as with
    /// resolved ones. For callers that resolve names themselves, and tests.
    void set_addresses(std::vector<boost::asio::ip::tcp::endpoint> addresses);

    std::size_t open_connections() const noexcept;
    std::size_t idle_connections() const noexcept;
    std::size_t waiting() const noexcept;

    const std::shared_ptr<detail::pool_impl>& impl() const noexcept { return impl_; }

private:
    static void start_acquire(std::shared_ptr<detail::pool_impl> impl,
                              boost::asio::any_completion_handler<void(error_code, pooled_connection)> handler);

    std::shared_ptr<detail::pool_impl> impl_;
};

}  // namespace dynomite
