#pragma once
// Prometheus's text exposition format (version 0.0.4), written by hand: a few counters, gauges
// and histograms need no client library. Pure: no I/O, no locks. Unit-tested.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/event_store.h"

namespace gateway {

inline constexpr char kMetricsType[] = "text/plain; version=0.0.4; charset=utf-8";

// Appends "# HELP", "# TYPE" and one sample. `type` is "counter" or "gauge".
void AppendMetric(std::string* out, std::string_view name, std::string_view type,
                  std::string_view help, double value);
// Appends a histogram: cumulative name_bucket{le="..."} lines (the last le="+Inf"), name_sum and
// name_count.
void AppendHistogram(std::string* out, std::string_view name, std::string_view help,
                     const storage::HistogramSnapshot& histogram);

}  // namespace gateway
