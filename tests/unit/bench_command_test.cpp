// The sans-io parts of `dynomite bench`: options, operation mix, histogram, report.
#include "bench/bench.hpp"
#include "bench/results.hpp"
#include "bench_test_support.hpp"
#include "cli.hpp"

#include <dynomite/version.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

namespace bench = dynomite::cli::bench;
using namespace std::chrono_literals;

namespace {

bench::bench_options parse_ok(std::vector<std::string> args)
{
    bench::bench_options options;
    std::string why;
    auto ec = bench::parse_bench_options(args, options, why);
    EXPECT_FALSE(ec) << why;
    return options;
}

std::string parse_error(std::vector<std::string> args)
{
    bench::bench_options options;
    std::string why;
    auto ec = bench::parse_bench_options(args, options, why);
    EXPECT_EQ(ec, dynomite::errc::invalid_argument);
    return why;
}

}  // namespace

TEST(BenchOptions, DefaultsWithoutArguments)
{
    auto options = parse_ok({});
    EXPECT_EQ(options.mix.describe(), "getitem");
    EXPECT_EQ(options.layer, bench::layer::client);
    EXPECT_EQ(options.concurrency, 16u);
    EXPECT_FALSE(options.requests);
    EXPECT_EQ(options.duration, 10s);
    EXPECT_EQ(options.warmup, 1s);
    EXPECT_EQ(options.table, "dynomite_bench");
    EXPECT_EQ(options.items, 1000u);
    EXPECT_EQ(options.threads, 1u);
    EXPECT_FALSE(options.prepare);
    EXPECT_FALSE(options.help);
}

TEST(BenchOptions, EveryOptionSeparateOrInline)
{
    auto options = parse_ok({"--endpoint",  "http://127.0.0.1:8000",
                             "--op=query",  "--layer",
                             "model",       "--concurrency",
                             "64",          "--requests=5000",
                             "--warmup",    "0",
                             "--table",     "t1",
                             "--item-size", "100",
                             "--items=50",  "--threads",
                             "2",           "--json",
                             "out.json",    "--prepare"});
    EXPECT_EQ(options.endpoint, "http://127.0.0.1:8000");
    EXPECT_EQ(options.mix.describe(), "query");
    EXPECT_EQ(options.layer, bench::layer::model);
    EXPECT_EQ(options.concurrency, 64u);
    EXPECT_EQ(options.requests, 5000u);
    EXPECT_EQ(options.warmup, 0ms);
    EXPECT_EQ(options.table, "t1");
    EXPECT_EQ(options.item_size, 100u);
    EXPECT_EQ(options.items, 50u);
    EXPECT_EQ(options.threads, 2u);
    EXPECT_EQ(options.json_file, "out.json");
    EXPECT_TRUE(options.prepare);
}

TEST(BenchOptions, DurationsWithUnits)
{
    EXPECT_EQ(parse_ok({"--duration", "500ms"}).duration, 500ms);
    EXPECT_EQ(parse_ok({"--duration", "3s"}).duration, 3s);
    EXPECT_EQ(parse_ok({"--duration", "2m"}).duration, 120s);
    EXPECT_EQ(parse_ok({"--duration", "7"}).duration, 7s);
    EXPECT_EQ(bench::parse_duration("0s"), std::nullopt);
    EXPECT_EQ(bench::parse_duration("1h"), std::nullopt);
    EXPECT_EQ(bench::parse_duration("-1s"), std::nullopt);
    EXPECT_EQ(bench::parse_duration(""), std::nullopt);
}

TEST(BenchOptions, HelpIsNoError)
{
    EXPECT_TRUE(parse_ok({"--help"}).help);
    EXPECT_TRUE(parse_ok({"-h"}).help);
}

