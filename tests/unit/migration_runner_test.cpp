// The runner's decisions (what runs, what blocks), its records, table readiness, and the
// runner itself against a scripted server: waits, failures, clearing.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/migration/migration.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
using dynomite::test::fake_action;
using dynomite::test::fake_server;
using namespace std::chrono_literals;

migration named(std::string version, std::string name)
{
    migration m;
    m.version = std::move(version);
    m.name = std::move(name);
    return m;
}

migration_record record(std::string version, std::string name, migration_status status)
{
    migration_record r;
    r.version = std::move(version);
    r.name = std::move(name);
    r.status = status;
    return r;
}

std::vector<std::string> ids(const std::vector<const migration*>& list)
{
    std::vector<std::string> out;
    for (const migration* m : list) out.push_back(m->id());
    return out;
}

// --- Decisions -------------------------------------------------------------------------------

TEST(MigrationPlan, RunsWhatIsNotCompleteInOrder)
{
    const std::vector<migration> available = {named("1", "a"), named("2", "b"), named("3", "c")};
    const std::vector<migration_record> records = {record("1", "a", migration_status::complete)};
    const auto plan = plan_migrations(available, records, false);
    EXPECT_FALSE(plan.blocker);
    EXPECT_EQ(ids(plan.to_skip), (std::vector<std::string>{"1-a"}));
    EXPECT_EQ(ids(plan.to_run), (std::vector<std::string>{"2-b", "3-c"}));
    EXPECT_TRUE(plan.to_clear.empty());
}

TEST(MigrationPlan, NothingToDoTheSecondTime)
{
    const std::vector<migration> available = {named("1", "a"), named("2", "b")};
    const std::vector<migration_record> records = {record("1", "a", migration_status::complete),
                                                   record("2", "b", migration_status::complete)};
    const auto plan = plan_migrations(available, records, false);
    EXPECT_TRUE(plan.to_run.empty());
    EXPECT_EQ(plan.to_skip.size(), 2u);
}

TEST(MigrationPlan, ARecordedErrorOrInProgressBlocksEverything)
{
    const std::vector<migration> available = {named("1", "a"), named("2", "b"), named("3", "c")};
    for (const auto status : {migration_status::error, migration_status::in_progress}) {
        const std::vector<migration_record> records = {record("1", "a", migration_status::complete),
                                                       record("3", "c", status),
                                                       record("2", "b", status)};
        const auto plan = plan_migrations(available, records, false);
        ASSERT_TRUE(plan.blocker);
        EXPECT_EQ(plan.blocker->version, "2");  // the earliest
        EXPECT_TRUE(plan.to_run.empty());
        EXPECT_TRUE(plan.to_clear.empty());
    }
}

TEST(MigrationPlan, AnErrorWhoseFileIsGoneStillBlocks)
{
    const std::vector<migration> available = {named("2", "b")};
    const std::vector<migration_record> records = {record("1", "gone", migration_status::error)};
    const auto plan = plan_migrations(available, records, false);
    ASSERT_TRUE(plan.blocker);
    EXPECT_EQ(plan.blocker->name, "gone");
    const auto cleared = plan_migrations(available, records, true);
    EXPECT_FALSE(cleared.blocker);
    ASSERT_EQ(cleared.to_clear.size(), 1u);
    EXPECT_EQ(ids(cleared.to_run), (std::vector<std::string>{"2-b"}));
}

TEST(MigrationPlan, ClearingRunsTheClearedMigrationsAgain)
{
    const std::vector<migration> available = {named("1", "a"), named("2", "b"), named("3", "c")};
    const std::vector<migration_record> records = {record("1", "a", migration_status::complete),
                                                   record("2", "b", migration_status::error)};
    const auto plan = plan_migrations(available, records, true);
    EXPECT_FALSE(plan.blocker);
    ASSERT_EQ(plan.to_clear.size(), 1u);
    EXPECT_EQ(plan.to_clear[0].version, "2");
    EXPECT_EQ(ids(plan.to_run), (std::vector<std::string>{"2-b", "3-c"}));
    EXPECT_EQ(ids(plan.to_skip), (std::vector<std::string>{"1-a"}));
}

