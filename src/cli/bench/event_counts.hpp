// `dynomite bench --counts`: the run's operations, attempts, retries and outcomes, counted
// from the client's events (dynomite/client/instrumentation.hpp).
#pragma once

#include <dynomite/client/instrumentation.hpp>
#include <dynomite/core/error.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace dynomite::cli::bench {

/// Counts one client's events while `measuring` is true. One per client thread; merge() adds
/// the others' at the end.
class event_counts final : public observer {
public:
    struct per_operation {
        std::uint64_t operations = 0;
        std::uint64_t attempts = 0;
        /// Attempts sent again, and of those the throttled ones.
        std::uint64_t retries = 0;
        std::uint64_t throttles = 0;
        /// Attempts that opened a connection (resolution, TCP connect and, over HTTPS, a TLS
        /// handshake) rather than reuse a kept-alive one.
        std::uint64_t new_connections = 0;
        /// Operations by outcome: "ok", DynamoDB's __type, or the local error's message.
        std::map<std::string, std::uint64_t, std::less<>> outcomes;
    };

    explicit event_counts(const std::atomic<bool>& measuring) : measuring_(&measuring) {}

    void on_attempt(const attempt_event& event) override;
    void on_operation(const operation_event& event) override;
    void merge(const event_counts& other);

    /// By operation name ("GetItem").
    const std::map<std::string, per_operation, std::less<>>& operations() const noexcept
    {
        return operations_;
    }

private:
    per_operation& of(std::string_view operation);

    const std::atomic<bool>* measuring_;
    std::map<std::string, per_operation, std::less<>> operations_;
};

/// One line per operation for the standard error stream:
/// "bench: GetItem: 1000 operations, 1002 attempts, 2 retries (2 throttled), 16 new connections;
/// ok 998, Foo 2".
std::string format_counts(const event_counts& counts);

/// The results' "operations" member: `{"GetItem": {"operations": .., "attempts": ..,
/// "retries": .., "throttles": .., "new_connections": .., "outcomes": {"ok": ..}}}`.
boost::json::object counts_to_json(const event_counts& counts);

/// Adds the counts of one results' "operations" member to `into` (for `bench merge`). Fails with
/// errc::invalid_argument naming the member that is not a count.
error_code add_counts_json(boost::json::object& into, const boost::json::object& counts,
                           std::string& why);

}  // namespace dynomite::cli::bench
