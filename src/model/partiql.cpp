// PartiQL statements through ExecuteStatement, values always bound as parameters.
#include <dynomite/model.hpp>
#include <dynomite/model/partiql.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

namespace detail {
namespace {

bool identifier_char(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Whether `word` (upper case) stands at `at` as a whole word, in any case.
bool keyword_at(std::string_view text, std::size_t at, std::string_view word) noexcept
{
    if (text.size() - at < word.size()) return false;
    if (at > 0 && identifier_char(text[at - 1])) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        char c = text[at + i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c != word[i]) return false;
    }
    const std::size_t end = at + word.size();
    return end == text.size() || !identifier_char(text[end]);
}

std::string_view trimmed(std::string_view s) noexcept
{
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// The attribute a projection element reads whole: a bare or quoted identifier alone.
std::optional<std::string> whole_attribute(std::string_view element)
{
    if (element.empty()) return std::nullopt;
    if (element.front() != '"') {
        if (element.front() >= '0' && element.front() <= '9') return std::nullopt;
        for (char c : element) {
            if (!identifier_char(c)) return std::nullopt;
        }
        return std::string(element);
    }
    std::string name;
    for (std::size_t i = 1; i < element.size(); ++i) {
        if (element[i] != '"') {
            name += element[i];
        } else if (i + 1 < element.size() && element[i + 1] == '"') {
            name += '"';
            ++i;
        } else {
            if (i + 1 != element.size()) return std::nullopt;  // a path goes on: a.b, a[0]
            return name;
        }
    }
    return std::nullopt;
}

}  // namespace

loaded_attributes pql_selected_attributes(std::string_view statement)
{
    std::size_t at = statement.find_first_not_of(" \t\r\n");
    if (at == std::string_view::npos || !keyword_at(statement, at, "SELECT")) return nullptr;
    at += 6;
    std::vector<std::string_view> elements;
    std::size_t element_start = at;
    int depth = 0;
    bool from = false;
    for (std::size_t i = at; i < statement.size() && !from; ++i) {
        const char c = statement[i];
        if (c == '"' || c == '\'') {
            // A quoted identifier or a string: through its closing quote (doubled: escaped).
            while (++i < statement.size()) {
                if (statement[i] != c) continue;
                if (i + 1 < statement.size() && statement[i + 1] == c) {
                    ++i;
                } else {
                    break;
                }
            }
        } else if (c == '[' || c == '(') {
            ++depth;
        } else if (c == ']' || c == ')') {
            --depth;
        } else if (depth == 0 && c == ',') {
            elements.push_back(statement.substr(element_start, i - element_start));
            element_start = i + 1;
        } else if (depth == 0 && keyword_at(statement, i, "FROM")) {
            elements.push_back(statement.substr(element_start, i - element_start));
            from = true;
        }
    }
    if (!from) return nullptr;
    auto names = std::make_shared<std::vector<std::string>>();
    for (std::string_view element : elements) {
        element = trimmed(element);
        if (element == "*") return nullptr;
        if (auto name = whole_attribute(element)) names->push_back(std::move(*name));
    }
    return names;
}

}  // namespace detail

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
