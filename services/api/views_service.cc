#include "services/api/views_service.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/api/convert.h"
#include "services/api/event_log_service.h"
#include "services/projections/queries.h"

namespace api {

namespace v1 = ::wijkboek::v1;
using projections::Model;

// The calls parked until the views reach their min_position or until their as-of model is
// folded, and the workers that answer them. NotifyWhen and TimeTravel callbacks hold a shared_ptr
// to it, so a callback that fires after the service is gone finds `closed` set and touches
// nothing else.
struct ViewsService::Waiting {
  std::mutex mu;
  std::condition_variable work;                              // wakes the workers
  bool closed = false;                                       // guarded by mu
  std::uint64_t next_id = 0;                                 // guarded by mu
  std::map<std::uint64_t, grpc::ServerUnaryReactor*> calls;  // guarded by mu; not answered yet
  std::deque<std::function<void()>> tasks;                   // guarded by mu
  std::vector<std::thread> workers;  // started by the constructor, joined by the destructor

  // Runs tasks until closed and none are left: queued answers are still given on shutdown.
  void Work() {
    std::unique_lock lock(mu);
    while (true) {
      work.wait(lock, [this] { return closed || !tasks.empty(); });
      if (tasks.empty()) return;
      std::function<void()> task = std::move(tasks.front());
      tasks.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }
};

namespace {

constexpr int kWorkers = 2;

// No exception may leave a reactor: a query that throws (it should not) answers INTERNAL.
grpc::Status Run(const std::function<grpc::Status()>& answer) {
  try {
    return answer();
  } catch (const std::exception& e) {
    return grpc::Status(grpc::StatusCode::INTERNAL, absl::StrCat("views query failed: ", e.what()));
  } catch (...) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "views query failed");
  }
}

// Binds a query function to the call's request and response. `query_fn` is one of
// services/projections/queries.h: (model, request), or (model, request, today) for the queries
// that need a date. The request and response belong to the call and stay valid until it finishes.
template <typename Request, typename Response, typename QueryFn>
std::function<grpc::Status(const Model&, absl::CivilDay)> Bind(const Request* request,
                                                               Response* response,
                                                               QueryFn query_fn) {
  return [request, response, query_fn](const Model& model, absl::CivilDay today) {
    absl::StatusOr<Response> result;
    if constexpr (std::is_invocable_v<QueryFn, const Model&, const Request&, absl::CivilDay>) {
      result = query_fn(model, *request, today);
    } else {
      result = query_fn(model, *request);
    }
    if (!result.ok()) return ToGrpc(result.status());
    *response = *std::move(result);
    return grpc::Status::OK;
  };
}

// "Today" for the agenda's default start and for stale actions: the server's local date.
absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()); }

// When to give up waiting (for min_position, or for a time-travel fold): a little before the
// call's deadline, so that the client receives our DEADLINE_EXCEEDED (which says how far we got)
// rather than its own; never later than `cap` from now.
std::chrono::steady_clock::time_point WaitDeadline(const grpc::CallbackServerContext& context,
                                                   std::chrono::nanoseconds cap) {
  const auto now = std::chrono::system_clock::now();
  const auto call_deadline = context.deadline();
  std::chrono::nanoseconds left = cap;
  if (call_deadline < now + left)
    left = std::max<std::chrono::nanoseconds>(call_deadline - now, {});
  left -= std::min<std::chrono::nanoseconds>(left / 10, std::chrono::milliseconds(200));
  return std::chrono::steady_clock::now() + left;
}

}  // namespace

ViewsService::ViewsService(projections::Projector* projector, const auth::Authenticator* auth)
    : projector_(projector), auth_(auth), waiting_(std::make_shared<Waiting>()) {
  for (int i = 0; i < kWorkers; ++i) {
    waiting_->workers.emplace_back([w = waiting_.get()] { w->Work(); });
  }
}

ViewsService::~ViewsService() {
  Close();
  for (std::thread& t : waiting_->workers) t.join();
}

