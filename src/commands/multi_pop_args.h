// LMPOP/BLMPOP and ZMPOP/BZMPOP take the same arguments after the name (and the blocking forms'
// timeout): numkeys key [key ...] <side> [COUNT count], each family with its own two side names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "magnetar/commands/command_context.h"

namespace magnetar::commands {

struct MultiPopArgs {
  std::span<const std::string_view> keys;
  bool second_side = false;  // RIGHT for the lists, MAX for the sorted sets
  int64_t count = 1;
};

// Reads the arguments from args[first], the side being `first_side` or `second_side` (any case).
// Replies Redis's error and returns false when they are wrong.
bool ParseMultiPop(CommandContext& ctx, size_t first, std::string_view first_side,
                   std::string_view second_side, MultiPopArgs& out);

}  // namespace magnetar::commands
