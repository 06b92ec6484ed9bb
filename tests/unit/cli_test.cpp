// The `dynomite` command without a server: option parsing, help, usage errors, exit codes,
// generated migration files and seed files.
#include "cli.hpp"

#include <dynomite/migration/migration.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace {

using namespace dynomite;
using namespace dynomite::cli;

struct outcome {
    int status = -1;
    std::string out;
    std::string err;
};

outcome run(const std::vector<std::string>& argv)
{
    std::ostringstream out;
    std::ostringstream err;
    outcome result;
    result.status = run_command_line(argv, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
}

bool contains(const std::string& text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

// Credentials and a region for clients built from the process environment.
void ensure_test_environment()
{
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 0);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 0);
    setenv("AWS_REGION", "us-east-1", 0);
}

class TemporaryDirectory : public ::testing::Test {
protected:
    void SetUp() override
    {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = std::filesystem::temp_directory_path() /
              (std::string("dynomite_cli_") + info->test_suite_name() + "_" + info->name());
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::string write(const std::string& name, std::string_view text)
    {
        const auto path = dir / name;
        std::ofstream(path) << text;
        return path.string();
    }

    std::filesystem::path dir;
};

// --- Global options --------------------------------------------------------------------------

TEST(CommandLine, GlobalOptionsGoBeforeOrAfterTheCommand)
{
    command_line line;
    std::string why;
    ASSERT_TRUE(
        parse_command_line({"--endpoint", "http://127.0.0.1:8000", "migrate", "--region=eu-west-1",
                            "--path", "db", "--profile", "dev", "--namespace=blog", "-v"},
                           line, why))
        << why;
    EXPECT_EQ(line.command, "migrate");
    EXPECT_EQ(line.args, (std::vector<std::string>{"--path", "db"}));
    EXPECT_EQ(line.options.endpoint, "http://127.0.0.1:8000");
    EXPECT_EQ(line.options.region, "eu-west-1");
    EXPECT_EQ(line.options.profile, "dev");
    EXPECT_EQ(line.options.namespace_, "blog");
    EXPECT_TRUE(line.options.verbose);
    EXPECT_FALSE(line.help);
}

TEST(CommandLine, EverythingAfterDoubleDashBelongsToTheCommand)
{
    command_line line;
    std::string why;
    ASSERT_TRUE(parse_command_line({"seed", "--", "--region"}, line, why)) << why;
    EXPECT_EQ(line.args, (std::vector<std::string>{"--", "--region"}));
    EXPECT_FALSE(line.options.region);
}

TEST(CommandLine, RefusesAMissingValueOrAnUnknownOptionBeforeTheCommand)
{
    command_line line;
    std::string why;
    EXPECT_FALSE(parse_command_line({"migrate", "--endpoint"}, line, why));
    EXPECT_TRUE(contains(why, "--endpoint needs a value")) << why;
    EXPECT_FALSE(parse_command_line({"--colour", "migrate"}, line, why));
    EXPECT_TRUE(contains(why, "unknown option --colour")) << why;
    EXPECT_TRUE(parse_command_line({"--help"}, line, why));
    EXPECT_TRUE(line.help);
}

TEST(CommandLine, ClientConfigurationLeavesUnsetOptionsToTheEnvironment)
{
    global_options none;
    const client_config defaults = make_client_config(none);
    EXPECT_FALSE(defaults.endpoint);
    EXPECT_FALSE(defaults.region);
    EXPECT_TRUE(defaults.profile.empty());
    EXPECT_FALSE(defaults.logger);

    global_options all;
    all.endpoint = "http://127.0.0.1:8000";
    all.region = "eu-west-1";
    all.profile = "dev";
    all.verbose = true;
    const client_config config = make_client_config(all);
    EXPECT_EQ(config.endpoint, "http://127.0.0.1:8000");
    EXPECT_EQ(config.region, "eu-west-1");
    EXPECT_EQ(config.profile, "dev");
    EXPECT_TRUE(config.logger);
    EXPECT_EQ(config.min_log_level, log_level::debug);
}

TEST(CommandLine, NamingOptionsCarryTheNamespace)
{
    global_options options;
    EXPECT_FALSE(make_naming_options(options).namespace_);
    options.namespace_ = "blog";
    EXPECT_EQ(make_naming_options(options).namespace_, "blog");
    EXPECT_EQ(table_name_for("Post", make_naming_options(options)), "blog_posts");
}

TEST(CommandLine, MatchOption)
{
    const std::vector<std::string> args = {"--path", "db", "--path=x", "--paths", "--path"};
    std::string value;
    std::size_t i = 0;
    EXPECT_EQ(match_option(args, i, "--path", value), option_match::matched_option);
    EXPECT_EQ(value, "db");
    EXPECT_EQ(i, 1u);
    i = 2;
    EXPECT_EQ(match_option(args, i, "--path", value), option_match::matched_option);
    EXPECT_EQ(value, "x");
    i = 3;
    EXPECT_EQ(match_option(args, i, "--path", value), option_match::not_this_option);
    i = 4;
    EXPECT_EQ(match_option(args, i, "--path", value), option_match::missing_value);
}

// --- Dispatch, help and exit codes -----------------------------------------------------------

TEST(Dispatch, HelpListsTheCommands)
{
    for (const auto& argv : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
        const auto result = run(argv);
        EXPECT_EQ(result.status, exit_ok);
        for (const char* command : {"migrate", "generate migration", "seed FILE", "bench"}) {
            EXPECT_TRUE(contains(result.out, command)) << command;
        }
        EXPECT_TRUE(contains(result.out, "--namespace"));
        EXPECT_TRUE(result.err.empty());
    }
}

TEST(Dispatch, NoCommandOrAnUnknownOneIsAUsageError)
{
    const auto none = run({});
    EXPECT_EQ(none.status, exit_usage);
    EXPECT_TRUE(contains(none.err, "Usage: dynomite"));
    const auto unknown = run({"migrat"});
    EXPECT_EQ(unknown.status, exit_usage);
    EXPECT_TRUE(contains(unknown.err, "unknown command \"migrat\"")) << unknown.err;
    const auto missing = run({"migrate", "--namespace"});
    EXPECT_EQ(missing.status, exit_usage);
    EXPECT_TRUE(contains(missing.err, "--namespace needs a value")) << missing.err;
}

TEST(Dispatch, EveryCommandHasHelp)
{
    for (const std::string command : {"migrate", "generate", "seed", "bench", "streams"}) {
        const auto result = run({command, "--help"});
        EXPECT_EQ(result.status, exit_ok) << command << ": " << result.err;
        EXPECT_TRUE(contains(result.out, "Usage: dynomite " + command)) << result.out;
    }
}

TEST(Dispatch, StreamsUsageErrors)
{
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"streams"}, "expected `tail TABLE`"},
        {{"streams", "head", "posts"}, "expected `tail TABLE`"},
        {{"streams", "tail"}, "the table is missing"},
        {{"streams", "tail", "posts", "comments"}, "one table at a time"},
        {{"streams", "tail", "posts", "--from"}, "--from needs a value"},
        {{"streams", "tail", "posts", "--from", "start"}, "--from is \"start\""},
        {{"streams", "tail", "posts", "--count", "0"}, "expected a positive whole number"},
        {{"streams", "tail", "posts", "--count=2x"}, "--count is \"2x\""},
        {{"streams", "tail", "posts", "--follow"}, "unknown option --follow"},
        {{"streams", "tail", "p"}, "table name \"p\" is too short"},
    };
    for (const auto& [argv, message] : cases) {
        const auto result = run(argv);
        EXPECT_EQ(result.status, exit_usage) << argv.back();
        EXPECT_TRUE(contains(result.err, message)) << result.err;
    }
}

