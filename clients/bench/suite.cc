#include "clients/bench/suite.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/bench/memory_workload.h"
#include "clients/bench/postgres_system.h"
#include "clients/bench/redis_system.h"
#include "clients/bench/rocksdb_system.h"

namespace bench {
namespace {

Clock::duration FromSeconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

absl::Status Annotate(const absl::Status& s, const std::string& what) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

bool Wants(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

absl::StatusOr<std::vector<std::unique_ptr<LoadClient>>> AppendClients(System& system, int clients,
                                                                       int batch) {
  std::vector<std::unique_ptr<LoadClient>> out;
  for (int i = 0; i < clients; ++i) {
    auto client = system.NewAppendClient(i, batch);
    if (!client.ok()) return client.status();
    out.push_back(*std::move(client));
  }
  return out;
}

// CPU per event on each side, and how much of the machine both sides used together: on a 2-core
// machine, a run near 2 cores is bound by CPU, not by the disk.
void AddCpu(const LoopResult& loop, Record& r) {
  if (r.events == 0 || loop.seconds <= 0) return;
  const double events = static_cast<double>(r.events);
  r.extra["client_cpu_us_per_event"] = loop.client_cpu_seconds * 1e6 / events;
  double cores = loop.client_cpu_seconds / loop.seconds;
  if (loop.server_cpu_seconds) {
    r.extra["server_cpu_us_per_event"] = *loop.server_cpu_seconds * 1e6 / events;
    cores += *loop.server_cpu_seconds / loop.seconds;
  }
  r.extra["cpu_cores_used"] = cores;
}

// One append configuration against one system, on an emptied store.
absl::StatusOr<Record> MeasureAppend(System& system, int clients, int batch,
                                     const LoopLimits& limits) {
  if (absl::Status s = system.Reset(); !s.ok()) return s;
  auto loaders = AppendClients(system, clients, batch);
  if (!loaders.ok()) return loaders.status();
  system.BeginWorkload();
  LoopLimits with_cpu = limits;
  with_cpu.server_cpu = [&system] { return system.ServerCpuSeconds(); };
  auto loop = RunClosedLoop(*loaders, with_cpu);
  loaders->clear();  // connections closed before the next Reset stops the server
  if (!loop.ok()) return loop.status();
  Record r;
  r.system = system.name();
  r.workload = "append";
  r.method = system.name() == "rocksdb" ? "WriteBatch, sync" : "append";
  r.clients = clients;
  r.batch = batch;
  r.seconds = loop->seconds;
  r.events = loop->requests * static_cast<std::uint64_t>(batch);
  r.events_per_s = static_cast<double>(r.events) / loop->seconds;
  r.requests_per_s = static_cast<double>(loop->requests) / loop->seconds;
  r.SetLatency(loop->latency);
  AddCpu(*loop, r);
  system.EndWorkload(r);
  return r;
}

// Fills an emptied store with `events` events, then reads it all back, once per method.
absl::StatusOr<std::vector<Record>> MeasureCatchup(System& system, std::uint64_t events,
                                                   int clients, int batch) {
  if (absl::Status s = system.Reset(); !s.ok()) return s;
  auto loaders = AppendClients(system, clients, batch);
  if (!loaders.ok()) return loaders.status();
  LoopLimits fill;
  fill.requests = (events + batch - 1) / batch;
  auto filled = RunClosedLoop(*loaders, fill);
  loaders->clear();
  if (!filled.ok()) return Annotate(filled.status(), "filling");
  const std::uint64_t stored = filled->requests * static_cast<std::uint64_t>(batch);
  std::vector<Record> out;
  for (const CatchupMethod& method : system.CatchupMethods()) {
    system.BeginWorkload();
    const double client_cpu = ProcessCpuSeconds();
    const std::optional<double> server_cpu = system.ServerCpuSeconds();
    const Clock::time_point start = Clock::now();
    auto read = method.read();
    const double seconds = Seconds(Clock::now() - start);
    LoopResult cpu;
    cpu.client_cpu_seconds = ProcessCpuSeconds() - client_cpu;
    if (auto end = system.ServerCpuSeconds(); server_cpu && end) {
      cpu.server_cpu_seconds = *end - *server_cpu;
    }
    if (read.ok() && read->server_cpu_seconds) cpu.server_cpu_seconds = read->server_cpu_seconds;
    if (!read.ok()) return Annotate(read.status(), method.name);
    if (read->events < stored) {
      return absl::DataLossError(absl::StrCat(method.name, " read ", read->events,
                                              " events; the store holds at least ", stored));
    }
    Record r;
    r.system = system.name();
    r.workload = "catchup";
    r.method = method.name;
    r.clients = 1;
    r.batch = 0;
    r.seconds = read->seconds.value_or(seconds);
    r.events = read->events;
    r.events_per_s = static_cast<double>(read->events) / r.seconds;
    cpu.seconds = r.seconds;
    AddCpu(cpu, r);
    r.extra["fill_events_per_s"] = static_cast<double>(stored) / filled->seconds;
    r.extra["fill_clients"] = clients;
    r.extra["fill_batch"] = batch;
    system.EndWorkload(r);
    out.push_back(std::move(r));
  }
  return out;
}

class Suite {
 public:
  Suite(const SuiteConfig& config, std::vector<Record>* records)
      : config_(config), records_(records) {}

  absl::Status Run() {
    if (absl::Status s = MakeSystems(); !s.ok()) return s;
    for (const std::string& workload : config_.workloads) {
      absl::Status s;
      if (workload == "append") {
        s = Append();
      } else if (workload == "catchup") {
        s = Catchup();
      } else if (workload == "fanout") {
        s = Fanout();
      } else if (workload == "views") {
        s = Views();
      } else if (workload == "memory") {
        s = Memory();
      } else {
        s = absl::InvalidArgumentError(absl::StrCat(
            "unknown workload '", workload, "' (append, fanout, catchup, views, memory)"));
      }
      if (!s.ok()) return s;
    }
    return wijkboek_ ? wijkboek_->Shutdown() : absl::OkStatus();
  }

 private:
  absl::Status MakeSystems() {
    // Only append and catch-up compare systems; fan-out and views need wijkboek alone.
    const bool compared = Wants(config_.workloads, "append") || Wants(config_.workloads, "catchup");
    for (const std::string& name : config_.systems) {
      if (name == "wijkboek" || !compared) continue;
      if (name == "postgres") {
        if (config_.postgres.empty()) {
          return absl::InvalidArgumentError(
              "system postgres needs --postgres CONNINFO (clients/bench/run starts a server)");
        }
        peers_.push_back(std::make_unique<PostgresSystem>(config_.postgres, config_.page));
      } else if (name == "redis") {
        if (config_.redis.empty()) {
          return absl::InvalidArgumentError(
              "system redis needs --redis HOST:PORT (clients/bench/run starts a server)");
        }
        peers_.push_back(std::make_unique<RedisSystem>(config_.redis, config_.page));
      } else if (name == "rocksdb") {
        rocksdb_ = std::make_unique<RocksdbSystem>(config_.work_dir + "/rocksdb");
      } else if (name == "wijkboek-stream") {
        // wijkboek again, its append clients over AppendStream: a row of its own.
        if (config_.wijkboekd.empty())
          return absl::InvalidArgumentError("--wijkboekd PATH is required");
        peers_.push_back(std::make_unique<WijkboekSystem>(
            config_.wijkboekd, config_.work_dir + "/wijkboek-stream", AppendMode::kStream));
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown system '", name,
                         "' (wijkboek, wijkboek-stream, postgres, redis, rocksdb)"));
      }
    }
    const bool live = Wants(config_.workloads, "fanout") || Wants(config_.workloads, "views") ||
                      Wants(config_.workloads, "memory");
    if (Wants(config_.systems, "wijkboek") || live) {
      if (config_.wijkboekd.empty())
        return absl::InvalidArgumentError("--wijkboekd PATH is required");
      wijkboek_ =
          std::make_unique<WijkboekSystem>(config_.wijkboekd, config_.work_dir + "/wijkboek");
    }
    return absl::OkStatus();
  }

