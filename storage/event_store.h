#pragma once
// The event log: an append-only, hash-chained sequence of events over RocksDB.
//
// This header is the store's whole public surface; it knows nothing of the domain. An event is an
// opaque payload with a type name, appended to a named stream.
//
// Guarantees
// - Positions are gapless from 1 across the whole log; stream revisions are gapless from 0.
// - One writer thread owns all writes. Concurrent Append calls are queued and the writer commits
//   every request waiting at that moment as one RocksDB WriteBatch with sync=true (group commit).
//   A callback is answered only after that write returned OK: an acknowledged event is on disk.
// - A refused request (expected revision, idempotency conflict, AppendGate refusal, failed write)
//   stores nothing and changes no in-memory state; requests in the same group are unaffected by
//   another request's refusal, except when the group's write itself fails.
// - Idempotency by event_id: a request whose events were all appended before, in the same order
//   and stream with the same type, payload and metadata, is answered with the original positions
//   and `deduplicated = true`; an id reused for anything else is ALREADY_EXISTS.
// - hash = SHA-256(prev_hash || envelope_bytes); envelope_bytes is a serialised
//   wijkboek.v1.RecordedEnvelope that itself contains prev_hash. Position 1 has 32 zero bytes as
//   prev_hash.
// - Open() restores head position and head hash from disk and checks that the newest event links
//   to its predecessor; a write that did not complete is never visible (RocksDB batches are atomic).
//
// Threads: every public method may be called from any thread. Reads do not take the writer's lock
// and see only committed events.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace storage {

using Position = std::uint64_t;
using Revision = std::uint64_t;
using Hash = std::array<std::uint8_t, 32>;
using Metadata = std::vector<std::pair<std::string, std::string>>;  // sorted by key, unique keys

struct ExpectedRevision {
  enum class Kind { kAny, kNoStream, kStreamExists, kExact };
  Kind kind = Kind::kAny;
  Revision revision = 0;  // only for kExact

  static ExpectedRevision Any() { return {Kind::kAny, 0}; }
  static ExpectedRevision NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedRevision StreamExists() { return {Kind::kStreamExists, 0}; }
  static ExpectedRevision Exact(Revision r) { return {Kind::kExact, r}; }
};

struct NewEvent {
  std::string event_id;  // non-empty; unique across the whole log
  std::string type;      // non-empty, e.g. "ActionStarted"
  std::string payload;   // opaque bytes
  Metadata metadata;     // the store sorts it by key
};

struct AppendRequest {
  std::string stream;  // non-empty
  ExpectedRevision expected;
  std::vector<NewEvent> events;  // at least one; appended atomically and in order
  std::string recorded_by;       // the authenticated principal
};

struct AppendResult {
  Position first_position = 0;
  Position last_position = 0;
  Revision stream_revision = 0;  // revision of the last event
  bool deduplicated = false;
};

struct StoredEvent {
  Position position = 0;
  std::string stream;
  Revision stream_revision = 0;
  std::string event_id;
  std::string type;
  std::int64_t recorded_at_unix_micros = 0;
  std::string recorded_by;
  Metadata metadata;
  std::string payload;
  Hash prev_hash{};
  Hash hash{};
  std::string envelope_bytes;  // exactly the bytes that were hashed (with prev_hash)
};

// Decides, on the writer thread, whether a request may be committed. It sees the state of the
// committed log plus every request it admitted earlier in the current group, so its decisions
// are always exactly as if each request were committed alone, in order.
class AppendGate {
 public:
  virtual ~AppendGate() = default;
  // `events` are the request's events as they would be stored (positions, revisions assigned).
  // Return a non-OK status to refuse the request; it is handed back to the caller unchanged.
  // On OK the gate must take the events into account for later requests of the group.
  virtual absl::Status Admit(const std::vector<StoredEvent>& events) = 0;
  // Everything admitted since the last Commit/Abort is now durable.
  virtual void Commit() = 0;
  // The group's write failed: forget everything admitted since the last Commit/Abort.
  virtual void Abort() = 0;
};

struct Options {
  std::string path;                    // the RocksDB directory; created if missing
  bool sync = true;                    // fsync every group; only tests of other things turn it off
  std::size_t max_group_requests = 4096;
  std::size_t max_group_bytes = 32u << 20;
  AppendGate* gate = nullptr;          // optional; must outlive the store
};

using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;
// Called on the writer thread after each durable group, with that group's events in order.
// Must return quickly and must not call Append synchronously.
using CommitListener = std::function<void(const std::vector<StoredEvent>&)>;
struct RawEvent;  // envelope_wire.h
// Return false to stop a scan.
using Visitor = std::function<bool(const StoredEvent&)>;

