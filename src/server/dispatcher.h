// The single entry point for every command: clients now, AOF replay and the replication stream
// later. Looks the command up, checks arity, admission (authentication, protected commands),
// runs the handler, and keeps the per-command statistics.
#pragma once

#include <span>
#include <string_view>

namespace magnetar::server {

class Server;
class Client;

void Dispatch(Server& server, Client& client, std::span<const std::string_view> args);

// Starts loading the table buckets of the keys `args` names, for a request that will be
// dispatched soon (a later one of a pipelined batch): the cache misses of a batch then overlap
// instead of stalling one command after another.
void PrefetchKeys(Server& server, const Client& client, std::span<const std::string_view> args);

}  // namespace magnetar::server
