// Migrations against DynamoDB: applied once, recorded, blocked by a recorded error until
// cleared, indexes added by update_table, settings DynamoDB Local accepts, namespaces.
#include "integration/integration_fixture.hpp"
#include "support/fault_proxy.hpp"

#include <dynomite/migration/migration.hpp>

#include <algorithm>

namespace dynomite::test {
namespace {

class MigrationTest : public integration_test {
protected:
    MigrationTest() : ns(unique_table_name("mig"))
    {
        options.naming.namespace_ = ns;
        options.progress = [this](const migration_event& e) {
            events.push_back(e.migration_id + ": " + e.message);
        };
    }

    /// The namespaced name of `table`, deleted after the test.
    std::string tracked(const std::string& table)
    {
        const std::string name = ns + "_" + table;
        track_table(name);
        return name;
    }

    migration_report migrate(std::vector<migration> migrations)
    {
        return run(run_migrations(db, std::move(migrations), options));
    }

    /// The error a run throws.
    dynomite::error migrate_error(std::vector<migration> migrations)
    {
        try {
            migrate(std::move(migrations));
        } catch (const dynomite::error& e) {
            return e;
        }
        throw std::runtime_error("the migrations ran without an error");
    }

    std::vector<migration_record> records() { return run(read_migration_records(db, options)); }

    table_description describe(const std::string& table)
    {
        const describe_table_request request{table};
        return run(db.describe_table(request)).table;
    }

    std::string ns;
    migration_options options;
    std::vector<std::string> events;
};

migration posts_with_indexes()
{
    migration m;
    m.version = "20260101000000";
    m.name = "create_posts";
    migration_builder b;
    auto& posts = b.create_table("posts", "id:string", "created_at:string");
    index_definition by_user;
    by_user.index_name = "user_id-index";
    by_user.partition_key = "user_id:string";
    by_user.sort_key = "created_at:string";
    posts.global_secondary_indexes.push_back(by_user);
    index_definition by_rank;
    by_rank.index_name = "by_rank";
    by_rank.partition_key = "id:string";
    by_rank.sort_key = "rank:number";
    by_rank.projection.projection_type = projection_type::include;
    by_rank.projection.non_key_attributes = {"title"};
    posts.local_secondary_indexes.push_back(by_rank);
    m.steps = b.take_steps();
    return m;
}

migration add_slug_index()
{
    migration m;
    m.version = "20260102000000";
    m.name = "update_posts";
    migration_builder b;
    index_definition by_slug;
    by_slug.index_name = "slug-index";
    by_slug.partition_key = "slug:string";
    by_slug.projection.projection_type = projection_type::keys_only;
    b.update_table("posts").add_global_indexes.push_back(by_slug);
    m.steps = b.take_steps();
    return m;
}

migration create_table_named(std::string version, std::string name, std::string table)
{
    migration m;
    m.version = std::move(version);
    m.name = std::move(name);
    migration_builder b;
    b.create_table(std::move(table), "id:string");
    m.steps = b.take_steps();
    return m;
}

TEST_F(MigrationTest, AppliedTwiceTheSecondRunChangesNothing)
{
    const std::string posts = tracked("posts");
    tracked("schema_migrations");
    const auto first = migrate({posts_with_indexes(), add_slug_index()});
    EXPECT_EQ(first.applied, (std::vector<std::string>{"20260101000000-create_posts",
                                                       "20260102000000-update_posts"}));
    EXPECT_TRUE(first.skipped.empty());

    const auto table = describe(posts);
    EXPECT_EQ(table.table_status, table_status::active);
    ASSERT_EQ(table.global_secondary_indexes.size(), 2u);
    std::vector<std::string> names;
    for (const auto& index : table.global_secondary_indexes) names.push_back(index.index_name);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"slug-index", "user_id-index"}));
    ASSERT_EQ(table.local_secondary_indexes.size(), 1u);
    EXPECT_EQ(table.local_secondary_indexes[0].index_name, "by_rank");

    const auto recorded = records();
    ASSERT_EQ(recorded.size(), 2u);
    for (const auto& record : recorded) {
        EXPECT_EQ(record.status, migration_status::complete) << record.version;
        EXPECT_TRUE(record.time_taken_ms) << record.version;
        EXPECT_FALSE(record.started_at.empty());
        EXPECT_TRUE(record.error_message.empty());
    }

    events.clear();
    const auto second = migrate({posts_with_indexes(), add_slug_index()});
    EXPECT_TRUE(second.applied.empty());
    EXPECT_EQ(second.skipped.size(), 2u);
    EXPECT_TRUE(events.empty()) << events.front();
    EXPECT_EQ(records().size(), 2u);
}

