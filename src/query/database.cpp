// The database: schemas cached per table, and the options of its relations.
#include "core/async.hpp"
#include "query/relation_data.hpp"

#include <dynomite/query/database.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dynomite {
namespace detail {
namespace {

using dynomite::detail::use_tuple;

}  // namespace

database_state::database_state(dynomite::client c, database_options o)
    : cl(std::move(c)), options(std::move(o))
{
}

void database_state::get_schema(const std::string& table, bool refresh, diagnostics* diag,
                                schema_handler handler)
{
    if (diag) diag->clear();
    {
        std::unique_lock lock(mutex_);
        entry& e = entries_[table];
        const auto now = std::chrono::steady_clock::now();
        if (!refresh && e.schema && !e.describing && now - e.described < options.schema_ttl) {
            schema_ptr schema = e.schema;
            lock.unlock();
            post_completion(cl.get_executor(), std::move(handler), error_code{}, std::move(schema));
            return;
        }
        e.waiters.push_back({diag, {cl.get_executor(), std::move(handler)}});
        if (e.describing) return;  // the DescribeTable under way answers this one too
        e.describing = true;
    }
    auto result_diag = std::make_shared<diagnostics>();
    describe_table_request request{table};
    cl.async_describe_table(std::move(request), *result_diag,
                            [self = shared_from_this(), table, result_diag](
                                error_code ec, describe_table_response response) {
                                self->on_described(table, ec, response.table, *result_diag);
                            });
}

void database_state::on_described(const std::string& table, error_code ec,
                                  const table_description& description, const diagnostics& diag)
{
    diagnostics result = diag;
    schema_ptr schema;
    if (!ec) {
        table_schema parsed;
        std::string why;
        ec = table_schema::from_description(description, parsed, &why);
        if (ec) {
            result.message = "DescribeTable of " + detail::quoted(table) + ": " + why;
        } else {
            schema = std::make_shared<const table_schema>(std::move(parsed));
        }
    }
    std::vector<waiter> waiters;
    {
        std::lock_guard lock(mutex_);
        entry& e = entries_[table];
        e.describing = false;
        if (schema) {
            e.schema = schema;
            e.described = std::chrono::steady_clock::now();
        }
        waiters = std::move(e.waiters);
        e.waiters.clear();
    }
    for (waiter& w : waiters) {
        // A waiter whose context is gone has no diagnostics left to fill.
        if (!w.handler.waiting()) continue;
        if (w.diag) *w.diag = result;
        w.handler.complete(ec, schema);
    }
}

void database_state::forget(std::string_view table)
{
    std::lock_guard lock(mutex_);
    auto found = entries_.find(table);
    if (found != entries_.end()) found->second.schema.reset();
}

void database_state::log(log_level level, std::string_view line) const
{
    if (options.logger) {
        options.logger(level, line);
    } else {
        static const log_sink fallback = stderr_log_sink();
        fallback(level, line);
    }
}

asio::awaitable<std::pair<error_code, schema_ptr>> await_schema(database_state& db,
                                                                std::string table, bool refresh,
                                                                diagnostics& diag)
{
    // A named initiation: GCC 12 destroys a closure built inside co_await twice.
    auto initiation = [&db, &diag, refresh](auto handler, std::string name) {
        db.get_schema(name, refresh, &diag, schema_handler(std::move(handler)));
    };
    auto [ec, schema] =
        co_await asio::async_initiate<decltype(use_tuple), void(error_code, schema_ptr)>(
            std::move(initiation), use_tuple, std::move(table));
    co_return std::pair{ec, std::move(schema)};
}

void start_schema(const std::shared_ptr<database_state>& state, std::string table, bool refresh,
                  diagnostics* diag,
                  asio::any_completion_handler<void(error_code, table_schema)> handler)
{
    state->get_schema(table, refresh, diag,
                      [handler = std::move(handler)](error_code ec, schema_ptr schema) mutable {
                          std::move(handler)(ec, schema ? *schema : table_schema{});
                      });
}

}  // namespace detail

database::database(dynomite::client client, database_options options)
{
    std::string problem;
    if (options.page_size && *options.page_size < 1) {
        problem = "database_options.page_size must be at least 1, got " +
                  std::to_string(*options.page_size);
    } else if (options.schema_ttl.count() < 0) {
        problem = "database_options.schema_ttl must not be negative";
    } else if (options.max_batch_write_rounds < 1) {
        problem = "database_options.max_batch_write_rounds must be at least 1, got " +
                  std::to_string(options.max_batch_write_rounds);
    } else if (options.batch_write_base_delay.count() < 1 ||
               options.batch_write_max_delay < options.batch_write_base_delay) {
        problem =
            "database_options.batch_write_base_delay must be at least 1 ms and at most "
            "batch_write_max_delay";
    }
    if (!problem.empty()) throw error(errc::invalid_configuration, problem);
    state_ = std::make_shared<detail::database_state>(std::move(client), std::move(options));
}

const dynomite::client& database::get_client() const noexcept
{
    return state_->cl;
}

const database_options& database::options() const noexcept
{
    return state_->options;
}

relation database::table(std::string name) const
{
    auto data = std::make_shared<detail::relation_data>();
    data->db = state_;
    data->table = std::move(name);
    return relation(std::move(data));
}

namespace {

boost::asio::awaitable<table_schema> schema_of(std::shared_ptr<detail::database_state> state,
                                               std::string table, bool refresh)
{
    diagnostics diag;
    auto [ec, schema] = co_await detail::await_schema(*state, std::move(table), refresh, diag);
    throw_on_error(ec, diag);
    co_return *schema;
}

}  // namespace

boost::asio::awaitable<table_schema> database::schema(std::string table) const
{
    return schema_of(state_, std::move(table), false);
}

boost::asio::awaitable<table_schema> database::refresh(std::string table) const
{
    return schema_of(state_, std::move(table), true);
}

void database::forget(std::string_view table) const
{
    state_->forget(table);
}

}  // namespace dynomite
