#include "services/projections/as_of.h"

#include <google/protobuf/descriptor.h>

#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/projections/query_util.h"

namespace projections {
namespace {

namespace v1 = ::wijkboek::v1;

// What google.protobuf.Timestamp may hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr std::int64_t kMinTimestampSeconds = -62135596800;
constexpr std::int64_t kMaxTimestampSeconds = 253402300799;

// Events between two calls of FoldPrefix's keep_going: a few milliseconds of folding, so a
// cancelled or late call stops promptly.
constexpr std::uint64_t kCheckEvery = 1024;

// The payload's occurred_on, whatever its event type (they all have the field); empty when unset.
std::string OccurredOn(const v1::Payload& payload) {
  static const google::protobuf::OneofDescriptor* const kEvent =
      v1::Payload::descriptor()->FindOneofByName("event");
  const google::protobuf::Reflection* reflection = payload.GetReflection();
  const google::protobuf::FieldDescriptor* field =
      reflection->GetOneofFieldDescriptor(payload, kEvent);
  if (field == nullptr) return {};
  const google::protobuf::Message& event = reflection->GetMessage(payload, field);
  const google::protobuf::FieldDescriptor* occurred =
      event.GetDescriptor()->FindFieldByName("occurred_on");
  if (occurred == nullptr || occurred->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      occurred->is_repeated()) {
    return {};
  }
  return event.GetReflection()->GetString(event, occurred);
}

}  // namespace

absl::TimeZone ProgrammeTimeZone() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone tz;
    if (absl::LoadTimeZone("Europe/Amsterdam", &tz)) return tz;
    return absl::FixedTimeZone(3600);
  }();
  return zone;
}

std::string AsOf::Describe() const {
  switch (kind) {
    case Kind::kNow:
      return "now";
    case Kind::kPosition:
      return absl::StrCat("position ", position);
    case Kind::kRecordTime:
      return absl::StrCat("record time ",
                          absl::FormatTime(absl::RFC3339_full, absl::FromUnixMicros(time_micros),
                                           absl::UTCTimeZone()));
    case Kind::kBusinessDate:
      return absl::StrCat("business date ", absl::FormatCivilTime(date));
  }
  return "?";
}

absl::StatusOr<AsOf> ParseAsOf(std::uint64_t as_of_position,
                               const google::protobuf::Timestamp* as_of_time,
                               const std::string& as_of_business_date) {
  std::vector<std::string> given;
  if (as_of_position != 0) given.push_back("as_of_position");
  if (as_of_time != nullptr) given.push_back("as_of_time");
  if (!as_of_business_date.empty()) given.push_back("as_of_business_date");
  if (given.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("set at most one of as_of_position, as_of_time and as_of_business_date; got ",
                     absl::StrJoin(given, " and ")));
  }
  AsOf out;
  if (as_of_position != 0) {
    out.kind = AsOf::Kind::kPosition;
    out.position = as_of_position;
  } else if (as_of_time != nullptr) {
    if (as_of_time->seconds() < kMinTimestampSeconds ||
        as_of_time->seconds() > kMaxTimestampSeconds || as_of_time->nanos() < 0 ||
        as_of_time->nanos() > 999999999) {
      return absl::InvalidArgumentError(
          absl::StrCat("as_of_time: ", as_of_time->seconds(), " s ", as_of_time->nanos(),
                       " ns is not a valid timestamp (years 1 to 9999, nanos 0 to 999999999)"));
    }
    out.kind = AsOf::Kind::kRecordTime;
    // Whole microseconds, rounded down: recorded_at has microsecond precision, so an event
    // recorded in the same microsecond as the bound is in, one a nanosecond later cannot exist.
    out.time_micros = as_of_time->seconds() * 1000000 + as_of_time->nanos() / 1000;
  } else if (!as_of_business_date.empty()) {
    std::optional<absl::CivilDay> day = internal::ParseDate(as_of_business_date);
    if (!day) {
      return absl::InvalidArgumentError(absl::StrCat("as_of_business_date: '",
                                                     as_of_business_date.substr(0, 40),
                                                     "' is not a date YYYY-MM-DD"));
    }
    out.kind = AsOf::Kind::kBusinessDate;
    out.date = *day;
  }
  return out;
}

absl::CivilDay BusinessDay(const storage::StoredEvent& event, const v1::Payload& payload) {
  if (std::optional<absl::CivilDay> day = internal::ParseDate(OccurredOn(payload))) return *day;
  return absl::ToCivilDay(absl::FromUnixMicros(event.recorded_at_unix_micros), ProgrammeTimeZone());
}

absl::StatusOr<std::uint64_t> LastPositionRecordedBy(const storage::EventStore& store,
                                                     std::int64_t time_micros) {
  auto recorded_at = [&](std::uint64_t position) -> absl::StatusOr<std::int64_t> {
    absl::StatusOr<storage::StoredEvent> e = store.ReadAt(position);
    if (!e.ok()) return e.status();
    return e->recorded_at_unix_micros;
  };
  const std::uint64_t head = store.Head();
  if (head == 0) return 0;
  absl::StatusOr<std::int64_t> last = recorded_at(head);
  if (!last.ok()) return last.status();
  if (*last <= time_micros) return head;
  absl::StatusOr<std::int64_t> first = recorded_at(1);
  if (!first.ok()) return first.status();
  if (*first > time_micros) return 0;
  // recorded_at(lo) <= time_micros < recorded_at(hi).
  std::uint64_t lo = 1, hi = head;
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    absl::StatusOr<std::int64_t> at = recorded_at(mid);
    if (!at.ok()) return at.status();
    (*at <= time_micros ? lo : hi) = mid;
  }
  return lo;
}

absl::Status FoldPrefix(const storage::EventStore& store, std::uint64_t target,
                        const std::optional<absl::CivilDay>& business_date,
                        const std::function<bool(std::uint64_t)>& keep_going, Model* model) {
  if (model->position >= target) {
    model->position = target;
    return absl::OkStatus();
  }
  v1::Payload payload;  // reused: the fold copies what it keeps
  std::uint64_t reached = model->position;
  bool cancelled = false;
  absl::Status scan =
      store.ScanAll(model->position + 1, /*backwards=*/false, [&](const storage::StoredEvent& e) {
        reached = e.position;
        // An event that does not parse changes nothing but the position, as in the projector.
        if (!payload.ParseFromString(e.payload)) payload.Clear();
        if (!business_date || BusinessDay(e, payload) <= *business_date) model->Apply(e, payload);
        if (e.position % kCheckEvery == 0) {
          model->dirty.clear();
          if (!keep_going(e.position)) {
            cancelled = true;
            return false;
          }
        }
        return e.position < target;
      });
  model->dirty.clear();
  if (!scan.ok()) return scan;
  if (cancelled) {
    return absl::CancelledError(
        absl::StrCat("folding stopped at position ", reached, " of ", target));
  }
  if (reached < target) {
    return absl::InternalError(
        absl::StrCat("the log ends at position ", reached, " but position ", target, " was asked"));
  }
  model->position = target;
  return absl::OkStatus();
}

}  // namespace projections
