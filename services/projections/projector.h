#pragma once
// Keeps the Model (and the rules' domain state) up to date with the committed log, and persisted.
//
// A projector thread follows the store: it folds every committed event, in order, into the Model
// and into a domain::ProgrammeState, and every so often (once snapshot_events events or
// snapshot_interval have passed since the last one, and on Stop) writes the changed entities, the
// domain state and the checkpoint position to the store's derived-state keyspace in ONE atomic
// write. On Open it loads that snapshot and folds only the events after the checkpoint, so a
// restart does not replay the whole log. Rebuild() throws the persisted state away and folds from
// position 1.
//
// Durability: snapshots are written without fsync. The log is the source of truth; a snapshot
// lost in a crash only means folding more on the next Open. A snapshot is never ahead of the log:
// only published (acknowledged, hence synced) events are folded, and RocksDB's single WAL keeps
// the snapshot behind them. Open checks it anyway, and a snapshot that is ahead of the log, of
// another schema version, or unreadable is thrown away and rebuilt from the log (stats say why).
//
// Threads: Read, WaitFor, NotifyWhen, DomainState, Notify, position and stats from any thread;
// Open, Rebuild, Start and Stop from the owning thread. The Model is written only by the folding
// thread (the owner's during Open and Rebuild, the projector's after Start) under an exclusive
// lock; readers share it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/domain/state.h"
#include "services/projections/model.h"
#include "services/projections/time_travel.h"
#include "storage/event_store.h"

namespace projections {

struct ProjectorOptions {
  // A snapshot is written once this many events or this much time passed since the last one.
  std::uint64_t snapshot_events = 10000;
  std::chrono::milliseconds snapshot_interval{1000};
  // The same for the bulk folds of Rebuild and Open, which nobody reads until they end: there a
  // snapshot only bounds the work a crash would lose, and each one rewrites every entity touched
  // since the last, so fewer are cheaper.
  std::uint64_t bulk_snapshot_events = 250000;
  std::chrono::milliseconds bulk_snapshot_interval{10000};
  // Results each action keeps in memory once their rows are persisted; the older ones are read
  // from the views family when a query needs them (Model::ForEachResult). 0 = keep every result
  // (the model then equals a plain fold, as tests compare); any other value is raised to what
  // the list views show (queries.h: kLatestResultsPerPillar, kResultsPerListedAction). wijkboekd
  // sets it (services/server/server.cc) so that memory does not grow with the results.
  std::size_t results_in_memory = 0;
  // How long the thread sleeps when nobody calls Notify (a fallback; Notify wakes it at once).
  std::chrono::milliseconds poll_interval{100};
};

struct ProjectorStats {
  std::uint64_t checkpoint_loaded = 0;  // position of the snapshot found on Open (0 = none)
  std::uint64_t events_folded_on_open = 0;
  double open_seconds = 0;
  // Why Open threw the snapshot away and folded from position 1; empty when it did not.
  std::string rebuilt_on_open;
  std::uint64_t snapshots_written = 0;
  std::uint64_t last_snapshot_position = 0;
  // Events whose payload did not parse (skipped; only their position counts). Should stay 0.
  std::uint64_t unparsable_events = 0;
  // The last error of the background thread (reading the log, writing a snapshot); it retries.
  std::string last_error;
};

class Projector {
 public:
  // Loads the snapshot and catches up to the store's head synchronously. `store` must outlive it.
  // Errors: what the store returns when reading the log or the derived state fails. A snapshot
  // that cannot be used is not an error: it is rebuilt (see stats().rebuilt_on_open).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Projector>> Open(
      storage::EventStore* store, ProjectorOptions options = {});
  ~Projector();  // Stop()s

  // Clears the persisted views and folds the whole log again, synchronously, writing snapshots as
  // it goes. `progress` (optional) is called now and then with (position, head), on this thread.
  // Call before Start (FAILED_PRECONDITION once the thread runs).
  [[nodiscard]] absl::Status Rebuild(
      const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

  // The domain state as of the model's position (a copy), for the writer's rules at startup.
  domain::ProgrammeState DomainState() const;

  // Starts following the log in the background; call once after Open (and Rebuild).
  void Start();
  // Wakes the thread because the store committed something: call from the store's
  // CommitListener. Cheap and non-blocking apart from a short mutex.
  void Notify();
  // Folds what is committed, writes a final snapshot and stops the thread. Pending NotifyWhen
  // callbacks are answered (true if reached, else false). Idempotent; no restart.
  void Stop();

  // Runs `read` with the model under a shared lock; it must not block.
  void Read(const std::function<void(const Model&)>& read) const;
  // Blocks until the model reached `position` or the deadline passed; true if reached.
  bool WaitFor(std::uint64_t position, std::chrono::steady_clock::time_point deadline) const;
  // Calls `done(true)` once the model reached `position` (from the projector thread, or at once),
  // or `done(false)` at the deadline (from a timer thread). Exactly once. For async RPC handlers:
  // `done` must return quickly; it runs outside the projector's locks, so it may call Read.
  void NotifyWhen(std::uint64_t position, std::chrono::steady_clock::time_point deadline,
                  std::function<void(bool)> done);

  std::uint64_t position() const;
  ProjectorStats stats() const;  // a copy

  // The views as of an earlier point of the log (time_travel.h), folded on a thread of their own
  // from the same store; "as of now" starts from a copy of this projector's model. Valid as long
  // as the Projector; Stop() closes it (waiting requests get UNAVAILABLE).
  TimeTravel& time_travel();

 private:
  struct Impl;
  explicit Projector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace projections
