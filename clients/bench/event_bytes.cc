#include "clients/bench/event_bytes.h"

#include <random>

#include "absl/strings/str_cat.h"

namespace bench {
namespace {

// What a partner writes when it records a result: a few sentences of Dutch, 250 bytes, so
// that with the action id, figure, unit and date the payload is about 300 bytes.
constexpr char kSummary[] =
    "Taalcafé in de bibliotheek van Leidschendam-Noord: veertien bewoners oefenden Nederlands met "
    "vrijwilligers, drie nieuwe deelnemers via het wijkteam, twee doorverwezen naar het "
    "schuldhulpspreekuur. Volgende keer samen met de ouderkamer van de school.";

}  // namespace

std::string ActionId(int index) { return absl::StrCat("bench-c", index); }

std::string StreamName(int index) { return absl::StrCat("action-", ActionId(index)); }

wijkboek::v1::Payload ResultPayload(int index) {
  wijkboek::v1::Payload payload;
  auto* result = payload.mutable_result_recorded();
  result->set_action_id(ActionId(index));
  result->set_summary(kSummary);
  result->set_value(14);
  result->set_unit("bewoners");
  result->set_occurred_on("2026-05-20");
  return payload;
}

std::string ResultPayloadBytes(int index) {
  std::string bytes;
  ResultPayload(index).SerializeToString(&bytes);
  return bytes;
}

EventIdSource::EventIdSource() {
  std::random_device random;
  high_ = (std::uint64_t{random()} << 32) ^ random();
}

std::string EventIdSource::Next() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint8_t bytes[16];
  const std::uint64_t low = counter_++;
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(high_ >> (56 - 8 * i));
    bytes[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0f]);
  }
  return out;
}

}  // namespace bench
