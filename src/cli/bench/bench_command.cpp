// `dynomite bench`: workers on one io_context per thread, each thread with its own client,
// sending the operation mix and recording latencies into a per-thread histogram.
#include "bench/bench.hpp"
#include "bench/bench_item.hpp"
#include "bench/event_counts.hpp"
#include "bench/html_report.hpp"
#include "bench/layer_operations.hpp"
#include "bench/results.hpp"
#include "bench/ycsb_operations.hpp"
#include "cli.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/core/time.hpp>
#include <dynomite/model.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <random>
#include <thread>

namespace dynomite::cli {

namespace {

namespace asio = boost::asio;
using bench::operation;
using steady = std::chrono::steady_clock;

using bench::bench_item;

// What every thread shares.
struct shared_state {
    const bench::bench_options& options;
    std::atomic<bool> measuring{false};
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> tickets{0};
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> items{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> throttles{0};
    std::atomic<std::uint64_t> late{0};
    std::atomic<std::int64_t> max_lateness_ns{0};
    /// When the measurement started, in steady_clock nanoseconds; set before `measuring`.
    std::atomic<std::int64_t> measure_start_ns{0};
    std::atomic<std::uint32_t> live_workers{0};
    std::mutex first_error_mutex;
    std::string first_error;
    std::mutex seconds_mutex;
    std::map<std::int64_t, bench::second_stats> seconds;
    /// With --workload: the records inserted, numbered after the loaded ones.
    bench::ycsb_inserts inserts;

    explicit shared_state(const bench::bench_options& o) : options(o)
    {
        inserts.next = o.record_count;
    }

    void add_second(std::int64_t second, const bench::second_stats& stats)
    {
        std::lock_guard lock(seconds_mutex);
        auto& into = seconds[second];
        into.requests += stats.requests;
        into.errors += stats.errors;
        into.throttles += stats.throttles;
        into.latencies.merge(stats.latencies);
    }

    void note_error(std::string message)
    {
        std::lock_guard lock(first_error_mutex);
        if (first_error.empty()) first_error = std::move(message);
    }
};

// One client thread: its io_context, client, database and histogram.
struct thread_context {
    asio::io_context io{1};
    /// With --counts: this thread's client's events.
    std::shared_ptr<bench::event_counts> counts;
    std::unique_ptr<dynomite::client> db_client;
    std::optional<dynomite::database> db;
    bench::hdr_histogram latencies;
    std::uint32_t index = 0;
    /// The next new record of this thread's model puts; its workers share it, so that their
    /// keys differ.
    std::uint64_t next_record = 0;
    // The second being recorded, handed to shared_state::seconds when the next one begins.
    std::int64_t current_second = -1;
    bench::second_stats current;

    void flush_second(shared_state& shared)
    {
        if (current_second >= 0 && current.requests > 0) shared.add_second(current_second, current);
        current.requests = current.errors = current.throttles = 0;
        current.latencies.reset();
    }
};

// Requests sent this much after their intended time count as late.
constexpr auto late_threshold = std::chrono::milliseconds(1);

// The whole process's user and system time and context switches so far.
struct process_usage {
    double user_seconds = 0;
    double system_seconds = 0;
    std::uint64_t context_switches = 0;

