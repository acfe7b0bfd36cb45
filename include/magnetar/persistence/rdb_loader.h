// Loads a whole RDB file (or stream) into a keyspace: header, aux fields, SELECTDB, RESIZEDB,
// EXPIRETIME(_MS), IDLE, FREQ, keys, EOF and the CRC64 checksum (a zero checksum means the writer
// had rdbchecksum off). Used at startup, by DEBUG RELOAD and by a replica's full sync.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/engine/keyspace.h"
#include "magnetar/persistence/rdb_reader.h"

namespace magnetar::persistence {

// An RdbInput over a file descriptor, read through a buffer of its own (bounded memory whatever
// the file's size). The descriptor stays the caller's.
class FileRdbInput final : public RdbInput {
 public:
  // `size` is the file's length when known (lengths are checked against it), else UINT64_MAX.
  FileRdbInput(int fd, uint64_t size);
  std::optional<std::span<const uint8_t>> Take(size_t n) override;
  uint64_t Remaining() const override;
  uint64_t Consumed() const override { return consumed_; }
  std::optional<uint64_t> ConsumedCrc() const override;
  // The CRC64 of every byte consumed so far (the loader compares it with the trailing checksum).
  uint64_t crc() const;

 private:
  int fd_;
  uint64_t size_;
  uint64_t consumed_ = 0;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  mutable uint64_t crc_ = 0;
  mutable size_t crc_upto_ = 0;
};

struct RdbLoadOptions {
  // Keys whose deadline has passed are skipped (a primary's load), unless this is false (a
  // replica keeps them: its primary will send the DEL).
  bool skip_expired = true;
  int64_t now_ms = 0;
  // Called every few megabytes with the bytes consumed so far (INFO's loading_* fields, and
  // serving -LOADING to clients meanwhile).
  std::function<void(uint64_t consumed)> progress;
};

struct RdbLoadResult {
  bool ok = false;
  // On failure, what Redis would log ("Short read or OOM loading DB. Unrecoverable error,
  // aborting now.", "Wrong RDB checksum...", "Can't handle RDB format version..."), and
  // detail for our own log.
  std::string error;
  int version = 0;
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;
  // Empty collections, which Redis 7.0 skips with a warning.
  uint64_t keys_empty_skipped = 0;
  // The aux fields read, in order (redis-ver, ctime, used-mem, repl-id, repl-offset...).
  std::vector<std::pair<std::string, std::string>> aux;
};

// Reads `in` to its end into `keyspace` (which the caller has emptied). Databases past the
// keyspace's count are refused, as Redis does.
RdbLoadResult LoadRdb(RdbInput& in, engine::Keyspace& keyspace, const RdbLoadOptions& options);

}  // namespace magnetar::persistence