TEST(MigrationPlan, BlockedMessagesSayWhatToDo)
{
    auto failed = record("20260101000000", "create_posts", migration_status::error);
    failed.error_message = "Table already exists";
    const std::string error_text = blocked_message(failed);
    EXPECT_NE(error_text.find("a recorded error blocks migration 20260101000000-create_posts"),
              std::string::npos);
    EXPECT_NE(error_text.find("(Table already exists)"), std::string::npos);
    EXPECT_NE(error_text.find("dynomite migrate --clear-errors"), std::string::npos);
    const std::string crashed =
        blocked_message(record("20260101000000", "create_posts", migration_status::in_progress));
    EXPECT_NE(crashed.find("in_progress"), std::string::npos);
    EXPECT_NE(crashed.find("dynomite migrate --clear-errors"), std::string::npos);
}

// --- Records ---------------------------------------------------------------------------------

TEST(MigrationRecord, RoundTripsThroughAnItem)
{
    auto original = record("20260101000000", "create_posts", migration_status::error);
    original.started_at = "2026-01-01T00:00:00.000Z";
    original.time_taken_ms = 42;
    original.error_message = "boom";
    const attribute_map item = to_item(original);
    EXPECT_EQ(item.find("status")->as_s(), "error");
    migration_record read;
    ASSERT_FALSE(from_item(item, read));
    EXPECT_EQ(read.version, original.version);
    EXPECT_EQ(read.name, original.name);
    EXPECT_EQ(read.status, migration_status::error);
    EXPECT_EQ(read.started_at, original.started_at);
    EXPECT_EQ(read.time_taken_ms, 42);
    EXPECT_EQ(read.error_message, "boom");

    const attribute_map minimal = to_item(record("1", "a", migration_status::complete));
    EXPECT_FALSE(minimal.contains("error_message"));
    EXPECT_FALSE(minimal.contains("time_taken_ms"));
}

TEST(MigrationRecord, RefusesItemsItDidNotWrite)
{
    const std::vector<std::pair<attribute_map, std::string>> cases = {
        {attribute_map{{"name", "a"}, {"status", "complete"}}, "version is not a string"},
        {attribute_map{{"version", "1"}, {"name", 3}, {"status", "complete"}},
         "name is not a string"},
        {attribute_map{{"version", "1"}, {"name", "a"}, {"status", "done"}},
         "status is not in_progress, complete or error"},
        {attribute_map{{"version", "1"}, {"name", "a"}, {"status", "error"}, {"started_at", 1}},
         "started_at is not a string"},
        {attribute_map{
             {"version", "1"}, {"name", "a"}, {"status", "error"}, {"error_message", true}},
         "error_message is not a string"},
        {attribute_map{
             {"version", "1"}, {"name", "a"}, {"status", "error"}, {"time_taken_ms", "slow"}},
         "time_taken_ms is not an integer"},
    };
    for (const auto& [item, expected] : cases) {
        migration_record out;
        std::string why;
        EXPECT_EQ(from_item(item, out, &why), errc::malformed_response) << expected;
        EXPECT_NE(why.find(expected), std::string::npos) << why;
    }
}

TEST(MigrationStatus, NamesRoundTrip)
{
    for (const auto status :
         {migration_status::in_progress, migration_status::complete, migration_status::error}) {
        migration_status read = migration_status::complete;
        ASSERT_TRUE(from_string(to_string(status), read));
        EXPECT_EQ(read, status);
    }
    migration_status untouched = migration_status::complete;
    EXPECT_FALSE(from_string("pending", untouched));
    EXPECT_EQ(untouched, migration_status::complete);
}

TEST(MigrationErrors, HaveTheirOwnCategory)
{
    const error_code ec = migration_errc::blocked;
    EXPECT_STREQ(ec.category().name(), "dynomite.migration");
    for (const auto e : {migration_errc::invalid_migration, migration_errc::duplicate_version,
                         migration_errc::blocked, migration_errc::migration_failed,
                         migration_errc::wait_exhausted}) {
        EXPECT_FALSE(error_code(e).message().empty());
        EXPECT_NE(error_code(e).message(), "unknown migration error");
    }
}

// --- Readiness -------------------------------------------------------------------------------

