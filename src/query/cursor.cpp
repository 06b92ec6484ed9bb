// Cursors: a reader side (the cursor object) and a fetching side (cursor_state) that runs on
// the client's strand, plans the relation, requests pages ahead and hands them over.
#include "core/async.hpp"
#include "core/parked_handler.hpp"
#include <dynomite/core/async_operation.hpp>
#include "query/page_fetch.hpp"
#include "query/relation_data.hpp"

#include <dynomite/query/cursor.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <deque>
#include <iterator>
#include <utility>

namespace dynomite {
namespace detail {

/// A page handed from the fetching side to the reader.
struct cursor_page {
    std::vector<attribute_map> items;
    /// Where to resume once all of `items` are taken (single streams only).
    std::optional<attribute_map> resume_key;
    std::string unresumable;
    std::shared_ptr<const std::vector<std::string>> key_attributes;
    /// DynamoDB said nothing follows this page.
    bool exhausts = false;
    /// No page follows, for whatever reason.
    bool last = false;
    /// Not a page: the stream had ended already.
    bool end = false;
};

using page_handler = asio::any_completion_handler<void(error_code, cursor_page)>;

/// The fetching side. Every member function but take() and close() runs on the client's
/// executor, which is a strand: it serializes them with the completions of the requests.
class cursor_state : public std::enable_shared_from_this<cursor_state> {
public:
    explicit cursor_state(std::shared_ptr<const relation_data> data)
        : data_(std::move(data)), executor_(data_->db->cl.get_executor())
    {
    }

    const asio::any_io_executor& executor() const noexcept { return executor_; }

    /// Asks for the next page; `handler` runs on its own executor.
    void take(diagnostics* diag, page_handler handler)
    {
        const std::uint64_t id = ++takes_;
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this(), id](asio::cancellation_type type) {
                if (type == asio::cancellation_type::none) return;
                if (auto self = weak.lock()) {
                    asio::post(self->executor_, [self, id] { self->cancel_waiter(id); });
                }
            });
        }
        asio::post(executor_,
                   [self = shared_from_this(), diag, id, handler = std::move(handler)]() mutable {
                       self->on_take(diag, std::move(handler), id);
                   });
    }

    /// Stops everything: requests in flight are cancelled, later takes fail.
    void close()
    {
        asio::post(executor_, [self = shared_from_this()] { self->close_now(); });
    }

