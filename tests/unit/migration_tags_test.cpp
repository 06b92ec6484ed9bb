// Tags and point-in-time recovery in migrations: DynamoDB's tag rules, their JSON form, and
// the TagResource, UntagResource and UpdateContinuousBackups requests the runner sends to a
// scripted server speaking DynamoDB's wire format.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/migration/migration.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
using dynomite::test::fake_action;
using dynomite::test::fake_server;
using namespace std::chrono_literals;

std::string tag_rule_error(const std::vector<tag>& tags, const std::vector<std::string>& removed)
{
    table_changes changes;
    changes.table_name = "posts";
    changes.tags = tags;
    changes.untag = removed;
    naming_options naming;
    naming.namespace_ = std::string();
    std::vector<migration_request> out;
    std::string why;
    const error_code ec = build_requests(changes, naming, out, &why);
    EXPECT_EQ(ec, migration_errc::invalid_migration);
    EXPECT_TRUE(out.empty());
    return why;
}

std::vector<tag> many_tags(std::size_t count)
{
    std::vector<tag> out;
    for (std::size_t i = 0; i < count; ++i) out.push_back({"k" + std::to_string(i), "v"});
    return out;
}

std::string repeated(std::string_view piece, std::size_t times)
{
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += piece;
    return out;
}

TEST(MigrationTagRules, AcceptTheLimitsThemselves)
{
    std::vector<tag> tags = many_tags(max_tags_per_table - 2);
    tags.push_back({repeated("k", 128), repeated("v", 256)});
    // Lengths are characters: 128 two-byte characters are a valid key.
    tags.push_back({repeated("\xC3\xA9", 128), ""});
    std::string why;
    EXPECT_FALSE(check_tags("update_table \"posts\"", tags, {"old"}, &why)) << why;
}

TEST(MigrationTagRules, RefuseWhatDynamoDbRefuses)
{
    const std::string where = "update_table \"posts\": ";
    EXPECT_EQ(tag_rule_error({{"", "x"}}, {}), where + "a tag key is empty");
    EXPECT_EQ(tag_rule_error({{repeated("k", 129), "x"}}, {}),
              where + "tag key \"" + repeated("k", 129) +
                  "\" has 129 characters; at most 128 are allowed");
    EXPECT_EQ(tag_rule_error({{"team", repeated("\xC3\xA9", 257)}}, {}),
              where + "the value of tag \"team\" has 257 characters; at most 256 are allowed");
    EXPECT_EQ(tag_rule_error(many_tags(51), {}), where + "51 tags; a table takes at most 50");
    EXPECT_EQ(tag_rule_error({{"aws:owner", "x"}}, {}),
              where + "tag key \"aws:owner\" starts with \"aws:\", which AWS reserves");
    EXPECT_EQ(tag_rule_error({{"AWS:owner", "x"}}, {}),
              where + "tag key \"AWS:owner\" starts with \"aws:\", which AWS reserves");
    EXPECT_EQ(tag_rule_error({{"team", "a"}, {"team", "b"}}, {}),
              where + "tag \"team\" is set twice");
    EXPECT_EQ(tag_rule_error({{"team", "a"}}, {"team"}),
              where + "tag \"team\" is both set and removed");
    EXPECT_EQ(tag_rule_error({}, {"old", "old"}), where + "tag \"old\" is removed twice");
    EXPECT_EQ(tag_rule_error({}, {""}), where + "a tag key is empty");
    EXPECT_EQ(tag_rule_error({}, {"aws:cloudformation:stack-name"}),
              where +
                  "tag key \"aws:cloudformation:stack-name\" starts with \"aws:\", which AWS "
                  "reserves");
}

TEST(MigrationTagRules, ApplyToCreateTableToo)
{
    table_definition table;
    table.table_name = "posts";
    table.partition_key = "id:string";
    table.tags = {{"aws:x", "1"}};
    std::vector<migration_request> out;
    std::string why;
    naming_options naming;
    naming.namespace_ = std::string();
    EXPECT_EQ(build_requests(table, naming, out, &why), migration_errc::invalid_migration);
    EXPECT_EQ(why, "create_table \"posts\": tag key \"aws:x\" starts with \"aws:\", which AWS "
                   "reserves");
}

