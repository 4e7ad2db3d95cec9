#pragma once
// The suite: which workloads run against which systems with which parameters, in which order.
//
// Every append configuration (clients × batch) runs against wijkboek, PostgreSQL and Redis back to
// back, each on an emptied store, with the order rotated from one configuration to the next, so
// that whatever else the machine does affects all of them alike; raw RocksDB runs its group sizes
// with one writer before them. The memory workload (wijkboek only) runs when asked for. The catch-up read fills each store with the same number of events
// (32 clients × batch 100; raw RocksDB with its largest group) and reads it all back. Fan-out and
// views run against wijkboek only.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/bench/live_workloads.h"
#include "clients/bench/record.h"

namespace bench {

struct SuiteConfig {
  std::vector<std::string> workloads = {"append", "fanout", "catchup", "views"};
  std::vector<std::string> systems = {"wijkboek", "wijkboek-stream", "postgres", "redis", "rocksdb"};
  std::vector<int> clients = {1, 8, 32, 128};
  std::vector<int> batches = {1, 10, 100};
  std::vector<int> groups = {1, 8, 32, 128, 3200};  // raw RocksDB's group sizes
  std::vector<int> subscribers = {1, 10, 100, 1000};
  double seconds = 3;   // measured window of each append run
  double warmup = 0.5;  // not counted, before each window
  std::uint64_t catchup_events = 300000;
  int fill_clients = 32;
  int fill_batch = 100;
  FanoutOptions fanout;
  int views_clients = 4;
  int views_writers = 2;
  double views_seconds = 3;
  int page = 5000;  // rows / entries per catch-up page (PostgreSQL, Redis)
  // memory (not in the default list: 10 million events take several minutes to append)
  std::uint64_t memory_events = 10000000;

  std::string wijkboekd;       // the server binary
  std::string work_dir;        // data dirs of wijkboekd and raw RocksDB
  std::string postgres;        // libpq connection string
  std::string redis;           // HOST:PORT
  std::string programme_file;  // imported before the views workload
};

// Runs the suite, printing each record as it is measured, and appends the records to `records`
// (also when it fails half-way). The first failure stops it and is returned.
[[nodiscard]] absl::Status RunSuite(const SuiteConfig& config, std::vector<Record>* records);

// What the issue asks of wijkboek on this machine, measured against the records: a Markdown table
// with each target, the figure, and met / missed.
std::string TargetsMarkdown(const std::vector<Record>& records);

}  // namespace bench