TEST(BenchOptions, UsageErrorsNameTheOptionAndValue)
{
    EXPECT_EQ(parse_error({"--bogus"}), "unknown option \"--bogus\"");
    EXPECT_EQ(parse_error({"--concurrency"}), "--concurrency needs a value");
    EXPECT_EQ(parse_error({"--concurrency", "0"}),
              "--concurrency: expected an integer from 1 to 100000, got \"0\"");
    EXPECT_EQ(parse_error({"--requests", "ten"}),
              "--requests: expected an integer from 1 to 1000000000000, got \"ten\"");
    EXPECT_EQ(parse_error({"--layer", "orm"}), "--layer: expected client or model, got \"orm\"");
    EXPECT_EQ(parse_error({"--duration", "soon"}),
              "--duration: expected a duration such as 10s, 500ms or 2m, got \"soon\"");
    EXPECT_EQ(parse_error({"--warmup", "x"}),
              "--warmup: expected a duration such as 10s, 500ms or 2m, got \"x\"");
    EXPECT_EQ(parse_error({"--requests", "10", "--duration", "1s"}),
              "--requests and --duration exclude each other");
    EXPECT_EQ(parse_error({"--threads", "4", "--concurrency", "2"}),
              "--threads (4) is more than --concurrency (2)");
    EXPECT_EQ(parse_error({"--prepare=yes"}), "--prepare takes no value");
    EXPECT_EQ(parse_error({"--counts=1"}), "--counts takes no value");
    EXPECT_EQ(parse_error({"--table", ""}), "--table: a table name has 1 to 255 characters");
    EXPECT_EQ(parse_error({"--endpoint="}), "--endpoint: empty URL");
    EXPECT_EQ(parse_error({"--json", ""}), "--json: empty file name");
    EXPECT_EQ(parse_error({"--items", "2000000"}),
              "--items: expected an integer from 1 to 1000000, got \"2000000\"");
    EXPECT_EQ(parse_error({"--item-size", "1e3"}),
              "--item-size: expected an integer from 1 to 350000, got \"1e3\"");
    EXPECT_EQ(parse_error({"--op", "deleteitem"}),
              "--op: unknown operation \"deleteitem\" (getitem, putitem, query, scan, "
              "transactwrite or batchwrite)");
    EXPECT_EQ(parse_error({"--op", "batchwrite", "--layer", "model"}),
              "--op batchwrite runs on the client layer, not --layer model");
    EXPECT_EQ(parse_error({"--op", "getitem,transactwrite", "--layer", "model"}),
              "--op transactwrite runs on the client layer, not --layer model");
}

TEST(BenchOptions, YcsbWorkloadAndItsProperties)
{
    auto a = parse_ok({"--workload", "a"});
    ASSERT_TRUE(a.workload);
    EXPECT_EQ(a.workload->name, 'a');
    EXPECT_EQ(a.workload->request_distribution, bench::key_distribution::zipfian);
    EXPECT_EQ(a.table, "usertable");
    EXPECT_EQ(a.record_count, 1000);
    EXPECT_EQ(a.field_count, 10u);
    EXPECT_EQ(a.field_length, 100u);

    auto e = parse_ok({"--workload=e", "--recordcount", "5000", "--operationcount", "300",
                       "--fieldcount", "4", "--fieldlength=20", "--maxscanlength", "10",
                       "--requestdistribution", "uniform", "--table", "t"});
    EXPECT_EQ(e.workload->max_scan_length, 10);
    EXPECT_EQ(e.workload->request_distribution, bench::key_distribution::uniform);
    EXPECT_EQ(e.record_count, 5000);
    EXPECT_EQ(e.requests, 300u);
    EXPECT_EQ(e.field_count, 4u);
    EXPECT_EQ(e.field_length, 20u);
    EXPECT_EQ(e.table, "t");
    EXPECT_EQ(parse_ok({"--workload", "d"}).workload->request_distribution,
              bench::key_distribution::latest);

    EXPECT_EQ(parse_error({"--workload", "g"}), "--workload: expected a, b, c, d, e or f, got \"g\"");
    EXPECT_EQ(parse_error({"--workload", "ab"}),
              "--workload: expected a, b, c, d, e or f, got \"ab\"");
    EXPECT_EQ(parse_error({"--workload", "a", "--op", "getitem"}),
              "--workload and --op exclude each other");
    EXPECT_EQ(parse_error({"--workload", "a", "--layer", "model"}),
              "--workload runs on the client layer, not --layer model");
    EXPECT_EQ(parse_error({"--requestdistribution", "uniform"}),
              "--requestdistribution and --maxscanlength need --workload");
    EXPECT_EQ(parse_error({"--workload", "a", "--requestdistribution", "normal"}),
              "--requestdistribution: expected uniform, zipfian, latest or hotspot, got "
              "\"normal\"");
    EXPECT_EQ(parse_error({"--recordcount", "0"}),
              "--recordcount: expected an integer from 1 to 1000000000, got \"0\"");
    EXPECT_EQ(parse_error({"--fieldcount", "1001"}),
              "--fieldcount: expected an integer from 1 to 1000, got \"1001\"");
    EXPECT_EQ(parse_error({"--operationcount", "x"}),
              "--operationcount: expected an integer from 1 to 1000000000000, got \"x\"");
    EXPECT_EQ(parse_error({"--workload", "e", "--maxscanlength", "0"}),
              "--maxscanlength: expected an integer from 1 to 1000, got \"0\"");
}

