// The model layer's defaults: its database and its table naming.
//
// The default database, and the databases set for models, are kept by an Asio service of the
// execution context their client runs on, so they go with that context: a database kept in a
// global would outlive the io_context of main() and close its sockets after the reactor that
// owns them was freed.
#include <dynomite/model.hpp>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

#include "model/naming_generation.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace dynomite {

namespace asio = boost::asio;

namespace {

class default_database_service;

struct model_defaults {
    std::mutex mutex;
    // The service holding the default database; cleared when its context shuts down.
    default_database_service* holder = nullptr;
    naming_options naming;
    // Read without the mutex by model_naming_generation().
    std::atomic<std::uint64_t> naming_generation{1};  // from 1: descriptors take 0 for none
};

model_defaults& defaults()
{
    static model_defaults d;
    return d;
}

class default_database_service : public asio::execution_context::service {
public:
    using key_type = default_database_service;
    static inline asio::execution_context::id id;

    explicit default_database_service(asio::execution_context& context)
        : asio::execution_context::service(context)
    {
    }

    // Read and written with defaults().mutex held.
    std::optional<database> db;
    // The databases set for models, by model descriptor.
    std::map<const void*, std::shared_ptr<database>> model_databases;

private:
    // Every service is shut down before any is destroyed, so the database's connections close
    // while the reactor still exists.
    void shutdown() override
    {
        std::optional<database> released;
        std::map<const void*, std::shared_ptr<database>> released_models;
        {
            std::lock_guard lock(defaults().mutex);
            if (defaults().holder == this) defaults().holder = nullptr;
            released.swap(db);
            released_models.swap(model_databases);
        }
    }
};

}  // namespace

void set_default_database(database db)
{
    auto& context = asio::query(db.get_client().get_executor(), asio::execution::context);
    auto& service = asio::use_service<default_database_service>(context);
    std::optional<database> replaced;
    std::lock_guard lock(defaults().mutex);
    if (defaults().holder && defaults().holder != &service) replaced.swap(defaults().holder->db);
    service.db = std::move(db);
    defaults().holder = &service;
}

namespace detail {

std::shared_ptr<database> keep_with_context(const void* owner, database db)
{
    auto& context = asio::query(db.get_client().get_executor(), asio::execution::context);
    auto& service = asio::use_service<default_database_service>(context);
    auto kept = std::make_shared<database>(std::move(db));
    std::shared_ptr<database> replaced;  // released after the lock
    std::lock_guard lock(defaults().mutex);
    replaced = std::exchange(service.model_databases[owner], kept);
    return kept;
}

}  // namespace detail

database default_database()
{
    std::lock_guard lock(defaults().mutex);
    if (!defaults().holder || !defaults().holder->db) {
        throw error(errc::invalid_configuration,
                    "no database for the model layer: call dynomite::set_default_database(db), "
                    "Model::set_database(db), or use Model::on(db); a default database goes "
                    "with the execution context of its client");
    }
    return *defaults().holder->db;
}

bool has_default_database() noexcept
{
    std::lock_guard lock(defaults().mutex);
    return defaults().holder && defaults().holder->db;
}

void clear_default_database() noexcept
{
    std::optional<database> released;
    std::lock_guard lock(defaults().mutex);
    if (defaults().holder) released.swap(defaults().holder->db);
    defaults().holder = nullptr;
}

void set_model_naming(naming_options options)
{
    std::lock_guard lock(defaults().mutex);
    defaults().naming = std::move(options);
    defaults().naming_generation.fetch_add(1, std::memory_order_release);
}

naming_options model_naming()
{
    std::lock_guard lock(defaults().mutex);
    return defaults().naming;
}

namespace detail {

std::uint64_t model_naming_generation() noexcept
{
    return defaults().naming_generation.load(std::memory_order_acquire);
}

}  // namespace detail

}  // namespace dynomite
