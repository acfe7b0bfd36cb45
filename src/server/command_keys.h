// Finds the keys in a command's arguments from its table row, as COMMAND GETKEYS reports them:
// the command's KeysFn when it has one, else its key specs.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "magnetar/commands/command_spec.h"

namespace magnetar::server {

// True when the command can name keys at all (COMMAND GETKEYS refuses the others).
bool CommandHasKeys(const commands::CommandSpec& spec);

// Appends the keys of `args` (args[0] is the command name, arity already checked). Returns false
// when the arguments cannot be read (a bad key count), or a key spec cannot locate its keys.
bool FindCommandKeys(const commands::CommandSpec& spec, std::span<const std::string_view> args,
                     std::vector<commands::KeyRef>& keys);

}  // namespace magnetar::server
