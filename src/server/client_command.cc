// CLIENT: the calling connection's identity and reply mode, and the list of connected clients
// (LIST, INFO, KILL).
#include <fmt/format.h>

#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "info_metrics.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/clock.h"
#include "magnetar/common/numbers.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

constexpr std::string_view kNoSuchClient = "ERR No such client";
constexpr std::string_view kBadKillId = "ERR client-id should be greater than 0";

// The kinds of clients TYPE filters on: a replica (it sent SYNC or PSYNC), this server's link
// to its primary, a pub/sub client while it has a subscription, else a normal one.
enum class ClientType { kNormal, kReplica, kMaster, kPubSub };

std::optional<ClientType> ParseClientType(std::string_view name) {
  if (EqualsIgnoreCase(name, "normal")) return ClientType::kNormal;
  if (EqualsIgnoreCase(name, "slave") || EqualsIgnoreCase(name, "replica")) {
    return ClientType::kReplica;
  }
  if (EqualsIgnoreCase(name, "master")) return ClientType::kMaster;
  if (EqualsIgnoreCase(name, "pubsub")) return ClientType::kPubSub;
  return std::nullopt;
}

std::string UnknownTypeError(std::string_view name) {
  return fmt::format("ERR Unknown client type '{}'", name);
}

ClientType TypeOf(const Client& client) {
  if (client.is_primary_link) return ClientType::kMaster;
  if (client.replica != nullptr && client.replica->phase != ReplicaState::Phase::kHandshake) {
    return ClientType::kReplica;
  }
  return client.subscriptions.any() ? ClientType::kPubSub : ClientType::kNormal;
}

// Redis refuses names and library attributes with bytes outside '!'..'~', since CLIENT LIST
// separates fields with spaces and clients with newlines.
bool PrintableWord(std::string_view text) {
  for (char c : text) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

}  // namespace

std::string PeerAddress(Server& server, const Client& client) {
  const net::Connection& connection = client.connection();
  if (connection.is_unix()) return server.config().unixsocket + ":0";
  return connection.peer_address();
}

namespace {

// As PeerAddress: unix socket clients show the server's socket path with port 0.
std::string LocalAddress(Server& server, Client& client) {
  net::Connection& connection = client.connection();
  if (connection.is_unix()) return server.config().unixsocket + ":0";
  return connection.local_address();
}

// Client flags in Redis's letters. Of Redis's flags only these exist in Magnetar yet.
std::string FlagLetters(Client& client) {
  std::string flags;
  if (TypeOf(client) == ClientType::kReplica) flags += 'S';
  if (client.is_primary_link) flags += 'M';
  if (client.monitor) flags += 'O';
  if (client.subscriptions.any()) flags += 'P';
  if (client.transaction.active()) flags += 'x';
  if (client.connection().blocked()) flags += 'b';
  if (client.transaction.watch_failed()) flags += 'd';
  if (client.connection().closing()) flags += 'c';
  if (client.connection().is_unix()) flags += 'U';
  if (client.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  return flags;
}

// The command being run, which CLIENT LIST shows for the client that runs it.
struct RunningCommand {
  const Client* client;
  std::string_view name;
  uint64_t argv_bytes;
};

RunningCommand Running(ServerContext& ctx, std::string_view name) {
  uint64_t argv_bytes = 0;
  for (std::string_view arg : ctx.args) argv_bytes += arg.size();
  return {&ctx.client, name, argv_bytes};
}

// One client as a CLIENT LIST / CLIENT INFO line, with Redis 7.0's fields in its order, ending
// with "\n".
void AppendClientLine(std::string& out, Server& server, Client& client,
                      const RunningCommand& running) {
  net::Connection& connection = client.connection();
  const int64_t now = MonotonicUs();
  const bool is_running = &client == running.client;
  const uint64_t argv_bytes = is_running ? running.argv_bytes : 0;
  // The reply buffer holds replies not yet handed to the socket; the write buffer, the batch
  // being written. They stand for Redis's fixed reply buffer and its list of reply blocks.
  const size_t unsent = connection.reply().size();
  const size_t writing = connection.output_pending() - unsent;
  const size_t reply_capacity = connection.reply().buffer().capacity();
  fmt::format_to(
      std::back_inserter(out),
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} "
      "multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} "
      "omem={} tot-mem={} events={} cmd={} user=default redir=-1 resp={}\n",
      client.id(), PeerAddress(server, client), LocalAddress(server, client), connection.fd(),
      client.name, (now - client.created_us()) / 1'000'000,
      (now - connection.last_interaction_us()) / 1'000'000, FlagLetters(client), client.db_index,
      client.subscriptions.count(SubscriptionKind::kChannel),
      client.subscriptions.count(SubscriptionKind::kPattern),
      client.subscriptions.count(SubscriptionKind::kShardChannel),
      client.transaction.active() ? static_cast<int64_t>(client.transaction.queued_count()) : -1,
      connection.query_buffer_used(),
      connection.query_buffer_capacity() - connection.query_buffer_used(), argv_bytes,
      client.transaction.active() ? client.transaction.queued_bytes() : 0,
      // No peak is tracked for the reply buffer: the peak shown is its current size.
      reply_capacity, reply_capacity, unsent, writing > 0 ? 1 : 0, writing,
      ClientMemory(client, argv_bytes), writing > 0 ? "rw" : "r",
      is_running ? running.name : client.last_command,
      static_cast<int>(connection.reply().protocol()));
}

void ClientId(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(AsServer(ctx).client.id()));
}

