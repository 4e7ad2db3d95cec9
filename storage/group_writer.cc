#include "storage/group_writer.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/checks.h"
#include "storage/codec.h"

namespace storage {
namespace {

// Bounds the stream-revision cache; it is refilled from RocksDB on demand after a clear.
constexpr std::size_t kMaxCachedStreams = std::size_t{1} << 20;

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

rocksdb::Slice ToSlice(absl::string_view s) { return {s.data(), s.size()}; }

void KeepFirstError(rocksdb::Status& first, const rocksdb::Status& next) {
  if (first.ok() && !next.ok()) first = next;
}

}  // namespace

void PublishedHead::Publish(Position position, const Hash& hash) {
  {
    absl::MutexLock lock(&mu_);
    hash_ = hash;
  }
  // Release: a reader that sees this position also sees the RocksDB write that preceded it.
  position_.store(position, std::memory_order_release);
}

Hash PublishedHead::hash() const {
  absl::MutexLock lock(&mu_);
  return hash_;
}

// Everything one group has decided but not yet made durable. Dropped whole if the write fails,
// which is why nothing here touches the writer's committed state.
struct GroupWriter::Group {
  std::int64_t recorded_at = 0;
  Position head = 0;  // last position assigned so far
  Hash head_hash{};
  // Reserved for the whole group up front, so the string_views in `ids` never dangle.
  std::vector<StoredEvent> events;
  absl::flat_hash_map<absl::string_view, Position> ids;
  absl::flat_hash_map<std::string, Revision> revisions;  // stream -> its last revision here
  rocksdb::WriteBatch batch;
  rocksdb::Status batch_status;  // first failure while filling `batch`
};

GroupWriter::GroupWriter(LogDb& db, const Options& options, const LogDb::Head& head)
    : db_(db),
      sync_(options.sync),
      max_group_requests_(std::max<std::size_t>(1, options.max_group_requests)),
      max_group_bytes_(options.max_group_bytes),
      head_(head.position),
      head_hash_(head.hash),
      last_recorded_at_(head.recorded_at_unix_micros) {
  {
    absl::MutexLock lock(&mu_);
    next_gate_ = options.gate;
  }
  gate_ = options.gate;
  published_.Publish(head_, head_hash_);
  answer_thread_ = std::thread([this] { RunAnswers(); });
  thread_ = std::thread([this] { Run(); });
}

GroupWriter::~GroupWriter() { Stop(); }

void GroupWriter::Enqueue(AppendRequest request, AppendCallback done, absl::Status invalid) {
  const std::size_t bytes = invalid.ok() ? checks::ApproximateBytes(request) : 0;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(request), std::move(done), std::move(invalid), bytes});
      return;  // unlocking wakes the writer: Await re-evaluates its condition
    }
  }
  done(absl::UnavailableError("event store is shutting down"));
}

void GroupWriter::SetCommitListener(CommitListener listener) {
  absl::MutexLock lock(&mu_);
  listener_ = std::move(listener);
  listener_changed_ = true;
}

void GroupWriter::SetGate(AppendGate* gate) {
  absl::MutexLock lock(&mu_);
  next_gate_ = gate;
}

void GroupWriter::Stop() {
  assert(std::this_thread::get_id() != thread_.get_id());
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  // The writer has handed over its last answers: let the answering thread finish them.
  {
    absl::MutexLock lock(&answer_mu_);
    answers_stopping_ = true;
  }
  if (answer_thread_.joinable()) answer_thread_.join();
}

void GroupWriter::Answer(Answers answers) {
  absl::MutexLock lock(&answer_mu_);
  answers_.push_back(std::move(answers));
}

bool GroupWriter::HasAnswersOrStopping() const {
  return !answers_.empty() || answers_stopping_;
}

void GroupWriter::RunAnswers() {
  for (;;) {
    std::deque<Answers> ready;
    {
      absl::MutexLock lock(&answer_mu_);
      answer_mu_.Await(absl::Condition(this, &GroupWriter::HasAnswersOrStopping));
      if (answers_.empty()) return;  // stopping, and everything answered
      ready.swap(answers_);
    }
    for (Answers& group : ready) {
      for (auto& [done, result] : group) done(std::move(result));
    }
  }
}

