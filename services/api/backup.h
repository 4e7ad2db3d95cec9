#pragma once
// Backups of a data directory, and restoring one into a new data directory.
//
// A backup directory holds:
//   log/                 a RocksDB checkpoint of the whole log, the derived `views` family
//                        included (EventStore::Checkpoint: consistent while appends continue)
//   admin.token.sha256   the bootstrap admin token's hash (not the token: it is a secret)
//   signed-heads.jsonl   the signed heads published so far, when there are any
//   backup.txt           what the backup holds: "position N", "head_hash HEX"
// Left out on purpose: admin.token and dashboard.token (secrets; the hash is enough to serve),
// head-signing.key (a secret: keep it with the other secrets; without it a restored server makes
// a new key and auditors must be given its public key), grpc.addr and http.addr.
//
// Threads: both functions block (a flush, file copies, a verification) and may be called from any
// thread; the caller keeps them off gRPC's callback threads.
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "storage/event_store.h"

namespace api {

struct BackupResult {
  std::string directory;
  storage::Position position = 0;  // the backup holds the log up to and including this position
  storage::Hash head_hash{};
  std::uint64_t bytes = 0;         // files under the directory (hard links counted in full)
};

// Backs the running store and the files of `data_dir` up into `directory`.
// Errors: INVALID_ARGUMENT when `directory` is empty or relative; ALREADY_EXISTS when it exists
// and is not an empty directory; RESOURCE_EXHAUSTED when the disk is full; INTERNAL otherwise.
// On failure nothing is left behind (a directory that existed is left empty).
[[nodiscard]] absl::StatusOr<BackupResult> MakeBackup(const storage::EventStore& store,
                                                      const std::string& data_dir,
                                                      const std::string& directory);

struct RestoreResult {
  storage::Position position = 0;
  storage::Hash head_hash{};
};

// Copies the backup in `from` into `data_dir` (created; refused when it exists and is not empty),
// then opens the copied log and verifies its whole hash chain, and that its head is the one the
// backup recorded. `progress` is told every few seconds how far the verification is.
// Errors: INVALID_ARGUMENT when `from` is not a backup; ALREADY_EXISTS when `data_dir` is not
// empty; DATA_LOSS when the chain does not verify (the report names the position); the store's
// errors when it cannot be opened. On failure `data_dir` is removed again (when it was created
// here) or emptied.
[[nodiscard]] absl::StatusOr<RestoreResult> RestoreBackup(
    const std::string& from, const std::string& data_dir,
    const std::function<void(storage::Position at, storage::Position head)>& progress);

}  // namespace api
