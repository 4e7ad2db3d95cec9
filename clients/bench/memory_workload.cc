#include "clients/bench/memory_workload.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/bench/process_stats.h"
#include "clients/cli/views_client.h"

namespace bench {
namespace {

namespace v1 = wijkboek::v1;

// The views of a large log may take minutes to catch up after the fill.
constexpr auto kCatchUp = std::chrono::minutes(20);
constexpr auto kQueryDeadline = std::chrono::minutes(5);
constexpr auto kSampleEvery = std::chrono::milliseconds(100);
// After the queries: longer than wijkboekd's malloc_trim interval (services/server/memory_trimmer.h).
constexpr auto kAfterQueries = std::chrono::seconds(7);

absl::Status Annotate(const absl::Status& s, const std::string& what) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

// A channel that takes answers of any size: GetAction of the largest action holds every one of
// its results.
std::shared_ptr<grpc::Channel> LargeAnswers(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// Runs `query`, timed, and notes its seconds and answer bytes under `name` in `r.extra`.
template <typename Query>
absl::Status Timed(Record& r, const std::string& name, Query query) {
  const Clock::time_point start = Clock::now();
  auto answer = query();
  if (!answer.ok()) return Annotate(answer.status(), name);
  r.extra[absl::StrCat(name, "_seconds")] = Seconds(Clock::now() - start);
  r.extra[absl::StrCat(name, "_bytes")] = answer->ByteSizeLong();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Record> RunMemory(WijkboekSystem& system, const MemoryOptions& options) {
  if (absl::Status s = system.Reset(); !s.ok()) return s;
  std::vector<std::unique_ptr<LoadClient>> writers;
  for (int i = 0; i < options.clients; ++i) {
    auto writer = system.NewAppendClient(i, options.batch);
    if (!writer.ok()) return writer.status();
    writers.push_back(*std::move(writer));
  }
  system.BeginWorkload();
  LoopLimits fill;
  fill.requests = (options.events + options.batch - 1) / options.batch;
  auto filled = RunClosedLoop(writers, fill);
  writers.clear();
  if (!filled.ok()) return Annotate(filled.status(), "filling");

  auto head = system.Client().GetHead();
  if (!head.ok()) return head.status();
  wijkboek::client::ViewsClient views(LargeAnswers(system.address()), system.token(), kCatchUp);
  v1::GetProgrammeRequest caught_up;
  caught_up.set_min_position(head->position());
  const Clock::time_point fold_start = Clock::now();
  if (auto p = views.GetProgramme(caught_up, wijkboek::client::Clock::now() + kCatchUp); !p.ok()) {
    return Annotate(p.status(), "waiting for the views to fold the log");
  }
  const double fold_seconds = Seconds(Clock::now() - fold_start);

  std::this_thread::sleep_for(options.settle);
  const pid_t pid = system.server_pid();
  std::vector<std::uint64_t> samples;
  for (const Clock::time_point end = Clock::now() + options.sample; Clock::now() < end;
       std::this_thread::sleep_for(kSampleEvery)) {
    if (auto rss = ResidentBytes(pid)) samples.push_back(*rss);
  }
  if (samples.empty()) return absl::InternalError("wijkboekd's RSS could not be read");
  std::sort(samples.begin(), samples.end());

  Record r;
  system.EndWorkload(r);  // peak, disk, events stored, as the other workloads have them
  r.system = system.name();
  r.workload = "memory";
  r.method = absl::StrCat("fill ", options.clients, "×", options.batch, ", settle, sample");
  r.clients = options.clients;
  r.batch = options.batch;
  r.seconds = filled->seconds;
  r.events = filled->requests * static_cast<std::uint64_t>(options.batch);
  r.events_per_s = static_cast<double>(r.events) / filled->seconds;
  r.rss_bytes = samples[samples.size() / 2];
  r.extra["rss_min_bytes"] = samples.front();
  r.extra["rss_max_bytes"] = samples.back();
  r.extra["rss_samples"] = samples.size();
  r.extra["views_caught_up_seconds"] = fold_seconds;
  const auto deadline = [] { return wijkboek::client::Clock::now() + kQueryDeadline; };
  if (absl::Status s = Timed(r, "get_programme", [&] { return views.GetProgramme({}, deadline()); });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Timed(r, "list_actions", [&] { return views.ListActions({}, deadline()); });
      !s.ok()) {
    return s;
  }
  v1::GetActionRequest largest;
  largest.set_action_id(ActionId(0));
  if (absl::Status s = Timed(r, "get_action", [&] { return views.GetAction(largest, deadline()); });
      !s.ok()) {
    return s;
  }
  if (head->position() <= kProjectBookEvents) {
    if (absl::Status s =
            Timed(r, "project_book", [&] { return views.GetProjectBook({}, deadline()); });
        !s.ok()) {
      return s;
    }
  }
  if (auto rss = ResidentBytes(pid)) r.extra["rss_right_after_queries_bytes"] = *rss;
  std::this_thread::sleep_for(kAfterQueries);
  if (auto rss = ResidentBytes(pid)) r.extra["rss_after_queries_bytes"] = *rss;
  if (auto peak = PeakResidentBytes(pid)) r.extra["rss_peak_with_queries_bytes"] = *peak;
  return r;
}

}  // namespace bench
