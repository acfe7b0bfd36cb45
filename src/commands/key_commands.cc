// Generic keyspace commands. This first cut holds DEL, DBSIZE, FLUSHDB and FLUSHALL; the keyspace
// issue adds the rest of the family.
#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"

namespace magnetar::commands {
namespace {

void Del(CommandContext& ctx) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) deleted += ctx.db().Delete(ctx.args[i]);
  ctx.reply.Integer(deleted);
}

void DbSize(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.db().Size())); }

// FLUSHDB and FLUSHALL take an optional ASYNC or SYNC; ASYNC frees on the lazy-free thread.
bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.args.size() == 1) return true;
  if (ctx.args.size() == 2 &&
      (EqualsIgnoreCase(ctx.args[1], "async") || EqualsIgnoreCase(ctx.args[1], "sync"))) {
    return true;
  }
  ctx.reply.Error(OpStatus::kSyntaxError);
  return false;
}

void FlushDb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  bool async = ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "async");
  async ? ctx.db().ClearAsync() : ctx.db().Clear();
  ctx.reply.Ok();
}

void FlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  bool async = ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "async");
  async ? ctx.keyspace.FlushAllAsync() : ctx.keyspace.FlushAll();
  ctx.reply.Ok();
}

constexpr ArgDoc kDelArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
};
constexpr KeySpec kDelKeySpecs[] = {
    {.flags = kKsRM | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr std::string_view kDelTips[] = {"request_policy:multi_shard", "response_policy:agg_sum"};
constexpr std::string_view kDbSizeTips[] = {"request_policy:all_shards", "response_policy:agg_sum"};

// FLUSHDB and FLUSHALL document the same options.
constexpr HistoryEntry kFlushHistory[] = {
    {"4.0.0", "Added the `ASYNC` flushing mode modifier."},
    {"6.2.0", "Added the `SYNC` flushing mode modifier."},
};
constexpr ArgDoc kFlushModeArgs[] = {
    {.name = "async", .type = ArgType::kPureToken, .token = "ASYNC", .since = "4.0.0"},
    {.name = "sync", .type = ArgType::kPureToken, .token = "SYNC", .since = "6.2.0"},
};
constexpr ArgDoc kFlushArgs[] = {
    {.name = "async", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kFlushModeArgs},
};
constexpr std::string_view kFlushTips[] = {"request_policy:all_shards",
                                           "response_policy:all_succeeded"};

constexpr CommandSpec kKeyCommands[] = {
    {.name = "del",
     .arity = -2,
     .flags = kWrite,
     .acl = kAclKeyspace | kAclWrite | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &Del,
     .doc = {.summary = "Delete a key",
             .since = "1.0.0",
             .group = "generic",
             .complexity =
                 "O(N) where N is the number of keys that will be removed. When a key to remove "
                 "holds a value other than a string, the individual complexity for this key is "
                 "O(M) where M is the number of elements in the list, set, sorted set or hash. "
                 "Removing a single key that holds a string value is O(1).",
             .arguments = kDelArgs},
     .key_specs = kDelKeySpecs,
     .tips = kDelTips},
    {.name = "dbsize",
     .arity = 1,
     .flags = kReadOnly | kFast,
     .acl = kAclKeyspace | kAclRead | kAclFast,
     .handler = &DbSize,
     .doc = {.summary = "Return the number of keys in the selected database",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(1)"},
     .tips = kDbSizeTips},
    {.name = "flushdb",
     .arity = -1,
     .flags = kWrite,
     .acl = kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
     .handler = &FlushDb,
     .doc = {.summary = "Remove all keys from the current database",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(N) where N is the number of keys in the selected database",
             .history = kFlushHistory,
             .arguments = kFlushArgs},
     .tips = kFlushTips},
    {.name = "flushall",
     .arity = -1,
     .flags = kWrite,
     .acl = kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
     .handler = &FlushAll,
     .doc = {.summary = "Remove all keys from all databases",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(N) where N is the total number of keys in all databases",
             .history = kFlushHistory,
             .arguments = kFlushArgs},
     .tips = kFlushTips},
};

}  // namespace

std::span<const CommandSpec> KeyCommands() { return kKeyCommands; }

}  // namespace magnetar::commands