bool GroupWriter::HasWorkOrStopping() const { return !queue_.empty() || stopping_; }

void GroupWriter::Run() {
  for (std::vector<Pending> group = TakeGroup(); !group.empty(); group = TakeGroup()) {
    CommitGroup(group);
  }
}

// Blocks until there is work; returns an empty group only when stopping with nothing queued.
std::vector<GroupWriter::Pending> GroupWriter::TakeGroup() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &GroupWriter::HasWorkOrStopping));
  std::vector<Pending> group;
  std::size_t bytes = 0;
  while (!queue_.empty() && group.size() < max_group_requests_) {
    Pending& next = queue_.front();
    if (!group.empty() && bytes + next.bytes > max_group_bytes_) break;
    bytes += next.bytes;
    group.push_back(std::move(next));
    queue_.pop_front();
  }
  if (listener_changed_) {
    writer_listener_ = listener_;
    listener_changed_ = false;
  }
  gate_ = next_gate_;
  return group;
}

void GroupWriter::CommitGroup(std::vector<Pending>& pending) {
  Group group;
  // One timestamp per group, never before the newest stored one, so that recorded_at never
  // decreases along the log even if the clock steps back (views "as of a date" rely on it).
  group.recorded_at = std::max(NowMicros(), last_recorded_at_);
  group.head = head_;
  group.head_hash = head_hash_;
  std::size_t total_events = 0;
  for (const Pending& p : pending) total_events += p.invalid.ok() ? p.request.events.size() : 0;
  group.events.reserve(total_events);

  if (!disk_full_.ok() && failed_.ok()) TryResume();
  std::vector<absl::StatusOr<AppendResult>> results;
  results.reserve(pending.size());
  for (Pending& p : pending) {
    if (!p.invalid.ok()) {
      results.push_back(p.invalid);
    } else if (!failed_.ok()) {
      results.push_back(failed_);
    } else if (!disk_full_.ok()) {
      results.push_back(disk_full_);
    } else {
      results.push_back(Decide(p.request, group));
    }
  }
  const auto write_start = std::chrono::steady_clock::now();
  const absl::Status written = group.events.empty() ? absl::OkStatus() : Persist(group);
  if (!group.events.empty()) {
    stats_.write_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count());
  }
  if (!written.ok()) {
    stats_.failed_writes.fetch_add(1, std::memory_order_relaxed);
    stats_.failed.store(true, std::memory_order_relaxed);
    if (gate_ != nullptr) gate_->Abort();
    absl::Status refusal = written;
    if (absl::IsResourceExhausted(written)) {
      // Nothing of the group reached the memtable, and RocksDB refuses writes until Resume() has
      // flushed every memtable and moved to a new WAL (TryResume), so the state this writer builds
      // on is still exactly what is on disk: no need to stop for good.
      disk_full_ = absl::ResourceExhaustedError(
          absl::StrCat("the disk is full: ", written.message(),
                       "; appends resume by themselves once space is freed"));
      refusal = disk_full_;
    } else {
      failed_ = absl::Status(written.code(),
                             absl::StrCat("the event log stopped writing after a failed write; "
                                          "reopen it to recover: ",
                                          written.message()));
    }
    // Every decision may rest on an earlier request of this group that is now not stored, so
    // none of them stands; a retry gets a fresh one. Shape errors stand regardless.
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (pending[i].invalid.ok()) results[i] = refusal;
    }
  } else if (!group.events.empty()) {
    Publish(group);
    stats_.groups.fetch_add(1, std::memory_order_relaxed);
    stats_.events.fetch_add(group.events.size(), std::memory_order_relaxed);
    stats_.group_events.Observe(static_cast<double>(group.events.size()));
    if (gate_ != nullptr) gate_->Commit();
    if (writer_listener_) writer_listener_(group.events);
  }
  Answers answers;
  answers.reserve(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    answers.emplace_back(std::move(pending[i].done), std::move(results[i]));
  }
  Answer(std::move(answers));
}

