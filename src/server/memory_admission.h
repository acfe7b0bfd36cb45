// The maxmemory check before a command, as Redis's processCommand makes it: evict what the
// policy allows, and when memory is still over the limit with nothing left to evict, refuse the
// commands that may use more memory.
#pragma once

#include <string_view>

#include "magnetar/commands/command_spec.h"

namespace magnetar::server {

class Server;
class Client;

// Redis's OOM error, or empty when `spec` may run. Call only while maxmemory is set.
std::string_view OutOfMemoryRefusal(Server& server, Client& client,
                                    const commands::CommandSpec& spec);

}  // namespace magnetar::server
