#include <dynomite/observability/prometheus.hpp>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace dynomite {
namespace {

/// Orders (operation, table) pairs, stored as strings and looked up as views, so that finding
/// a pair's counters allocates nothing.
struct pair_less {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept
    {
        const std::string_view a1 = a.first, b1 = b.first;
        if (a1 != b1) return a1 < b1;
        return std::string_view(a.second) < std::string_view(b.second);
    }
};

using label_pair = std::pair<std::string_view, std::string_view>;

const prometheus::Histogram::BucketBoundaries duration_buckets{
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

}  // namespace

struct prometheus_exporter::metrics {
    explicit metrics(prometheus::Registry& registry)
        : operations(prometheus::BuildCounter()
                         .Name("dynomite_operations_total")
                         .Help("Operations completed, successful or not")
                         .Register(registry)),
          errors(prometheus::BuildCounter()
                     .Name("dynomite_operation_errors_total")
                     .Help("Operations that failed, by DynamoDB's __type or the local error")
                     .Register(registry)),
          attempts(prometheus::BuildCounter()
                       .Name("dynomite_attempts_total")
                       .Help("HTTP exchanges, retries and resends included")
                       .Register(registry)),
          retries(prometheus::BuildCounter()
                      .Name("dynomite_retries_total")
                      .Help("Attempts sent again, by the retry policy's reason")
                      .Register(registry)),
          throttles(prometheus::BuildCounter()
                        .Name("dynomite_throttles_total")
                        .Help("Attempts the service throttled")
                        .Register(registry)),
          bytes_sent(prometheus::BuildCounter()
                         .Name("dynomite_bytes_sent_total")
                         .Help("Request bytes written, heads and bodies")
                         .Register(registry)),
          bytes_received(prometheus::BuildCounter()
                             .Name("dynomite_bytes_received_total")
                             .Help("Response bytes read, heads and bodies")
                             .Register(registry)),
          capacity(prometheus::BuildCounter()
                       .Name("dynomite_consumed_capacity_units_total")
                       .Help("Capacity units the responses reported (ReturnConsumedCapacity)")
                       .Register(registry)),
          duration(prometheus::BuildHistogram()
                       .Name("dynomite_operation_duration_seconds")
                       .Help("From the call to the completion, retries included")
                       .Register(registry)),
          plans(prometheus::BuildCounter()
                    .Name("dynomite_relation_plans_total")
                    .Help("Relations run, by model, table, operation (Query or Scan) and index")
                    .Register(registry)),
          pool_open(prometheus::BuildGauge()
                        .Name("dynomite_pool_open_connections")
                        .Help("Connections open to the endpoint, as of the latest attempt")
                        .Register(registry)),
          pool_idle(prometheus::BuildGauge()
                        .Name("dynomite_pool_idle_connections")
                        .Help("Kept-alive connections waiting for a request, as of the latest "
                              "attempt")
                        .Register(registry)),
          pool_waiting(prometheus::BuildGauge()
                           .Name("dynomite_pool_waiting_requests")
                           .Help("Requests waiting for a connection, as of the latest attempt")
                           .Register(registry))
    {
    }

    /// The pool gauges of one endpoint.
    struct per_endpoint {
        prometheus::Gauge* open;
        prometheus::Gauge* idle;
        prometheus::Gauge* waiting;
    };

    per_endpoint& pool_of(std::string_view endpoint)
    {
        if (auto found = endpoints.find(endpoint); found != endpoints.end()) return found->second;
        const prometheus::Labels labels{{"endpoint", std::string(endpoint)}};
        per_endpoint made{&pool_open.Add(labels), &pool_idle.Add(labels),
                          &pool_waiting.Add(labels)};
        return endpoints.emplace(std::string(endpoint), made).first->second;
    }

    /// The counters of one operation on one table.
    struct per_table {
        prometheus::Counter* operations;
        prometheus::Counter* attempts;
        prometheus::Counter* throttles;
        prometheus::Counter* bytes_sent;
        prometheus::Counter* bytes_received;
        prometheus::Counter* capacity;
    };

