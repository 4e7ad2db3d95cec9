// The time-travel flags and the reports of `wijkboek audit replay`, without a server.
#include <gtest/gtest.h>

#include "clients/cli/as_of_flags.h"
#include "clients/cli/replay_report.h"

namespace wijkboek::cli {
namespace {

TEST(ResolveAsOf, NoFlagIsTheLiveViews) {
  absl::StatusOr<AsOfBound> b = ResolveAsOf({});
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->live());
  v1::GetProgrammeRequest r;
  ApplyAsOf(*b, &r);
  EXPECT_EQ(r.as_of_position(), 0u);
  EXPECT_FALSE(r.has_as_of_time());
  EXPECT_EQ(r.as_of_business_date(), "");
}

TEST(ResolveAsOf, APlainDateIsTheEndOfThatDayInAmsterdam) {
  absl::StatusOr<AsOfBound> summer = ResolveAsOf({.as_of = "2024-06-30"});
  ASSERT_TRUE(summer.ok()) << summer.status();
  // 2024-07-01T00:00:00+02:00 is 2024-06-30T22:00:00Z; one microsecond before it.
  EXPECT_EQ(summer->time->seconds(), 1719784799);
  EXPECT_EQ(summer->time->nanos(), 999999000);
  EXPECT_EQ(summer->description, "record time: end of 2024-06-30 (Europe/Amsterdam)");
  absl::StatusOr<AsOfBound> winter = ResolveAsOf({.as_of = "2024-01-15"});
  ASSERT_TRUE(winter.ok());
  EXPECT_EQ(winter->time->seconds(), 1705359599);  // 2024-01-15T22:59:59Z (UTC+1)

  v1::ListKpisRequest r;
  ApplyAsOf(*summer, &r);
  EXPECT_EQ(r.as_of_time().seconds(), 1719784799);
}

TEST(ResolveAsOf, AnRfc3339TimeIsTakenAsItIs) {
  absl::StatusOr<AsOfBound> b = ResolveAsOf({.as_of = "2024-06-30T17:00:00+02:00"});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->time->seconds(), 1719759600);
  EXPECT_EQ(b->description, "record time 2024-06-30T15:00:00Z");
}

TEST(ResolveAsOf, PositionAndBusinessDate) {
  absl::StatusOr<AsOfBound> p = ResolveAsOf({.position = 1200});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->position, 1200u);
  EXPECT_EQ(p->description, "position 1200");
  absl::StatusOr<AsOfBound> d = ResolveAsOf({.business_date = "2024-06-30"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->business_date, "2024-06-30");
  v1::GetFundsRequest r;
  ApplyAsOf(*d, &r);
  EXPECT_EQ(r.as_of_business_date(), "2024-06-30");
}

TEST(ResolveAsOf, BadInputNamesTheFlag) {
  auto two = ResolveAsOf({.as_of = "2024-06-30", .position = 3});
  EXPECT_EQ(two.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(two.status().message().find("at most one"), std::string::npos);
  for (const char* bad : {"30-06-2024", "2024-02-30", "gisteren", "2024-06-30 17:00"}) {
    auto r = ResolveAsOf({.as_of = bad});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("--as-of"), std::string::npos) << bad;
  }
  auto date = ResolveAsOf({.business_date = "2024-6-30"});
  EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(date.status().message().find("--business-date"), std::string::npos);
}

v1::ListActionsResponse Actions() {
  v1::ListActionsResponse r;
  r.set_as_of_position(1200);
  r.set_total_count(2);
  v1::ActionView* a = r.add_actions();
  a->set_action_id("taalmaatjes");
  a->set_pillar_id("jeugd");
  a->set_title("Taal | maatjes <samen>");
  a->set_owner_partner_id("bieb");
  a->add_partner_ids("vidomes");
  a->add_partner_ids("woej");
  a->set_status(v1::ACTION_STATUS_IN_PROGRESS);
  a->set_result_count(4);
  a->mutable_last_activity_at()->set_seconds(1719784799);
  v1::ActionView* b = r.add_actions();
  b->set_action_id("taalcafe");
  b->set_status(v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK);
  return r;
}

TEST(ActionsReport, OneRowPerActionWithTheBoundAndThePosition) {
  Report r = ActionsReport(Actions(), "position 1200");
  EXPECT_EQ(r.title, "Actions as of position 1200");
  EXPECT_EQ(r.facts[0], "Log position: 1200");
  ASSERT_EQ(r.tables.size(), 1u);
  ASSERT_EQ(r.tables[0].rows.size(), 2u);
  const std::vector<std::string>& row = r.tables[0].rows[0];
  ASSERT_EQ(row.size(), r.tables[0].columns.size());
  EXPECT_EQ(row[4], "bieb");
  EXPECT_EQ(row[5], "vidomes, woej");
  EXPECT_EQ(row[6], "in-progress");
  EXPECT_EQ(row[8], "2024-06-30 21:59 UTC");
  EXPECT_EQ(r.tables[0].rows[1][4], "(none)");
  EXPECT_EQ(r.tables[0].rows[1][6], "continued-in-regular-work");
}

TEST(RenderMarkdown, TablesWithEscapedCells) {
  const std::string md = RenderMarkdown(ActionsReport(Actions(), "position 1200"));
  EXPECT_EQ(md.rfind("# Actions as of position 1200\n", 0), 0u) << md;
  EXPECT_NE(md.find("| Pillar | Goal | Action |"), std::string::npos) << md;
  EXPECT_NE(md.find("| --- | --- |"), std::string::npos);
  EXPECT_NE(md.find("Taal \\| maatjes \\<samen\\>"), std::string::npos) << md;
}

TEST(RenderHtml, AWholeDocumentWithEverythingEscaped) {
  const std::string html = RenderHtml(ActionsReport(Actions(), "position 1200"));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<h1>Actions as of position 1200</h1>"), std::string::npos);
  EXPECT_NE(html.find("<td>Taal | maatjes &lt;samen&gt;</td>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<samen>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(Reports, EveryViewHasItsTables) {
  v1::GetFundsResponse funds;
  funds.set_total_cents(123456);
  auto* line = funds.add_by_source();
  line->set_id("gemeente");
  line->set_amount_cents(-5);
  Report f = FundsReport(funds, "business date 2024-06-30");
  EXPECT_EQ(f.facts[1], "Total: EUR 1234.56");
  ASSERT_EQ(f.tables.size(), 3u);
  EXPECT_EQ(f.tables[2].rows[0][2], "-0.05");
  EXPECT_NE(RenderMarkdown(f).find("## By pillar\n\n(none)"), std::string::npos);

  v1::ListKpisResponse kpis;
  auto* k = kpis.add_kpis();
  k->set_kpi_id("taal");
  k->set_baseline(60);
  k->set_latest_value(62.5);
  k->set_progress_10y_percent(25);
  EXPECT_EQ(KpisReport(kpis, "").tables[0].rows[0][5], "62.5");
  EXPECT_EQ(KpisReport(kpis, "").tables[0].rows[0][8], "25 %");
  EXPECT_EQ(KpisReport(kpis, "").facts[1], "The live views, not a replay.");

  v1::ListOwnershipGapsResponse gaps;
  auto* g = gaps.add_gaps();
  g->set_kind(v1::GAP_KIND_STALE);
  g->set_days_since_activity(200);
  g->set_reason("Geen activiteit");
  EXPECT_EQ(GapsReport(gaps, "").tables[0].rows[0][0], "stale");
  EXPECT_EQ(GapsReport(gaps, "").tables[0].rows[0][5], "200");
}

}  // namespace
}  // namespace wijkboek::cli
