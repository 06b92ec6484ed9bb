// A GoogleTest fixture for tests against a real DynamoDB endpoint: an io_context, a client,
// synchronous runners for awaitables, and tables that are created uniquely and always deleted.
#pragma once

#include "support/test_env.hpp"

#include <dynomite/client/client.hpp>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace dynomite::test {

namespace asio = boost::asio;

/// The optional parts of a test table. The key is always `pk` (S) and `sk`.
struct table_spec {
    scalar_attribute_type sort_key_type = scalar_attribute_type::s;
    /// Adds global_index_name: `gpk` (S) and `gsk` (S), projecting all attributes.
    bool global_index = false;
    /// Adds local_index_name: `pk` and `lsk` (N), projecting the keys and `title`.
    bool local_index = false;
};

inline constexpr std::string_view global_index_name = "by_group";
inline constexpr std::string_view local_index_name = "by_rank";

/// A table key of the test tables.
inline attribute_map key_of(std::string pk, attribute_value sk)
{
    return attribute_map{{"pk", attribute_value(std::move(pk))}, {"sk", std::move(sk)}};
}

class integration_test : public ::testing::Test {
protected:
    /// How long one run() may take before the test fails; far above any single exchange.
    static constexpr std::chrono::seconds run_timeout{240};

    integration_test() : db(io.get_executor(), base_config()) {}

    void TearDown() override { delete_created_tables(); }

    /// Where the tests' clients connect; credentials and region come from the environment.
    static client_config base_config()
    {
        client_config config;
        config.endpoint = integration_endpoint();
        return config;
    }

