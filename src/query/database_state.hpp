// The database's state, which its relations and their cursors share: the client, the options
// and the cache of table schemas. Private to the library.
#pragma once

#include "core/parked_handler.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/query/database.hpp>
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
        parked_handler<error_code, schema_ptr> handler;
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

}  // namespace dynomite::detail
