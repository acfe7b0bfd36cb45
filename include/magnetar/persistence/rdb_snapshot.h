// Turns a point-in-time snapshot (engine/snapshot.h) into an RDB stream: the header and aux
// fields, then per database SELECTDB, RESIZEDB and its keys, then EOF. The bytes leave in chunks
// through a ChunkSink (a file written by a background thread; later a replica's socket), which
// also owns the trailing checksum, since it sees every byte in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "magnetar/engine/keyspace.h"
#include "magnetar/engine/snapshot.h"
#include "magnetar/persistence/rdb_writer.h"

namespace magnetar::persistence {

class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Takes the next bytes of the stream.
  virtual void Push(std::string chunk) = 0;
  // Bytes pushed and not yet consumed: the walk pauses while this is high, so a slow disk bounds
  // the memory a save holds instead of growing it.
  virtual size_t Backlog() const = 0;
};

// A snapshot's sink that turns the keys into a file's bytes, pushed to a ChunkSink: the RDB form
// (RdbSnapshotSink), or the AOF's command form (server/aof_command_sink.h).
class FileSnapshotSink : public engine::SnapshotSink {
 public:
  // The walk is done: every byte still held goes to the chunk sink.
  virtual void Finish() = 0;
  // Bytes held for databases the walk has not reached (written ahead of it).
  virtual size_t ahead_bytes() const { return 0; }
};

// Which access metadata keys carry: Redis writes IDLE under an LRU maxmemory-policy, FREQ under
// an LFU one, and neither otherwise.
enum class AccessField : uint8_t { kNone, kIdle, kFreq };

struct RdbSnapshotOptions {
  bool compress = true;  // rdbcompression
  AccessField access_field = AccessField::kNone;
  // Aux fields written after the header, in order (redis-ver, redis-bits, ctime, used-mem...).
  std::vector<std::pair<std::string, std::string>> aux;
};

class RdbSnapshotSink final : public FileSnapshotSink {
 public:
  // Chunks are handed over once they reach this size.
  static constexpr size_t kChunkBytes = 1 << 20;

  RdbSnapshotSink(const engine::Keyspace& keyspace, ChunkSink& out, RdbSnapshotOptions options);

  // The header and aux fields. Call once, before the snapshot's first step.
  void Begin();
  void BeginDatabase(size_t index, size_t keys, size_t keys_with_deadline) override;
  void Write(size_t index, const engine::Entry& entry) override;
  // The EOF opcode, and every byte still held, to the chunk sink. Call when the walk is done.
  void Finish() override;

  size_t ahead_bytes() const override { return ahead_bytes_; }

 private:
  void WriteKey(RdbWriter& writer, const engine::Entry& entry);
  void FlushIfFull();

  const engine::Keyspace& keyspace_;
  ChunkSink& out_;
  RdbSnapshotOptions options_;
  std::string buffer_;
  RdbWriter writer_;
  size_t current_index_ = SIZE_MAX;      // the database being walked; SIZE_MAX before the first
  std::map<size_t, std::string> ahead_;  // keys of later databases, already serialised
  size_t ahead_bytes_ = 0;
};

}  // namespace magnetar::persistence
