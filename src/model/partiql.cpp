// PartiQL statements through ExecuteStatement, values always bound as parameters.
#include <dynomite/model.hpp>
#include <dynomite/model/partiql.hpp>

namespace dynomite {

namespace asio = boost::asio;

asio::awaitable<pql_page> execute_pql(database db, std::string statement,
                                      std::vector<attribute_value> parameters, pql_options options,
                                      std::optional<std::string> next_token)
{
    if (statement.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw error(errc::invalid_argument, "execute_pql: the statement is empty");
    }
    execute_statement_request request;
    request.statement = std::move(statement);
    request.parameters = std::move(parameters);
    if (options.consistent_read) request.consistent_read = true;
    request.limit = options.limit;
    request.next_token = std::move(next_token);
    dynomite::client c = db.get_client();
    auto response = co_await c.execute_statement(std::move(request));
    pql_page page;
    page.items = std::move(response.items);
    page.next_token = std::move(response.next_token);
    co_return page;
}

asio::awaitable<pql_page> execute_pql(std::string statement,
                                      std::vector<attribute_value> parameters, pql_options options)
{
    return execute_pql(default_database(), std::move(statement), std::move(parameters), options);
}

}  // namespace dynomite