TEST_F(MigrationTest, AFailureIsRecordedAndBlocksUntilCleared)
{
    tracked("posts");
    tracked("comments");
    tracked("schema_migrations");
    const migration first = create_table_named("20260101000000", "create_posts", "posts");
    // The same table with another key type: it exists, and differs.
    migration again = create_table_named("20260102000000", "create_posts_again", "posts");
    std::get<table_definition>(again.steps[0]).partition_key = "id:number";
    const migration later = create_table_named("20260103000000", "create_comments", "comments");

    const auto failed = migrate_error({first, again, later});
    EXPECT_EQ(failed.code(), migration_errc::migration_failed);
    EXPECT_NE(std::string(failed.what())
                  .find("migration 20260102000000-create_posts_again failed: "
                        "CreateTable " +
                        ns + "_posts"),
              std::string::npos)
        << failed.what();

    auto recorded = records();
    ASSERT_EQ(recorded.size(), 2u);
    EXPECT_EQ(recorded[0].status, migration_status::complete);
    EXPECT_EQ(recorded[1].status, migration_status::error);
    EXPECT_NE(recorded[1].error_message.find(
                  "the table exists already and differs from the migration: keys id (S, HASH) "
                  "instead of id (N, HASH)"),
              std::string::npos)
        << recorded[1].error_message;

    // Blocked: nothing runs, not even the migration after it.
    const auto blocked = migrate_error({first, again, later});
    EXPECT_EQ(blocked.code(), migration_errc::blocked);
    EXPECT_NE(std::string(blocked.what())
                  .find("a recorded error blocks migration 20260102000000-create_posts_again"),
              std::string::npos)
        << blocked.what();
    EXPECT_NE(std::string(blocked.what()).find("dynomite migrate --clear-errors"),
              std::string::npos);
    EXPECT_EQ(records().size(), 2u);

    // Fixed, then cleared: the fixed migration and the next one run.
    const migration fixed = create_table_named("20260102000000", "create_posts_again", "drafts");
    tracked("drafts");
    options.clear_errors = true;
    const auto report = migrate({first, fixed, later});
    EXPECT_EQ(report.cleared, (std::vector<std::string>{"20260102000000-create_posts_again"}));
    EXPECT_EQ(report.applied, (std::vector<std::string>{"20260102000000-create_posts_again",
                                                        "20260103000000-create_comments"}));
    recorded = records();
    ASSERT_EQ(recorded.size(), 3u);
    for (const auto& record : recorded) EXPECT_EQ(record.status, migration_status::complete);
}

TEST_F(MigrationTest, ProvisionedCapacityAndIndexChanges)
{
    const std::string posts = tracked("posts");
    tracked("schema_migrations");
    migration create;
    create.version = "20260101000000";
    create.name = "create_posts";
    migration_builder b;
    auto& table = b.create_table("posts", "id:number");
    table.billing_mode = billing_mode::provisioned;
    table.throughput = provisioned_throughput{2, 3};
    index_definition by_user;
    by_user.index_name = "user_id-index";
    by_user.partition_key = "user_id:string";
    table.global_secondary_indexes.push_back(by_user);
    create.steps = b.take_steps();

    migration change;
    change.version = "20260102000000";
    change.name = "update_posts";
    migration_builder c;
    auto& changes = c.update_table("posts");
    changes.update_global_indexes.push_back({"user_id-index", provisioned_throughput{4, 5}});
    changes.remove_global_indexes = {"user_id-index"};
    change.steps = c.take_steps();

    migrate({create, change});
    const auto described = describe(posts);
    EXPECT_TRUE(described.global_secondary_indexes.empty());
    ASSERT_TRUE(described.provisioned_throughput);
    EXPECT_EQ(described.provisioned_throughput->read_capacity_units, 2);
    EXPECT_EQ(described.key_schema.at(0).attribute_name, "id");
    EXPECT_EQ(described.attribute_definitions.at(0).type, scalar_attribute_type::n);
}

TEST_F(MigrationTest, DeleteTableWaitsUntilItIsGone)
{
    const std::string posts = tracked("posts");
    tracked("schema_migrations");
    migration drop;
    drop.version = "20260102000000";
    drop.name = "delete_posts";
    migration_builder b;
    b.delete_table("posts");
    drop.steps = b.take_steps();
    migrate({create_table_named("20260101000000", "create_posts", "posts"), drop});
    diagnostics diag;
    const auto [ec, response] = run_with_diag(describe_table_request{posts}, diag);
    EXPECT_EQ(ec, errc::resource_not_found);
}

