// PartiQL statements (ExecuteStatement): SELECTs that yield records, page by page through
// NextToken, and INSERT, UPDATE and DELETE statements. Values are always parameters ('?'
// placeholders bound to attribute values), never spliced into the statement's text.
//
//     auto cheap = co_await dynomite::find_by_pql<Product>(
//         "SELECT * FROM \"products\" WHERE category = ? AND price < ?", {"books", 20});
//     co_await dynomite::execute_pql(db, "UPDATE \"products\" SET price = ? WHERE id = ?",
//                                    {18, "p1"});
#pragma once

#include <dynomite/core/error.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/model/relation.hpp>
#include <dynomite/protocol/partiql.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

struct pql_options {
    bool consistent_read = false;
    /// Items DynamoDB evaluates per page (its Limit); none: up to 1 MB per page.
    std::optional<std::int32_t> limit;
};

/// One page of a statement's results; next_token is set while more remain.
struct pql_page {
    std::vector<attribute_map> items;
    std::optional<std::string> next_token;
};

/// Runs one statement and returns one page (`next_token`: the previous page's). Throws
/// dynomite::error: errc::invalid_argument for an empty statement, the client's errors
/// (errc::conditional_check_failed for an INSERT of a taken key, for instance).
boost::asio::awaitable<pql_page> execute_pql(database db, std::string statement,
                                             std::vector<attribute_value> parameters = {},
                                             pql_options options = {},
                                             std::optional<std::string> next_token = {});
/// With the default database.
boost::asio::awaitable<pql_page> execute_pql(std::string statement,
                                             std::vector<attribute_value> parameters = {},
                                             pql_options options = {});

namespace detail {
/// The attributes a statement's items hold whole, as far as its text tells: null (every
/// attribute) for "SELECT * FROM" (of a table, or of an index that projects ALL) and "RETURNING ALL OLD *" or "ALL NEW *"; else the attributes a SELECT names alone
/// ("SELECT id, \"name\", a.b FROM" holds id and name whole, a in part), none for what it
/// cannot read. Records of such items are partial, as a relation's with project().
loaded_attributes pql_selected_attributes(std::string_view statement);

/// The table and index a SELECT reads: FROM "table"."index".
struct pql_index_read {
    std::string table;
    std::string index;
};
std::optional<pql_index_read> pql_index_of(std::string_view statement);

/// pql_selected_attributes(), and for a SELECT * of a KEYS_ONLY or INCLUDE index, the
/// attributes it projects (from the table's schema); none whole when the schema cannot be
/// read or lacks the index.
boost::asio::awaitable<loaded_attributes> pql_loaded_attributes(database db,
                                                                std::string statement);

/// The records of a page's items, partial unless `loaded` is null; items of another class
/// (single-table inheritance) are skipped.
template <class T>
boost::asio::awaitable<std::vector<T>> pql_records(std::vector<attribute_map> items,
                                                   database db, loaded_attributes loaded)
{
    std::vector<T> records;
    records.reserve(items.size());
    for (auto& item : items) {
        auto record = co_await make_optional<T, T>(std::move(item), db);
        if (!record) continue;
        if (loaded) mark_partial(*record, loaded);
        records.push_back(std::move(*record));
    }
    co_return records;
}
}  // namespace detail

/// A page of records.
template <class T>
struct model_page {
    std::vector<T> records;
    std::optional<std::string> next_token;
};

/// The records of a SELECT, page by page; items of another class (single-table inheritance)
/// are skipped. Records are bound to the database.
template <class T>
class pql_cursor {
public:
    pql_cursor(database db, std::string statement, std::vector<attribute_value> parameters,
               pql_options options = {})
        : db_(std::move(db)),
          statement_(std::move(statement)),
          parameters_(std::move(parameters)),
          options_(options)
    {
    }

