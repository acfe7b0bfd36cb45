// Replication's commands: SYNC, PSYNC and REPLCONF (spoken by replicas), REPLICAOF / SLAVEOF,
// ROLE, FAILOVER and WAIT. The work is in server/replication.h.
#include <spdlog/spdlog.h>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/client.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "master_link.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

void Sync(CommandContext& ctx) {
  ServerContext& s = AsServer(ctx);
  if (s.client.is_primary_link) {
    return ctx.reply.Error("ERR Command is not valid when client is a replica.");
  }
  s.server.replication().Sync(s.client, ctx.args);
}

ReplicaState& ReplicaStateOf(Client& client) {
  if (client.replica == nullptr) client.replica = std::make_unique<ReplicaState>();
  return *client.replica;
}

void ReplConf(CommandContext& ctx) {
  ServerContext& s = AsServer(ctx);
  Client& client = s.client;
  if (ctx.args.size() % 2 == 0) return ctx.reply.Error(OpStatus::kSyntaxError);
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    std::string_view option = ctx.args[i];
    std::string_view value = ctx.args[i + 1];
    if (EqualsIgnoreCase(option, "ack")) {
      // A replica's acknowledgement gets no reply.
      std::optional<int64_t> offset = ParseInt64(value);
      if (offset && *offset >= 0)
        s.server.replication().Ack(client, static_cast<uint64_t>(*offset));
      return;
    }
    if (EqualsIgnoreCase(option, "getack")) {
      // Only a primary asks, and the answer is an ACK, not a reply.
      if (MasterLink* link = s.server.replication().link();
          link != nullptr && link->client() == &client) {
        link->RequestAck();
      }
      return;
    }
    if (EqualsIgnoreCase(option, "listening-port")) {
      std::optional<int64_t> port = ParseInt64(value);
      if (!port) return ctx.reply.Error(OpStatus::kNotInteger);
      ReplicaStateOf(client).listening_port = static_cast<int>(*port);
    } else if (EqualsIgnoreCase(option, "ip-address")) {
      constexpr size_t kMaxHost = 255;
      if (value.size() > kMaxHost) {
        return ctx.reply.Error(fmt::format(
            "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
            value.size()));
      }
      ReplicaStateOf(client).announced_ip = std::string(value);
    } else if (EqualsIgnoreCase(option, "capa")) {
      // Unknown capabilities are ignored, as Redis does.
      if (EqualsIgnoreCase(value, "eof")) ReplicaStateOf(client).capa_eof = true;
      if (EqualsIgnoreCase(value, "psync2")) ReplicaStateOf(client).capa_psync2 = true;
    } else if (EqualsIgnoreCase(option, "rdb-only")) {
      std::optional<int64_t> flag = ParseInt64(value);
      if (!flag) return ctx.reply.Error(OpStatus::kNotInteger);
      if (*flag != 0 && *flag != 1) {
        return ctx.reply.Error("ERR value is out of range, value must between 0 and 1");
      }
      ReplicaStateOf(client).rdb_only = *flag == 1;
    } else if (EqualsIgnoreCase(option, "rdb-filter-only")) {
      // Filters select function libraries, which Magnetar does not have: the RDB is the same.
    } else {
      return ctx.reply.Error(fmt::format("ERR Unrecognized REPLCONF option: {}", option));
    }
  }
  ctx.reply.Ok();
}

void ReplicaOf(CommandContext& ctx) {
  ServerContext& s = AsServer(ctx);
  Replication& replication = s.server.replication();
  if (EqualsIgnoreCase(ctx.args[1], "no") && EqualsIgnoreCase(ctx.args[2], "one")) {
    if (replication.is_replica()) {
      replication.BecomePrimary();
      spdlog::info("MASTER MODE enabled (user request from 'id={} addr={}')", s.client.id(),
                   s.client.connection().peer_address());
    }
    return ctx.reply.Ok();
  }
  if (s.client.replica != nullptr && s.client.replica->phase != ReplicaState::Phase::kHandshake) {
    return ctx.reply.Error("ERR Command is not valid when client is a replica.");
  }
  std::optional<int64_t> port = ParseInt64(ctx.args[2]);
  if (!port || *port < 0 || *port > 65535) return ctx.reply.Error("ERR Invalid master port");
  std::string host(ctx.args[1]);
  if (replication.is_replica() && replication.primary_host() == host &&
      replication.primary_port() == *port) {
    spdlog::info(
        "REPLICAOF would result into synchronization with the master we are already "
        "connected with. No operation performed.");
    return ctx.reply.SimpleString("OK Already connected to specified master");
  }
  replication.ReplicaOf(host, static_cast<int>(*port));
  spdlog::info("REPLICAOF {}:{} enabled (user request from 'id={} addr={}')", host, *port,
               s.client.id(), s.client.connection().peer_address());
  ctx.reply.Ok();
}

