#include "services/gateway/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "absl/strings/str_cat.h"
#include "services/gateway/session.h"

namespace gateway {

namespace net = boost::asio;
using net::ip::tcp;

namespace {

// The whole answer to a connection over the limit, written without reading its request.
const std::string& BusyResponse() {
  static const std::string response = [] {
    std::string body =
        "{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"too many connections; try again "
        "in a moment\"}}";
    return absl::StrCat(
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        "Retry-After: 1\r\n"
        "Connection: close\r\n"
        "Content-Length: ",
        body.size(), "\r\n\r\n", body);
  }();
  return response;
}

}  // namespace

Listener::Listener(net::io_context& io, std::shared_ptr<Context> context)
    : io_(io),
      strand_(net::make_strand(io)),
      acceptor_(strand_),
      retry_(strand_),
      context_(std::move(context)) {}

absl::Status Listener::Bind(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto fail = [&](const char* what) {
    return absl::UnavailableError(absl::StrCat("cannot ", what, " ", endpoint.address().to_string(),
                                               ":", endpoint.port(), ": ", ec.message()));
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  return absl::OkStatus();
}

tcp::endpoint Listener::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::Run() {
  net::dispatch(strand_, [self = shared_from_this()] { self->DoAccept(); });
}

void Listener::Stop() {
  net::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->retry_.cancel();
    self->acceptor_.close(ec);
  });
}

void Listener::DoAccept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(
      net::make_strand(io_),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void Listener::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Typically EMFILE: out of descriptors. Back off briefly instead of spinning on the error.
    Log(absl::StrCat("accept: ", ec.message()));
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->DoAccept();
    });
    return;
  }
  if (context_->stopped()) return;  // the socket closes as it goes out of scope
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (context_->connections.load() >= context_->options.max_connections) {
    Reject(std::move(socket));
  } else {
    std::make_shared<HttpSession>(std::move(socket), context_)->Run();
  }
  DoAccept();
}

void Listener::Reject(tcp::socket socket) {
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*s, net::buffer(BusyResponse()), [s](boost::system::error_code, std::size_t) {
    boost::system::error_code ec;
    s->shutdown(tcp::socket::shutdown_both, ec);
    s->close(ec);
  });
}

}  // namespace gateway
