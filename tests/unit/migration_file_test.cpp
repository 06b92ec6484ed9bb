// Migration files and the requests their steps make: key specs, file names, every error path
// of the JSON reader, and the builder used by migrations written in C++.
#include "cli.hpp"

#include <dynomite/migration/migration.hpp>
#include <dynomite/core/time.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace dynomite;

naming_options no_namespace()
{
    naming_options naming;
    naming.namespace_ = std::string();
    return naming;
}

naming_options in_namespace(std::string ns)
{
    naming_options naming;
    naming.namespace_ = std::move(ns);
    return naming;
}

std::vector<migration_request> requests_of(const migration_step& step,
                                           const naming_options& naming = no_namespace())
{
    std::vector<migration_request> out;
    std::string why;
    const error_code ec = build_requests(step, naming, out, &why);
    EXPECT_FALSE(ec) << why;
    return out;
}

std::string build_error(const migration_step& step)
{
    std::vector<migration_request> out;
    std::string why;
    const error_code ec = build_requests(step, no_namespace(), out, &why);
    EXPECT_EQ(ec, migration_errc::invalid_migration);
    EXPECT_TRUE(out.empty());
    return why;
}

std::vector<migration_step> parse_ok(std::string_view text)
{
    std::vector<migration_step> steps;
    std::string why;
    const error_code ec = parse_migration_json(text, "m.json", steps, &why);
    EXPECT_FALSE(ec) << why;
    return steps;
}

std::string parse_error(std::string_view text)
{
    std::vector<migration_step> steps;
    std::string why;
    const error_code ec = parse_migration_json(text, "m.json", steps, &why);
    EXPECT_EQ(ec, migration_errc::invalid_migration) << text;
    return why;
}

// --- Key specs -------------------------------------------------------------------------------

TEST(KeySpec, ReadsEveryTypeSpelling)
{
    const std::vector<std::pair<std::string, scalar_attribute_type>> cases = {
        {"id:string", scalar_attribute_type::s}, {"id:s", scalar_attribute_type::s},
        {"id:S", scalar_attribute_type::s},      {"id:number", scalar_attribute_type::n},
        {"id:N", scalar_attribute_type::n},      {"id:binary", scalar_attribute_type::b},
        {"id:b", scalar_attribute_type::b},      {"id", scalar_attribute_type::s},
    };
    for (const auto& [spec, type] : cases) {
        key_attribute key;
        EXPECT_FALSE(parse_key_attribute(spec, key)) << spec;
        EXPECT_EQ(key.name, "id") << spec;
        EXPECT_EQ(key.type, type) << spec;
    }
}

TEST(KeySpec, RefusesAnEmptyNameOrAnUnknownType)
{
    key_attribute key;
    std::string why;
    EXPECT_EQ(parse_key_attribute(":string", key, &why), errc::invalid_argument);
    EXPECT_NE(why.find("no attribute name"), std::string::npos) << why;
    EXPECT_EQ(parse_key_attribute("id:integer", key, &why), errc::invalid_argument);
    EXPECT_NE(why.find("\"integer\""), std::string::npos) << why;
    EXPECT_NE(why.find("string, number or binary"), std::string::npos) << why;
    EXPECT_THROW(parse_key_attribute("id:date"), dynomite::error);
}

// --- File names ------------------------------------------------------------------------------

TEST(MigrationFileName, SplitsVersionAndName)
{
    std::string version;
    std::string name;
    ASSERT_FALSE(parse_migration_file_name("20260125093000-create_posts.json", version, name));
    EXPECT_EQ(version, "20260125093000");
    EXPECT_EQ(name, "create_posts");
    EXPECT_FALSE(parse_migration_file_name("20240229235959-leap_day.json", version, name));
}

TEST(MigrationFileName, RefusesWhatIsNotTheFormat)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"20260125093000-create_posts.yaml", "does not end in .json"},
        {"2026012509300-create_posts.json", "14 digits"},
        {"20260125093000_create_posts.json", "14 digits"},
        {"20260125093000-.json", "14 digits"},
        {"20261325093000-create_posts.json", "not a valid date"},
        {"20250229093000-create_posts.json", "not a valid date"},
        {"20260125246000-create_posts.json", "not a valid date"},
        {"20260125093000-create posts.json", "other than letters"},
    };
    for (const auto& [file, expected] : cases) {
        std::string version = "unchanged";
        std::string name;
        std::string why;
        EXPECT_EQ(parse_migration_file_name(file, version, name, &why),
                  migration_errc::invalid_migration)
            << file;
        EXPECT_NE(why.find(expected), std::string::npos) << why;
        EXPECT_NE(why.find(file), std::string::npos) << why;
        EXPECT_NE(why.find("YYYYmmddHHMMSS-name.json"), std::string::npos) << why;
        EXPECT_EQ(version, "unchanged");
    }
}

// --- Parsing ---------------------------------------------------------------------------------

