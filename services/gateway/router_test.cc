#include "services/gateway/router.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(MatchRoute, Collections) {
  EXPECT_EQ(MatchRoute("/api/v1/programme").route, Route::kProgramme);
  EXPECT_EQ(MatchRoute("/api/v1/partners").route, Route::kPartners);
  EXPECT_EQ(MatchRoute("/api/v1/actions/").route, Route::kActions);
  EXPECT_EQ(MatchRoute("/api/v1/collaboration").route, Route::kCollaboration);
  EXPECT_EQ(MatchRoute("/api/v1/kpis").route, Route::kKpis);
  EXPECT_EQ(MatchRoute("/api/v1/agenda").route, Route::kAgenda);
  EXPECT_EQ(MatchRoute("/api/v1/funds").route, Route::kFunds);
  EXPECT_EQ(MatchRoute("/api/v1/ownership-gaps").route, Route::kOwnershipGaps);
  EXPECT_EQ(MatchRoute("/api/v1/project-book").route, Route::kProjectBook);
  EXPECT_EQ(MatchRoute("/api/v1/events/live").route, Route::kLive);
}

TEST(MatchRoute, ItemsCarryTheirId) {
  RouteMatch m = MatchRoute("/api/v1/partners/vidomes");
  EXPECT_EQ(m.route, Route::kPartner);
  EXPECT_EQ(m.id, "vidomes");
  m = MatchRoute("/api/v1/actions/jo-taalmaatjes/");
  EXPECT_EQ(m.route, Route::kAction);
  EXPECT_EQ(m.id, "jo-taalmaatjes");
}

TEST(MatchRoute, UnknownApiPathsAreApiNotFound) {
  EXPECT_EQ(MatchRoute("/api/v1/nope").route, Route::kApiNotFound);
  EXPECT_EQ(MatchRoute("/api/v1/partners/a/b").route, Route::kApiNotFound);
  EXPECT_EQ(MatchRoute("/api/v2/programme").route, Route::kApiNotFound);
  EXPECT_EQ(MatchRoute("/api").route, Route::kApiNotFound);
  EXPECT_EQ(MatchRoute("/api/v1/actions/" + std::string(300, 'a')).route, Route::kApiNotFound);
}

TEST(MatchRoute, PagesAssetsAndFixedPaths) {
  EXPECT_EQ(MatchRoute("/").route, Route::kPage);
  EXPECT_EQ(MatchRoute("/partners/vidomes").route, Route::kPage);
  EXPECT_EQ(MatchRoute("/assets/index-3f9a.js").route, Route::kAsset);
  EXPECT_EQ(MatchRoute("/healthz").route, Route::kHealth);
  EXPECT_EQ(MatchRoute("/metrics").route, Route::kMetrics);
  EXPECT_EQ(MatchRoute("/login").route, Route::kLogin);
  EXPECT_EQ(MatchRoute("/logout").route, Route::kLogout);
  EXPECT_EQ(MatchRoute("/apix").route, Route::kPage);
}

TEST(MethodAllowed, GetAndHeadEverywherePostOnlyForLogin) {
  EXPECT_TRUE(MethodAllowed(Route::kProgramme, "GET"));
  EXPECT_TRUE(MethodAllowed(Route::kProgramme, "HEAD"));
  EXPECT_FALSE(MethodAllowed(Route::kProgramme, "POST"));
  EXPECT_FALSE(MethodAllowed(Route::kPage, "DELETE"));
  EXPECT_TRUE(MethodAllowed(Route::kLogin, "POST"));
  EXPECT_TRUE(MethodAllowed(Route::kLogout, "POST"));
  EXPECT_FALSE(MethodAllowed(Route::kLogout, "HEAD"));
  EXPECT_EQ(AllowedMethods(Route::kActions), "GET, HEAD");
  EXPECT_EQ(AllowedMethods(Route::kLogin), "GET, HEAD, POST");
}

TEST(NeedsReader, OnlyLoginHealthAndAssetsAreOpen) {
  EXPECT_FALSE(NeedsReader(Route::kHealth));
  EXPECT_FALSE(NeedsReader(Route::kLogin));
  EXPECT_FALSE(NeedsReader(Route::kLogout));
  EXPECT_FALSE(NeedsReader(Route::kAsset));
  EXPECT_TRUE(NeedsReader(Route::kPage));
  EXPECT_TRUE(NeedsReader(Route::kLive));
  EXPECT_TRUE(NeedsReader(Route::kApiNotFound));
  EXPECT_TRUE(IsApi(Route::kLive));
  EXPECT_FALSE(IsApi(Route::kPage));
}

}  // namespace
}  // namespace gateway
