// PartiQL statements through ExecuteStatement, values always bound as parameters.
#include <dynomite/model.hpp>
#include <dynomite/model/partiql.hpp>

#include "core/ascii.hpp"
#include "core/async.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

namespace detail {
namespace {

bool identifier_char(char c) noexcept
{
    return is_ascii_alphanumeric(c) || c == '_';
}

/// One token of a statement: a word, a quoted identifier (unquoted), a string, or one
/// character of punctuation. Comments and blanks are not tokens.
struct pql_token {
    enum class kind { word, quoted, string, punctuation } type;
    std::string text;

    bool is_word(std::string_view word) const
    {
        return type == kind::word && equals_ignoring_ascii_case(text, word);
    }
    /// A word or a quoted identifier: what names a table, an index or an attribute.
    bool is_name() const { return type == kind::word || type == kind::quoted; }
    bool is(char c) const { return type == kind::punctuation && text.size() == 1 && text[0] == c; }
};

/// The statement's tokens; none when a quote or a comment is not closed.
std::optional<std::vector<pql_token>> tokens_of(std::string_view s)
{
    std::vector<pql_token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++i;
        } else if (s.substr(i, 2) == "--") {
            i = s.find('\n', i);
            if (i == std::string_view::npos) i = s.size();
        } else if (s.substr(i, 2) == "/*") {
            i = s.find("*/", i + 2);
            if (i == std::string_view::npos) return std::nullopt;
            i += 2;
        } else if (c == '"' || c == '\'') {
            // Through the closing quote; a doubled quote is one quote character.
            std::string text;
            bool closed = false;
            for (++i; i < s.size(); ++i) {
                if (s[i] != c) {
                    text += s[i];
                } else if (i + 1 < s.size() && s[i + 1] == c) {
                    text += c;
                    ++i;
                } else {
                    closed = true;
                    ++i;
                    break;
                }
            }
            if (!closed) return std::nullopt;
            out.push_back({c == '"' ? pql_token::kind::quoted : pql_token::kind::string,
                           std::move(text)});
        } else if (identifier_char(c)) {
            const std::size_t start = i;
            while (i < s.size() && identifier_char(s[i])) ++i;
            out.push_back({pql_token::kind::word, std::string(s.substr(start, i - start))});
        } else {
            out.push_back({pql_token::kind::punctuation, std::string(1, c)});
            ++i;
        }
    }
    return out;
}

/// The attribute a projection element names alone: one word (not a number) or one quoted
/// identifier.
std::optional<std::string> whole_attribute(const std::vector<pql_token>& element)
{
    if (element.size() != 1) return std::nullopt;
    const pql_token& t = element.front();
    if (t.type == pql_token::kind::quoted) return t.text;
    if (t.type == pql_token::kind::word && !is_ascii_digit(t.text[0])) return t.text;
    return std::nullopt;
}

/// A SELECT's projection elements, split at the commas outside brackets, and where its FROM is.
struct select_list {
    std::vector<std::vector<pql_token>> elements{1};
    std::size_t from = 0;  // 0: no FROM
};

select_list read_select_list(const std::vector<pql_token>& t)
{
    select_list out;
    int depth = 0;
    for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i].is('[') || t[i].is('(')) ++depth;
        if (t[i].is(']') || t[i].is(')')) --depth;
        if (depth == 0 && t[i].is_word("FROM")) {
            out.from = i;
            return out;
        }
        if (depth == 0 && t[i].is(',')) {
            out.elements.emplace_back();
        } else {
            out.elements.back().push_back(t[i]);
        }
    }
    return out;
}

}  // namespace

loaded_attributes pql_selected_attributes(std::string_view statement)
{
    auto names = std::make_shared<std::vector<std::string>>();
    const auto tokens = tokens_of(statement);
    if (!tokens || tokens->empty()) return names;
    const std::vector<pql_token>& t = *tokens;
    if (!t[0].is_word("SELECT")) {
        // UPDATE, DELETE and INSERT return items only with RETURNING; ALL OLD * and ALL NEW *
        // return them whole.
        for (std::size_t i = 0; i + 3 < t.size(); ++i) {
            if (t[i].is_word("RETURNING") && t[i + 1].is_word("ALL") &&
                (t[i + 2].is_word("OLD") || t[i + 2].is_word("NEW")) && t[i + 3].is('*'))
                return nullptr;
        }
        return names;
    }
    const select_list list = read_select_list(t);
    if (list.from == 0) return names;
    const auto& elements = list.elements;
    for (const auto& element : elements) {
        if (element.size() == 1 && element.front().is('*')) {
            if (elements.size() == 1) return nullptr;
        } else if (auto name = whole_attribute(element)) {
            names->push_back(std::move(*name));
        }
    }
    return names;
}

std::optional<pql_index_read> pql_index_of(std::string_view statement)
{
    const auto tokens = tokens_of(statement);
    if (!tokens || tokens->empty() || !(*tokens)[0].is_word("SELECT")) return std::nullopt;
    const std::vector<pql_token>& t = *tokens;
    const std::size_t from = read_select_list(t).from;
    if (from == 0 || from + 3 >= t.size() || !t[from + 1].is_name() || !t[from + 2].is('.') ||
        !t[from + 3].is_name()) {
        return std::nullopt;
    }
    return pql_index_read{t[from + 1].text, t[from + 3].text};
}

boost::asio::awaitable<loaded_attributes> pql_loaded_attributes(database db,
                                                                std::string statement)
{
    loaded_attributes selected = pql_selected_attributes(statement);
    if (selected) co_return selected;
    const auto read = pql_index_of(statement);
    if (!read) co_return selected;
    // Items of a KEYS_ONLY or INCLUDE index hold only what it projects. Without the table's
    // description (no permission to DescribeTable, say) nothing counts as read whole.
    diagnostics diag;
    auto [ec, schema] = co_await db.async_schema(read->table, diag, use_tuple);
    const index_schema* index = ec ? nullptr : schema.find_index(read->index);
    if (!index) co_return std::make_shared<std::vector<std::string>>();
    auto projected = schema.projected_attributes(*index);
    if (!projected) co_return nullptr;
    co_return std::make_shared<std::vector<std::string>>(std::move(*projected));
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
