#include "clients/bench/wijkboek_system.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "clients/bench/child_process.h"
#include "clients/bench/process_stats.h"
#include "clients/bench/raw_catchup.h"
#include "clients/cli/importer.h"

namespace bench {
namespace {

namespace v1 = wijkboek::v1;

constexpr char kPillar[] = "bench";
constexpr char kGoal[] = "bench-doel";
constexpr auto kTimeout = std::chrono::seconds(60);
// A whole-log read that takes longer is stuck, not slow.
constexpr auto kCatchupDeadline = std::chrono::minutes(10);

class AppendAdapter final : public LoadClient {
 public:
  explicit AppendAdapter(std::unique_ptr<WijkboekWriter> writer) : writer_(std::move(writer)) {}
  absl::Status RunOnce() override { return writer_->Append().status(); }

 private:
  std::unique_ptr<WijkboekWriter> writer_;
};

absl::Status Annotate(const absl::Status& s, std::string_view what) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(std::string(what), ": ", s.message()));
}

// Reads the whole log with Read; checks the positions run 1, 2, 3, ...
absl::StatusOr<std::uint64_t> ReadWholeLog(const wijkboek::client::EventLogClient& client) {
  v1::ReadRequest request;
  auto reader = client.Read(request, std::chrono::system_clock::now() + kCatchupDeadline);
  v1::Event event;
  std::uint64_t n = 0;
  while (reader->Next(&event)) {
    if (event.position() != ++n) {
      return absl::DataLossError(
          absl::StrCat("Read: position ", event.position(), " where ", n, " was expected"));
    }
  }
  if (absl::Status s = reader->Finish(); !s.ok()) return Annotate(s, "Read");
  return n;
}

v1::AppendRequest SetupRequest() {
  v1::AppendRequest request;
  request.set_stream(absl::StrCat("pillar-", kPillar));
  request.mutable_expected_revision()->set_no_stream(true);
  EventIdSource ids;
  auto* pillar = request.add_events();
  pillar->set_event_id(ids.Next());
  auto* p = pillar->mutable_payload()->mutable_pillar_defined();
  p->set_pillar_id(kPillar);
  p->set_name("Meten");
  p->set_ambition("Weten hoe snel het wijkboek is");
  auto* goal = request.add_events();
  goal->set_event_id(ids.Next());
  auto* g = goal->mutable_payload()->mutable_goal_defined();
  g->set_goal_id(kGoal);
  g->set_pillar_id(kPillar);
  g->set_title("Doorvoer en vertraging meten");
  return request;
}

}  // namespace

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  // A subchannel pool of its own: otherwise channels with equal arguments share one connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

WijkboekWriter::WijkboekWriter(std::shared_ptr<grpc::Channel> channel, const std::string& token,
                               int index, int batch)
    : client_(std::move(channel), token, kTimeout) {
  request_.set_stream(StreamName(index));
  const v1::Payload payload = ResultPayload(index);
  for (int i = 0; i < batch; ++i) *request_.add_events()->mutable_payload() = payload;
}

absl::StatusOr<std::unique_ptr<WijkboekWriter>> WijkboekWriter::Start(
    std::shared_ptr<grpc::Channel> channel, const std::string& token, int index, int batch,
    AppendMode mode) {
  std::unique_ptr<WijkboekWriter> writer(new WijkboekWriter(channel, token, index, batch));
  v1::AppendRequest start;
  start.set_stream(StreamName(index));
  start.mutable_expected_revision()->set_no_stream(true);
  auto* event = start.add_events();
  event->set_event_id(writer->ids_.Next());
  auto* action = event->mutable_payload()->mutable_action_started();
  action->set_action_id(ActionId(index));
  action->set_goal_id(kGoal);
  action->set_title(absl::StrCat("Meetactie ", index));
  action->set_occurred_on("2026-05-01");
  auto started = writer->client_.Append(start);
  if (!started.ok())
    return Annotate(started.status(), absl::StrCat("starting ", StreamName(index)));
  writer->revision_ = started->stream_revision();
  if (mode == AppendMode::kStream) {
    writer->stub_ = v1::EventLog::NewStub(channel);
    writer->stream_context_ = std::make_unique<grpc::ClientContext>();
    writer->stream_context_->AddMetadata("authorization", "Bearer " + token);
    writer->stream_ = writer->stub_->AppendStream(writer->stream_context_.get());
  }
  return writer;
}

WijkboekWriter::~WijkboekWriter() {
  if (!stream_) return;
  // Half-close and collect the status: every request was answered already.
  stream_->WritesDone();
  while (stream_->Read(&stream_response_)) {
  }
  (void)stream_->Finish();
}

absl::StatusOr<v1::AppendResponse> WijkboekWriter::AppendOverStream() {
  if (!stream_->Write(request_) || !stream_->Read(&stream_response_)) {
    grpc::Status s = stream_->Finish();
    if (s.ok()) s = grpc::Status(grpc::StatusCode::INTERNAL, "AppendStream ended without an answer");
    stream_.reset();
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        absl::StrCat("AppendStream: ", s.error_message()));
  }
  if (stream_response_.has_error()) {
    return absl::Status(static_cast<absl::StatusCode>(stream_response_.error().code()),
                        stream_response_.error().message());
  }
  return stream_response_.appended();
}

