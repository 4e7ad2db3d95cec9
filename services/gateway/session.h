#pragma once
// One HTTP/1.1 connection: read a request (bounded header and body, idle timeout), decide, write
// the answer (write timeout), repeat while keep-alive. Requests on a connection are answered one
// at a time, in order; a live-feed request hands the socket to an SseStream and ends the session.
//
// Ownership: shared_ptr, held by its pending asynchronous operation (read, write, or the timer of
// a min_position wait or a time-travel fold); the gateway's registry holds a weak_ptr to close it
// on Stop.
// Threads: everything runs on the connection's strand; Close() may be called from any thread.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "services/gateway/context.h"
#include "services/gateway/handlers.h"

namespace gateway {

class HttpSession : public std::enable_shared_from_this<HttpSession>, public Closable {
 public:
  // `socket`'s executor must be a strand of the gateway's io_context.
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<Context> context);
  ~HttpSession() override;

  void Run();
  void Close() override;

 private:
  void DoRead();
  void OnRead(boost::beast::error_code ec, std::size_t bytes);
  void Handle();
  void RunApi(ApiQuery query);
  void RunAsOf(ApiQuery query);
  // Parks the request until a callback or the timer (at `limit`) answers it; the timer owns the
  // session meanwhile. Returns the wait's id.
  std::uint64_t Park(ApiQuery query, std::chrono::milliseconds limit);
  // Ends wait `wait`: false when it is not the current one (answered already) or we closed.
  bool Unpark(std::uint64_t wait);
  // Runs the parked query on the lent model and sends the answer (500 should it throw).
  void AnswerPending(const ModelLender& lend);
  void OnPositionReached(std::uint64_t wait, bool reached);
  void OnAsOfReady(std::uint64_t wait, const absl::StatusOr<projections::AsOfModel>& as_of);
  void OnWaitTimer(std::uint64_t wait, boost::beast::error_code ec);
  void Send(Response response);
  void OnWrite(boost::beast::error_code ec, std::size_t bytes);
  void StartLive(LiveRequest live);
  void Shutdown();

  boost::beast::tcp_stream stream_;
  std::string peer_;  // the client's address, for the login throttle
  std::shared_ptr<Context> context_;
  ConnectionSlot slot_;
  std::uint64_t registry_id_ = 0;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request request_;    // the request being answered
  Response response_;  // the answer being written (one write in flight)
  boost::asio::steady_timer wait_timer_;
  ApiQuery pending_;           // the query waiting for min_position or its as-of model
  std::uint64_t wait_id_ = 0;  // which wait is current; stale notifications are ignored
  bool waiting_ = false;
  bool closed_ = false;
};

}  // namespace gateway
