// The sorted-set family's commands on members and counts: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE,
// ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZRANDMEMBER and ZSCAN, and the helpers the family
// shares (zset_handlers.h). Ranges are in zset_range_commands.cc, pops in zset_pop_commands.cc,
// ZUNION and its kin in zset_algebra_commands.cc; the value type is engine/zset_value.h.
//
// Writes report Redis 7.0's events ("zadd", "zincr" for ZADD INCR and ZINCRBY, "zrem", "del" when
// a set empties) and propagate as sent, as Redis writes them to its AOF.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/glob.h"
#include "magnetar/common/numbers.h"
#include "random_count.h"
#include "scan_options.h"
#include "set_handlers.h"
#include "zset_handlers.h"

namespace magnetar::commands {
namespace zsets {

using engine::ZSetValue;

Result<ZSetValue*> FindZSet(CommandContext& ctx, std::string_view key, bool read) {
  const engine::Entry* entry = read ? ctx.db().LookupForRead(key) : ctx.db().Lookup(key);
  if (entry == nullptr) return static_cast<ZSetValue*>(nullptr);
  if (entry->type() != engine::ValueType::kZSet) return OpStatus::kWrongType;
  return static_cast<ZSetValue*>(entry->object());
}

bool SetMember(CommandContext& ctx, ZSetValue& zset, std::string_view member, double score) {
  return zset.Set(member, score, ctx.keyspace.encoding_limits(), &ctx.keyspace.lazy_freer());
}

namespace {

// Redis reads range bounds with plain strtod: leading spaces, hex and "" (as 0) pass; only
// trailing bytes and NaN fail. The copy stops at an embedded NUL, as Redis's C string does.
std::optional<double> ParseBound(std::string_view text, bool& exclusive) {
  exclusive = !text.empty() && text[0] == '(';
  if (exclusive) text.remove_prefix(1);
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (*end != '\0' || std::isnan(value)) return std::nullopt;
  return value;
}

std::optional<LexRange::Bound> ParseLexBound(std::string_view text) {
  if (text == "+") return LexRange::Bound{LexRange::Kind::kMax, {}, true};
  if (text == "-") return LexRange::Bound{LexRange::Kind::kMin, {}, true};
  if (text.empty() || (text[0] != '(' && text[0] != '[')) return std::nullopt;
  return LexRange::Bound{LexRange::Kind::kValue, std::string(text.substr(1)), text[0] == '('};
}

int CompareBounds(const LexRange::Bound& a, const LexRange::Bound& b) {
  if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.kind != LexRange::Kind::kValue) return 0;
  int order = a.value.compare(b.value);
  return (order > 0) - (order < 0);
}

}  // namespace

std::optional<ScoreRange> ParseScoreRange(std::string_view min, std::string_view max) {
  ScoreRange range;
  std::optional<double> low = ParseBound(min, range.min_exclusive);
  std::optional<double> high = ParseBound(max, range.max_exclusive);
  if (!low || !high) return std::nullopt;
  range.min = *low;
  range.max = *high;
  return range;
}

size_t ScoreRange::First(const ZSetValue& zset) const {
  return zset.LowerBound([this](double score, std::string_view) {
    return min_exclusive ? score > min : score >= min;
  });
}

size_t ScoreRange::Last(const ZSetValue& zset) const {
  return zset.LowerBound([this](double score, std::string_view) {
    return max_exclusive ? score >= max : score > max;
  });
}

std::optional<LexRange> ParseLexRange(std::string_view min, std::string_view max) {
  std::optional<LexRange::Bound> low = ParseLexBound(min);
  std::optional<LexRange::Bound> high = ParseLexBound(max);
  if (!low || !high) return std::nullopt;
  return LexRange{std::move(*low), std::move(*high)};
}

bool LexRange::Empty() const {
  int order = CompareBounds(min, max);
  return order > 0 || (order == 0 && (min.exclusive || max.exclusive));
}

size_t LexRange::First(const ZSetValue& zset) const {
  if (min.kind != Kind::kValue) return min.kind == Kind::kMin ? 0 : zset.Size();
  return zset.LowerBound([this](double, std::string_view member) {
    return min.exclusive ? member > min.value : member >= min.value;
  });
}

size_t LexRange::Last(const ZSetValue& zset) const {
  if (max.kind != Kind::kValue) return max.kind == Kind::kMax ? zset.Size() : 0;
  return zset.LowerBound([this](double, std::string_view member) {
    return max.exclusive ? member >= max.value : member > max.value;
  });
}

void ReplyElementsHeader(CommandContext& ctx, size_t count, bool with_scores) {
  ctx.reply.Array(with_scores && !ctx.reply.resp3() ? 2 * count : count);
}

void ReplyElement(CommandContext& ctx, std::string_view member, double score, bool with_score) {
  if (with_score && ctx.reply.resp3()) ctx.reply.Array(2);
  ctx.reply.Bulk(member);
  if (with_score) ctx.reply.Double(score);
}

void StoreElements(CommandContext& ctx, std::string_view destination, const Elements& elements,
                   Sizing sizing, std::string_view event) {
  engine::Database& db = ctx.db();
  if (elements.empty()) {
    if (db.Delete(destination)) db.Changed(destination, engine::kNotifyGeneric, "del");
    return ctx.reply.Integer(0);
  }
  size_t longest = 0;
  if (sizing == Sizing::kWholeResult) {
    for (const auto& [member, score] : elements) longest = std::max(longest, member.size());
  }
  auto result = std::make_unique<ZSetValue>();
  if (ZSetValue::StartsBig(elements.size(), longest, ctx.keyspace.encoding_limits())) {
    result->ConvertToTree(&ctx.keyspace.lazy_freer());
  }
  for (const auto& [member, score] : elements) SetMember(ctx, *result, member, score);
  db.SetObject(destination, engine::ValueType::kZSet, std::move(result));
  db.Changed(destination, engine::kNotifyZset, event);
  ctx.reply.Integer(static_cast<int64_t>(elements.size()));
}

void DeleteIfEmpty(CommandContext& ctx, std::string_view key, const ZSetValue& zset) {
  if (zset.Size() != 0) return;
  ctx.db().Delete(key);
  ctx.db().Notify(engine::kNotifyGeneric, "del", key);
}

}  // namespace zsets

