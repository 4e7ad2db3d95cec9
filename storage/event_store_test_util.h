#pragma once
// Helpers shared by the event store's unit tests: request builders, scans into vectors, a gate
// that can hold the writer (to force requests into one group), answers collected from the writer
// thread, direct RocksDB access to damage a closed log, and a fixture with a fresh temp dir.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/event_store.h"

namespace storage::test {

inline constexpr absl::Duration kWait = absl::Seconds(30);

inline NewEvent Ev(std::string id, std::string type = "Happened", std::string payload = "payload",
                   Metadata metadata = {}) {
  return NewEvent{std::move(id), std::move(type), std::move(payload), std::move(metadata)};
}

inline AppendRequest Req(std::string stream, std::vector<NewEvent> events,
                         ExpectedRevision expected = ExpectedRevision::Any()) {
  return AppendRequest{std::move(stream), expected, std::move(events), "partner-test"};
}

inline std::string Msg(const absl::Status& status) { return std::string(status.message()); }

inline std::vector<StoredEvent> ScanAllOf(const EventStore& store, Position from = 0,
                                          bool backwards = false, std::size_t limit = SIZE_MAX) {
  std::vector<StoredEvent> seen;
  absl::Status s = store.ScanAll(from, backwards, [&](const StoredEvent& e) {
    seen.push_back(e);
    return seen.size() < limit;
  });
  EXPECT_TRUE(s.ok()) << s;
  return seen;
}

inline std::vector<StoredEvent> ScanStreamOf(const EventStore& store, const std::string& stream,
                                             std::optional<Revision> from = std::nullopt,
                                             bool backwards = false, std::size_t limit = SIZE_MAX) {
  std::vector<StoredEvent> seen;
  absl::Status s = store.ScanStream(stream, from, backwards, [&](const StoredEvent& e) {
    seen.push_back(e);
    return seen.size() < limit;
  });
  EXPECT_TRUE(s.ok()) << s;
  return seen;
}

inline std::vector<Position> PositionsOf(const std::vector<StoredEvent>& events) {
  std::vector<Position> out;
  for (const StoredEvent& e : events) out.push_back(e.position);
  return out;
}

inline std::vector<Revision> RevisionsOf(const std::vector<StoredEvent>& events) {
  std::vector<Revision> out;
  for (const StoredEvent& e : events) out.push_back(e.stream_revision);
  return out;
}

// Records the gate protocol, refuses events of type "Refused", and can hold the writer inside
// Admit so that a test can queue requests which the writer must then take as one group.
class TestGate : public AppendGate {
 public:
  absl::Status Admit(const std::vector<StoredEvent>& events) override {
    absl::MutexLock lock(&mu_);
    if (hold_) {
      held_ = true;
      mu_.Await(absl::Condition(
          +[](bool* hold) { return !*hold; }, &hold_));
      held_ = false;
    }
    admitted_calls_.push_back(PositionsOf(events));
    for (const StoredEvent& e : events) {
      if (e.type == "Refused") return absl::FailedPreconditionError("refused by the test gate");
    }
    pending_ += events.size();
    return absl::OkStatus();
  }
  void Commit() override {
    absl::MutexLock lock(&mu_);
    ++commits_;
    committed_events_ += pending_;
    pending_ = 0;
  }
  void Abort() override {
    absl::MutexLock lock(&mu_);
    ++aborts_;
    pending_ = 0;
  }

  void HoldNextAdmit() {
    absl::MutexLock lock(&mu_);
    hold_ = true;
  }
  // Waits until the writer is held inside Admit.
  bool WaitUntilHeld() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&held_), kWait);
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    hold_ = false;
  }
  int commits() const {
    absl::MutexLock lock(&mu_);
    return commits_;
  }
  int aborts() const {
    absl::MutexLock lock(&mu_);
    return aborts_;
  }
  std::size_t committed_events() const {
    absl::MutexLock lock(&mu_);
    return committed_events_;
  }
  std::vector<std::vector<Position>> admitted_calls() const {
    absl::MutexLock lock(&mu_);
    return admitted_calls_;
  }

 private:
  mutable absl::Mutex mu_;
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int commits_ ABSL_GUARDED_BY(mu_) = 0;
  int aborts_ ABSL_GUARDED_BY(mu_) = 0;
  std::size_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  std::size_t committed_events_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::vector<Position>> admitted_calls_ ABSL_GUARDED_BY(mu_);
};

// Answers of AppendAsync calls, filled on the writer thread and waited for on the test thread.
class Answers {
 public:
  AppendCallback Callback(std::size_t index) {
    return [this, index](absl::StatusOr<AppendResult> result) {
      absl::MutexLock lock(&mu_);
      results_.emplace(index, std::move(result));
    };
  }
  bool WaitFor(std::size_t count) {
    absl::MutexLock lock(&mu_);
    const auto done = [this, count] { return results_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&done), kWait);
  }
  bool Has(std::size_t index) const {
    absl::MutexLock lock(&mu_);
    return results_.count(index) > 0;
  }
  absl::StatusOr<AppendResult> Get(std::size_t index) const {
    absl::MutexLock lock(&mu_);
    return results_.at(index);
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::size_t, absl::StatusOr<AppendResult>> results_ ABSL_GUARDED_BY(mu_);
};

// The store's RocksDB opened directly, to damage a closed log the way a disk or a person could.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    for (std::size_t i = 0; i < handles.size(); ++i) cf_[names[i]] = handles[i];
  }
  ~RawDb() {
    for (auto& [name, handle] : cf_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    delete db_;
  }
  std::string Get(const std::string& cf, const std::string& key) {
    std::string value;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), cf_.at(cf), key, &value).ok());
    return value;
  }
  void Put(const std::string& cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf_.at(cf), key, value).ok());
  }
  void Delete(const std::string& cf, const std::string& key) {
    ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), cf_.at(cf), key).ok());
  }

 private:
  rocksdb::DB* db_ = nullptr;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cf_;
};

inline std::string PositionKey(Position position) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, position >>= 8) key[i] = static_cast<char>(position & 0xff);
  return key;
}

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "event_store_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Options MakeOptions(AppendGate* gate = nullptr) const {
    Options options;
    options.path = dir_ + "/log";
    options.gate = gate;
    return options;
  }
  std::unique_ptr<EventStore> OpenStore(AppendGate* gate = nullptr) const {
    return OpenStore(MakeOptions(gate));
  }
  std::unique_ptr<EventStore> OpenStore(const Options& options) const {
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::string path() const { return dir_ + "/log"; }

  std::string dir_;
};

}  // namespace storage::test