  // The systems compared on appends and reads, in this configuration's rotated order.
  std::vector<System*> Rotated(std::size_t turn) {
    std::vector<System*> order;
    if (wijkboek_ && Wants(config_.systems, "wijkboek")) order.push_back(wijkboek_.get());
    for (auto& p : peers_) order.push_back(p.get());
    if (!order.empty())
      std::rotate(order.begin(), order.begin() + turn % order.size(), order.end());
    return order;
  }

  void Add(Record r) {
    std::cout << TableLine(r) << std::flush;
    records_->push_back(std::move(r));
  }

  absl::Status Append() {
    LoopLimits limits;
    limits.warmup = FromSeconds(config_.warmup);
    limits.measure = FromSeconds(config_.seconds);
    if (rocksdb_) {
      for (int group : config_.groups) {
        Progress("append", absl::StrCat("group ", group), "rocksdb");
        auto r = MeasureAppend(*rocksdb_, 1, group, limits);
        if (!r.ok()) return Annotate(r.status(), "append rocksdb");
        Add(*std::move(r));
      }
    }
    std::size_t turn = 0;
    for (int clients : config_.clients) {
      for (int batch : config_.batches) {
        for (System* system : Rotated(turn++)) {
          Progress("append", absl::StrCat(clients, " clients, batch ", batch), system->name());
          auto r = MeasureAppend(*system, clients, batch, limits);
          if (!r.ok()) return Annotate(r.status(), absl::StrCat("append ", system->name()));
          Add(*std::move(r));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Catchup() {
    const std::string what = absl::StrCat(config_.catchup_events, " events");
    for (System* system : Rotated(0)) {
      Progress("catchup", what, system->name());
      auto r =
          MeasureCatchup(*system, config_.catchup_events, config_.fill_clients, config_.fill_batch);
      if (!r.ok()) return Annotate(r.status(), absl::StrCat("catchup ", system->name()));
      for (auto& record : *r) Add(std::move(record));
    }
    if (rocksdb_) {
      Progress("catchup", what, "rocksdb");
      const int group = config_.groups.empty()
                            ? 128
                            : *std::max_element(config_.groups.begin(), config_.groups.end());
      auto r = MeasureCatchup(*rocksdb_, config_.catchup_events, 1, group);
      if (!r.ok()) return Annotate(r.status(), "catchup rocksdb");
      for (auto& record : *r) Add(std::move(record));
    }
    return absl::OkStatus();
  }

  absl::Status Fanout() {
    for (int subscribers : config_.subscribers) {
      Progress("fanout", absl::StrCat(subscribers, " subscribers"), "wijkboek");
      if (absl::Status s = wijkboek_->Reset(); !s.ok()) return s;
      FanoutOptions options = config_.fanout;
      options.subscribers = subscribers;
      auto r = RunFanout(*wijkboek_, options);
      if (!r.ok()) return Annotate(r.status(), "fanout");
      Add(*std::move(r));
    }
    return absl::OkStatus();
  }

  absl::Status Views() {
    Progress("views", absl::StrCat(config_.views_clients, " query clients"), "wijkboek");
    if (absl::Status s = wijkboek_->Reset(); !s.ok()) return s;
    ViewsOptions options;
    options.clients = config_.views_clients;
    options.writers = config_.views_writers;
    options.limits.warmup = FromSeconds(config_.warmup);
    options.limits.measure = FromSeconds(config_.views_seconds);
    options.programme_file = config_.programme_file;
    auto r = RunViews(*wijkboek_, options);
    if (!r.ok()) return Annotate(r.status(), "views");
    Add(*std::move(r));
    return absl::OkStatus();
  }

  absl::Status Memory() {
    Progress("memory", absl::StrCat(config_.memory_events, " events"), "wijkboek");
    MemoryOptions options;
    options.events = config_.memory_events;
    options.clients = config_.fill_clients;
    options.batch = config_.fill_batch;
    auto r = RunMemory(*wijkboek_, options);
    if (!r.ok()) return Annotate(r.status(), "memory");
    Add(*std::move(r));
    return absl::OkStatus();
  }

  void Progress(const std::string& workload, const std::string& what, const std::string& system) {
    std::cerr << "wijkboek-bench: " << workload << ", " << what << ": " << system << std::endl;
  }

  const SuiteConfig& config_;
  std::vector<Record>* records_;
  std::unique_ptr<WijkboekSystem> wijkboek_;
  std::vector<std::unique_ptr<System>> peers_;
  std::unique_ptr<RocksdbSystem> rocksdb_;
};

const Record* FindRecord(const std::vector<Record>& records, const std::string& system,
                         const std::string& workload, int clients, int batch) {
  for (const Record& r : records) {
    if (r.system == system && r.workload == workload && r.clients == clients && r.batch == batch) {
      return &r;
    }
  }
  return nullptr;
}

// wijkboek's faster append row for this load: unary Append ("wijkboek") or AppendStream
// ("wijkboek-stream"), whichever was measured and faster.
const Record* FasterWijkboek(const std::vector<Record>& records, int clients, int batch) {
  const Record* best = nullptr;
  for (const char* system : {"wijkboek", "wijkboek-stream"}) {
    const Record* r = FindRecord(records, system, "append", clients, batch);
    if (r && (!best || r->events_per_s > best->events_per_s)) best = r;
  }
  return best;
}

// The row's system in brackets, so the targets table says which way of appending it measured.
std::string Via(const Record* r) { return r ? absl::StrCat(" (", r->system, ")") : ""; }

std::optional<double> ExtraNumber(const Record* r, const char* key) {
  if (r == nullptr || !r->extra.contains(key)) return std::nullopt;
  return r->extra[key].get<double>();
}

}  // namespace

absl::Status RunSuite(const SuiteConfig& config, std::vector<Record>* records) {
  return Suite(config, records).Run();
}

std::string TargetsMarkdown(const std::vector<Record>& records) {
  std::string out = "| target | measured | |\n|---|---|---|\n";
  const auto row = [&](const std::string& target, const std::string& measured,
                       std::optional<bool> met) {
    absl::StrAppend(&out, "| ", target, " | ", measured, " | ",
                    !met   ? "not measured"
                    : *met ? "met"
                           : "**missed**",
                    " |\n");
  };
  const auto fmt = [](std::optional<double> v, const char* format) {
    return v ? absl::StrFormat(format, *v) : std::string("–");
  };
  const Record* a32 = FasterWijkboek(records, 32, 1);
  const auto vs_pg = ExtraNumber(a32, "vs_postgres");
  const auto vs_redis = ExtraNumber(a32, "vs_redis");
  row("append, 32 clients, batch 1: ≥ 3× PostgreSQL", vs_pg ? fmt(vs_pg, "%.2f×") + Via(a32) : "–",
      vs_pg ? std::optional<bool>(*vs_pg >= 3) : std::nullopt);
  row("append, 32 clients, batch 1: ahead of Redis (appendfsync always)",
      vs_redis ? fmt(vs_redis, "%.2f×") + Via(a32) : "–",
      vs_redis ? std::optional<bool>(*vs_redis > 1) : std::nullopt);
  row("append, 32 clients, batch 1: well over 60,000 durable events/s",
      a32 ? absl::StrFormat("%.0f events/s", a32->events_per_s) + Via(a32) : "–",
      a32 ? std::optional<bool>(a32->events_per_s > 60000) : std::nullopt);
  const Record* a32b = FasterWijkboek(records, 32, 100);
  const auto vs_raw = ExtraNumber(a32b, "vs_rocksdb_group");
  const Record* g128 = FindRecord(records, "rocksdb", "append", 1, 128);
  std::string raw_text = "–";
  if (vs_raw) {
    raw_text =
        absl::StrFormat("%.0f %% of raw RocksDB with groups of %d (the same events per fsync)",
                        *vs_raw * 100, a32b->extra["rocksdb_group"].get<int>());
    if (g128 && g128->events_per_s > 0) {
      absl::StrAppend(&raw_text, absl::StrFormat("; %.0f %% of groups of 128",
                                                 100 * a32b->events_per_s / g128->events_per_s));
    }
    absl::StrAppend(&raw_text, Via(a32b));
  }
  row("append, 32 clients, batch 100: ≥ 50 % of raw RocksDB's group commit", raw_text,
      vs_raw ? std::optional<bool>(*vs_raw >= 0.5) : std::nullopt);
  // Latency: the worse of the two ways, so that the target holds for both.
  const Record* a8 = FindRecord(records, "wijkboek", "append", 8, 1);
  if (const Record* s8 = FindRecord(records, "wijkboek-stream", "append", 8, 1);
      s8 && s8->p99_ms && (!a8 || !a8->p99_ms || *s8->p99_ms > *a8->p99_ms)) {
    a8 = s8;
  }
  row("append, 8 clients: p99 latency ≤ 5 ms", a8 ? fmt(a8->p99_ms, "%.2f ms") + Via(a8) : "–",
      a8 && a8->p99_ms ? std::optional<bool>(*a8->p99_ms <= 5) : std::nullopt);
  const Record* f100 = FindRecord(records, "wijkboek", "fanout", 100, 1);
  const bool all = f100 && f100->extra.value("all_delivered", false);
  row("fan-out to 100 subscribers: p99 delay ≤ 10 ms (and every event delivered)",
      f100 ? absl::StrCat(fmt(f100->p99_ms, "%.2f ms"),
                          all ? ", all delivered" : ", NOT all delivered")
           : "–",
      f100 && f100->p99_ms ? std::optional<bool>(*f100->p99_ms <= 10 && all) : std::nullopt);
  const Record* best = nullptr;
  for (const Record& r : records) {
    if (r.system == "wijkboek" && r.workload == "catchup" &&
        (!best || r.events_per_s > best->events_per_s)) {
      best = &r;
    }
  }
  row("catch-up read ≥ 1,500,000 events/s",
      best ? absl::StrFormat("%.0f events/s (%s)", best->events_per_s, best->method) : "–",
      best ? std::optional<bool>(best->events_per_s >= 1.5e6) : std::nullopt);
  const auto c_pg = ExtraNumber(best, "vs_postgres");
  const auto c_redis = ExtraNumber(best, "vs_redis");
  row("catch-up read ahead of PostgreSQL's and Redis's full reads",
      absl::StrCat(fmt(c_pg, "%.2f×"), " PostgreSQL, ", fmt(c_redis, "%.2f×"), " Redis"),
      c_pg && c_redis ? std::optional<bool>(*c_pg > 1 && *c_redis > 1) : std::nullopt);
  // Memory: measured by the memory workload at 10 million events, when it ran with that many.
  // A smaller run is shown but not judged: with results on disk RSS does not grow linearly with
  // the log, so no estimate from a small log stands for 10 million.
  const Record* memory = nullptr;
  double memory_events = 0;
  for (const Record& r : records) {
    if (r.system != "wijkboek" || r.workload != "memory" || !r.rss_bytes ||
        !r.extra.contains("events_stored")) {
      continue;
    }
    const double events = r.extra["events_stored"].get<double>();
    if (events >= memory_events) {
      memory = &r;
      memory_events = events;
    }
  }
  const char* target = "steady-state RSS ≤ 256 MiB with 10 million events stored";
  if (memory == nullptr) {
    row(target, "–", std::nullopt);
    return out;
  }
  const double rss = static_cast<double>(*memory->rss_bytes);
  std::string measured =
      absl::StrFormat("%.0f MiB with %.0f events (peak %.0f MiB)", rss / (1 << 20), memory_events,
                      static_cast<double>(memory->rss_peak_bytes.value_or(0)) / (1 << 20));
  if (memory_events < 1e7) {
    absl::StrAppend(&measured, "; the target needs the short suite's 10 million events");
    row(target, measured, std::nullopt);
  } else {
    row(target, measured, rss <= 256.0 * (1 << 20));
  }
  return out;
}

}  // namespace bench
