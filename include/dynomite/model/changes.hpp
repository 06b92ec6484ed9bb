// A model's change feed: the changes of its table as records of the model.
#pragma once

#include <dynomite/model/detail/record_loading.hpp>
#include <dynomite/model/relation.hpp>
#include <dynomite/query/changes.hpp>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace dynomite {

/// One change of a record of model T. The images come as records of the class each item
/// names (single-table inheritance), after their after_find and after_initialize callbacks;
/// null where the change has no image (an insert's old one, a removal's new one, or the
/// stream's view type leaves it out).
template <class T>
struct model_change {
    stream_event_type event = stream_event_type::unknown;
    attribute_map keys{};
    std::unique_ptr<T> old_record{};
    std::unique_ptr<T> new_record{};
    std::string sequence_number{};
    std::string shard_id{};
    std::optional<std::chrono::system_clock::time_point> approximate_creation_time{};
};

/// The changes of model T's table, as records: `auto feed = Post::changes(options);` then
/// `while (auto change = co_await feed.next()) ...`. In a table shared by an inheritance
/// hierarchy, a subclass's feed skips the changes of items of other classes (they count as
/// processed for the checkpoints). Otherwise as change_feed.
template <class T>
class model_change_feed {
public:
    model_change_feed(database db, change_feed_options options)
        : db_(std::move(db)),
          feed_(db_.get_client(), descriptor_of<T>().table_name(), std::move(options))
    {
    }

    /// The next change of a T; none once a disabled stream is read to its end. Throws
    /// dynomite::error on failure, or when its records cannot be made (an image names a class
    /// T does not know, holds a value a field cannot take, or a callback throws). Such a
    /// change does not count as processed: the next call tries it again, and checkpoint()
    /// leaves it out. To pass it by, take it as it is with `raw().next()`.
    boost::asio::awaitable<std::optional<model_change<T>>> next()
    {
        using maker = detail::record_maker<T, std::unique_ptr<T>>;
        for (;;) {
            std::optional<change> raw = co_await feed_.next();
            if (!raw) co_return std::nullopt;
            const bool has_image = !raw->old_image.empty() || !raw->new_image.empty();
            const bool of_t = (!raw->old_image.empty() && maker::accepts(raw->old_image)) ||
                              (!raw->new_image.empty() && maker::accepts(raw->new_image));
            if (has_image && !of_t) continue;
            model_change<T> out;
            std::exception_ptr failure;
            // checkpoint() must not count the change while its records are being made.
            const busy_while making(building_);
            try {
                // From copies: the change must stay whole to be given back.
                if (!raw->old_image.empty()) out.old_record = maker::build(raw->old_image, db_);
                if (!raw->new_image.empty()) out.new_record = maker::build(raw->new_image, db_);
                const std::array<T*, 2> records{out.old_record.get(), out.new_record.get()};
                for (T* record : records) {
                    if (record && detail::has_after_load_callbacks(*record)) {
                        co_await detail::run_after_load(*record);
                    }
                }
            } catch (...) {
                failure = std::current_exception();
            }
            if (failure) {
                try {
                    feed_.give_back(std::move(*raw));
                } catch (const error&) {
                    // Not the last change any more (raw().next() was called meanwhile): the
                    // failure to report is still the one above.
                }
                std::rethrow_exception(failure);
            }
            out.event = raw->event;
            out.keys = std::move(raw->keys);
            out.sequence_number = std::move(raw->sequence_number);
            out.shard_id = std::move(raw->shard_id);
            out.approximate_creation_time = raw->approximate_creation_time;
            co_return out;
        }
    }

    /// Writes the checkpoints of the changes next() returned (see change_feed::checkpoint());
    /// not while a next() is pending (errc::invalid_argument).
    boost::asio::awaitable<std::size_t> checkpoint()
    {
        if (building_) {
            throw error(errc::invalid_argument,
                        "a change feed cannot checkpoint while a next() is pending");
        }
        co_return co_await feed_.checkpoint();
    }
    const std::string& last_sequence_number() const noexcept
    {
        return feed_.last_sequence_number();
    }
    void cancel() { feed_.cancel(); }
    /// The feed of the table's changes underneath.
    change_feed& raw() noexcept { return feed_; }

private:
    /// Sets a flag for as long as it lives (a coroutine frame destroyed mid-way included).
    struct busy_while {
        explicit busy_while(bool& flag) : flag_(flag) { flag_ = true; }
        ~busy_while() { flag_ = false; }
        busy_while(const busy_while&) = delete;
        busy_while& operator=(const busy_while&) = delete;
        bool& flag_;
    };

    database db_;
    change_feed feed_;
    bool building_ = false;
};

}  // namespace dynomite
