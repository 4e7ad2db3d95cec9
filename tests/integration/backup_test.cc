// Admin.Backup and `wijkboekd --restore-from`: a backup taken while a writer keeps appending
// restores into a new data dir whose chain verifies, whose log is the original's up to the
// backup's position, and whose views answer as a rebuild from that log does.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "eventlog_helpers.h"
#include "server_process.h"
#include "views_helpers.h"
#include "wijkboek/v1/admin.grpc.pb.h"
#include "wijkboek/v1/views.grpc.pb.h"

namespace itest {
namespace {

namespace fs = std::filesystem;

std::string ReadFileForTest(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

grpc::Status Backup(ServerProcess& server, const std::string& directory,
                    v1::BackupResponse* response) {
  auto stub = v1::Admin::NewStub(server.Channel());
  grpc::ClientContext context;
  server.Authorize(&context, std::chrono::seconds(60));
  v1::BackupRequest request;
  request.set_directory(directory);
  return stub->Backup(&context, request, response);
}

// Runs `wijkboekd --restore-from from --data-dir to`; its exit status, output into `log`.
int Restore(const fs::path& from, const fs::path& to, const fs::path& log) {
  const std::string command = std::string("'") + WIJKBOEKD_PATH + "' --restore-from '" +
                              from.string() + "' --data-dir '" + to.string() + "' > '" +
                              log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Views {
  v1::GetProgrammeResponse programme;
  v1::ListActionsResponse actions;
  v1::GetProjectBookResponse book;
};

Views ReadViews(ServerProcess& server, uint64_t head) {
  Views v;
  v.programme = MustCall(server, &v1::Views::Stub::GetProgramme,
                         AtLeast<v1::GetProgrammeRequest>(head));
  v.actions =
      MustCall(server, &v1::Views::Stub::ListActions, AtLeast<v1::ListActionsRequest>(head));
  v.book = MustCall(server, &v1::Views::Stub::GetProjectBook,
                    AtLeast<v1::GetProjectBookRequest>(head));
  return v;
}

TEST(BackupTest, ABackupUnderLoadRestoresAVerifiedLogAndItsViews) {
  ServerProcess original;
  ASSERT_TRUE(original.Start());
  SeedPrerequisites(original);
  const std::string action = NewId("act");
  MustAppend(original, MakeRequest("action-" + action, NoStream(), {MakeActionStarted(action)}));

  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer([&] {
    while (!stop.load()) {
      AppendResult r = Append(original, MakeRequest("action-" + action,
                                                    {MakeResultRecorded(action, NewId("r"))}));
      if (r.status.ok()) appended.fetch_add(1);
    }
  });
  ASSERT_TRUE(WaitUntil([&] { return appended.load() >= 10; }, std::chrono::seconds(30)));
  const fs::path root = original.data_dir().parent_path();
  v1::BackupResponse backup;
  const grpc::Status s = Backup(original, (root / "backup").string(), &backup);
  const int appended_at_backup = appended.load();
  ASSERT_TRUE(WaitUntil([&] { return appended.load() >= appended_at_backup + 10; },
                        std::chrono::seconds(30)))
      << "appends go on after the backup";
  stop = true;
  writer.join();
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(backup.directory(), (root / "backup").string());
  EXPECT_GT(backup.position(), kBootstrapEvents + kSeedEvents + 1 + 10 - 1);
  EXPECT_GT(backup.bytes(), 0u);
  EXPECT_FALSE(fs::exists(root / "backup" / "admin.token")) << "the secret stays out";
  EXPECT_TRUE(fs::exists(root / "backup" / "admin.token.sha256"));
  const std::vector<v1::Event> all = MustReadLog(original);
  ASSERT_GT(all.size(), backup.position());
  EXPECT_EQ(all[backup.position() - 1].hash(), backup.head_hash());
  ASSERT_EQ(original.Stop(), 0);

  // Restore into the data dir of a second server, which has not started yet.
  ServerProcess restored;
  const fs::path target = restored.data_dir();
  ASSERT_EQ(Restore(root / "backup", target, root / "restore.log"), 0)
      << ReadFileForTest(root / "restore.log");
  EXPECT_EQ(Restore(root / "backup", target, root / "again.log"), 1)
      << "a data dir that is not empty is refused";
  EXPECT_NE(ReadFileForTest(root / "again.log").find("not an empty directory"), std::string::npos)
      << ReadFileForTest(root / "again.log");
  // The operator keeps the admin token (a secret) apart from backups and copies it back.
  fs::copy_file(original.data_dir() / "admin.token", target / "admin.token");
  ASSERT_TRUE(restored.Start());

  EXPECT_EQ(MustGetHead(restored).position(), backup.position());
  {
    grpc::ClientContext context;
    restored.Authorize(&context, std::chrono::seconds(60));
    v1::VerifyResponse verify;
    ASSERT_TRUE(restored.Stub().Verify(&context, v1::VerifyRequest(), &verify).ok());
    EXPECT_TRUE(verify.ok()) << verify.reason();
    EXPECT_EQ(verify.head_hash(), backup.head_hash());
  }
  const std::vector<v1::Event> copy = MustReadLog(restored);
  ASSERT_EQ(copy.size(), backup.position());
  for (size_t i = 0; i < copy.size(); ++i) {
    ASSERT_TRUE(SameMessage(copy[i], all[i])) << "position " << i + 1;
  }

  // The restored views (the backup's own, plus what was folded on start) equal a rebuild.
  const Views served = ReadViews(restored, backup.position());
  ASSERT_EQ(restored.Stop(), 0);
  restored.set_extra_args({"--rebuild-views"});
  ASSERT_TRUE(restored.Restart());
  const Views rebuilt = ReadViews(restored, backup.position());
  EXPECT_TRUE(SameMessage(served.programme, rebuilt.programme));
  EXPECT_TRUE(SameMessage(served.actions, rebuilt.actions));
  EXPECT_TRUE(SameMessage(served.book, rebuilt.book));
  EXPECT_GT(served.book.ByteSizeLong(), 0u);
}

TEST(BackupTest, ABackupRefusesARelativeOrUsedDirectoryAndLeavesNothing) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  v1::BackupResponse response;
  grpc::Status s = Backup(server, "relative/dir", &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("absolute"), std::string::npos) << s.error_message();
  const fs::path used = server.data_dir().parent_path() / "used";
  fs::create_directories(used / "something");
  s = Backup(server, used.string(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << Describe(s);
  EXPECT_TRUE(fs::exists(used / "something")) << "nothing of it was touched";
  // An empty directory is fine.
  const fs::path empty = server.data_dir().parent_path() / "empty";
  fs::create_directories(empty);
  s = Backup(server, empty.string(), &response);
  EXPECT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(response.position(), kBootstrapEvents);
}

TEST(BackupTest, RestoreRefusesADirectoryThatIsNoBackup) {
  ServerProcess server;  // not started: only its temp dir is used
  const fs::path root = server.data_dir().parent_path();
  fs::create_directories(root / "not-a-backup");
  EXPECT_EQ(Restore(root / "not-a-backup", root / "new", root / "restore.log"), 1);
  EXPECT_NE(ReadFileForTest(root / "restore.log").find("backup.txt is missing"),
            std::string::npos)
      << ReadFileForTest(root / "restore.log");
  EXPECT_FALSE(fs::exists(root / "new"));
}

}  // namespace
}  // namespace itest
