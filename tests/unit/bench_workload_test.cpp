// YCSB's core workloads, the TransactWriteItems and BatchWriteItem operations and the resumable
// --prepare of `dynomite bench`, against a fake server whose recorded requests show what was
// sent.
#include "bench/key_chooser.hpp"
#include "bench/ycsb_operations.hpp"
#include "bench_test_support.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <map>

namespace bench = dynomite::cli::bench;
using bench_test::read_json;
using bench_test::run_against;
using dynomite::test::fake_action;
using dynomite::test::fake_server;
using dynomite::test::recorded_request;

namespace {

// "GetItem" for a request whose X-Amz-Target is DynamoDB_20120810.GetItem.
std::string target_of(const recorded_request& request)
{
    std::string target = request.header("x-amz-target").value_or("");
    return target.substr(target.find('.') + 1);
}

std::map<std::string, int> requests_by_target(const fake_server& server)
{
    std::map<std::string, int> counts;
    for (const auto& request : server.requests()) ++counts[target_of(request)];
    return counts;
}

std::vector<boost::json::object> bodies_of(const fake_server& server, std::string_view target)
{
    std::vector<boost::json::object> bodies;
    for (const auto& request : server.requests()) {
        if (target_of(request) == target)
            bodies.push_back(boost::json::parse(request.body).as_object());
    }
    return bodies;
}

}  // namespace

TEST(BenchWorkload, WorkloadAReadsAndUpdatesZipfianRecords)
{
    fake_server server;
    const std::string json = testing::TempDir() + "workload_a.json";
    auto run = run_against(server, {"--workload", "a", "--requests", "400", "--warmup", "0",
                                    "--concurrency", "2", "--json", json});
    ASSERT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    auto counts = requests_by_target(server);
    EXPECT_EQ(counts["GetItem"] + counts["UpdateItem"], 400);
    // Binomial(400, 0.5): 150 and 250 are 5 standard deviations away.
    EXPECT_GT(counts["GetItem"], 150);
    EXPECT_GT(counts["UpdateItem"], 150);
    for (const auto& body : bodies_of(server, "UpdateItem")) {
        EXPECT_EQ(body.at("TableName").as_string(), "usertable");
        EXPECT_EQ(body.at("UpdateExpression").as_string(), "SET #f = :v");
        EXPECT_EQ(body.at("Key").at("pk").at("S").as_string().subview().substr(0, 4), "user");
        EXPECT_EQ(body.at("ExpressionAttributeValues").at(":v").at("S").as_string().size(), 100u);
    }
    auto results = read_json(json);
    EXPECT_EQ(results.at("environment").at("workload").as_string(), "a");
    EXPECT_EQ(results.at("environment").at("operations").as_string(), "read=0.5,update=0.5");
}

TEST(BenchWorkload, WorkloadEScansPagesAfterAChosenRecordAndInserts)
{
    fake_server server;
    auto run = run_against(server, {"--workload", "e", "--requests", "200", "--warmup", "0",
                                    "--concurrency", "1", "--fieldcount", "3", "--fieldlength",
                                    "8", "--recordcount", "50"});
    ASSERT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    auto scans = bodies_of(server, "Scan");
    auto inserts = bodies_of(server, "PutItem");
    EXPECT_EQ(scans.size() + inserts.size(), 200u);
    EXPECT_GT(scans.size(), 170u);
    for (const auto& scan : scans) {
        auto limit = scan.at("Limit").to_number<int>();
        EXPECT_GE(limit, 1);
        EXPECT_LE(limit, 100);
        EXPECT_EQ(scan.at("ExclusiveStartKey").at("sk").at("S").as_string(), "record");
    }
    // Inserts number the records after the loaded ones, in order.
    for (std::size_t i = 0; i < inserts.size(); ++i) {
        const auto& item = inserts[i].at("Item").as_object();
        EXPECT_EQ(item.at("pk").at("S").as_string(), bench::ycsb_key(50 + std::int64_t(i)));
        EXPECT_EQ(item.at("field2").at("S").as_string().size(), 8u);
        EXPECT_FALSE(item.contains("field3"));
    }
}

TEST(BenchWorkload, WorkloadFReadsBeforeEachReadModifyWrite)
{
    fake_server server;
    auto run = run_against(server, {"--workload", "f", "--requests", "200", "--warmup", "0",
                                    "--concurrency", "2"});
    ASSERT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    auto counts = requests_by_target(server);
    // Every operation reads; the read-modify-writes then update.
    EXPECT_EQ(counts["GetItem"], 200);
    EXPECT_GT(counts["UpdateItem"], 60);
    EXPECT_LT(counts["UpdateItem"], 140);
}