void ClientSetName(CommandContext& ctx) {
  std::string_view name = ctx.args[2];
  if (!PrintableWord(name)) {
    return ctx.reply.Error(
        "ERR Client names cannot contain spaces, newlines or special characters.");
  }
  AsServer(ctx).client.name = name;
  ctx.reply.Ok();
}

void ClientGetName(CommandContext& ctx) {
  const std::string& name = AsServer(ctx).client.name;
  if (name.empty()) return ctx.reply.Null();
  ctx.reply.Bulk(name);
}

// CLIENT LIST [TYPE type | ID id [id ...]]
void ClientList(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  Server& server = sctx.server;
  const RunningCommand running = Running(sctx, "client|list");
  std::string text;
  if (ctx.args.size() == 4 && EqualsIgnoreCase(ctx.args[2], "type")) {
    std::optional<ClientType> type = ParseClientType(ctx.args[3]);
    if (!type) return ctx.reply.Error(UnknownTypeError(ctx.args[3]));
    for (const auto& [id, client] : server.clients()) {
      if (TypeOf(*client) == *type) AppendClientLine(text, server, *client, running);
    }
  } else if (ctx.args.size() > 3 && EqualsIgnoreCase(ctx.args[2], "id")) {
    // Listed in the order asked, repeats included; unknown ids are skipped.
    for (std::string_view arg : ctx.args.subspan(3)) {
      std::optional<int64_t> id = ParseInt64(arg);
      if (!id) return ctx.reply.Error("ERR Invalid client ID");
      auto it = server.clients().find(static_cast<uint64_t>(*id));
      if (it != server.clients().end()) AppendClientLine(text, server, *it->second, running);
    }
  } else if (ctx.args.size() != 2) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  } else {
    for (const auto& [id, client] : server.clients()) {
      AppendClientLine(text, server, *client, running);
    }
  }
  ctx.reply.Verbatim(text);
}

void ClientInfo(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  std::string text;
  AppendClientLine(text, sctx.server, sctx.client, Running(sctx, "client|info"));
  ctx.reply.Verbatim(text);
}

// Which clients CLIENT KILL closes; every filter given must match.
struct KillFilter {
  std::optional<uint64_t> id;
  std::optional<std::string_view> addr;
  std::optional<std::string_view> laddr;
  std::optional<ClientType> type;
  bool skip_me = true;
};