TEST(TableReadiness, NeedsTheTableAndEveryGlobalIndexActive)
{
    table_description table;
    table.table_name = "posts";
    table.table_status = table_status::creating;
    EXPECT_FALSE(table_is_ready(table));
    EXPECT_EQ(describe_readiness(table), "table posts: CREATING");
    table.table_status = table_status::active;
    EXPECT_TRUE(table_is_ready(table));

    global_secondary_index_description index;
    index.index_name = "user_id-index";
    index.index_status = index_status::creating;
    index.backfilling = true;
    table.global_secondary_indexes.push_back(index);
    EXPECT_FALSE(table_is_ready(table));
    EXPECT_EQ(describe_readiness(table),
              "table posts: ACTIVE; index user_id-index: CREATING (backfilling)");
    table.global_secondary_indexes[0].index_status = index_status::active;
    EXPECT_FALSE(table_is_ready(table));  // still backfilling
    table.global_secondary_indexes[0].backfilling = false;
    EXPECT_TRUE(table_is_ready(table));
    table.table_status.reset();
    EXPECT_FALSE(table_is_ready(table));
    EXPECT_EQ(describe_readiness(table), "table posts: unknown; index user_id-index: ACTIVE");
}

// --- The runner against a scripted server ----------------------------------------------------

std::string described(std::string_view table, std::string_view status)
{
    return R"({"Table": {"TableName": ")" + std::string(table) + R"(", "TableStatus": ")" +
           std::string(status) + R"("}})";
}

// CreateTable's and DeleteTable's answer.
std::string table_answer(std::string_view table, std::string_view status)
{
    return R"({"TableDescription": {"TableName": ")" + std::string(table) +
           R"(", "TableStatus": ")" + std::string(status) + R"("}})";
}

constexpr std::string_view empty_scan = R"({"Items": [], "Count": 0, "ScannedCount": 0})";

class MigrationRunner : public ::testing::Test {
protected:
    client make_client()
    {
        client_config cfg = dynomite::test::fake_client_config(server);
        cfg.retry.max_attempts = 1;
        return client(io.get_executor(), cfg);
    }

    migration_options options()
    {
        migration_options o;
        o.naming.namespace_ = std::string();
        o.max_wait_polls = 3;
        o.first_poll_delay = 1ms;
        o.max_poll_delay = 2ms;
        o.progress = [this](const migration_event& e) {
            events.push_back(e.migration_id + ": " + e.message);
        };
        return o;
    }

    // Runs the migrations; the error thrown, if any, goes to `failure`.
    migration_report run(std::vector<migration> migrations, migration_options o)
    {
        migration_report report;
        std::exception_ptr thrown;
        io.restart();
        boost::asio::co_spawn(io, run_migrations(make_client(), std::move(migrations), o),
                              [&](std::exception_ptr e, migration_report r) {
                                  thrown = e;
                                  report = std::move(r);
                              });
        io.run();
        failure.reset();
        if (thrown) {
            try {
                std::rethrow_exception(thrown);
            } catch (const dynomite::error& e) {
                failure.emplace(e.code(), e.what());
            }
        }
        return report;
    }

    std::vector<std::string> targets() const
    {
        std::vector<std::string> out;
        for (const auto& request : server.requests()) {
            const std::string target = request.header("x-amz-target").value_or("");
            out.push_back(target.substr(target.find('.') + 1));
        }
        return out;
    }

    static migration create_posts()
    {
        migration m = named("20260101000000", "create_posts");
        migration_builder b;
        b.create_table("posts", "id:string");
        m.steps = b.take_steps();
        return m;
    }

    fake_server server;
    boost::asio::io_context io;
    std::vector<std::string> events;
    std::optional<std::pair<error_code, std::string>> failure;
};

