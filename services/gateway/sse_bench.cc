// sse-bench: how fast does the live feed fan a burst of appends out to many browsers?
//
// Against a running wijkboekd (it starts nothing itself): connects N Server-Sent-Events clients to
// /api/v1/events/live on loopback, appends a burst of E events over gRPC from W concurrent
// writers, and checks that every client received every event of the burst, once, in position
// order. Reports the delay from each append's acknowledgement (the writer got its AppendResponse)
// to each client's receipt of that event: p50, p90, p99, max over all N × E deliveries.
//
// The burst is ResultRecorded events on one action, action-sse-bench (with its pillar and goal,
// set up idempotently first), so the server's rules accept it on any log.
//
// Example (after deploy/run or a wijkboekd of your own):
//   build/bin/sse-bench --data-dir /var/lib/wijkboek --clients 200 --events 1000
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "clients/cli/cli_support.h"
#include "clients/cli/event_log_client.h"
#include "services/gateway/sse_format.h"
#include "services/gateway/url.h"

namespace {

namespace net = boost::asio;
using net::ip::tcp;
using Clock = std::chrono::steady_clock;
namespace v1 = wijkboek::v1;

constexpr char kPillar[] = "sse-bench";
constexpr char kGoal[] = "sse-bench-doel";
constexpr char kAction[] = "sse-bench";

std::string ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// One live-feed client. Its handlers run on its own strand; `received` is read by main only
// after the io_context threads were joined.
struct FeedClient : std::enable_shared_from_this<FeedClient> {
  FeedClient(net::io_context& io, std::string request)
      : socket(net::make_strand(io)), request(std::move(request)) {}

  void Start(const tcp::endpoint& endpoint) {
    socket.async_connect(endpoint, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->Fail("connect: " + ec.message());
      net::async_write(self->socket, net::buffer(self->request),
                       [self](boost::system::error_code ec, std::size_t) {
                         if (ec) return self->Fail("write: " + ec.message());
                         self->ReadHead();
                       });
    });
  }

  void ReadHead() {
    net::async_read_until(socket, head_buffer, "\r\n\r\n",
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (ec) return self->Fail("response head: " + ec.message());
                            std::string all(net::buffers_begin(self->head_buffer.data()),
                                            net::buffers_end(self->head_buffer.data()));
                            if (all.rfind("HTTP/1.1 200", 0) != 0) {
                              return self->Fail("status: " + all.substr(0, all.find('\r')));
                            }
                            // Bytes after the head already belong to the stream.
                            self->Consume(std::string_view(all).substr(n), Clock::now());
                            self->ReadBody();
                          });
  }

  void ReadBody() {
    socket.async_read_some(net::buffer(chunk), [self = shared_from_this()](
                                                   boost::system::error_code ec, std::size_t n) {
      auto now = Clock::now();
      if (ec) {
        if (!self->stopping) self->Fail("read: " + ec.message());
        return;
      }
      self->Consume(std::string_view(self->chunk.data(), n), now);
      self->ReadBody();
    });
  }

  void Consume(std::string_view bytes, Clock::time_point now) {
    messages.clear();
    parser.Feed(bytes, &messages);
    for (const auto& m : messages) {
      if (!m.comment.empty()) {
        opened = true;  // the feed's greeting: the server set the stream up
        continue;
      }
      if (m.data.empty() || !m.has_id) continue;
      auto position = gateway::ParseLastEventId(m.id);
      if (!position) return Fail("bad id " + m.id);
      received.emplace_back(*position, now);
      last_position.store(*position, std::memory_order_release);
    }
  }

  void Fail(const std::string& why) {
    error = why;
    failed.store(true, std::memory_order_release);
  }

  void Stop() {
    net::post(socket.get_executor(), [self = shared_from_this()] {
      self->stopping = true;
      boost::system::error_code ec;
      self->socket.close(ec);
    });
  }

  tcp::socket socket;
  std::string request;
  net::streambuf head_buffer;
  std::array<char, 64 * 1024> chunk;
  gateway::SseParser parser;
  std::vector<gateway::SseMessage> messages;
  std::vector<std::pair<std::uint64_t, Clock::time_point>> received;
  std::atomic<std::uint64_t> last_position{0};
  std::atomic<bool> opened{false};
  std::atomic<bool> failed{false};
  bool stopping = false;
  std::string error;
};

v1::AppendRequest OneEvent(const std::string& stream, v1::Payload payload) {
  v1::AppendRequest request;
  request.set_stream(stream);
  request.mutable_expected_revision()->set_any(true);
  auto* e = request.add_events();
  e->set_event_id(wijkboek::cli::NewUuidV4());
  *e->mutable_payload() = std::move(payload);
  (*e->mutable_metadata())["source"] = "sse-bench";
  return request;
}