// What EventStore::Verify found. The first break ends the check: `ok` is false and
// first_bad_position and reason say where and why.
struct VerifyReport {
  bool ok = true;
  std::uint64_t checked = 0;        // events that passed every check (those before the first break)
  Position first_bad_position = 0;  // 0 when ok
  std::string reason;               // empty when ok
  Position to_position = 0;         // the last position of the checked range
  Hash head_hash{};                 // the stored hash at to_position, when ok
};
// Called every few thousand events with the last position checked and the range's end. Return
// false to stop the check (Verify then answers CANCELLED).
using VerifyProgress = std::function<bool(Position checked_up_to, Position to)>;

// One change to the derived-state keyspace (see EventStore::WriteDerived).
struct DerivedWrite {
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};
// Return false to stop a scan. The views are valid only during the call.
using DerivedVisitor = std::function<bool(std::string_view key, std::string_view value)>;

// What EventStore::Checkpoint copied: the log up to and including `position`.
struct CheckpointInfo {
  Position position = 0;
  Hash head_hash{};
};

// Counts since Open, for monitoring (EventStore::Stats). A histogram's `counts` has one entry per
// bound (observations <= that bound and above the previous one) plus one for everything above the
// last bound; `sum` and `count` are over all observations.
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;
};
struct StoreStats {
  std::uint64_t groups = 0;           // durable groups written
  std::uint64_t events = 0;           // events in them
  std::uint64_t failed_writes = 0;    // groups whose write failed
  bool writer_failed = false;         // the writer refuses appends until the store is reopened
  HistogramSnapshot group_events;     // events per group
  HistogramSnapshot write_seconds;    // one group's RocksDB write, its fsync included
  // RocksDB's own figures, summed over the column families: rocksdb.estimate-num-keys,
  // rocksdb.total-sst-files-size, rocksdb.cur-size-all-mem-tables, rocksdb.live-sst-files-size,
  // rocksdb.num-running-compactions, rocksdb.num-running-flushes, ... (property names without the
  // "rocksdb." prefix, '-' as '_').
  std::vector<std::pair<std::string, std::uint64_t>> rocksdb;
};

class EventStore {
 public:
  // Opens (or creates) the log at options.path and starts the writer thread.
  // Errors: INTERNAL/DATA_LOSS when the directory cannot be opened or its head is inconsistent;
  // FAILED_PRECONDITION when it was written with an unknown schema version.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<EventStore>> Open(const Options& options);

  // Stops the writer after finishing every queued request, then closes RocksDB.
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Queues the request for the writer; `done` runs on the store's answering thread (one thread,
  // in commit order, after the group's CommitListener) once the request was committed durably
  // or refused. Status codes:
  //   INVALID_ARGUMENT   empty stream, no events, empty event_id/type, an id twice in the request;
  //                      also NUL in stream, a string that is not UTF-8 (payload excepted), a
  //                      metadata key twice, an event over 1 GiB
  //   ABORTED            expected revision mismatch; message names the actual revision
  //   ALREADY_EXISTS     an event_id already stored with other content or in another place
  //   UNAVAILABLE        the store is shutting down; only this answer runs inline, on the
  //                      calling thread, because the writer may already be gone
  //   RESOURCE_EXHAUSTED / INTERNAL  the write failed (e.g. disk full); nothing was stored. The
  //                      writer then refuses every later append with the same code until the
  //                      store is reopened (a failed fsync cannot be safely retried)
  //   anything the AppendGate returned
  void AppendAsync(AppendRequest request, AppendCallback done);
  // Blocking convenience over AppendAsync.
  [[nodiscard]] absl::StatusOr<AppendResult> Append(AppendRequest request);

  // Registers a listener for committed groups (see CommitListener). Call before appending.
  void SetCommitListener(CommitListener listener);
  // Installs (or, with nullptr, removes) the AppendGate after Open, for owners that can only
  // build the gate from state read out of this store (the rules gate starts from the projected
  // domain state). Call before the first append: the gate must reflect the whole committed log.
  // The writer takes it up before its next group. `gate` must outlive the store.
  void SetGate(AppendGate* gate);

  // Position and hash of the newest committed event; 0 and zero hash when empty.
  Position Head() const;
  Hash HeadHash() const;

  // The revision of the stream's last committed event, or nullopt when the stream has none.
  [[nodiscard]] absl::StatusOr<std::optional<Revision>> StreamRevision(const std::string& stream) const;

