#pragma once
// Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html),
// both directions: the frames the live feed writes and an incremental parser for clients written
// in C++ (the tests and sse-bench).
//
// Framing choices:
// - Every event carries `id: <position>`, so a browser's EventSource sends the last position it
//   saw as Last-Event-ID when it reconnects, and the feed resumes right after it.
// - No `event:` field by default: then EventSource's onmessage sees every event (a named event
//   only reaches addEventListener(name)). The type is in the JSON (`"type":"ResultRecorded"`).
//   A client that prefers named events asks for ?named=1.
// - A filtered feed sends checkpoints, `id: <position>` with no data: the browser updates its
//   last event id without dispatching anything, so a reconnect skips what was examined already.
//
// Pure apart from protobuf's JSON printer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/gateway/url.h"
#include "wijkboek/v1/eventlog.pb.h"

namespace gateway {

// The event as JSON on one line, with the proto field names (snake_case) like the CLI prints it.
std::string EventJson(const wijkboek::v1::Event& event);

// "id: <position>\n[event: <name>\n]data: <line>\n...\n\n". `data` is split at line breaks so
// every line gets its own "data:" (JSON from EventJson has none, but the framing must not depend
// on that). `event_name` empty: no event field.
std::string SseEventFrame(std::uint64_t position, std::string_view event_name,
                          std::string_view data);
// The same, appended to `out` (the live feed batches many frames into one write).
void AppendSseEvent(std::string* out, std::uint64_t position, std::string_view event_name,
                    std::string_view data);
// ": <text>\n\n" — ignored by clients; keeps proxies from timing the connection out.
std::string SseComment(std::string_view text);
// "id: <position>\n\n" — moves the client's last event id without an event.
std::string SseCheckpoint(std::uint64_t position);
// "retry: <ms>\n\n" — how long a browser waits before it reconnects.
std::string SseRetry(std::uint64_t milliseconds);

// The position in a Last-Event-ID header; nullopt when empty or not a number.
std::optional<std::uint64_t> ParseLastEventId(std::string_view value);

// One dispatched message as a client sees it (comments are reported too, for tests).
struct SseMessage {
  std::string id;       // the last event id after this message ("" if none was ever set)
  bool has_id = false;  // this message itself carried an id field
  std::string event;    // the event type ("" = "message")
  std::string data;     // lines joined with '\n'
  std::string comment;  // for a comment-only block: its text; data and event are empty
};

// Incremental parser: feed bytes as they arrive, take the messages that completed.
class SseParser {
 public:
  // Appends the messages completed by `bytes` to `out`.
  void Feed(std::string_view bytes, std::vector<SseMessage>* out);

 private:
  void Line(std::string_view line, std::vector<SseMessage>* out);

  std::string pending_;   // bytes after the last line break
  bool skip_lf_ = false;  // the last chunk ended in '\r'; a leading '\n' belongs to it
  std::string last_id_;
  SseMessage current_;
  bool data_seen_ = false;
};

// Which events a feed sends: stream prefixes (any) and event types (any); empty = all.
struct SseFilter {
  std::vector<std::string> stream_prefixes;
  std::vector<std::string> types;
  bool empty() const { return stream_prefixes.empty() && types.empty(); }
  bool Matches(std::string_view stream, std::string_view type) const;
};

// What a live-feed request asks for.
struct LiveRequest {
  // Last-Event-ID: resume right after this position (wins over `from`, because a reconnecting
  // EventSource repeats the original URL).
  std::optional<std::uint64_t> resume_after;
  // ?from=: 1 = the whole log, N = from position N, 0 = only new events (also the default).
  std::optional<std::uint64_t> from;
  SseFilter filter;    // ?types=A,B and ?stream_prefix=x,y (repeatable)
  bool named = false;  // ?named=1: add `event: <type>` to every event
};
// INVALID_ARGUMENT when from= or Last-Event-ID is not a number.
[[nodiscard]] absl::StatusOr<LiveRequest> ParseLiveRequest(const QueryParams& params,
                                                           std::string_view last_event_id);
// The first position a feed sends for `request` when the log's head is `head`.
std::uint64_t FirstPosition(const LiveRequest& request, std::uint64_t head);

}  // namespace gateway
