// Signed heads: the signed bytes, the key file, checking a head and reading one from a file.
#include "services/audit/signed_head.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "services/audit/audit_test_util.h"
#include "services/audit/head_signer.h"

namespace audit::test {
namespace {

using wijkboek::v1::SignedHead;

class SignedHeadTest : public TempDirTest {
 protected:
  std::unique_ptr<HeadSigner> OpenSigner(bool* created = nullptr) {
    bool made = false;
    absl::StatusOr<std::unique_ptr<HeadSigner>> signer = HeadSigner::Open(dir_, &made);
    EXPECT_TRUE(signer.ok()) << signer.status();
    if (created != nullptr) *created = made;
    return signer.ok() ? *std::move(signer) : nullptr;
  }
  std::string key_path() const { return dir_ + "/" + kHeadSigningKeyFile; }
};

const std::string kHash = std::string(31, '\x11') + '\xab';

TEST(SignedHeadBytesTest, AreTheTextDocumentedInTheContract) {
  EXPECT_EQ(SignedHeadBytes(42, kHash, 1795000000123456),
            "wijkboek signed head v1\nposition=42\nhash=" + std::string(62, '1') +
                "ab\nsigned_at=1795000000123456\n");
}

TEST_F(SignedHeadTest, KeyIsMadeOnceWithMode0600AndKeptAcrossOpens) {
  bool created = false;
  std::unique_ptr<HeadSigner> first = OpenSigner(&created);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(created);
  struct stat st{};
  ASSERT_EQ(::stat(key_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::unique_ptr<HeadSigner> second = OpenSigner(&created);
  ASSERT_NE(second, nullptr);
  EXPECT_FALSE(created);
  EXPECT_EQ(second->public_key(), first->public_key());
  EXPECT_EQ(first->public_key().size(), kPublicKeySize);
  EXPECT_EQ(first->key_id(), KeyId(first->public_key()));
  EXPECT_EQ(first->key_id().size(), 16u);
}

TEST_F(SignedHeadTest, KeyFileOthersCanReadIsRefused) {
  ASSERT_NE(OpenSigner(), nullptr);
  ASSERT_EQ(::chmod(key_path().c_str(), 0644), 0);
  bool created = false;
  absl::Status s = HeadSigner::Open(dir_, &created).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("chmod 600"), absl::string_view::npos) << s;
}

TEST_F(SignedHeadTest, KeyFileThatIsNoKeyIsRefused) {
  {
    std::ofstream out(key_path());
    out << "not a key\n";
  }
  ASSERT_EQ(::chmod(key_path().c_str(), 0600), 0);
  bool created = false;
  EXPECT_EQ(HeadSigner::Open(dir_, &created).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SignedHeadTest, SignedHeadChecksAndSaysWhatWasSigned) {
  std::unique_ptr<HeadSigner> signer = OpenSigner();
  absl::StatusOr<SignedHead> head = signer->Sign(42, kHash, 1795000000123456);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->position(), 42u);
  EXPECT_EQ(head->hash(), kHash);
  EXPECT_EQ(head->signed_at().seconds(), 1795000000);
  EXPECT_EQ(head->signed_at().nanos(), 123456000);
  EXPECT_EQ(head->public_key(), signer->public_key());
  EXPECT_EQ(head->key_id(), signer->key_id());
  EXPECT_EQ(head->signature().size(), kSignatureSize);
  EXPECT_TRUE(CheckSignedHead(*head).ok()) << CheckSignedHead(*head);
}

TEST_F(SignedHeadTest, AnyChangeToASignedHeadFailsItsCheck) {
  std::unique_ptr<HeadSigner> signer = OpenSigner();
  const SignedHead head = *signer->Sign(42, kHash, 1795000000123456);
  std::vector<SignedHead> changed(6, head);
  changed[0].set_position(43);
  changed[1].mutable_hash()->back() ^= 1;
  changed[2].mutable_signed_at()->set_nanos(123457000);
  changed[3].mutable_signature()->front() ^= 1;
  changed[4].set_key_id("0000000000000000");
  changed[5].mutable_signed_at()->set_nanos(123456001);
  for (std::size_t i = 0; i < changed.size(); ++i) {
    absl::Status s = CheckSignedHead(changed[i]);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << "change " << i << ": " << s;
  }
  SignedHead other_key = head;
  bool created = false;
  std::filesystem::remove(key_path());
  std::unique_ptr<HeadSigner> other = *HeadSigner::Open(dir_, &created);
  other_key.set_public_key(other->public_key());
  other_key.set_key_id(other->key_id());
  EXPECT_NE(CheckSignedHead(other_key).message().find("does not verify"), absl::string_view::npos);
}

TEST_F(SignedHeadTest, SignRefusesAHashOfAnotherSize) {
  EXPECT_EQ(OpenSigner()->Sign(1, "short", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SignedHeadTest, ParseTakesOneHeadOrTheLastLineOfMany) {
  std::unique_ptr<HeadSigner> signer = OpenSigner();
  const SignedHead first = *signer->Sign(7, kHash, 1795000000000000);
  const SignedHead second = *signer->Sign(9, kHash, 1795000060000000);
  absl::StatusOr<SignedHead> one = ParseSignedHead(SignedHeadJson(first) + "\n");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->SerializeAsString(), first.SerializeAsString());
  absl::StatusOr<SignedHead> last =
      ParseSignedHead(SignedHeadJson(first) + "\n" + SignedHeadJson(second) + "\n\n");
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->position(), 9u);
  EXPECT_TRUE(CheckSignedHead(*last).ok());
}

TEST(ParseSignedHeadTest, RefusesEmptyTextAndOtherJson) {
  EXPECT_EQ(ParseSignedHead("\n \n").status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status other = ParseSignedHead(R"({"position":"1","colour":"blue"})").status();
  EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(other.message().find("not a signed head"), absl::string_view::npos) << other;
}

}  // namespace
}  // namespace audit::test
