// Command families that live in the server module because they control the server itself or
// the calling client. Each returns its constexpr table; command_families.cc registers them all.
#pragma once

#include <fmt/format.h>

#include <span>
#include <string>
#include <string_view>

#include "magnetar/commands/command_spec.h"

namespace magnetar::server {

std::span<const commands::CommandSpec>
ConnectionCommands();                                      // PING ECHO QUIT RESET HELLO AUTH SELECT
std::span<const commands::CommandSpec> AdminCommands();    // SHUTDOWN DEBUG TIME
std::span<const commands::CommandSpec> CommandCommands();  // COMMAND
std::span<const commands::CommandSpec> InfoCommands();     // INFO
std::span<const commands::CommandSpec> MemoryCommands();   // MEMORY
std::span<const commands::CommandSpec> ClientCommands();   // CLIENT
std::span<const commands::CommandSpec> ConfigCommands();   // CONFIG
std::span<const commands::CommandSpec> SlowlogCommands();  // SLOWLOG
std::span<const commands::CommandSpec> LatencyCommands();  // LATENCY
std::span<const commands::CommandSpec> MonitorCommands();  // MONITOR
std::span<const commands::CommandSpec> PersistenceCommands();  // SAVE BGSAVE LASTSAVE
// SYNC PSYNC REPLCONF REPLICAOF SLAVEOF ROLE FAILOVER WAIT
std::span<const commands::CommandSpec> ReplicationCommands();
std::span<const commands::CommandSpec> TransactionCommands();  // MULTI EXEC DISCARD WATCH UNWATCH
// (P|S)SUBSCRIBE (P|S)UNSUBSCRIBE PUBLISH SPUBLISH PUBSUB
std::span<const commands::CommandSpec> PubSubCommands();

// Redis's one error for a container's subcommand given a wrong number of arguments, which it
// also gives for names a container checks itself (DEBUG); `container` is the name in capitals.
inline std::string SubcommandSyntaxError(std::string_view container, std::string_view subcommand) {
  return fmt::format("ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
                     subcommand.substr(0, 128), container);
}

class Server;
class Client;
// A client's address as CLIENT LIST prints it, KILL ADDR matches it and SLOWLOG shows it:
// "ip:port", or for a unix socket client the server's socket path with port 0.
std::string PeerAddress(Server& server, const Client& client);
// Leaves MULTI and unwatches every key (EXEC, DISCARD, RESET).
void DiscardTransaction(Server& server, Client& client);

}  // namespace magnetar::server
