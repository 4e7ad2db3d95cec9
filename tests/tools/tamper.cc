// wijkboek-tamper: damages a closed wijkboek log directly in RocksDB, the way a person with access
// to the disk could, so that tests can prove verification finds it. Never use it on real data.
//
//   wijkboek-tamper LOG_DIR flip POSITION [payload|envelope|hash]
//       changes one byte of the event stored at POSITION: the case of a letter in the payload's
//       longest text (default), of a letter of recorded_by in the envelope, or one bit of the
//       stored hash. The envelope still parses, so the server still starts and reads it.
//   wijkboek-tamper LOG_DIR swap POSITION OTHER
//       exchanges the stored events of two positions.
//   wijkboek-tamper LOG_DIR rewrite POSITION
//       changes the payload of POSITION as flip does and then rehashes the chain from there to the
//       head, meta's head hash included: the log is consistent with itself again, and only a head
//       signed before the rewrite can tell.
//
// LOG_DIR is <data-dir>/log; the server must not be running. Exit status: 0 done, 1 failed,
// 2 usage.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cctype>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/event_store.h"
#include "wijkboek/v1/envelope.pb.h"
#include "wijkboek/v1/events.pb.h"

namespace {

constexpr std::size_t kHashSize = 32;

[[noreturn]] void Die(const std::string& message, int code = 1) {
  std::cerr << "wijkboek-tamper: " << message << std::endl;
  std::exit(code);
}

std::string Key(std::uint64_t position) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, position >>= 8) key[i] = static_cast<char>(position & 0xff);
  return key;
}

std::uint64_t ParsePosition(const std::string& text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value == 0) Die("not a position: " + text, 2);
  return value;
}

// The log's RocksDB with every column family, opened for writing.
class Log {
 public:
  explicit Log(const std::string& path) {
    std::vector<std::string> names;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
    if (!s.ok()) Die("no wijkboek log at " + path + ": " + s.ToString());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db);
    if (!s.ok()) Die("cannot open " + path + " (is the server still running?): " + s.ToString());
    db_.reset(db);
    for (std::size_t i = 0; i < names.size(); ++i) cf_[names[i]] = handles[i];
  }
  ~Log() {
    for (auto& [name, handle] : cf_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }

  std::string Event(std::uint64_t position) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_.at("events"), Key(position), &value);
    if (!s.ok()) Die("no event at position " + std::to_string(position) + ": " + s.ToString());
    return value;
  }
  std::uint64_t Head() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_.at("events")));
    it->SeekToLast();
    if (!it->Valid()) Die("the log is empty");
    std::uint64_t position = 0;
    for (char c : it->key().ToString()) position = (position << 8) | static_cast<std::uint8_t>(c);
    return position;
  }
  rocksdb::ColumnFamilyHandle* cf(const std::string& name) { return cf_.at(name); }
  void Write(rocksdb::WriteBatch* batch) {
    rocksdb::WriteOptions options;
    options.sync = true;
    rocksdb::Status s = db_->Write(options, batch);
    if (!s.ok()) Die("writing: " + s.ToString());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cf_;
};

wijkboek::v1::RecordedEnvelope ParseEnvelope(const std::string& value, std::uint64_t position) {
  wijkboek::v1::RecordedEnvelope envelope;
  if (value.size() < kHashSize || !envelope.ParseFromString(value.substr(kHashSize))) {
    Die("the event at position " + std::to_string(position) + " does not parse");
  }
  return envelope;
}

// The longest text field of the payload's event: flipping a letter in it keeps the bytes a valid
// payload (same length, still UTF-8), so the server still reads the event.
std::string LongestText(const std::string& payload_bytes) {
  wijkboek::v1::Payload payload;
  if (!payload.ParseFromString(payload_bytes)) Die("the payload does not parse");
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  payload.GetReflection()->ListFields(payload, &fields);
  if (fields.size() != 1) Die("the payload holds no event");
  const google::protobuf::Message& event = payload.GetReflection()->GetMessage(payload, fields[0]);
  std::vector<const google::protobuf::FieldDescriptor*> event_fields;
  event.GetReflection()->ListFields(event, &event_fields);
  std::string longest;
  for (const google::protobuf::FieldDescriptor* field : event_fields) {
    if (field->type() != google::protobuf::FieldDescriptor::TYPE_STRING || field->is_repeated()) {
      continue;
    }
    std::string text = event.GetReflection()->GetString(event, field);
    if (text.size() > longest.size()) longest = std::move(text);
  }
  return longest;
}