    /// The next page of records (possibly empty when DynamoDB's page held none of T); none
    /// after the last page.
    boost::asio::awaitable<std::optional<std::vector<T>>> next_page()
    {
        if (done_) co_return std::nullopt;
        if (!selected_) selected_ = co_await detail::pql_loaded_attributes(db_, statement_);
        auto page = co_await execute_pql(db_, statement_, parameters_, options_, token_);
        std::vector<T> records =
            co_await detail::pql_records<T>(std::move(page.items), db_, *selected_);
        // Only now: a page whose records could not be made is read again.
        token_ = std::move(page.next_token);
        done_ = !token_.has_value();
        co_return records;
    }

    /// The next record; none at the end.
    boost::asio::awaitable<std::optional<T>> next()
    {
        while (buffered_ == buffer_.size()) {
            auto page = co_await next_page();
            if (!page) co_return std::nullopt;
            buffer_ = std::move(*page);
            buffered_ = 0;
        }
        co_return std::move(buffer_[buffered_++]);
    }

    /// The records of the page next() read that it has not returned yet.
    std::size_t unread_in_page() const noexcept { return buffer_.size() - buffered_; }
    /// Where the next page starts, for a new cursor's resume(); none after the last page.
    /// Throws dynomite::error(errc::invalid_argument) while unread_in_page() is not 0: a
    /// NextToken cannot point inside a page, and resuming there would pass over those records.
    /// Size pages with pql_options::limit, or take the token between next_page() calls.
    const std::optional<std::string>& next_token() const
    {
        if (unread_in_page() != 0) {
            throw error(errc::invalid_argument,
                        "pql_cursor::next_token(): " + std::to_string(unread_in_page()) +
                            " records of the page next() read are not returned yet, and a "
                            "NextToken cannot point inside a page; read them first");
        }
        return token_;
    }
    /// Goes on from a next_token(), dropping the page next() had read.
    void resume(std::string token)
    {
        token_ = std::move(token);
        done_ = false;
        buffer_.clear();
        buffered_ = 0;
    }

private:
    database db_;
    std::string statement_;
    std::vector<attribute_value> parameters_;
    pql_options options_;
    std::optional<detail::loaded_attributes> selected_;  // known after the first page
    std::optional<std::string> token_;
    bool done_ = false;
    std::vector<T> buffer_;
    std::size_t buffered_ = 0;
};

/// Every record of a SELECT, all pages read.
template <class T>
boost::asio::awaitable<std::vector<T>> find_by_pql(database db, std::string statement,
                                                   std::vector<attribute_value> parameters = {},
                                                   pql_options options = {})
{
    pql_cursor<T> cursor(std::move(db), std::move(statement), std::move(parameters), options);
    std::vector<T> out;
    for (;;) {
        auto page = co_await cursor.next_page();
        if (!page) break;
        for (auto& record : *page) out.push_back(std::move(record));
    }
    co_return out;
}
/// With the model's database (else the default one).
template <class T>
boost::asio::awaitable<std::vector<T>> find_by_pql(std::string statement,
                                                   std::vector<attribute_value> parameters = {},
                                                   pql_options options = {})
{
    return find_by_pql<T>(detail::database_for(descriptor_of<T>()), std::move(statement),
                          std::move(parameters), options);
}

/// One page of records of a SELECT.
template <class T>
boost::asio::awaitable<model_page<T>> find_page_by_pql(database db, std::string statement,
                                                       std::vector<attribute_value> parameters,
                                                       pql_options options,
                                                       std::optional<std::string> next_token)
{
    detail::loaded_attributes selected = co_await detail::pql_loaded_attributes(db, statement);
    auto page = co_await execute_pql(db, std::move(statement), std::move(parameters), options,
                                     std::move(next_token));
    model_page<T> out;
    out.next_token = std::move(page.next_token);
    out.records = co_await detail::pql_records<T>(std::move(page.items), db, std::move(selected));
    co_return out;
}

}  // namespace dynomite
