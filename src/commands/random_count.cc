#include "random_count.h"

#include <limits>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"

namespace magnetar::commands {

std::optional<RandomCount> ParseRandomCount(CommandContext& ctx, std::string_view keyword) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> count = ParseInt64(ctx.args[2]);
  if (!count) {
    ctx.reply.Error(OpStatus::kNotInteger);
    return std::nullopt;
  }
  if (*count < -kMax) {
    ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return std::nullopt;
  }
  const bool with_values = ctx.args.size() == 4;
  if (ctx.args.size() > 4 || (with_values && !EqualsIgnoreCase(ctx.args[3], keyword))) {
    ctx.reply.Error(OpStatus::kSyntaxError);
    return std::nullopt;
  }
  if (with_values && (*count < -kMax / 2 || *count > kMax / 2)) {
    ctx.reply.Error("ERR value is out of range");
    return std::nullopt;
  }
  return RandomCount{*count, with_values};
}

}  // namespace magnetar::commands