TEST_F(MigrationRunner, CreatesTheMigrationsTableWhenMissing)
{
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "not found"));
    server.enqueue(fake_action::ok(table_answer("app_schema_migrations", "CREATING")));
    server.enqueue(fake_action::ok(described("app_schema_migrations", "CREATING")));
    server.enqueue(fake_action::ok(described("app_schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    auto o = options();
    o.naming.namespace_ = "app";
    const auto report = run({}, o);
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_TRUE(report.applied.empty());
    EXPECT_EQ(targets(), (std::vector<std::string>{"DescribeTable", "CreateTable", "DescribeTable",
                                                   "DescribeTable", "Scan"}));
    const std::string create = server.requests()[1].body;
    EXPECT_NE(create.find("\"TableName\":\"app_schema_migrations\""), std::string::npos) << create;
    EXPECT_NE(create.find("\"AttributeName\":\"version\""), std::string::npos) << create;
    EXPECT_NE(create.find("PAY_PER_REQUEST"), std::string::npos) << create;
}

TEST_F(MigrationRunner, RecordsProgressThenComplete)
{
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    server.enqueue(fake_action::ok("{}"));  // PutItem in_progress
    server.enqueue(fake_action::ok(table_answer("posts", "CREATING")));
    server.enqueue(fake_action::ok(described("posts", "CREATING")));
    server.enqueue(fake_action::ok(described("posts", "ACTIVE")));
    server.enqueue(fake_action::ok("{}"));  // PutItem complete
    const auto report = run({create_posts()}, options());
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_EQ(report.applied, (std::vector<std::string>{"20260101000000-create_posts"}));
    EXPECT_EQ(targets(),
              (std::vector<std::string>{"DescribeTable", "Scan", "PutItem", "CreateTable",
                                        "DescribeTable", "DescribeTable", "PutItem"}));
    const auto requests = server.requests();
    EXPECT_NE(requests[2].body.find("in_progress"), std::string::npos) << requests[2].body;
    EXPECT_NE(requests[6].body.find("\"complete\""), std::string::npos) << requests[6].body;
    EXPECT_NE(requests[6].body.find("time_taken_ms"), std::string::npos) << requests[6].body;
    const std::vector<std::string> expected_events = {
        "20260101000000-create_posts: running",
        "20260101000000-create_posts: CreateTable posts",
        "20260101000000-create_posts: waiting: table posts: CREATING",
    };
    ASSERT_GE(events.size(), 4u);
    EXPECT_EQ(std::vector<std::string>(events.begin(), events.begin() + 3), expected_events);
    EXPECT_EQ(events[3].rfind("20260101000000-create_posts: complete in ", 0), 0u) << events[3];
}

TEST_F(MigrationRunner, AFailedRequestIsRecordedAsError)
{
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    server.enqueue(fake_action::ok("{}"));
    server.enqueue(fake_action::aws_error(400, "LimitExceededException", "Too many tables"));
    server.enqueue(fake_action::ok("{}"));
    run({create_posts()}, options());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::migration_failed);
    EXPECT_NE(
        failure->second.find("migration 20260101000000-create_posts failed: CreateTable posts"),
        std::string::npos)
        << failure->second;
    EXPECT_NE(failure->second.find("Too many tables"), std::string::npos);
    ASSERT_EQ(server.request_count(), 5u);
    const std::string recorded = server.requests()[4].body;
    EXPECT_NE(recorded.find("\"error\""), std::string::npos) << recorded;
    EXPECT_NE(recorded.find("Too many tables"), std::string::npos) << recorded;
}

// The table CreateTable makes for create_posts(), as DescribeTable shows it.
constexpr std::string_view posts_described = R"({"Table": {"TableName": "posts",
    "TableStatus": "ACTIVE", "AttributeDefinitions": [{"AttributeName": "id",
    "AttributeType": "S"}], "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}}})";

TEST_F(MigrationRunner, ACreateTableRefusedBecauseTheTableExistsAdoptsAMatchingTable)
{
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    server.enqueue(fake_action::ok("{}"));
    server.enqueue(
        fake_action::aws_error(400, "ResourceInUseException", "Table already exists: posts"));
    server.enqueue(fake_action::ok(std::string(posts_described)));
    server.enqueue(fake_action::ok("{}"));
    const auto report = run({create_posts()}, options());
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_EQ(report.applied, (std::vector<std::string>{"20260101000000-create_posts"}));
    EXPECT_EQ(report.adopted, (std::vector<std::string>{"20260101000000-create_posts: posts"}));
    EXPECT_EQ(targets(), (std::vector<std::string>{"DescribeTable", "Scan", "PutItem",
                                                   "CreateTable", "DescribeTable", "PutItem"}));
    EXPECT_NE(std::find(events.begin(), events.end(),
                        "20260101000000-create_posts: table posts exists already with the "
                        "migration's schema: adopted"),
              events.end());
    EXPECT_NE(server.requests()[5].body.find("\"complete\""), std::string::npos);
}

TEST_F(MigrationRunner, ACreateTableRefusedBecauseTheTableExistsFailsWhenItDiffers)
{
    std::string numbered(posts_described);
    const std::string string_type = "\"AttributeType\": \"S\"";
    numbered.replace(numbered.find(string_type), string_type.size(), "\"AttributeType\": \"N\"");
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    server.enqueue(fake_action::ok("{}"));
    server.enqueue(
        fake_action::aws_error(400, "ResourceInUseException", "Table already exists: posts"));
    server.enqueue(fake_action::ok(numbered));
    server.enqueue(fake_action::ok("{}"));
    run({create_posts()}, options());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::migration_failed);
    EXPECT_NE(failure->second.find("CreateTable posts: the table exists already and differs from "
                                   "the migration: keys id (N, HASH) instead of id (S, HASH)"),
              std::string::npos)
        << failure->second;
    EXPECT_NE(server.requests()[5].body.find("\"error\""), std::string::npos);
}

