#include "magnetar/engine/list_value.h"

#include <algorithm>
#include <optional>

namespace magnetar::engine {
namespace {

// list-max-listpack-size's byte limits for -1..-5.
constexpr size_t kByteLimits[] = {4096, 8192, 16384, 32768, 65536};
// Redis's cap on a node's bytes when the limit is a count.
constexpr size_t kSafetyLimit = 8192;
// What Redis adds to an element's length to estimate its entry's size in a node.
constexpr size_t kEntryOverheadEstimate = 8;

size_t ByteLimit(int64_t fill) {
  if (fill >= 0) return kSafetyLimit;
  int64_t i = std::min<int64_t>(-fill, 5) - 1;
  return kByteLimits[i];
}

}  // namespace

ListValue::~ListValue() = default;

size_t ListValue::MemoryBytes() const {
  size_t bytes = sizeof(*this) + nodes_.capacity() * sizeof(Node);
  for (const Node& node : nodes_) bytes += node.lp.TotalBytes();
  return bytes;
}

std::unique_ptr<Object> ListValue::Clone() const {
  auto copy = std::make_unique<ListValue>();
  copy->nodes_.reserve(nodes_.size());
  for (const Node& node : nodes_) copy->nodes_.push_back({node.lp.Clone(), node.count});
  copy->size_ = size_;
  return copy;
}

void ListValue::AppendNode(Listpack lp) {
  auto count = static_cast<uint32_t>(lp.Size());
  nodes_.push_back({std::move(lp), count});
  size_ += count;
}

bool ListValue::Fits(size_t bytes, size_t count, size_t length, int64_t fill) {
  // Redis 7.0's rule, which decides where its nodes end and so the bytes of RDB files and DUMP
  // payloads: the element's length plus 8, its overestimate of an entry's overhead, rather than
  // the entry's exact size. A count limit (fill >= 0) admits fewer than `fill` elements.
  if (fill >= 0 && count >= static_cast<size_t>(fill)) return false;
  return bytes + length + kEntryOverheadEstimate <= ByteLimit(fill);
}

bool ListValue::MergeFits(const Node& a, const Node& b, int64_t fill) {
  if (fill >= 0 && a.count + b.count > static_cast<uint64_t>(fill)) return false;
  return a.lp.TotalBytes() + b.lp.TotalBytes() - Listpack::kHeaderBytes - 1 <= ByteLimit(fill);
}

Listpack::Pos ListValue::SeekIn(const Node& node, size_t offset) {
  if (offset >= node.count) return node.lp.EndPos();
  if (offset <= node.count / 2) return node.lp.Seek(static_cast<int64_t>(offset));
  return node.lp.Seek(static_cast<int64_t>(offset) - static_cast<int64_t>(node.count));
}

void ListValue::InsertNode(size_t at, std::string_view value) {
  Listpack lp;
  lp.Append(value);
  nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(at), Node{std::move(lp), 1});
}

void ListValue::Push(End end, std::string_view value, int64_t fill) {
  ++size_;
  if (!nodes_.empty()) {
    Node& node = end == End::kHead ? nodes_.front() : nodes_.back();
    if (Fits(node.lp.TotalBytes(), node.count, value.size(), fill)) {
      end == End::kHead ? node.lp.Prepend(value) : node.lp.Append(value);
      ++node.count;
      return;
    }
    // The full head node takes no more pushes: the room it kept for them goes back.
    if (end == End::kHead) node.lp.DropFrontRoom();
  }
  InsertNode(end == End::kHead ? 0 : nodes_.size(), value);
}

void ListValue::Pop(End end, std::string& out) {
  size_t n = end == End::kHead ? 0 : nodes_.size() - 1;
  Node& node = nodes_[n];
  ListpackElement element = node.lp.Get(end == End::kHead ? node.lp.First() : node.lp.Last());
  char digits[kMaxInt64Chars];
  out.append(element.Text(digits));
  DeleteFrom(n, end == End::kHead ? 0 : node.count - 1, 1);
}

