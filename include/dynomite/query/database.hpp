// The root of relations: a client, the schemas of its tables (from DescribeTable, cached) and
// the options relations run with.
#pragma once

#include <dynomite/client/client.hpp>
#include <dynomite/core/logging.hpp>
#include <dynomite/query/relation.hpp>
#include <dynomite/query/table_schema.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

namespace detail {
class database_state;
void start_schema(const std::shared_ptr<database_state>& state, std::string table, bool refresh,
                  diagnostics* diag,
                  boost::asio::any_completion_handler<void(error_code, table_schema)> handler);
}  // namespace detail

struct database_options {
    /// How long a table's schema is trusted before DescribeTable is asked again.
    std::chrono::steady_clock::duration schema_ttl = std::chrono::minutes(5);
    /// What a relation that would Scan does, unless it says force_scan().
    dynomite::scan_policy scan_policy = dynomite::scan_policy::warn;
    /// Items DynamoDB reads per page (its Limit) when a relation sets no page_size(); none
    /// lets DynamoDB fill pages up to 1 MB.
    std::optional<std::int32_t> page_size;
    /// Pages a cursor requests ahead of the one being read, unless a relation sets read_ahead().
    std::size_t read_ahead = 1;
    /// Where scan warnings go; when empty, to the standard error stream.
    log_sink logger;
    /// Batch writes (batch_write(), batch_save(), delete_all()): BatchWriteItem rounds for one
    /// group of 25 writes, the first included, before the writes still unprocessed are
    /// reported instead of applied.
    int max_batch_write_rounds = 8;
    /// Batches (reads too): the backoff before the second round; it doubles each round (with
    /// full jitter) up to batch_write_max_delay.
    std::chrono::milliseconds batch_write_base_delay{50};
    std::chrono::milliseconds batch_write_max_delay{2000};
};

/// A handle to a client and its tables' schemas; copies share the cache. Thread-safe.
///
///     dynomite::database db(client);
///     auto cheap = co_await db.table("products").where("price.lt", 1000).all();
class database {
public:
    /// Throws dynomite::error (errc::invalid_configuration) for a page_size below 1, a
    /// negative schema_ttl or batch write settings below 1.
    explicit database(dynomite::client client, database_options options = {});

    const dynomite::client& get_client() const noexcept;
    const database_options& options() const noexcept;

    /// A relation over every item of `table`; nothing is sent until a result is asked for.
    relation table(std::string name) const;

    /// The schema of `table`: cached for options().schema_ttl; concurrent first uses share one
    /// DescribeTable. Signature void(error_code, table_schema); `diag` gets what the server
    /// said. Not cancellable: DescribeTable is short, and other waiters may share it.
    template <class CompletionToken>
    auto async_schema(std::string table, diagnostics& diag, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(error_code, table_schema)>(
            schema_initiation{state_}, token, std::move(table), false, &diag);
    }
    /// As above, but always asks DescribeTable again (or joins a DescribeTable under way).
    template <class CompletionToken>
    auto async_refresh(std::string table, diagnostics& diag, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(error_code, table_schema)>(
            schema_initiation{state_}, token, std::move(table), true, &diag);
    }

    /// Throw dynomite::error on failure.
    boost::asio::awaitable<table_schema> schema(std::string table) const;
    boost::asio::awaitable<table_schema> refresh(std::string table) const;

    /// Drops the cached schema of `table`: the next use asks DescribeTable.
    void forget(std::string_view table) const;

private:
    struct schema_initiation {
        std::shared_ptr<detail::database_state> state;

        template <class Handler>
        void operator()(Handler&& handler, std::string table, bool refresh, diagnostics* diag) const
        {
            detail::start_schema(
                state, std::move(table), refresh, diag,
                boost::asio::any_completion_handler<void(error_code, table_schema)>(
                    std::forward<Handler>(handler)));
        }
    };

    std::shared_ptr<detail::database_state> state_;
};

}  // namespace dynomite