TEST(MigrationTagRequests, UpdateTableUntagsThenTagsThenSetsRecovery)
{
    table_changes changes;
    changes.table_name = "posts";
    changes.tags = {{"team", "blog"}};
    changes.untag = {"old"};
    changes.point_in_time_recovery = false;
    naming_options naming;
    naming.namespace_ = "app";
    std::vector<migration_request> out;
    ASSERT_FALSE(build_requests(changes, naming, out));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(describe_request(out[0]), "UntagResource app_posts (old)");
    EXPECT_EQ(describe_request(out[1]), "TagResource app_posts (team)");
    EXPECT_EQ(describe_request(out[2]),
              "UpdateContinuousBackups app_posts (point-in-time recovery off)");
    EXPECT_EQ(request_table_name(out[2]), "app_posts");
}

// --- JSON ------------------------------------------------------------------------------------

std::string json_error(std::string_view text)
{
    std::vector<migration_step> steps;
    std::string why;
    EXPECT_EQ(parse_migration_json(text, "m.json", steps, &why), migration_errc::invalid_migration)
        << text;
    return why;
}

TEST(MigrationTagJson, ReadsTagsUntagAndRecovery)
{
    std::vector<migration_step> steps;
    std::string why;
    ASSERT_FALSE(parse_migration_json(
        R"({"up": [
              {"create_table": {"table_name": "posts", "partition_key": "id",
                                "tags": {"team": "blog"}, "point_in_time_recovery": true}},
              {"update_table": {"table_name": "posts", "tags": {"env": "prod", "note": ""},
                                "untag": ["team"], "point_in_time_recovery": false}}]})",
        "m.json", steps, &why))
        << why;
    ASSERT_EQ(steps.size(), 2u);
    const auto& created = std::get<table_definition>(steps[0]);
    ASSERT_EQ(created.tags.size(), 1u);
    EXPECT_EQ(created.tags[0].key, "team");
    EXPECT_EQ(created.point_in_time_recovery, true);
    const auto& changed = std::get<table_changes>(steps[1]);
    ASSERT_EQ(changed.tags.size(), 2u);
    EXPECT_EQ(changed.tags[1].key, "note");
    EXPECT_EQ(changed.tags[1].value, "");
    EXPECT_EQ(changed.untag, std::vector<std::string>{"team"});
    EXPECT_EQ(changed.point_in_time_recovery, false);
}

TEST(MigrationTagJson, NamesThePathOfEachMistake)
{
    EXPECT_EQ(json_error(R"({"up": [{"create_table": {"table_name": "posts",
        "partition_key": "id", "point_in_time_recovery": "yes"}}]})"),
              "m.json: up[0].create_table.point_in_time_recovery: expected true or false, got "
              "string \"yes\"");
    EXPECT_EQ(json_error(R"({"up": [{"update_table": {"table_name": "posts",
        "point_in_time_recovery": 1}}]})"),
              "m.json: up[0].update_table.point_in_time_recovery: expected true or false, got "
              "number 1");
    EXPECT_EQ(json_error(R"({"up": [{"update_table": {"table_name": "posts", "untag": "a"}}]})"),
              "m.json: up[0].update_table.untag: expected an array, got string \"a\"");
    EXPECT_EQ(json_error(R"({"up": [{"update_table": {"table_name": "posts", "untag": [3]}}]})"),
              "m.json: up[0].update_table.untag[0]: expected a tag key, got number 3");
    EXPECT_EQ(json_error(R"({"up": [{"update_table": {"table_name": "posts", "tags": ["a"]}}]})"),
              "m.json: up[0].update_table.tags: expected an object of strings, got an array");
    EXPECT_EQ(json_error(R"({"up": [{"update_table": {"table_name": "posts",
        "tags": {"team": 7}}}]})"),
              "m.json: up[0].update_table.tags.team: expected a string, got number 7");
    EXPECT_EQ(json_error(R"({"up": [{"update_table": {"table_name": "posts",
        "tags": {"aws:team": "x"}}}]})"),
              "m.json: up[0].update_table: update_table \"posts\": tag key \"aws:team\" starts "
              "with \"aws:\", which AWS reserves");
}

