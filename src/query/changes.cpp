// The change feed's coroutine: it sends what the shard tracker asks for, on the client's
// executor (a strand unless the client is single-threaded), which also serializes it with the
// completion of the GetRecords read ahead.
#include "core/async.hpp"
#include "query/stream_shards.hpp"

#include <dynomite/query/changes.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <optional>
#include <utility>

namespace dynomite {
namespace asio = boost::asio;

namespace detail {

class change_feed_state : public std::enable_shared_from_this<change_feed_state> {
public:
    change_feed_state(client cl, std::string table_name, change_feed_options options)
        : cl(std::move(cl)),
          table(std::move(table_name)),
          options(std::move(options)),
          wake(this->cl.get_executor())
    {
    }

    /// The GetRecords in flight; its diagnostics stay in place until it completes.
    struct fetch {
        std::string shard_id;
        bool done = false;
        /// The shard's lease was lost meanwhile: the answer belongs to no lease held now, even
        /// if the shard is leased again before it is taken.
        bool abandoned = false;
        error_code ec;
        get_records_response response;
        diagnostics diag;
    };

    client cl;
    std::string table;
    change_feed_options options;
    std::optional<shard_tracker> tracker;
    std::optional<checkpoint_book> book;
    /// With a worker id: the leases held, and where they are kept.
    std::optional<lease_coordinator> leases;
    lease_store* lease_rows = nullptr;
    boost::asio::steady_timer wake;
    std::unique_ptr<fetch> fetching;
    std::unique_ptr<boost::asio::cancellation_signal> fetch_signal;
    std::string last_sequence;
    /// The change handed out last, given back unprocessed: handed out again next.
    std::optional<change> given_back;
    bool closed = false;
    bool reading = false;

    void close()
    {
        closed = true;
        if (fetching && !fetching->done && fetch_signal) {
            fetch_signal->emit(boost::asio::cancellation_type::all);
        }
        wake.cancel();
    }

    /// Stops reading `shard_id`, whose lease is lost or lapsed.
    void lose(std::string_view shard_id)
    {
        leases->dropped(shard_id);
        tracker->unlease(shard_id);
        book->forget(shard_id);
        // Whoever reads the shard next reads that change again.
        if (given_back && given_back->shard_id == shard_id) given_back.reset();
        if (fetching && fetching->shard_id == shard_id) fetching->abandoned = true;
    }