ListValue::Position ListValue::Locate(size_t index) const {
  if (index < size_ / 2) {
    size_t n = 0;
    while (index >= nodes_[n].count) index -= nodes_[n++].count;
    return {n, index};
  }
  size_t from_end = size_ - 1 - index;
  size_t n = nodes_.size() - 1;
  while (from_end >= nodes_[n].count) from_end -= nodes_[n--].count;
  return {n, nodes_[n].count - 1 - from_end};
}

bool ListValue::Get(int64_t index, std::string_view& value, std::string& scratch) const {
  auto size = static_cast<int64_t>(size_);
  if (index < 0) index += size;
  if (index < 0 || index >= size) return false;
  Position pos = Locate(static_cast<size_t>(index));
  const Node& node = nodes_[pos.node];
  ListpackElement element = node.lp.Get(SeekIn(node, pos.offset));
  if (element.is_integer) {
    char digits[kMaxInt64Chars];
    scratch.assign(element.Text(digits));
    value = scratch;
  } else {
    value = element.string;
  }
  return true;
}

bool ListValue::Set(int64_t index, std::string_view value, int64_t fill) {
  auto size = static_cast<int64_t>(size_);
  if (index < 0) index += size;
  if (index < 0 || index >= size) return false;
  Position pos = Locate(static_cast<size_t>(index));
  Node& node = nodes_[pos.node];
  Listpack::Pos at = SeekIn(node, pos.offset);
  // In place when the node keeps within its limit; otherwise as a removal and an insertion,
  // which may split the node.
  if (node.lp.TotalBytes() - node.lp.EntryBytesAt(at) + Listpack::EntryBytes(value) <=
          ByteLimit(fill) ||
      node.count == 1) {
    node.lp.Replace(at, value);
    return true;
  }
  DeleteFrom(pos.node, pos.offset, 1);
  InsertAt(pos.node, pos.offset, value, fill);
  return true;
}

void ListValue::InsertAt(size_t n, size_t offset, std::string_view value, int64_t fill) {
  ++size_;
  // Adds the element at `pos` of node `m` when the node has room for it.
  auto add_if_fits = [&](size_t m, auto pos_of) {
    Node& node = nodes_[m];
    if (!Fits(node.lp.TotalBytes(), node.count, value.size(), fill)) return false;
    node.lp.InsertAt(pos_of(node), value);
    ++node.count;
    return true;
  };
  auto front = [](const Node&) { return static_cast<Listpack::Pos>(Listpack::kHeaderBytes); };
  auto back = [](const Node& node) { return node.lp.EndPos(); };
  if (add_if_fits(n, [&](const Node& node) { return SeekIn(node, offset); })) return;
  // At a full node's edge, the neighbour may have room.
  if (offset == 0 && n > 0 && add_if_fits(n - 1, back)) return;
  if (offset == nodes_[n].count && n + 1 < nodes_.size() && add_if_fits(n + 1, front)) return;
  // Split: the node keeps [0, offset), a new node takes [offset, count), and the element goes
  // to whichever half has room, or alone between them.
  size_t at;
  if (offset > 0 && offset < nodes_[n].count) {
    Node& node = nodes_[n];
    auto right_count = static_cast<uint32_t>(node.count - offset);
    Listpack right = node.lp.SplitAt(SeekIn(node, offset));
    node.count -= right_count;
    nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(n + 1),
                  Node{std::move(right), right_count});
    if (add_if_fits(n, back) || add_if_fits(n + 1, front)) return;
    at = 1;
  } else {
    at = offset == 0 ? 0 : 1;
  }
  InsertNode(n + at, value);
}

bool ListValue::DeleteFrom(size_t n, size_t offset, size_t count) {
  Node& node = nodes_[n];
  size_ -= count;
  if (count == node.count) {
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(n));
    return true;
  }
  offset == 0 ? node.lp.DeleteHead(count) : node.lp.Delete(SeekIn(node, offset), count);
  node.count -= static_cast<uint32_t>(count);
  return false;
}

