// Writes Redis's RDB format, version 10, into a byte buffer: the file's framing (header, aux
// fields, SELECTDB, RESIZEDB, EOF) and every key as Redis 7.0 writes it. The snapshot (a file, an
// AOF base, a replica's full sync) and DUMP all write through this class; the checksum is the
// caller's (the file sink computes it as the bytes leave, DUMP over its payload).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "magnetar/engine/entry.h"

namespace magnetar::persistence {

// What a key carries besides its value, as the RDB opcodes before it say it.
struct KeyMetadata {
  std::optional<int64_t> deadline_ms;    // EXPIRETIME_MS
  std::optional<uint64_t> idle_seconds;  // IDLE: written when maxmemory-policy is an LRU one
  std::optional<uint8_t> lfu_counter;    // FREQ: written when it is an LFU one
};

class RdbWriter {
 public:
  // Appends to `out`. `compress` is rdbcompression: strings of more than 20 bytes are written
  // LZF-compressed when the compressed bytes fit in 4 fewer than the string, as Redis decides.
  RdbWriter(std::string& out, bool compress) : out_(out), compress_(compress) {}

  // "REDIS0010".
  void Header();
  void AuxField(std::string_view key, std::string_view value);
  // An aux field whose value is a number (redis-bits, ctime...): written as its decimal text,
  // which the string writer stores integer-encoded, as Redis does.
  void AuxField(std::string_view key, int64_t value);
  void SelectDb(uint64_t index);
  void ResizeDb(uint64_t keys, uint64_t keys_with_deadline);
  // One key: its metadata opcodes, then the type byte, the key and the value.
  void Key(const engine::Entry& entry, const KeyMetadata& metadata);
  // The type byte and the value's encoding, as DUMP's payload begins.
  void Value(const engine::Entry& entry);
  // The EOF opcode. The 8-byte checksum that follows it is the caller's.
  void Eof();

  // Primitives, shared with tests and the DUMP footer.
  void Byte(uint8_t byte) { out_.push_back(static_cast<char>(byte)); }
  void Length(uint64_t length);
  // A string, integer-encoded when it is a short canonical integer, LZF-compressed when that
  // pays and compression is on, otherwise as its length and bytes.
  void String(std::string_view bytes);
  void Integer(int64_t value);

  std::string& out() { return out_; }

 private:
  std::string& out_;
  bool compress_;
};

}  // namespace magnetar::persistence