    /// Runs `op` on the io_context until it completes; rethrows what it throws.
    template <class T>
    T run(asio::awaitable<T> op)
    {
        std::optional<T> result;
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T value) {
            failure = e;
            if (!e) result.emplace(std::move(value));
            done = true;
        });
        run_until(done);
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

    void run(asio::awaitable<void> op)
    {
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(op), [&](std::exception_ptr e) {
            failure = e;
            done = true;
        });
        run_until(done);
        if (failure) std::rethrow_exception(failure);
    }

    /// Runs `request` and returns its error code instead of throwing; `diag` gets the details.
    template <operation_request Request>
    std::pair<error_code, response_t<Request>> run_with_diag(Request request, diagnostics& diag)
    {
        auto [ec, response] =
            run(db.async_execute(std::move(request), diag, asio::as_tuple(asio::use_awaitable)));
        return {ec, std::move(response)};
    }

    /// Processes handlers until `done` becomes true; throws when run_timeout passes first or
    /// when nothing is left to run.
    void run_until(const bool& done)
    {
        const auto deadline = std::chrono::steady_clock::now() + run_timeout;
        while (!done) {
            if (io.stopped()) io.restart();
            if (io.run_one_until(deadline) == 0) {
                if (done) break;
                if (std::chrono::steady_clock::now() >= deadline)
                    throw std::runtime_error("the operation did not complete within " +
                                             std::to_string(run_timeout.count()) + " s");
                if (io.stopped())
                    throw std::runtime_error("the io_context ran out of work before completion");
            }
        }
    }

    /// A CreateTable request for a PAY_PER_REQUEST table shaped by `spec`.
    static create_table_request table_request(std::string name, const table_spec& spec)
    {
        create_table_request request;
        request.table_name = std::move(name);
        request.attribute_definitions = {{"pk", scalar_attribute_type::s},
                                         {"sk", spec.sort_key_type}};
        request.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
        request.billing_mode = billing_mode::pay_per_request;
        if (spec.global_index) {
            request.attribute_definitions.push_back({"gpk", scalar_attribute_type::s});
            request.attribute_definitions.push_back({"gsk", scalar_attribute_type::s});
            global_secondary_index index;
            index.index_name = global_index_name;
            index.key_schema = {{"gpk", key_type::hash}, {"gsk", key_type::range}};
            index.projection.projection_type = projection_type::all;
            request.global_secondary_indexes.push_back(std::move(index));
        }
        if (spec.local_index) {
            request.attribute_definitions.push_back({"lsk", scalar_attribute_type::n});
            local_secondary_index index;
            index.index_name = local_index_name;
            index.key_schema = {{"pk", key_type::hash}, {"lsk", key_type::range}};
            index.projection.projection_type = projection_type::include;
            index.projection.non_key_attributes = {"title"};
            request.local_secondary_indexes.push_back(std::move(index));
        }
        return request;
    }

    /// Creates a uniquely named table, waits until it and its indexes are ACTIVE, and deletes
    /// it in TearDown. Returns its name.
    std::string create_table(std::string_view prefix, const table_spec& spec = {})
    {
        auto name = unique_table_name(prefix);
        track_table(name);
        run(db.create_table(table_request(name, spec)));
        run(wait_until_active(name));
        return name;
    }

    /// Has TearDown delete `name`, created by the test itself.
    void track_table(const std::string& name) { created_tables_.push_back(name); }

    /// For a table the test deleted itself.
    void untrack_table(const std::string& name) { std::erase(created_tables_, name); }

    /// Polls DescribeTable until the table and all its global indexes are ACTIVE; DynamoDB
    /// Local is at once, AWS takes seconds to minutes.
    asio::awaitable<table_description> wait_until_active(std::string name)
    {
        constexpr int max_polls = 150;
        auto delay = std::chrono::milliseconds(50);
        // A named request: GCC 12 destroys braced temporaries in a co_await expression twice.
        const describe_table_request request{name};
        for (int poll = 0; poll < max_polls; ++poll) {
            auto described = co_await db.describe_table(request);
            const auto& table = described.table;
            const bool indexes_active = std::all_of(
                table.global_secondary_indexes.begin(), table.global_secondary_indexes.end(),
                [](const auto& index) { return index.index_status == index_status::active; });
            if (table.table_status == table_status::active && indexes_active) co_return table;
            co_await sleep_for(delay);
            delay = std::min(delay * 2, std::chrono::milliseconds(2000));
        }
        throw std::runtime_error("table " + name + " is not ACTIVE after " +
                                 std::to_string(max_polls) + " DescribeTable calls");
    }

    static asio::awaitable<void> sleep_for(std::chrono::milliseconds delay)
    {
        asio::steady_timer timer(co_await asio::this_coro::executor, delay);
        co_await timer.async_wait(asio::use_awaitable);
    }

    /// Writes `items` with BatchWriteItem in groups of 25, sending unprocessed items again.
    void write_all(const std::string& table, const std::vector<attribute_map>& items)
    {
        for (std::size_t first = 0; first < items.size(); first += batch_write_max_requests) {
            const auto last = std::min(items.size(), first + batch_write_max_requests);
            std::vector<write_request> writes;
            for (auto i = first; i < last; ++i) writes.push_back(put_request{items[i]});
            write_batch_until_done(table, std::move(writes));
        }
    }

    /// Sends one BatchWriteItem, then its unprocessed items until none remain.
    void write_batch_until_done(const std::string& table, std::vector<write_request> writes)
    {
        constexpr int max_rounds = 20;
        batch_write_item_request request;
        request.request_items.emplace_back(table, std::move(writes));
        for (int round = 0; round < max_rounds; ++round) {
            auto response = run(db.batch_write_item(request));
            if (response.unprocessed_items.empty()) return;
            request.request_items = std::move(response.unprocessed_items);
            run(sleep_for(std::chrono::milliseconds(50) * (round + 1)));
        }
        throw std::runtime_error("BatchWriteItem left unprocessed items after " +
                                 std::to_string(max_rounds) + " rounds");
    }

    asio::io_context io;
    dynomite::client db;

private:
    void delete_created_tables()
    {
        constexpr int max_tries = 30;
        for (const auto& name : created_tables_) {
            for (int attempt = 1;; ++attempt) {
                diagnostics diag;
                error_code ec;
                try {
                    ec = run_with_diag(delete_table_request{.table_name = name}, diag).first;
                } catch (const std::exception& e) {
                    ADD_FAILURE() << "deleting table " << name << ": " << e.what();
                    break;
                }
                if (!ec || ec == errc::resource_not_found) break;
                // A table still being created or updated cannot be deleted yet.
                if (ec == errc::resource_in_use && attempt < max_tries) {
                    run(sleep_for(std::chrono::milliseconds(1000)));
                    continue;
                }
                ADD_FAILURE() << "deleting table " << name << ": " << ec.message() << " ("
                              << diag.to_string() << ")";
                break;
            }
        }
        created_tables_.clear();
    }

    std::vector<std::string> created_tables_;
};

}  // namespace dynomite::test
