#pragma once
// One live feed (/api/v1/events/live): history from storage, then live events from the hub,
// without gap or duplicate across the switch — the same handshake as the gRPC SubscribeReactor:
// read storage until nothing is left, then Attach(next position); the hub refuses when events at
// or after that position were published meanwhile, and the feed reads storage again.
//
// Bounded: live events wait in a queue of at most sse_queue_events; a client that falls further
// behind is detached (OnLive returns false), the queue is dropped, and the feed goes back to
// reading storage from the first position it has not sent — the client sees no difference except
// latency. A client that does not take a write within write_timeout is disconnected.
//
// Ownership: shared_ptr, held by its pending operations (a read that notices the client leaving,
// the heartbeat timer, the write in flight). The hub holds a raw LiveSink*; the feed detaches
// before it is destroyed, and OnLive never touches a feed that is being destroyed.
// Threads: everything runs on the connection's strand except OnLive/OnClose (the store's writer
// thread, under the hub's lock), which only touch the state under mu_ and post to the strand.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "services/api/subscription_hub.h"
#include "services/gateway/context.h"
#include "services/gateway/sse_format.h"

namespace gateway {

class SseStream : public std::enable_shared_from_this<SseStream>,
                  public api::LiveSink,
                  public Closable {
 public:
  // Frames per write at most; a write also stops growing past kMaxWriteBytes.
  static constexpr std::size_t kMaxFramesPerWrite = 512;
  static constexpr std::size_t kMaxWriteBytes = 256 * 1024;
  static constexpr std::size_t kCatchUpBatch = 256;
  // A filtered feed sends a checkpoint (id only) once it examined this many events unseen.
  static constexpr std::uint64_t kCheckpointEvery = 1000;

  // `head` is the HTTP response head, written first. `socket`'s executor is the strand.
  SseStream(boost::asio::ip::tcp::socket socket, std::shared_ptr<Context> context,
            LiveRequest request, std::string head);
  ~SseStream() override;

  void Start();
  void Close() override;

  bool OnLive(const std::vector<api::EventMessage>& events) override;
  void OnClose() override;

 private:
  void Pump();
  // Appends frames from storage (catch-up) or the live queue to `out`; false on a storage error.
  // *more: it stopped at the per-Pump limit of examined events with work left.
  bool Collect(std::string* out, bool* more);
  bool CatchUp(std::string* out, std::size_t* frames);
  void Append(const EventFrame& frame, std::string* out, std::size_t* frames);
  void Write(std::string data);
  void OnWrite(boost::system::error_code ec, std::size_t bytes);
  void ReadForClose();
  void ArmHeartbeat();
  void Shutdown();

  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<Context> context_;
  ConnectionSlot slot_;
  std::uint64_t registry_id_ = 0;
  const LiveRequest request_;
  boost::asio::steady_timer heartbeat_;
  boost::asio::steady_timer write_timer_;
  std::array<char, 512> read_buffer_;

  // Strand only.
  std::uint64_t next_ = 1;      // the next position to examine
  std::uint64_t reported_ = 0;  // the last id the client has (event or checkpoint)
  bool live_ = false;           // attached to the hub
  bool writing_ = false;
  bool closed_ = false;
  std::string out_;  // the write in flight
  std::chrono::steady_clock::time_point last_write_;

  // Shared with the hub's thread.
  std::mutex mu_;
  std::deque<api::EventMessage> queue_;  // guarded by mu_: live events not yet examined
  bool overflowed_ = false;              // guarded by mu_: the hub detached us; catch up again
  bool wake_posted_ = false;             // guarded by mu_: a Pump is posted or will drain queue_
  bool detached_ = false;                // guarded by mu_: no more OnLive wanted
};

}  // namespace gateway
