#include "storage/log_db.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/codec.h"

namespace storage {
namespace {

using codec::BigEndian64;
using codec::ParseBigEndian64;

rocksdb::Slice ToSlice(absl::string_view s) { return {s.data(), s.size()}; }
absl::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }
std::string Hex(const Hash& hash) { return absl::BytesToHexString(codec::HashView(hash)); }

// RocksDB's warnings and errors, on our stderr. Its own info log (the file LOG in the database
// directory) goes through a file writer that, in Debian's build of RocksDB 7.8 (assertions on),
// aborts the process on the first line written after a failed write: with the disk full, the
// "background error" line itself would crash the server. A line that cannot be written here is
// simply lost. Info-level chatter (compaction statistics) is not kept.
class StderrLogger : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[2048];
    const int n = std::vsnprintf(line, sizeof line, format, ap);
    int length = std::min<int>(n, sizeof line - 1);
    while (length > 0 && line[length - 1] == '\n') --length;  // some lines end in one
    std::fprintf(stderr, "wijkboekd: rocksdb: %.*s\n", std::max(length, 0), line);
  }
};

// Memory bounds (issue 7: wijkboekd within 256 MiB with 10 million events). RocksDB's defaults
// let memory grow with the number of families and with the data: every family may hold two
// 64 MiB memtables (six families: 768 MiB), every table factory makes its own 8 MiB block cache,
// and every open table file keeps its index and filter blocks in memory outside any cache, so
// those grow with the log (the `event_ids` filter alone is 10 bits per event). Here all families
// share one memtable budget and one block cache, and index and filter blocks live in that cache,
// partitioned so that a lookup loads only the partitions it needs.
constexpr std::size_t kMemtableBudget = 64u << 20;  // all families' memtables together
constexpr std::size_t kBlockCacheBytes = 32u << 20;  // data, index and filter blocks

const std::shared_ptr<rocksdb::Cache>& BlockCache() {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  return cache;
}

rocksdb::BlockBasedTableOptions TableOptions() {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = BlockCache();
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  return table;
}

rocksdb::DBOptions DbOptions() {
  rocksdb::DBOptions options;
  options.info_log = std::make_shared<StderrLogger>();
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Every group is one WriteBatch, which is one WAL record with its own checksum, and the batch
  // carries the events, both indexes and the meta head together. A crash during a write leaves
  // at most that record torn at the end of the WAL. kPointInTimeRecovery replays the WAL up to
  // the first bad record and stops, so the torn group vanishes whole (its callers were never
  // answered) and nothing after a bad record is ever applied, leaving no hole in the positions.
  // kAbsoluteConsistency would refuse to open after every such crash, turning each power cut
  // into a manual repair, for no gain: the torn record was never acknowledged.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 10;
  // A WAL file is kept until every family with data in it has flushed. `meta` takes a few bytes
  // per group and would not fill its memtable for ages, so without a bound the WAL grows to
  // RocksDB's default limit (4x all write buffers, gigabytes) and Open replays all of it: measured
  // 7.9 s for a log of a million events (1.2 s with this bound). Past this size RocksDB flushes
  // the families that hold the oldest WAL, so a restart replays at most this much.
  options.max_total_wal_size = 128u << 20;
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudget);
  return options;
}

rocksdb::ColumnFamilyOptions CfOptions(const std::string& name) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table = TableOptions();
  if (name == codec::kEventIdsCf) {
    // Almost every lookup is a new id that is not stored; a whole-key bloom filter answers those
    // without reading a block. (`streams` is read by seeks, which whole-key filters cannot help.)
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    // The same for the memtable, which every lookup searches first: without a filter each new id
    // walks the skiplist (FindEventId was 4-9 % of the server's CPU under appends).
    options.memtable_prefix_bloom_size_ratio = 0.02;
    options.memtable_whole_key_filtering = true;
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(absl::StrCat(what, ": disk full: ", s.ToString()));
  }
  if (s.IsCorruption()) return absl::DataLossError(absl::StrCat(what, ": ", s.ToString()));
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

absl::StatusOr<std::unique_ptr<LogDb>> LogDb::Open(const std::string& path) {
  // RocksDB creates the directory too, but first reports a failed listing of it as an error.
  std::error_code ignored;
  std::filesystem::create_directories(path, ignored);
  const rocksdb::DBOptions options = DbOptions();
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                    codec::kEventsCf,
                                    codec::kStreamsCf,
                                    codec::kEventIdsCf,
                                    codec::kMetaCf,
                                    codec::kViewsCf};
  // RocksDB refuses to open without every existing family, e.g. ones added by a later version.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(options, path, &existing).ok()) {
    for (const std::string& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, CfOptions(name));

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, descriptors, &handles, &raw);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("opening event log at ", path, ": ", s.ToString()));
  }
  std::unique_ptr<LogDb> log(new LogDb);
  log->db_.reset(raw);
  log->handles_ = std::move(handles);
  log->events_ = log->handles_[1];
  log->streams_ = log->handles_[2];
  log->event_ids_ = log->handles_[3];
  log->meta_ = log->handles_[4];
  log->views_ = log->handles_[5];
  if (absl::Status init = log->InitSchema(); !init.ok()) return init;
  return log;
}

