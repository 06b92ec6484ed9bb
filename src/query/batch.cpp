// The one batching mechanism: chunking, resending what DynamoDB left unprocessed, and when to
// stop, for BatchGetItem and BatchWriteItem.
#include "core/async.hpp"
#include "core/random.hpp"
#include "transport/retry.hpp"
#include <dynomite/query/batch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <limits>

namespace dynomite {

namespace asio = boost::asio;

namespace detail {

std::vector<std::pair<std::size_t, std::size_t>> chunk_ranges(std::size_t count, std::size_t size)
{
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (size == 0) return out;
    for (std::size_t first = 0; first < count; first += size) {
        out.emplace_back(first, std::min(count, first + size));
    }
    return out;
}

distinct_keys deduplicate(const std::vector<batch_get_key>& keys)
{
    distinct_keys out;
    out.slot.reserve(keys.size());
    for (const auto& key : keys) {
        const auto found = std::find(out.keys.begin(), out.keys.end(), key);
        out.slot.push_back(static_cast<std::size_t>(found - out.keys.begin()));
        if (found == out.keys.end()) out.keys.push_back(key);
    }
    return out;
}

namespace {

template <class T>
T& entry_for(per_table<T>& tables, const std::string& table)
{
    for (auto& [name, value] : tables) {
        if (name == table) return value;
    }
    return tables.emplace_back(table, T{}).second;
}

bool carries_key(const attribute_map& item, const attribute_map& key)
{
    for (const auto& [name, value] : key) {
        const attribute_value* v = item.find(name);
        if (v == nullptr || !(*v == value)) return false;
    }
    return true;
}

bool same_write(const write_request& a, const write_request& b)
{
    if (a.index() != b.index()) return false;
    if (const auto* put = std::get_if<put_request>(&a)) {
        return put->item == std::get<put_request>(b).item;
    }
    return std::get<delete_request>(a).key == std::get<delete_request>(b).key;
}

}  // namespace

batch_get_item_request make_get_request(const std::vector<batch_get_key>& keys,
                                        const std::vector<std::size_t>& positions,
                                        const batch_get_options& options)
{
    batch_get_item_request request;
    for (const std::size_t i : positions) {
        keys_and_attributes& wanted = entry_for(request.request_items, keys[i].table);
        wanted.keys.push_back(keys[i].key);
        if (options.consistent_read) wanted.consistent_read = true;
    }
    return request;
}

std::optional<std::size_t> match_item(const std::vector<batch_get_key>& keys,
                                      const std::vector<std::size_t>& pending,
                                      std::string_view table, const attribute_map& item)
{
    for (const std::size_t i : pending) {
        if (keys[i].table == table && carries_key(item, keys[i].key)) return i;
    }
    return std::nullopt;
}

std::vector<std::size_t> unprocessed_keys(const std::vector<batch_get_key>& keys,
                                          const std::vector<std::size_t>& pending,
                                          const per_table<keys_and_attributes>& unprocessed)
{
    std::vector<std::size_t> out;
    for (const std::size_t i : pending) {
        for (const auto& [table, left] : unprocessed) {
            if (table != keys[i].table) continue;
            if (std::find(left.keys.begin(), left.keys.end(), keys[i].key) != left.keys.end()) {
                out.push_back(i);
                break;
            }
        }
    }
    return out;
}

batch_write_item_request make_write_request(const std::vector<table_write>& writes,
                                            const std::vector<std::size_t>& positions)
{
    batch_write_item_request request;
    for (const std::size_t i : positions) {
        entry_for(request.request_items, writes[i].table).push_back(writes[i].write);
    }
    return request;
}

std::vector<std::size_t> unprocessed_writes(
    const std::vector<table_write>& writes, const std::vector<std::size_t>& pending,
    const per_table<std::vector<write_request>>& unprocessed)
{
    std::vector<std::size_t> out;
    for (const std::size_t i : pending) {
        for (const auto& [table, left] : unprocessed) {
            if (table != writes[i].table) continue;
            const bool listed = std::any_of(left.begin(), left.end(), [&](const write_request& w) {
                return same_write(w, writes[i].write);
            });
            if (listed) {
                out.push_back(i);
                break;
            }
        }
    }
    return out;
}

bool another_round(int rounds_done, int max_rounds, bool pending) noexcept
{
    return pending && rounds_done < max_rounds;
}

std::chrono::milliseconds backoff_bound(const database_options& options, int rounds_done) noexcept
{
    return backoff_wait(options, rounds_done, 1.0);
}

std::chrono::milliseconds backoff_wait(const database_options& options, int rounds_done,
                                       double unit_random) noexcept
{
    // The transport's full-jitter backoff, with the batches' own base and cap.
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        backoff_delay(options.batch_write_base_delay, options.batch_write_max_delay, rounds_done,
                      unit_random));
}

namespace {

using dynomite::detail::use_tuple;

asio::awaitable<error_code> wait_before_round(const database_options& options, int rounds_done)
{
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, backoff_wait(options, rounds_done, random_unit()));
    auto [ec] = co_await timer.async_wait(use_tuple);
    co_return ec;
}

}  // namespace