// Parses the `<filter> <value> ...` form. Returns the error reply text, or empty.
std::string ParseKillFilters(std::span<const std::string_view> args, KillFilter& filter) {
  for (size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) return std::string(ErrorText(OpStatus::kSyntaxError));
    std::string_view option = args[i], value = args[i + 1];
    if (EqualsIgnoreCase(option, "id")) {
      std::optional<int64_t> id = ParseInt64(value);
      if (!id || *id < 1) return std::string(kBadKillId);
      filter.id = static_cast<uint64_t>(*id);
    } else if (EqualsIgnoreCase(option, "type")) {
      filter.type = ParseClientType(value);
      if (!filter.type) return UnknownTypeError(value);
    } else if (EqualsIgnoreCase(option, "addr")) {
      filter.addr = value;
    } else if (EqualsIgnoreCase(option, "laddr")) {
      filter.laddr = value;
    } else if (EqualsIgnoreCase(option, "user")) {
      // "default" is the only user, and every client is authenticated as it.
      if (value != "default") return fmt::format("ERR No such user '{}'", value);
    } else if (EqualsIgnoreCase(option, "skipme") && EqualsIgnoreCase(value, "yes")) {
      filter.skip_me = true;
    } else if (EqualsIgnoreCase(option, "skipme") && EqualsIgnoreCase(value, "no")) {
      filter.skip_me = false;
    } else {
      return std::string(ErrorText(OpStatus::kSyntaxError));
    }
  }
  return {};
}

bool Matches(Server& server, Client& client, const Client& caller, const KillFilter& filter) {
  if (filter.addr && PeerAddress(server, client) != *filter.addr) return false;
  if (filter.laddr && LocalAddress(server, client) != *filter.laddr) return false;
  if (filter.type && TypeOf(client) != *filter.type) return false;
  if (filter.id && client.id() != *filter.id) return false;
  return !(filter.skip_me && &client == &caller);
}

// CLIENT KILL addr:port (the old form: replies OK, may kill the caller) or
// CLIENT KILL <filter> <value> ... (replies with the number killed; SKIPME defaults to yes).
void ClientKill(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  const bool old_form = ctx.args.size() == 3;
  KillFilter filter;
  if (old_form) {
    filter.addr = ctx.args[2];
    filter.skip_me = false;
  } else if (std::string error = ParseKillFilters(ctx.args, filter); !error.empty()) {
    return ctx.reply.Error(error);
  }
  // Collected first: closing a client removes it from the server's list.
  std::vector<Client*> victims;
  for (const auto& [id, client] : sctx.server.clients()) {
    if (Matches(sctx.server, *client, sctx.client, filter)) victims.push_back(client);
  }
  bool kill_me = false;
  for (Client* victim : victims) {
    if (victim == &sctx.client) {
      kill_me = true;
    } else {
      victim->connection().Close("");  // Redis does not log clients closed by CLIENT KILL
    }
  }
  if (!old_form) {
    ctx.reply.Integer(static_cast<int64_t>(victims.size()));
  } else if (victims.empty()) {
    ctx.reply.Error(kNoSuchClient);
  } else {
    ctx.reply.Ok();
  }
  // The caller gets its reply first, as from Redis.
  if (kill_me) sctx.client.connection().CloseAfterReply();
}

// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP have no reply of their own; the dispatcher drops the
// replies the mode says to drop.
void ClientReply(CommandContext& ctx) {
  Client& client = AsServer(ctx).client;
  std::string_view mode = ctx.args[2];
  if (EqualsIgnoreCase(mode, "on")) {
    client.reply_mode = ReplyMode::kOn;
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    client.reply_mode = ReplyMode::kOff;
  } else if (EqualsIgnoreCase(mode, "skip")) {
    // Skipping one reply means nothing while all replies are off.
    if (client.reply_mode != ReplyMode::kOff) client.reply_mode = ReplyMode::kSkipNext;
  } else {
    ctx.reply.Error(OpStatus::kSyntaxError);
  }
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; see docs/compatibility.md).
void ClientSetInfo(CommandContext& ctx) {
  Client& client = AsServer(ctx).client;
  std::string_view attribute = ctx.args[2], value = ctx.args[3];
  std::string* field = nullptr;
  if (EqualsIgnoreCase(attribute, "lib-name")) {
    field = &client.lib_name;
  } else if (EqualsIgnoreCase(attribute, "lib-ver")) {
    field = &client.lib_ver;
  } else {
    return ctx.reply.Error(fmt::format("ERR Unrecognized option '{}'", attribute));
  }
  if (!PrintableWord(value)) {
    return ctx.reply.Error(
        fmt::format("ERR {} cannot contain spaces, newlines or special characters.", attribute));
  }
  field->assign(value);
  ctx.reply.Ok();
}