LogDb::~LogDb() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Close only releases files here: every write went through the WAL and was synced (or the
  // caller chose sync=false), so there is nothing left to lose.
  db_->Close().PermitUncheckedError();
}

absl::Status LogDb::InitSchema() {
  absl::StatusOr<std::optional<std::string>> version = GetMeta(codec::kMetaSchemaVersion);
  if (!version.ok()) return version.status();
  if (version->has_value()) {
    std::optional<std::uint64_t> parsed = ParseBigEndian64(**version);
    if (!parsed) return absl::DataLossError("meta schema_version is malformed");
    if (*parsed != codec::kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat("event log has schema version ", *parsed,
                                                        "; this build reads version ",
                                                        codec::kSchemaVersion));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<Position> last = LastStoredPosition();
  if (!last.ok()) return last.status();
  if (*last != 0) return absl::DataLossError("meta has no schema_version but the log has events");
  rocksdb::WriteBatch batch;
  rocksdb::Status s =
      batch.Put(meta_, ToSlice(codec::kMetaSchemaVersion), BigEndian64(codec::kSchemaVersion));
  if (!s.ok()) return FromRocks(s, "initialising the event log");
  return Write(&batch, /*sync=*/true);
}

absl::StatusOr<std::optional<std::string>> LogDb::GetMeta(absl::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading meta ", key));
  return value;
}

absl::StatusOr<Position> LogDb::LastStoredPosition() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocks(it->status(), "finding the newest event");
    return 0;
  }
  std::optional<Position> position = ParseBigEndian64(ToView(it->key()));
  if (!position) return absl::DataLossError("the newest key in events is not a position");
  return *position;
}

absl::StatusOr<LogDb::Head> LogDb::Recover() const {
  absl::StatusOr<std::optional<std::string>> position_bytes = GetMeta(codec::kMetaHeadPosition);
  if (!position_bytes.ok()) return position_bytes.status();
  absl::StatusOr<std::optional<std::string>> hash_bytes = GetMeta(codec::kMetaHeadHash);
  if (!hash_bytes.ok()) return hash_bytes.status();
  Head head;
  if (position_bytes->has_value()) {
    std::optional<Position> parsed = ParseBigEndian64(**position_bytes);
    if (!parsed) return absl::DataLossError("meta head_position is malformed");
    head.position = *parsed;
  }
  if (hash_bytes->has_value()) {
    std::optional<Hash> parsed = codec::HashFromBytes(**hash_bytes);
    if (!parsed) return absl::DataLossError("meta head_hash is malformed");
    head.hash = *parsed;
  }
  absl::StatusOr<Position> last = LastStoredPosition();
  if (!last.ok()) return last.status();
  if (*last != head.position) {
    return absl::DataLossError(absl::StrCat("meta says the head is position ", head.position,
                                            " but the newest stored event is at position ", *last));
  }
  if (head.position == 0) return head;
  absl::StatusOr<StoredEvent> newest = ReadEvent(head.position);
  if (!newest.ok()) return newest.status();
  if (newest->hash != head.hash) {
    return absl::DataLossError(absl::StrCat("meta head_hash ", Hex(head.hash),
                                            " differs from the stored hash ", Hex(newest->hash),
                                            " of position ", head.position));
  }
  if (absl::Status link = CheckNewestLink(*newest); !link.ok()) return link;
  head.recorded_at_unix_micros = newest->recorded_at_unix_micros;
  return head;
}

absl::Status LogDb::CheckNewestLink(const StoredEvent& newest) const {
  if (ChainHash(newest.prev_hash, newest.envelope_bytes) != newest.hash) {
    return absl::DataLossError(absl::StrCat("event at position ", newest.position,
                                            ": stored hash does not match its envelope bytes"));
  }
  Hash expected{};
  if (newest.position > 1) {
    absl::StatusOr<StoredEvent> previous = ReadEvent(newest.position - 1);
    if (absl::IsNotFound(previous.status())) {
      return absl::DataLossError(
          absl::StrCat("event at position ", newest.position - 1, " is missing"));
    }
    if (!previous.ok()) return previous.status();
    expected = previous->hash;
  }
  if (newest.prev_hash != expected) {
    return absl::DataLossError(absl::StrCat("event at position ", newest.position, ": prev_hash ",
                                            Hex(newest.prev_hash), " does not match the hash ",
                                            Hex(expected), " of the event before it"));
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredEvent> LogDb::ReadEvent(Position position) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), events_, BigEndian64(position), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no event at position ", position));
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading position ", position));
  return codec::DecodeEvent(position, ToView(value));
}

