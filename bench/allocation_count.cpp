// Heap allocations per request in the steady state, counted at malloc (so OpenSSL's and Asio's
// aligned allocations count too) on the thread that runs the client, against the in-process
// fake DynamoDB, whose own thread is not counted:
//   allocation_count [REQUESTS] [--sites]
// prints one line per path: the client with a callback, the client awaited, a model find;
// each for a client through a strand (the default), awaited from a coroutine on that strand,
// and without one (thread_safe = false). With --sites it also prints, for each path, the call
// stacks that allocated most and the size they asked for, as backtrace_symbols writes them
// (module and offset; addr2line -f -C -e MODULE OFFSET names them).
#include "support/fake_server.hpp"

#include <dynomite/client/client.hpp>
#include <dynomite/model.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <execinfo.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {

// Initial-exec TLS of the executable: reading it never allocates.
thread_local bool counting = false;
thread_local std::size_t allocations = 0;

// --sites: the distinct allocating stacks of the counted window, in a fixed table so that
// recording one never allocates.
constexpr int site_depth = 14;
struct site {
    std::array<void*, site_depth> frames{};
    int depth = 0;
    std::size_t size = 0;  // bytes asked for
    std::size_t count = 0;
};
bool recording_sites = false;
std::array<site, 2048> sites;
thread_local bool inside_hook = false;

void record_site(std::size_t size) noexcept
{
    inside_hook = true;
    std::array<void*, site_depth> frames{};
    const int depth = backtrace(frames.data(), site_depth);
    std::size_t hash = 0;
    for (int i = 0; i < depth; ++i) hash = hash * 31 + reinterpret_cast<std::uintptr_t>(frames[i]);
    for (std::size_t probe = 0; probe < sites.size(); ++probe) {
        site& s = sites[(hash + probe) % sites.size()];
        if (s.count == 0 || (s.depth == depth && s.size == size && s.frames == frames)) {
            s.frames = frames;
            s.depth = depth;
            s.size = size;
            ++s.count;
            break;
        }
    }
    inside_hook = false;
}

void count(std::size_t size) noexcept
{
    if (!counting) return;
    ++allocations;
    if (recording_sites && !inside_hook) record_site(size);
}

/// Prints the stacks that allocated most since the last call, and forgets them.
void print_sites(const std::string& path, int n)
{
    std::vector<site*> ranked;
    for (site& s : sites)
        if (s.count != 0) ranked.push_back(&s);
    std::sort(ranked.begin(), ranked.end(), [](site* a, site* b) { return a->count > b->count; });
    std::printf("allocating stacks of %s, per request:\n", path.c_str());
    for (std::size_t i = 0; i < ranked.size() && i < 40; ++i) {
        std::printf("%.2f of %zu bytes\n", static_cast<double>(ranked[i]->count) / n,
                    ranked[i]->size);
        std::fflush(stdout);
        // Frames 0-2 are this hook and malloc.
        backtrace_symbols_fd(ranked[i]->frames.data() + 3, ranked[i]->depth - 3, 1);
    }
    sites = {};
}

}  // namespace