constexpr std::string_view full_example = R"({
  // comments and trailing commas are allowed
  "up": [
    {"create_table": {
        "table_name": "posts",
        "partition_key": "id:string",
        "sort_key": "created_at:string",
        "billing_mode": "PROVISIONED",
        "read_capacity": 5, "write_capacity": 6,
        "global_secondary_indexes": [
          {"index_name": "user_id-index", "partition_key": "user_id:string",
           "sort_key": "created_at:string", "projection": "ALL"},
          {"index_name": "status-index", "partition_key": "status:s",
           "projection": "KEYS_ONLY", "read_capacity": 1, "write_capacity": 2},
        ],
        "local_secondary_indexes": [
          {"index_name": "by_rank", "partition_key": "id:string", "sort_key": "rank:number",
           "projection": ["title", "body"]},
        ],
        "ttl_attribute": "expires_at", "stream": "NEW_AND_OLD_IMAGES", "sse": true,
        "tags": {"team": "blog"}, "deletion_protection": false }},
    {"update_table": {"table_name": "posts", "add_gsi": {"index_name": "slug-index",
        "partition_key": "slug"}}},
    {"update_table": {"table_name": "posts", "remove_gsi": ["a-index", "b-index"],
        "update_gsi": {"index_name": "status-index", "read_capacity": 3, "write_capacity": 4}}},
    {"update_table": {"table_name": "posts", "billing_mode": "PAY_PER_REQUEST"}},
    {"update_ttl": {"table_name": "posts", "attribute": "expires_at", "enabled": false}},
    {"delete_table": {"table_name": "posts"}},
  ],
})";

TEST(MigrationJson, ReadsEveryKindOfStep)
{
    const auto steps = parse_ok(full_example);
    ASSERT_EQ(steps.size(), 6u);

    const auto& table = std::get<table_definition>(steps[0]);
    EXPECT_EQ(table.table_name, "posts");
    EXPECT_EQ(table.partition_key, "id:string");
    EXPECT_EQ(table.sort_key, "created_at:string");
    EXPECT_EQ(table.billing_mode, billing_mode::provisioned);
    ASSERT_TRUE(table.throughput);
    EXPECT_EQ(table.throughput->read_capacity_units, 5);
    EXPECT_EQ(table.throughput->write_capacity_units, 6);
    ASSERT_EQ(table.global_secondary_indexes.size(), 2u);
    EXPECT_EQ(table.global_secondary_indexes[0].projection.projection_type, projection_type::all);
    EXPECT_EQ(table.global_secondary_indexes[1].projection.projection_type,
              projection_type::keys_only);
    ASSERT_TRUE(table.global_secondary_indexes[1].throughput);
    EXPECT_EQ(table.global_secondary_indexes[1].throughput->write_capacity_units, 2);
    ASSERT_EQ(table.local_secondary_indexes.size(), 1u);
    EXPECT_EQ(table.local_secondary_indexes[0].projection.projection_type,
              projection_type::include);
    EXPECT_EQ(table.local_secondary_indexes[0].projection.non_key_attributes,
              (std::vector<std::string>{"title", "body"}));
    EXPECT_EQ(table.ttl_attribute, "expires_at");
    EXPECT_EQ(table.stream, stream_view_type::new_and_old_images);
    EXPECT_EQ(table.sse, true);
    ASSERT_EQ(table.tags.size(), 1u);
    EXPECT_EQ(table.tags[0].key, "team");
    EXPECT_EQ(table.tags[0].value, "blog");
    EXPECT_EQ(table.deletion_protection, false);

    const auto& add = std::get<table_changes>(steps[1]);
    ASSERT_EQ(add.add_global_indexes.size(), 1u);
    EXPECT_EQ(add.add_global_indexes[0].index_name, "slug-index");
    const auto& change = std::get<table_changes>(steps[2]);
    EXPECT_EQ(change.remove_global_indexes, (std::vector<std::string>{"a-index", "b-index"}));
    ASSERT_EQ(change.update_global_indexes.size(), 1u);
    EXPECT_EQ(change.update_global_indexes[0].throughput.read_capacity_units, 3);
    EXPECT_EQ(std::get<table_changes>(steps[3]).billing_mode, billing_mode::pay_per_request);
    const auto& ttl = std::get<ttl_change>(steps[4]);
    EXPECT_EQ(ttl.attribute, "expires_at");
    EXPECT_FALSE(ttl.enabled);
    EXPECT_EQ(std::get<table_deletion>(steps[5]).table_name, "posts");
}

TEST(MigrationJson, DefaultsPayPerRequestAndTtlEnabled)
{
    const auto steps = parse_ok(R"({"up": [
        {"create_table": {"table_name": "posts", "partition_key": "id"}},
        {"update_ttl": {"table_name": "posts", "attribute": "expires_at"}}]})");
    EXPECT_EQ(std::get<table_definition>(steps[0]).billing_mode, billing_mode::pay_per_request);
    EXPECT_TRUE(std::get<ttl_change>(steps[1]).enabled);
}

