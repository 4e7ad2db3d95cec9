// projection-bench: how fast the projector rebuilds the views from a large log, and how fast a
// restart resumes from the checkpoint.
//
// Fills a fresh store in a temp dir with N events of a realistic mix (the Sterk voor Noord shape
// scaled up: 4 pillars, 20 goals, 34 partners, 12 KPIs, ~N/100 actions, mostly ResultRecorded
// with ~300 bytes of text, then status changes, funds, capacity, members, measurements, agenda),
// appended straight through EventStore (no gRPC, no rules; sync off while filling), then:
//   1. Projector::Rebuild over the whole log: events/s;
//   2. close and reopen store and projector: time to load the snapshot (nothing to fold);
//   3. append a tail of 10,000 events, reopen: time to load and fold only the tail;
//   4. with --as-of, time travel through the projector's TimeTravel: the whole log replayed into
//      a point-in-time model (as of the position before the head, so nothing can be copied), the
//      same again (the cache), as of the head (a copy of the live views), as of the middle, as of
//      a business date, and a project book from the replayed model.
// Prints one line per phase and peak RSS. Not a test; `ctest -L bench` runs a small smoke size.
//
//   projection-bench [--events N] [--dir DIR] [--keep] [--as-of]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/domain/schema.h"
#include "services/projections/projector.h"
#include "services/projections/queries.h"

