// The fold thread, its job queue and the cache of as-of models. See time_travel.h.
#include "services/projections/time_travel.h"

#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace projections {
namespace {

// What a model was folded from: the log up to `position`, with every event (no business date)
// or only those of a business day up to `business_date`.
struct Key {
  std::uint64_t position = 0;
  std::optional<absl::CivilDay> business_date;

  bool operator==(const Key& other) const = default;
  // Folding on from `base` gives this model: same kind and date, not past this position.
  bool CanGrowFrom(const Key& base) const {
    return business_date == base.business_date && base.position <= position;
  }
  std::string Describe() const {
    if (!business_date) return absl::StrCat("position ", position);
    return absl::StrCat("business date ", absl::FormatCivilTime(*business_date),
                        " out of the log up to position ", position);
  }
};

struct Waiter {
  TimeTravel::Clock::time_point deadline;
  std::function<bool()> cancelled;
  TimeTravel::Done done;
  absl::CivilDay today;
};

struct Job {
  Key key;
  std::vector<Waiter> waiters;
};

struct Cached {
  Key key;
  std::shared_ptr<const Model> model;
};

// An answer to give once the lock is released.
struct Reply {
  TimeTravel::Done done;
  absl::StatusOr<AsOfModel> answer;
};

// CPU time of the calling thread.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

void Send(std::vector<Reply>& replies) {
  for (Reply& r : replies) r.done(std::move(r.answer));
  replies.clear();
}

}  // namespace

struct TimeTravel::Impl {
  Impl(const storage::EventStore* s, LiveCopy l, TimeTravelOptions o)
      : store(s), live_copy(std::move(l)), options(o) {}

  void Run();
  // Under mu: moves the answers for waiters that gave up into `replies`. True when the job at the
  // front still has a waiter.
  bool SweepLocked(std::uint64_t reached, std::vector<Reply>* replies);
  // Under mu: the cached model the fold for `key` is best started from, or nullptr.
  std::shared_ptr<const Model> BaseLocked(const Key& key) const;
  void CacheLocked(const Key& key, std::shared_ptr<const Model> model);
  // Folds the job at the front; answers its waiters.
  void FoldFront();

  const storage::EventStore* const store;
  const LiveCopy live_copy;
  const TimeTravelOptions options;

  mutable std::mutex mu;
  std::condition_variable wake;  // the fold thread sleeps here
  bool closed = false;           // guarded by mu
  std::deque<Job> jobs;          // guarded by mu; the front is being folded; one job per key
  std::list<Cached> cache;       // guarded by mu; most recently used first
  TimeTravelStats stats;         // guarded by mu
  std::thread thread;            // last: started once the rest is initialised
};

bool TimeTravel::Impl::SweepLocked(std::uint64_t reached, std::vector<Reply>* replies) {
  const Clock::time_point now = Clock::now();
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    Job& job = jobs[j];
    auto gone = std::stable_partition(job.waiters.begin(), job.waiters.end(), [&](Waiter& w) {
      return now < w.deadline && !(w.cancelled && w.cancelled());
    });
    for (auto it = gone; it != job.waiters.end(); ++it) {
      if (now >= it->deadline) {
        std::string where =
            j == 0 ? absl::StrCat("got to position ", reached, " of ", job.key.position)
                   : std::string("waited behind another replay");
        replies->push_back({std::move(it->done),
                            absl::DeadlineExceededError(absl::StrCat(
                                "replaying the log for ", job.key.Describe(), " ", where,
                                " before the call's deadline; retry with a longer deadline"))});
      } else {
        replies->push_back({std::move(it->done), absl::CancelledError("the call was cancelled")});
      }
    }
    job.waiters.erase(gone, job.waiters.end());
  }
  return !jobs.empty() && !jobs.front().waiters.empty();
}

std::shared_ptr<const Model> TimeTravel::Impl::BaseLocked(const Key& key) const {
  const Cached* best = nullptr;
  for (const Cached& c : cache) {
    if (key.CanGrowFrom(c.key) && (best == nullptr || c.key.position > best->key.position)) {
      best = &c;
    }
  }
  return best == nullptr ? nullptr : best->model;
}

void TimeTravel::Impl::CacheLocked(const Key& key, std::shared_ptr<const Model> model) {
  cache.remove_if([&](const Cached& c) { return c.key == key; });
  cache.push_front({key, std::move(model)});
  while (cache.size() > std::max<std::size_t>(options.cached_models, 1)) cache.pop_back();
}

