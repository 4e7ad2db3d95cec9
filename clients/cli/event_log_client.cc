#include "clients/cli/event_log_client.h"

namespace wijkboek::client {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

EventLogClient::EventLogClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
                               std::chrono::milliseconds default_timeout)
    : stub_(v1::EventLog::NewStub(std::move(channel))),
      authorization_("Bearer " + std::move(token)),
      default_timeout_(default_timeout) {}

void EventLogClient::Prepare(grpc::ClientContext* context, std::optional<Deadline> deadline) const {
  context->AddMetadata("authorization", authorization_);
  if (deadline.has_value()) context->set_deadline(*deadline);
}

absl::StatusOr<v1::AppendResponse> EventLogClient::Append(const v1::AppendRequest& request,
                                                          std::optional<Deadline> deadline) const {
  grpc::ClientContext context;
  Prepare(&context, deadline.value_or(Clock::now() + default_timeout_));
  v1::AppendResponse response;
  absl::Status status = FromGrpcStatus(stub_->Append(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::GetHeadResponse> EventLogClient::GetHead(
    std::optional<Deadline> deadline) const {
  grpc::ClientContext context;
  Prepare(&context, deadline.value_or(Clock::now() + default_timeout_));
  v1::GetHeadResponse response;
  absl::Status status = FromGrpcStatus(stub_->GetHead(&context, v1::GetHeadRequest(), &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::VerifyResponse> EventLogClient::Verify(const v1::VerifyRequest& request,
                                                          std::optional<Deadline> deadline) const {
  grpc::ClientContext context;
  Prepare(&context, deadline.value_or(Clock::now() + default_timeout_));
  v1::VerifyResponse response;
  absl::Status status = FromGrpcStatus(stub_->Verify(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::SignedHead> EventLogClient::GetSignedHead(
    std::optional<Deadline> deadline) const {
  grpc::ClientContext context;
  Prepare(&context, deadline.value_or(Clock::now() + default_timeout_));
  v1::SignedHead response;
  absl::Status status =
      FromGrpcStatus(stub_->GetSignedHead(&context, v1::GetSignedHeadRequest(), &response));
  if (!status.ok()) return status;
  return response;
}

std::unique_ptr<StreamReader<v1::Event>> EventLogClient::Read(
    const v1::ReadRequest& request, std::optional<Deadline> deadline) const {
  std::unique_ptr<StreamReader<v1::Event>> stream(new StreamReader<v1::Event>());
  Prepare(&stream->context_, deadline);
  stream->reader_ = stub_->Read(&stream->context_, request);
  return stream;
}

std::unique_ptr<StreamReader<v1::EventBatch>> EventLogClient::ReadBatches(
    const v1::ReadRequest& request, std::optional<Deadline> deadline) const {
  std::unique_ptr<StreamReader<v1::EventBatch>> stream(new StreamReader<v1::EventBatch>());
  Prepare(&stream->context_, deadline);
  stream->reader_ = stub_->ReadBatches(&stream->context_, request);
  return stream;
}

absl::StatusOr<std::vector<v1::Event>> EventLogClient::ReadAll(
    const v1::ReadRequest& request, std::optional<Deadline> deadline) const {
  std::unique_ptr<StreamReader<v1::Event>> stream = Read(request, deadline);
  std::vector<v1::Event> events;
  v1::Event event;
  while (stream->Next(&event)) events.push_back(std::move(event));
  absl::Status status = stream->Finish();
  if (!status.ok()) return status;
  return events;
}

std::unique_ptr<StreamReader<v1::SubscribeResponse>> EventLogClient::Subscribe(
    const v1::SubscribeRequest& request, std::optional<Deadline> deadline) const {
  std::unique_ptr<StreamReader<v1::SubscribeResponse>> stream(
      new StreamReader<v1::SubscribeResponse>());
  Prepare(&stream->context_, deadline);
  stream->reader_ = stub_->Subscribe(&stream->context_, request);
  return stream;
}

}  // namespace wijkboek::client