private:
    enum class phase { idle, planning, running, failed, closed };

    struct segment {
        query_plan plan;
        pagination pages;
        std::deque<cursor_page> ready;
        // A new signal per request: a slot holds the handler of one operation at a time.
        std::unique_ptr<asio::cancellation_signal> signal;
        diagnostics diag;
        bool in_flight = false;
    };

    void on_take(diagnostics* diag, page_handler handler, std::uint64_t id)
    {
        if (waiter_) {
            // A second reader: refuse it, and leave the first one waiting.
            if (diag) diag->message = "a cursor serves one reader at a time";
            complete_handler(std::move(handler), errc::invalid_argument, {});
            return;
        }
        waiter_ = parked_handler<error_code, cursor_page>(executor_, std::move(handler));
        waiter_diag_ = diag;
        waiter_id_ = id;
        switch (phase_) {
            case phase::idle:
                phase_ = phase::planning;
                start_planning();
                return;
            case phase::planning:
                return;
            case phase::running:
            case phase::failed:
                serve();
                return;
            case phase::closed:
                complete(asio::error::operation_aborted, {});
                return;
        }
    }

    void start_planning()
    {
        auto self = shared_from_this();
        data_->db->get_schema(
            data_->table, false, &planning_diag_,
            asio::bind_executor(executor_, [self](error_code ec, schema_ptr schema) {
                self->on_schema(ec, std::move(schema));
            }));
    }

    void on_schema(error_code ec, schema_ptr schema)
    {
        if (phase_ != phase::planning) return;
        if (ec) return fail(ec, planning_diag_);
        prepared_relation prepared;
        std::string why;
        if ((ec = prepare_relation(*data_, *schema, true, prepared, why))) {
            diagnostics diag;
            diag.message = std::move(why);
            return fail(ec, diag);
        }
        key_attributes_ =
            std::make_shared<const std::vector<std::string>>(prepared.position_attributes);
        read_ahead_ = prepared.read_ahead;
        if (data_->spec.limit) limit_ = *data_->spec.limit;
        for (std::size_t i = 0; i < prepared.plans.size(); ++i) {
            auto s = std::make_unique<segment>();
            s->pages = make_pagination(*data_, prepared, i);
            s->plan = std::move(prepared.plans[i]);
            segments_.push_back(std::move(s));
        }
        phase_ = phase::running;
        serve();
    }

    /// Hands a page (or the end, or the failure) to a waiting reader, and requests pages.
    void serve()
    {
        if (waiter_) {
            if (auto page = take_ready()) {
                complete({}, std::move(*page));
            } else if (phase_ == phase::failed) {
                complete(failure_, {});
            } else if (finished()) {
                cursor_page end;
                end.end = true;
                complete({}, std::move(end));
            }
        }
        pump();
    }

    std::optional<cursor_page> take_ready()
    {
        const std::size_t n = segments_.size();
        for (std::size_t k = 0; k < n; ++k) {
            segment& s = *segments_[(next_segment_ + k) % n];
            if (s.ready.empty()) continue;
            next_segment_ = (next_segment_ + k + 1) % n;
            cursor_page page = std::move(s.ready.front());
            s.ready.pop_front();
            // A single stream's paging state applies the limit itself; segments share it.
            if (limit_ && n > 1) {
                const auto left = static_cast<std::size_t>(*limit_ - delivered_);
                if (page.items.size() > left) page.items.resize(left);
            }
            delivered_ += static_cast<std::int64_t>(page.items.size());
            if (limit_ && delivered_ >= *limit_ && !limit_reached_) {
                limit_reached_ = true;
                stop_fetching();
                for (auto& other : segments_) other->ready.clear();
            }
            page.last = finished();
            return page;
        }
        return std::nullopt;
    }

    /// No page is left to hand over, nor to request.
    bool finished() const
    {
        if (limit_reached_) return true;
        for (const auto& s : segments_) {
            if (s->in_flight || !s->ready.empty() || !s->pages.done()) return false;
        }
        return true;
    }

    /// Starts the requests the read-ahead allows, and any a waiting reader needs.
    void pump()
    {
        if (phase_ != phase::running || limit_reached_) return;
        bool any_ready = false;
        for (const auto& s : segments_) any_ready = any_ready || !s->ready.empty();
        const bool starving = waiter_.waiting() && !any_ready;
        for (std::size_t i = 0; i < segments_.size(); ++i) {
            segment& s = *segments_[i];
            if (s.in_flight || s.pages.done()) continue;
            if (s.ready.size() < read_ahead_ || starving) fetch(i);
        }
    }

    void fetch(std::size_t index)
    {
        segment& s = *segments_[index];
        s.in_flight = true;
        s.signal = std::make_unique<asio::cancellation_signal>();
        auto on_response = [self = shared_from_this(), index](
                               std::exception_ptr failure,
                               std::pair<error_code, page_response> result) {
            if (failure) result.first = spawn_failure_code(failure);
            self->on_page(index, result.first, std::move(result.second));
        };
        // The coroutine awaits the client's request: cancelling the slot cancels it.
        asio::co_spawn(executor_,
                       fetch_page(data_->db->cl, next_page_request(s.plan.request, s.pages),
                                  s.diag),
                       asio::bind_cancellation_slot(
                           s.signal->slot(), asio::bind_executor(executor_, std::move(on_response))));
    }

    void on_page(std::size_t index, error_code ec, page_response response)
    {
        segment& s = *segments_[index];
        s.in_flight = false;
        if (phase_ != phase::running || limit_reached_) return;
        if (ec) return fail(ec, s.diag);
        cursor_page page;
        page.items = take_page_items(s.plan, s.pages, response);
        page.resume_key = s.pages.resume_key();
        s.pages.resumable(&page.unresumable);
        page.exhausts = s.pages.exhausted();
        page.key_attributes = key_attributes_;
        s.ready.push_back(std::move(page));
        serve();
    }

    /// Pages already here are still handed over; then the reader gets the error.
    void fail(error_code ec, const diagnostics& diag)
    {
        phase_ = phase::failed;
        failure_ = ec;
        failure_diag_ = diag;
        stop_fetching();
        serve();
    }

    void stop_fetching()
    {
        // The client's executor is this strand, so the cancellation reaches the request now.
        for (auto& s : segments_) {
            if (s->in_flight) s->signal->emit(asio::cancellation_type::terminal);
        }
    }

    void close_now()
    {
        if (phase_ == phase::closed) return;
        phase_ = phase::closed;
        stop_fetching();
        for (auto& s : segments_) s->ready.clear();
        if (waiter_) complete(asio::error::operation_aborted, {});
    }

    void cancel_waiter(std::uint64_t id)
    {
        if (waiter_ && waiter_id_ == id) close_now();
    }

    void complete(error_code ec, cursor_page page)
    {
        auto handler = std::exchange(waiter_, {});
        if (waiter_diag_) {
            if (ec == asio::error::operation_aborted) {
                waiter_diag_->clear();
                waiter_diag_->message = "the cursor was cancelled";
            } else if (ec) {
                *waiter_diag_ = failure_diag_;
            }
        }
        handler.complete(ec, std::move(page));
    }

    void complete_handler(page_handler handler, error_code ec, cursor_page page)
    {
        post_completion(executor_, std::move(handler), ec, std::move(page));
    }

    const std::shared_ptr<const relation_data> data_;
    const asio::any_io_executor executor_;
    std::atomic<std::uint64_t> takes_{0};

    phase phase_ = phase::idle;
    diagnostics planning_diag_;
    std::vector<std::unique_ptr<segment>> segments_;
    std::shared_ptr<const std::vector<std::string>> key_attributes_;
    std::size_t read_ahead_ = 1;
    std::optional<std::int64_t> limit_;
    std::int64_t delivered_ = 0;
    bool limit_reached_ = false;
    std::size_t next_segment_ = 0;
    error_code failure_;
    diagnostics failure_diag_;

    // Parked: the reader's frame owns this state through its cursor.
    parked_handler<error_code, cursor_page> waiter_;
    diagnostics* waiter_diag_ = nullptr;
    std::uint64_t waiter_id_ = 0;
};

