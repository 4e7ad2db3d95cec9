#pragma once
// Publishes signed heads: signs the log's head when the publisher starts, then every `interval`
// when the head has moved, and once more when it stops, and appends each one as a line of JSON to
// a file (wijkboekd: <data-dir>/signed-heads.jsonl). An operator hands these to auditors, or
// copies the file somewhere the server cannot rewrite: a head kept outside the server is what
// catches a rewrite of the whole chain.
//
// Ownership: the owner keeps the signer alive until Stop() returned. Threads: Start and Stop from
// the owning thread; the publisher signs on a thread of its own.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/audit/head_signer.h"

namespace audit {

inline constexpr char kSignedHeadsFile[] = "signed-heads.jsonl";

struct Head {
  std::uint64_t position = 0;  // 0 for an empty log
  std::string hash;            // 32 bytes: the hash of the event at `position` (zero when empty)
};
// The current head; called on the publisher's thread.
using HeadSource = std::function<absl::StatusOr<Head>()>;

class HeadPublisher {
 public:
  HeadPublisher(const HeadSigner* signer, HeadSource source, std::string path,
                std::chrono::milliseconds interval);
  ~HeadPublisher();  // Stop()
  HeadPublisher(const HeadPublisher&) = delete;
  HeadPublisher& operator=(const HeadPublisher&) = delete;

  // Publishes the current head (unless the log is empty), then starts the periodic thread.
  // The error of that first publication is returned (the thread starts anyway).
  [[nodiscard]] absl::Status Start();
  // Ends the thread and publishes a last head if it moved. Idempotent.
  void Stop();

  // Signs and appends the head when its position differs from the last one published.
  // Errors: the head source's, the signer's, or INTERNAL when the file cannot be written.
  [[nodiscard]] absl::Status PublishIfMoved();

 private:
  void Run();

  const HeadSigner* signer_;
  const HeadSource source_;
  const std::string path_;
  const std::chrono::milliseconds interval_;

  absl::Mutex publish_mu_;  // serialises PublishIfMoved (the thread and Stop)
  bool published_any_ ABSL_GUARDED_BY(publish_mu_) = false;
  std::uint64_t last_position_ ABSL_GUARDED_BY(publish_mu_) = 0;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // only Start and Stop touch it
};

}  // namespace audit
