#include "magnetar/engine/list_value.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>

#include "magnetar/common/numbers.h"

namespace magnetar::engine {
namespace {

// The node codec: Redis's listpack layout (a 4-byte total size and a 2-byte element count, the
// entries, 0xFF), each entry an encoding byte (small integers and short strings fold their
// length or value into it), the data, and the entry's size written backwards so the walk can go
// either way. Integers in canonical decimal form are stored as integers, as Redis does.
// TODO(list): switch to the shared engine/listpack codec once it lands; the format is the same.
namespace lp {

constexpr size_t kHeader = 6;
constexpr uint8_t kEnd = 0xFF;

uint32_t TotalBytes(const uint8_t* lp) {
  uint32_t bytes;
  std::memcpy(&bytes, lp, 4);
  return bytes;
}
void SetHeader(uint8_t* lp, uint32_t bytes, uint32_t count) {
  std::memcpy(lp, &bytes, 4);
  uint16_t stored = count >= 65535 ? 65535 : static_cast<uint16_t>(count);
  std::memcpy(lp + 4, &stored, 2);
}

uint8_t* New() {
  auto* lp = static_cast<uint8_t*>(std::malloc(kHeader + 1));
  if (lp == nullptr) throw std::bad_alloc();
  SetHeader(lp, kHeader + 1, 0);
  lp[kHeader] = kEnd;
  return lp;
}

size_t BacklenSize(size_t length) {
  if (length <= 127) return 1;
  if (length < 16383) return 2;
  if (length < 2097151) return 3;
  if (length < 268435455) return 4;
  return 5;
}

// An element encoded as an entry, without its back-length.
struct Encoded {
  uint8_t head[9];
  size_t head_size = 0;
  std::string_view payload;  // string bytes following the head (empty for integers)
  size_t length() const { return head_size + payload.size(); }
  size_t entry_size() const { return length() + BacklenSize(length()); }
};

std::optional<int64_t> CanonicalInteger(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::optional<int64_t> value = ParseInt64(text);
  if (!value) return std::nullopt;
  char digits[kMaxInt64Chars];
  if (std::string_view(digits, FormatInt64(*value, digits)) != text) return std::nullopt;
  return value;
}

Encoded Encode(std::string_view element) {
  Encoded e;
  if (std::optional<int64_t> integer = CanonicalInteger(element)) {
    int64_t v = *integer;
    auto u = static_cast<uint64_t>(v);
    auto put = [&](uint8_t tag, int bytes) {
      e.head[0] = tag;
      for (int i = 0; i < bytes; ++i) e.head[1 + i] = static_cast<uint8_t>(u >> (8 * i));
      e.head_size = 1 + static_cast<size_t>(bytes);
    };
    if (v >= 0 && v <= 127) {
      e.head[0] = static_cast<uint8_t>(v);
      e.head_size = 1;
    } else if (v >= -4096 && v <= 4095) {
      e.head[0] = static_cast<uint8_t>(0xC0 | ((u >> 8) & 0x1F));
      e.head[1] = static_cast<uint8_t>(u & 0xFF);
      e.head_size = 2;
    } else if (v >= -32768 && v <= 32767) {
      put(0xF1, 2);
    } else if (v >= -8388608 && v <= 8388607) {
      put(0xF2, 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      put(0xF3, 4);
    } else {
      put(0xF4, 8);
    }
    return e;
  }
  size_t n = element.size();
  if (n < 64) {
    e.head[0] = static_cast<uint8_t>(0x80 | n);
    e.head_size = 1;
  } else if (n < 4096) {
    e.head[0] = static_cast<uint8_t>(0xE0 | (n >> 8));
    e.head[1] = static_cast<uint8_t>(n & 0xFF);
    e.head_size = 2;
  } else {
    e.head[0] = 0xF0;
    auto n32 = static_cast<uint32_t>(n);
    std::memcpy(e.head + 1, &n32, 4);
    e.head_size = 5;
  }
  e.payload = element;
  return e;
}

void WriteBacklen(uint8_t* p, size_t length) {
  size_t n = BacklenSize(length);
  // The first byte holds the highest 7 bits with the top bit clear; each following byte, lower
  // bits with the top bit set, so a reader walking backwards knows when to stop.
  for (size_t i = 0; i < n; ++i) {
    auto bits = static_cast<uint8_t>((length >> (7 * (n - 1 - i))) & 127);
    p[i] = i == 0 ? bits : static_cast<uint8_t>(bits | 128);
  }
}

// Size of the entry's encoding and data (without back-length) at `p`.
size_t EntryLength(const uint8_t* p) {
  uint8_t b = p[0];
  if (b < 0x80) return 1;
  if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 2 + (static_cast<size_t>(b & 0x0F) << 8 | p[1]);
  switch (b) {
    case 0xF0: {
      uint32_t n;
      std::memcpy(&n, p + 1, 4);
      return 5 + n;
    }
    case 0xF1:
      return 3;
    case 0xF2:
      return 4;
    case 0xF3:
      return 5;
    default:
      return 9;
  }
}
size_t EntrySize(const uint8_t* p) {
  size_t length = EntryLength(p);
  return length + BacklenSize(length);
}
// The start of the entry that ends just before `p`.
const uint8_t* PrevEntry(const uint8_t* p) {
  const uint8_t* q = p - 1;
  size_t length = 0;
  int shift = 0;
  while (true) {
    length |= static_cast<size_t>(*q & 127) << shift;
    if (!(*q & 128)) break;
    shift += 7;
    --q;
  }
  return p - length - BacklenSize(length);
}

int64_t SignExtend(uint64_t u, int bits) {
  uint64_t sign = 1ull << (bits - 1);
  return static_cast<int64_t>((u ^ sign) - sign);
}

// The element at `p`; integers are written as text into `scratch` (kMaxInt64Chars).
std::string_view Decode(const uint8_t* p, char* scratch) {
  uint8_t b = p[0];
  auto text = [&](int64_t v) { return std::string_view(scratch, FormatInt64(v, scratch)); };
  auto little = [&](int bytes) {
    uint64_t u = 0;
    for (int i = 0; i < bytes; ++i) u |= static_cast<uint64_t>(p[1 + i]) << (8 * i);
    return SignExtend(u, bytes * 8);
  };
  const char* chars = reinterpret_cast<const char*>(p);
  if (b < 0x80) return text(b);
  if ((b & 0xC0) == 0x80) return {chars + 1, static_cast<size_t>(b & 0x3F)};
  if ((b & 0xE0) == 0xC0) return text(SignExtend(static_cast<uint64_t>(b & 0x1F) << 8 | p[1], 13));
  if ((b & 0xF0) == 0xE0) return {chars + 2, static_cast<size_t>(b & 0x0F) << 8 | p[1]};
  switch (b) {
    case 0xF0: {
      uint32_t n;
      std::memcpy(&n, p + 1, 4);
      return {chars + 5, n};
    }
    case 0xF1:
      return text(little(2));
    case 0xF2:
      return text(little(3));
    case 0xF3:
      return text(little(4));
    default:
      return text(little(8));
  }
}

// Byte offset of element `index` of a listpack of `count` elements, walking from the nearer end.
size_t Seek(const uint8_t* lp, size_t count, size_t index) {
  if (index <= count / 2) {
    size_t at = kHeader;
    for (size_t i = 0; i < index; ++i) at += EntrySize(lp + at);
    return at;
  }
  const uint8_t* p = lp + TotalBytes(lp) - 1;
  for (size_t i = count; i > index; --i) p = PrevEntry(p);
  return static_cast<size_t>(p - lp);
}

// Inserts `e` at byte offset `at`; returns the (possibly moved) listpack.
uint8_t* InsertAt(uint8_t* lp, uint32_t count, size_t at, const Encoded& e) {
  size_t total = TotalBytes(lp);
  size_t size = e.entry_size();
  auto* grown = static_cast<uint8_t*>(std::realloc(lp, total + size));
  if (grown == nullptr) throw std::bad_alloc();
  std::memmove(grown + at + size, grown + at, total - at);
  uint8_t* p = grown + at;
  std::memcpy(p, e.head, e.head_size);
  if (!e.payload.empty()) std::memcpy(p + e.head_size, e.payload.data(), e.payload.size());
  WriteBacklen(p + e.length(), e.length());
  SetHeader(grown, static_cast<uint32_t>(total + size), count + 1);
  return grown;
}

// Removes `n` entries from byte offset `at`; returns the listpack.
uint8_t* DeleteAt(uint8_t* lp, uint32_t count, size_t at, size_t n) {
  size_t total = TotalBytes(lp);
  size_t end = at;
  for (size_t i = 0; i < n; ++i) end += EntrySize(lp + end);
  std::memmove(lp + at, lp + end, total - end);
  size_t new_total = total - (end - at);
  SetHeader(lp, static_cast<uint32_t>(new_total), count - static_cast<uint32_t>(n));
  auto* shrunk = static_cast<uint8_t*>(std::realloc(lp, new_total));
  return shrunk != nullptr ? shrunk : lp;
}

// A listpack of the entries of `lp` from byte `from` to byte `to` (`count` of them).
uint8_t* Slice(const uint8_t* lp, size_t from, size_t to, uint32_t count) {
  size_t total = kHeader + (to - from) + 1;
  auto* out = static_cast<uint8_t*>(std::malloc(total));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out + kHeader, lp + from, to - from);
  out[total - 1] = kEnd;
  SetHeader(out, static_cast<uint32_t>(total), count);
  return out;
}

uint8_t* Copy(const uint8_t* lp) {
  size_t total = TotalBytes(lp);
  auto* out = static_cast<uint8_t*>(std::malloc(total));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, lp, total);
  return out;
}

}  // namespace lp

// list-max-listpack-size's byte limits for -1..-5.
constexpr size_t kByteLimits[] = {4096, 8192, 16384, 32768, 65536};
// Redis's cap on a node's bytes when the limit is a count.
constexpr size_t kSafetyLimit = 8192;

size_t ByteLimit(int64_t fill) {
  if (fill >= 0) return kSafetyLimit;
  int64_t i = std::min<int64_t>(-fill, 5) - 1;
  return kByteLimits[i];
}

}  // namespace

