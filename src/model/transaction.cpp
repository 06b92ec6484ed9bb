// Transactions of records: TransactWriteItems with validations, callbacks, an idempotency
// token and cancellation reasons mapped back to the records; TransactGetItems.
#include <dynomite/model.hpp>
#include <dynomite/model/transaction.hpp>
#include "core/async.hpp"
#include "core/enum_text.hpp"
#include "core/random.hpp"
#include "model/attributes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

namespace dynomite {

namespace asio = boost::asio;

namespace {

using dynomite::detail::use_tuple;

enum class action_kind { save, create, update, destroy, check, increment };

std::string_view verb(action_kind kind) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"save",    "create",          "update",
                                                 "destroy", "condition check", "increment"};
    return detail::enum_name(kind, names, "action");
}

}  // namespace

struct transaction::action {
    action_kind kind = action_kind::save;
    model_base* record = nullptr;
    /// A check on a table's key.
    std::string table;
    attribute_map key;
    condition cond;
    std::string attribute;
    number by;
};

/// One attempt: the request, the writes it carries, and the records as they were before it
/// and as it writes them.
struct transaction::attempt {
    transact_write_items_request request;
    /// One per item written, in request order (merged actions: the first one's position).
    std::vector<std::size_t> positions;
    std::vector<const model_base*> sent_records;
    std::vector<std::string> descriptions;
    /// The records' writes (not the checks), completed once the transaction succeeds.
    std::vector<detail::prepared_write> writes;
    std::vector<bool> created;
    std::vector<model_base*> records;
    std::vector<std::unique_ptr<model_base>> before;
    std::vector<std::unique_ptr<model_base>> prepared;

    void restore_before()
    {
        for (std::size_t i = 0; i < records.size(); ++i) {
            detail::restore_state(*records[i], *before[i]);
        }
    }
    void restore_prepared()
    {
        for (std::size_t i = 0; i < records.size(); ++i) {
            detail::restore_state(*records[i], *prepared[i]);
        }
    }
};

namespace detail {

void check_transaction_size(std::size_t actions)
{
    if (actions <= transaction_max_actions) return;
    throw error(errc::invalid_argument, "transaction of " + std::to_string(actions) +
                                            " actions: TransactWriteItems takes at most " +
                                            std::to_string(transaction_max_actions) + "; split it");
}

std::vector<transaction_failure> map_cancellation(const std::vector<cancellation_reason>& reasons,
                                                  const std::vector<std::size_t>& positions,
                                                  const std::vector<const model_base*>& records,
                                                  const std::vector<std::string>& descriptions)
{
    std::vector<transaction_failure> out;
    for (std::size_t i = 0; i < reasons.size() && i < positions.size(); ++i) {
        const cancellation_reason& reason = reasons[i];
        if (reason.code.empty() || reason.code == "None") continue;
        transaction_failure f;
        f.action = positions[i];
        f.record = records[i];
        f.description = descriptions[i];
        f.code = reason.code;
        f.message = reason.message;
        f.item = reason.item;
        out.push_back(std::move(f));
    }
    return out;
}

std::string cancellation_message(const std::vector<transaction_failure>& failures)
{
    std::string out = "transaction cancelled";
    if (failures.empty()) return out + " (DynamoDB named no failed action)";
    for (std::size_t i = 0; i < failures.size(); ++i) {
        const auto& f = failures[i];
        out += i == 0 ? ": " : "; ";
        out += "action " + std::to_string(f.action) + " (" + f.description + ") failed: " + f.code;
        if (!f.message.empty()) out += ": " + f.message;
    }
    return out;
}

std::string make_request_token()
{
    return detail::random_uuid();
}

asio::awaitable<std::vector<std::optional<attribute_map>>> transact_get(
    database db, std::vector<std::pair<std::string, attribute_map>> keys)
{
    if (keys.size() > transaction_max_actions) {
        throw error(errc::invalid_argument, "transactional read of " + std::to_string(keys.size()) +
                                                " items: TransactGetItems takes at most " +
                                                std::to_string(transaction_max_actions));
    }
    std::vector<std::optional<attribute_map>> out;
    if (keys.empty()) co_return out;
    transact_get_items_request request;
    for (auto& [table, key] : keys) {
        transact_get_item get;
        get.table_name = std::move(table);
        get.key = std::move(key);
        request.transact_items.push_back(std::move(get));
    }
    dynomite::client c = db.get_client();
    auto response = co_await c.transact_get_items(std::move(request));
    out.reserve(response.responses.size());
    for (auto& r : response.responses) out.push_back(std::move(r.item));
    co_return out;
}

}  // namespace detail

