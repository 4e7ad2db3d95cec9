// The projector: loads the views snapshot, folds the log into the Model and the domain state, and
// persists both with their checkpoint. See projector.h for the contract.
//
// Derived-state keys (the store's `views` family):
//   schema_version   kSchemaVersion; another value means the rows mean something else: rebuild
//   checkpoint       8 bytes, big-endian: the position every row below reflects
//   domain/state     domain::ProgrammeState::Serialize()
//   model/<key>      one Model entity (Model::EncodeEntity), e.g. model/action/taalmaatjes
// A snapshot writes the changed rows and all three meta keys in one WriteDerived batch, so the
// rows and the checkpoint can never disagree on disk.
#include "services/projections/projector.h"

#include <algorithm>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/projections/position_waiters.h"
#include "services/projections/queries.h"

namespace projections {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kSchemaKey[] = "schema_version";
// Bump whenever the fold or the rows change meaning: older snapshots are then rebuilt, not read.
constexpr char kSchemaVersion[] = "1";
constexpr char kCheckpointKey[] = "checkpoint";
constexpr char kDomainKey[] = "domain/state";
constexpr char kModelPrefix[] = "model/";
// Events read and folded under one exclusive lock: long enough to amortise the lock and the
// iterator, short enough that readers wait at most a few milliseconds.
constexpr std::size_t kBatchEvents = 1024;
constexpr auto kProgressInterval = std::chrono::milliseconds(500);
// The fewest results per action the list views need in memory (see ProjectorOptions).
constexpr std::size_t kFewestResultsInMemory =
    std::max<std::size_t>(kLatestResultsPerPillar, kResultsPerListedAction);

std::string BigEndian64(std::uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}

std::optional<std::uint64_t> ParseBigEndian64(const std::string& bytes) {
  if (bytes.size() != 8) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

// An event as the fold needs it: the envelope without its bytes, and the parsed payload.
struct Parsed {
  storage::StoredEvent event;
  wijkboek::v1::Payload payload;
  bool ok = true;
};

}  // namespace

struct Projector::Impl {
  Impl(storage::EventStore* s, ProjectorOptions o)
      : store(s),
        options(o),
        results_in_memory(o.results_in_memory == 0
                              ? 0
                              : std::max(o.results_in_memory, kFewestResultsInMemory)) {
    model = EmptyModel();
  }

  // A model with no events folded that can read its result rows back from the store.
  Model EmptyModel() const;
  [[nodiscard]] absl::Status Load(std::string* unusable);
  void Reset();
  [[nodiscard]] absl::Status FoldBatch(std::uint64_t target);
  [[nodiscard]] absl::Status FoldTo(
      std::uint64_t target, bool bulk,
      const std::function<void(std::uint64_t, std::uint64_t)>* progress);
  [[nodiscard]] absl::Status Snapshot();
  bool SnapshotDue(bool bulk) const;
  Clock::time_point NextWake() const;
  void Run();
  void ReportError(const absl::Status& s);

  storage::EventStore* const store;
  const ProjectorOptions options;
  const std::size_t results_in_memory;  // options.results_in_memory, raised; 0 = all

  // The folded state. Mutated only by the folding thread (the owner's before Start, the
  // projector thread after), always under an exclusive lock; everyone else reads under a shared
  // one. The folding thread itself may read without the lock: nobody else writes.
  mutable std::shared_mutex mu;
  Model model;
  domain::ProgrammeState domain;

  PositionWaiters waiters;

  // Only on the folding thread.
  std::uint64_t snapshot_position = 0;
  Clock::time_point snapshot_time = Clock::now();
  bool persisted = false;  // a snapshot (at least the schema and checkpoint) is on disk

  mutable std::mutex stats_mu;
  ProjectorStats stats;  // guarded by stats_mu

  std::mutex wake_mu;
  std::condition_variable wake;
  bool poked = false;     // guarded by wake_mu
  bool stopping = false;  // guarded by wake_mu

  // Created by Open once the model is loaded; closed by Stop.
  std::unique_ptr<TimeTravel> time_travel;

