// DEBUG: the subcommands operators and Redis's own test suite use (CHANGE-REPL-ID, OBJECT,
// PROTOCOL, SET-ACTIVE-EXPIRE, SLEEP, HELP), with Redis 7.0's replies. The dispatcher admits the
// command only as enable-debug-command allows (it is flagged protected).
#pragma once

#include "magnetar/commands/command_context.h"

namespace magnetar::server {

// The handler of DEBUG's row in the admin family (admin_commands.cc).
void DebugCommand(commands::CommandContext& ctx);

}  // namespace magnetar::server
