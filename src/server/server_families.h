// Command families that live in the server module because they control the server itself or
// the calling client. Each returns its constexpr table; command_families.cc registers them all.
#pragma once

#include <span>

#include "magnetar/commands/command_spec.h"

namespace magnetar::server {

std::span<const commands::CommandSpec>
ConnectionCommands();                                    // PING ECHO QUIT RESET HELLO AUTH SELECT
std::span<const commands::CommandSpec> AdminCommands();  // SHUTDOWN DEBUG TIME

}  // namespace magnetar::server
