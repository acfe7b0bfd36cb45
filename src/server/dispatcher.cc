#include "dispatcher.h"

#include <fmt/format.h>

#include <cctype>

#include "error_stats.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "memory_admission.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using commands::CommandSpec;
using commands::RegisteredCommand;

// Redis formats these errors with C string conversions, so a quoted argument ends at its first
// NUL byte as well as at the length limit.
std::string_view Quotable(std::string_view arg, size_t limit) {
  return arg.substr(0, std::min(arg.find('\0'), limit));
}

// Redis quotes at most 128 bytes of the name and of the arguments together.
std::string UnknownCommandError(std::span<const std::string_view> args) {
  std::string quoted;
  for (size_t i = 1; i < args.size() && quoted.size() < 128; ++i) {
    fmt::format_to(std::back_inserter(quoted), "'{}' ", Quotable(args[i], 128 - quoted.size()));
  }
  return fmt::format("ERR unknown command '{}', with args beginning with: {}",
                     Quotable(args[0], 128), quoted);
}

std::string UnknownSubcommandError(const CommandSpec& parent, std::string_view sub) {
  std::string upper(parent.name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format("ERR unknown subcommand '{}'. Try {} HELP.", Quotable(sub, 128), upper);
}

bool ArityOk(const CommandSpec& spec, size_t argc) {
  return spec.arity >= 0 ? argc == static_cast<size_t>(spec.arity)
                         : argc >= static_cast<size_t>(-spec.arity);
}

// A replica's refusals (Redis's texts): writes from clients, and with the link down and
// replica-serve-stale-data off, everything but the commands flagged stale.
std::string ReplicaRefusal(Server& server, const CommandSpec& spec) {
  const Config& config = server.config();
  if (config.replica_read_only && (spec.flags & commands::kWrite)) {
    return "READONLY You can't write against a read only replica.";
  }
  if (!config.replica_serve_stale_data && !(spec.flags & commands::kStale) &&
      !server.replication().link_up()) {
    return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
  }
  return {};
}

// Returns the refusal text for a command the client may not run now, or empty.
std::string Admission(Server& server, Client& client, const CommandSpec& spec) {
  // The primary's stream is applied as sent: a replica refuses it nothing; nor the AOF's.
  if (client.is_primary_link || client.replays_aof) return {};
  if (!client.authenticated && !(spec.flags & commands::kNoAuth)) {
    return std::string(ErrorText(OpStatus::kNoAuth));
  }
  if (spec.flags & commands::kProtected) {
    ProtectedAccess access = server.config().enable_debug_command;
    if (access == ProtectedAccess::kNo ||
        (access == ProtectedAccess::kLocal && !client.connection().is_local())) {
      return fmt::format(
          "ERR {} command not allowed. If the enable-debug-command option is set to \"local\", "
          "you can run it from a local connection, otherwise you need to set this option in the "
          "configuration file, and then restart the server.",
          "DEBUG");
    }
  }
  if (server.rdb_saver().load_progress().loading && !(spec.flags & commands::kLoading)) {
    return "LOADING Redis is loading the dataset in memory";
  }
  // A failed save with stop-writes-on-bgsave-error: writes (and PING, as in Redis) are refused
  // until a save succeeds.
  if (((spec.flags & commands::kWrite) || spec.name == "ping") &&
      server.rdb_saver().RefusesWrites()) {
    return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.";
  }
  // So is a failed AOF write, until one succeeds.
  if (((spec.flags & commands::kWrite) || spec.name == "ping") && server.aof().RefusesWrites()) {
    return server.aof().WriteErrorText();
  }
  if (server.replication().is_replica()) {
    std::string refusal = ReplicaRefusal(server, spec);
    if (!refusal.empty()) return refusal;
  } else if ((spec.flags & commands::kWrite) && server.replication().RefusesWrites()) {
    return "NOREPLICAS Not enough good replicas to write.";
  }
  // RESP2 has no way to tell a message from a reply, so a subscribed client may only manage its
  // subscriptions (RESP3 clients are free: messages are pushes).
  if (client.subscriptions.any() && !client.reply().resp3() && !AllowedWhileSubscribed(spec.name)) {
    return SubscribedModeError(spec.name);
  }
  // A monitor is a replica to Redis, which keeps it off the keyspace.
  if (client.monitor &&
      (spec.flags & (commands::kWrite | commands::kReadOnly | commands::kMayReplicate))) {
    return "ERR Replica can't interact with the keyspace";
  }
  return {};
}

}  // namespace

