// A list value: Redis 7.0's quicklist, a chain of compact nodes.
//
// Each node is one listpack (engine/listpack.h: Redis's documented byte format, so a node can be
// written to RDB or DUMP as it is), holding a run of consecutive elements. A node is bounded by
// list-max-listpack-size: a positive limit caps its element count; -1..-5 cap its bytes at 4, 8,
// 16, 32 or 64 KB (the default -2, 8 KB). An element bigger than the byte limit gets a node of its
// own, as in Redis. A push goes to the end node while it has room and starts a new node
// otherwise; an insertion in the middle of a full node splits it; a node that a removal leaves
// small enough is merged with its neighbour when the two fit in one node, so a list that shrinks
// does not keep a long chain of near-empty nodes.
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
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/engine/entry.h"

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

  // Calls `fn` for elements [start, stop] in order (REQUIRES start <= stop < size()).
  void ForRange(size_t start, size_t stop, const std::function<void(std::string_view)>& fn) const;
  // Walks the elements from the head (or from the tail when `reverse`), passing each one's
  // index from the head, until `fn` returns false.
  void Walk(bool reverse, const std::function<bool(size_t, std::string_view)>& fn) const;

  // The node sizes, for tests of splits and merges.
  std::vector<size_t> NodeSizes() const;

 private:
  struct Node {
    uint8_t* lp;     // the node's listpack
    uint32_t count;  // elements in it (the listpack's own count saturates at 65535)
  };
  // Where an index falls: node and offset in it.
  struct Position {
    size_t node;
    size_t offset;
  };

  Position Locate(size_t index) const;
  // Whether a node of `bytes` bytes and `count` elements may take one more element of `size`
  // bytes under `fill`.
  static bool Fits(size_t bytes, size_t count, size_t size, int64_t fill);
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

}  // namespace magnetar::engine
