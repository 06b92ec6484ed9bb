#include "bench/event_counts.hpp"

#include <cstdint>

namespace dynomite::cli::bench {

event_counts::per_operation& event_counts::of(std::string_view operation)
{
    if (auto found = operations_.find(operation); found != operations_.end())
        return found->second;
    return operations_.emplace(std::string(operation), per_operation{}).first->second;
}

void event_counts::on_attempt(const attempt_event& event)
{
    if (!measuring_->load(std::memory_order_relaxed)) return;
    auto& counts = of(event.operation);
    ++counts.attempts;
    if (event.new_connection) ++counts.new_connections;
    if (!event.retried) return;
    ++counts.retries;
    if (event.reason == retry_reason::throttling) ++counts.throttles;
}

void event_counts::on_operation(const operation_event& event)
{
    if (!measuring_->load(std::memory_order_relaxed)) return;
    auto& counts = of(event.operation);
    ++counts.operations;
    const std::string outcome = !event.error           ? std::string("ok")
                                : event.aws_type.empty() ? event.error.message()
                                                         : std::string(event.aws_type);
    ++counts.outcomes[outcome];
}

void event_counts::merge(const event_counts& other)
{
    for (const auto& [name, theirs] : other.operations_) {
        auto& ours = of(name);
        ours.operations += theirs.operations;
        ours.attempts += theirs.attempts;
        ours.retries += theirs.retries;
        ours.throttles += theirs.throttles;
        ours.new_connections += theirs.new_connections;
        for (const auto& [outcome, count] : theirs.outcomes) ours.outcomes[outcome] += count;
    }
}

std::string format_counts(const event_counts& counts)
{
    std::string text;
    for (const auto& [name, c] : counts.operations()) {
        text += "bench: " + name + ": " + std::to_string(c.operations) + " operations, " +
                std::to_string(c.attempts) + " attempts, " + std::to_string(c.retries) +
                " retries (" + std::to_string(c.throttles) + " throttled), " +
                std::to_string(c.new_connections) + " new connections;";
        const char* separator = " ";
        for (const auto& [outcome, count] : c.outcomes) {
            text += separator + outcome + " " + std::to_string(count);
            separator = ", ";
        }
        text += '\n';
    }
    return text;
}

boost::json::object counts_to_json(const event_counts& counts)
{
    boost::json::object all;
    for (const auto& [name, c] : counts.operations()) {
        boost::json::object outcomes;
        for (const auto& [outcome, count] : c.outcomes) outcomes[outcome] = count;
        all[name] = boost::json::object{{"operations", c.operations},
                                        {"attempts", c.attempts},
                                        {"retries", c.retries},
                                        {"throttles", c.throttles},
                                        {"new_connections", c.new_connections},
                                        {"outcomes", std::move(outcomes)}};
    }
    return all;
}

namespace {

// Adds the counts of `from` to `into` member by member; objects (the outcomes) recursively.
error_code add_count_members(boost::json::object& into, const boost::json::object& from,
                             const std::string& where, std::string& why)
{
    for (const auto& [key, value] : from) {
        const std::string name = where + "." + std::string(key);
        if (value.is_object()) {
            auto& target = into[key];
            if (!target.is_object()) target = boost::json::object{};
            if (auto ec = add_count_members(target.get_object(), value.get_object(), name, why))
                return ec;
            continue;
        }
        std::uint64_t n = 0;
        if (value.is_uint64()) {
            n = value.get_uint64();
        } else if (value.is_int64() && value.get_int64() >= 0) {
            n = static_cast<std::uint64_t>(value.get_int64());
        } else {
            why = "\"" + name + "\" is not a count";
            return make_error_code(errc::invalid_argument);
        }
        auto& target = into[key];
        std::uint64_t before = 0;
        if (target.is_uint64()) before = target.get_uint64();
        if (target.is_int64()) before = static_cast<std::uint64_t>(target.get_int64());
        target = before + n;
    }
    return {};
}

}  // namespace

error_code add_counts_json(boost::json::object& into, const boost::json::object& counts,
                           std::string& why)
{
    return add_count_members(into, counts, "operations", why);
}

}  // namespace dynomite::cli::bench
