#include "clients/bench/redis_system.h"

#include <hiredis.h>

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/bench/event_bytes.h"
#include "clients/bench/process_stats.h"

namespace bench {
namespace {

// KEYS: the event stream, the log, the event-id hash. ARGV: the expected length of the event
// stream (its next revision), the type, then event id and payload per event.
constexpr char kAppendScript[] = R"lua(
local n = redis.call('XLEN', KEYS[1])
if n ~= tonumber(ARGV[1]) then
  return redis.error_reply('STALE ' .. KEYS[1] .. ' is at revision ' .. (n - 1))
end
for i = 3, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[3], ARGV[i]) == 1 then
    return redis.error_reply('EXISTS event id ' .. ARGV[i])
  end
end
for i = 3, #ARGV, 2 do
  local id = redis.call('XADD', KEYS[2], '*', 'stream', KEYS[1], 'revision', n,
                        'event_id', ARGV[i], 'type', ARGV[2], 'payload', ARGV[i + 1])
  redis.call('XADD', KEYS[1], '*', 'log', id)
  redis.call('HSET', KEYS[3], ARGV[i], id)
  n = n + 1
end
return n - 1
)lua";

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Context = std::unique_ptr<redisContext, ContextFree>;
using Reply = std::unique_ptr<redisReply, ReplyFree>;

absl::StatusOr<Context> Connect(const std::string& address) {
  const auto colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address '", address, "': want HOST:PORT"));
  }
  timeval timeout{10, 0};
  Context c(redisConnectWithTimeout(address.substr(0, colon).c_str(), port, timeout));
  if (!c || c->err) {
    return absl::UnavailableError(absl::StrCat("redis (", address,
                                               "): ", c ? c->errstr : "out of memory",
                                               "; clients/bench/run starts one"));
  }
  return c;
}

absl::StatusOr<Reply> Command(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (auto a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  Reply reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply)
    return absl::UnavailableError(absl::StrCat("redis ", std::string(args[0]), ": ", c->errstr));
  if (reply->type == REDIS_REPLY_ERROR) {
    const std::string message(reply->str, reply->len);
    const std::string text = absl::StrCat("redis ", std::string(args[0]), ": ", message);
    return message.rfind("STALE", 0) == 0 ? absl::AbortedError(text) : absl::InternalError(text);
  }
  return reply;
}

std::string Text(const redisReply* r) { return r->str ? std::string(r->str, r->len) : ""; }

// One "name:value" line of INFO's answer.
std::string InfoField(const std::string& info, const std::string& name) {
  const auto at = info.find(name + ":");
  if (at == std::string::npos) return "";
  const auto start = at + name.size() + 1;
  return info.substr(start, info.find_first_of("\r\n", start) - start);
}

class RedisAppendClient final : public LoadClient {
 public:
  RedisAppendClient(Context context, std::string sha, int index, int batch)
      : context_(std::move(context)),
        sha_(std::move(sha)),
        key_(absl::StrCat("s:", StreamName(index))),
        payload_(ResultPayloadBytes(index)),
        ids_(batch) {}

  absl::Status RunOnce() override {
    const std::string expected = std::to_string(next_revision_);
    std::vector<std::string_view> args = {"EVALSHA", sha_,        "3",      key_,
                                          "log",     "event_ids", expected, kEventType};
    for (auto& id : ids_) {
      id = ids_source_.Next();
      args.push_back(id);
      args.push_back(payload_);
    }
    auto reply = Command(context_.get(), args);
    if (!reply.ok()) return reply.status();
    next_revision_ += ids_.size();
    return absl::OkStatus();
  }

 private:
  Context context_;
  const std::string sha_;
  const std::string key_;
  const std::string payload_;
  EventIdSource ids_source_;
  std::vector<std::string> ids_;
  std::uint64_t next_revision_ = 0;
};

}  // namespace

