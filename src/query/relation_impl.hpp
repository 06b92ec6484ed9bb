// What the database, its relations and their cursors share. Private to the library.
#pragma once

#include <dynomite/client/client.hpp>
#include <dynomite/query/cursor.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/expr/field_operator.hpp>
#include <dynomite/query/pagination.hpp>
#include <dynomite/query/query_plan.hpp>
#include <dynomite/query/relation.hpp>
#include <dynomite/query/table_schema.hpp>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace dynomite::detail {

namespace asio = boost::asio;

/// Runs `handler(args...)` on its associated executor (or `fallback`) after leaving the
/// current call, first detaching it from its cancellation slot, which then belongs to nobody.
template <class Signature, class... Args>
void post_completion(const asio::any_io_executor& fallback,
                     asio::any_completion_handler<Signature> handler, Args... args)
{
    struct completion {
        asio::any_completion_handler<Signature> handler;
        std::tuple<Args...> args;
        asio::any_completion_executor executor;

        using executor_type = asio::any_completion_executor;
        executor_type get_executor() const noexcept { return executor; }

        void operator()()
        {
            auto slot = asio::get_associated_cancellation_slot(handler);
            if (slot.is_connected()) slot.clear();
            std::apply(std::move(handler), std::move(args));
        }
    };
    auto executor = asio::get_associated_executor(handler, fallback);
    asio::post(fallback, completion{std::move(handler), std::tuple<Args...>(std::move(args)...),
                                    std::move(executor)});
}

using schema_ptr = std::shared_ptr<const table_schema>;
using schema_handler = asio::any_completion_handler<void(error_code, schema_ptr)>;

class database_state : public std::enable_shared_from_this<database_state> {
public:
    database_state(dynomite::client c, database_options o);

    /// Completes `handler` with the schema of `table`, from the cache while it is fresh.
    void get_schema(const std::string& table, bool refresh, diagnostics* diag,
                    schema_handler handler);
    void forget(std::string_view table);
    void log(log_level level, std::string_view line) const;

    dynomite::client cl;
    const database_options options;

private:
    struct waiter {
        diagnostics* diag;
        schema_handler handler;
    };
    struct entry {
        schema_ptr schema;
        std::chrono::steady_clock::time_point described;
        bool describing = false;
        std::vector<waiter> waiters;
    };

    void on_described(const std::string& table, error_code ec, const table_description& table_desc,
                      const diagnostics& diag);

    std::mutex mutex_;
    std::map<std::string, entry, std::less<>> entries_;
};

/// The schema of `table`, awaited; with `refresh`, described again.
asio::awaitable<std::pair<error_code, schema_ptr>> await_schema(database_state& db,
                                                                std::string table, bool refresh,
                                                                diagnostics& diag);

struct relation_data {
    std::shared_ptr<database_state> db;
    std::string table;
    relation_spec spec;
    relation_options options;
    /// or_() groups as Ruby's Dynomite does: where(a).or_(b).where(c) is a OR (b AND c).
    /// spec.where is `alternatives OR branch`: the branches before the last or_(), and the
    /// conditions ANDed since (all of them before any or_()).
    condition alternatives;
    condition branch;
    /// ANDed with every alternative: a subclass's type filter, which or_() must not widen.
    condition scope;
    /// How each "field.op" key with a '.' was read, for explain().
    std::vector<std::string> key_readings;
};

/// "\"price.lt\" read as the path price with operator lt", "... read as the nested path a.b".
std::string describe_key_reading(std::string_view key, const field_operator& parsed);
/// A condition in words, values inline and every nested AND or OR parenthesised.
std::string describe_condition(const condition& c);
/// A value as explain() shows it (the planner's readable form): "a", 1.5, b"AQI=", [...].
void append_readable_value(const attribute_value& v, std::string& out);
/// What explain() adds to the plan's reason: the key readings, and the grouping of or_().
std::vector<std::string> explain_readings(const relation_data& data);

struct relation_access {
    static const relation_data& data(const relation& r) noexcept { return *r.data_; }
    static relation make(relation_data data)
    {
        return relation(std::make_shared<const relation_data>(std::move(data)));
    }
    /// `r` limited to items matching `scope`, whatever or_() adds later.
    static relation scoped(const relation& r, const condition& scope)
    {
        relation_data copy = *r.data_;
        copy.scope = copy.scope && scope;
        copy.spec.where = copy.scope && (copy.alternatives || copy.branch);
        return make(std::move(copy));
    }
};

/// A relation planned: one plan per segment, and what paging needs to know.
struct prepared_relation {
    std::vector<query_plan> plans;
    /// The attributes of a LastEvaluatedKey: the table's key, then the index's.
    std::vector<std::string> position_attributes;
    std::size_t read_ahead = 1;
};

/// The relation's spec with the database's defaults, as the planner gets it for `segment`.
relation_spec effective_spec(const relation_data& data, std::int32_t segment);

/// Plans `data` over `schema`. With `apply_policy`, a Scan the relation did not force is
/// refused or logged as the scan policy says.
error_code prepare_relation(const relation_data& data, const table_schema& schema,
                            bool apply_policy, prepared_relation& out, std::string& why);

/// Fetches the schema, then prepares.
asio::awaitable<error_code> prepare_relation(const relation_data& data, bool apply_policy,
                                             prepared_relation& out, diagnostics& diag);

/// The paging state for plan `index` of `prepared`.
pagination make_pagination(const relation_data& data, const prepared_relation& prepared,
                           std::size_t index);

/// Sends one page request of a plan, prepared by `pages`.
asio::awaitable<std::pair<error_code, page_response>> fetch_page(
    dynomite::client cl, std::variant<query_request, scan_request> request, const pagination& pages,
    diagnostics& diag);

std::shared_ptr<cursor_state> make_cursor_state(std::shared_ptr<const relation_data> data);

}  // namespace dynomite::detail
