// Thousands of writes from many coroutines through a proxy that fails 30% of the requests,
// then a consistent read of everything straight from the endpoint: every acknowledged write is
// there once, transactions with a client request token apply once, failures say what failed.
//
// What the library promises, and what is checked:
// - A write that completes without error was applied.
// - A failed operation reports its error, and its diagnostics list every failed attempt.
// - Idempotent writes (PutItem, SET updates, DeleteItem, BatchWriteItem puts) may be retried
//   freely: their final state is the last acknowledged one, or that of a failed one.
// - TransactWriteItems with a ClientRequestToken applies at most once, whatever the retries.
// - A plain UpdateItem ADD is retried like any write: when an attempt's answer was lost after
//   the write happened, it may apply once more. Each extra application is visible as a failed
//   attempt in the operation's diagnostics whose error says the answer may be lost
//   (connection_closed, crc32_mismatch, a timeout, a 500), acknowledged or not; an increment
//   without such an attempt applied exactly once (or, when it failed, not at all).
#include "integration/integration_fixture.hpp"
#include "support/fault_proxy.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
using dynomite::test::fault_kind;
using dynomite::test::fault_kind_count;
using dynomite::test::fault_proxy;
using dynomite::test::fault_proxy_options;
namespace asio = boost::asio;

constexpr int worker_count = 32;
constexpr int operations_per_worker = 250;
constexpr std::size_t batch_size = 10;
constexpr double fault_rate = 0.3;

struct SoakItem : model<SoakItem> {
    std::string id;
    std::string worker;
    std::string payload;
    std::int64_t counter = 0;

    static void define(model_definition<SoakItem>& s)
    {
        s.field("worker", &SoakItem::worker);
        s.field("payload", &SoakItem::payload);
        s.field("counter", &SoakItem::counter);
        s.partition_key("id");
        s.timestamps(false);
    }
};

// An error after which the request may have been processed although no answer came back.
bool answer_may_be_lost(error_code ec)
{
    return ec == errc::connection_closed || ec == errc::crc32_mismatch ||
           ec == errc::request_timeout || ec == errc::internal_server_error ||
           ec == boost::system::errc::connection_reset ||
           ec == boost::system::errc::connection_aborted ||
           ec == boost::system::errc::broken_pipe || ec == boost::system::errc::timed_out;
}

std::size_t lost_answer_attempts(const diagnostics& diag)
{
    std::size_t count = 0;
    for (const auto& attempt : diag.attempts)
        if (answer_may_be_lost(attempt.error)) ++count;
    return count;
}

enum class op_kind { create, update, increment, plain_increment, destroy, batch, transaction };
constexpr std::size_t op_kind_count = 7;
constexpr std::array<std::string_view, op_kind_count> op_names = {
    "create", "update", "increment", "plain_increment", "delete", "batch_write", "transaction"};

// What the table must hold for one item at the end.
struct expected_item {
    enum class presence { present, absent, either };
    presence must = presence::either;
    std::set<std::string> payloads;  // the acceptable payloads when present
    std::int64_t acked_increments = 0;
    bool create_said_not_unique = false;
};

struct plain_increment_record {
    std::string item;
    std::string attribute;
    bool acked = false;
    std::size_t lost_answers = 0;
};

struct transaction_record {
    int worker = 0;
    std::string marker;
    bool acked = false;
};

struct failure_record {
    op_kind kind;
    error_code ec;
    diagnostics diag;
};

struct soak_ledger {
    std::map<std::string, expected_item> items;
    std::vector<plain_increment_record> plain_increments;
    std::vector<transaction_record> transactions;
    std::vector<failure_record> failures;
    std::array<std::size_t, op_kind_count> acked{};
    std::array<std::size_t, op_kind_count> failed{};
    std::size_t record_not_unique = 0;

    void ok(op_kind kind) { ++acked[static_cast<std::size_t>(kind)]; }
    void fail(op_kind kind, const error& e)
    {
        ++failed[static_cast<std::size_t>(kind)];
        failures.push_back({kind, e.code(), e.diag()});
    }
};

