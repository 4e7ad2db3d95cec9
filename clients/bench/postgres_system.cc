#include "clients/bench/postgres_system.h"

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <cstring>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "clients/bench/child_process.h"
#include "clients/bench/event_bytes.h"
#include "clients/bench/process_stats.h"

namespace bench {
namespace {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Result = std::unique_ptr<PGresult, ResultClearer>;

constexpr char kSchema[] =
    "DROP TABLE IF EXISTS events;"
    "CREATE TABLE events ("
    "  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  stream text NOT NULL,"
    "  revision bigint NOT NULL,"
    "  event_id uuid NOT NULL UNIQUE,"
    "  type text NOT NULL,"
    "  payload bytea NOT NULL,"
    "  recorded_at timestamptz NOT NULL DEFAULT now(),"
    "  UNIQUE (stream, revision));"
    "CHECKPOINT;";

absl::StatusOr<Conn> Connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat(
        "postgres (", conninfo, "): ", conn ? PQerrorMessage(conn.get()) : "out of memory",
        "; clients/bench/run starts one"));
  }
  return conn;
}

// OK for a command or a query that worked; else the server's message, ABORTED for a unique
// violation (another writer took the revision: the optimistic-concurrency refusal).
absl::Status Check(PGconn* conn, PGresult* result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return absl::OkStatus();
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message =
      absl::StrCat("postgres ", std::string(what), ": ",
                   result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  if (state != nullptr && std::strcmp(state, "23505") == 0) return absl::AbortedError(message);
  return absl::InternalError(message);
}

absl::Status Exec(PGconn* conn, const char* sql) {
  Result result(PQexec(conn, sql));
  return Check(conn, result.get(), sql);
}

std::uint64_t Int8(const PGresult* r, int row, int column) {
  std::uint64_t v = 0;
  std::memcpy(&v, PQgetvalue(r, row, column), sizeof v);
  return be64toh(v);
}

class PostgresAppendClient final : public LoadClient {
 public:
  PostgresAppendClient(Conn conn, int index, int batch)
      : conn_(std::move(conn)),
        stream_(StreamName(index)),
        payload_(ResultPayloadBytes(index)),
        batch_(batch) {}

  absl::Status Prepare() {
    std::string sql = "INSERT INTO events (stream, revision, event_id, type, payload) VALUES ";
    for (int i = 0; i < batch_; ++i) {
      const int p = 5 * i;
      absl::StrAppend(&sql, i ? "," : "", "($", p + 1, ",$", p + 2, ",$", p + 3, ",$", p + 4, ",$",
                      p + 5, ")");
    }
    Result result(PQprepare(conn_.get(), "append", sql.c_str(), 5 * batch_, nullptr));
    if (absl::Status s = Check(conn_.get(), result.get(), "PREPARE"); !s.ok()) return s;
    ids_.resize(batch_);
    revisions_.resize(batch_);
    for (int i = 0; i < batch_; ++i) {
      values_.insert(values_.end(),
                     {stream_.c_str(), nullptr, nullptr, kEventType, payload_.data()});
      lengths_.insert(lengths_.end(), {0, 0, 0, 0, static_cast<int>(payload_.size())});
      formats_.insert(formats_.end(), {0, 0, 0, 0, 1});  // the payload goes as binary bytea
    }
    return absl::OkStatus();
  }

  absl::Status RunOnce() override {
    for (int i = 0; i < batch_; ++i) {
      ids_[i] = ids_source_.Next();
      revisions_[i] = std::to_string(next_revision_ + i);
      values_[5 * i + 1] = revisions_[i].c_str();
      values_[5 * i + 2] = ids_[i].c_str();
    }
    Result result(PQexecPrepared(conn_.get(), "append", 5 * batch_, values_.data(), lengths_.data(),
                                 formats_.data(), 0));
    if (absl::Status s = Check(conn_.get(), result.get(), stream_); !s.ok()) return s;
    next_revision_ += batch_;
    return absl::OkStatus();
  }

 private:
  Conn conn_;
  const std::string stream_;
  const std::string payload_;
  const int batch_;
  EventIdSource ids_source_;
  std::uint64_t next_revision_ = 0;
  std::vector<std::string> ids_;
  std::vector<std::string> revisions_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace

absl::Status PostgresSystem::Reset() {
  auto conn = Connect(conninfo_);
  if (!conn.ok()) return conn.status();
  // The first line of postmaster.pid is the server's pid, for its CPU figures.
  Result dir(PQexec(conn->get(), "SHOW data_directory"));
  if (Check(conn->get(), dir.get(), "SHOW data_directory").ok() && PQntuples(dir.get()) == 1) {
    long pid = 0;
    std::istringstream(
        child_process::ReadFile(std::string(PQgetvalue(dir.get(), 0, 0)) + "/postmaster.pid")) >>
        pid;
    postmaster_ = static_cast<pid_t>(pid);
  }
  return Exec(conn->get(), kSchema);
}

std::optional<double> PostgresSystem::ServerCpuSeconds() {
  if (postmaster_ <= 0) return std::nullopt;
  return CpuSecondsWithLiveChildren(postmaster_);
}

absl::StatusOr<std::unique_ptr<LoadClient>> PostgresSystem::NewAppendClient(int index, int batch) {
  auto conn = Connect(conninfo_);
  if (!conn.ok()) return conn.status();
  auto client = std::make_unique<PostgresAppendClient>(*std::move(conn), index, batch);
  if (absl::Status s = client->Prepare(); !s.ok()) return s;
  return client;
}

std::vector<CatchupMethod> PostgresSystem::CatchupMethods() {
  return {{absl::StrCat("SELECT pages of ", page_), [this] { return ReadAll(); }}};
}

absl::StatusOr<CatchupCount> PostgresSystem::ReadAll() const {
  auto conn = Connect(conninfo_);
  if (!conn.ok()) return conn.status();
  PGconn* c = conn->get();
  Result prepared(PQprepare(
      c, "page",
      "SELECT position, stream, revision, event_id, type, payload, recorded_at FROM events "
      "WHERE position > $1 ORDER BY position LIMIT $2",
      2, nullptr));
  if (absl::Status s = Check(c, prepared.get(), "PREPARE page"); !s.ok()) return s;

  const pid_t backend = PQbackendPID(c);  // the server process that serves this read
  const std::optional<double> backend_cpu = CpuSeconds(backend);
  const Clock::time_point start = Clock::now();
  std::uint64_t n = 0;
  std::uint64_t last = 0;
  std::uint64_t payload_bytes = 0;  // touched, so the rows are really read
  const std::string page = std::to_string(page_);
  while (true) {
    const std::string after = std::to_string(last);
    const char* values[2] = {after.c_str(), page.c_str()};
    Result rows(PQexecPrepared(c, "page", 2, values, nullptr, nullptr, /*binary results*/ 1));
    if (absl::Status s = Check(c, rows.get(), "SELECT page"); !s.ok()) return s;
    const int count = PQntuples(rows.get());
    for (int row = 0; row < count; ++row) {
      const std::uint64_t position = Int8(rows.get(), row, 0);
      if (position <= last) {
        return absl::DataLossError(absl::StrCat("postgres: position ", position, " after ", last));
      }
      last = position;
      payload_bytes += PQgetlength(rows.get(), row, 5);
    }
    n += count;
    if (count < page_) break;
  }
  if (n > 0 && payload_bytes == 0) return absl::DataLossError("postgres: events without payload");
  CatchupCount count{n, Seconds(Clock::now() - start), std::nullopt};
  if (auto end = CpuSeconds(backend); backend_cpu && end) {
    count.server_cpu_seconds = *end - *backend_cpu;
  }
  return count;
}

void PostgresSystem::EndWorkload(Record& record) {
  auto conn = Connect(conninfo_);
  if (!conn.ok()) return;
  Result r(PQexec(conn->get(), "SELECT pg_total_relation_size('events'), count(*) FROM events"));
  if (!Check(conn->get(), r.get(), "size").ok() || PQntuples(r.get()) != 1) return;
  const double bytes = std::stod(PQgetvalue(r.get(), 0, 0));
  const double events = std::stod(PQgetvalue(r.get(), 0, 1));
  if (events > 0) record.disk_bytes_per_event = bytes / events;
  record.extra["events_stored"] = static_cast<std::uint64_t>(events);
}

}  // namespace bench
