// The program the CMake and Meson consumers build: it checks the version macros against the
// version the build system found, then lists the tables of DYNOMITE_ENDPOINT with the client
// on the application's own io_context.
#pragma once

#include <dynomite/client.hpp>
#include <dynomite/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <utility>

namespace dynomite_consumer {

static_assert(DYNOMITE_VERSION_MAJOR >= 0 && DYNOMITE_VERSION_MINOR >= 0 &&
              DYNOMITE_VERSION_PATCH >= 0);

inline int list_tables(const char* name)
{
    const std::string version = std::to_string(DYNOMITE_VERSION_MAJOR) + "." +
                                std::to_string(DYNOMITE_VERSION_MINOR) + "." +
                                std::to_string(DYNOMITE_VERSION_PATCH);
    if (version != DYNOMITE_VERSION_STRING) {
        std::cerr << name << ": DYNOMITE_VERSION_STRING " << DYNOMITE_VERSION_STRING
                  << " differs from " << version << '\n';
        return 1;
    }
    if (std::getenv("DYNOMITE_ENDPOINT") == nullptr) {
        std::cout << name << ": DYNOMITE_ENDPOINT is not set\n";
        return 77;
    }
    boost::asio::io_context io;
    dynomite::client db(io.get_executor());
    std::exception_ptr failure;
    std::size_t tables = 0;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            dynomite::list_tables_request request;  // named: GCC 12 destroys a braced temporary
                                                    // inside co_await twice
            auto listed = co_await db.list_tables(std::move(request));
            tables = listed.table_names.size();
        },
        [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << name << ": " << e.what() << '\n';
            return 1;
        }
    }
    std::cout << name << ": ok with Dynomite " << DYNOMITE_VERSION_STRING << ", " << tables
              << " tables listed\n";
    return 0;
}

}  // namespace dynomite_consumer
