#include "services/api/parse_error_interceptor.h"

#include <google/protobuf/descriptor.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace api {
namespace {

using grpc::experimental::InterceptionHookPoints;

// "wijkboek.v1.AppendRequest" for "/wijkboek.v1.EventLog/Append"; the path itself when the
// method is not in the generated descriptor pool.
std::string RequestTypeOf(const std::string& path) {
  const std::string full_name = absl::StrReplaceAll(path.substr(1), {{"/", "."}});
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  return method != nullptr ? method->input_type()->full_name() : absl::StrCat("request of ", path);
}

class ParseErrorInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ParseErrorInterceptor(const char* method) : method_(method != nullptr ? method : "") {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    // The request was read, but did not parse: gRPC hands its handler nothing.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsable_ = true;
    }
    // The handler never ran, so whatever status goes out is gRPC's word for the parse failure.
    if (unparsable_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !methods->GetSendStatus().ok()) {
      methods->ModifySendStatus(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("the request is not a valid ", RequestTypeOf(method_),
                       ": truncated or not protobuf, a string field that is not UTF-8, or "
                       "nested too deep")));
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  bool unparsable_ = false;  // only on this call's interception, which gRPC serialises
};

}  // namespace

grpc::experimental::Interceptor* ParseErrorInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Streaming requests are read by the handler itself; only unary and server-streaming requests
  // are parsed before it runs.
  using Type = grpc::experimental::ServerRpcInfo::Type;
  if (info->type() != Type::UNARY && info->type() != Type::SERVER_STREAMING) return nullptr;
  return new ParseErrorInterceptor(info->method());
}

}  // namespace api
