// Commands that act on the server process: SHUTDOWN, DEBUG (its subcommands are in
// debug_command.cc), TIME.
#include "debug_command.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Saves when asked or when save points are set;
// FORCE exits even when that save fails. NOW skips waiting for replicas, of which there are none.
// A server that stops gives the client no reply, as Redis does.
void Shutdown(CommandContext& ctx) {
  bool save = false, nosave = false, abort = false, force = false, now = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view option = ctx.args[i];
    if (EqualsIgnoreCase(option, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(option, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(option, "now")) {
      now = true;
    } else if (EqualsIgnoreCase(option, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(option, "abort")) {
      abort = true;
    } else {
      return ctx.reply.Error(OpStatus::kSyntaxError);
    }
  }
  if ((save && nosave) || (abort && (save || nosave || now || force))) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  if (abort) return ctx.reply.Error("ERR No shutdown in progress.");
  ServerContext& sctx = AsServer(ctx);
  Server::ShutdownSave mode = save     ? Server::ShutdownSave::kSave
                              : nosave ? Server::ShutdownSave::kNoSave
                                       : Server::ShutdownSave::kDefault;
  if (!sctx.server.Shutdown("SHUTDOWN", mode, force)) {
    return ctx.reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  // The connection closes when the server stops; nothing pipelined after runs.
  sctx.client.connection().CloseAfterReply();
}

void Time(CommandContext& ctx) {
  int64_t now = ctx.clock.NowUs();
  char text[kMaxInt64Chars];
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::string_view(text, FormatInt64(now / 1'000'000, text)));
  ctx.reply.Bulk(std::string_view(text, FormatInt64(now % 1'000'000, text)));
}

constexpr HistoryEntry kShutdownHistory[] = {
    {"7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."},
};
constexpr ArgDoc kShutdownSaveArgs[] = {
    {.name = "nosave", .type = ArgType::kPureToken, .token = "NOSAVE"},
    {.name = "save", .type = ArgType::kPureToken, .token = "SAVE"},
};
constexpr ArgDoc kShutdownArgs[] = {
    {.name = "nosave_save",
     .type = ArgType::kOneOf,
     .flags = kArgOptional,
     .arguments = kShutdownSaveArgs},
    {.name = "now",
     .type = ArgType::kPureToken,
     .token = "NOW",
     .since = "7.0.0",
     .flags = kArgOptional},
    {.name = "force",
     .type = ArgType::kPureToken,
     .token = "FORCE",
     .since = "7.0.0",
     .flags = kArgOptional},
    {.name = "abort",
     .type = ArgType::kPureToken,
     .token = "ABORT",
     .since = "7.0.0",
     .flags = kArgOptional},
};
constexpr std::string_view kTimeTips[] = {"nondeterministic_output"};

constexpr CommandSpec kAdminCommands[] = {
    {.name = "shutdown",
     .arity = -1,
     .flags = kAdmin | kNoScript | kLoading | kStale | kNoMulti | kAllowBusy,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &Shutdown,
     .doc = {.summary = "Synchronously save the dataset to disk and then shut down the server",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(N) when saving, where N is the total number of keys in all "
                           "databases when saving data, otherwise O(1)",
             .history = kShutdownHistory,
             .arguments = kShutdownArgs}},
    {.name = "debug",
     .arity = -2,
     .flags = kAdmin | kNoScript | kLoading | kStale | kProtected,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &DebugCommand,
     .doc = {.summary = "A container for debugging commands",
             .since = "1.0.0",
             .group = "server",
             .complexity = "Depends on subcommand.",
             .syscmd = true}},
    {.name = "time",
     .arity = 1,
     .flags = kLoading | kStale | kFast,
     .acl = kAclFast,
     .handler = &Time,
     .doc = {.summary = "Return the current server time",
             .since = "2.6.0",
             .group = "server",
             .complexity = "O(1)"},
     .tips = kTimeTips},
};

}  // namespace

std::span<const CommandSpec> AdminCommands() { return kAdminCommands; }

}  // namespace magnetar::server
