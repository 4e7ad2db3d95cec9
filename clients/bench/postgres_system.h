#pragma once
// PostgreSQL as a benchmarked system: the event table a municipality would build for this, spoken
// to with libpq over loopback, one connection per client.
//
//   CREATE TABLE events (
//     position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- the global order
//     stream      text NOT NULL,
//     revision    bigint NOT NULL,
//     event_id    uuid NOT NULL UNIQUE,                              -- idempotency key
//     type        text NOT NULL,
//     payload     bytea NOT NULL,
//     recorded_at timestamptz NOT NULL DEFAULT now(),
//     UNIQUE (stream, revision))                                     -- optimistic concurrency
//
// An append of B events is one prepared multi-row INSERT in its own transaction (autocommit),
// with the revisions the client expects: a concurrent writer to the same stream makes it fail
// with unique_violation, the equivalent of wijkboek's ABORTED. The server runs with its default
// durability (fsync on, synchronous_commit on): COMMIT returns after the WAL was flushed. What it
// does not do that wijkboek does: a gapless global order (identity values may skip and commit out
// of order), a hash chain, rules on write.
//
// The catch-up read is keyset pagination: SELECT ... WHERE position > $last ORDER BY position
// LIMIT page, binary results.
//
// The server itself is started by clients/bench/run (a temp data dir, loopback port); this class
// only connects (`conninfo`, a libpq connection string).
#include <sys/types.h>

#include <string>

#include "clients/bench/system.h"

namespace bench {

class PostgresSystem final : public System {
 public:
  PostgresSystem(std::string conninfo, int page) : conninfo_(std::move(conninfo)), page_(page) {}

  std::string name() const override { return "postgres"; }
  absl::Status Reset() override;
  absl::StatusOr<std::unique_ptr<LoadClient>> NewAppendClient(int index, int batch) override;
  std::vector<CatchupMethod> CatchupMethods() override;
  void EndWorkload(Record& record) override;
  // The postmaster and its live backends and workers (found through postmaster.pid in the data
  // directory).
  std::optional<double> ServerCpuSeconds() override;

 private:
  std::string conninfo_;
  int page_;
  pid_t postmaster_ = 0;  // learned by Reset

  absl::StatusOr<CatchupCount> ReadAll() const;
};

}  // namespace bench
