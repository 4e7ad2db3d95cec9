// Fuzzes what the server does with an AppendRequest before anything is stored: api::ToStore (shape,
// ids, sizes), the schema (domain::ValidatePayload / ValidateForStream), and the programme's rules
// (ProgrammeState::Authorize / Decide / Apply) on a small programme. Input: the request's protobuf
// bytes as a client would send them. Besides "no crash", it checks what the code promises:
//   - Apply is total and UndoTo takes back every Apply exactly (state equal to before);
//   - a snapshot parses back to an equal state (Serialize / Parse);
//   - ProgrammeState::Parse never crashes on arbitrary bytes (the input itself).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>

#include "services/api/convert.h"
#include "services/api/limits.h"
#include "services/domain/schema.h"
#include "services/domain/state.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace {

namespace v1 = ::wijkboek::v1;

// The programme every input starts from: ids for the fuzzer's inputs to refer to (the seed corpus
// uses them), one principal per role.
constexpr const char* kProgramme[] = {
    R"pb(principal_registered { principal_id: "beheer" role: ROLE_ADMIN })pb",
    R"pb(partner_joined { partner_id: "vidomes" name: "Vidomes" })pb",
    R"pb(partner_joined { partner_id: "haagse-hogeschool" name: "De Haagse Hogeschool" })pb",
    R"pb(principal_registered {
           principal_id: "vidomes-crm"
           role: ROLE_PARTNER
           partner_id: "vidomes"
         })pb",
    R"pb(principal_registered { principal_id: "accountant" role: ROLE_AUDITOR })pb",
    R"pb(principal_registered { principal_id: "scherm" role: ROLE_DASHBOARD })pb",
    R"pb(token_issued { principal_id: "beheer" token_id: "t-beheer" token_sha256: "0123456789abcdef0123456789abcdef" })pb",
    R"pb(pillar_defined { pillar_id: "jeugd" name: "Jeugd en onderwijs" })pb",
    R"pb(goal_defined { goal_id: "taal" pillar_id: "jeugd" title: "Taal" number: 1 })pb",
    R"pb(kpi_defined { kpi_id: "lezen" pillar_id: "jeugd" goal_id: "taal" name: "Lezen" unit: "%" })pb",
    R"pb(action_started {
           action_id: "taalmaatjes"
           goal_id: "taal"
           title: "Taalmaatjes"
           owner_partner_id: "vidomes"
           status: ACTION_STATUS_IN_PROGRESS
         })pb",
    R"pb(decision_recorded { decision_id: "besluit-1" title: "Besluit" body: "Stuurgroep" })pb",
};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

const domain::ProgrammeState& BaseState() {
  static const domain::ProgrammeState* state = [] {
    auto* s = new domain::ProgrammeState();
    for (const char* text : kProgramme) {
      v1::Payload payload;
      if (!google::protobuf::TextFormat::ParseFromString(text, &payload)) Fail("base programme");
      if (!s->Decide(payload).ok()) Fail("base programme refused");
      s->Apply(payload);
    }
    return s;
  }();
  return *state;
}

const std::vector<domain::Actor>& Actors() {
  static const std::vector<domain::Actor> actors = {
      {"beheer", v1::ROLE_ADMIN, ""},
      {"vidomes-crm", v1::ROLE_PARTNER, "vidomes"},
      {"hhs-crm", v1::ROLE_PARTNER, "haagse-hogeschool"},
      {"accountant", v1::ROLE_AUDITOR, ""},
      {"scherm", v1::ROLE_DASHBOARD, ""},
      {"onbekend", v1::ROLE_UNSPECIFIED, ""},
  };
  return actors;
}

void CheckSnapshot(const domain::ProgrammeState& state) {
  absl::StatusOr<domain::ProgrammeState> back = domain::ProgrammeState::Parse(state.Serialize());
  if (!back.ok()) Fail("a snapshot does not parse");
  if (!(*back == state)) Fail("a snapshot parses to another state");
}

}  // namespace

// Protobuf logs every string field that is not UTF-8: noise at thousands of inputs a second.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)domain::ProgrammeState::Parse(bytes);

  v1::AppendRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;

  // Small limits so the size checks are reached by small inputs as well as the defaults.
  api::RequestLimits small;
  small.max_events_per_append = 4;
  small.max_payload_bytes = 512;
  small.max_string_bytes = 64;
  small.max_metadata_entries = 3;
  small.max_metadata_bytes = 16;
  (void)api::ToStore(request, "vidomes-crm", small);
  (void)api::ToStore(request, "beheer");
  (void)api::ToStore(request.expected_revision());

  // As the writer's gate does: each event that the rules accept is applied, in order; every Apply
  // (refused ones too, to check it is total) is recorded for undo.
  const domain::ProgrammeState& base = BaseState();
  domain::ProgrammeState state = base;
  state.RecordUndo(true);
  for (int i = 0; i < request.events_size() && i < 16; ++i) {
    const v1::Payload& payload = request.events(i).payload();
    (void)domain::EventType(payload);
    (void)domain::StreamFor(payload);
    (void)domain::IsCredentialEvent(payload);
    const bool valid = domain::ValidatePayload(payload, "payload").ok();
    (void)domain::ValidateForStream(payload, request.stream(), "payload", 64);
    for (const domain::Actor& actor : Actors()) (void)state.Authorize(actor, payload);
    const bool accepted = valid && state.Decide(payload).ok();

    const std::size_t mark = state.UndoMark();
    domain::ProgrammeState before = state;
    before.RecordUndo(false);
    state.Apply(payload);
    if (!accepted) {
      state.UndoTo(mark);
      if (!(state == before)) Fail("UndoTo did not take back a refused event's Apply");
    }
  }
  CheckSnapshot(state);
  state.UndoTo(0);
  if (!(state == base)) Fail("UndoTo(0) did not return to the programme");
  return 0;
}