void TimeTravel::Impl::FoldFront() {
  std::unique_lock lock(mu);
  if (closed || jobs.empty()) return;  // Close() ran meanwhile
  const Key key = jobs.front().key;
  std::shared_ptr<const Model> base = BaseLocked(key);
  lock.unlock();

  std::shared_ptr<const Model> result;
  absl::Status status;
  std::uint64_t started_at = 0;
  const double cpu_start = ThreadCpuSeconds();
  if (base != nullptr && base->position == key.position) {
    result = base;  // folded meanwhile by a job for an equal key
  } else {
    std::unique_ptr<Model> model;
    bool from_live = false;
    if (!key.business_date && live_copy) {
      model = live_copy(key.position);
      from_live = model != nullptr;
    }
    if (model == nullptr) model = base ? std::make_unique<Model>(*base) : std::make_unique<Model>();
    started_at = model->position;
    std::uint64_t reached = started_at;
    status = FoldPrefix(
        *store, key.position, key.business_date,
        [&](std::uint64_t position) {
          reached = position;
          std::vector<Reply> replies;
          bool wanted;
          {
            std::lock_guard guard(mu);
            wanted = SweepLocked(position, &replies) && !closed;
          }
          Send(replies);
          return wanted;
        },
        model.get());
    lock.lock();
    stats.fold_cpu_seconds += ThreadCpuSeconds() - cpu_start;
    stats.events_folded += (status.ok() ? key.position : reached) - started_at;
    if (from_live) ++stats.live_copies;
    if (!from_live && base != nullptr) ++stats.cached_bases;
    lock.unlock();
    if (status.ok()) result = std::move(model);
  }

  std::vector<Reply> replies;
  lock.lock();
  if (closed) return;  // Close() answers the waiters
  Job& job = jobs.front();
  if (status.code() == absl::StatusCode::kCancelled) {
    ++stats.folds_abandoned;
    // Someone may have joined since the last sweep: then the job stays and is folded again.
    if (job.waiters.empty()) jobs.pop_front();
    return;
  }
  if (status.ok()) {
    ++stats.folds;
    CacheLocked(key, result);
  }
  for (Waiter& w : job.waiters) {
    if (status.ok()) {
      replies.push_back({std::move(w.done), AsOfModel{result, w.today}});
    } else {
      replies.push_back({std::move(w.done), status});
    }
  }
  jobs.pop_front();
  lock.unlock();
  Send(replies);
}

void TimeTravel::Impl::Run() {
  while (true) {
    {
      std::unique_lock lock(mu);
      wake.wait(lock, [this] { return closed || !jobs.empty(); });
      if (closed) return;
    }
    FoldFront();
  }
}

TimeTravel::TimeTravel(const storage::EventStore* store, LiveCopy live_copy,
                       TimeTravelOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(live_copy), options)) {
  impl_->thread = std::thread([d = impl_.get()] { d->Run(); });
}

TimeTravel::~TimeTravel() { Close(); }

void TimeTravel::Close() {
  Impl& d = *impl_;
  std::vector<Reply> replies;
  {
    std::lock_guard lock(d.mu);
    d.closed = true;
    for (Job& job : d.jobs) {
      for (Waiter& w : job.waiters) {
        replies.push_back({std::move(w.done),
                           absl::UnavailableError("the server is shutting down; ask again later")});
      }
    }
    d.jobs.clear();
    d.cache.clear();
  }
  d.wake.notify_all();
  // Answer before joining: a fold may still be between two batches, and the callers need not
  // wait for it.
  Send(replies);
  if (d.thread.joinable() && d.thread.get_id() != std::this_thread::get_id()) d.thread.join();
}

void TimeTravel::Request(const AsOf& as_of, Clock::time_point deadline,
                         std::function<bool()> cancelled, Done done) {
  Impl& d = *impl_;
  Key key;
  absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  switch (as_of.kind) {
    case AsOf::Kind::kNow:
      key.position = d.store->Head();
      break;
    case AsOf::Kind::kPosition:
      key.position = as_of.position;
      if (const std::uint64_t head = d.store->Head(); key.position > head) {
        done(absl::OutOfRangeError(
            absl::StrCat("as_of_position ", as_of.position, " is beyond the log's head ", head)));
        return;
      }
      break;
    case AsOf::Kind::kRecordTime: {
      absl::StatusOr<std::uint64_t> position = LastPositionRecordedBy(*d.store, as_of.time_micros);
      if (!position.ok()) {
        done(position.status());
        return;
      }
      key.position = *position;
      today = absl::ToCivilDay(absl::FromUnixMicros(as_of.time_micros), ProgrammeTimeZone());
      break;
    }
    case AsOf::Kind::kBusinessDate:
      key.position = d.store->Head();
      key.business_date = as_of.date;
      today = as_of.date;
      break;
  }

  std::unique_lock lock(d.mu);
  ++d.stats.requests;
  if (d.closed) {
    lock.unlock();
    done(absl::UnavailableError("the server is shutting down; ask again later"));
    return;
  }
  if (key.position == 0) {
    // Before the first event: the empty model, nothing to fold.
    lock.unlock();
    done(AsOfModel{std::make_shared<const Model>(), today});
    return;
  }
  for (auto it = d.cache.begin(); it != d.cache.end(); ++it) {
    if (it->key != key) continue;
    d.cache.splice(d.cache.begin(), d.cache, it);
    ++d.stats.cache_hits;
    std::shared_ptr<const Model> model = d.cache.front().model;
    lock.unlock();
    done(AsOfModel{std::move(model), today});
    return;
  }
  Waiter waiter{deadline, std::move(cancelled), std::move(done), today};
  auto job = std::find_if(d.jobs.begin(), d.jobs.end(), [&](const Job& j) { return j.key == key; });
  if (job != d.jobs.end()) {
    job->waiters.push_back(std::move(waiter));
    return;
  }
  d.jobs.push_back(Job{key, {}});
  d.jobs.back().waiters.push_back(std::move(waiter));
  lock.unlock();
  d.wake.notify_one();
}

TimeTravelStats TimeTravel::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace projections
