#include "services/api/request_log_interceptor.h"

#include <grpcpp/server_context.h>
#include <spdlog/spdlog.h>

#include <random>
#include <string>

#include "absl/strings/escaping.h"

namespace api {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr std::size_t kMaxRequestIdLength = 64;
constexpr const char* kCodeNames[] = {
    "OK",           "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED", "NOT_FOUND",     "ALREADY_EXISTS",    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",   "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",          "UNAVAILABLE",       "DATA_LOSS",
    "UNAUTHENTICATED"};

std::string NewRequestId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const std::uint64_t value = random();
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(&value), sizeof value));
}

class RequestLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RequestLogInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info), method_(info->method() != nullptr ? info->method() : "") {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::string_view client_id;
      if (const auto* metadata = methods->GetRecvInitialMetadata(); metadata != nullptr) {
        const auto it = metadata->find("x-request-id");
        if (it != metadata->end()) client_id = {it->second.data(), it->second.size()};
      }
      id_ = RequestIdOr(client_id);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (id_.empty()) id_ = NewRequestId();
      methods->GetSendInitialMetadata()->emplace("x-request-id", id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      // A client that cancels (e.g. ends its Subscribe) is no failure worth a line.
      if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
        const int code = static_cast<int>(status.error_code());
        spdlog::warn("grpc {} {}: {} (request {}, peer {})", method_,
                     code >= 0 && code <= 16 ? kCodeNames[code] : "?", status.error_message(),
                     id_.empty() ? std::string("-") : id_, info_->server_context()->peer());
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  const std::string method_;
  std::string id_;  // only on this call's interception, which gRPC serialises
};

}  // namespace

std::string RequestIdOr(std::string_view client_id) {
  bool usable = !client_id.empty() && client_id.size() <= kMaxRequestIdLength;
  for (char c : client_id) usable = usable && c > ' ' && c < 127;
  return usable ? std::string(client_id) : NewRequestId();
}

grpc::experimental::Interceptor* RequestLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RequestLogInterceptor(info);
}

}  // namespace api