namespace {

namespace v1 = wijkboek::v1;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds of the whole process (all threads, RocksDB's included) so far: on a shared machine
// a steadier figure than wall time.
double CpuSeconds(int who = RUSAGE_SELF) {
  rusage usage{};
  getrusage(who, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Resident memory now, from /proc (Linux).
long RssMiB() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

constexpr const char* kWords[] = {
    "kinderen", "ouders",  "school",    "taal",   "buurt",   "jongeren", "schulden",
    "wonen",    "veilig",  "activiteit", "groep", "leerlingen", "bereik", "deelnemers",
    "gesprek",  "huis",    "bezoek",    "week",   "project", "samen",    "resultaat",
    "voorlezen", "sport",  "plein",     "moeders", "vaders", "budget",   "coach"};

class Generator {
 public:
  explicit Generator(std::size_t actions) : actions_(actions) {}

  // The programme's structure and its actions, then activity until `total` events.
  std::vector<v1::Payload> Structure() {
    std::vector<v1::Payload> out;
    auto* programme = out.emplace_back().mutable_programme_described();
    programme->set_name("Sterk voor Noord");
    programme->set_horizon_year(2042);
    for (int i = 0; i < 4; ++i) {
      auto* e = out.emplace_back().mutable_pillar_defined();
      e->set_pillar_id(absl::StrCat("pillar-", i));
      e->set_name(absl::StrCat("Pillar ", i));
      e->set_ambition(Text(200));
    }
    for (int i = 0; i < 20; ++i) {
      auto* e = out.emplace_back().mutable_goal_defined();
      e->set_goal_id(absl::StrCat("goal-", i));
      e->set_pillar_id(absl::StrCat("pillar-", i % 4));
      e->set_title(Text(60));
      e->set_number(i + 1);
    }
    for (int i = 0; i < 34; ++i) {
      auto* e = out.emplace_back().mutable_partner_joined();
      e->set_partner_id(absl::StrCat("partner-", i));
      e->set_name(absl::StrCat("Partner ", i));
      e->set_sector(i % 3 ? "onderwijs" : "wonen");
      e->add_roles(i < 6 ? "bestuur" : "partner");
    }
    for (int i = 0; i < 12; ++i) {
      auto* e = out.emplace_back().mutable_kpi_defined();
      e->set_kpi_id(absl::StrCat("kpi-", i));
      e->set_pillar_id(absl::StrCat("pillar-", i % 4));
      e->set_name(Text(40));
      e->set_unit("%");
      e->set_baseline(20);
      e->set_target_10y(40);
      e->set_target_20y(60);
      e->set_higher_is_better(true);
    }
    for (std::size_t i = 0; i < actions_; ++i) {
      auto* e = out.emplace_back().mutable_action_started();
      e->set_action_id(absl::StrCat("action-", i));
      e->set_goal_id(absl::StrCat("goal-", i % 20));
      e->set_title(Text(50));
      e->set_description(Text(300));
      if (i % 10 != 0) e->set_owner_partner_id(Partner());
      for (int k = Pick(3); k > 0; --k) e->add_partner_ids(Partner());
      e->set_occurred_on("2024-01-15");
    }
    return out;
  }

  v1::Payload Activity() {
    v1::Payload p;
    const int roll = Pick(100);
    if (roll < 85) {
      auto* e = p.mutable_result_recorded();
      e->set_action_id(Action());
      e->set_summary(Text(300));
      if (Pick(2)) {
        e->set_value(Pick(1000));
        e->set_unit("deelnemers");
      }
      e->set_occurred_on("2025-03-01");
    } else if (roll < 90) {
      auto* e = p.mutable_action_status_changed();
      e->set_action_id(Action());
      e->set_status(static_cast<v1::ActionStatus>(2 + Pick(4)));
      e->set_note(Text(80));
    } else if (roll < 93) {
      auto* e = p.mutable_funds_allocated();
      e->set_action_id(Action());
      e->set_partner_id(Partner());
      e->set_amount_cents(100 * (1 + Pick(50000)));
      e->set_source(Pick(2) ? "gemeente" : "Deal voor Noord");
    } else if (roll < 96) {
      auto* e = p.mutable_capacity_committed();
      e->set_action_id(Action());
      e->set_partner_id(Partner());
      e->set_hours_per_week(1 + Pick(16));
    } else if (roll < 98) {
      auto* e = p.mutable_partner_joined_action();
      e->set_action_id(Action());
      e->set_partner_id(Partner());
    } else if (roll < 99) {
      auto* e = p.mutable_measurement_recorded();
      e->set_kpi_id(absl::StrCat("kpi-", Pick(12)));
      e->set_measurement_id(absl::StrCat("m-", Pick(1000000)));
      e->set_value(Pick(100));
    } else {
      auto* e = p.mutable_activity_scheduled();
      e->set_activity_id(absl::StrCat("activity-", Pick(1000000)));
      e->set_title(Text(40));
      e->set_starts_on("2025-05-01");
      e->set_pillar_id(absl::StrCat("pillar-", Pick(4)));
    }
    return p;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Partner() { return absl::StrCat("partner-", Pick(34)); }
  std::string Action() { return absl::StrCat("action-", Pick(static_cast<int>(actions_))); }
  std::string Text(std::size_t length) {
    std::string text;
    while (text.size() < length) {
      if (!text.empty()) text += ' ';
      text += kWords[Pick(static_cast<int>(std::size(kWords)))];
    }
    return text;
  }

  std::size_t actions_;
  std::mt19937 rng_{20240115};
};

// Appends with many requests in flight, so the writer commits them in large groups.
class Filler {
 public:
  Filler(storage::EventStore& store, std::string id_prefix)
      : store_(store), id_prefix_(std::move(id_prefix)) {}

  void Append(const v1::Payload& payload) {
    storage::AppendRequest request;
    request.stream = domain::StreamFor(payload);
    request.recorded_by = "partner-bench";
    request.events.push_back(storage::NewEvent{absl::StrCat(id_prefix_, next_id_++),
                                               domain::EventType(payload),
                                               payload.SerializeAsString(), {}});
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return in_flight_ < kWindow; });
      ++in_flight_;
    }
    store_.AppendAsync(std::move(request), [this](absl::StatusOr<storage::AppendResult> r) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!r.ok() && error_.ok()) error_ = r.status();
      --in_flight_;
      cv_.notify_all();
    });
  }

  absl::Status Finish() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
    return error_;
  }

 private:
  static constexpr std::size_t kWindow = 8192;
  storage::EventStore& store_;
  const std::string id_prefix_;
  std::uint64_t next_id_ = 1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t in_flight_ = 0;
  absl::Status error_;
};

std::unique_ptr<storage::EventStore> OpenStore(const std::string& dir) {
  storage::Options options;
  options.path = dir + "/log";
  options.sync = false;  // filling only; the projector never writes the log
  auto store = storage::EventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "projection-bench: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(store);
}