void Role(CommandContext& ctx) { AsServer(ctx).server.replication().ReplyRole(ctx.reply); }

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms], parsed as Redis parses it: each option
// once, in any order.
void Failover(CommandContext& ctx) {
  Replication& replication = AsServer(ctx).server.replication();
  std::string host;
  int64_t port = 0;
  int64_t timeout_ms = 0;
  bool force = false;
  bool abort = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view option = ctx.args[i];
    if (EqualsIgnoreCase(option, "timeout") && i + 1 < ctx.args.size() && timeout_ms <= 0) {
      std::optional<int64_t> value = ParseInt64(ctx.args[++i]);
      if (!value) return ctx.reply.Error(OpStatus::kNotInteger);
      if (*value <= 0) return ctx.reply.Error("ERR FAILOVER timeout must be greater than 0");
      timeout_ms = *value;
    } else if (EqualsIgnoreCase(option, "to") && i + 2 < ctx.args.size() && host.empty()) {
      std::optional<int64_t> value = ParseInt64(ctx.args[i + 2]);
      if (!value) return ctx.reply.Error(OpStatus::kNotInteger);
      host = std::string(ctx.args[i + 1]);
      port = *value;
      i += 2;
    } else if (EqualsIgnoreCase(option, "force") && !force) {
      force = true;
    } else if (EqualsIgnoreCase(option, "abort") && !abort) {
      abort = true;
    } else {
      return ctx.reply.Error(OpStatus::kSyntaxError);
    }
  }
  if (abort) {
    if (replication.failover_state() == Replication::FailoverState::kNone) {
      return ctx.reply.Error("ERR No failover in progress.");
    }
    replication.AbortFailover("Failover manually aborted");
    return ctx.reply.Ok();
  }
  std::string refusal = replication.StartFailover(host, static_cast<int>(port), force, timeout_ms);
  if (!refusal.empty()) return ctx.reply.Error(refusal);
  ctx.reply.Ok();
}

// WAIT numreplicas timeout: blocks until that many replicas acknowledged this client's last
// write, or the timeout; replies how many did.
void Wait(CommandContext& ctx) {
  ServerContext& s = AsServer(ctx);
  Replication& replication = s.server.replication();
  if (replication.is_replica()) {
    return ctx.reply.Error(
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 "
        "if a replica is configured to be writable (which is not the default) writes to replicas "
        "are just local and are not propagated.");
  }
  std::optional<int64_t> wanted = ParseInt64(ctx.args[1]);
  if (!wanted) return ctx.reply.Error(OpStatus::kNotInteger);
  std::optional<int64_t> timeout = ParseInt64(ctx.args[2]);
  if (!timeout) return ctx.reply.Error("ERR timeout is not an integer or out of range");
  if (*timeout < 0) return ctx.reply.Error("ERR timeout is negative");
  const auto acked = static_cast<int64_t>(replication.ReplicasAcked(s.client.write_offset));
  if (acked >= *wanted || !ctx.blocker->CanBlock()) return ctx.reply.Integer(acked);
  // Asked once, when the wait begins (the ACKs that follow run WAIT again, which must not ask
  // again each time).
  if (!s.server.blocking().IsBlocked(s.client)) replication.RequestAcks();
  ctx.blocker->Block({}, *timeout == 0 ? 0 : ctx.clock.NowMs() + *timeout);
}