void ViewsService::Close() {
  std::map<std::uint64_t, grpc::ServerUnaryReactor*> calls;
  {
    std::lock_guard lock(waiting_->mu);
    waiting_->closed = true;
    calls.swap(waiting_->calls);
  }
  waiting_->work.notify_all();
  for (const auto& [id, reactor] : calls) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "the server is shutting down; retry against a running server"));
  }
}

grpc::ServerUnaryReactor* ViewsService::Serve(grpc::CallbackServerContext* context,
                                              std::uint64_t min_position,
                                              const absl::StatusOr<projections::AsOf>& as_of,
                                              Query query) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto principal = Authorize(*auth_, context, auth::Operation::kReadViews);
  if (!principal.ok()) {
    reactor->Finish(ToGrpc(principal.status()));
    return reactor;
  }
  if (!as_of.ok()) {
    reactor->Finish(ToGrpc(as_of.status()));
    return reactor;
  }
  if (as_of->kind != projections::AsOf::Kind::kNow) {
    ServeAsOf(context, reactor, *as_of, std::move(query));
    return reactor;
  }
  std::function<grpc::Status()> answer = [projector = projector_, query = std::move(query)] {
    grpc::Status status;
    const absl::CivilDay today = Today();
    projector->Read([&](const Model& model) { status = query(model, today); });
    return status;
  };
  if (projector_->position() >= min_position) {
    reactor->Finish(Run(answer));
    return reactor;
  }
  const auto deadline = WaitDeadline(*context, kMaxWait);
  std::uint64_t id;
  {
    std::lock_guard lock(waiting_->mu);
    if (waiting_->closed) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
      return reactor;
    }
    id = waiting_->next_id++;
    waiting_->calls.emplace(id, reactor);
  }
  // Runs on the projector thread (reached), the timer thread (deadline) or right here.
  projector_->NotifyWhen(
      min_position, deadline,
      [w = waiting_, id, reactor, answer = std::move(answer), projector = projector_, min_position,
       deadline](bool reached) mutable {
        std::unique_lock lock(w->mu);
        if (w->calls.erase(id) == 0) return;  // Close() answered it already
        if (reached) {
          w->tasks.emplace_back(
              [reactor, answer = std::move(answer)] { reactor->Finish(Run(answer)); });
          lock.unlock();
          w->work.notify_one();
          return;
        }
        lock.unlock();
        const std::uint64_t at = projector->position();
        if (std::chrono::steady_clock::now() < deadline) {
          // The projector stopped before the deadline: the server is going down.
          reactor->Finish(
              grpc::Status(grpc::StatusCode::UNAVAILABLE,
                           absl::StrCat("views stopped at position ", at, ", before reaching ",
                                        min_position, "; the server is shutting down")));
          return;
        }
        reactor->Finish(grpc::Status(
            grpc::StatusCode::DEADLINE_EXCEEDED,
            absl::StrCat("views reached position ", at, ", not ", min_position,
                         ", before the deadline; retry later or with a longer deadline")));
      });
  return reactor;
}

void ViewsService::ServeAsOf(grpc::CallbackServerContext* context,
                             grpc::ServerUnaryReactor* reactor, const projections::AsOf& as_of,
                             Query query) {
  std::uint64_t id;
  {
    std::lock_guard lock(waiting_->mu);
    if (waiting_->closed) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
      return;
    }
    id = waiting_->next_id++;
    waiting_->calls.emplace(id, reactor);
  }
  // Asked by the fold thread between batches. While the call is in `calls` nobody has finished
  // it, so its context is still valid; the lock keeps Close() from finishing it meanwhile.
  auto cancelled = [w = waiting_, id, context] {
    std::lock_guard lock(w->mu);
    return !w->calls.contains(id) || context->IsCancelled();
  };
  // Runs on the fold thread, or here (a cached model, an error found at once).
  auto done = [w = waiting_, id, reactor,
               query = std::move(query)](absl::StatusOr<projections::AsOfModel> got) mutable {
    std::unique_lock lock(w->mu);
    if (w->calls.erase(id) == 0) return;  // Close() answered it already
    if (!got.ok()) {
      lock.unlock();
      reactor->Finish(ToGrpc(got.status()));
      return;
    }
    w->tasks.emplace_back([reactor, query = std::move(query), got = *std::move(got)] {
      reactor->Finish(Run([&] { return query(*got.model, got.today); }));
    });
    lock.unlock();
    w->work.notify_one();
  };
  projector_->time_travel().Request(as_of, WaitDeadline(*context, kMaxReplay), std::move(cancelled),
                                    std::move(done));
}