extern "C" {
void* malloc(std::size_t size)
{
    count(size);
    return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size)
{
    count(n * size);
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size)
{
    count(size);
    return __libc_realloc(p, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size)
{
    count(size);
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size)
{
    count(size);
    *out = __libc_memalign(alignment, size);
    return *out ? 0 : ENOMEM;
}
void* memalign(std::size_t alignment, std::size_t size)
{
    count(size);
    return __libc_memalign(alignment, size);
}
void free(void* p)
{
    __libc_free(p);
}
}

namespace {

namespace asio = boost::asio;

struct Track : dynomite::model<Track> {
    std::string k;
    std::string title;

    static void define(dynomite::model_definition<Track>& s)
    {
        s.field("k", &Track::k);
        s.field("title", &Track::title);
        s.partition_key("k");
        s.timestamps(false);
    }
};

dynomite::client_config config_for(const dynomite::test::fake_server& server)
{
    dynomite::client_config config;
    config.endpoint = server.url();
    config.region = "us-east-1";
    config.credentials = dynomite::credentials{"AKIDTEST", "secret", ""};
    config.env = dynomite::environment::from_map({});
    return config;
}

dynomite::get_item_request music_request()
{
    dynomite::get_item_request request;
    request.table_name = "Music";
    request.key = {{"k", "v"}};
    return request;
}

/// Runs `one(done)` `warmup` times, then `n` times counting; each call ends by calling done.
double per_request(asio::io_context& io, int warmup, int n,
                   const std::function<void(std::function<void()>)>& one)
{
    io.restart();  // run_one() returns at once on a context that ran out of work
    int finished = 0;
    std::function<void()> next = [&] {
        one([&] {
            ++finished;
            if (finished == warmup) {
                allocations = 0;
                counting = true;
            }
            if (finished < warmup + n) next();
        });
    };
    next();
    while (finished < warmup + n) {
        if (io.run_one() == 0) std::abort();  // nothing left to run: a request was lost
    }
    counting = false;
    return static_cast<double>(allocations) / n;
}

/// One request for per_request(): `body`, a coroutine, spawned on `executor`.
template <class Body>
std::function<void(std::function<void()>)> spawning(asio::any_io_executor executor, Body body)
{
    return [executor, body](std::function<void()> done) {
        asio::co_spawn(executor, body, [done](std::exception_ptr e) {
            if (e) std::abort();
            done();
        });
    };
}

}  // namespace

int main(int argc, char** argv)
{
    const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
    recording_sites = argc > 2 && std::strcmp(argv[2], "--sites") == 0;
    if (n <= 0 || (argc > 2 && !recording_sites) || argc > 3) {
        std::fprintf(stderr, "usage: allocation_count [REQUESTS] [--sites]\n");
        return 2;
    }
    if (recording_sites) {
        std::array<void*, 1> warm{};
        backtrace(warm.data(), 1);  // loads the unwinder before anything is counted
    }
    constexpr int warmup = 2000;
    dynomite::test::fake_server server;
    server.set_default(
        dynomite::test::fake_action::ok(R"({"Item":{"k":{"S":"v"},"title":{"S":"Blue"}}})"));
    asio::io_context io;
    const auto request = music_request();
    int failures = 0;

    struct paths {
        double callback = 0, awaited = 0, model = 0;
        double spawned = 0;  // what co_spawn of an empty coroutine costs on the same executor
    };
    // The three paths through a client made with `thread_safe` (through a strand, or on the
    // io_context's executor as given). The coroutines run on the io_context's executor, or
    // with `on_strand` on the client's own strand, where an awaited operation runs in place.
    const auto measure = [&](bool thread_safe, bool on_strand) {
        auto config = config_for(server);
        config.thread_safe = thread_safe;
        dynomite::client client(io.get_executor(), config);
        dynomite::database db(client);
        const asio::any_io_executor spawn_on =
            on_strand ? client.get_executor() : asio::any_io_executor(io.get_executor());
        const char* const label = !thread_safe ? ", without a strand"
                                  : on_strand  ? ", awaited on the client's strand"
                                               : ", through a strand";
        paths out;
        if (!on_strand) {  // a callback's path does not depend on where the caller runs
            out.callback = per_request(io, warmup, n, [&](std::function<void()> done) {
                client.async_get_item(request, [&, done](dynomite::error_code ec, auto) {
                    failures += ec ? 1 : 0;
                    done();
                });
            });
            if (recording_sites)
                print_sites(std::string("the client with a callback") + label, n);
        }
        out.awaited = per_request(io, warmup, n,
                                  spawning(spawn_on, [&]() -> asio::awaitable<void> {
                                      auto response = co_await client.get_item(request);
                                      failures += response.item ? 0 : 1;
                                  }));
        if (recording_sites) print_sites(std::string("the client awaited") + label, n);
        out.model = per_request(
            io, warmup, n, spawning(spawn_on, [&]() -> asio::awaitable<void> {
                auto track = co_await Track::on(db).find(dynomite::attribute_value("v"));
                failures += track && track->title == "Blue" ? 0 : 1;
            }));
        if (recording_sites) print_sites(std::string("a model find") + label, n);
        out.spawned = per_request(
            io, warmup, n, spawning(spawn_on, []() -> asio::awaitable<void> { co_return; }));
        if (recording_sites) print_sites(std::string("an empty coroutine") + label, n);
        return out;
    };
    const paths stranded = measure(true, false);
    const paths on_strand = measure(true, true);
    const paths direct = measure(false, false);
    recording_sites = false;
    // What the driver itself allocates, taken off the figures above: a post for a callback,
    // an empty coroutine's co_spawn on the same executor for the awaited paths.
    const double posted = per_request(io, warmup, n, [&](std::function<void()> done) {
        asio::post(io, [done] { done(); });
    });
    std::printf("heap allocations per GetItem (%d requests after %d, the driver's %.2f for a "
                "callback and %.2f, %.2f and %.2f for a coroutine taken off):\n",
                n, warmup, posted, stranded.spawned, on_strand.spawned, direct.spawned);
    std::printf("                    strand  strand, awaited on it  no strand "
                "(client_config::thread_safe = false)\n");
    std::printf("  client, callback  %6.2f  %21s  %9.2f\n", stranded.callback - posted, "-",
                direct.callback - posted);
    std::printf("  client, co_await  %6.2f  %21.2f  %9.2f\n", stranded.awaited - stranded.spawned,
                on_strand.awaited - on_strand.spawned, direct.awaited - direct.spawned);
    std::printf("  model find        %6.2f  %21.2f  %9.2f\n", stranded.model - stranded.spawned,
                on_strand.model - on_strand.spawned, direct.model - direct.spawned);
    if (failures != 0) {
        std::fprintf(stderr, "%d requests failed\n", failures);
        return 1;
    }
    return 0;
}
