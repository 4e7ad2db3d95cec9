#pragma once
// Keeps grpc.health.v1 truthful: every second it asks gateway::CheckReadiness (the same answer as
// /healthz: log readable, writer not failed, views within the lag bound) and sets the serving
// status of "" and of each wijkboek service to SERVING or NOT_SERVING when it changed.
//
// Ownership: the Server owns it; it borrows the health service, store and projector, which must
// outlive Stop(). Lifecycle: constructed running (after the gRPC server was built), Stop() once
// before the health service shuts down; the destructor stops it too.
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "services/projections/projector.h"
#include "storage/event_store.h"

namespace server {

class HealthWatcher {
 public:
  HealthWatcher(grpc::HealthCheckServiceInterface* health, const storage::EventStore* store,
                const projections::Projector* projector, std::uint64_t max_lag,
                std::chrono::milliseconds every = std::chrono::seconds(1));
  ~HealthWatcher();
  HealthWatcher(const HealthWatcher&) = delete;
  HealthWatcher& operator=(const HealthWatcher&) = delete;

  void Stop();

 private:
  void Update();
  void Run();

  grpc::HealthCheckServiceInterface* const health_;
  const storage::EventStore* const store_;
  const projections::Projector* const projector_;
  const std::uint64_t max_lag_;
  const std::chrono::milliseconds every_;
  int last_ = -1;  // only on the watcher's thread (and the constructor): -1 unknown, 0, 1
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above is initialised
};

}  // namespace server
