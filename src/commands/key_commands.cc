// Generic keyspace commands that look at or remove keys one by one (DEL, UNLINK, EXISTS, TYPE,
// TOUCH, RANDOMKEY) or the whole database (DBSIZE, FLUSHDB, FLUSHALL). Renaming and moving keys
// live in key_move_commands.cc, TTLs in expire_commands.cc, KEYS and SCAN in scan_commands.cc,
// OBJECT in object_command.cc.
#include <optional>
#include <string>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "value_type_names.h"
#include "write_path.h"

namespace magnetar::commands {
namespace {

// DEL and UNLINK; `lazy` frees large values on the lazy-free thread. Both propagate as sent.
void DeleteKeys(CommandContext& ctx, bool lazy) {
  int64_t deleted = 0;
  for (std::string_view key : ctx.args.subspan(1)) {
    if (!DeleteKey(ctx.db(), key, lazy)) continue;
    ctx.db().Changed(key, engine::kNotifyGeneric, "del");
    ++deleted;
  }
  ctx.reply.Integer(deleted);
}

// With lazyfree-lazy-user-del, DEL frees like UNLINK.
void Del(CommandContext& ctx) { DeleteKeys(ctx, ctx.lazyfree.user_del); }

// UNLINK removes the keys at once like DEL; large values are freed on the lazy-free thread.
void Unlink(CommandContext& ctx) { DeleteKeys(ctx, true); }

// EXISTS and TOUCH count a key once per time it is named; only TOUCH marks the keys as used.
void Exists(CommandContext& ctx) {
  int64_t count = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    count += ctx.db().InspectForRead(ctx.args[i]) != nullptr;
  }
  ctx.reply.Integer(count);
}

void Touch(CommandContext& ctx) {
  int64_t count = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    count += ctx.db().LookupForRead(ctx.args[i]) != nullptr;
  }
  ctx.reply.Integer(count);
}

void Type(CommandContext& ctx) {
  const engine::Entry* entry = ctx.db().InspectForRead(ctx.args[1]);
  ctx.reply.SimpleString(entry == nullptr ? "none" : TypeName(entry->type()));
}

void RandomKey(CommandContext& ctx) {
  std::optional<std::string> key = ctx.db().RandomKey();
  if (!key) return ctx.reply.Null();
  ctx.reply.Bulk(*key);
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

// Redis propagates FLUSHDB and FLUSHALL even when they found nothing to remove: a replica may
// hold keys its master does not. The emptied databases count their keys as changes themselves.
void PropagateEvenIfUnchanged(CommandContext& ctx) {
  ctx.propagate().Also(ctx.db_index, ctx.args);
  ctx.propagate().Prevent();
}

void FlushDb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  bool async = ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "async");
  async ? ctx.db().ClearAsync() : ctx.db().Clear();
  PropagateEvenIfUnchanged(ctx);
  ctx.reply.Ok();
}

void FlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  bool async = ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "async");
  ctx.keyspace.observer().OnFlushAllCommand(false);
  async ? ctx.keyspace.FlushAllAsync() : ctx.keyspace.FlushAll();
  ctx.keyspace.observer().OnFlushAllCommand(true);
  PropagateEvenIfUnchanged(ctx);
  ctx.reply.Ok();
}

constexpr ArgDoc kDelArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
};
constexpr KeySpec kDelKeySpecs[] = {
    {.flags = kKsRM | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(-1, 1, 0)},
};
// DEL, UNLINK, EXISTS and TOUCH: sent to every shard holding some of the keys, counts summed.
constexpr std::string_view kDelTips[] = {"request_policy:multi_shard", "response_policy:agg_sum"};
constexpr ArgDoc kUnlinkArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
};
constexpr KeySpec kUnlinkKeySpecs[] = {
    {.flags = kKsRM | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr HistoryEntry kExistsHistory[] = {
    {"3.0.3", "Accepts multiple `key` arguments."},
};
// EXISTS and TOUCH read every argument as a key.
constexpr ArgDoc kKeysArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
};
constexpr KeySpec kReadKeysSpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(1), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr ArgDoc kTypeArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kTypeKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr std::string_view kRandomKeyTips[] = {"request_policy:all_shards",
                                               "nondeterministic_output"};
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
    {.name = "unlink",
     .arity = -2,
     .flags = kWrite | kFast,
     .acl = kAclKeyspace | kAclWrite | kAclFast,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &Unlink,
     .doc = {.summary = "Delete a key asynchronously in another thread. Otherwise it is just as "
                        "DEL, but non blocking.",
             .since = "4.0.0",
             .group = "generic",
             .complexity = "O(1) for each key removed regardless of its size. Then the command "
                           "does O(N) work in a different thread in order to reclaim memory, where "
                           "N is the number of allocations the deleted objects where composed of.",
             .arguments = kUnlinkArgs},
     .key_specs = kUnlinkKeySpecs,
     .tips = kDelTips},
    {.name = "exists",
     .arity = -2,
     .flags = kReadOnly | kFast,
     .acl = kAclKeyspace | kAclRead | kAclFast,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &Exists,
     .doc = {.summary = "Determine if a key exists",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(N) where N is the number of keys to check.",
             .history = kExistsHistory,
             .arguments = kKeysArgs},
     .key_specs = kReadKeysSpecs,
     .tips = kDelTips},
    {.name = "type",
     .arity = 2,
     .flags = kReadOnly | kFast,
     .acl = kAclKeyspace | kAclRead | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Type,
     .doc = {.summary = "Determine the type stored at key",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kTypeArgs},
     .key_specs = kTypeKeySpecs},
    {.name = "touch",
     .arity = -2,
     .flags = kReadOnly | kFast,
     .acl = kAclKeyspace | kAclRead | kAclFast,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &Touch,
     .doc = {.summary = "Alters the last access time of a key(s). Returns the number of existing "
                        "keys specified.",
             .since = "3.2.1",
             .group = "generic",
             .complexity = "O(N) where N is the number of keys that will be touched.",
             .arguments = kKeysArgs},
     .key_specs = kReadKeysSpecs,
     .tips = kDelTips},
    {.name = "randomkey",
     .arity = 1,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow,
     .handler = &RandomKey,
     .doc = {.summary = "Return a random key from the keyspace",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(1)"},
     .tips = kRandomKeyTips},
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