TEST_F(MigrationRunner, ADeleteTableOfATableAlreadyGoneIsDone)
{
    migration drop = named("20260101000000", "drop_posts");
    migration_builder b;
    b.delete_table("posts");
    drop.steps = b.take_steps();
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    server.enqueue(fake_action::ok("{}"));
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "no table posts"));
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "no table posts"));
    server.enqueue(fake_action::ok("{}"));
    const auto report = run({drop}, options());
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_EQ(report.applied, (std::vector<std::string>{"20260101000000-drop_posts"}));
    EXPECT_TRUE(report.adopted.empty());
    EXPECT_EQ(targets(), (std::vector<std::string>{"DescribeTable", "Scan", "PutItem",
                                                   "DeleteTable", "DescribeTable", "PutItem"}));
}

TEST(TableDifferences, ListKeysIndexesProjectionsAndBilling)
{
    create_table_request wanted;
    wanted.table_name = "posts";
    wanted.attribute_definitions = {{"id", scalar_attribute_type::s},
                                    {"user_id", scalar_attribute_type::s}};
    wanted.key_schema = {{"id", key_type::hash}};
    wanted.billing_mode = billing_mode::pay_per_request;
    global_secondary_index by_user;
    by_user.index_name = "by_user";
    by_user.key_schema = {{"user_id", key_type::hash}};
    by_user.projection.projection_type = projection_type::include;
    by_user.projection.non_key_attributes = {"title", "body"};
    wanted.global_secondary_indexes = {by_user};

    table_description same;
    same.table_name = "posts";
    same.attribute_definitions = wanted.attribute_definitions;
    same.key_schema = wanted.key_schema;
    same.billing_mode_summary = billing_mode_summary{billing_mode::pay_per_request, {}};
    global_secondary_index_description index;
    index.index_name = "by_user";
    index.key_schema = by_user.key_schema;
    index.projection = projection{projection_type::include, {"body", "title"}};
    same.global_secondary_indexes = {index};
    EXPECT_EQ(table_differences(wanted, same), std::vector<std::string>{});
    same.billing_mode_summary.reset();
    EXPECT_EQ(table_differences(wanted, same), std::vector<std::string>{})
        << "a billing mode not shown is not compared";

    table_description other = same;
    other.attribute_definitions[0].type = scalar_attribute_type::n;
    other.global_secondary_indexes[0].projection = projection{projection_type::keys_only, {}};
    global_secondary_index_description extra;
    extra.index_name = "by_slug";
    extra.key_schema = {{"slug", key_type::hash}};
    other.global_secondary_indexes.push_back(extra);
    other.billing_mode_summary = billing_mode_summary{billing_mode::provisioned, {}};
    EXPECT_EQ(table_differences(wanted, other),
              (std::vector<std::string>{
                  "keys id (N, HASH) instead of id (S, HASH)",
                  "global index \"by_user\": projection KEYS_ONLY instead of INCLUDE (title, body)",
                  "global index \"by_slug\" exists but is not in the migration",
                  "billing mode PROVISIONED instead of PAY_PER_REQUEST"}));
    other.global_secondary_indexes.clear();
    EXPECT_EQ(table_differences(wanted, other)[1], "global index \"by_user\" is missing");
}

