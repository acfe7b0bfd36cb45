// The sorted set value type: members with a double score each, ordered by (score, member), in one
// of Redis 7.0's two encodings, which OBJECT ENCODING names.
//
// "listpack": while the set holds at most zset-max-listpack-entries members, none longer than
// zset-max-listpack-value bytes, members and scores alternate in one listpack in (score, member)
// order, byte for byte as Redis stores them (scores written as Redis's d2string writes them: an
// integer when the score is one within +-2^62, otherwise "%.17g", "inf" or "-inf"), so a DUMP
// or RDB save is a copy. Every operation is a walk of a few hundred bytes.
//
// "skiplist" (Redis's name, kept for OBJECT ENCODING) once it outgrows either limit; it never goes
// back. The structure is not a skiplist but two indexes over the same entries:
//
//  - a member-to-score table: the engine's KeyTable (key_table.h) with one Entry (entry.h) per
//    member, whose key is the member and whose value is the score's 8 bytes. ZSCORE, ZMSCORE and
//    the first half of every update are one hash lookup;
//  - the order: a B+tree of pointers to those entries (score_tree.h), whose inner nodes count the
//    elements below each child, so rank, select and the first element past a score or lex bound
//    take O(log n), and ranges walk linked leaves of 61 pointers.
//
// Why this and not Redis's skiplist plus dict. Memory is what a leaderboard of millions of
// players is paid in. Redis spends per member a skiplist node (score, member pointer, backward
// pointer and 1.33 levels of forward pointer and span on average: a 48-byte class), a dictEntry
// (32 bytes), a bucket pointer (8) and the member's sds (a 32-byte class for 16 bytes): about 120
// bytes. Here a 16-byte member is one 30-byte entry (jemalloc's 32-byte class), 11-23 bytes of
// table buckets and 8 bytes of leaf at 70-100% fill plus a separator per leaf: about 60 bytes.
// A tree node holds 61 members in 8 cache lines, so a rank or range lookup touches ~4 nodes
// instead of the skiplist's ~2 log2(n) scattered nodes. Compared with a balanced binary tree the
// B+tree needs no per-member node at all. The table already gave the hash and set types
// incremental resizing, SCAN cursors and O(1) sampling, which ZSCAN and ZRANDMEMBER reuse.
//
// The object is one tagged word after the vtable pointer, as HashValue: the listpack, or, with
// the low bit set, a pointer to the table and tree.
//
// The type knows nothing of RESP or commands: it stores, finds, ranks, walks and removes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "magnetar/engine/encoding_limits.h"
#include "magnetar/engine/entry.h"
#include "magnetar/engine/listpack.h"

namespace magnetar::engine {

class LazyFreer;

class ZSetValue final : public Object {
 public:
  // A predicate over (score, member) that is false, then true, in the set's order.
  using Predicate = std::function<bool(double, std::string_view)>;
  // Receives an element; returns false to stop the walk. The view is valid during the call.
  using Visitor = std::function<bool(std::string_view member, double score)>;
  using RandomSource = std::function<uint64_t()>;

  ZSetValue();
  // Adopts a listpack of member/score pairs (RDB load, RESTORE). REQUIRES: pairs in (score,
  // member) order, scores that parse, no member twice. The caller converts it if it exceeds the
  // limits.
  explicit ZSetValue(Listpack pairs);
  ~ZSetValue() override;
  ZSetValue(const ZSetValue&) = delete;
  ZSetValue& operator=(const ZSetValue&) = delete;

  // Whether a set created to receive `elements` members, the longest `longest_member` bytes,
  // starts in the big encoding (Redis 7.0 sizes a new set by the command's arguments).
  static bool StartsBig(size_t elements, size_t longest_member, const EncodingLimits& limits);

  size_t Size() const;
  bool IsListpack() const { return (Word() & kTableTag) == 0; }

  // `member`'s score, or nothing. Non-const only because a lookup moves one bucket of a running
  // table resize.
  std::optional<double> Score(std::string_view member);
  // Adds `member` with `score`, or moves it to `score`; true when it is new. Converts first when
  // the member is longer than the limits allow, or the set would outgrow them. `freer` (may be
  // null) receives the table's big old bucket arrays.
  bool Set(std::string_view member, double score, const EncodingLimits& limits,
           LazyFreer* freer = nullptr);
  // Removes `member`; true when it was there.
  bool Remove(std::string_view member);

  // The 0-based rank of `member` in ascending order, or nothing.
  std::optional<size_t> Rank(std::string_view member);
  // The rank of the first element for which `pred` holds (Size() when none does).
  size_t LowerBound(const Predicate& pred) const;
  // Visits elements by rank from `start` on, ascending, or descending with `reverse`, until
  // `fn` returns false or the set ends.
  void Walk(size_t start, bool reverse, const Visitor& fn) const;
  // Removes the `count` elements from rank `start` on (REQUIRES: start + count <= Size()).
  void RemoveRange(size_t start, size_t count);

  // ZSCAN: the elements of the cursor's step and the next cursor (0 at the end). A listpack set
  // is returned whole in one step, as Redis does.
  uint64_t Scan(uint64_t cursor, const Visitor& fn) const;
  // A uniformly random element's rank (REQUIRES: Size() > 0).
  size_t RandomRank(const RandomSource& random) const { return random() % Size(); }

  // Writes `score` as Redis 7.0's d2string does (the listpack's text of a score, and ZSCAN's):
  // an integer within +-2^62 as one (-0 as "0"), "inf", "-inf", else "%.17g".
  static std::string_view ScoreText(double score, char (&buffer)[32]);

  // Converts to the big encoding now.
  void ConvertToTree(LazyFreer* freer = nullptr);

  size_t MemoryBytes() const override;
  std::unique_ptr<Object> Clone() const override;
  std::string_view EncodingName() const override { return IsListpack() ? "listpack" : "skiplist"; }

  // The listpack (REQUIRES: IsListpack()), for serialization.
  const Listpack& listpack() const { return rep_.listpack; }

 private:
  struct Table;
  static constexpr uintptr_t kTableTag = 1;

  uintptr_t Word() const {
    uintptr_t word;
    std::memcpy(&word, &rep_, sizeof(word));
    return word;
  }
  Table* table() const { return reinterpret_cast<Table*>(rep_.table & ~kTableTag); }
  // Inserts a member known to be absent into the listpack at its place in the order.
  void ListpackInsert(std::string_view member, double score);

  union Rep {
    Rep() {}
    ~Rep() {}
    Listpack listpack;
    uintptr_t table;
  } rep_;
};

}  // namespace magnetar::engine
