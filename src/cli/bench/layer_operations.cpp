#include "bench/layer_operations.hpp"
#include "bench/bench_item.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dynomite::cli::bench {

namespace {

namespace asio = boost::asio;

std::uint64_t items_answered(error_code, const get_item_response& response)
{
    return response.item ? 1 : 0;
}

std::uint64_t items_answered(error_code ec, const put_item_response&)
{
    return ec ? 0 : 1;
}

/// Query and Scan: the items of the page.
template <class Response>
std::uint64_t items_answered(error_code, const Response& response)
{
    return response.items.size();
}

/// Sends `request` and counts the items its response holds.
template <class Request>
asio::awaitable<operation_outcome> send_and_count(dynomite::client& db, Request request)
{
    diagnostics diag;
    auto [ec, response] =
        co_await db.async_execute(std::move(request), diag, asio::as_tuple(asio::use_awaitable));
    operation_outcome result;
    result.ec = ec;
    result.items = items_answered(ec, response);
    if (ec) result.message = ec.message() + ": " + diag.to_string();
    co_return result;
}

}  // namespace

asio::awaitable<operation_outcome> run_client_operation(dynomite::client& db,
                                                        const bench_options& o, operation op,
                                                        std::uint32_t key_index,
                                                        const std::string& payload)
{
    switch (op) {
        case operation::get_item: {
            get_item_request request;
            request.table_name = o.table;
            request.key = {{"pk", std::string(partition_value)}, {"sk", item_sort_key(key_index)}};
            co_return co_await send_and_count(db, std::move(request));
        }
        case operation::put_item: {
            put_item_request request;
            request.table_name = o.table;
            request.item = make_bench_item(item_sort_key(key_index), payload);
            co_return co_await send_and_count(db, std::move(request));
        }
        case operation::query: {
            query_request request;
            request.table_name = o.table;
            request.key_condition_expression = "pk = :pk";
            request.expression_attribute_values = {{":pk", std::string(partition_value)}};
            request.limit = static_cast<std::int32_t>(o.items);
            co_return co_await send_and_count(db, std::move(request));
        }
        case operation::scan: {
            scan_request request;
            request.table_name = o.table;
            request.limit = static_cast<std::int32_t>(o.items);
            co_return co_await send_and_count(db, std::move(request));
        }
        case operation::transact_write:
        case operation::batch_write:
            co_return co_await run_multi_item_write(db, o, op, key_index, payload);
    }
    co_return operation_outcome();
}

asio::awaitable<operation_outcome> run_model_operation(
    dynomite::database& db, const bench_options& o, operation op, std::uint32_t key_index,
    const std::string& payload, std::uint32_t thread_index, std::uint64_t serial)
{
    operation_outcome result;
    try {
        auto scope = bench_item::on(db);
        switch (op) {
            case operation::get_item: {
                attribute_value partition{std::string(partition_value)};
                attribute_value sort{item_sort_key(key_index)};
                auto found = co_await scope.find(std::move(partition), std::move(sort));
                result.items = found ? 1 : 0;
                break;
            }
            case operation::put_item: {
                bench_item record;
                record.pk = std::string(partition_value);
                record.sk = "put-" + std::to_string(thread_index) + "-" + std::to_string(serial);
                record.name = "Benchmark item";
                record.category = "benchmarks";
                record.price = 12.5;
                record.quantity = 7;
                record.payload = payload;
                save_options save;
                save.validate = false;
                auto created = co_await scope.create(std::move(record), save);
                result.items = created.persisted() ? 1 : 0;
                break;
            }
            case operation::query: {
                auto relation = scope.where("pk", std::string(partition_value))
                                    .page_size(static_cast<std::int32_t>(o.items))
                                    .limit(o.items);
                auto records = co_await relation.all();
                result.items = records.size();
                break;
            }
            case operation::scan: {
                auto relation = scope.all()
                                    .force_scan()
                                    .page_size(static_cast<std::int32_t>(o.items))
                                    .limit(o.items);
                auto records = co_await relation.all();
                result.items = records.size();
                break;
            }
            case operation::transact_write:
            case operation::batch_write:
                // parse_bench_options refuses them with --layer model.
                result.ec = make_error_code(errc::invalid_argument);
                result.message = "runs on the client layer only";
                break;
        }
    } catch (const dynomite::error& e) {
        result.ec = e.code();
        result.message = e.what();
    }
    co_return result;
}

}  // namespace dynomite::cli::bench
