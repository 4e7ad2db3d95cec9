// EventStore::Verify: walks the `events` family in key order from one RocksDB snapshot and checks
// every event on its own bytes, its link to the one before, and the two indexes that point at it.
// Nothing is kept per event beyond the previous hash, so memory stays constant however long the
// log is. See event_store.h for the contract and README.md ("Verification") for the checks.
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/codec.h"
#include "storage/log_db.h"
#include "wijkboek/v1/envelope.pb.h"

namespace storage {
namespace {

using codec::BigEndian64;

// How often the caller hears of progress (and may cancel).
constexpr std::uint64_t kProgressEvery = 4096;

absl::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }
std::string Hex(const Hash& hash) { return absl::BytesToHexString(codec::HashView(hash)); }

// Why the stored value of position `p` is bad, or nullopt when it is good: then *envelope is the
// parsed envelope and *hash its stored hash. `expected_prev` is the hash of p - 1 (zero for 1).
std::optional<std::string> CheckEvent(Position p, absl::string_view value,
                                      const Hash& expected_prev,
                                      wijkboek::v1::RecordedEnvelope* envelope, Hash* hash) {
  if (value.size() < codec::kHashSize) {
    return absl::StrCat("the stored value has ", value.size(), " bytes, fewer than its hash");
  }
  const absl::string_view bytes = value.substr(codec::kHashSize);
  if (!envelope->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return "the stored envelope does not parse: its bytes were changed";
  }
  const std::optional<Hash> prev = codec::HashFromBytes(envelope->prev_hash());
  if (!prev) {
    return absl::StrCat("the envelope's prev_hash has ", envelope->prev_hash().size(),
                        " bytes, not 32");
  }
  *hash = *codec::HashFromBytes(value.substr(0, codec::kHashSize));
  const Hash computed = ChainHash(*prev, std::string(bytes));
  if (computed != *hash) {
    return absl::StrCat("the stored hash ", Hex(*hash), " is not SHA-256(prev_hash || envelope) = ",
                        Hex(computed), ": the event or its stored hash was changed");
  }
  if (envelope->position() != p) {
    return absl::StrCat("the envelope stored here says position ", envelope->position(),
                        ": events were moved or swapped");
  }
  if (*prev != expected_prev) {
    if (p == 1) return absl::StrCat("prev_hash ", Hex(*prev), " is not 32 zero bytes");
    return absl::StrCat("prev_hash ", Hex(*prev), " is not the hash ", Hex(expected_prev),
                        " of position ", p - 1, ": the chain is broken here");
  }
  return std::nullopt;
}

// A snapshot of the database for the length of one check.
class Snapshot {
 public:
  explicit Snapshot(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~Snapshot() { db_->ReleaseSnapshot(snapshot_); }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

// One check's reads, all from the same snapshot and without filling the block cache (a check of
// the whole log must not evict what the server is serving from).
class Reader {
 public:
  Reader(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) : db_(db) {
    options_.snapshot = snapshot;
    options_.fill_cache = false;
  }

  // The value under `key`: nullopt when there is none; damage as a reason in *damage; other
  // failures as an error status.
  absl::StatusOr<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* cf,
                                                 const std::string& key, std::string* damage) {
    std::string value;
    rocksdb::Status s = db_->Get(options_, cf, key, &value);
    if (s.IsNotFound()) return std::nullopt;
    if (s.IsCorruption()) {
      *damage = absl::StrCat("RocksDB reports damage: ", s.ToString());
      return std::nullopt;
    }
    if (!s.ok()) return FromRocks(s, "verifying the log");
    return value;
  }

  // Why the index entry under `key` does not point at `p`, or nullopt when it does.
  absl::StatusOr<std::optional<std::string>> CheckPointsAt(rocksdb::ColumnFamilyHandle* cf,
                                                           const std::string& key, Position p,
                                                           absl::string_view entry) {
    std::string damage;
    absl::StatusOr<std::optional<std::string>> value = Get(cf, key, &damage);
    if (!value.ok()) return value.status();
    if (!damage.empty()) return absl::StrCat(entry, ": ", damage);
    if (!value->has_value()) return absl::StrCat(entry, " is missing");
    const std::optional<Position> target = codec::ParseBigEndian64(**value);
    if (!target) return absl::StrCat(entry, " is malformed");
    if (*target != p) return absl::StrCat(entry, " points at position ", *target, ", not here");
    return std::nullopt;
  }

  rocksdb::ReadOptions& options() { return options_; }

 private:
  rocksdb::DB* db_;
  rocksdb::ReadOptions options_;
};

}  // namespace

absl::StatusOr<VerifyReport> LogDb::Verify(Position from, Position to,
                                           const VerifyProgress& progress) const {
  Snapshot snapshot(db_.get());
  Reader reader(db_.get(), snapshot.get());
  VerifyReport report;
  report.to_position = to;
  const auto bad = [&report](Position p, std::string reason) {
    report.ok = false;
    report.first_bad_position = p;
    report.reason = std::move(reason);
    return report;
  };

  // The link into the range: the stored hash of the event just before it.
  Hash prev{};
  if (from > 1) {
    std::string damage;
    absl::StatusOr<std::optional<std::string>> value =
        reader.Get(events_, BigEndian64(from - 1), &damage);
    if (!value.ok()) return value.status();
    const std::string before = absl::StrCat("cannot link to position ", from - 1, ": ");
    if (!damage.empty()) return bad(from, before + damage);
    if (!value->has_value()) return bad(from, before + "no event is stored there");
    std::optional<Hash> hash = codec::HashFromBytes(absl::string_view(**value).substr(
        0, std::min((*value)->size(), codec::kHashSize)));
    if (!hash) return bad(from, before + "its stored value is shorter than a hash");
    prev = *hash;
  }

  const std::string upper = BigEndian64(to + 1);
  const rocksdb::Slice upper_bound(upper);
  reader.options().iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(reader.options(), events_));
  reader.options().iterate_upper_bound = nullptr;
  it->Seek(BigEndian64(from));
  wijkboek::v1::RecordedEnvelope envelope;
  for (Position p = from; p <= to; ++p, it->Next()) {
    if (!it->Valid()) {
      if (it->status().IsCorruption()) {
        return bad(p, absl::StrCat("RocksDB reports damage: ", it->status().ToString()));
      }
      if (!it->status().ok()) return FromRocks(it->status(), "verifying the log");
      return bad(p, "no event is stored here");
    }
    if (ToView(it->key()) != BigEndian64(p)) {
      return bad(p, "no event is stored here (the next stored key is another position)");
    }
    Hash hash{};
    if (std::optional<std::string> problem = CheckEvent(p, ToView(it->value()), prev, &envelope,
                                                        &hash)) {
      return bad(p, *std::move(problem));
    }
    const std::string stream_entry = absl::StrCat("the streams index entry of stream ",
                                                  envelope.stream(), " revision ",
                                                  envelope.stream_revision());
    absl::StatusOr<std::optional<std::string>> problem = reader.CheckPointsAt(
        streams_, codec::StreamKey(envelope.stream(), envelope.stream_revision()), p,
        stream_entry);
    if (problem.ok() && !problem->has_value()) {
      problem = reader.CheckPointsAt(event_ids_, envelope.event_id(), p,
                                     absl::StrCat("the event_ids entry of ", envelope.event_id()));
    }
    if (!problem.ok()) return problem.status();
    if (problem->has_value()) return bad(p, **std::move(problem));
    prev = hash;
    ++report.checked;
    if (report.checked % kProgressEvery == 0 && progress && !progress(p, to)) {
      return absl::CancelledError(absl::StrCat("verification stopped at position ", p));
    }
  }

