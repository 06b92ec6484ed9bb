// Batch save and batch destroy of records with BatchWriteItem, in groups of 25 writes.
//
//     std::vector<Product> products = ...;
//     auto result = co_await dynomite::batch_save(products);
//     for (std::size_t i : result.unprocessed) { /* products[i] was not written */ }
//
// BatchWriteItem carries no condition: a batch save is a put that creates or overwrites the
// whole item (new records are not checked for a taken key), and models with optimistic
// locking are refused. save() and transactions check what a batch cannot.
#pragma once

#include <dynomite/query/batch.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/query/database.hpp>
#include <dynomite/core/async_operation.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/model/base.hpp>
#include <dynomite/expr/update_expression.hpp>

#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

/// How batch_save() and transaction::commit() write several records in one request.
struct record_write_options {
    /// Run each saved record's validations first: a batch does not write the invalid records,
    /// a transaction writes nothing.
    bool validate = true;
    /// Run the before and after callbacks of save and of create (new records) or update, and
    /// of a transaction's destroys. Around callbacks cannot wrap one record's part of a shared
    /// write: a model that has them is refused unless this is false.
    bool callbacks = true;
    /// Maintain created_at and updated_at.
    bool touch = true;
};

using batch_save_options = record_write_options;

struct batch_destroy_options {
    /// Run the before_destroy and after_destroy callbacks (around_destroy: as for saves).
    bool callbacks = true;
};

/// What a batch did, by position in the records given.
struct model_batch_result {
    /// Written: persisted and clean as after save() (destroyed, for batch_destroy()).
    std::vector<std::size_t> written;
    /// Not sent: validation failed or a callback halted; errors() says why.
    std::vector<std::size_t> not_saved;
    /// Sent, but DynamoDB still left them unprocessed after the last round: not written, and
    /// back in the state they had before the batch.
    std::vector<std::size_t> unprocessed;

    bool complete() const noexcept { return not_saved.empty() && unprocessed.empty(); }
};

/// The records of a batch: a std::vector of one model's records, or pointers to records of any
/// models.
class batch_records {
public:
    batch_records(std::vector<model_base*> records) : pointers_(std::move(records)) {}
    batch_records(std::initializer_list<model_base*> records) : pointers_(records) {}
    template <std::derived_from<model_base> T>
    batch_records(std::vector<T>& records)
    {
        pointers_.reserve(records.size());
        for (auto& record : records) pointers_.push_back(&record);
    }

    std::vector<model_base*> take() && { return std::move(pointers_); }

private:
    std::vector<model_base*> pointers_;
};

/// Saves every record with PutItem semantics (the whole item, new or not), through the first
/// record's database. Throws dynomite::error(errc::invalid_argument) before sending anything
/// for a locking model, around callbacks (with callbacks on), a destroyed record, or two
/// records with one key; model_errc::key_changed for a persisted record whose key changed;
/// and the client's errors (then the records DynamoDB wrote before the
/// failure, in earlier requests, are written; the others, the failed request's among them,
/// are as before).
boost::asio::awaitable<model_batch_result> batch_save(batch_records records,
                                                      batch_save_options options = {});

/// Deletes every record (each must be persisted) with DeleteItem semantics, unconditionally.
/// Throws dynomite::error(errc::invalid_argument), before anything is sent, for a class with
/// an association's dependent option, which only destroy() applies.
boost::asio::awaitable<model_batch_result> batch_destroy(batch_records records,
                                                         batch_destroy_options options = {});