TEST(BenchWorkload, TransactionsAndBatchWritesAreOperations)
{
    fake_server server;
    auto run = run_against(server, {"--op", "transactwrite=1,batchwrite=1", "--requests", "40",
                                    "--warmup", "0", "--concurrency", "1", "--items", "30"});
    ASSERT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    auto transactions = bodies_of(server, "TransactWriteItems");
    auto batches = bodies_of(server, "BatchWriteItem");
    EXPECT_EQ(transactions.size() + batches.size(), 40u);
    ASSERT_FALSE(transactions.empty());
    ASSERT_FALSE(batches.empty());
    EXPECT_EQ(transactions[0].at("TransactItems").as_array().size(), 2u);
    EXPECT_TRUE(transactions[0].at("TransactItems").at(0).as_object().contains("Put"));
    EXPECT_EQ(batches[0].at("RequestItems").at("dynomite_bench").as_array().size(), 25u);
}

TEST(BenchWorkload, LoadProgress)
{
    EXPECT_EQ(bench::format_load_progress(500, 1000, false),
              "bench: loaded 500 of 1000 records (50%)\n");
    EXPECT_EQ(bench::format_load_progress(500, 1000, true),
              "\rbench: loading [###############---------------]  50% 500/1000 records");
    EXPECT_EQ(bench::format_load_progress(1000, 1000, true),
              "\rbench: loading [##############################] 100% 1000/1000 records");
}

// A load stopped by an error continues, in a later --prepare, after the last records the load
// marker counts; a complete load is not written again.
TEST(BenchWorkload, PrepareResumesAnInterruptedLoad)
{
    const std::vector<std::string> args = {"--workload", "a",   "--prepare",     "--recordcount",
                                           "2500",       "--requests", "1",      "--warmup",
                                           "0",          "--concurrency", "1"};
    fake_server first;
    first.enqueue(fake_action::ok(
        R"({"TableDescription":{"TableName":"usertable","TableStatus":"CREATING"}})"));
    first.enqueue(fake_action::ok(std::string(bench_test::canned_table)));  // DescribeTable
    // The marker's GetItem (none), 40 batches, the marker at 1000 records, 5 more batches.
    first.enqueue(fake_action::ok(), 47);
    first.enqueue(fake_action::aws_error(400, "ValidationException", "refused"));
    auto stopped = run_against(first, args);
    EXPECT_EQ(stopped.status, dynomite::cli::exit_failure);
    EXPECT_NE(stopped.err.find("refused"), std::string::npos) << stopped.err;
    auto markers = bodies_of(first, "PutItem");
    ASSERT_EQ(markers.size(), 1u);
    const auto& marker = markers[0].at("Item").as_object();
    EXPECT_EQ(marker.at("loaded").at("N").as_string(), "1000");
    EXPECT_EQ(marker.at("pk").at("S").as_string(), "dynomite-bench-load");

    // A later --prepare finds the table and reads `marker` back.
    auto answer_with_marker = [](fake_server& server, const boost::json::object& marker) {
        server.enqueue(fake_action::aws_error(400, "ResourceInUseException", "exists"));
        server.enqueue(fake_action::ok(std::string(bench_test::canned_table)));
        server.enqueue(
            fake_action::ok(boost::json::serialize(boost::json::object{{"Item", marker}})));
    };
    fake_server second;
    answer_with_marker(second, marker);
    auto resumed = run_against(second, args);
    ASSERT_EQ(resumed.status, dynomite::cli::exit_ok) << resumed.err;
    EXPECT_NE(resumed.err.find("resuming the load at record 1000\n"), std::string::npos)
        << resumed.err;
    auto batches = bodies_of(second, "BatchWriteItem");
    ASSERT_EQ(batches.size(), 60u);  // records 1000 to 2499
    const auto& first_put = batches[0].at("RequestItems").at("usertable").at(0);
    EXPECT_EQ(first_put.at("PutRequest").at("Item").at("pk").at("S").as_string(),
              bench::ycsb_key(1000));
    auto final_marker = bodies_of(second, "PutItem").back().at("Item").as_object();
    EXPECT_EQ(final_marker.at("loaded").at("N").as_string(), "2500");

    // Loaded: nothing is written.
    fake_server third;
    answer_with_marker(third, final_marker);
    auto done = run_against(third, args);
    ASSERT_EQ(done.status, dynomite::cli::exit_ok) << done.err;
    EXPECT_NE(done.err.find("2500 records already loaded"), std::string::npos) << done.err;
    EXPECT_EQ(requests_by_target(third)["BatchWriteItem"], 0);

    // A marker of another record shape starts over.
    auto other_shape = final_marker;
    other_shape["fieldcount"] = boost::json::object{{"N", "3"}};
    fake_server fourth;
    answer_with_marker(fourth, other_shape);
    auto restarted = run_against(fourth, args);
    ASSERT_EQ(restarted.status, dynomite::cli::exit_ok) << restarted.err;
    EXPECT_NE(restarted.err.find("another shape; loading from record 0"), std::string::npos);
    EXPECT_EQ(requests_by_target(fourth)["BatchWriteItem"], 100);
}