TEST(MigrationJson, ErrorsNameTheFileThePathAndWhatIsExpected)
{
    struct error_case {
        std::string text;
        std::string expected;
    };
    const std::string create = R"({"up": [{"create_table": {"table_name": "posts", )";
    const std::vector<error_case> cases = {
        {"{\"up\": [", "m.json: not valid JSON at line 1"},
        {"{\n  \"up\": [}\n", "line 2, column"},
        {"[]", "m.json: expected an object, got an array"},
        {"{}", "m.json: missing \"up\""},
        {R"({"up": {}})", "m.json: up: expected an array of steps, got an object"},
        {R"({"up": []})", "up: expected at least one step"},
        {R"({"up": [], "down": []})", "unknown key \"down\"; expected one of up"},
        {R"({"up": [3]})", "up[0]: expected an object, got number 3"},
        {R"({"up": [{}]})", "up[0]: expected exactly one of create_table"},
        {R"({"up": [{"create_table": {}, "delete_table": {}}]})", "got 2"},
        {R"({"up": [{"rename_table": {}}]})", "up[0]: unknown key \"rename_table\""},
        {R"({"up": [{"create_table": {"partition_key": "id"}}]})",
         "up[0].create_table: missing \"table_name\""},
        {R"({"up": [{"create_table": {"table_name": "posts"}}]})",
         "up[0].create_table: missing \"partition_key\""},
        {R"({"up": [{"create_table": {"table_name": 7, "partition_key": "id"}}]})",
         "up[0].create_table.table_name: expected a string, got number 7"},
        {R"({"up": [{"create_table": {"table_name": "", "partition_key": "id"}}]})",
         "up[0].create_table.table_name: expected a non-empty string"},
        {create + R"("partition_key": "id:int"}}]})",
         "up[0].create_table.partition_key: key \"id:int\" has type \"int\""},
        {create + R"("partition_key": "id", "sort_key": ":n"}}]})",
         "up[0].create_table.sort_key: key \":n\" has no attribute name"},
        {create + R"("partition_key": "id", "colour": "red"}}]})",
         "up[0].create_table: unknown key \"colour\"; expected one of table_name, "},
        {create + R"("partition_key": "id", "billing_mode": "ON_DEMAND"}}]})",
         "up[0].create_table.billing_mode: expected \"PAY_PER_REQUEST\" or \"PROVISIONED\", "
         "got string \"ON_DEMAND\""},
        {create + R"("partition_key": "id", "billing_mode": "PROVISIONED", "read_capacity": 5}}]})",
         "up[0].create_table: \"write_capacity\" is missing"},
        {create + R"("partition_key": "id", "billing_mode": "PROVISIONED", "read_capacity": 0,
             "write_capacity": 1}}]})",
         "up[0].create_table.read_capacity: expected a whole number of at least 1, got number 0"},
        {create + R"("partition_key": "id", "billing_mode": "PROVISIONED", "read_capacity": 1.5,
             "write_capacity": 1}}]})",
         "up[0].create_table.read_capacity: expected a whole number"},
        {create + R"("partition_key": "id", "billing_mode": "PROVISIONED"}}]})",
         "up[0].create_table: create_table \"posts\": PROVISIONED billing needs read_capacity"},
        {create + R"("partition_key": "id", "read_capacity": 1, "write_capacity": 1}}]})",
         "need PROVISIONED billing, not PAY_PER_REQUEST"},
        {create + R"("partition_key": "id", "global_secondary_indexes": {}}}]})",
         "up[0].create_table.global_secondary_indexes: expected an array, got an object"},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a-index", "partition_key": "a"},
            {"index_name": "b-index", "partition_key": "b", "projection": 3}]}}]})",
         "up[0].create_table.global_secondary_indexes[1].projection: expected \"ALL\", "
         "\"KEYS_ONLY\" or an array of attribute names, got number 3"},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a-index", "partition_key": "a", "projection": "INCLUDE"}]}}]})",
         "global_secondary_indexes[0].projection: expected \"ALL\""},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a-index", "partition_key": "a", "projection": []}]}}]})",
         "global_secondary_indexes[0].projection: expected at least one attribute name"},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a-index", "partition_key": "a", "projection": ["x", 2]}]}}]})",
         "global_secondary_indexes[0].projection[1]: expected an attribute name, got number 2"},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a-index"}]}}]})",
         "global_secondary_indexes[0]: missing \"partition_key\""},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a-index", "partition_key": "a", "unique": true}]}}]})",
         "global_secondary_indexes[0]: unknown key \"unique\""},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a", "partition_key": "a"}]}}]})",
         "global index name \"a\" is too short"},
        {create + R"("partition_key": "id", "sort_key": "t", "local_secondary_indexes": [
            {"index_name": "l-index", "partition_key": "other", "sort_key": "r"}]}}]})",
         "local index \"l-index\": partition_key \"other\" must be the table's, \"id\""},
        {create + R"("partition_key": "id", "sort_key": "t", "local_secondary_indexes": [
            {"index_name": "l-index", "partition_key": "id"}]}}]})",
         "local index \"l-index\" needs a sort_key"},
        {create + R"("partition_key": "id", "local_secondary_indexes": [
            {"index_name": "l-index", "partition_key": "id", "sort_key": "r"}]}}]})",
         "local indexes need a table with a sort_key"},
        {create + R"("partition_key": "id", "sort_key": "t:n", "global_secondary_indexes": [
            {"index_name": "a-index", "partition_key": "t:s"}]}}]})",
         "attribute \"t\" is used as a key with two types, N and S"},
        {create + R"("partition_key": "id", "global_secondary_indexes": [
            {"index_name": "a-index", "partition_key": "a"},
            {"index_name": "a-index", "partition_key": "b"}]}}]})",
         "two indexes are named \"a-index\""},
        {create + R"("partition_key": "id", "stream": "ALL"}}]})",
         "up[0].create_table.stream: expected \"NEW_IMAGE\""},
        {create + R"("partition_key": "id", "sse": "yes"}}]})",
         "up[0].create_table.sse: expected true or false, got string \"yes\""},
        {create + R"("partition_key": "id", "tags": ["team"]}}]})",
         "up[0].create_table.tags: expected an object of strings, got an array"},
        {create + R"("partition_key": "id", "tags": {"team": 1}}}]})",
         "up[0].create_table.tags.team: expected a string, got number 1"},
        {create + R"("partition_key": "id", "deletion_protection": null}}]})",
         "up[0].create_table.deletion_protection: expected true or false, got null"},
        {R"({"up": [{"update_table": {"table_name": "posts"}}]})",
         "up[0].update_table: update_table \"posts\" changes nothing"},
        {R"({"up": [{"update_table": {"table_name": "posts", "stream": true}}]})",
         "up[0].update_table.stream: expected \"NEW_IMAGE\", \"OLD_IMAGE\", "
         "\"NEW_AND_OLD_IMAGES\", \"KEYS_ONLY\" or false, got true"},
        {R"({"up": [{"update_table": {"table_name": "posts", "stream": "ALL"}}]})",
         "up[0].update_table.stream: expected \"NEW_IMAGE\""},
        {R"({"up": [{"update_table": {"table_name": "posts", "deletion_protection": 1}}]})",
         "up[0].update_table.deletion_protection: expected true or false, got number 1"},
        {R"({"up": [{"update_table": {"table_name": "posts", "add_gsi": 1}}]})",
         "up[0].update_table.add_gsi: expected an object, got number 1"},
        {R"({"up": [{"update_table": {"table_name": "posts", "add_gsi": [{"index_name":
            "x-index"}]}}]})",
         "up[0].update_table.add_gsi[0]: missing \"partition_key\""},
        {R"({"up": [{"update_table": {"table_name": "posts", "remove_gsi": [""]}}]})",
         "up[0].update_table.remove_gsi[0]: expected an index name"},
        {R"({"up": [{"update_table": {"table_name": "posts", "update_gsi": {"index_name":
            "x-index"}}}]})",
         "up[0].update_table.update_gsi: missing \"read_capacity\" and \"write_capacity\""},
        {R"({"up": [{"update_table": {"table_name": "posts", "update_gsi": {"index_name":
            "x-index", "read_capacity": 1, "write_capacity": 1, "max": 3}}}]})",
         "up[0].update_table.update_gsi: unknown key \"max\""},
        {R"({"up": [{"update_table": {"table_name": "posts", "billing_mode": "PAY_PER_REQUEST",
            "read_capacity": 1, "write_capacity": 1}}]})",
         "need PROVISIONED billing, not PAY_PER_REQUEST"},
        {R"({"up": [{"update_table": {"table_name": "posts", "billing_mode": "PROVISIONED"}}]})",
         "PROVISIONED billing needs read_capacity and write_capacity"},
        {R"({"up": [{"delete_table": {"table": "posts"}}]})",
         "up[0].delete_table: unknown key \"table\""},
        {R"({"up": [{"delete_table": []}]})", "up[0].delete_table: expected an object"},
        {R"({"up": [{"update_ttl": {"table_name": "posts"}}]})",
         "up[0].update_ttl: missing \"attribute\""},
        {R"({"up": [{"update_ttl": {"table_name": "posts", "attribute": "t", "enabled": 1}}]})",
         "up[0].update_ttl.enabled: expected true or false, got number 1"},
        {R"({"up": [{"delete_table": {"table_name": "x"}}]})", "table name \"x\" is too short"},
        {R"({"up": [{"delete_table": {"table_name": "posts"}}, {"delete_table": {}}]})",
         "up[1].delete_table: missing \"table_name\""},
    };
    for (const auto& c : cases) {
        const std::string why = parse_error(c.text);
        EXPECT_NE(why.find(c.expected), std::string::npos)
            << "message: " << why << "\nexpected: " << c.expected;
        EXPECT_EQ(why.rfind("m.json: ", 0), 0u) << why;
    }
}

