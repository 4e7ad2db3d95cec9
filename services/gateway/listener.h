#pragma once
// Accepts connections and gives each its own strand and HttpSession. Over max_connections, a new
// connection gets a short 503 answer and is closed, so a flood cannot exhaust file descriptors
// or memory.
//
// Ownership: shared_ptr held by its pending accept. Threads: its own strand; Stop from any thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>

#include "absl/status/status.h"
#include "services/gateway/context.h"

namespace gateway {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& io, std::shared_ptr<Context> context);

  // Binds and listens. UNAVAILABLE naming the address when that fails.
  [[nodiscard]] absl::Status Bind(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  void Run();
  void Stop();

 private:
  void DoAccept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void Reject(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  std::shared_ptr<Context> context_;
};

}  // namespace gateway
