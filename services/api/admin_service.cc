#include "services/api/admin_service.h"

#include <chrono>
#include <functional>
#include <utility>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/api/backup.h"
#include "services/api/convert.h"
#include "services/api/event_log_service.h"
#include "services/domain/schema.h"
#include "services/domain/state.h"

namespace api {

namespace v1 = ::wijkboek::v1;

namespace {

constexpr std::size_t kMaxPrincipalIdLength = 64;

std::string StreamOf(const std::string& principal_id) { return "principal-" + principal_id; }

storage::NewEvent NewEvent(const v1::Payload& payload) {
  storage::NewEvent e;
  e.event_id = auth::NewUuid();
  e.type = domain::EventType(payload);
  payload.SerializeToString(&e.payload);
  return e;
}

google::protobuf::Timestamp ToTimestamp(std::int64_t micros) {
  google::protobuf::Timestamp t;
  t.set_seconds(micros / 1'000'000);
  t.set_nanos(static_cast<int>(micros % 1'000'000) * 1000);
  return t;
}

// Appends `request` and, once it is durable (or refused), finishes the call: `on_ok` fills the
// response from the position of the last event.
void AppendAndFinish(storage::EventStore* store, grpc::ServerUnaryReactor* reactor,
                     storage::AppendRequest request,
                     std::function<void(storage::Position)> on_ok,
                     std::function<absl::Status(absl::Status)> translate = nullptr) {
  store->AppendAsync(std::move(request),
                     [reactor, on_ok = std::move(on_ok), translate = std::move(translate)](
                         absl::StatusOr<storage::AppendResult> result) {
                       if (!result.ok()) {
                         absl::Status s = result.status();
                         reactor->Finish(ToGrpc(translate ? translate(s) : s));
                         return;
                       }
                       on_ok(result->last_position);
                       reactor->Finish(grpc::Status::OK);
                     });
}

grpc::ServerUnaryReactor* Finished(grpc::CallbackServerContext* context, const absl::Status& s) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpc(s));
  return reactor;
}

}  // namespace

storage::AppendRequest BootstrapAdminRequest(const std::string& principal_id,
                                             const std::string& token_hash) {
  v1::Payload registered;
  registered.mutable_principal_registered()->set_principal_id(principal_id);
  registered.mutable_principal_registered()->set_role(v1::ROLE_ADMIN);
  v1::Payload issued;
  auto* t = issued.mutable_token_issued();
  t->set_principal_id(principal_id);
  t->set_token_id(auth::BootstrapTokenId(token_hash));
  t->set_token_sha256(token_hash);
  storage::AppendRequest request;
  request.stream = StreamOf(principal_id);
  request.expected = storage::ExpectedRevision::NoStream();
  request.recorded_by = std::string(domain::kServerPrincipal);
  request.events = {NewEvent(registered), NewEvent(issued)};
  return request;
}

