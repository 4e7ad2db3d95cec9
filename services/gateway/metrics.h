#pragma once
// GET /metrics: the server's figures in Prometheus's text format, names prefixed wijkboek_.
//
// Anonymous, like /healthz: the figures are counts and sizes, never content, and a scraper has
// no token. Keep the HTTP port private (or have the proxy refuse /metrics) where counts of
// appends are themselves sensitive.
// Threads: any; reads atomics, the head and RocksDB's in-memory properties, takes no view lock.
#include <cstddef>
#include <cstdint>
#include <string>

namespace api {
class SubscriptionHub;
}
namespace projections {
class Projector;
}
namespace storage {
class EventStore;
}

namespace gateway {

// The whole exposition. `hub` may be null (no gRPC subscribers counted); `http_connections` is
// the gateway's open connections; `max_lag` as for readiness (api.h).
std::string MetricsText(const storage::EventStore& store, const projections::Projector& projector,
                        const api::SubscriptionHub* hub, std::size_t http_connections,
                        std::uint64_t max_lag);

}  // namespace gateway
