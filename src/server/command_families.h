#pragma once

#include "magnetar/commands/command_registry.h"

namespace magnetar::server {

// Adds every command family, data and server, to `registry`: the one list of what the server
// implements.
void RegisterAllCommands(commands::CommandRegistry& registry);

}  // namespace magnetar::server
