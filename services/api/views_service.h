#pragma once
// The gRPC Views service: authenticates each call, waits (without blocking a gRPC thread) until
// the projector reached the request's min_position, then answers from the Model with the pure
// queries of services/projections/queries.h under Projector::Read.
//
// min_position: when the projector is already there, the call is answered at once on the gRPC
// thread. Otherwise the call is parked with Projector::NotifyWhen until the call's deadline (at
// most kMaxWait; a little earlier, so the client still receives the answer instead of its own
// timeout). Reached: the query runs on one of the service's two worker threads, so neither the
// projector thread nor the timer thread runs queries. Not reached: DEADLINE_EXCEEDED naming the
// position the views did reach.
//
// Time travel (as_of_position, as_of_time or as_of_business_date; views.proto): the request's
// bound is checked on the gRPC thread (more than one field, a bad date: INVALID_ARGUMENT), then the
// projector's TimeTravel finds or folds the model for it on its own thread, within the call's
// deadline (at most kMaxReplay) and for as long as the client has not cancelled; the query runs
// on a worker thread on that model. min_position is ignored with a bound.
//
// Ownership: borrows the projector and the authenticator; both must outlive this service. Destroy
// it after the gRPC server has shut down. Close() (also run by the destructor) answers every call
// still waiting for min_position with UNAVAILABLE at once; call it before shutting the server
// down so that shutdown does not wait for those calls' deadlines.
// Threads: RPC methods on gRPC's callback threads; Close from any thread.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/auth/authenticator.h"
#include "services/projections/as_of.h"
#include "services/projections/projector.h"
#include "wijkboek/v1/views.grpc.pb.h"

namespace api {

class ViewsService final : public wijkboek::v1::Views::CallbackService {
 public:
  // The longest a call waits for min_position when its own deadline is later or absent.
  static constexpr std::chrono::seconds kMaxWait{30};
  // The longest a time-travel call may take (folding the log up to its bound) when its own
  // deadline is later or absent.
  static constexpr std::chrono::seconds kMaxReplay{600};

  ViewsService(projections::Projector* projector, const auth::Authenticator* auth);
  ~ViewsService() override;
  ViewsService(const ViewsService&) = delete;
  ViewsService& operator=(const ViewsService&) = delete;

  // Answers waiting calls with UNAVAILABLE; later calls that would have to wait get UNAVAILABLE
  // too (calls the views can answer at once are still answered). Idempotent.
  void Close();

  grpc::ServerUnaryReactor* GetProgramme(grpc::CallbackServerContext* context,
                                         const wijkboek::v1::GetProgrammeRequest* request,
                                         wijkboek::v1::GetProgrammeResponse* response) override;
  grpc::ServerUnaryReactor* ListPartners(grpc::CallbackServerContext* context,
                                         const wijkboek::v1::ListPartnersRequest* request,
                                         wijkboek::v1::ListPartnersResponse* response) override;
  grpc::ServerUnaryReactor* GetPartner(grpc::CallbackServerContext* context,
                                       const wijkboek::v1::GetPartnerRequest* request,
                                       wijkboek::v1::GetPartnerResponse* response) override;
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* context,
                                        const wijkboek::v1::ListActionsRequest* request,
                                        wijkboek::v1::ListActionsResponse* response) override;
  grpc::ServerUnaryReactor* GetAction(grpc::CallbackServerContext* context,
                                      const wijkboek::v1::GetActionRequest* request,
                                      wijkboek::v1::GetActionResponse* response) override;
  grpc::ServerUnaryReactor* GetCollaboration(
      grpc::CallbackServerContext* context, const wijkboek::v1::GetCollaborationRequest* request,
      wijkboek::v1::GetCollaborationResponse* response) override;
  grpc::ServerUnaryReactor* ListOwnershipGaps(
      grpc::CallbackServerContext* context, const wijkboek::v1::ListOwnershipGapsRequest* request,
      wijkboek::v1::ListOwnershipGapsResponse* response) override;
  grpc::ServerUnaryReactor* ListKpis(grpc::CallbackServerContext* context,
                                     const wijkboek::v1::ListKpisRequest* request,
                                     wijkboek::v1::ListKpisResponse* response) override;
  grpc::ServerUnaryReactor* GetAgenda(grpc::CallbackServerContext* context,
                                      const wijkboek::v1::GetAgendaRequest* request,
                                      wijkboek::v1::GetAgendaResponse* response) override;
  grpc::ServerUnaryReactor* GetFunds(grpc::CallbackServerContext* context,
                                     const wijkboek::v1::GetFundsRequest* request,
                                     wijkboek::v1::GetFundsResponse* response) override;
  grpc::ServerUnaryReactor* GetProjectBook(grpc::CallbackServerContext* context,
                                           const wijkboek::v1::GetProjectBookRequest* request,
                                           wijkboek::v1::GetProjectBookResponse* response) override;

  // Shared with the NotifyWhen callbacks, which may outlive this object (views_service.cc).
  struct Waiting;

 private:
  // A call's query bound to its request and response: answers from `model`, taking `today` as
  // the day for the agenda's default start and the age of stale actions; fills the response.
  using Query = std::function<grpc::Status(const projections::Model& model, absl::CivilDay today)>;

  // Binds the RPC's request, response and query function (views_service.cc), then Serve()s.
  template <typename Request, typename Response, typename QueryFn>
  grpc::ServerUnaryReactor* ServeView(grpc::CallbackServerContext* context, const Request* request,
                                      Response* response, QueryFn query_fn);
  // Authenticates; then answers from the live views once they reached `min_position`, or, with a
  // time-travel bound, from the model as of that bound (ServeAsOf). Returns the call's reactor.
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context, std::uint64_t min_position,
                                  const absl::StatusOr<projections::AsOf>& as_of, Query query);
  void ServeAsOf(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                 const projections::AsOf& as_of, Query query);

  projections::Projector* projector_;
  const auth::Authenticator* auth_;
  std::shared_ptr<Waiting> waiting_;
};

}  // namespace api