  // The head recorded in meta must be the chain's end when the range reaches it. (A group being
  // committed may already have moved it past `to`; then the next check covers it.)
  std::string damage;
  absl::StatusOr<std::optional<std::string>> head_bytes =
      reader.Get(meta_, std::string(codec::kMetaHeadPosition), &damage);
  if (!head_bytes.ok()) return head_bytes.status();
  if (!damage.empty()) return bad(to, absl::StrCat("meta head_position: ", damage));
  const std::optional<Position> meta_head =
      head_bytes->has_value() ? codec::ParseBigEndian64(**head_bytes) : Position{0};
  if (!meta_head) return bad(to, "meta head_position is malformed");
  if (*meta_head < to) {
    return bad(*meta_head + 1, absl::StrCat("meta says the head is position ", *meta_head,
                                            " but events are stored up to position ", to));
  }
  if (*meta_head == to) {
    absl::StatusOr<std::optional<std::string>> hash_bytes =
        reader.Get(meta_, std::string(codec::kMetaHeadHash), &damage);
    if (!hash_bytes.ok()) return hash_bytes.status();
    if (!damage.empty()) return bad(to, absl::StrCat("meta head_hash: ", damage));
    const std::optional<Hash> meta_hash =
        hash_bytes->has_value() ? codec::HashFromBytes(**hash_bytes) : std::nullopt;
    if (!meta_hash || *meta_hash != prev) {
      return bad(to, absl::StrCat("meta's head hash ",
                                  meta_hash ? Hex(*meta_hash) : std::string("(missing)"),
                                  " is not the stored hash ", Hex(prev), " of the head"));
    }
  }
  if (progress) progress(to, to);
  report.head_hash = prev;
  return report;
}

}  // namespace storage
