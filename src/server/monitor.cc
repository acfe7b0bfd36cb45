// MONITOR and the feed of its clients (magnetar/server/monitor.h).
#include "magnetar/server/monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "config_values.h"
#include "magnetar/commands/command_spec.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/client.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "magnetar/server/slowlog.h"
#include "server_families.h"

namespace magnetar::server {

void Monitors::Add(Client& client) {
  client.monitor = true;
  clients_.push_back(&client);
}

void Monitors::Remove(Client& client) {
  client.monitor = false;
  std::erase(clients_, &client);
}

void Monitors::Feed(Server& server, const Client& client, const commands::CommandSpec& spec,
                    std::span<const std::string_view> args, size_t db, int64_t end_us) {
  // Replayed AOF commands are not shown, as Redis shows nothing while loading.
  if ((spec.flags & (commands::kAdmin | commands::kSkipMonitor)) ||
      server.rdb_saver().load_progress().loading) {
    return;
  }
  // A blocked command served later runs again, but Redis showed it once, when it blocked.
  if (server.blocking().IsRerunning(client)) return;
  const int64_t now_us = server.clock().NowUsAt(end_us);
  line_.clear();
  auto out = std::back_inserter(line_);
  fmt::format_to(out, "+{}.{:06} [{} ", now_us / 1'000'000, now_us % 1'000'000, db);
  if (client.connection().is_unix()) {
    fmt::format_to(out, "unix:{}] ", server.config().unixsocket);
  } else {
    fmt::format_to(out, "{}] ", client.connection().peer_address());
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (i != 0) line_.push_back(' ');
    AppendQuotedArg(line_, IsRedactedArgument(spec.name, args, i) ? "(redacted)" : args[i]);
  }
  line_.append("\r\n");
  for (Client* monitor : clients_) {
    net::Connection& connection = monitor->connection();
    // CLIENT REPLY OFF silences the feed too.
    if (connection.closing() || monitor->reply_mode == ReplyMode::kOff) continue;
    connection.reply().buffer().append(line_);
    // Checked on every append, as for subscribers: a monitor that does not read is cut off at its
    // client-output-buffer-limit (the normal class, as in Redis).
    if (connection.OutputOverLimit()) {
      connection.CloseSoon(net::Connection::kOutputLimitReason);
    } else {
      connection.ScheduleFlush();
    }
  }
}

namespace {

using namespace commands;

void Monitor(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  // Only reachable from EXEC: a client in a transaction expects one reply per command, so Redis
  // refuses it as it refuses blocking.
  if (sctx.client.transaction.active()) {
    return ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  }
  // Already monitoring: Redis ignores the command without replying.
  if (sctx.client.monitor) return;
  sctx.server.monitors().Add(sctx.client);
  ctx.reply.Ok();
}

constexpr CommandSpec kMonitorCommands[] = {
    {.name = "monitor",
     .arity = 1,
     .flags = kAdmin | kNoScript | kLoading | kStale,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &Monitor,
     .doc = {.summary = "Listen for all requests received by the server in real time",
             .since = "1.0.0",
             .group = "server"}},
};

}  // namespace

std::span<const CommandSpec> MonitorCommands() { return kMonitorCommands; }

}  // namespace magnetar::server
