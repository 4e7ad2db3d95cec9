#pragma once
// The event every system in the benchmark stores: a ResultRecorded of about 300 bytes, exactly the
// same payload bytes for wijkboek (inside the gRPC request), PostgreSQL (a bytea), Redis (a stream
// field) and raw RocksDB (inside the stored envelope), so that no system is handed smaller data.
//
// Client i appends to its own stream, action-bench-c<i>; the payload names that action, which is
// why the bytes depend on the client index (but never on the system or the run).
//
// Threads: the functions are pure; an EventIdSource belongs to one client thread.
#include <cstdint>
#include <string>

#include "wijkboek/v1/events.pb.h"

namespace bench {

inline constexpr char kEventType[] = "ResultRecorded";

// The action (and so the stream) client `index` appends to: "bench-c<index>".
std::string ActionId(int index);
// "action-" + ActionId(index): the stream name, the same in every system.
std::string StreamName(int index);

// The payload client `index` appends, as a message and as its serialised bytes.
wijkboek::v1::Payload ResultPayload(int index);
std::string ResultPayloadBytes(int index);

// Fresh event ids (UUID text, version 4 layout) without a system call per id: a random 64-bit
// prefix per source, then a counter. Two sources never collide in practice (64 random bits).
class EventIdSource {
 public:
  EventIdSource();
  std::string Next();

 private:
  std::uint64_t high_;
  std::uint64_t counter_ = 0;
};

}  // namespace bench