// Flips the case of the first letter of `text` where it stands in `bytes` at or after `from`.
std::size_t FlipLetterOf(std::string& bytes, const std::string& text, std::size_t from) {
  const std::size_t at = bytes.find(text, from);
  if (text.empty() || at == std::string::npos) Die("found no text to change");
  for (std::size_t i = at; i < at + text.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(bytes[i]))) {
      bytes[i] ^= 0x20;
      return i;
    }
  }
  Die("the text \"" + text + "\" has no letter to change");
}

void Flip(Log& log, std::uint64_t position, const std::string& region) {
  std::string value = log.Event(position);
  const wijkboek::v1::RecordedEnvelope envelope = ParseEnvelope(value, position);
  std::size_t at = 0;
  if (region == "hash") {
    at = 0;
    value[0] ^= 0x01;
  } else if (region == "payload") {
    const std::size_t payload_at = value.find(envelope.payload(), kHashSize);
    at = FlipLetterOf(value, LongestText(envelope.payload()), payload_at);
  } else if (region == "envelope") {
    // recorded_by is field 7 (tag 0x3a), length-delimited; short, so its length is one byte.
    if (envelope.recorded_by().empty() || envelope.recorded_by().size() > 127) {
      Die("recorded_by cannot be found");
    }
    std::string field = std::string("\x3a") + static_cast<char>(envelope.recorded_by().size()) +
                        envelope.recorded_by();
    at = FlipLetterOf(value, field.substr(2), value.find(field, kHashSize));
  } else {
    Die("unknown region " + region + ": want payload, envelope or hash", 2);
  }
  rocksdb::WriteBatch batch;
  batch.Put(log.cf("events"), Key(position), value);
  log.Write(&batch);
  std::cout << "position " << position << ": changed byte " << at << " of the stored value ("
            << region << ")" << std::endl;
}

void Swap(Log& log, std::uint64_t a, std::uint64_t b) {
  rocksdb::WriteBatch batch;
  batch.Put(log.cf("events"), Key(a), log.Event(b));
  batch.Put(log.cf("events"), Key(b), log.Event(a));
  log.Write(&batch);
  std::cout << "swapped the events at positions " << a << " and " << b << std::endl;
}

storage::Hash ToHash(const std::string& bytes) {
  storage::Hash hash{};
  std::copy(bytes.begin(), bytes.begin() + kHashSize, hash.begin());
  return hash;
}

void Rewrite(Log& log, std::uint64_t position) {
  const std::uint64_t head = log.Head();
  if (position > head) Die("position " + std::to_string(position) + " lies past the head");
  storage::Hash prev{};
  if (position > 1) prev = ToHash(log.Event(position - 1));
  rocksdb::WriteBatch batch;
  for (std::uint64_t p = position; p <= head; ++p) {
    wijkboek::v1::RecordedEnvelope envelope = ParseEnvelope(log.Event(p), p);
    if (p == position) {
      std::string payload = envelope.payload();
      FlipLetterOf(payload, LongestText(payload), 0);
      envelope.set_payload(payload);
    }
    envelope.set_prev_hash(std::string(prev.begin(), prev.end()));
    const std::string bytes = envelope.SerializeAsString();
    prev = storage::ChainHash(prev, bytes);
    batch.Put(log.cf("events"), Key(p), std::string(prev.begin(), prev.end()) + bytes);
  }
  batch.Put(log.cf("meta"), "head_hash", std::string(prev.begin(), prev.end()));
  log.Write(&batch);
  std::cout << "rewrote position " << position << " and rehashed positions " << position << " to "
            << head << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3) {
    Die("usage: wijkboek-tamper LOG_DIR flip POSITION [payload|envelope|hash] | "
        "swap POSITION OTHER | rewrite POSITION",
        2);
  }
  Log log(args[0]);
  const std::string& command = args[1];
  const std::uint64_t position = ParsePosition(args[2]);
  if (command == "flip" && args.size() <= 4) {
    Flip(log, position, args.size() == 4 ? args[3] : "payload");
  } else if (command == "swap" && args.size() == 4) {
    Swap(log, position, ParsePosition(args[3]));
  } else if (command == "rewrite" && args.size() == 3) {
    Rewrite(log, position);
  } else {
    Die("unknown command or wrong arguments: " + command, 2);
  }
  return 0;
}
