#include "append_attempts.h"

#include <map>
#include <string>
#include <utility>

namespace itest {

LogCheck ExpectLogHonoursAttempts(ServerProcess& server, const std::vector<Attempt>& attempts) {
  const std::vector<v1::Event> log = MustReadLog(server);
  EXPECT_TRUE(ChainIsIntact(log));
  const v1::GetHeadResponse head = MustGetHead(server);
  EXPECT_EQ(head.position(), log.size());
  if (!log.empty()) {
    EXPECT_EQ(head.hash(), log.back().hash());
  }

  std::map<std::string, uint64_t> position_of;  // event_id -> position
  for (const auto& e : log) {
    EXPECT_TRUE(position_of.emplace(e.event_id(), e.position()).second)
        << "event " << e.event_id() << " stored twice (again at " << e.position() << ")";
  }
  std::map<std::string, size_t> attempt_of;  // event_id -> attempt index
  for (size_t a = 0; a < attempts.size(); ++a) {
    for (const auto& e : attempts[a].request.events()) attempt_of[e.event_id()] = a;
  }
  for (const auto& e : log) {
    if (e.position() <= kBootstrapEvents) continue;  // the server's own: principal admin
    EXPECT_TRUE(attempt_of.count(e.event_id()))
        << "position " << e.position() << " holds an event nobody sent";
  }

  std::vector<bool> present(attempts.size(), false);
  size_t lost = 0, torn = 0;
  for (size_t a = 0; a < attempts.size(); ++a) {
    const Attempt& attempt = attempts[a];
    const auto& events = attempt.request.events();
    int found = 0;
    for (const auto& e : events) found += position_of.count(e.event_id()) ? 1 : 0;
    present[a] = found == events.size();
    if (found != 0 && found != events.size()) {
      ++torn;
      ADD_FAILURE() << "request to " << attempt.request.stream() << " is torn: " << found << " of "
                    << events.size() << " events stored";
      continue;
    }
    if (attempt.acknowledged && found == 0) {
      ++lost;
      continue;
    }
    if (found == 0) continue;
    // Stored: contiguous, in order, where it was acknowledged (if it was).
    const uint64_t first = position_of[events[0].event_id()];
    for (int i = 0; i < events.size(); ++i) {
      const uint64_t p = position_of[events[i].event_id()];
      EXPECT_EQ(p, first + i) << "request to " << attempt.request.stream() << " not contiguous";
      if (attempt.acknowledged) {
        EXPECT_EQ(p, attempt.response.first_position() + i)
            << "acknowledged event " << events[i].event_id() << " moved";
      }
      if (p >= 1 && p <= log.size()) {
        EXPECT_EQ(log[p - 1].stream(), attempt.request.stream());
        EXPECT_TRUE(SameMessage(log[p - 1].payload(), events[i].payload()));
      }
    }
  }
  EXPECT_EQ(lost, 0u) << lost << " acknowledged requests lost";
  EXPECT_EQ(torn, 0u);
  return {std::move(present), lost, torn};
}

}  // namespace itest
