// Writes items "item-1" ... "item-N" (partition key pk, attribute n) to a table, one after
// another, through a client configured from the environment (DYNOMITE_ENDPOINT, the AWS
// variables): each with PutItem, or with --transact each in a TransactWriteItems that also adds
// 1 to the n of item "counter", without a ClientRequestToken of its own. A failed write is
// reported and the next one goes on; the last line says how many succeeded: "stored S of N".
// The same writes as the botocore side of run_writes_through_faults.py, for comparing the two
// under the same faults.
#include <dynomite/client/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

namespace asio = boost::asio;

namespace {

asio::awaitable<dynomite::error_code> write(dynomite::client& db, const std::string& table, int i,
                                            bool transact, dynomite::diagnostics& diag)
{
    dynomite::attribute_map item = {{"pk", dynomite::attribute_value("item-" + std::to_string(i))},
                                    {"n", dynomite::attribute_value(i)}};
    if (!transact) {
        dynomite::put_item_request put;
        put.table_name = table;
        put.item = std::move(item);
        auto [ec, ignored] =
            co_await db.async_put_item(put, diag, asio::as_tuple(asio::use_awaitable));
        co_return ec;
    }
    dynomite::transact_put put;
    put.table_name = table;
    put.item = std::move(item);
    dynomite::transact_update add;
    add.table_name = table;
    add.key = {{"pk", dynomite::attribute_value("counter")}};
    add.update_expression = "ADD n :one";
    add.expression_attribute_values = {{":one", dynomite::attribute_value(1)}};
    dynomite::transact_write_items_request both;
    both.transact_items = {std::move(put), std::move(add)};
    auto [ec, ignored] =
        co_await db.async_transact_write_items(both, diag, asio::as_tuple(asio::use_awaitable));
    co_return ec;
}

asio::awaitable<void> put_all(dynomite::client& db, std::string table, int count, bool transact,
                              int& stored)
{
    for (int i = 1; i <= count; ++i) {
        dynomite::diagnostics diag;
        const dynomite::error_code ec = co_await write(db, table, i, transact, diag);
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
    const bool transact = argc == 4 && std::string_view(argv[3]) == "--transact";
    if (argc != 3 && !transact) {
        std::cerr << "usage: put_items TABLE COUNT [--transact]\n";
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
        asio::co_spawn(io, put_all(db, table, count, transact, stored),
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
