#include "services/server/health_watcher.h"

#include <iostream>

#include "services/gateway/api.h"

namespace server {

HealthWatcher::HealthWatcher(grpc::HealthCheckServiceInterface* health,
                             const storage::EventStore* store,
                             const projections::Projector* projector, std::uint64_t max_lag,
                             std::chrono::milliseconds every)
    : health_(health), store_(store), projector_(projector), max_lag_(max_lag), every_(every) {
  Update();
  thread_ = std::thread([this] { Run(); });
}

HealthWatcher::~HealthWatcher() { Stop(); }

void HealthWatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void HealthWatcher::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::FromChrono(every_))) return;
    }
    Update();
  }
}

void HealthWatcher::Update() {
  const gateway::Readiness r = gateway::CheckReadiness(store_, projector_, max_lag_);
  const int now = r.ready ? 1 : 0;
  if (now == last_) return;
  if (last_ != -1) {
    std::cerr << "wijkboekd: health: " << (r.ready ? "SERVING" : "NOT_SERVING") << " ("
              << r.status << ", head " << r.head << ", views " << r.views << ")" << std::endl;
  }
  last_ = now;
  for (const char* service : {"", "wijkboek.v1.EventLog", "wijkboek.v1.Views",
                              "wijkboek.v1.Admin"}) {
    health_->SetServingStatus(service, r.ready);
  }
}

}  // namespace server