TEST(UpdateDifferences, AnIndexCreatedOrGoneShowsTheChange)
{
    update_table_request add;
    add.table_name = "posts";
    add.attribute_definitions = {{"slug", scalar_attribute_type::s}};
    create_global_secondary_index_action create;
    create.index_name = "slug-index";
    create.key_schema = {{"slug", key_type::hash}};
    create.projection.projection_type = projection_type::all;
    add.global_secondary_index_updates.emplace_back(create);

    table_description table;
    table.attribute_definitions = {{"id", scalar_attribute_type::s},
                                   {"slug", scalar_attribute_type::s}};
    EXPECT_EQ(update_differences(add, table),
              std::vector<std::string>{"global index \"slug-index\" is missing"});
    global_secondary_index_description index;
    index.index_name = "slug-index";
    index.key_schema = create.key_schema;
    index.projection.projection_type = projection_type::all;
    index.index_status = index_status::active;
    table.global_secondary_indexes = {index};
    EXPECT_EQ(update_differences(add, table), std::vector<std::string>{});

    update_table_request remove;
    remove.table_name = "posts";
    remove.global_secondary_index_updates.emplace_back(
        delete_global_secondary_index_action{"slug-index"});
    EXPECT_EQ(update_differences(remove, table),
              std::vector<std::string>{"global index \"slug-index\" still exists"});
    table.global_secondary_indexes.clear();
    EXPECT_EQ(update_differences(remove, table), std::vector<std::string>{});
}

TEST(UpdateDifferences, AStreamOrDeletionProtectionShowsTheChange)
{
    update_table_request enable;
    enable.table_name = "posts";
    enable.stream_specification = stream_specification{true, stream_view_type::new_image};
    enable.deletion_protection_enabled = true;
    table_description table;
    EXPECT_EQ(update_differences(enable, table),
              (std::vector<std::string>{"the table has no stream", "deletion protection is off"}));
    table.stream_specification = stream_specification{true, stream_view_type::keys_only};
    table.deletion_protection_enabled = true;
    EXPECT_EQ(update_differences(enable, table),
              std::vector<std::string>{"its stream has another view type"});
    table.stream_specification->stream_view_type = stream_view_type::new_image;
    EXPECT_EQ(update_differences(enable, table), std::vector<std::string>{});

    update_table_request disable;
    disable.table_name = "posts";
    disable.stream_specification = stream_specification{false, std::nullopt};
    disable.deletion_protection_enabled = false;
    EXPECT_EQ(update_differences(disable, table),
              (std::vector<std::string>{"the table still has a stream", "deletion protection is on"}));
    table.stream_specification.reset();
    table.deletion_protection_enabled.reset();
    EXPECT_EQ(update_differences(disable, table), std::vector<std::string>{});
}

TEST_F(MigrationRunner, WaitingIsBounded)
{
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    server.enqueue(fake_action::ok("{}"));
    server.enqueue(fake_action::ok(table_answer("posts", "CREATING")));
    server.enqueue(fake_action::ok(described("posts", "CREATING")), 3);
    server.enqueue(fake_action::ok("{}"));
    run({create_posts()}, options());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::migration_failed);
    EXPECT_NE(failure->second.find("table posts is not ready after 3 DescribeTable calls "
                                   "(table posts: CREATING)"),
              std::string::npos)
        << failure->second;
    EXPECT_EQ(server.request_count(), 8u);
    EXPECT_NE(server.requests()[7].body.find("not ready after 3"), std::string::npos);
}

TEST_F(MigrationRunner, AFailedDescribeWhileWaitingIsAnError)
{
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(std::string(empty_scan)));
    server.enqueue(fake_action::ok("{}"));
    server.enqueue(fake_action::ok(table_answer("posts", "CREATING")));
    server.enqueue(fake_action::aws_error(400, "AccessDeniedException", "no DescribeTable"));
    server.enqueue(fake_action::ok("{}"));
    run({create_posts()}, options());
    ASSERT_TRUE(failure);
    EXPECT_NE(failure->second.find("DescribeTable posts: AccessDeniedException"), std::string::npos)
        << failure->second;
}

