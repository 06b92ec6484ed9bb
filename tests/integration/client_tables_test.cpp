// Table management against a real endpoint: CreateTable, DescribeTable, ListTables,
// UpdateTable, DeleteTable, and the time-to-live settings.
#include "integration/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::test {
namespace {

using strings = std::vector<std::string>;

bool contains(std::string_view text, std::string_view part)
{
    return text.find(part) != std::string_view::npos;
}

strings sorted(strings values)
{
    std::sort(values.begin(), values.end());
    return values;
}

// "pk HASH", "sk RANGE": readable in failure messages.
strings described(const std::vector<key_schema_element>& schema)
{
    strings out;
    for (const auto& element : schema)
        out.push_back(element.attribute_name + " " + std::string(to_string(element.type)));
    return out;
}

// "pk S", "lsk N".
strings described(const std::vector<attribute_definition>& definitions)
{
    strings out;
    for (const auto& definition : definitions)
        out.push_back(definition.attribute_name + " " + std::string(to_string(definition.type)));
    return out;
}

class tables_test : public integration_test {};

TEST_F(tables_test, create_table_with_indexes_is_described)
{
    const auto name = unique_table_name("dyn-tables");
    track_table(name);
    auto created =
        run(db.create_table(table_request(name, {.global_index = true, .local_index = true})));
    const auto& description = created.table_description;
    EXPECT_EQ(description.table_name, name);
    ASSERT_TRUE(description.table_status.has_value());
    EXPECT_TRUE(*description.table_status == table_status::creating ||
                *description.table_status == table_status::active)
        << to_string(*description.table_status);
    EXPECT_EQ(described(description.key_schema), (strings{"pk HASH", "sk RANGE"}));

    const auto table = run(wait_until_active(name));
    EXPECT_EQ(table.table_name, name);
    EXPECT_EQ(table.table_status, table_status::active);
    EXPECT_TRUE(contains(table.table_arn, ":table/" + name)) << table.table_arn;
    EXPECT_TRUE(table.creation_date_time.has_value());
    EXPECT_EQ(table.item_count, 0);
    ASSERT_TRUE(table.billing_mode_summary.has_value());
    EXPECT_EQ(table.billing_mode_summary->billing_mode, billing_mode::pay_per_request);
    EXPECT_EQ(described(table.key_schema), (strings{"pk HASH", "sk RANGE"}));
    EXPECT_EQ(sorted(described(table.attribute_definitions)),
              sorted({"pk S", "sk S", "gpk S", "gsk S", "lsk N"}));

    ASSERT_EQ(table.global_secondary_indexes.size(), 1u);
    const auto& global = table.global_secondary_indexes[0];
    EXPECT_EQ(global.index_name, global_index_name);
    EXPECT_EQ(described(global.key_schema), (strings{"gpk HASH", "gsk RANGE"}));
    EXPECT_EQ(global.projection.projection_type, projection_type::all);
    EXPECT_TRUE(global.projection.non_key_attributes.empty());
    EXPECT_EQ(global.index_status, index_status::active);
    EXPECT_TRUE(contains(global.index_arn, name + "/index/" + std::string(global_index_name)))
        << global.index_arn;

    ASSERT_EQ(table.local_secondary_indexes.size(), 1u);
    const auto& local = table.local_secondary_indexes[0];
    EXPECT_EQ(local.index_name, local_index_name);
    EXPECT_EQ(described(local.key_schema), (strings{"pk HASH", "lsk RANGE"}));
    EXPECT_EQ(local.projection.projection_type, projection_type::include);
    EXPECT_EQ(local.projection.non_key_attributes, (strings{"title"}));
    EXPECT_TRUE(contains(local.index_arn, name + "/index/" + std::string(local_index_name)))
        << local.index_arn;
}

TEST_F(tables_test, create_table_with_numeric_sort_key)
{
    const auto name = create_table("dyn-tables-n", {.sort_key_type = scalar_attribute_type::n});
    const auto table = run(db.describe_table({.table_name = name})).table;
    EXPECT_EQ(sorted(described(table.attribute_definitions)), sorted({"pk S", "sk N"}));
    EXPECT_TRUE(table.global_secondary_indexes.empty());
    EXPECT_TRUE(table.local_secondary_indexes.empty());
}

TEST_F(tables_test, create_existing_table_is_resource_in_use)
{
    const auto name = create_table("dyn-tables-dup");
    diagnostics diag;
    auto [ec, response] = run_with_diag(table_request(name, {}), diag);
    EXPECT_EQ(ec, errc::resource_in_use);
    EXPECT_EQ(diag.aws_type, "ResourceInUseException");
    EXPECT_FALSE(diag.message.empty());
}

TEST_F(tables_test, list_tables_pages_through_limit_and_exclusive_start)
{
    // Names sharing a unique stem sort together, right after the stem itself.
    const auto stem = unique_table_name("dyn-list");
    std::vector<std::string> ours;
    for (const char* suffix : {"-a", "-b", "-c"}) {
        ours.push_back(stem + suffix);
        track_table(ours.back());
        run(db.create_table(table_request(ours.back(), {})));
    }
    for (const auto& name : ours) run(wait_until_active(name));

    constexpr std::int32_t page_size = 2;
    list_tables_request request{.exclusive_start_table_name = stem, .limit = page_size};
    std::vector<std::string> seen;
    int pages = 0;
    bool past_stem = false;
    while (!past_stem) {
        auto page = run(db.list_tables(request));
        ++pages;
        EXPECT_LE(page.table_names.size(), static_cast<std::size_t>(page_size));
        for (const auto& name : page.table_names) {
            if (name.rfind(stem, 0) != 0) {
                past_stem = true;
                break;
            }
            seen.push_back(name);
        }
        if (!page.last_evaluated_table_name) break;
        EXPECT_EQ(*page.last_evaluated_table_name, page.table_names.back());
        request.exclusive_start_table_name = page.last_evaluated_table_name;
    }
    EXPECT_EQ(seen, ours);  // each once, in name order
    EXPECT_GE(pages, 2);
}

TEST_F(tables_test, list_tables_without_limit_finds_the_table)
{
    const auto name = create_table("dyn-list-all");
    list_tables_request request;
    bool found = false;
    constexpr int max_pages = 100;
    for (int page_number = 0; page_number < max_pages && !found; ++page_number) {
        auto page = run(db.list_tables(request));
        found = std::find(page.table_names.begin(), page.table_names.end(), name) !=
                page.table_names.end();
        if (!page.last_evaluated_table_name) break;
        request.exclusive_start_table_name = page.last_evaluated_table_name;
    }
    EXPECT_TRUE(found) << name;
}

TEST_F(tables_test, update_table_adds_a_global_index)
{
    const auto name = create_table("dyn-update-gsi");
    update_table_request request;
    request.table_name = name;
    request.attribute_definitions = {{"color", scalar_attribute_type::s}};
    create_global_secondary_index_action create;
    create.index_name = "by_color";
    create.key_schema = {{"color", key_type::hash}};
    create.projection.projection_type = projection_type::keys_only;
    request.global_secondary_index_updates.push_back(create);
    auto updated = run(db.update_table(request));
    ASSERT_EQ(updated.table_description.global_secondary_indexes.size(), 1u);
    EXPECT_EQ(updated.table_description.global_secondary_indexes[0].index_name, "by_color");

    const auto table = run(wait_until_active(name));
    ASSERT_EQ(table.global_secondary_indexes.size(), 1u);
    const auto& index = table.global_secondary_indexes[0];
    EXPECT_EQ(index.index_name, "by_color");
    EXPECT_EQ(described(index.key_schema), (strings{"color HASH"}));
    EXPECT_EQ(index.projection.projection_type, projection_type::keys_only);
    EXPECT_EQ(index.index_status, index_status::active);

    // The new index serves queries (eventually consistent, hence the bounded retries).
    run(db.put_item(
        {.table_name = name, .item = {{"pk", "p"}, {"sk", "s"}, {"color", "teal"}, {"size", 3}}}));
    query_request query;
    query.table_name = name;
    query.index_name = "by_color";
    query.key_condition_expression = "color = :c";
    query.expression_attribute_values = {{":c", "teal"}};
    std::vector<attribute_map> items;
    for (int attempt = 0; attempt < 30 && items.empty(); ++attempt) {
        if (attempt > 0) run(sleep_for(std::chrono::milliseconds(500)));
        items = run(db.query(query)).items;
    }
    ASSERT_EQ(items.size(), 1u);
    // KEYS_ONLY: the table key and the index key, not `size`.
    EXPECT_EQ(items[0], (attribute_map{{"pk", "p"}, {"sk", "s"}, {"color", "teal"}}));
}

TEST_F(tables_test, update_table_changes_billing_mode)
{
    const auto name = create_table("dyn-update-billing");
    update_table_request request;
    request.table_name = name;
    request.billing_mode = billing_mode::provisioned;
    request.provisioned_throughput = provisioned_throughput{5, 7};
    auto updated = run(db.update_table(request));
    EXPECT_EQ(updated.table_description.table_name, name);

    const auto table = run(wait_until_active(name));
    ASSERT_TRUE(table.provisioned_throughput.has_value());
    EXPECT_EQ(table.provisioned_throughput->read_capacity_units, 5);
    EXPECT_EQ(table.provisioned_throughput->write_capacity_units, 7);
    ASSERT_TRUE(table.billing_mode_summary.has_value());
    EXPECT_EQ(table.billing_mode_summary->billing_mode, billing_mode::provisioned);
}

TEST_F(tables_test, delete_table_removes_it)
{
    const auto name = create_table("dyn-delete");
    auto deleted = run(db.delete_table({.table_name = name}));
    EXPECT_EQ(deleted.table_description.table_name, name);

    // AWS keeps a DELETING table visible for a while; DynamoDB Local drops it at once.
    diagnostics diag;
    error_code ec;
    for (int attempt = 0; attempt < 60; ++attempt) {
        if (attempt > 0) run(sleep_for(std::chrono::milliseconds(1000)));
        auto [describe_ec, response] = run_with_diag(describe_table_request{name}, diag);
        ec = describe_ec;
        if (ec) break;
        EXPECT_EQ(response.table.table_status, table_status::deleting);
    }
    EXPECT_EQ(ec, errc::resource_not_found);
    untrack_table(name);
}

TEST_F(tables_test, describe_missing_table_is_resource_not_found)
{
    const auto name = unique_table_name("dyn-missing");
    diagnostics diag;
    auto [ec, response] = run_with_diag(describe_table_request{name}, diag);
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
    EXPECT_FALSE(diag.message.empty());
    EXPECT_FALSE(diag.request_id.empty());
    EXPECT_EQ(diag.http_status, 400u);
    ASSERT_EQ(diag.attempts.size(), 1u);  // not retryable
    EXPECT_EQ(diag.attempts[0].error, errc::resource_not_found);
    EXPECT_TRUE(response.table.table_name.empty());
}

TEST_F(tables_test, delete_missing_table_is_resource_not_found)
{
    diagnostics diag;
    auto [ec, response] =
        run_with_diag(delete_table_request{unique_table_name("dyn-missing")}, diag);
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
}

TEST_F(tables_test, time_to_live_is_enabled_and_described)
{
    const auto name = create_table("dyn-ttl");
    auto before = run(db.describe_time_to_live({.table_name = name}));
    EXPECT_EQ(before.time_to_live_description.time_to_live_status, time_to_live_status::disabled);
    EXPECT_FALSE(before.time_to_live_description.attribute_name.has_value());

    auto enabled = run(db.update_time_to_live(
        {.table_name = name,
         .time_to_live_specification = {.enabled = true, .attribute_name = "expires_at"}}));
    EXPECT_TRUE(enabled.time_to_live_specification.enabled);
    EXPECT_EQ(enabled.time_to_live_specification.attribute_name, "expires_at");

    auto after = run(db.describe_time_to_live({.table_name = name}));
    const auto& description = after.time_to_live_description;
    ASSERT_TRUE(description.time_to_live_status.has_value());
    // AWS reports ENABLING for up to an hour; DynamoDB Local reports ENABLED at once.
    EXPECT_TRUE(*description.time_to_live_status == time_to_live_status::enabled ||
                *description.time_to_live_status == time_to_live_status::enabling)
        << to_string(*description.time_to_live_status);
    EXPECT_EQ(description.attribute_name, "expires_at");
}

TEST_F(tables_test, time_to_live_of_missing_table_is_resource_not_found)
{
    diagnostics diag;
    auto [ec, response] =
        run_with_diag(describe_time_to_live_request{unique_table_name("dyn-missing")}, diag);
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_EQ(diag.aws_type, "ResourceNotFoundException");
}

}  // namespace
}  // namespace dynomite::test