// --- The runner against a scripted server ----------------------------------------------------

constexpr std::string_view arn = "arn:aws:dynamodb:us-east-1:123456789012:table/posts";

std::string posts_table(std::string_view status, bool with_arn = true)
{
    return R"({"TableName": "posts", "TableStatus": ")" + std::string(status) +
           R"(", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
           "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"})" +
           (with_arn ? R"(, "TableArn": ")" + std::string(arn) + "\"" : std::string()) + "}";
}

constexpr std::string_view migrations_active =
    R"({"Table": {"TableName": "schema_migrations", "TableStatus": "ACTIVE"}})";
constexpr std::string_view no_records = R"({"Items": [], "Count": 0, "ScannedCount": 0})";

class MigrationTagRunner : public ::testing::Test {
protected:
    void SetUp() override
    {
        server.enqueue(fake_action::ok(std::string(migrations_active)));
        server.enqueue(fake_action::ok(std::string(no_records)));
        server.enqueue(fake_action::ok("{}"));  // PutItem in_progress
    }

    migration_options options()
    {
        migration_options o;
        o.naming.namespace_ = std::string();
        o.max_wait_polls = 3;
        o.first_poll_delay = 1ms;
        o.max_poll_delay = 2ms;
        return o;
    }

    void run(migration m)
    {
        client_config cfg = dynomite::test::fake_client_config(server);
        cfg.retry.max_attempts = 1;
        std::vector<migration> migrations{std::move(m)};
        std::exception_ptr thrown;
        boost::asio::co_spawn(
            io, run_migrations(client(io.get_executor(), cfg), std::move(migrations), options()),
            [&](std::exception_ptr e, migration_report r) {
                thrown = e;
                report = std::move(r);
            });
        io.run();
        if (!thrown) return;
        try {
            std::rethrow_exception(thrown);
        } catch (const dynomite::error& e) {
            failure.emplace(e.code(), e.what());
        }
    }

    std::vector<std::string> targets() const
    {
        std::vector<std::string> out;
        for (const auto& request : server.requests()) {
            const std::string target = request.header("x-amz-target").value_or("");
            EXPECT_EQ(target.rfind("DynamoDB_20120810.", 0), 0u) << target;
            out.push_back(target.substr(target.find('.') + 1));
        }
        return out;
    }

    boost::json::value body(std::size_t index) const
    {
        return boost::json::parse(server.requests().at(index).body);
    }

    static migration named(std::string name, migration_builder& b)
    {
        migration m;
        m.version = "20260101000000";
        m.name = std::move(name);
        m.steps = b.take_steps();
        return m;
    }

    static migration tag_posts()
    {
        migration_builder b;
        auto& changes = b.update_table("posts");
        changes.tags = {{"team", "blog"}};
        return named("tag_posts", b);
    }

    fake_server server;
    boost::asio::io_context io;
    migration_report report;
    std::optional<std::pair<error_code, std::string>> failure;
};

TEST_F(MigrationTagRunner, CreateTableSendsTagsThenRecoveryOnceActive)
{
    server.enqueue(fake_action::ok(R"({"TableDescription": )" + posts_table("CREATING") + "}"));
    server.enqueue(fake_action::ok(R"({"Table": )" + posts_table("ACTIVE") + "}"));
    server.enqueue(fake_action::ok(R"({"ContinuousBackupsDescription": {
        "ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription":
        {"PointInTimeRecoveryStatus": "ENABLED"}}})"));
    server.enqueue(fake_action::ok("{}"));  // PutItem complete
    migration_builder b;
    auto& posts = b.create_table("posts", "id:string");
    posts.tags = {{"team", "blog"}};
    posts.point_in_time_recovery = true;
    run(named("create_posts", b));
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_EQ(targets(),
              (std::vector<std::string>{"DescribeTable", "Scan", "PutItem", "CreateTable",
                                        "DescribeTable", "UpdateContinuousBackups", "PutItem"}));
    EXPECT_EQ(body(3).at("Tags"), boost::json::parse(R"([{"Key": "team", "Value": "blog"}])"));
    EXPECT_EQ(body(5), boost::json::parse(R"({"TableName": "posts",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}})"));
}

