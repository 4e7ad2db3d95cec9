#include "clients/bench/record.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace bench {
namespace {

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// 1234567.8 -> "1,234,568"
std::string Thousands(double value) {
  std::string digits = absl::StrFormat("%.0f", value);
  std::string out;
  const std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Ms(const std::optional<double>& v) {
  return v ? absl::StrFormat("%.2f", *v) : std::string("–");
}

std::string MiB(const std::optional<std::uint64_t>& bytes) {
  return bytes ? absl::StrFormat("%.0f MiB", static_cast<double>(*bytes) / (1 << 20))
               : std::string("–");
}

std::string Ratio(const Record& r, const char* key) {
  auto it = r.extra.find(key);
  return it == r.extra.end() ? std::string("–") : absl::StrFormat("%.2f×", it->get<double>());
}

std::string ExtraText(const Record& r, const char* key) {
  auto it = r.extra.find(key);
  if (it == r.extra.end()) return "–";
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "NO";
  if (it->is_number_integer() || it->is_number_unsigned()) return Thousands(it->get<double>());
  if (it->is_number()) return absl::StrFormat("%.2f", it->get<double>());
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// "12.3 + 45.6" (server + client CPU µs per event), "– + 45.6" when the server's is unknown.
std::string Cpu(const Record& r) {
  const auto part = [&](const char* key) {
    auto it = r.extra.find(key);
    return it == r.extra.end() ? std::string("–") : absl::StrFormat("%.1f", it->get<double>());
  };
  std::string out =
      absl::StrCat(part("server_cpu_us_per_event"), " + ", part("client_cpu_us_per_event"));
  if (auto it = r.extra.find("server_busiest_thread_share"); it != r.extra.end()) {
    absl::StrAppend(&out, absl::StrFormat(" (busiest thread %.0f %%)", it->get<double>() * 100));
  }
  return out;
}

const Record* Find(const std::vector<Record>& records, const std::string& system,
                   const std::string& workload, int clients, int batch,
                   const std::string& method = "") {
  for (const Record& r : records) {
    if (r.system == system && r.workload == workload && r.clients == clients && r.batch == batch &&
        (method.empty() || r.method == method)) {
      return &r;
    }
  }
  return nullptr;
}

std::string Row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const auto& c : cells) absl::StrAppend(&out, " ", c, " |");
  return out + "\n";
}

std::string Rule(std::size_t columns) {
  std::string out = "|";
  for (std::size_t i = 0; i < columns; ++i) out += "---|";
  return out + "\n";
}

std::vector<const Record*> Of(const std::vector<Record>& records, const std::string& workload) {
  std::vector<const Record*> out;
  for (const Record& r : records) {
    if (r.workload == workload) out.push_back(&r);
  }
  return out;
}

}  // namespace

void Record::SetLatency(const LatencySummary& latency) {
  if (latency.count == 0) return;
  p50_ms = latency.p50_ms;
  p99_ms = latency.p99_ms;
  p999_ms = latency.p999_ms;
  max_ms = latency.max_ms;
}

nlohmann::json Record::ToJson() const {
  nlohmann::json j = {{"system", system},
                      {"workload", workload},
                      {"clients", clients},
                      {"batch", batch},
                      {"method", method},
                      {"events_per_s", events_per_s},
                      {"requests_per_s", OrNull(requests_per_s)},
                      {"p50_ms", OrNull(p50_ms)},
                      {"p99_ms", OrNull(p99_ms)},
                      {"p999_ms", OrNull(p999_ms)},
                      {"max_ms", OrNull(max_ms)},
                      {"seconds", seconds},
                      {"events", events},
                      {"rss_peak_bytes", OrNull(rss_peak_bytes)},
                      {"rss_bytes", OrNull(rss_bytes)},
                      {"disk_bytes_per_event", OrNull(disk_bytes_per_event)}};
  for (const auto& [key, value] : extra.items()) j[key] = value;
  return j;
}

