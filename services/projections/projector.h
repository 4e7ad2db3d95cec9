#pragma once
// Keeps the Model (and the rules' domain state) up to date with the committed log, and persisted.
//
// A projector thread follows the store: it folds every committed event, in order, into the Model
// and into a domain::ProgrammeState, and every so often (at most every kSnapshotEvents events or
// kSnapshotInterval, and on shutdown) writes the changed entities, the domain state and the
// checkpoint position to the store's derived-state keyspace in ONE atomic write. On Open it loads
// that snapshot and folds only the events after the checkpoint, so a restart does not replay the
// whole log. Rebuild() throws the persisted state away and folds from position 1.
//
// Threads: Read/WaitFor from any thread; Open, Rebuild, Start and Stop from the owning thread.
#include <chrono>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/domain/state.h"
#include "services/projections/model.h"
#include "storage/event_store.h"

namespace projections {

struct ProjectorStats {
  std::uint64_t checkpoint_loaded = 0;  // position of the snapshot found on Open (0 = none)
  std::uint64_t events_folded_on_open = 0;
  double open_seconds = 0;
};

class Projector {
 public:
  // Loads the snapshot and catches up to the store's head synchronously. `store` must outlive it.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Projector>> Open(storage::EventStore* store);
  ~Projector();  // Stop()s

  // Clears the persisted views and folds the whole log again, synchronously, writing snapshots as
  // it goes. `progress` (optional) is called now and then with (position, head).
  [[nodiscard]] absl::Status Rebuild(
      const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

  // The domain state as of the model's position (a copy), for the writer's rules at startup.
  domain::ProgrammeState DomainState() const;

  // Starts following the log in the background; call once after Open (and Rebuild).
  void Start();
  // Folds what is committed, writes a final snapshot and stops the thread.
  void Stop();

  // Runs `read` with the model under a shared lock; it must not block.
  void Read(const std::function<void(const Model&)>& read) const;
  // Blocks until the model reached `position` or the deadline passed; true if reached.
  bool WaitFor(std::uint64_t position, std::chrono::steady_clock::time_point deadline) const;
  // Calls `done(true)` once the model reached `position` (from the projector thread, or at once),
  // or `done(false)` at the deadline (from a timer thread). For async RPC handlers.
  void NotifyWhen(std::uint64_t position, std::chrono::steady_clock::time_point deadline,
                  std::function<void(bool)> done);

  std::uint64_t position() const;
  const ProjectorStats& stats() const;

 private:
  struct Impl;
  explicit Projector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace projections
