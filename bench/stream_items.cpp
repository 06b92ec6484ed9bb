// Streams ITEMS records of the benchmark table through a model cursor (Scan pages, one
// record at a time) and prints the resident set size as it goes, to show that memory does not
// grow with the number of items streamed.
//
//     stream_items ENDPOINT ITEMS [TABLE]
#include "bench/bench_item.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/model.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

namespace {

namespace asio = boost::asio;
using dynomite::cli::bench::bench_item;

// "VmRSS" or "VmHWM" (the peak) of this process, in KiB.
long status_kib(const std::string& field)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
    }
    return -1;
}

asio::awaitable<void> stream(dynomite::database db, std::int64_t limit)
{
    auto relation = bench_item::on(db).all().force_scan().limit(limit);
    auto cursor = relation.cursor();
    const auto started = std::chrono::steady_clock::now();
    std::int64_t count = 0;
    std::int64_t quantity_sum = 0;
    long peak_at_tenth = 0;
    for (;;) {
        auto record = co_await cursor.next();
        if (!record) break;
        quantity_sum += record->quantity;
        if (++count % (limit / 10 > 0 ? limit / 10 : 1) == 0) {
            long peak = status_kib("VmHWM");
            if (peak_at_tenth == 0) peak_at_tenth = peak;
            std::cerr << "stream_items: " << count << " items, rss_kib=" << status_kib("VmRSS")
                      << " peak_rss_kib=" << peak << '\n';
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char line[256];
    std::snprintf(line, sizeof line,
                  "items=%lld seconds=%.3f items_per_s=%.0f peak_rss_kib_at_10pct=%ld "
                  "peak_rss_kib=%ld checksum=%lld",
                  static_cast<long long>(count), seconds, count / seconds, peak_at_tenth,
                  status_kib("VmHWM"), static_cast<long long>(quantity_sum));
    std::cout << line << '\n';
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 3 || argc > 4) {
        std::cerr << "usage: stream_items ENDPOINT ITEMS [TABLE]\n";
        return 2;
    }
    std::int64_t limit = 0;
    std::string_view items_text = argv[2];
    auto [end, ec] =
        std::from_chars(items_text.data(), items_text.data() + items_text.size(), limit);
    if (ec != std::errc{} || end != items_text.data() + items_text.size() || limit <= 0) {
        std::cerr << "stream_items: ITEMS must be a positive integer, got \"" << items_text
                  << "\"\n";
        return 2;
    }
    try {
        asio::io_context io{1};
        dynomite::client_config config;
        config.endpoint = argv[1];
        config.thread_safe = false;
        dynomite::client db_client(io.get_executor(), config);
        dynomite::database db(db_client);
        bench_item::set_table_name(argc == 4 ? argv[3] : "dynomite_bench");
        auto done = asio::co_spawn(io, stream(db, limit), asio::use_future);
        io.run();
        done.get();
    } catch (const std::exception& e) {
        std::cerr << "stream_items: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