TEST(Dispatch, MigrateUsageErrors)
{
    const auto unknown = run({"migrate", "--force"});
    EXPECT_EQ(unknown.status, exit_usage);
    EXPECT_TRUE(contains(unknown.err, "unexpected argument \"--force\"")) << unknown.err;
    const auto both = run({"migrate", "status", "--clear-errors"});
    EXPECT_EQ(both.status, exit_usage);
    EXPECT_TRUE(contains(both.err, "--clear-errors applies to `dynomite migrate`")) << both.err;
    const auto no_path = run({"migrate", "--path"});
    EXPECT_EQ(no_path.status, exit_usage);
    EXPECT_TRUE(contains(no_path.err, "--path needs a directory")) << no_path.err;
}

TEST(Dispatch, MigrateReportsAMissingDirectoryWithoutSendingAnything)
{
    const auto result = run({"migrate", "--path", "/nonexistent/dynomite/migrate"});
    EXPECT_EQ(result.status, exit_failure);
    EXPECT_TRUE(contains(result.err,
                         "/nonexistent/dynomite/migrate does not exist; create it or "
                         "give another with --path"))
        << result.err;
}

TEST_F(TemporaryDirectory, MigrateReportsABadFile)
{
    write("20260101000000-create_posts.json", R"({"up": [{"create_table": {"table_name":
        "posts", "partition_key": "id:date"}}]})");
    const auto result = run({"migrate", "status", "--path", dir.string()});
    EXPECT_EQ(result.status, exit_failure);
    EXPECT_TRUE(contains(result.err,
                         "20260101000000-create_posts.json: "
                         "up[0].create_table.partition_key: key \"id:date\""))
        << result.err;
}

