// Commands about the calling connection: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT.
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "magnetar/server/version.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

void Ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    return ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
  }
  // A subscribed RESP2 client reads PING's reply among messages, so it comes in their shape.
  if (AsServer(ctx).client.subscriptions.any() && !ctx.reply.resp3()) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    return ctx.reply.Bulk(ctx.args.size() == 2 ? ctx.args[1] : "");
  }
  if (ctx.args.size() == 2) return ctx.reply.Bulk(ctx.args[1]);
  ctx.reply.SimpleString("PONG");
}

void Echo(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void Quit(CommandContext& ctx) {
  ctx.reply.Ok();
  AsServer(ctx).client.connection().CloseAfterReply();
}

// Checks a password for `user` against requirepass. The only user is "default"; without a
// requirepass it accepts any password, as Redis's nopass default user does.
OpStatus CheckPassword(const Config& config, std::string_view user, std::string_view password) {
  if (user != "default") return OpStatus::kWrongPass;
  if (!config.requirepass.empty() && password != config.requirepass) return OpStatus::kWrongPass;
  return OpStatus::kOk;
}

void Authenticate(Client& client) {
  client.authenticated = true;
  client.connection().parser().set_auth_required(false);
}

void Auth(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  if (ctx.args.size() > 3) return ctx.reply.Error(OpStatus::kSyntaxError);
  const Config& config = sctx.server.config();
  if (ctx.args.size() == 2 && config.requirepass.empty()) {
    return ctx.reply.Error(OpStatus::kAuthNotConfigured);
  }
  std::string_view user = ctx.args.size() == 3 ? ctx.args[1] : "default";
  OpStatus status = CheckPassword(config, user, ctx.args.back());
  if (status != OpStatus::kOk) return ctx.reply.Error(status);
  Authenticate(sctx.client);
  ctx.reply.Ok();
}

// Redis refuses client names with spaces, newlines or other characters outside '!'..'~'.
bool ValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

void Hello(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  Client& client = sctx.client;
  resp::Protocol protocol = ctx.reply.protocol();
  size_t i = 1;
  if (ctx.args.size() >= 2) {
    auto version = ParseInt64(ctx.args[1]);
    if (!version) {
      return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    }
    if (*version < 2 || *version > 3) return ctx.reply.Error(OpStatus::kNoProto);
    protocol = *version == 3 ? resp::Protocol::kResp3 : resp::Protocol::kResp2;
    i = 2;
  }
  std::string_view user, password, name;
  bool has_auth = false, has_name = false;
  for (; i < ctx.args.size(); ++i) {
    size_t left = ctx.args.size() - i - 1;
    if (EqualsIgnoreCase(ctx.args[i], "auth") && left >= 2) {
      has_auth = true;
      user = ctx.args[i + 1];
      password = ctx.args[i + 2];
      i += 2;
    } else if (EqualsIgnoreCase(ctx.args[i], "setname") && left >= 1) {
      has_name = true;
      name = ctx.args[++i];
    } else {
      return ctx.reply.Error(
          std::string("ERR Syntax error in HELLO option '").append(ctx.args[i]).append("'"));
    }
  }
  if (has_auth) {
    OpStatus status = CheckPassword(sctx.server.config(), user, password);
    if (status != OpStatus::kOk) return ctx.reply.Error(status);
    Authenticate(client);
  }
  if (!client.authenticated) {
    return ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
  }
  if (has_name) {
    if (!ValidClientName(name)) {
      return ctx.reply.Error(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
    client.name = name;
  }
  ctx.reply.set_protocol(protocol);
  ctx.reply.Map(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk(kRedisVersion);
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(static_cast<int>(protocol));
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(client.id()));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.Array(0);
}

void Reset(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  Client& client = sctx.client;
  DiscardTransaction(sctx.server, client);
  sctx.server.pubsub().Forget(client);  // silently: no unsubscribe replies
  if (client.monitor) sctx.server.monitors().Remove(client);
  client.db_index = 0;
  client.name.clear();
  client.reply_mode = ReplyMode::kOn;
  client.no_evict = false;
  client.authenticated = sctx.server.config().requirepass.empty();
  client.connection().parser().set_auth_required(!client.authenticated);
  ctx.reply.set_protocol(resp::Protocol::kResp2);
  ctx.reply.SimpleString("RESET");
}

void Select(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  auto index = ParseInt64(ctx.args[1]);
  if (!index || *index < INT32_MIN || *index > INT32_MAX) {
    return ctx.reply.Error(OpStatus::kNotInteger);
  }
  if (*index < 0 || *index >= static_cast<int64_t>(ctx.keyspace.database_count())) {
    return ctx.reply.Error(OpStatus::kDbIndexOutOfRange);
  }
  sctx.client.db_index = static_cast<size_t>(*index);
  ctx.reply.Ok();
}

constexpr uint32_t kConnectionAcl = kAclFast | kAclConnection;
// Commands a client may send before authenticating, and during loading or a busy script.
constexpr uint32_t kHandshakeFlags = kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy;

constexpr ArgDoc kPingArgs[] = {
    {.name = "message", .type = ArgType::kString, .flags = kArgOptional},
};
constexpr std::string_view kPingTips[] = {"request_policy:all_shards",
                                          "response_policy:all_succeeded"};
constexpr ArgDoc kEchoArgs[] = {
    {.name = "message", .type = ArgType::kString},
};
constexpr HistoryEntry kHelloHistory[] = {
    {"6.2.0",
     "`protover` made optional; when called without arguments the command reports the current "
     "connection's context."},
};
constexpr ArgDoc kHelloAuthArgs[] = {
    {.name = "username", .type = ArgType::kString},
    {.name = "password", .type = ArgType::kString},
};
constexpr ArgDoc kHelloOptionArgs[] = {
    {.name = "protover", .type = ArgType::kInteger},
    {.name = "username_password",
     .type = ArgType::kBlock,
     .token = "AUTH",
     .flags = kArgOptional,
     .arguments = kHelloAuthArgs},
    {.name = "clientname", .type = ArgType::kString, .token = "SETNAME", .flags = kArgOptional},
};
constexpr ArgDoc kHelloArgs[] = {
    {.name = "arguments",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kHelloOptionArgs},
};
constexpr HistoryEntry kAuthHistory[] = {
    {"6.0.0", "Added ACL style (username and password)."},
};
constexpr ArgDoc kAuthArgs[] = {
    {.name = "username", .type = ArgType::kString, .since = "6.0.0", .flags = kArgOptional},
    {.name = "password", .type = ArgType::kString},
};
constexpr ArgDoc kSelectArgs[] = {
    {.name = "index", .type = ArgType::kInteger},
};

constexpr CommandSpec kConnectionCommands[] = {
    {.name = "ping",
     .arity = -1,
     .flags = kFast,
     .acl = kConnectionAcl,
     .handler = &Ping,
     .doc = {.summary = "Ping the server",
             .since = "1.0.0",
             .group = "connection",
             .complexity = "O(1)",
             .arguments = kPingArgs},
     .tips = kPingTips},
    {.name = "echo",
     .arity = 2,
     .flags = kLoading | kStale | kFast,
     .acl = kConnectionAcl,
     .handler = &Echo,
     .doc = {.summary = "Echo the given string",
             .since = "1.0.0",
             .group = "connection",
             .complexity = "O(1)",
             .arguments = kEchoArgs}},
    {.name = "quit",
     .arity = -1,
     .flags = kHandshakeFlags,
     .acl = kConnectionAcl,
     .handler = &Quit,
     .doc = {.summary = "Close the connection",
             .since = "1.0.0",
             .group = "connection",
             .complexity = "O(1)"}},
    {.name = "reset",
     .arity = 1,
     .flags = kHandshakeFlags,
     .acl = kConnectionAcl,
     .handler = &Reset,
     .doc = {.summary = "Reset the connection",
             .since = "6.2.0",
             .group = "connection",
             .complexity = "O(1)"}},
    {.name = "hello",
     .arity = -1,
     .flags = kHandshakeFlags,
     .acl = kConnectionAcl,
     .handler = &Hello,
     .doc = {.summary = "Handshake with Redis",
             .since = "6.0.0",
             .group = "connection",
             .complexity = "O(1)",
             .history = kHelloHistory,
             .arguments = kHelloArgs}},
    {.name = "auth",
     .arity = -2,
     .flags = kHandshakeFlags,
     .acl = kConnectionAcl,
     .handler = &Auth,
     .doc = {.summary = "Authenticate to the server",
             .since = "1.0.0",
             .group = "connection",
             .complexity = "O(N) where N is the number of passwords defined for the user",
             .history = kAuthHistory,
             .arguments = kAuthArgs}},
    {.name = "select",
     .arity = 2,
     .flags = kLoading | kStale | kFast,
     .acl = kConnectionAcl,
     .handler = &Select,
     .doc = {.summary = "Change the selected database for the current connection",
             .since = "1.0.0",
             .group = "connection",
             .complexity = "O(1)",
             .arguments = kSelectArgs}},
};

}  // namespace

std::span<const CommandSpec> ConnectionCommands() { return kConnectionCommands; }

}  // namespace magnetar::server