void ClientNoEvict(CommandContext& ctx) {
  Client& client = AsServer(ctx).client;
  std::string_view mode = ctx.args[2];
  if (EqualsIgnoreCase(mode, "on")) {
    client.no_evict = true;
  } else if (EqualsIgnoreCase(mode, "off")) {
    client.no_evict = false;
  } else {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  ctx.reply.Ok();
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's block with its timeout reply, or an
// error. 1 when that client was blocked.
void ClientUnblock(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  std::optional<int64_t> id = ParseInt64(ctx.args[2]);
  if (!id) return ctx.reply.Error(OpStatus::kNotInteger);
  bool error = false;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "error")) {
      error = true;
    } else if (!EqualsIgnoreCase(ctx.args[3], "timeout")) {
      return ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  } else if (ctx.args.size() > 4) {
    return ctx.reply.Error(SubcommandSyntaxError("CLIENT", ctx.args[1]));
  }
  auto it = sctx.server.clients().find(static_cast<uint64_t>(*id));
  bool unblocked =
      it != sctx.server.clients().end() && sctx.server.blocking().Unblock(*it->second, error);
  ctx.reply.Integer(unblocked ? 1 : 0);
}

// Redis 7.0's help lines for the subcommands Magnetar implements, plus SETINFO's from Redis 7.2.
constexpr std::string_view kClientHelp[] = {
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
};

void ClientHelp(CommandContext& ctx) {
  ctx.reply.Array(std::size(kClientHelp));
  for (std::string_view line : kClientHelp) ctx.reply.SimpleString(line);
}