TEST_F(MigrationTest, TtlStreamsAndTagsWhereDynamoDbLocalTakesThem)
{
    const std::string posts = tracked("posts");
    tracked("schema_migrations");
    migration create;
    create.version = "20260101000000";
    create.name = "create_posts";
    migration_builder b;
    auto& table = b.create_table("posts", "id:string");
    table.ttl_attribute = "expires_at";
    table.stream = stream_view_type::new_and_old_images;
    table.tags = {{"team", "blog"}};
    create.steps = b.take_steps();
    migrate({create});

    const auto described = describe(posts);
    ASSERT_TRUE(described.stream_specification);
    EXPECT_TRUE(described.stream_specification->stream_enabled);
    const describe_time_to_live_request ttl_request{posts};
    const auto ttl = run(db.describe_time_to_live(ttl_request));
    EXPECT_EQ(ttl.time_to_live_description.attribute_name, "expires_at");
}

// DynamoDB Local refuses TagResource ("Tagging is not currently supported"): the runner reads
// the table's real ARN, sends the TagResource, and records the refusal as the step's error.
TEST_F(MigrationTest, ARefusedTagResourceIsRecordedWithTheRequestThatFailed)
{
    tracked("posts");
    tracked("schema_migrations");
    migration tag_posts;
    tag_posts.version = "20260102000000";
    tag_posts.name = "tag_posts";
    migration_builder b;
    b.update_table("posts").tags = {{"team", "blog"}};
    tag_posts.steps = b.take_steps();
    const auto e = migrate_error({create_table_named("20260101000000", "create_posts", "posts"),
                                  tag_posts});
    EXPECT_EQ(e.code(), migration_errc::migration_failed);
    const auto recorded = records();
    ASSERT_EQ(recorded.size(), 2u);
    EXPECT_EQ(recorded[0].status, migration_status::complete);
    EXPECT_EQ(recorded[1].status, migration_status::error);
    EXPECT_EQ(recorded[1].error_message.rfind("TagResource " + ns + "_posts (team): ", 0), 0u)
        << recorded[1].error_message;
}

TEST_F(MigrationTest, UpdateTableTurnsTheStreamOnAndOffAndProtectsTheTable)
{
    const std::string posts = tracked("posts");
    tracked("schema_migrations");
    migration on;
    on.version = "20260102000000";
    on.name = "stream_posts";
    migration_builder b;
    auto& enable = b.update_table("posts");
    enable.stream = stream_view_type::new_image;
    enable.deletion_protection = true;
    on.steps = b.take_steps();
    migrate({create_table_named("20260101000000", "create_posts", "posts"), on});

    const auto enabled = describe(posts);
    ASSERT_TRUE(enabled.stream_specification);
    EXPECT_TRUE(enabled.stream_specification->stream_enabled);
    EXPECT_EQ(enabled.stream_specification->stream_view_type, stream_view_type::new_image);
    EXPECT_FALSE(enabled.latest_stream_arn.empty());
    EXPECT_EQ(enabled.deletion_protection_enabled, true);

    migration off;
    off.version = "20260103000000";
    off.name = "no_stream";
    migration_builder c;
    auto& disable = c.update_table("posts");
    disable.remove_stream = true;
    disable.deletion_protection = false;
    off.steps = c.take_steps();
    migrate({create_table_named("20260101000000", "create_posts", "posts"), on, off});

    const auto disabled = describe(posts);
    EXPECT_FALSE(disabled.stream_specification && disabled.stream_specification->stream_enabled);
    EXPECT_NE(disabled.deletion_protection_enabled, true);
}

TEST_F(MigrationTest, TheNamespaceComesFromTheEnvironment)
{
    const std::string env_ns = unique_table_name("envns");
    options.naming.namespace_.reset();
    options.naming.env = environment::from_map({{"DYNOMITE_NAMESPACE", env_ns}});
    track_table(env_ns + "_posts");
    track_table(env_ns + "_schema_migrations");
    migrate({create_table_named("20260101000000", "create_posts", "posts")});
    EXPECT_EQ(describe(env_ns + "_posts").table_status, table_status::active);
    EXPECT_EQ(describe(env_ns + "_schema_migrations").key_schema.at(0).attribute_name, "version");
}

// --- Tables that exist before their CreateTable ------------------------------------------------

TEST_F(MigrationTest, ATableThatExistsWithTheMigrationsSchemaIsAdopted)
{
    const std::string posts = tracked("posts");
    tracked("schema_migrations");
    const migration create = posts_with_indexes();
    std::vector<migration_request> requests;
    ASSERT_FALSE(build_requests(create.steps[0], options.naming, requests));
    run(db.create_table(std::get<create_table_request>(requests[0])));

    const auto report = migrate({create});
    EXPECT_EQ(report.applied, (std::vector<std::string>{"20260101000000-create_posts"}));
    EXPECT_EQ(report.adopted, (std::vector<std::string>{"20260101000000-create_posts: " + posts}));
    const std::string adopted = "20260101000000-create_posts: table " + posts +
                                " exists already with the migration's schema: adopted";
    EXPECT_NE(std::find(events.begin(), events.end(), adopted), events.end())
        << testing::PrintToString(events);
    const auto recorded = records();
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0].status, migration_status::complete);
}