  // One event by position. NOT_FOUND past the head; DATA_LOSS if the stored bytes do not parse.
  [[nodiscard]] absl::StatusOr<StoredEvent> ReadAt(Position position) const;
  // Visits the whole log from `from` (forwards: 0 means 1; backwards: 0 means the head), in
  // position order, until the visitor returns false or the committed head is reached.
  [[nodiscard]] absl::Status ScanAll(Position from, bool backwards, const Visitor& visit) const;
  // Visits one stream from revision `from` (backwards: nullopt means its last event).
  [[nodiscard]] absl::Status ScanStream(const std::string& stream, std::optional<Revision> from,
                                        bool backwards, const Visitor& visit) const;
  // ScanAll and ScanStream with the stored bytes instead of decoded events (envelope_wire.h):
  // the same order, bounds and checks, but nothing is parsed beyond the envelope's top level.
  [[nodiscard]] absl::Status ScanAllRaw(Position from, bool backwards,
                                        const std::function<bool(const RawEvent&)>& visit) const;
  [[nodiscard]] absl::Status ScanStreamRaw(const std::string& stream, std::optional<Revision> from,
                                           bool backwards,
                                           const std::function<bool(const RawEvent&)>& visit) const;

  // Recomputes the hash chain over [from, to] (from 0 means 1, to 0 means the head) from the
  // stored bytes, reading one event at a time from one RocksDB snapshot (memory stays constant).
  // Per position p: an event is stored under p; its stored hash is SHA-256(prev_hash || envelope
  // bytes); the envelope parses and names position p (an event moved or swapped is caught here);
  // its prev_hash is the stored hash of p - 1 (zero for 1; for p = from that is the event before
  // the range); the streams index entry of its stream and revision and the event_ids entry of its
  // id point back at p. When `to` is the stored head, meta's head hash must be the hash at `to`.
  // Damage is an answer, not an error: the report names the first bad position. RocksDB's own
  // checksum failures count as damage at the position being read.
  // Errors: OUT_OF_RANGE when from or to lies past the head; INVALID_ARGUMENT when from > to;
  // CANCELLED when `progress` returned false; INTERNAL when RocksDB cannot be read.
  // An empty log with from and to 0 is ok with nothing checked.
  [[nodiscard]] absl::StatusOr<VerifyReport> Verify(Position from, Position to,
                                                    const VerifyProgress& progress) const;

  // ---- Derived state ---------------------------------------------------------------------------
  // A key-value space beside the log for state derived from it (projections and their
  // checkpoint). It lives in its own column family: these calls can never change, and are never
  // seen by, the log itself, and they bypass the writer's queue. Keys and values are opaque bytes.
  // Consistency between derived state and the log is the caller's business; what the store
  // guarantees is ordering: RocksDB has one WAL, so a derived write made after an event was
  // acknowledged can never survive a crash that event did not survive.

  // Applies all writes atomically (one WriteBatch). `sync` as in Options::sync; derived state
  // can be rebuilt from the log, so callers usually pass false. Later writes of the same key win.
  // Errors: RESOURCE_EXHAUSTED when the disk is full, INTERNAL otherwise; nothing is written.
  [[nodiscard]] absl::Status WriteDerived(const std::vector<DerivedWrite>& writes, bool sync);
  // The value under `key`, or nullopt when there is none.
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> ReadDerived(const std::string& key) const;
  // Visits the keys starting with `prefix` (empty: all) in byte order, from one consistent
  // snapshot, until the visitor returns false.
  [[nodiscard]] absl::Status ScanDerived(const std::string& prefix,
                                         const DerivedVisitor& visit) const;
  // Deletes every derived key, atomically.
  [[nodiscard]] absl::Status ClearDerived();

  // ---- Operations ------------------------------------------------------------------------------
  // A consistent copy of the whole database (log and derived state) in `dir`, which must not
  // exist, made while appends continue (RocksDB's Checkpoint: hard links on the same filesystem,
  // copies elsewhere; the WAL is copied up to one point, so the copy holds whole groups only).
  // The answer names the copy's own head, read back from it. On failure `dir` is removed.
  // Errors: ALREADY_EXISTS when `dir` exists; RESOURCE_EXHAUSTED when the disk is full; INTERNAL
  // otherwise.
  [[nodiscard]] absl::StatusOr<CheckpointInfo> Checkpoint(const std::string& dir) const;
  // The counters above; cheap (atomics and RocksDB's in-memory properties).
  StoreStats Stats() const;
  // True once a write failed: the writer refuses every append until the store is reopened.
  bool WriterFailed() const;

 private:
  struct Impl;
  explicit EventStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// SHA-256(prev_hash || envelope_bytes); exposed for verifiers.
Hash ChainHash(const Hash& prev_hash, const std::string& envelope_bytes);

}  // namespace storage
