#pragma once
// Who is calling: bearer tokens mapped to principals, as the log says.
//
// Principals and tokens are events in the log (PrincipalRegistered, TokenIssued, TokenRevoked in
// stream principal-<id>). The Authenticator folds them into a table from token hash to principal
// and answers Authenticate from it. Tokens are high-entropy secrets shown once; only their SHA-256
// is ever stored, in the log and here.
//
// Freshness: wijkboekd feeds it every committed group from the store's commit listener, which
// runs before any caller of that group is answered; so when RevokeToken returns, the token is
// already refused.
//
// The bootstrap token: on first start the server makes one admin token and writes it to
// <data-dir>/admin.token for the operator (LoadOrCreateBootstrapToken); the server then registers
// principal `admin` with that token's hash in the log, and from then on the log is the only source.
//
// Threads: every method may be called from any thread; Apply takes a writer lock, the rest a
// reader lock.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/event_store.h"
#include "wijkboek/v1/events.pb.h"

namespace auth {

struct Principal {
  std::string id;  // recorded as `recorded_by`
  wijkboek::v1::Role role = wijkboek::v1::ROLE_UNSPECIFIED;
  std::string partner_id;  // only for ROLE_PARTNER
  std::string token_id;    // the token the call came with
};

struct TokenRecord {
  std::string token_id;
  std::string principal_id;
  std::int64_t issued_at_micros = 0;
  std::string issued_by;
  std::int64_t expires_at_micros = 0;  // 0: does not expire
  bool revoked = false;
  std::int64_t revoked_at_micros = 0;
};

struct PrincipalRecord {
  std::string id;
  wijkboek::v1::Role role = wijkboek::v1::ROLE_UNSPECIFIED;
  std::string partner_id;
  std::int64_t registered_at_micros = 0;
  std::string registered_by;
  std::vector<TokenRecord> tokens;  // oldest first
};

class Authenticator {
 public:
  // Now, in Unix microseconds; tests replace it to reach a token's expiry.
  using Clock = std::function<std::int64_t()>;
  explicit Authenticator(Clock clock = nullptr);

  // Folds one committed event. Events outside principal-* streams are ignored cheaply.
  void Apply(const storage::StoredEvent& event);

  // `authorization` is the raw metadata value, "Bearer <token>". UNAUTHENTICATED when it is
  // missing or malformed, or the token is unknown, revoked or expired; the message says which
  // (naming the token id, never the secret).
  [[nodiscard]] absl::StatusOr<Principal> Authenticate(std::string_view authorization) const;

  // OK while the token (by id, e.g. Principal::token_id) is neither revoked nor expired, else
  // Authenticate's UNAUTHENTICATED: how a long-lived call that authenticated once honours a
  // revocation without hashing the secret again.
  [[nodiscard]] absl::Status StillValid(const std::string& token_id) const;

  bool HasPrincipal(const std::string& principal_id) const;
  std::optional<TokenRecord> FindToken(const std::string& token_id) const;
  // Every principal with its tokens, by id.
  std::vector<PrincipalRecord> Principals() const;

 private:
  absl::Status Usable(const TokenRecord& token) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  Clock clock_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, PrincipalRecord> principals_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, TokenRecord> tokens_ ABSL_GUARDED_BY(mu_);  // by token id
  absl::flat_hash_map<std::string, std::string> by_hash_ ABSL_GUARDED_BY(mu_);  // hash -> id
};

// Folds the streams of `principal_ids` (read from the store) into `auth`: how wijkboekd fills it
// at startup, before anything can append.
[[nodiscard]] absl::Status LoadCredentials(const storage::EventStore& store,
                                           const std::vector<std::string>& principal_ids,
                                           Authenticator* auth);

// The operator's first admin token. When <data_dir>/admin.token.sha256 exists, its hash; else a
// new token is made, written to <data_dir>/admin.token (mode 0600) with its hash beside it, and
// `created` is true.
struct BootstrapToken {
  std::string hash;  // raw 32-byte SHA-256
  bool created = false;
};
[[nodiscard]] absl::StatusOr<BootstrapToken> LoadOrCreateBootstrapToken(
    const std::string& data_dir);

// A new random token: "wbk_" + 43 characters of base64url (256 bits).
std::string NewToken();
// A new token id: "tok-" + 16 hex digits (64 random bits); public, names the token.
std::string NewTokenId();
// The token id the bootstrap token gets: derived from its hash so a restart agrees.
std::string BootstrapTokenId(std::string_view hash);
// Raw SHA-256 of a token.
std::string TokenHash(std::string_view token);
// A random (version 4) UUID, for the event ids of events the server writes itself.
std::string NewUuid();

}  // namespace auth
