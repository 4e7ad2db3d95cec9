// Disk full: wijkboekd on a small tmpfs that the test fills. Appends must fail with
// RESOURCE_EXHAUSTED and say so, reads and views keep working, nothing refused is stored, and
// appends work again once space is freed, without a restart (tests/fault/README.md).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "append_attempts.h"
#include "eventlog_helpers.h"
#include "views_helpers.h"

namespace itest {
namespace {

namespace fs = std::filesystem;

// Larger than RocksDB's reserve: it resumes on its own only once 64 MiB (one write buffer) are
// free.
constexpr const char* kTmpfsSize = "128m";
constexpr size_t kFillerChunk = 256 * 1024;
constexpr int kMaxAppendsUntilFull = 20000;

// A tmpfs mounted over a stopped server's data dir, holding a copy of what was there. Unmounted
// (lazily: the server may still hold files) when destroyed, before the harness removes the dir.
class TmpfsDataDir {
 public:
  explicit TmpfsDataDir(fs::path dir) : dir_(std::move(dir)) {}
  ~TmpfsDataDir() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  // An empty string on success; otherwise why it could not be mounted.
  std::string Mount() {
    const fs::path saved = dir_.parent_path() / "data.before-tmpfs";
    fs::copy(dir_, saved, fs::copy_options::recursive);
    const std::string options = std::string("size=") + kTmpfsSize + ",mode=0700";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      return std::string("mount -t tmpfs: ") + std::strerror(errno);
    }
    mounted_ = true;
    fs::copy(saved, dir_, fs::copy_options::recursive);
    fs::remove_all(saved);
    return {};
  }
  // Fills the filesystem with filler files until a write fails with ENOSPC. Returns how many.
  int Fill() {
    const std::string chunk(kFillerChunk, 'x');
    for (;; ++fillers_) {
      const fs::path path = Filler(fillers_);
      const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0) return fillers_;
      const ssize_t written = ::write(fd, chunk.data(), chunk.size());
      ::close(fd);
      if (written != static_cast<ssize_t>(chunk.size())) return ++fillers_;
    }
  }
  // Frees the newest `count` filler files (all when count exceeds them).
  void Free(int count) {
    for (; count > 0 && fillers_ > 0; --count) fs::remove(Filler(--fillers_));
  }
  uintmax_t available() const { return fs::space(dir_).available; }

 private:
  fs::path Filler(int n) const { return dir_ / ("filler-" + std::to_string(n)); }
  fs::path dir_;
  bool mounted_ = false;
  int fillers_ = 0;
};

v1::AppendRequest BigDecision(int n) {
  v1::ProposedEvent event = MakeDecisionRecorded("vol-" + std::to_string(n) + "-" + NewId("d"));
  event.mutable_payload()->mutable_decision_recorded()->set_text(std::string(8000, 'n'));
  return MakeRequest("programme", {event});
}

void ExpectReadsAndViewsWork(ServerProcess& server) {
  const std::vector<v1::Event> log = MustReadLog(server);
  EXPECT_TRUE(ChainIsIntact(log));
  const uint64_t head = MustGetHead(server).position();
  EXPECT_EQ(head, log.size());
  const v1::GetProgrammeResponse programme =
      MustCall(server, &v1::Views::Stub::GetProgramme, AtLeast<v1::GetProgrammeRequest>(head));
  EXPECT_EQ(programme.as_of_position(), head);
  MustCall(server, &v1::Views::Stub::ListPartners, AtLeast<v1::ListPartnersRequest>(head));
}

