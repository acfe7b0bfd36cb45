// An AOF base in command form (aof-use-rdb-preamble no): a snapshot's keys as the commands that
// rebuild them, as Redis 7.0's rewrite writes them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "magnetar/persistence/rdb_snapshot.h"

namespace magnetar::server {

// SELECT before the first key of each database, then per key SET, or RPUSH, SADD, ZADD (score,
// member) and HMSET with at most 64 items a command, then PEXPIREAT when it has a deadline.
class AofCommandSink final : public persistence::FileSnapshotSink {
 public:
  explicit AofCommandSink(persistence::ChunkSink& out) : out_(out) {}

  void BeginDatabase(size_t /*index*/, size_t /*keys*/, size_t /*keys_with_deadline*/) override {}
  void Write(size_t index, const engine::Entry& entry) override;
  void Finish() override;

 private:
  // Adds one item (an element, a member, a score and member, a field and value) to the command
  // being gathered for `key`; a full command is written out.
  template <typename... Parts>
  void Item(std::string_view command, std::string_view key, Parts... parts);
  // Writes the gathered items as one `command key items...`.
  void FlushItems(std::string_view command, std::string_view key);

  persistence::ChunkSink& out_;
  std::string buffer_;
  size_t selected_ = SIZE_MAX;  // the database of the last SELECT
  std::string items_;           // the gathered items' arguments, in RESP
  size_t item_count_ = 0;
  size_t item_args_ = 0;
};

}  // namespace magnetar::server