namespace {

/// The action as one item's write, before any merging.
detail::transaction_write to_write(const transaction::action& a, const detail::prepared_write& w,
                                   std::size_t position, action_kind shown)
{
    detail::transaction_write out;
    out.table = w.table;
    out.key = w.key;
    out.positions.push_back(position);
    out.verbs.emplace_back(verb(shown));
    out.record = a.record;
    if (a.record != nullptr) out.model = a.record->model_name() + " ";
    using op = detail::transaction_write::operation;
    switch (w.kind) {
        case detail::write_kind::create:
        case detail::write_kind::put:
            out.op = op::put;
            out.item = w.item;
            out.cond = w.cond;
            return out;
        case detail::write_kind::update:
            out.op = op::update;
            out.update = w.update;
            out.cond = w.cond;
            return out;
        case detail::write_kind::destroy:
            out.op = op::remove;
            out.cond = w.cond;
            return out;
        case detail::write_kind::check:
            break;
    }
    if (a.kind == action_kind::increment) {
        out.op = op::update;
        out.update.add(document_path::attribute(a.attribute), a.by);
        out.cond = attribute_exists(document_path::attribute(w.key.begin()->first));
        return out;
    }
    out.op = op::check;
    out.cond = a.cond;
    return out;
}

detail::write_kind write_kind_of(const transaction::action& a)
{
    switch (a.kind) {
        case action_kind::save:
            return a.record->new_record() ? detail::write_kind::create : detail::write_kind::update;
        case action_kind::create:
            return detail::write_kind::create;
        case action_kind::update:
            return detail::write_kind::update;
        case action_kind::destroy:
            return detail::write_kind::destroy;
        case action_kind::check:
        case action_kind::increment:
            return detail::write_kind::check;
    }
    return detail::write_kind::check;
}

std::string outcome_message(const model_base& r, detail::before_outcome outcome)
{
    const std::string what = outcome == detail::before_outcome::halted ? "halted" : "invalid";
    return "transaction: " + r.model_name() + " " + what + ": " + r.errors().to_string();
}

}  // namespace

transaction::transaction() : token_(detail::make_request_token()) {}

transaction::transaction(database db) : db_(std::move(db)), token_(detail::make_request_token()) {}

boost::asio::any_io_executor transaction::get_executor() const
{
    const database db = db_                 ? *db_
                        : actions_.empty() || !actions_.front()->record
                            ? default_database()
                            : actions_.front()->record->used_database();
    return db.get_client().get_executor();
}

transaction& transaction::save(model_base& record)
{
    auto a = std::make_shared<action>();
    a->kind = action_kind::save;
    a->record = &record;
    actions_.push_back(std::move(a));
    return *this;
}

transaction& transaction::create(model_base& record)
{
    save(record);
    actions_.back()->kind = action_kind::create;
    return *this;
}

transaction& transaction::update(model_base& record)
{
    save(record);
    actions_.back()->kind = action_kind::update;
    return *this;
}

transaction& transaction::destroy(model_base& record)
{
    detail::refuse_dependents(record, "transaction::destroy");
    save(record);
    actions_.back()->kind = action_kind::destroy;
    return *this;
}

transaction& transaction::check(model_base& record, condition c)
{
    save(record);
    actions_.back()->kind = action_kind::check;
    actions_.back()->cond = std::move(c);
    return *this;
}

transaction& transaction::check(std::string table, attribute_map key, condition c)
{
    auto a = std::make_shared<action>();
    a->kind = action_kind::check;
    a->table = std::move(table);
    a->key = std::move(key);
    a->cond = std::move(c);
    actions_.push_back(std::move(a));
    return *this;
}

transaction& transaction::increment(model_base& record, std::string attribute, number by)
{
    save(record);
    actions_.back()->kind = action_kind::increment;
    actions_.back()->attribute = std::move(attribute);
    actions_.back()->by = std::move(by);
    return *this;
}

void transaction::set_client_request_token(std::string token)
{
    if (token.empty() || token.size() > 36) {
        throw error(errc::invalid_argument,
                    "a ClientRequestToken has 1 to 36 characters, this one has " +
                        std::to_string(token.size()));
    }
    token_ = std::move(token);
}

