// Where a client gets the credentials it signs with: an asynchronous source a user may supply.
#pragma once

#include <dynomite/auth/credentials.hpp>
#include <dynomite/core/async_start.hpp>
#include <dynomite/core/diagnostics.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string_view>

namespace dynomite {

/// A source of credentials. Each call fetches anew: wrap a source in a
/// caching_credentials_provider (client_config::credentials_provider does it) to fetch only
/// when the credentials near their expiration.
///
/// To write one, derive and implement start_get_credentials (or derive from
/// coroutine_credentials_provider and implement fetch). The handler must not be called from
/// inside start_get_credentials itself; post it, or complete later.
class credentials_provider {
public:
    using handler_type = boost::asio::any_completion_handler<void(error_code, credentials)>;

    virtual ~credentials_provider() = default;

    /// Completes with void(error_code, credentials). On failure `diag.message` says why, never
    /// quoting a secret or a token. `diag` must live until the completion.
    template <class CompletionToken>
    auto async_get_credentials(diagnostics& diag, CompletionToken&& token)
    {
        return async_start<void(error_code, credentials)>(
            diag, [this](diagnostics& d, handler_type h) { start_get_credentials(d, std::move(h)); },
            std::forward<CompletionToken>(token));
    }

    /// What the source is, for messages: "environment", "container credentials", ...
    virtual std::string_view name() const noexcept = 0;

    /// Starts one fetch; calls `handler` once, later, with the outcome.
    virtual void start_get_credentials(diagnostics& diag, handler_type handler) = 0;
};

/// A source written as a coroutine on an executor.
class coroutine_credentials_provider
    : public credentials_provider,
      public std::enable_shared_from_this<coroutine_credentials_provider> {
public:
    explicit coroutine_credentials_provider(boost::asio::any_io_executor executor)
        : executor_(std::move(executor))
    {
    }

    const boost::asio::any_io_executor& get_executor() const noexcept { return executor_; }

    /// Runs fetch() on the executor. The object must be owned by a std::shared_ptr.
    void start_get_credentials(diagnostics& diag, handler_type handler) override;

protected:
    /// Fills `out`, or fails saying why in `diag.message`.
    virtual boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) = 0;

private:
    boost::asio::any_io_executor executor_;
};

/// Always the same credentials, posted on `executor`.
class static_credentials_provider final : public coroutine_credentials_provider {
public:
    static_credentials_provider(boost::asio::any_io_executor executor, credentials creds,
                                std::string_view name = "static credentials");

    std::string_view name() const noexcept override { return name_; }

protected:
    boost::asio::awaitable<error_code> fetch(credentials& out, diagnostics& diag) override;

private:
    credentials creds_;
    std::string name_;
};

}  // namespace dynomite
