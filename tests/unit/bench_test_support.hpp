// What the tests of `dynomite bench` share: canned DynamoDB answers and a run against a fake
// server.
#pragma once

#include "cli.hpp"
#include "support/fake_server.hpp"
#include "support/test_env.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace bench_test {

inline constexpr std::string_view canned_item =
    R"({"Item":{"pk":{"S":"bench"},"sk":{"S":"item-000001"},"price":{"N":"12.5"}}})";
inline constexpr std::string_view canned_page =
    R"({"Count":2,"Items":[{"pk":{"S":"bench"},"sk":{"S":"item-000000"}},)"
    R"({"pk":{"S":"bench"},"sk":{"S":"item-000001"}}],"ScannedCount":2})";

inline constexpr std::string_view canned_table =
    R"({"Table":{"TableName":"dynomite_bench","TableStatus":"ACTIVE",)"
    R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)"
    R"({"AttributeName":"sk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk",)"
    R"("KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}})";

struct bench_run {
    int status = 0;
    std::string out;          // the summary line
    std::string percentiles;  // what stdout holds before it
    std::string err;
};

inline bench_run run_against(const dynomite::test::fake_server& server,
                             std::vector<std::string> args)
{
    dynomite::test::ensure_test_credentials();
    dynomite::cli::global_options global;
    global.endpoint = server.url();
    global.region = "us-east-1";
    std::ostringstream out, err;
    bench_run run;
    run.status = dynomite::cli::run_bench(global, args, out, err);
    run.out = out.str();
    run.err = err.str();
    if (auto line = run.out.rfind('\n', run.out.size() >= 2 ? run.out.size() - 2 : 0);
        line != std::string::npos && line + 1 < run.out.size()) {
        run.percentiles = run.out.substr(0, line + 1);
        run.out = run.out.substr(line + 1);
    }
    return run;
}

// The value of `key=` in the summary line.
inline std::string summary_field(const std::string& line, const std::string& key)
{
    auto at = line.find(" " + key + "=");
    if (at == std::string::npos)
        at = line.rfind(key + "=", 0);
    else
        ++at;
    if (at == std::string::npos) return {};
    auto start = at + key.size() + 1;
    return line.substr(start, line.find_first_of(" \n", start) - start);
}

inline boost::json::object read_json(const std::string& path)
{
    std::ifstream file(path);
    std::string text((std::istreambuf_iterator<char>(file)), {});
    return boost::json::parse(text).as_object();
}

}  // namespace bench_test
