#pragma once
// A small HTTP/1.1 client for the gateway tests, over Beast's synchronous API with a deadline on
// every read (a server that never answers fails the test instead of hanging it), and a client
// for the live feed (Server-Sent Events).
//
// Each request uses its own connection unless a test keeps an HttpConnection. Owned by one
// thread at a time.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/gateway/sse_format.h"

namespace itest {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;  // 0: no answer (the error says why)
  std::string error;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;                            // as sent (still gzip if Content-Encoding says so)

  // The header's value, or "" when absent.
  std::string Header(const std::string& lowercase_name) const;
  // The body, inflated when the response was gzip-encoded.
  std::string Text() const;
};

inline constexpr std::chrono::seconds kHttpDeadline{15};

// One request on a fresh connection; `address` is HOST:PORT.
HttpResponse HttpRequest(const std::string& address, const std::string& method,
                         const std::string& target, const Headers& headers = {},
                         const std::string& body = "",
                         std::chrono::milliseconds deadline = kHttpDeadline);
inline HttpResponse HttpGet(const std::string& address, const std::string& target,
                            const Headers& headers = {}) {
  return HttpRequest(address, "GET", target, headers);
}
// Writes `raw` as it is (for malformed requests) and reads one response.
HttpResponse RawHttp(const std::string& address, const std::string& raw,
                     std::chrono::milliseconds deadline = kHttpDeadline);

// A live-feed connection: sends the GET, reads the response head, then parses SSE messages.
class SseClient {
 public:
  SseClient(const std::string& address, const std::string& target, const Headers& headers = {});
  ~SseClient();

  // The response head (status 0 when the connection failed).
  const HttpResponse& head() const { return head_; }

  // Reads until `done(all messages so far)` holds, the server closes the stream, or the deadline
  // passes; returns done's last value.
  bool ReadUntil(const std::function<bool(const std::vector<gateway::SseMessage>&)>& done,
                 std::chrono::milliseconds deadline = kHttpDeadline);
  // True once the server closed the connection.
  bool closed() const { return closed_; }
  // Messages with data, in order (comments left out).
  std::vector<gateway::SseMessage> Events() const;
  const std::vector<gateway::SseMessage>& messages() const { return messages_; }
  // Bytes of the body received so far, raw.
  const std::string& raw() const { return raw_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  HttpResponse head_;
  gateway::SseParser parser_;
  std::vector<gateway::SseMessage> messages_;
  std::string raw_;
  bool closed_ = false;
};

// The positions (ids) of `messages` that carried data.
std::vector<std::uint64_t> Positions(const std::vector<gateway::SseMessage>& messages);

}  // namespace itest
