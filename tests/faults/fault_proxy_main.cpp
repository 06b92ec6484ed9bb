// The fault-injecting proxy (tests/support/fault_proxy.hpp) as a program, to put in front of
// DynamoDB Local while other programs (the `dynomite` command, the examples, botocore) run
// through it. Prints its URL as the first line, runs until SIGTERM or SIGINT, then prints how
// many requests got each fault and how many each operation got.
#include "support/fault_proxy.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

using dynomite::test::fault_kind;
using dynomite::test::fault_kind_count;

constexpr std::string_view usage =
    "Usage: fault_proxy --upstream http://HOST:PORT [--rate R] [--seed N] [--delay-ms MS]\n"
    "\n"
    "Forwards HTTP/1.1 requests to the upstream, giving a fraction R (default 0.5) of them one\n"
    "of the faults a remote DynamoDB shows, chosen at random from a sequence fixed by the seed\n"
    "(default 1): 400 ThrottlingException or ProvisionedThroughputExceededException, 500, 503,\n"
    "a connection reset before or after forwarding, a truncated body, a wrong x-amz-crc32 or an\n"
    "answer held back MS milliseconds (default 150). Prints its URL as the first line on\n"
    "stdout; on SIGTERM or SIGINT prints \"requests N\", \"fault <kind> N\" for each kind\n"
    "(kind none: forwarded untouched) and \"target <X-Amz-Target> N\", then exits 0.\n";

[[noreturn]] void wrong_usage(const std::string& problem)
{
    std::cerr << "fault_proxy: " << problem << "\n\n" << usage;
    std::exit(2);
}

double parse_rate(const std::string& text)
{
    std::size_t used = 0;
    double rate = 0;
    try {
        rate = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(rate >= 0.0 && rate <= 1.0))
        wrong_usage("--rate needs a number from 0 to 1, got '" + text + "'");
    return rate;
}

unsigned long long parse_count(const std::string& option, const std::string& text)
{
    std::size_t used = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || text[0] == '-' || used != text.size())
        wrong_usage(option + " needs a non-negative whole number, got '" + text + "'");
    return value;
}

}  // namespace

int main(int argc, char** argv)
{
    dynomite::test::fault_proxy_options options;
    options.fault_rate = 0.5;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::cout << usage;
            return 0;
        }
        if (i + 1 >= argc) wrong_usage(arg.starts_with("--") ? arg + " needs a value"
                                                             : "unexpected argument '" + arg + "'");
        const std::string value = argv[++i];
        if (arg == "--upstream") {
            options.upstream = value;
        } else if (arg == "--rate") {
            options.fault_rate = parse_rate(value);
        } else if (arg == "--seed") {
            options.seed = parse_count(arg, value);
        } else if (arg == "--delay-ms") {
            options.delay = std::chrono::milliseconds(parse_count(arg, value));
        } else {
            wrong_usage("unknown option '" + arg + "'");
        }
    }
    if (options.upstream.empty()) wrong_usage("--upstream is required");

    try {
        dynomite::test::fault_proxy proxy(options);
        std::cout << proxy.url() << std::endl;

        boost::asio::io_context io;
        boost::asio::signal_set stop(io, SIGTERM, SIGINT);
        stop.async_wait([](const boost::system::error_code&, int) {});
        io.run();

        std::cout << "requests " << proxy.request_count() << '\n';
        const auto counts = proxy.faults();
        for (std::size_t i = 0; i < fault_kind_count; ++i)
            std::cout << "fault " << to_string(static_cast<fault_kind>(i)) << ' ' << counts[i]
                      << '\n';
        for (const auto& [target, count] : proxy.requests_by_target())
            std::cout << "target " << (target.empty() ? "-" : target) << ' ' << count << '\n';
        std::cout.flush();
    } catch (const std::exception& e) {
        std::cerr << "fault_proxy: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