TEST(OperationMix, WeightsAndDescription)
{
    dynomite::cli::bench::operation_mix mix;
    std::string why;
    ASSERT_FALSE(bench::operation_mix::parse("getitem=80,putitem=20", mix, why)) << why;
    EXPECT_EQ(mix.total_weight(), 100u);
    EXPECT_EQ(mix.describe(), "getitem=80,putitem=20");
    EXPECT_EQ(mix.pick(0), bench::operation::get_item);
    EXPECT_EQ(mix.pick(79), bench::operation::get_item);
    EXPECT_EQ(mix.pick(80), bench::operation::put_item);
    EXPECT_EQ(mix.pick(99), bench::operation::put_item);
    EXPECT_EQ(mix.pick(100), bench::operation::get_item);  // wraps

    ASSERT_FALSE(bench::operation_mix::parse("scan,query=3", mix, why)) << why;
    EXPECT_EQ(mix.total_weight(), 4u);
    EXPECT_EQ(mix.describe(), "scan=1,query=3");
    std::map<bench::operation, int> picks;
    for (std::uint64_t draw = 0; draw < 400; ++draw) ++picks[mix.pick(draw)];
    EXPECT_EQ(picks[bench::operation::scan], 100);
    EXPECT_EQ(picks[bench::operation::query], 300);
}

TEST(OperationMix, RefusesMalformedMixes)
{
    bench::operation_mix mix;
    std::string why;
    EXPECT_EQ(bench::operation_mix::parse("", mix, why), dynomite::errc::invalid_argument);
    EXPECT_EQ(why, "--op: expected an operation, got nothing");
    EXPECT_EQ(bench::operation_mix::parse("getitem=0", mix, why), dynomite::errc::invalid_argument);
    EXPECT_EQ(why, "--op: the weight of getitem must be an integer from 1 to 1000000, got \"0\"");
    EXPECT_EQ(bench::operation_mix::parse("getitem=,scan", mix, why),
              dynomite::errc::invalid_argument);
    EXPECT_EQ(why, "--op: the weight of getitem must be an integer from 1 to 1000000, got \"\"");
    EXPECT_EQ(bench::operation_mix::parse("getitem,getitem=2", mix, why),
              dynomite::errc::invalid_argument);
    EXPECT_EQ(why, "--op: getitem is named twice");
    EXPECT_EQ(bench::operation_mix::parse("getitem,", mix, why), dynomite::errc::invalid_argument);
    EXPECT_EQ(why, "--op: a comma ends the mix");
    // A refused mix leaves the previous one.
    EXPECT_EQ(mix.describe(), "getitem");
}

namespace {

bench::bench_result sample_result()
{
    bench::bench_result r;
    r.op = "getitem=80,putitem=20";
    r.layer = bench::layer::model;
    r.requests = 1000;
    r.concurrency = 8;
    r.threads = 1;
    r.seconds = 2.0;
    r.items = 900;
    r.errors = 3;
    r.cpu_seconds = 0.25;
    r.cpu_system_seconds = 0.1;
    r.context_switches = 500;
    for (int i = 0; i < 1000; ++i) r.latencies.record(std::chrono::microseconds(100));
    r.throttles = 2;
    return r;
}

}  // namespace