std::string item_id(const attribute_map& item)
{
    const auto* id = item.find("id");
    return id && id->is_s() ? id->as_s() : std::string();
}

class SoakTest : public dynomite::test::integration_test {
protected:
    std::string create_soak_table()
    {
        const auto name = dynomite::test::unique_table_name("soak");
        track_table(name);
        create_table_request request;
        request.table_name = name;
        request.attribute_definitions = {{"id", scalar_attribute_type::s}};
        request.key_schema = {{"id", key_type::hash}};
        request.billing_mode = billing_mode::pay_per_request;
        run(db.create_table(request));
        run(wait_until_active(name));
        return name;
    }

    // Every item, read consistently from the endpoint itself.
    std::map<std::string, attribute_map> read_everything(const std::string& table)
    {
        std::map<std::string, attribute_map> out;
        scan_request request;
        request.table_name = table;
        request.consistent_read = true;
        for (;;) {
            auto page = run(db.scan(request));
            for (auto& item : page.items) {
                const auto id = item_id(item);
                EXPECT_TRUE(out.emplace(id, std::move(item)).second) << "item " << id << " twice";
            }
            if (!page.last_evaluated_key) break;
            request.exclusive_start_key = std::move(page.last_evaluated_key);
        }
        return out;
    }
};

// One coroutine's share of the load: its own items, so that its expectations are exact.
class soak_worker {
public:
    soak_worker(int index, std::string table, std::string run_id, client proxied,
                database proxied_db, soak_ledger& ledger)
        : index_(index),
          table_(std::move(table)),
          run_id_(std::move(run_id)),
          client_(std::move(proxied)),
          db_(std::move(proxied_db)),
          ledger_(ledger),
          random_(static_cast<std::uint64_t>(index) * 7919 + 17)
    {
    }

    asio::awaitable<void> run()
    {
        for (int step = 0; step < operations_per_worker; ++step) {
            const auto roll = random_() % 100;
            if (roll < 25 || live_.empty())
                co_await create(step);
            else if (roll < 45)
                co_await update(step);
            else if (roll < 60)
                co_await increment();
            else if (roll < 70)
                co_await plain_increment(step);
            else if (roll < 78)
                co_await destroy();
            else if (roll < 89)
                co_await batch(step);
            else
                co_await transaction(step);
        }
    }

    std::string plain_item() const { return "plain-" + std::to_string(index_); }
    std::string ledger_item() const { return "ledger-" + std::to_string(index_); }

private:
    std::string payload(int step) const
    {
        return "w" + std::to_string(index_) + "-s" + std::to_string(step);
    }

    SoakItem& pick_live() { return live_[random_() % live_.size()]; }

    void forget(const std::string& id)
    {
        std::erase_if(live_, [&id](const SoakItem& r) { return r.id == id; });
    }

    asio::awaitable<void> create(int step)
    {
        SoakItem record;
        record.use_database(db_);
        record.worker = std::to_string(index_);
        record.payload = payload(step);
        try {
            const bool saved = co_await record.save();
            EXPECT_TRUE(saved) << record.errors().to_string();
            auto& expected = ledger_.items[record.id];
            expected.must = expected_item::presence::present;
            expected.payloads = {record.payload};
            ledger_.ok(op_kind::create);
            live_.push_back(record);
        } catch (const error& e) {
            ledger_.fail(op_kind::create, e);
            if (record.id.empty()) co_return;  // failed before an id existed: nothing written
            auto& expected = ledger_.items[record.id];
            expected.must = expected_item::presence::either;
            expected.payloads = {record.payload};
            if (e.code() == model_errc::record_not_unique) {
                // The ids are random: the only item with this key can be this create's own.
                expected.create_said_not_unique = true;
                ++ledger_.record_not_unique;
            }
        }
    }

    asio::awaitable<void> update(int step)
    {
        auto& record = pick_live();
        const auto id = record.id;
        record.payload = payload(step);
        auto& expected = ledger_.items[id];
        try {
            const bool saved = co_await record.save();
            EXPECT_TRUE(saved) << record.errors().to_string();
            expected.payloads = {record.payload};
            ledger_.ok(op_kind::update);
        } catch (const error& e) {
            ledger_.fail(op_kind::update, e);
            expected.payloads.insert(record.payload);
            forget(id);
        }
    }

