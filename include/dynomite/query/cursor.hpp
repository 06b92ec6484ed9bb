// Streaming the items of a relation: a pull cursor over Query or Scan pages that reads ahead,
// so that memory stays bounded by the pages in flight.
#pragma once

#include <dynomite/core/async_operation.hpp>
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/query/pagination.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dynomite {

namespace detail {
class cursor_state;
}  // namespace detail

/// Made by relation::cursor(). Nothing is sent before the first next() or next_page(); then
/// pages are requested one after the other, following LastEvaluatedKey, and each time the
/// reader takes a page the request for a following one starts at once (up to the relation's
/// read_ahead() pages ahead), so that requests overlap with the reader's work.
///
///     auto cursor = relation.cursor();
///     while (auto item = co_await cursor.next()) use(*item);
///
/// One coroutine at a time may use a cursor, and the cursor must outlive its pending calls.
/// Cancelling a pending next() (Asio per-operation cancellation of the awaiting coroutine),
/// cancel(), or destroying the cursor stops the requests in flight; later calls then fail
/// with boost::asio::error::operation_aborted. Movable, not copyable.
class cursor {
public:
    cursor(cursor&&) noexcept;
    cursor& operator=(cursor&&) noexcept;
    cursor(const cursor&) = delete;
    cursor& operator=(const cursor&) = delete;
    ~cursor();

    /// The next item, or none after the last one. Throws dynomite::error on failure.
    boost::asio::awaitable<std::optional<attribute_map>> next();
    /// As above without throwing: the error and, in `diag`, what the server said.
    boost::asio::awaitable<std::pair<error_code, std::optional<attribute_map>>> next(
        diagnostics& diag);

    /// The items of the current page not yet taken with next(), or else the next page with
    /// items; none after the last one. Pages without items (all filtered out) are skipped.
    boost::asio::awaitable<std::optional<std::vector<attribute_map>>> next_page();
    boost::asio::awaitable<std::pair<error_code, std::optional<std::vector<attribute_map>>>>
    next_page(diagnostics& diag);

    /// No item is left: next() returned none, or the last item of the last page was taken.
    bool done() const noexcept { return done_; }
    /// Items returned so far (by next() and next_page()).
    std::int64_t items_taken() const noexcept { return taken_; }

    /// Where a relation resumes with start_from() to continue right after the last item
    /// taken: the start position before anything was taken (none for the beginning), and
    /// none once DynamoDB said nothing remains. A cursor done() because of limit() still has
    /// a position: the next items. Throws dynomite::error (errc::invalid_argument) when there
    /// is no single position: for a parallel scan, or when a projection left out a key
    /// attribute of the item where a page was cut short.
    std::optional<attribute_map> last_evaluated_key() const;
    /// The same position as an opaque URL-safe string for relation::start_from(): empty once
    /// DynamoDB said nothing remains (the beginning is not empty: it encodes the empty key).
    /// Throws as last_evaluated_key() does.
    std::string cursor_string() const;
    /// Non-throwing form of cursor_string().
    error_code cursor_string(std::string& out, std::string* why = nullptr) const;

    /// Stops the requests in flight; pending and later calls fail with operation_aborted.
    void cancel();

    /// The database client's executor, where the async_x forms run.
    boost::asio::any_io_executor get_executor() const;

    /// next() and next_page() for any completion token: void(error_code,
    /// std::optional<attribute_map>) and void(error_code,
    /// std::optional<std::vector<attribute_map>>); the cursor must outlive the operation.
    DYNOMITE_ASYNC_FORM(next, std::optional<attribute_map>, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM(next_page, std::optional<std::vector<attribute_map>>,
                        DYNOMITE_ASYNC_ON_THIS, )

private:
    friend class relation;
    explicit cursor(std::shared_ptr<detail::cursor_state> state);

    /// Takes pages until one has an item left or none remains.
    boost::asio::awaitable<error_code> fill(diagnostics& diag);
    void finish_page();
    error_code position(std::optional<attribute_map>& out, std::string* why) const;

    std::shared_ptr<detail::cursor_state> state_;
    // The page being read; only the reader touches these.
    std::vector<attribute_map> page_;
    std::size_t index_ = 0;
    std::optional<attribute_map> page_resume_key_;
    std::string page_unresumable_;
    std::shared_ptr<const std::vector<std::string>> key_attributes_;
    bool page_exhausts_ = false;
    bool page_last_ = false;
    // Where the reader stands.
    std::optional<attribute_map> key_;
    std::string unresumable_;
    bool parallel_ = false;
    bool exhausted_ = false;
    bool done_ = false;
    std::int64_t taken_ = 0;
};

}  // namespace dynomite
