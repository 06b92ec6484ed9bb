// The fixture of the relation tests: a database over the integration client, scan warnings
// captured, and fast concurrent writes for large tables.
#pragma once

#include "integration/integration_fixture.hpp"

#include <dynomite/query/database.hpp>

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace dynomite::test {

class relation_test : public integration_test {
protected:
    relation_test() : store(db, store_options()) {}

    database_options store_options()
    {
        database_options options;
        options.logger = [this](log_level level, std::string_view line) {
            if (level == log_level::warning) warnings.push_back(std::string(line));
        };
        return options;
    }

    /// A table shaped like the test tables, created without TearDown deleting it.
    std::string create_untracked_table(std::string_view prefix, const table_spec& spec)
    {
        auto name = unique_table_name(prefix);
        run(db.create_table(table_request(name, spec)));
        run(wait_until_active(name));
        return name;
    }

    /// Writes items 0 to count - 1, made by `make` only when sent (so that a large table never
    /// sits in memory), with BatchWriteItem: `concurrency` requests in flight, each group of 25
    /// sent again until nothing is left unprocessed.
    void write_concurrently(const std::string& table, std::size_t count,
                            std::function<attribute_map(std::size_t)> make, int concurrency = 8)
    {
        auto next = std::make_shared<std::size_t>(0);
        int running = concurrency;
        std::exception_ptr failure;
        for (int worker = 0; worker < concurrency; ++worker) {
            asio::co_spawn(io, write_worker(table, count, make, next), [&](std::exception_ptr e) {
                if (e && !failure) failure = e;
                --running;
            });
        }
        while (running > 0) {
            if (io.stopped()) io.restart();
            io.run_one_for(std::chrono::milliseconds(100));
        }
        if (failure) std::rethrow_exception(failure);
    }

    database store;
    std::vector<std::string> warnings;

private:
    asio::awaitable<void> write_worker(std::string table, std::size_t count,
                                       std::function<attribute_map(std::size_t)> make,
                                       std::shared_ptr<std::size_t> next)
    {
        constexpr int max_rounds = 20;
        while (*next < count) {
            const std::size_t first = *next;
            const std::size_t last = std::min(count, first + batch_write_max_requests);
            *next = last;
            std::vector<write_request> writes;
            for (auto i = first; i < last; ++i) writes.push_back(put_request{make(i)});
            batch_write_item_request request;
            request.request_items.emplace_back(table, std::move(writes));
            for (int round = 0;; ++round) {
                if (round == max_rounds)
                    throw std::runtime_error("BatchWriteItem left unprocessed items");
                auto response = co_await db.batch_write_item(request);
                if (response.unprocessed_items.empty()) break;
                request.request_items = std::move(response.unprocessed_items);
                co_await sleep_for(std::chrono::milliseconds(20) * (round + 1));
            }
        }
    }
};

}  // namespace dynomite::test
