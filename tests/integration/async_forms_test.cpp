// The async_x(..., diagnostics&, token) forms of relations, cursors, batches, models,
// transactions and migrations, driven by plain callbacks and deferred tokens against DynamoDB:
// results equal what the table holds, failures arrive as error codes with the server's
// diagnostics (never as exceptions), and cancellation ends an operation with operation_aborted.
#include "integration/integration_fixture.hpp"

#include <dynomite/migration/migration.hpp>
#include <dynomite/model.hpp>
#include <dynomite/query/batch.hpp>
#include <dynomite/query/database.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

struct Note : model<Note> {
    std::string pk;
    std::string sk;
    std::string body;

    static void define(model_definition<Note>& s)
    {
        s.field("pk", &Note::pk);
        s.field("sk", &Note::sk);
        s.field("body", &Note::body);
        s.partition_key("pk");
        s.sort_key("sk");
        s.timestamps(false);
    }
};

/// What a completion handler received.
template <class T>
struct outcome {
    bool done = false;
    error_code ec;
    T value{};
};

class AsyncForms : public test::integration_test {
protected:
    AsyncForms() : database_(db) { set_default_database(database_); }
    ~AsyncForms() override { clear_default_database(); }

    void SetUp() override
    {
        table_ = create_table("async-forms");
        Note::set_table_name(table_);
        std::vector<attribute_map> items;
        for (int i = 0; i < 30; ++i)
            items.push_back(attribute_map{{"pk", attribute_value("p")},
                                          {"sk", attribute_value(sk_of(i))},
                                          {"body", attribute_value("note " + std::to_string(i))}});
        write_all(table_, items);
    }
    static std::string sk_of(int i)
    {
        std::string s = std::to_string(i);
        return std::string(3 - s.size(), '0') + s;
    }

    /// A handler that records its arguments; run_until(out.done) then waits for it.
    template <class T>
    static auto recorder(outcome<T>& out)
    {
        return [&out](error_code ec, T value) {
            out.ec = ec;
            out.value = std::move(value);
            out.done = true;
        };
    }

    relation notes() const { return database_.table(table_).where("pk", "p"); }

    dynomite::database database_;
    std::string table_;
};

TEST_F(AsyncForms, RelationTerminalsCompleteCallbacksWithWhatTheTableHolds)
{
    diagnostics diag;
    outcome<std::vector<attribute_map>> all;
    notes().async_all(diag, recorder(all));
    run_until(all.done);
    ASSERT_FALSE(all.ec) << diag.to_string();
    ASSERT_EQ(all.value.size(), 30u);
    for (int i = 0; i < 30; ++i)
        EXPECT_EQ(all.value[i].at("sk"), attribute_value(sk_of(i))) << i;

    outcome<std::int64_t> count;
    notes().where("sk.begins_with", "01").async_count(diag, recorder(count));
    run_until(count.done);
    ASSERT_FALSE(count.ec) << diag.to_string();
    EXPECT_EQ(count.value, 10);

    outcome<std::optional<attribute_map>> last;
    notes().async_last(diag, recorder(last));
    run_until(last.done);
    ASSERT_FALSE(last.ec) << diag.to_string();
    ASSERT_TRUE(last.value);
    EXPECT_EQ(last.value->at("sk"), attribute_value(sk_of(29)));

    // A deferred operation sends nothing until it is launched.
    outcome<std::vector<attribute_value>> plucked;
    auto deferred = notes().limit(3).async_pluck(document_path("body"), diag, asio::deferred);
    io.poll();
    deferred(recorder(plucked));
    run_until(plucked.done);
    ASSERT_FALSE(plucked.ec) << diag.to_string();
    EXPECT_EQ(plucked.value, (std::vector<attribute_value>{attribute_value("note 0"),
                                                           attribute_value("note 1"),
                                                           attribute_value("note 2")}));
}

