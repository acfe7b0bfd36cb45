// What the sorted-set family's files share: finding a sorted set as Redis's read or write lookups
// do, adding members under the configured limits, score and lex ranges as Redis parses them, and
// replying elements with their scores. Private to src/commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "magnetar/commands/command_context.h"
#include "magnetar/engine/zset_value.h"

namespace magnetar::commands::zsets {

// The sorted set at `key`, or null when the key does not exist; kWrongType for another type.
// `read`: a read lookup (counts hits and misses, raises "keymiss").
Result<engine::ZSetValue*> FindZSet(CommandContext& ctx, std::string_view key, bool read);

// Sets `member`'s score under zset-max-listpack-* as configured now; true when it was new.
bool SetMember(CommandContext& ctx, engine::ZSetValue& zset, std::string_view member, double score);

// A score range as ZRANGEBYSCORE reads it: "(" makes a bound exclusive; the rest is strtod's
// (so "", " 1" and "0x10" are numbers, NaN is not).
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
  bool Empty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
  // Ranks [first, last) of the elements in range.
  size_t First(const engine::ZSetValue& zset) const;
  size_t Last(const engine::ZSetValue& zset) const;
};
std::optional<ScoreRange> ParseScoreRange(std::string_view min, std::string_view max);

// A lex range: "[x" / "(x" inclusive / exclusive, "-" and "+" the ends. Meaningful only when the
// elements all share one score, as Redis says.
struct LexRange {
  enum class Kind : uint8_t { kMin, kValue, kMax };
  struct Bound {
    Kind kind = Kind::kValue;
    std::string value;
    bool exclusive = false;
  };
  Bound min, max;
  bool Empty() const;
  size_t First(const engine::ZSetValue& zset) const;
  size_t Last(const engine::ZSetValue& zset) const;
};
std::optional<LexRange> ParseLexRange(std::string_view min, std::string_view max);

// Replies one element: the member, then the score when `with_score` (RESP3: as a pair).
void ReplyElement(CommandContext& ctx, std::string_view member, double score, bool with_score);
// The array header for `count` elements replied by ReplyElement.
void ReplyElementsHeader(CommandContext& ctx, size_t count, bool with_scores);

// Elements copied out of sets: member and score.
using Elements = std::vector<std::pair<std::string, double>>;

// How a STORE form's new set picks its first encoding, as Redis 7.0 does per command: by the whole
// result (ZUNIONSTORE and its kin build a skiplist and convert it once at the end), or by the
// count alone, the members then converting it as they go in (ZRANGESTORE). It shows when a -0
// score passes through a listpack, which stores it as 0.
enum class Sizing : uint8_t { kWholeResult, kCountOnly };

// The STORE forms' ending: `elements`, in the set's order, replace whatever `destination` held
// (its TTL included) and raise `event`; no elements delete `destination`, raising "del" if it
// existed. Replies the number of elements.
void StoreElements(CommandContext& ctx, std::string_view destination, const Elements& elements,
                   Sizing sizing, std::string_view event);

// Deletes `key` when `zset` emptied, raising "del" (after the caller's own event).
void DeleteIfEmpty(CommandContext& ctx, std::string_view key, const engine::ZSetValue& zset);

}  // namespace magnetar::commands::zsets