void Check(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "projection-bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

std::uint64_t DerivedBytes(const storage::EventStore& store, std::uint64_t* rows) {
  std::uint64_t bytes = 0;
  *rows = 0;
  Check(store.ScanDerived("", [&](std::string_view key, std::string_view value) {
          bytes += key.size() + value.size();
          ++*rows;
          return true;
        }),
        "scanning derived state");
  return bytes;
}

// What the model's view messages take in memory (protobuf's SpaceUsedLong).
std::uint64_t ModelBytes(const projections::Model& m) {
  std::uint64_t bytes = 0;
  for (const auto& [id, a] : m.actions) bytes += a.SpaceUsedLong() + id.capacity();
  for (const auto& [id, p] : m.partners) bytes += p.SpaceUsedLong();
  for (const auto& [id, k] : m.kpis) bytes += k.SpaceUsedLong();
  for (const auto& [id, g] : m.goals) bytes += g.SpaceUsedLong();
  for (const auto& [id, a] : m.activities) bytes += a.SpaceUsedLong();
  return bytes;
}

// Phase 4: time travel on a projector opened from the checkpoint.
void MeasureTimeTravel(storage::EventStore& store) {
  auto opened = projections::Projector::Open(&store);
  Check(opened.status(), "opening the projector");
  projections::Projector& projector = **opened;
  projections::TimeTravel& travel = projector.time_travel();
  const std::uint64_t head = store.Head();
  std::shared_ptr<const projections::Model> replayed;

  auto ask = [&](const projections::AsOf& as_of, const char* what) {
    const projections::TimeTravelStats before = travel.stats();
    const Clock::time_point start = Clock::now();
    const double cpu_start = CpuSeconds();
    std::mutex mu;
    std::condition_variable cv;
    std::optional<absl::StatusOr<projections::AsOfModel>> answer;
    travel.Request(as_of, Clock::now() + std::chrono::hours(1), nullptr,
                   [&](absl::StatusOr<projections::AsOfModel> a) {
                     std::lock_guard<std::mutex> lock(mu);
                     answer = std::move(a);
                     cv.notify_all();
                   });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return answer.has_value(); });
    }
    const double seconds = Seconds(start);
    Check(answer->status(), what);
    const std::uint64_t folded = travel.stats().events_folded - before.events_folded;
    std::string how = absl::StrCat(folded, " events folded");
    if (travel.stats().cache_hits > before.cache_hits) how = "from the cache";
    if (travel.stats().live_copies > before.live_copies) how += " after copying the live views";
    const double fold_cpu = travel.stats().fold_cpu_seconds - before.fold_cpu_seconds;
    if (folded > 0) {
      absl::StrAppend(&how, ", ", static_cast<std::uint64_t>(folded / seconds), " events/s wall, ",
                      static_cast<std::uint64_t>(folded / fold_cpu), " per CPU-second");
    }
    std::printf(
        "as-of:   %s (%s): position %llu in %.2f s; %s; CPU %.2f s fold thread, %.2f s "
        "process; model %.0f MiB; RSS %ld MiB\n",
        what, as_of.Describe().c_str(), static_cast<unsigned long long>((*answer)->model->position),
        seconds, how.c_str(), fold_cpu, CpuSeconds() - cpu_start,
        ModelBytes(*(*answer)->model) / 1048576.0, RssMiB());
    return (*answer)->model;
  };
  auto position = [](std::uint64_t p) { return *projections::ParseAsOf(p, nullptr, ""); };

  replayed = ask(position(head - 1), "replay of the whole log");
  ask(position(head - 1), "the same bound again");
  ask(position(head), "as of the head");
  ask(position(head / 2), "as of the middle");
  ask(*projections::ParseAsOf(0, nullptr, "2025-02-28"), "business date");

  const Clock::time_point start = Clock::now();
  absl::StatusOr<v1::GetProjectBookResponse> book =
      projections::GetProjectBook(*replayed, v1::GetProjectBookRequest());
  Check(book.status(), "project book");
  std::printf("as-of:   project book from the replayed model: %.2f s, %.1f MiB of Markdown\n",
              Seconds(start), book->markdown().size() / 1048576.0);
  projector.Stop();
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t events = 1000000;
  std::string dir;
  bool keep = false;
  bool as_of = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--events" && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--keep") {
      keep = true;
    } else if (arg == "--as-of") {
      as_of = true;
    } else {
      std::fprintf(stderr, "usage: projection-bench [--events N] [--dir DIR] [--keep] [--as-of]\n");
      return 2;
    }
  }
  if (dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "projection-bench-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    dir = pattern;
  }
  const std::size_t actions = std::max<std::size_t>(10, events / 100);
  constexpr std::uint64_t kTail = 10000;
  Generator generator(actions);

  auto store = OpenStore(dir);
  // Opened on the empty log, so that Open has nothing to fold and Rebuild is the only full fold.
  auto opened = projections::Projector::Open(store.get());
  Check(opened.status(), "opening the projector");
  std::unique_ptr<projections::Projector> projector = *std::move(opened);
  Clock::time_point start = Clock::now();
  {
    Filler filler(*store, "fill-");
    std::uint64_t appended = 0;
    for (const v1::Payload& p : generator.Structure()) {
      if (appended++ < events) filler.Append(p);
    }
    for (; appended < events; ++appended) filler.Append(generator.Activity());
    Check(filler.Finish(), "filling the log");
  }
  std::printf("fill:    %llu events (%zu actions) in %.1f s; RSS %ld MiB\n",
              static_cast<unsigned long long>(store->Head()), actions, Seconds(start), RssMiB());

  {
    start = Clock::now();
    const double cpu_start = CpuSeconds();
    const double thread_start = CpuSeconds(RUSAGE_THREAD);  // Rebuild runs on this thread
    Check(projector->Rebuild(), "rebuilding");
    const double seconds = Seconds(start);
    const double cpu = CpuSeconds() - cpu_start;
    const double thread_cpu = CpuSeconds(RUSAGE_THREAD) - thread_start;
    std::uint64_t rows = 0;
    const std::uint64_t bytes = DerivedBytes(*store, &rows);
    std::uint64_t model_bytes = 0;
    projector->Read([&](const projections::Model& m) { model_bytes = ModelBytes(m); });
    const std::uint64_t domain_bytes = projector->DomainState().Serialize().size();
    std::printf("rebuild: %llu events in %.2f s = %.0f events/s (CPU: %.2f s folding thread, "
                "%.2f s process); %llu snapshots, "
                "%llu rows, %.1f MiB of views; model %.0f MiB (protobuf SpaceUsed), domain state "
                "%.1f MiB serialised; RSS %ld MiB\n",
                static_cast<unsigned long long>(projector->position()), seconds,
                projector->position() / seconds, thread_cpu, cpu,
                static_cast<unsigned long long>(projector->stats().snapshots_written),
                static_cast<unsigned long long>(rows), bytes / 1048576.0, model_bytes / 1048576.0,
                domain_bytes / 1048576.0, RssMiB());
    projector.reset();
  }

  for (int round = 0; round < 2; ++round) {
    store.reset();
    start = Clock::now();
    store = OpenStore(dir);
    const double store_seconds = Seconds(start);
    auto reopened = projections::Projector::Open(store.get());
    Check(reopened.status(), "reopening the projector");
    const projections::ProjectorStats stats = (*reopened)->stats();
    std::printf("reopen%s: store %.2f s, projector %.2f s (checkpoint %llu, folded %llu events%s); "
                "RSS %ld MiB\n",
                round == 0 ? "" : " after tail", store_seconds, stats.open_seconds,
                static_cast<unsigned long long>(stats.checkpoint_loaded),
                static_cast<unsigned long long>(stats.events_folded_on_open),
                stats.rebuilt_on_open.empty() ? "" : ", REBUILT", RssMiB());
    (*reopened)->Stop();
    if (round == 0) {
      Filler filler(*store, "tail-");
      for (std::uint64_t i = 0; i < kTail; ++i) filler.Append(generator.Activity());
      Check(filler.Finish(), "appending the tail");
    }
  }
  if (as_of) MeasureTimeTravel(*store);
  std::printf("peak RSS %ld MiB; data in %s\n", PeakRssMiB(), dir.c_str());
  store.reset();
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
