#include "services/gateway/metrics_format.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(MetricsFormatTest, ACounterHasHelpTypeAndAnIntegerSample) {
  std::string out;
  AppendMetric(&out, "wijkboek_x_total", "counter", "Things.", 42);
  EXPECT_EQ(out, "# HELP wijkboek_x_total Things.\n# TYPE wijkboek_x_total counter\n"
                 "wijkboek_x_total 42\n");
}

TEST(MetricsFormatTest, AHistogramsBucketsAreCumulativeAndEndInInf) {
  storage::HistogramSnapshot h;
  h.bounds = {0.001, 0.5};
  h.counts = {2, 1, 3};  // two <= 0.001, one in (0.001, 0.5], three above
  h.sum = 7.25;
  h.count = 6;
  std::string out;
  AppendHistogram(&out, "wijkboek_w_seconds", "Writes.", h);
  EXPECT_EQ(out,
            "# HELP wijkboek_w_seconds Writes.\n# TYPE wijkboek_w_seconds histogram\n"
            "wijkboek_w_seconds_bucket{le=\"0.001\"} 2\n"
            "wijkboek_w_seconds_bucket{le=\"0.5\"} 3\n"
            "wijkboek_w_seconds_bucket{le=\"+Inf\"} 6\n"
            "wijkboek_w_seconds_sum 7.25\n"
            "wijkboek_w_seconds_count 6\n");
}

}  // namespace
}  // namespace gateway