constexpr HistoryEntry kClientKillHistory[] = {
    {"2.8.12", "Added new filter format."},
    {"2.8.12", "`ID` option."},
    {"3.2.0", "Added `master` type in for `TYPE` option."},
    {"5.0.0",
     "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."},
    {"6.2.0", "`LADDR` option."},
};
constexpr ArgDoc kClientKillFilterNewFormatNormalMasterSlavePubsubArgs[] = {
    {.name = "normal", .type = ArgType::kPureToken, .token = "NORMAL"},
    {.name = "master", .type = ArgType::kPureToken, .token = "MASTER", .since = "3.2.0"},
    {.name = "slave", .type = ArgType::kPureToken, .token = "SLAVE"},
    {.name = "replica", .type = ArgType::kPureToken, .token = "REPLICA", .since = "5.0.0"},
    {.name = "pubsub", .type = ArgType::kPureToken, .token = "PUBSUB"},
};
constexpr ArgDoc kClientKillFilterNewFormatArgs[] = {
    {.name = "client-id",
     .type = ArgType::kInteger,
     .token = "ID",
     .since = "2.8.12",
     .flags = kArgOptional},
    {.name = "normal_master_slave_pubsub",
     .type = ArgType::kOneOf,
     .token = "TYPE",
     .since = "2.8.12",
     .flags = kArgOptional,
     .arguments = kClientKillFilterNewFormatNormalMasterSlavePubsubArgs},
    {.name = "username", .type = ArgType::kString, .token = "USER", .flags = kArgOptional},
    {.name = "ip:port", .type = ArgType::kString, .token = "ADDR", .flags = kArgOptional},
    {.name = "ip:port",
     .type = ArgType::kString,
     .token = "LADDR",
     .since = "6.2.0",
     .flags = kArgOptional},
    {.name = "yes/no", .type = ArgType::kString, .token = "SKIPME", .flags = kArgOptional},
};
constexpr ArgDoc kClientKillFilterArgs[] = {
    {.name = "ip:port", .type = ArgType::kString, .deprecated_since = "2.8.12"},
    {.name = "new-format",
     .type = ArgType::kOneOf,
     .flags = kArgMultiple,
     .arguments = kClientKillFilterNewFormatArgs},
};
constexpr ArgDoc kClientKillArgs[] = {
    {.name = "filter", .type = ArgType::kOneOf, .arguments = kClientKillFilterArgs},
};
constexpr ArgDoc kClientSetnameArgs[] = {
    {.name = "connection-name", .type = ArgType::kString},
};
constexpr ArgDoc kClientNoEvictEnabledArgs[] = {
    {.name = "on", .type = ArgType::kPureToken, .token = "ON"},
    {.name = "off", .type = ArgType::kPureToken, .token = "OFF"},
};
constexpr ArgDoc kClientNoEvictArgs[] = {
    {.name = "enabled", .type = ArgType::kOneOf, .arguments = kClientNoEvictEnabledArgs},
};
constexpr HistoryEntry kClientListHistory[] = {
    {"2.8.12", "Added unique client `id` field."},
    {"5.0.0", "Added optional `TYPE` filter."},
    {"6.0.0", "Added `user` field."},
    {"6.2.0",
     "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."},
    {"7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."},
    {"7.0.3", "Added `ssub` field."},
};
constexpr ArgDoc kClientListNormalMasterReplicaPubsubArgs[] = {
    {.name = "normal", .type = ArgType::kPureToken, .token = "NORMAL"},
    {.name = "master", .type = ArgType::kPureToken, .token = "MASTER"},
    {.name = "replica", .type = ArgType::kPureToken, .token = "REPLICA"},
    {.name = "pubsub", .type = ArgType::kPureToken, .token = "PUBSUB"},
};
constexpr ArgDoc kClientListIdArgs[] = {
    {.name = "client-id", .type = ArgType::kInteger, .flags = kArgMultiple},
};
constexpr ArgDoc kClientListArgs[] = {
    {.name = "normal_master_replica_pubsub",
     .type = ArgType::kOneOf,
     .token = "TYPE",
     .since = "5.0.0",
     .flags = kArgOptional,
     .arguments = kClientListNormalMasterReplicaPubsubArgs},
    {.name = "id",
     .type = ArgType::kBlock,
     .token = "ID",
     .since = "6.2.0",
     .flags = kArgOptional,
     .arguments = kClientListIdArgs},
};
constexpr ArgDoc kClientReplyOnOffSkipArgs[] = {
    {.name = "on", .type = ArgType::kPureToken, .token = "ON"},
    {.name = "off", .type = ArgType::kPureToken, .token = "OFF"},
    {.name = "skip", .type = ArgType::kPureToken, .token = "SKIP"},
};
constexpr ArgDoc kClientReplyArgs[] = {
    {.name = "on_off_skip", .type = ArgType::kOneOf, .arguments = kClientReplyOnOffSkipArgs},
};
constexpr ArgDoc kClientSetinfoAttrArgs[] = {
    {.name = "libname", .type = ArgType::kString, .token = "lib-name"},
    {.name = "libver", .type = ArgType::kString, .token = "lib-ver"},
};
constexpr ArgDoc kClientSetinfoArgs[] = {
    {.name = "attr", .type = ArgType::kOneOf, .arguments = kClientSetinfoAttrArgs},
};

constexpr uint32_t kSubFlags = kNoScript | kLoading | kStale;
constexpr uint32_t kSubAcl = kAclSlow | kAclConnection;
constexpr ArgDoc kClientUnblockReasons[] = {
    {.name = "timeout", .type = ArgType::kPureToken, .token = "TIMEOUT"},
    {.name = "error", .type = ArgType::kPureToken, .token = "ERROR"},
};
constexpr ArgDoc kClientUnblockArgs[] = {
    {.name = "client-id", .type = ArgType::kInteger},
    {.name = "timeout_error",
     .type = ArgType::kOneOf,
     .flags = kArgOptional,
     .arguments = kClientUnblockReasons},
};
constexpr uint32_t kAdminSubFlags = kAdmin | kSubFlags;
constexpr uint32_t kAdminSubAcl = kAclAdmin | kAclSlow | kAclDangerous | kAclConnection;
constexpr std::string_view kNondeterministic[] = {"nondeterministic_output"};

