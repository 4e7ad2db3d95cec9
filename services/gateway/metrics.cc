#include "services/gateway/metrics.h"

#include "absl/strings/str_cat.h"
#include "services/api/subscription_hub.h"
#include "services/gateway/api.h"
#include "services/gateway/metrics_format.h"
#include "services/projections/projector.h"
#include "storage/event_store.h"

namespace gateway {

std::string MetricsText(const storage::EventStore& store, const projections::Projector& projector,
                        const api::SubscriptionHub* hub, std::size_t http_connections,
                        std::uint64_t max_lag) {
  const Readiness ready = CheckReadiness(&store, &projector, max_lag);
  const storage::StoreStats stats = store.Stats();
  std::string out;
  out.reserve(8192);
  AppendMetric(&out, "wijkboek_ready", "gauge",
               "1 when the server is ready (log readable, writer healthy, views caught up)",
               ready.ready ? 1 : 0);
  AppendMetric(&out, "wijkboek_log_head_position", "gauge", "Position of the newest event",
               static_cast<double>(ready.head));
  AppendMetric(&out, "wijkboek_views_position", "gauge", "Position the views are folded up to",
               static_cast<double>(ready.views));
  AppendMetric(&out, "wijkboek_projection_lag_events", "gauge",
               "Events the views are behind the log's head", static_cast<double>(ready.lag));
  AppendMetric(&out, "wijkboek_appended_events_total", "counter",
               "Events appended since the server started", static_cast<double>(stats.events));
  AppendMetric(&out, "wijkboek_append_groups_total", "counter",
               "Durable write groups (one fsync each) since the server started",
               static_cast<double>(stats.groups));
  AppendMetric(&out, "wijkboek_append_failed_writes_total", "counter",
               "Group writes that failed (the writer then refuses appends until restarted)",
               static_cast<double>(stats.failed_writes));
  AppendMetric(&out, "wijkboek_writer_failed", "gauge",
               "1 when the writer stopped after a failed write", stats.writer_failed ? 1 : 0);
  AppendHistogram(&out, "wijkboek_append_group_events", "Events per write group (batch size)",
                  stats.group_events);
  AppendHistogram(&out, "wijkboek_append_write_seconds",
                  "Time of one group's RocksDB write, fsync included", stats.write_seconds);
  AppendMetric(&out, "wijkboek_subscribers", "gauge",
               "Live subscriptions following the head (gRPC Subscribe and HTTP live feeds)",
               hub != nullptr ? static_cast<double>(hub->attached()) : 0);
  AppendMetric(&out, "wijkboek_http_connections", "gauge",
               "Open HTTP connections, live feeds included", static_cast<double>(http_connections));
  for (const auto& [name, value] : stats.rocksdb) {
    AppendMetric(&out, absl::StrCat("wijkboek_rocksdb_", name), "gauge",
                 absl::StrCat("RocksDB property rocksdb.", name, ", summed over column families"),
                 static_cast<double>(value));
  }
  return out;
}

}  // namespace gateway