asio::awaitable<std::pair<error_code, batch_write_result>> batch_write_with(
    dynomite::client client, database_options options, std::vector<table_write> writes,
    diagnostics& diag)
{
    batch_write_result result;
    for (const auto& [first, last] : chunk_ranges(writes.size(), batch_write_max_requests)) {
        std::vector<std::size_t> pending;
        for (std::size_t i = first; i < last; ++i) pending.push_back(i);
        for (int rounds = 1;; ++rounds) {
            auto request = make_write_request(writes, pending);
            auto [ec, response] =
                co_await client.async_batch_write_item(std::move(request), diag, use_tuple);
            if (ec) {
                result.in_doubt = std::move(pending);
                result.settled = last;
                co_return std::pair{ec, std::move(result)};
            }
            auto left = unprocessed_writes(writes, pending, response.unprocessed_items);
            result.written += pending.size() - left.size();
            pending = std::move(left);
            if (!another_round(rounds, options.max_batch_write_rounds, !pending.empty())) break;
            const error_code wait_ec = co_await wait_before_round(options, rounds);
            if (wait_ec) {
                // Cancelled between rounds: what is left was never sent again.
                result.unprocessed.insert(result.unprocessed.end(), pending.begin(), pending.end());
                result.settled = last;
                co_return std::pair{wait_ec, std::move(result)};
            }
        }
        result.unprocessed.insert(result.unprocessed.end(), pending.begin(), pending.end());
        result.settled = last;
    }
    co_return std::pair{error_code{}, std::move(result)};
}

}  // namespace detail

asio::awaitable<std::pair<error_code, batch_get_result>> batch_get(database db,
                                                                   std::vector<batch_get_key> keys,
                                                                   diagnostics& diag,
                                                                   batch_get_options options)
{
    const database_options& settings = db.options();
    dynomite::client client = db.get_client();
    detail::distinct_keys distinct = detail::deduplicate(keys);
    std::vector<std::optional<attribute_map>> found(distinct.keys.size());
    std::vector<std::size_t> left_over;
    batch_get_result result;
    // On failure, the keys of the request that failed and those never sent are unread too.
    const auto finish = [&](error_code ec, const std::vector<std::size_t>& unread = {},
                            std::size_t unsent_from = std::numeric_limits<std::size_t>::max()) {
        result.items.reserve(keys.size());
        for (const std::size_t slot : distinct.slot) result.items.push_back(found[slot]);
        for (const std::size_t i : left_over) result.unprocessed.push_back(distinct.keys[i]);
        for (const std::size_t i : unread) result.unprocessed.push_back(distinct.keys[i]);
        for (std::size_t i = unsent_from; i < distinct.keys.size(); ++i) {
            result.unprocessed.push_back(distinct.keys[i]);
        }
        return std::pair{ec, std::move(result)};
    };
    for (const auto& [first, last] :
         detail::chunk_ranges(distinct.keys.size(), batch_get_max_keys)) {
        std::vector<std::size_t> pending;
        for (std::size_t i = first; i < last; ++i) pending.push_back(i);
        for (int rounds = 1;; ++rounds) {
            auto request = detail::make_get_request(distinct.keys, pending, options);
            auto [ec, response] =
                co_await client.async_batch_get_item(std::move(request), diag, detail::use_tuple);
            if (ec) co_return finish(ec, pending, last);
            for (auto& [table, items] : response.responses) {
                for (auto& item : items) {
                    const auto at = detail::match_item(distinct.keys, pending, table, item);
                    if (at) found[*at] = std::move(item);
                }
            }
            pending = detail::unprocessed_keys(distinct.keys, pending, response.unprocessed_keys);
            if (!detail::another_round(rounds, options.max_rounds, !pending.empty())) break;
            const error_code wait_ec = co_await detail::wait_before_round(settings, rounds);
            if (wait_ec) co_return finish(wait_ec, pending, last);
        }
        left_over.insert(left_over.end(), pending.begin(), pending.end());
    }
    co_return finish(error_code{});
}

asio::awaitable<batch_get_result> batch_get(database db, std::vector<batch_get_key> keys,
                                            batch_get_options options)
{
    diagnostics diag;
    auto [ec, result] = co_await batch_get(db, std::move(keys), diag, options);
    throw_on_error(ec, diag);
    co_return std::move(result);
}

asio::awaitable<std::pair<error_code, batch_write_result>> batch_write(
    database db, std::vector<table_write> writes, diagnostics& diag)
{
    auto result =
        co_await detail::batch_write_with(db.get_client(), db.options(), std::move(writes), diag);
    co_return std::move(result);
}

asio::awaitable<batch_write_result> batch_write(database db, std::vector<table_write> writes)
{
    diagnostics diag;
    auto [ec, result] = co_await batch_write(db, std::move(writes), diag);
    throw_on_error(ec, diag);
    co_return std::move(result);
}

}  // namespace dynomite
