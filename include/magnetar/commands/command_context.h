// What a command handler works with: its arguments, the reply builder for its client, and the
// keyspace with the client's selected database. Server-level commands receive a richer context
// (server::ServerContext) derived from this one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "magnetar/commands/blocking.h"
#include "magnetar/commands/propagation.h"
#include "magnetar/common/clock.h"
#include "magnetar/engine/keyspace.h"
#include "magnetar/resp/reply_builder.h"

namespace magnetar::commands {

struct CommandContext {
  std::span<const std::string_view> args;  // args[0] is the command name as the client sent it
  resp::ReplyBuilder& reply;
  engine::Keyspace& keyspace;
  size_t db_index;
  const Clock& clock;
  // proto-max-bulk-len, the largest string a command may build: bit commands refuse offsets past
  // it. The dispatcher fills it from the server's config, which the data layer cannot see.
  uint64_t max_bulk_len = 512ull * 1024 * 1024;
  // Where the command says how its effect propagates (propagation.h); never null.
  Propagation* propagation = nullptr;
  // lazyfree-lazy-user-del and lazyfree-lazy-expire, filled by the dispatcher like max_bulk_len.
  // They decide whether a deleted value is freed on the lazy-free thread and whether the deletion
  // propagates as UNLINK or DEL: `user_del` for DEL and GETDEL, `expire` for a deadline given in
  // the past (EXPIRE, GETEX).
  struct LazyFree {
    bool user_del = false;
    bool expire = false;
  };
  LazyFree lazyfree = {};
  // rdbcompression (DUMP's strings), and whether RESTORE validates payloads deeply:
  // sanitize-dump-payload yes, or clients (every client here is one: no replication link or ACL
  // user exempts any). Filled by the dispatcher like max_bulk_len.
  struct Dump {
    bool compress = true;
    bool deep_sanitize = false;
  };
  Dump dump = {};
  // Where a blocking command asks to wait (blocking.h); null when it may not block (engine and
  // command tests, which then see the timeout reply at once).
  Blocker* blocker = nullptr;

  engine::Database& db() const { return keyspace.db(db_index); }
  Propagation& propagate() const { return *propagation; }
};

}  // namespace magnetar::commands
