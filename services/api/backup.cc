#include "services/api/backup.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/audit/head_publisher.h"

namespace api {
namespace fs = std::filesystem;

namespace {

constexpr char kLogDir[] = "log";
constexpr char kTokenHashFile[] = "admin.token.sha256";
constexpr char kManifestFile[] = "backup.txt";

absl::Status FromErrorCode(const std::error_code& ec, const std::string& what) {
  if (ec == std::errc::no_space_on_device) {
    return absl::ResourceExhaustedError(absl::StrCat(what, ": disk full (", ec.message(), ")"));
  }
  return absl::InternalError(absl::StrCat(what, ": ", ec.message()));
}

// Makes `dir` ready to be filled: created when missing (mode 0700; an existing empty one keeps
// its mode), refused when it holds anything. Sets *created when it was made here, so a failure can remove it again.
absl::Status PrepareEmptyDirectory(const std::string& dir, const std::string& flag, bool* created) {
  std::error_code ec;
  *created = false;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) {
      return absl::AlreadyExistsError(
          absl::StrCat(flag, " ", dir, " exists and is not an empty directory; name a new one"));
    }
  } else {
    fs::create_directories(dir, ec);
    if (ec) return FromErrorCode(ec, absl::StrCat("creating ", dir));
    *created = true;
    // It will hold the token hash and the whole log: for the owner only.
    ::chmod(dir.c_str(), 0700);
  }
  return absl::OkStatus();
}

// Undoes PrepareEmptyDirectory and whatever was put into the directory since.
void RemoveMadeHere(const std::string& dir, bool created) {
  std::error_code ec;
  if (created) {
    fs::remove_all(dir, ec);
    return;
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    fs::remove_all(entry.path(), ec);
  }
}

absl::Status CopyOne(const fs::path& from, const fs::path& to, bool required) {
  std::error_code ec;
  if (!fs::exists(from, ec)) {
    if (!required) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(from.string(), " is missing"));
  }
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) return FromErrorCode(ec, absl::StrCat("copying ", from.string(), " to ", to.string()));
  return absl::OkStatus();
}

std::uint64_t BytesUnder(const fs::path& dir) {
  std::uint64_t bytes = 0;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return bytes;
}

std::string HexOf(const storage::Hash& hash) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}

absl::Status WriteManifest(const fs::path& dir, const storage::CheckpointInfo& info) {
  std::ofstream out(dir / kManifestFile, std::ios::trunc);
  out << "position " << info.position << "\nhead_hash " << HexOf(info.head_hash) << "\n";
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("writing ", (dir / kManifestFile).string()));
  return absl::OkStatus();
}

// The head the backup recorded, from backup.txt.
absl::StatusOr<storage::CheckpointInfo> ReadManifest(const fs::path& dir) {
  std::ifstream in(dir / kManifestFile);
  std::string key_position, key_hash, hex;
  storage::CheckpointInfo info;
  if (!(in >> key_position >> info.position >> key_hash >> hex) || key_position != "position" ||
      key_hash != "head_hash" || hex.size() != 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        (dir / kManifestFile).string(), " is missing or unreadable: is ", dir.string(),
        " a directory made by `wijkboek admin backup`?"));
  }
  const std::string raw = absl::HexStringToBytes(hex);
  std::copy(raw.begin(), raw.end(), info.head_hash.begin());
  return info;
}

absl::StatusOr<BackupResult> FillBackup(const storage::EventStore& store,
                                        const std::string& data_dir, const fs::path& dir) {
  // The token hash first: a backup without it could not be served.
  if (absl::Status s = CopyOne(fs::path(data_dir) / kTokenHashFile, dir / kTokenHashFile, true);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<storage::CheckpointInfo> info = store.Checkpoint((dir / kLogDir).string());
  if (!info.ok()) return info.status();
  if (absl::Status s = CopyOne(fs::path(data_dir) / audit::kSignedHeadsFile,
                               dir / audit::kSignedHeadsFile, false);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = WriteManifest(dir, *info); !s.ok()) return s;
  return BackupResult{dir.string(), info->position, info->head_hash, BytesUnder(dir)};
}

absl::StatusOr<RestoreResult> FillRestore(
    const fs::path& from, const fs::path& data_dir, const storage::CheckpointInfo& recorded,
    const std::function<void(storage::Position, storage::Position)>& progress) {
  for (const char* name : {kLogDir, kTokenHashFile}) {
    if (absl::Status s = CopyOne(from / name, data_dir / name, true); !s.ok()) return s;
  }
  if (absl::Status s = CopyOne(from / audit::kSignedHeadsFile, data_dir / audit::kSignedHeadsFile,
                               false);
      !s.ok()) {
    return s;
  }
  storage::Options options;
  options.path = (data_dir / kLogDir).string();
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  if ((*store)->Head() != recorded.position || (*store)->HeadHash() != recorded.head_hash) {
    return absl::DataLossError(absl::StrCat(
        "the restored log's head is position ", (*store)->Head(), " (hash ",
        HexOf((*store)->HeadHash()), ") but the backup recorded position ", recorded.position,
        " (hash ", HexOf(recorded.head_hash), ")"));
  }
  using Clock = std::chrono::steady_clock;
  Clock::time_point last = Clock::now();
  absl::StatusOr<storage::VerifyReport> report =
      (*store)->Verify(0, 0, [&](storage::Position at, storage::Position head) {
        if (progress && Clock::now() - last >= std::chrono::seconds(2)) {
          last = Clock::now();
          progress(at, head);
        }
        return true;
      });
  if (!report.ok()) return report.status();
  if (!report->ok) {
    return absl::DataLossError(absl::StrCat("the backup's log does not verify: position ",
                                            report->first_bad_position, ": ", report->reason));
  }
  return RestoreResult{recorded.position, recorded.head_hash};
}

}  // namespace

absl::StatusOr<BackupResult> MakeBackup(const storage::EventStore& store,
                                        const std::string& data_dir,
                                        const std::string& directory) {
  if (directory.empty() || !fs::path(directory).is_absolute()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "directory: '", directory,
        "' is not an absolute path; name a new directory on the server's machine, e.g. "
        "/var/backups/wijkboek/2026-01-31"));
  }
  bool created = false;
  if (absl::Status s = PrepareEmptyDirectory(directory, "directory", &created); !s.ok()) return s;
  absl::StatusOr<BackupResult> result = FillBackup(store, data_dir, directory);
  if (!result.ok()) {
    RemoveMadeHere(directory, created);
    return absl::Status(result.status().code(),
                        absl::StrCat("backup into ", directory, ": ", result.status().message()));
  }
  return result;
}

absl::StatusOr<RestoreResult> RestoreBackup(
    const std::string& from, const std::string& data_dir,
    const std::function<void(storage::Position, storage::Position)>& progress) {
  absl::StatusOr<storage::CheckpointInfo> recorded = ReadManifest(from);
  if (!recorded.ok()) return recorded.status();
  bool created = false;
  if (absl::Status s = PrepareEmptyDirectory(data_dir, "--data-dir", &created); !s.ok()) return s;
  absl::StatusOr<RestoreResult> result = FillRestore(from, data_dir, *recorded, progress);
  if (!result.ok()) {
    RemoveMadeHere(data_dir, created);
    return absl::Status(result.status().code(), absl::StrCat("restoring ", from, " into ",
                                                             data_dir, ": ",
                                                             result.status().message()));
  }
  return result;
}

}  // namespace api