constexpr ArgDoc kPsyncArgs[] = {
    {.name = "replicationid", .type = ArgType::kString},
    {.name = "offset", .type = ArgType::kInteger},
};
constexpr ArgDoc kHostPortArgs[] = {
    {.name = "host", .type = ArgType::kString},
    {.name = "port", .type = ArgType::kInteger},
};
constexpr ArgDoc kNoOneArgs[] = {
    {.name = "no", .type = ArgType::kPureToken, .token = "NO"},
    {.name = "one", .type = ArgType::kPureToken, .token = "ONE"},
};
constexpr ArgDoc kReplicaOfChoice[] = {
    {.name = "host-port", .type = ArgType::kBlock, .arguments = kHostPortArgs},
    {.name = "no-one", .type = ArgType::kBlock, .arguments = kNoOneArgs},
};
constexpr ArgDoc kReplicaOfArgs[] = {
    {.name = "args", .type = ArgType::kOneOf, .arguments = kReplicaOfChoice},
};
constexpr ArgDoc kWaitArgs[] = {
    {.name = "numreplicas", .type = ArgType::kInteger},
    {.name = "timeout", .type = ArgType::kInteger},
};
constexpr ArgDoc kFailoverTargetArgs[] = {
    {.name = "host", .type = ArgType::kString},
    {.name = "port", .type = ArgType::kInteger},
    {.name = "force", .type = ArgType::kPureToken, .token = "FORCE", .flags = kArgOptional},
};
constexpr ArgDoc kFailoverArgs[] = {
    {.name = "target",
     .type = ArgType::kBlock,
     .token = "TO",
     .flags = kArgOptional,
     .arguments = kFailoverTargetArgs},
    {.name = "abort", .type = ArgType::kPureToken, .token = "ABORT", .flags = kArgOptional},
    {.name = "milliseconds", .type = ArgType::kInteger, .token = "TIMEOUT", .flags = kArgOptional},
};
constexpr std::string_view kWaitTips[] = {"request_policy:all_shards", "response_policy:agg_min"};

constexpr CommandDoc ReplicaOfDoc(std::string_view since) {
  return {.summary = "Make the server a replica of another instance, or promote it as master.",
          .since = since,
          .group = "server",
          .complexity = "O(1)",
          .arguments = kReplicaOfArgs};
}

constexpr CommandDoc kSlaveOfDoc = [] {
  CommandDoc doc = ReplicaOfDoc("1.0.0");
  doc.deprecated_since = "5.0.0";
  doc.replaced_by = "`REPLICAOF`";
  return doc;
}();

constexpr CommandSpec kReplicationCommands[] = {
    {.name = "sync",
     .arity = 1,
     .flags = kAdmin | kNoScript | kNoAsyncLoading | kNoMulti,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &Sync,
     .doc = {.summary = "Internal command used for replication",
             .since = "1.0.0",
             .group = "server"}},
    {.name = "psync",
     .arity = -3,
     .flags = kAdmin | kNoScript | kNoAsyncLoading | kNoMulti,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &Sync,
     .doc = {.summary = "Internal command used for replication",
             .since = "2.8.0",
             .group = "server",
             .arguments = kPsyncArgs}},
    {.name = "replconf",
     .arity = -1,
     .flags = kAdmin | kNoScript | kLoading | kStale | kAllowBusy,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &ReplConf,
     .doc = {.summary = "An internal command for configuring the replication stream",
             .since = "3.0.0",
             .group = "server",
             .complexity = "O(1)",
             .syscmd = true}},
    {.name = "replicaof",
     .arity = 3,
     .flags = kAdmin | kNoScript | kStale | kNoAsyncLoading,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &ReplicaOf,
     .doc = ReplicaOfDoc("5.0.0")},
    {.name = "slaveof",
     .arity = 3,
     .flags = kAdmin | kNoScript | kStale | kNoAsyncLoading,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &ReplicaOf,
     .doc = kSlaveOfDoc},
    {.name = "role",
     .arity = 1,
     .flags = kNoScript | kLoading | kStale | kFast,
     .acl = kAclAdmin | kAclFast | kAclDangerous,
     .handler = &Role,
     .doc = {.summary = "Return the role of the instance in the context of replication",
             .since = "2.8.12",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "failover",
     .arity = -1,
     .flags = kAdmin | kNoScript | kStale,
     .acl = kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &Failover,
     .doc = {.summary = "Start a coordinated failover between this server and one of its replicas.",
             .since = "6.2.0",
             .group = "server",
             .complexity = "O(1)",
             .arguments = kFailoverArgs}},
    {.name = "wait",
     .arity = 3,
     .flags = kNoScript,
     .acl = kAclSlow | kAclConnection,
     .handler = &Wait,
     .doc = {.summary = "Wait for the synchronous replication of all the write commands sent in "
                        "the context of the current connection",
             .since = "3.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kWaitArgs},
     .tips = kWaitTips},
};

}  // namespace

std::span<const CommandSpec> ReplicationCommands() { return kReplicationCommands; }

}  // namespace magnetar::server
