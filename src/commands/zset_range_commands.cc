// The sorted-set family's range commands: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES) and its
// older forms ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX and ZREVRANGE,
// ZRANGESTORE, and ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX.
//
// Every range, by rank, score or lex, comes down to one interval of ranks found in O(log n)
// (ZSetValue::LowerBound), walked from one end: so the reply's length is known before the walk.
// Arguments are checked in Redis 7.0's order, and with its texts: options, their conflicts, the
// range, then the key.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "zset_handlers.h"

namespace magnetar::commands {
namespace {

using engine::kNotifyZset;
using engine::ZSetValue;
using zsets::FindZSet;

enum class By : uint8_t { kAuto, kRank, kScore, kLex };

constexpr std::string_view kScoreError = "ERR min or max is not a float";
constexpr std::string_view kLexError = "ERR min or max not valid string range item";

// The ranks [first, last) a range covers in `zset`.
struct RankSpan {
  size_t first = 0, last = 0;
};

// Normalizes start/stop as Redis does for rank ranges (negative counts from the end).
RankSpan RankInterval(int64_t start, int64_t stop, size_t size) {
  auto length = static_cast<int64_t>(size);
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return {};
  if (stop >= length) stop = length - 1;
  return {static_cast<size_t>(start), static_cast<size_t>(stop) + 1};
}

template <typename Range>
RankSpan Interval(const Range& range, const ZSetValue& zset) {
  if (range.Empty()) return {};
  size_t first = range.First(zset);
  size_t last = range.Last(zset);
  return {first, std::max(first, last)};
}

using AnyRange = std::variant<std::pair<int64_t, int64_t>, zsets::ScoreRange, zsets::LexRange>;

// Parses the range of `by` from `min` and `max`; replies the error and returns nothing when it
// does not parse.
std::optional<AnyRange> ParseRange(CommandContext& ctx, By by, std::string_view min,
                                   std::string_view max) {
  if (by == By::kScore) {
    if (auto range = zsets::ParseScoreRange(min, max)) return AnyRange(*range);
    ctx.reply.Error(kScoreError);
  } else if (by == By::kLex) {
    if (auto range = zsets::ParseLexRange(min, max)) return AnyRange(std::move(*range));
    ctx.reply.Error(kLexError);
  } else {
    std::optional<int64_t> start = ParseInt64(min);
    std::optional<int64_t> stop = ParseInt64(max);
    if (start && stop) return AnyRange(std::pair(*start, *stop));
    ctx.reply.Error(OpStatus::kNotInteger);
  }
  return std::nullopt;
}

RankSpan SpanOf(const AnyRange& range, const ZSetValue& zset) {
  if (const auto* ranks = std::get_if<0>(&range)) {
    return RankInterval(ranks->first, ranks->second, zset.Size());
  }
  if (const auto* score = std::get_if<1>(&range)) return Interval(*score, zset);
  return Interval(std::get<2>(range), zset);
}

// ZRANGE and every older form; `base` is the source key's index (2 for ZRANGESTORE, whose
// destination is args[1]). `by` and `reverse` are fixed by the older forms, chosen by options
// in ZRANGE.
void RangeGeneric(CommandContext& ctx, size_t base, By by, std::optional<bool> reverse) {
  const bool store = base == 2;
  bool with_scores = false;
  int64_t offset = 0, limit = -1;
  bool has_limit = false;
  for (size_t at = base + 3; at < ctx.args.size(); ++at) {
    std::string_view arg = ctx.args[at];
    size_t left = ctx.args.size() - at - 1;
    if (!store && EqualsIgnoreCase(arg, "withscores")) {
      with_scores = true;
    } else if (EqualsIgnoreCase(arg, "limit") && left >= 2) {
      std::optional<int64_t> o = ParseInt64(ctx.args[at + 1]);
      std::optional<int64_t> l = o ? ParseInt64(ctx.args[at + 2]) : std::nullopt;
      if (!o || !l) return ctx.reply.Error(OpStatus::kNotInteger);
      offset = *o;
      limit = *l;
      has_limit = true;
      at += 2;
    } else if (!reverse && EqualsIgnoreCase(arg, "rev")) {
      reverse = true;
    } else if (by == By::kAuto && EqualsIgnoreCase(arg, "bylex")) {
      by = By::kLex;
    } else if (by == By::kAuto && EqualsIgnoreCase(arg, "byscore")) {
      by = By::kScore;
    } else {
      return ctx.reply.Error(OpStatus::kSyntaxError);
    }
  }
  if (by == By::kAuto) by = By::kRank;
  const bool rev = reverse.value_or(false);
  if (has_limit && limit != -1 && by == By::kRank) {
    return ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (with_scores && by == By::kLex) {
    return ctx.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  std::string_view min = ctx.args[base + 1];
  std::string_view max = ctx.args[base + 2];
  if (rev && by != By::kRank) std::swap(min, max);
  std::optional<AnyRange> range = ParseRange(ctx, by, min, max);
  if (!range) return;

  auto found = FindZSet(ctx, ctx.args[base], true);
  if (!found) return ctx.reply.Error(found.status());
  const ZSetValue* zset = *found;
  RankSpan span = zset != nullptr ? SpanOf(*range, *zset) : RankSpan{};
  size_t count = span.last - span.first;
  if (by != By::kRank) {
    // LIMIT skips `offset` elements from the walk's start; a negative offset skips them all.
    if (offset < 0 || static_cast<uint64_t>(offset) >= count) {
      count = 0;
    } else {
      count -= static_cast<size_t>(offset);
    }
    if (limit >= 0) count = std::min(count, static_cast<size_t>(limit));
  } else {
    offset = 0;
  }
  // A rank range counts from the top when reversed; a score or lex range is already in
  // ascending ranks and is walked down from its top end.
  size_t start = span.first + static_cast<size_t>(offset);
  if (rev && count > 0) {
    start = by == By::kRank ? zset->Size() - 1 - span.first
                            : span.last - 1 - static_cast<size_t>(offset);
  }

  if (store) {
    zsets::Elements elements;
    elements.reserve(count);
    if (count > 0) {
      zset->Walk(start, rev, [&](std::string_view member, double score) {
        elements.emplace_back(std::string(member), score);
        return elements.size() < count;
      });
    }
    return zsets::StoreElements(ctx, ctx.args[1], elements, zsets::Sizing::kCountOnly,
                                "zrangestore");
  }

  zsets::ReplyElementsHeader(ctx, count, with_scores);
  if (count == 0) return;
  size_t left = count;
  zset->Walk(start, rev, [&](std::string_view member, double score) {
    zsets::ReplyElement(ctx, member, score, with_scores);
    return --left > 0;
  });
}

void ZRange(CommandContext& ctx) { RangeGeneric(ctx, 1, By::kAuto, std::nullopt); }
void ZRangeStore(CommandContext& ctx) { RangeGeneric(ctx, 2, By::kAuto, std::nullopt); }
void ZRevRange(CommandContext& ctx) { RangeGeneric(ctx, 1, By::kRank, true); }
void ZRangeByScore(CommandContext& ctx) { RangeGeneric(ctx, 1, By::kScore, false); }
void ZRevRangeByScore(CommandContext& ctx) { RangeGeneric(ctx, 1, By::kScore, true); }
void ZRangeByLex(CommandContext& ctx) { RangeGeneric(ctx, 1, By::kLex, false); }
void ZRevRangeByLex(CommandContext& ctx) { RangeGeneric(ctx, 1, By::kLex, true); }

void RemoveRangeGeneric(CommandContext& ctx, By by, std::string_view event) {
  std::optional<AnyRange> range = ParseRange(ctx, by, ctx.args[2], ctx.args[3]);
  if (!range) return;
  std::string_view key = ctx.args[1];
  auto found = FindZSet(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  ZSetValue* zset = *found;
  if (zset == nullptr) return ctx.reply.Integer(0);
  RankSpan span = SpanOf(*range, *zset);
  size_t removed = span.last - span.first;
  if (removed > 0) {
    zset->RemoveRange(span.first, removed);
    bool emptied = zset->Size() == 0;
    if (emptied) ctx.db().Delete(key);
    ctx.db().Changed(key, kNotifyZset, event, removed);
    if (emptied) ctx.db().Notify(engine::kNotifyGeneric, "del", key);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void ZRemRangeByRank(CommandContext& ctx) { RemoveRangeGeneric(ctx, By::kRank, "zremrangebyrank"); }
void ZRemRangeByScore(CommandContext& ctx) {
  RemoveRangeGeneric(ctx, By::kScore, "zremrangebyscore");
}
void ZRemRangeByLex(CommandContext& ctx) { RemoveRangeGeneric(ctx, By::kLex, "zremrangebylex"); }

constexpr KeySpec kReadKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr KeySpec kStoreKeySpecs[] = {
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr KeySpec kRemoveKeySpecs[] = {
    {.flags = kKsRW | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kSortby[] = {
    {.name = "byscore", .type = ArgType::kPureToken, .token = "BYSCORE"},
    {.name = "bylex", .type = ArgType::kPureToken, .token = "BYLEX"},
};
constexpr ArgDoc kLimit[] = {
    {.name = "offset", .type = ArgType::kInteger},
    {.name = "count", .type = ArgType::kInteger},
};
constexpr ArgDoc kZrangeArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "start", .type = ArgType::kString},
    {.name = "stop", .type = ArgType::kString},
    {.name = "sortby",
     .type = ArgType::kOneOf,
     .since = "6.2.0",
     .flags = kArgOptional,
     .arguments = kSortby},
    {.name = "rev",
     .type = ArgType::kPureToken,
     .token = "REV",
     .since = "6.2.0",
     .flags = kArgOptional},
    {.name = "offset_count",
     .type = ArgType::kBlock,
     .token = "LIMIT",
     .since = "6.2.0",
     .flags = kArgOptional,
     .arguments = kLimit},
    {.name = "withscores",
     .type = ArgType::kPureToken,
     .token = "WITHSCORES",
     .flags = kArgOptional},
};
constexpr HistoryEntry kZrangeHistory[] = {
    {"6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."},
};
constexpr ArgDoc kZrangestoreArgs[] = {
    {.name = "dst", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "src", .type = ArgType::kKey, .key_spec_index = 1},
    {.name = "min", .type = ArgType::kString},
    {.name = "max", .type = ArgType::kString},
    {.name = "sortby", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kSortby},
    {.name = "rev", .type = ArgType::kPureToken, .token = "REV", .flags = kArgOptional},
    {.name = "offset_count",
     .type = ArgType::kBlock,
     .token = "LIMIT",
     .flags = kArgOptional,
     .arguments = kLimit},
};
constexpr ArgDoc kRankArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "start", .type = ArgType::kInteger},
    {.name = "stop", .type = ArgType::kInteger},
};
constexpr ArgDoc kZrevrangeArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "start", .type = ArgType::kInteger},
    {.name = "stop", .type = ArgType::kInteger},
    {.name = "withscores",
     .type = ArgType::kPureToken,
     .token = "WITHSCORES",
     .flags = kArgOptional},
};
constexpr ArgDoc kByScoreArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "min", .type = ArgType::kDouble},
    {.name = "max", .type = ArgType::kDouble},
    {.name = "withscores",
     .type = ArgType::kPureToken,
     .token = "WITHSCORES",
     .since = "2.0.0",
     .flags = kArgOptional},
    {.name = "offset_count",
     .type = ArgType::kBlock,
     .token = "LIMIT",
     .flags = kArgOptional,
     .arguments = kLimit},
};
constexpr ArgDoc kRevByScoreArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "max", .type = ArgType::kDouble},
    {.name = "min", .type = ArgType::kDouble},
    {.name = "withscores",
     .type = ArgType::kPureToken,
     .token = "WITHSCORES",
     .flags = kArgOptional},
    {.name = "offset_count",
     .type = ArgType::kBlock,
     .token = "LIMIT",
     .flags = kArgOptional,
     .arguments = kLimit},
};
constexpr HistoryEntry kByScoreHistory[] = {
    {"2.0.0", "Added the `WITHSCORES` modifier."},
};
constexpr HistoryEntry kRevByScoreHistory[] = {
    {"2.1.6", "`min` and `max` can be exclusive."},
};
constexpr ArgDoc kByLexArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "min", .type = ArgType::kString},
    {.name = "max", .type = ArgType::kString},
    {.name = "offset_count",
     .type = ArgType::kBlock,
     .token = "LIMIT",
     .flags = kArgOptional,
     .arguments = kLimit},
};
constexpr ArgDoc kRevByLexArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "max", .type = ArgType::kString},
    {.name = "min", .type = ArgType::kString},
    {.name = "offset_count",
     .type = ArgType::kBlock,
     .token = "LIMIT",
     .flags = kArgOptional,
     .arguments = kLimit},
};
constexpr ArgDoc kRemByScoreArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "min", .type = ArgType::kDouble},
    {.name = "max", .type = ArgType::kDouble},
};
constexpr ArgDoc kRemByLexArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "min", .type = ArgType::kString},
    {.name = "max", .type = ArgType::kString},
};

