#include "services/server/restore.h"

#include <iostream>

#include "absl/strings/escaping.h"
#include "services/api/backup.h"

namespace server {

int RunRestore(const std::string& from, const std::string& data_dir) {
  std::cout << "wijkboekd: restoring " << from << " into " << data_dir << std::endl;
  absl::StatusOr<api::RestoreResult> restored =
      api::RestoreBackup(from, data_dir, [](storage::Position at, storage::Position head) {
        std::cerr << "wijkboekd: verifying the restored log: " << at << " of " << head
                  << " events" << std::endl;
      });
  if (!restored.ok()) {
    std::cerr << "wijkboekd: " << restored.status().message() << std::endl;
    return 1;
  }
  const storage::Hash& hash = restored->head_hash;
  std::cout << "wijkboekd: restored the log up to position " << restored->position
            << " (head hash "
            << absl::BytesToHexString(
                   absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()))
            << "); its chain verifies. Start wijkboekd with --data-dir " << data_dir
            << " (copy admin.token and head-signing.key there first to keep them)" << std::endl;
  return 0;
}

}  // namespace server