TEST_F(MigrationRunner, ARecordedErrorBlocksBeforeAnythingIsSent)
{
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(R"({"Items": [{"version": {"S": "20260101000000"},
        "name": {"S": "create_posts"}, "status": {"S": "error"},
        "error_message": {"S": "boom"}}], "Count": 1, "ScannedCount": 1})"));
    run({create_posts()}, options());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::blocked);
    EXPECT_NE(failure->second.find("a recorded error blocks migration 20260101000000-create_posts "
                                   "(boom); fix it and run `dynomite migrate --clear-errors`"),
              std::string::npos)
        << failure->second;
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(MigrationRunner, ClearingDeletesTheRecordAndRunsAgain)
{
    migration drop = named("20260101000000", "drop_posts");
    migration_builder b;
    b.delete_table("posts");
    drop.steps = b.take_steps();
    server.enqueue(fake_action::ok(described("schema_migrations", "ACTIVE")));
    server.enqueue(fake_action::ok(R"({"Items": [{"version": {"S": "20260101000000"},
        "name": {"S": "drop_posts"}, "status": {"S": "in_progress"}}],
        "Count": 1, "ScannedCount": 1})"));
    server.enqueue(fake_action::ok("{}"));  // DeleteItem
    server.enqueue(fake_action::ok("{}"));  // PutItem in_progress
    server.enqueue(fake_action::ok(table_answer("posts", "DELETING")));
    server.enqueue(fake_action::ok(described("posts", "DELETING")));
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "gone"));
    server.enqueue(fake_action::ok("{}"));  // PutItem complete
    auto o = options();
    o.clear_errors = true;
    const auto report = run({drop}, o);
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_EQ(report.cleared, (std::vector<std::string>{"20260101000000-drop_posts"}));
    EXPECT_EQ(report.applied, (std::vector<std::string>{"20260101000000-drop_posts"}));
    EXPECT_EQ(targets(), (std::vector<std::string>{"DescribeTable", "Scan", "DeleteItem", "PutItem",
                                                   "DeleteTable", "DescribeTable", "DescribeTable",
                                                   "PutItem"}));
}

TEST_F(MigrationRunner, RefusesBadMigrationsBeforeSendingAnything)
{
    migration bad = named("20260101000000", "bad");
    migration_builder b;
    b.update_table("posts");
    bad.steps = b.take_steps();
    run({bad}, options());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::invalid_migration);
    EXPECT_NE(failure->second.find("migration 20260101000000-bad: update_table \"posts\" changes "
                                   "nothing"),
              std::string::npos)
        << failure->second;

    run({create_posts(), create_posts()}, options());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::duplicate_version);
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(MigrationRunner, ReadsRecordsAcrossPagesAndNoneWithoutTheTable)
{
    server.enqueue(fake_action::ok(R"({"Items": [{"version": {"S": "2"}, "name": {"S": "b"},
        "status": {"S": "complete"}}], "Count": 1, "ScannedCount": 1,
        "LastEvaluatedKey": {"version": {"S": "2"}}})"));
    server.enqueue(fake_action::ok(R"({"Items": [{"version": {"S": "1"}, "name": {"S": "a"},
        "status": {"S": "complete"}, "time_taken_ms": {"N": "12"}}], "Count": 1,
        "ScannedCount": 1})"));
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "no table"));
    std::vector<migration_record> first;
    std::vector<migration_record> second;
    const auto read_twice = [&]() -> boost::asio::awaitable<void> {
        first = co_await read_migration_records(make_client(), options());
        second = co_await read_migration_records(make_client(), options());
    };
    boost::asio::co_spawn(io, read_twice(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    io.run();
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].version, "1");  // by version
    EXPECT_EQ(first[0].time_taken_ms, 12);
    EXPECT_EQ(first[1].version, "2");
    EXPECT_TRUE(second.empty());
    EXPECT_NE(server.requests()[1].body.find("ExclusiveStartKey"), std::string::npos);
}

}  // namespace
