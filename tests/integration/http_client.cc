#include "http_client.h"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "services/gateway/compression.h"
#include "services/gateway/url.h"

namespace itest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// A blocking socket whose reads give up at a deadline: poll() first, then read what is there.
// Satisfies Beast's SyncReadStream and SyncWriteStream.
class DeadlineSocket {
 public:
  DeadlineSocket(tcp::socket& socket, Clock::time_point deadline)
      : socket_(socket), deadline_(deadline) {}

  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    pollfd p{socket_.native_handle(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (r == 0) {
      ec = net::error::timed_out;
      return 0;
    }
    return socket_.read_some(buffers, ec);
  }
  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers, boost::system::error_code& ec) {
    return socket_.write_some(buffers, ec);
  }
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers) {
    return socket_.write_some(buffers);
  }

 private:
  tcp::socket& socket_;
  Clock::time_point deadline_;
};

bool Connect(tcp::socket& socket, const std::string& address, std::string* error) {
  auto host_port = gateway::SplitHostPort(address);
  if (!host_port) {
    *error = "bad address " + address;
    return false;
  }
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address(host_port->first, ec), host_port->second), ec);
  if (ec) {
    *error = "connect " + address + ": " + ec.message();
    return false;
  }
  return true;
}

template <typename Parser>
void Fill(HttpResponse* out, Parser& parser) {
  auto& res = parser.get();
  out->status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value(field.value());
    auto [it, inserted] = out->headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
}

HttpResponse ReadResponse(tcp::socket& socket, Clock::time_point deadline, bool head_request) {
  HttpResponse out;
  DeadlineSocket stream(socket, deadline);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  parser.skip(head_request);
  boost::system::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (ec) {
    out.error = "read: " + ec.message();
    return out;
  }
  Fill(&out, parser);
  out.body = std::move(parser.get().body());
  return out;
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string HttpResponse::Text() const {
  if (Header("content-encoding") != "gzip") return body;
  return gateway::Gunzip(body).value_or("<not gzip>");
}

HttpResponse HttpRequest(const std::string& address, const std::string& method,
                         const std::string& target, const Headers& headers, const std::string& body,
                         std::chrono::milliseconds deadline) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: " + address + "\r\n";
  for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST")
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += "Connection: close\r\n\r\n" + body;
  HttpResponse out;
  net::io_context io;
  tcp::socket socket(io);
  if (!Connect(socket, address, &out.error)) return out;
  boost::system::error_code ec;
  net::write(socket, net::buffer(raw), ec);
  // A server that refuses early (413) may close before taking the whole body; still read.
  return ReadResponse(socket, Clock::now() + deadline, method == "HEAD");
}

HttpResponse RawHttp(const std::string& address, const std::string& raw,
                     std::chrono::milliseconds deadline) {
  HttpResponse out;
  net::io_context io;
  tcp::socket socket(io);
  if (!Connect(socket, address, &out.error)) return out;
  boost::system::error_code ec;
  net::write(socket, net::buffer(raw), ec);
  return ReadResponse(socket, Clock::now() + deadline, false);
}

SseClient::SseClient(const std::string& address, const std::string& target, const Headers& headers)
    : socket_(io_) {
  if (!Connect(socket_, address, &head_.error)) return;
  std::string raw =
      "GET " + target + " HTTP/1.1\r\nHost: " + address + "\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
  raw += "\r\n";
  boost::system::error_code ec;
  net::write(socket_, net::buffer(raw), ec);
  DeadlineSocket stream(socket_, Clock::now() + kHttpDeadline);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  http::read_header(stream, buffer, parser, ec);
  if (ec) {
    head_.error = "read head: " + ec.message();
    return;
  }
  Fill(&head_, parser);
  // Body bytes that came with the head.
  std::string rest(static_cast<const char*>(buffer.data().data()), buffer.size());
  raw_ += rest;
  parser_.Feed(rest, &messages_);
}

SseClient::~SseClient() {
  boost::system::error_code ec;
  socket_.close(ec);
}

bool SseClient::ReadUntil(const std::function<bool(const std::vector<gateway::SseMessage>&)>& done,
                          std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  char chunk[65536];
  while (!done(messages_)) {
    if (closed_ || head_.status == 0) return false;
    DeadlineSocket stream(socket_, until);
    boost::system::error_code ec;
    std::size_t n = stream.read_some(net::buffer(chunk), ec);
    if (ec == net::error::timed_out) return done(messages_);
    if (ec) {
      closed_ = true;
      return done(messages_);
    }
    raw_.append(chunk, n);
    parser_.Feed(std::string_view(chunk, n), &messages_);
  }
  return true;
}

std::vector<gateway::SseMessage> SseClient::Events() const {
  std::vector<gateway::SseMessage> out;
  for (const auto& m : messages_) {
    if (!m.data.empty()) out.push_back(m);
  }
  return out;
}

std::vector<std::uint64_t> Positions(const std::vector<gateway::SseMessage>& messages) {
  std::vector<std::uint64_t> out;
  for (const auto& m : messages) {
    if (m.data.empty()) continue;
    if (auto p = gateway::ParseLastEventId(m.id)) out.push_back(*p);
  }
  return out;
}

}  // namespace itest
