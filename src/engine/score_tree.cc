#include "score_tree.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace magnetar::engine {
namespace {

constexpr uint32_t kLeafCapacity = 61;
constexpr uint32_t kFanout = 32;

int Compare(double score, std::string_view member, double other_score,
            std::string_view other_member) {
  if (score < other_score) return -1;
  if (score > other_score) return 1;
  int order = member.compare(other_member);
  return (order > 0) - (order < 0);
}

}  // namespace

double EntryScore(const Entry& entry) {
  // The 8 bytes may happen to spell a canonical integer, which the entry then holds as one; its
  // text reads back as the same bytes either way.
  StringRef ref = entry.string();
  double score;
  std::memcpy(&score, ref.view().data(), sizeof(score));
  return score;
}

struct ScoreTree::Node {
  explicit Node(bool is_leaf) : leaf(is_leaf) {}
  bool leaf;
  uint32_t size = 0;
};

struct ScoreTree::Leaf : Node {
  Leaf() : Node(true) {}
  Leaf* prev = nullptr;
  Leaf* next = nullptr;
  Entry* items[kLeafCapacity];

  double score(uint32_t i) const { return EntryScore(*items[i]); }
  // The first index whose key is above (score, member) (or at it, with `inclusive`).
  uint32_t Bound(double s, std::string_view member, bool inclusive) const {
    uint32_t low = 0;
    uint32_t high = size;
    while (low < high) {
      uint32_t mid = (low + high) / 2;
      int order = Compare(score(mid), items[mid]->key(), s, member);
      if (order > 0 || (inclusive && order == 0)) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }
};
static_assert(sizeof(ScoreTree::Leaf) == 512, "a leaf fills one jemalloc class");

struct ScoreTree::Inner : Node {
  struct Separator {
    double score = 0;
    std::string member;
  };
  Inner() : Node(false) {}
  // One slot more than the fanout: a child split may overflow the node until it splits itself.
  Node* children[kFanout + 1];
  size_t counts[kFanout + 1];
  Separator separators[kFanout];

