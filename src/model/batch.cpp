// Batch save and batch destroy of records over the one batching mechanism (batch.hpp).
#include <dynomite/model.hpp>

#include <algorithm>
#include <memory>
#include <utility>

namespace dynomite {

namespace asio = boost::asio;

namespace detail {

/// One record taking part: its write and its state before the batch. Not in an anonymous
/// namespace: the frames of the public coroutines hold these.
struct batch_entry {
    std::size_t position = 0;
    prepared_write write;
    std::unique_ptr<model_base> kept;
    bool created = false;
};

}  // namespace detail

namespace {

using detail::batch_entry;

void refuse_locking(const model_base& r, std::string_view operation)
{
    if (!detail::uses_locking(r)) return;
    throw error(errc::invalid_argument,
                std::string(operation) + " of " + r.model_name() +
                    ": the model uses optimistic locking, whose condition BatchWriteItem cannot "
                    "carry; save the records one by one or in a transaction");
}

void refuse_duplicates(const std::vector<batch_entry>& entries, std::string_view operation)
{
    for (std::size_t i = 0; i < entries.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const auto& a = entries[i].write;
            const auto& b = entries[j].write;
            if (a.table == b.table && a.key == b.key) {
                throw error(errc::invalid_argument,
                            std::string(operation) + ": records " +
                                std::to_string(entries[j].position) + " and " +
                                std::to_string(entries[i].position) + " have the same key " +
                                detail::describe_key(a.key) + " in table " + a.table +
                                "; a batch writes each item once");
            }
        }
    }
}

/// Sends the writes; completes the written records, restores the others, and says which.
asio::awaitable<model_batch_result> run_batch(database db, std::vector<batch_entry> entries,
                                              model_batch_result result, bool callbacks)
{
    std::vector<table_write> writes;
    writes.reserve(entries.size());
    for (const auto& e : entries) {
        if (e.write.kind == detail::write_kind::destroy) {
            writes.push_back({e.write.table, delete_request{e.write.key}});
        } else {
            writes.push_back({e.write.table, put_request{e.write.item}});
        }
    }
    diagnostics diag;
    auto [ec, outcome] = co_await batch_write(db, std::move(writes), diag);
    // On failure, the writes from `settled` on were not sent, and those in doubt are kept as
    // they were: the error says their request failed.
    const std::size_t settled = ec ? outcome.settled : entries.size();
    const auto listed = [](const std::vector<std::size_t>& positions, std::size_t i) {
        return std::find(positions.begin(), positions.end(), i) != positions.end();
    };
    for (std::size_t i = 0; i < entries.size(); ++i) {
        batch_entry& e = entries[i];
        const bool left = listed(outcome.unprocessed, i);
        if (i >= settled || left || listed(outcome.in_doubt, i)) {
            detail::restore_state(*e.write.record, *e.kept);
            if (left) result.unprocessed.push_back(e.position);
            continue;
        }
        detail::complete_write(e.write);
        result.written.push_back(e.position);
    }
    throw_on_error(ec, diag);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        batch_entry& e = entries[i];
        const bool written = std::find(result.written.begin(), result.written.end(), e.position) !=
                             result.written.end();
        if (written && callbacks)
            co_await detail::after_write(*e.write.record, e.write.kind, e.created);
    }
    std::sort(result.written.begin(), result.written.end());
    std::sort(result.unprocessed.begin(), result.unprocessed.end());
    co_return result;
}

}  // namespace

namespace {

/// Runs the before phase of every record and builds its write; on any failure every record is
/// put back as it was.
asio::awaitable<std::vector<batch_entry>> prepare_entries(std::vector<model_base*> records,
                                                          detail::write_kind kind,
                                                          save_options save, bool callbacks,
                                                          std::string_view operation,
                                                          model_batch_result& result)
{
    for (const model_base* r : records) refuse_locking(*r, operation);
    std::vector<batch_entry> entries;
    std::vector<std::unique_ptr<model_base>> kept;
    kept.reserve(records.size());
    for (const model_base* r : records) kept.push_back(detail::keep_state(*r));
    try {
        for (std::size_t i = 0; i < records.size(); ++i) {
            model_base& r = *records[i];
            batch_entry e;
            e.position = i;
            e.created = r.new_record();
            const auto before = co_await detail::before_write(r, kind, save, callbacks, operation);
            if (before != detail::before_outcome::proceed) {
                result.not_saved.push_back(i);
                continue;
            }
            e.write = co_await detail::prepare_write(r, kind);
            entries.push_back(std::move(e));
        }
        refuse_duplicates(entries, operation);
    } catch (...) {
        for (std::size_t i = 0; i < records.size(); ++i) {
            detail::restore_state(*records[i], *kept[i]);
        }
        throw;
    }
    for (auto& e : entries) e.kept = std::move(kept[e.position]);
    co_return entries;
}

}  // namespace

asio::awaitable<model_batch_result> batch_save(batch_records batch, batch_save_options options)
{
    std::vector<model_base*> records = std::move(batch).take();
    model_batch_result result;
    if (records.empty()) co_return result;
    const database db = records.front()->used_database();
    const save_options save{options.validate, options.touch};
    auto entries = co_await prepare_entries(std::move(records), detail::write_kind::put, save,
                                            options.callbacks, "batch_save", result);
    auto out = co_await run_batch(db, std::move(entries), std::move(result), options.callbacks);
    co_return out;
}

asio::awaitable<model_batch_result> batch_destroy(batch_records batch,
                                                  batch_destroy_options options)
{
    std::vector<model_base*> records = std::move(batch).take();
    model_batch_result result;
    if (records.empty()) co_return result;
    for (const model_base* r : records) detail::refuse_dependents(*r, "batch_destroy");
    const database db = records.front()->used_database();
    auto entries = co_await prepare_entries(std::move(records), detail::write_kind::destroy, {},
                                            options.callbacks, "batch_destroy", result);
    auto out = co_await run_batch(db, std::move(entries), std::move(result), options.callbacks);
    co_return out;
}

}  // namespace dynomite