TEST(BenchReport, SummaryLineHasTheFixedForm)
{
    EXPECT_EQ(bench::format_summary(sample_result()),
              "op=getitem=80,putitem=20 layer=model requests=1000 concurrency=8 seconds=2.000 "
              "ops_per_s=500.0 items_per_s=450.0 p50_us=100.0 p99_us=100.0 p999_us=100.0 "
              "errors=3 throttles=2 mode=closed-loop");
    auto open = sample_result();
    open.rate = 500;
    open.late_requests = 7;
    open.max_lateness = std::chrono::microseconds(2500);
    EXPECT_NE(bench::format_summary(open).find(" mode=open-loop rate=500 late=7 max_late_ms=2.500"),
              std::string::npos);
    bench::bench_result empty;
    empty.op = "scan";
    EXPECT_EQ(bench::format_summary(empty),
              "op=scan layer=client requests=0 concurrency=0 seconds=0.000 ops_per_s=0.0 "
              "items_per_s=0.0 p50_us=0.0 p99_us=0.0 p999_us=0.0 errors=0 throttles=0 "
              "mode=closed-loop");
}

TEST(BenchReport, ResultsCarryTheSameFiguresInFormatTwo)
{
    auto result = sample_result();
    result.latencies.record(std::chrono::milliseconds(7));
    bench::run_environment environment;
    environment.command = {"dynomite", "bench", "--rate", "500"};
    environment.endpoint = "http://127.0.0.1:8101";
    environment.started_at = "2026-12-05T04:00:00.000Z";
    environment.connections = 8;
    std::map<std::int64_t, bench::second_stats> seconds;
    seconds[0].requests = 600;
    seconds[0].throttles = 2;
    seconds[0].latencies.record(std::chrono::microseconds(100), 600);
    seconds[1].requests = 401;
    seconds[1].errors = 3;
    seconds[1].latencies.record(std::chrono::microseconds(100), 400);
    seconds[1].latencies.record(std::chrono::milliseconds(7));
    auto json = bench::make_results(result, environment, seconds);
    // Through text and back, as a reader of the file sees it.
    json = boost::json::parse(boost::json::serialize(json)).as_object();
    EXPECT_EQ(json.at("format").as_string(), "dynomite-bench/2");
    EXPECT_EQ(json.at("command").as_array().size(), 4u);
    const auto& env = json.at("environment").as_object();
    EXPECT_EQ(env.at("endpoint_kind").as_string(), "local");
    EXPECT_EQ(env.at("layer").as_string(), "model");
    EXPECT_EQ(env.at("operations").as_string(), "getitem=80,putitem=20");
    EXPECT_EQ(env.at("mode").as_string(), "closed-loop");
    EXPECT_TRUE(env.at("rate").is_null());
    EXPECT_EQ(env.at("version").as_string(), DYNOMITE_VERSION_STRING);
    const auto& summary = json.at("summary").as_object();
    EXPECT_EQ(summary.at("requests").to_number<std::uint64_t>(), 1000u);
    EXPECT_EQ(summary.at("throttles").to_number<std::uint64_t>(), 2u);
    EXPECT_DOUBLE_EQ(summary.at("throughput").to_number<double>(), 500.0);
    EXPECT_DOUBLE_EQ(summary.at("cpu_us_per_request").to_number<double>(), 250.0);
    EXPECT_DOUBLE_EQ(summary.at("cpu_system_us_per_request").to_number<double>(), 100.0);
    EXPECT_DOUBLE_EQ(summary.at("context_switches_per_request").to_number<double>(), 0.5);
    const auto& percentiles = json.at("percentiles").as_array();
    ASSERT_EQ(percentiles.size(), 7u);
    EXPECT_DOUBLE_EQ(percentiles[0].at("percentile").to_number<double>(), 50.0);
    // The highest value equivalent to 100 us, to 3 significant digits.
    EXPECT_NEAR(percentiles[0].at("latency_ms").to_number<double>(), 0.1, 0.0001);
    EXPECT_DOUBLE_EQ(percentiles[6].at("percentile").to_number<double>(), 100.0);
    EXPECT_NEAR(percentiles[6].at("latency_ms").to_number<double>(), 7.0, 0.007);
    EXPECT_GE(json.at("spectrum").as_array().size(), 10u);
    const auto& series = json.at("series").as_array();
    ASSERT_EQ(series.size(), 2u);
    EXPECT_EQ(series[1].at("second").to_number<int>(), 1);
    EXPECT_EQ(series[1].at("errors").to_number<int>(), 3);
    EXPECT_DOUBLE_EQ(series[0].at("throughput").to_number<double>(), 600.0);
    EXPECT_NEAR(series[1].at("p99_ms").to_number<double>(), 0.1, 0.0001);
    dynomite::cli::bench::hdr_histogram decoded;
    std::string why;
    ASSERT_FALSE(bench::hdr_histogram::from_base64(json.at("histogram").as_string(), decoded, why));
    EXPECT_TRUE(decoded == result.latencies);
}