    static process_usage now()
    {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        const auto seconds = [](const timeval& t) {
            return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
        };
        return {seconds(usage.ru_utime), seconds(usage.ru_stime),
                static_cast<std::uint64_t>(usage.ru_nvcsw + usage.ru_nivcsw)};
    }
};

using outcome = bench::operation_outcome;

// A worker of the closed loop sends when its previous request is answered; in the open loop it
// sends at fixed intended times (its share of --rate) and measures from them, so that a request
// held up behind a slow one counts the wait, as wrk2 does.
asio::awaitable<void> run_worker(thread_context& ctx, shared_state& shared, std::uint64_t seed,
                                 steady::time_point first_send, steady::duration interval)
{
    const auto& o = shared.options;
    std::mt19937_64 random(seed);
    const std::string payload = bench::make_payload(o.item_size);
    const bool open_loop = o.rate.has_value();
    steady::time_point intended = first_send;
    asio::steady_timer timer(ctx.io);
    // With --workload: this worker's record chooser.
    std::optional<bench::key_chooser> keys;
    if (o.workload) {
        bench::key_chooser_settings settings;
        settings.distribution = o.workload->request_distribution;
        settings.record_count = o.record_count;
        // YCSB's expectednewkeys: operationcount * insertproportion * 2.
        if (o.requests) {
            settings.expected_new_keys = static_cast<std::int64_t>(
                static_cast<double>(*o.requests) * o.workload->insert_proportion * 2);
        }
        keys.emplace(settings);
    }
    try {
        while (!shared.stop.load(std::memory_order_relaxed)) {
            bool counted = shared.measuring.load(std::memory_order_acquire);
            if (counted && o.requests) {
                if (shared.tickets.fetch_add(1, std::memory_order_relaxed) >= *o.requests) break;
            }
            steady::duration lateness{0};
            if (open_loop) {
                // Short waits, so that the end of the run is noticed at low rates.
                for (auto now = steady::now(); now < intended; now = steady::now()) {
                    if (shared.stop.load(std::memory_order_relaxed)) break;
                    timer.expires_at(std::min(intended, now + std::chrono::milliseconds(50)));
                    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
                }
                if (shared.stop.load(std::memory_order_relaxed)) break;
                lateness = steady::now() - intended;
            }
            std::uint64_t draw = random();
            operation op = o.mix.pick(draw >> 32);
            auto key_index = static_cast<std::uint32_t>((draw & 0xffffffffu) % o.items);
            shared.sent.fetch_add(1, std::memory_order_relaxed);
            auto started = steady::now();
            auto measured_from = open_loop ? intended : started;
            intended += interval;
            outcome result;
            std::string_view op_name = bench::operation_name(op);
            if (keys) {
                bench::ycsb_operation chosen{};
                result = co_await bench::run_ycsb_operation(*ctx.db_client, o, *keys,
                                                            shared.inserts, random, chosen);
                op_name = bench::ycsb_operation_name(chosen);
            } else if (o.layer == bench::layer::model) {
                result = co_await bench::run_model_operation(*ctx.db, o, op, key_index, payload,
                                                             ctx.index, ctx.next_record++);
            } else {
                result =
                    co_await bench::run_client_operation(*ctx.db_client, o, op, key_index, payload);
            }
            auto finished = steady::now();
            if (result.ec) shared.note_error(std::string(op_name) + ": " + result.message);
            if (!counted || shared.stop.load(std::memory_order_relaxed)) continue;
            auto latency =
                std::chrono::duration_cast<std::chrono::nanoseconds>(finished - measured_from);
            ctx.latencies.record(latency);
            shared.completed.fetch_add(1, std::memory_order_relaxed);
            shared.items.fetch_add(result.items, std::memory_order_relaxed);
            bool throttled = result.ec && is_throttling(result.ec);
            if (throttled)
                shared.throttles.fetch_add(1, std::memory_order_relaxed);
            else if (result.ec)
                shared.errors.fetch_add(1, std::memory_order_relaxed);
            if (lateness > late_threshold) {
                shared.late.fetch_add(1, std::memory_order_relaxed);
                auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(lateness).count();
                auto seen = shared.max_lateness_ns.load(std::memory_order_relaxed);
                while (ns > seen && !shared.max_lateness_ns.compare_exchange_weak(seen, ns)) {
                }
            }
            auto since_start = finished.time_since_epoch().count() -
                               shared.measure_start_ns.load(std::memory_order_relaxed);
            std::int64_t second = std::max<std::int64_t>(since_start, 0) / 1'000'000'000;
            if (second != ctx.current_second) {
                ctx.flush_second(shared);
                ctx.current_second = second;
            }
            ++ctx.current.requests;
            ctx.current.latencies.record(latency);
            if (throttled)
                ++ctx.current.throttles;
            else if (result.ec)
                ++ctx.current.errors;
        }
    } catch (const std::exception& e) {
        shared.note_error(std::string("worker stopped: ") + e.what());
        shared.errors.fetch_add(1, std::memory_order_relaxed);
    }
    shared.live_workers.fetch_sub(1, std::memory_order_acq_rel);
}

// Creates the table when it is missing, waits for it, and writes its items: YCSB's records
// with --workload, else the items of partition "bench".
asio::awaitable<void> prepare_table(dynomite::client& db, const bench::bench_options& o,
                                    std::ostream& err, bool terminal)
{
    co_await bench::ensure_table(db, o.table, err);
    if (o.workload) {
        co_await bench::load_ycsb_records(db, o, err, terminal);
        co_return;
    }
    const std::string payload = bench::make_payload(o.item_size);
    std::vector<write_request> writes;
    for (std::uint32_t i = 0; i < o.items; ++i) {
        put_request put;
        put.item = bench::make_bench_item(bench::item_sort_key(i), payload);
        writes.push_back(write_request{std::move(put)});
        if (writes.size() == 25 || i + 1 == o.items) {
            batch_write_item_request batch;
            batch.request_items.emplace_back(o.table, std::move(writes));
            writes.clear();
            for (int round = 0; !batch.request_items.empty(); ++round) {
                if (round == 10) {
                    throw error(make_error_code(errc::throttling),
                                "items still unprocessed after 10 BatchWriteItem rounds");
                }
                auto written = co_await db.batch_write_item(std::move(batch));
                batch = batch_write_item_request{};
                batch.request_items = std::move(written.unprocessed_items);
            }
        }
    }
    err << "bench: wrote " << o.items << " items of " << o.item_size << " payload bytes\n";
}

}  // namespace

int run_bench(const global_options& global, const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err)
{
    if (!args.empty() && args.front() == "merge") return bench::run_merge_command(args, out, err);
    bench::bench_options options;
    std::string why;
    if (auto ec = bench::parse_bench_options(args, options, why)) {
        err << "dynomite bench: " << why << "\nTry 'dynomite bench --help'.\n";
        return exit_usage;
    }
    if (options.help) {
        out << bench::bench_usage();
        return exit_ok;
    }

    global_options effective = global;
    if (options.endpoint) effective.endpoint = options.endpoint;
    client_config config = make_client_config(effective);
    // One thread runs each client's io_context.
    config.thread_safe = false;
    std::uint32_t per_thread = (options.concurrency + options.threads - 1) / options.threads;
    config.pool.max_connections = std::max<std::size_t>(config.pool.max_connections, per_thread);

    shared_state shared(options);
    std::vector<std::unique_ptr<thread_context>> contexts;
    try {
        for (std::uint32_t t = 0; t < options.threads; ++t) {
            auto ctx = std::make_unique<thread_context>();
            ctx->index = t;
            client_config thread_config = config;
            if (options.counts) {
                ctx->counts = std::make_shared<bench::event_counts>(shared.measuring);
                thread_config.observer = ctx->counts;
            }
            ctx->db_client =
                std::make_unique<dynomite::client>(ctx->io.get_executor(), thread_config);
            ctx->db.emplace(*ctx->db_client);
            contexts.push_back(std::move(ctx));
        }
        bench_item::set_table_name(options.table);
        if (options.prepare) {
            auto done = asio::co_spawn(contexts[0]->io,
                                       prepare_table(*contexts[0]->db_client, options, err,
                                                     &err == &std::cerr && isatty(STDERR_FILENO)),
                                       asio::use_future);
            contexts[0]->io.run();
            contexts[0]->io.restart();
            done.get();
        }
    } catch (const std::exception& e) {
        err << "dynomite bench: " << e.what() << '\n';
        return exit_failure;
    }

    if (options.start_at_ms) {
        auto start_at =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(*options.start_at_ms));
        auto wait = start_at - std::chrono::system_clock::now();
        if (wait > std::chrono::seconds(0)) {
            err << "bench: waiting "
                << std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()
                << " ms for --start-at\n";
            std::this_thread::sleep_until(start_at);
        } else {
            err << "bench: --start-at is past; starting now\n";
        }
    }
    std::random_device seed_source;
    auto started = steady::now();
    // Open loop: each worker sends every `interval`, the workers' schedules staggered evenly.
    steady::duration interval{0};
    if (options.rate) {
        interval = std::chrono::duration_cast<steady::duration>(
            std::chrono::duration<double>(options.concurrency / *options.rate));
    }
    std::uint32_t remaining = options.concurrency;
    std::uint32_t worker_number = 0;
    for (std::uint32_t t = 0; t < options.threads; ++t) {
        std::uint32_t workers = remaining / (options.threads - t);
        remaining -= workers;
        shared.live_workers.fetch_add(workers);
        for (std::uint32_t w = 0; w < workers; ++w, ++worker_number) {
            std::uint64_t seed = (static_cast<std::uint64_t>(seed_source()) << 32) ^ seed_source();
            auto first_send = started + interval * worker_number / options.concurrency;
            asio::co_spawn(contexts[t]->io,
                           run_worker(*contexts[t], shared, seed, first_send, interval),
                           asio::detached);
        }
    }

