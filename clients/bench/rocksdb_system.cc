#include "clients/bench/rocksdb_system.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "clients/bench/event_bytes.h"
#include "clients/bench/process_stats.h"
#include "storage/codec.h"
#include "storage/log_db.h"
#include "wijkboek/v1/envelope.pb.h"

namespace bench {
namespace {

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

rocksdb::Slice ToSlice(absl::string_view s) { return {s.data(), s.size()}; }

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("rocksdb ", std::string(what), ": ", s.ToString()));
}

class RocksdbAppendClient final : public LoadClient {
 public:
  RocksdbAppendClient(storage::LogDb* db, RocksdbSystem::Head* head, int index, int batch)
      : db_(db),
        head_(head),
        stream_(StreamName(index)),
        payload_(ResultPayloadBytes(index)),
        batch_(batch) {}

  absl::Status RunOnce() override {
    std::lock_guard lock(head_->mu);
    rocksdb::WriteBatch batch;
    const std::int64_t now = NowMicros();
    storage::Position position = head_->position;
    storage::Hash hash = head_->hash;
    for (int i = 0; i < batch_; ++i) {
      storage::NewEvent event{ids_.Next(), kEventType, payload_, {}};
      const std::string id = event.event_id;
      const storage::codec::EventPlacement placement{.position = ++position,
                                                     .stream = stream_,
                                                     .stream_revision = revision_++,
                                                     .recorded_at_unix_micros = now,
                                                     .recorded_by = recorded_by_,
                                                     .prev_hash = hash};
      const storage::StoredEvent stored =
          storage::codec::EncodeEvent(std::move(event), placement, &scratch_);
      hash = stored.hash;
      const std::string key = storage::codec::BigEndian64(stored.position);
      const rocksdb::Slice value[2] = {ToSlice(storage::codec::HashView(stored.hash)),
                                       ToSlice(stored.envelope_bytes)};
      const rocksdb::Slice key_slice(key);
      batch.Put(db_->events(), rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(value, 2));
      batch.Put(db_->streams(), storage::codec::StreamKey(stream_, stored.stream_revision), key);
      batch.Put(db_->event_ids(), id, key);
    }
    batch.Put(db_->meta(), ToSlice(storage::codec::kMetaHeadPosition),
              storage::codec::BigEndian64(position));
    batch.Put(db_->meta(), ToSlice(storage::codec::kMetaHeadHash),
              ToSlice(storage::codec::HashView(hash)));
    if (absl::Status s = db_->Write(&batch, /*sync=*/true); !s.ok()) return s;
    head_->position = position;
    head_->hash = hash;
    return absl::OkStatus();
  }

 private:
  storage::LogDb* db_;
  RocksdbSystem::Head* head_;
  const std::string stream_;
  const std::string payload_;
  const std::string recorded_by_ = "admin";
  const int batch_;
  storage::Revision revision_ = 0;
  EventIdSource ids_;
  wijkboek::v1::RecordedEnvelope scratch_;
};

// A raw iterator over the events family of a read-only instance: bytes only, nothing decoded.
// `seconds` gets the time of the iteration alone, without opening the instance.
absl::StatusOr<std::uint64_t> IterateEvents(const std::string& dir, double* seconds) {
  std::vector<std::string> families;
  if (auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &families); !s.ok()) {
    return FromRocks(s, "listing column families");
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (auto s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw);
      !s.ok()) {
    return FromRocks(s, "opening read-only");
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* events = nullptr;
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (families[i] == storage::codec::kEventsCf) events = handles[i];
  }
  std::uint64_t n = 0;
  std::uint64_t bytes = 0;
  absl::Status status = events ? absl::OkStatus() : absl::NotFoundError("no events family");
  if (events) {
    rocksdb::ReadOptions options;
    options.readahead_size = 2 << 20;
    const Clock::time_point start = Clock::now();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options, events));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++n;
      bytes += it->value().size();
    }
    status = FromRocks(it->status(), "iterating");
    *seconds = Seconds(Clock::now() - start);
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  if (!status.ok()) return status;
  return bytes > 0 ? n : 0;
}

}  // namespace

RocksdbSystem::RocksdbSystem(std::string dir) : dir_(std::move(dir)) {}
RocksdbSystem::~RocksdbSystem() = default;

absl::Status RocksdbSystem::Reset() {
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  auto db = storage::LogDb::Open(dir_);
  if (!db.ok()) return db.status();
  db_ = *std::move(db);
  std::lock_guard lock(head_.mu);
  head_.position = 0;
  head_.hash = {};
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LoadClient>> RocksdbSystem::NewAppendClient(int index, int batch) {
  if (!db_) return absl::FailedPreconditionError("rocksdb: Reset first");
  return std::make_unique<RocksdbAppendClient>(db_.get(), &head_, index, batch);
}

std::vector<CatchupMethod> RocksdbSystem::CatchupMethods() {
  return {{"iterator",
           [this]() -> absl::StatusOr<CatchupCount> {
             double seconds = 0;
             auto n = IterateEvents(dir_, &seconds);
             if (!n.ok()) return n.status();
             return CatchupCount{*n, seconds, std::nullopt};
           }},
          {"ScanAll", [this]() -> absl::StatusOr<CatchupCount> {
             storage::Position head = 0;
             {
               std::lock_guard lock(head_.mu);
               head = head_.position;
             }
             std::uint64_t n = 0;
             absl::Status order;
             absl::Status s = db_->ScanAll(1, false, head, [&](const storage::StoredEvent& e) {
               if (e.position != ++n) {
                 order = absl::DataLossError(absl::StrCat("rocksdb: position ", e.position));
               }
               return order.ok();
             });
             if (!s.ok()) return s;
             if (!order.ok()) return order;
             return CatchupCount{n, std::nullopt, std::nullopt};
           }}};
}

void RocksdbSystem::EndWorkload(Record& record) {
  std::lock_guard lock(head_.mu);
  if (head_.position == 0) return;
  record.disk_bytes_per_event = static_cast<double>(DirectoryBytes(dir_)) / head_.position;
  record.extra["events_stored"] = head_.position;
}

}  // namespace bench
