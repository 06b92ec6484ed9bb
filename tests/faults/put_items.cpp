// Writes items "item-1" ... "item-N" (partition key pk, attribute n) to a table with PutItem,
// one after another, through a client configured from the environment (DYNOMITE_ENDPOINT, the
// AWS variables). A failed write is reported and the next one goes on; the last line says how
// many succeeded: "stored S of N". The same writes as the botocore side of
// run_writes_through_faults.py, for comparing the two under the same faults.
#include <dynomite/client/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

namespace asio = boost::asio;

namespace {

asio::awaitable<void> put_all(dynomite::client& db, std::string table, int count, int& stored)
{
    for (int i = 1; i <= count; ++i) {
        dynomite::put_item_request put;
        put.table_name = table;
        put.item = {{"pk", dynomite::attribute_value("item-" + std::to_string(i))},
                    {"n", dynomite::attribute_value(i)}};
        dynomite::diagnostics diag;
        auto [ec, ignored] = co_await db.async_put_item(put, diag, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            std::cerr << "put_items: item-" << i << ": " << ec.message() << ": " << diag.to_string()
                      << '\n';
        } else {
            ++stored;
        }
    }
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::cerr << "usage: put_items TABLE COUNT\n";
        return 2;
    }
    const std::string table = argv[1];
    const int count = std::atoi(argv[2]);
    if (count <= 0) {
        std::cerr << "put_items: COUNT must be a positive whole number, got '" << argv[2] << "'\n";
        return 2;
    }
    int stored = 0;
    try {
        asio::io_context io;
        dynomite::client db(io.get_executor());
        std::exception_ptr failure;
        asio::co_spawn(io, put_all(db, table, count, stored),
                       [&](std::exception_ptr e) { failure = e; });
        io.run();
        if (failure) std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        std::cerr << "put_items: " << e.what() << '\n';
        return 1;
    }
    std::cout << "stored " << stored << " of " << count << '\n';
    return stored == count ? 0 : 1;
}