absl::Status RedisSystem::Reset() {
  auto c = Connect(address_);
  if (!c.ok()) return c.status();
  for (const std::vector<std::string_view>& args :
       std::vector<std::vector<std::string_view>>{{"FLUSHALL", "SYNC"}, {"BGREWRITEAOF"}}) {
    if (auto r = Command(c->get(), args); !r.ok()) return r.status();
  }
  // The rewrite forks; let it finish so it neither competes with the run nor counts in its disk.
  const Clock::time_point until = Clock::now() + std::chrono::seconds(60);
  while (true) {
    auto info = Command(c->get(), {"INFO", "persistence"});
    if (!info.ok()) return info.status();
    const std::string text = Text(info->get());
    if (InfoField(text, "aof_rewrite_in_progress") == "0" &&
        InfoField(text, "aof_rewrite_scheduled") == "0") {
      break;
    }
    if (Clock::now() > until)
      return absl::DeadlineExceededError("redis: AOF rewrite still running after 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto sha = Command(c->get(), {"SCRIPT", "LOAD", kAppendScript});
  if (!sha.ok()) return sha.status();
  script_sha_ = Text(sha->get());
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LoadClient>> RedisSystem::NewAppendClient(int index, int batch) {
  auto c = Connect(address_);
  if (!c.ok()) return c.status();
  return std::make_unique<RedisAppendClient>(*std::move(c), script_sha_, index, batch);
}

std::vector<CatchupMethod> RedisSystem::CatchupMethods() {
  return {{absl::StrCat("XRANGE pages of ", page_), [this] { return ReadAll(); }}};
}

absl::StatusOr<CatchupCount> RedisSystem::ReadAll() const {
  auto c = Connect(address_);
  if (!c.ok()) return c.status();
  const std::string count = std::to_string(page_);
  const Clock::time_point start = Clock::now();
  std::string from = "-";
  std::uint64_t n = 0;
  std::uint64_t payload_bytes = 0;  // touched, so the entries are really read
  while (true) {
    auto page = Command(c->get(), {"XRANGE", "log", from, "+", "COUNT", count});
    if (!page.ok()) return page.status();
    const redisReply* entries = page->get();
    for (std::size_t i = 0; i < entries->elements; ++i) {
      const redisReply* entry = entries->element[i];
      const redisReply* fields = entry->element[1];
      if (fields->elements < 10) return absl::DataLossError("redis: a log entry without payload");
      payload_bytes += fields->element[9]->len;
    }
    n += entries->elements;
    if (entries->elements < static_cast<std::size_t>(page_)) break;
    from = "(" + Text(entries->element[entries->elements - 1]->element[0]);
  }
  if (n > 0 && payload_bytes == 0) return absl::DataLossError("redis: events without payload");
  return CatchupCount{n, Seconds(Clock::now() - start), std::nullopt};
}

std::optional<double> RedisSystem::ServerCpuSeconds() {
  auto c = Connect(address_);
  if (!c.ok()) return std::nullopt;
  auto info = Command(c->get(), {"INFO", "cpu"});
  if (!info.ok()) return std::nullopt;
  const std::string text = Text(info->get());
  double user = 0, sys = 0;
  if (!absl::SimpleAtod(InfoField(text, "used_cpu_user"), &user) ||
      !absl::SimpleAtod(InfoField(text, "used_cpu_sys"), &sys)) {
    return std::nullopt;
  }
  return user + sys;
}

void RedisSystem::EndWorkload(Record& record) {
  auto c = Connect(address_);
  if (!c.ok()) return;
  auto length = Command(c->get(), {"XLEN", "log"});
  auto dir = Command(c->get(), {"CONFIG", "GET", "dir"});
  auto memory = Command(c->get(), {"INFO", "memory"});
  if (!length.ok() || !dir.ok() || !memory.ok()) return;
  const auto events = static_cast<std::uint64_t>((*length)->integer);
  if ((*dir)->elements == 2 && events > 0) {
    record.disk_bytes_per_event =
        static_cast<double>(DirectoryBytes(Text((*dir)->element[1]))) / events;
  }
  record.extra["events_stored"] = events;
  std::uint64_t rss = 0;
  if (absl::SimpleAtoi(InfoField(Text(memory->get()), "used_memory_rss"), &rss)) {
    record.extra["redis_rss_bytes"] = rss;
  }
}

}  // namespace bench
