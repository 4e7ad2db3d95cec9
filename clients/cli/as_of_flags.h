#pragma once
// The CLI's time-travel flags (`views ... --as-of`, `audit replay --as-of`), turned into the three
// fields every Views request carries (views.proto): as_of_position, as_of_time (record time) and
// as_of_business_date.
//
//   --as-of DATE|TIME       record time. TIME is RFC 3339 (2024-06-30T17:00:00+02:00, ...Z); a
//                           plain DATE (YYYY-MM-DD) means the end of that day in the programme's
//                           time zone, Europe/Amsterdam: everything recorded on or before it.
//   --as-of-position N      the log up to and including position N.
//   --business-date DATE    business time: everything that happened (occurred_on) on or before
//                           DATE, as far as the log knows now.
//
// Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"

namespace wijkboek::cli {

struct AsOfFlags {
  std::string as_of;           // --as-of
  std::uint64_t position = 0;  // --as-of-position; 0 = not given
  std::string business_date;   // --business-date
};

// The bound to put in a request; all empty means the live views.
struct AsOfBound {
  std::uint64_t position = 0;
  std::optional<google::protobuf::Timestamp> time;
  std::string business_date;
  // For people: "position 42", "record time: end of 2024-06-30 (Europe/Amsterdam)",
  // "record time 2024-06-30T15:00:00Z", "business date 2024-06-30"; empty for the live views.
  std::string description;

  bool live() const { return position == 0 && !time && business_date.empty(); }
};

// INVALID_ARGUMENT naming the flag: more than one flag given; --as-of neither a real day
// YYYY-MM-DD nor an RFC 3339 time; --business-date not a real day YYYY-MM-DD.
[[nodiscard]] absl::StatusOr<AsOfBound> ResolveAsOf(const AsOfFlags& flags);

// Sets the request's as_of_* fields from `bound` (nothing for the live views).
template <typename Request>
void ApplyAsOf(const AsOfBound& bound, Request* request) {
  request->set_as_of_position(bound.position);
  if (bound.time) *request->mutable_as_of_time() = *bound.time;
  request->set_as_of_business_date(bound.business_date);
}

}  // namespace wijkboek::cli