TEST_F(AsyncForms, AFailureIsAnErrorCodeWithTheServersDiagnostics)
{
    diagnostics diag;
    outcome<std::vector<attribute_map>> all;
    database_.table("async-forms-no-such-table").async_all(diag, recorder(all));
    run_until(all.done);
    EXPECT_EQ(all.ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
    EXPECT_TRUE(all.value.empty());

    // A refusal of the library's own: a Scan has no last item.
    diagnostics refused;
    outcome<std::optional<attribute_map>> last;
    database_.table(table_).async_last(refused, recorder(last));
    run_until(last.done);
    EXPECT_EQ(last.ec, errc::invalid_argument);
    EXPECT_NE(refused.message.find("Query"), std::string::npos) << refused.message;
}

TEST_F(AsyncForms, ACancelledOperationCompletesWithOperationAborted)
{
    asio::cancellation_signal signal;
    diagnostics diag;
    outcome<std::vector<attribute_map>> all;
    notes().async_all(diag, asio::bind_cancellation_slot(signal.slot(), recorder(all)));
    signal.emit(asio::cancellation_type::terminal);
    run_until(all.done);
    EXPECT_EQ(all.ec, asio::error::operation_aborted);
    EXPECT_TRUE(all.value.empty());
}

TEST_F(AsyncForms, ACursorIsReadToItsEndByCallbacks)
{
    auto cursor = notes().page_size(7).cursor();
    std::vector<std::string> seen;
    diagnostics diag;
    error_code failure;
    bool done = false;
    std::function<void()> read_next = [&] {
        cursor.async_next(diag, [&](error_code ec, std::optional<attribute_map> item) {
            if (ec || !item) {
                failure = ec;
                done = true;
                return;
            }
            seen.push_back(item->at("sk").as_s());
            read_next();
        });
    };
    read_next();
    run_until(done);
    ASSERT_FALSE(failure) << diag.to_string();
    ASSERT_EQ(seen.size(), 30u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 30u);
}

TEST_F(AsyncForms, RecordsSaveFindAndReloadThroughCallbacks)
{
    diagnostics diag;
    Note note;
    note.pk = "q";
    note.sk = "001";
    note.body = "written by async_save";
    outcome<bool> saved;
    note.async_save(diag, recorder(saved));
    run_until(saved.done);
    ASSERT_FALSE(saved.ec) << diag.to_string();
    EXPECT_TRUE(saved.value);

    // The table holds it, read without the model layer.
    const auto item =
        run(db.get_item(get_item_request{.table_name = table_, .key = test::key_of("q", "001")}));
    ASSERT_TRUE(item.item);
    EXPECT_EQ(item.item->at("body"), attribute_value("written by async_save"));

    outcome<std::optional<Note>> found;
    Note::scope().async_find_by(attribute_map{{"pk", attribute_value("q")}}, diag,
                                recorder(found));
    run_until(found.done);
    ASSERT_FALSE(found.ec) << diag.to_string();
    ASSERT_TRUE(found.value);
    EXPECT_EQ(found.value->body, "written by async_save");

    // A record whose item is gone: the error comes as a code, not as an exception.
    run(db.delete_item(delete_item_request{.table_name = table_, .key = test::key_of("q", "001")}));
    bool reloaded = false;
    error_code reload_ec;
    note.async_reload(diag, [&](error_code ec) {
        reload_ec = ec;
        reloaded = true;
    });
    run_until(reloaded);
    EXPECT_EQ(reload_ec, model_errc::record_not_found);
}

TEST_F(AsyncForms, BatchesAndTransactionsThroughCallbacks)
{
    diagnostics diag;
    std::vector<table_write> writes;
    for (int i = 0; i < 3; ++i)
        writes.push_back(table_write{
            table_, put_request{.item = attribute_map{{"pk", attribute_value("b")},
                                                     {"sk", attribute_value(sk_of(i))}}}});
    outcome<batch_write_result> written;
    async_batch_write(database_, std::move(writes), diag, recorder(written));
    run_until(written.done);
    ASSERT_FALSE(written.ec) << diag.to_string();
    EXPECT_EQ(written.value.written, 3u);

    std::vector<batch_get_key> keys;
    for (int i = 0; i < 4; ++i) keys.push_back(batch_get_key{table_, test::key_of("b", sk_of(i))});
    outcome<batch_get_result> read;
    async_batch_get(database_, std::move(keys), diag, recorder(read));
    run_until(read.done);
    ASSERT_FALSE(read.ec) << diag.to_string();
    ASSERT_EQ(read.value.items.size(), 4u);
    EXPECT_TRUE(read.value.items[2]);
    EXPECT_FALSE(read.value.items[3]);

    Note first;
    first.pk = "t";
    first.sk = "001";
    Note second = first;
    second.sk = "002";
    transaction tx(database_);
    tx.save(first);
    tx.save(second);
    outcome<bool> committed;
    tx.async_commit(diag, recorder(committed));
    run_until(committed.done);
    ASSERT_FALSE(committed.ec) << diag.to_string();
    EXPECT_TRUE(committed.value);
    EXPECT_EQ(run(database_.table(table_).where("pk", "t").count()), 2);
}

TEST_F(AsyncForms, RecordsAreBatchSavedAndDestroyedThroughCallbacks)
{
    std::vector<Note> notes_saved;
    for (int i = 0; i < 30; ++i) {
        Note note;
        note.pk = "m";
        note.sk = sk_of(i);
        note.body = "batch " + std::to_string(i);
        notes_saved.push_back(std::move(note));
    }
    diagnostics diag;
    outcome<model_batch_result> saved;
    async_batch_save(notes_saved, diag, recorder(saved));
    run_until(saved.done);
    ASSERT_FALSE(saved.ec) << diag.to_string();
    EXPECT_TRUE(saved.value.complete());
    EXPECT_EQ(saved.value.written.size(), 30u);
    EXPECT_TRUE(std::all_of(notes_saved.begin(), notes_saved.end(),
                            [](const Note& n) { return n.persisted() && !n.changed(); }));
    // The table holds them, read without the model layer.
    const auto items = run(database_.table(table_).where("pk", "m").all());
    ASSERT_EQ(items.size(), 30u);
    EXPECT_EQ(items[17].at("body"), attribute_value("batch 17"));

    // Two records with one key: refused before anything is sent, as an error code.
    std::vector<Note> twins(2);
    twins[0].pk = twins[1].pk = "twins";
    twins[0].sk = twins[1].sk = "001";
    outcome<model_batch_result> refused;
    async_batch_save(twins, diag, recorder(refused));
    run_until(refused.done);
    EXPECT_EQ(refused.ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("twins"), std::string::npos) << diag.message;
    EXPECT_EQ(run(database_.table(table_).where("pk", "twins").count()), 0);

    // A deferred batch destroy deletes nothing until it is launched.
    outcome<model_batch_result> destroyed;
    auto deferred = async_batch_destroy(notes_saved, diag, asio::deferred);
    io.poll();
    EXPECT_EQ(run(database_.table(table_).where("pk", "m").count()), 30);
    deferred(recorder(destroyed));
    run_until(destroyed.done);
    ASSERT_FALSE(destroyed.ec) << diag.to_string();
    EXPECT_EQ(destroyed.value.written.size(), 30u);
    EXPECT_TRUE(std::all_of(notes_saved.begin(), notes_saved.end(),
                            [](const Note& n) { return n.destroyed(); }));
    EXPECT_EQ(run(database_.table(table_).where("pk", "m").count()), 0);
}

TEST_F(AsyncForms, MigrationsReportTheirFailureThroughTheHandler)
{
    std::vector<migration> migrations{migration{"20260101000000", "first", {}, {}},
                                      migration{"20260101000000", "again", {}, {}}};
    migration_options options;
    options.migrations_table = table_ + "-migrations";
    diagnostics diag;
    outcome<migration_report> report;
    async_run_migrations(db, std::move(migrations), options, diag, recorder(report));
    run_until(report.done);
    EXPECT_EQ(report.ec, migration_errc::duplicate_version);
    EXPECT_NE(diag.message.find("20260101000000"), std::string::npos) << diag.message;
}

}  // namespace