namespace {

using engine::kNotifyZset;
using engine::ZSetValue;
using zsets::FindZSet;

struct ZAddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// ZADD and ZINCRBY (which is ZADD INCR with one pair and no flags), in Redis 7.0's order of
// checks: the flags, the pairs' count, the flags' conflicts, every score, then the key.
void AddGeneric(CommandContext& ctx, ZAddFlags flags, size_t first_pair) {
  size_t pairs_args = ctx.args.size() - first_pair;
  if (pairs_args == 0 || pairs_args % 2 != 0) return ctx.reply.Error(OpStatus::kSyntaxError);
  size_t pairs = pairs_args / 2;
  if (flags.nx && flags.xx) {
    return ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
  }
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    return ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (flags.incr && pairs > 1) {
    return ctx.reply.Error("ERR INCR option supports a single increment-element pair");
  }
  std::vector<double> scores(pairs);
  for (size_t i = 0; i < pairs; ++i) {
    std::optional<double> score = ParseDouble(ctx.args[first_pair + 2 * i]);
    if (!score) return ctx.reply.Error(OpStatus::kNotFloat);
    scores[i] = *score;
  }
  std::string_view key = ctx.args[1];
  auto found = FindZSet(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  ZSetValue* zset = *found;
  int64_t added = 0, updated = 0, processed = 0;
  double last_score = 0;
  if (zset == nullptr && !flags.xx) {
    auto created = std::make_unique<ZSetValue>();
    // Redis 7.0 sizes a new set by its first member only and converts it as the others go in,
    // which shows: a -0 score that passes through the listpack is stored as 0.
    if (ZSetValue::StartsBig(1, ctx.args[first_pair + 1].size(), ctx.keyspace.encoding_limits())) {
      created->ConvertToTree(&ctx.keyspace.lazy_freer());
    }
    zset = created.get();
    ctx.db().SetObject(key, engine::ValueType::kZSet, std::move(created));
  }
  std::optional<std::string_view> error;
  for (size_t i = 0; zset != nullptr && i < pairs; ++i) {
    std::string_view member = ctx.args[first_pair + 2 * i + 1];
    double score = scores[i];
    std::optional<double> current = zset->Score(member);
    if (current) {
      if (flags.nx) continue;
      if (flags.incr) {
        score += *current;
        if (std::isnan(score)) {
          error = "ERR resulting score is not a number (NaN)";
          break;
        }
      }
      if ((flags.lt && score >= *current) || (flags.gt && score <= *current)) continue;
      if (score != *current) {
        zsets::SetMember(ctx, *zset, member, score);
        ++updated;
      }
    } else {
      if (flags.xx) continue;
      zsets::SetMember(ctx, *zset, member, score);
      ++added;
    }
    ++processed;
    last_score = score;
  }
  if (added + updated > 0) {
    ctx.db().Changed(key, kNotifyZset, flags.incr ? "zincr" : "zadd", added + updated);
  }
  if (error) return ctx.reply.Error(*error);
  if (flags.incr) return processed > 0 ? ctx.reply.Double(last_score) : ctx.reply.Null();
  ctx.reply.Integer(flags.ch ? added + updated : added);
}

void ZAdd(CommandContext& ctx) {
  ZAddFlags flags;
  size_t at = 2;
  for (; at < ctx.args.size(); ++at) {
    std::string_view arg = ctx.args[at];
    if (EqualsIgnoreCase(arg, "nx")) {
      flags.nx = true;
    } else if (EqualsIgnoreCase(arg, "xx")) {
      flags.xx = true;
    } else if (EqualsIgnoreCase(arg, "ch")) {
      flags.ch = true;
    } else if (EqualsIgnoreCase(arg, "incr")) {
      flags.incr = true;
    } else if (EqualsIgnoreCase(arg, "gt")) {
      flags.gt = true;
    } else if (EqualsIgnoreCase(arg, "lt")) {
      flags.lt = true;
    } else {
      break;
    }
  }
  AddGeneric(ctx, flags, at);
}

void ZIncrBy(CommandContext& ctx) { AddGeneric(ctx, {.incr = true}, 2); }

void ZRem(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto found = FindZSet(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  ZSetValue* zset = *found;
  int64_t removed = 0;
  if (zset != nullptr) {
    for (std::string_view member : ctx.args.subspan(2)) removed += zset->Remove(member);
  }
  if (removed > 0) {
    bool emptied = zset->Size() == 0;
    if (emptied) ctx.db().Delete(key);
    ctx.db().Changed(key, kNotifyZset, "zrem", removed);
    if (emptied) ctx.db().Notify(engine::kNotifyGeneric, "del", key);
  }
  ctx.reply.Integer(removed);
}

void ZCard(CommandContext& ctx) {
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Integer(*found == nullptr ? 0 : static_cast<int64_t>((*found)->Size()));
}

void ZScore(CommandContext& ctx) {
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  std::optional<double> score;
  if (*found != nullptr) score = (*found)->Score(ctx.args[2]);
  score ? ctx.reply.Double(*score) : ctx.reply.Null();
}

void ZMScore(CommandContext& ctx) {
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (std::string_view member : ctx.args.subspan(2)) {
    std::optional<double> score;
    if (*found != nullptr) score = (*found)->Score(member);
    score ? ctx.reply.Double(*score) : ctx.reply.Null();
  }
}

void RankGeneric(CommandContext& ctx, bool reverse) {
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  std::optional<size_t> rank;
  if (*found != nullptr) rank = (*found)->Rank(ctx.args[2]);
  if (!rank) return ctx.reply.Null();
  ctx.reply.Integer(static_cast<int64_t>(reverse ? (*found)->Size() - 1 - *rank : *rank));
}

void ZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
void ZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

// ZCOUNT and ZLEXCOUNT: the range is read before the key is looked up, as in Redis.
template <typename Range>
void CountInRange(CommandContext& ctx, const std::optional<Range>& range, std::string_view error) {
  if (!range) return ctx.reply.Error(error);
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr || range->Empty()) return ctx.reply.Integer(0);
  size_t first = range->First(**found);
  size_t last = range->Last(**found);
  ctx.reply.Integer(last > first ? static_cast<int64_t>(last - first) : 0);
}

void ZCount(CommandContext& ctx) {
  CountInRange(ctx, zsets::ParseScoreRange(ctx.args[2], ctx.args[3]),
               "ERR min or max is not a float");
}

void ZLexCount(CommandContext& ctx) {
  CountInRange(ctx, zsets::ParseLexRange(ctx.args[2], ctx.args[3]),
               "ERR min or max not valid string range item");
}

// ZRANDMEMBER key [count [WITHSCORES]], with HRANDFIELD's rules: no count replies one member (or
// null), a negative count that many independent draws, a positive one that many distinct members
// (the whole set, highest score first, when it has no more).
void ZRandMember(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  if (ctx.args.size() == 2) {
    auto found = FindZSet(ctx, key, true);
    if (!found) return ctx.reply.Error(found.status());
    if (*found == nullptr) return ctx.reply.Null();
    const ZSetValue& zset = **found;
    zset.Walk(zset.RandomRank(sets::RandomNumber), false, [&ctx](std::string_view member, double) {
      ctx.reply.Bulk(member);
      return false;
    });
    return;
  }
  std::optional<RandomCount> parsed = ParseRandomCount(ctx, "withscores");
  if (!parsed) return;
  const auto [count, with_scores] = *parsed;
  auto found = FindZSet(ctx, key, true);
  if (!found) return ctx.reply.Error(found.status());
  const ZSetValue* zset = *found;
  if (zset == nullptr || count == 0) return ctx.reply.Array(0);
  const size_t size = zset->Size();
  auto reply = [&](std::string_view member, double score) {
    zsets::ReplyElement(ctx, member, score, with_scores);
    return true;
  };
  if (count > 0 && static_cast<uint64_t>(count) >= size) {
    // Redis walks the whole set from its end here.
    zsets::ReplyElementsHeader(ctx, size, with_scores);
    zset->Walk(size - 1, true, reply);
    return;
  }
  const size_t n = count < 0 ? static_cast<size_t>(-count) : static_cast<size_t>(count);
  zsets::ReplyElementsHeader(ctx, n, with_scores);
  if (count > 0 && n > size / 3) {
    // A large share: one selecting walk, each element taken with the probability that leaves
    // exactly n taken (Knuth's selection sampling).
    size_t seen = 0, taken = 0;
    zset->Walk(0, false, [&](std::string_view member, double score) {
      if (sets::RandomNumber() % (size - seen++) < n - taken) {
        reply(member, score);
        ++taken;
      }
      return taken < n;
    });
    return;
  }
  // Single elements by rank: from a copy of a listpack (a walk to each rank would cost O(size)
  // per element), through the tree's rank index otherwise.
  zsets::Elements copy;
  if (zset->IsListpack()) {
    copy.reserve(size);
    zset->Walk(0, false, [&copy](std::string_view member, double score) {
      copy.emplace_back(member, score);
      return true;
    });
  }
  auto reply_rank = [&](size_t rank) {
    if (!copy.empty())
      return zsets::ReplyElement(ctx, copy[rank].first, copy[rank].second, with_scores);
    zset->Walk(rank, false, [&](std::string_view member, double score) {
      reply(member, score);
      return false;
    });
  };
  if (count < 0) {
    for (size_t i = 0; i < n; ++i) reply_rank(zset->RandomRank(sets::RandomNumber));
    return;
  }
  std::unordered_set<size_t> drawn;
  while (drawn.size() < n) {
    size_t rank = zset->RandomRank(sets::RandomNumber);
    if (drawn.insert(rank).second) reply_rank(rank);
  }
}

// As SSCAN: the key is looked up before the options are read, COUNT bounds the steps, MATCH
// filters members afterwards. Scores come as bulk strings in Redis's d2string form, in RESP3 too.
void ZScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseCursor(ctx.args[2]);
  if (!cursor) return ctx.reply.Error("ERR invalid cursor");
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  const ZSetValue* zset = *found;
  std::optional<ScanOptions> options;
  if (zset != nullptr) {
    options = ParseScanOptions(ctx, 3, false);
    if (!options) return;
  }
  std::vector<std::pair<std::string, std::string>> elements;
  if (zset != nullptr) {
    auto count = static_cast<size_t>(options->count);
    int64_t steps_left = options->count > std::numeric_limits<int64_t>::max() / 10
                             ? std::numeric_limits<int64_t>::max()
                             : options->count * 10;
    do {
      *cursor = zset->Scan(*cursor, [&](std::string_view member, double score) {
        if (!options->pattern || GlobMatch(*options->pattern, member)) {
          char text[kMaxDoubleChars];
          elements.emplace_back(member, ZSetValue::ScoreText(score, text));
        }
        return true;
      });
    } while (*cursor != 0 && steps_left-- > 0 && elements.size() < count);
  } else {
    *cursor = 0;
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(*cursor));
  ctx.reply.Array(2 * elements.size());
  for (const auto& [member, score] : elements) {
    ctx.reply.Bulk(member);
    ctx.reply.Bulk(score);
  }
}

constexpr KeySpec kReadKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
// The reads that return what members hold (ACCESS) rather than a count.
constexpr KeySpec kAccessKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr KeySpec kZincrbyKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsUpdate,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr KeySpec kZaddKeySpecs[] = {
    {.flags = kKsRW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr KeySpec kZremKeySpecs[] = {
    {.flags = kKsRW | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kZaddCondition[] = {
    {.name = "nx", .type = ArgType::kPureToken, .token = "NX"},
    {.name = "xx", .type = ArgType::kPureToken, .token = "XX"},
};
constexpr ArgDoc kZaddComparison[] = {
    {.name = "gt", .type = ArgType::kPureToken, .token = "GT"},
    {.name = "lt", .type = ArgType::kPureToken, .token = "LT"},
};
constexpr ArgDoc kScoreMember[] = {
    {.name = "score", .type = ArgType::kDouble},
    {.name = "member", .type = ArgType::kString},
};
constexpr ArgDoc kZaddArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "condition",
     .type = ArgType::kOneOf,
     .since = "3.0.2",
     .flags = kArgOptional,
     .arguments = kZaddCondition},
    {.name = "comparison",
     .type = ArgType::kOneOf,
     .since = "6.2.0",
     .flags = kArgOptional,
     .arguments = kZaddComparison},
    {.name = "change",
     .type = ArgType::kPureToken,
     .token = "CH",
     .since = "3.0.2",
     .flags = kArgOptional},
    {.name = "increment",
     .type = ArgType::kPureToken,
     .token = "INCR",
     .since = "3.0.2",
     .flags = kArgOptional},
    {.name = "score_member",
     .type = ArgType::kBlock,
     .flags = kArgMultiple,
     .arguments = kScoreMember},
};
constexpr HistoryEntry kZaddHistory[] = {
    {"2.4.0", "Accepts multiple elements."},
    {"3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."},
    {"6.2.0", "Added the `GT` and `LT` options."},
};
constexpr ArgDoc kZincrbyArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "increment", .type = ArgType::kInteger},
    {.name = "member", .type = ArgType::kString},
};
constexpr ArgDoc kKeyMembersArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "member", .type = ArgType::kString, .flags = kArgMultiple},
};
constexpr HistoryEntry kZremHistory[] = {
    {"2.4.0", "Accepts multiple elements."},
};
constexpr ArgDoc kKeyArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr ArgDoc kKeyMemberArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "member", .type = ArgType::kString},
};
constexpr ArgDoc kZcountArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "min", .type = ArgType::kDouble},
    {.name = "max", .type = ArgType::kDouble},
};
constexpr ArgDoc kZlexcountArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "min", .type = ArgType::kString},
    {.name = "max", .type = ArgType::kString},
};

