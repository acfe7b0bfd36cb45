#include "multi_pop_args.h"

#include <optional>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "magnetar/common/status.h"

namespace magnetar::commands {

bool ParseMultiPop(CommandContext& ctx, size_t first, std::string_view first_side,
                   std::string_view second_side, MultiPopArgs& out) {
  std::optional<int64_t> numkeys = ParseInt64(ctx.args[first]);
  if (!numkeys || *numkeys <= 0) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return false;
  }
  size_t rest = ctx.args.size() - first - 1;
  if (static_cast<uint64_t>(*numkeys) >= rest) {
    ctx.reply.Error(OpStatus::kSyntaxError);
    return false;
  }
  out.keys = ctx.args.subspan(first + 1, static_cast<size_t>(*numkeys));
  size_t at = first + 1 + out.keys.size();
  if (EqualsIgnoreCase(ctx.args[at], second_side)) {
    out.second_side = true;
  } else if (!EqualsIgnoreCase(ctx.args[at], first_side)) {
    ctx.reply.Error(OpStatus::kSyntaxError);
    return false;
  }
  ++at;
  if (at == ctx.args.size()) return true;
  if (at + 2 != ctx.args.size() || !EqualsIgnoreCase(ctx.args[at], "count")) {
    ctx.reply.Error(OpStatus::kSyntaxError);
    return false;
  }
  std::optional<int64_t> count = ParseInt64(ctx.args[at + 1]);
  if (!count || *count <= 0) {
    ctx.reply.Error("ERR count should be greater than 0");
    return false;
  }
  out.count = *count;
  return true;
}

}  // namespace magnetar::commands