// --- Requests --------------------------------------------------------------------------------

TEST(MigrationRequests, CreateTableCarriesEverySetting)
{
    const auto steps = parse_ok(full_example);
    const auto requests = requests_of(steps[0], in_namespace("blog"));
    ASSERT_EQ(requests.size(), 2u);
    const auto& create = std::get<create_table_request>(requests[0]);
    EXPECT_EQ(create.table_name, "blog_posts");
    ASSERT_EQ(create.key_schema.size(), 2u);
    EXPECT_EQ(create.key_schema[0].attribute_name, "id");
    EXPECT_EQ(create.key_schema[0].type, key_type::hash);
    EXPECT_EQ(create.key_schema[1].attribute_name, "created_at");
    EXPECT_EQ(create.key_schema[1].type, key_type::range);
    // Each key attribute once: id, created_at, user_id, status, rank.
    ASSERT_EQ(create.attribute_definitions.size(), 5u);
    EXPECT_EQ(create.attribute_definitions[4].attribute_name, "rank");
    EXPECT_EQ(create.attribute_definitions[4].type, scalar_attribute_type::n);
    EXPECT_EQ(create.billing_mode, billing_mode::provisioned);
    ASSERT_TRUE(create.provisioned_throughput);
    EXPECT_EQ(create.provisioned_throughput->read_capacity_units, 5);
    ASSERT_EQ(create.global_secondary_indexes.size(), 2u);
    // An index without its own capacity takes the table's.
    ASSERT_TRUE(create.global_secondary_indexes[0].provisioned_throughput);
    EXPECT_EQ(create.global_secondary_indexes[0].provisioned_throughput->write_capacity_units, 6);
    EXPECT_EQ(create.global_secondary_indexes[1].provisioned_throughput->write_capacity_units, 2);
    EXPECT_EQ(create.global_secondary_indexes[1].key_schema.size(), 1u);
    ASSERT_EQ(create.local_secondary_indexes.size(), 1u);
    EXPECT_EQ(create.local_secondary_indexes[0].projection.projection_type,
              projection_type::include);
    ASSERT_TRUE(create.stream_specification);
    EXPECT_TRUE(create.stream_specification->stream_enabled);
    EXPECT_EQ(create.stream_specification->stream_view_type, stream_view_type::new_and_old_images);
    ASSERT_TRUE(create.sse_specification);
    EXPECT_EQ(create.sse_specification->enabled, true);
    ASSERT_EQ(create.tags.size(), 1u);
    EXPECT_EQ(create.deletion_protection_enabled, false);

    const auto& ttl = std::get<update_time_to_live_request>(requests[1]);
    EXPECT_EQ(ttl.table_name, "blog_posts");
    EXPECT_TRUE(ttl.time_to_live_specification.enabled);
    EXPECT_EQ(ttl.time_to_live_specification.attribute_name, "expires_at");
    EXPECT_EQ(describe_request(requests[0]), "CreateTable blog_posts (3 indexes)");
    EXPECT_EQ(describe_request(requests[1]), "UpdateTimeToLive blog_posts (enable expires_at)");
    EXPECT_EQ(request_table_name(requests[1]), "blog_posts");
}