    void start_fetch(const shard_tracker::action& a)
    {
        fetching = std::make_unique<fetch>();
        fetching->shard_id = a.shard_id;
        fetch_signal = std::make_unique<boost::asio::cancellation_signal>();
        auto self = shared_from_this();
        cl.async_get_records(
            a.records, fetching->diag,
            boost::asio::bind_cancellation_slot(
                fetch_signal->slot(),
                boost::asio::bind_executor(
                    cl.get_executor(), [self](error_code ec, get_records_response response) {
                        self->fetching->done = true;
                        self->fetching->ec = ec;
                        self->fetching->response = std::move(response);
                        self->wake.cancel();
                    })));
    }
};

namespace {

using result = std::pair<error_code, std::optional<change>>;

change to_change(tracked_record&& tracked)
{
    change out;
    change_record& record = tracked.record;
    stream_record& data = record.dynamodb;
    out.event = record.event_name.value_or(stream_event_type::unknown);
    out.keys = std::move(data.keys);
    out.old_image = std::move(data.old_image);
    out.new_image = std::move(data.new_image);
    out.sequence_number = std::move(data.sequence_number);
    out.shard_id = std::move(tracked.shard_id);
    if (data.approximate_creation_date_time) {
        const std::chrono::duration<double> seconds(*data.approximate_creation_date_time);
        out.approximate_creation_time = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(seconds));
    }
    return out;
}

/// The table's latest stream, from DescribeTable.
asio::awaitable<error_code> find_stream(change_feed_state& s, diagnostics& diag, std::string& arn)
{
    describe_table_request request{.table_name = s.table};
    auto [ec, response] = co_await s.cl.async_describe_table(std::move(request), diag, use_tuple);
    if (ec) co_return ec;
    const table_description& table = response.table;
    const bool enabled = table.stream_specification && table.stream_specification->stream_enabled;
    if (!enabled || table.latest_stream_arn.empty()) {
        diag.message = "table \"" + s.table +
                       "\" has no stream: enable one with a StreamSpecification (CreateTable or "
                       "UpdateTable)";
        co_return make_error_code(errc::invalid_argument);
    }
    arn = table.latest_stream_arn;
    co_return error_code{};
}

asio::awaitable<bool> cancelled()
{
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

/// Takes the answer of the GetRecords read ahead into the tracker.
error_code take_fetch(change_feed_state& s, diagnostics& diag)
{
    std::unique_ptr<change_feed_state::fetch> done = std::move(s.fetching);
    shard_tracker& tracker = *s.tracker;
    if (done->abandoned) {
        tracker.on_fetch_abandoned();
        return {};
    }
    if (!done->ec) {
        tracker.on_records(done->shard_id, std::move(done->response), stream_clock::now());
        return {};
    }
    if (done->ec == errc::expired_iterator) {
        tracker.on_expired(done->shard_id);
        return {};
    }
    tracker.on_records_failed(done->shard_id);
    diag = std::move(done->diag);
    return done->ec;
}

/// A worker id needs a store that keeps leases, and lease times that allow renewing.
error_code check_lease_options(change_feed_state& s, diagnostics& diag)
{
    const std::string& worker = s.options.worker_id;
    s.lease_rows = dynamic_cast<lease_store*>(s.options.checkpoints.get());
    if (!s.lease_rows) {
        diag.message = "change feed worker \"" + worker +
                       "\" needs a checkpoint store that keeps leases (a lease_store such as "
                       "table_checkpoint_store or memory_checkpoint_store)";
        return make_error_code(errc::invalid_argument);
    }
    const lease_settings& leases = s.options.leases;
    if (leases.renew_interval.count() <= 0 || leases.duration <= leases.renew_interval) {
        diag.message = "change feed worker \"" + worker +
                       "\": the lease duration (" + std::to_string(leases.duration.count()) +
                       " ms) must exceed the renew interval (" +
                       std::to_string(leases.renew_interval.count()) + " ms), which must be positive";
        return make_error_code(errc::invalid_argument);
    }
    return {};
}

/// Finds the stream, loads the checkpoints, and sets up the tracker.
asio::awaitable<error_code> start_feed(change_feed_state& s, diagnostics& diag)
{
    std::string arn = s.options.stream_arn;
    if (arn.empty()) {
        if (error_code ec = co_await find_stream(s, diag, arn)) co_return ec;
    }
    if (s.options.feed_name.empty()) s.options.feed_name = s.table;
    if (!s.options.worker_id.empty()) {
        if (error_code ec = check_lease_options(s, diag)) co_return ec;
        s.tracker.emplace(std::move(arn), s.options);
        s.tracker->use_leases();
        s.leases.emplace(s.options.worker_id, s.options.leases);
        s.book.emplace(s.options.checkpoint_every, s.options.checkpoint_interval,
                       stream_clock::now());
        co_return error_code{};
    }
    std::vector<shard_checkpoint> checkpoints;
    if (s.options.checkpoints) {
        error_code ec =
            co_await s.options.checkpoints->load(s.options.feed_name, checkpoints, diag);
        if (ec) co_return ec;
    }
    s.tracker.emplace(std::move(arn), s.options, checkpoints);
    s.book.emplace(s.options.checkpoint_every, s.options.checkpoint_interval,
                   stream_clock::now());
    co_return error_code{};
}

/// Writes the checkpoints of the changes processed of the shards still leased; a shard whose
/// lease turns out lost is read no more.
asio::awaitable<error_code> write_leased_checkpoints(change_feed_state& s, diagnostics& diag)
{
    std::vector<shard_checkpoint> written;
    for (const shard_checkpoint& position : s.book->pending()) {
        if (!s.leases->holds(position.shard_id, stream_clock::now())) {
            s.lose(position.shard_id);
            continue;
        }
        error_code ec = co_await s.lease_rows->save_leased(s.options.feed_name, position,
                                                           s.options.worker_id, diag);
        if (ec == errc::conditional_check_failed) {
            diag.clear();
            s.lose(position.shard_id);
            continue;
        }
        if (ec) co_return ec;
        written.push_back(position);
    }
    s.book->written(written, stream_clock::now());
    co_return error_code{};
}

/// Writes the checkpoints of the changes processed.
asio::awaitable<error_code> write_checkpoints(change_feed_state& s, diagnostics& diag)
{
    if (s.leases) co_return co_await write_leased_checkpoints(s, diag);
    const std::vector<shard_checkpoint> positions = s.book->pending();
    error_code ec = co_await s.options.checkpoints->save(s.options.feed_name, positions, diag);
    if (!ec) s.book->written(positions, stream_clock::now());
    co_return ec;
}

/// Renews the leases due, releases those of shards read to their end and processed, and when
/// due reads the lease rows and takes what the coordinator says. A conditional write that
/// fails means the lease is lost (or taken first by another worker); other errors end the call.
asio::awaitable<error_code> lease_pass(change_feed_state& s, diagnostics& diag)
{
    lease_coordinator& leases = *s.leases;
    const std::string& feed = s.options.feed_name;
    const std::string& me = s.options.worker_id;
    for (const lease_renewal& due : leases.renewals_due(stream_clock::now())) {
        std::int64_t counter = due.counter;
        const auto sent = stream_clock::now();
        error_code ec = co_await s.lease_rows->renew_lease(feed, due.shard_id, me, counter, diag);
        if (ec == errc::conditional_check_failed) {
            diag.clear();
            s.lose(due.shard_id);
        } else if (ec) {
            co_return ec;
        } else {
            leases.renewed(due.shard_id, counter, sent);
        }
    }
    for (const std::string& shard : leases.held()) {
        // A lease stolen and not yet usable: this worker has not read the shard.
        if (!leases.holds(shard, stream_clock::now())) continue;
        if (!s.tracker->drained(shard) || s.book->owes(shard)) continue;
        // Not a conditional expression: GCC 12 evaluates a co_await in each of its arms.
        error_code ec;
        if (s.tracker->passed_over(shard)) {
            ec = co_await s.lease_rows->release_passed_over(feed, shard, me, diag);
        } else {
            ec = co_await s.lease_rows->release_lease(feed, shard, me, true, diag);
        }
        if (ec && ec != errc::conditional_check_failed) co_return ec;
        diag.clear();
        s.lose(shard);
    }
    if (!leases.scan_due(stream_clock::now())) co_return error_code{};
    std::vector<shard_lease> rows;
    if (error_code ec = co_await s.lease_rows->load_leases(feed, rows, diag)) co_return ec;
    const lease_coordinator::plan plan =
        leases.on_leases(rows, s.tracker->lineage(), stream_clock::now());
    for (const std::string& shard : plan.lost) s.lose(shard);
    for (const std::string& shard : plan.finished) s.tracker->mark_finished(shard);
    for (const lease_claim& claim : plan.take) {
        std::int64_t counter = claim.counter;
        const auto sent = stream_clock::now();
        error_code ec = co_await s.lease_rows->take_lease(feed, claim.shard_id, me, counter, diag);
        if (ec == errc::conditional_check_failed) {
            diag.clear();
            continue;
        }
        if (ec) co_return ec;
        leases.taken(claim, counter, sent);
    }
    co_return error_code{};
}

asio::awaitable<result> read_next(change_feed_state& s, diagnostics& diag)
{
    const auto aborted = [&s] {
        s.close();
        return result{asio::error::operation_aborted, std::nullopt};
    };
    if (!s.tracker) {
        if (error_code ec = co_await start_feed(s, diag)) {
            if (ec == asio::error::operation_aborted) co_return aborted();
            co_return result{ec, {}};
        }
    }
    shard_tracker& tracker = *s.tracker;
    // A change given back is not processed: it is handed out again once the leases are seen
    // to, so that a reader retrying it keeps them renewed.
    if (!s.given_back) s.book->acknowledge();
    for (;;) {
        if (s.closed) co_return aborted();
        if (co_await cancelled()) co_return aborted();
        if (s.leases) {
            // Nothing is handed out of a shard whose lease lapsed.
            for (const std::string& shard : s.leases->lapse(stream_clock::now())) s.lose(shard);
            for (const lease_claim& claim : s.leases->usable(stream_clock::now())) {
                s.tracker->lease(claim.shard_id, claim.checkpoint, claim.after_parent,
                                 claim.counter == 0);
            }
            if (stream_clock::now() >= s.leases->next_due()) {
                if (error_code ec = co_await lease_pass(s, diag)) {
                    if (ec == asio::error::operation_aborted) co_return aborted();
                    co_return result{ec, {}};
                }
                continue;
            }
        }
        if (s.given_back) {
            std::optional<change> again = std::exchange(s.given_back, std::nullopt);
            if (!s.leases || s.leases->holds(again->shard_id, stream_clock::now())) {
                co_return result{error_code{}, std::move(again)};
            }
            // Its lease has lapsed or been lost: another worker reads the shard again.
            s.lose(again->shard_id);
        }
        if (s.options.checkpoints && s.book->due(stream_clock::now())) {
            if (error_code ec = co_await write_checkpoints(s, diag)) {
                if (ec == asio::error::operation_aborted) co_return aborted();
                co_return result{ec, {}};
            }
            continue;
        }
        if (s.fetching && s.fetching->done) {
            if (error_code ec = take_fetch(s, diag)) co_return result{ec, {}};
        }
        shard_tracker::action a = tracker.next(stream_clock::now());
        switch (a.what) {
            case shard_tracker::action::kind::get_records:
                s.start_fetch(a);
                break;
            case shard_tracker::action::kind::deliver: {
                change next = to_change(tracker.take());
                s.last_sequence = next.sequence_number;
                s.book->delivered(next.shard_id, next.sequence_number);
                co_return result{error_code{}, std::move(next)};
            }
            case shard_tracker::action::kind::describe: {
                auto [ec, response] =
                    co_await s.cl.async_describe_stream(std::move(a.describe), diag, use_tuple);
                if (ec == asio::error::operation_aborted) co_return aborted();
                if (ec) co_return result{ec, {}};
                const std::size_t known = tracker.shard_count();
                tracker.on_described(response, stream_clock::now());
                // New shards: look for their leases now rather than at the next scan.
                if (s.leases && tracker.shard_count() != known) s.leases->rescan();
                break;
            }
            case shard_tracker::action::kind::get_iterator: {
                auto [ec, response] =
                    co_await s.cl.async_get_shard_iterator(std::move(a.iterator), diag, use_tuple);
                if (ec == asio::error::operation_aborted) co_return aborted();
                if (ec == errc::trimmed_data_access && a.iterator.sequence_number) {
                    // The checkpoint (or the position asked for) is older than the stream
                    // keeps: what is left of the shard is read.
                    tracker.on_trimmed(a.shard_id);
                    diag.clear();
                    break;
                }
                if (ec) co_return result{ec, {}};
                tracker.on_iterator(a.shard_id, response.shard_iterator, stream_clock::now(),
                                    std::chrono::system_clock::now());
                break;
            }
            case shard_tracker::action::kind::await_records:
                // The fetch's completion cancels this wait.
                s.wake.expires_at(stream_clock::time_point::max());
                co_await s.wake.async_wait(use_tuple);
                if (!s.fetching->done) co_return aborted();
                break;
            case shard_tracker::action::kind::wait: {
                const auto checkpoint_due = s.options.checkpoints
                                                ? s.book->due_at()
                                                : stream_clock::time_point::max();
                const auto lease_due =
                    s.leases ? s.leases->next_due() : stream_clock::time_point::max();
                s.wake.expires_at(std::min({a.until, checkpoint_due, lease_due}));
                auto [ec] = co_await s.wake.async_wait(use_tuple);
                if (ec) co_return aborted();
                break;
            }
            case shard_tracker::action::kind::end:
                co_return result{error_code{}, std::nullopt};
        }
    }
}

asio::awaitable<result> run_next(std::shared_ptr<change_feed_state> s, diagnostics* diag_out)
{
    diagnostics local;
    diagnostics& diag = diag_out ? *diag_out : local;
    diag.clear();
    if (s->closed) co_return result{asio::error::operation_aborted, std::nullopt};
    if (s->reading) {
        diag.message = "a change feed serves one reader at a time";
        co_return result{make_error_code(errc::invalid_argument), std::nullopt};
    }
    // Cancellation shows as error codes, and closes the feed (read_next checks for it).
    co_await asio::this_coro::throw_if_cancelled(false);
    s->reading = true;
    result out = co_await read_next(*s, diag);
    s->reading = false;
    co_return out;
}

using checkpoint_result = std::pair<error_code, std::size_t>;

asio::awaitable<checkpoint_result> run_checkpoint(std::shared_ptr<change_feed_state> s,
                                                  diagnostics* diag_out)
{
    diagnostics local;
    diagnostics& diag = diag_out ? *diag_out : local;
    diag.clear();
    // A stopped feed still writes what its reader processed.
    if (s->reading) {
        diag.message = "a change feed cannot checkpoint while a next() is pending";
        co_return checkpoint_result{make_error_code(errc::invalid_argument), 0};
    }
    if (!s->book || !s->options.checkpoints) co_return checkpoint_result{};
    co_await asio::this_coro::throw_if_cancelled(false);
    s->reading = true;
    if (!s->given_back) s->book->acknowledge();
    const std::size_t shards = s->book->pending().size();
    error_code ec;
    if (shards > 0) ec = co_await write_checkpoints(*s, diag);
    s->reading = false;
    co_return checkpoint_result{ec, ec ? 0 : shards};
}

}  // namespace

void start_checkpoint(const std::shared_ptr<change_feed_state>& state, diagnostics* diag,
                      asio::any_completion_handler<void(error_code, std::size_t)> handler)
{
    spawn_operation(state->cl.get_executor(), run_checkpoint(state, diag), std::move(handler));
}

void start_next_change(const std::shared_ptr<change_feed_state>& state, diagnostics* diag,
                       asio::any_completion_handler<void(error_code, std::optional<change>)> handler)
{
    spawn_operation(state->cl.get_executor(), run_next(state, diag), std::move(handler));
}

}  // namespace detail

change_feed::change_feed(client cl, std::string table_name, change_feed_options options)
    : state_(std::make_shared<detail::change_feed_state>(std::move(cl), std::move(table_name),
                                                         std::move(options)))
{
}

change_feed::change_feed(change_feed&&) noexcept = default;

change_feed& change_feed::operator=(change_feed&& other) noexcept
{
    if (this != &other) {
        cancel();
        state_ = std::move(other.state_);
    }
    return *this;
}

change_feed::~change_feed() { cancel(); }

boost::asio::awaitable<std::optional<change>> change_feed::next()
{
    diagnostics diag;
    auto [ec, next] = co_await async_next(diag, detail::use_tuple);
    throw_on_error(ec, diag);
    co_return std::move(next);
}

boost::asio::awaitable<std::size_t> change_feed::checkpoint()
{
    diagnostics diag;
    auto [ec, shards] = co_await async_checkpoint(diag, detail::use_tuple);
    throw_on_error(ec, diag);
    co_return shards;
}

void change_feed::give_back(change c)
{
    detail::change_feed_state& s = *state_;
    if (s.reading || s.given_back || !s.book ||
        !s.book->awaits_acknowledgement(c.shard_id, c.sequence_number)) {
        throw error(errc::invalid_argument,
                    "give_back(): change " + c.sequence_number + " of shard " + c.shard_id +
                        " is not the change next() returned last, or it already counts as "
                        "processed (next() or checkpoint() was called since)");
    }
    s.given_back = std::move(c);
}

const std::string& change_feed::last_sequence_number() const noexcept
{
    return state_->last_sequence;
}

void change_feed::cancel()
{
    if (!state_) return;
    boost::asio::post(state_->cl.get_executor(), [state = state_] { state->close(); });
}

}  // namespace dynomite
