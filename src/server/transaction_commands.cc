// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The dispatcher queues a client's commands
// between MULTI and EXEC (transaction.h); EXEC runs them back to back as one execution unit, so
// their writes propagate together (wrapped in MULTI/EXEC when there is more than one).
#include "dispatcher.h"
#include "magnetar/commands/command_registry.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {

void DiscardTransaction(Server& server, Client& client) {
  client.transaction.Reset();
  server.watched_keys().UnwatchAll(client);
}

namespace {

using namespace commands;

void Multi(CommandContext& ctx) {
  Transaction& transaction = AsServer(ctx).client.transaction;
  if (transaction.active()) return ctx.reply.Error("ERR MULTI calls can not be nested");
  transaction.Begin();
  ctx.reply.Ok();
}

void Exec(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  Server& server = sctx.server;
  Client& client = sctx.client;
  Transaction& transaction = client.transaction;
  if (!transaction.active()) return ctx.reply.Error("ERR EXEC without MULTI");
  // EXEC's own change of the dirty counter is its commands': they propagate themselves.
  ctx.propagate().Prevent();
  if (server.watched_keys().AnyExpiredSinceWatch(client, server.keyspace())) {
    transaction.FailWatch();
  }
  if (transaction.aborted() || transaction.watch_failed()) {
    transaction.aborted()
        ? ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.")
        : ctx.reply.NullArray();
    return DiscardTransaction(server, client);
  }
  server.watched_keys().UnwatchAll(client);
  ctx.reply.Array(transaction.queued_count());
  int64_t now_us = MonotonicUs();
  transaction.ForEach([&](RegisteredCommand* command, std::span<const std::string_view> args) {
    now_us = Call(server, client, *command, args, now_us);
  });
  DiscardTransaction(server, client);
}

void Discard(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  if (!sctx.client.transaction.active()) return ctx.reply.Error("ERR DISCARD without MULTI");
  DiscardTransaction(sctx.server, sctx.client);
  ctx.reply.Ok();
}

void Watch(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  if (sctx.client.transaction.active()) {
    return ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    sctx.server.watched_keys().Watch(sctx.client, ctx.db_index, ctx.args[i], ctx.keyspace);
  }
  ctx.reply.Ok();
}

void Unwatch(CommandContext& ctx) {
  ServerContext& sctx = AsServer(ctx);
  sctx.server.watched_keys().UnwatchAll(sctx.client);
  // A failed WATCH is forgotten with the keys (Redis clears CLIENT_DIRTY_CAS here).
  if (!sctx.client.transaction.active()) sctx.client.transaction.Reset();
  ctx.reply.Ok();
}

constexpr uint32_t kTransactionFlags = kNoScript | kLoading | kStale | kFast | kAllowBusy;
constexpr uint32_t kTransactionAcl = kAclFast | kAclTransaction;

constexpr KeySpec kWatchKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(1), .find_keys = KeyRange(-1, 1, 0)}};
constexpr ArgDoc kWatchArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple}};

constexpr CommandSpec kTransactionCommands[] = {
    {.name = "multi",
     .arity = 1,
     .flags = kTransactionFlags,
     .acl = kTransactionAcl,
     .handler = &Multi,
     .doc = {.summary = "Mark the start of a transaction block",
             .since = "1.2.0",
             .group = "transactions",
             .complexity = "O(1)"}},
    {.name = "exec",
     .arity = 1,
     .flags = kNoScript | kLoading | kStale | kSkipSlowlog,
     .acl = kAclSlow | kAclTransaction,
     .handler = &Exec,
     .doc = {.summary = "Execute all commands issued after MULTI",
             .since = "1.2.0",
             .group = "transactions",
             .complexity = "Depends on commands in the transaction"}},
    {.name = "discard",
     .arity = 1,
     .flags = kTransactionFlags,
     .acl = kTransactionAcl,
     .handler = &Discard,
     .doc = {.summary = "Discard all commands issued after MULTI",
             .since = "2.0.0",
             .group = "transactions",
             .complexity = "O(N), when N is the number of queued commands"}},
    {.name = "watch",
     .arity = -2,
     .flags = kTransactionFlags,
     .acl = kTransactionAcl,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &Watch,
     .doc = {.summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
             .since = "2.2.0",
             .group = "transactions",
             .complexity = "O(1) for every key.",
             .arguments = kWatchArgs},
     .key_specs = kWatchKeySpecs},
    {.name = "unwatch",
     .arity = 1,
     .flags = kTransactionFlags,
     .acl = kTransactionAcl,
     .handler = &Unwatch,
     .doc = {.summary = "Forget about all watched keys",
             .since = "2.2.0",
             .group = "transactions",
             .complexity = "O(1)"}},
};

}  // namespace

std::span<const CommandSpec> TransactionCommands() { return kTransactionCommands; }

}  // namespace magnetar::server