TEST(MigrationRequests, PayPerRequestIndexesHaveNoCapacity)
{
    migration_builder m;
    auto& posts = m.create_table("posts", "id:string");
    index_definition by_user;
    by_user.index_name = "user_id-index";
    by_user.partition_key = "user_id:string";
    posts.global_secondary_indexes.push_back(by_user);
    const auto requests = requests_of(m.steps()[0]);
    ASSERT_EQ(requests.size(), 1u);
    const auto& create = std::get<create_table_request>(requests[0]);
    EXPECT_EQ(create.billing_mode, billing_mode::pay_per_request);
    EXPECT_FALSE(create.provisioned_throughput);
    ASSERT_EQ(create.global_secondary_indexes.size(), 1u);
    EXPECT_FALSE(create.global_secondary_indexes[0].provisioned_throughput);
    EXPECT_EQ(create.global_secondary_indexes[0].projection.projection_type, projection_type::all);
    EXPECT_FALSE(create.stream_specification);
    EXPECT_FALSE(create.sse_specification);

    posts.global_secondary_indexes[0].throughput = provisioned_throughput{1, 1};
    EXPECT_NE(build_error(m.steps()[0]).find("capacity needs PROVISIONED billing"),
              std::string::npos);
}

TEST(MigrationRequests, UpdateTableSendsOneIndexCreationOrDeletionPerRequest)
{
    migration_builder m;
    auto& changes = m.update_table("posts");
    changes.billing_mode = billing_mode::provisioned;
    changes.throughput = provisioned_throughput{2, 3};
    changes.update_global_indexes.push_back({"a-index", provisioned_throughput{4, 5}});
    changes.remove_global_indexes = {"old-index"};
    index_definition added;
    added.index_name = "slug-index";
    added.partition_key = "slug:string";
    added.sort_key = "at:number";
    added.projection.projection_type = projection_type::keys_only;
    changes.add_global_indexes = {added};
    const auto requests = requests_of(m.steps()[0], in_namespace("ns"));
    ASSERT_EQ(requests.size(), 4u);

    const auto& billing = std::get<update_table_request>(requests[0]);
    EXPECT_EQ(billing.table_name, "ns_posts");
    EXPECT_EQ(billing.billing_mode, billing_mode::provisioned);
    EXPECT_EQ(billing.provisioned_throughput->write_capacity_units, 3);
    EXPECT_TRUE(billing.global_secondary_index_updates.empty());

    const auto& update = std::get<update_table_request>(requests[1]);
    ASSERT_EQ(update.global_secondary_index_updates.size(), 1u);
    const auto& capacity =
        std::get<update_global_secondary_index_action>(update.global_secondary_index_updates[0]);
    EXPECT_EQ(capacity.provisioned_throughput->read_capacity_units, 4);

    const auto& removal = std::get<update_table_request>(requests[2]);
    EXPECT_EQ(
        std::get<delete_global_secondary_index_action>(removal.global_secondary_index_updates.at(0))
            .index_name,
        "old-index");

    const auto& addition = std::get<update_table_request>(requests[3]);
    ASSERT_EQ(addition.attribute_definitions.size(), 2u);
    EXPECT_EQ(addition.attribute_definitions[1].type, scalar_attribute_type::n);
    const auto& create =
        std::get<create_global_secondary_index_action>(addition.global_secondary_index_updates[0]);
    EXPECT_EQ(create.index_name, "slug-index");
    EXPECT_EQ(create.projection.projection_type, projection_type::keys_only);
    EXPECT_EQ(describe_request(requests[0]),
              "UpdateTable ns_posts (billing PROVISIONED, capacity 2/3)");
    EXPECT_EQ(describe_request(requests[3]), "UpdateTable ns_posts (create index slug-index)");
    EXPECT_EQ(describe_request(requests[2]), "UpdateTable ns_posts (delete index old-index)");
    EXPECT_EQ(describe_request(requests[1]), "UpdateTable ns_posts (update index a-index)");
}