template <typename Request, typename Response, typename QueryFn>
grpc::ServerUnaryReactor* ViewsService::ServeView(grpc::CallbackServerContext* context,
                                                  const Request* request, Response* response,
                                                  QueryFn query_fn) {
  return Serve(context, request->min_position(), projections::AsOfOf(*request),
               Bind(request, response, query_fn));
}

// ---- The RPCs: each names its query ---------------------------------------------------------

grpc::ServerUnaryReactor* ViewsService::GetProgramme(grpc::CallbackServerContext* context,
                                                     const v1::GetProgrammeRequest* request,
                                                     v1::GetProgrammeResponse* response) {
  return ServeView(context, request, response, &projections::GetProgramme);
}

grpc::ServerUnaryReactor* ViewsService::ListPartners(grpc::CallbackServerContext* context,
                                                     const v1::ListPartnersRequest* request,
                                                     v1::ListPartnersResponse* response) {
  return ServeView(context, request, response, &projections::ListPartners);
}

grpc::ServerUnaryReactor* ViewsService::GetPartner(grpc::CallbackServerContext* context,
                                                   const v1::GetPartnerRequest* request,
                                                   v1::GetPartnerResponse* response) {
  return ServeView(context, request, response, &projections::GetPartner);
}

grpc::ServerUnaryReactor* ViewsService::ListActions(grpc::CallbackServerContext* context,
                                                    const v1::ListActionsRequest* request,
                                                    v1::ListActionsResponse* response) {
  return ServeView(context, request, response, &projections::ListActions);
}

grpc::ServerUnaryReactor* ViewsService::GetAction(grpc::CallbackServerContext* context,
                                                  const v1::GetActionRequest* request,
                                                  v1::GetActionResponse* response) {
  return ServeView(context, request, response, &projections::GetAction);
}

grpc::ServerUnaryReactor* ViewsService::GetCollaboration(grpc::CallbackServerContext* context,
                                                         const v1::GetCollaborationRequest* request,
                                                         v1::GetCollaborationResponse* response) {
  return ServeView(context, request, response, &projections::GetCollaboration);
}

grpc::ServerUnaryReactor* ViewsService::ListOwnershipGaps(
    grpc::CallbackServerContext* context, const v1::ListOwnershipGapsRequest* request,
    v1::ListOwnershipGapsResponse* response) {
  return ServeView(context, request, response, &projections::ListOwnershipGaps);
}

grpc::ServerUnaryReactor* ViewsService::ListKpis(grpc::CallbackServerContext* context,
                                                 const v1::ListKpisRequest* request,
                                                 v1::ListKpisResponse* response) {
  return ServeView(context, request, response, &projections::ListKpis);
}

grpc::ServerUnaryReactor* ViewsService::GetAgenda(grpc::CallbackServerContext* context,
                                                  const v1::GetAgendaRequest* request,
                                                  v1::GetAgendaResponse* response) {
  return ServeView(context, request, response, &projections::GetAgenda);
}

grpc::ServerUnaryReactor* ViewsService::GetFunds(grpc::CallbackServerContext* context,
                                                 const v1::GetFundsRequest* request,
                                                 v1::GetFundsResponse* response) {
  return ServeView(context, request, response, &projections::GetFunds);
}

grpc::ServerUnaryReactor* ViewsService::GetProjectBook(grpc::CallbackServerContext* context,
                                                       const v1::GetProjectBookRequest* request,
                                                       v1::GetProjectBookResponse* response) {
  return ServeView(context, request, response, &projections::GetProjectBook);
}

}  // namespace api