TEST_F(MigrationTagRunner, UpdateTableUntagsAndTagsTheTablesArnThenSetsRecovery)
{
    const std::string described = R"({"Table": )" + posts_table("ACTIVE") + "}";
    server.enqueue(fake_action::ok(described));
    server.enqueue(fake_action::ok("{}"));  // UntagResource
    server.enqueue(fake_action::ok(described));
    server.enqueue(fake_action::ok("{}"));  // TagResource
    server.enqueue(fake_action::ok("{}"));  // UpdateContinuousBackups
    server.enqueue(fake_action::ok("{}"));  // PutItem complete
    migration_builder b;
    auto& changes = b.update_table("posts");
    changes.tags = {{"team", "blog"}, {"env", "prod"}};
    changes.untag = {"old", "older"};
    changes.point_in_time_recovery = false;
    run(named("retag_posts", b));
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_EQ(targets(), (std::vector<std::string>{"DescribeTable", "Scan", "PutItem",
                                                   "DescribeTable", "UntagResource",
                                                   "DescribeTable", "TagResource",
                                                   "UpdateContinuousBackups", "PutItem"}));
    EXPECT_EQ(body(3), boost::json::parse(R"({"TableName": "posts"})"));
    EXPECT_EQ(body(4), boost::json::parse(R"({"ResourceArn": ")" + std::string(arn) +
                                          R"(", "TagKeys": ["old", "older"]})"));
    EXPECT_EQ(body(6), boost::json::parse(R"({"ResourceArn": ")" + std::string(arn) +
                                          R"(", "Tags": [{"Key": "team", "Value": "blog"},
                                          {"Key": "env", "Value": "prod"}]})"));
    EXPECT_EQ(body(7), boost::json::parse(R"({"TableName": "posts",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": false}})"));
    EXPECT_NE(server.requests()[8].body.find("\"complete\""), std::string::npos);
}

TEST_F(MigrationTagRunner, ARefusedTagResourceFailsTheMigrationAndIsRecorded)
{
    server.enqueue(fake_action::ok(R"({"Table": )" + posts_table("ACTIVE") + "}"));
    server.enqueue(fake_action::aws_error(400, "ValidationException", "Invalid tag value"));
    server.enqueue(fake_action::ok("{}"));  // PutItem error
    run(tag_posts());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::migration_failed);
    EXPECT_NE(failure->second.find("TagResource posts (team): "), std::string::npos)
        << failure->second;
    EXPECT_NE(failure->second.find("Invalid tag value"), std::string::npos) << failure->second;
    EXPECT_EQ(targets(), (std::vector<std::string>{"DescribeTable", "Scan", "PutItem",
                                                   "DescribeTable", "TagResource", "PutItem"}));
    const std::string recorded = server.requests()[5].body;
    EXPECT_NE(recorded.find("\"error\""), std::string::npos) << recorded;
    EXPECT_NE(recorded.find("TagResource posts (team)"), std::string::npos) << recorded;
}

TEST_F(MigrationTagRunner, AMissingTableFailsBeforeTagResource)
{
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException",
                                          "Requested resource not found"));
    server.enqueue(fake_action::ok("{}"));  // PutItem error
    run(tag_posts());
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::migration_failed);
    EXPECT_NE(failure->second.find("DescribeTable posts (the table's ARN, for TagResource posts "
                                   "(team)): "),
              std::string::npos)
        << failure->second;
    EXPECT_EQ(targets(),
              (std::vector<std::string>{"DescribeTable", "Scan", "PutItem", "DescribeTable",
                                        "PutItem"}));
}

