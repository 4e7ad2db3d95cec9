#pragma once
// The Views queries: one pure function per Views RPC, from the Model and the request to the
// response. Everything that depends on many entities is computed here, at query time: pillar
// summaries, collaborators, the collaboration graph, ownership gaps, KPI progress, funds per
// pillar and the project book. Nothing is cached, so an answer is always exactly the model at
// `model.position`, which every response reports as `as_of_position`.
//
// Threads: the functions keep no state; the caller holds the model still while one runs (the
// Views service calls them inside Projector::Read). Time: queries that need "today" take it as a
// parameter, so the same model and request always give the same answer (and tests are
// deterministic).
//
// Errors, the same for every query:
//   NOT_FOUND         an id in the request (partner, action, and pillar / goal / partner used as a
//                     filter) that the model does not know; the message names it.
//   INVALID_ARGUMENT  a malformed request: page_size over kMaxPageSize, a page_token that no
//                     ListActions response gave, a date that is not YYYY-MM-DD, to_date before
//                     from_date, a status outside ActionStatus, stale_days over kMaxStaleDays.
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/projections/model.h"
#include "wijkboek/v1/views.pb.h"

namespace projections {

inline constexpr std::uint32_t kDefaultPageSize = 50;
inline constexpr std::uint32_t kMaxPageSize = 500;
// ListActions and GetPartner show at most this many results per action (the newest); GetAction
// shows them all. result_count always says how many there are.
inline constexpr int kResultsPerListedAction = 3;
// PillarView.latest_results holds at most this many results, newest first.
inline constexpr int kLatestResultsPerPillar = 5;
inline constexpr std::uint32_t kDefaultStaleDays = 180;
inline constexpr std::uint32_t kMaxStaleDays = 36500;

// Per pillar (in the programme's order, see PillarView.defined_at_position): its goals, actions per
// status, latest results, KPIs with progress.
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetProgrammeResponse> GetProgramme(
    const Model& model, const wijkboek::v1::GetProgrammeRequest& request);

// The directory, by name: filtered by sector and role, current partners unless include_left.
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListPartnersResponse> ListPartners(
    const Model& model, const wijkboek::v1::ListPartnersRequest& request);

// One partner with its collaborators and the actions it owns and joins (results trimmed to
// kResultsPerListedAction). NOT_FOUND for an unknown partner.
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetPartnerResponse> GetPartner(
    const Model& model, const wijkboek::v1::GetPartnerRequest& request);

// Filtered, ordered by (pillar id, goal id, action id), paged. Free text matches every word of
// `query` (case-insensitively) in title, description or a result's summary.
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListActionsResponse> ListActions(
    const Model& model, const wijkboek::v1::ListActionsRequest& request);

// One action with all its results and its status history. NOT_FOUND for an unknown action.
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetActionResponse> GetAction(
    const Model& model, const wijkboek::v1::GetActionRequest& request);

// Who works with whom: nodes are partners, edges weighted by shared actions (heaviest first).
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetCollaborationResponse> GetCollaboration(
    const Model& model, const wijkboek::v1::GetCollaborationRequest& request);

// Actions without owner, whose owner left, or without a result or status change for stale_days
// before `today`; goals without actions. Each gap has a Dutch sentence for people.
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListOwnershipGapsResponse> ListOwnershipGaps(
    const Model& model, const wijkboek::v1::ListOwnershipGapsRequest& request,
    absl::CivilDay today);

// KPIs (by pillar, then id) with measurements and progress towards both targets.
[[nodiscard]] absl::StatusOr<wijkboek::v1::ListKpisResponse> ListKpis(
    const Model& model, const wijkboek::v1::ListKpisRequest& request);

// Activities that take place between from_date (empty = `today`) and to_date (inclusive; empty
// = no end), by start date.
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetAgendaResponse> GetAgenda(
    const Model& model, const wijkboek::v1::GetAgendaRequest& request, absl::CivilDay today);

// Money per pillar (its actions' funds), per providing partner and per source; largest first.
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetFundsResponse> GetFunds(
    const Model& model, const wijkboek::v1::GetFundsRequest& request);

// The project book ("projectenboek"), in Dutch, as Markdown and as a self-contained HTML page:
// per pillar and goal the table Activiteit | Resultaat | Status. See project_book.cc.
[[nodiscard]] absl::StatusOr<wijkboek::v1::GetProjectBookResponse> GetProjectBook(
    const Model& model, const wijkboek::v1::GetProjectBookRequest& request);

}  // namespace projections