ListValue::~ListValue() {
  for (Node& node : nodes_) std::free(node.lp);
}

size_t ListValue::MemoryBytes() const {
  size_t bytes = sizeof(*this) + nodes_.capacity() * sizeof(Node);
  for (const Node& node : nodes_) bytes += lp::TotalBytes(node.lp);
  return bytes;
}

std::unique_ptr<Object> ListValue::Clone() const {
  auto copy = std::make_unique<ListValue>();
  copy->nodes_.reserve(nodes_.size());
  for (const Node& node : nodes_) copy->nodes_.push_back({lp::Copy(node.lp), node.count});
  copy->size_ = size_;
  return copy;
}

bool ListValue::Fits(size_t bytes, size_t count, size_t size, int64_t fill) {
  if (fill > 0 && count >= static_cast<size_t>(fill)) return false;
  return bytes + size <= ByteLimit(fill);
}

bool ListValue::MergeFits(const Node& a, const Node& b, int64_t fill) {
  if (fill > 0 && a.count + b.count > static_cast<uint64_t>(fill)) return false;
  return lp::TotalBytes(a.lp) + lp::TotalBytes(b.lp) - lp::kHeader - 1 <= ByteLimit(fill);
}

void ListValue::InsertNode(size_t at, std::string_view value) {
  uint8_t* lp = lp::InsertAt(lp::New(), 0, lp::kHeader, lp::Encode(value));
  nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(at), Node{lp, 1});
}

