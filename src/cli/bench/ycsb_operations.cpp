#include "bench/ycsb_operations.hpp"
#include "bench/bench_item.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <ostream>

namespace dynomite::cli::bench {

namespace {

namespace asio = boost::asio;

attribute_map ycsb_record_key(std::int64_t n)
{
    return attribute_map{{"pk", ycsb_key(n)}, {"sk", std::string(ycsb_sort_key)}};
}

// A field's new value: the payload with its first bytes made of the random draw, so that
// updates change the item.
std::string field_value(std::uint32_t length, std::uint64_t draw)
{
    std::string value = make_payload(length);
    for (std::size_t i = 0; i < value.size() && i < 16; ++i, draw >>= 4)
        value[i] = "0123456789abcdef"[draw & 15];
    return value;
}

std::string failure_message(error_code ec, const diagnostics& diag)
{
    return ec.message() + ": " + diag.to_string();
}

// UpdateItem setting one random field of record `n` (YCSB's default writeallfields=false).
asio::awaitable<error_code> update_one_field(dynomite::client& db, const bench_options& o,
                                             std::int64_t n, std::mt19937_64& random,
                                             diagnostics& diag)
{
    update_item_request request;
    request.table_name = o.table;
    request.key = ycsb_record_key(n);
    request.update_expression = "SET #f = :v";
    request.expression_attribute_names = {
        {"#f", "field" + std::to_string(random() % o.field_count)}};
    request.expression_attribute_values = {{":v", field_value(o.field_length, random())}};
    auto [ec, response] = co_await db.async_update_item(std::move(request), diag,
                                                        asio::as_tuple(asio::use_awaitable));
    co_return ec;
}

asio::awaitable<std::pair<error_code, bool>> read_record(dynomite::client& db,
                                                         const bench_options& o, std::int64_t n,
                                                         diagnostics& diag)
{
    get_item_request request;
    request.table_name = o.table;
    request.key = ycsb_record_key(n);
    auto [ec, response] = co_await db.async_get_item(std::move(request), diag,
                                                     asio::as_tuple(asio::use_awaitable));
    co_return std::pair(ec, response.item.has_value());
}

// Sends BatchWriteItem `batch` again with its unprocessed items until none are left.
asio::awaitable<void> write_batch(dynomite::client& db, batch_write_item_request batch)
{
    for (int round = 0; !batch.request_items.empty(); ++round) {
        if (round == 10) {
            throw error(make_error_code(errc::throttling),
                        "items still unprocessed after 10 BatchWriteItem rounds");
        }
        if (round > 0) {
            asio::steady_timer pause(db.get_executor(), std::chrono::milliseconds(50 << round));
            co_await pause.async_wait(asio::use_awaitable);
        }
        auto written = co_await db.batch_write_item(std::move(batch));
        batch = batch_write_item_request{};
        batch.request_items = std::move(written.unprocessed_items);
    }
}

std::int64_t number_member(const attribute_map& item, std::string_view name)
{
    const attribute_value* value = item.find(name);
    if (value == nullptr || !value->is_n()) return -1;
    try {
        return std::stoll(value->as_n().text());
    } catch (const std::exception&) {
        return -1;
    }
}

}  // namespace

attribute_map make_ycsb_record(std::int64_t n, const bench_options& options)
{
    attribute_map record = ycsb_record_key(n);
    const std::string value = make_payload(options.field_length);
    for (std::uint32_t f = 0; f < options.field_count; ++f)
        record["field" + std::to_string(f)] = value;
    return record;
}

attribute_map load_marker_key()
{
    return attribute_map{{"pk", "dynomite-bench-load"}, {"sk", std::string(ycsb_sort_key)}};
}

asio::awaitable<operation_outcome> run_ycsb_operation(dynomite::client& db,
                                                      const bench_options& o, key_chooser& keys,
                                                      ycsb_inserts& inserts,
                                                      std::mt19937_64& random, ycsb_operation& op)
{
    const ycsb_workload& workload = *o.workload;
    op = choose_operation(workload, unit_double(random));
    // The highest record known to exist: the loaded ones and the acknowledged inserts.
    const std::int64_t last =
        o.record_count - 1 + inserts.acknowledged.load(std::memory_order_relaxed);
    diagnostics diag;
    operation_outcome result;
    switch (op) {
        case ycsb_operation::read: {
            auto [ec, found] = co_await read_record(db, o, keys.next(last, random), diag);
            result.ec = ec;
            result.items = found ? 1 : 0;
            break;
        }
        case ycsb_operation::update:
            result.ec = co_await update_one_field(db, o, keys.next(last, random), random, diag);
            result.items = result.ec ? 0 : 1;
            break;
        case ycsb_operation::insert: {
            put_item_request request;
            request.table_name = o.table;
            request.item = make_ycsb_record(inserts.next.fetch_add(1), o);
            auto [ec, response] = co_await db.async_put_item(std::move(request), diag,
                                                             asio::as_tuple(asio::use_awaitable));
            result.ec = ec;
            result.items = ec ? 0 : 1;
            if (!ec) inserts.acknowledged.fetch_add(1, std::memory_order_relaxed);
            break;
        }
        case ycsb_operation::scan: {
            scan_request request;
            request.table_name = o.table;
            request.exclusive_start_key = ycsb_record_key(keys.next(last, random));
            request.limit = static_cast<std::int32_t>(scan_length(workload, random));
            auto [ec, response] = co_await db.async_scan(std::move(request), diag,
                                                         asio::as_tuple(asio::use_awaitable));
            result.ec = ec;
            result.items = response.items.size();
            break;
        }
        case ycsb_operation::read_modify_write: {
            const std::int64_t n = keys.next(last, random);
            auto [ec, found] = co_await read_record(db, o, n, diag);
            if (!ec) ec = co_await update_one_field(db, o, n, random, diag);
            result.ec = ec;
            result.items = ec ? 0 : 1;
            break;
        }
    }
    if (result.ec) result.message = failure_message(result.ec, diag);
    co_return result;
}

asio::awaitable<operation_outcome> run_multi_item_write(dynomite::client& db,
                                                        const bench_options& o, operation op,
                                                        std::uint32_t key_index,
                                                        const std::string& payload)
{
    diagnostics diag;
    operation_outcome result;
    if (op == operation::transact_write) {
        transact_write_items_request request;
        for (std::uint32_t k : {key_index, (key_index + 1) % o.items}) {
            transact_put put;
            put.table_name = o.table;
            put.item = make_bench_item(item_sort_key(k), payload);
            request.transact_items.emplace_back(std::move(put));
        }
        auto [ec, response] = co_await db.async_transact_write_items(
            std::move(request), diag, asio::as_tuple(asio::use_awaitable));
        result.ec = ec;
        result.items = ec ? 0 : 2;
    } else {
        std::vector<write_request> writes;
        const std::uint32_t count = std::min<std::uint32_t>(25, o.items);
        for (std::uint32_t i = 0; i < count; ++i) {
            put_request put;
            put.item = make_bench_item(item_sort_key((key_index + i) % o.items), payload);
            writes.push_back(write_request{std::move(put)});
        }
        batch_write_item_request request;
        request.request_items.emplace_back(o.table, std::move(writes));
        auto [ec, response] = co_await db.async_batch_write_item(
            std::move(request), diag, asio::as_tuple(asio::use_awaitable));
        result.ec = ec;
        std::uint64_t unprocessed = 0;
        for (const auto& [table, left] : response.unprocessed_items) unprocessed += left.size();
        result.items = ec ? 0 : count - unprocessed;
    }
    if (result.ec) result.message = failure_message(result.ec, diag);
    co_return result;
}

asio::awaitable<void> ensure_table(dynomite::client& db, const std::string& table,
                                   std::ostream& err)
{
    create_table_request create;
    create.table_name = table;
    create.attribute_definitions = {{"pk", scalar_attribute_type::s},
                                    {"sk", scalar_attribute_type::s}};
    create.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
    create.billing_mode = billing_mode::pay_per_request;
    diagnostics diag;
    auto [create_ec, created] = co_await db.async_create_table(std::move(create), diag,
                                                               asio::as_tuple(asio::use_awaitable));
    if (create_ec && create_ec != errc::resource_in_use) throw error(create_ec, diag.to_string());
    err << "bench: table " << table << (create_ec ? " exists" : " created") << '\n';

    for (int attempt = 0;; ++attempt) {
        describe_table_request describe;
        describe.table_name = table;
        auto description = co_await db.describe_table(std::move(describe));
        if (description.table.table_status == table_status::active) break;
        if (attempt == 120) {
            throw error(make_error_code(errc::request_timeout),
                        "table " + table + " is not ACTIVE after 60 seconds");
        }
        asio::steady_timer timer(db.get_executor(), std::chrono::milliseconds(500));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

std::string format_load_progress(std::int64_t done, std::int64_t total, bool bar)
{
    const std::int64_t percent = total > 0 ? done * 100 / total : 100;
    if (!bar) {
        return "bench: loaded " + std::to_string(done) + " of " + std::to_string(total) +
               " records (" + std::to_string(percent) + "%)\n";
    }
    constexpr std::int64_t width = 30;
    const std::int64_t filled = total > 0 ? done * width / total : width;
    std::string percent_text = std::to_string(percent);
    percent_text.insert(0, 3 - std::min<std::size_t>(3, percent_text.size()), ' ');
    return "\rbench: loading [" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(width - filled), '-') + "] " + percent_text +
           "% " + std::to_string(done) + "/" + std::to_string(total) + " records";
}

asio::awaitable<void> load_ycsb_records(dynomite::client& db, const bench_options& o,
                                        std::ostream& err, bool terminal)
{
    constexpr std::int64_t checkpoint_records = 1000;
    const std::int64_t total = o.record_count;
    auto shape_matches = [&](const attribute_map& marker) {
        return number_member(marker, "recordcount") == total &&
               number_member(marker, "fieldcount") == o.field_count &&
               number_member(marker, "fieldlength") == o.field_length;
    };
    std::int64_t start = 0;
    {
        get_item_request request;
        request.table_name = o.table;
        request.key = load_marker_key();
        request.consistent_read = true;
        auto found = co_await db.get_item(std::move(request));
        if (found.item && shape_matches(*found.item)) {
            start = std::clamp<std::int64_t>(number_member(*found.item, "loaded"), 0, total);
        } else if (found.item) {
            err << "bench: the table holds records of another shape; loading from record 0\n";
        }
    }
    if (start == total) {
        err << "bench: " << total << " records already loaded\n";
        co_return;
    }
    if (start > 0) err << "bench: resuming the load at record " << start << '\n';

    auto save_marker = [&](std::int64_t loaded) -> asio::awaitable<void> {
        put_item_request request;
        request.table_name = o.table;
        request.item = load_marker_key();
        request.item["recordcount"] = total;
        request.item["fieldcount"] = o.field_count;
        request.item["fieldlength"] = o.field_length;
        request.item["loaded"] = loaded;
        co_await db.put_item(std::move(request));
    };
    auto last_line = std::chrono::steady_clock::now();
    for (std::int64_t n = start; n < total;) {
        std::vector<write_request> writes;
        for (; n < total && writes.size() < 25; ++n)
            writes.push_back(write_request{put_request{make_ycsb_record(n, o)}});
        batch_write_item_request batch;
        batch.request_items.emplace_back(o.table, std::move(writes));
        co_await write_batch(db, std::move(batch));
        if (n % checkpoint_records == 0 || n == total) co_await save_marker(n);
        auto now = std::chrono::steady_clock::now();
        if (terminal) {
            err << format_load_progress(n, total, true) << std::flush;
        } else if (now - last_line >= std::chrono::seconds(1)) {
            err << format_load_progress(n, total, false);
            last_line = now;
        }
    }
    if (terminal) err << '\n';
    err << "bench: loaded records " << start << " to " << total - 1 << " (" << o.field_count
        << " fields of " << o.field_length << " bytes)\n";
}

}  // namespace dynomite::cli::bench
