// model_cursor: streams the records of a model_relation.
#pragma once

#include <dynomite/core/async_operation.hpp>
#include <dynomite/model/detail/record_loading.hpp>
#include <dynomite/query/cursor.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace dynomite {

/// Streams the records of a model_relation, as dynomite::cursor streams items:
///
///     auto cursor = Product::where("category", "books").cursor();
///     while (auto product = co_await cursor.next()) use(*product);
template <class T, class Holder = T>
class model_cursor {
public:
    model_cursor(dynomite::cursor c, database db, detail::loaded_attributes loaded = nullptr,
                 std::optional<bad_items> skipped = std::nullopt)
        : cursor_(std::move(c)), db_(std::move(db)), loaded_(std::move(loaded)),
          skipped_(std::move(skipped))
    {
    }

    /// The next record, or none after the last one; throws dynomite::error on failure. Items
    /// that do not load are reported to on_bad_item()'s list and passed over, if it was given.
    boost::asio::awaitable<std::optional<Holder>> next()
    {
        using maker = detail::record_maker<T, Holder>;
        for (;;) {
            auto item = co_await cursor_.next();
            if (!item) co_return std::nullopt;
            // Built in place: a record costs no coroutine of its own without callbacks.
            std::optional<Holder> record = detail::build_record<T, Holder>(
                std::move(*item), db_, loaded_, skipped_ ? &*skipped_ : nullptr);
            if (!record) continue;
            if (detail::has_after_load_callbacks(maker::base(*record)))
                co_await detail::run_after_load(maker::base(*record));
            co_return record;
        }
    }

    bool done() const noexcept { return cursor_.done(); }
    std::int64_t items_taken() const noexcept { return cursor_.items_taken(); }
    /// Where a relation resumes with start_from(); see dynomite::cursor.
    std::string cursor_string() const { return cursor_.cursor_string(); }
    void cancel() { cursor_.cancel(); }
    boost::asio::any_io_executor get_executor() const { return cursor_.get_executor(); }
    /// next() for any completion token: void(error_code, std::optional<Holder>); the cursor
    /// must outlive the operation.
    DYNOMITE_ASYNC_FORM(next, std::optional<Holder>, DYNOMITE_ASYNC_ON_THIS, )
    dynomite::cursor& raw() noexcept { return cursor_; }

private:
    dynomite::cursor cursor_;
    database db_;
    detail::loaded_attributes loaded_;
    std::optional<bad_items> skipped_;
};

}  // namespace dynomite
