#include "services/gateway/sse_stream.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "absl/strings/str_cat.h"
#include "services/api/convert.h"
#include "storage/event_store.h"

namespace gateway {

namespace net = boost::asio;

namespace {

// How long a browser waits before reconnecting after the connection dropped.
constexpr std::uint64_t kRetryMillis = 2000;
// Events examined per Pump while catching up without sending anything (a narrow filter over a
// long log); past it the Pump yields the strand and continues in a new one.
constexpr std::size_t kMaxExaminedPerPump = 8192;

}  // namespace

SseStream::SseStream(net::ip::tcp::socket socket, std::shared_ptr<Context> context,
                     LiveRequest request, std::string head)
    : socket_(std::move(socket)),
      context_(std::move(context)),
      slot_(context_.get()),
      request_(std::move(request)),
      heartbeat_(socket_.get_executor()),
      write_timer_(socket_.get_executor()),
      out_(std::move(head)) {}

SseStream::~SseStream() {
  // Normally done in Shutdown; here for feeds destroyed with the io_context's pending handlers.
  context_->hub->Detach(this);
  if (registry_id_ != 0) context_->Unregister(registry_id_);
}

void SseStream::Start() {
  // Runs on the strand (called by the session that read the request).
  registry_id_ = context_->Register(weak_from_this());
  next_ = FirstPosition(request_, context_->store->Head());
  reported_ = next_ - 1;
  if (context_->stopped() || context_->hub->closing()) {
    Shutdown();
    return;
  }
  std::string first = std::move(out_);
  first += SseRetry(kRetryMillis);
  first += SseComment("wijkboek live feed");
  Write(std::move(first));
  ReadForClose();
  ArmHeartbeat();
}

void SseStream::Close() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->Shutdown(); });
}

void SseStream::Shutdown() {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard l(mu_);
    detached_ = true;
    queue_.clear();
  }
  context_->hub->Detach(this);
  heartbeat_.cancel();
  write_timer_.cancel();
  boost::system::error_code ec;
  socket_.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

bool SseStream::OnLive(const std::vector<api::EventMessage>& events) {
  std::lock_guard l(mu_);
  if (detached_) return false;
  bool keep = true;
  // An idle feed takes the whole group (bounded by the store's group size); a busy one that
  // already holds a full queue falls back to storage.
  if (!queue_.empty() && queue_.size() + events.size() > context_->options.sse_queue_events) {
    overflowed_ = true;
    queue_.clear();
    keep = false;
  } else {
    queue_.insert(queue_.end(), events.begin(), events.end());
  }
  if (!wake_posted_) {
    wake_posted_ = true;
    // Only a weak reference crosses: dropping a strong one here could run the destructor on the
    // writer thread under the hub's lock, which the destructor needs (Detach). The feed is kept
    // alive by its own pending read and heartbeat. After Stop the io_context may be gone: post
    // only while the gateway runs.
    context_->IfRunning([&] {
      net::post(socket_.get_executor(), [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->Pump();
      });
    });
  }
  return keep;
}

void SseStream::OnClose() {
  context_->IfRunning([&] {
    net::post(socket_.get_executor(), [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->Shutdown();
    });
  });
}

void SseStream::Pump() {
  if (closed_ || writing_) return;
  if (context_->hub->closing()) {
    Shutdown();
    return;
  }
  std::string data;
  bool more = false;
  try {
    if (!Collect(&data, &more)) {
      Shutdown();
      return;
    }
  } catch (const std::exception& e) {
    Log(absl::StrCat("live feed: ", e.what(), "; closing the feed"));
    Shutdown();
    return;
  }
  if (!data.empty()) {
    Write(std::move(data));
  } else if (more) {
    // Examined many events without sending any (a narrow filter): let other connections on
    // this thread run, then go on.
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->Pump(); });
  }
}

void SseStream::Append(const EventFrame& frame, std::string* out, std::size_t* frames) {
  AppendSseEvent(out, frame.position, request_.named ? frame.type : "", frame.json);
  reported_ = frame.position;
  ++*frames;
}

