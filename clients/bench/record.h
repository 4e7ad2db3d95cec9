#pragma once
// One measured result, and how results are printed (a table on stdout), saved (results.json)
// and summarised (Markdown for RESULTS.md).
//
// results.json is an array of records; the keys every record has are system, workload, clients,
// batch, events_per_s, p50_ms and p99_ms (null where a workload has no latency). README.md in this
// directory says what each figure means per workload.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clients/bench/driver.h"

namespace bench {

struct Record {
  std::string system;    // wijkboek, postgres, redis, rocksdb
  std::string workload;  // append, fanout, catchup, views
  int clients = 0;       // append/views: concurrent clients; fanout: subscribers; catchup: 1
  int batch = 0;         // events per request (rocksdb: per WriteBatch); catchup: 0
  std::string method;    // how the system was driven, e.g. "Read", "Subscribe", "SELECT pages"
  double events_per_s = 0;
  std::optional<double> requests_per_s;
  std::optional<double> p50_ms;
  std::optional<double> p99_ms;
  std::optional<double> p999_ms;
  std::optional<double> max_ms;
  double seconds = 0;                               // the measured window
  std::uint64_t events = 0;                         // events appended or read in the window
  std::optional<std::uint64_t> rss_peak_bytes;      // wijkboekd's peak RSS during the workload
  std::optional<std::uint64_t> rss_bytes;           // wijkboekd's RSS at the workload's end
  std::optional<double> disk_bytes_per_event;       // store size / events stored, at the end
  nlohmann::json extra = nlohmann::json::object();  // workload-specific figures

  void SetLatency(const LatencySummary& latency);
  nlohmann::json ToJson() const;
};

// Adds, to every wijkboek append and catch-up record, its ratio to the peers measured with the
// same clients and batch: vs_postgres, vs_redis (wijkboek ÷ peer, events/s); for appends
// vs_rocksdb_group, ÷ raw RocksDB with the largest group not above clients × batch (named in
// rocksdb_group); for catch-up vs_rocksdb_iterator, ÷ a raw iterator over the events.
void AddRatios(std::vector<Record>& records);

// One line per record, aligned, for the terminal; `header` prints the column names first.
std::string TableLine(const Record& r);
std::string TableHeader();

// The results as Markdown tables (one per workload) plus the ratio table.
std::string Markdown(const std::vector<Record>& records);

}  // namespace bench