    per_table& of(std::string_view operation, std::string_view table)
    {
        const label_pair key{operation, table};
        if (auto found = tables.find(key); found != tables.end()) return found->second;
        const prometheus::Labels labels{{"operation", std::string(operation)},
                                        {"table", std::string(table)}};
        per_table made{&operations.Add(labels), &attempts.Add(labels), &throttles.Add(labels),
                       &bytes_sent.Add(labels),  &bytes_received.Add(labels),
                       &capacity.Add(labels)};
        return tables.emplace(std::pair{std::string(operation), std::string(table)}, made)
            .first->second;
    }

    prometheus::Histogram& duration_of(std::string_view operation)
    {
        if (auto found = durations.find(operation); found != durations.end())
            return *found->second;
        auto& histogram =
            duration.Add({{"operation", std::string(operation)}}, duration_buckets);
        durations.emplace(std::string(operation), &histogram);
        return histogram;
    }

    prometheus::Family<prometheus::Counter>& operations;
    prometheus::Family<prometheus::Counter>& errors;
    prometheus::Family<prometheus::Counter>& attempts;
    prometheus::Family<prometheus::Counter>& retries;
    prometheus::Family<prometheus::Counter>& throttles;
    prometheus::Family<prometheus::Counter>& bytes_sent;
    prometheus::Family<prometheus::Counter>& bytes_received;
    prometheus::Family<prometheus::Counter>& capacity;
    prometheus::Family<prometheus::Histogram>& duration;
    prometheus::Family<prometheus::Counter>& plans;
    prometheus::Family<prometheus::Gauge>& pool_open;
    prometheus::Family<prometheus::Gauge>& pool_idle;
    prometheus::Family<prometheus::Gauge>& pool_waiting;

    /// Clients on other threads may share the exporter.
    std::mutex mutex;
    std::map<std::pair<std::string, std::string>, per_table, pair_less> tables;
    std::map<std::string, prometheus::Histogram*, std::less<>> durations;
    std::map<std::string, per_endpoint, std::less<>> endpoints;
};

prometheus_exporter::prometheus_exporter(prometheus::Registry& registry)
    : metrics_(std::make_unique<metrics>(registry))
{
}

prometheus_exporter::~prometheus_exporter() = default;

void prometheus_exporter::on_attempt(const attempt_event& event)
{
    std::lock_guard lock(metrics_->mutex);
    auto& counters = metrics_->of(event.operation, event.table);
    counters.attempts->Increment();
    if (event.reason == retry_reason::throttling) counters.throttles->Increment();
    counters.bytes_sent->Increment(static_cast<double>(event.bytes_sent));
    counters.bytes_received->Increment(static_cast<double>(event.bytes_received));
    auto& pool = metrics_->pool_of(event.endpoint);
    pool.open->Set(static_cast<double>(event.pool.open));
    pool.idle->Set(static_cast<double>(event.pool.idle));
    pool.waiting->Set(static_cast<double>(event.pool.waiting));
    if (event.retried)
        metrics_->retries
            .Add({{"operation", std::string(event.operation)},
                  {"table", std::string(event.table)},
                  {"reason", std::string(to_string(event.reason))}})
            .Increment();
}

void prometheus_exporter::on_operation(const operation_event& event)
{
    std::lock_guard lock(metrics_->mutex);
    auto& counters = metrics_->of(event.operation, event.table);
    counters.operations->Increment();
    if (event.consumed_capacity_units) counters.capacity->Increment(*event.consumed_capacity_units);
    metrics_->duration_of(event.operation)
        .Observe(std::chrono::duration<double>(event.latency).count());
    if (event.error)
        metrics_->errors
            .Add({{"operation", std::string(event.operation)},
                  {"table", std::string(event.table)},
                  {"error", event.aws_type.empty() ? event.error.message()
                                                   : std::string(event.aws_type)}})
            .Increment();
}

void prometheus_exporter::on_plan(const plan_event& event)
{
    std::lock_guard lock(metrics_->mutex);
    metrics_->plans
        .Add({{"model", std::string(event.model)},
              {"table", std::string(event.table)},
              {"operation", std::string(event.operation)},
              {"index", std::string(event.index)}})
        .Increment();
}

}  // namespace dynomite