absl::StatusOr<std::optional<Position>> LogDb::FindEventId(const std::string& id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), event_ids_, id, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "looking up an event id");
  std::optional<Position> position = ParseBigEndian64(ToView(value));
  if (!position)
    return absl::DataLossError(absl::StrCat("event_ids entry of ", id, " is malformed"));
  return position;
}

absl::StatusOr<std::optional<Revision>> LogDb::LastRevision(const std::string& stream,
                                                            Position bound) const {
  const std::string prefix = codec::StreamPrefix(stream);
  const rocksdb::Slice lower(prefix);
  rocksdb::ReadOptions read;
  read.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, streams_));
  // A stream's positions grow with its revisions, so the newest entry at or below the bound is
  // the first one found walking back from the end.
  for (it->SeekForPrev(codec::StreamKey(stream, codec::kMaxRevision)); it->Valid(); it->Prev()) {
    std::optional<Position> position = ParseBigEndian64(ToView(it->value()));
    std::optional<Revision> revision = codec::RevisionFromStreamKey(ToView(it->key()), prefix);
    if (!position || !revision) {
      return absl::DataLossError(absl::StrCat("streams entry of ", stream, " is malformed"));
    }
    if (*position <= bound) return revision;
  }
  if (!it->status().ok()) return FromRocks(it->status(), absl::StrCat("reading stream ", stream));
  return std::nullopt;
}

absl::Status LogDb::ScanAllValues(Position from, bool backwards, Position bound,
                                  const ValueVisitor& visit) const {
  if (bound == 0) return absl::OkStatus();
  const Position start =
      backwards ? (from == 0 || from > bound ? bound : from) : std::max<Position>(from, 1);
  if (start > bound) return absl::OkStatus();
  const std::string upper_key = BigEndian64(bound + 1);
  const rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, events_));
  const std::string start_key = BigEndian64(start);
  if (backwards) {
    it->SeekForPrev(start_key);
  } else {
    it->Seek(start_key);
  }
  // Positions are gapless, so a skipped number means a lost event, not an empty slot.
  Position expected = start;
  for (; it->Valid(); backwards ? it->Prev() : it->Next()) {
    std::optional<Position> position = ParseBigEndian64(ToView(it->key()));
    if (!position || *position != expected) {
      return absl::DataLossError(absl::StrCat("event at position ", expected, " is missing"));
    }
    absl::StatusOr<bool> more = visit(*position, ToView(it->value()));
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    expected = backwards ? expected - 1 : expected + 1;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning the log");
  const Position end = backwards ? 0 : bound + 1;
  if (expected != end) {
    return absl::DataLossError(absl::StrCat("event at position ", expected, " is missing"));
  }
  return absl::OkStatus();
}

absl::Status LogDb::ScanAll(Position from, bool backwards, Position bound,
                            const Visitor& visit) const {
  return ScanAllValues(from, backwards, bound,
                       [&](Position position, absl::string_view value) -> absl::StatusOr<bool> {
                         absl::StatusOr<StoredEvent> event = codec::DecodeEvent(position, value);
                         if (!event.ok()) return event.status();
                         return visit(*event);
                       });
}

absl::Status LogDb::ScanAllRaw(Position from, bool backwards, Position bound,
                               const RawVisitor& visit) const {
  return ScanAllValues(from, backwards, bound,
                       [&](Position position, absl::string_view value) -> absl::StatusOr<bool> {
                         absl::StatusOr<RawEvent> event = codec::DecodeRaw(position, value);
                         if (!event.ok()) return event.status();
                         return visit(*event);
                       });
}