TEST(MigrationRequests, UpdateTableSetsTheStreamAndDeletionProtectionInRequestsOfTheirOwn)
{
    const auto steps = parse_ok(R"({"up": [
        {"update_table": {"table_name": "posts", "stream": "NEW_AND_OLD_IMAGES",
                          "deletion_protection": true}},
        {"update_table": {"table_name": "posts", "stream": false,
                          "deletion_protection": false}}]})");
    const auto& on = std::get<table_changes>(steps[0]);
    EXPECT_EQ(on.stream, stream_view_type::new_and_old_images);
    EXPECT_FALSE(on.remove_stream);
    EXPECT_EQ(on.deletion_protection, true);
    const auto& off = std::get<table_changes>(steps[1]);
    EXPECT_FALSE(off.stream);
    EXPECT_TRUE(off.remove_stream);
    EXPECT_EQ(off.deletion_protection, false);

    const auto enabling = requests_of(on, in_namespace("ns"));
    ASSERT_EQ(enabling.size(), 2u);
    const auto& stream = std::get<update_table_request>(enabling[0]);
    EXPECT_EQ(stream.table_name, "ns_posts");
    ASSERT_TRUE(stream.stream_specification);
    EXPECT_TRUE(stream.stream_specification->stream_enabled);
    EXPECT_EQ(stream.stream_specification->stream_view_type, stream_view_type::new_and_old_images);
    EXPECT_FALSE(stream.deletion_protection_enabled);
    const auto& protection = std::get<update_table_request>(enabling[1]);
    EXPECT_FALSE(protection.stream_specification);
    EXPECT_EQ(protection.deletion_protection_enabled, true);
    EXPECT_EQ(describe_request(enabling[0]), "UpdateTable ns_posts (stream NEW_AND_OLD_IMAGES)");
    EXPECT_EQ(describe_request(enabling[1]), "UpdateTable ns_posts (deletion protection)");

    const auto disabling = requests_of(off);
    ASSERT_EQ(disabling.size(), 2u);
    const auto& no_stream = std::get<update_table_request>(disabling[0]);
    ASSERT_TRUE(no_stream.stream_specification);
    EXPECT_FALSE(no_stream.stream_specification->stream_enabled);
    EXPECT_FALSE(no_stream.stream_specification->stream_view_type);
    EXPECT_EQ(describe_request(disabling[0]), "UpdateTable posts (no stream)");
    EXPECT_EQ(describe_request(disabling[1]), "UpdateTable posts (no deletion protection)");

    migration_builder m;
    auto& both = m.update_table("posts");
    both.stream = stream_view_type::keys_only;
    both.remove_stream = true;
    EXPECT_NE(build_error(m.steps()[0]).find("stream cannot both be enabled and removed"),
              std::string::npos);
}

TEST(MigrationRequests, DeleteTableAndTtl)
{
    migration_builder m;
    m.delete_table("posts");
    m.update_ttl("posts", "expires_at", false);
    const auto deletion = requests_of(m.steps()[0]);
    ASSERT_EQ(deletion.size(), 1u);
    EXPECT_EQ(std::get<delete_table_request>(deletion[0]).table_name, "posts");
    EXPECT_EQ(describe_request(deletion[0]), "DeleteTable posts");
    const auto ttl = requests_of(m.steps()[1]);
    EXPECT_FALSE(std::get<update_time_to_live_request>(ttl[0]).time_to_live_specification.enabled);
    EXPECT_EQ(describe_request(ttl[0]), "UpdateTimeToLive posts (disable expires_at)");
}

