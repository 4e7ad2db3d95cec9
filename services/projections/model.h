#pragma once
// The programme as the views see it: a plain-data fold of the log, in position order.
//
// Model is what the Views service queries and what time travel rebuilds from a prefix of the log.
// It holds view messages from wijkboek/v1/views.proto directly, so a query is mostly a copy.
// Derived data that depends on many entities (collaborators, the collaboration graph, ownership
// gaps, KPI progress, the project book) is computed at query time (see queries.h).
//
// Persisted form (the projector's snapshot): one row per entity, keyed like `dirty` below, the
// value a serialised view message (EncodeEntity / DecodeEntity). An action's results are rows
// of their own ("result/<action_id>/<index>"), so a new result writes one small row instead of
// re-writing the action's whole result timeline.
//
// Results on disk: the projector's live model may let go of an action's older results once their
// rows are persisted (ReleaseResults); `results_on_disk` then says how many, and ForEachResult
// reads them back from the rows through `stored_rows`. Models that hold every result (time
// travel's folds, tests) leave both empty. Result rows are never rewritten once written (results
// are only appended), so a row below an action's on-disk count reads the same at any time.
//
// Threads: not synchronised; the Projector guards it (see projector.h).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/civil_time.h"

#include "storage/event_store.h"
#include "wijkboek/v1/events.pb.h"
#include "wijkboek/v1/views.pb.h"

namespace projections {

// The oldest results of one action, kept on disk only.
struct ResultsOnDisk {
  std::uint32_t count = 0;  // results 0 .. count-1 are rows in the views family, not in memory
  // The latest business day among them (internal::DayOf of occurred_on, recorded_at), for the
  // stale-action gaps; nullopt when none is dated.
  std::optional<absl::CivilDay> last_day;
  bool operator==(const ResultsOnDisk&) const = default;
};

struct Model {
  // Last position folded into the model; 0 = empty.
  std::uint64_t position = 0;

  wijkboek::v1::ProgrammeDescribed programme;  // the latest description, if any

  // PillarView holds name and ambition only; goals, counts, results and KPIs are filled at query
  // time from the maps below.
  std::map<std::string, wijkboek::v1::PillarView> pillars;
  // GoalView with its action_ids in start order.
  std::map<std::string, wijkboek::v1::GoalView> goals;
  // PartnerView with owned/member action ids and last activity; collaborators at query time.
  std::map<std::string, wijkboek::v1::PartnerView> partners;
  // ActionView complete: results, status history, capacity, funds, last activity, owner_left;
  // except that `results` lacks the oldest results_on_disk[id].count ones (result_count is
  // always the total). Read an action's results with ForEachResult.
  std::map<std::string, wijkboek::v1::ActionView> actions;
  // By action id; only actions that let go of results (see the top comment).
  std::map<std::string, ResultsOnDisk> results_on_disk;
  // Visits the persisted rows whose keys (as in `dirty`) start with `prefix`, in key order, until
  // the visitor returns false. Set by the projector on its live model; copies keep it.
  using RowScanner =
      std::function<absl::Status(const std::string& prefix, const storage::DerivedVisitor& visit)>;
  RowScanner stored_rows;
  // KpiView with its measurements and latest_value; progress at query time.
  std::map<std::string, wijkboek::v1::KpiView> kpis;
  std::map<std::string, wijkboek::v1::ActivityView> activities;

  // Money: per provider partner ("" = none given) and per source, in cents. Per pillar is the sum
  // of the pillar's actions' funds_cents.
  std::map<std::string, std::int64_t> funds_by_partner;
  std::map<std::string, std::int64_t> funds_by_source;

  // Keys of entities changed since the last snapshot (see projector): "pillar/<id>", "goal/<id>",
  // "partner/<id>", "action/<id>" (the action without its results), "result/<action_id>/<n>"
  // (its n-th result, n zero-padded to 10 digits), "kpi/<id>", "activity/<id>",
  // "meta/programme", "meta/funds" (funds_by_partner and funds_by_source). A hash set: most
  // events mark several keys, and ordered inserts of these long, prefix-sharing keys cost more
  // than the rest of the fold.
  absl::flat_hash_set<std::string> dirty;

  // Folds one committed event. `payload` is the parsed e.payload. Events must come in position
  // order without gaps; an event that the rules would have refused cannot be in the log, but the
  // fold must not crash on one (e.g. a result for an unknown action is ignored).
  void Apply(const storage::StoredEvent& e, const wijkboek::v1::Payload& payload);

  bool operator==(const Model& other) const;  // ignores `dirty` and `stored_rows`

  // Every result of `action` (one of `actions`), oldest first: the rows on disk, then those in
  // memory, until `each` returns false. Errors: those of reading the rows; DATA_LOSS when a row
  // does not parse or one is missing.
  [[nodiscard]] absl::Status ForEachResult(
      const wijkboek::v1::ActionView& action,
      const std::function<bool(const wijkboek::v1::ResultView&)>& each) const;
  // Keeps at most `keep` results in memory for every action that has a result row in `dirty`,
  // moving the older ones to results_on_disk. Call only once those rows are persisted (after the
  // snapshot's write, before clearing `dirty`), and only on a model with `stored_rows`.
  void ReleaseResults(std::size_t keep);
  // The same for one action, whatever `dirty` says.
  void ReleaseResultsOf(const std::string& action_id, std::size_t keep);

  // The stored bytes of the entity under `key` (a key as in `dirty`), or nullopt when no such
  // entity exists (its row is then deleted).
  std::optional<std::string> EncodeEntity(std::string_view key) const;
  // Loads one row written by EncodeEntity. Rows may come in any order, except that an action's
  // result rows come in index order (as a scan by key gives them). DATA_LOSS when the key is
  // unknown, the bytes do not parse or a result row skips an index. Does not touch `position` or
  // `dirty`. A result row counts after the action's results on disk (results_on_disk), so a
  // loader may release results as it goes (ReleaseResultsOf).
  [[nodiscard]] absl::Status DecodeEntity(std::string_view key, std::string_view value);

  // The key of an action's n-th result row.
  static std::string ResultKey(std::string_view action_id, std::size_t index);

 private:
  std::size_t OnDisk(const std::string& action_id) const;  // results_on_disk[id].count or 0
};

}  // namespace projections
