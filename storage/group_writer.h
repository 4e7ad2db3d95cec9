#pragma once
// Private to storage/: the single writer thread and its queue (group commit).
//
// Owner: EventStore::Impl. The constructor starts the thread; Stop() (or the destructor) stops
// accepting, lets the thread finish every queued request and joins it. Enqueue, Stop,
// SetCommitListener, SetGate and the published head may be used from any thread.
//
// Per group, on the writer thread: take every waiting request (bounded by max_group_requests and
// max_group_bytes); decide each in order against the committed state plus the group's earlier
// requests (idempotency, then expected revision, then the AppendGate); write all admitted events,
// both indexes and the meta head as one WriteBatch; only when that write succeeded publish the
// new head, commit the gate, tell the listener and answer the callers.
//
// After a failed write the writer refuses every later request until the store is reopened: a
// failed fsync may have dropped the kernel's dirty pages, so retrying it could report success
// for bytes that never reached the disk, and RocksDB must not reuse a WAL whose write failed.
// Reopening recovers from what is actually on disk.
//
// The one exception is a full disk (RocksDB NoSpace, RESOURCE_EXHAUSTED): the write failed before
// anything reached the memtable, and RocksDB itself can leave that state in place (DB::Resume
// flushes the memtables and starts a new WAL). The writer answers RESOURCE_EXHAUSTED ("the disk
// is full ...") and, before each later group, tries to resume; once space is freed appends work
// again without a restart. Reads never stop.
#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/write_stats.h"
#include "storage/event_store.h"
#include "storage/log_db.h"
#include "wijkboek/v1/envelope.pb.h"

namespace storage {

// The committed head as readers see it. Only the writer publishes, after a group is durable;
// readers use the position as the upper bound of what they may return.
class PublishedHead {
 public:
  void Publish(Position position, const Hash& hash);
  Position position() const { return position_.load(std::memory_order_acquire); }
  Hash hash() const;

 private:
  std::atomic<Position> position_{0};
  mutable absl::Mutex mu_;
  Hash hash_ ABSL_GUARDED_BY(mu_){};
};

class GroupWriter {
 public:
  // `db` and `options.gate` must outlive the writer.
  GroupWriter(LogDb& db, const Options& options, const LogDb::Head& head);
  ~GroupWriter();  // Stop()
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  // Queues the request; `done` runs on the answering thread, in commit order, after the group's
  // commit listener has run. A non-OK `invalid` (a shape error found on the caller's thread) is
  // only answered, in order. After Stop() began, `done` runs inline with UNAVAILABLE.
  void Enqueue(AppendRequest request, AppendCallback done, absl::Status invalid);
  void SetCommitListener(CommitListener listener);
  // Replaces the gate; the writer takes it up before its next group, so a group never sees two.
  void SetGate(AppendGate* gate);
  // Stops accepting, finishes everything queued and answers it, joins the threads. Idempotent;
  // never call it from a callback or the listener.
  void Stop();

  const PublishedHead& published() const { return published_; }
  const WriteStats& stats() const { return stats_; }

 private:
  struct Pending {
    AppendRequest request;
    AppendCallback done;
    absl::Status invalid;
    std::size_t bytes = 0;
  };
  struct Group;

  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run();
  std::vector<Pending> TakeGroup();
  void CommitGroup(std::vector<Pending>& pending);
  absl::StatusOr<AppendResult> Decide(AppendRequest& request, Group& group);
  std::optional<absl::StatusOr<AppendResult>> CheckIdempotency(const AppendRequest& request,
                                                               const Group& group);
  absl::StatusOr<AppendResult> MatchStored(const AppendRequest& request,
                                           const std::vector<std::optional<Position>>& found,
                                           const Group& group);
  absl::StatusOr<std::optional<Position>> FindEventId(const std::string& id,
                                                      const Group& group) const;
  absl::StatusOr<std::optional<Revision>> CurrentRevision(const std::string& stream,
                                                          const Group& group);
  absl::StatusOr<AppendResult> Stage(AppendRequest& request, std::optional<Revision> current,
                                     Group& group);
  void AddToBatch(const StoredEvent& event, Group& group);
  absl::Status Persist(Group& group);
  void Publish(const Group& group);
  void TryResume();
  // The answering thread: runs the callbacks of committed groups, in order, so that the writer
  // can start the next group while gRPC sends the answers of the last one.
  using Answers = std::vector<std::pair<AppendCallback, absl::StatusOr<AppendResult>>>;
  void Answer(Answers answers);
  bool HasAnswersOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(answer_mu_);
  void RunAnswers();

  LogDb& db_;
  const bool sync_;
  const std::size_t max_group_requests_;
  const std::size_t max_group_bytes_;
  PublishedHead published_;
  WriteStats stats_;  // written on the writer thread only

  absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  CommitListener listener_ ABSL_GUARDED_BY(mu_);
  bool listener_changed_ ABSL_GUARDED_BY(mu_) = false;
  AppendGate* next_gate_ ABSL_GUARDED_BY(mu_) = nullptr;  // what SetGate installed

  // Only on the writer thread: the committed state the next group builds on.
  absl::Status failed_;     // the write failure that stopped this writer; OK while healthy
  absl::Status disk_full_;  // RESOURCE_EXHAUSTED while the disk is full; OK otherwise
  Position head_ = 0;
  Hash head_hash_{};
  std::int64_t last_recorded_at_ = 0;
  // stream -> last committed revision (nullopt: no events), filled lazily from `streams`;
  // cleared when it grows past a bound, since it is only a cache.
  absl::flat_hash_map<std::string, std::optional<Revision>> revisions_;
  CommitListener writer_listener_;  // copied from listener_ when it changes
  AppendGate* gate_ = nullptr;       // copied from next_gate_ at the start of each group
  wijkboek::v1::RecordedEnvelope scratch_;

  absl::Mutex answer_mu_;
  std::deque<Answers> answers_ ABSL_GUARDED_BY(answer_mu_);
  bool answers_stopping_ ABSL_GUARDED_BY(answer_mu_) = false;
  std::thread answer_thread_;

  std::thread thread_;  // last: started once everything above is initialised
};

}  // namespace storage