  // Only on the owner's thread.
  bool started = false;
  bool stopped = false;
  std::thread thread;
};

Model Projector::Impl::EmptyModel() const {
  Model m;
  m.stored_rows = [store = store](const std::string& prefix,
                                  const storage::DerivedVisitor& visit) {
    const std::size_t skip = std::string_view(kModelPrefix).size();
    return store->ScanDerived(absl::StrCat(kModelPrefix, prefix),
                              [&](std::string_view key, std::string_view value) {
                                return visit(key.substr(skip), value);
                              });
  };
  return m;
}

// Loads the snapshot. I/O errors are returned; a snapshot that cannot be used sets `unusable` to
// the reason and leaves the state for the caller to reset.
absl::Status Projector::Impl::Load(std::string* unusable) {
  absl::StatusOr<std::optional<std::string>> schema = store->ReadDerived(kSchemaKey);
  if (!schema.ok()) return schema.status();
  if (!schema->has_value()) {
    bool any = false;
    absl::Status scan = store->ScanDerived("", [&](std::string_view, std::string_view) {
      any = true;
      return false;
    });
    if (!scan.ok()) return scan;
    if (any) *unusable = "the views snapshot has no schema version";
    return absl::OkStatus();
  }
  if (**schema != kSchemaVersion) {
    *unusable = absl::StrCat("the views snapshot has schema version ", **schema,
                             "; this build writes version ", kSchemaVersion);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<std::string>> checkpoint_bytes = store->ReadDerived(kCheckpointKey);
  if (!checkpoint_bytes.ok()) return checkpoint_bytes.status();
  std::optional<std::uint64_t> checkpoint;
  if (checkpoint_bytes->has_value()) checkpoint = ParseBigEndian64(**checkpoint_bytes);
  if (!checkpoint) {
    *unusable = "the views snapshot has no valid checkpoint";
    return absl::OkStatus();
  }
  if (*checkpoint > store->Head()) {
    *unusable = absl::StrCat("the views snapshot is at position ", *checkpoint,
                             ", ahead of the log's head ", store->Head());
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<std::string>> domain_bytes = store->ReadDerived(kDomainKey);
  if (!domain_bytes.ok()) return domain_bytes.status();
  if (!domain_bytes->has_value()) {
    *unusable = "the views snapshot has no domain state";
    return absl::OkStatus();
  }
  absl::StatusOr<domain::ProgrammeState> parsed = domain::ProgrammeState::Parse(**domain_bytes);
  if (!parsed.ok()) {
    *unusable = absl::StrCat("the snapshot's domain state: ", parsed.status().message());
    return absl::OkStatus();
  }
  Model loaded = EmptyModel();
  absl::Status row_error;
  const std::size_t prefix = std::string_view(kModelPrefix).size();
  absl::Status scan = store->ScanDerived(kModelPrefix, [&](std::string_view key,
                                                          std::string_view value) {
    key.remove_prefix(prefix);
    row_error = loaded.DecodeEntity(key, value);
    // Let go of results as they load, so that loading never holds them all.
    if (row_error.ok() && results_in_memory > 0 && key.starts_with("result/")) {
      const std::string action_id(key.substr(7, key.rfind('/') - 7));
      auto it = loaded.actions.find(action_id);
      if (it != loaded.actions.end() &&
          static_cast<std::size_t>(it->second.results_size()) >= 2 * results_in_memory) {
        loaded.ReleaseResultsOf(action_id, results_in_memory);
      }
    }
    return row_error.ok();
  });
  if (!scan.ok()) return scan;
  if (!row_error.ok()) {
    *unusable = std::string(row_error.message());
    return absl::OkStatus();
  }
  loaded.position = *checkpoint;
  if (results_in_memory > 0) {
    for (const auto& [id, action] : loaded.actions) {
      loaded.ReleaseResultsOf(id, results_in_memory);
    }
  }
  {
    std::unique_lock lock(mu);
    model = std::move(loaded);
    domain = *std::move(parsed);
  }
  waiters.Advance(*checkpoint);
  snapshot_position = *checkpoint;
  persisted = true;
  std::lock_guard<std::mutex> lock(stats_mu);
  stats.checkpoint_loaded = *checkpoint;
  return absl::OkStatus();
}

void Projector::Impl::Reset() {
  {
    std::unique_lock lock(mu);
    model = EmptyModel();
    domain = domain::ProgrammeState{};
  }
  waiters.Advance(0);
  snapshot_position = 0;
  persisted = false;
}

// Reads up to kBatchEvents events after the model's position (at most to `target`), parses them
// outside the lock, then folds them under one exclusive lock and publishes the new position.
absl::Status Projector::Impl::FoldBatch(std::uint64_t target) {
  std::vector<Parsed> batch;
  batch.reserve(kBatchEvents);
  absl::Status scan =
      store->ScanAll(model.position + 1, /*backwards=*/false, [&](const storage::StoredEvent& e) {
        Parsed& p = batch.emplace_back();
        p.event.position = e.position;
        p.event.stream = e.stream;
        p.event.stream_revision = e.stream_revision;
        p.event.event_id = e.event_id;
        p.event.type = e.type;
        p.event.recorded_at_unix_micros = e.recorded_at_unix_micros;
        p.event.recorded_by = e.recorded_by;
        p.ok = p.payload.ParseFromString(e.payload);
        if (!p.ok) p.payload.Clear();
        return batch.size() < kBatchEvents && e.position < target;
      });
  if (!scan.ok()) return scan;
  if (batch.empty()) return absl::OkStatus();
  std::uint64_t unparsable = 0;
  {
    std::unique_lock lock(mu);
    for (const Parsed& p : batch) {
      model.Apply(p.event, p.payload);
      domain.Apply(p.payload);
      unparsable += p.ok ? 0 : 1;
    }
  }
  waiters.Advance(model.position);
  if (unparsable > 0) {
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.unparsable_events += unparsable;
  }
  return absl::OkStatus();
}

absl::Status Projector::Impl::FoldTo(
    std::uint64_t target, bool bulk,
    const std::function<void(std::uint64_t, std::uint64_t)>* progress) {
  Clock::time_point last_progress = Clock::now();
  while (model.position < target) {
    const std::uint64_t before = model.position;
    if (absl::Status s = FoldBatch(target); !s.ok()) return s;
    if (model.position == before) {
      return absl::InternalError(absl::StrCat("the log ends at position ", before,
                                              " but its head is ", target));
    }
    if (SnapshotDue(bulk)) {
      if (absl::Status s = Snapshot(); !s.ok()) return s;
    }
    if (progress != nullptr && *progress && Clock::now() - last_progress >= kProgressInterval) {
      (*progress)(model.position, target);
      last_progress = Clock::now();
    }
  }
  return absl::OkStatus();
}

bool Projector::Impl::SnapshotDue(bool bulk) const {
  if (model.position == snapshot_position) return false;
  return model.position - snapshot_position >=
             (bulk ? options.bulk_snapshot_events : options.snapshot_events) ||
         Clock::now() - snapshot_time >=
             (bulk ? options.bulk_snapshot_interval : options.snapshot_interval);
}

// Writes the changed rows, the domain state and the checkpoint as one batch. Unsynced: the log
// is the truth, and a lost snapshot only costs a longer fold on the next Open.
absl::Status Projector::Impl::Snapshot() {
  std::vector<storage::DerivedWrite> writes;
  writes.reserve(model.dirty.size() + 3);
  for (const std::string& key : model.dirty) {
    writes.push_back({absl::StrCat(kModelPrefix, key), model.EncodeEntity(key)});
  }
  writes.push_back({kDomainKey, domain.Serialize()});
  writes.push_back({kCheckpointKey, BigEndian64(model.position)});
  writes.push_back({kSchemaKey, std::string(kSchemaVersion)});
  if (absl::Status s = store->WriteDerived(writes, /*sync=*/false); !s.ok()) return s;
  {
    std::unique_lock lock(mu);
    // The rows just written hold the results: memory need not any more.
    if (results_in_memory > 0) model.ReleaseResults(results_in_memory);
    model.dirty.clear();
  }
  snapshot_position = model.position;
  snapshot_time = Clock::now();
  persisted = true;
  std::lock_guard<std::mutex> lock(stats_mu);
  ++stats.snapshots_written;
  stats.last_snapshot_position = snapshot_position;
  return absl::OkStatus();
}

Clock::time_point Projector::Impl::NextWake() const {
  Clock::time_point next = Clock::now() + options.poll_interval;
  if (model.position != snapshot_position) {
    next = std::min(next, snapshot_time + options.snapshot_interval);
  }
  return next;
}

void Projector::Impl::ReportError(const absl::Status& s) {
  std::lock_guard<std::mutex> lock(stats_mu);
  const std::string message = s.ToString();
  if (message == stats.last_error) return;  // once per distinct error, not once per retry
  stats.last_error = message;
  std::cerr << "wijkboek: projections: " << message << " (retrying)" << std::endl;
}

// The projector thread: sleeps until Notify, the poll interval or a due snapshot; then folds up
// to the head and snapshots when due. On stop it folds what is committed and snapshots.
void Projector::Impl::Run() {
  for (;;) {
    bool stop = false;
    {
      std::unique_lock<std::mutex> lock(wake_mu);
      wake.wait_until(lock, NextWake(), [&] { return poked || stopping; });
      poked = false;
      stop = stopping;
    }
    absl::Status s = FoldTo(store->Head(), /*bulk=*/false, nullptr);
    if (s.ok() && (stop ? model.position != snapshot_position : SnapshotDue(false))) {
      s = Snapshot();
    }
    if (!s.ok()) ReportError(s);
    if (stop) return;
  }
}

Projector::Projector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Projector::~Projector() { Stop(); }

absl::StatusOr<std::unique_ptr<Projector>> Projector::Open(storage::EventStore* store,
                                                           ProjectorOptions options) {
  const Clock::time_point start = Clock::now();
  auto impl = std::make_unique<Impl>(store, options);
  std::string unusable;
  if (absl::Status s = impl->Load(&unusable); !s.ok()) return s;
  if (!unusable.empty()) {
    impl->Reset();
    if (absl::Status s = store->ClearDerived(); !s.ok()) return s;
  }
  const std::uint64_t from = impl->model.position;
  impl->snapshot_time = Clock::now();
  if (absl::Status s = impl->FoldTo(store->Head(), /*bulk=*/true, nullptr); !s.ok()) return s;
  if (!impl->persisted || impl->model.position != impl->snapshot_position) {
    if (absl::Status s = impl->Snapshot(); !s.ok()) return s;
  }
  {
    std::lock_guard<std::mutex> lock(impl->stats_mu);
    impl->stats.rebuilt_on_open = unusable;
    impl->stats.events_folded_on_open = impl->model.position - from;
    impl->stats.open_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  Impl* d = impl.get();
  impl->time_travel = std::make_unique<TimeTravel>(store, [d](std::uint64_t position) {
    std::unique_ptr<Model> copy;
    std::shared_lock lock(d->mu);
    if (d->model.position != position) return copy;
    copy = std::make_unique<Model>(d->model);
    copy->dirty.clear();
    return copy;
  });
  return std::unique_ptr<Projector>(new Projector(std::move(impl)));
}

absl::Status Projector::Rebuild(const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  Impl& d = *impl_;
  if (d.started) {
    return absl::FailedPreconditionError("the projector is running; rebuild before Start");
  }
  if (absl::Status s = d.store->ClearDerived(); !s.ok()) return s;
  d.Reset();
  d.snapshot_time = Clock::now();
  // The head may move while we fold (nothing stops appends): follow it until caught up.
  for (std::uint64_t head = d.store->Head(); d.model.position < head; head = d.store->Head()) {
    if (absl::Status s = d.FoldTo(head, /*bulk=*/true, &progress); !s.ok()) return s;
  }
  if (absl::Status s = d.Snapshot(); !s.ok()) return s;
  if (progress) progress(d.model.position, d.model.position);
  return absl::OkStatus();
}

domain::ProgrammeState Projector::DomainState() const {
  std::shared_lock lock(impl_->mu);
  return impl_->domain;
}

void Projector::Start() {
  Impl& d = *impl_;
  if (d.started || d.stopped) return;
  d.started = true;
  d.thread = std::thread([&d] { d.Run(); });
}

void Projector::Notify() {
  {
    std::lock_guard<std::mutex> lock(impl_->wake_mu);
    impl_->poked = true;
  }
  impl_->wake.notify_one();
}

void Projector::Stop() {
  Impl& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  d.time_travel->Close();
  if (d.started) {
    {
      std::lock_guard<std::mutex> lock(d.wake_mu);
      d.stopping = true;
    }
    d.wake.notify_one();
    d.thread.join();
  } else {
    absl::Status s = d.FoldTo(d.store->Head(), /*bulk=*/false, nullptr);
    if (s.ok() && d.model.position != d.snapshot_position) s = d.Snapshot();
    if (!s.ok()) d.ReportError(s);
  }
  d.waiters.Close();
}

void Projector::Read(const std::function<void(const Model&)>& read) const {
  std::shared_lock lock(impl_->mu);
  read(impl_->model);
}

bool Projector::WaitFor(std::uint64_t position, std::chrono::steady_clock::time_point deadline) const {
  return impl_->waiters.WaitFor(position, deadline);
}

void Projector::NotifyWhen(std::uint64_t position, std::chrono::steady_clock::time_point deadline,
                           std::function<void(bool)> done) {
  impl_->waiters.NotifyWhen(position, deadline, std::move(done));
}

std::uint64_t Projector::position() const { return impl_->waiters.position(); }

TimeTravel& Projector::time_travel() { return *impl_->time_travel; }

ProjectorStats Projector::stats() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  return impl_->stats;
}

}  // namespace projections
