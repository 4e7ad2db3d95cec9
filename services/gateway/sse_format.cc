#include "services/gateway/sse_format.h"

#include <google/protobuf/util/json_util.h>

#include <charconv>

#include "absl/strings/str_cat.h"

namespace gateway {

std::string EventJson(const wijkboek::v1::Event& event) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = false;
  options.add_whitespace = false;
  std::string out;
  // Printing a message we built ourselves only fails on invalid UTF-8, which the store refuses
  // on append; an empty object keeps the frame valid if it ever happens.
  if (!google::protobuf::util::MessageToJsonString(event, &out, options).ok()) out = "{}";
  return out;
}

std::string SseEventFrame(std::uint64_t position, std::string_view event_name,
                          std::string_view data) {
  std::string out;
  AppendSseEvent(&out, position, event_name, data);
  return out;
}

void AppendSseEvent(std::string* out, std::uint64_t position, std::string_view event_name,
                    std::string_view data) {
  absl::StrAppend(out, "id: ", position, "\n");
  if (!event_name.empty()) absl::StrAppend(out, "event: ", std::string(event_name), "\n");
  std::size_t start = 0;
  while (true) {
    std::size_t end = data.find_first_of("\r\n", start);
    std::string_view line = data.substr(start, end == std::string_view::npos ? end : end - start);
    out->append("data: ");
    out->append(line);
    out->push_back('\n');
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out->push_back('\n');
}

std::string SseComment(std::string_view text) {
  return absl::StrCat(": ", std::string(text), "\n\n");
}

std::string SseCheckpoint(std::uint64_t position) { return absl::StrCat("id: ", position, "\n\n"); }

std::string SseRetry(std::uint64_t milliseconds) {
  return absl::StrCat("retry: ", milliseconds, "\n\n");
}

std::optional<std::uint64_t> ParseLastEventId(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  std::uint64_t out = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
    return std::nullopt;
  }
  return out;
}

void SseParser::Feed(std::string_view bytes, std::vector<SseMessage>* out) {
  if (skip_lf_ && !bytes.empty() && bytes.front() == '\n') bytes.remove_prefix(1);
  skip_lf_ = false;
  pending_.append(bytes);
  std::size_t start = 0;
  while (true) {
    std::size_t end = pending_.find_first_of("\r\n", start);
    if (end == std::string::npos) break;
    Line(std::string_view(pending_).substr(start, end - start), out);
    start = end + 1;
    if (pending_[end] == '\r') {
      if (start < pending_.size()) {
        if (pending_[start] == '\n') ++start;
      } else {
        skip_lf_ = true;
      }
    }
  }
  pending_.erase(0, start);
}

void SseParser::Line(std::string_view line, std::vector<SseMessage>* out) {
  if (line.empty()) {
    // Dispatch. A block with only an id moves last_id_ but yields no event (as in browsers);
    // a comment-only block is reported for tests.
    if (data_seen_ || !current_.comment.empty()) {
      current_.id = last_id_;
      out->push_back(std::move(current_));
    }
    current_ = SseMessage{};
    data_seen_ = false;
    return;
  }
  std::string_view field = line;
  std::string_view value;
  if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field.empty()) {
    if (!data_seen_) current_.comment = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_ = std::string(value);
    current_.has_id = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  } else if (field == "data") {
    if (data_seen_) current_.data.push_back('\n');
    current_.data.append(value);
    current_.comment.clear();
    data_seen_ = true;
  }
}

absl::StatusOr<LiveRequest> ParseLiveRequest(const QueryParams& params,
                                             std::string_view last_event_id) {
  LiveRequest r;
  if (!last_event_id.empty()) {
    r.resume_after = ParseLastEventId(last_event_id);
    if (!r.resume_after) {
      return absl::InvalidArgumentError(
          "Last-Event-ID: not a log position (the feed's ids are positions)");
    }
  }
  if (auto from = params.Get("from"); from && !from->empty()) {
    r.from = ParseLastEventId(*from);
    if (!r.from) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter from: '", from->substr(0, 40),
                       "' is not a log position (1 = everything, 0 = only new events)"));
    }
  }
  r.filter.types = params.GetList("types");
  r.filter.stream_prefixes = params.GetList("stream_prefix");
  if (auto named = params.Get("named")) {
    r.named = named->empty() || *named == "1" || *named == "true";
  }
  return r;
}

std::uint64_t FirstPosition(const LiveRequest& request, std::uint64_t head) {
  if (request.resume_after) {
    return *request.resume_after == UINT64_MAX ? UINT64_MAX : *request.resume_after + 1;
  }
  if (request.from && *request.from != 0) return *request.from;
  return head + 1;
}

bool SseFilter::Matches(std::string_view stream, std::string_view type) const {
  bool stream_ok = stream_prefixes.empty();
  for (const auto& p : stream_prefixes) {
    if (stream.substr(0, p.size()) == p) stream_ok = true;
  }
  if (!stream_ok) return false;
  if (types.empty()) return true;
  for (const auto& t : types) {
    if (type == t) return true;
  }
  return false;
}

}  // namespace gateway