constexpr CommandSpec kClientSubcommands[] = {
    {.name = "client|id",
     .arity = 2,
     .flags = kSubFlags,
     .acl = kSubAcl,
     .handler = &ClientId,
     .doc = {.summary = "Returns the client ID for the current connection",
             .since = "5.0.0",
             .group = "connection",
             .complexity = "O(1)"}},
    {.name = "client|setname",
     .arity = 3,
     .flags = kSubFlags,
     .acl = kSubAcl,
     .handler = &ClientSetName,
     .doc = {.summary = "Set the current connection name",
             .since = "2.6.9",
             .group = "connection",
             .complexity = "O(1)",
             .arguments = kClientSetnameArgs}},
    {.name = "client|getname",
     .arity = 2,
     .flags = kSubFlags,
     .acl = kSubAcl,
     .handler = &ClientGetName,
     .doc = {.summary = "Get the current connection name",
             .since = "2.6.9",
             .group = "connection",
             .complexity = "O(1)"}},
    {.name = "client|list",
     .arity = -2,
     .flags = kAdminSubFlags,
     .acl = kAdminSubAcl,
     .handler = &ClientList,
     .doc = {.summary = "Get the list of client connections",
             .since = "2.4.0",
             .group = "connection",
             .complexity = "O(N) where N is the number of client connections",
             .history = kClientListHistory,
             .arguments = kClientListArgs},
     .tips = kNondeterministic},
    {.name = "client|info",
     .arity = 2,
     .flags = kSubFlags,
     .acl = kSubAcl,
     .handler = &ClientInfo,
     .doc = {.summary = "Returns information about the current client connection.",
             .since = "6.2.0",
             .group = "connection",
             .complexity = "O(1)"},
     .tips = kNondeterministic},
    {.name = "client|kill",
     .arity = -3,
     .flags = kAdminSubFlags,
     .acl = kAdminSubAcl,
     .handler = &ClientKill,
     .doc = {.summary = "Kill the connection of a client",
             .since = "2.4.0",
             .group = "connection",
             .complexity = "O(N) where N is the number of client connections",
             .history = kClientKillHistory,
             .arguments = kClientKillArgs}},
    {.name = "client|reply",
     .arity = 3,
     .flags = kSubFlags,
     .acl = kSubAcl,
     .handler = &ClientReply,
     .doc = {.summary = "Instruct the server whether to reply to commands",
             .since = "3.2.0",
             .group = "connection",
             .complexity = "O(1)",
             .arguments = kClientReplyArgs}},
    {.name = "client|setinfo",
     .arity = 4,
     .flags = kSubFlags,
     .acl = kSubAcl,
     .handler = &ClientSetInfo,
     .doc = {.summary = "Sets information specific to the client or connection.",
             .since = "7.2.0",
             .group = "connection",
             .complexity = "O(1)",
             .arguments = kClientSetinfoArgs}},
    {.name = "client|no-evict",
     .arity = 3,
     .flags = kAdminSubFlags,
     .acl = kAdminSubAcl,
     .handler = &ClientNoEvict,
     .doc = {.summary = "Set client eviction mode for the current connection",
             .since = "7.0.0",
             .group = "connection",
             .complexity = "O(1)",
             .arguments = kClientNoEvictArgs}},
    {.name = "client|unblock",
     .arity = -3,
     .flags = kAdminSubFlags,
     .acl = kAdminSubAcl,
     .handler = &ClientUnblock,
     .doc = {.summary =
                 "Unblock a client blocked in a blocking command from a different connection",
             .since = "5.0.0",
             .group = "connection",
             .complexity = "O(log N) where N is the number of client connections",
             .arguments = kClientUnblockArgs}},
    {.name = "client|help",
     .arity = 2,
     .flags = kLoading | kStale,
     .acl = kSubAcl,
     .handler = &ClientHelp,
     .doc = {.summary = "Show helpful text about the different subcommands",
             .since = "5.0.0",
             .group = "connection",
             .complexity = "O(1)"}},
};

constexpr CommandSpec kClientCommands[] = {
    {.name = "client",
     .arity = -2,
     .flags = 0,
     .acl = kAclSlow,
     .doc = {.summary = "A container for client connection commands",
             .since = "2.4.0",
             .group = "connection",
             .complexity = "Depends on subcommand."},
     .subcommands = kClientSubcommands},
};

}  // namespace

std::span<const CommandSpec> ClientCommands() { return kClientCommands; }

}  // namespace magnetar::server