void AddRatios(std::vector<Record>& records) {
  // Raw RocksDB's groups, smallest first.
  std::vector<const Record*> groups;
  for (const Record& r : records) {
    if (r.system == "rocksdb" && r.workload == "append") groups.push_back(&r);
  }
  std::sort(groups.begin(), groups.end(),
            [](const Record* a, const Record* b) { return a->batch < b->batch; });
  for (Record& r : records) {
    // Both wijkboek rows: unary Append and AppendStream.
    if (r.system.rfind("wijkboek", 0) != 0 || (r.workload != "append" && r.workload != "catchup"))
      continue;
    for (const char* peer : {"postgres", "redis"}) {
      const Record* p = Find(records, peer, r.workload, r.clients, r.batch);
      if (p && p->events_per_s > 0)
        r.extra[absl::StrCat("vs_", peer)] = r.events_per_s / p->events_per_s;
    }
    if (r.workload == "append" && !groups.empty()) {
      // The physical limit for this load: the largest raw group that is not larger than what
      // one wijkboek group can hold here (every client's request in it).
      const Record* limit = groups.front();
      for (const Record* g : groups) {
        if (g->batch <= r.clients * r.batch) limit = g;
      }
      if (limit->events_per_s > 0) {
        r.extra["vs_rocksdb_group"] = r.events_per_s / limit->events_per_s;
        r.extra["rocksdb_group"] = limit->batch;
      }
    }
    if (r.workload == "catchup") {
      const Record* raw = Find(records, "rocksdb", "catchup", 1, 0, "iterator");
      if (raw && raw->events_per_s > 0)
        r.extra["vs_rocksdb_iterator"] = r.events_per_s / raw->events_per_s;
    }
  }
}

std::string TableHeader() {
  return absl::StrFormat("%-15s %-8s %7s %5s %-12s %12s %10s %9s %9s %9s %9s  %s\n", "system",
                         "workload", "clients", "batch", "method", "events/s", "req/s", "p50 ms",
                         "p99 ms", "p99.9 ms", "RSS peak", "notes");
}

std::string TableLine(const Record& r) {
  std::string notes;
  for (const char* key : {"vs_postgres", "vs_redis", "vs_rocksdb_group", "vs_rocksdb_iterator"}) {
    if (r.extra.contains(key)) absl::StrAppend(&notes, key + 3, " ", Ratio(r, key), "  ");
  }
  for (const char* key :
       {"all_delivered", "deliveries", "server_cpu_us_per_delivery", "queries_per_s"}) {
    if (r.extra.contains(key)) absl::StrAppend(&notes, key, "=", ExtraText(r, key), "  ");
  }
  if (r.extra.contains("client_cpu_us_per_event")) {
    absl::StrAppend(&notes, "cpu µs/event ", Cpu(r), "  ");
  }
  if (r.disk_bytes_per_event) {
    absl::StrAppend(&notes, absl::StrFormat("disk %.0f B/event", *r.disk_bytes_per_event));
  }
  return absl::StrFormat("%-15s %-8s %7d %5d %-12s %12s %10s %9s %9s %9s %9s  %s\n", r.system,
                         r.workload, r.clients, r.batch, r.method, Thousands(r.events_per_s),
                         r.requests_per_s ? Thousands(*r.requests_per_s) : "–", Ms(r.p50_ms),
                         Ms(r.p99_ms), Ms(r.p999_ms), MiB(r.rss_peak_bytes), notes);
}