TEST_F(TemporaryDirectory, AnUnreachableEndpointIsAFailure)
{
    ensure_test_environment();
    write("20260101000000-create_posts.json", R"({"up": [{"create_table": {"table_name":
        "posts", "partition_key": "id"}}]})");
    const auto result =
        run({"--endpoint", "http://127.0.0.1:1", "migrate", "--path", dir.string()});
    EXPECT_EQ(result.status, exit_failure);
    EXPECT_TRUE(contains(result.err, "dynomite: ")) << result.err;
}

TEST(RunWithClient, ReturnsTheBodysStatusOrReportsWhatItThrows)
{
    ensure_test_environment();
    global_options options;
    options.endpoint = "http://127.0.0.1:1";
    std::ostringstream err;
    const int blocked = run_with_client(
        options, err, [](client) -> boost::asio::awaitable<int> { co_return exit_blocked; });
    EXPECT_EQ(blocked, exit_blocked);
    EXPECT_TRUE(err.str().empty());
    const int thrown = run_with_client(options, err, [](client) -> boost::asio::awaitable<int> {
        throw dynomite::error(errc::invalid_argument, "the table is gone");
        co_return exit_ok;
    });
    EXPECT_EQ(thrown, exit_failure);
    EXPECT_TRUE(contains(err.str(), "dynomite: the table is gone")) << err.str();

    global_options bad;
    bad.endpoint = "ftp://example.com";
    std::ostringstream bad_err;
    const int refused = run_with_client(
        bad, bad_err, [](client) -> boost::asio::awaitable<int> { co_return exit_ok; });
    EXPECT_EQ(refused, exit_failure);
    EXPECT_TRUE(contains(bad_err.str(), "dynomite: ")) << bad_err.str();
}

// --- generate --------------------------------------------------------------------------------

std::vector<migration_step> parse_rendered(const std::string& text)
{
    std::vector<migration_step> steps;
    std::string why;
    EXPECT_FALSE(parse_migration_json(text, "generated", steps, &why)) << why << "\n" << text;
    return steps;
}

