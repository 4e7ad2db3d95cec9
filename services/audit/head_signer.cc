#include "services/audit/head_signer.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/audit/digest.h"
#include "services/audit/signed_head.h"

namespace audit {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

// Writes a new key file: created exclusively (a second server on the same directory cannot
// overwrite a key that already signed heads), mode 0600 from the start, fsync'd before it counts.
absl::Status WriteNewKeyFile(const std::string& path, EVP_PKEY* key) {
  BioPtr pem(BIO_new(BIO_s_mem()), BIO_free);
  if (pem == nullptr || PEM_write_bio_PrivateKey(pem.get(), key, nullptr, nullptr, 0, nullptr,
                                                 nullptr) != 1) {
    return absl::InternalError("cannot encode the new head-signing key");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(pem.get(), &data);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create", path);
  const bool written = ::write(fd, data, size) == size && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    absl::Status failed = Errno("write", path);
    ::unlink(path.c_str());
    return failed;
  }
  return absl::OkStatus();
}

absl::StatusOr<EVP_PKEY*> ReadKeyFile(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return Errno("read", path);
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " can be read by others than its owner; run `chmod 600 ", path, "`"));
  }
  BioPtr file(BIO_new_file(path.c_str(), "r"), BIO_free);
  if (file == nullptr) return Errno("read", path);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(file.get(), nullptr, nullptr, nullptr);
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not an Ed25519 private key in PEM; move it away to make a new "
                           "key (heads signed with the old key then no longer match the server's)"));
  }
  return key;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HeadSigner>> HeadSigner::Open(const std::string& data_dir,
                                                             bool* created) {
  *created = false;
  const std::string path = absl::StrCat(data_dir, "/", kHeadSigningKeyFile);
  if (::access(path.c_str(), F_OK) != 0) {
    EVP_PKEY* fresh = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (fresh == nullptr) return absl::InternalError("cannot make an Ed25519 key");
    absl::Status written = WriteNewKeyFile(path, fresh);
    EVP_PKEY_free(fresh);
    if (!written.ok()) return written;
    *created = true;
  }
  // Read back what is on disk, also right after making it: the key in use is the one in the file.
  absl::StatusOr<EVP_PKEY*> key = ReadKeyFile(path);
  if (!key.ok()) return key.status();
  return std::unique_ptr<HeadSigner>(new HeadSigner(*key));
}

HeadSigner::HeadSigner(EVP_PKEY* key) : key_(key) {
  std::size_t size = kPublicKeySize;
  public_key_.resize(size);
  EVP_PKEY_get_raw_public_key(key_, reinterpret_cast<unsigned char*>(public_key_.data()), &size);
  public_key_.resize(size);
  key_id_ = KeyId(public_key_);
}

HeadSigner::~HeadSigner() { EVP_PKEY_free(key_); }

absl::StatusOr<wijkboek::v1::SignedHead> HeadSigner::Sign(std::uint64_t position,
                                                          std::string_view hash,
                                                          std::int64_t signed_at_unix_micros) const {
  if (hash.size() != kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("head hash has ", hash.size(), " bytes, not ", kHashSize));
  }
  const std::string message = SignedHeadBytes(position, hash, signed_at_unix_micros);
  std::string signature(kSignatureSize, '\0');
  std::size_t size = signature.size();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      size != kSignatureSize) {
    return absl::InternalError("signing the head failed in OpenSSL");
  }
  wijkboek::v1::SignedHead head;
  head.set_position(position);
  head.set_hash(hash.data(), hash.size());
  head.mutable_signed_at()->set_seconds(signed_at_unix_micros / 1000000);
  head.mutable_signed_at()->set_nanos(static_cast<int>(signed_at_unix_micros % 1000000) * 1000);
  head.set_public_key(public_key_);
  head.set_signature(signature);
  head.set_key_id(key_id_);
  return head;
}

}  // namespace audit
