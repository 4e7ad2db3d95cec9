// wijkboek-bench: wijkboek measured side by side with PostgreSQL, Redis Streams and raw RocksDB on
// the same machine in the same run. See README.md in this directory; clients/bench/run installs
// and starts the peers and calls this.
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "clients/bench/suite.h"

namespace {

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::cerr << "wijkboek-bench: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  bench::SuiteConfig c;
  std::string json_path;
  std::string markdown_path;
  bool keep = false;
  double fanout_seconds = 3;
  CLI::App app{
      "wijkboek-bench — wijkboek measured side by side with PostgreSQL 15 (an events table),\n"
      "Redis 7 Streams (appendfsync always) and raw RocksDB, on this machine, in one run.\n\n"
      "Workloads (--workloads):\n"
      "  append   C clients (--clients) each append batches of B events (--batches) of ~300 bytes\n"
      "           to their own stream with the exact expected revision, durably; events/s,\n"
      "           requests/s and latency p50/p99/p99.9, per system; raw RocksDB writes groups\n"
      "           of --groups events with sync=true as the physical limit\n"
      "  fanout   S subscribers (--subscribers) follow the live log while writers append at\n"
      "           --fanout-rate; delay from append acknowledgement to receipt, and whether every\n"
      "           subscriber got every event (wijkboek only)\n"
      "  catchup  fill each store with --catchup-events events, then read them all from the\n"
      "           start (wijkboek: Read and Subscribe; PostgreSQL/Redis: pages)\n"
      "  views    view queries per second and their latency while writers append (wijkboek "
      "only)\n"
      "  memory   fill a log with --memory-events events (32 clients, batch 100), let wijkboekd\n"
      "           settle, sample its RSS (steady state = median) and peak, then run view queries\n"
      "           (wijkboek only; not in the default list: 10 million events take minutes)\n\n"
      "wijkboekd is started by the tool (temp data dir, loopback); PostgreSQL and Redis must be\n"
      "running (clients/bench/run starts them). Prints a table; --json and --markdown save it.\n\n"
      "Example: wijkboek-bench --wijkboekd build/bin/wijkboekd --workloads append --clients 32 \\\n"
      "           --batches 1 --systems wijkboek,rocksdb --seconds 5",
      "wijkboek-bench"};
  app.add_option("--wijkboekd", c.wijkboekd, "The wijkboekd binary to start")->required();
  app.add_option("--postgres", c.postgres,
                 "libpq connection string of a running PostgreSQL (needed for system postgres)");
  app.add_option("--redis", c.redis, "HOST:PORT of a running redis-server (for system redis)");
  app.add_option("--workloads", c.workloads, "Which workloads, in this order")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--systems", c.systems,
                 "Which systems for append and catchup: wijkboek (unary Append calls), "
                 "wijkboek-stream (wijkboek, each append client over one AppendStream call), "
                 "postgres, redis, rocksdb")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--clients", c.clients, "append: concurrent clients")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--batches", c.batches, "append: events per request")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--groups", c.groups, "append: raw RocksDB's events per synced WriteBatch")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--seconds", c.seconds, "append: measured seconds per run")->capture_default_str();
  app.add_option("--warmup", c.warmup, "append, views: seconds before each measured window")
      ->capture_default_str();
  app.add_option("--catchup-events", c.catchup_events, "catchup: events in each store")
      ->capture_default_str();
  app.add_option("--page", c.page, "catchup: rows per page for PostgreSQL and Redis")
      ->capture_default_str();
  app.add_option("--subscribers", c.subscribers, "fanout: subscriber counts")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--fanout-rate", c.fanout.rate, "fanout: appended events per second in all")
      ->capture_default_str();
  app.add_option("--fanout-writers", c.fanout.writers, "fanout: concurrent writers")
      ->capture_default_str();
  app.add_option("--fanout-seconds", fanout_seconds, "fanout: seconds of appending")
      ->capture_default_str();
  app.add_option("--subscribers-per-connection", c.fanout.per_connection,
                 "fanout: subscribers sharing one gRPC connection")
      ->capture_default_str();
  app.add_option("--views-clients", c.views_clients, "views: concurrent query clients")
      ->capture_default_str();
  app.add_option("--views-writers", c.views_writers, "views: concurrent writers")
      ->capture_default_str();
  app.add_option("--views-seconds", c.views_seconds, "views: measured seconds")
      ->capture_default_str();
  app.add_option("--memory-events", c.memory_events, "memory: events in the log")
      ->capture_default_str();
  c.programme_file = WIJKBOEK_BENCH_PROGRAMME;
  app.add_option("--programme", c.programme_file,
                 "views: programme file imported first (empty: none)")
      ->capture_default_str();
  app.add_option("--work-dir", c.work_dir,
                 "Where wijkboekd's and RocksDB's data go (default: a new /tmp/wijkboek-bench-*, "
                 "removed at the end unless --keep)");
  app.add_flag("--keep", keep, "Keep the work dir");
  app.add_option("--json", json_path, "Write the records as a JSON array to this file");
  app.add_option("--markdown", markdown_path, "Write the result tables as Markdown to this file");
  CLI11_PARSE(app, argc, argv);
  c.fanout.duration = std::chrono::duration_cast<bench::Clock::duration>(
      std::chrono::duration<double>(fanout_seconds));
  signal(SIGPIPE, SIG_IGN);

  bool temp_dir = false;
  if (c.work_dir.empty()) {
    char tmpl[] = "/tmp/wijkboek-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      std::cerr << "wijkboek-bench: cannot create a temp dir in /tmp\n";
      return 1;
    }
    c.work_dir = tmpl;
    temp_dir = true;
  }
  std::error_code ec;
  std::filesystem::create_directories(c.work_dir, ec);
  if (ec) {
    std::cerr << "wijkboek-bench: cannot create --work-dir " << c.work_dir << ": " << ec.message()
              << "\n";
    return 1;
  }

  std::cout << bench::TableHeader() << std::flush;
  std::vector<bench::Record> records;
  const absl::Status status = bench::RunSuite(c, &records);
  bench::AddRatios(records);

  std::cout << "\n" << bench::TableHeader();
  for (const auto& r : records) std::cout << bench::TableLine(r);
  const std::string targets = bench::TargetsMarkdown(records);
  std::cout << "\nTargets (issue 7) on this machine:\n" << targets;

  bool written = true;
  if (!json_path.empty()) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& r : records) all.push_back(r.ToJson());
    written = WriteFile(json_path, all.dump(2) + "\n") && written;
  }
  if (!markdown_path.empty()) {
    written =
        WriteFile(markdown_path, bench::Markdown(records) + "### Targets\n\n" + targets) && written;
  }
  if (temp_dir && !keep) {
    std::filesystem::remove_all(c.work_dir, ec);
  } else {
    std::cerr << "wijkboek-bench: data kept in " << c.work_dir << "\n";
  }
  if (!status.ok()) {
    std::cerr << "wijkboek-bench: FAILED: " << status.message() << "\n";
    return 1;
  }
  return written ? 0 : 1;
}
