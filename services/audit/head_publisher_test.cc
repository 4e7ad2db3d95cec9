// HeadPublisher: signs at start, again only when the head moved, and once more at stop.
#include "services/audit/head_publisher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "absl/strings/str_split.h"
#include "services/audit/audit_test_util.h"
#include "services/audit/signed_head.h"

namespace audit::test {
namespace {

class HeadPublisherTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    bool created = false;
    signer_ = *HeadSigner::Open(dir_, &created);
  }

  // The signed heads in the file, each checked.
  std::vector<wijkboek::v1::SignedHead> Published() const {
    std::ifstream in(path());
    std::vector<wijkboek::v1::SignedHead> heads;
    std::string line;
    while (std::getline(in, line)) {
      absl::StatusOr<wijkboek::v1::SignedHead> head = ParseSignedHead(line);
      EXPECT_TRUE(head.ok()) << head.status();
      if (!head.ok()) continue;
      EXPECT_TRUE(CheckSignedHead(*head).ok()) << CheckSignedHead(*head);
      heads.push_back(*head);
    }
    return heads;
  }
  std::string path() const { return dir_ + "/" + kSignedHeadsFile; }

  HeadSource Source() {
    return [this]() -> absl::StatusOr<Head> {
      const std::uint64_t position = position_.load();
      return Head{position, std::string(31, '\0') + static_cast<char>(position)};
    };
  }

  std::unique_ptr<HeadSigner> signer_;
  std::atomic<std::uint64_t> position_{0};
  // Long enough that the periodic thread never fires during a test: each test publishes itself.
  const std::chrono::milliseconds kNever = std::chrono::hours(1);
};

TEST_F(HeadPublisherTest, PublishesAtStartThenOnlyWhenTheHeadMovedAndAtStop) {
  position_ = 3;
  HeadPublisher publisher(signer_.get(), Source(), path(), kNever);
  ASSERT_TRUE(publisher.Start().ok());
  ASSERT_EQ(Published().size(), 1u);
  EXPECT_EQ(Published()[0].position(), 3u);

  ASSERT_TRUE(publisher.PublishIfMoved().ok());
  EXPECT_EQ(Published().size(), 1u) << "an unmoved head was signed again";

  position_ = 5;
  ASSERT_TRUE(publisher.PublishIfMoved().ok());
  position_ = 8;
  publisher.Stop();
  const std::vector<wijkboek::v1::SignedHead> heads = Published();
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[1].position(), 5u);
  EXPECT_EQ(heads[2].position(), 8u);
  EXPECT_EQ(heads[2].hash().back(), 8);
  EXPECT_EQ(heads[2].key_id(), signer_->key_id());
}

TEST_F(HeadPublisherTest, EmptyLogIsNotPublished) {
  HeadPublisher publisher(signer_.get(), Source(), path(), kNever);
  ASSERT_TRUE(publisher.Start().ok());
  publisher.Stop();
  EXPECT_TRUE(Published().empty());
}

TEST_F(HeadPublisherTest, PeriodicThreadPublishesAMovedHead) {
  position_ = 1;
  HeadPublisher publisher(signer_.get(), Source(), path(), std::chrono::milliseconds(10));
  ASSERT_TRUE(publisher.Start().ok());
  position_ = 2;
  // Waits for the thread, with a deadline; no assertion on how soon it comes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (Published().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(Published().size(), 2u);
  EXPECT_EQ(Published()[1].position(), 2u);
}

}  // namespace
}  // namespace audit::test
