// An Asio application of its own that embeds Dynomite: Asio and Beast header-only (no
// configuration macro), deprecated Asio names in use, one io_context for its Beast HTTP
// server, its Beast HTTP client and the Dynomite client.
//
// It creates a table in DynamoDB Local (DYNOMITE_ENDPOINT), stores an item with the client,
// then asks its own HTTP server for the item: the server's handler reads it with the client.
// Then it deletes the item, checks through the server that it is gone, and drops the table.
// Exits 0 and prints "asio_app: ok" when every step gave what was expected.
#include <dynomite/client.hpp>
#include <dynomite/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_service.hpp>  // the deprecated name of io_context
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#if defined(BOOST_ASIO_NO_DEPRECATED) || defined(BOOST_ASIO_SEPARATE_COMPILATION) || \
    defined(BOOST_BEAST_SEPARATE_COMPILATION)
#error "Dynomite's package must not configure the application's Asio or Beast"
#endif

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

void require(bool condition, const std::string& what)
{
    if (!condition) throw std::runtime_error(what);
}

// GET /title/<id>: the title of the item <id>, read with the Dynomite client; 404 without one.
asio::awaitable<http::response<http::string_body>> answer(
    dynomite::client db, std::string table, const http::request<http::string_body>& request)
{
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.keep_alive(false);
    const std::string target(request.target());
    if (request.method() != http::verb::get || target.rfind("/title/", 0) != 0) {
        response.result(http::status::bad_request);
        co_return response;
    }
    dynomite::get_item_request get;
    get.table_name = table;
    get.key = {{"id", target.substr(7)}};
    get.consistent_read = true;
    const auto found = co_await db.get_item(std::move(get));
    if (!found.item) {
        response.result(http::status::not_found);
    } else {
        response.body() = found.item->at("title").as_s();
    }
    response.prepare_payload();
    co_return response;
}

asio::awaitable<void> serve(tcp::acceptor& acceptor, dynomite::client db, std::string table)
{
    for (;;) {
        tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        co_await http::async_read(stream, buffer, request, asio::use_awaitable);
        auto response = co_await answer(db, table, request);
        co_await http::async_write(stream, response, asio::use_awaitable);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
}

// One GET to the application's own server, with Beast's client side.
asio::awaitable<http::response<http::string_body>> fetch(tcp::endpoint server, std::string target)
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    co_await stream.async_connect(server, asio::use_awaitable);
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    co_await http::async_write(stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(stream, buffer, response, asio::use_awaitable);
    co_return response;
}

asio::awaitable<void> run(dynomite::client db, std::string table, tcp::endpoint server)
{
    dynomite::create_table_request create;
    create.table_name = table;
    create.attribute_definitions = {{"id", dynomite::scalar_attribute_type::s}};
    create.key_schema = {{"id", dynomite::key_type::hash}};
    create.billing_mode = dynomite::billing_mode::pay_per_request;
    co_await db.create_table(std::move(create));

    dynomite::put_item_request put;
    put.table_name = table;
    put.item = {{"id", "a1"}, {"title", "Served by Beast"}};
    co_await db.put_item(std::move(put));

    auto found = co_await fetch(server, "/title/a1");
    require(found.result() == http::status::ok && found.body() == "Served by Beast",
            "GET /title/a1 gave " + std::to_string(found.result_int()) + " " + found.body());

    dynomite::delete_item_request remove;
    remove.table_name = table;
    remove.key = {{"id", "a1"}};
    co_await db.delete_item(std::move(remove));

    auto gone = co_await fetch(server, "/title/a1");
    require(gone.result() == http::status::not_found,
            "GET /title/a1 after the delete gave " + std::to_string(gone.result_int()));

    dynomite::delete_table_request drop;
    drop.table_name = table;
    co_await db.delete_table(std::move(drop));
}

}  // namespace

int main()
{
    if (std::getenv("DYNOMITE_ENDPOINT") == nullptr) {
        std::cout << "asio_app: DYNOMITE_ENDPOINT is not set\n";
        return 77;
    }
    asio::io_service io;  // the application's own io_context, under its deprecated name
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    dynomite::client db(io.get_executor());
    const std::string table =
        "consumer_asio_app_" + std::to_string(::getpid()) + "_" +
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count());

    std::exception_ptr failure;
    bool finished = false;
    // io_context::post is deprecated, and available since no macro removed it.
    io.post([&] {
        asio::co_spawn(io, serve(acceptor, db, table), [](std::exception_ptr) {});
        asio::co_spawn(io, run(db, table, acceptor.local_endpoint()), [&](std::exception_ptr e) {
            failure = e;
            finished = true;
            io.stop();
        });
    });
    io.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << "asio_app: " << e.what() << '\n';
            return 1;
        }
    }
    if (!finished) {
        std::cerr << "asio_app: the io_context stopped before the run finished\n";
        return 1;
    }
    std::cout << "asio_app: ok with Dynomite " << DYNOMITE_VERSION_STRING << '\n';
    return 0;
}