absl::Status LogDb::ScanStreamValues(const std::string& stream, std::optional<Revision> from,
                                     bool backwards, Position bound,
                                     const StreamValueVisitor& visit) const {
  const std::string prefix = codec::StreamPrefix(stream);
  std::string upper_key = prefix;
  upper_key.back() = '\x01';
  const rocksdb::Slice lower(prefix);
  const rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions read;
  read.iterate_lower_bound = &lower;
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, streams_));
  if (backwards) {
    it->SeekForPrev(codec::StreamKey(stream, from.value_or(codec::kMaxRevision)));
  } else {
    it->Seek(codec::StreamKey(stream, from.value_or(0)));
  }
  rocksdb::PinnableSlice value;
  for (; it->Valid(); backwards ? it->Prev() : it->Next()) {
    std::optional<Position> position = ParseBigEndian64(ToView(it->value()));
    std::optional<Revision> revision = codec::RevisionFromStreamKey(ToView(it->key()), prefix);
    if (!position || !revision) {
      return absl::DataLossError(absl::StrCat("streams entry of ", stream, " is malformed"));
    }
    if (*position > bound) {
      if (backwards) continue;  // newer than the published head; older entries may still follow
      break;
    }
    value.Reset();
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), events_, BigEndian64(*position), &value);
    if (s.IsNotFound()) {
      return absl::DataLossError(absl::StrCat("stream ", stream, " revision ", *revision,
                                              " points at missing position ", *position));
    }
    if (!s.ok()) return FromRocks(s, absl::StrCat("reading position ", *position));
    absl::StatusOr<bool> more = visit(*position, *revision, ToView(value));
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
  return FromRocks(it->status(), absl::StrCat("scanning stream ", stream));
}

namespace {

absl::Status WrongStreamEvent(const std::string& stream, Revision revision, Position position) {
  return absl::DataLossError(absl::StrCat("stream ", stream, " revision ", revision,
                                          " points at position ", position,
                                          ", which holds another event"));
}

}  // namespace

absl::Status LogDb::ScanStream(const std::string& stream, std::optional<Revision> from,
                               bool backwards, Position bound, const Visitor& visit) const {
  return ScanStreamValues(
      stream, from, backwards, bound,
      [&](Position position, Revision revision, absl::string_view value) -> absl::StatusOr<bool> {
        absl::StatusOr<StoredEvent> event = codec::DecodeEvent(position, value);
        if (!event.ok()) return event.status();
        if (event->stream != stream || event->stream_revision != revision) {
          return WrongStreamEvent(stream, revision, position);
        }
        return visit(*event);
      });
}

absl::Status LogDb::ScanStreamRaw(const std::string& stream, std::optional<Revision> from,
                                  bool backwards, Position bound, const RawVisitor& visit) const {
  return ScanStreamValues(
      stream, from, backwards, bound,
      [&](Position position, Revision revision, absl::string_view value) -> absl::StatusOr<bool> {
        absl::StatusOr<RawEvent> event = codec::DecodeRaw(position, value);
        if (!event.ok()) return event.status();
        if (event->fields.stream != stream || event->fields.stream_revision != revision) {
          return WrongStreamEvent(stream, revision, position);
        }
        return visit(*event);
      });
}

absl::Status LogDb::Write(rocksdb::WriteBatch* batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  absl::MutexLock lock(&write_mu_);
  return FromRocks(db_->Write(options, batch), "writing to the event log");
}

absl::Status LogDb::Resume() {
  absl::MutexLock lock(&write_mu_);
  const rocksdb::Status s = db_->Resume();
  if (s.IsBusy()) {
    return absl::UnavailableError(
        "RocksDB is recovering from the full disk by itself: it waits until there is room for a "
        "write buffer");
  }
  return FromRocks(s, "resuming the event log after the disk filled");
}

absl::Status LogDb::WriteDerived(const std::vector<DerivedWrite>& writes, bool sync) {
  rocksdb::WriteBatch batch;
  for (const DerivedWrite& write : writes) {
    rocksdb::Status s = write.value ? batch.Put(views_, write.key, *write.value)
                                    : batch.Delete(views_, write.key);
    if (!s.ok()) return FromRocks(s, "building the derived-state batch");
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  absl::MutexLock lock(&write_mu_);
  return FromRocks(db_->Write(options, &batch), "writing derived state");
}

absl::StatusOr<std::optional<std::string>> LogDb::ReadDerived(const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), views_, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading derived state");
  return value;
}

absl::Status LogDb::ScanDerived(const std::string& prefix, const DerivedVisitor& visit) const {
  // An implicit snapshot per iterator: the scan sees one atomic WriteDerived or none of it.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), views_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      return absl::OkStatus();
    }
  }
  return FromRocks(it->status(), "scanning derived state");
}

absl::Status LogDb::ClearDerived() {
  // Keys are arbitrary bytes, so no key bounds them from above: delete the range up to the last
  // key, and that key itself, in one batch.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), views_));
  it->SeekToLast();
  if (!it->Valid()) return FromRocks(it->status(), "clearing derived state");
  const std::string last = it->key().ToString();
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.DeleteRange(views_, rocksdb::Slice(), last);
  if (s.ok()) s = batch.Delete(views_, last);
  if (!s.ok()) return FromRocks(s, "clearing derived state");
  absl::MutexLock lock(&write_mu_);
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "clearing derived state");
}

}  // namespace storage
