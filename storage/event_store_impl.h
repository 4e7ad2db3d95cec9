#pragma once
// Private to storage/: what an EventStore holds, shared by event_store.cc and log_checkpoint.cc.
#include <memory>

#include "storage/event_store.h"
#include "storage/group_writer.h"
#include "storage/log_db.h"

namespace storage {

struct EventStore::Impl {
  // Declared before the writer, so the writer (which uses the database until it is joined) is
  // destroyed first: the queue drains, then RocksDB closes.
  std::unique_ptr<LogDb> db;
  std::unique_ptr<GroupWriter> writer;
};

}  // namespace storage