// Idempotency comes before the expected revision so that a retry of a request that did commit
// (whose expected revision is now stale) still gets its original answer.
absl::StatusOr<AppendResult> GroupWriter::Decide(AppendRequest& request, Group& group) {
  if (auto answer = CheckIdempotency(request, group)) return *std::move(answer);
  absl::StatusOr<std::optional<Revision>> current = CurrentRevision(request.stream, group);
  if (!current.ok()) return current.status();
  absl::Status expected = checks::CheckExpectedRevision(request.stream, request.expected, *current);
  if (!expected.ok()) return expected;
  return Stage(request, *current, group);
}

// nullopt when none of the request's ids was seen before; otherwise the request's answer.
std::optional<absl::StatusOr<AppendResult>> GroupWriter::CheckIdempotency(
    const AppendRequest& request, const Group& group) {
  std::vector<std::optional<Position>> found(request.events.size());
  bool any = false;
  for (std::size_t i = 0; i < found.size(); ++i) {
    absl::StatusOr<std::optional<Position>> position =
        FindEventId(request.events[i].event_id, group);
    if (!position.ok()) return position.status();
    found[i] = *position;
    any = any || found[i].has_value();
  }
  if (!any) return std::nullopt;
  return MatchStored(request, found, group);
}

// A retry is recognised only when the whole request is stored as it was sent: every event at
// consecutive positions, in order, in the same stream and with the same content.
absl::StatusOr<AppendResult> GroupWriter::MatchStored(
    const AppendRequest& request, const std::vector<std::optional<Position>>& found,
    const Group& group) {
  const std::size_t first_seen =
      std::find_if(found.begin(), found.end(), [](const auto& p) { return p.has_value(); }) -
      found.begin();
  const auto conflict = [&](std::size_t i, absl::string_view how) {
    const std::size_t named = found[i] ? i : first_seen;
    return absl::AlreadyExistsError(absl::StrCat(
        "events[", named, "].event_id \"", request.events[named].event_id,
        "\": already stored at position ", *found[named], " ", how,
        "; an id may only be re-sent with the identical events, in the same order and stream"));
  };
  const Position first = found[0].value_or(0);
  Revision last_revision = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (!found[i] || *found[i] != first + i) return conflict(i, "as part of another append");
    StoredEvent loaded;
    const StoredEvent* stored = nullptr;
    if (*found[i] > head_) {
      stored = &group.events[*found[i] - head_ - 1];
    } else {
      absl::StatusOr<StoredEvent> read = db_.ReadEvent(*found[i]);
      if (!read.ok()) {
        return absl::IsNotFound(read.status())
                   ? absl::DataLossError(
                         absl::StrCat("event_ids points at missing position ", *found[i]))
                   : read.status();
      }
      loaded = *std::move(read);
      stored = &loaded;
    }
    if (!checks::SameContent(request.stream, request.events[i], *stored)) {
      return conflict(i, "with different content or in another stream");
    }
    last_revision = stored->stream_revision;
  }
  return AppendResult{first, first + found.size() - 1, last_revision, /*deduplicated=*/true};
}

absl::StatusOr<std::optional<Position>> GroupWriter::FindEventId(const std::string& id,
                                                                 const Group& group) const {
  if (auto it = group.ids.find(id); it != group.ids.end()) return it->second;
  return db_.FindEventId(id);
}

absl::StatusOr<std::optional<Revision>> GroupWriter::CurrentRevision(const std::string& stream,
                                                                     const Group& group) {
  if (auto it = group.revisions.find(stream); it != group.revisions.end()) return it->second;
  if (auto it = revisions_.find(stream); it != revisions_.end()) return it->second;
  absl::StatusOr<std::optional<Revision>> stored = db_.LastRevision(stream, kNoBound);
  if (!stored.ok()) return stored.status();
  if (revisions_.size() >= kMaxCachedStreams) revisions_.clear();
  revisions_.emplace(stream, *stored);
  return *stored;
}

