// Transactions of records: TransactWriteItems of saves, creates, updates, destroys, condition
// checks and increments across tables, and TransactGetItems of up to 100 records.
//
//     dynomite::transaction t;
//     t.create(order).update(account).increment(stock, "quantity", dynomite::number(-1));
//     co_await t.commit_or_throw();          // all or nothing
#pragma once

#include <dynomite/core/async_operation.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/model/base.hpp>
#include <dynomite/model/batch.hpp>
#include <dynomite/model/relation.hpp>
#include <dynomite/core/number.hpp>
#include <dynomite/protocol/transactions.hpp>
#include <dynomite/expr/update_expression.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dynomite {

using transaction_options = record_write_options;

/// Why one action of a cancelled transaction failed.
struct transaction_failure {
    /// The action's position, in the order the actions were added.
    std::size_t action = 0;
    /// Its record; nullptr for a check on a table's key.
    const model_base* record = nullptr;
    /// "update of Account {id: "a1"} in table accounts".
    std::string description;
    /// DynamoDB's reason: "ConditionalCheckFailed", "TransactionConflict", ...
    std::string code;
    std::string message;
    /// The item that failed a condition (DynamoDB returns it for every conditional action).
    std::optional<attribute_map> item;
};

/// Writes of records committed together with TransactWriteItems: all are applied, or none.
///
/// A save, create or update runs the record's validations and callbacks as save() does,
/// create adds attribute_not_exists on the key, an update sends the changed attributes only,
/// and locking models carry their lock's condition. When the transaction is cancelled, commit
/// throws errc::transaction_canceled naming the failing action (failures() has every reason)
/// and every record is exactly as before the attempt; when it succeeds, the records are
/// persisted and clean as after save() (destroyed ones destroyed). An increment changes the
/// item only: reload() reads the new value. Until then the record does not count the attribute
/// as read (is_partial()): replace() and a put in a batch are refused, as they would write the
/// old value back, and so is a save() of a change to it.
///
/// DynamoDB takes one operation per item in a transaction, so actions on one item are merged
/// where they compose: an update and increments become one UpdateItem, a condition check
/// joins its condition to the item's write. Others (a create and an increment, a destroy and
/// an update) are refused before sending with errc::invalid_argument naming both.
///
/// Each transaction has a ClientRequestToken (generated, or set). After a failure whose
/// outcome is unknown (a lost response, a timeout), commit() again sends the very same request
/// with the same token, so DynamoDB applies it at most once (within its 10-minute window).
/// The records must outlive the transaction.
class transaction {
public:
    /// Commits through the database of the first record added.
    transaction();
    explicit transaction(database db);

    /// create() for a new record, else update().
    transaction& save(model_base& record);
    transaction& create(model_base& record);
    transaction& update(model_base& record);
    /// Throws dynomite::error(errc::invalid_argument) for a class with an association's
    /// dependent option, which only the record's destroy() applies.
    transaction& destroy(model_base& record);
    /// A condition on the record's item, which the transaction does not write.
    transaction& check(model_base& record, condition c);
    transaction& check(std::string table, attribute_map key, condition c);
    /// ADD `by` to the record's `attribute` in the item (which must exist).
    transaction& increment(model_base& record, std::string attribute, number by = number(1));

    /// Throws dynomite::error(errc::invalid_argument) unless 1 to 36 characters.
    void set_client_request_token(std::string token);
    const std::string& client_request_token() const noexcept { return token_; }
    /// The actions added.
    std::size_t size() const noexcept { return actions_.size(); }

    /// False, writing nothing and leaving every record as it was but for its errors(), when a
    /// validation fails or a callback halts. Throws dynomite::error before sending for more
    /// than 100 actions (errc::invalid_argument), and errc::transaction_canceled or the
    /// client's errors after.
    boost::asio::awaitable<bool> commit(transaction_options options = {});
    /// As commit(), throwing model_errc::record_invalid or record_not_saved instead of false.
    boost::asio::awaitable<void> commit_or_throw(transaction_options options = {});

    /// The executor of the database commit() uses, where async_commit runs.
    boost::asio::any_io_executor get_executor() const;
    /// commit() for any completion token: void(error_code, bool); the transaction and its
    /// records must outlive the operation.
    DYNOMITE_ASYNC_FORM(commit, bool, DYNOMITE_ASYNC_ON_THIS, )
    DYNOMITE_ASYNC_FORM_WITH(commit, bool, transaction_options, DYNOMITE_ASYNC_ON_THIS, )

