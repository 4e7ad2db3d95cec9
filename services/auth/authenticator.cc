#include "services/auth/authenticator.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

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


std::int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

std::string FormatMicros(std::int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

constexpr std::string_view kPrincipalStreamPrefix = "principal-";

}  // namespace

std::string NewToken() { return "wbk_" + absl::WebSafeBase64Escape(RandomBytes(32)); }

std::string NewTokenId() { return "tok-" + absl::BytesToHexString(RandomBytes(8)); }

std::string BootstrapTokenId(std::string_view hash) {
  return "tok-" + absl::BytesToHexString(std::string(hash.substr(0, 8)));
}

std::string NewUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string hex = absl::BytesToHexString(b);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

std::string TokenHash(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), len);
}

absl::StatusOr<BootstrapToken> LoadOrCreateBootstrapToken(const std::string& data_dir) {
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
    return BootstrapToken{raw, false};
  }
  std::string token = NewToken();
  std::string hash = TokenHash(token);
  if (auto s = WriteFileAtomically(data_dir + "/admin.token", token + "\n", 0600); !s.ok()) return s;
  if (auto s = WriteFileAtomically(hash_path, absl::BytesToHexString(hash) + "\n", 0600); !s.ok()) {
    return s;
  }
  return BootstrapToken{hash, true};
}

// ---- Authenticator ------------------------------------------------------------------------------

Authenticator::Authenticator(Clock clock) : clock_(clock ? std::move(clock) : Clock(NowMicros)) {}

void Authenticator::Apply(const storage::StoredEvent& event) {
  if (event.stream.rfind(kPrincipalStreamPrefix, 0) != 0) return;
  wijkboek::v1::Payload payload;
  if (!payload.ParseFromString(event.payload)) return;  // the rules let no such event in
  absl::MutexLock lock(&mu_);
  switch (payload.event_case()) {
    case wijkboek::v1::Payload::kPrincipalRegistered: {
      const auto& e = payload.principal_registered();
      PrincipalRecord record{e.principal_id(), e.role(), e.partner_id(), event.recorded_at_unix_micros,
                             event.recorded_by, {}};
      principals_.try_emplace(e.principal_id(), std::move(record));
      break;
    }
    case wijkboek::v1::Payload::kTokenIssued: {
      const auto& e = payload.token_issued();
      TokenRecord record{e.token_id(), e.principal_id(), event.recorded_at_unix_micros,
                         event.recorded_by, e.expires_at_unix_micros(), false, 0};
      if (tokens_.try_emplace(e.token_id(), std::move(record)).second) {
        by_hash_.insert_or_assign(e.token_sha256(), e.token_id());
      }
      break;
    }
    case wijkboek::v1::Payload::kTokenRevoked: {
      auto it = tokens_.find(payload.token_revoked().token_id());
      if (it != tokens_.end() && !it->second.revoked) {
        it->second.revoked = true;
        it->second.revoked_at_micros = event.recorded_at_unix_micros;
      }
      break;
    }
    default:
      break;
  }
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
  const std::string hash = TokenHash(authorization.substr(kScheme.size()));
  absl::ReaderMutexLock lock(&mu_);
  auto id = by_hash_.find(hash);
  if (id == by_hash_.end()) return absl::UnauthenticatedError("unknown token");
  const TokenRecord& token = tokens_.at(id->second);
  if (absl::Status s = Usable(token); !s.ok()) return s;
  auto principal = principals_.find(token.principal_id);
  if (principal == principals_.end()) return absl::UnauthenticatedError("unknown token");
  const PrincipalRecord& p = principal->second;
  return Principal{p.id, p.role, p.partner_id, token.token_id};
}

absl::Status Authenticator::Usable(const TokenRecord& token) const {
  if (token.revoked) {
    return absl::UnauthenticatedError(absl::StrCat("token ", token.token_id, " was revoked at ",
                                                   FormatMicros(token.revoked_at_micros)));
  }
  if (token.expires_at_micros != 0 && clock_() >= token.expires_at_micros) {
    return absl::UnauthenticatedError(absl::StrCat("token ", token.token_id, " expired at ",
                                                   FormatMicros(token.expires_at_micros),
                                                   "; ask the programme team for a new one"));
  }
  return absl::OkStatus();
}

absl::Status Authenticator::StillValid(const std::string& token_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto token = tokens_.find(token_id);
  if (token == tokens_.end()) return absl::UnauthenticatedError("unknown token");
  return Usable(token->second);
}

bool Authenticator::HasPrincipal(const std::string& principal_id) const {
  absl::ReaderMutexLock lock(&mu_);
  return principals_.contains(principal_id);
}

std::optional<TokenRecord> Authenticator::FindToken(const std::string& token_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = tokens_.find(token_id);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

std::vector<PrincipalRecord> Authenticator::Principals() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<PrincipalRecord> out;
  out.reserve(principals_.size());
  for (const auto& [id, p] : principals_) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  absl::flat_hash_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < out.size(); ++i) index[out[i].id] = i;
  for (const auto& [id, t] : tokens_) {
    if (auto it = index.find(t.principal_id); it != index.end()) out[it->second].tokens.push_back(t);
  }
  for (PrincipalRecord& p : out) {
    std::sort(p.tokens.begin(), p.tokens.end(), [](const auto& a, const auto& b) {
      return std::tie(a.issued_at_micros, a.token_id) < std::tie(b.issued_at_micros, b.token_id);
    });
  }
  return out;
}

absl::Status LoadCredentials(const storage::EventStore& store,
                             const std::vector<std::string>& principal_ids, Authenticator* auth) {
  for (const std::string& id : principal_ids) {
    absl::Status s = store.ScanStream(std::string(kPrincipalStreamPrefix) + id, std::nullopt, false,
                                      [auth](const storage::StoredEvent& e) {
                                        auth->Apply(e);
                                        return true;
                                      });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace auth
