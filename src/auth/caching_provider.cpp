#include "auth/credential_checks.hpp"
#include "core/parked_handler.hpp"

#include <dynomite/auth/caching_provider.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <utility>

namespace dynomite {

namespace asio = boost::asio;
using std::chrono::system_clock;

std::shared_ptr<caching_credentials_provider> caching_credentials_provider::create(
    asio::any_io_executor executor, std::shared_ptr<credentials_provider> source,
    caching_options options)
{
    return std::shared_ptr<caching_credentials_provider>(new caching_credentials_provider(
        std::move(executor), std::move(source), std::move(options)));
}

struct caching_credentials_provider::waiter {
    detail::parked_handler<error_code, shared_credentials> handler;
    diagnostics* diag;
    std::uint64_t id;
};

caching_credentials_provider::~caching_credentials_provider() = default;

caching_credentials_provider::caching_credentials_provider(
    asio::any_io_executor executor, std::shared_ptr<credentials_provider> source,
    caching_options options)
    : executor_(std::move(executor)), source_(std::move(source)), options_(std::move(options))
{
    if (!options_.clock) options_.clock = [] { return system_clock::now(); };
    advisory_ = options_.windows.advisory;
    mandatory_ = options_.windows.mandatory;
}

std::string_view caching_credentials_provider::name() const noexcept { return source_->name(); }

std::uint64_t caching_credentials_provider::fetches() const
{
    std::lock_guard lock(mutex_);
    return fetches_;
}

void caching_credentials_provider::log(log_level level, std::string_view line) const
{
    if (options_.logger && level >= options_.min_log_level && level != log_level::off)
        options_.logger(level, line);
}

caching_credentials_provider::freshness caching_credentials_provider::judge(
    system_clock::time_point now) const noexcept
{
    if (!current_) return freshness::wait;
    if (!current_->expiration) return freshness::usable;
    const auto left = *current_->expiration - now;
    if (left > advisory_) return freshness::usable;
    if (left > mandatory_) return freshness::refresh_in_background;
    // A refresh failed a moment ago: credentials that still work are used meanwhile.
    if (left > system_clock::duration::zero() && now < retry_after_) return freshness::usable;
    return freshness::wait;
}

caching_credentials_provider::shared_credentials caching_credentials_provider::current()
{
    const auto now = options_.clock();
    std::unique_lock lock(mutex_);
    switch (judge(now)) {
    case freshness::usable: return current_;
    case freshness::wait: return nullptr;
    case freshness::refresh_in_background: break;
    }
    shared_credentials still_valid = current_;
    if (fetching_ || now < retry_after_) return still_valid;
    fetching_ = true;
    lock.unlock();
    begin_fetch();
    return still_valid;
}

void caching_credentials_provider::start_get_current(diagnostics& diag, current_handler handler)
{
    const auto now = options_.clock();
    std::unique_lock lock(mutex_);
    const freshness state = judge(now);
    if (state != freshness::wait) {
        shared_credentials creds = current_;
        lock.unlock();
        auto handler_executor = asio::get_associated_executor(handler, executor_);
        asio::post(executor_,
                   asio::bind_executor(handler_executor, [handler = std::move(handler),
                                                          creds = std::move(creds)]() mutable {
                       std::move(handler)(error_code{}, std::move(creds));
                   }));
        return;
    }
    const std::uint64_t id = ++next_waiter_id_;
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) {
        // Cancelling one wait takes that waiter out; the fetch still serves the others.
        slot.assign([weak = weak_from_this(), id](asio::cancellation_type type) {
            if (type == asio::cancellation_type::none) return;
            if (auto self = weak.lock()) self->cancel_wait(id);
        });
    }
    waiters_.push_back({{executor_, std::move(handler)}, &diag, id});
    if (fetching_) return;
    fetching_ = true;
    lock.unlock();
    begin_fetch();
}

