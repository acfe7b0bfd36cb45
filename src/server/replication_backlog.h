// The replication backlog: the latest bytes of the replication stream in a ring of
// repl-backlog-size bytes, so a replica that lost its link can continue from its offset
// (PSYNC's partial resync) instead of loading the whole dataset again.
//
// Offsets are Redis's: the stream's bytes are numbered from 1, and `offset()` (master_repl_offset)
// is the number of the last byte written. A replica asking for `from` wants bytes from `from` on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace magnetar::server {

class ReplicationBacklog {
 public:
  // Allocates the ring; the history starts after `offset`.
  void Create(size_t size, uint64_t offset);
  void Free();
  // repl-backlog-size changed: the history is kept as far as the new size allows.
  void Resize(size_t size);
  bool active() const { return !ring_.empty(); }

  void Append(std::string_view bytes);

  uint64_t offset() const { return offset_; }
  // The number of the oldest byte held (Redis's repl_backlog_first_byte_offset).
  uint64_t first_offset() const { return offset_ - histlen_ + 1; }
  uint64_t histlen() const { return histlen_; }
  size_t size() const { return ring_.size(); }

  // Whether the bytes from `from` to the end are all held (`from` may be offset() + 1: nothing).
  bool Covers(uint64_t from) const {
    return active() && from >= first_offset() && from <= offset_ + 1;
  }
  // Appends the bytes from `from` to the end to `out`; Covers(from) must hold.
  void CopyFrom(uint64_t from, std::string& out) const;

  // A replica's offset set by its primary (a full sync, a new primary): the stream numbering
  // continues from there and the history held no longer applies.
  void Reset(uint64_t offset);

 private:
  std::string ring_;
  size_t next_ = 0;       // where the next byte goes in the ring
  uint64_t histlen_ = 0;  // bytes held, at most ring_.size()
  uint64_t offset_ = 0;
};

}  // namespace magnetar::server