TEST(DiskFull, AppendsAreRefusedWhileFullAndResumeWhenSpaceIsFreed) {
  ServerProcess server;
  server.set_extra_args({"--max-append-rate", "0"});
  ASSERT_TRUE(server.Start());
  const Seed programme = SeedPrerequisites(server);
  ASSERT_FALSE(::testing::Test::HasFailure());
  std::vector<Attempt> attempts;
  for (size_t i = 0; i < programme.requests.size(); ++i) {
    attempts.push_back({programme.requests[i], true, programme.responses[i]});
  }
  ASSERT_EQ(server.Stop(), 0);

  TmpfsDataDir disk(server.data_dir());
  if (const std::string why = disk.Mount(); !why.empty()) {
    GTEST_SKIP() << "\n*** SKIPPED: the disk-full test needs to mount a tmpfs (run it as root, "
                    "outside a container that forbids mount): "
                 << why << " ***";
  }
  // Filled before the server starts, so that RocksDB cannot preallocate its new WAL and the disk
  // fills on a WAL write (the first few appends still fit in the room left).
  disk.Fill();
  disk.Free(2);
  ASSERT_TRUE(server.Restart());
  std::cout << "disk full: " << disk.available() << " bytes left on a " << kTmpfsSize
            << " tmpfs before the appends" << std::endl;

  // Append until the disk is full.
  std::vector<size_t> refused;  // indexes into attempts
  grpc::Status first_refusal;
  size_t acknowledged = 0;
  for (int n = 0; n < kMaxAppendsUntilFull && refused.empty(); ++n) {
    Attempt attempt;
    attempt.request = BigDecision(n);
    const AppendResult result = Append(server, attempt.request);
    attempt.acknowledged = result.status.ok();
    attempt.response = result.response;
    if (!result.status.ok()) {
      ASSERT_TRUE(
          StatusIs(result.status, grpc::StatusCode::RESOURCE_EXHAUSTED, "the disk is full"));
      EXPECT_TRUE(StatusIs(result.status, grpc::StatusCode::RESOURCE_EXHAUSTED,
                           "appends resume by themselves once space is freed"));
      refused.push_back(attempts.size());
      first_refusal = result.status;
    } else {
      ++acknowledged;
    }
    attempts.push_back(std::move(attempt));
  }
  ASSERT_FALSE(refused.empty()) << "the disk never filled";
  std::cout << "disk full: " << acknowledged
            << " appends acknowledged before the first refusal: " << Describe(first_refusal)
            << std::endl;

  // While full: a retry is refused the same way; reads, views and the check of the chain work.
  Attempt again;
  again.request = BigDecision(kMaxAppendsUntilFull - 1);
  const AppendResult answer = Append(server, again.request);
  EXPECT_TRUE(StatusIs(answer.status, grpc::StatusCode::RESOURCE_EXHAUSTED, "the disk is full"));
  again.acknowledged = answer.status.ok();
  again.response = answer.response;
  if (!again.acknowledged) refused.push_back(attempts.size());
  attempts.push_back(std::move(again));
  ExpectReadsAndViewsWork(server);
  LogCheck check = ExpectLogHonoursAttempts(server, attempts);
  for (size_t r : refused) EXPECT_FALSE(check.present[r]) << "a refused append was stored";

  // Space freed: the refused append goes through on a retry, without a restart.
  disk.Free(1 << 20);
  Attempt& retried = attempts[refused[0]];
  AppendResult retry;
  EXPECT_TRUE(WaitUntil(
      [&] {
        retry = Append(server, retried.request);
        return retry.status.ok();
      },
      std::chrono::seconds(60)))
      << "appends did not resume after space was freed: " << Describe(retry.status);
  ASSERT_TRUE(retry.status.ok());
  EXPECT_FALSE(retry.response.deduplicated()) << "the refused append had been stored";
  retried.acknowledged = true;
  retried.response = retry.response;
  for (int n = 0; n < 20; ++n) {
    Attempt attempt;
    attempt.request = BigDecision(kMaxAppendsUntilFull + n);
    attempt.response = MustAppend(server, attempt.request);
    attempt.acknowledged = true;
    attempts.push_back(std::move(attempt));
  }
  ExpectReadsAndViewsWork(server);
  check = ExpectLogHonoursAttempts(server, attempts);

  // And a crash afterwards recovers exactly this: the failed write left nothing to replay.
  server.Kill();
  ASSERT_TRUE(server.Restart());
  check = ExpectLogHonoursAttempts(server, attempts);
  for (size_t r : refused) {
    if (r != refused[0]) {
      EXPECT_FALSE(check.present[r]) << "a refused append was stored";
    }
  }
  ExpectReadsAndViewsWork(server);
  std::cout << "disk full: appends refused with RESOURCE_EXHAUSTED while full, resumed after "
               "freeing space; "
            << attempts.size() << " appends checked after a kill -9, lost " << check.lost
            << std::endl;
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace itest