TEST(Generate, CreateInfersTheTableAndDefaultsTheKey)
{
    migration_spec spec;
    spec.name = "create_blog_posts";
    std::string file_name;
    std::string text;
    std::string why;
    ASSERT_TRUE(render_migration(spec, "20260101120000", file_name, text, why)) << why;
    EXPECT_EQ(file_name, "20260101120000-create_blog_posts.json");
    const auto steps = parse_rendered(text);
    ASSERT_EQ(steps.size(), 1u);
    const auto& table = std::get<table_definition>(steps[0]);
    EXPECT_EQ(table.table_name, "blog_posts");
    EXPECT_EQ(table.partition_key, "id:string");
    EXPECT_FALSE(table.sort_key);
    EXPECT_EQ(table.billing_mode, billing_mode::pay_per_request);

    spec.partition_key = "post_id:string";
    spec.sort_key = "created_at:number";
    spec.table_name = "comments";
    ASSERT_TRUE(render_migration(spec, "20260101120000", file_name, text, why)) << why;
    const auto keyed_steps = parse_rendered(text);
    const auto& keyed = std::get<table_definition>(keyed_steps.at(0));
    EXPECT_EQ(keyed.table_name, "comments");
    EXPECT_EQ(keyed.partition_key, "post_id:string");
    EXPECT_EQ(keyed.sort_key, "created_at:number");
}

TEST(Generate, UpdateAndAddToAddAGlobalIndex)
{
    for (const std::string name : {"update_posts", "add_user_id_index_to_posts"}) {
        migration_spec spec;
        spec.name = name;
        spec.partition_key = "user_id:string";
        spec.sort_key = "created_at";
        std::string file_name;
        std::string text;
        std::string why;
        ASSERT_TRUE(render_migration(spec, "20260101120000", file_name, text, why)) << why;
        const auto steps = parse_rendered(text);
        const auto& changes = std::get<table_changes>(steps.at(0));
        EXPECT_EQ(changes.table_name, "posts") << name;
        ASSERT_EQ(changes.add_global_indexes.size(), 1u);
        EXPECT_EQ(changes.add_global_indexes[0].index_name, "user_id-created_at-index");
        EXPECT_EQ(changes.add_global_indexes[0].sort_key, "created_at");
    }
}

TEST(Generate, DeleteAndDrop)
{
    for (const std::string name : {"delete_posts", "drop_posts"}) {
        migration_spec spec;
        spec.name = name;
        std::string file_name;
        std::string text;
        std::string why;
        ASSERT_TRUE(render_migration(spec, "20260101120000", file_name, text, why)) << why;
        EXPECT_EQ(std::get<table_deletion>(parse_rendered(text).at(0)).table_name, "posts");
    }
}

TEST(Generate, RefusesWhatItCannotInfer)
{
    const auto refused = [](migration_spec spec, std::string_view expected) {
        std::string file_name = "unchanged";
        std::string text;
        std::string why;
        EXPECT_FALSE(render_migration(spec, "20260101120000", file_name, text, why));
        EXPECT_TRUE(contains(why, expected)) << why;
        EXPECT_EQ(file_name, "unchanged");
    };
    migration_spec rename;
    rename.name = "rename_posts";
    refused(rename, "cannot tell what migration \"rename_posts\" does");
    migration_spec bare;
    bare.name = "create_";
    refused(bare, "cannot tell");
    migration_spec update;
    update.name = "update_posts";
    refused(update, "give its keys with --partition-key");
    migration_spec bad_key;
    bad_key.name = "create_posts";
    bad_key.sort_key = "at:time";
    refused(bad_key, "key \"at:time\" has type \"time\"");
    migration_spec bad_name;
    bad_name.name = "create-posts";
    refused(bad_name, "other than letters");
    migration_spec short_table;
    short_table.name = "create_posts";
    short_table.table_name = "p";
    refused(short_table, "table name \"p\" is too short");
    migration_spec bad_version;
    bad_version.name = "create_posts";
    std::string file_name;
    std::string text;
    std::string why;
    EXPECT_FALSE(render_migration(bad_version, "2026", file_name, text, why));
}

