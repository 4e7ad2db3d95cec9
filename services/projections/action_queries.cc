// ListActions (filters, free text, pagination) and GetAction.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/projections/queries.h"
#include "services/projections/query_util.h"

namespace projections {

namespace v1 = ::wijkboek::v1;

namespace {

// The order of ListActions, and what a page token remembers: the key of the last action shown.
// Resuming after a key (not an offset) keeps pages stable while actions are added meanwhile.
using SortKey = std::tuple<std::string, std::string, std::string>;  // pillar, goal, action

// Tokens are versioned so a later format can tell old tokens apart. Ids are slugs, so '\n'
// cannot occur inside them.
constexpr char kTokenPrefix[] = "a1\n";

std::string EncodeToken(const SortKey& key) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kTokenPrefix, std::get<0>(key), "\n", std::get<1>(key), "\n", std::get<2>(key)));
}

absl::StatusOr<SortKey> DecodeToken(const std::string& token) {
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      "page_token '", token.substr(0, 64),
      "' is not a token from a ListActions response; send it back unchanged, or send none "
      "for the first page"));
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  if (raw.rfind(kTokenPrefix, 0) != 0) return bad;
  std::vector<std::string> parts = absl::StrSplit(raw.substr(sizeof(kTokenPrefix) - 1), '\n');
  if (parts.size() != 3 || parts[2].empty()) return bad;
  return SortKey{parts[0], parts[1], parts[2]};
}

// Every word of the query occurs in the action's title, description or one result's summary.
// Words never span two of these (they hold no whitespace), so each is searched on its own; the
// results on disk are read only for words not found before them.
absl::StatusOr<bool> MatchesText(const Model& model, const v1::ActionView& action,
                                 const std::vector<std::string>& folded_words) {
  std::vector<const std::string*> missing;
  for (const std::string& w : folded_words) missing.push_back(&w);
  const auto search = [&missing](const std::string& text) {
    const std::string folded = internal::FoldCase(text);
    std::erase_if(missing, [&folded](const std::string* w) {
      return folded.find(*w) != std::string::npos;
    });
    return !missing.empty();
  };
  if (!missing.empty()) search(action.title());
  if (!missing.empty()) search(action.description());
  if (missing.empty()) return true;
  absl::Status read = model.ForEachResult(
      action, [&search](const v1::ResultView& r) { return search(r.summary()); });
  if (!read.ok()) return read;
  return missing.empty();
}

bool HasPartner(const v1::ActionView& action, const std::string& partner_id) {
  if (action.owner_partner_id() == partner_id) return true;
  return std::find(action.partner_ids().begin(), action.partner_ids().end(), partner_id) !=
         action.partner_ids().end();
}

}  // namespace

absl::StatusOr<v1::ListActionsResponse> ListActions(const Model& model,
                                                    const v1::ListActionsRequest& request) {
  if (request.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", request.page_size(), " is too large; at most ", kMaxPageSize));
  }
  if (!v1::ActionStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("status ", static_cast<int>(request.status()), " is not an ActionStatus"));
  }
  std::optional<SortKey> after;
  if (!request.page_token().empty()) {
    auto key = DecodeToken(request.page_token());
    if (!key.ok()) return key.status();
    after = *std::move(key);
  }
  if (auto s = internal::CheckPillar(model, request.pillar_id()); !s.ok()) return s;
  if (auto s = internal::CheckGoal(model, request.goal_id()); !s.ok()) return s;
  if (auto s = internal::CheckPartner(model, request.partner_id()); !s.ok()) return s;

  std::vector<std::string> words;
  for (absl::string_view w :
       absl::StrSplit(request.query(), absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    words.push_back(internal::FoldCase(std::string(w)));
  }

  std::vector<std::pair<SortKey, const v1::ActionView*>> matching;
  for (const auto& [id, action] : model.actions) {
    std::string pillar = internal::PillarOf(model, action);
    if (!request.pillar_id().empty() && pillar != request.pillar_id()) continue;
    if (!request.goal_id().empty() && action.goal_id() != request.goal_id()) continue;
    if (request.status() != v1::ACTION_STATUS_UNSPECIFIED && action.status() != request.status()) {
      continue;
    }
    if (!request.partner_id().empty() && !HasPartner(action, request.partner_id())) continue;
    absl::StatusOr<bool> matches = MatchesText(model, action, words);
    if (!matches.ok()) return matches.status();
    if (!*matches) continue;
    matching.emplace_back(SortKey{std::move(pillar), action.goal_id(), id}, &action);
  }
  std::sort(matching.begin(), matching.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  const std::uint32_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  auto first = matching.begin();
  if (after) {
    first = std::upper_bound(matching.begin(), matching.end(), *after,
                             [](const SortKey& key, const auto& m) { return key < m.first; });
  }
  v1::ListActionsResponse out;
  auto it = first;
  for (; it != matching.end() && static_cast<std::uint32_t>(out.actions_size()) < page_size; ++it) {
    v1::ActionView* a = out.add_actions();
    *a = internal::Trimmed(*it->second, kResultsPerListedAction);
    if (a->pillar_id().empty()) a->set_pillar_id(std::get<0>(it->first));
  }
  if (it != matching.end() && it != first) {
    out.set_next_page_token(EncodeToken(std::prev(it)->first));
  }
  out.set_total_count(static_cast<std::uint32_t>(matching.size()));
  out.set_as_of_position(model.position);
  return out;
}

absl::StatusOr<v1::GetActionResponse> GetAction(const Model& model,
                                                const v1::GetActionRequest& request) {
  if (request.action_id().empty()) return absl::InvalidArgumentError("action_id is required");
  auto it = model.actions.find(request.action_id());
  if (it == model.actions.end()) {
    return absl::NotFoundError(absl::StrCat("action '", request.action_id(), "' does not exist"));
  }
  v1::GetActionResponse out;
  *out.mutable_action() = it->second;
  if (model.results_on_disk.contains(request.action_id())) {
    auto* results = out.mutable_action()->mutable_results();
    results->Clear();
    results->Reserve(static_cast<int>(it->second.result_count()));
    absl::Status read = model.ForEachResult(it->second, [results](const v1::ResultView& r) {
      *results->Add() = r;
      return true;
    });
    if (!read.ok()) return read;
  }
  if (out.action().result_count() < static_cast<std::uint32_t>(out.action().results_size())) {
    out.mutable_action()->set_result_count(out.action().results_size());
  }
  if (out.action().pillar_id().empty()) {
    out.mutable_action()->set_pillar_id(internal::PillarOf(model, it->second));
  }
  out.set_as_of_position(model.position);
  return out;
}

}  // namespace projections
