// The `count [WITHVALUES|WITHSCORES]` arguments of HRANDFIELD and ZRANDMEMBER, read as Redis 7.0
// reads them. Private to src/commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "magnetar/commands/command_context.h"

namespace magnetar::commands {

struct RandomCount {
  int64_t count = 0;  // negative: that many draws, repeats allowed
  bool with_values = false;
};

// Reads args[2] and the optional args[3], which must be `keyword`, in Redis's order: the count
// (an integer within +-(2^63-1)), the arguments' number and keyword, then, with the keyword, a
// count within +-2^62 (its reply has two entries per draw). Replies the error and returns nothing
// when they are wrong.
std::optional<RandomCount> ParseRandomCount(CommandContext& ctx, std::string_view keyword);

}  // namespace magnetar::commands
