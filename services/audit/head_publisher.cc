#include "services/audit/head_publisher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/audit/signed_head.h"

namespace audit {
namespace {

// Appends one line and syncs it: a head handed to an auditor must not vanish in a crash.
absl::Status AppendLine(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  const std::string text = line + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok) {
    return absl::InternalError(absl::StrCat("cannot append to ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace

HeadPublisher::HeadPublisher(const HeadSigner* signer, HeadSource source, std::string path,
                             std::chrono::milliseconds interval)
    : signer_(signer), source_(std::move(source)), path_(std::move(path)), interval_(interval) {}

HeadPublisher::~HeadPublisher() { Stop(); }

absl::Status HeadPublisher::Start() {
  absl::Status first = PublishIfMoved();
  thread_ = std::thread([this] { Run(); });
  return first;
}

void HeadPublisher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) {
    thread_.join();
    if (absl::Status s = PublishIfMoved(); !s.ok()) {
      std::cerr << "wijkboekd: publishing the last signed head: " << s.message() << std::endl;
    }
  }
}

absl::Status HeadPublisher::PublishIfMoved() {
  absl::MutexLock lock(&publish_mu_);
  absl::StatusOr<Head> head = source_();
  if (!head.ok()) return head.status();
  // An empty log has nothing worth attesting; an unmoved head was attested already.
  if (head->position == 0 || (published_any_ && head->position == last_position_)) {
    return absl::OkStatus();
  }
  absl::StatusOr<wijkboek::v1::SignedHead> signed_head =
      signer_->Sign(head->position, head->hash, absl::ToUnixMicros(absl::Now()));
  if (!signed_head.ok()) return signed_head.status();
  if (absl::Status s = AppendLine(path_, SignedHeadJson(*signed_head)); !s.ok()) return s;
  published_any_ = true;
  last_position_ = head->position;
  return absl::OkStatus();
}

void HeadPublisher::Run() {
  const absl::Duration interval = absl::FromChrono(interval_);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      // Wakes early when Stop() sets the flag.
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval);
      if (stopping_) return;
    }
    if (absl::Status s = PublishIfMoved(); !s.ok()) {
      std::cerr << "wijkboekd: publishing a signed head: " << s.message() << std::endl;
    }
  }
}

}  // namespace audit