bool PrefetchKeys(Server& server, const Client& client, std::span<const std::string_view> args,
                  bool queued) {
  // A queued command touches no key before EXEC, which hashes its keys again: prefetching it would
  // cost a name lookup and a SipHash per key for a hint that comes too early. Only the names that
  // end the transaction matter here, and they are told apart without a lookup.
  if (queued) {
    return !commands::EqualsIgnoreCase(args[0], "exec") &&
           !commands::EqualsIgnoreCase(args[0], "discard") &&
           !commands::EqualsIgnoreCase(args[0], "reset");
  }
  const RegisteredCommand* command = server.registry().Find(args[0]);
  if (!command) return false;
  const CommandSpec& spec = *command->spec;
  if (spec.name == "multi") return true;
  if (spec.first_key <= 0 || !ArityOk(spec, args.size())) return false;
  auto argc = static_cast<int>(args.size());
  int last = spec.last_key < 0 ? argc + spec.last_key : std::min(spec.last_key, argc - 1);
  const engine::Database& db = server.keyspace().db(client.db_index);
  for (int i = spec.first_key; i <= last && i < argc; i += std::max(spec.key_step, 1)) {
    db.Prefetch(args[i]);
  }
  return false;
}

namespace {

// The commands a client in MULTI runs at once instead of queueing (Redis's list).
bool RunsInsideMulti(const CommandSpec& spec) {
  std::string_view name = spec.name;
  return name == "exec" || name == "discard" || name == "multi" || name == "watch" ||
         name == "quit" || name == "reset";
}

// Finds the command (or subcommand) `args` names and checks it may run now. Returns the refusal
// text, empty when it may; `command` is set whenever the name was found.
std::string Resolve(Server& server, Client& client, std::span<const std::string_view> args,
                    RegisteredCommand*& command) {
  command = server.registry().Find(args[0]);
  if (!command) return UnknownCommandError(args);
  if (!command->spec->subcommands.empty() && args.size() >= 2) {
    RegisteredCommand* sub = server.registry().FindSubcommand(*command, args[1]);
    if (!sub) return UnknownSubcommandError(*command->spec, args[1]);
    command = sub;
  }
  if (!ArityOk(*command->spec, args.size())) {
    return fmt::format("ERR wrong number of arguments for '{}' command", command->spec->name);
  }
  std::string refusal = Admission(server, client, *command->spec);
  if (refusal.empty() && client.transaction.active() &&
      (command->spec->flags & commands::kNoMulti)) {
    refusal = "ERR Command not allowed inside a transaction";
  }
  if (refusal.empty() && server.config().maxmemory != 0 && !client.is_primary_link) {
    refusal = OutOfMemoryRefusal(server, client, *command->spec);
  }
  return refusal;
}

// While a FAILOVER hands the primary role over, clients' writes (and EXEC, which may write) wait,
// so that the target can catch up with every one of them.
bool HeldByFailover(Server& server, const Client& client, const CommandSpec& spec) {
  if (!server.replication().writes_paused() || client.is_primary_link ||
      client.replica != nullptr) {
    return false;
  }
  if (client.transaction.active()) return spec.name == "exec";
  return (spec.flags & commands::kWrite) != 0;
}

// Redis 7.0's expireIfNeeded: only the primary decides that a key is gone. The primary's stream
// and the AOF being replayed see a key past its deadline as live (a PERSIST sent before the
// deadline may arrive after it); a replica's clients read it as missing but leave it for the
// primary's DEL, and a writable replica's writes delete it.
engine::LazyExpiry LazyExpiryFor(Server& server, const Client& client, const CommandSpec& spec) {
  if (client.is_primary_link || client.replays_aof) return engine::LazyExpiry::kKeep;
  if (!server.replication().is_replica() || (spec.flags & commands::kWrite)) {
    return engine::LazyExpiry::kDelete;
  }
  return engine::LazyExpiry::kHide;
}

}  // namespace