    asio::awaitable<void> increment()
    {
        auto& record = pick_live();
        const auto id = record.id;
        try {
            co_await record.increment(&SoakItem::counter);
            ++ledger_.items[id].acked_increments;
            ledger_.ok(op_kind::increment);
        } catch (const error& e) {
            ledger_.fail(op_kind::increment, e);
            forget(id);
        }
    }

    asio::awaitable<void> plain_increment(int step)
    {
        plain_increment_record record{plain_item(), "op" + std::to_string(step), false, 0};
        update_item_request request;
        request.table_name = table_;
        request.key = {{"id", record.item}};
        request.update_expression = "ADD #n :one";
        request.expression_attribute_names = {{"#n", record.attribute}};
        request.expression_attribute_values = {{":one", 1}};
        diagnostics diag;
        auto [ec, response] = co_await client_.async_update_item(
            std::move(request), diag, asio::as_tuple(asio::use_awaitable));
        record.acked = !ec;
        record.lost_answers = lost_answer_attempts(diag);
        if (ec)
            ledger_.fail(op_kind::plain_increment, error(ec, diag));
        else
            ledger_.ok(op_kind::plain_increment);
        ledger_.plain_increments.push_back(std::move(record));
    }

    asio::awaitable<void> destroy()
    {
        SoakItem record = pick_live();
        forget(record.id);
        auto& expected = ledger_.items[record.id];
        try {
            const bool destroyed = co_await record.destroy();
            EXPECT_TRUE(destroyed);
            expected.must = expected_item::presence::absent;
            ledger_.ok(op_kind::destroy);
        } catch (const error& e) {
            ledger_.fail(op_kind::destroy, e);
            expected.must = expected_item::presence::either;
        }
    }

    asio::awaitable<void> batch(int step)
    {
        std::vector<write_request> writes;
        std::vector<std::string> ids;
        for (std::size_t k = 0; k < batch_size; ++k) {
            const auto id = "batch-" + std::to_string(index_) + "-" + std::to_string(step) + "-" +
                            std::to_string(k);
            ids.push_back(id);
            attribute_map item{{"id", id}, {"payload", payload(step)}};
            writes.push_back(put_request{std::move(item)});
        }
        batch_write_item_request request;
        request.request_items.emplace_back(table_, std::move(writes));
        error_code ec;
        diagnostics diag;
        for (int round = 0; round < 10; ++round) {
            batch_write_item_response response;
            std::tie(ec, response) = co_await client_.async_batch_write_item(
                request, diag, asio::as_tuple(asio::use_awaitable));
            if (ec || response.unprocessed_items.empty()) break;
            request.request_items = std::move(response.unprocessed_items);
        }
        for (const auto& id : ids) {
            auto& expected = ledger_.items[id];
            expected.must = ec ? expected_item::presence::either : expected_item::presence::present;
            expected.payloads = {payload(step)};
        }
        if (ec)
            ledger_.fail(op_kind::batch, error(ec, diag));
        else
            ledger_.ok(op_kind::batch);
    }

    asio::awaitable<void> transaction(int step)
    {
        transaction_record record{
            index_, "tx-" + std::to_string(index_) + "-" + std::to_string(step), false};
        transact_put put;
        put.table_name = table_;
        put.item = {{"id", record.marker}, {"payload", payload(step)}};
        put.condition_expression = "attribute_not_exists(id)";
        transact_update add;
        add.table_name = table_;
        add.key = {{"id", ledger_item()}};
        add.update_expression = "ADD tx_total :one";
        add.expression_attribute_values = {{":one", 1}};
        transact_write_items_request request;
        request.transact_items.push_back(std::move(put));
        request.transact_items.push_back(std::move(add));
        request.client_request_token =
            run_id_ + "-" + std::to_string(index_) + "-" + std::to_string(step);
        diagnostics diag;
        auto [ec, response] = co_await client_.async_transact_write_items(
            std::move(request), diag, asio::as_tuple(asio::use_awaitable));
        record.acked = !ec;
        auto& expected = ledger_.items[record.marker];
        expected.must = ec ? expected_item::presence::either : expected_item::presence::present;
        expected.payloads = {payload(step)};
        if (ec)
            ledger_.fail(op_kind::transaction, error(ec, diag));
        else
            ledger_.ok(op_kind::transaction);
        ledger_.transactions.push_back(std::move(record));
    }

