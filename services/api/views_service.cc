#include "services/api/views_service.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
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

// The calls parked until the views reach their min_position, and the workers that answer them.
// NotifyWhen callbacks hold a shared_ptr to it, so a callback that fires after the service is
// gone finds `closed` set and touches nothing else.
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

// Runs `query` on the model under the projector's shared lock and moves its answer into
// `response`. The request and response belong to the call and stay valid until it finishes.
template <typename Request, typename Response, typename Query>
std::function<grpc::Status()> Answer(projections::Projector* projector, const Request* request,
                                     Response* response, Query query) {
  return [projector, request, response, query] {
    absl::Status status;
    projector->Read([&](const Model& model) {
      absl::StatusOr<Response> result = query(model, *request);
      if (result.ok()) {
        *response = *std::move(result);
      } else {
        status = result.status();
      }
    });
    return ToGrpc(status);
  };
}

// "Today" for the agenda's default start and for stale actions: the server's local date.
absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()); }

// When to give up waiting for min_position: a little before the call's deadline, so that the
// client receives our DEADLINE_EXCEEDED (which says how far the views got) rather than its own;
// never later than kMaxWait from now.
std::chrono::steady_clock::time_point WaitDeadline(const grpc::CallbackServerContext& context) {
  const auto now = std::chrono::system_clock::now();
  const auto call_deadline = context.deadline();
  std::chrono::nanoseconds left = ViewsService::kMaxWait;
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
                                              std::function<grpc::Status()> answer) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto principal = Authorize(*auth_, context, auth::Operation::kReadViews);
  if (!principal.ok()) {
    reactor->Finish(ToGrpc(principal.status()));
    return reactor;
  }
  if (projector_->position() >= min_position) {
    reactor->Finish(Run(answer));
    return reactor;
  }
  const auto deadline = WaitDeadline(*context);
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

// ---- The RPCs: each names its query ---------------------------------------------------------

grpc::ServerUnaryReactor* ViewsService::GetProgramme(grpc::CallbackServerContext* context,
                                                     const v1::GetProgrammeRequest* request,
                                                     v1::GetProgrammeResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::GetProgramme));
}

grpc::ServerUnaryReactor* ViewsService::ListPartners(grpc::CallbackServerContext* context,
                                                     const v1::ListPartnersRequest* request,
                                                     v1::ListPartnersResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::ListPartners));
}

grpc::ServerUnaryReactor* ViewsService::GetPartner(grpc::CallbackServerContext* context,
                                                   const v1::GetPartnerRequest* request,
                                                   v1::GetPartnerResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::GetPartner));
}

grpc::ServerUnaryReactor* ViewsService::ListActions(grpc::CallbackServerContext* context,
                                                    const v1::ListActionsRequest* request,
                                                    v1::ListActionsResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::ListActions));
}

grpc::ServerUnaryReactor* ViewsService::GetAction(grpc::CallbackServerContext* context,
                                                  const v1::GetActionRequest* request,
                                                  v1::GetActionResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::GetAction));
}

grpc::ServerUnaryReactor* ViewsService::GetCollaboration(grpc::CallbackServerContext* context,
                                                         const v1::GetCollaborationRequest* request,
                                                         v1::GetCollaborationResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::GetCollaboration));
}

grpc::ServerUnaryReactor* ViewsService::ListOwnershipGaps(
    grpc::CallbackServerContext* context, const v1::ListOwnershipGapsRequest* request,
    v1::ListOwnershipGapsResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response,
                      [](const Model& model, const v1::ListOwnershipGapsRequest& r) {
                        return projections::ListOwnershipGaps(model, r, Today());
                      }));
}

grpc::ServerUnaryReactor* ViewsService::ListKpis(grpc::CallbackServerContext* context,
                                                 const v1::ListKpisRequest* request,
                                                 v1::ListKpisResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::ListKpis));
}

grpc::ServerUnaryReactor* ViewsService::GetAgenda(grpc::CallbackServerContext* context,
                                                  const v1::GetAgendaRequest* request,
                                                  v1::GetAgendaResponse* response) {
  return Serve(
      context, request->min_position(),
      Answer(projector_, request, response, [](const Model& model, const v1::GetAgendaRequest& r) {
        return projections::GetAgenda(model, r, Today());
      }));
}

grpc::ServerUnaryReactor* ViewsService::GetFunds(grpc::CallbackServerContext* context,
                                                 const v1::GetFundsRequest* request,
                                                 v1::GetFundsResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::GetFunds));
}

grpc::ServerUnaryReactor* ViewsService::GetProjectBook(grpc::CallbackServerContext* context,
                                                       const v1::GetProjectBookRequest* request,
                                                       v1::GetProjectBookResponse* response) {
  return Serve(context, request->min_position(),
               Answer(projector_, request, response, &projections::GetProjectBook));
}

}  // namespace api