    auto measure_start = started + options.warmup;
    bool warming = options.warmup.count() > 0;
    process_usage cpu_at_start = process_usage::now();
    process_usage cpu_at_end;
    auto wall_start = std::chrono::system_clock::now();
    auto begin_measuring = [&](steady::time_point now) {
        measure_start = now;
        wall_start = std::chrono::system_clock::now();
        cpu_at_start = process_usage::now();
        shared.measure_start_ns.store(now.time_since_epoch().count(), std::memory_order_relaxed);
        shared.measuring.store(true, std::memory_order_release);
    };
    if (!warming) begin_measuring(started);
    std::vector<std::thread> threads;
    for (auto& ctx : contexts) threads.emplace_back([&io = ctx->io] { io.run(); });

    auto measure_end = steady::time_point::max();
    auto next_report = started + std::chrono::seconds(1);
    std::uint64_t reported_sent = 0;
    while (shared.live_workers.load(std::memory_order_acquire) != 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        auto now = steady::now();
        if (warming && now >= measure_start) {
            warming = false;
            begin_measuring(now);
        }
        if (!warming && !options.requests && now >= measure_start + options.duration &&
            measure_end == steady::time_point::max()) {
            measure_end = now;
            cpu_at_end = process_usage::now();
            shared.stop.store(true, std::memory_order_relaxed);
        }
        if (now >= next_report) {
            std::uint64_t sent = shared.sent.load(std::memory_order_relaxed);
            double elapsed = std::chrono::duration<double>(now - started).count();
            err << bench::format_progress(elapsed, sent - reported_sent,
                                          shared.completed.load(std::memory_order_relaxed),
                                          shared.errors.load(std::memory_order_relaxed), warming)
                << '\n';
            reported_sent = sent;
            next_report += std::chrono::seconds(1);
        }
    }
    if (measure_end == steady::time_point::max()) {
        measure_end = steady::now();
        cpu_at_end = process_usage::now();
    }
    for (auto& thread : threads) thread.join();
    for (auto& ctx : contexts) ctx->flush_second(shared);

