// Backups and monitoring figures: EventStore::Checkpoint and EventStore::Stats.
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "storage/event_store_impl.h"

namespace storage {

absl::Status LogDb::CreateCheckpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "starting a checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: flush the memtables first, so the copy's WAL is short and a restore
  // replays little. The flush does not block appends for long: RocksDB switches memtables.
  return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
                   absl::StrCat("checkpoint into ", dir));
}

std::vector<std::pair<std::string, std::uint64_t>> LogDb::Properties() const {
  static constexpr const char* kProperties[] = {
      "rocksdb.estimate-num-keys",        "rocksdb.total-sst-files-size",
      "rocksdb.live-sst-files-size",      "rocksdb.cur-size-all-mem-tables",
      "rocksdb.estimate-live-data-size",  "rocksdb.num-running-compactions",
      "rocksdb.num-running-flushes",      "rocksdb.estimate-pending-compaction-bytes",
      "rocksdb.background-errors",        "rocksdb.num-immutable-mem-table",
  };
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const char* property : kProperties) {
    std::uint64_t total = 0;
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      std::uint64_t value = 0;
      if (db_->GetIntProperty(handle, property, &value)) total += value;
    }
    std::string name = absl::StrReplaceAll(std::string(property).substr(8), {{"-", "_"}});
    out.emplace_back(std::move(name), total);
  }
  return out;
}

absl::StatusOr<CheckpointInfo> EventStore::Checkpoint(const std::string& dir) const {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(dir, " exists; a checkpoint needs a new path"));
  }
  const auto fail = [&](absl::Status s) {
    std::filesystem::remove_all(dir, ec);
    return s;
  };
  if (absl::Status s = impl_->db->CreateCheckpoint(dir); !s.ok()) return fail(s);
  // The copy may hold a group the writer has not published yet; its own head is the truth.
  absl::StatusOr<std::unique_ptr<LogDb>> copy = LogDb::Open(dir);
  if (!copy.ok()) return fail(copy.status());
  absl::StatusOr<LogDb::Head> head = (*copy)->Recover();
  if (!head.ok()) return fail(head.status());
  return CheckpointInfo{head->position, head->hash};
}

StoreStats EventStore::Stats() const {
  const WriteStats& w = impl_->writer->stats();
  StoreStats s;
  s.groups = w.groups.load(std::memory_order_relaxed);
  s.events = w.events.load(std::memory_order_relaxed);
  s.failed_writes = w.failed_writes.load(std::memory_order_relaxed);
  s.writer_failed = w.failed.load(std::memory_order_relaxed);
  s.group_events = w.group_events.Snapshot();
  s.write_seconds = w.write_seconds.Snapshot();
  s.rocksdb = impl_->db->Properties();
  return s;
}

bool EventStore::WriterFailed() const {
  return impl_->writer->stats().failed.load(std::memory_order_relaxed);
}

}  // namespace storage
