#include "clients/cli/as_of_flags.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace wijkboek::cli {
namespace {

using google::protobuf::util::TimeUtil;

// A strict YYYY-MM-DD that names a real day.
std::optional<absl::CivilDay> ParseDay(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) return std::nullopt;
  return day;
}

// The programme's time zone; a fixed UTC+1 should the zone database be missing.
absl::TimeZone Amsterdam() {
  absl::TimeZone tz;
  if (absl::LoadTimeZone("Europe/Amsterdam", &tz)) return tz;
  return absl::FixedTimeZone(3600);
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp out;
  const std::int64_t micros = absl::ToUnixMicros(t);
  std::int64_t seconds = micros / 1000000;
  std::int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<std::int32_t>(rest * 1000));
  return out;
}

}  // namespace

absl::StatusOr<AsOfBound> ResolveAsOf(const AsOfFlags& flags) {
  const int given = (flags.as_of.empty() ? 0 : 1) + (flags.position == 0 ? 0 : 1) +
                    (flags.business_date.empty() ? 0 : 1);
  if (given > 1) {
    return absl::InvalidArgumentError(
        "give at most one of --as-of, --as-of-position and --business-date");
  }
  AsOfBound bound;
  if (flags.position != 0) {
    bound.position = flags.position;
    bound.description = absl::StrCat("position ", flags.position);
  } else if (!flags.business_date.empty()) {
    if (!ParseDay(flags.business_date)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--business-date: '", flags.business_date, "' is not a date YYYY-MM-DD"));
    }
    bound.business_date = flags.business_date;
    bound.description = absl::StrCat("business date ", flags.business_date);
  } else if (!flags.as_of.empty()) {
    if (std::optional<absl::CivilDay> day = ParseDay(flags.as_of)) {
      // The end of the day: the last microsecond before the next one starts (recorded_at has
      // microsecond precision).
      const absl::Time end = absl::FromCivil(*day + 1, Amsterdam()) - absl::Microseconds(1);
      bound.time = ToTimestamp(end);
      bound.description = absl::StrCat("record time: end of ", flags.as_of, " (Europe/Amsterdam)");
    } else {
      google::protobuf::Timestamp t;
      if (!TimeUtil::FromString(flags.as_of, &t)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--as-of: '", flags.as_of,
                         "' is neither a date YYYY-MM-DD nor an RFC 3339 time such as "
                         "2024-06-30T17:00:00+02:00"));
      }
      bound.time = t;
      bound.description = absl::StrCat("record time ", TimeUtil::ToString(t));
    }
  }
  return bound;
}

}  // namespace wijkboek::cli