    /// The reasons of the last cancellation, one per failed action.
    const std::vector<transaction_failure>& failures() const noexcept { return failures_; }

    struct action;
    struct attempt;

private:
    std::optional<database> db_;
    std::vector<std::shared_ptr<action>> actions_;
    std::string token_;
    std::vector<transaction_failure> failures_;
    /// The request of an attempt whose outcome is unknown, sent again as it is.
    std::shared_ptr<attempt> pending_;
    /// Why the last commit() returned false.
    std::optional<error> refusal_;
    bool committed_ = false;
};

namespace detail {

/// TransactWriteItems' limit, checked before sending.
void check_transaction_size(std::size_t actions);
/// The failures of a cancelled transaction: `reasons` (one per action sent, in order) mapped to
/// the actions' positions and descriptions; reasons "None" are left out.
std::vector<transaction_failure> map_cancellation(const std::vector<cancellation_reason>& reasons,
                                                  const std::vector<std::size_t>& positions,
                                                  const std::vector<const model_base*>& records,
                                                  const std::vector<std::string>& descriptions);
/// "transaction cancelled: action 2 (update of ...) failed: ConditionalCheckFailed: ...".
std::string cancellation_message(const std::vector<transaction_failure>& failures);
/// One item's write in a TransactWriteItems: one action's, or several on one item merged.
struct transaction_write {
    enum class operation { put, update, remove, check };
    operation op = operation::check;
    std::string table;
    attribute_map key;
    /// put: the item written.
    attribute_map item;
    condition cond;
    /// update: its actions.
    update_expression update;
    /// The positions of the actions it carries, in order, with their verbs ("update",
    /// "increment", ...) and the record (nullptr for a check on a table's key).
    std::vector<std::size_t> positions;
    std::vector<std::string> verbs;
    const model_base* record = nullptr;
    /// "Account " or empty.
    std::string model;

    /// "update and increment of Account {id: "a1"} in table accounts".
    std::string description() const;
};

/// Adds `next` to `writes`, merged into the write of the same item (table and key) when there
/// is one: DynamoDB refuses a transaction with two operations on one item. A condition check
/// joins its condition to the other write's; two updates (changed attributes, increments)
/// become one update with both sets of actions and both conditions. Anything else (two puts,
/// a delete and an update, two updates of one attribute) throws errc::invalid_argument naming
/// both actions and the key, before anything is sent.
void add_transaction_write(std::vector<transaction_write>& writes, transaction_write next);
transact_write_item to_transact_item(const transaction_write& w);

/// A new ClientRequestToken: a random UUID, as the client makes for a request without one.
std::string make_request_token();

/// TransactGetItems: the item of each (table, key), in order.
boost::asio::awaitable<std::vector<std::optional<attribute_map>>> transact_get(
    database db, std::vector<std::pair<std::string, attribute_map>> keys);

}  // namespace detail

/// TransactGetItems of up to 100 records of T, one consistent snapshot of them all: one entry
/// per key, in order (none where there is no item of T). Throws errc::invalid_argument for
/// more than 100 keys.
template <class T>
boost::asio::awaitable<std::vector<std::optional<T>>> transact_find(database db,
                                                                    std::vector<attribute_map> keys)
{
    const auto& d = descriptor_of<T>();
    std::vector<std::pair<std::string, attribute_map>> wanted;
    wanted.reserve(keys.size());
    for (auto& key : keys) wanted.emplace_back(d.table_name(), std::move(key));
    auto items = co_await detail::transact_get(db, std::move(wanted));
    std::vector<std::optional<T>> out;
    out.reserve(items.size());
    for (auto& item : items) {
        auto record = co_await detail::make_optional<T, T>(std::move(item), db);
        out.push_back(std::move(record));
    }
    co_return out;
}
/// With the model's database (else the default one).
template <class T>
boost::asio::awaitable<std::vector<std::optional<T>>> transact_find(std::vector<attribute_map> keys)
{
    return transact_find<T>(detail::database_for(descriptor_of<T>()), std::move(keys));
}

}  // namespace dynomite
