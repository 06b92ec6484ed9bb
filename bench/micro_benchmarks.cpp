// Micro benchmarks of the per-request work that is not I/O: signing, attribute value
// encoding and decoding, model hydration and expression building.
#include "canned_bodies.hpp"

#include "bench/bench.hpp"
#include "bench/bench_item.hpp"

#include <dynomite/expr/condition.hpp>
#include "transport/crc32.hpp"
#include "core/json_codec.hpp"
#include <dynomite/protocol/detail/protocol.hpp>
#include "auth/sigv4.hpp"
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/expr/update_expression.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <stdexcept>

namespace {

using dynomite::cli::bench::bench_item;

const dynomite::credentials bench_credentials{"AKIDEXAMPLE",
                                              "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

std::string get_item_request_body()
{
    dynomite::get_item_request request;
    request.table_name = "dynomite_bench";
    request.key = {{"pk", "bench"}, {"sk", dynomite::cli::bench::item_sort_key(42)}};
    std::string body;
    if (dynomite::detail::encode_request(request, body, nullptr)) {
        throw std::runtime_error("GetItem request refused");
    }
    return body;
}

// A GetItem request signed as the client signs it, the key cached as in the client.
void sigv4_sign_get_item(benchmark::State& state)
{
    const std::string body = get_item_request_body();
    dynomite::detail::signing_key_cache cache;
    const auto now = std::chrono::system_clock::now();
    for (auto _ : state) {
        auto signature = dynomite::detail::sign_dynamodb_request(
            bench_credentials, "us-east-1", "dynamodb", "dynamodb.us-east-1.amazonaws.com",
            "DynamoDB_20120810.GetItem", "application/x-amz-json-1.0", body, now, cache);
        benchmark::DoNotOptimize(signature);
    }
}
BENCHMARK(sigv4_sign_get_item);

// What each signature would cost without the cache: the four-HMAC key derivation.
void sigv4_derive_signing_key(benchmark::State& state)
{
    for (auto _ : state) {
        auto key = dynomite::detail::derive_signing_key(bench_credentials.secret_access_key,
                                                        "20260101", "us-east-1", "dynamodb");
        benchmark::DoNotOptimize(key);
    }
}
BENCHMARK(sigv4_derive_signing_key);

// The 7-attribute item of a PutItem to DynamoDB JSON.
void encode_item(benchmark::State& state)
{
    const auto item = dynomite::cli::bench::make_bench_item(
        dynomite::cli::bench::item_sort_key(1),
        dynomite::cli::bench::make_payload(dynomite::bench::canned_payload_size));
    std::string out;
    for (auto _ : state) {
        out.clear();
        dynomite::detail::json_writer w(out);
        dynomite::detail::write_item(w, item);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(encode_item);

// A whole GetItem request body: table, key, as the client encodes it.
void encode_get_item_request(benchmark::State& state)
{
    dynomite::get_item_request request;
    request.table_name = "dynomite_bench";
    request.key = {{"pk", "bench"}, {"sk", dynomite::cli::bench::item_sort_key(42)}};
    std::string body;
    for (auto _ : state) {
        body.clear();
        auto ec = dynomite::detail::encode_request(request, body, nullptr);
        benchmark::DoNotOptimize(ec);
        benchmark::DoNotOptimize(body.data());
    }
}
BENCHMARK(encode_get_item_request);

// A GetItem response body to get_item_response, as the client decodes it.
void decode_get_item_response(benchmark::State& state)
{
    const std::string body = dynomite::bench::get_item_body();
    for (auto _ : state) {
        dynomite::get_item_response response;
        auto ec = dynomite::detail::parse_response(body, response, nullptr);
        benchmark::DoNotOptimize(ec);
        benchmark::DoNotOptimize(response);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(decode_get_item_response);

// A decoded item (7 attributes) into the model struct.
void hydrate_model(benchmark::State& state)
{
    const auto item = dynomite::cli::bench::make_bench_item(
        dynomite::cli::bench::item_sort_key(1),
        dynomite::cli::bench::make_payload(dynomite::bench::canned_payload_size));
    for (auto _ : state) {
        auto copy = item;
        auto record = bench_item::from_item(std::move(copy));
        benchmark::DoNotOptimize(record);
    }
}
BENCHMARK(hydrate_model);

// A Query page of 1,000 items (about 440 KB): JSON parse, decode, and hydration of every
// item into a model, as a model relation does for each page.
void decode_page_into_models(benchmark::State& state)
{
    const std::string body = dynomite::bench::page_body(1000);
    std::int64_t items = 0;
    for (auto _ : state) {
        dynomite::query_response response;
        auto ec = dynomite::detail::parse_response(body, response, nullptr);
        benchmark::DoNotOptimize(ec);
        std::vector<bench_item> records;
        records.reserve(response.items.size());
        for (auto& item : response.items) records.push_back(bench_item::from_item(std::move(item)));
        items += static_cast<std::int64_t>(records.size());
        benchmark::DoNotOptimize(records.data());
    }
    state.SetItemsProcessed(items);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(decode_page_into_models)->Unit(benchmark::kMicrosecond);

// The same page decoded to attribute maps only: the share of hydration in the above.
void decode_page(benchmark::State& state)
{
    const std::string body = dynomite::bench::page_body(1000);
    for (auto _ : state) {
        dynomite::query_response response;
        auto ec = dynomite::detail::parse_response(body, response, nullptr);
        benchmark::DoNotOptimize(ec);
        benchmark::DoNotOptimize(response.items.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1000));
}
BENCHMARK(decode_page)->Unit(benchmark::kMicrosecond);

// The x-amz-crc32 check of a 1,000-item page, as the client makes it, and by tables alone.
void crc32_page(benchmark::State& state)
{
    const std::string body = dynomite::bench::page_body(1000);
    for (auto _ : state) benchmark::DoNotOptimize(dynomite::detail::crc32(body));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
    state.SetLabel(dynomite::detail::crc32_uses_clmul() ? "pclmulqdq" : "tables");
}
BENCHMARK(crc32_page)->Unit(benchmark::kMicrosecond);

void crc32_page_portable(benchmark::State& state)
{
    const std::string body = dynomite::bench::page_body(1000);
    for (auto _ : state) benchmark::DoNotOptimize(dynomite::detail::crc32_update_portable(0, body));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(crc32_page_portable)->Unit(benchmark::kMicrosecond);

// A filter and an update expression with their placeholders, as a relation and save() do.
void build_expressions(benchmark::State& state)
{
    for (auto _ : state) {
        dynomite::expression_context ctx;
        auto filter = dynomite::eq("category", "benchmarks") && dynomite::gt("price", 10) &&
                      dynomite::begins_with("name", "Bench");
        auto filter_text = dynomite::render(filter, ctx, dynomite::expression_kind::filter);
        dynomite::update_expression update;
        update.set("name", "Renamed").increment("quantity").remove("payload");
        auto update_text = dynomite::render(update, ctx);
        benchmark::DoNotOptimize(filter_text.data());
        benchmark::DoNotOptimize(update_text.data());
        benchmark::DoNotOptimize(ctx.values());
    }
}
BENCHMARK(build_expressions);

}  // namespace

BENCHMARK_MAIN();