/// batch_save() for any completion token: void(error_code, model_batch_result). The records
/// change as with batch_save() and must outlive the operation. On failure the result is empty
/// and each record tells its own state (those written by requests before the failure are).
template <class T, class CompletionToken>
auto async_batch_save(std::vector<T>& records, batch_save_options options, diagnostics& diag,
                      CompletionToken&& token)
{
    auto executor = records.empty() ? T().get_executor() : records.front().get_executor();
    return async_run<model_batch_result>(
        std::move(executor), diag, [&records, options] { return batch_save(records, options); },
        std::forward<CompletionToken>(token));
}
template <class T, class CompletionToken>
auto async_batch_save(std::vector<T>& records, diagnostics& diag, CompletionToken&& token)
{
    return async_batch_save(records, batch_save_options{}, diag,
                            std::forward<CompletionToken>(token));
}

/// batch_destroy() for any completion token, as async_batch_save().
template <class T, class CompletionToken>
auto async_batch_destroy(std::vector<T>& records, batch_destroy_options options,
                         diagnostics& diag, CompletionToken&& token)
{
    auto executor = records.empty() ? T().get_executor() : records.front().get_executor();
    return async_run<model_batch_result>(
        std::move(executor), diag,
        [&records, options] { return batch_destroy(records, options); },
        std::forward<CompletionToken>(token));
}
template <class T, class CompletionToken>
auto async_batch_destroy(std::vector<T>& records, diagnostics& diag, CompletionToken&& token)
{
    return async_batch_destroy(records, batch_destroy_options{}, diag,
                               std::forward<CompletionToken>(token));
}

namespace detail {

// The write engine that save(), batches and transactions share (src/model/model.cpp).

/// check: the record's key alone, for a condition check or an increment.
enum class write_kind { create, put, update, destroy, check };

/// One record's write, built but not sent. A create carries attribute_not_exists on the
/// partition key; an update attribute_exists and the changed attributes; a locking model's
/// writes the lock's condition and next value.
struct prepared_write {
    model_base* record = nullptr;
    write_kind kind = write_kind::put;
    std::string table;
    attribute_map key;
    /// create and put: the item written; update: the item as it will be stored.
    attribute_map item;
    condition cond;
    /// update only; empty when nothing changed (then nothing is sent).
    update_expression update;
    std::optional<attribute_value> next_lock;
    std::vector<attribute_change> changes;
};

/// Renders a condition and an update into a request's expressions (one context for both).
template <class Request>
void render_expressions(Request& request, const condition& cond,
                        const update_expression* update = nullptr)
{
    expression_context ctx;
    if constexpr (requires { request.update_expression = std::string(); }) {
        if (update != nullptr) request.update_expression = render(*update, ctx);
    }
    if (!cond.empty()) request.condition_expression = render(cond, ctx);
    request.expression_attribute_names = ctx.take_names();
    request.expression_attribute_values = ctx.take_values();
}

/// How far the before phase of a save or destroy got.
enum class before_outcome { proceed, invalid, halted };

/// Everything before the write of save(): defaults and id of a new record, validations,
/// timestamps, and the before callbacks of save and create/update (or of destroy). Around
/// callbacks are refused with errc::invalid_argument naming `operation`.
boost::asio::awaitable<before_outcome> before_write(model_base& r, write_kind kind,
                                                    save_options options, bool callbacks,
                                                    std::string_view operation);
/// The after callbacks of the write: after_create (`created`) or after_update, then
/// after_save; or after_destroy.
boost::asio::awaitable<void> after_write(model_base& r, write_kind kind, bool created);
/// Builds the write of `r` as it is now (with the lock's condition and next value for a
/// locking model, but for a create).
boost::asio::awaitable<prepared_write> prepare_write(model_base& r, write_kind kind);
/// After DynamoDB applied `w`: the record is persisted and clean (or destroyed).
void complete_write(prepared_write& w);

/// A copy of everything a record is (fields and state), to put back after a failed attempt.
std::unique_ptr<model_base> keep_state(const model_base& r);
void restore_state(model_base& r, const model_base& kept);

/// A key as messages show it: {id: "p1"}.
std::string describe_key(const attribute_map& key);
bool uses_locking(const model_base& r);

}  // namespace detail
}  // namespace dynomite
