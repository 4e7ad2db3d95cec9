// The public face of the store: wires the RocksDB layer (log_db) to the single writer
// (group_writer) and serves reads against the published head. See event_store.h for the contract
// and README.md for the layout, group commit and recovery.
#include "storage/event_store.h"

#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/checks.h"
#include "storage/event_store_impl.h"

namespace storage {


EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventStore::~EventStore() {
  impl_->writer->Stop();
  impl_->writer.reset();
  impl_->db.reset();
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const Options& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("options.path: must not be empty");
  absl::StatusOr<std::unique_ptr<LogDb>> db = LogDb::Open(options.path);
  if (!db.ok()) return db.status();
  absl::StatusOr<LogDb::Head> head = (*db)->Recover();
  if (!head.ok()) return head.status();
  auto impl = std::make_unique<Impl>();
  impl->db = *std::move(db);
  impl->writer = std::make_unique<GroupWriter>(*impl->db, options, *head);
  return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

void EventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  // The shape needs no state, so it is checked here, off the writer thread; the writer only
  // answers it, which keeps `done` on the writer thread as promised.
  absl::Status invalid = checks::ValidateAndNormalize(request);
  impl_->writer->Enqueue(std::move(request), std::move(done), std::move(invalid));
}

absl::StatusOr<AppendResult> EventStore::Append(AppendRequest request) {
  std::promise<absl::StatusOr<AppendResult>> promise;
  std::future<absl::StatusOr<AppendResult>> answer = promise.get_future();
  AppendAsync(std::move(request), [&promise](absl::StatusOr<AppendResult> result) {
    promise.set_value(std::move(result));
  });
  return answer.get();
}

void EventStore::SetCommitListener(CommitListener listener) {
  impl_->writer->SetCommitListener(std::move(listener));
}

void EventStore::SetGate(AppendGate* gate) { impl_->writer->SetGate(gate); }

Position EventStore::Head() const { return impl_->writer->published().position(); }

Hash EventStore::HeadHash() const { return impl_->writer->published().hash(); }

absl::StatusOr<std::optional<Revision>> EventStore::StreamRevision(
    const std::string& stream) const {
  // Read from RocksDB rather than the writer's cache, which belongs to the writer thread.
  return impl_->db->LastRevision(stream, Head());
}

absl::StatusOr<StoredEvent> EventStore::ReadAt(Position position) const {
  const Position head = Head();
  if (position == 0 || position > head) {
    return absl::NotFoundError(
        absl::StrCat("no event at position ", position, "; the head is ", head));
  }
  absl::StatusOr<StoredEvent> event = impl_->db->ReadEvent(position);
  if (absl::IsNotFound(event.status())) {
    return absl::DataLossError(absl::StrCat("event at position ", position, " is missing"));
  }
  return event;
}

absl::Status EventStore::ScanAll(Position from, bool backwards, const Visitor& visit) const {
  return impl_->db->ScanAll(from, backwards, Head(), visit);
}

absl::Status EventStore::ScanStream(const std::string& stream, std::optional<Revision> from,
                                    bool backwards, const Visitor& visit) const {
  return impl_->db->ScanStream(stream, from, backwards, Head(), visit);
}

absl::Status EventStore::ScanAllRaw(Position from, bool backwards,
                                   const std::function<bool(const RawEvent&)>& visit) const {
  return impl_->db->ScanAllRaw(from, backwards, Head(), visit);
}

absl::Status EventStore::ScanStreamRaw(const std::string& stream, std::optional<Revision> from,
                                       bool backwards,
                                       const std::function<bool(const RawEvent&)>& visit) const {
  return impl_->db->ScanStreamRaw(stream, from, backwards, Head(), visit);
}

absl::StatusOr<VerifyReport> EventStore::Verify(Position from, Position to,
                                                const VerifyProgress& progress) const {
  const Position head = Head();
  if (from == 0) from = 1;
  if (to == 0) to = head;
  if (head == 0 && to == 0) return VerifyReport{};  // an empty log: nothing to check
  if (to > head) {
    return absl::OutOfRangeError(
        absl::StrCat("to_position ", to, " lies past the head of the log, position ", head));
  }
  if (from > head) {
    return absl::OutOfRangeError(
        absl::StrCat("from_position ", from, " lies past the head of the log, position ", head));
  }
  if (from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_position ", from, " is after to_position ", to));
  }
  return impl_->db->Verify(from, to, progress);
}

absl::Status EventStore::WriteDerived(const std::vector<DerivedWrite>& writes, bool sync) {
  return impl_->db->WriteDerived(writes, sync);
}

absl::StatusOr<std::optional<std::string>> EventStore::ReadDerived(const std::string& key) const {
  return impl_->db->ReadDerived(key);
}

absl::Status EventStore::ScanDerived(const std::string& prefix,
                                     const DerivedVisitor& visit) const {
  return impl_->db->ScanDerived(prefix, visit);
}

absl::Status EventStore::ClearDerived() { return impl_->db->ClearDerived(); }

}  // namespace storage