TEST(BenchReport, EndpointKinds)
{
    EXPECT_EQ(bench::endpoint_kind("http://localhost:8000"), "local");
    EXPECT_EQ(bench::endpoint_kind("http://[::1]:8000/"), "local");
    EXPECT_EQ(bench::endpoint_kind("https://dynamodb.eu-west-1.amazonaws.com"), "aws");
    EXPECT_EQ(bench::endpoint_kind("https://ddb.example.com"), "other");
}

TEST(BenchReport, CpuLine)
{
    EXPECT_EQ(bench::format_cpu(sample_result()),
              "bench: CPU 250.00 us per operation (user and system, 0.250 s while measuring), "
              "of which system 100.00 us; 0.500 context switches per operation");
    EXPECT_EQ(bench::format_cpu(bench::bench_result{}),
              "bench: CPU 0.00 us per operation (user and system, 0.000 s while measuring), "
              "of which system 0.00 us; 0.000 context switches per operation");
}

TEST(BenchReport, ProgressLine)
{
    EXPECT_EQ(bench::format_progress(3.0, 1200, 3000, 1, false),
              "bench: 3s 1200 req/s, 3000 requests, 1 errors");
    EXPECT_EQ(bench::format_progress(1.0, 10, 0, 0, true),
              "bench: 1s warmup 10 req/s, 0 requests, 0 errors");
}

TEST(BenchItems, KeysHaveFixedWidthAndPayloadItsSize)
{
    EXPECT_EQ(bench::item_sort_key(42), "item-000042");
    EXPECT_EQ(bench::item_sort_key(999999).size(), bench::item_sort_key(0).size());
    auto payload = bench::make_payload(100);
    EXPECT_EQ(payload.size(), 100u);
    EXPECT_EQ(payload.substr(0, 3), "abc");
    EXPECT_EQ(bench::operation_name(bench::operation::scan), "scan");
    EXPECT_EQ(bench::layer_name(bench::layer::client), "client");
}

TEST(RunBench, HelpGoesToStdout)
{
    std::ostringstream out, err;
    int status = dynomite::cli::run_bench({}, {"--help"}, out, err);
    EXPECT_EQ(status, dynomite::cli::exit_ok);
    EXPECT_NE(out.str().find("Usage: dynomite bench"), std::string::npos);
    EXPECT_EQ(err.str(), "");
}

TEST(RunBench, UsageErrorExitsWithUsageStatus)
{
    std::ostringstream out, err;
    int status = dynomite::cli::run_bench({}, {"--concurrency", "none"}, out, err);
    EXPECT_EQ(status, dynomite::cli::exit_usage);
    EXPECT_EQ(out.str(), "");
    EXPECT_EQ(err.str(),
              "dynomite bench: --concurrency: expected an integer from 1 to 100000, got \"none\"\n"
              "Try 'dynomite bench --help'.\n");
}

using bench_test::canned_item;
using bench_test::canned_page;
using bench_test::canned_table;
using bench_test::run_against;
using bench_test::summary_field;
using dynomite::test::fake_action;
using dynomite::test::fake_server;

TEST(RunBench, ClientGetItemsCountsRequestsAndItems)
{
    fake_server server;
    server.set_default(fake_action::ok(std::string(canned_item)));
    auto run = run_against(
        server, {"--requests", "40", "--warmup", "0", "--concurrency", "4", "--table", "t_bench"});
    EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    EXPECT_EQ(run.out.rfind("op=getitem layer=client requests=40 concurrency=4 seconds=", 0), 0u)
        << run.out;
    EXPECT_EQ(summary_field(run.out, "errors"), "0");
    EXPECT_EQ(std::stod(summary_field(run.out, "ops_per_s")),
              std::stod(summary_field(run.out, "items_per_s")));
    EXPECT_GT(std::stod(summary_field(run.out, "p50_us")), 0.0);
    EXPECT_GE(server.request_count(), 40u);
    auto requests = server.requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests.front().header("x-amz-target"), "DynamoDB_20120810.GetItem");
    EXPECT_NE(requests.front().body.find("\"t_bench\""), std::string::npos);
}