// The read commands of this file differ only in these fields.
constexpr CommandSpec Read(std::string_view name, int arity, Handler handler, CommandDoc doc,
                           std::span<const KeySpec> key_specs = kAccessKeySpecs) {
  return {.name = name,
          .arity = arity,
          .flags = kReadOnly | kFast,
          .acl = kAclRead | kAclSortedSet | kAclFast,
          .first_key = 1,
          .last_key = 1,
          .key_step = 1,
          .handler = handler,
          .doc = doc,
          .key_specs = key_specs};
}

constexpr ArgDoc kZscanArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "cursor", .type = ArgType::kInteger},
    {.name = "pattern", .type = ArgType::kPattern, .token = "MATCH", .flags = kArgOptional},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
};
constexpr std::string_view kRandomTips[] = {"nondeterministic_output"};
constexpr ArgDoc kZrandmemberOptions[] = {
    {.name = "count", .type = ArgType::kInteger},
    {.name = "withscores",
     .type = ArgType::kPureToken,
     .token = "WITHSCORES",
     .flags = kArgOptional},
};
constexpr ArgDoc kZrandmemberArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "options",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kZrandmemberOptions},
};

constexpr CommandSpec kZSetCommands[] = {
    {.name = "zscan",
     .arity = -3,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSortedSet | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &ZScan,
     .doc = {.summary = "Incrementally iterate sorted sets elements and associated scores",
             .since = "2.8.0",
             .group = "sorted-set",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection..",
             .arguments = kZscanArgs},
     .key_specs = kAccessKeySpecs,
     .tips = kRandomTips},
    {.name = "zrandmember",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSortedSet | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &ZRandMember,
     .doc = {.summary = "Get one or multiple random elements from a sorted set",
             .since = "6.2.0",
             .group = "sorted-set",
             .complexity = "O(N) where N is the number of elements returned",
             .arguments = kZrandmemberArgs},
     .key_specs = kAccessKeySpecs,
     .tips = kRandomTips},
    {.name = "zadd",
     .arity = -4,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclSortedSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &ZAdd,
     .doc = {.summary = "Add one or more members to a sorted set, or update its score if it "
                        "already exists",
             .since = "1.2.0",
             .group = "sorted-set",
             .complexity = "O(log(N)) for each item added, where N is the number of elements in "
                           "the sorted set.",
             .history = kZaddHistory,
             .arguments = kZaddArgs},
     .key_specs = kZaddKeySpecs},
    {.name = "zincrby",
     .arity = 4,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclSortedSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &ZIncrBy,
     .doc = {.summary = "Increment the score of a member in a sorted set",
             .since = "1.2.0",
             .group = "sorted-set",
             .complexity = "O(log(N)) where N is the number of elements in the sorted set.",
             .arguments = kZincrbyArgs},
     .key_specs = kZincrbyKeySpecs},
    {.name = "zrem",
     .arity = -3,
     .flags = kWrite | kFast,
     .acl = kAclWrite | kAclSortedSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &ZRem,
     .doc = {.summary = "Remove one or more members from a sorted set",
             .since = "1.2.0",
             .group = "sorted-set",
             .complexity = "O(M*log(N)) with N being the number of elements in the sorted set "
                           "and M the number of elements to be removed.",
             .history = kZremHistory,
             .arguments = kKeyMembersArgs},
     .key_specs = kZremKeySpecs},
    Read("zcard", 2, &ZCard,
         {.summary = "Get the number of members in a sorted set",
          .since = "1.2.0",
          .group = "sorted-set",
          .complexity = "O(1)",
          .arguments = kKeyArgs},
         kReadKeySpecs),
    Read("zscore", 3, &ZScore,
         {.summary = "Get the score associated with the given member in a sorted set",
          .since = "1.2.0",
          .group = "sorted-set",
          .complexity = "O(1)",
          .arguments = kKeyMemberArgs}),
    Read("zmscore", -3, &ZMScore,
         {.summary = "Get the score associated with the given members in a sorted set",
          .since = "6.2.0",
          .group = "sorted-set",
          .complexity = "O(N) where N is the number of members being requested.",
          .arguments = kKeyMembersArgs}),
    Read("zrank", 3, &ZRank,
         {.summary = "Determine the index of a member in a sorted set",
          .since = "2.0.0",
          .group = "sorted-set",
          .complexity = "O(log(N))",
          .arguments = kKeyMemberArgs}),
    Read("zrevrank", 3, &ZRevRank,
         {.summary = "Determine the index of a member in a sorted set, with scores ordered from "
                     "high to low",
          .since = "2.0.0",
          .group = "sorted-set",
          .complexity = "O(log(N))",
          .arguments = kKeyMemberArgs}),
    Read("zcount", 4, &ZCount,
         {.summary = "Count the members in a sorted set with scores within the given values",
          .since = "2.0.0",
          .group = "sorted-set",
          .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
          .arguments = kZcountArgs}),
    Read("zlexcount", 4, &ZLexCount,
         {.summary = "Count the number of members in a sorted set between a given "
                     "lexicographical range",
          .since = "2.8.9",
          .group = "sorted-set",
          .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
          .arguments = kZlexcountArgs}),
};

}  // namespace

std::span<const CommandSpec> ZSetCommands() { return kZSetCommands; }

}  // namespace magnetar::commands
