#pragma once
// wijkboek as a benchmarked system: a real wijkboekd (WijkboekServer) spoken to over real gRPC
// with the typed clients in clients/cli, exactly as a partner system would.
//
// Reset() starts a fresh server on an empty data dir and records the pillar and goal the bench
// actions hang under (the rules want them). Each append client first starts its own action
// (ActionStarted at revision 0 of action-bench-c<i>), untimed, then appends ResultRecorded events
// with the exact expected revision. Every client has its own gRPC connection, like separate
// partner systems.
//
// Threads: the System methods on the suite's thread; each Writer on one thread at a time.
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "clients/bench/event_bytes.h"
#include "clients/bench/process_stats.h"
#include "clients/bench/system.h"
#include "clients/bench/wijkboek_server.h"
#include "clients/cli/event_log_client.h"

namespace bench {

// A channel of its own (its own TCP connection) to `address`, never through a proxy.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address);

// How a writer sends its appends: one unary Append call each, or one request each over a single
// AppendStream call kept open (closed loop: send one, wait for its answer).
enum class AppendMode { kUnary, kStream };

// Appends ResultRecorded events to one action stream with the exact expected revision; answers
// with the server's AppendResponse so callers can see the positions.
class WijkboekWriter {
 public:
  // Starts action ActionId(index) (ActionStarted, revision 0, unary) and returns a writer after
  // it; in kStream mode the writer's AppendStream call is opened here.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<WijkboekWriter>> Start(
      std::shared_ptr<grpc::Channel> channel, const std::string& token, int index, int batch,
      AppendMode mode = AppendMode::kUnary);
  ~WijkboekWriter();

  [[nodiscard]] absl::StatusOr<wijkboek::v1::AppendResponse> Append();

 private:
  WijkboekWriter(std::shared_ptr<grpc::Channel> channel, const std::string& token, int index,
                 int batch);

  // One request over the open AppendStream: its answer, or the call's status once it ended.
  absl::StatusOr<wijkboek::v1::AppendResponse> AppendOverStream();

  wijkboek::client::EventLogClient client_;
  // kStream: the open call (its context must outlive it).
  std::unique_ptr<wijkboek::v1::EventLog::Stub> stub_;
  std::unique_ptr<grpc::ClientContext> stream_context_;
  std::unique_ptr<grpc::ClientReaderWriter<wijkboek::v1::AppendRequest,
                                           wijkboek::v1::AppendStreamResponse>>
      stream_;
  wijkboek::v1::AppendStreamResponse stream_response_;
  wijkboek::v1::AppendRequest request_;  // reused: only ids and expected revision change
  EventIdSource ids_;
  std::uint64_t revision_ = 0;  // of the stream's last event
};

class WijkboekSystem final : public System {
 public:
  // `binary`: the wijkboekd to run; `work_dir`: where its data dirs go (each Reset empties it).
  // `mode`: how the append clients send (system "wijkboek" unary, "wijkboek-stream" over
  // AppendStream; the latter has no catch-up methods of its own: the reads are the same).
  WijkboekSystem(std::string binary, std::string work_dir, AppendMode mode = AppendMode::kUnary)
      : server_(std::move(binary)), work_dir_(std::move(work_dir)), mode_(mode) {}

  std::string name() const override {
    return mode_ == AppendMode::kStream ? "wijkboek-stream" : "wijkboek";
  }
  absl::Status Reset() override;
  absl::StatusOr<std::unique_ptr<LoadClient>> NewAppendClient(int index, int batch) override;
  std::vector<CatchupMethod> CatchupMethods() override;
  void BeginWorkload() override;
  void EndWorkload(Record& record) override;
  std::optional<double> ServerCpuSeconds() override;

  // A writer for workloads that need the positions (fan-out) or their own mix (views).
  [[nodiscard]] absl::StatusOr<std::unique_ptr<WijkboekWriter>> NewWriter(int index, int batch);
  // Appends the programme file (the shape of deploy/demo/sterk-voor-noord.json) as `wijkboek
  // import` would, so that the views have a real programme to answer about.
  [[nodiscard]] absl::Status Import(const std::string& programme_file);

  // Stops the server (at the end of the suite).
  absl::Status Shutdown() { return server_.Stop(); }

  const std::string& address() const { return server_.address(); }
  const std::string& token() const { return server_.token(); }
  pid_t server_pid() const { return server_.pid(); }
  wijkboek::client::EventLogClient Client() const;

 private:
  WijkboekServer server_;
  std::string work_dir_;
  AppendMode mode_;
  std::optional<std::uint64_t> fresh_rss_;  // wijkboekd's RSS right after Reset
  // Per-thread CPU of wijkboekd at BeginWorkload, to find the busiest threads at the end.
  std::map<pid_t, ThreadCpu> threads_at_begin_;
  Clock::time_point begin_;
};

}  // namespace bench
