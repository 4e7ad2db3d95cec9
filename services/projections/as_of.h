#pragma once
// Time travel, the pure part: which prefix of the log a Views request asks for, and folding a fresh
// Model from just that prefix. time_travel.h runs these folds off the callers' threads and caches
// their results.
//
// Three bounds (views.proto, top comment), at most one per request:
//   position       the log up to and including that position;
//   record time    every event recorded at or before an instant. recorded_at never decreases along
//                  the log (storage/group_writer.cc), so this is the position bound of the last
//                  event recorded by then;
//   business date  every event whose business day is on or before a date, out of the whole log as
//                  it is now: a result recorded late for an earlier day is in, an event that
//                  happened later is out, wherever they sit in the log.
//
// An event's business day is its payload's `occurred_on`, or, when that is empty (or not a date),
// the day it was recorded in the programme's time zone, Europe/Amsterdam.
//
// Threads: the functions keep no state; FoldPrefix reads the store, which is safe from any thread.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/projections/model.h"
#include "storage/event_store.h"
#include "wijkboek/v1/events.pb.h"

namespace projections {

// The programme's time zone (Europe/Amsterdam): record days of events without `occurred_on`, and
// the day an as-of-time view counts as "today". Should the zone database be missing, a fixed
// UTC+1 stands in for it.
absl::TimeZone ProgrammeTimeZone();

// Which part of the log a request asks for.
struct AsOf {
  enum class Kind { kNow, kPosition, kRecordTime, kBusinessDate };
  Kind kind = Kind::kNow;
  std::uint64_t position = 0;    // kPosition: the last position included (at least 1)
  std::int64_t time_micros = 0;  // kRecordTime: events recorded at or before this, Unix µs
  absl::CivilDay date;           // kBusinessDate

  // "position 42", "record time 2024-06-30T21:59:59.999999Z", "business date 2024-06-30": for
  // messages.
  std::string Describe() const;
};

// The bound from a request's as_of_position, as_of_time (nullptr when unset) and
// as_of_business_date. Nothing set, or only as_of_position 0: kNow (the live views).
// INVALID_ARGUMENT, naming the field: more than one of them set; a date that is not YYYY-MM-DD or
// names no real day; a time outside what a Timestamp may hold (years 1 to 9999).
[[nodiscard]] absl::StatusOr<AsOf> ParseAsOf(std::uint64_t as_of_position,
                                             const google::protobuf::Timestamp* as_of_time,
                                             const std::string& as_of_business_date);

// ParseAsOf of any Views request (they all carry the three fields under the same names).
template <typename Request>
[[nodiscard]] absl::StatusOr<AsOf> AsOfOf(const Request& request) {
  return ParseAsOf(request.as_of_position(),
                   request.has_as_of_time() ? &request.as_of_time() : nullptr,
                   request.as_of_business_date());
}

// The day the event happened (see the top of this file).
absl::CivilDay BusinessDay(const storage::StoredEvent& event, const wijkboek::v1::Payload& payload);

// The last position recorded at or before `time_micros`: 0 when the log's first event is later,
// the head when its last is not. A binary search over the log (recorded_at never decreases).
// Errors: those of reading the store.
[[nodiscard]] absl::StatusOr<std::uint64_t> LastPositionRecordedBy(const storage::EventStore& store,
                                                                   std::int64_t time_micros);

// Folds the events after model->position up to and including `target` into `model` — with
// `business_date`, only those whose BusinessDay is on or before it — and then sets model->position
// to `target`. Calls `keep_going(position reached)` after every batch of events; when it returns
// false, stops and returns CANCELLED (the model is then half-way and must be thrown away).
// `model->dirty` stays empty (as-of models are never persisted).
// Errors: those of reading the store; INTERNAL when the log ends before `target`.
[[nodiscard]] absl::Status FoldPrefix(const storage::EventStore& store, std::uint64_t target,
                                      const std::optional<absl::CivilDay>& business_date,
                                      const std::function<bool(std::uint64_t)>& keep_going,
                                      Model* model);

}  // namespace projections
