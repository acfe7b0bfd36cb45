// Strings read as numbers: INCR, DECR, INCRBY, DECRBY (int64) and INCRBYFLOAT (long double). The
// result replaces the value and the key keeps its TTL.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "magnetar/common/numbers.h"
#include "string_handlers.h"

namespace magnetar::commands::strings {
namespace {

using engine::Entry;
using engine::TtlUpdate;
using engine::ValueType;

void IncrementBy(CommandContext& ctx, int64_t delta) {
  auto result = ctx.db().IncrementInteger(ctx.args[1], delta);
  if (!result) return ctx.reply.Error(result.status());
  ctx.db().Changed(ctx.args[1], engine::kNotifyString, "incrby");
  ctx.reply.Integer(*result);
}

}  // namespace

void Incr(CommandContext& ctx) { IncrementBy(ctx, 1); }

void Decr(CommandContext& ctx) { IncrementBy(ctx, -1); }

void IncrBy(CommandContext& ctx) {
  std::optional<int64_t> delta = ParseInt64(ctx.args[2]);
  if (!delta) return ctx.reply.Error(OpStatus::kNotInteger);
  IncrementBy(ctx, *delta);
}

void DecrBy(CommandContext& ctx) {
  std::optional<int64_t> delta = ParseInt64(ctx.args[2]);
  if (!delta) return ctx.reply.Error(OpStatus::kNotInteger);
  // Its negation does not fit an int64.
  if (*delta == std::numeric_limits<int64_t>::min()) {
    return ctx.reply.Error("ERR decrement would overflow");
  }
  IncrementBy(ctx, -*delta);
}

void IncrByFloat(CommandContext& ctx) {
  engine::Database& db = ctx.db();
  std::string_view key = ctx.args[1];
  long double current = 0;
  if (const Entry* entry = db.Lookup(key)) {
    if (entry->type() != ValueType::kString) return ctx.reply.Error(OpStatus::kWrongType);
    std::optional<long double> parsed = ParseLongDouble(entry->string().view());
    if (!parsed) return ctx.reply.Error(OpStatus::kNotFloat);
    current = *parsed;
  }
  std::optional<long double> increment = ParseLongDouble(ctx.args[2]);
  if (!increment) return ctx.reply.Error(OpStatus::kNotFloat);
  long double result = current + *increment;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(OpStatus::kNanOrInfinity);
  char text[kMaxLongDoubleChars];
  std::string_view formatted(text, FormatLongDouble(result, text));
  db.SetString(key, formatted, TtlUpdate::Keep());
  db.Changed(key, engine::kNotifyString, "incrbyfloat");
  // Replaying the addition could round differently elsewhere: the result is what propagates.
  ctx.propagate().Rewrite({"SET", key, formatted, "KEEPTTL"});
  ctx.reply.Bulk(formatted);
}

}  // namespace magnetar::commands::strings
