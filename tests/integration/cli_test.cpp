// The `dynomite` command against DynamoDB: migrate twice, status, a recorded error and
// --clear-errors, generate then migrate, seed, all in a namespace of the test's own.
#include "integration/integration_fixture.hpp"

#include "bench/key_chooser.hpp"
#include "cli.hpp"

#include <dynomite/migration/migration.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dynomite::test {
namespace {

struct command_result {
    int status = -1;
    std::string out;
    std::string err;
};

class CommandTest : public integration_test {
protected:
    CommandTest() : ns(unique_table_name("cli"))
    {
        dir = std::filesystem::temp_directory_path() / ("dynomite_" + ns);
        std::filesystem::create_directories(dir / "migrate");
        track_table(ns + "_schema_migrations");
    }
    ~CommandTest() override { std::filesystem::remove_all(dir); }

    /// Runs `dynomite` with the test's endpoint and namespace.
    command_result dynomite(std::vector<std::string> args)
    {
        std::vector<std::string> argv = {"--endpoint", integration_endpoint(), "--namespace", ns};
        argv.insert(argv.end(), args.begin(), args.end());
        std::ostringstream out;
        std::ostringstream err;
        command_result result;
        result.status = cli::run_command_line(argv, out, err);
        result.out = out.str();
        result.err = err.str();
        return result;
    }

    void write_migration(const std::string& file, std::string_view text)
    {
        std::ofstream(dir / "migrate" / file) << text;
    }

    std::string path() const { return (dir / "migrate").string(); }

    std::string ns;
    std::filesystem::path dir;
};

constexpr std::string_view create_posts = R"({
  // posts, by id and time
  "up": [
    {"create_table": {
        "table_name": "posts",
        "partition_key": "id:string",
        "sort_key": "created_at:string",
        "global_secondary_indexes": [
          {"index_name": "user_id-index", "partition_key": "user_id:string",
           "sort_key": "created_at:string", "projection": "ALL"},
        ],
    }},
  ],
})";

constexpr std::string_view add_status_index = R"({"up": [
    {"update_table": {"table_name": "posts", "add_gsi": {"index_name": "status-index",
        "partition_key": "status:string", "projection": ["title"]}}}]})";

TEST_F(CommandTest, MigrateTwiceThenStatus)
{
    track_table(ns + "_posts");
    write_migration("20260101000000-create_posts.json", create_posts);
    write_migration("20260102000000-add_status_index_to_posts.json", add_status_index);

    const auto first = dynomite({"migrate", "--path", path()});
    ASSERT_EQ(first.status, cli::exit_ok) << first.err;
    EXPECT_NE(first.out.find("20260101000000-create_posts: CreateTable " + ns + "_posts"),
              std::string::npos)
        << first.out;
    EXPECT_NE(first.out.find("create index status-index"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("Applied 2 migration(s); 0 already complete."), std::string::npos)
        << first.out;

    const auto second = dynomite({"migrate", "--path", path()});
    ASSERT_EQ(second.status, cli::exit_ok) << second.err;
    EXPECT_NE(second.out.find("Applied 0 migration(s); 2 already complete."), std::string::npos)
        << second.out;
    EXPECT_EQ(second.out.find("CreateTable"), std::string::npos) << second.out;

    const auto status = dynomite({"migrate", "status", "--path", path()});
    ASSERT_EQ(status.status, cli::exit_ok) << status.err;
    std::istringstream lines(status.out);
    std::string line;
    int complete = 0;
    while (std::getline(lines, line)) {
        if (line.find("complete") != std::string::npos) ++complete;
    }
    EXPECT_EQ(complete, 2) << status.out;
    EXPECT_NE(status.out.find("create_posts"), std::string::npos);
    EXPECT_NE(status.out.find("add_status_index_to_posts"), std::string::npos);

    const describe_table_request request{ns + "_posts"};
    const auto table = run(db.describe_table(request)).table;
    EXPECT_EQ(table.global_secondary_indexes.size(), 2u);
}

TEST_F(CommandTest, ARecordedErrorBlocksUntilClearErrors)
{
    track_table(ns + "_posts");
    track_table(ns + "_comments");
    write_migration("20260101000000-create_posts.json", create_posts);
    // Fails: the table does not exist. (An index already gone would count as removed.)
    write_migration("20260102000000-update_posts.json", R"({"up": [
        {"update_table": {"table_name": "no_such_table", "remove_gsi": "user_id-index"}}]})");
    write_migration("20260103000000-create_comments.json", R"({"up": [
        {"create_table": {"table_name": "comments", "partition_key": "post_id"}}]})");

    const auto failed = dynomite({"migrate", "--path", path()});
    EXPECT_EQ(failed.status, cli::exit_failure) << failed.out;
    EXPECT_NE(failed.err.find("migration 20260102000000-update_posts failed"), std::string::npos)
        << failed.err;
    EXPECT_NE(failed.err.find("dynomite migrate --clear-errors"), std::string::npos);

    const auto blocked = dynomite({"migrate", "--path", path()});
    EXPECT_EQ(blocked.status, cli::exit_blocked);
    EXPECT_NE(blocked.err.find("a recorded error blocks migration 20260102000000-update_posts"),
              std::string::npos)
        << blocked.err;

    const auto status = dynomite({"migrate", "status", "--path", path()});
    EXPECT_EQ(status.status, cli::exit_ok);
    EXPECT_NE(status.out.find("error"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("pending"), std::string::npos) << status.out;

    write_migration("20260102000000-update_posts.json", R"({"up": [
        {"update_table": {"table_name": "posts", "remove_gsi": "user_id-index"}}]})");
    const auto cleared = dynomite({"migrate", "--clear-errors", "--path", path()});
    ASSERT_EQ(cleared.status, cli::exit_ok) << cleared.err;
    EXPECT_NE(cleared.out.find("Cleared 1 recorded state(s)."), std::string::npos) << cleared.out;
    EXPECT_NE(cleared.out.find("Applied 2 migration(s); 1 already complete."), std::string::npos)
        << cleared.out;
}

