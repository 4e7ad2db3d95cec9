#include "services/gateway/metrics_format.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace gateway {
namespace {

// Integers print without an exponent or a fraction; others with enough digits to round-trip.
std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<std::int64_t>(value));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

void AppendHeader(std::string* out, std::string_view name, std::string_view type,
                  std::string_view help) {
  absl::StrAppend(out, "# HELP ", std::string(name), " ", std::string(help), "\n# TYPE ",
                  std::string(name), " ", std::string(type), "\n");
}

}  // namespace

void AppendMetric(std::string* out, std::string_view name, std::string_view type,
                  std::string_view help, double value) {
  AppendHeader(out, name, type, help);
  absl::StrAppend(out, std::string(name), " ", Number(value), "\n");
}

void AppendHistogram(std::string* out, std::string_view name, std::string_view help,
                     const storage::HistogramSnapshot& histogram) {
  AppendHeader(out, name, "histogram", help);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
    cumulative += histogram.counts[i];
    const std::string le =
        i < histogram.bounds.size() ? Number(histogram.bounds[i]) : std::string("+Inf");
    absl::StrAppend(out, std::string(name), "_bucket{le=\"", le, "\"} ", cumulative, "\n");
  }
  absl::StrAppend(out, std::string(name), "_sum ", Number(histogram.sum), "\n",
                  std::string(name), "_count ", histogram.count, "\n");
}

}  // namespace gateway