void caching_credentials_provider::start_get_credentials(diagnostics& diag, handler_type handler)
{
    auto handler_executor = asio::get_associated_executor(handler, executor_);
    auto slot = asio::get_associated_cancellation_slot(handler);
    start_get_current(
        diag, asio::bind_cancellation_slot(
                  slot, asio::bind_executor(handler_executor, [handler = std::move(handler)](
                                                                  error_code ec,
                                                                  shared_credentials creds) mutable {
                      std::move(handler)(ec, creds ? *creds : credentials{});
                  })));
}

void caching_credentials_provider::cancel_wait(std::uint64_t id)
{
    std::unique_lock lock(mutex_);
    const auto found = std::find_if(waiters_.begin(), waiters_.end(),
                                    [id](const waiter& w) { return w.id == id; });
    if (found == waiters_.end()) return;  // already completed
    waiter cancelled = std::move(*found);
    waiters_.erase(found);
    lock.unlock();
    if (!cancelled.handler.waiting()) return;  // its context is gone
    cancelled.diag->message =
        "cancelled while waiting for credentials from " + std::string(source_->name());
    cancelled.handler.complete(asio::error::operation_aborted, nullptr);
}

void caching_credentials_provider::begin_fetch()
{
    {
        std::lock_guard lock(mutex_);
        ++fetches_;
        fetch_diag_.clear();
    }
    // Only one fetch runs at a time, so fetch_diag_ is not shared.
    source_->start_get_credentials(
        fetch_diag_, asio::bind_executor(executor_, [self = shared_from_this()](
                                                        error_code ec, credentials fetched) {
            self->on_fetched(ec, std::move(fetched));
        }));
}

void caching_credentials_provider::on_fetched(error_code ec, credentials fetched)
{
    const auto now = options_.clock();
    std::string why;
    if (!ec) {
        ec = detail::check_credentials(fetched, source_->name(), why);
        if (!ec && fetched.expiration && *fetched.expiration <= now) {
            // Taking them would mean fetching again for every request.
            ec = make_error_code(errc::expired_token);
            why = std::string(source_->name()) + " gave credentials that have expired already";
        }
    } else {
        why = fetch_diag_.message.empty() ? ec.message() : fetch_diag_.message;
    }

    std::list<waiter> waiting;
    shared_credentials delivered;
    std::string warning;
    diagnostics failure;
    {
        std::lock_guard lock(mutex_);
        if (ec) failure = fetch_diag_;
        fetching_ = false;
        waiting.swap(waiters_);
        if (!ec) {
            advisory_ = options_.windows.advisory;
            mandatory_ = options_.windows.mandatory;
            if (fetched.expiration) {
                const auto lifetime =
                    std::chrono::duration_cast<std::chrono::milliseconds>(*fetched.expiration - now);
                if (lifetime <= advisory_) {
                    advisory_ = std::min(advisory_, lifetime / 2);
                    mandatory_ = std::min(mandatory_, lifetime / 4);
                }
            }
            current_ = std::make_shared<const credentials>(std::move(fetched));
            retry_after_ = {};
            delivered = current_;
        } else {
            retry_after_ = now + options_.windows.retry_delay;
            if (current_ && (!current_->expiration || *current_->expiration > now)) {
                delivered = current_;
                const auto left = std::chrono::duration_cast<std::chrono::seconds>(
                    *current_->expiration - now);
                warning = "refreshing credentials from " + std::string(source_->name()) +
                          " failed: " + why + "; using the current ones, which expire in " +
                          std::to_string(left.count()) + " s";
            }
        }
    }
    if (ec) {
        log(log_level::warning, delivered ? warning
                                          : "getting credentials from " +
                                                std::string(source_->name()) + " failed: " + why);
    }

    for (waiter& w : waiting) {
        if (!w.handler.waiting()) continue;  // its context is gone
        if (!delivered) {
            *w.diag = failure;
            w.diag->message = why;
        }
        w.handler.complete(delivered ? error_code{} : ec, delivered);
    }
}

}  // namespace dynomite