TEST(MigrationRequests, RefusesWhatDynamoDbWould)
{
    migration_builder m;
    auto& bad_capacity = m.create_table("posts", "id");
    bad_capacity.billing_mode = billing_mode::provisioned;
    bad_capacity.throughput = provisioned_throughput{0, 1};
    EXPECT_NE(build_error(m.steps()[0]).find("at least 1, not 0 and 1"), std::string::npos);

    migration_builder include;
    index_definition no_attributes;
    no_attributes.index_name = "x-index";
    no_attributes.partition_key = "x";
    no_attributes.projection.projection_type = projection_type::include;
    include.create_table("posts", "id").global_secondary_indexes.push_back(no_attributes);
    EXPECT_NE(build_error(include.steps()[0]).find("INCLUDE projection needs attribute names"),
              std::string::npos);

    migration_builder stray;
    index_definition keys_only = no_attributes;
    keys_only.projection.projection_type = projection_type::keys_only;
    keys_only.projection.non_key_attributes = {"title"};
    stray.create_table("posts", "id").global_secondary_indexes.push_back(keys_only);
    EXPECT_NE(build_error(stray.steps()[0]).find("attribute names need an INCLUDE projection"),
              std::string::npos);

    migration_builder local_capacity;
    auto& with_local = local_capacity.create_table("posts", "id", "at");
    index_definition local;
    local.index_name = "l-index";
    local.partition_key = "id";
    local.sort_key = "rank:n";
    local.throughput = provisioned_throughput{1, 1};
    with_local.local_secondary_indexes.push_back(local);
    EXPECT_NE(build_error(local_capacity.steps()[0]).find("share the table's capacity"),
              std::string::npos);

    migration_builder empty_ttl;
    empty_ttl.update_ttl("posts", "");
    EXPECT_NE(build_error(empty_ttl.steps()[0]).find("attribute is empty"), std::string::npos);
    migration_builder empty_ttl_attribute;
    empty_ttl_attribute.create_table("posts", "id").ttl_attribute = "";
    EXPECT_NE(build_error(empty_ttl_attribute.steps()[0]).find("ttl_attribute is empty"),
              std::string::npos);
    migration_builder empty_tag;
    empty_tag.create_table("posts", "id").tags.push_back({"", "x"});
    EXPECT_NE(build_error(empty_tag.steps()[0]).find("a tag key is empty"), std::string::npos);
    migration_builder unnamed;
    unnamed.delete_table("");
    EXPECT_NE(build_error(unnamed.steps()[0]).find("table_name is empty"), std::string::npos);
    migration_builder bad_update;
    bad_update.update_table("posts").update_global_indexes.push_back(
        {"a-index", provisioned_throughput{1, 0}});
    EXPECT_NE(build_error(bad_update.steps()[0]).find("update_gsi \"a-index\""), std::string::npos);
}

TEST(MigrationRequests, NamespaceComesFromTheEnvironmentUnlessSet)
{
    naming_options from_env;
    from_env.env = environment::from_map({{"DYNOMITE_NAMESPACE", "staging"}});
    std::string name;
    ASSERT_FALSE(namespaced_table_name("posts", from_env, name));
    EXPECT_EQ(name, "staging_posts");
    from_env.separator = "-";
    ASSERT_FALSE(namespaced_table_name("posts", from_env, name));
    EXPECT_EQ(name, "staging-posts");
    from_env.namespace_ = std::string();
    ASSERT_FALSE(namespaced_table_name("posts", from_env, name));
    EXPECT_EQ(name, "posts");
    // The same prefix as the models' table names.
    naming_options naming;
    naming.namespace_ = "app";
    EXPECT_EQ(table_name_for("Post", naming), "app_posts");
    ASSERT_FALSE(namespaced_table_name("posts", naming, name));
    EXPECT_EQ(name, "app_posts");
    std::string why;
    naming.namespace_ = "bad space";
    EXPECT_EQ(namespaced_table_name("posts", naming, name, &why), errc::invalid_argument);
    EXPECT_NE(why.find("' '"), std::string::npos) << why;
}

// --- C++ migrations --------------------------------------------------------------------------

struct create_comments {
    void up(migration_builder& m)
    {
        auto& comments = m.create_table("comments", "post_id:string", "created_at:string");
        comments.stream = stream_view_type::keys_only;
        m.update_ttl("comments", "expires_at");
    }
};

TEST(MigrationBuilder, MakeMigrationRunsUp)
{
    const migration m = make_migration<create_comments>("20260101000000", "create_comments");
    EXPECT_EQ(m.id(), "20260101000000-create_comments");
    ASSERT_EQ(m.steps.size(), 2u);
    EXPECT_EQ(std::get<table_definition>(m.steps[0]).sort_key, "created_at:string");
    EXPECT_EQ(std::get<ttl_change>(m.steps[1]).attribute, "expires_at");
    EXPECT_TRUE(m.source.empty());
}

