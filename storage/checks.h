#pragma once
// Private to storage/: the pure decisions about one append request, kept apart from the writer so
// they can be read (and changed) without the threading around them.
#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storage/event_store.h"

namespace storage::checks {

// Largest event (payload plus strings) the store accepts; protobuf cannot serialise 2 GiB.
inline constexpr std::size_t kMaxEventBytes = std::size_t{1} << 30;

// Checks the request's shape and sorts each event's metadata by key. INVALID_ARGUMENT naming the
// field when: stream empty or containing NUL, no events, an empty event_id or type, an id twice,
// a metadata key twice, a string that is not UTF-8 (protobuf refuses to parse those back), or
// an event over kMaxEventBytes. Needs no state, so it runs on the caller's thread.
[[nodiscard]] absl::Status ValidateAndNormalize(AppendRequest& request);

bool IsValidUtf8(absl::string_view text);

// ABORTED naming the actual revision when `current` (the stream's last revision, nullopt if the
// stream has no events) does not satisfy `expected`.
[[nodiscard]] absl::Status CheckExpectedRevision(const std::string& stream,
                                                 const ExpectedRevision& expected,
                                                 std::optional<Revision> current);

// True when `stored` is what appending `proposed` to `stream` would have stored, as far as the
// caller controls it (stream, event id, type, payload, metadata). Metadata must be normalised.
bool SameContent(const std::string& stream, const NewEvent& proposed, const StoredEvent& stored);

// A rough size of the request, for bounding a group's bytes.
std::size_t ApproximateBytes(const AppendRequest& request);

}  // namespace storage::checks
