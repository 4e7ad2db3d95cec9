#pragma once
// `wijkboekd --restore-from DIR --data-dir NEW`: restores a backup (api/backup.h), reporting on
// stdout and progress on stderr. Returns the process exit status: 0 when the restored chain
// verifies, 1 otherwise (with the reason on stderr).
#include <string>

namespace server {

int RunRestore(const std::string& from, const std::string& data_dir);

}  // namespace server
