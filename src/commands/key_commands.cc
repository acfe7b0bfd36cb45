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

// FLUSHDB and FLUSHALL take an optional ASYNC or SYNC. Both free synchronously for now.
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
  ctx.db().Clear();
  ctx.reply.Ok();
}

void FlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.keyspace.FlushAll();
  ctx.reply.Ok();
}

constexpr CommandSpec kKeyCommands[] = {
    {.name = "del",
     .arity = -2,
     .flags = kWrite,
     .acl = kAclKeyspace | kAclWrite | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &Del},
    {.name = "dbsize",
     .arity = 1,
     .flags = kReadOnly | kFast,
     .acl = kAclKeyspace | kAclRead | kAclFast,
     .handler = &DbSize},
    {.name = "flushdb",
     .arity = -1,
     .flags = kWrite,
     .acl = kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
     .handler = &FlushDb},
    {.name = "flushall",
     .arity = -1,
     .flags = kWrite,
     .acl = kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
     .handler = &FlushAll},
};

}  // namespace

std::span<const CommandSpec> KeyCommands() { return kKeyCommands; }

}  // namespace magnetar::commands
