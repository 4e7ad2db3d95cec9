#pragma once
// Private to storage/: the RocksDB database behind the log, with its column families.
//
// Owner: EventStore::Impl, which destroys the GroupWriter before this (the writer uses it until
// it is joined). Threads: every method may be called from any thread; RocksDB synchronises.
// Reads take a `bound`, the highest position the caller may see: RocksDB may already hold a group
// that the writer has not published yet, and readers must not see it before its callers do.
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "storage/envelope_wire.h"
#include "storage/event_store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace storage {

inline constexpr Position kNoBound = std::numeric_limits<Position>::max();

// The one place where RocksDB's status becomes ours: NoSpace is RESOURCE_EXHAUSTED, Corruption
// DATA_LOSS, anything else INTERNAL; the message starts with `what`.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

class LogDb {
 public:
  // The newest event as found on disk.
  struct Head {
    Position position = 0;
    Hash hash{};
    std::int64_t recorded_at_unix_micros = 0;
  };

  // Opens or creates the database with all column families. INTERNAL when RocksDB cannot open it
  // (e.g. another process holds its lock), FAILED_PRECONDITION for an unknown schema version.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LogDb>> Open(const std::string& path);
  ~LogDb();
  LogDb(const LogDb&) = delete;
  LogDb& operator=(const LogDb&) = delete;

  // Restores the head from `meta` and checks it against the newest event and that event's link to
  // its predecessor. DATA_LOSS, naming what disagrees, when they do not match.
  [[nodiscard]] absl::StatusOr<Head> Recover() const;

  // NOT_FOUND when no event is stored there; DATA_LOSS when its bytes do not decode.
  [[nodiscard]] absl::StatusOr<StoredEvent> ReadEvent(Position position) const;
  [[nodiscard]] absl::StatusOr<std::optional<Position>> FindEventId(const std::string& id) const;
  // The stream's last revision among events at or below `bound`.
  [[nodiscard]] absl::StatusOr<std::optional<Revision>> LastRevision(const std::string& stream,
                                                                     Position bound) const;
  [[nodiscard]] absl::Status ScanAll(Position from, bool backwards, Position bound,
                                     const Visitor& visit) const;
  [[nodiscard]] absl::Status ScanStream(const std::string& stream, std::optional<Revision> from,
                                        bool backwards, Position bound, const Visitor& visit) const;
  // The same scans, handing out the stored bytes (envelope_wire.h) instead of decoded events.
  [[nodiscard]] absl::Status ScanAllRaw(Position from, bool backwards, Position bound,
                                        const RawVisitor& visit) const;
  [[nodiscard]] absl::Status ScanStreamRaw(const std::string& stream, std::optional<Revision> from,
                                           bool backwards, Position bound,
                                           const RawVisitor& visit) const;

  // EventStore::Verify over [from, to]; the caller resolved the defaults and checked
  // 1 <= from <= to <= the published head (log_verify.cc).
  [[nodiscard]] absl::StatusOr<VerifyReport> Verify(Position from, Position to,
                                                    const VerifyProgress& progress) const;

  // Writes atomically; RESOURCE_EXHAUSTED when the disk is full, else INTERNAL on failure.
  [[nodiscard]] absl::Status Write(rocksdb::WriteBatch* batch, bool sync);

  // Leaves RocksDB's read-only state after a write failed for lack of space (DB::Resume). OK when
  // writable again (also when RocksDB's own SstFileManager already recovered: it polls the free
  // space and resumes once a write buffer, 64 MiB, fits); UNAVAILABLE while that recovery is under
  // way; RESOURCE_EXHAUSTED while the disk is still full; another error when it cannot resume.
  [[nodiscard]] absl::Status Resume();

  // The derived-state keyspace (EventStore::*Derived). These build their own batches, which name
  // only the `views` family, so no derived write can reach the log's families.
  [[nodiscard]] absl::Status WriteDerived(const std::vector<DerivedWrite>& writes, bool sync);
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> ReadDerived(
      const std::string& key) const;
  [[nodiscard]] absl::Status ScanDerived(const std::string& prefix,
                                         const DerivedVisitor& visit) const;
  [[nodiscard]] absl::Status ClearDerived();

  // RocksDB's Checkpoint of every family into `dir` (which must not exist); log_checkpoint.cc.
  [[nodiscard]] absl::Status CreateCheckpoint(const std::string& dir) const;
  // Integer properties (StoreStats::rocksdb) summed over the families; log_checkpoint.cc.
  std::vector<std::pair<std::string, std::uint64_t>> Properties() const;

  rocksdb::ColumnFamilyHandle* events() const { return events_; }
  rocksdb::ColumnFamilyHandle* streams() const { return streams_; }
  rocksdb::ColumnFamilyHandle* event_ids() const { return event_ids_; }
  rocksdb::ColumnFamilyHandle* meta() const { return meta_; }

 private:
  LogDb() = default;
  [[nodiscard]] absl::Status InitSchema();
  [[nodiscard]] absl::StatusOr<Position> LastStoredPosition() const;
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> GetMeta(absl::string_view key) const;
  [[nodiscard]] absl::Status CheckNewestLink(const StoredEvent& newest) const;
  // The loops under the decoded and raw scans: each visits (position, stored value) and answers
  // whether to go on; an error ends the scan with it.
  using ValueVisitor = std::function<absl::StatusOr<bool>(Position, absl::string_view)>;
  using StreamValueVisitor =
      std::function<absl::StatusOr<bool>(Position, Revision, absl::string_view)>;
  [[nodiscard]] absl::Status ScanAllValues(Position from, bool backwards, Position bound,
                                           const ValueVisitor& visit) const;
  [[nodiscard]] absl::Status ScanStreamValues(const std::string& stream,
                                              std::optional<Revision> from, bool backwards,
                                              Position bound, const StreamValueVisitor& visit) const;

  // One write at a time (log, derived state, Resume). RocksDB 7.8 lacks the check that stops a
  // write from appending to a WAL after an earlier append to it failed (added upstream later,
  // facebook/rocksdb#12448). Serialised, a write starts only after the failed one has recorded
  // its background error, so it is refused before it touches the WAL, until Resume() has moved
  // to a new one. The writer is one thread anyway; only the projections' snapshots wait.
  absl::Mutex write_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_ closes
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* event_ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* views_ = nullptr;
};

}  // namespace storage
