// ScoreTree: the order of a big sorted set, a B+tree of Entry pointers sorted by (score, member)
// whose inner nodes count the elements under each child, so that rank, select and the first
// element past a bound all take O(log n). The member-to-score table (the KeyTable in
// zset_value.cc) owns the entries; the tree only points at them. Why a B+tree is argued in
// zset_value.h. Private to src/engine.
//
// Leaves hold up to 61 pointers between a previous and a next link (512 bytes, one jemalloc
// class). Inner nodes hold up to 32 children with their element counts and the separators
// between them. A separator is a copy of a (score, member) key: keys of child i are below
// separator i, keys of child i+1 at or above it. A copy cannot dangle when the element it came
// from is removed, and any value between the two children stays a valid separator, so removals
// never rewrite separators. Copies cost little: there is one per leaf, about one per 45 members.
//
// Removals free an empty node and merge a node that fell under a quarter full with a neighbour
// when the two fit in three quarters of a node, so the fill, and the memory per member, stays
// bounded whatever the order of removals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "magnetar/engine/entry.h"

namespace magnetar::engine {

// The score an entry of the sorted set's table holds (its value is the double's 8 bytes).
double EntryScore(const Entry& entry);

class ScoreTree {
 public:
  // A predicate over (score, member) keys that is false, then true, in the tree's order.
  using Predicate = std::function<bool(double, std::string_view)>;

  struct Node;
  struct Leaf;
  struct Inner;

  // A position in the walk over the elements: a leaf and an index in it; `leaf` is null past
  // either end.
  struct Cursor {
    const Leaf* leaf = nullptr;
    uint32_t index = 0;
    explicit operator bool() const { return leaf != nullptr; }
  };

  ScoreTree();
  ~ScoreTree();
  ScoreTree(const ScoreTree&) = delete;
  ScoreTree& operator=(const ScoreTree&) = delete;

  size_t size() const { return size_; }
  // Bytes of the nodes and separators.
  size_t NodeBytes() const { return node_bytes_; }

  // Adds `entry`, whose (score, member) key is not in the tree yet.
  void Insert(Entry* entry);
  // Removes the element with this key; false when there is none.
  bool Erase(double score, std::string_view member);

  // The rank of the first element for which `pred` holds (size() when none does).
  size_t LowerBound(const Predicate& pred) const;
  // The position of the element of rank `rank` (an empty cursor past the end).
  Cursor Seek(size_t rank) const;
  static const Entry* Get(Cursor cursor);
  static void Next(Cursor& cursor);
  static void Prev(Cursor& cursor);

 private:
  struct Split;

  bool InsertInto(Node* node, Entry* entry, double score, std::string_view member, Split* split);
  bool EraseFrom(Node* node, double score, std::string_view member);
  // Frees `inner`'s child `i` when empty, or merges it with a neighbour when both are small.
  void Rebalance(Inner* inner, uint32_t i);
  void MergeChildren(Inner* inner, uint32_t left);
  void RemoveChild(Inner* inner, uint32_t i);
  Leaf* NewLeaf();
  Inner* NewInner();
  void Free(Node* node);
  void FreeAll(Node* node);

  Node* root_;
  size_t size_ = 0;
  size_t node_bytes_ = 0;
};

}  // namespace magnetar::engine
