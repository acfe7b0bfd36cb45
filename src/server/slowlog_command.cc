// SLOWLOG GET, LEN, RESET and HELP over the server's Slowlog (magnetar/server/slowlog.h).
#include <algorithm>
#include <optional>
#include <string_view>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

Slowlog& Log(CommandContext& ctx) { return AsServer(ctx).server.slowlog(); }

// SLOWLOG GET [count]: the newest `count` entries (10 by default, -1 for all).
void SlowlogGet(CommandContext& ctx) {
  const auto& entries = Log(ctx).entries();
  size_t count = std::min<size_t>(10, entries.size());
  if (ctx.args.size() > 3) return ctx.reply.Error(SubcommandSyntaxError("SLOWLOG", ctx.args[1]));
  if (ctx.args.size() == 3) {
    std::optional<int64_t> asked = ParseInt64(ctx.args[2]);
    if (!asked || *asked < -1) {
      return ctx.reply.Error("ERR count should be greater than or equal to -1");
    }
    count = *asked == -1 ? entries.size()
                         : static_cast<size_t>(std::min<uint64_t>(*asked, entries.size()));
  }
  ctx.reply.Array(count);
  for (size_t i = 0; i < count; ++i) {
    const SlowlogEntry& entry = entries[i];
    ctx.reply.Array(6);
    ctx.reply.Integer(static_cast<int64_t>(entry.id));
    ctx.reply.Integer(entry.unix_seconds);
    ctx.reply.Integer(entry.duration_us);
    ctx.reply.Array(entry.args.size());
    for (const std::string& arg : entry.args) ctx.reply.Bulk(arg);
    ctx.reply.Bulk(entry.client_address);
    ctx.reply.Bulk(entry.client_name);
  }
}

void SlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(Log(ctx).entries().size()));
}

void SlowlogReset(CommandContext& ctx) {
  Log(ctx).Reset();
  ctx.reply.Ok();
}

void SlowlogHelp(CommandContext& ctx) {
  constexpr std::string_view kHelp[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.reply.SimpleString(line);
}

constexpr uint32_t kAdminFlags = kAdmin | kLoading | kStale;
constexpr uint32_t kAdminAcl = kAclAdmin | kAclSlow | kAclDangerous;

constexpr std::string_view kLenTips[] = {"request_policy:all_nodes", "response_policy:agg_sum",
                                         "nondeterministic_output"};
constexpr std::string_view kResetTips[] = {"request_policy:all_nodes",
                                           "response_policy:all_succeeded"};
constexpr std::string_view kGetTips[] = {"request_policy:all_nodes", "nondeterministic_output"};
constexpr HistoryEntry kGetHistory[] = {
    {"4.0.0", "Added client IP address, port and name to the reply."}};
constexpr ArgDoc kGetArgs[] = {{.name = "count", .type = ArgType::kInteger, .flags = kArgOptional}};

// In the order Redis 7.0.15 lists them in COMMAND INFO.
constexpr CommandSpec kSlowlogSubcommands[] = {
    {.name = "slowlog|len",
     .arity = 2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &SlowlogLen,
     .doc = {.summary = "Get the slow log's length",
             .since = "2.2.12",
             .group = "server",
             .complexity = "O(1)"},
     .tips = kLenTips},
    {.name = "slowlog|help",
     .arity = 2,
     .flags = kLoading | kStale,
     .acl = kAclSlow,
     .handler = &SlowlogHelp,
     .doc = {.summary = "Show helpful text about the different subcommands",
             .since = "6.2.0",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "slowlog|reset",
     .arity = 2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &SlowlogReset,
     .doc = {.summary = "Clear all entries from the slow log",
             .since = "2.2.12",
             .group = "server",
             .complexity = "O(N) where N is the number of entries in the slowlog"},
     .tips = kResetTips},
    {.name = "slowlog|get",
     .arity = -2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &SlowlogGet,
     .doc = {.summary = "Get the slow log's entries",
             .since = "2.2.12",
             .group = "server",
             .complexity = "O(N) where N is the number of entries returned",
             .history = kGetHistory,
             .arguments = kGetArgs},
     .tips = kGetTips},
};

constexpr CommandSpec kSlowlogCommands[] = {
    {.name = "slowlog",
     .arity = -2,
     .flags = 0,
     .acl = kAclSlow,
     .doc = {.summary = "A container for slow log commands",
             .since = "2.2.12",
             .group = "server",
             .complexity = "Depends on subcommand."},
     .subcommands = kSlowlogSubcommands},
};

}  // namespace

std::span<const CommandSpec> SlowlogCommands() { return kSlowlogCommands; }

}  // namespace magnetar::server
