// The single entry point for every command: clients now, AOF replay and the replication stream
// later. Looks the command up, checks arity, admission (authentication, protected commands,
// commands refused inside MULTI), queues it while the client is in MULTI, and otherwise runs it as
// one execution unit of the propagator.
#pragma once

#include <span>
#include <string_view>

namespace magnetar::commands {
struct RegisteredCommand;
}

namespace magnetar::server {

class Server;
class Client;

//
// `start_us` is a reading of MonotonicUs() taken just before; a command run is timed from it (its
// duration includes the little that ran since, parsing and admission) to a reading taken as it
// ends, which these functions return (or `start_us` when no command ran) so that the caller can
// start the next command from it: one clock reading per command instead of two.
int64_t Dispatch(Server& server, Client& client, std::span<const std::string_view> args,
                 int64_t start_us);

// Runs one admitted command: the handler, its statistics, and the record of its writes in the
// propagator (the command as sent, or as it rewrote itself, when it changed data). EXEC calls this
// for each queued command.
int64_t Call(Server& server, Client& client, commands::RegisteredCommand& command,
             std::span<const std::string_view> args, int64_t start_us);

// Runs an admitted command as one execution unit of the propagator (a client's command, or a
// blocked client's once its key is ready). The reply of a unit that made writes is shown to the
// AOF, which turns it into Redis's MISCONF error if it cannot persist them (appendfsync always).
int64_t CallUnit(Server& server, Client& client, commands::RegisteredCommand& command,
                 std::span<const std::string_view> args, int64_t start_us);

// Starts loading the table buckets of the keys `args` names, for a request that will be
// dispatched soon (a later one of a pipelined batch): the cache misses of a batch then overlap
// instead of stalling one command after another. `queued` says whether the request is expected to
// be queued by MULTI (nothing is prefetched then); returns whether the next one is.
bool PrefetchKeys(Server& server, const Client& client, std::span<const std::string_view> args,
                  bool queued);

}  // namespace magnetar::server