std::string Markdown(const std::vector<Record>& records) {
  std::string out;
  const auto disk = [](const Record* r) {
    return r->disk_bytes_per_event ? absl::StrFormat("%.0f", *r->disk_bytes_per_event) : "–";
  };
  if (auto appends = Of(records, "append"); !appends.empty()) {
    out +=
        "### append — events of ~300 bytes, each client to its own stream, exact expected "
        "revision, durable\n\n";
    const std::vector<std::string> head = {"clients",
                                           "batch",
                                           "system",
                                           "events/s",
                                           "requests/s",
                                           "p50 ms",
                                           "p99 ms",
                                           "p99.9 ms",
                                           "wijkboek ÷ postgres",
                                           "wijkboek ÷ redis",
                                           "wijkboek ÷ raw RocksDB",
                                           "CPU µs/event, server + client",
                                           "peak RSS",
                                           "disk B/event"};
    out += Row(head) + Rule(head.size());
    for (const Record* r : appends) {
      out += Row({std::to_string(r->clients), std::to_string(r->batch), r->system,
                  Thousands(r->events_per_s),
                  r->requests_per_s ? Thousands(*r->requests_per_s) : "–", Ms(r->p50_ms),
                  Ms(r->p99_ms), Ms(r->p999_ms), Ratio(*r, "vs_postgres"), Ratio(*r, "vs_redis"),
                  Ratio(*r, "vs_rocksdb_group"), Cpu(*r), MiB(r->rss_peak_bytes), disk(r)});
    }
    out += "\n";
  }
  if (auto fanout = Of(records, "fanout"); !fanout.empty()) {
    out +=
        "### fanout — live subscribers while writers append; delay from the append's "
        "acknowledgement to receipt\n\n";
    const std::vector<std::string> head = {"subscribers",
                                           "appended events/s",
                                           "deliveries",
                                           "every subscriber saw every event",
                                           "p50 ms",
                                           "p99 ms",
                                           "p99.9 ms",
                                           "max ms",
                                           "server CPU µs/delivery, appends included",
                                           "peak RSS"};
    out += Row(head) + Rule(head.size());
    for (const Record* r : fanout) {
      out +=
          Row({std::to_string(r->clients), Thousands(r->events_per_s), ExtraText(*r, "deliveries"),
               ExtraText(*r, "all_delivered"), Ms(r->p50_ms), Ms(r->p99_ms), Ms(r->p999_ms),
               Ms(r->max_ms), ExtraText(*r, "server_cpu_us_per_delivery"), MiB(r->rss_peak_bytes)});
    }
    out += "\n";
  }
  if (auto catchup = Of(records, "catchup"); !catchup.empty()) {
    out += "### catchup — read the whole log from position 1\n\n";
    const std::vector<std::string> head = {"system",           "method",
                                           "events",           "seconds",
                                           "events/s",         "wijkboek ÷ postgres",
                                           "wijkboek ÷ redis", "CPU µs/event, server + client",
                                           "peak RSS",         "disk B/event"};
    out += Row(head) + Rule(head.size());
    for (const Record* r : catchup) {
      out += Row({r->system, r->method, Thousands(static_cast<double>(r->events)),
                  absl::StrFormat("%.2f", r->seconds), Thousands(r->events_per_s),
                  Ratio(*r, "vs_postgres"), Ratio(*r, "vs_redis"), Cpu(*r), MiB(r->rss_peak_bytes),
                  disk(r)});
    }
    out += "\n";
  }
  if (auto views = Of(records, "views"); !views.empty()) {
    out += "### views — view queries while writers append\n\n";
    const std::vector<std::string> head = {
        "query clients", "writers",  "queries/s",         "p50 ms",
        "p99 ms",        "p99.9 ms", "appended events/s", "peak RSS"};
    out += Row(head) + Rule(head.size());
    for (const Record* r : views) {
      out += Row({std::to_string(r->clients), ExtraText(*r, "writers"),
                  ExtraText(*r, "queries_per_s"), Ms(r->p50_ms), Ms(r->p99_ms), Ms(r->p999_ms),
                  Thousands(r->events_per_s), MiB(r->rss_peak_bytes)});
    }
    out += "\n";
  }
  if (auto memory = Of(records, "memory"); !memory.empty()) {
    out += "### memory — wijkboekd's RSS with a large log (filled by 32 clients × 100 events)\n\n";
    const std::vector<std::string> head = {
        "events stored", "fill events/s",   "RSS fresh",          "peak RSS while filling",
        "steady-state RSS (median)", "steady-state min–max", "GetAction of the largest action",
        "peak RSS with queries", "RSS after queries", "disk B/event"};
    out += Row(head) + Rule(head.size());
    const auto mib = [](const Record& r, const char* key) -> std::string {
      auto it = r.extra.find(key);
      if (it == r.extra.end() || !it->is_number()) return "–";
      return MiB(it->get<std::uint64_t>());
    };
    for (const Record* r : memory) {
      std::string get_action = "–";
      if (auto s = r->extra.find("get_action_seconds"), b = r->extra.find("get_action_bytes");
          s != r->extra.end() && b != r->extra.end()) {
        get_action = absl::StrFormat("%.2f s, %.1f MB", s->get<double>(), b->get<double>() / 1e6);
      }
      out += Row({ExtraText(*r, "events_stored"), Thousands(r->events_per_s),
                  mib(*r, "rss_fresh_bytes"), MiB(r->rss_peak_bytes), MiB(r->rss_bytes),
                  mib(*r, "rss_min_bytes") + "–" + mib(*r, "rss_max_bytes"), get_action,
                  mib(*r, "rss_peak_with_queries_bytes"), mib(*r, "rss_after_queries_bytes"),
                  r->disk_bytes_per_event ? absl::StrFormat("%.0f", *r->disk_bytes_per_event)
                                          : std::string("–")});
    }
    out += "\n";
  }
  return out;
}

}  // namespace bench