    int index_;
    std::string table_;
    std::string run_id_;
    client client_;
    database db_;
    soak_ledger& ledger_;
    std::mt19937_64 random_;
    std::vector<SoakItem> live_;
};

// The UpdateItem ADD requests of the model's increments that reached the table, by item: how
// many were applied, and how many of those lost their answer on the way back.
struct applied_adds {
    std::size_t applied = 0;
    std::size_t answer_lost = 0;
};

std::map<std::string, applied_adds> model_adds_by_item(const fault_proxy& proxy)
{
    std::map<std::string, applied_adds> out;
    for (const auto& exchange : proxy.exchanges()) {
        if (exchange.target != "DynamoDB_20120810.UpdateItem" || exchange.upstream_status != 200)
            continue;
        const auto body = boost::json::parse(exchange.request_body).as_object();
        const auto& expression = body.at("UpdateExpression").as_string();
        const std::string_view text(expression.data(), expression.size());
        if (text.find("ADD") == std::string_view::npos) continue;
        const auto& id = body.at("Key").as_object().at("id").as_object().at("S").as_string();
        auto& entry = out[std::string(id.data(), id.size())];
        ++entry.applied;
        if (dynomite::test::loses_applied_answer(exchange.fault)) ++entry.answer_lost;
    }
    return out;
}

std::int64_t number_attribute(const attribute_map& item, std::string_view name)
{
    const auto* value = item.find(name);
    return value && value->is_n() ? value->as_n().as_int64() : 0;
}

