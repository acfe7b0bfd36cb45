// Printers of the command table: COMMAND INFO entries and COMMAND DOCS maps, byte for byte as
// Redis 7.0 prints its own table, in RESP2 or RESP3 as the builder speaks.
#pragma once

#include <string_view>

#include "magnetar/commands/command_spec.h"
#include "magnetar/resp/reply_builder.h"

namespace magnetar::server {

// One COMMAND INFO entry: name, arity, flags, legacy key range, ACL categories, tips, key specs
// and, nested the same way, the subcommands.
void ReplyCommandInfo(resp::ReplyBuilder& reply, const commands::CommandSpec& spec);

// The documentation map COMMAND DOCS prints for a command (without its name, which is the map
// key the caller writes), subcommands included.
void ReplyCommandDocs(resp::ReplyBuilder& reply, const commands::CommandSpec& spec);

// The names of the KeySpecFlag bits set in `flags`, in the order Redis prints them, as a set of
// simple strings (COMMAND INFO key specs, COMMAND GETKEYSANDFLAGS).
void ReplyKeySpecFlags(resp::ReplyBuilder& reply, uint32_t flags);

// "@name" of every ACL category, in the order Redis prints them; matches `name` without the '@'
// case-insensitively. Returns 0 for an unknown category.
uint32_t AclCategoryByName(std::string_view name);

}  // namespace magnetar::server
