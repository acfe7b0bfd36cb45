// The command families of the data layer. Each returns its constexpr table; the server adds them
// all to its registry from one list (server/command_families.cc).
#pragma once

#include <span>

#include "magnetar/commands/command_spec.h"

namespace magnetar::commands {

std::span<const CommandSpec> StringCommands();
std::span<const CommandSpec> KeyCommands();
std::span<const CommandSpec> KeyMoveCommands();
std::span<const CommandSpec> ExpireCommands();
std::span<const CommandSpec> ScanCommands();
std::span<const CommandSpec> ObjectCommands();
std::span<const CommandSpec> BitmapCommands();
std::span<const CommandSpec> HyperLogLogCommands();
std::span<const CommandSpec> HashCommands();
std::span<const CommandSpec> SetCommands();
std::span<const CommandSpec> SetAlgebraCommands();
std::span<const CommandSpec> ListCommands();
std::span<const CommandSpec> ZSetCommands();
std::span<const CommandSpec> ZSetRangeCommands();
std::span<const CommandSpec> ZSetPopCommands();
std::span<const CommandSpec> DumpRestoreCommands();
std::span<const CommandSpec> ZSetAlgebraCommands();
std::span<const CommandSpec> GeoCommands();
std::span<const CommandSpec> GeoSearchCommands();
std::span<const CommandSpec> SortCommands();

}  // namespace magnetar::commands