std::shared_ptr<cursor_state> make_cursor_state(std::shared_ptr<const relation_data> data)
{
    return std::make_shared<cursor_state>(std::move(data));
}

}  // namespace detail

namespace {

namespace asio = boost::asio;
using dynomite::detail::use_tuple;

}  // namespace

cursor::cursor(std::shared_ptr<detail::cursor_state> state) : state_(std::move(state)) {}

cursor::cursor(cursor&&) noexcept = default;

cursor& cursor::operator=(cursor&& other) noexcept
{
    if (this != &other) {
        if (state_) state_->close();
        state_ = std::move(other.state_);
        page_ = std::move(other.page_);
        index_ = other.index_;
        page_resume_key_ = std::move(other.page_resume_key_);
        page_unresumable_ = std::move(other.page_unresumable_);
        key_attributes_ = std::move(other.key_attributes_);
        page_exhausts_ = other.page_exhausts_;
        page_last_ = other.page_last_;
        key_ = std::move(other.key_);
        unresumable_ = std::move(other.unresumable_);
        parallel_ = other.parallel_;
        exhausted_ = other.exhausted_;
        done_ = other.done_;
        taken_ = other.taken_;
    }
    return *this;
}

cursor::~cursor()
{
    if (state_) state_->close();
}

void cursor::cancel()
{
    if (state_) state_->close();
}

asio::any_io_executor cursor::get_executor() const
{
    return state_->executor();
}

asio::awaitable<error_code> cursor::fill(diagnostics& diag)
{
    while (index_ >= page_.size() && !done_) {
        if (!state_) {
            diag.message = "the cursor was moved from";
            co_return errc::invalid_argument;
        }
        // A named initiation: GCC 12 destroys a closure built inside co_await twice.
        auto initiation = [state = state_, &diag](auto handler) {
            state->take(&diag, detail::page_handler(std::move(handler)));
        };
        auto [ec, page] = co_await asio::async_initiate<decltype(use_tuple),
                                                        void(error_code, detail::cursor_page)>(
            std::move(initiation), use_tuple);
        if (ec) co_return ec;
        if (page.end) {
            done_ = true;
            break;
        }
        page_ = std::move(page.items);
        index_ = 0;
        page_resume_key_ = std::move(page.resume_key);
        page_unresumable_ = std::move(page.unresumable);
        key_attributes_ = std::move(page.key_attributes);
        page_exhausts_ = page.exhausts;
        page_last_ = page.last;
        if (page_.empty()) finish_page();
    }
    co_return error_code{};
}

