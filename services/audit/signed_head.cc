#include "services/audit/signed_head.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/audit/digest.h"

namespace audit {
namespace {

using wijkboek::v1::SignedHead;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool SignatureVerifies(std::string_view public_key, std::string_view message,
                       std::string_view signature) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()),
      EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Ed25519 signs the message itself (no separate digest), hence the null digest and one-shot call.
  return key != nullptr && ctx != nullptr &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                          message.size()) == 1;
}

}  // namespace

std::string SignedHeadBytes(std::uint64_t position, std::string_view hash,
                            std::int64_t signed_at_unix_micros) {
  return absl::StrCat("wijkboek signed head v1\nposition=", position, "\nhash=", Hex(hash),
                      "\nsigned_at=", signed_at_unix_micros, "\n");
}

std::string KeyId(std::string_view public_key) { return Hex(Sha256(public_key)).substr(0, 16); }

absl::StatusOr<std::int64_t> SignedAtMicros(const SignedHead& head) {
  if (head.signed_at().nanos() % 1000 != 0) {
    return absl::InvalidArgumentError("signed_at: has digits below a microsecond");
  }
  return head.signed_at().seconds() * 1000000 + head.signed_at().nanos() / 1000;
}

absl::Status CheckSignedHead(const SignedHead& head) {
  if (head.hash().size() != kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("hash: has ", head.hash().size(), " bytes, not ", kHashSize));
  }
  if (head.public_key().size() != kPublicKeySize) {
    return absl::InvalidArgumentError(absl::StrCat("public_key: has ", head.public_key().size(),
                                                   " bytes, not ", kPublicKeySize));
  }
  if (head.signature().size() != kSignatureSize) {
    return absl::InvalidArgumentError(absl::StrCat("signature: has ", head.signature().size(),
                                                   " bytes, not ", kSignatureSize));
  }
  if (head.key_id() != KeyId(head.public_key())) {
    return absl::InvalidArgumentError(absl::StrCat("key_id: ", head.key_id(),
                                                   " is not the id of the public key, ",
                                                   KeyId(head.public_key())));
  }
  absl::StatusOr<std::int64_t> micros = SignedAtMicros(head);
  if (!micros.ok()) return micros.status();
  if (!SignatureVerifies(head.public_key(),
                         SignedHeadBytes(head.position(), head.hash(), *micros),
                         head.signature())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signature: does not verify with key ", head.key_id(),
        ": the signed head was changed after signing, or not signed with this key"));
  }
  return absl::OkStatus();
}

absl::Status CheckHashAtSignedHead(const SignedHead& head, std::string_view hash) {
  if (hash == head.hash()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the hash here is ", Hex(hash), " but the signed head at ",
                   DescribeSignedHead(head), " says ", Hex(head.hash()),
                   ": the log was rewritten at or before this position"));
}

absl::StatusOr<SignedHead> ParseSignedHead(std::string_view text) {
  absl::string_view last;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    if (!absl::StripAsciiWhitespace(line).empty()) last = line;
  }
  if (last.empty()) return absl::InvalidArgumentError("no signed head: the text is empty");
  SignedHead head;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(last.data(), last.size()), &head, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a signed head (protobuf JSON of wijkboek.v1.SignedHead): ",
                     std::string(parsed.message())));
  }
  return head;
}

std::string SignedHeadJson(const SignedHead& head) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  // A SignedHead holds only valid values (timestamps from a clock), so printing cannot fail.
  (void)google::protobuf::util::MessageToJsonString(head, &out, options);
  return out;
}

std::string DescribeSignedHead(const SignedHead& head) {
  return absl::StrCat("position ", head.position(), " (hash ", Hex(head.hash()).substr(0, 16),
                      "…, signed ", google::protobuf::util::TimeUtil::ToString(head.signed_at()),
                      " by key ", head.key_id(), ")");
}

}  // namespace audit
