// A list value: Redis 7.0's quicklist, a chain of compact nodes.
//
// Each node is one listpack (engine/listpack.h, the codec hashes use too: Redis's documented byte
// format, so a node can be written to RDB or DUMP as it is), holding a run of consecutive elements.
// A node is bounded by list-max-listpack-size: a positive limit caps its element count; -1..-5 cap
// its bytes at 4, 8, 16, 32 or 64 KB (the default -2, 8 KB). An element bigger than the byte limit
// gets a node of its own, as in Redis. A push goes to the end node while it has room and starts a
// new node otherwise; an insertion in the middle of a full node splits it; a node that a removal
// leaves small enough is merged with its neighbour when the two fit in one node, so a list that
// shrinks does not keep a long chain of near-empty nodes.
//
// The chain itself is a vector of node descriptors (pointer and count), not a linked list: a
// small list costs one vector slot besides its listpack, an index lookup skips whole nodes by
// their counts, and there are no per-node prev/next pointers. Redis 7.0 reports "quicklist" for
// every list, even one of one element (the listpack-encoded small list came in 7.2), and so does
// this type.
//
// list-compress-depth is accepted (the keyspace's EncodingLimits carry it) but nodes are not
// LZF-compressed: docs/compatibility.md.
//
// Elements are handed out as string_views valid until the list next changes; an integer stored
// in its compact form is formatted into the caller's scratch buffer first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/common/numbers.h"
#include "magnetar/engine/entry.h"
#include "magnetar/engine/listpack.h"

namespace magnetar::engine {

class ListValue final : public Object {
 public:
  enum class End : uint8_t { kHead, kTail };

  // Operations that add elements take `fill`, list-max-listpack-size as the configuration holds
  // it now, so CONFIG SET applies to existing lists as in Redis.
  ListValue() = default;
  ~ListValue() override;
  ListValue(const ListValue&) = delete;
  ListValue& operator=(const ListValue&) = delete;

  size_t MemoryBytes() const override;
  std::unique_ptr<Object> Clone() const override;
  std::string_view EncodingName() const override { return "quicklist"; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t node_count() const { return nodes_.size(); }
  // Node `i`'s listpack (REQUIRES: i < node_count()), for RDB and DUMP, which write the nodes
  // as they are.
  const Listpack& node(size_t i) const { return nodes_[i].lp; }

  // Adopts `lp` (not empty) as a new node after the last one, as it is, whatever `fill` says:
  // an RDB load or RESTORE keeps a quicklist's nodes as they were saved, as Redis 7.0 does.
  void AppendNode(Listpack lp);

  // Adds `value` at `end`; `fill` is list-max-listpack-size.
  void Push(End end, std::string_view value, int64_t fill);
  // Removes the element at `end` and appends its bytes to `out`. REQUIRES: !empty().
  void Pop(End end, std::string& out);
  // The element at `index` (0-based from the head, or negative from the tail); false when out
  // of range. `scratch` holds the text of an integer element.
  bool Get(int64_t index, std::string_view& value, std::string& scratch) const;
  // Replaces the element at `index`; false when out of range.
  bool Set(int64_t index, std::string_view value, int64_t fill);
  // Inserts `value` before (or after) the first element equal to `pivot`; false when there is
  // no such element.
  bool Insert(std::string_view pivot, std::string_view value, bool after, int64_t fill);
  // LREM: removes up to `count` elements equal to `value` from the head (count > 0), from the
  // tail (count < 0) or all of them (0). Returns how many went.
  size_t Remove(std::string_view value, int64_t count, int64_t fill);
  // Keeps elements [start, stop] (already clamped: 0 <= start, stop < size(); start > stop
  // empties the list). Returns how many were removed.
  size_t Trim(size_t start, size_t stop);

  // Calls `fn(const ListpackElement&)` for elements [start, stop] in order (REQUIRES start <=
  // stop < size()). A template walking the nodes' listpacks directly: LRANGE calls it once per
  // element of long ranges, where an indirect call and formatting integers the caller may not
  // need cost as much as the walk itself.
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn&& fn) const;
  // Walks the elements from the head (or from the tail when `reverse`), passing each one's
  // index from the head and its text, until `fn(size_t, std::string_view)` returns false.
  template <typename Fn>
  void Walk(bool reverse, Fn&& fn) const;

  // The node sizes, for tests of splits and merges.
  std::vector<size_t> NodeSizes() const;

 private:
  struct Node {
    Listpack lp;
    uint32_t count;  // elements in lp, kept here so the chain's index arithmetic reads no node
  };
  // Where an index falls: node and offset in it.
  struct Position {
    size_t node;
    size_t offset;
  };

  Position Locate(size_t index) const;
  // The position of element `offset` of `node` (its EndPos() when offset == count), walking
  // from the nearer end.
  static Listpack::Pos SeekIn(const Node& node, size_t offset);
  // Whether a node of `bytes` bytes and `count` elements may take one more element `length`
  // bytes long under `fill`.
  static bool Fits(size_t bytes, size_t count, size_t length, int64_t fill);
  static bool MergeFits(const Node& a, const Node& b, int64_t fill);
  // Inserts a node holding only `value` at position `at` of the chain.
  void InsertNode(size_t at, std::string_view value);
  // Inserts `value` at element `offset` of node `n`, splitting it when it is full.
  void InsertAt(size_t n, size_t offset, std::string_view value, int64_t fill);
  // Removes `count` elements from element `offset` of node `n`, dropping the node when emptied.
  // Returns whether the node was dropped.
  bool DeleteFrom(size_t n, size_t offset, size_t count);
  // Merges node `n` with a neighbour when both fit in one node.
  void MaybeMerge(size_t n, int64_t fill);

  std::vector<Node> nodes_;
  size_t size_ = 0;
};

template <typename Fn>
void ListValue::ForRange(size_t start, size_t stop, Fn&& fn) const {
  Position pos = Locate(start);
  size_t left = stop - start + 1;
  for (size_t n = pos.node; left > 0; ++n) {
    const Listpack& lp = nodes_[n].lp;
    Listpack::Pos p = n == pos.node ? SeekIn(nodes_[n], pos.offset) : lp.First();
    for (; p != Listpack::kNone && left > 0; p = lp.Next(p), --left) fn(lp.Get(p));
  }
}

template <typename Fn>
void ListValue::Walk(bool reverse, Fn&& fn) const {
  char digits[kMaxInt64Chars];
  if (!reverse) {
    size_t index = 0;
    for (const Node& node : nodes_) {
      for (Listpack::Pos p = node.lp.First(); p != Listpack::kNone; p = node.lp.Next(p)) {
        if (!fn(index++, node.lp.Get(p).Text(digits))) return;
      }
    }
    return;
  }
  size_t index = size_;
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    for (Listpack::Pos p = it->lp.Last(); p != Listpack::kNone; p = it->lp.Prev(p)) {
      if (!fn(--index, it->lp.Get(p).Text(digits))) return;
    }
  }
}

}  // namespace magnetar::engine
