// Handlers of the string family, shared between the files that implement them and the family's
// command table (string_commands.cc). Private to src/commands.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "magnetar/commands/command_context.h"
#include "magnetar/commands/command_spec.h"

namespace magnetar::commands::strings {

// string_basic_commands.cc: whole-value reads and writes.
void Get(CommandContext& ctx);
void Set(CommandContext& ctx);
void SetNx(CommandContext& ctx);
void SetEx(CommandContext& ctx);
void PSetEx(CommandContext& ctx);
void GetSet(CommandContext& ctx);
void GetDel(CommandContext& ctx);
void GetEx(CommandContext& ctx);
void MGet(CommandContext& ctx);
void MSet(CommandContext& ctx);
void MSetNx(CommandContext& ctx);
bool SetKeys(std::span<const std::string_view> args, std::vector<KeyRef>& keys);

// string_numeric_commands.cc: values read as numbers.
void Incr(CommandContext& ctx);
void Decr(CommandContext& ctx);
void IncrBy(CommandContext& ctx);
void DecrBy(CommandContext& ctx);
void IncrByFloat(CommandContext& ctx);

// string_range_commands.cc: parts of values.
void Append(CommandContext& ctx);
void StrLen(CommandContext& ctx);
void GetRange(CommandContext& ctx);
void SetRange(CommandContext& ctx);
void Lcs(CommandContext& ctx);

}  // namespace magnetar::commands::strings