void ListValue::Push(End end, std::string_view value, int64_t fill) {
  lp::Encoded e = lp::Encode(value);
  ++size_;
  if (!nodes_.empty()) {
    Node& node = end == End::kHead ? nodes_.front() : nodes_.back();
    if (Fits(lp::TotalBytes(node.lp), node.count, e.entry_size(), fill)) {
      size_t at = end == End::kHead ? lp::kHeader : lp::TotalBytes(node.lp) - 1;
      node.lp = lp::InsertAt(node.lp, node.count, at, e);
      ++node.count;
      return;
    }
  }
  InsertNode(end == End::kHead ? 0 : nodes_.size(), value);
}

void ListValue::Pop(End end, std::string& out) {
  size_t n = end == End::kHead ? 0 : nodes_.size() - 1;
  Node& node = nodes_[n];
  size_t at =
      end == End::kHead
          ? lp::kHeader
          : static_cast<size_t>(lp::PrevEntry(node.lp + lp::TotalBytes(node.lp) - 1) - node.lp);
  char scratch[kMaxInt64Chars];
  out.append(lp::Decode(node.lp + at, scratch));
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
  char digits[kMaxInt64Chars];
  std::string_view element =
      lp::Decode(node.lp + lp::Seek(node.lp, node.count, pos.offset), digits);
  if (element.data() == digits) {
    scratch.assign(element);
    element = scratch;
  }
  value = element;
  return true;
}