TEST_F(SoakTest, EveryAcknowledgedWriteSurvivesThirtyPercentFaults)
{
    const auto table = create_soak_table();
    SoakItem::set_table_name(table);

    fault_proxy_options options;
    options.upstream = db.endpoint_url();
    options.fault_rate = fault_rate;
    options.seed = 20261125;
    options.delay = std::chrono::milliseconds(100);
    fault_proxy proxy(options);

    auto config = base_config();
    config.endpoint = proxy.url();
    client proxied(io.get_executor(), config);
    database proxied_db(proxied);

    // The items plain increments and transactions add to exist from the start.
    for (int w = 0; w < worker_count; ++w) {
        put_item_request put;
        put.table_name = table;
        put.item = {{"id", "plain-" + std::to_string(w)}};
        run(db.put_item(put));
        put.item = {{"id", "ledger-" + std::to_string(w)}, {"tx_total", 0}};
        run(db.put_item(put));
    }

    soak_ledger ledger;
    std::ostringstream run_id_text;
    run_id_text << std::hex << std::random_device{}();
    const auto run_id = run_id_text.str();
    std::vector<std::unique_ptr<soak_worker>> workers;
    for (int w = 0; w < worker_count; ++w)
        workers.push_back(
            std::make_unique<soak_worker>(w, table, run_id, proxied, proxied_db, ledger));

    const auto started = std::chrono::steady_clock::now();
    int finished = 0;
    bool all_done = false;
    std::vector<std::exception_ptr> crashes;
    for (auto& worker : workers) {
        asio::co_spawn(io, worker->run(), [&](std::exception_ptr failure) {
            if (failure) crashes.push_back(failure);
            all_done = ++finished == worker_count;
        });
    }
    run_until(all_done);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    for (const auto& crash : crashes) {
        try {
            std::rethrow_exception(crash);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "a worker stopped: " << e.what();
        }
    }

    // --- Failed operations say why, after their retries --------------------------------------
    const auto max_attempts = static_cast<std::size_t>(proxied.max_attempts());
    std::map<std::string, std::size_t> failures_by_error;
    for (const auto& f : ledger.failures) {
        ++failures_by_error[f.ec.message()];
        if (f.ec == model_errc::record_not_unique) continue;  // counted and checked below
        EXPECT_TRUE(is_retryable(f.ec))
            << op_names[static_cast<std::size_t>(f.kind)] << " failed with " << f.ec.message()
            << ": " << f.diag.to_string();
        const bool quota_spent = f.diag.message.find("retry quota") != std::string::npos;
        // Resends on kept-alive connections the server dropped are recorded too.
        EXPECT_TRUE(f.diag.attempts.size() >= max_attempts || quota_spent)
            << op_names[static_cast<std::size_t>(f.kind)] << ": " << f.diag.to_string();
    }

    // --- The table, read consistently without the proxy --------------------------------------
    const auto stored = read_everything(table);
    std::size_t verified = 0;
    std::size_t failed_but_applied = 0;
    std::size_t own_create_said_not_unique = 0;
    for (const auto& [id, expected] : ledger.items) {
        const auto found = stored.find(id);
        const bool present = found != stored.end();
        if (expected.must == expected_item::presence::present) {
            EXPECT_TRUE(present) << "acknowledged write of " << id << " is missing";
        } else if (expected.must == expected_item::presence::absent) {
            EXPECT_FALSE(present) << "acknowledged delete of " << id << " left it in place";
        } else if (present) {
            ++failed_but_applied;
        }
        if (expected.create_said_not_unique && present) ++own_create_said_not_unique;
        if (!present) continue;
        const auto* payload = found->second.find("payload");
        ASSERT_TRUE(payload && payload->is_s()) << id;
        EXPECT_TRUE(expected.payloads.contains(payload->as_s()))
            << id << " holds payload " << payload->as_s() << ", which no write of it sent";
        ++verified;
    }
    // A create never hears record_not_unique for an item it wrote itself on an earlier attempt.
    EXPECT_EQ(ledger.record_not_unique, 0u)
        << own_create_said_not_unique << " of them were the create's own write";

    // Nothing appears that no operation wrote.
    for (const auto& [id, item] : stored) {
        const bool known =
            ledger.items.contains(id) || id.starts_with("plain-") || id.starts_with("ledger-");
        EXPECT_TRUE(known) << "item " << id << " was never written";
    }

    // Model increments: the counter is what DynamoDB applied; beyond the acknowledged ones,
    // only requests whose answer was lost after they were applied.
    const auto adds = model_adds_by_item(proxy);
    std::size_t increments_applied_twice = 0;
    for (const auto& [id, expected] : ledger.items) {
        const auto found = stored.find(id);
        if (found == stored.end() || !id.starts_with("soak_item-")) continue;
        const auto counter = number_attribute(found->second, "counter");
        const auto it = adds.find(id);
        const applied_adds seen = it == adds.end() ? applied_adds{} : it->second;
        EXPECT_EQ(counter, static_cast<std::int64_t>(seen.applied)) << id;
        EXPECT_EQ(counter, expected.acked_increments + static_cast<std::int64_t>(seen.answer_lost))
            << id << ": " << expected.acked_increments << " acknowledged increments, "
            << seen.answer_lost << " answers lost after the write";
        if (counter > expected.acked_increments) ++increments_applied_twice;
        ++verified;
    }

    // Plain increments through the client, one attribute each: applied once when acknowledged,
    // plus at most one more per attempt whose answer may have been lost.
    std::size_t may_have_applied = 0;
    std::size_t plain_extra_applications = 0;
    for (const auto& record : ledger.plain_increments) {
        const auto found = stored.find(record.item);
        ASSERT_NE(found, stored.end()) << record.item;
        const auto applied = number_attribute(found->second, record.attribute);
        const auto floor = record.acked ? 1 : 0;
        EXPECT_GE(applied, floor) << record.item << "." << record.attribute;
        EXPECT_LE(applied, floor + static_cast<std::int64_t>(record.lost_answers))
            << record.item << "." << record.attribute << " applied " << applied
            << " times; its diagnostics show " << record.lost_answers << " lost answers";
        if (record.lost_answers > 0) ++may_have_applied;
        if (applied > floor) plain_extra_applications += static_cast<std::size_t>(applied - floor);
        ++verified;
    }

    // Transactions with a client request token: each applied at most once, acknowledged ones
    // surely; the ledger's total equals the markers present.
    std::map<int, std::int64_t> markers_by_worker;
    for (const auto& record : ledger.transactions)
        if (stored.contains(record.marker)) ++markers_by_worker[record.worker];
    for (int w = 0; w < worker_count; ++w) {
        const auto found = stored.find("ledger-" + std::to_string(w));
        ASSERT_NE(found, stored.end());
        EXPECT_EQ(number_attribute(found->second, "tx_total"), markers_by_worker[w])
            << "worker " << w << ": a transaction applied more than once";
        ++verified;
    }

    // --- What happened -------------------------------------------------------------------------
    const auto stats = proxied.stats();
    std::ostringstream report;
    report << "soak: " << worker_count << " coroutines, "
           << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
           << " ms\n  operations (acknowledged/failed):";
    std::size_t operations = 0;
    for (std::size_t k = 0; k < op_kind_count; ++k) {
        report << ' ' << op_names[k] << ' ' << ledger.acked[k] << '/' << ledger.failed[k];
        operations += ledger.acked[k] + ledger.failed[k];
        RecordProperty("ops_" + std::string(op_names[k]) + "_acked",
                       static_cast<int>(ledger.acked[k]));
        RecordProperty("ops_" + std::string(op_names[k]) + "_failed",
                       static_cast<int>(ledger.failed[k]));
    }
    report << "\n  faults injected:";
    const auto faults = proxy.faults();
    for (std::size_t k = 0; k < fault_kind_count; ++k) {
        const auto name = std::string(to_string(static_cast<fault_kind>(k)));
        report << ' ' << name << ' ' << faults[k];
        RecordProperty("fault_" + name, static_cast<int>(faults[k]));
    }
    report << "\n  requests by target:";
    for (const auto& [target, count] : proxy.requests_by_target())
        report << ' ' << target.substr(target.find('.') + 1) << ' ' << count;
    report << "\n  failures by error:";
    for (const auto& [message, count] : failures_by_error)
        report << " \"" << message << "\" " << count;
    report << "\n  client: requests " << stats.requests << ", attempts " << stats.attempts
           << ", retries " << stats.retries << ", stale connections " << stats.stale_connections
           << ", retry quota left " << stats.retry_quota_available << "\n  verified: " << verified
           << " items and counters; failed writes found applied " << failed_but_applied
           << "; model increments applied beyond their acknowledgements on "
           << increments_applied_twice << " items; plain increments reported as may have applied "
           << may_have_applied << ", extra applications " << plain_extra_applications
           << "; record_not_unique on a create's own write " << own_create_said_not_unique << '\n';
    std::cout << report.str() << std::flush;
    RecordProperty("operations", static_cast<int>(operations));
    RecordProperty(
        "elapsed_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
    RecordProperty("client_attempts", static_cast<int>(stats.attempts));
    RecordProperty("client_retries", static_cast<int>(stats.retries));
    RecordProperty("client_stale_connections", static_cast<int>(stats.stale_connections));
    RecordProperty("writes_verified", static_cast<int>(verified));
    RecordProperty("failed_writes_applied", static_cast<int>(failed_but_applied));
    RecordProperty("plain_increments_may_have_applied", static_cast<int>(may_have_applied));
    RecordProperty("plain_increment_extra_applications",
                   static_cast<int>(plain_extra_applications));
    RecordProperty("record_not_unique_own_write", static_cast<int>(own_create_said_not_unique));

    EXPECT_GE(operations, static_cast<std::size_t>(worker_count * operations_per_worker));
    EXPECT_GT(stats.retries, 0u);
    for (std::size_t k = 1; k < fault_kind_count; ++k)
        EXPECT_GT(faults[k], 0u) << to_string(static_cast<fault_kind>(k)) << " never happened";
}

}  // namespace
