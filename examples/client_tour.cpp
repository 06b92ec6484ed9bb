// A tour of the low-level client: create a table, write, read, query page by page, and clean up.
// Usage: client_tour [endpoint]   (default: DYNOMITE_ENDPOINT, then the AWS regional endpoint)
#include <dynomite/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using namespace dynomite;

namespace {

asio::awaitable<void> tour(client db, std::string table)
{
    std::cout << "Creating table " << table << " (pk: S, sk: N) on " << db.endpoint_url() << "\n";
    create_table_request create;
    create.table_name = table;
    create.attribute_definitions = {{"pk", scalar_attribute_type::s}, {"sk", scalar_attribute_type::n}};
    create.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
    create.billing_mode = billing_mode::pay_per_request;
    co_await db.create_table(create);

    std::cout << "Writing 120 items with PutItem\n";
    for (int sk = 0; sk < 120; ++sk) {
        put_item_request put;
        put.table_name = table;
        put.item = {{"pk", "tour"}, {"sk", sk}, {"title", "Item " + std::to_string(sk)},
                    {"price", number("19.99")}, {"tags", string_set{{"demo", "tour"}}}};
        co_await db.put_item(std::move(put));
    }

    get_item_request get;
    get.table_name = table;
    get.key = {{"pk", "tour"}, {"sk", 7}};
    auto found = co_await db.get_item(get);
    std::cout << "GetItem sk=7: title=" << found.item->at("title").as_s()
              << " price=" << found.item->at("price").as_n().text() << "\n";

    std::cout << "Query sk BETWEEN 10 AND 99, 25 items a page:\n";
    query_request query;
    query.table_name = table;
    query.key_condition_expression = "#pk = :pk AND #sk BETWEEN :lo AND :hi";
    query.expression_attribute_names = {{"#pk", "pk"}, {"#sk", "sk"}};
    query.expression_attribute_values = {{":pk", "tour"}, {":lo", 10}, {":hi", 99}};
    query.limit = 25;
    int pages = 0;
    std::size_t items = 0;
    do {
        auto page = co_await db.query(query);
        ++pages;
        items += page.items.size();
        std::cout << "  page " << pages << ": " << page.items.size() << " items\n";
        query.exclusive_start_key = std::move(page.last_evaluated_key);
    } while (query.exclusive_start_key);
    std::cout << "  " << items << " items in " << pages << " pages\n";

    std::cout << "A conditional put that must fail: ";
    put_item_request duplicate;
    duplicate.table_name = table;
    duplicate.item = {{"pk", "tour"}, {"sk", 7}};
    duplicate.condition_expression = "attribute_not_exists(pk)";
    diagnostics diag;
    auto [ec, ignored] =
        co_await db.async_put_item(duplicate, diag, asio::as_tuple(asio::use_awaitable));
    std::cout << ec.message() << " [" << diag.aws_type << "]\n";

    // A named request, not a braced temporary: GCC 12 destroys temporaries in a co_await
    // expression twice.
    delete_table_request drop{table};
    co_await db.delete_table(std::move(drop));
    std::cout << "Deleted table " << table << "\n";
    auto stats = db.stats();
    std::cout << "Requests: " << stats.requests << ", attempts: " << stats.attempts
              << ", connections open: " << stats.open_connections << "\n";
}

}  // namespace

int main(int argc, char** argv)
{
    asio::io_context io;
    client_config config;
    if (argc > 1) config.endpoint = argv[1];
    try {
        client db(io.get_executor(), config);
        auto table = "dynomite-tour-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
        std::exception_ptr failure;
        asio::co_spawn(io, tour(db, table), [&](std::exception_ptr e) { failure = e; });
        io.run();
        if (failure) std::rethrow_exception(failure);
    } catch (const dynomite::error& e) {
        std::cerr << "client_tour: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