  // The child whose keys range covers (score, member).
  uint32_t ChildFor(double score, std::string_view member) const {
    uint32_t low = 0;
    uint32_t high = size - 1;
    while (low < high) {
      uint32_t mid = (low + high) / 2;
      if (Compare(score, member, separators[mid].score, separators[mid].member) < 0) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }
};

struct ScoreTree::Split {
  Node* right = nullptr;
  Inner::Separator separator;
  size_t right_count = 0;
};

ScoreTree::ScoreTree() : root_(NewLeaf()) {}

ScoreTree::~ScoreTree() { FreeAll(root_); }

ScoreTree::Leaf* ScoreTree::NewLeaf() {
  node_bytes_ += sizeof(Leaf);
  return new Leaf();
}

ScoreTree::Inner* ScoreTree::NewInner() {
  node_bytes_ += sizeof(Inner);
  return new Inner();
}

void ScoreTree::Free(Node* node) {
  if (node->leaf) {
    node_bytes_ -= sizeof(Leaf);
    delete static_cast<Leaf*>(node);
  } else {
    node_bytes_ -= sizeof(Inner);
    delete static_cast<Inner*>(node);
  }
}

void ScoreTree::FreeAll(Node* node) {
  if (!node->leaf) {
    auto* inner = static_cast<Inner*>(node);
    for (uint32_t i = 0; i < inner->size; ++i) FreeAll(inner->children[i]);
  }
  Free(node);
}

void ScoreTree::Insert(Entry* entry) {
  double score = EntryScore(*entry);
  ++size_;
  Split split;
  if (!InsertInto(root_, entry, score, entry->key(), &split)) return;
  Inner* root = NewInner();
  root->size = 2;
  root->children[0] = root_;
  root->children[1] = split.right;
  root->counts[0] = size_ - split.right_count;
  root->counts[1] = split.right_count;
  root->separators[0] = std::move(split.separator);
  root_ = root;
}

bool ScoreTree::InsertInto(Node* node, Entry* entry, double score, std::string_view member,
                           Split* split) {
  if (node->leaf) {
    auto* leaf = static_cast<Leaf*>(node);
    uint32_t pos = leaf->Bound(score, member, false);
    if (leaf->size < kLeafCapacity) {
      std::copy_backward(leaf->items + pos, leaf->items + leaf->size, leaf->items + leaf->size + 1);
      leaf->items[pos] = entry;
      ++leaf->size;
      return false;
    }
    // Appending past the last leaf (ascending scores, a common load order) leaves the full leaf
    // full rather than half empty for ever.
    bool append = pos == kLeafCapacity && leaf->next == nullptr;
    uint32_t keep = append ? kLeafCapacity : (kLeafCapacity + 1) / 2;
    Leaf* right = NewLeaf();
    std::copy(leaf->items + keep, leaf->items + leaf->size, right->items);
    right->size = leaf->size - keep;
    leaf->size = keep;
    right->next = leaf->next;
    if (right->next != nullptr) right->next->prev = right;
    right->prev = leaf;
    leaf->next = right;
    Leaf* target = pos < keep || (pos == keep && !append) ? leaf : right;
    uint32_t at = target == leaf ? pos : pos - keep;
    std::copy_backward(target->items + at, target->items + target->size,
                       target->items + target->size + 1);
    target->items[at] = entry;
    ++target->size;
    split->right = right;
    split->separator = {right->score(0), std::string(right->items[0]->key())};
    split->right_count = right->size;
    return true;
  }
  auto* inner = static_cast<Inner*>(node);
  uint32_t i = inner->ChildFor(score, member);
  ++inner->counts[i];
  Split child;
  if (!InsertInto(inner->children[i], entry, score, member, &child)) return false;
  std::copy_backward(inner->children + i + 1, inner->children + inner->size,
                     inner->children + inner->size + 1);
  std::copy_backward(inner->counts + i + 1, inner->counts + inner->size,
                     inner->counts + inner->size + 1);
  std::move_backward(inner->separators + i, inner->separators + inner->size - 1,
                     inner->separators + inner->size);
  inner->children[i + 1] = child.right;
  inner->counts[i + 1] = child.right_count;
  inner->counts[i] -= child.right_count;
  inner->separators[i] = std::move(child.separator);
  if (++inner->size <= kFanout) return false;

  uint32_t keep = inner->size / 2;
  Inner* right = NewInner();
  right->size = inner->size - keep;
  std::copy(inner->children + keep, inner->children + inner->size, right->children);
  std::copy(inner->counts + keep, inner->counts + inner->size, right->counts);
  std::move(inner->separators + keep, inner->separators + inner->size - 1, right->separators);
  split->right = right;
  split->separator = std::move(inner->separators[keep - 1]);
  split->right_count = 0;
  for (uint32_t c = 0; c < right->size; ++c) split->right_count += right->counts[c];
  inner->size = keep;
  return true;
}

bool ScoreTree::Erase(double score, std::string_view member) {
  if (!EraseFrom(root_, score, member)) return false;
  --size_;
  while (!root_->leaf && root_->size == 1) {
    Node* child = static_cast<Inner*>(root_)->children[0];
    Free(root_);
    root_ = child;
  }
  return true;
}

bool ScoreTree::EraseFrom(Node* node, double score, std::string_view member) {
  if (node->leaf) {
    auto* leaf = static_cast<Leaf*>(node);
    uint32_t pos = leaf->Bound(score, member, true);
    if (pos == leaf->size || Compare(leaf->score(pos), leaf->items[pos]->key(), score, member)) {
      return false;
    }
    std::copy(leaf->items + pos + 1, leaf->items + leaf->size, leaf->items + pos);
    --leaf->size;
    return true;
  }
  auto* inner = static_cast<Inner*>(node);
  uint32_t i = inner->ChildFor(score, member);
  if (!EraseFrom(inner->children[i], score, member)) return false;
  --inner->counts[i];
  Rebalance(inner, i);
  return true;
}

void ScoreTree::Rebalance(Inner* inner, uint32_t i) {
  Node* child = inner->children[i];
  if (child->size == 0) return RemoveChild(inner, i);
  uint32_t capacity = child->leaf ? kLeafCapacity : kFanout;
  if (child->size >= capacity / 4 || inner->size < 2) return;
  uint32_t neighbour = i + 1 < inner->size ? i + 1 : i - 1;
  if (child->size + inner->children[neighbour]->size > capacity * 3 / 4) return;
  MergeChildren(inner, std::min(i, neighbour));
}

void ScoreTree::RemoveChild(Inner* inner, uint32_t i) {
  Node* child = inner->children[i];
  if (child->leaf) {
    auto* leaf = static_cast<Leaf*>(child);
    if (leaf->prev != nullptr) leaf->prev->next = leaf->next;
    if (leaf->next != nullptr) leaf->next->prev = leaf->prev;
  }
  Free(child);
  std::copy(inner->children + i + 1, inner->children + inner->size, inner->children + i);
  std::copy(inner->counts + i + 1, inner->counts + inner->size, inner->counts + i);
  // Child i's lower separator goes (the first child has none: its upper one goes instead); the
  // separators left still divide the children that remain.
  uint32_t separator = i > 0 ? i - 1 : 0;
  if (inner->size > 1) {
    std::move(inner->separators + separator + 1, inner->separators + inner->size - 1,
              inner->separators + separator);
  }
  --inner->size;
}

void ScoreTree::MergeChildren(Inner* inner, uint32_t left) {
  Node* a = inner->children[left];
  Node* b = inner->children[left + 1];
  if (a->leaf) {
    auto* la = static_cast<Leaf*>(a);
    auto* lb = static_cast<Leaf*>(b);
    std::copy(lb->items, lb->items + lb->size, la->items + la->size);
    la->next = lb->next;
    if (la->next != nullptr) la->next->prev = la;
  } else {
    auto* ia = static_cast<Inner*>(a);
    auto* ib = static_cast<Inner*>(b);
    std::copy(ib->children, ib->children + ib->size, ia->children + ia->size);
    std::copy(ib->counts, ib->counts + ib->size, ia->counts + ia->size);
    ia->separators[ia->size - 1] = std::move(inner->separators[left]);
    std::move(ib->separators, ib->separators + ib->size - 1, ia->separators + ia->size);
  }
  a->size += b->size;
  Free(b);
  inner->counts[left] += inner->counts[left + 1];
  std::copy(inner->children + left + 2, inner->children + inner->size, inner->children + left + 1);
  std::copy(inner->counts + left + 2, inner->counts + inner->size, inner->counts + left + 1);
  std::move(inner->separators + left + 1, inner->separators + inner->size - 1,
            inner->separators + left);
  --inner->size;
}

size_t ScoreTree::LowerBound(const Predicate& pred) const {
  size_t rank = 0;
  const Node* node = root_;
  while (!node->leaf) {
    const auto* inner = static_cast<const Inner*>(node);
    // The first separator for which `pred` holds: the first element that satisfies it lies in
    // the child to its left, or is that child's right neighbour's first.
    uint32_t low = 0;
    uint32_t high = inner->size - 1;
    while (low < high) {
      uint32_t mid = (low + high) / 2;
      if (pred(inner->separators[mid].score, inner->separators[mid].member)) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    for (uint32_t c = 0; c < low; ++c) rank += inner->counts[c];
    node = inner->children[low];
  }
  const auto* leaf = static_cast<const Leaf*>(node);
  uint32_t low = 0;
  uint32_t high = leaf->size;
  while (low < high) {
    uint32_t mid = (low + high) / 2;
    if (pred(leaf->score(mid), leaf->items[mid]->key())) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return rank + low;
}

ScoreTree::Cursor ScoreTree::Seek(size_t rank) const {
  if (rank >= size_) return {};
  const Node* node = root_;
  while (!node->leaf) {
    const auto* inner = static_cast<const Inner*>(node);
    uint32_t i = 0;
    while (rank >= inner->counts[i]) rank -= inner->counts[i++];
    node = inner->children[i];
  }
  return {static_cast<const Leaf*>(node), static_cast<uint32_t>(rank)};
}

const Entry* ScoreTree::Get(Cursor cursor) { return cursor.leaf->items[cursor.index]; }

void ScoreTree::Next(Cursor& cursor) {
  if (++cursor.index < cursor.leaf->size) return;
  cursor.leaf = cursor.leaf->next;
  cursor.index = 0;
}

void ScoreTree::Prev(Cursor& cursor) {
  if (cursor.index > 0) {
    --cursor.index;
    return;
  }
  cursor.leaf = cursor.leaf->prev;
  if (cursor.leaf != nullptr) cursor.index = cursor.leaf->size - 1;
}

}  // namespace magnetar::engine
