// wijkboekd keeps only each action's newest results in memory (services/projections/README.md,
// "Results on disk"); the older ones come back from their rows whenever a view needs them. After
// a restart the views load only the newest, so every answer below reads the rest from disk.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventlog_helpers.h"
#include "views_helpers.h"

namespace itest {
namespace {

using S = v1::Views::Stub;

constexpr int kResults = 40;  // well over the 16 the views keep in memory

TEST_F(SeededServerTest, ResultsOnDiskComeBackInEveryViewAfterARestart) {
  const std::string action = "veel-resultaten";
  const std::string stream = absl::StrCat("action-", action);
  MustAppend(server_, MakeRequest(stream, {MakeActionStarted(action)}));
  std::vector<v1::ProposedEvent> results;
  for (int i = 0; i < kResults; ++i) {
    results.push_back(MakeResultRecorded(action, absl::StrCat("meting-", i, " buurtavond")));
  }
  const uint64_t head = MustAppend(server_, MakeRequest(stream, results)).last_position();
  ASSERT_EQ(server_.Stop(), 0);  // writes the final snapshot
  ASSERT_TRUE(server_.Restart());

  v1::GetActionRequest get;
  get.set_action_id(action);
  get.set_min_position(head);
  const v1::GetActionResponse live = MustCall(server_, &S::GetAction, get);
  ASSERT_EQ(live.action().results_size(), kResults);
  EXPECT_EQ(live.action().result_count(), static_cast<uint32_t>(kResults));
  for (int i = 0; i < kResults; ++i) {
    EXPECT_EQ(live.action().results(i).summary(), absl::StrCat("meting-", i, " buurtavond"));
  }

  // Folded from the log with every result in memory: the same bytes.
  v1::GetActionRequest as_of = get;
  as_of.set_as_of_position(head);
  EXPECT_EQ(MustCall(server_, &S::GetAction, as_of).SerializeAsString(), live.SerializeAsString());
  v1::GetProjectBookRequest book;
  book.set_min_position(head);
  const std::string live_book = MustCall(server_, &S::GetProjectBook, book).markdown();
  EXPECT_NE(live_book.find("meting-0 buurtavond"), std::string::npos);
  book.set_as_of_position(head);
  EXPECT_EQ(MustCall(server_, &S::GetProjectBook, book).markdown(), live_book);

  // Free text finds a word that only the oldest result holds.
  v1::ListActionsRequest search;
  search.set_query("meting-0");
  search.set_min_position(head);
  const v1::ListActionsResponse found = MustCall(server_, &S::ListActions, search);
  ASSERT_EQ(found.actions_size(), 1);
  EXPECT_EQ(found.actions(0).action_id(), action);
  EXPECT_EQ(found.actions(0).result_count(), static_cast<uint32_t>(kResults));
  EXPECT_EQ(found.actions(0).results_size(), 3);  // lists show the newest few
}

}  // namespace
}  // namespace itest
