#pragma once
// Time travel, the running part: folds as-of models (as_of.h) on a thread of its own, off the
// callers' threads, and keeps the last few so that the pages of one report, or several views of
// the same date, fold the log once.
//
// A request names its bound (AsOf), a deadline, a `cancelled` check and a `done` callback. The
// bound is first resolved to a key: a position (as_of_position; as_of_time through a binary search
// over recorded_at), or the pair (business date, the head right now). A cached model with that key
// answers at once. Otherwise the request joins the job for its key (one fold serves every request
// for the same key) and the fold thread works through the jobs in order. A fold starts from the
// best model at hand instead of from position 1 when it can: a cached model of the same kind at
// an earlier position (copied, then the events after it folded), or a copy of the live views when
// they are exactly at the asked position (an "as of now" request).
//
// Between batches of events the fold thread answers every waiting request whose deadline passed
// (DEADLINE_EXCEEDED) or whose `cancelled` returns true (CANCELLED), and drops a fold nobody waits
// for any more. Close() answers everyone UNAVAILABLE and stops the thread.
//
// Memory: at most `cached_models` finished models plus the one being folded, each about as large
// as the live views at that position (for 1,000,000 events about 550 MiB), plus models that
// queries still hold after they left the cache. The default keeps 2.
//
// Owner: the Projector (Projector::time_travel()). Threads: Request, stats and Close from any
// thread; `done` runs exactly once, on the caller's thread (an error found at once, a cached
// model) or on the fold thread, never under a lock of this class; `cancelled` runs on the fold
// thread under this class's lock, so it must be quick and must not call back into TimeTravel.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/projections/as_of.h"
#include "services/projections/model.h"
#include "storage/event_store.h"

namespace projections {

struct TimeTravelOptions {
  std::size_t cached_models = 2;
};

struct TimeTravelStats {
  std::uint64_t requests = 0;
  std::uint64_t cache_hits = 0;       // answered from a cached model, nothing folded
  std::uint64_t folds = 0;            // folds finished
  std::uint64_t folds_abandoned = 0;  // stopped because nobody waited any more
  std::uint64_t events_folded = 0;    // by finished and abandoned folds
  std::uint64_t live_copies = 0;      // folds that started from a copy of the live views
  std::uint64_t cached_bases = 0;     // folds that started from a cached model
  double fold_cpu_seconds = 0;        // CPU time of the fold thread, copies included
};

// The model an as-of request is answered from, and the day its queries take as "today" (the
// agenda's default start, the age of stale actions): the real today for a position bound, the
// bound's own day for record time (in the programme's time zone) and business date.
struct AsOfModel {
  std::shared_ptr<const Model> model;  // model->position is the answer's as_of_position
  absl::CivilDay today;
};

class TimeTravel {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(absl::StatusOr<AsOfModel>)>;
  // A copy of the live views' model when it is exactly at `position` (dirty keys cleared), else
  // nullptr. Optional.
  using LiveCopy = std::function<std::unique_ptr<Model>(std::uint64_t position)>;

  // `store` must outlive this object. Starts the fold thread.
  TimeTravel(const storage::EventStore* store, LiveCopy live_copy, TimeTravelOptions options = {});
  ~TimeTravel();  // Close()
  TimeTravel(const TimeTravel&) = delete;
  TimeTravel& operator=(const TimeTravel&) = delete;

  // Finds or folds the model for `as_of` (any kind but kNow, which the live views answer) and
  // calls `done` exactly once with it, or with:
  //   OUT_OF_RANGE       a position beyond the log's head;
  //   DEADLINE_EXCEEDED  not folded by `deadline` (the message says how far the fold got);
  //   CANCELLED          `cancelled` returned true;
  //   UNAVAILABLE        Close() ran;
  //   errors reading the log (e.g. DATA_LOSS).
  void Request(const AsOf& as_of, Clock::time_point deadline, std::function<bool()> cancelled,
               Done done);

  // Answers every waiting request with UNAVAILABLE, stops the fold and joins the thread; later
  // requests get UNAVAILABLE at once. Idempotent.
  void Close();

  TimeTravelStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace projections