TEST_F(MigrationTagRunner, ADescriptionWithoutAnArnFailsTheMigration)
{
    server.enqueue(fake_action::ok(R"({"Table": )" + posts_table("ACTIVE", false) + "}"));
    server.enqueue(fake_action::ok("{}"));  // PutItem error
    run(tag_posts());
    ASSERT_TRUE(failure);
    EXPECT_NE(failure->second.find("the answer has no TableArn"), std::string::npos)
        << failure->second;
    EXPECT_EQ(targets().size(), 5u);
}

TEST_F(MigrationTagRunner, ARefusedRecoveryAfterCreateTableFailsTheMigration)
{
    server.enqueue(fake_action::ok(R"({"TableDescription": )" + posts_table("ACTIVE") + "}"));
    server.enqueue(fake_action::ok(R"({"Table": )" + posts_table("ACTIVE") + "}"));
    server.enqueue(fake_action::aws_error(400, "ContinuousBackupsUnavailableException",
                                          "Backups are being enabled for the table"));
    server.enqueue(fake_action::ok("{}"));  // PutItem error
    migration_builder b;
    b.create_table("posts", "id:string").point_in_time_recovery = true;
    run(named("create_posts", b));
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->first, migration_errc::migration_failed);
    EXPECT_NE(failure->second.find("UpdateContinuousBackups posts (point-in-time recovery on): "),
              std::string::npos)
        << failure->second;
    EXPECT_EQ(targets(),
              (std::vector<std::string>{"DescribeTable", "Scan", "PutItem", "CreateTable",
                                        "DescribeTable", "UpdateContinuousBackups", "PutItem"}));
    EXPECT_NE(server.requests()[6].body.find("Backups are being enabled"), std::string::npos);
}

TEST_F(MigrationTagRunner, AnAdoptedTableGetsTheCreateTablesTagsWithTagResource)
{
    const std::string described = R"({"Table": )" + posts_table("ACTIVE") + "}";
    server.enqueue(
        fake_action::aws_error(400, "ResourceInUseException", "Table already exists: posts"));
    server.enqueue(fake_action::ok(described));
    server.enqueue(fake_action::ok(described));
    server.enqueue(fake_action::ok("{}"));  // TagResource
    server.enqueue(fake_action::ok("{}"));  // PutItem complete
    migration_builder b;
    b.create_table("posts", "id:string").tags = {{"team", "blog"}};
    run(named("create_posts", b));
    ASSERT_FALSE(failure) << failure->second;
    EXPECT_EQ(report.adopted, std::vector<std::string>{"20260101000000-create_posts: posts"});
    EXPECT_EQ(targets(), (std::vector<std::string>{"DescribeTable", "Scan", "PutItem",
                                                   "CreateTable", "DescribeTable",
                                                   "DescribeTable", "TagResource", "PutItem"}));
    EXPECT_EQ(body(6), boost::json::parse(R"({"ResourceArn": ")" + std::string(arn) +
                                          R"(", "Tags": [{"Key": "team", "Value": "blog"}]})"));
}

TEST(MigrationTagRunnerInput, BadTagsStopTheRunBeforeAnythingIsSent)
{
    fake_server server;
    boost::asio::io_context io;
    client_config cfg = dynomite::test::fake_client_config(server);
    migration_builder b;
    b.update_table("posts").tags = {{"aws:team", "x"}};
    migration m;
    m.version = "20260101000000";
    m.name = "tag_posts";
    m.steps = b.take_steps();
    std::vector<migration> migrations{std::move(m)};
    std::exception_ptr thrown;
    boost::asio::co_spawn(io, run_migrations(client(io.get_executor(), cfg), migrations),
                          [&](std::exception_ptr e, migration_report) { thrown = e; });
    io.run();
    ASSERT_TRUE(thrown);
    try {
        std::rethrow_exception(thrown);
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), migration_errc::invalid_migration);
        EXPECT_NE(std::string(e.what()).find("tag key \"aws:team\" starts with \"aws:\""),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
