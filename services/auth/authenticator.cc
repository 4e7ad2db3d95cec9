#include "services/auth/authenticator.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace auth {
namespace {

// Writes `content` to `path` with `mode`, through a temp file and rename, fsync'd, so a crash
// never leaves a half-written credential.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", tmp, ": ", std::strerror(errno)));
  ::fchmod(fd, mode);
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string NewToken() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  std::string raw(reinterpret_cast<char*>(bytes), sizeof bytes);
  return "wbk_" + absl::WebSafeBase64Escape(raw);
}

std::string TokenHash(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), len);
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Open(const std::string& data_dir,
                                                                    bool* created) {
  *created = false;
  std::string hash_path = data_dir + "/admin.token.sha256";
  std::ifstream in(hash_path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string hex = ss.str();
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
    std::string raw = absl::HexStringToBytes(hex);
    if (hex.size() != 64 || raw.size() != 32) {
      return absl::DataLossError(absl::StrCat(hash_path, " is not a SHA-256 in hex; remove it and "
                                              "admin.token to make a new admin token"));
    }
    return std::unique_ptr<Authenticator>(new Authenticator(raw));
  }
  std::string token = NewToken();
  std::string hash = TokenHash(token);
  if (auto s = WriteFileAtomically(data_dir + "/admin.token", token + "\n", 0600); !s.ok()) return s;
  if (auto s = WriteFileAtomically(hash_path, absl::BytesToHexString(hash) + "\n", 0600); !s.ok()) {
    return s;
  }
  *created = true;
  return std::unique_ptr<Authenticator>(new Authenticator(hash));
}

absl::StatusOr<Principal> Authenticator::Authenticate(std::string_view authorization) const {
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "missing credentials: send metadata 'authorization: Bearer <token>'");
  }
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.substr(0, kScheme.size()) != kScheme) {
    return absl::UnauthenticatedError(
        "malformed authorization metadata: expected 'Bearer <token>'");
  }
  std::string hash = TokenHash(authorization.substr(kScheme.size()));
  if (hash.size() == admin_hash_.size() &&
      CRYPTO_memcmp(hash.data(), admin_hash_.data(), hash.size()) == 0) {
    return Principal{"admin", "admin"};
  }
  return absl::UnauthenticatedError("unknown or revoked token");
}

}  // namespace auth
