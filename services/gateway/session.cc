#include "services/gateway/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <exception>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "services/api/request_log_interceptor.h"
#include "services/gateway/sse_stream.h"
#include "services/projections/projector.h"

namespace gateway {
namespace {

std::string_view ToStdView(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

namespace beast = boost::beast;
namespace net = boost::asio;

HttpSession::HttpSession(net::ip::tcp::socket socket, std::shared_ptr<Context> context)
    : stream_(std::move(socket)),
      context_(std::move(context)),
      slot_(context_.get()),
      wait_timer_(stream_.get_executor()) {
  beast::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) peer_ = remote.address().to_string();
}

HttpSession::~HttpSession() {
  if (registry_id_ != 0) context_->Unregister(registry_id_);
}

void HttpSession::Run() {
  registry_id_ = context_->Register(weak_from_this());
  // The socket was accepted on another strand's thread: start on our own.
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
}

void HttpSession::Close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->Shutdown(); });
}

void HttpSession::Shutdown() {
  if (closed_) return;
  closed_ = true;
  waiting_ = false;
  wait_timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
}

void HttpSession::DoRead() {
  if (closed_) return;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_->options.header_limit));
  parser_->body_limit(context_->options.body_limit);
  // Covers the wait for the next request on an idle keep-alive connection and the whole time a
  // request takes to arrive, so a client trickling bytes cannot hold a connection forever.
  stream_.expires_after(context_->options.idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::OnRead, shared_from_this()));
}

void HttpSession::OnRead(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset ||
      ec == net::error::eof) {
    Shutdown();
    return;
  }
  if (ec) {
    // The request was not read to its end: answer and close, the stream cannot be resynced.
    Request bare;
    bare.version(11);
    bare.keep_alive(false);
    absl::Status status;
    if (ec == http::error::body_limit) {
      status = absl::ResourceExhaustedError(
          absl::StrCat("request body over ", context_->options.body_limit, " bytes"));
    } else if (ec == http::error::header_limit) {
      status = absl::ResourceExhaustedError(
          absl::StrCat("request header over ", context_->options.header_limit, " bytes"));
    } else {
      status = absl::InvalidArgumentError(absl::StrCat("malformed HTTP request: ", ec.message()));
    }
    request_ = std::move(bare);
    Response res = ErrorResponse(request_, status);
    if (ec == http::error::body_limit) res.result(http::status::payload_too_large);
    if (ec == http::error::header_limit) {
      res.result(http::status::request_header_fields_too_large);
    }
    res.keep_alive(false);
    Send(std::move(res));
    return;
  }
  request_ = parser_->release();
  Handle();
}

void HttpSession::Handle() {
  try {
    Decision decision = Decide(*context_, request_, peer_);
    switch (decision.kind) {
      case Decision::Kind::kRespond:
        Send(std::move(decision.response));
        return;
      case Decision::Kind::kApi:
        RunApi(std::move(decision.query));
        return;
      case Decision::Kind::kLive:
        StartLive(std::move(decision.live));
        return;
    }
  } catch (const std::exception& e) {
    Log(absl::StrCat("internal error answering ", std::string(request_.target()), ": ", e.what()));
  } catch (...) {
    Log(absl::StrCat("internal error answering ", std::string(request_.target())));
  }
  Send(ErrorResponse(request_, absl::InternalError("internal error; see the server log")));
}

void HttpSession::RunApi(ApiQuery query) {
  projections::Projector* projector = context_->projector;
  if (query.as_of.kind != projections::AsOf::Kind::kNow) {
    RunAsOf(std::move(query));
    return;
  }
  if (query.min_position <= projector->position()) {
    Send(MakeResponse(request_, query.run(LiveViews(*projector))));
    return;
  }
  // Wait without blocking the thread: the timer owns this session meanwhile, and the projector
  // calls back when the views reach the position (or at its own deadline).
  const auto limit = context_->options.max_position_wait;
  const std::uint64_t wait = Park(std::move(query), limit);
  // The callback runs on a projector thread, maybe after this gateway stopped: it holds the
  // session only weakly and hops to an I/O thread before touching it, so the session is never
  // destroyed on the projector's thread nor under the context's lock.
  std::weak_ptr<HttpSession> weak = weak_from_this();
  std::shared_ptr<Context> context = context_;
  projector->NotifyWhen(pending_.min_position, std::chrono::steady_clock::now() + limit,
                        [weak, context, wait](bool reached) {
                          context->Post([weak, wait, reached] {
                            if (auto self = weak.lock()) {
                              net::dispatch(self->stream_.get_executor(), [self, wait, reached] {
                                self->OnPositionReached(wait, reached);
                              });
                            }
                          });
                        });
}

