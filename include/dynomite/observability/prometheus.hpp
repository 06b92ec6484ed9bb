// A ready exporter: counts a client's events (dynomite/client/instrumentation.hpp) into a
// prometheus-cpp registry. Built, as libdynomite_prometheus, when prometheus-cpp is found;
// libdynomite itself does not depend on it.
#pragma once

#include <dynomite/client/instrumentation.hpp>

#include <memory>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace dynomite {

/// The metrics, all named dynomite_*, labelled by operation and table (plus error or reason):
///   dynomite_operations_total, dynomite_operation_errors_total{error},
///   dynomite_attempts_total, dynomite_retries_total{reason}, dynomite_throttles_total,
///   dynomite_bytes_sent_total, dynomite_bytes_received_total,
///   dynomite_consumed_capacity_units_total, and the histogram
///   dynomite_operation_duration_seconds labelled by operation only;
///   dynomite_relation_plans_total by model, table, operation (Query or Scan) and index;
///   the gauges dynomite_pool_open_connections, dynomite_pool_idle_connections and
///   dynomite_pool_waiting_requests by endpoint, as of the latest attempt on it.
/// One exporter may serve several clients, on any threads; the registry must outlive it.
class prometheus_exporter final : public observer {
public:
    explicit prometheus_exporter(prometheus::Registry& registry);
    ~prometheus_exporter() override;
    prometheus_exporter(const prometheus_exporter&) = delete;
    prometheus_exporter& operator=(const prometheus_exporter&) = delete;

    void on_attempt(const attempt_event& event) override;
    void on_operation(const operation_event& event) override;
    void on_plan(const plan_event& event) override;

private:
    struct metrics;
    std::unique_ptr<metrics> metrics_;
};

}  // namespace dynomite