TEST(RunBench, ModelQueryHydratesEveryItemOfThePage)
{
    fake_server server;
    // The relation plans with the table's key schema, asked once.
    server.enqueue(fake_action::ok(std::string(canned_table)));
    server.set_default(fake_action::ok(std::string(canned_page)));
    auto run = run_against(server, {"--op", "query", "--layer", "model", "--requests", "10",
                                    "--warmup", "0", "--concurrency", "1", "--items", "2"});
    EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    EXPECT_EQ(run.out.rfind("op=query layer=model requests=10 concurrency=1", 0), 0u) << run.out;
    EXPECT_NEAR(std::stod(summary_field(run.out, "items_per_s")),
                2 * std::stod(summary_field(run.out, "ops_per_s")), 0.2);
}

TEST(RunBench, ModelPutsOfWorkersSharingAThreadWriteDistinctKeys)
{
    fake_server server;
    auto run = run_against(server, {"--op", "putitem", "--layer", "model", "--requests", "40",
                                    "--warmup", "0", "--threads", "1", "--concurrency", "4"});
    EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    std::set<std::string> keys;
    std::size_t puts = 0;
    for (const auto& request : server.requests()) {
        if (request.header("x-amz-target") != "DynamoDB_20120810.PutItem") continue;
        ++puts;
        const auto body = boost::json::parse(request.body).as_object();
        keys.insert(boost::json::serialize(body.at("Item").at("sk")));
    }
    EXPECT_GE(puts, 40u);
    EXPECT_EQ(keys.size(), puts) << "two workers of one thread wrote the same key";
}

TEST(RunBench, MixSendsBothOperationsWithinADuration)
{
    fake_server server;
    auto run = run_against(
        server, {"--op", "putitem=1,getitem=1", "--duration", "300ms", "--warmup", "100ms",
                 "--concurrency", "2", "--json", testing::TempDir() + "bench_mix.json"});
    EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    EXPECT_EQ(run.out.rfind("op=putitem=1,getitem=1 layer=client ", 0), 0u) << run.out;
    std::size_t puts = 0, gets = 0;
    for (const auto& request : server.requests()) {
        auto target = request.header("x-amz-target").value_or("");
        puts += target == "DynamoDB_20120810.PutItem";
        gets += target == "DynamoDB_20120810.GetItem";
    }
    EXPECT_GT(puts, 0u);
    EXPECT_GT(gets, 0u);
    std::ifstream json_file(testing::TempDir() + "bench_mix.json");
    std::string json((std::istreambuf_iterator<char>(json_file)), {});
    auto report = boost::json::parse(json).as_object();
    EXPECT_EQ(report.at("environment").at("operations").as_string(), "putitem=1,getitem=1");
    EXPECT_EQ(std::to_string(report.at("summary").at("requests").to_number<std::uint64_t>()),
              summary_field(run.out, "requests"));
    EXPECT_NE(run.percentiles.find("closed loop, 2 requests in flight"), std::string::npos)
        << run.percentiles;
}