// Pillar, goal and action for the burst; refused as "already exists" on a second run, which is
// what we want.
bool SetUp(const wijkboek::client::EventLogClient& client) {
  v1::Payload pillar;
  pillar.mutable_pillar_defined()->set_pillar_id(kPillar);
  pillar.mutable_pillar_defined()->set_name("SSE-meting");
  v1::Payload goal;
  goal.mutable_goal_defined()->set_goal_id(kGoal);
  goal.mutable_goal_defined()->set_pillar_id(kPillar);
  goal.mutable_goal_defined()->set_title("Meten hoe snel de live-feed is");
  v1::Payload action;
  action.mutable_action_started()->set_action_id(kAction);
  action.mutable_action_started()->set_goal_id(kGoal);
  action.mutable_action_started()->set_title("SSE-meting");
  for (auto& [stream, payload] : std::vector<std::pair<std::string, v1::Payload>>{
           {std::string("pillar-") + kPillar, pillar},
           {std::string("pillar-") + kPillar, goal},
           {std::string("action-") + kAction, action}}) {
    auto r = client.Append(OneEvent(stream, payload));
    if (!r.ok() && r.status().code() != absl::StatusCode::kFailedPrecondition &&
        r.status().code() != absl::StatusCode::kAlreadyExists) {
      std::cerr << "sse-bench: setting up " << stream << ": " << r.status() << "\n";
      return false;
    }
  }
  return true;
}

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t i =
      static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir;
  std::string grpc_address;
  std::string http_address;
  std::string token_file;
  int clients = 200;
  int events = 1000;
  int writers = 16;
  int io_threads = 2;
  int timeout_seconds = 120;
  CLI::App app{
      "sse-bench: N live-feed (SSE) clients on loopback, a burst of E appends over gRPC; checks\n"
      "that every client got every event in order and reports the delay from append\n"
      "acknowledgement to receipt (p50/p90/p99/max). Needs a running wijkboekd.",
      "sse-bench"};
  app.add_option("--data-dir", data_dir,
                 "The server's data dir: reads grpc.addr, http.addr and admin.token from it");
  app.add_option("--server", grpc_address, "gRPC address (instead of <data-dir>/grpc.addr)");
  app.add_option("--http", http_address, "HTTP address (instead of <data-dir>/http.addr)");
  app.add_option("--token-file", token_file, "Token file (instead of <data-dir>/admin.token)");
  app.add_option("--clients", clients, "Live-feed clients")->capture_default_str();
  app.add_option("--events", events, "Events in the burst")->capture_default_str();
  app.add_option("--writers", writers, "Concurrent gRPC appenders")->capture_default_str();
  app.add_option("--io-threads", io_threads, "Client threads")->capture_default_str();
  app.add_option("--timeout", timeout_seconds, "Give up after this many seconds")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (grpc_address.empty() && !data_dir.empty())
    grpc_address = ReadTrimmed(data_dir + "/grpc.addr");
  if (http_address.empty() && !data_dir.empty())
    http_address = ReadTrimmed(data_dir + "/http.addr");
  if (token_file.empty() && !data_dir.empty()) token_file = data_dir + "/admin.token";
  const std::string token = token_file.empty() ? "" : ReadTrimmed(token_file);
  auto http = gateway::SplitHostPort(http_address);
  if (grpc_address.empty() || !http || token.empty()) {
    std::cerr << "sse-bench: need the gRPC and HTTP addresses and a token (--data-dir, or "
                 "--server, --http and --token-file)\n";
    return 2;
  }

  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  auto channel =
      grpc::CreateCustomChannel(grpc_address, grpc::InsecureChannelCredentials(), channel_args);
  wijkboek::client::EventLogClient log(channel, token, std::chrono::seconds(30));
  if (!SetUp(log)) return 1;
  auto head = log.GetHead();
  if (!head.ok()) {
    std::cerr << "sse-bench: GetHead: " << head.status() << "\n";
    return 1;
  }
  const std::uint64_t from = head->position() + 1;

  // Connect every client and wait until each has its stream open.
  net::io_context io;
  auto work = net::make_work_guard(io);
  tcp::endpoint endpoint(net::ip::make_address(http->first), http->second);
  const std::string request = "GET /api/v1/events/live?from=" + std::to_string(from) +
                              " HTTP/1.1\r\nHost: " + http_address +
                              "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token +
                              "\r\n\r\n";
  std::vector<std::shared_ptr<FeedClient>> feeds;
  for (int i = 0; i < clients; ++i) {
    feeds.push_back(std::make_shared<FeedClient>(io, request));
    feeds.back()->Start(endpoint);
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, io_threads); ++i) threads.emplace_back([&io] { io.run(); });
  auto finish = [&](int code) {
    for (auto& f : feeds) f->Stop();
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
    return code;
  };
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  while (true) {
    int open = 0;
    for (auto& f : feeds) {
      if (f->failed.load()) {
        std::cerr << "sse-bench: a client failed: " << f->error << "\n";
        return finish(1);
      }
      open += f->opened.load() ? 1 : 0;
    }
    if (open == clients) break;
    if (Clock::now() > deadline) {
      std::cerr << "sse-bench: only " << open << " of " << clients << " feeds opened\n";
      return finish(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  // The burst: W writers, one event per append so each event has its own acknowledgement.
  std::mutex acks_mu;
  struct Ack {
    Clock::time_point sent;
    Clock::time_point acked;
  };
  std::map<std::uint64_t, Ack> acks;  // guarded by acks_mu
  std::atomic<int> next_event{0};
  std::atomic<bool> append_failed{false};
  const auto burst_start = Clock::now();
  std::vector<std::thread> appenders;
  for (int w = 0; w < writers; ++w) {
    appenders.emplace_back([&] {
      for (int i = next_event++; i < events; i = next_event++) {
        v1::Payload payload;
        auto* r = payload.mutable_result_recorded();
        r->set_action_id(kAction);
        r->set_summary("SSE-meting, resultaat " + std::to_string(i));
        r->set_value(i);
        r->set_unit("stuks");
        auto sent = Clock::now();
        auto response = log.Append(OneEvent(std::string("action-") + kAction, std::move(payload)));
        auto now = Clock::now();
        if (!response.ok()) {
          std::cerr << "sse-bench: append: " << response.status() << "\n";
          append_failed = true;
          return;
        }
        std::lock_guard l(acks_mu);
        acks[response->last_position()] = Ack{sent, now};
      }
    });
  }
  for (auto& t : appenders) t.join();
  const auto burst_end = Clock::now();
  if (append_failed) return finish(1);
  const std::uint64_t last = acks.rbegin()->first;

  // Wait until every client has the last event of the burst.
  while (true) {
    int done = 0;
    for (auto& f : feeds) {
      if (f->failed.load()) {
        std::cerr << "sse-bench: a client failed: " << f->error << "\n";
        return finish(1);
      }
      done += f->last_position.load(std::memory_order_acquire) >= last ? 1 : 0;
    }
    if (done == clients) break;
    if (Clock::now() > deadline) {
      std::cerr << "sse-bench: only " << done << " of " << clients
                << " clients received the whole burst within " << timeout_seconds << " s\n";
      return finish(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto all_received = Clock::now();
  finish(0);

  // Every client: strictly increasing positions (no duplicate, in order), every burst event there.
  std::vector<double> delays;     // receipt - ack; negative: before the writer saw its ack
  std::vector<double> from_sent;  // receipt - the moment the append was sent
  delays.reserve(static_cast<std::size_t>(clients) * acks.size());
  from_sent.reserve(delays.capacity());
  int complete = 0;
  std::size_t before_ack = 0;
  for (auto& f : feeds) {
    bool ordered = true;
    std::size_t burst_seen = 0;
    for (std::size_t i = 0; i < f->received.size(); ++i) {
      auto [position, when] = f->received[i];
      if (i > 0 && position <= f->received[i - 1].first) ordered = false;
      auto ack = acks.find(position);
      if (ack == acks.end()) continue;
      ++burst_seen;
      double d = Millis(when - ack->second.acked);
      if (d < 0) ++before_ack;
      delays.push_back(d);
      from_sent.push_back(Millis(when - ack->second.sent));
    }
    if (ordered && burst_seen == acks.size()) ++complete;
  }
  std::sort(delays.begin(), delays.end());
  std::sort(from_sent.begin(), from_sent.end());

  std::printf("sse-bench: %d clients, burst of %zu events (positions %llu-%llu) from %d writers\n",
              clients, acks.size(), static_cast<unsigned long long>(acks.begin()->first),
              static_cast<unsigned long long>(last), writers);
  std::printf("  every event, in order, exactly once: %d of %d clients\n", complete, clients);
  std::printf(
      "  burst appended in %.0f ms (%.0f events/s); all clients had it %.0f ms after "
      "the last ack\n",
      Millis(burst_end - burst_start),
      acks.size() / std::chrono::duration<double>(burst_end - burst_start).count(),
      Millis(all_received - burst_end));
  std::printf(
      "  delay from append ack to receipt over %zu deliveries: p50 %.1f ms, p90 %.1f ms, "
      "p99 %.1f ms, max %.1f ms\n",
      delays.size(), Percentile(delays, 50), Percentile(delays, 90), Percentile(delays, 99),
      delays.empty() ? 0.0 : delays.back());
  std::printf(
      "  (negative: the event reached the client before the writer had read its ack; "
      "%.1f%% of deliveries)\n",
      delays.empty() ? 0.0 : 100.0 * static_cast<double>(before_ack) / delays.size());
  std::printf("  delay from sending the append to receipt: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              Percentile(from_sent, 50), Percentile(from_sent, 99),
              from_sent.empty() ? 0.0 : from_sent.back());
  return complete == clients ? 0 : 1;
}