absl::StatusOr<v1::AppendResponse> WijkboekWriter::Append() {
  request_.mutable_expected_revision()->set_exact(revision_);
  for (auto& event : *request_.mutable_events()) event.set_event_id(ids_.Next());
  if (stub_ && !stream_) return absl::UnavailableError("AppendStream: the call has ended");
  auto response = stream_ ? AppendOverStream() : client_.Append(request_);
  if (!response.ok()) return Annotate(response.status(), request_.stream());
  const std::uint64_t want = revision_ + static_cast<std::uint64_t>(request_.events_size());
  if (response->stream_revision() != want || response->deduplicated()) {
    return absl::InternalError(absl::StrCat(request_.stream(), ": answered revision ",
                                            response->stream_revision(), ", expected ", want));
  }
  revision_ = want;
  return response;
}

absl::Status WijkboekSystem::Reset() {
  if (absl::Status s = server_.Stop(); !s.ok()) return s;
  std::error_code ec;
  std::filesystem::remove_all(work_dir_, ec);
  if (absl::Status s = server_.Start(work_dir_ + "/data"); !s.ok()) return s;
  fresh_rss_ = ResidentBytes(server_.pid());
  auto setup = Client().Append(SetupRequest());
  return Annotate(setup.status(), "recording the bench pillar and goal");
}

wijkboek::client::EventLogClient WijkboekSystem::Client() const {
  return wijkboek::client::EventLogClient(OwnChannel(server_.address()), server_.token(), kTimeout);
}

absl::StatusOr<std::unique_ptr<WijkboekWriter>> WijkboekSystem::NewWriter(int index, int batch) {
  return WijkboekWriter::Start(OwnChannel(server_.address()), server_.token(), index, batch,
                               mode_);
}

absl::StatusOr<std::unique_ptr<LoadClient>> WijkboekSystem::NewAppendClient(int index, int batch) {
  auto writer = NewWriter(index, batch);
  if (!writer.ok()) return writer.status();
  return std::make_unique<AppendAdapter>(*std::move(writer));
}

std::vector<CatchupMethod> WijkboekSystem::CatchupMethods() {
  if (mode_ == AppendMode::kStream) return {};  // the same reads as system "wijkboek"
  // Read and Subscribe as a lean client (events kept as the bytes that arrived, like the peers'
  // rows), then Read through the typed client, which parses every event into its message, then
  // the batched calls (ReadBatches, Subscribe with batch_events), each batch parsed into typed
  // Events on an arena.
  const auto catch_up = [this](CatchUpCall call) {
    return RawCatchUp(OwnChannel(address()), token(), call);
  };
  const auto count = [](absl::StatusOr<std::uint64_t> n) -> absl::StatusOr<CatchupCount> {
    if (!n.ok()) return n.status();
    return CatchupCount{*n, std::nullopt, std::nullopt};
  };
  return {
      {"Read", [count, catch_up] { return count(catch_up(CatchUpCall::kRead)); }},
      {"Subscribe", [count, catch_up] { return count(catch_up(CatchUpCall::kSubscribe)); }},
      {"Read, parsed", [this, count] { return count(ReadWholeLog(Client())); }},
      {"ReadBatches", [count, catch_up] { return count(catch_up(CatchUpCall::kReadBatches)); }},
      {"ReadBatches, lean",
       [count, catch_up] { return count(catch_up(CatchUpCall::kReadBatchesLean)); }},
      {"Subscribe, batched",
       [count, catch_up] { return count(catch_up(CatchUpCall::kSubscribeBatched)); }},
  };
}

absl::Status WijkboekSystem::Import(const std::string& programme_file) {
  const std::string text = child_process::ReadFile(programme_file);
  if (text.empty()) return absl::NotFoundError(absl::StrCat("cannot read ", programme_file));
  auto plan = wijkboek::importer::PlanImport(text);
  if (!plan.ok()) return Annotate(plan.status(), programme_file);
  const auto client = Client();
  for (const auto& request : plan->requests) {
    auto r = client.Append(request);
    if (!r.ok()) return Annotate(r.status(), absl::StrCat("importing ", request.stream()));
  }
  return absl::OkStatus();
}

std::optional<double> WijkboekSystem::ServerCpuSeconds() { return CpuSeconds(server_.pid()); }

void WijkboekSystem::BeginWorkload() {
  ResetPeakResident(server_.pid());
  threads_at_begin_ = ThreadCpuSeconds(server_.pid());
  begin_ = Clock::now();
}

void WijkboekSystem::EndWorkload(Record& record) {
  record.rss_peak_bytes = PeakResidentBytes(server_.pid());
  record.rss_bytes = ResidentBytes(server_.pid());
  if (fresh_rss_) record.extra["rss_fresh_bytes"] = *fresh_rss_;
  // A thread near 100 % of the wall time bounds the throughput by itself (the writer, say).
  const double wall = Seconds(Clock::now() - begin_);
  std::vector<std::pair<double, std::string>> busiest;
  for (const auto& [tid, now] : ThreadCpuSeconds(server_.pid())) {
    auto before = threads_at_begin_.find(tid);
    const double used =
        now.seconds - (before == threads_at_begin_.end() ? 0 : before->second.seconds);
    busiest.emplace_back(used / wall, now.name);
  }
  std::sort(busiest.rbegin(), busiest.rend());
  if (!busiest.empty() && wall > 0) {
    record.extra["server_busiest_thread_share"] = busiest[0].first;
    std::string top;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, busiest.size()); ++i) {
      absl::StrAppend(&top, i ? ", " : "", busiest[i].second, " ",
                      static_cast<int>(busiest[i].first * 100 + 0.5), "%");
    }
    record.extra["server_busiest_threads"] = top;
  }
  auto head = Client().GetHead();
  if (head.ok() && head->position() > 0) {
    record.disk_bytes_per_event =
        static_cast<double>(DirectoryBytes(server_.data_dir() + "/log")) / head->position();
    record.extra["events_stored"] = head->position();
  }
}

}  // namespace bench