void ListValue::MaybeMerge(size_t n, int64_t fill) {
  if (n >= nodes_.size()) return;
  auto merge = [&](size_t left) {
    Node& a = nodes_[left];
    Node& b = nodes_[left + 1];
    a.lp.AppendAll(b.lp);
    a.count += b.count;
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(left + 1));
  };
  if (n + 1 < nodes_.size() && MergeFits(nodes_[n], nodes_[n + 1], fill)) merge(n);
  if (n > 0 && MergeFits(nodes_[n - 1], nodes_[n], fill)) merge(n - 1);
}

bool ListValue::Insert(std::string_view pivot, std::string_view value, bool after, int64_t fill) {
  std::optional<size_t> found;
  Walk(false, [&](size_t index, std::string_view element) {
    if (element != pivot) return true;
    found = index;
    return false;
  });
  if (!found) return false;
  size_t index = *found + (after ? 1 : 0);
  if (index == size_) {
    Push(End::kTail, value, fill);
    return true;
  }
  Position pos = Locate(index);
  InsertAt(pos.node, pos.offset, value, fill);
  return true;
}

size_t ListValue::Remove(std::string_view value, int64_t count, int64_t fill) {
  const bool reverse = count < 0;
  const uint64_t limit =
      count == 0 ? UINT64_MAX
                 : (reverse ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count));
  size_t removed = 0;
  // Node by node in the walk's direction: the matches' positions are collected, then deleted
  // from the highest down so earlier positions stay valid.
  std::vector<Listpack::Pos> matches;
  for (size_t step = 0; step < nodes_.size() && removed < limit;) {
    size_t n = reverse ? nodes_.size() - 1 - step : step;
    Node& node = nodes_[n];
    const Listpack& lp = node.lp;
    matches.clear();
    for (Listpack::Pos p = reverse ? lp.Last() : lp.First();
         p != Listpack::kNone && removed + matches.size() < limit;
         p = reverse ? lp.Prev(p) : lp.Next(p)) {
      if (lp.Get(p).Equals(value)) matches.push_back(p);
    }
    if (matches.empty()) {
      ++step;
      continue;
    }
    std::sort(matches.begin(), matches.end());
    removed += matches.size();
    size_ -= matches.size();
    if (matches.size() == node.count) {
      nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(n));
      if (!reverse) continue;  // the next node moved into slot n
      ++step;
      continue;
    }
    for (auto it = matches.rbegin(); it != matches.rend(); ++it) node.lp.Delete(*it);
    node.count -= static_cast<uint32_t>(matches.size());
    ++step;
  }
  // Nodes thinned out join neighbours they now fit with.
  if (removed > 0) {
    for (size_t n = 0; n + 1 < nodes_.size();) {
      if (MergeFits(nodes_[n], nodes_[n + 1], fill)) {
        MaybeMerge(n, fill);
      } else {
        ++n;
      }
    }
  }
  return removed;
}

size_t ListValue::Trim(size_t start, size_t stop) {
  size_t before = size_;
  if (start > stop || start >= size_) {
    nodes_.clear();
    size_ = 0;
    return before;
  }
  // The tail past `stop`, then the head before `start`, node by node.
  size_t tail = size_ - 1 - stop;
  while (tail > 0) {
    Node& node = nodes_.back();
    size_t n = std::min<size_t>(tail, node.count);
    DeleteFrom(nodes_.size() - 1, node.count - n, n);
    tail -= n;
  }
  size_t head = start;
  while (head > 0) {
    size_t n = std::min<size_t>(head, nodes_.front().count);
    DeleteFrom(0, 0, n);
    head -= n;
  }
  return before - size_;
}

std::vector<size_t> ListValue::NodeSizes() const {
  std::vector<size_t> sizes;
  for (const Node& node : nodes_) sizes.push_back(node.count);
  return sizes;
}

}  // namespace magnetar::engine