bool ListValue::Set(int64_t index, std::string_view value, int64_t fill) {
  auto size = static_cast<int64_t>(size_);
  if (index < 0) index += size;
  if (index < 0 || index >= size) return false;
  Position pos = Locate(static_cast<size_t>(index));
  Node& node = nodes_[pos.node];
  size_t at = lp::Seek(node.lp, node.count, pos.offset);
  lp::Encoded e = lp::Encode(value);
  // In place when the node keeps within its limit; otherwise as a removal and an insertion,
  // which may split the node.
  if (lp::TotalBytes(node.lp) - lp::EntrySize(node.lp + at) + e.entry_size() <= ByteLimit(fill) ||
      node.count == 1) {
    node.lp = lp::DeleteAt(node.lp, node.count, at, 1);
    node.lp = lp::InsertAt(node.lp, node.count - 1, at, e);
    return true;
  }
  DeleteFrom(pos.node, pos.offset, 1);
  InsertAt(pos.node, pos.offset, value, fill);
  return true;
}

void ListValue::InsertAt(size_t n, size_t offset, std::string_view value, int64_t fill) {
  lp::Encoded e = lp::Encode(value);
  ++size_;
  Node& node = nodes_[n];
  if (Fits(lp::TotalBytes(node.lp), node.count, e.entry_size(), fill)) {
    node.lp = lp::InsertAt(node.lp, node.count, lp::Seek(node.lp, node.count, offset), e);
    ++node.count;
    return;
  }
  // At a full node's edge, the neighbour may have room.
  if (offset == 0 && n > 0) {
    Node& prev = nodes_[n - 1];
    if (Fits(lp::TotalBytes(prev.lp), prev.count, e.entry_size(), fill)) {
      prev.lp = lp::InsertAt(prev.lp, prev.count, lp::TotalBytes(prev.lp) - 1, e);
      ++prev.count;
      return;
    }
  }
  if (offset == node.count && n + 1 < nodes_.size()) {
    Node& next = nodes_[n + 1];
    if (Fits(lp::TotalBytes(next.lp), next.count, e.entry_size(), fill)) {
      next.lp = lp::InsertAt(next.lp, next.count, lp::kHeader, e);
      ++next.count;
      return;
    }
  }
  // Split: the node keeps [0, offset), a new node takes [offset, count), and the element goes
  // to whichever half has room, or alone between them.
  size_t at = offset;
  if (offset > 0 && offset < node.count) {
    size_t split = lp::Seek(node.lp, node.count, offset);
    size_t end = lp::TotalBytes(node.lp) - 1;
    auto right_count = static_cast<uint32_t>(node.count - offset);
    uint8_t* right = lp::Slice(node.lp, split, end, right_count);
    node.lp = lp::DeleteAt(node.lp, node.count, split, right_count);
    node.count -= right_count;
    nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(n + 1), Node{right, right_count});
    Node& left = nodes_[n];
    if (Fits(lp::TotalBytes(left.lp), left.count, e.entry_size(), fill)) {
      left.lp = lp::InsertAt(left.lp, left.count, lp::TotalBytes(left.lp) - 1, e);
      ++left.count;
      return;
    }
    Node& right_node = nodes_[n + 1];
    if (Fits(lp::TotalBytes(right_node.lp), right_node.count, e.entry_size(), fill)) {
      right_node.lp = lp::InsertAt(right_node.lp, right_node.count, lp::kHeader, e);
      ++right_node.count;
      return;
    }
    at = 1;
  } else {
    at = offset == 0 ? 0 : 1;
  }
  uint8_t* lp = lp::InsertAt(lp::New(), 0, lp::kHeader, e);
  nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(n + at), Node{lp, 1});
}

bool ListValue::DeleteFrom(size_t n, size_t offset, size_t count) {
  Node& node = nodes_[n];
  size_ -= count;
  if (count == node.count) {
    std::free(node.lp);
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(n));
    return true;
  }
  node.lp = lp::DeleteAt(node.lp, node.count, lp::Seek(node.lp, node.count, offset), count);
  node.count -= static_cast<uint32_t>(count);
  return false;
}