int64_t Call(Server& server, Client& client, RegisteredCommand& command,
             std::span<const std::string_view> args, int64_t start_us) {
  resp::ReplyBuilder& reply = client.reply();
  const size_t mark = reply.size();
  const CommandSpec& spec = *command.spec;
  engine::Keyspace& keyspace = server.keyspace();
  const size_t db = client.db_index;
  const uint64_t dirty_before = keyspace.dirty();
  commands::Propagation propagation(server.propagator().active());
  ServerContext ctx{{args, reply, keyspace, db, server.clock(),
                     static_cast<uint64_t>(server.config().proto_max_bulk_len), &propagation},
                    server,
                    client};
  ctx.lazyfree = {server.config().lazyfree_lazy_user_del, server.config().lazyfree_lazy_expire};
  ctx.dump = {server.config().rdbcompression,
              server.config().sanitize_dump_payload != SanitizeDumpPayload::kNo};
  Blocking::ClientBlocker blocker(server.blocking(), client, command, args, db);
  ctx.blocker = &blocker;
  const bool froze_time = keyspace.FreezeTime(start_us);
  keyspace.set_lazy_expiry(LazyExpiryFor(server, client, spec));
  spec.handler(ctx);
  if (froze_time) keyspace.UnfreezeTime();
  const int64_t end = MonotonicUs();
  const int64_t duration = end - start_us;
  command.stats.usec += static_cast<uint64_t>(duration);
  // One comparison when the command was fast: a threshold of -1 (log nothing) becomes the largest
  // unsigned value, which no duration reaches.
  if (static_cast<uint64_t>(duration) >=
      static_cast<uint64_t>(server.config().slowlog_log_slower_than)) [[unlikely]] {
    LogSlowCommand(server, client, spec, args, duration, end);
  }
  AddLatencySampleIfNeeded(server.latency_monitor(), server.config().latency_monitor_threshold,
                           (spec.flags & commands::kFast) ? "fast-command" : "command",
                           duration / 1000, server.clock());
  if (!server.monitors().empty()) [[unlikely]] {
    server.monitors().Feed(server, client, spec, args, client.db_index, end);
  }
  ++command.stats.calls;
  if (server.config().latency_tracking) command.stats.RecordLatency(duration);
  ++server.stats().total_commands_processed;
  if (reply.size() > mark && reply.buffer()[mark] == '-') {
    ++command.stats.failed_calls;
    ++server.stats().total_error_replies;
    CountErrorReply(server.stats(), std::string_view(reply.buffer()).substr(mark + 1));
  }
  client.last_command = spec.name;

  Propagator& propagator = server.propagator();
  if (!propagator.active()) return end;
  for (const commands::Propagation::Write& write : propagation.also()) {
    propagator.Record(write.db, write.argv);
  }
  // Only a command that added to the dirty counter wrote: SAVE and SHUTDOWN reset it to 0, and
  // must not go out (a replayed SHUTDOWN would stop the next start).
  if (keyspace.dirty() <= dirty_before || propagation.prevented()) return end;
  if (propagation.rewritten()) {
    propagator.Record(db, propagation.rewrite());
  } else {
    propagator.Record(db, args);
  }
  return end;
}

int64_t CallUnit(Server& server, Client& client, RegisteredCommand& command,
                 std::span<const std::string_view> args, int64_t start_us) {
  const size_t mark = client.reply().size();
  Propagator& propagator = server.propagator();
  propagator.BeginUnit();
  const int64_t end_us = Call(server, client, command, args, start_us);
  if (propagator.EndUnit()) server.aof().NoteWriteReply(client, mark);
  return end_us;
}

int64_t Dispatch(Server& server, Client& client, std::span<const std::string_view> args,
                 int64_t start_us) {
  int64_t end_us = start_us;
  resp::ReplyBuilder& reply = client.reply();
  const size_t mark = reply.size();
  const ReplyMode mode_before = client.reply_mode;

  RegisteredCommand* command = nullptr;
  std::string refusal = Resolve(server, client, args, command);
  Transaction& transaction = client.transaction;
  if (!refusal.empty()) {
    if (command && command->spec->name == "exec") {
      // A refused EXEC ends the transaction, if any, and says why (without the ERR code).
      DiscardTransaction(server, client);
      if (refusal.starts_with("ERR ")) refusal.erase(0, 4);
      refusal.insert(0, "EXECABORT Transaction discarded because of: ");
    }
    reply.Error(refusal);
    // Redis shows an aborted EXEC to monitors, though it did not run.
    if (command && command->spec->name == "exec" && !server.monitors().empty()) {
      server.monitors().Feed(server, client, *command->spec, args, client.db_index, MonotonicUs());
    }
    if (command) ++command->stats.rejected_calls;
    ++server.stats().total_error_replies;
    CountErrorReply(server.stats(), refusal);
    ++server.stats().total_commands_processed;
    // A command refused while queueing dooms the transaction (EXECABORT).
    if (transaction.active()) transaction.Abort();
  } else if (HeldByFailover(server, client, *command->spec)) {
    // Run again, unconsumed, when the failover ends (Redis pauses writes meanwhile).
    client.connection().HoldRequest();
    server.replication().HoldClient(client);
    return end_us;
  } else if (transaction.active() && !RunsInsideMulti(*command->spec)) {
    transaction.Queue(command, args);
    reply.SimpleString("QUEUED");
  } else {
    const uint64_t writes_before = server.replication().last_write_offset();
    end_us = CallUnit(server, client, *command, args, start_us);
    // What WAIT waits for: the stream up to this client's last write.
    if (server.replication().last_write_offset() != writes_before) {
      client.write_offset = server.replication().last_write_offset();
    }
    // Keys the unit made ready serve their blocked clients before anyone's next command.
    server.blocking().HandleReadyKeys();
  }

  // CLIENT REPLY OFF / SKIP: the reply was built (so statistics count it) and is dropped here.
  // A command that turns replies back on (CLIENT REPLY ON) keeps its own reply.
  bool drop = (mode_before == ReplyMode::kOff || mode_before == ReplyMode::kSkipThis) &&
              client.reply_mode != ReplyMode::kOn;
  if (drop) reply.buffer().resize(mark);
  if (mode_before == ReplyMode::kSkipThis && client.reply_mode == ReplyMode::kSkipThis) {
    client.reply_mode = ReplyMode::kOn;
  }
  if (client.reply_mode == ReplyMode::kSkipNext) client.reply_mode = ReplyMode::kSkipThis;
  return end_us;
}

}  // namespace magnetar::server
