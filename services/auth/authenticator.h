#pragma once
// Bearer-token authentication. Tokens are high-entropy secrets shown once; only their SHA-256 is
// kept on disk. Today there is one principal, the programme team's `admin`, whose token is made on
// first start; roles and more principals build on this.
//
// Threads: Authenticate may be called from any thread once Open returned; the object is immutable.
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace auth {

struct Principal {
  std::string id;    // e.g. "admin"; recorded as `recorded_by`
  std::string role;  // e.g. "admin"
};

class Authenticator {
 public:
  // Loads the admin credential from `data_dir`. When there is none yet, makes a new token, writes
  // it to <data_dir>/admin.token (mode 0600) for the operator, keeps its hash in
  // <data_dir>/admin.token.sha256, and sets *created to true.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Authenticator>> Open(
      const std::string& data_dir, bool* created);

  // `authorization` is the raw metadata value, "Bearer <token>". UNAUTHENTICATED when it is
  // missing, malformed or names no known token; the message says which, never the token.
  [[nodiscard]] absl::StatusOr<Principal> Authenticate(std::string_view authorization) const;

 private:
  explicit Authenticator(std::string admin_hash) : admin_hash_(std::move(admin_hash)) {}
  std::string admin_hash_;  // raw 32-byte SHA-256 of the admin token
};

// A new random token: "wbk_" + 43 characters of base64url (256 bits).
std::string NewToken();
// Raw SHA-256 of a token.
std::string TokenHash(std::string_view token);

}  // namespace auth