// Assigns positions and revisions, extends the chain, asks the gate and, when it agrees, adds the
// events to the group. A refusal leaves the group as it was.
absl::StatusOr<AppendResult> GroupWriter::Stage(AppendRequest& request,
                                                std::optional<Revision> current, Group& group) {
  std::vector<StoredEvent> staged;
  staged.reserve(request.events.size());
  Position position = group.head;
  Revision revision = current ? *current + 1 : 0;
  for (NewEvent& event : request.events) {
    const Hash& prev = staged.empty() ? group.head_hash : staged.back().hash;
    codec::EventPlacement placement{.position = ++position,
                                    .stream = request.stream,
                                    .stream_revision = revision++,
                                    .recorded_at_unix_micros = group.recorded_at,
                                    .recorded_by = request.recorded_by,
                                    .prev_hash = prev};
    staged.push_back(codec::EncodeEvent(std::move(event), placement, &scratch_));
  }
  if (gate_ != nullptr) {
    if (absl::Status admitted = gate_->Admit(staged); !admitted.ok()) return admitted;
  }
  const AppendResult result{staged.front().position, staged.back().position,
                            staged.back().stream_revision, /*deduplicated=*/false};
  group.head = position;
  group.head_hash = staged.back().hash;
  group.revisions[request.stream] = staged.back().stream_revision;
  assert(group.events.size() + staged.size() <= group.events.capacity());
  for (StoredEvent& event : staged) {
    group.events.push_back(std::move(event));
    const StoredEvent& stored = group.events.back();
    group.ids.emplace(stored.event_id, stored.position);
    AddToBatch(stored, group);
  }
  return result;
}

void GroupWriter::AddToBatch(const StoredEvent& event, Group& group) {
  const std::string position = codec::BigEndian64(event.position);
  const rocksdb::Slice key(position);
  // hash || envelope bytes, joined by RocksDB as it copies into the batch.
  const rocksdb::Slice value[2] = {ToSlice(codec::HashView(event.hash)),
                                   ToSlice(event.envelope_bytes)};
  rocksdb::WriteBatch& batch = group.batch;
  KeepFirstError(group.batch_status, batch.Put(db_.events(), rocksdb::SliceParts(&key, 1),
                                               rocksdb::SliceParts(value, 2)));
  KeepFirstError(
      group.batch_status,
      batch.Put(db_.streams(), codec::StreamKey(event.stream, event.stream_revision), key));
  KeepFirstError(group.batch_status, batch.Put(db_.event_ids(), event.event_id, key));
}

// The meta head goes into the same batch as the events, so on disk they can never disagree.
absl::Status GroupWriter::Persist(Group& group) {
  KeepFirstError(group.batch_status, group.batch.Put(db_.meta(), ToSlice(codec::kMetaHeadPosition),
                                                     codec::BigEndian64(group.head)));
  KeepFirstError(group.batch_status, group.batch.Put(db_.meta(), ToSlice(codec::kMetaHeadHash),
                                                     ToSlice(codec::HashView(group.head_hash))));
  if (!group.batch_status.ok()) {
    return absl::InternalError(
        absl::StrCat("building the write batch: ", group.batch_status.ToString()));
  }
  return db_.Write(&group.batch, sync_);
}

// Asks RocksDB to leave its read-only state after the disk filled. Resume flushes every memtable
// (forcing a switch to a new WAL even when they are empty), so the WAL whose append failed, with
// whatever partial record it holds, is never written again nor replayed after a crash. RocksDB's
// SstFileManager usually runs that recovery itself once enough space is free, and then Resume
// finds nothing to do. While the disk is still full, or RocksDB's own recovery is under way, the
// store stays refusing; any other failure means the database is not recoverable in place, and
// the writer stops as for any failed write.
void GroupWriter::TryResume() {
  const absl::Status resumed = db_.Resume();
  if (resumed.ok()) {
    disk_full_ = absl::OkStatus();
  } else if (!absl::IsResourceExhausted(resumed) && !absl::IsUnavailable(resumed)) {
    failed_ = absl::Status(resumed.code(),
                           absl::StrCat("the event log stopped writing: after the disk filled, "
                                        "it could not resume; reopen it to recover: ",
                                        resumed.message()));
  }
}

void GroupWriter::Publish(const Group& group) {
  head_ = group.head;
  head_hash_ = group.head_hash;
  last_recorded_at_ = group.recorded_at;
  if (revisions_.size() + group.revisions.size() > kMaxCachedStreams) revisions_.clear();
  for (const auto& [stream, revision] : group.revisions) revisions_[stream] = revision;
  published_.Publish(head_, head_hash_);
}

}  // namespace storage