void ListValue::MaybeMerge(size_t n, int64_t fill) {
  if (n >= nodes_.size()) return;
  auto merge = [&](size_t left) {
    Node& a = nodes_[left];
    Node& b = nodes_[left + 1];
    size_t a_total = lp::TotalBytes(a.lp);
    size_t b_entries = lp::TotalBytes(b.lp) - lp::kHeader - 1;
    auto* grown = static_cast<uint8_t*>(std::realloc(a.lp, a_total + b_entries));
    if (grown == nullptr) throw std::bad_alloc();
    std::memcpy(grown + a_total - 1, b.lp + lp::kHeader, b_entries);
    grown[a_total - 1 + b_entries] = lp::kEnd;
    a.lp = grown;
    a.count += b.count;
    lp::SetHeader(a.lp, static_cast<uint32_t>(a_total + b_entries), a.count);
    std::free(b.lp);
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
  char scratch[kMaxInt64Chars];
  // Node by node in the walk's direction: the matches' byte offsets are collected, then deleted
  // from the highest down so earlier offsets stay valid.
  std::vector<size_t> offsets;
  for (size_t step = 0; step < nodes_.size() && removed < limit;) {
    size_t n = reverse ? nodes_.size() - 1 - step : step;
    Node& node = nodes_[n];
    offsets.clear();
    if (!reverse) {
      size_t at = lp::kHeader;
      for (size_t i = 0; i < node.count && removed + offsets.size() < limit; ++i) {
        if (lp::Decode(node.lp + at, scratch) == value) offsets.push_back(at);
        at += lp::EntrySize(node.lp + at);
      }
    } else {
      const uint8_t* p = node.lp + lp::TotalBytes(node.lp) - 1;
      for (size_t i = 0; i < node.count && removed + offsets.size() < limit; ++i) {
        p = lp::PrevEntry(p);
        if (lp::Decode(p, scratch) == value) offsets.push_back(static_cast<size_t>(p - node.lp));
      }
    }
    if (offsets.empty()) {
      ++step;
      continue;
    }
    std::sort(offsets.begin(), offsets.end());
    removed += offsets.size();
    size_ -= offsets.size();
    if (offsets.size() == node.count) {
      std::free(node.lp);
      nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(n));
      if (!reverse) continue;  // the next node moved into slot n
      ++step;
      continue;
    }
    for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
      node.lp = lp::DeleteAt(node.lp, node.count, *it, 1);
      --node.count;
    }
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
    for (Node& node : nodes_) std::free(node.lp);
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

void ListValue::ForRange(size_t start, size_t stop,
                         const std::function<void(std::string_view)>& fn) const {
  Position pos = Locate(start);
  size_t left = stop - start + 1;
  char scratch[kMaxInt64Chars];
  for (size_t n = pos.node; left > 0; ++n) {
    const Node& node = nodes_[n];
    size_t i = n == pos.node ? pos.offset : 0;
    size_t at = lp::Seek(node.lp, node.count, i);
    for (; i < node.count && left > 0; ++i, --left) {
      fn(lp::Decode(node.lp + at, scratch));
      at += lp::EntrySize(node.lp + at);
    }
  }
}

void ListValue::Walk(bool reverse, const std::function<bool(size_t, std::string_view)>& fn) const {
  char scratch[kMaxInt64Chars];
  if (!reverse) {
    size_t index = 0;
    for (const Node& node : nodes_) {
      size_t at = lp::kHeader;
      for (size_t i = 0; i < node.count; ++i, ++index) {
        if (!fn(index, lp::Decode(node.lp + at, scratch))) return;
        at += lp::EntrySize(node.lp + at);
      }
    }
    return;
  }
  size_t index = size_;
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    const uint8_t* p = it->lp + lp::TotalBytes(it->lp) - 1;
    for (size_t i = 0; i < it->count; ++i) {
      p = lp::PrevEntry(p);
      if (!fn(--index, lp::Decode(p, scratch))) return;
    }
  }
}

std::vector<size_t> ListValue::NodeSizes() const {
  std::vector<size_t> sizes;
  for (const Node& node : nodes_) sizes.push_back(node.count);
  return sizes;
}

}  // namespace magnetar::engine
