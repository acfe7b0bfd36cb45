// Handlers of the list family, shared between the files that implement them and
// the family's command table (list_commands.cc), and the steps they share.
// Private to src/commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "magnetar/commands/command_context.h"
#include "magnetar/commands/command_spec.h"
#include "magnetar/engine/list_value.h"

namespace magnetar::commands::lists {

using engine::ListValue;

// The list at `key`: null when the key is missing, kWrongType when it holds
// another type. A read counts a keyspace hit or miss.
Result<ListValue*> FindList(CommandContext& ctx, std::string_view key, bool read);
// The list at `key`, created empty (and stored) when missing. REQUIRES: the key
// holds no other type.
ListValue* ListForPush(CommandContext& ctx, std::string_view key);
// list-max-listpack-size, as the keyspace holds it now.
int64_t Fill(const CommandContext& ctx);
// "lpop" or "rpop"; "lpush" or "rpush".
std::string_view PopEvent(ListValue::End end);
std::string_view PushEvent(ListValue::End end);
// After elements were popped: raises the pop event with `count` changes and,
// when the list is now empty, deletes the key and raises "del".
void AfterPop(CommandContext& ctx, std::string_view key, ListValue& list, ListValue::End end,
              size_t count);
// Pops up to `count` elements from `end` of the non-empty `list` at `key` and
// replies them as an array; raises the events.
size_t PopAndReply(CommandContext& ctx, std::string_view key, ListValue& list, ListValue::End end,
                   int64_t count);
// LEFT or RIGHT (case-insensitive); false otherwise.
bool ParseEnd(std::string_view text, ListValue::End& end);

// list_basic_commands.cc
void LPush(CommandContext& ctx);
void RPush(CommandContext& ctx);
void LPushX(CommandContext& ctx);
void RPushX(CommandContext& ctx);
void LPop(CommandContext& ctx);
void RPop(CommandContext& ctx);
void LLen(CommandContext& ctx);
void LIndex(CommandContext& ctx);
void LSet(CommandContext& ctx);
void LRange(CommandContext& ctx);
void LInsert(CommandContext& ctx);
void LRem(CommandContext& ctx);
void LTrim(CommandContext& ctx);
void LPos(CommandContext& ctx);

// list_move_commands.cc
void LMove(CommandContext& ctx);
void RPopLPush(CommandContext& ctx);
void LMPop(CommandContext& ctx);
void BLPop(CommandContext& ctx);
void BRPop(CommandContext& ctx);
void BLMove(CommandContext& ctx);
void BRPopLPush(CommandContext& ctx);
void BLMPop(CommandContext& ctx);

}  // namespace magnetar::commands::lists