constexpr CommandSpec Read(std::string_view name, Handler handler, CommandDoc doc) {
  return {.name = name,
          .arity = -4,
          .flags = kReadOnly,
          .acl = kAclRead | kAclSortedSet | kAclSlow,
          .first_key = 1,
          .last_key = 1,
          .key_step = 1,
          .handler = handler,
          .doc = doc,
          .key_specs = kReadKeySpecs};
}

constexpr CommandSpec Remove(std::string_view name, Handler handler, CommandDoc doc) {
  return {.name = name,
          .arity = 4,
          .flags = kWrite,
          .acl = kAclWrite | kAclSortedSet | kAclSlow,
          .first_key = 1,
          .last_key = 1,
          .key_step = 1,
          .handler = handler,
          .doc = doc,
          .key_specs = kRemoveKeySpecs};
}

constexpr CommandSpec kZSetRangeCommands[] = {
    Read("zrange", &ZRange,
         {.summary = "Return a range of members in a sorted set",
          .since = "1.2.0",
          .group = "sorted-set",
          .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M "
                        "the number of elements returned.",
          .history = kZrangeHistory,
          .arguments = kZrangeArgs}),
    {.name = "zrangestore",
     .arity = -5,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclSortedSet | kAclSlow,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &ZRangeStore,
     .doc = {.summary = "Store a range of members from sorted set into another key",
             .since = "6.2.0",
             .group = "sorted-set",
             .complexity = "O(log(N)+M) with N being the number of elements in the sorted set "
                           "and M the number of elements stored into the destination key.",
             .arguments = kZrangestoreArgs},
     .key_specs = kStoreKeySpecs},
    Read("zrevrange", &ZRevRange,
         {.summary = "Return a range of members in a sorted set, by index, with scores ordered "
                     "from high to low",
          .since = "1.2.0",
          .group = "sorted-set",
          .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M "
                        "the number of elements returned.",
          .deprecated_since = "6.2.0",
          .replaced_by = "`ZRANGE` with the `REV` argument",
          .arguments = kZrevrangeArgs}),
    Read("zrangebyscore", &ZRangeByScore,
         {.summary = "Return a range of members in a sorted set, by score",
          .since = "1.0.5",
          .group = "sorted-set",
          .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M "
                        "the number of elements being returned. If M is constant (e.g. always "
                        "asking for the first 10 elements with LIMIT), you can consider it "
                        "O(log(N)).",
          .deprecated_since = "6.2.0",
          .replaced_by = "`ZRANGE` with the `BYSCORE` argument",
          .history = kByScoreHistory,
          .arguments = kByScoreArgs}),
    Read("zrevrangebyscore", &ZRevRangeByScore,
         {.summary = "Return a range of members in a sorted set, by score, with scores ordered "
                     "from high to low",
          .since = "2.2.0",
          .group = "sorted-set",
          .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M "
                        "the number of elements being returned. If M is constant (e.g. always "
                        "asking for the first 10 elements with LIMIT), you can consider it "
                        "O(log(N)).",
          .deprecated_since = "6.2.0",
          .replaced_by = "`ZRANGE` with the `REV` and `BYSCORE` arguments",
          .history = kRevByScoreHistory,
          .arguments = kRevByScoreArgs}),
    Read("zrangebylex", &ZRangeByLex,
         {.summary = "Return a range of members in a sorted set, by lexicographical range",
          .since = "2.8.9",
          .group = "sorted-set",
          .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M "
                        "the number of elements being returned. If M is constant (e.g. always "
                        "asking for the first 10 elements with LIMIT), you can consider it "
                        "O(log(N)).",
          .deprecated_since = "6.2.0",
          .replaced_by = "`ZRANGE` with the `BYLEX` argument",
          .arguments = kByLexArgs}),
    Read("zrevrangebylex", &ZRevRangeByLex,
         {.summary = "Return a range of members in a sorted set, by lexicographical range, "
                     "ordered from higher to lower strings.",
          .since = "2.8.9",
          .group = "sorted-set",
          .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M "
                        "the number of elements being returned. If M is constant (e.g. always "
                        "asking for the first 10 elements with LIMIT), you can consider it "
                        "O(log(N)).",
          .deprecated_since = "6.2.0",
          .replaced_by = "`ZRANGE` with the `REV` and `BYLEX` arguments",
          .arguments = kRevByLexArgs}),
    Remove("zremrangebyrank", &ZRemRangeByRank,
           {.summary = "Remove all members in a sorted set within the given indexes",
            .since = "2.0.0",
            .group = "sorted-set",
            .complexity = "O(log(N)+M) with N being the number of elements in the sorted set "
                          "and M the number of elements removed by the operation.",
            .arguments = kRankArgs}),
    Remove("zremrangebyscore", &ZRemRangeByScore,
           {.summary = "Remove all members in a sorted set within the given scores",
            .since = "1.2.0",
            .group = "sorted-set",
            .complexity = "O(log(N)+M) with N being the number of elements in the sorted set "
                          "and M the number of elements removed by the operation.",
            .arguments = kRemByScoreArgs}),
    Remove("zremrangebylex", &ZRemRangeByLex,
           {.summary = "Remove all members in a sorted set between the given lexicographical "
                       "range",
            .since = "2.8.9",
            .group = "sorted-set",
            .complexity = "O(log(N)+M) with N being the number of elements in the sorted set "
                          "and M the number of elements removed by the operation.",
            .arguments = kRemByLexArgs}),
};

}  // namespace

std::span<const CommandSpec> ZSetRangeCommands() { return kZSetRangeCommands; }

}  // namespace magnetar::commands