TEST_F(TemporaryDirectory, GenerateWritesAFileTheLoaderReads)
{
    const std::string target = (dir / "migrate").string();
    const auto result = run({"generate", "migration", "create_posts", "--partition-key",
                             "id:string", "--sort-key=created_at:string", "--path", target});
    ASSERT_EQ(result.status, exit_ok) << result.err;
    EXPECT_TRUE(contains(result.out, "Wrote " + target + "/")) << result.out;
    std::vector<migration> migrations;
    std::string why;
    ASSERT_FALSE(load_migrations(target, migrations, &why)) << why;
    ASSERT_EQ(migrations.size(), 1u);
    EXPECT_TRUE(std::regex_match(migrations[0].version, std::regex("20[0-9]{12}")));
    EXPECT_EQ(migrations[0].name, "create_posts");
    EXPECT_EQ(std::get<table_definition>(migrations[0].steps[0]).sort_key, "created_at:string");
}

TEST_F(TemporaryDirectory, GenerateUsageErrors)
{
    const auto check = [](const std::vector<std::string>& argv, std::string_view expected) {
        const auto result = run(argv);
        EXPECT_EQ(result.status, exit_usage) << result.err;
        EXPECT_TRUE(contains(result.err, expected)) << result.err;
    };
    check({"generate"}, "expected `dynomite generate migration NAME`");
    check({"generate", "model", "Post"}, "expected `dynomite generate migration NAME`");
    check({"generate", "migration"}, "needs a NAME");
    check({"generate", "migration", "a", "b"}, "unexpected argument \"b\"");
    check({"generate", "migration", "create_posts", "--sort-key"}, "--sort-key needs a value");
    check({"generate", "migration", "create_posts", "--force"}, "unknown option --force");
    check({"generate", "migration", "rename_posts", "--path", dir.string()}, "cannot tell");
    EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST_F(TemporaryDirectory, GenerateCannotWriteIntoAFile)
{
    const std::string file = write("occupied", "x");
    const auto result = run({"generate", "migration", "create_posts", "--path", file});
    EXPECT_EQ(result.status, exit_failure);
    EXPECT_TRUE(contains(result.err, "cannot create " + file)) << result.err;
}

// --- seed ------------------------------------------------------------------------------------

TEST(Seed, ConvertsPlainJsonItemsIntoPutsOnNamespacedTables)
{
    naming_options naming;
    naming.namespace_ = "blog";
    std::vector<table_write> writes;
    std::string why;
    ASSERT_TRUE(parse_seed(R"({
        // comments and trailing commas are allowed
        "posts": [
          {"id": "p1", "views": 3, "big": 18446744073709551615, "ratio": 0.5, "draft": false,
           "tags": ["intro", 2], "meta": {"lang": "en"}, "none": null},
        ],
        "users": [{"id": "u1"}, {"id": "u2"}],
    })",
                           "seed.json", naming, writes, why))
        << why;
    ASSERT_EQ(writes.size(), 3u);
    EXPECT_EQ(writes[0].table, "blog_posts");
    EXPECT_EQ(writes[2].table, "blog_users");
    const attribute_map& item = std::get<put_request>(writes[0].write).item;
    EXPECT_EQ(item.find("id")->as_s(), "p1");
    EXPECT_EQ(item.find("views")->get_if<number>()->text(), "3");
    EXPECT_EQ(item.find("big")->get_if<number>()->text(), "18446744073709551615");
    EXPECT_EQ(item.find("ratio")->get_if<number>()->text(), "0.5");
    EXPECT_EQ(*item.find("draft")->get_if<bool>(), false);
    const auto* tags = item.find("tags")->get_if<attribute_list>();
    ASSERT_TRUE(tags);
    ASSERT_EQ(tags->size(), 2u);
    EXPECT_EQ((*tags)[0].as_s(), "intro");
    EXPECT_EQ(item.find("meta")->get_if<attribute_map>()->find("lang")->as_s(), "en");
    EXPECT_TRUE(item.find("none")->get_if<null_value>());
}