std::uint64_t HttpSession::Park(ApiQuery query, std::chrono::milliseconds limit) {
  pending_ = std::move(query);
  waiting_ = true;
  const std::uint64_t wait = ++wait_id_;
  wait_timer_.expires_after(limit);
  wait_timer_.async_wait(
      beast::bind_front_handler(&HttpSession::OnWaitTimer, shared_from_this(), wait));
  return wait;
}

bool HttpSession::Unpark(std::uint64_t wait) {
  if (!waiting_ || wait != wait_id_ || closed_) return false;
  waiting_ = false;
  wait_timer_.cancel();
  return true;
}

void HttpSession::AnswerPending(const ModelLender& lend) {
  try {
    Send(MakeResponse(request_, pending_.run(lend)));
  } catch (const std::exception& e) {
    Log(absl::StrCat("internal error answering ", std::string(request_.target()), ": ", e.what()));
    Send(ErrorResponse(request_, absl::InternalError("internal error; see the server log")));
  }
}

void HttpSession::OnPositionReached(std::uint64_t wait, bool reached) {
  if (!reached) return;  // the timer answers 504
  if (Unpark(wait)) AnswerPending(LiveViews(*context_->projector));
}

// Time travel: the projector's TimeTravel folds the model on its own thread; like a min_position
// wait, the timer owns the session meanwhile and answers 504 at the limit, and the callback holds
// the session only weakly and hops to its strand. The fold stops once nobody waits for it: at the
// same limit, or when the session is gone.
void HttpSession::RunAsOf(ApiQuery query) {
  const auto limit = context_->options.max_replay_wait;
  const std::uint64_t wait = Park(std::move(query), limit);
  std::weak_ptr<HttpSession> weak = weak_from_this();
  std::shared_ptr<Context> context = context_;
  context_->projector->time_travel().Request(
      pending_.as_of, std::chrono::steady_clock::now() + limit, [weak] { return weak.expired(); },
      [weak, context, wait](absl::StatusOr<projections::AsOfModel> as_of) {
        context->Post([weak, wait, as_of] {
          if (auto self = weak.lock()) {
            net::dispatch(self->stream_.get_executor(),
                          [self, wait, as_of] { self->OnAsOfReady(wait, as_of); });
          }
        });
      });
}

void HttpSession::OnAsOfReady(std::uint64_t wait,
                              const absl::StatusOr<projections::AsOfModel>& as_of) {
  if (!Unpark(wait)) return;
  if (!as_of.ok()) {
    Send(ErrorResponse(request_, as_of.status()));
    return;
  }
  AnswerPending(AsOfViews(*as_of));
}

void HttpSession::OnWaitTimer(std::uint64_t wait, beast::error_code ec) {
  if (!waiting_ || wait != wait_id_ || closed_) return;
  if (ec == net::error::operation_aborted) return;
  waiting_ = false;
  if (pending_.as_of.kind != projections::AsOf::Kind::kNow) {
    Send(ErrorResponse(request_, absl::DeadlineExceededError(absl::StrCat(
                                     "replaying the log for ", pending_.as_of.Describe(),
                                     " did not finish within ",
                                     context_->options.max_replay_wait.count(), " ms"))));
    return;
  }
  Send(ErrorResponse(request_, absl::DeadlineExceededError(absl::StrCat(
                                   "the views did not reach position ", pending_.min_position,
                                   " within ", context_->options.max_position_wait.count(),
                                   " ms (they are at ", context_->projector->position(), ")"))));
}

void HttpSession::Send(Response response) {
  if (closed_) return;
  Finish(request_, response);
  // The request id: the client's X-Request-Id or a new one, sent back, and in the log line of a
  // refused or failed request (the path only: a query may hold search terms, never a token).
  const std::string id = api::RequestIdOr(ToStdView(request_["X-Request-Id"]));
  response.set("X-Request-Id", id);
  if (response.result_int() >= 400) {
    const std::string_view target = ToStdView(request_.target());
    spdlog::warn("http {} {} {} (request {}, peer {})", std::string(request_.method_string()),
                 std::string(target.substr(0, target.find('?'))), response.result_int(), id,
                 peer_);
  }
  response_ = std::move(response);
  stream_.expires_after(context_->options.write_timeout);
  http::async_write(stream_, response_,
                    beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this()));
}

void HttpSession::OnWrite(beast::error_code ec, std::size_t) {
  if (ec || response_.need_eof()) {
    Shutdown();
    return;
  }
  response_ = {};
  DoRead();
}

void HttpSession::StartLive(LiveRequest live) {
  // The feed takes the socket; this session ends when the last handler holding it returns.
  stream_.expires_never();
  auto feed = std::make_shared<SseStream>(stream_.release_socket(), context_, std::move(live),
                                          LiveResponseHead(request_));
  feed->Start();
  closed_ = true;
}

}  // namespace gateway