bool SseStream::Collect(std::string* out, bool* more) {
  std::size_t frames = 0;
  const std::uint64_t start = next_;
  while (frames < kMaxFramesPerWrite && out->size() < kMaxWriteBytes &&
         next_ - start < kMaxExaminedPerPump) {
    if (!live_) {
      if (!CatchUp(out, &frames)) return false;
      continue;
    }
    std::vector<api::EventMessage> taken;
    {
      std::lock_guard l(mu_);
      if (overflowed_) {
        // The hub detached us: everything from next_ on is read from storage again.
        overflowed_ = false;
        queue_.clear();
        wake_posted_ = false;
        live_ = false;
      } else {
        // Each taken event yields at most one frame, so none is dropped by the frame limit.
        std::size_t n = std::min(queue_.size(), kMaxFramesPerWrite - frames);
        taken.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        if (queue_.empty()) wake_posted_ = false;
      }
    }
    if (!live_) continue;
    if (taken.empty()) break;
    for (const auto& m : taken) {
      const auto& e = m->event();
      if (e.position() < next_) continue;  // already sent from storage
      next_ = e.position() + 1;
      if (request_.filter.Matches(e.stream(), e.type())) {
        Append(*context_->frames.Get(e), out, &frames);
      }
    }
  }
  *more = next_ - start >= kMaxExaminedPerPump;
  if (frames == 0 && !request_.filter.empty() && next_ - 1 >= reported_ + kCheckpointEvery) {
    reported_ = next_ - 1;
    out->append(SseCheckpoint(reported_));
  }
  return true;
}

bool SseStream::CatchUp(std::string* out, std::size_t* frames) {
  std::size_t read = 0;
  absl::Status inner;
  absl::Status s = context_->store->ScanAll(next_, false, [&](const storage::StoredEvent& e) {
    ++read;
    next_ = e.position + 1;
    if (request_.filter.Matches(e.stream, e.type)) {
      auto frame = context_->frames.Find(e.position);
      if (!frame) {
        wijkboek::v1::Event event;
        inner = api::ToProto(e, &event);
        if (!inner.ok()) return false;
        frame = context_->frames.Get(event);
      }
      Append(*frame, out, frames);
    }
    return read < kCatchUpBatch && *frames < kMaxFramesPerWrite;
  });
  if (s.ok()) s = inner;
  if (!s.ok()) {
    Log(absl::StrCat("live feed: reading the log at position ", next_, ": ",
                     std::string(s.message()), "; closing the feed"));
    return false;
  }
  if (read == 0) {
    // Storage has nothing from next_ on. Attach refuses if the hub published such events in
    // the meantime; then the next round reads them from storage.
    {
      std::lock_guard l(mu_);
      overflowed_ = false;
      queue_.clear();
      wake_posted_ = false;
    }
    if (context_->hub->Attach(this, next_)) live_ = true;
  }
  return true;
}

void SseStream::Write(std::string data) {
  writing_ = true;
  out_ = std::move(data);
  write_timer_.expires_after(context_->options.write_timeout);
  write_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || !self->writing_ || self->closed_) return;
    // The client stopped reading: its socket buffer is full and the kernel's too.
    self->Shutdown();
  });
  net::async_write(socket_, net::buffer(out_),
                   boost::beast::bind_front_handler(&SseStream::OnWrite, shared_from_this()));
}

void SseStream::OnWrite(boost::system::error_code ec, std::size_t) {
  writing_ = false;
  write_timer_.cancel();
  if (ec) {
    Shutdown();
    return;
  }
  last_write_ = std::chrono::steady_clock::now();
  out_.clear();
  Pump();
}

void SseStream::ReadForClose() {
  // The client sends nothing after its request; a completed read means it went away (or it
  // pipelined something, which a feed ignores).
  socket_.async_read_some(net::buffer(read_buffer_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            if (ec) {
                              self->Shutdown();
                              return;
                            }
                            if (!self->closed_) self->ReadForClose();
                          });
}

void SseStream::ArmHeartbeat() {
  const auto interval = context_->options.sse_heartbeat;
  heartbeat_.expires_after(interval);
  heartbeat_.async_wait([self = shared_from_this(), interval](boost::system::error_code ec) {
    if (ec || self->closed_) return;
    if (!self->writing_ && std::chrono::steady_clock::now() - self->last_write_ >= interval / 2) {
      std::string data;
      // A filtered feed may not have sent an id for a long time: move the client's position on
      // so a reconnect does not examine everything again.
      if (!self->request_.filter.empty() && self->next_ - 1 > self->reported_) {
        self->reported_ = self->next_ - 1;
        data = SseCheckpoint(self->reported_);
      }
      data += SseComment("keep-alive");
      self->Write(std::move(data));
    }
    self->ArmHeartbeat();
  });
}

}  // namespace gateway