TEST(Seed, NumbersKeepEveryDigitAsWritten)
{
    naming_options naming;
    naming.namespace_ = std::string();
    std::vector<table_write> writes;
    std::string why;
    ASSERT_TRUE(parse_seed(R"({"posts": [{"id": "p1",
        "big": 12345678901234567890123456789,
        "max": 98765432109876543210987654321098765432,
        "negative": -0.00000000000000000000000000000000000001234567890123456789,
        "tiny": 1.5E-130, "huge": 9.9999999999999999999999999999999999999e125,
        "spelled": 1.50}]})",
                           "seed.json", naming, writes, why))
        << why;
    ASSERT_EQ(writes.size(), 1u);
    const attribute_map& item = std::get<put_request>(writes[0].write).item;
    const auto text = [&](std::string_view name) { return item.find(name)->as_n().text(); };
    EXPECT_EQ(text("big"), "12345678901234567890123456789");
    EXPECT_EQ(text("max"), "98765432109876543210987654321098765432");
    EXPECT_EQ(text("negative"), "-0.00000000000000000000000000000000000001234567890123456789");
    EXPECT_EQ(text("tiny"), "1.5E-130");
    EXPECT_EQ(text("huge"), "9.9999999999999999999999999999999999999e125");
    EXPECT_EQ(text("spelled"), "1.50");
}

TEST(Seed, ErrorsNameTheFileAndThePlace)
{
    naming_options naming;
    naming.namespace_ = std::string();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{", "seed.json: not valid JSON"},
        {"[]", "seed.json: expected an object from table names to arrays of items"},
        {R"({"posts": {}})", "seed.json: posts: expected an array of items"},
        {R"({"posts": [1]})", "seed.json: posts[0]: expected an item, a non-empty object"},
        {R"({"posts": [{"id": "a"}, {}]})", "seed.json: posts[1]: expected an item"},
        {R"({"p": [{"id": "a"}]})", "seed.json: p: table name \"p\" is too short"},
        {R"({"posts": [{"id": "a", "n": [1, 1e200]}]})",
         "seed.json: posts[0].n[1]: \"1e200\" is not a DynamoDB number"},
    };
    for (const auto& [text, expected] : cases) {
        std::vector<table_write> writes;
        std::string why;
        EXPECT_FALSE(parse_seed(text, "seed.json", naming, writes, why)) << text;
        EXPECT_TRUE(contains(why, expected)) << why;
        EXPECT_TRUE(writes.empty());
    }
}

TEST_F(TemporaryDirectory, SeedUsageAndFileErrors)
{
    const auto usage = run({"seed"});
    EXPECT_EQ(usage.status, exit_usage);
    EXPECT_TRUE(contains(usage.err, "expected one FILE, got 0")) << usage.err;
    const auto option = run({"seed", "--all", "x.json"});
    EXPECT_EQ(option.status, exit_usage);
    EXPECT_TRUE(contains(option.err, "unknown option --all")) << option.err;
    const std::string missing = (dir / "missing.json").string();
    const auto unreadable = run({"seed", missing});
    EXPECT_EQ(unreadable.status, exit_failure);
    EXPECT_TRUE(contains(unreadable.err, missing + " cannot be read")) << unreadable.err;
    const std::string bad = write("bad.json", R"({"posts": [3]})");
    const auto invalid = run({"seed", bad});
    EXPECT_EQ(invalid.status, exit_failure);
    EXPECT_TRUE(contains(invalid.err, bad + ": posts[0]: expected an item")) << invalid.err;
}

}  // namespace