// --- Loading files ---------------------------------------------------------------------------

class MigrationDirectory : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir = std::filesystem::temp_directory_path() /
              ("dynomite_migrations_" +
               std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    void write(const std::string& name, std::string_view text)
    {
        std::ofstream(dir / name) << text;
    }

    std::filesystem::path dir;
};

constexpr std::string_view create_posts = R"({"up": [{"create_table":
    {"table_name": "posts", "partition_key": "id:string"}}]})";

TEST_F(MigrationDirectory, LoadsJsonFilesByVersion)
{
    write("20260102000000-update_posts.json", R"({"up": [{"update_table": {"table_name":
        "posts", "add_gsi": {"index_name": "slug-index", "partition_key": "slug"}}}]})");
    write("20260101000000-create_posts.json", create_posts);
    write("README.md", "not a migration");
    std::vector<migration> migrations;
    std::string why;
    ASSERT_FALSE(load_migrations(dir.string(), migrations, &why)) << why;
    ASSERT_EQ(migrations.size(), 2u);
    EXPECT_EQ(migrations[0].id(), "20260101000000-create_posts");
    EXPECT_EQ(migrations[1].id(), "20260102000000-update_posts");
    EXPECT_EQ(migrations[0].source, (dir / "20260101000000-create_posts.json").string());
}

TEST_F(MigrationDirectory, ReportsBadFilesAndDuplicateVersions)
{
    write("20260101000000-create_posts.json", create_posts);
    write("20260101000000-create_users.json", create_posts);
    std::vector<migration> migrations;
    std::string why;
    EXPECT_EQ(load_migrations(dir.string(), migrations, &why), migration_errc::duplicate_version);
    EXPECT_NE(why.find("share version 20260101000000"), std::string::npos) << why;

    std::filesystem::remove(dir / "20260101000000-create_users.json");
    write("2026-create_users.json", create_posts);
    EXPECT_EQ(load_migrations(dir.string(), migrations, &why), migration_errc::invalid_migration);
    EXPECT_NE(why.find("2026-create_users.json"), std::string::npos) << why;

    std::filesystem::remove(dir / "2026-create_users.json");
    write("20260103000000-broken.json", R"({"up": [{"delete_table": {}}]})");
    EXPECT_EQ(load_migrations(dir.string(), migrations, &why), migration_errc::invalid_migration);
    EXPECT_NE(why.find("20260103000000-broken.json: up[0].delete_table: missing \"table_name\""),
              std::string::npos)
        << why;
    EXPECT_TRUE(migrations.empty());
}

TEST_F(MigrationDirectory, MissingDirectoryOrFile)
{
    std::vector<migration> migrations;
    std::string why;
    EXPECT_EQ(load_migrations((dir / "nope").string(), migrations, &why), errc::invalid_argument);
    EXPECT_NE(why.find("does not exist"), std::string::npos) << why;
    migration m;
    EXPECT_EQ(load_migration_file((dir / "20260101000000-gone.json").string(), m, &why),
              errc::invalid_argument);
    EXPECT_NE(why.find("cannot be read"), std::string::npos) << why;
}

// --- Versions of generated files ------------------------------------------------------------

TEST(GeneratedVersion, TakesTheNextFreeSecond)
{
    using dynomite::cli::next_free_version;
    EXPECT_EQ(next_free_version("20260101120000", {}), "20260101120000");
    EXPECT_EQ(next_free_version("20260101120000", {"20260101115959"}), "20260101120000");
    EXPECT_EQ(next_free_version("20260101120000", {"20260101120000"}), "20260101120001");
    EXPECT_EQ(next_free_version("20260101120059", {"20260101120059", "20260101120100"}),
              "20260101120101");
    EXPECT_EQ(next_free_version("20261231235959", {"20261231235959"}), "20270101000000");
    EXPECT_THROW(next_free_version("20261399000000", {"20261399000000"}), dynomite::error);
}

TEST_F(MigrationDirectory, GeneratingTwiceWithinOneSecondGivesTwoVersions)
{
    // Files for every second of the next minute: whenever the command runs within it, the
    // version of its clock is taken and it has to find another.
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    for (int s = 0; s < 60; ++s) {
        std::string version;
        for (const char c : format_iso8601(now + std::chrono::seconds(s))) {
            if (c >= '0' && c <= '9') version += c;
        }
        write(version + "-create_t" + std::to_string(s) + ".json", create_posts);
    }
    for (const char* name : {"create_posts", "create_users"}) {
        std::ostringstream out;
        std::ostringstream err;
        const int status = dynomite::cli::run_command_line(
            {"generate", "migration", name, "--path", dir.string()}, out, err);
        ASSERT_EQ(status, 0) << err.str();
    }
    std::vector<migration> migrations;
    std::string why;
    ASSERT_FALSE(load_migrations(dir.string(), migrations, &why)) << why;
    ASSERT_EQ(migrations.size(), 62u);
    std::set<std::string> versions;
    for (const migration& m : migrations) versions.insert(m.version);
    EXPECT_EQ(versions.size(), 62u);
}

}  // namespace
