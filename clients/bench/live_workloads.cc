#include "clients/bench/live_workloads.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "clients/cli/views_client.h"

namespace bench {
namespace {

namespace v1 = wijkboek::v1;

constexpr auto kDeadline = std::chrono::seconds(60);

// Polls `condition` every 2 ms until it holds or `deadline` passes; its last value.
template <typename Condition>
bool PollFor(Clock::duration deadline, Condition condition) {
  const Clock::time_point until = Clock::now() + deadline;
  while (!condition()) {
    if (Clock::now() >= until) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// One live subscriber through the callback API. Its callbacks run on gRPC's threads, one at a
// time; `received_` is read by the suite only after done() (which OnDone sets with release).
class Follower final : public grpc::ClientReadReactor<v1::SubscribeResponse> {
 public:
  struct Delivery {
    std::uint64_t position;
    Clock::time_point at;
  };

  Follower(v1::EventLog::Stub* stub, const std::string& token, std::uint64_t from) {
    context_.AddMetadata("authorization", "Bearer " + token);
    request_.set_from_position(from);
    received_.reserve(4096);
    stub->async()->Subscribe(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    const Clock::time_point now = Clock::now();
    if (!ok) return;  // OnDone follows
    if (response_.has_event()) {
      received_.push_back({response_.event().position(), now});
      last_.store(response_.event().position(), std::memory_order_release);
    } else if (response_.message_case() == v1::SubscribeResponse::kCaughtUp) {
      caught_up_.store(true, std::memory_order_release);
    }
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.store(true, std::memory_order_release);
  }

  void Cancel() { context_.TryCancel(); }
  bool caught_up() const { return caught_up_.load(std::memory_order_acquire); }
  bool done() const { return done_.load(std::memory_order_acquire); }
  std::uint64_t last() const { return last_.load(std::memory_order_acquire); }
  // Only after done().
  const std::vector<Delivery>& received() const { return received_; }
  const grpc::Status& status() const { return status_; }

 private:
  grpc::ClientContext context_;
  v1::SubscribeRequest request_;
  v1::SubscribeResponse response_;
  std::vector<Delivery> received_;
  grpc::Status status_;
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> done_{false};
  std::atomic<std::uint64_t> last_{0};
};

struct Ack {
  std::uint64_t position;
  Clock::time_point at;
};

// W writers, each appending single events at rate/W per second for `duration`.
absl::StatusOr<std::vector<Ack>> PacedAppends(std::vector<std::unique_ptr<WijkboekWriter>>& writers,
                                              double rate, Clock::duration duration) {
  std::mutex mu;
  std::vector<Ack> acks;  // guarded by mu
  absl::Status error;     // guarded by mu
  const Clock::time_point start = Clock::now();
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(static_cast<double>(writers.size()) / rate));
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < writers.size(); ++w) {
    threads.emplace_back([&, w] {
      std::vector<Ack> mine;
      // Staggered, so the writers do not all append in the same instant.
      Clock::time_point next = start + interval * w / writers.size();
      while (next < start + duration) {
        std::this_thread::sleep_until(next);  // pacing the load, not synchronising
        auto response = writers[w]->Append();
        const Clock::time_point acked = Clock::now();
        if (!response.ok()) {
          std::lock_guard lock(mu);
          if (error.ok()) error = response.status();
          return;
        }
        mine.push_back({response->last_position(), acked});
        next += interval;
      }
      std::lock_guard lock(mu);
      acks.insert(acks.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  if (!error.ok()) return error;
  std::sort(acks.begin(), acks.end(),
            [](const Ack& a, const Ack& b) { return a.position < b.position; });
  return acks;
}

// Cycles through a mix of Views calls; the ids come from the programme that was imported.
class QueryClient final : public LoadClient {
 public:
  QueryClient(std::shared_ptr<grpc::Channel> channel, const std::string& token,
              std::string partner_id, std::string action_id)
      : views_(std::move(channel), token, kDeadline),
        partner_id_(std::move(partner_id)),
        action_id_(std::move(action_id)) {}

  absl::Status RunOnce() override {
    switch (next_++ % 5) {
      case 0:
        return views_.GetProgramme({}).status();
      case 1:
        return views_.ListPartners({}).status();
      case 2: {
        v1::GetPartnerRequest request;
        request.set_partner_id(partner_id_);
        return views_.GetPartner(request).status();
      }
      case 3:
        return views_.ListActions({}).status();
      default: {
        v1::GetActionRequest request;
        request.set_action_id(action_id_);
        return views_.GetAction(request).status();
      }
    }
  }

 private:
  wijkboek::client::ViewsClient views_;
  std::string partner_id_;
  std::string action_id_;
  unsigned next_ = 0;
};

}  // namespace

absl::StatusOr<Record> RunFanout(WijkboekSystem& system, const FanoutOptions& options) {
  std::vector<std::unique_ptr<WijkboekWriter>> writers;
  for (int w = 0; w < options.writers; ++w) {
    auto writer = system.NewWriter(w, 1);
    if (!writer.ok()) return writer.status();
    writers.push_back(*std::move(writer));
  }
  auto head = system.Client().GetHead();
  if (!head.ok()) return head.status();
  const std::uint64_t from = head->position() + 1;

  std::vector<std::unique_ptr<v1::EventLog::Stub>> stubs;
  std::vector<std::unique_ptr<Follower>> followers;
  for (int s = 0; s < options.subscribers; ++s) {
    if (s % std::max(1, options.per_connection) == 0) {
      stubs.push_back(v1::EventLog::NewStub(OwnChannel(system.address())));
    }
    followers.push_back(std::make_unique<Follower>(stubs.back().get(), system.token(), from));
  }
  // However it ends, no reactor may outlive its call.
  const auto stop_followers = [&] {
    for (auto& f : followers) f->Cancel();
    PollFor(kDeadline, [&] {
      return std::all_of(followers.begin(), followers.end(), [](auto& f) { return f->done(); });
    });
  };
  const bool caught_up = PollFor(kDeadline, [&] {
    return std::all_of(followers.begin(), followers.end(),
                       [](auto& f) { return f->caught_up() || f->done(); });
  });
  for (auto& f : followers) {
    if (f->done() || !caught_up) {
      const grpc::Status status = f->done() ? f->status() : grpc::Status::OK;
      stop_followers();
      return absl::DeadlineExceededError(
          absl::StrCat("fanout: a subscriber did not catch up (", status.error_message(), ")"));
    }
  }

  system.BeginWorkload();
  const std::optional<double> cpu_before = system.ServerCpuSeconds();
  const Clock::time_point start = Clock::now();
  auto acks = PacedAppends(writers, options.rate, options.duration);
  const double seconds = Seconds(Clock::now() - start);
  if (!acks.ok() || acks->empty()) {
    stop_followers();
    return acks.ok() ? absl::InternalError("fanout: nothing was appended") : acks.status();
  }
  const std::uint64_t last = acks->back().position;
  const bool received_all = PollFor(kDeadline, [&] {
    return std::all_of(followers.begin(), followers.end(),
                       [&](auto& f) { return f->last() >= last || f->done(); });
  });
  const std::optional<double> cpu_after = system.ServerCpuSeconds();
  stop_followers();

  // Every subscriber: exactly positions from..last, in order, once each.
  std::vector<double> delays;
  delays.reserve(followers.size() * acks->size());
  std::size_t complete = 0;
  std::size_t early = 0;
  for (auto& f : followers) {
    const auto& got = f->received();
    bool exact = got.size() == last - from + 1;
    for (std::size_t i = 0; exact && i < got.size(); ++i) exact = got[i].position == from + i;
    complete += exact ? 1 : 0;
    for (const auto& d : got) {
      auto ack = std::lower_bound(acks->begin(), acks->end(), d.position,
                                  [](const Ack& a, std::uint64_t p) { return a.position < p; });
      if (ack == acks->end() || ack->position != d.position) continue;
      delays.push_back(Millis(d.at - ack->at));
      early += d.at < ack->at ? 1 : 0;
    }
  }

  Record r;
  r.system = system.name();
  r.workload = "fanout";
  r.method = "Subscribe";
  r.clients = options.subscribers;
  r.batch = 1;
  r.seconds = seconds;
  r.events = acks->size();
  r.events_per_s = static_cast<double>(acks->size()) / seconds;
  r.SetLatency(Summarize(delays));
  r.extra["deliveries"] = delays.size();
  if (cpu_before && cpu_after && !delays.empty()) {
    r.extra["server_cpu_us_per_delivery"] = (*cpu_after - *cpu_before) * 1e6 / delays.size();
  }
  r.extra["all_delivered"] = received_all && complete == followers.size();
  r.extra["subscribers_complete"] = complete;
  r.extra["writers"] = options.writers;
  r.extra["target_rate"] = options.rate;
  r.extra["before_ack_fraction"] =
      delays.empty() ? 0.0 : static_cast<double>(early) / delays.size();
  system.EndWorkload(r);
  return r;
}

absl::StatusOr<Record> RunViews(WijkboekSystem& system, const ViewsOptions& options) {
  if (!options.programme_file.empty()) {
    if (absl::Status s = system.Import(options.programme_file); !s.ok()) return s;
  }
  // Ids to ask about: the first partner and action of the programme (or of the bench).
  wijkboek::client::ViewsClient probe(OwnChannel(system.address()), system.token(), kDeadline);
  std::vector<std::unique_ptr<LoadClient>> writers;
  for (int w = 0; w < options.writers; ++w) {
    auto writer = system.NewAppendClient(w, 1);
    if (!writer.ok()) return writer.status();
    writers.push_back(*std::move(writer));
  }
  auto head = system.Client().GetHead();
  if (!head.ok()) return head.status();
  v1::ListPartnersRequest partners_request;
  partners_request.set_min_position(head->position());
  auto partners = probe.ListPartners(partners_request);
  v1::ListActionsRequest actions_request;
  actions_request.set_min_position(head->position());
  auto actions = probe.ListActions(actions_request);
  if (!partners.ok()) return partners.status();
  if (!actions.ok()) return actions.status();
  if (actions->actions().empty())
    return absl::FailedPreconditionError("views: no actions to ask about");
  const std::string partner_id =
      partners->partners().empty() ? "" : partners->partners(0).partner_id();
  const std::string action_id = actions->actions(0).action_id();
  std::vector<std::unique_ptr<LoadClient>> queries;
  for (int q = 0; q < options.clients; ++q) {
    queries.push_back(std::make_unique<QueryClient>(OwnChannel(system.address()), system.token(),
                                                    partner_id, action_id));
  }

  system.BeginWorkload();
  absl::StatusOr<LoopResult> appended;
  std::thread writing([&] { appended = RunClosedLoop(writers, options.limits); });
  auto queried = RunClosedLoop(queries, options.limits);
  writing.join();
  if (!queried.ok()) return queried.status();
  if (!appended.ok()) return appended.status();

  Record r;
  r.system = system.name();
  r.workload = "views";
  r.method = "Views mix";
  r.clients = options.clients;
  r.batch = 1;
  r.seconds = queried->seconds;
  r.events = appended->requests;
  r.events_per_s = static_cast<double>(appended->requests) / appended->seconds;
  r.requests_per_s = static_cast<double>(queried->requests) / queried->seconds;
  r.SetLatency(queried->latency);
  r.extra["queries_per_s"] = *r.requests_per_s;
  r.extra["writers"] = options.writers;
  r.extra["writer_p99_ms"] = appended->latency.p99_ms;
  system.EndWorkload(r);
  return r;
}

}  // namespace bench
