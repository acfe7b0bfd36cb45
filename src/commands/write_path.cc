#include "write_path.h"

#include <string>
#include <vector>

#include "magnetar/common/numbers.h"

namespace magnetar::commands {

bool DeleteKey(engine::Database& db, std::string_view key, bool lazy) {
  return lazy ? db.Unlink(key) : db.Delete(key);
}

bool DeleteInsteadOfCommand(CommandContext& ctx, std::string_view key, bool lazy) {
  if (!DeleteKey(ctx.db(), key, lazy)) return false;
  ctx.db().Changed(key, engine::kNotifyGeneric, "del");
  ctx.propagate().Rewrite({lazy ? "UNLINK" : "DEL", key});
  return true;
}

bool DeadlineDeletesAtOnce(const CommandContext& ctx, int64_t deadline_ms, int64_t now_ms) {
  return deadline_ms <= now_ms && ctx.keyspace.lazy_expiry() != engine::LazyExpiry::kKeep;
}

void SetDeadline(CommandContext& ctx, std::string_view key, int64_t deadline_ms) {
  ctx.db().SetDeadline(key, deadline_ms);
  ctx.db().Changed(key, engine::kNotifyGeneric, "expire");
}

void PropagateDeadline(CommandContext& ctx, std::string_view key, int64_t deadline_ms,
                       std::span<const std::string_view> options) {
  char text[kMaxInt64Chars];
  std::vector<std::string_view> argv{"PEXPIREAT", key,
                                     std::string_view(text, FormatInt64(deadline_ms, text))};
  argv.insert(argv.end(), options.begin(), options.end());
  ctx.propagate().Rewrite(argv);
}

}  // namespace magnetar::commands