    bench::bench_result result;
    result.op = options.workload ? bench::describe_workload(*options.workload)
                                 : options.mix.describe();
    result.layer = options.layer;
    result.concurrency = options.concurrency;
    result.threads = options.threads;
    result.requests = shared.completed.load();
    result.items = shared.items.load();
    result.errors = shared.errors.load();
    result.throttles = shared.throttles.load();
    result.rate = options.rate;
    result.late_requests = shared.late.load();
    result.max_lateness = std::chrono::nanoseconds(shared.max_lateness_ns.load());
    result.seconds = std::chrono::duration<double>(measure_end - measure_start).count();
    result.cpu_system_seconds = cpu_at_end.system_seconds - cpu_at_start.system_seconds;
    result.cpu_seconds =
        cpu_at_end.user_seconds - cpu_at_start.user_seconds + result.cpu_system_seconds;
    result.context_switches = cpu_at_end.context_switches - cpu_at_start.context_switches;
    for (auto& ctx : contexts) result.latencies.merge(ctx->latencies);
    if (options.counts) {
        auto counts = std::make_shared<bench::event_counts>(shared.measuring);
        for (auto& ctx : contexts) counts->merge(*ctx->counts);
        result.counts = counts;
    }

    if (!shared.first_error.empty()) err << "bench: first error: " << shared.first_error << '\n';
    err << bench::format_cpu(result) << '\n';
    if (result.counts) err << bench::format_counts(*result.counts);

    bench::run_environment environment;
    environment.command = {"dynomite", "bench"};
    environment.command.insert(environment.command.end(), args.begin(), args.end());
    environment.endpoint = contexts[0]->db_client->endpoint_url();
    environment.threads = options.threads;
    if (options.workload) environment.workload = std::string(1, options.workload->name);
    environment.connections = options.concurrency;
    environment.started_at =
        format_iso8601(std::chrono::time_point_cast<std::chrono::milliseconds>(wall_start));
    bool written = true;
    auto write_file = [&](const std::string& path, const std::string& text) {
        if (!bench::write_text_file(path, text, "dynomite bench", err)) written = false;
    };
    if (options.json_file || options.report_file) {
        auto results = bench::make_results(result, environment, shared.seconds);
        if (options.json_file)
            write_file(*options.json_file, boost::json::serialize(results) + "\n");
        if (options.report_file) {
            std::string html, why_not;
            if (auto ec = bench::write_html_report(results, html, why_not)) {
                err << "dynomite bench: the HTML report failed: " << why_not << '\n';
                written = false;
            } else {
                write_file(*options.report_file, html);
            }
        }
    }
    if (options.log_file) {
        auto start_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(wall_start.time_since_epoch())
                .count();
        bench::interval_log_writer log(start_ms);
        for (const auto& [second, stats] : shared.seconds) {
            double length = std::clamp(result.seconds - static_cast<double>(second), 0.001, 1.0);
            log.add(static_cast<double>(second), length, stats.latencies);
        }
        write_file(*options.log_file, log.text());
    }
    out << bench::format_percentiles(result);
    out << bench::format_summary(result) << '\n';
    if (!written) return exit_failure;
    return result.errors == 0 && result.throttles == 0 ? exit_ok : exit_failure;
}

}  // namespace dynomite::cli
