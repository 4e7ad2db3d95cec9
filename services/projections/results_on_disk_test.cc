// The projector's live model with results on disk (ProjectorOptions::results_in_memory): every
// query answers exactly as over a model that holds every result, while following the log, after
// a restart and for time travel's copy of the live model; and memory holds only the newest few.
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "absl/time/civil_time.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/projections/projector.h"
#include "services/projections/queries.h"
#include "services/projections/test_store.h"

namespace projections::test {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr std::size_t kKept = 5;  // the fewest the projector allows (kLatestResultsPerPillar)

class ResultsOnDiskTest : public StoreTest {
 protected:
  std::unique_ptr<Projector> OpenProjector() {
    ProjectorOptions options;
    options.results_in_memory = 1;  // raised to kKept
    options.snapshot_events = 50;   // so that results move to disk while following
    options.bulk_snapshot_events = 300;
    auto projector = Projector::Open(store_.get(), options);
    EXPECT_TRUE(projector.ok()) << projector.status();
    return projector.ok() ? *std::move(projector) : nullptr;
  }

  // Every query of queries.h, over `model` and over `full`, gives the same answer.
  static void ExpectSameAnswers(const Model& model, const Model& full) {
    const auto same = [](const auto& a, const auto& b, const std::string& what) {
      ASSERT_EQ(a.ok(), b.ok()) << what << ": " << a.status() << " / " << b.status();
      if (!a.ok()) return;
      EXPECT_TRUE(MessageDifferencer::Equals(*a, *b))
          << what << "\n" << a->DebugString().substr(0, 2000) << "\n---\n"
          << b->DebugString().substr(0, 2000);
    };
    same(GetProgramme(model, {}), GetProgramme(full, {}), "GetProgramme");
    same(GetProjectBook(model, {}), GetProjectBook(full, {}), "GetProjectBook");
    v1::ListOwnershipGapsRequest gaps;
    gaps.set_stale_days(30);
    for (const absl::CivilDay today : {absl::CivilDay(2022, 6, 1), absl::CivilDay(2026, 1, 1)}) {
      same(ListOwnershipGaps(model, gaps, today), ListOwnershipGaps(full, gaps, today), "Gaps");
    }
    same(ListActions(model, {}), ListActions(full, {}), "ListActions");
    for (const auto& [id, action] : full.actions) {
      v1::GetActionRequest get;
      get.set_action_id(id);
      same(GetAction(model, get), GetAction(full, get), "GetAction " + id);
      // Free text from the action's oldest and newest result: the one may be on disk only.
      for (int i : {0, action.results_size() - 1}) {
        if (action.results_size() == 0) break;
        v1::ListActionsRequest list;
        list.set_query(action.results(i).summary());
        same(ListActions(model, list), ListActions(full, list), "ListActions query " + id);
      }
    }
    for (const auto& [id, partner] : full.partners) {
      v1::GetPartnerRequest get;
      get.set_partner_id(id);
      same(GetPartner(model, get), GetPartner(full, get), "GetPartner " + id);
    }
  }

  // Checks `model` holds at most kKept results per action, and some on disk.
  static void ExpectResultsOnDisk(const Model& model) {
    std::size_t on_disk = 0;
    for (const auto& [id, action] : model.actions) {
      EXPECT_LE(action.results_size(), static_cast<int>(kKept) + 50) << id;
      auto it = model.results_on_disk.find(id);
      if (it == model.results_on_disk.end()) continue;
      on_disk += it->second.count;
      EXPECT_EQ(it->second.count + action.results_size(), action.result_count()) << id;
    }
    EXPECT_GT(on_disk, 0u);  // else this test would check nothing
  }
};

TEST_F(ResultsOnDiskTest, QueriesAnswerAsOverEveryResultFollowingRestartedAndAsOfNow) {
  RandomLog log(7);
  const std::vector<v1::Payload> payloads = log.Make(3000);
  Append({payloads.begin(), payloads.begin() + 1500});
  auto projector = OpenProjector();
  ASSERT_NE(projector, nullptr);
  projector->Start();
  Append({payloads.begin() + 1500, payloads.end()});
  projector->Notify();
  ASSERT_TRUE(projector->WaitFor(3000, std::chrono::steady_clock::now() + std::chrono::seconds(30)));

  const Model full = FoldedDirectly(3000);
  projector->Read([&](const Model& live) {
    ExpectResultsOnDisk(live);
    ExpectSameAnswers(live, full);
  });

  // Time travel "as of now" starts from a copy of the live model, results on disk and all.
  std::promise<absl::StatusOr<AsOfModel>> answer;
  projector->time_travel().Request(
      *ParseAsOf(3000, nullptr, ""), std::chrono::steady_clock::now() + std::chrono::seconds(30),
      nullptr, [&](absl::StatusOr<AsOfModel> a) { answer.set_value(std::move(a)); });
  absl::StatusOr<AsOfModel> now = answer.get_future().get();
  EXPECT_EQ(projector->time_travel().stats().live_copies, 1u);
  projector->Stop();
  ASSERT_TRUE(now.ok()) << now.status();
  ExpectSameAnswers(*now->model, full);

  // A restart loads only the newest results of each action.
  projector.reset();
  OpenStore();
  projector = OpenProjector();
  ASSERT_NE(projector, nullptr);
  EXPECT_EQ(projector->stats().events_folded_on_open, 0u);
  projector->Read([&](const Model& loaded) {
    ExpectResultsOnDisk(loaded);
    for (const auto& [id, action] : loaded.actions) {
      EXPECT_LE(action.results_size(), static_cast<int>(kKept)) << id;
    }
    ExpectSameAnswers(loaded, full);
  });
}

}  // namespace
}  // namespace projections::test