TEST_F(CommandTest, GenerateThenMigrate)
{
    track_table(ns + "_articles");
    const auto generated = dynomite({"generate", "migration", "create_articles", "--partition-key",
                                     "slug:string", "--path", path()});
    ASSERT_EQ(generated.status, cli::exit_ok) << generated.err;
    const auto migrated = dynomite({"migrate", "--path", path()});
    ASSERT_EQ(migrated.status, cli::exit_ok) << migrated.err;
    const describe_table_request request{ns + "_articles"};
    const auto table = run(db.describe_table(request)).table;
    EXPECT_EQ(table.key_schema.at(0).attribute_name, "slug");
}

TEST_F(CommandTest, SeedWritesEveryItem)
{
    track_table(ns + "_posts");
    write_migration("20260101000000-create_posts.json", create_posts);
    ASSERT_EQ(dynomite({"migrate", "--path", path()}).status, cli::exit_ok);

    std::string seed = "{\"posts\": [\n";
    constexpr int count = 60;  // more than two BatchWriteItem groups
    for (int i = 0; i < count; ++i) {
        seed += "  {\"id\": \"p" + std::to_string(i) +
                "\", \"created_at\": \"2026-01-01\", \"views\": " + std::to_string(i) +
                ", \"tags\": [\"a\"], \"meta\": {\"draft\": true}},\n";
    }
    seed += "]}";
    const auto file = dir / "seed.json";
    std::ofstream(file) << seed;
    const auto result = dynomite({"seed", file.string()});
    ASSERT_EQ(result.status, cli::exit_ok) << result.err;
    EXPECT_NE(result.out.find("Wrote 60 items."), std::string::npos) << result.out;

    get_item_request get;
    get.table_name = ns + "_posts";
    get.key = {{"id", "p7"}, {"created_at", "2026-01-01"}};
    const auto found = run(db.get_item(get));
    ASSERT_TRUE(found.item);
    EXPECT_EQ(found.item->find("views")->get_if<number>()->text(), "7");
    EXPECT_EQ(*found.item->find("meta")->get_if<attribute_map>()->find("draft")->get_if<bool>(),
              true);

    const auto missing_table = dynomite({"--namespace", ns + "x", "seed", file.string()});
    EXPECT_EQ(missing_table.status, cli::exit_failure);
    EXPECT_NE(missing_table.err.find("ResourceNotFoundException"), std::string::npos)
        << missing_table.err;
}

// --prepare loads YCSB's records once; after an interruption (here: the marker set back to
// 1,000 records and the records after them deleted) it writes only the rest.
TEST_F(CommandTest, BenchPrepareLoadsWorkloadRecordsAndResumes)
{
    const std::string table = ns + "_ycsb";
    track_table(table);
    const std::vector<std::string> prepare = {
        "bench",         "--workload",   "c",     "--table", table, "--recordcount", "1200",
        "--fieldcount",  "2",            "--fieldlength", "10", "--prepare", "--requests",
        "20",            "--warmup",     "0",     "--concurrency", "2"};
    auto count_items = [&] {
        std::size_t items = 0;
        std::optional<attribute_map> start;
        do {
            scan_request scan;
            scan.table_name = table;
            scan.exclusive_start_key = start;
            auto page = run(db.scan(scan));
            items += page.items.size();
            start = page.last_evaluated_key;
        } while (start && !start->empty());
        return items;
    };
    auto loaded = dynomite(prepare);
    ASSERT_EQ(loaded.status, cli::exit_ok) << loaded.err;
    EXPECT_NE(loaded.err.find("loaded records 0 to 1199"), std::string::npos) << loaded.err;
    EXPECT_EQ(count_items(), 1201u);  // the records and the load marker

    // Interrupted after 1,000 records.
    put_item_request marker;
    marker.table_name = table;
    marker.item = {{"pk", "dynomite-bench-load"}, {"sk", "record"}, {"recordcount", 1200},
                   {"fieldcount", 2},             {"fieldlength", 10},   {"loaded", 1000}};
    run(db.put_item(marker));
    for (int first = 1000; first < 1200; first += 25) {
        batch_write_item_request batch;
        std::vector<write_request> deletes;
        for (int n = first; n < first + 25; ++n)
            deletes.push_back(write_request{delete_request{{{"pk", cli::bench::ycsb_key(n)},
                                                            {"sk", "record"}}}});
        batch.request_items.emplace_back(table, std::move(deletes));
        run(db.batch_write_item(batch));
    }
    ASSERT_EQ(count_items(), 1001u);
    auto resumed = dynomite(prepare);
    ASSERT_EQ(resumed.status, cli::exit_ok) << resumed.err;
    EXPECT_NE(resumed.err.find("resuming the load at record 1000\n"), std::string::npos)
        << resumed.err;
    EXPECT_EQ(count_items(), 1201u);

    // Workload E's scans read pages of the loaded records.
    auto scans = dynomite({"bench", "--workload", "e", "--table", table, "--recordcount", "1200",
                           "--requests", "40", "--warmup", "0", "--concurrency", "2"});
    ASSERT_EQ(scans.status, cli::exit_ok) << scans.err;
    EXPECT_NE(scans.out.find("errors=0"), std::string::npos) << scans.out;
    EXPECT_EQ(scans.out.find("items_per_s=0.0 "), std::string::npos) << scans.out;
}

}  // namespace
}  // namespace dynomite::test
