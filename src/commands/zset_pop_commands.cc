// The sorted-set family's pops: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX and
// BZMPOP. A blocking form that finds a non-empty set behaves as its plain form; one that finds
// none asks the context's Blocker to wait (blocking.h) and is run again once a key is ready.
//
// Events: "zpopmin" or "zpopmax", then "del" when the set empties. Propagation as Redis 7.0 writes
// its AOF: ZPOPMIN/ZPOPMAX as sent; BZPOPMIN/BZPOPMAX as `ZPOPMIN|ZPOPMAX key`; ZMPOP and BZMPOP as
// `ZPOPMIN|ZPOPMAX key count`, with the count popped.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/blocking.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "multi_pop_args.h"
#include "zset_handlers.h"

namespace magnetar::commands {
namespace {

using engine::ZSetValue;
using zsets::FindZSet;

enum class Where : uint8_t { kMin, kMax };

std::string_view PopName(Where where) { return where == Where::kMin ? "ZPOPMIN" : "ZPOPMAX"; }

// The first of `keys` holding a sorted set: its index, nothing when none does, or WRONGTYPE for
// the first key of another type met before one.
Result<std::optional<size_t>> FirstReady(CommandContext& ctx,
                                         std::span<const std::string_view> keys) {
  for (size_t i = 0; i < keys.size(); ++i) {
    auto found = FindZSet(ctx, keys[i], false);
    if (!found) return found.status();
    if (*found != nullptr) return std::optional<size_t>(i);
  }
  return std::optional<size_t>();
}

// Pops up to `count` elements of the set at `key` (which exists) from `where` and replies them:
// [member, score] pairs in RESP3, a flat member, score list in RESP2. Raises the events.
void PopAndReply(CommandContext& ctx, std::string_view key, ZSetValue& zset, Where where,
                 size_t count) {
  count = std::min(count, zset.Size());
  size_t start = where == Where::kMin ? 0 : zset.Size() - 1;
  zsets::ReplyElementsHeader(ctx, count, true);
  size_t left = count;
  zset.Walk(start, where == Where::kMax, [&](std::string_view member, double score) {
    zsets::ReplyElement(ctx, member, score, true);
    return --left > 0;
  });
  zset.RemoveRange(where == Where::kMin ? 0 : zset.Size() - count, count);
  bool emptied = zset.Size() == 0;
  if (emptied) ctx.db().Delete(key);
  ctx.db().Changed(key, engine::kNotifyZset, where == Where::kMin ? "zpopmin" : "zpopmax", count);
  if (emptied) ctx.db().Notify(engine::kNotifyGeneric, "del", key);
}

// What a blocking pop replies when it cannot block (inside MULTI) or times out.
void Block(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline_ms) {
  if (ctx.blocker != nullptr && ctx.blocker->CanBlock()) {
    return ctx.blocker->Block(keys, deadline_ms);
  }
  ctx.reply.NullArray();
}

// ZPOPMIN and ZPOPMAX: key [count]. Without a count, one element as a flat pair even in RESP3.
void PopGeneric(CommandContext& ctx, Where where) {
  if (ctx.args.size() > 3) return ctx.reply.Error(OpStatus::kSyntaxError);
  size_t count = 1;
  bool has_count = ctx.args.size() == 3;
  if (has_count) {
    std::optional<int64_t> parsed = ParseInt64(ctx.args[2]);
    if (!parsed || *parsed < 0) {
      return ctx.reply.Error("ERR value is out of range, must be positive");
    }
    count = static_cast<size_t>(*parsed);
  }
  std::string_view key = ctx.args[1];
  auto found = FindZSet(ctx, key, false);
  // The type is checked before a count of 0 gives the empty reply, as in Redis.
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr || count == 0) return ctx.reply.Array(0);
  if (!has_count) {
    // A single pop replies member and score flat, as RESP2 does for every count.
    ZSetValue& zset = **found;
    size_t rank = where == Where::kMin ? 0 : zset.Size() - 1;
    ctx.reply.Array(2);
    zset.Walk(rank, false, [&](std::string_view member, double score) {
      ctx.reply.Bulk(member);
      ctx.reply.Double(score);
      return false;
    });
    zset.RemoveRange(rank, 1);
    bool emptied = zset.Size() == 0;
    if (emptied) ctx.db().Delete(key);
    ctx.db().Changed(key, engine::kNotifyZset, where == Where::kMin ? "zpopmin" : "zpopmax");
    if (emptied) ctx.db().Notify(engine::kNotifyGeneric, "del", key);
    return;
  }
  PopAndReply(ctx, key, **found, where, count);
}

void ZPopMin(CommandContext& ctx) { PopGeneric(ctx, Where::kMin); }
void ZPopMax(CommandContext& ctx) { PopGeneric(ctx, Where::kMax); }

// BZPOPMIN and BZPOPMAX: key... timeout. Replies [key, member, score].
void BlockingPop(CommandContext& ctx, Where where) {
  BlockTimeout timeout = ParseBlockTimeout(ctx.args.back(), ctx.clock.NowMs());
  if (!timeout.error.empty()) return ctx.reply.Error(timeout.error);
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  auto ready = FirstReady(ctx, keys);
  if (!ready) return ctx.reply.Error(ready.status());
  if (!*ready) return Block(ctx, keys, timeout.deadline_ms);
  std::string_view key = keys[**ready];
  ZSetValue& zset = *FindZSet(ctx, key, false).value();
  size_t rank = where == Where::kMin ? 0 : zset.Size() - 1;
  ctx.reply.Array(3);
  ctx.reply.Bulk(key);
  zset.Walk(rank, false, [&](std::string_view member, double score) {
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
    return false;
  });
  zset.RemoveRange(rank, 1);
  ctx.propagate().Rewrite({PopName(where), key});
  bool emptied = zset.Size() == 0;
  if (emptied) ctx.db().Delete(key);
  ctx.db().Changed(key, engine::kNotifyZset, where == Where::kMin ? "zpopmin" : "zpopmax");
  if (emptied) ctx.db().Notify(engine::kNotifyGeneric, "del", key);
}

void BZPopMin(CommandContext& ctx) { BlockingPop(ctx, Where::kMin); }
void BZPopMax(CommandContext& ctx) { BlockingPop(ctx, Where::kMax); }

// Replies [key, [[member, score]...]] (pairs in RESP2 too) or a null array.
void MPop(CommandContext& ctx, const MultiPopArgs& args, std::optional<int64_t> deadline) {
  auto ready = FirstReady(ctx, args.keys);
  if (!ready) return ctx.reply.Error(ready.status());
  if (!*ready) {
    if (deadline) return Block(ctx, args.keys, *deadline);
    return ctx.reply.NullArray();
  }
  std::string_view key = args.keys[**ready];
  ZSetValue& zset = *FindZSet(ctx, key, false).value();
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  const Where where = args.second_side ? Where::kMax : Where::kMin;
  size_t count = std::min(static_cast<size_t>(args.count), zset.Size());
  size_t start = where == Where::kMin ? 0 : zset.Size() - 1;
  ctx.reply.Array(count);
  size_t left = count;
  zset.Walk(start, where == Where::kMax, [&](std::string_view member, double score) {
    ctx.reply.Array(2);
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
    return --left > 0;
  });
  zset.RemoveRange(where == Where::kMin ? 0 : zset.Size() - count, count);
  char digits[kMaxInt64Chars];
  ctx.propagate().Rewrite(
      {PopName(where), key,
       std::string_view(digits, FormatInt64(static_cast<int64_t>(count), digits))});
  bool emptied = zset.Size() == 0;
  if (emptied) ctx.db().Delete(key);
  ctx.db().Changed(key, engine::kNotifyZset, where == Where::kMin ? "zpopmin" : "zpopmax", count);
  if (emptied) ctx.db().Notify(engine::kNotifyGeneric, "del", key);
}

void ZMPop(CommandContext& ctx) {
  MultiPopArgs args;
  if (!ParseMultiPop(ctx, 1, "min", "max", args)) return;
  MPop(ctx, args, std::nullopt);
}

void BZMPop(CommandContext& ctx) {
  MultiPopArgs args;
  if (!ParseMultiPop(ctx, 2, "min", "max", args)) return;
  BlockTimeout timeout = ParseBlockTimeout(ctx.args[1], ctx.clock.NowMs());
  if (!timeout.error.empty()) return ctx.reply.Error(timeout.error);
  MPop(ctx, args, timeout.deadline_ms);
}

constexpr KeySpec kPopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr KeySpec kBlockingPopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(-2, 1, 0)},
};
constexpr KeySpec kMPopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyNum(0, 1, 1)},
};
constexpr KeySpec kBlockingMPopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(2),
     .find_keys = KeyNum(0, 1, 1)},
};
constexpr ArgDoc kPopArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "count", .type = ArgType::kInteger, .flags = kArgOptional},
};
constexpr ArgDoc kBlockingPopArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
    {.name = "timeout", .type = ArgType::kDouble},
};
constexpr HistoryEntry kBlockingPopHistory[] = {
    {"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
};
constexpr ArgDoc kWhere[] = {
    {.name = "min", .type = ArgType::kPureToken, .token = "MIN"},
    {.name = "max", .type = ArgType::kPureToken, .token = "MAX"},
};
constexpr ArgDoc kMPopArgs[] = {
    {.name = "numkeys", .type = ArgType::kInteger},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
    {.name = "where", .type = ArgType::kOneOf, .arguments = kWhere},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
};
constexpr ArgDoc kBlockingMPopArgs[] = {
    {.name = "timeout", .type = ArgType::kDouble},
    {.name = "numkeys", .type = ArgType::kInteger},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
    {.name = "where", .type = ArgType::kOneOf, .arguments = kWhere},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
};

constexpr CommandSpec Pop(std::string_view name, Handler handler, std::string_view summary) {
  return {.name = name,
          .arity = -2,
          .flags = kWrite | kFast,
          .acl = kAclWrite | kAclSortedSet | kAclFast,
          .first_key = 1,
          .last_key = 1,
          .key_step = 1,
          .handler = handler,
          .doc = {.summary = summary,
                  .since = "5.0.0",
                  .group = "sorted-set",
                  .complexity = "O(log(N)*M) with N being the number of elements in the sorted "
                                "set, and M being the number of elements popped.",
                  .arguments = kPopArgs},
          .key_specs = kPopKeySpecs};
}

constexpr CommandSpec BlockingPop(std::string_view name, Handler handler,
                                  std::string_view summary) {
  return {.name = name,
          .arity = -3,
          .flags = kWrite | kNoScript | kFast | kBlocking,
          .acl = kAclWrite | kAclSortedSet | kAclFast | kAclBlocking,
          .first_key = 1,
          .last_key = -2,
          .key_step = 1,
          .handler = handler,
          .doc = {.summary = summary,
                  .since = "5.0.0",
                  .group = "sorted-set",
                  .complexity = "O(log(N)) with N being the number of elements in the sorted "
                                "set.",
                  .history = kBlockingPopHistory,
                  .arguments = kBlockingPopArgs},
          .key_specs = kBlockingPopKeySpecs};
}

constexpr CommandSpec kZSetPopCommands[] = {
    Pop("zpopmin", &ZPopMin, "Remove and return members with the lowest scores in a sorted set"),
    Pop("zpopmax", &ZPopMax, "Remove and return members with the highest scores in a sorted set"),
    BlockingPop("bzpopmin", &BZPopMin,
                "Remove and return the member with the lowest score from one or more sorted "
                "sets, or block until one is available"),
    BlockingPop("bzpopmax", &BZPopMax,
                "Remove and return the member with the highest score from one or more sorted "
                "sets, or block until one is available"),
    {.name = "zmpop",
     .arity = -4,
     .flags = kWrite | kMovableKeys,
     .acl = kAclWrite | kAclSortedSet | kAclSlow,
     .handler = &ZMPop,
     .doc = {.summary = "Remove and return members with scores in a sorted set",
             .since = "7.0.0",
             .group = "sorted-set",
             .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being "
                           "the number of elements in the sorted set, and M being the number of "
                           "elements popped.",
             .arguments = kMPopArgs},
     .key_specs = kMPopKeySpecs},
    {.name = "bzmpop",
     .arity = -5,
     .flags = kWrite | kBlocking | kMovableKeys,
     .acl = kAclWrite | kAclSortedSet | kAclSlow | kAclBlocking,
     .handler = &BZMPop,
     .doc = {.summary = "Remove and return members with scores in a sorted set or block until "
                        "one is available",
             .since = "7.0.0",
             .group = "sorted-set",
             .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being "
                           "the number of elements in the sorted set, and M being the number of "
                           "elements popped.",
             .arguments = kBlockingMPopArgs},
     .key_specs = kBlockingMPopKeySpecs},
};

}  // namespace

std::span<const CommandSpec> ZSetPopCommands() { return kZSetPopCommands; }

}  // namespace magnetar::commands