TEST(RunBench, ServerErrorsAreCountedAndFailTheRun)
{
    fake_server server;
    server.set_default(
        fake_action::aws_error(400, "ResourceNotFoundException", "Requested resource not found"));
    auto run = run_against(server, {"--requests", "5", "--warmup", "0", "--concurrency", "1"});
    EXPECT_EQ(run.status, dynomite::cli::exit_failure);
    EXPECT_EQ(summary_field(run.out, "errors"), "5") << run.out;
    EXPECT_NE(run.err.find("bench: first error: getitem: "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("Requested resource not found"), std::string::npos) << run.err;
}

TEST(RunBench, CountsComeFromTheClientsEvents)
{
    fake_server server;
    // The first GetItem is throttled twice, then refused; the other four succeed.
    server.enqueue(fake_action::throughput_exceeded(), 2);
    server.enqueue(fake_action::aws_error(400, "ResourceNotFoundException", "no table"));
    server.set_default(fake_action::ok(std::string(canned_item)));
    const std::string json_path = testing::TempDir() + "bench_counts.json";
    auto run = run_against(server, {"--requests", "5", "--warmup", "0", "--concurrency", "1",
                                    "--counts", "--json", json_path});
    EXPECT_EQ(run.status, dynomite::cli::exit_failure);
    EXPECT_EQ(summary_field(run.out, "errors"), "1") << run.out;
    // The fake server keeps its connections alive: the one the first attempt opened serves all.
    EXPECT_EQ(server.connections_accepted(), 1u);
    EXPECT_NE(run.err.find("bench: GetItem: 5 operations, 7 attempts, 2 retries (2 throttled), "
                           "1 new connections; ResourceNotFoundException 1, ok 4\n"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(server.request_count(), 7u);

    std::ifstream json_file(json_path);
    std::string json((std::istreambuf_iterator<char>(json_file)), {});
    auto report = boost::json::parse(json).as_object();
    const auto& get = report.at("operations").as_object().at("GetItem").as_object();
    EXPECT_EQ(get.at("operations").as_int64(), 5);
    EXPECT_EQ(get.at("attempts").as_int64(), 7);
    EXPECT_EQ(get.at("retries").as_int64(), 2);
    EXPECT_EQ(get.at("throttles").as_int64(), 2);
    EXPECT_EQ(get.at("new_connections").as_int64(), 1);
    EXPECT_EQ(get.at("outcomes").as_object().at("ok").as_int64(), 4);
    EXPECT_EQ(get.at("outcomes").as_object().at("ResourceNotFoundException").as_int64(), 1);
}

TEST(RunBench, MergeAddsTheRunsCounts)
{
    fake_server server;
    server.enqueue(fake_action::throughput_exceeded());
    server.set_default(fake_action::ok(std::string(canned_item)));
    const std::string a = testing::TempDir() + "counts_a.json";
    const std::string b = testing::TempDir() + "counts_b.json";
    auto first = run_against(server, {"--requests", "3", "--warmup", "0", "--concurrency", "1",
                                      "--counts", "--json", a});
    auto second = run_against(server, {"--requests", "2", "--warmup", "0", "--concurrency", "1",
                                       "--counts", "--json", b});
    ASSERT_EQ(first.status, dynomite::cli::exit_ok) << first.err;
    ASSERT_EQ(second.status, dynomite::cli::exit_ok) << second.err;
    const std::string merged_path = testing::TempDir() + "counts_merged.json";
    std::ostringstream out, err;
    ASSERT_EQ(dynomite::cli::run_bench({}, {"merge", a, b, "--output", merged_path}, out, err),
              dynomite::cli::exit_ok)
        << err.str();
    const auto get = bench_test::read_json(merged_path).at("operations").at("GetItem").as_object();
    EXPECT_EQ(get.at("operations").to_number<int>(), 5);
    EXPECT_EQ(get.at("attempts").to_number<int>(), 6);
    EXPECT_EQ(get.at("retries").to_number<int>(), 1);
    EXPECT_EQ(get.at("throttles").to_number<int>(), 1);
    EXPECT_EQ(get.at("outcomes").at("ok").to_number<int>(), 5);

    // A count that is not a non-negative integer is named.
    auto damaged = bench_test::read_json(b);
    damaged["operations"].as_object()["GetItem"].as_object()["retries"] = -1;
    std::ofstream(b) << boost::json::serialize(damaged);
    std::ostringstream out2, err2;
    EXPECT_EQ(dynomite::cli::run_bench({}, {"merge", a, b}, out2, err2),
              dynomite::cli::exit_failure);
    EXPECT_EQ(err2.str(),
              "dynomite bench merge: run 2: \"operations.GetItem.retries\" is not a count\n");
}

TEST(RunBench, WithoutCountsNoOperationsAreReported)
{
    fake_server server;
    server.set_default(fake_action::ok(std::string(canned_item)));
    const std::string json_path = testing::TempDir() + "bench_no_counts.json";
    auto run = run_against(server, {"--requests", "3", "--warmup", "0", "--concurrency", "1",
                                    "--json", json_path});
    EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    EXPECT_EQ(run.err.find("bench: GetItem:"), std::string::npos) << run.err;
    std::ifstream json_file(json_path);
    std::string json((std::istreambuf_iterator<char>(json_file)), {});
    EXPECT_FALSE(boost::json::parse(json).as_object().contains("operations"));
}

TEST(RunBench, UnwritableJsonFileFails)
{
    fake_server server;
    server.set_default(fake_action::ok(std::string(canned_item)));
    auto run = run_against(server, {"--requests", "2", "--warmup", "0", "--concurrency", "1",
                                    "--json", "/nonexistent-folder/report.json"});
    EXPECT_EQ(run.status, dynomite::cli::exit_failure);
    EXPECT_NE(run.err.find("cannot write /nonexistent-folder/report.json"), std::string::npos);
    EXPECT_EQ(run.out.rfind("op=getitem ", 0), 0u);
}

TEST(RunBench, PrepareCreatesTheTableAndWritesItsItemsInBatches)
{
    fake_server server;
    server.enqueue(fake_action::ok(
        R"({"TableDescription":{"TableName":"dynomite_bench","TableStatus":"CREATING"}})"));
    server.enqueue(fake_action::ok(std::string(canned_table)));  // DescribeTable: ACTIVE
    auto run = run_against(server, {"--prepare", "--items", "30", "--requests", "1", "--warmup",
                                    "0", "--concurrency", "1"});
    EXPECT_EQ(run.status, dynomite::cli::exit_ok) << run.err;
    EXPECT_NE(run.err.find("bench: table dynomite_bench created"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("bench: wrote 30 items of 256 payload bytes"), std::string::npos);
    auto requests = server.requests();
    ASSERT_GE(requests.size(), 5u);
    EXPECT_EQ(requests[0].header("x-amz-target"), "DynamoDB_20120810.CreateTable");
    EXPECT_EQ(requests[1].header("x-amz-target"), "DynamoDB_20120810.DescribeTable");
    EXPECT_EQ(requests[2].header("x-amz-target"), "DynamoDB_20120810.BatchWriteItem");
    EXPECT_EQ(requests[3].header("x-amz-target"), "DynamoDB_20120810.BatchWriteItem");
    EXPECT_NE(requests[3].body.find("item-000029"), std::string::npos);
    EXPECT_EQ(requests[4].header("x-amz-target"), "DynamoDB_20120810.GetItem");
}

TEST(RunBench, PrepareFailureStopsBeforeTheRun)
{
    fake_server server;
    server.set_default(fake_action::aws_error(400, "AccessDeniedException", "Not allowed here"));
    auto run = run_against(server, {"--prepare", "--requests", "1", "--warmup", "0"});
    EXPECT_EQ(run.status, dynomite::cli::exit_failure);
    EXPECT_NE(run.err.find("Not allowed here"), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(server.request_count(), 1u);
}

TEST(RunBench, UnusableEndpointIsRefusedBeforeSending)
{
    fake_server server;
    auto run = run_against(server, {"--endpoint", "ftp://127.0.0.1:1", "--requests", "1"});
    EXPECT_EQ(run.status, dynomite::cli::exit_failure);
    EXPECT_EQ(run.err.rfind("dynomite bench: ", 0), 0u) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(server.request_count(), 0u);
}

TEST(BenchOptions, OpenLoopStartTimeAndOutputFiles)
{
    auto options = parse_ok({"--rate", "2500", "--start-at", "2026-12-05T04:00:00Z", "--log",
                             "run.hlog", "--report=run.html"});
    EXPECT_EQ(options.rate, 2500.0);
    EXPECT_EQ(options.start_at_ms, 1'796'443'200'000);
    EXPECT_EQ(options.log_file, "run.hlog");
    EXPECT_EQ(options.report_file, "run.html");
    EXPECT_EQ(parse_ok({"--start-at", "1796443200"}).start_at_ms, 1'796'443'200'000);
    EXPECT_EQ(parse_ok({"--rate", "0.5"}).rate, 0.5);
    EXPECT_EQ(parse_error({"--rate", "0"}),
              "--rate: expected requests per second from 1 to 10000000, got \"0\"");
    EXPECT_EQ(parse_error({"--rate", "fast"}),
              "--rate: expected requests per second from 1 to 10000000, got \"fast\"");
    EXPECT_EQ(parse_error({"--start-at", "tomorrow"}),
              "--start-at: expected an ISO-8601 UTC time such as 2026-12-05T04:00:00Z or "
              "seconds since the epoch, got \"tomorrow\"");
    EXPECT_EQ(parse_error({"--start-at", "2026-12-05T04:00:00"}).substr(0, 11), "--start-at:");
    EXPECT_EQ(parse_error({"--log", ""}), "--log: empty file name");
}
