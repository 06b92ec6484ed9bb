#include "bench/event_counts.hpp"

#include "core/json_writer.hpp"

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
        for (const auto& [outcome, count] : theirs.outcomes) ours.outcomes[outcome] += count;
    }
}

std::string format_counts(const event_counts& counts)
{
    std::string text;
    for (const auto& [name, c] : counts.operations()) {
        text += "bench: " + name + ": " + std::to_string(c.operations) + " operations, " +
                std::to_string(c.attempts) + " attempts, " + std::to_string(c.retries) +
                " retries (" + std::to_string(c.throttles) + " throttled);";
        const char* separator = " ";
        for (const auto& [outcome, count] : c.outcomes) {
            text += separator + outcome + " " + std::to_string(count);
            separator = ", ";
        }
        text += '\n';
    }
    return text;
}

void write_counts(detail::json_writer& w, const event_counts& counts)
{
    const auto integer = [](std::uint64_t n) { return static_cast<std::int64_t>(n); };
    w.key("operations");
    w.begin_object();
    for (const auto& [name, c] : counts.operations()) {
        w.key(name);
        w.begin_object();
        w.member("operations", integer(c.operations));
        w.member("attempts", integer(c.attempts));
        w.member("retries", integer(c.retries));
        w.member("throttles", integer(c.throttles));
        w.key("outcomes");
        w.begin_object();
        for (const auto& [outcome, count] : c.outcomes) w.member(outcome, integer(count));
        w.end_object();
        w.end_object();
    }
    w.end_object();
}

}  // namespace dynomite::cli::bench
