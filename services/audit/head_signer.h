#pragma once
// The server's head-signing key: Ed25519, kept in <data-dir>/head-signing.key (PKCS#8 PEM, mode
// 0600, made on first start), used to sign (position, head hash, time) as documented on message
// SignedHead in eventlog.proto. `openssl pkey -in head-signing.key -pubout` shows its public half.
//
// Ownership: wijkboekd owns one for its whole run. Threads: immutable after Open; Sign may be
// called from any thread (each call uses its own OpenSSL context).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wijkboek/v1/eventlog.pb.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace audit {

inline constexpr char kHeadSigningKeyFile[] = "head-signing.key";

class HeadSigner {
 public:
  // Loads <data_dir>/head-signing.key, or, when there is none, makes a new key and writes it
  // there (mode 0600; *created is then true). FAILED_PRECONDITION when the file can be read by
  // others than its owner, or is not an Ed25519 private key; INTERNAL when it cannot be written.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HeadSigner>> Open(const std::string& data_dir,
                                                                        bool* created);
  ~HeadSigner();
  HeadSigner(const HeadSigner&) = delete;
  HeadSigner& operator=(const HeadSigner&) = delete;

  // Signs the head: `hash` is the 32-byte hash of the event at `position` (zero bytes for an
  // empty log). INVALID_ARGUMENT for another hash size; INTERNAL when OpenSSL fails.
  [[nodiscard]] absl::StatusOr<wijkboek::v1::SignedHead> Sign(
      std::uint64_t position, std::string_view hash, std::int64_t signed_at_unix_micros) const;

  const std::string& public_key() const { return public_key_; }  // 32 raw bytes
  const std::string& key_id() const { return key_id_; }

 private:
  explicit HeadSigner(EVP_PKEY* key);

  EVP_PKEY* key_;  // owned
  std::string public_key_;
  std::string key_id_;
};

}  // namespace audit
