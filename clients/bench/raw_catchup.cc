#include "clients/bench/raw_catchup.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/event_log_client.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace bench {
namespace {

namespace v1 = wijkboek::v1;

// A little of the wire format: enough to find the position without parsing the rest.
class Prefix {
 public:
  explicit Prefix(const grpc::ByteBuffer& buffer) {
    std::vector<grpc::Slice> slices;
    (void)buffer.Dump(&slices);
    for (const auto& s : slices) {
      for (std::size_t i = 0; i < s.size() && size_ < bytes_.size(); ++i)
        bytes_[size_++] = s.begin()[i];
      if (size_ == bytes_.size()) break;
    }
  }

  std::optional<std::uint64_t> Varint() {
    std::uint64_t value = 0;
    for (int shift = 0; at_ < size_ && shift < 64; shift += 7) {
      const std::uint8_t b = bytes_[at_++];
      value |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return value;
    }
    return std::nullopt;
  }

 private:
  std::array<std::uint8_t, 32> bytes_{};
  std::size_t size_ = 0;
  std::size_t at_ = 0;
};

// The position of an Event (field 1, a varint, which protobuf writes first).
std::optional<std::uint64_t> EventPosition(Prefix& p) {
  if (p.Varint() != std::optional<std::uint64_t>(0x08)) return std::nullopt;
  return p.Varint();
}

google::protobuf::ArenaOptions ArenaOn(std::vector<char>& block) {
  google::protobuf::ArenaOptions options;
  options.initial_block = block.data();
  options.initial_block_size = block.size();
  return options;
}

// One streaming call through the generic stub; its callbacks run on gRPC's threads, one at a time.
class RawStream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  RawStream(grpc::GenericStub& stub, const std::string& token, CatchUpCall call)
      : call_(call),
        subscribe_(call == CatchUpCall::kSubscribe || call == CatchUpCall::kSubscribeBatched) {
    context_.AddMetadata("authorization", "Bearer " + token);
    // A whole-log read that takes longer is stuck, not slow.
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
    std::string request;
    if (subscribe_) {
      v1::SubscribeRequest r;
      r.set_from_position(1);
      if (call == CatchUpCall::kSubscribeBatched) r.set_batch_events(kSubscribeBatchEvents);
      r.SerializeToString(&request);
    } else {
      v1::ReadRequest r;
      r.SerializeToString(&request);
    }
    grpc::Slice slice(request);
    request_ = grpc::ByteBuffer(&slice, 1);
    stub.PrepareBidiStreamingCall(
        &context_,
        subscribe_                           ? "/wijkboek.v1.EventLog/Subscribe"
        : call != CatchUpCall::kRead        ? "/wijkboek.v1.EventLog/ReadBatches"
                                             : "/wijkboek.v1.EventLog/Read",
        grpc::StubOptions(), this);
    StartWrite(&request_);
    StartWritesDone();
    StartRead(&in_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    if (call_ == CatchUpCall::kReadBatches || call_ == CatchUpCall::kSubscribeBatched) {
      return OnBatch();
    }
    if (call_ == CatchUpCall::kReadBatchesLean) return OnLeanBatch();
    Prefix p(in_);
    std::optional<std::uint64_t> position;
    if (subscribe_) {
      const auto tag = p.Varint();
      if (tag == std::optional<std::uint64_t>(0x10)) {  // caught_up: history is complete
        caught_up_ = true;
        context_.TryCancel();
        return;
      }
      if (tag != std::optional<std::uint64_t>(0x0a)) return StartRead(&in_);  // a checkpoint
      (void)p.Varint();                                                       // the event's length
    }
    position = EventPosition(p);
    if (!position || *position != events_ + 1) {
      error_ = absl::DataLossError(
          absl::StrCat("position ", position.value_or(0), " where ", events_ + 1, " was expected"));
      context_.TryCancel();
      return;
    }
    ++events_;
    StartRead(&in_);
  }

  // Parses the message (an EventBatch, or a SubscribeResponse holding one) on the arena and checks
  // its events' positions.
  void OnBatch() {
    arena_.Reset();
    grpc::ProtoBufferReader reader(&in_);
    const google::protobuf::RepeatedPtrField<v1::Event>* events = nullptr;
    if (subscribe_) {
      auto* response = google::protobuf::Arena::CreateMessage<v1::SubscribeResponse>(&arena_);
      if (!response->ParseFromZeroCopyStream(&reader)) return Fail("a SubscribeResponse");
      if (response->has_caught_up()) {
        caught_up_ = true;
        context_.TryCancel();
        return;
      }
      events = &response->events().events();
    } else {
      auto* batch = google::protobuf::Arena::CreateMessage<v1::EventBatch>(&arena_);
      if (!batch->ParseFromZeroCopyStream(&reader)) return Fail("an EventBatch");
      events = &batch->events();
    }
    for (const v1::Event& e : *events) {
      if (e.position() != events_ + 1) {
        error_ = absl::DataLossError(
            absl::StrCat("position ", e.position(), " where ", events_ + 1, " was expected"));
        context_.TryCancel();
        return;
      }
      ++events_;
    }
    StartRead(&in_);
  }

  // Walks an EventBatch's bytes: each `events` element's length, and in it only the position
  // (field 1, which the server writes first); the rest is skipped unread.
  void OnLeanBatch() {
    grpc::ProtoBufferReader reader(&in_);
    google::protobuf::io::CodedInputStream in(&reader);
    for (std::uint32_t tag = in.ReadTag(); tag != 0; tag = in.ReadTag()) {
      std::uint32_t size = 0;
      std::uint64_t position = 0;
      if (tag != 0x0a || !in.ReadVarint32(&size)) {
        return Fail(absl::StrCat("an EventBatch (tag ", tag, " after ", events_, " events)"));
      }
      const auto limit = in.PushLimit(static_cast<int>(size));
      const std::uint32_t first = in.ReadTag();
      if (first != 0x08 || !in.ReadVarint64(&position)) {
        return Fail(absl::StrCat("an Event (first tag ", first, " after ", events_, " events)"));
      }
      if (position != events_ + 1) {
        error_ = absl::DataLossError(
            absl::StrCat("position ", position, " where ", events_ + 1, " was expected"));
        context_.TryCancel();
        return;
      }
      ++events_;
      in.Skip(in.BytesUntilLimit());
      in.PopLimit(limit);
    }
    StartRead(&in_);
  }

  void Fail(std::string_view what) {
    error_ = absl::DataLossError(absl::StrCat("a message does not parse as ", std::string(what)));
    context_.TryCancel();
  }

  void OnWriteDone(bool) override {}
  void OnWritesDoneDone(bool) override {}

  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mu_);
    status_ = status;
    done_ = true;
    cv_.notify_all();
  }

  absl::StatusOr<std::uint64_t> Await() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    if (!error_.ok()) return error_;
    if (subscribe_ && !caught_up_) {
      return absl::Status(
          wijkboek::client::FromGrpcStatus(status_).code(),
          absl::StrCat("Subscribe ended before caught_up: ", status_.error_message()));
    }
    if (!subscribe_ && !status_.ok()) return wijkboek::client::FromGrpcStatus(status_);
    return events_;
  }

 private:
  const CatchUpCall call_;
  const bool subscribe_;
  // Reset per message. The first block is ours, so Reset keeps it: a batch (about 1 MiB on the
  // wire) parses into it without a malloc per arena block.
  std::vector<char> arena_block_ = std::vector<char>(8u << 20);
  google::protobuf::Arena arena_{ArenaOn(arena_block_)};
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer in_;
  // Only on the reactor's callbacks until done_; read by Await afterwards.
  std::uint64_t events_ = 0;
  bool caught_up_ = false;
  absl::Status error_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;    // guarded by mu_
  grpc::Status status_;  // guarded by mu_
};

}  // namespace

absl::StatusOr<std::uint64_t> RawCatchUp(std::shared_ptr<grpc::Channel> channel,
                                         const std::string& token, CatchUpCall call) {
  grpc::GenericStub stub(channel);
  RawStream stream(stub, token, call);
  return stream.Await();
}

}  // namespace bench
