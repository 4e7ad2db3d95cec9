// Fuzzes opening a damaged log (storage::EventStore::Open) and checking it (Verify, ScanAll,
// ReadAt). On start it writes a small log once: a few events flushed into SST files, a few more
// only in the write-ahead log, as a server leaves it. Each input then says how to damage a copy of
// those files; the store opens the copy. Errors (DATA_LOSS, INTERNAL, a failed Verify) are the
// right answers to damage; a crash, a hang or a sanitizer report is a finding.
//
// Input: a sequence of 8-byte edits, each
//   byte 0      which file (index into the log's files, sorted by name, modulo their number)
//   byte 1      what to do (modulo 8): 0-3 xor a byte with `value`, 4 set a byte to `value`,
//               5 cut the file at `offset`, 6 remove the file, 7 insert `value` at `offset`
//   bytes 2-5   offset (little-endian, modulo the file's size)
//   bytes 6-7   value (low byte used)
// Trailing bytes that make no whole edit are ignored.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/event_store.h"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "storage_recovery_fuzzer: %s\n", what.c_str());
  std::abort();
}

storage::AppendRequest Request(int n) {
  storage::AppendRequest request;
  request.stream = absl::StrCat("action-", n % 3);
  request.recorded_by = "fuzzer";
  for (int i = 0; i < 2; ++i) {
    storage::NewEvent event;
    event.event_id = absl::StrCat("00000000-0000-4000-8000-", 100000000000 + n * 10 + i);
    event.type = "ResultRecorded";
    event.payload = absl::StrCat("payload ", n, ".", i);
    event.metadata = {{"source", "fuzz"}};
    request.events.push_back(std::move(event));
  }
  return request;
}

void AppendRequests(const std::string& dir, int from, int to) {
  storage::Options options;
  options.path = dir;
  options.sync = false;
  auto store = storage::EventStore::Open(options);
  if (!store.ok()) Fail(absl::StrCat("template: open: ", store.status().ToString()));
  for (int n = from; n < to; ++n) {
    auto appended = (*store)->Append(Request(n));
    if (!appended.ok()) Fail(absl::StrCat("template: append: ", appended.status().ToString()));
  }
}

// Moves everything written so far from the write-ahead log into SST files.
void FlushAll(const std::string& dir) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok()) {
    Fail("template: list column families");
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &raw).ok()) {
    Fail("template: open with RocksDB");
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!db->Flush(rocksdb::FlushOptions(), handles).ok()) Fail("template: flush");
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    if (!db->DestroyColumnFamilyHandle(handle).ok()) Fail("template: close column family");
  }
  if (!db->Close().ok()) Fail("template: close");
}

struct Template {
  std::vector<std::pair<std::string, std::string>> files;  // name, bytes; sorted by name
  std::string scratch;                                      // where each input's copy goes
};

const Template& TheTemplate() {
  static const Template* t = [] {
    // In memory where possible: every input writes and opens a log, and a disk makes that slow.
    const char* tmp = std::getenv("TMPDIR");
    std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    std::error_code ec;
    if ((tmp == nullptr || *tmp == '\0') && fs::is_directory("/dev/shm", ec)) base = "/dev/shm";
    std::string pattern = absl::StrCat(base, "/wijkboek-fuzz-storage-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp");
    const fs::path root(pattern);
    const std::string log = (root / "template").string();
    AppendRequests(log, 0, 4);
    FlushAll(log);
    AppendRequests(log, 4, 6);

    // Removed when the fuzzer exits (also after a finding: libFuzzer exits through exit()).
    static std::string to_remove = root.string();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(to_remove, ec);
    });

    auto* out = new Template();
    std::map<std::string, std::string> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(log)) {
      const std::string name = entry.path().filename().string();
      // RocksDB's lock and its info logs are not part of the log's state.
      if (name == "LOCK" || name.rfind("LOG", 0) == 0) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      files[name] = std::string(std::istreambuf_iterator<char>(in), {});
    }
    out->files.assign(files.begin(), files.end());
    out->scratch = (root / "damaged").string();
    std::fprintf(stderr, "storage_recovery_fuzzer: template log of %zu files in %s\n",
                 out->files.size(), log.c_str());
    return out;
  }();
  return *t;
}

std::uint32_t Le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  TheTemplate();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Template& t = TheTemplate();
  std::vector<std::pair<std::string, std::string>> files = t.files;
  std::vector<bool> removed(files.size(), false);
  for (std::size_t at = 0; at + 8 <= size && at < 8 * 64; at += 8) {
    const std::uint8_t* edit = data + at;
    const std::size_t index = edit[0] % files.size();
    std::string& bytes = files[index].second;
    const std::uint8_t value = edit[6];
    const std::size_t offset = bytes.empty() ? 0 : Le32(edit + 2) % bytes.size();
    switch (edit[1] % 8) {
      case 4:
        if (!bytes.empty()) bytes[offset] = static_cast<char>(value);
        break;
      case 5:
        bytes.resize(offset);
        break;
      case 6:
        removed[index] = true;
        break;
      case 7:
        bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(offset), static_cast<char>(value));
        break;
      default:
        if (!bytes.empty()) bytes[offset] = static_cast<char>(bytes[offset] ^ value);
        break;
    }
  }

  std::error_code ec;
  fs::remove_all(t.scratch, ec);
  fs::create_directory(t.scratch);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (removed[i]) continue;
    std::ofstream out(fs::path(t.scratch) / files[i].first, std::ios::binary);
    out.write(files[i].second.data(), static_cast<std::streamsize>(files[i].second.size()));
  }

  storage::Options options;
  options.path = t.scratch;
  options.sync = false;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return 0;  // refusing a damaged log is a right answer
  storage::EventStore& s = **store;
  (void)s.Verify(0, 0, nullptr);
  (void)s.ScanAll(0, false, [](const storage::StoredEvent&) { return true; });
  (void)s.ScanAll(0, true, [](const storage::StoredEvent&) { return true; });
  for (storage::Position p = 1; p <= s.Head() && p <= 16; ++p) (void)s.ReadAt(p);
  (void)s.ScanStream("action-1", std::nullopt, false, [](const storage::StoredEvent&) {
    return true;
  });
  return 0;
}
