// The context server-level commands (CONFIG, INFO, CLIENT, HELLO...) run with: the data layer's
// CommandContext plus the Server and the calling Client. The dispatcher always builds a
// ServerContext, so a handler registered by the server module may convert with AsServer().
#pragma once

#include "magnetar/commands/command_context.h"
#include "magnetar/server/client.h"

namespace magnetar::server {

class Server;

struct ServerContext : commands::CommandContext {
  Server& server;
  Client& client;
};

inline ServerContext& AsServer(commands::CommandContext& ctx) {
  return static_cast<ServerContext&>(ctx);
}

}  // namespace magnetar::server