TEST_F(MigrationTest, ATableThatExistsWithAnotherSchemaFailsListingTheDifferences)
{
    tracked("posts");
    tracked("schema_migrations");
    const migration create = posts_with_indexes();
    std::vector<migration_request> requests;
    ASSERT_FALSE(build_requests(create.steps[0], options.naming, requests));
    auto other = std::get<create_table_request>(requests[0]);
    // Another sort key type, the global index without its sort key, the local one
    // projecting everything, and no billing mode of its own: PROVISIONED.
    for (auto& d : other.attribute_definitions) {
        if (d.attribute_name == "created_at") d.type = scalar_attribute_type::n;
    }
    other.global_secondary_indexes[0].key_schema.pop_back();
    other.local_secondary_indexes[0].projection = projection{projection_type::all, {}};
    other.billing_mode = billing_mode::provisioned;
    other.provisioned_throughput = provisioned_throughput{5, 5};
    other.global_secondary_indexes[0].provisioned_throughput = provisioned_throughput{5, 5};
    run(db.create_table(other));

    const auto failed = migrate_error({create});
    EXPECT_EQ(failed.code(), migration_errc::migration_failed);
    const std::string message = failed.what();
    for (const std::string expected :
         {"the table exists already and differs from the migration",
          "keys id (S, HASH), created_at (N, RANGE) instead of id (S, HASH), created_at (S, "
          "RANGE)",
          "global index \"user_id-index\": keys user_id (S, HASH) instead of user_id (S, HASH), "
          "created_at (S, RANGE)",
          "local index \"by_rank\": projection ALL instead of INCLUDE (title)"}) {
        EXPECT_NE(message.find(expected), std::string::npos) << expected << "\n" << message;
    }
    const auto recorded = records();
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0].status, migration_status::error);
    EXPECT_NE(recorded[0].error_message.find("created_at (N, RANGE)"), std::string::npos);
}

TEST_F(MigrationTest, StepsWhoseAnswersWereLostCountAsDoneWhenTheTableMatches)
{
    std::vector<migration> migrations;
    for (int i = 0; i < 6; ++i) {
        const std::string table = "t" + std::to_string(i);
        tracked(table);
        migrations.push_back(
            create_table_named("2026010100000" + std::to_string(i), "create_" + table, table));
    }
    migrations.push_back(add_slug_index());
    migrations.back().steps = {};
    {
        migration_builder b;
        index_definition by_slug;
        by_slug.index_name = "slug-index";
        by_slug.partition_key = "slug:string";
        b.update_table("t0").add_global_indexes.push_back(by_slug);
        b.delete_table("t1");
        migrations.back().steps = b.take_steps();
        migrations.back().version = "20260102000000";
        migrations.back().name = "index_t0_drop_t1";
    }
    tracked("schema_migrations");

    // Answers dropped after DynamoDB applied the request: a retry meets its own effect.
    fault_proxy_options proxy_options;
    proxy_options.upstream = db.endpoint_url();
    proxy_options.fault_rate = 0.3;
    proxy_options.seed = 7;
    proxy_options.weights = fault_weights{0, 0, 0, 0, 0, 1, 1, 0, 0};
    fault_proxy proxy(proxy_options);
    auto config = base_config();
    config.endpoint = proxy.url();
    config.retry.max_attempts = 12;
    config.retry.quota_capacity = 0;
    config.retry.base_delay = std::chrono::milliseconds(1);
    client proxied(io.get_executor(), config);

    const auto report = run(run_migrations(proxied, migrations, options));
    EXPECT_EQ(report.applied.size(), 7u);

    std::size_t lost_table_answers = 0;
    for (const auto& exchange : proxy.exchanges()) {
        const bool table_request = exchange.target.ends_with(".CreateTable") ||
                                   exchange.target.ends_with(".UpdateTable") ||
                                   exchange.target.ends_with(".DeleteTable");
        if (table_request && loses_applied_answer(exchange.fault)) ++lost_table_answers;
    }
    EXPECT_GT(lost_table_answers, 0u) << "the seed must lose a table request's answer";

    for (const auto& record : records()) {
        EXPECT_EQ(record.status, migration_status::complete) << record.version;
    }
    const auto t0 = describe(ns + "_t0");
    ASSERT_EQ(t0.global_secondary_indexes.size(), 1u);
    EXPECT_EQ(t0.global_secondary_indexes[0].index_name, "slug-index");
    for (int i = 2; i < 6; ++i)
        EXPECT_EQ(describe(ns + "_t" + std::to_string(i)).table_status, table_status::active);
    diagnostics diag;
    const auto [gone, described] = run_with_diag(describe_table_request{ns + "_t1"}, diag);
    EXPECT_EQ(gone, errc::resource_not_found);
}

}  // namespace
}  // namespace dynomite::test
