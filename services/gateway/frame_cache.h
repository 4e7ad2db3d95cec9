#pragma once
// The live feed's JSON of recent events, shared by every feed. Two hundred browsers following the
// log would otherwise print the same event to JSON two hundred times; an event at a position
// never changes, so the first feed that needs it prints it and the others reuse the text.
//
// A fixed ring indexed by position (slots = kSlots): a hit needs the exact position, a miss just
// prints again. Threads: any; one mutex held only to copy a shared_ptr.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "wijkboek/v1/eventlog.pb.h"

namespace gateway {

struct EventFrame {
  std::uint64_t position = 0;
  std::string stream;
  std::string type;
  std::string json;  // EventJson of the event
};

class FrameCache {
 public:
  static constexpr std::size_t kSlots = 8192;

  FrameCache() : slots_(kSlots) {}

  // The cached frame for `event.position()`, printing and caching it on a miss.
  std::shared_ptr<const EventFrame> Get(const wijkboek::v1::Event& event);
  // Only the cached frame, or null; lets a catch-up skip parsing the stored payload.
  std::shared_ptr<const EventFrame> Find(std::uint64_t position);

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<const EventFrame>> slots_;  // guarded by mu_
};

}  // namespace gateway