namespace {

/// The before phase and the request of one attempt; none when a record refused (validation or
/// a callback), with every record put back (its errors kept).
asio::awaitable<std::shared_ptr<transaction::attempt>> build_attempt(
    const std::vector<std::shared_ptr<transaction::action>>& actions, std::string token,
    transaction_options options, std::optional<error>& refusal)
{
    detail::check_transaction_size(actions.size());
    auto at = std::make_shared<transaction::attempt>();
    for (const auto& a : actions) {
        if (a->record == nullptr) continue;
        if (std::find(at->records.begin(), at->records.end(), a->record) != at->records.end()) {
            continue;
        }
        at->records.push_back(a->record);
        at->before.push_back(detail::keep_state(*a->record));
    }
    const save_options save{options.validate, options.touch};
    std::vector<detail::transaction_write> items;
    try {
        for (std::size_t i = 0; i < actions.size(); ++i) {
            const auto& a = *actions[i];
            detail::prepared_write w;
            detail::write_kind kind = detail::write_kind::check;
            bool created = false;
            if (a.record == nullptr) {
                w.kind = kind;
                w.table = a.table;
                w.key = a.key;
            } else {
                kind = write_kind_of(a);
                created = kind == detail::write_kind::create;
                if (kind == detail::write_kind::create && a.record->persisted()) {
                    throw error(errc::invalid_argument,
                                "transaction: create of a persisted " + a.record->model_name());
                }
                if (kind != detail::write_kind::check) {
                    const auto outcome = co_await detail::before_write(
                        *a.record, kind, save, options.callbacks, "transaction");
                    if (outcome != detail::before_outcome::proceed) {
                        const bool halted = outcome == detail::before_outcome::halted;
                        refusal.emplace(
                            halted ? model_errc::record_not_saved : model_errc::record_invalid,
                            outcome_message(*a.record, outcome));
                        std::vector<model_errors> errors;
                        for (auto* r : at->records) errors.push_back(r->errors());
                        at->restore_before();
                        for (std::size_t r = 0; r < at->records.size(); ++r) {
                            at->records[r]->errors() = std::move(errors[r]);
                        }
                        co_return nullptr;
                    }
                } else {
                    if (!a.record->persisted()) {
                        throw error(model_errc::not_persisted,
                                    "transaction: " + std::string(verb(a.kind)) +
                                        " needs a persisted " + a.record->model_name());
                    }
                }
                w = co_await detail::prepare_write(*a.record, kind);
                if (kind == detail::write_kind::update && w.update.empty()) continue;
            }
            const action_kind shown = a.kind != action_kind::save ? a.kind
                                      : created                   ? action_kind::create
                                                                  : action_kind::update;
            detail::add_transaction_write(items, to_write(a, w, i, shown));
            if (w.record != nullptr && w.kind != detail::write_kind::check) {
                at->created.push_back(created);
                at->writes.push_back(std::move(w));
            }
        }
        for (const auto& item : items) {
            at->request.transact_items.push_back(detail::to_transact_item(item));
            at->positions.push_back(item.positions.front());
            at->sent_records.push_back(item.record);
            at->descriptions.push_back(item.description());
        }
    } catch (...) {
        at->restore_before();
        throw;
    }
    for (auto* r : at->records) at->prepared.push_back(detail::keep_state(*r));
    at->request.client_request_token = std::move(token);
    co_return at;
}

}  // namespace

asio::awaitable<bool> transaction::commit(transaction_options options)
{
    if (committed_) {
        throw error(errc::invalid_argument, "transaction already committed; make a new one");
    }
    failures_.clear();
    std::shared_ptr<attempt> at = pending_;
    if (!at) {
        refusal_.reset();
        at = co_await build_attempt(actions_, token_, options, refusal_);
        if (!at) co_return false;
    } else {
        at->restore_prepared();
    }
    pending_.reset();
    if (at->request.transact_items.empty()) {
        committed_ = true;
        co_return true;
    }
    database db = db_                   ? *db_
                  : at->records.empty() ? default_database()
                                        : at->records.front()->used_database();
    dynomite::client c = db.get_client();
    diagnostics diag;
    transact_write_items_request request = at->request;
    auto [ec, response] =
        co_await c.async_transact_write_items(std::move(request), diag, use_tuple);
    if (ec) {
        at->restore_before();
        if (ec == errc::transaction_canceled) {
            failures_ = detail::map_cancellation(diag.cancellation_reasons, at->positions,
                                                 at->sent_records, at->descriptions);
            diag.message = detail::cancellation_message(failures_) + " (" + diag.message + ")";
        } else if (diag.http_status == 0 || diag.http_status >= 500) {
            // The outcome is unknown: commit() again sends this request, token and all.
            pending_ = at;
        }
        throw_on_error(ec, diag);
    }
    committed_ = true;
    for (auto& w : at->writes) detail::complete_write(w);
    // The item's counter moved unseen: a full write of the record would put the old one back.
    for (const auto& a : actions_) {
        if (a->kind == action_kind::increment && a->record != nullptr) {
            detail::mark_unread(*a->record, a->attribute);
        }
    }
    if (options.callbacks) {
        for (std::size_t i = 0; i < at->writes.size(); ++i) {
            auto& w = at->writes[i];
            co_await detail::after_write(*w.record, w.kind, at->created[i]);
        }
    }
    co_return true;
}

asio::awaitable<void> transaction::commit_or_throw(transaction_options options)
{
    const bool done = co_await commit(options);
    if (!done && refusal_) throw *refusal_;
}

}  // namespace dynomite
