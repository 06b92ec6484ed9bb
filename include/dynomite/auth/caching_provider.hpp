// Credentials kept until they near their expiration, then refreshed once for every caller.
#pragma once

#include <dynomite/auth/credentials_provider.hpp>
#include <dynomite/core/async_start.hpp>
#include <dynomite/core/logging.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

namespace dynomite {

/// When credentials that expire are refreshed, as the AWS SDKs do it. Inside the advisory
/// window a refresh starts in the background and requests go on with the current credentials;
/// inside the mandatory window (or once expired) requests wait for the refresh.
struct refresh_windows {
    std::chrono::milliseconds advisory{15 * 60 * 1000};
    std::chrono::milliseconds mandatory{10 * 60 * 1000};
    /// After a failed refresh, credentials that are still valid are used without another
    /// attempt for this long.
    std::chrono::milliseconds retry_delay{10 * 1000};
};

struct caching_options {
    refresh_windows windows;
    /// The clock expirations are compared with; system_clock when empty (tests replace it).
    std::function<std::chrono::system_clock::time_point()> clock;
    /// Where failed refreshes are reported (warning level).
    log_sink logger;
    log_level min_log_level = log_level::warning;
};

/// Wraps a source: fetches once, keeps the credentials, and refreshes them per
/// refresh_windows. One fetch serves every request waiting at the time. Credentials without
/// an expiration are kept for good. Credentials that arrive with less time left than the
/// windows get windows of half and a quarter of that time, so that they are not refetched for
/// every request. Thread-safe.
class caching_credentials_provider final
    : public credentials_provider,
      public std::enable_shared_from_this<caching_credentials_provider> {
public:
    using shared_credentials = std::shared_ptr<const credentials>;
    using current_handler =
        boost::asio::any_completion_handler<void(error_code, shared_credentials)>;

    static std::shared_ptr<caching_credentials_provider> create(
        boost::asio::any_io_executor executor, std::shared_ptr<credentials_provider> source,
        caching_options options = {});
    ~caching_credentials_provider() override;

    /// Without waiting: the credentials when they are valid and outside the mandatory window
    /// (starting a background refresh inside the advisory window), else null. Never allocates.
    shared_credentials current();

    /// Completes with void(error_code, std::shared_ptr<const credentials>): current() when
    /// it has credentials, else after a fetch (shared with every other waiter). A wait is
    /// cancelled through the handler's cancellation slot (any cancellation type): it completes
    /// with asio::error::operation_aborted at once, and the fetch goes on for the other
    /// waiters and the cache. start_get_credentials waits the same way.
    template <class CompletionToken>
    auto async_get_current(diagnostics& diag, CompletionToken&& token)
    {
        return async_start<void(error_code, shared_credentials)>(
            diag, [this](diagnostics& d, current_handler h) { start_get_current(d, std::move(h)); },
            std::forward<CompletionToken>(token));
    }

    std::string_view name() const noexcept override;
    void start_get_credentials(diagnostics& diag, handler_type handler) override;
    void start_get_current(diagnostics& diag, current_handler handler);

    const std::shared_ptr<credentials_provider>& source() const noexcept { return source_; }
    /// Fetches started from the source since creation.
    std::uint64_t fetches() const;

private:
    caching_credentials_provider(boost::asio::any_io_executor executor,
                                 std::shared_ptr<credentials_provider> source,
                                 caching_options options);

    // A request waiting for the fetch; its handler waits inside the executor's context.
    struct waiter;
    enum class freshness { usable, refresh_in_background, wait };

    freshness judge(std::chrono::system_clock::time_point now) const noexcept;
    void begin_fetch();
    void on_fetched(error_code ec, credentials fetched);
    void log(log_level level, std::string_view line) const;
    void cancel_wait(std::uint64_t id);

    boost::asio::any_io_executor executor_;
    std::shared_ptr<credentials_provider> source_;
    caching_options options_;

    mutable std::mutex mutex_;
    shared_credentials current_;
    std::chrono::milliseconds advisory_{};
    std::chrono::milliseconds mandatory_{};
    std::chrono::system_clock::time_point retry_after_{};
    bool fetching_ = false;
    std::uint64_t fetches_ = 0;
    // A list: taking one waiter out must not move-assign the others, since Asio 1.81's
    // any_completion_handler move assignment recurses without end.
    std::list<waiter> waiters_;
    std::uint64_t next_waiter_id_ = 0;
    diagnostics fetch_diag_;
};

}  // namespace dynomite
