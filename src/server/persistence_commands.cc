// SAVE, BGSAVE [SCHEDULE] and LASTSAVE: the RDB saver's commands (server/rdb_saver.h); and
// BGREWRITEAOF, the append-only file's (server/aof.h).
#include "magnetar/commands/arg_parser.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

void Save(CommandContext& ctx) {
  std::string error =
      AsServer(ctx).server.rdb_saver().SaveNow(/*refuse_if_busy=*/true, /*counted=*/true);
  if (!error.empty()) return ctx.reply.Error(error);
  ctx.reply.Ok();
}

// SCHEDULE matters only when an AOF rewrite runs (Redis's other kind of child): without it the
// BGSAVE is refused then. Inside EXEC it is always scheduled; a BGSAVE already running is refused
// either way, as in Redis.
void BackgroundSave(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "schedule"))) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  ServerContext& sctx = AsServer(ctx);
  bool scheduled = false;
  std::string error = sctx.server.rdb_saver().RequestBackgroundSave(
      /*schedule=*/ctx.args.size() == 2, /*in_exec=*/sctx.client.transaction.active(), scheduled);
  if (!error.empty()) return ctx.reply.Error(error);
  ctx.reply.SimpleString(scheduled ? "Background saving scheduled" : "Background saving started");
}

// Inside EXEC, or while a BGSAVE runs, the rewrite is scheduled for the cron, as in Redis.
void RewriteAof(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  bool scheduled = false;
  std::string error =
      sctx.server.aof().RequestRewrite(/*in_exec=*/sctx.client.transaction.active(), scheduled);
  if (!error.empty()) return ctx.reply.Error(error);
  ctx.reply.SimpleString(scheduled ? "Background append only file rewriting scheduled"
                                   : "Background append only file rewriting started");
}

void LastSave(CommandContext& ctx) {
  ctx.reply.Integer(AsServer(ctx).server.rdb_saver().last_save_time());
}

constexpr HistoryEntry kBgsaveHistory[] = {{"3.2.2", "Added the `SCHEDULE` option."}};
constexpr ArgDoc kBgsaveArgs[] = {
    {.name = "schedule",
     .type = ArgType::kPureToken,
     .token = "SCHEDULE",
     .since = "3.2.2",
     .flags = kArgOptional},
};
constexpr std::string_view kLastSaveTips[] = {"nondeterministic_output"};

constexpr CommandSpec kPersistenceCommands[] = {
    {.name = "save",
     .arity = 1,
     .flags = kAdmin | kNoScript | kNoAsyncLoading | kNoMulti,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &Save,
     .doc = {.summary = "Synchronously save the dataset to disk",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(N) where N is the total number of keys in all databases"}},
    {.name = "bgsave",
     .arity = -1,
     .flags = kAdmin | kNoScript | kNoAsyncLoading,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &BackgroundSave,
     .doc = {.summary = "Asynchronously save the dataset to disk",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(1)",
             .history = kBgsaveHistory,
             .arguments = kBgsaveArgs}},
    {.name = "bgrewriteaof",
     .arity = 1,
     .flags = kAdmin | kNoScript | kNoAsyncLoading,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &RewriteAof,
     .doc = {.summary = "Asynchronously rewrite the append-only file",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "lastsave",
     .arity = 1,
     .flags = kLoading | kStale | kFast,
     .acl = kAclAdmin | kAclFast | kAclDangerous,
     .handler = &LastSave,
     .doc = {.summary = "Get the UNIX time stamp of the last successful save to disk",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(1)"},
     .tips = kLastSaveTips},
};

}  // namespace

std::span<const CommandSpec> PersistenceCommands() { return kPersistenceCommands; }

}  // namespace magnetar::server