void cursor::finish_page()
{
    page_.clear();
    index_ = 0;
    key_ = std::move(page_resume_key_);
    page_resume_key_.reset();
    unresumable_ = std::move(page_unresumable_);
    page_unresumable_.clear();
    if (page_exhausts_) exhausted_ = true;
    if (page_last_) done_ = true;
}

asio::awaitable<std::pair<error_code, std::optional<attribute_map>>> cursor::next(diagnostics& diag)
{
    diag.clear();
    if (index_ >= page_.size() && !done_) {
        if (error_code ec = co_await fill(diag)) co_return std::pair{ec, std::nullopt};
    }
    if (index_ >= page_.size()) co_return std::pair{error_code{}, std::nullopt};
    attribute_map item = std::move(page_[index_++]);
    ++taken_;
    if (index_ == page_.size()) {
        finish_page();
    } else if (!parallel_ && key_attributes_) {
        attribute_map key;
        std::string why;
        if (key_of(item, *key_attributes_, key, &why)) {
            key_.reset();
            unresumable_ = std::move(why);
        } else {
            key_ = std::move(key);
            unresumable_.clear();
        }
    }
    co_return std::pair{error_code{}, std::optional<attribute_map>(std::move(item))};
}

asio::awaitable<std::optional<attribute_map>> cursor::next()
{
    diagnostics diag;
    auto [ec, item] = co_await next(diag);
    throw_on_error(ec, diag);
    co_return std::move(item);
}

asio::awaitable<std::pair<error_code, std::optional<std::vector<attribute_map>>>> cursor::next_page(
    diagnostics& diag)
{
    using answer = std::pair<error_code, std::optional<std::vector<attribute_map>>>;
    diag.clear();
    if (index_ >= page_.size() && !done_) {
        if (error_code ec = co_await fill(diag)) co_return answer{ec, std::nullopt};
    }
    if (index_ >= page_.size()) co_return answer{error_code{}, std::nullopt};
    std::vector<attribute_map> items;
    if (index_ == 0) {
        items = std::move(page_);
    } else {
        items.assign(std::make_move_iterator(page_.begin() + static_cast<std::ptrdiff_t>(index_)),
                     std::make_move_iterator(page_.end()));
    }
    taken_ += static_cast<std::int64_t>(items.size());
    finish_page();
    co_return answer{error_code{}, std::move(items)};
}

asio::awaitable<std::optional<std::vector<attribute_map>>> cursor::next_page()
{
    diagnostics diag;
    auto [ec, items] = co_await next_page(diag);
    throw_on_error(ec, diag);
    co_return std::move(items);
}

error_code cursor::position(std::optional<attribute_map>& out, std::string* why) const
{
    if (parallel_) {
        if (why) *why = "a parallel scan has one position per segment, none for the whole cursor";
        return errc::invalid_argument;
    }
    if (!unresumable_.empty()) {
        if (why) {
            *why = "no position to resume from: " + unresumable_ +
                   " (a projection must keep the key attributes)";
        }
        return errc::invalid_argument;
    }
    if (exhausted_)
        out.reset();
    else
        out = key_;
    return {};
}

std::optional<attribute_map> cursor::last_evaluated_key() const
{
    std::optional<attribute_map> out;
    std::string why;
    const error_code ec = position(out, &why);
    throw_on_error(ec, why);
    return out;
}

error_code cursor::cursor_string(std::string& out, std::string* why) const
{
    std::optional<attribute_map> key;
    if (error_code ec = position(key, why)) return ec;
    if (exhausted_)
        out.clear();
    else
        out = encode_cursor(key ? *key : attribute_map{});
    return {};
}

std::string cursor::cursor_string() const
{
    std::string out;
    std::string why;
    const error_code ec = cursor_string(out, &why);
    throw_on_error(ec, why);
    return out;
}

}  // namespace dynomite
