// The benchmark's own arithmetic and bytes: percentiles, ids, the shared event, ratios, the JSON
// every record must carry. (The whole tool against real servers: ctest -L bench.)
#include <gtest/gtest.h>

#include <set>

#include "clients/bench/driver.h"
#include "clients/bench/event_bytes.h"
#include "clients/bench/record.h"
#include "services/domain/schema.h"

namespace bench {
namespace {

Record Append(const std::string& system, int clients, int batch, double events_per_s) {
  Record r;
  r.system = system;
  r.workload = "append";
  r.clients = clients;
  r.batch = batch;
  r.events_per_s = events_per_s;
  return r;
}

TEST(Percentile, IsTheNearestRank) {
  std::vector<double> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(i);  // 100 .. 1, unsorted
  const LatencySummary s = Summarize(samples);
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.p50_ms, 50);
  EXPECT_EQ(s.p99_ms, 99);
  EXPECT_EQ(s.p999_ms, 100);
  EXPECT_EQ(s.max_ms, 100);
}

TEST(Percentile, OfOneSampleIsThatSample) {
  std::vector<double> one = {7.5};
  EXPECT_EQ(Summarize(one).p99_ms, 7.5);
  std::vector<double> none;
  EXPECT_EQ(Summarize(none).count, 0u);
}

TEST(EventIdSource, MakesDistinctUuidsTheServerAccepts) {
  EventIdSource a;
  EventIdSource b;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    for (EventIdSource* source : {&a, &b}) {
      const std::string id = source->Next();
      ASSERT_TRUE(domain::IsUuid(id)) << id;
      EXPECT_EQ(id[14], '4') << id;  // version 4
      EXPECT_TRUE(seen.insert(id).second) << "repeated " << id;
    }
  }
}

TEST(ResultPayload, IsAboutThreeHundredBytesAndTheSameForTheSameClient) {
  EXPECT_EQ(ResultPayloadBytes(7), ResultPayloadBytes(7));
  EXPECT_NE(ResultPayloadBytes(7), ResultPayloadBytes(8));  // it names the client's action
  for (int i : {0, 10, 127}) {
    const std::size_t size = ResultPayloadBytes(i).size();
    EXPECT_GE(size, 290u);
    EXPECT_LE(size, 310u);
  }
  EXPECT_EQ(StreamName(3), "action-bench-c3");
  EXPECT_EQ(ResultPayload(3).result_recorded().action_id(), "bench-c3");
  EXPECT_TRUE(domain::ValidateForStream(ResultPayload(3), StreamName(3), "payload").ok());
}

TEST(AddRatios, ComparesWithPeersAtTheSameLoad) {
  std::vector<Record> records = {Append("wijkboek", 32, 1, 6000), Append("postgres", 32, 1, 3000),
                                 Append("redis", 32, 1, 12000), Append("postgres", 8, 1, 1)};
  AddRatios(records);
  EXPECT_DOUBLE_EQ(records[0].extra["vs_postgres"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(records[0].extra["vs_redis"].get<double>(), 0.5);
  EXPECT_FALSE(records[1].extra.contains("vs_postgres"));  // only wijkboek gets ratios
}

TEST(AddRatios, TheStreamRowIsComparedToo) {
  std::vector<Record> records = {Append("wijkboek", 32, 1, 6000),
                                 Append("wijkboek-stream", 32, 1, 9000),
                                 Append("postgres", 32, 1, 3000)};
  AddRatios(records);
  EXPECT_DOUBLE_EQ(records[0].extra["vs_postgres"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(records[1].extra["vs_postgres"].get<double>(), 3.0);
}

TEST(AddRatios, ComparesWithTheLargestRawGroupOneFsyncCouldCarry) {
  std::vector<Record> records = {
      Append("rocksdb", 1, 1, 100),       Append("rocksdb", 1, 32, 3200),
      Append("rocksdb", 1, 3200, 64000),  Append("wijkboek", 32, 1, 1600),
      Append("wijkboek", 32, 100, 32000), Append("wijkboek", 8, 1, 50)};
  AddRatios(records);
  EXPECT_EQ(records[3].extra["rocksdb_group"].get<int>(), 32);
  EXPECT_DOUBLE_EQ(records[3].extra["vs_rocksdb_group"].get<double>(), 0.5);
  EXPECT_EQ(records[4].extra["rocksdb_group"].get<int>(), 3200);
  EXPECT_EQ(records[5].extra["rocksdb_group"].get<int>(), 1);  // 8 × 1 < 32: the smallest
}

TEST(RecordJson, HasTheKeysEveryConsumerReadsAndNullForNoLatency) {
  Record r = Append("redis", 8, 10, 1234.5);
  nlohmann::json without = r.ToJson();
  for (const char* key :
       {"system", "workload", "clients", "batch", "events_per_s", "p50_ms", "p99_ms"}) {
    EXPECT_TRUE(without.contains(key)) << key;
  }
  EXPECT_TRUE(without["p50_ms"].is_null());
  LatencySummary latency;
  latency.count = 1;
  latency.p50_ms = 1.5;
  latency.p99_ms = 3;
  r.SetLatency(latency);
  r.extra["all_delivered"] = true;
  nlohmann::json with = r.ToJson();
  EXPECT_EQ(with["p50_ms"].get<double>(), 1.5);
  EXPECT_EQ(with["p99_ms"].get<double>(), 3);
  EXPECT_EQ(with["all_delivered"].get<bool>(), true);  // extras sit beside the keys
  EXPECT_EQ(with["batch"].get<int>(), 10);
}

}  // namespace
}  // namespace bench
