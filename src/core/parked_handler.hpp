// A completion handler kept until its result is known, inside a wait of its executor's
// execution context rather than in a member of the object that will complete it.
//
// A handler often owns, through its coroutine frame, the very object that keeps it (a cursor
// keeps its reader's handler; the reader's frame keeps the cursor). Held in a member, such a
// pair keeps itself alive for ever once the io_context is destroyed before the result comes.
// Parked in a timer wait, the handler belongs to the context, which destroys it on shutdown
// like any other pending operation, and the cycle is broken.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <optional>
#include <tuple>
#include <utility>

namespace dynomite::detail {

template <class... Args>
class parked_handler {
public:
    using handler_type = boost::asio::any_completion_handler<void(Args...)>;

    parked_handler() = default;

    /// Parks `handler`; it will run on its associated executor (or `executor`), never inline.
    parked_handler(const boost::asio::any_io_executor& executor, handler_type handler)
    {
        auto wait = std::make_shared<parking>(executor);
        auto handler_executor = boost::asio::get_associated_executor(handler, executor);
        // The pending wait owns the parking; this object only watches it.
        wait->timer.async_wait(boost::asio::bind_executor(
            handler_executor, [wait, handler = std::move(handler)](boost::system::error_code) mutable {
                if (!wait->result) return;  // cannot happen: only complete() cancels the wait
                // The slot's cancellation handler must not outlive the operation.
                auto slot = boost::asio::get_associated_cancellation_slot(handler);
                if (slot.is_connected()) slot.clear();
                std::apply(std::move(handler), std::move(*wait->result));
            }));
        parking_ = wait;
    }

    /// A handler is parked and not completed yet; false too once its context is gone.
    bool waiting() const noexcept { return !parking_.expired(); }
    explicit operator bool() const noexcept { return waiting(); }

    /// Completes the handler with `args`, after the caller returns. Does nothing when the
    /// handler was completed already or its context was destroyed.
    void complete(Args... args)
    {
        auto wait = parking_.lock();
        parking_.reset();
        if (!wait) return;
        wait->result.emplace(std::move(args)...);
        wait->timer.cancel();
    }

private:
    struct parking {
        explicit parking(const boost::asio::any_io_executor& executor)
            : timer(executor, boost::asio::steady_timer::time_point::max())
        {
        }
        boost::asio::steady_timer timer;
        std::optional<std::tuple<Args...>> result;
    };

    std::weak_ptr<parking> parking_;
};

}  // namespace dynomite::detail