grpc::ServerUnaryReactor* AdminService::RegisterPrincipal(
    grpc::CallbackServerContext* context, const v1::RegisterPrincipalRequest* request,
    v1::RegisterPrincipalResponse* response) {
  auto admin = Authorize(*auth_, context, auth::Operation::kAdminister);
  if (!admin.ok()) return Finished(context, admin.status());
  const std::string& id = request->principal_id();
  if (!domain::IsSlug(id) || id.size() > kMaxPrincipalIdLength) {
    return Finished(context, absl::InvalidArgumentError(absl::StrCat(
                                 "principal_id: '", id.substr(0, 80),
                                 "' is not an id (lowercase letters, digits and single hyphens, "
                                 "at most ", kMaxPrincipalIdLength, " characters)")));
  }
  if (request->role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(request->role())) {
    return Finished(context, absl::InvalidArgumentError(
                                 "role: choose ROLE_ADMIN, ROLE_PARTNER, ROLE_AUDITOR or "
                                 "ROLE_DASHBOARD"));
  }
  v1::Payload payload;
  auto* e = payload.mutable_principal_registered();
  e->set_principal_id(id);
  e->set_role(request->role());
  e->set_partner_id(request->partner_id());
  if (absl::Status s = domain::ValidatePayload(payload, "request"); !s.ok()) {
    return Finished(context, s);
  }
  if (auth_->HasPrincipal(id)) {
    return Finished(context, absl::AlreadyExistsError(absl::StrCat(
                                 "principal ", id, " already exists; issue it a new token with "
                                 "IssueToken, or choose another id")));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  storage::AppendRequest append;
  append.stream = StreamOf(id);
  append.expected = storage::ExpectedRevision::NoStream();
  append.recorded_by = admin->id;
  append.events.push_back(NewEvent(payload));
  AppendAndFinish(
      store_, reactor, std::move(append),
      [response](storage::Position p) { response->set_position(p); },
      [id](absl::Status s) {
        // Two admins registering the same id at once: the second finds the stream taken.
        if (s.code() != absl::StatusCode::kAborted) return s;
        return absl::AlreadyExistsError(absl::StrCat("principal ", id, " already exists"));
      });
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::IssueToken(grpc::CallbackServerContext* context,
                                                   const v1::IssueTokenRequest* request,
                                                   v1::IssueTokenResponse* response) {
  auto admin = Authorize(*auth_, context, auth::Operation::kAdminister);
  if (!admin.ok()) return Finished(context, admin.status());
  const std::string& id = request->principal_id();
  if (!auth_->HasPrincipal(id)) {
    return Finished(context,
                    absl::NotFoundError(absl::StrCat("principal '", id.substr(0, 80),
                                                     "' does not exist; register it first")));
  }
  std::int64_t expires = 0;
  if (request->has_expires_at()) {
    const auto& t = request->expires_at();
    expires = t.seconds() * 1'000'000 + t.nanos() / 1000;
    if (expires <= absl::ToUnixMicros(absl::Now())) {
      return Finished(context, absl::InvalidArgumentError(
                                   "expires_at: lies in the past; give a future time or none"));
    }
  }
  std::string token = auth::NewToken();
  std::string token_id = auth::NewTokenId();
  v1::Payload payload;
  auto* e = payload.mutable_token_issued();
  e->set_principal_id(id);
  e->set_token_id(token_id);
  e->set_token_sha256(auth::TokenHash(token));
  e->set_expires_at_unix_micros(expires);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  storage::AppendRequest append;
  append.stream = StreamOf(id);
  append.recorded_by = admin->id;
  append.events.push_back(NewEvent(payload));
  AppendAndFinish(store_, reactor, std::move(append),
                  [response, token = std::move(token), token_id](storage::Position p) {
                    response->set_token(token);
                    response->set_token_id(token_id);
                    response->set_position(p);
                  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::RevokeToken(grpc::CallbackServerContext* context,
                                                    const v1::RevokeTokenRequest* request,
                                                    v1::RevokeTokenResponse* response) {
  auto admin = Authorize(*auth_, context, auth::Operation::kAdminister);
  if (!admin.ok()) return Finished(context, admin.status());
  auto token = auth_->FindToken(request->token_id());
  if (!token) {
    return Finished(context, absl::NotFoundError(absl::StrCat(
                                 "token '", request->token_id().substr(0, 80),
                                 "' does not exist; ListPrincipals shows every token id")));
  }
  if (token->revoked) {
    return Finished(context, absl::FailedPreconditionError(absl::StrCat(
                                 "token ", token->token_id, " was revoked before")));
  }
  if (request->reason().size() > domain::kDefaultMaxStringBytes) {
    return Finished(context, absl::InvalidArgumentError("reason: too long"));
  }
  v1::Payload payload;
  auto* e = payload.mutable_token_revoked();
  e->set_principal_id(token->principal_id);
  e->set_token_id(token->token_id);
  e->set_reason(request->reason());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  storage::AppendRequest append;
  append.stream = StreamOf(token->principal_id);
  append.recorded_by = admin->id;
  append.events.push_back(NewEvent(payload));
  AppendAndFinish(store_, reactor, std::move(append),
                  [response](storage::Position p) { response->set_position(p); });
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::ListPrincipals(grpc::CallbackServerContext* context,
                                                       const v1::ListPrincipalsRequest*,
                                                       v1::ListPrincipalsResponse* response) {
  auto admin = Authorize(*auth_, context, auth::Operation::kAdminister);
  if (!admin.ok()) return Finished(context, admin.status());
  const std::int64_t now = absl::ToUnixMicros(absl::Now());
  for (const auth::PrincipalRecord& p : auth_->Principals()) {
    v1::PrincipalInfo* info = response->add_principals();
    info->set_principal_id(p.id);
    info->set_role(p.role);
    info->set_partner_id(p.partner_id);
    *info->mutable_registered_at() = ToTimestamp(p.registered_at_micros);
    info->set_registered_by(p.registered_by);
    for (const auth::TokenRecord& t : p.tokens) {
      v1::TokenInfo* token = info->add_tokens();
      token->set_token_id(t.token_id);
      *token->mutable_issued_at() = ToTimestamp(t.issued_at_micros);
      token->set_issued_by(t.issued_by);
      if (t.expires_at_micros != 0) {
        *token->mutable_expires_at() = ToTimestamp(t.expires_at_micros);
        token->set_expired(t.expires_at_micros <= now);
      }
      token->set_revoked(t.revoked);
      if (t.revoked) *token->mutable_revoked_at() = ToTimestamp(t.revoked_at_micros);
    }
  }
  return Finished(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminService::Backup(grpc::CallbackServerContext* context,
                                               const v1::BackupRequest* request,
                                               v1::BackupResponse* response) {
  auto admin = Authorize(*auth_, context, auth::Operation::kAdminister);
  if (!admin.ok()) return Finished(context, admin.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The store, reactor and response stay valid until Finish: the server drains every call
  // before this service and the store go away.
  const grpc::Status busy(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "a backup is running already; try again when it has finished");
  // One backup at a time. The flag, not the thread count, says so: a thread is still counted
  // for a moment after its call was answered.
  if (backup_running_.exchange(true)) {
    reactor->Finish(busy);
    return reactor;
  }
  const bool started = backups_.TryRun(
      [this, reactor, response, directory = request->directory(), by = admin->id] {
        absl::StatusOr<BackupResult> backup = MakeBackup(*store_, data_dir_, directory);
        backup_running_.store(false);
        // A failure is logged with the call's request id by the request log interceptor.
        if (!backup.ok()) return reactor->Finish(ToGrpc(backup.status()));
        spdlog::info("backup by {} into {} holds the log up to position {} ({} bytes)", by,
                     backup->directory, backup->position, backup->bytes);
        response->set_directory(backup->directory);
        response->set_position(backup->position);
        response->set_head_hash(backup->head_hash.data(), backup->head_hash.size());
        response->set_bytes(backup->bytes);
        reactor->Finish(grpc::Status::OK);
      });
  if (!started) {
    backup_running_.store(false);
    reactor->Finish(busy);
  }
  return reactor;
}

}  // namespace api
