// The list commands that take from one list and give to another or to the
// client from several keys: LMOVE, RPOPLPUSH, LMPOP, and their blocking forms
// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP. A blocking form that finds an
// element behaves as its plain form and propagates as it (BLPOP -> LPOP, BLMOVE
// -> LMOVE, BLMPOP -> LPOP/RPOP with the count popped); one that finds none
// asks the context's Blocker to wait, and the server runs it again once a key
// is ready.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "list_handlers.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "multi_pop_args.h"

namespace magnetar::commands::lists {
namespace {

using End = ListValue::End;

std::string_view PopName(End end) { return end == End::kHead ? "LPOP" : "RPOP"; }

// Moves one element from `source` to `destination`. Replies the element, a null
// when the source is missing, or WRONGTYPE (the destination's type is checked
// before anything moves). Events as Redis 7.0 raises them: the push on the
// destination, then the pop on the source, then the source's "del" if it
// emptied. Returns whether an element moved.
bool Move(CommandContext& ctx, std::string_view source, std::string_view destination, End from,
          End to) {
  auto found = FindList(ctx, source, false);
  if (!found) {
    ctx.reply.Error(found.status());
    return false;
  }
  if (*found == nullptr) {
    ctx.reply.Null();
    return false;
  }
  ListValue& list = **found;
  auto target = FindList(ctx, destination, false);
  if (!target) {
    ctx.reply.Error(target.status());
    return false;
  }
  std::string element;
  list.Pop(from, element);
  ListValue* into = *target != nullptr ? *target : ListForPush(ctx, destination);
  into->Push(to, element, Fill(ctx));
  engine::Database& db = ctx.db();
  db.Changed(destination, engine::kNotifyList, PushEvent(to));
  db.Changed(source, engine::kNotifyList, PopEvent(from), 0);
  if (list.empty()) {
    db.Delete(source);
    db.Notify(engine::kNotifyGeneric, "del", source);
  }
  ctx.reply.Bulk(element);
  return true;
}

// The first of `keys` holding a non-empty list: its index, nullopt when none
// does, or WRONGTYPE for the first key of another type met before one.
Result<std::optional<size_t>> FirstReady(CommandContext& ctx,
                                         std::span<const std::string_view> keys) {
  for (size_t i = 0; i < keys.size(); ++i) {
    auto found = FindList(ctx, keys[i], false);
    if (!found) return found.status();
    if (*found != nullptr) return std::optional<size_t>(i);
  }
  return std::optional<size_t>();
}

// What a blocking command replies when it cannot block (inside MULTI) or times
// out: a null array in RESP2 for every list command, as Redis 7.0 replies on
// timeout.
void Block(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline_ms,
           bool null_array) {
  if (ctx.blocker != nullptr && ctx.blocker->CanBlock()) {
    return ctx.blocker->Block(keys, deadline_ms);
  }
  null_array ? ctx.reply.NullArray() : ctx.reply.Null();
}

// BLPOP and BRPOP: keys..., timeout.
void BlockingPop(CommandContext& ctx, End end) {
  BlockTimeout timeout = ParseBlockTimeout(ctx.args.back(), ctx.clock.NowMs());
  if (!timeout.error.empty()) return ctx.reply.Error(timeout.error);
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  auto ready = FirstReady(ctx, keys);
  if (!ready) return ctx.reply.Error(ready.status());
  if (!*ready) return Block(ctx, keys, timeout.deadline_ms, true);
  std::string_view key = keys[**ready];
  ListValue& list = *FindList(ctx, key, false).value();
  std::string element;
  list.Pop(end, element);
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  ctx.reply.Bulk(element);
  ctx.propagate().Rewrite({PopName(end), key});
  AfterPop(ctx, key, list, end, 1);
}

// LMPOP's and BLMPOP's work once their arguments are read; `deadline` is set
// for BLMPOP.
void MPop(CommandContext& ctx, const MultiPopArgs& args, std::optional<int64_t> deadline) {
  auto ready = FirstReady(ctx, args.keys);
  if (!ready) return ctx.reply.Error(ready.status());
  if (!*ready) {
    if (deadline) return Block(ctx, args.keys, *deadline, true);
    return ctx.reply.NullArray();
  }
  std::string_view key = args.keys[**ready];
  ListValue& list = *FindList(ctx, key, false).value();
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  const End end = args.second_side ? End::kTail : End::kHead;
  size_t popped = PopAndReply(ctx, key, list, end, args.count);
  char digits[kMaxInt64Chars];
  ctx.propagate().Rewrite(
      {PopName(end), key,
       std::string_view(digits, FormatInt64(static_cast<int64_t>(popped), digits))});
}

}  // namespace

void LMove(CommandContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx.args[3], from) || !ParseEnd(ctx.args[4], to)) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  Move(ctx, ctx.args[1], ctx.args[2], from, to);
}

void RPopLPush(CommandContext& ctx) { Move(ctx, ctx.args[1], ctx.args[2], End::kTail, End::kHead); }

void LMPop(CommandContext& ctx) {
  MultiPopArgs args;
  if (!ParseMultiPop(ctx, 1, "left", "right", args)) return;
  MPop(ctx, args, std::nullopt);
}

void BLPop(CommandContext& ctx) { BlockingPop(ctx, End::kHead); }
void BRPop(CommandContext& ctx) { BlockingPop(ctx, End::kTail); }

void BLMove(CommandContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx.args[3], from) || !ParseEnd(ctx.args[4], to)) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  BlockTimeout timeout = ParseBlockTimeout(ctx.args[5], ctx.clock.NowMs());
  if (!timeout.error.empty()) return ctx.reply.Error(timeout.error);
  auto found = FindList(ctx, ctx.args[1], false);
  if (!found) return ctx.reply.Error(found.status());
  // Inside MULTI Redis replies a null bulk here, though a timeout replies a
  // null array.
  if (*found == nullptr) return Block(ctx, ctx.args.subspan(1, 1), timeout.deadline_ms, false);
  if (Move(ctx, ctx.args[1], ctx.args[2], from, to)) {
    ctx.propagate().Rewrite({"LMOVE", ctx.args[1], ctx.args[2], ctx.args[3], ctx.args[4]});
  }
}

void BRPopLPush(CommandContext& ctx) {
  BlockTimeout timeout = ParseBlockTimeout(ctx.args[3], ctx.clock.NowMs());
  if (!timeout.error.empty()) return ctx.reply.Error(timeout.error);
  auto found = FindList(ctx, ctx.args[1], false);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return Block(ctx, ctx.args.subspan(1, 1), timeout.deadline_ms, false);
  if (Move(ctx, ctx.args[1], ctx.args[2], End::kTail, End::kHead)) {
    ctx.propagate().Rewrite({"RPOPLPUSH", ctx.args[1], ctx.args[2]});
  }
}

void BLMPop(CommandContext& ctx) {
  MultiPopArgs args;
  if (!ParseMultiPop(ctx, 2, "left", "right", args)) return;
  BlockTimeout timeout = ParseBlockTimeout(ctx.args[1], ctx.clock.NowMs());
  if (!timeout.error.empty()) return ctx.reply.Error(timeout.error);
  MPop(ctx, args, timeout.deadline_ms);
}

}  // namespace magnetar::commands::lists
